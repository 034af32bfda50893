package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kedaitong/experts"
	"kedaitong/internal/browsertest"
)

// TestBrowserExpertLibrary: an official imports experts from a file and
// reads the row-by-row report, filters the directory, edits a profile (a
// refused capacity first), manages a committee; then the expert, in
// English, keeps its availability and declared conflicts on its own page.
func TestBrowserExpertLibrary(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	ctx := browsertest.New(t)
	login := func(user string) {
		t.Helper()
		if err := chromedp.Do(ctx,
			chromedp.Navigate(e.ts.URL+"/login"),
			chromedp.WaitVisible(chromedp.CSS("#login-form")),
			chromedp.SendKeys(chromedp.CSS("#username"), user),
			chromedp.SendKeys(chromedp.CSS("#password"), testPW),
			chromedp.Click(chromedp.CSS("#login-submit")),
			chromedp.WaitVisible(chromedp.CSS("#nav-account")),
		); err != nil {
			t.Fatal(err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	file := filepath.Join(t.TempDir(), "experts.csv")
	csv := expertCSV + "exp-5,坏行,guru,aviation,南昌大学,3601,2,\nexp-1,重复,industry,aviation,南昌大学,3601,2,\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}

	login("official")
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#nav-experts")),
		chromedp.WaitVisible(chromedp.CSS("#expert-filters")),
		chromedp.Click(chromedp.CSS("#to-import")),
		chromedp.WaitVisible(chromedp.CSS("#import-form")),
		chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{file}),
		chromedp.Click(chromedp.CSS("#import-submit")),
		chromedp.WaitVisible(chromedp.CSS("#import-summary")),
	); err != nil {
		t.Fatal(err)
	}
	if s := text("#import-summary"); !strings.Contains(s, "新增 4 人") || !strings.Contains(s, "拒绝 2 行") {
		t.Errorf("import summary = %q", s)
	}
	if s := text("#import-rejected"); !strings.Contains(s, "tier") || !strings.Contains(s, "6") || !strings.Contains(s, "7") {
		t.Errorf("rejected rows = %q", s)
	}
	browsertest.Screenshot(t, ctx, "experts-import-zh")

	// Filter the directory: lithium batteries in Ganzhou.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.ts.URL+"/experts"),
		chromedp.WaitVisible(chromedp.CSS("#experts-table")),
		chromedp.SetValue(chromedp.CSS("#f-field"), "lithium-battery"),
		chromedp.SendKeys(chromedp.CSS("#f-region"), "3607"),
		chromedp.Click(chromedp.CSS("#f-submit")),
		chromedp.WaitNotPresent(chromedp.CSS(`#experts-table tr[data-id="exp-3"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#experts-table tr[data-id="exp-1"]`)),
	); err != nil {
		t.Fatal(err)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#experts-table tbody tr[data-id]").length`)); n != 1 {
		t.Errorf("filtered rows = %d", n)
	}
	browsertest.Screenshot(t, ctx, "experts-directory-zh")
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#f-q"), "赣江"),
		chromedp.SetValue(chromedp.CSS("#f-field"), ""),
		chromedp.Click(chromedp.CSS("#f-submit")),
		chromedp.WaitNotPresent(chromedp.CSS(`#experts-table tr[data-id="exp-1"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#experts-table tr[data-id="exp-2"]`)),
	); err != nil {
		t.Fatal(err)
	}

	// Open and edit a profile: a refused capacity, then a good one.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#experts-table tr[data-id="exp-2"] a`)),
		chromedp.WaitVisible(chromedp.CSS("#expert-facts")),
		chromedp.Click(chromedp.CSS("#edit-expert")),
		chromedp.WaitVisible(chromedp.CSS("#edit-form")),
		chromedp.SetValue(chromedp.CSS("#e-capacity"), "99"),
		chromedp.Click(chromedp.CSS("#e-submit")),
		chromedp.WaitVisible(chromedp.CSS("#edit-error")),
	); err != nil {
		t.Fatal(err)
	}
	if s := text("#err-capacity"); !strings.Contains(s, "0 到 50") { // the Chinese page shows the Chinese message
		t.Errorf("capacity error = %q", s)
	}
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS("#e-capacity"), "5"),
		chromedp.Click(chromedp.CSS("#e-submit")),
		chromedp.WaitVisible(chromedp.CSS("#expert-saved")),
	); err != nil {
		t.Fatal(err)
	}
	if s := text("#expert-capacity"); s != "5" {
		t.Errorf("capacity after edit = %q", s)
	}
	browsertest.Screenshot(t, ctx, "experts-profile-zh")

	// A committee.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.ts.URL+"/committees"),
		chromedp.WaitVisible(chromedp.CSS("#committee-form")),
		chromedp.SetValue(chromedp.CSS("#c-field"), "semiconductors"),
		chromedp.SendKeys(chromedp.CSS("#c-members"), "exp-2, exp-1"),
		chromedp.SendKeys(chromedp.CSS("#c-chair"), "exp-2"),
		chromedp.Click(chromedp.CSS("#c-submit")),
		chromedp.WaitVisible(chromedp.CSS("#committee-saved")),
	); err != nil {
		t.Fatal(err)
	}
	if s := text("#committees-table"); !strings.Contains(s, "半导体") || !strings.Contains(s, "exp-2") {
		t.Errorf("committees = %q", s)
	}
	browsertest.Screenshot(t, ctx, "committees-zh")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#login-form"))); err != nil {
		t.Fatal(err)
	}

	// The expert (exp-1) in English.
	if err := chromedp.Do(ctx, chromedp.Navigate(e.ts.URL+"/?lang=en")); err != nil {
		t.Fatal(err)
	}
	login("expert")
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#nav-experts").length`)); n != 0 {
		t.Error("the expert sees the directory link")
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#nav-my-profile")),
		chromedp.WaitVisible(chromedp.CSS("#period-form")),
		chromedp.SetValue(chromedp.CSS("#period-from"), "2026-08-10"),
		chromedp.SetValue(chromedp.CSS("#period-to"), "2026-08-01"),
		chromedp.Click(chromedp.CSS("#period-submit")),
		chromedp.WaitVisible(chromedp.CSS("#me-error")),
	); err != nil {
		t.Fatal(err)
	}
	if s := text("#me-error"); !strings.Contains(s, "before it starts") {
		t.Errorf("period error = %q", s)
	}
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS("#period-from"), "2026-08-01"),
		chromedp.SetValue(chromedp.CSS("#period-to"), "2026-08-10"),
		chromedp.SendKeys(chromedp.CSS("#period-reason"), "conference"),
		chromedp.Click(chromedp.CSS("#period-submit")),
		chromedp.WaitVisible(chromedp.CSS("#expert-saved")),
	); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("#expert-saved").remove(), true`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#conflict-name"), "江西铜业股份有限公司"),
		chromedp.SendKeys(chromedp.CSS("#conflict-reason"), "spouse works there"),
		chromedp.Click(chromedp.CSS("#conflict-submit")),
		chromedp.WaitVisible(chromedp.CSS("#expert-saved")),
	); err != nil {
		t.Fatal(err)
	}
	if s := text("#expert-periods"); !strings.Contains(s, "2026-08-10") || !strings.Contains(s, "conference") {
		t.Errorf("periods = %q", s)
	}
	if s := text("#expert-conflicts"); !strings.Contains(s, "江西铜业") {
		t.Errorf("conflicts = %q", s)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#expert-email").length`)); n != 0 {
		t.Error("the expert sees contact details")
	}
	browsertest.Screenshot(t, ctx, "experts-mine-en")
	// Remove the period, then the conflict.
	removeMine(t, ctx, `#expert-periods tr[data-period="2026-08-01|2026-08-10"] button.remove-period`, `#expert-periods tr[data-period]`)
	removeMine(t, ctx, `#expert-conflicts tr[data-conflict] button.remove-conflict`, `#expert-conflicts tr[data-conflict]`)
	if s := text("#expert-periods") + text("#expert-conflicts"); !strings.Contains(s, "None yet") || strings.Contains(s, "conference") {
		t.Errorf("after removal = %q", s)
	}
	// Another expert's profile is not found; the edit form is closed to it.
	if err := chromedp.Do(ctx, chromedp.Navigate(e.ts.URL+"/experts/exp-2"), chromedp.WaitVisible(chromedp.CSS("footer"))); err != nil {
		t.Fatal(err)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#expert-facts").length`)); n != 0 {
		t.Error("the expert sees another profile")
	}
}

