package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kedaitong"
)

// TestBrowserFundClaimPage: on a 390 px phone the Lianhua official finds
// the technical evaluations in the menu, opens a claim from the queue and
// reads it by names — the bank, the fund, who filed and closed the
// recovery, in Beijing time, never a user, fund or region id — approves it
// on its page and reads the payment in its history; the loan shows its
// county by name; the claim page reads in English too.
func TestBrowserFundClaimPage(t *testing.T) {
	f := newFundEnv(t)
	r := f.call("officer", "POST", "/api/v1/loans", loanBody(6, 2000000))
	id := r.json(t)["id"].(string)
	f.call("officer", "POST", "/api/v1/loans/"+id+"/default", `{"date":"2025-09-01","outstanding":1000000}`)
	cid := f.call("officer", "POST", "/api/v1/loans/"+id+"/claims", `{"loss":1000000,"cause":"ordinary"}`).json(t)["id"].(string)
	f.call("officer", "POST", "/api/v1/claims/"+cid+"/recovery-closed", "")

	b := newBrowser(t, f.env)
	b.run("a phone-sized screen", chromedp.EmulateViewport(390, 844))
	b.loginAt("/login?lang=zh-CN", "lianhua", "#nav-fund-evaluations")
	b.run("the evaluations from the menu", chromedp.Click(chromedp.CSS("#nav-fund-evaluations")), chromedp.WaitVisible(chromedp.CSS("#fund-evaluations-title")))
	if s := b.text("#fund-evaluations-title"); !strings.Contains(s, "技术评估") {
		t.Errorf("evaluations title %q", s)
	}
	b.fitsWidth("evaluations")
	b.run("the claims queue", chromedp.Navigate(b.url("/fund/claims")), chromedp.WaitVisible(chromedp.CSS("#fund-claims")))
	b.run("open the claim", chromedp.Click(chromedp.CSS(`tr[data-id="`+cid+`"] a.fund-claim-link`)), chromedp.WaitVisible(chromedp.CSS("#fund-claim-history")))
	page := b.text("main")
	for _, want := range []string{"莲花县风险补偿资金池", "officer", "提交申请", "追偿结束", time.Now().In(kedaitong.Beijing).Format("2006-01-02")} {
		if !strings.Contains(page, want) {
			t.Errorf("claim page lacks %q:\n%s", want, page)
		}
	}
	for _, id := range []string{f.users["officer"].ID, "fund-360321", id} {
		if strings.Contains(page, id) {
			t.Errorf("claim page shows the internal id %q", id)
		}
	}
	if s := b.text("#fund-claim-bank"); s == "" || s == "gzb" {
		t.Errorf("bank shown as %q", s)
	}
	b.fitsWidth("claim page")
	b.run("approve on its page", chromedp.Click(chromedp.CSS("#fund-approve")), chromedp.WaitVisible(chromedp.CSS("#fund-notice")))
	if s := b.eval(`document.querySelector("#fund-claim-state").dataset.state`); s != "paid" {
		t.Errorf("state after approval %q", s)
	}
	if n := b.count(`#fund-claim-history li[data-event="paid"]`); n != 1 {
		t.Errorf("%d payments in the history", n)
	}
	if s := b.text(`#fund-claim-history li[data-event="approved"]`); !strings.Contains(s, "lianhua") || !strings.Contains(s, "900,000") {
		t.Errorf("approval step %q", s)
	}
	b.screenshot("fund-claim")
	b.run("the loan", chromedp.Click(chromedp.CSS("#fund-claim-loan")), chromedp.WaitVisible(chromedp.CSS("#fund-loan-facts")))
	if s := b.text("#fund-loan-facts"); !strings.Contains(s, "莲花县") {
		t.Errorf("loan facts without the county's name: %q", s)
	}
	if n := b.count(`#fund-past-claims li[data-state="paid"] a`); n != 1 {
		t.Errorf("the compensated loan lists %d paid claims", n)
	}
	b.run("the claim in English", chromedp.Navigate(b.url("/fund/claims/"+cid+"?lang=en")), chromedp.WaitVisible(chromedp.CSS("#fund-claim-history")))
	if s := b.text("main"); !strings.Contains(s, "History") || !strings.Contains(s, "Paid from cash") || !strings.Contains(s, "Recovery closed") {
		t.Errorf("English claim page: %q", s)
	}
	b.fitsWidth("claim page in English")
}
