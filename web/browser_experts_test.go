package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

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
	if s := text("#edit-error"); !strings.Contains(s, "capacity") {
		t.Errorf("edit error = %q", s)
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
	// Another expert's profile is not found; the edit form is closed to it.
	if err := chromedp.Do(ctx, chromedp.Navigate(e.ts.URL+"/experts/exp-2"), chromedp.WaitVisible(chromedp.CSS("footer"))); err != nil {
		t.Fatal(err)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#expert-facts").length`)); n != 0 {
		t.Error("the expert sees another profile")
	}
}
