package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserScoreConfirmAndRubricPhone: on a 390 px phone, an expert
// (Chinese) reaches the score confirmation; a save from another tab lands
// before the confirmation is clicked: the page refuses it with its message
// and the newer scores, and nothing is locked; confirming again locks it.
// The bank's application page (English) reads the loan in 万元 with yuan
// beside; the official reads the guideline as a table by name (English)
// and the users form offers experts and regions by name (Chinese). No page
// is wider than the phone.
func TestBrowserScoreConfirmAndRubricPhone(t *testing.T) {
	s := newScoringEnv(t)
	for u := range s.seat {
		s.accept(t, u)
	}
	page := "/assignments/" + s.seat["expert"] + "/score"
	b := newBrowser(t, s.env)
	b.run("a phone-sized screen", chromedp.EmulateViewport(390, 844))

	// The expert, in Chinese.
	b.loginAt("/login?lang=zh-CN", "expert", "#nav-account")
	if r := s.put("expert", scoreJSON(6, "support")); r.status != 200 {
		t.Fatalf("save = %d %s", r.status, r.body)
	}
	b.run("open the confirmation", chromedp.Navigate(b.url(page+"/confirm")), chromedp.WaitVisible(chromedp.CSS("#sc-confirm-submit")))
	if s := b.text("#scc-total"); s != "6.00" {
		t.Errorf("total shown = %q", s)
	}
	b.fitsWidth("the confirmation")
	if r := s.put("expert", scoreJSON(3, "do_not_support")); r.status != 200 { // another tab
		t.Fatalf("save from another tab = %d %s", r.status, r.body)
	}
	b.run("confirm the score shown", chromedp.Click(chromedp.CSS("#sc-confirm-submit")), chromedp.WaitVisible(chromedp.CSS("#scc-error")))
	if m := b.text("#scc-error"); !strings.Contains(m, "已被修改") {
		t.Errorf("changed-since-shown message = %q", m)
	}
	if s := b.text("#scc-total"); s != "3.00" {
		t.Errorf("the page does not show the newer scores: total %q", s)
	}
	b.fitsWidth("the refused confirmation")
	b.screenshot("score-confirm-changed-zh-390")
	if sc := s.do("GET", "/api/v1/assignments/"+s.seat["expert"]+"/score", "", as(s.sec["expert"])...).json(t); sc["state"] != "draft" {
		t.Fatalf("locked although changed: %v", sc["state"])
	}
	b.run("confirm the newer score", chromedp.Click(chromedp.CSS("#sc-confirm-submit")), chromedp.WaitVisible(chromedp.CSS("#sc-locked")))
	b.logout()

	// The bank, in English: the loan in 万元 with yuan beside.
	b.loginAt("/login?lang=en", "officer", "#nav-account")
	b.run("open the application", chromedp.Navigate(b.url("/applications/"+s.appID)), chromedp.WaitVisible(chromedp.CSS("#app-amount")))
	if a := b.text("#app-amount"); !strings.Contains(a, "300 ×10k yuan") || !strings.Contains(a, "3,000,000 yuan") {
		t.Errorf("amount = %q", a)
	}
	b.fitsWidth("the application")
	b.logout()

	// The official, in English: the guideline as a readable table.
	b.loginAt("/login?lang=en", "official", "#nav-account")
	b.run("open a guideline", chromedp.Navigate(b.url("/rubrics/semiconductors")), chromedp.WaitVisible(chromedp.CSS("#rubric-criteria")))
	if txt := b.text("#rubric-criteria"); strings.Contains(txt, "rd_ip") || !strings.Contains(txt, "%") {
		t.Errorf("criteria table = %q", txt)
	}
	if n := b.count("#rubric-edit[open]"); n != 0 {
		t.Error("the data editor is open before it is asked for")
	}
	b.fitsWidth("the guideline")
	b.screenshot("rubric-en-390")
	b.logout()

	// The administrator, in Chinese: an expert account picked by name.
	b.loginAt("/login?lang=zh-CN", "admin", "#nav-account")
	b.run("open the users form", chromedp.Navigate(b.url("/admin/users")), chromedp.WaitVisible(chromedp.CSS("#user-form")))
	b.run("choose the expert role", choose("#new-role", "expert"), chromedp.WaitVisible(chromedp.CSS("#new-expert")))
	if n := b.count("#new-bank:not([disabled])"); n != 0 || b.eval(`String(document.querySelector("#new-bank").closest("label").hidden)`) != "true" {
		t.Error("the bank picker shows for an expert")
	}
	b.run("find 陈工 by name",
		chromedp.SendKeys(chromedp.CSS("#new-username"), "zhang.gong"),
		chromedp.SendKeys(chromedp.CSS("#new-password"), "Zhang-pass 2026"),
		chromedp.SendKeys(chromedp.CSS("#new-expert-filter"), "陈工"),
	)
	if v := b.eval(`document.querySelector("#new-expert").value`); v != "exp-5" {
		t.Fatalf("filtering by name chose %q, want exp-5 (陈工)", v)
	}
	b.fitsWidth("the users form")
	b.run("create the expert account", chromedp.Click(chromedp.CSS("#user-submit")), chromedp.WaitVisible(chromedp.CSS("#user-created")))
	b.run("an official's region by name", choose("#new-role", "official"), chromedp.WaitVisible(chromedp.CSS("#new-region")), choose("#new-region", "360702"))
	if s := b.eval(`document.querySelector("#new-region").selectedOptions[0].text`); !strings.Contains(s, "章贡区") {
		t.Errorf("region option = %q", s)
	}
	b.screenshot("users-form-zh-390")
}
