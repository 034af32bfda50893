package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kedaitong/experts"
)

// TestBrowserExpertLibrary: an official imports experts from a file and
// reads the row-by-row report, filters the directory, edits a profile (a
// refused capacity first), manages a committee; then the expert, in
// English, keeps its availability and declared conflicts on its own page.
func TestBrowserExpertLibrary(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	b := newBrowser(t, e)
	file := filepath.Join(t.TempDir(), "experts.csv")
	csv := expertCSV + "exp-5,坏行,guru,aviation,南昌大学,3601,2,\nexp-1,重复,industry,aviation,南昌大学,3601,2,\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}

	b.login("official")
	b.run("import experts from a file",
		chromedp.Click(chromedp.CSS("#nav-experts")),
		chromedp.WaitVisible(chromedp.CSS("#expert-filters")),
		chromedp.Click(chromedp.CSS("#to-import")),
		chromedp.WaitVisible(chromedp.CSS("#import-form")),
		chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{file}),
		chromedp.Click(chromedp.CSS("#import-submit")),
		chromedp.WaitVisible(chromedp.CSS("#import-summary")),
	)
	if s := b.text("#import-summary"); !strings.Contains(s, "新增 4 人") || !strings.Contains(s, "拒绝 2 行") {
		t.Errorf("import summary = %q", s)
	}
	if s := b.text("#import-rejected"); !strings.Contains(s, "tier") || !strings.Contains(s, "6") || !strings.Contains(s, "7") {
		t.Errorf("rejected rows = %q", s)
	}
	b.screenshot("experts-import-zh")

	// Filter the directory: lithium batteries in Ganzhou.
	b.run("filter lithium batteries in Ganzhou",
		chromedp.Navigate(b.url("/experts")),
		chromedp.WaitVisible(chromedp.CSS("#experts-table")),
		chromedp.SetValue(chromedp.CSS("#f-field"), "lithium-battery"),
		choose("#f-region", "3607"),
		chromedp.Click(chromedp.CSS("#f-submit")),
		chromedp.WaitNotPresent(chromedp.CSS(`#experts-table tr[data-id="exp-3"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#experts-table tr[data-id="exp-1"]`)),
	)
	if n := b.count("#experts-table tbody tr[data-id]"); n != 1 {
		t.Errorf("filtered rows = %d", n)
	}
	b.screenshot("experts-directory-zh")
	b.run("search for 赣江",
		chromedp.SetValue(chromedp.CSS("#f-field"), ""),
		chromedp.SetValue(chromedp.CSS("#f-region"), ""),
		chromedp.Click(chromedp.CSS("#f-submit")),
		chromedp.WaitVisible(chromedp.CSS(`#experts-table tr[data-id="exp-3"]`)),
		chromedp.SendKeys(chromedp.CSS("#experts-q"), "赣江"),
		chromedp.Click(chromedp.CSS("#experts-search-go")),
		chromedp.WaitNotPresent(chromedp.CSS(`#experts-table tr[data-id="exp-1"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#experts-table tr[data-id="exp-2"]`)),
	)

	// Open and edit a profile: a refused capacity, then a good one.
	b.run("edit exp-2 with a refused capacity",
		chromedp.Click(chromedp.CSS(`#experts-table tr[data-id="exp-2"] a`)),
		chromedp.WaitVisible(chromedp.CSS("#expert-facts")),
		chromedp.Click(chromedp.CSS("#edit-expert")),
		chromedp.WaitVisible(chromedp.CSS("#edit-form")),
		chromedp.SetValue(chromedp.CSS("#e-capacity"), "99"),
		chromedp.Click(chromedp.CSS("#e-submit")),
		chromedp.WaitVisible(chromedp.CSS("#edit-error")),
	)
	if s := b.text("#err-capacity"); !strings.Contains(s, "0 到 50") { // the Chinese page shows the Chinese message
		t.Errorf("capacity error = %q", s)
	}
	b.run("save a good capacity",
		chromedp.SetValue(chromedp.CSS("#e-capacity"), "5"),
		chromedp.Click(chromedp.CSS("#e-submit")),
		chromedp.WaitVisible(chromedp.CSS("#expert-saved")),
	)
	if s := b.text("#expert-capacity"); s != "5" {
		t.Errorf("capacity after edit = %q", s)
	}
	b.screenshot("experts-profile-zh")

	// A committee.
	b.run("create a committee",
		chromedp.Navigate(b.url("/committees")),
		chromedp.WaitVisible(chromedp.CSS("#committee-form")),
		chromedp.SetValue(chromedp.CSS("#c-field"), "semiconductors"),
		pickMany("#c-members", "exp-2", "exp-1"),
		choose("#c-chair", "exp-2"),
		chromedp.Click(chromedp.CSS("#c-submit")),
		chromedp.WaitVisible(chromedp.CSS("#committee-saved")),
	)
	if s := b.text("#committees-table"); !strings.Contains(s, "半导体") || strings.Contains(s, "exp-2") {
		t.Errorf("committees = %q", s)
	}
	b.screenshot("committees-zh")
	b.logout()

	// The expert (exp-1) in English.
	b.open("/?lang=en")
	b.login("expert")
	if n := b.count("#nav-experts"); n != 0 {
		t.Error("the expert sees the directory link")
	}
	b.run("add a period that ends before it starts",
		chromedp.Click(chromedp.CSS("#nav-my-profile")),
		chromedp.WaitVisible(chromedp.CSS("#period-form")),
		chromedp.SetValue(chromedp.CSS("#period-from"), "2026-08-10"),
		chromedp.SetValue(chromedp.CSS("#period-to"), "2026-08-01"),
		chromedp.Click(chromedp.CSS("#period-submit")),
		chromedp.WaitVisible(chromedp.CSS("#me-error")),
	)
	if s := b.text("#me-error"); !strings.Contains(s, "before it starts") {
		t.Errorf("period error = %q", s)
	}
	b.run("add a good period",
		chromedp.SetValue(chromedp.CSS("#period-from"), "2026-08-01"),
		chromedp.SetValue(chromedp.CSS("#period-to"), "2026-08-10"),
		chromedp.SendKeys(chromedp.CSS("#period-reason"), "conference"),
		chromedp.Click(chromedp.CSS("#period-submit")),
		chromedp.WaitVisible(chromedp.CSS("#expert-saved")),
	)
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.querySelector("#expert-saved").remove(), true`)); err != nil {
		t.Fatal(err)
	}
	b.run("declare a conflict",
		chromedp.SendKeys(chromedp.CSS("#conflict-name"), "江西铜业股份有限公司"),
		chromedp.SendKeys(chromedp.CSS("#conflict-reason"), "spouse works there"),
		chromedp.Click(chromedp.CSS("#conflict-submit")),
		chromedp.WaitVisible(chromedp.CSS("#expert-saved")),
	)
	if s := b.text("#expert-periods"); !strings.Contains(s, "2026-08-10") || !strings.Contains(s, "conference") {
		t.Errorf("periods = %q", s)
	}
	if s := b.text("#expert-conflicts"); !strings.Contains(s, "江西铜业") {
		t.Errorf("conflicts = %q", s)
	}
	if n := b.count("#expert-email"); n != 0 {
		t.Error("the expert sees contact details")
	}
	b.screenshot("experts-mine-en")
	// Remove the period, then the conflict.
	removeMine(b, `#expert-periods tr[data-period="2026-08-01|2026-08-10"] button.remove-period`, `#expert-periods tr[data-period]`)
	removeMine(b, `#expert-conflicts tr[data-conflict] button.remove-conflict`, `#expert-conflicts tr[data-conflict]`)
	if s := b.text("#expert-periods") + b.text("#expert-conflicts"); !strings.Contains(s, "None yet") || strings.Contains(s, "conference") {
		t.Errorf("after removal = %q", s)
	}
	// Another expert's profile is not found; the edit form is closed to it.
	b.run("open another expert's profile", chromedp.Navigate(b.url("/experts/exp-2")), chromedp.WaitVisible(chromedp.CSS("footer")))
	if n := b.count("#expert-facts"); n != 0 {
		t.Error("the expert sees another profile")
	}
}

