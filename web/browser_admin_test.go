package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserAdminAndHomeOnAPhone: on a 390 px screen, the administrator
// searches the audit log and verifies its chain from the page and reads the
// access policy; the expert's home lists the invitation by enterprise and
// the invitations page shows its brief. Nothing scrolls sideways, in
// Chinese and in English.
func TestBrowserAdminAndHomeOnAPhone(t *testing.T) {
	p := newPanelEnv(t)
	if r := p.do("POST", "/api/v1/assignments/run", "", as(p.sec["official"])...); r.status != 200 {
		t.Fatalf("run = %d %s", r.status, r.body)
	}
	b := newBrowser(t, p.env)
	b.run("a phone-sized screen", chromedp.EmulateViewport(390, 844))
	for _, lang := range []string{"zh-CN", "en"} {
		b.loginAt("/login?lang="+lang, "admin", "#nav-menu")
		b.run("open the audit log", chromedp.Navigate(b.url("/audit?actor=officer")), chromedp.WaitVisible(chromedp.CSS("#audit-table")))
		if n := b.count("#audit-table tbody tr[data-seq]"); n == 0 {
			t.Errorf("%s: the officer's entries are not listed", lang)
		}
		b.fitsWidth("audit log " + lang)
		b.run("verify the chain", chromedp.Click(chromedp.CSS("#audit-verify")), chromedp.WaitVisible(chromedp.CSS("#audit-verify-result")))
		if got := b.eval(`document.querySelector("#audit-verify-result").dataset.intact`); got != "true" {
			t.Errorf("%s: verify shows intact=%q", lang, got)
		}
		b.screenshot("audit-" + lang)
		b.run("open the policy", chromedp.Navigate(b.url("/admin/policy")), chromedp.WaitVisible(chromedp.CSS("#policy-add")))
		b.fitsWidth("policy " + lang)
		b.logout()

		b.loginAt("/login?lang="+lang, "expert", "#home-todo")
		if got := b.text("#todo-invitations"); !strings.Contains(got, "赣州芯研微电子有限公司") {
			t.Errorf("%s: the expert's home = %q", lang, got)
		}
		b.fitsWidth("expert home " + lang)
		b.run("open the invitations", chromedp.Navigate(b.url("/assignments")), chromedp.WaitVisible(chromedp.CSS("#asg-table")))
		if got := b.text(".asg-brief"); !strings.Contains(got, "28nm") {
			t.Errorf("%s: the invitation's brief = %q", lang, got)
		}
		b.fitsWidth("invitations " + lang)
		b.screenshot("invitations-" + lang)
		b.logout()
	}
}
