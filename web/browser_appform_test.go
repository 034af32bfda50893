package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kedaitong/review"
)

// choose sets a select's value and tells the page, as a person choosing
// it would (chromedp's SetValue fires no change event).
func choose(sel, value string) chromedp.Action[chromedp.Void] {
	ev := chromedp.Evaluate[bool](`(() => { const s = document.querySelector(` + "`" + sel + "`" + `);
		s.value = ` + "`" + value + "`" + `; s.dispatchEvent(new Event("change", {bubbles: true})); return s.value === ` + "`" + value + "`" + `; })()`)
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		ok, err := ev(ctx, t)
		if err == nil && !ok {
			err = fmt.Errorf("%s has no option %s", sel, value)
		}
		return chromedp.Void{}, err
	}
}

// TestBrowserAppFormJourney: on a 390 px phone, a bank officer (Chinese)
// opens the new-application form, picks the region by name (the county
// list follows the city), types the loan in 万元 and sees the yuan figure
// beside it; a form with several mistakes comes back with every error
// beside its own input and nothing lost; the corrected draft is saved,
// edited in the same form (prefilled in 万元), saved again and submitted.
// On a desktop screen in English the form has two columns and its
// messages are English.
func TestBrowserAppFormJourney(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	b := newBrowser(t, e)
	b.run("a phone-sized screen", chromedp.EmulateViewport(390, 844))
	b.loginAt("/login?lang=zh-CN", "officer", "#nav-account")
	code := review.DemoCreditCode("360702", 3)

	b.run("open the form", chromedp.Navigate(b.url("/applications/new")), chromedp.WaitVisible(chromedp.CSS("#app-form")))
	b.fitsWidth("the empty form")
	if cols := b.eval(`getComputedStyle(document.querySelector(".app-grid")).gridTemplateColumns.split(" ").length + ""`); cols != "1" {
		t.Errorf("the form has %s columns at 390 px, want 1", cols)
	}
	if n := b.count("#f-region optgroup"); n != 11 {
		t.Errorf("before a city is chosen the county list has %d cities, want 11", n)
	}
	b.run("choose Ganzhou", choose("#f-city", "3607"))
	if n := b.count("#f-region optgroup"); n != 1 || !strings.Contains(b.text("#f-region"), "章贡区") || strings.Contains(b.text("#f-region"), "东湖区") {
		t.Errorf("the county list does not follow the city: %d groups, %q", n, b.text("#f-region"))
	}
	b.run("type the loan in 万元", chromedp.SendKeys(chromedp.CSS("#f-amount"), "150.5"))
	if s := b.text("#f-amount-yuan"); s != "= 1,505,000 元" {
		t.Errorf("the yuan figure beside the amount = %q", s)
	}
	b.run("a loss in 万元", chromedp.SendKeys(chromedp.CSS("#f-net_profit0"), "-0.0001"))
	if s := b.text("#f-net_profit0-yuan"); s != "= -1 元" {
		t.Errorf("the yuan figure of a loss = %q", s)
	}

	// A form with mistakes: no name, more R&D staff than staff, a revenue
	// that is not a number, no route.
	b.run("fill in the form with mistakes",
		choose("#f-region", "360702"),
		chromedp.SendKeys(chromedp.CSS("#f-credit_code"), code),
		chromedp.SetValue(chromedp.CSS("#f-founded"), "2021-03-15"),
		chromedp.SetValue(chromedp.CSS("#f-maturity"), "pilot"),
		chromedp.SendKeys(chromedp.CSS("#f-staff"), "60"),
		chromedp.SendKeys(chromedp.CSS("#f-rd_staff"), "75"),
		chromedp.SendKeys(chromedp.CSS("#f-revenue0"), "1200"),
		chromedp.SendKeys(chromedp.CSS("#f-revenue1"), "九百万"),
		chromedp.SendKeys(chromedp.CSS("#f-net_profit1"), "-450"),
		chromedp.SendKeys(chromedp.CSS("#f-rd_spend"), "600"),
		chromedp.SendKeys(chromedp.CSS("#f-purpose"), "流片与量产验证"),
		chromedp.SendKeys(chromedp.CSS("#f-summary"), "28nm 低功耗电源管理芯片设计，两次流片。"),
		chromedp.Click(chromedp.CSS("#app-save")),
		chromedp.WaitVisible(chromedp.CSS("#form-errors")),
	)
	for id, want := range map[string]string{"#err-name": "企业名称", "#err-rd_staff": "研发人员不能多于员工人数", "#err-revenue1": "万元", "#err-route": "技术路线"} {
		if s := b.text(id); !strings.Contains(s, want) {
			t.Errorf("%s = %q, want %q", id, s, want)
		}
	}
	if n := b.count(".field-error"); n != 4 {
		t.Errorf("%d errors shown, want the 4 at once", n)
	}
	// Each error sits in its own input's field.
	for _, k := range []string{"name", "rd_staff", "revenue1", "route"} {
		if b.count(`.field.has-error #f-`+k+` ~ #err-`+k+`, .field.has-error:has(#f-`+k+`) #err-`+k) == 0 {
			t.Errorf("the error of %s is not beside its input", k)
		}
	}
	for sel, want := range map[string]string{"#f-amount": "150.5", "#f-revenue1": "九百万", "#f-region": "360702", "#f-city": "3607", "#f-credit_code": code} {
		if v := b.eval(`document.querySelector("` + sel + `").value`); v != want {
			t.Errorf("the form lost %s: %q, want %q", sel, v, want)
		}
	}
	if s := b.text("#f-amount-yuan"); s != "= 1,505,000 元" {
		t.Errorf("the yuan figure after the refused save = %q", s)
	}
	b.fitsWidth("the form with errors")
	b.screenshot("appform-errors-zh-390")
	if n := len(mustList(t, e, "officer")); n != 0 {
		t.Fatalf("a refused form stored %d applications", n)
	}

	b.run("correct and save the draft",
		chromedp.SendKeys(chromedp.CSS("#f-name"), "赣州芯研微电子有限公司"),
		chromedp.SetValue(chromedp.CSS("#f-rd_staff"), "25"),
		chromedp.SetValue(chromedp.CSS("#f-revenue1"), "900"),
		chromedp.SetValue(chromedp.CSS("#f-route"), "semiconductors.ic-design"),
		chromedp.Click(chromedp.CSS("#app-save")),
		chromedp.WaitVisible(chromedp.CSS("#app-notice")),
	)
	if s := b.text("#app-region"); s != "赣州市章贡区" {
		t.Errorf("the application's region = %q", s)
	}
	b.run("edit the draft", chromedp.Click(chromedp.CSS("#app-edit")), chromedp.WaitVisible(chromedp.CSS("#app-form")))
	for sel, want := range map[string]string{"#f-amount": "150.5", "#f-revenue1": "900", "#f-net_profit0": "-0.0001", "#f-region": "360702", "#f-city": "3607", "#f-name": "赣州芯研微电子有限公司"} {
		if v := b.eval(`document.querySelector("` + sel + `").value`); v != want {
			t.Errorf("the edit form's %s = %q, want %q", sel, v, want)
		}
	}
	b.fitsWidth("the edit form")
	b.screenshot("appform-edit-zh-390")
	b.run("change the amount and the county, save",
		choose("#f-amount", "200.25"),
		choose("#f-region", "360703"),
		chromedp.Click(chromedp.CSS("#app-save")),
		chromedp.WaitVisible(chromedp.CSS("#app-notice")),
	)
	vs := mustList(t, e, "officer")
	if len(vs) != 1 || vs[0].Loan.Amount != 2002500 || vs[0].Region != "360703" || vs[0].State != review.StateDraft {
		t.Fatalf("after the edit: %+v", vs)
	}
	if s := b.text("#app-region"); s != "赣州市南康区" {
		t.Errorf("the edited region = %q", s)
	}
	b.run("submit it", chromedp.Click(chromedp.CSS("#app-submit")), chromedp.WaitVisible(chromedp.CSS(`#app-state[data-state="submitted"]`)))
	if n := b.count("#app-edit"); n != 0 {
		t.Error("a submitted application still offers editing")
	}
	b.fitsWidth("the submitted application")

	// English, desktop: two columns, English messages, all at once.
	b.run("a desktop screen", chromedp.EmulateViewport(1280, 900))
	b.run("open the form in English", chromedp.Navigate(b.url("/applications/new?lang=en")), chromedp.WaitVisible(chromedp.CSS("#app-form")))
	if cols := b.eval(`getComputedStyle(document.querySelector(".app-grid")).gridTemplateColumns.split(" ").length + ""`); cols != "2" {
		t.Errorf("the form has %s columns on a desktop, want 2", cols)
	}
	if s := b.text(`label[for="f-city"]`); !strings.Contains(s, "City") || !strings.Contains(b.text("#f-city"), "Ganzhou") {
		t.Errorf("English region picker: %q", s)
	}
	b.run("type an amount", chromedp.SendKeys(chromedp.CSS("#f-amount"), "1,000"))
	if s := b.text("#f-amount-yuan"); s != "= 10,000,000 yuan" {
		t.Errorf("the yuan figure (en) = %q", s)
	}
	b.run("save an empty form", chromedp.Click(chromedp.CSS("#app-save")), chromedp.WaitVisible(chromedp.CSS("#form-errors")))
	if s := b.text("#err-region"); !strings.Contains(s, "Choose the city and the county") {
		t.Errorf("region error (en) = %q", s)
	}
	if s := b.text("#err-summary"); s != "Write the technical summary." {
		t.Errorf("summary error (en) = %q", s)
	}
	if n := b.count(".field-error"); n < 8 {
		t.Errorf("only %d errors shown at once", n)
	}
	b.screenshot("appform-errors-en-desktop")
}