// removeMine clicks a remove button on the expert's own page and waits for
// the page to come back without any row matching gone.
func removeMine(t *testing.T, ctx context.Context, button, gone string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.querySelector("#expert-saved")||{remove(){}}).remove(), true`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(button)),
		chromedp.WaitVisible(chromedp.CSS("#expert-saved")),
		chromedp.WaitNotPresent(chromedp.CSS(gone)),
	); err != nil {
		t.Fatalf("remove %s: %v", button, err)
	}
}

// browserLogin logs the browser in as user.
func browserLogin(t *testing.T, ctx context.Context, e *env, user string) {
	t.Helper()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.ts.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#login-form")),
		chromedp.SendKeys(chromedp.CSS("#username"), user),
		chromedp.SendKeys(chromedp.CSS("#password"), testPW),
		chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS("#nav-account")),
	); err != nil {
		t.Fatal(err)
	}
}

func browserText(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// TestBrowserExpertNewAndOrganisations: an official adds an expert with the
// new-expert form in Chinese (a refused capacity and credit code first,
// shown beside their inputs), finds it in the directory, then in English
// edits its organisations: ends the current one, adds a past one with its
// credit code, removes a wrong one.
func TestBrowserExpertNewAndOrganisations(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	ctx := browsertest.New(t)
	browserLogin(t, ctx, e, "official")
	code := "91360100MA35F0000" + string(experts.CreditCodeCheck("91360100MA35F0000"))

	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.ts.URL+"/experts?lang=zh-CN"),
		chromedp.WaitVisible(chromedp.CSS("#to-new-expert")),
		chromedp.Click(chromedp.CSS("#to-new-expert")),
		chromedp.WaitVisible(chromedp.CSS("#edit-form")),
		chromedp.SendKeys(chromedp.CSS("#e-id"), "exp-0900"),
		chromedp.SendKeys(chromedp.CSS("#e-name"), "欧阳晓峰"),
		chromedp.SetValue(chromedp.CSS("#e-tier"), "academician"),
		chromedp.SendKeys(chromedp.CSS("#e-title"), "中国科学院院士"),
		chromedp.SetValue(chromedp.CSS("#e-region"), "3607"),
		chromedp.SetValue(chromedp.CSS("#e-capacity"), "80"),
		chromedp.SetValue(chromedp.CSS("#e-primary"), "nonferrous-rare-earth.permanent-magnets"),
		chromedp.Click(chromedp.CSS(`details[data-industry="new-materials"] summary`)),
		chromedp.Click(chromedp.CSS(`input[name="fields"][value="new-materials"]`)),
		chromedp.SendKeys(chromedp.CSS(`#org-rows tr[data-row="0"] input[name="org_name"]`), "江西理工大学"),
		chromedp.SetValue(chromedp.CSS(`#org-rows tr[data-row="0"] input[name="org_from"]`), "2010-09-01"),
		chromedp.SendKeys(chromedp.CSS(`#org-rows tr[data-row="1"] input[name="org_name"]`), "赣州稀土集团有限公司"),
		chromedp.SendKeys(chromedp.CSS(`#org-rows tr[data-row="1"] input[name="org_code"]`), "91360700000000000X"),
		chromedp.SendKeys(chromedp.CSS("#e-email"), "ouyang@example.cn"),
		chromedp.Click(chromedp.CSS("#e-submit")),
		chromedp.WaitVisible(chromedp.CSS("#err-capacity")),
	); err != nil {
		t.Fatal(err)
	}
	if s := browserText(t, ctx, "#edit-error"); !strings.Contains(s, "请更正") {
		t.Errorf("summary = %q", s)
	}
	if v, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#e-name"))); v != "欧阳晓峰" {
		t.Errorf("the refused form lost the name: %q", v)
	}
	browsertest.Screenshot(t, ctx, "experts-new-error-zh")
	// Fix the capacity: now the credit code is refused, on its row.
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS("#e-capacity"), "2"),
		chromedp.Click(chromedp.CSS("#e-submit")),
		chromedp.WaitVisible(chromedp.CSS("#err-org-1")),
	); err != nil {
		t.Fatal(err)
	}
	if s := browserText(t, ctx, "#err-org-1"); !strings.Contains(s, "统一社会信用代码") { // the Chinese page shows the Chinese message
		t.Errorf("org error = %q", s)
	}
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#org-rows tr[data-row="1"] input[name="org_code"]`), code),
		chromedp.Click(chromedp.CSS("#e-submit")),
		chromedp.WaitVisible(chromedp.CSS("#expert-saved")),
	); err != nil {
		t.Fatal(err)
	}
	if s := browserText(t, ctx, "#expert-fields"); !strings.Contains(s, "永磁") || !strings.Contains(s, "新材料") {
		t.Errorf("fields = %q", s)
	}
	if s := browserText(t, ctx, "#expert-orgs"); !strings.Contains(s, "江西理工大学") || !strings.Contains(s, code) {
		t.Errorf("orgs = %q", s)
	}
	// Found in the directory by name.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.ts.URL+"/experts"),
		chromedp.WaitVisible(chromedp.CSS("#expert-filters")),
		chromedp.SendKeys(chromedp.CSS("#f-q"), "欧阳"),
		chromedp.Click(chromedp.CSS("#f-submit")),
		chromedp.WaitVisible(chromedp.CSS(`#experts-table tr[data-id="exp-0900"]`)),
	); err != nil {
		t.Fatal(err)
	}
	if s := browserText(t, ctx, `#experts-table tr[data-id="exp-0900"]`); !strings.Contains(s, "院士") || !strings.Contains(s, "江西理工大学") {
		t.Errorf("directory row = %q", s)
	}
	browsertest.Screenshot(t, ctx, "experts-new-found-zh")

	// In English: edit the organisations.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.ts.URL+"/experts/exp-0900/edit?lang=en"),
		chromedp.WaitVisible(chromedp.CSS("#org-rows")),
	); err != nil {
		t.Fatal(err)
	}
	if s := browserText(t, ctx, "#e-orgs legend"); s != "Organisations" {
		t.Errorf("legend = %q", s)
	}
	// Row 0 江西理工大学 (current), row 1 赣州稀土 (current), rows 2-3 blank.
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#org-rows tr[data-row="0"] input[name="org_to"]`), "2025-12-31"),
		chromedp.Click(chromedp.CSS(`#org-rows tr[data-row="1"] input[name="org_remove"]`)),
		chromedp.SendKeys(chromedp.CSS(`#org-rows tr[data-row="2"] input[name="org_name"]`), "南昌大学"),
		chromedp.SetValue(chromedp.CSS(`#org-rows tr[data-row="2"] input[name="org_from"]`), "2026-01-01"),
		chromedp.SendKeys(chromedp.CSS(`#org-rows tr[data-row="3"] input[name="org_name"]`), "Jiangxi Copper Co. Ltd"),
		chromedp.SetValue(chromedp.CSS(`#org-rows tr[data-row="3"] input[name="org_from"]`), "2024-05-01"),
		chromedp.SetValue(chromedp.CSS(`#org-rows tr[data-row="3"] input[name="org_to"]`), "2024-03-01"),
		chromedp.Click(chromedp.CSS("#e-submit")),
		chromedp.WaitVisible(chromedp.CSS("#err-org-3")),
	); err != nil {
		t.Fatal(err)
	}
	if s := browserText(t, ctx, "#edit-error"); !strings.Contains(s, "Please correct") {
		t.Errorf("summary = %q", s)
	}
	browsertest.Screenshot(t, ctx, "experts-orgs-error-en")
	// The refused form keeps every row as it was typed, the removal ticked.
	if on, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('#org-rows tr[data-row="1"] input[name="org_remove"]').checked`)); !on {
		t.Error("the refused form lost the ticked removal")
	}
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#org-rows tr[data-row="3"] input[name="org_to"]`), "2025-03-01"),
		chromedp.Click(chromedp.CSS("#e-submit")),
		chromedp.WaitVisible(chromedp.CSS("#expert-saved")),
	); err != nil {
		t.Fatal(err)
	}
	orgs := browserText(t, ctx, "#expert-orgs")
	for _, want := range []string{"江西理工大学", "2025-12-31", "南昌大学", "2026-01-01", "Jiangxi Copper Co. Ltd", "2024-05-01", "2025-03-01"} {
		if !strings.Contains(orgs, want) {
			t.Errorf("organisations lack %q: %q", want, orgs)
		}
	}
	if strings.Contains(orgs, "赣州稀土") {
		t.Errorf("the removed organisation is still there: %q", orgs)
	}
	browsertest.Screenshot(t, ctx, "experts-orgs-en")
}

