package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
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
	b := newBrowser(t, r.env)
	login := func(user string) {
		t.Helper()
		b.loginAt("/login?lang=zh-CN", user, "#nav-rereviews")
		b.run(user+" opens the re-reviews", chromedp.Click(chromedp.CSS("#nav-rereviews")), chromedp.WaitVisible(chromedp.CSS("#rr-table")))
	}
	login("officer")
	row := `tr[data-id="` + r.appID + `"]`
	if s := b.text(row + " .state"); s != "待复评" {
		t.Errorf("state = %q, want 待复评", s)
	}
	b.run("start the re-review",
		chromedp.Click(chromedp.CSS(row+" button.rr-start")),
		chromedp.WaitVisible(chromedp.CSS("#rr-notice")),
	)
	b.screenshot("rereview-started")
	if s := b.text(row + " .state"); s != "复评中" {
		t.Errorf("after start: state %q, want 复评中", s)
	}
	b.run("open the re-reviews in English", chromedp.Navigate(b.url("/rereviews?lang=en")), chromedp.WaitVisible(chromedp.CSS("#rr-table")))
	if s := b.text(row + " .state"); s != "In progress" {
		t.Errorf("en: state %q", s)
	}
	if n := b.count("a.rr-round"); n != 1 {
		t.Errorf("%d links to the round's application", n)
	}

	// The round's panel scores clearly lower.
	nid := r.rereview(t, "officer", r.appID)["new_application_id"].(string)
	if x := r.do("POST", "/api/v1/assignments/run", "", as(r.sec["official"])...); x.status != 200 {
		t.Fatalf("run = %d %s", x.status, x.body)
	}
	r.score(t, nid, 4, 0, "support")

	b.run("log out", chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#nav-login")))
	login("cityofficial")
	if n := b.count("tr.rr-exit"); n != 1 {
		t.Fatalf("%d rows highlighted as exit recommended, want 1", n)
	}
	if s := b.text(row + " .rr-exit-badge"); s != "建议退出" {
		t.Errorf("badge = %q", s)
	}
	if s := b.text(row + " .rr-reasons"); !strings.Contains(s, "下降") {
		t.Errorf("reason = %q", s)
	}
	if n := b.count("button.rr-start"); n != 0 {
		t.Errorf("an official is offered %d start buttons", n)
	}
	b.screenshot("rereview-exit")
	b.run("open the exit recommendations in English", chromedp.Navigate(b.url("/rereviews?exit=true&lang=en")), chromedp.WaitVisible(chromedp.CSS("#rr-table")))
	if s := b.text(row + " .rr-exit-badge"); s != "Exit recommended" {
		t.Errorf("en badge = %q", s)
	}
	if s := b.text(row + " .rr-reasons"); !strings.Contains(s, "fell from") {
		t.Errorf("en reason = %q", s)
	}
}