// removeMine clicks a remove button on the expert's own page and waits for
// the page to come back without any row matching gone.
func removeMine(b *browser, button, gone string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`(document.querySelector("#expert-saved")||{remove(){}}).remove(), true`)); err != nil {
		b.t.Fatal(err)
	}
	b.run("remove "+button,
		chromedp.Click(chromedp.CSS(button)),
		chromedp.WaitVisible(chromedp.CSS("#expert-saved")),
		chromedp.WaitNotPresent(chromedp.CSS(gone)),
	)
}

// TestBrowserExpertNewAndOrganisations: an official adds an expert with the
// new-expert form in Chinese (a refused capacity and credit code first,
// shown beside their inputs), finds it in the directory, then in English
// edits its organisations: ends the current one, adds a past one with its
// credit code, removes a wrong one.
func TestBrowserExpertNewAndOrganisations(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	b := newBrowser(t, e)
	b.login("official")
	code := "91360100MA35F0000" + string(experts.CreditCodeCheck("91360100MA35F0000"))

	b.run("fill the new-expert form with a refused capacity",
		chromedp.Navigate(b.url("/experts?lang=zh-CN")),
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
	)
	if s := b.text("#edit-error"); !strings.Contains(s, "请更正") {
		t.Errorf("summary = %q", s)
	}
	if v, _ := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS("#e-name"))); v != "欧阳晓峰" {
		t.Errorf("the refused form lost the name: %q", v)
	}
	b.screenshot("experts-new-error-zh")
	// Fix the capacity: now the credit code is refused, on its row.
	b.run("fix the capacity",
		chromedp.SetValue(chromedp.CSS("#e-capacity"), "2"),
		chromedp.Click(chromedp.CSS("#e-submit")),
		chromedp.WaitVisible(chromedp.CSS("#err-org-1")),
	)
	if s := b.text("#err-org-1"); !strings.Contains(s, "统一社会信用代码") { // the Chinese page shows the Chinese message
		t.Errorf("org error = %q", s)
	}
	b.run("fix the credit code",
		chromedp.SetValue(chromedp.CSS(`#org-rows tr[data-row="1"] input[name="org_code"]`), code),
		chromedp.Click(chromedp.CSS("#e-submit")),
		chromedp.WaitVisible(chromedp.CSS("#expert-saved")),
	)
	if s := b.text("#expert-fields"); !strings.Contains(s, "永磁") || !strings.Contains(s, "新材料") {
		t.Errorf("fields = %q", s)
	}
	if s := b.text("#expert-orgs"); !strings.Contains(s, "江西理工大学") || !strings.Contains(s, code) {
		t.Errorf("orgs = %q", s)
	}
	// Found in the directory by name.
	b.run("find the new expert in the directory",
		chromedp.Navigate(b.url("/experts")),
		chromedp.WaitVisible(chromedp.CSS("#expert-filters")),
		chromedp.SendKeys(chromedp.CSS("#experts-q"), "欧阳"),
		chromedp.Click(chromedp.CSS("#experts-search-go")),
		chromedp.WaitVisible(chromedp.CSS(`#experts-table tr[data-id="exp-0900"]`)),
	)
	if s := b.text(`#experts-table tr[data-id="exp-0900"]`); !strings.Contains(s, "院士") || !strings.Contains(s, "江西理工大学") {
		t.Errorf("directory row = %q", s)
	}
	b.screenshot("experts-new-found-zh")

	// In English: edit the organisations.
	b.run("open the edit form in English",
		chromedp.Navigate(b.url("/experts/exp-0900/edit?lang=en")),
		chromedp.WaitVisible(chromedp.CSS("#org-rows")),
	)
	if s := b.text("#e-orgs legend"); s != "Organisations" {
		t.Errorf("legend = %q", s)
	}
	// Row 0 江西理工大学 (current), row 1 赣州稀土 (current), rows 2-3 blank.
	b.run("edit the organisations with a refused period",
		chromedp.SetValue(chromedp.CSS(`#org-rows tr[data-row="0"] input[name="org_to"]`), "2025-12-31"),
		chromedp.Click(chromedp.CSS(`#org-rows tr[data-row="1"] input[name="org_remove"]`)),
		chromedp.SendKeys(chromedp.CSS(`#org-rows tr[data-row="2"] input[name="org_name"]`), "南昌大学"),
		chromedp.SetValue(chromedp.CSS(`#org-rows tr[data-row="2"] input[name="org_from"]`), "2026-01-01"),
		chromedp.SendKeys(chromedp.CSS(`#org-rows tr[data-row="3"] input[name="org_name"]`), "Jiangxi Copper Co. Ltd"),
		chromedp.SetValue(chromedp.CSS(`#org-rows tr[data-row="3"] input[name="org_from"]`), "2024-05-01"),
		chromedp.SetValue(chromedp.CSS(`#org-rows tr[data-row="3"] input[name="org_to"]`), "2024-03-01"),
		chromedp.Click(chromedp.CSS("#e-submit")),
		chromedp.WaitVisible(chromedp.CSS("#err-org-3")),
	)
	if s := b.text("#edit-error"); !strings.Contains(s, "Please correct") {
		t.Errorf("summary = %q", s)
	}
	b.screenshot("experts-orgs-error-en")
	// The refused form keeps every row as it was typed, the removal ticked.
	if on, _ := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.querySelector('#org-rows tr[data-row="1"] input[name="org_remove"]').checked`)); !on {
		t.Error("the refused form lost the ticked removal")
	}
	b.run("fix the period",
		chromedp.SetValue(chromedp.CSS(`#org-rows tr[data-row="3"] input[name="org_to"]`), "2025-03-01"),
		chromedp.Click(chromedp.CSS("#e-submit")),
		chromedp.WaitVisible(chromedp.CSS("#expert-saved")),
	)
	orgs := b.text("#expert-orgs")
	for _, want := range []string{"江西理工大学", "2025-12-31", "南昌大学", "2026-01-01", "Jiangxi Copper Co. Ltd", "2024-05-01", "2025-03-01"} {
		if !strings.Contains(orgs, want) {
			t.Errorf("organisations lack %q: %q", want, orgs)
		}
	}
	if strings.Contains(orgs, "赣州稀土") {
		t.Errorf("the removed organisation is still there: %q", orgs)
	}
	b.screenshot("experts-orgs-en")
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
	b := newBrowser(t, e)
	b.login("official")
	row := `#committees-table tr[data-id="cmt-photovoltaics"]`
	b.run("create a committee and add two members",
		chromedp.Navigate(b.url("/committees?lang=en")),
		chromedp.WaitVisible(chromedp.CSS("#committee-form")),
		chromedp.SetValue(chromedp.CSS("#c-field"), "photovoltaics"),
		chromedp.SendKeys(chromedp.CSS("#c-name"), "PV technology committee"),
		pickMany("#c-members", "exp-4"),
		choose("#c-chair", "exp-4"),
		chromedp.Click(chromedp.CSS("#c-submit")),
		chromedp.WaitVisible(chromedp.CSS("#committee-saved")),
		chromedp.WaitVisible(chromedp.CSS(row+` tr[data-member="exp-4"]`)),
		// Add two members.
		pickMany(row+" select.add-members", "exp-3", "exp-2"),
		chromedp.Click(chromedp.CSS(row+` button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(row+` tr[data-member="exp-2"]`)),
	)
	if s := b.text(row + " td.members table"); strings.Contains(s, "exp-") || !strings.Contains(s, "张志强") || !strings.Contains(s, "Chen Wei") {
		t.Errorf("members = %q", s)
	}
	// Removing the chair without naming another is refused beside the committee.
	b.run("remove the chair without naming another",
		chromedp.Click(chromedp.CSS(row+` tr[data-member="exp-4"] input[name="remove"]`)),
		chromedp.Click(chromedp.CSS(row+` button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(row+" #committee-error")),
	)
	if s := b.text("#committee-error"); !strings.Contains(s, "chair") {
		t.Errorf("error = %q", s)
	}
	b.screenshot("committee-error-en")
	// Remove exp-4 and make exp-2 the chair.
	b.run("remove exp-4 and make exp-2 the chair",
		chromedp.Click(chromedp.CSS(row+` tr[data-member="exp-4"] input[name="remove"]`)),
		chromedp.Click(chromedp.CSS(row+` tr[data-member="exp-2"] input[name="chair"]`)),
		chromedp.Click(chromedp.CSS(row+` button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#committee-saved")),
		chromedp.WaitNotPresent(chromedp.CSS(row+` tr[data-member="exp-4"]`)),
	)
	if s := b.text(row + " td.chair"); !strings.Contains(s, "王海燕") || strings.Contains(s, "张志强") {
		t.Errorf("chair = %q", s)
	}
	// The Chinese page shows the same committee.
	b.run("open the committees in Chinese", chromedp.Navigate(b.url("/committees?lang=zh-CN")), chromedp.WaitVisible(chromedp.CSS(row)))
	if s := b.text("#committees-table thead"); !strings.Contains(s, "主任委员") {
		t.Errorf("Chinese header = %q", s)
	}
	if s := b.text(row + " td.members table"); !strings.Contains(s, "张志强") || strings.Contains(s, "Chen Wei") || strings.Contains(s, "exp-") {
		t.Errorf("Chinese members = %q", s)
	}
	b.screenshot("committee-members-zh")
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
	b := newBrowser(t, e)
	b.open("/?lang=zh-CN")
	b.login("expert")
	b.run("add a period",
		chromedp.Click(chromedp.CSS("#nav-my-profile")),
		chromedp.WaitVisible(chromedp.CSS("#period-form")),
		chromedp.SetValue(chromedp.CSS("#period-from"), "2026-10-01"),
		chromedp.SetValue(chromedp.CSS("#period-to"), "2026-10-07"),
		chromedp.SendKeys(chromedp.CSS("#period-reason"), "国庆出访"),
		chromedp.Click(chromedp.CSS("#period-submit")),
		chromedp.WaitVisible(chromedp.CSS(`#expert-periods tr[data-period="2026-10-01|2026-10-07"]`)),
	)
	// A conflict without a reason: the browser's own check is bypassed to reach the server's.
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.querySelector("#conflict-form").noValidate = true`)); err != nil {
		t.Fatal(err)
	}
	b.run("declare a conflict, first without a reason",
		chromedp.SendKeys(chromedp.CSS("#conflict-name"), "赣州稀土集团有限公司"),
		chromedp.Click(chromedp.CSS("#conflict-submit")),
		chromedp.WaitVisible(chromedp.CSS("#me-error")),
		chromedp.SendKeys(chromedp.CSS("#conflict-name"), "赣州稀土集团有限公司"),
		chromedp.SendKeys(chromedp.CSS("#conflict-reason"), "曾任该公司顾问"),
		chromedp.Click(chromedp.CSS("#conflict-submit")),
		chromedp.WaitVisible(chromedp.CSS(`#expert-conflicts tr[data-conflict]`)),
	)
	if s := b.text("#expert-periods"); !strings.Contains(s, "国庆出访") {
		t.Errorf("periods = %q", s)
	}
	if s := b.text("#expert-conflicts"); !strings.Contains(s, "赣州稀土") || !strings.Contains(s, "顾问") {
		t.Errorf("conflicts = %q", s)
	}
	if s := b.text("h1"); !strings.Contains(s, "我的专家档案") {
		t.Errorf("heading = %q", s)
	}
	b.screenshot("experts-mine-zh")
	removeMine(b, `#expert-periods button.remove-period`, `#expert-periods tr[data-period]`)
	removeMine(b, `#expert-conflicts button.remove-conflict`, `#expert-conflicts tr[data-conflict]`)
	if s := b.text("#expert-periods") + b.text("#expert-conflicts"); strings.Count(s, "暂无") != 2 {
		t.Errorf("after removal = %q", s)
	}
}

// pickMany selects the options of a multiple select by their values (as a
// person ticking several experts would) and tells the page.
func pickMany(sel string, values ...string) chromedp.Action[chromedp.Void] {
	js := `(() => { const s = document.querySelector(` + "`" + sel + "`" + `); const want = ` + "`" + strings.Join(values, ",") + "`" + `.split(",");
		let n = 0; for (const o of s.options) { o.selected = want.includes(o.value); if (o.selected) n++; }
		s.dispatchEvent(new Event("change", {bubbles: true})); return n === want.length; })()`
	ev := chromedp.Evaluate[bool](js)
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		ok, err := ev(ctx, t)
		if err == nil && !ok {
			err = fmt.Errorf("%s lacks one of %v", sel, values)
		}
		return chromedp.Void{}, err
	}
}
