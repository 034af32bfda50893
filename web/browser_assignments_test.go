package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserAssignmentJourney: a provincial official (Chinese) runs the
// assignment and sees the invitations and the shortfalls with their
// reasons, then the panel of one application with who was considered and
// why an expert was excluded; the expert (English) accepts one invitation
// and declines the other with a reason.
func TestBrowserAssignmentJourney(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	admin := e.login("admin")
	for _, x := range []string{
		`{"id":"exp-1","name":"李院士","tier":"academician","fields":["semiconductors.ic-design"],"capacity":3}`,
		`{"id":"exp-9","name":"陈工","tier":"industry","fields":["semiconductors.ic-design"],"organisations":[{"name":"gzb","from":"2020-01-01"}]}`,
	} {
		if r := e.do("POST", "/api/v1/experts", x, as(admin, appCT...)...); r.status != http.StatusCreated {
			t.Fatalf("create expert = %d %s", r.status, r.body)
		}
	}
	officer := e.login("officer")
	var apps []string
	for i := 1; i <= 2; i++ {
		id := e.createApp(t, officer, appBody("360702", 20+i))["id"].(string)
		if r := e.do("POST", "/api/v1/applications/"+id+"/submit", "", as(officer)...); r.status != 200 {
			t.Fatalf("submit = %d %s", r.status, r.body)
		}
		apps = append(apps, id)
	}

	b := newBrowser(t, e)

	// The official runs the assignment (Chinese).
	b.login("official")
	b.run("run the assignment",
		chromedp.Click(chromedp.CSS("#nav-assignments")),
		chromedp.WaitVisible(chromedp.CSS("#run-assignments")),
		chromedp.Click(chromedp.CSS("#run-assignments")),
		chromedp.WaitVisible(chromedp.CSS("#run-result")),
	)
	if s := b.text("#run-summary"); !strings.Contains(s, "已发出 2 份邀请") {
		t.Errorf("run summary = %q", s)
	}
	short := b.text("#run-shortfalls")
	if !strings.Contains(short, "利益冲突") || !strings.Contains(short, "没有从事此技术路线") {
		t.Errorf("shortfalls = %q; want the conflicted industry seats and the missing finance scholars", short)
	}
	b.screenshot("assignment-run-zh")
	b.run("open the panel",
		chromedp.Navigate(b.url("/applications/"+apps[0]+"/panel")),
		chromedp.WaitVisible(chromedp.CSS("#panel-excluded")),
	)
	if s := b.text("#panel-excluded"); !strings.Contains(s, "陈工") || !strings.Contains(s, "与贷款银行有关联") {
		t.Errorf("excluded = %q", s)
	}
	if s := b.text("#panel-members"); !strings.Contains(s, "李院士") || !strings.Contains(s, "已邀请") {
		t.Errorf("members = %q", s)
	}
	b.screenshot("assignment-panel-zh")

	// The expert answers (English).
	b.logout()
	b.loginAt("/login?lang=en", "expert", "#nav-account")
	b.run("open the invitations",
		chromedp.Click(chromedp.CSS("#nav-assignments")),
		chromedp.WaitVisible(chromedp.CSS("#asg-table")),
	)
	if n := b.count("#asg-table tr[data-state=invited]"); n != 2 {
		t.Fatalf("invitations shown = %d, want 2", n)
	}
	if n := b.count("#run-assignments"); n != 0 {
		t.Errorf("the expert sees the run button")
	}
	b.screenshot("assignment-invitations-en")
	b.run("accept an invitation",
		chromedp.Click(chromedp.CSS("#asg-table tr[data-state=invited] button.accept")),
		chromedp.WaitVisible(chromedp.CSS("#asg-table tr[data-state=accepted]")),
	)
	if s := b.text("#asg-done"); !strings.Contains(s, "accepted") {
		t.Errorf("notice = %q", s)
	}
	// Declining without a reason is stopped by the form; with one it goes through.
	b.run("decline the other with a reason",
		chromedp.SendKeys(chromedp.CSS("#asg-table tr[data-state=invited] input.decline-reason"), "Travelling abroad"),
		chromedp.Click(chromedp.CSS("#asg-table tr[data-state=invited] button.decline")),
		chromedp.WaitVisible(chromedp.CSS("#asg-table tr[data-state=declined]")),
	)
	table := b.text("#asg-table")
	if !strings.Contains(table, "Accepted") || !strings.Contains(table, "Declined") {
		t.Errorf("expert's table = %q", table)
	}
	b.screenshot("assignment-answered-en")
	r := e.do("GET", "/api/v1/assignments?state=declined", "", as(e.login("official"))...)
	if !strings.Contains(string(r.body), "Travelling abroad") {
		t.Errorf("declined assignment lacks the reason: %s", r.body)
	}
}