// TestBrowserInvitationAndScoreConfirmation: on a 390 px phone, an
// invited expert (Chinese) sees the enterprise's name, place, route,
// amount and summary in the invitation before accepting; submitting the
// score stops at a confirmation step with the weighted total and what can
// no longer be changed, and only the confirmation locks it. In English,
// another expert's invitation names the enterprise too.
func TestBrowserInvitationAndScoreConfirmation(t *testing.T) {
	s := newScoringEnv(t)
	id := s.seat["expert"]
	b := newBrowser(t, s.env)
	b.run("a phone-sized screen", chromedp.EmulateViewport(390, 844))
	b.loginAt("/login?lang=zh-CN", "expert", "#nav-account")
	row := `#asg-table tr[data-id="` + id + `"]`
	b.run("open the invitations", chromedp.Click(chromedp.CSS("#nav-assignments")), chromedp.WaitVisible(chromedp.CSS(row+" .asg-brief")))
	inv := b.text(row)
	for _, want := range []string{"赣州芯研微电子有限公司", "赣州市章贡区", "集成电路设计", "300 万元", "28nm 低功耗电源管理芯片设计", "利益冲突"} {
		if !strings.Contains(inv, want) {
			t.Errorf("the invitation lacks %q: %q", want, inv)
		}
	}
	for _, id := range []string{"app-", "exp-", "360702"} {
		if strings.Contains(inv, id) {
			t.Errorf("the invitation shows an identifier %q: %q", id, inv)
		}
	}
	b.fitsWidth("the invitation")
	b.screenshot("invitation-zh-390")

	b.run("accept and open the scoring form", chromedp.Click(chromedp.CSS(row+" button.accept")),
		chromedp.WaitVisible(chromedp.CSS("#score-"+id)), chromedp.Click(chromedp.CSS("#score-"+id)), chromedp.WaitVisible(chromedp.CSS("#score-form")))
	b.run("submit an empty score", chromedp.Click(chromedp.CSS("#sc-submit")), chromedp.WaitVisible(chromedp.CSS("#sc-error")))
	if n := b.count("#score-form .field-error"); n < 9 {
		t.Errorf("an empty score shows %d problems at once, want every missing part", n)
	}
	scores := map[string]string{"originality": "8", "barriers": "7", "industrialisation": "6", "team": "7", "maturity": "5", "rd_ip": "6", "market": "6"}
	for c, v := range scores {
		b.run("score "+c, chromedp.Click(chromedp.CSS("#c-"+c+"-"+v)))
	}
	b.run("complete and submit", chromedp.Click(chromedp.CSS("#rec-support")),
		chromedp.SetValue(chromedp.CSS("#confidence"), "3"), chromedp.SetValue(chromedp.CSS("#maturity_stage"), "pilot"),
		chromedp.Click(chromedp.CSS("#risk-0")), chromedp.SendKeys(chromedp.CSS("#comment"), "设计能力强，量产验证待完成。"),
		chromedp.Click(chromedp.CSS("#sc-submit")), chromedp.WaitVisible(chromedp.CSS("#sc-confirm")))
	if w := b.text("#scc-warning"); !strings.Contains(w, "不能再修改") || !strings.Contains(w, "锁定") {
		t.Errorf("the confirmation does not say what becomes final: %q", w)
	}
	total := b.text("#scc-total")
	if total == "" || total == "0.00" {
		t.Errorf("the weighted total = %q", total)
	}
	if c := b.text("#scc-criteria"); !strings.Contains(c, "8") || b.count("#scc-criteria tbody tr") != 7 {
		t.Errorf("the confirmation's scores = %q", c)
	}
	if r := s.do("GET", "/api/v1/assignments/"+id+"/score", "", as(s.sec["expert"])...).json(t); r["state"] != "draft" {
		t.Fatalf("the score is %v before the confirmation", r["state"])
	}
	b.fitsWidth("the confirmation step")
	b.screenshot("score-confirm-zh-390")
	b.run("go back and change a criterion", chromedp.Click(chromedp.CSS("#sc-confirm-cancel")), chromedp.WaitVisible(chromedp.CSS("#score-form")),
		chromedp.Click(chromedp.CSS("#c-market-9")), chromedp.Click(chromedp.CSS("#sc-submit")), chromedp.WaitVisible(chromedp.CSS("#sc-confirm")))
	if t2 := b.text("#scc-total"); t2 == total {
		t.Errorf("the total did not follow the change: %s", t2)
	}
	b.run("confirm", chromedp.Click(chromedp.CSS("#sc-confirm-submit")), chromedp.WaitVisible(chromedp.CSS("#sc-locked")))
	if r := s.do("GET", "/api/v1/assignments/"+id+"/score", "", as(s.sec["expert"])...).json(t); r["state"] != "submitted" {
		t.Errorf("after the confirmation the score is %v", r["state"])
	}
	b.fitsWidth("the locked score")

	// English: another expert's invitation.
	b.logout()
	b.loginAt("/login?lang=en", "e3", "#nav-account")
	row = `#asg-table tr[data-id="` + s.seat["e3"] + `"]`
	b.run("open the invitations (en)", chromedp.Click(chromedp.CSS("#nav-assignments")), chromedp.WaitVisible(chromedp.CSS(row+" .asg-brief")))
	inv = b.text(row)
	for _, want := range []string{"赣州芯研微电子有限公司", "Zhanggong District, Ganzhou", "300 10k yuan", "conflict"} {
		if !strings.Contains(inv, want) {
			t.Errorf("the English invitation lacks %q: %q", want, inv)
		}
	}
	b.fitsWidth("the invitation (en)")
	b.screenshot("invitation-en-390")
}
