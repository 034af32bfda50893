package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kedaitong/internal/browsertest"
)

// TestBrowserRereviewJourney: a bank officer opens the re-reviews from the
// navigation, sees a due one and starts it (zh-CN), and reads it in
// English; when the round's report shows a clear fall, the city official
// sees the exit recommendation highlighted with its reason, in both
// languages.
func TestBrowserRereviewJourney(t *testing.T) {
	r := newRREnv(t)
	r.score(t, r.appID, 7, 0, "support")
	r.grant(t, r.appID)
	r.makeDue(t)
	ctx := browsertest.New(t)
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	login := func(user string) {
		t.Helper()
		if err := chromedp.Do(ctx,
			chromedp.Navigate(r.ts.URL+"/login?lang=zh-CN"),
			chromedp.WaitVisible(chromedp.CSS("#login-form")),
			chromedp.SendKeys(chromedp.CSS("#username"), user),
			chromedp.SendKeys(chromedp.CSS("#password"), testPW),
			chromedp.Click(chromedp.CSS("#login-submit")),
			chromedp.WaitVisible(chromedp.CSS("#nav-rereviews")),
			chromedp.Click(chromedp.CSS("#nav-rereviews")),
			chromedp.WaitVisible(chromedp.CSS("#rr-table")),
		); err != nil {
			t.Fatalf("%s opens the re-reviews: %v", user, err)
		}
	}
	login("officer")
	row := `tr[data-id="` + r.appID + `"]`
	if s := text(row + " .state"); s != "待复评" {
		t.Errorf("state = %q, want 待复评", s)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(row+" button.rr-start")),
		chromedp.WaitVisible(chromedp.CSS("#rr-notice")),
	); err != nil {
		t.Fatal(err)
	}
	browsertest.Screenshot(t, ctx, "rereview-started")
	if s := text(row + " .state"); s != "复评中" {
		t.Errorf("after start: state %q, want 复评中", s)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(r.ts.URL+"/rereviews?lang=en"), chromedp.WaitVisible(chromedp.CSS("#rr-table"))); err != nil {
		t.Fatal(err)
	}
	if s := text(row + " .state"); s != "In progress" {
		t.Errorf("en: state %q", s)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("a.rr-round").length`)); n != 1 {
		t.Errorf("%d links to the round's application", n)
	}

	// The round's panel scores clearly lower.
	nid := r.rereview(t, "officer", r.appID)["new_application_id"].(string)
	if x := r.do("POST", "/api/v1/assignments/run", "", as(r.sec["official"])...); x.status != 200 {
		t.Fatalf("run = %d %s", x.status, x.body)
	}
	r.score(t, nid, 4, 0, "support")

	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#nav-login"))); err != nil {
		t.Fatal(err)
	}
	login("cityofficial")
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("tr.rr-exit").length`)); n != 1 {
		t.Fatalf("%d rows highlighted as exit recommended, want 1", n)
	}
	if s := text(row + " .rr-exit-badge"); s != "建议退出" {
		t.Errorf("badge = %q", s)
	}
	if s := text(row + " .rr-reasons"); !strings.Contains(s, "下降") {
		t.Errorf("reason = %q", s)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("button.rr-start").length`)); n != 0 {
		t.Errorf("an official is offered %d start buttons", n)
	}
	browsertest.Screenshot(t, ctx, "rereview-exit")
	if err := chromedp.Do(ctx, chromedp.Navigate(r.ts.URL+"/rereviews?exit=true&lang=en"), chromedp.WaitVisible(chromedp.CSS("#rr-table"))); err != nil {
		t.Fatal(err)
	}
	if s := text(row + " .rr-exit-badge"); s != "Exit recommended" {
		t.Errorf("en badge = %q", s)
	}
	if s := text(row + " .rr-reasons"); !strings.Contains(s, "fell from") {
		t.Errorf("en reason = %q", s)
	}
}