// TestBrowserCommitteeMembers: an official creates a committee in English,
// adds members, removes one, moves the chair (a refused removal of the
// chair first); the page in Chinese shows the result.
func TestBrowserCommitteeMembers(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	if r := e.do("POST", "/api/v1/experts/import", expertCSV, as(e.login("official"), "Content-Type", "text/csv")...); r.status != 200 {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	ctx := browsertest.New(t)
	browserLogin(t, ctx, e, "official")
	row := `#committees-table tr[data-id="cmt-photovoltaics"]`
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.ts.URL+"/committees?lang=en"),
		chromedp.WaitVisible(chromedp.CSS("#committee-form")),
		chromedp.SetValue(chromedp.CSS("#c-field"), "photovoltaics"),
		chromedp.SendKeys(chromedp.CSS("#c-name"), "PV technology committee"),
		chromedp.SendKeys(chromedp.CSS("#c-members"), "exp-4"),
		chromedp.SendKeys(chromedp.CSS("#c-chair"), "exp-4"),
		chromedp.Click(chromedp.CSS("#c-submit")),
		chromedp.WaitVisible(chromedp.CSS("#committee-saved")),
		chromedp.WaitVisible(chromedp.CSS(row+` tr[data-member="exp-4"]`)),
		// Add two members.
		chromedp.SendKeys(chromedp.CSS(row+" input.add-members"), "exp-3, exp-2"),
		chromedp.Click(chromedp.CSS(row+` button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(row+` tr[data-member="exp-2"]`)),
	); err != nil {
		t.Fatal(err)
	}
	if s := browserText(t, ctx, row+" td.members"); !strings.Contains(s, "exp-3") || !strings.Contains(s, "张志强") || !strings.Contains(s, "Chen Wei") {
		t.Errorf("members = %q", s)
	}
	// Removing the chair without naming another is refused beside the committee.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(row+` tr[data-member="exp-4"] input[name="remove"]`)),
		chromedp.Click(chromedp.CSS(row+` button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(row+" #committee-error")),
	); err != nil {
		t.Fatal(err)
	}
	if s := browserText(t, ctx, "#committee-error"); !strings.Contains(s, "chair") {
		t.Errorf("error = %q", s)
	}
	browsertest.Screenshot(t, ctx, "committee-error-en")
	// Remove exp-4 and make exp-2 the chair.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(row+` tr[data-member="exp-4"] input[name="remove"]`)),
		chromedp.Click(chromedp.CSS(row+` tr[data-member="exp-2"] input[name="chair"]`)),
		chromedp.Click(chromedp.CSS(row+` button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#committee-saved")),
		chromedp.WaitNotPresent(chromedp.CSS(row+` tr[data-member="exp-4"]`)),
	); err != nil {
		t.Fatal(err)
	}
	if s := browserText(t, ctx, row+" td.chair"); !strings.Contains(s, "exp-2") || !strings.Contains(s, "王海燕") {
		t.Errorf("chair = %q", s)
	}
	// The Chinese page shows the same committee.
	if err := chromedp.Do(ctx, chromedp.Navigate(e.ts.URL+"/committees?lang=zh-CN"), chromedp.WaitVisible(chromedp.CSS(row))); err != nil {
		t.Fatal(err)
	}
	if s := browserText(t, ctx, "#committees-table thead"); !strings.Contains(s, "主任委员") {
		t.Errorf("Chinese header = %q", s)
	}
	if s := browserText(t, ctx, row+" td.members"); !strings.Contains(s, "exp-3") || strings.Contains(s, "exp-4") {
		t.Errorf("Chinese members = %q", s)
	}
	browsertest.Screenshot(t, ctx, "committee-members-zh")
}

// TestBrowserExpertMyPageChinese: the expert keeps its availability and
// declared conflicts in Chinese: adds a period and a conflict (a refused
// conflict without a reason first), then removes both.
func TestBrowserExpertMyPageChinese(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	if r := e.do("POST", "/api/v1/experts/import", expertCSV, as(e.login("official"), "Content-Type", "text/csv")...); r.status != 200 {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	ctx := browsertest.New(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(e.ts.URL+"/?lang=zh-CN")); err != nil {
		t.Fatal(err)
	}
	browserLogin(t, ctx, e, "expert")
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#nav-my-profile")),
		chromedp.WaitVisible(chromedp.CSS("#period-form")),
		chromedp.SetValue(chromedp.CSS("#period-from"), "2026-10-01"),
		chromedp.SetValue(chromedp.CSS("#period-to"), "2026-10-07"),
		chromedp.SendKeys(chromedp.CSS("#period-reason"), "国庆出访"),
		chromedp.Click(chromedp.CSS("#period-submit")),
		chromedp.WaitVisible(chromedp.CSS(`#expert-periods tr[data-period="2026-10-01|2026-10-07"]`)),
	); err != nil {
		t.Fatal(err)
	}
	// A conflict without a reason: the browser's own check is bypassed to reach the server's.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("#conflict-form").noValidate = true`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#conflict-name"), "赣州稀土集团有限公司"),
		chromedp.Click(chromedp.CSS("#conflict-submit")),
		chromedp.WaitVisible(chromedp.CSS("#me-error")),
		chromedp.SendKeys(chromedp.CSS("#conflict-name"), "赣州稀土集团有限公司"),
		chromedp.SendKeys(chromedp.CSS("#conflict-reason"), "曾任该公司顾问"),
		chromedp.Click(chromedp.CSS("#conflict-submit")),
		chromedp.WaitVisible(chromedp.CSS(`#expert-conflicts tr[data-conflict]`)),
	); err != nil {
		t.Fatal(err)
	}
	if s := browserText(t, ctx, "#expert-periods"); !strings.Contains(s, "国庆出访") {
		t.Errorf("periods = %q", s)
	}
	if s := browserText(t, ctx, "#expert-conflicts"); !strings.Contains(s, "赣州稀土") || !strings.Contains(s, "顾问") {
		t.Errorf("conflicts = %q", s)
	}
	if s := browserText(t, ctx, "h1"); !strings.Contains(s, "我的专家档案") {
		t.Errorf("heading = %q", s)
	}
	browsertest.Screenshot(t, ctx, "experts-mine-zh")
	removeMine(t, ctx, `#expert-periods button.remove-period`, `#expert-periods tr[data-period]`)
	removeMine(t, ctx, `#expert-conflicts button.remove-conflict`, `#expert-conflicts tr[data-conflict]`)
	if s := browserText(t, ctx, "#expert-periods") + browserText(t, ctx, "#expert-conflicts"); strings.Count(s, "暂无") != 2 {
		t.Errorf("after removal = %q", s)
	}
}
