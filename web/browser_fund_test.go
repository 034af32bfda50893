package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kedaitong/review"
)

// TestBrowserFundBankJourney: on a 390px phone, a bank officer registers a
// loan with its amount in 万元, records a repayment and a default, files a
// claim and sees the bank's warning state, in Chinese and then English.
func TestBrowserFundBankJourney(t *testing.T) {
	f := newFundEnv(t)
	b := newBrowser(t, f.env)
	b.run("a phone-sized screen", chromedp.EmulateViewport(390, 844))
	b.loginAt("/login?lang=zh-CN", "officer", "#nav-fund-loans")
	b.run("open the loans", chromedp.Click(chromedp.CSS("#nav-fund-loans")), chromedp.WaitVisible(chromedp.CSS("#fund-register-link")))
	b.run("open the register form", chromedp.Click(chromedp.CSS("#fund-register-link")), chromedp.WaitVisible(chromedp.CSS("#fund-loan-form")))
	b.fitsWidth("register form")
	b.run("register a loan of 100 万元",
		chromedp.SendKeys(chromedp.CSS("#fund-loan-name"), "莲花芯光科技有限公司"),
		chromedp.SendKeys(chromedp.CSS("#fund-loan-code"), review.DemoCreditCode("360321", 77)),
		chromedp.SendKeys(chromedp.CSS("#fund-loan-region"), "360321"),
		chromedp.SetValue(chromedp.CSS("#fund-loan-founded"), "2023-05-01"),
		chromedp.SetValue(chromedp.CSS("#fund-loan-route"), "semiconductors.ic-design"),
		chromedp.SendKeys(chromedp.CSS("#fund-loan-amount"), "100"),
		chromedp.SetValue(chromedp.CSS("#fund-loan-start"), "2025-03-01"),
		chromedp.SetValue(chromedp.CSS("#fund-loan-term"), "36"),
		chromedp.Click(chromedp.CSS("#fund-loan-submit")),
		chromedp.WaitVisible(chromedp.CSS("#fund-notice")),
	)
	if s := b.text("#fund-loan-outstanding"); !strings.Contains(s, "1,000,000") || !strings.Contains(s, "100 万元") {
		t.Errorf("outstanding = %q, want 1,000,000 元 (100 万元)", s)
	}
	b.fitsWidth("loan page")
	b.run("repay 20 万元",
		chromedp.SendKeys(chromedp.CSS("#fund-repay-amount"), "20"),
		chromedp.Click(chromedp.CSS("#fund-repay-submit")),
	)
	// The notice of the registration was on the page already: wait for the
	// repayment's page, not for any notice.
	s := ""
	for i := 0; i < 50 && !strings.Contains(s, "800,000"); i++ {
		time.Sleep(200 * time.Millisecond)
		s = b.eval(`(document.querySelector("#fund-loan-outstanding") || {textContent: ""}).textContent`)
	}
	if !strings.Contains(s, "800,000") {
		t.Errorf("after repayment: %q", s)
	}
	b.run("a bad amount is refused with a clear message",
		chromedp.SendKeys(chromedp.CSS("#fund-repay-amount"), "-3"),
		chromedp.Click(chromedp.CSS("#fund-repay-submit")),
		chromedp.WaitVisible(chromedp.CSS("#fund-error")),
	)
	if s := b.text("#fund-error"); !strings.Contains(s, "万元") {
		t.Errorf("error = %q", s)
	}
	b.run("record the default",
		chromedp.Click(chromedp.CSS("#fund-default-submit")),
		chromedp.WaitVisible(chromedp.CSS("#fund-claim")),
	)
	if s := b.text("#fund-loan-state"); s != "不良" {
		t.Errorf("state = %q", s)
	}
	b.run("file a claim of 50 万元",
		chromedp.SendKeys(chromedp.CSS("#fund-claim-loss"), "50"),
		chromedp.Click(chromedp.CSS("#fund-claim-submit")),
		chromedp.WaitVisible(chromedp.CSS("#fund-open-claim")),
	)
	if s := b.text("#fund-open-claim"); !strings.Contains(s, "450,000") || !strings.Contains(s, "90%") {
		t.Errorf("claim = %q, want 450,000 at the 90%% hard-tech step", s)
	}
	b.screenshot("fund-bank-claim")
	b.run("the loans list shows the warning state", chromedp.Navigate(b.url("/fund/loans")), chromedp.WaitVisible(chromedp.CSS("#fund-my-state")))
	if s := b.text("#fund-my-state"); !strings.Contains(s, "暂停新增业务") {
		t.Errorf("warning state = %q", s)
	}
	if n := b.count("tr.fund-loan-non_performing"); n != 1 {
		t.Errorf("%d non-performing rows", n)
	}
	b.fitsWidth("loans list")
	b.run("in English", chromedp.Navigate(b.url("/fund/loans?lang=en")), chromedp.WaitVisible(chromedp.CSS("#fund-my-state")))
	if s := b.text("#fund-my-state"); !strings.Contains(s, "Suspended") {
		t.Errorf("en warning state = %q", s)
	}
}

// TestBrowserFundOfficialJourney: the Lianhua official reads the pools
// overview with the seed's figures, records a contribution in 万元, approves
// a claim from the queue with one click and reads the KPI ranking with its
// chart, on a phone-sized screen, in Chinese and English.
func TestBrowserFundOfficialJourney(t *testing.T) {
	f := newFundEnv(t)
	r := f.call("officer", "POST", "/api/v1/loans", loanBody(5, 2000000))
	id := r.json(t)["id"].(string)
	f.call("officer", "POST", "/api/v1/loans/"+id+"/default", `{"date":"2025-09-01","outstanding":1000000}`)
	c := f.call("officer", "POST", "/api/v1/loans/"+id+"/claims", `{"loss":1000000,"cause":"ordinary"}`).json(t)
	cid := c["id"].(string)
	f.call("officer", "POST", "/api/v1/claims/"+cid+"/recovery-closed", "")

	b := newBrowser(t, f.env)
	b.run("a phone-sized screen", chromedp.EmulateViewport(390, 844))
	b.loginAt("/login?lang=zh-CN", "lianhua", "#nav-fund")
	b.run("open the pools", chromedp.Click(chromedp.CSS("#nav-fund")), chromedp.WaitVisible(chromedp.CSS("#fund-pools")))
	row := `tr[data-id="fund-360321"]`
	if s := b.text(row + " .fund-cash"); s != "2,545,000" {
		t.Errorf("cash = %q", s)
	}
	if s := b.text(row + " .fund-capacity"); s != "25,450,000" {
		t.Errorf("capacity = %q", s)
	}
	b.fitsWidth("pools overview")
	b.run("open the pool", chromedp.Click(chromedp.CSS(row+" a.fund-pool-link")), chromedp.WaitVisible(chromedp.CSS("#fund-capbar")))
	if n := b.count(`#fund-banks tr[data-bank="gzb"]`); n != 1 {
		t.Errorf("%d rows for the bank", n)
	}
	b.run("record 10 万元 paid in",
		chromedp.SendKeys(chromedp.CSS("#fund-contribute-paid"), "10"),
		chromedp.Click(chromedp.CSS("#fund-contribute-submit")),
		chromedp.WaitVisible(chromedp.CSS("#fund-notice")),
	)
	if s := b.text("#fund-cash"); s != "2,645,000" {
		t.Errorf("cash after the contribution = %q", s)
	}
	b.fitsWidth("pool detail")
	b.screenshot("fund-pool")
	b.run("open the claims queue", chromedp.Navigate(b.url("/fund/claims")), chromedp.WaitVisible(chromedp.CSS("#fund-claims")))
	b.run("approve with one click", chromedp.Click(chromedp.CSS("#fund-approve-"+cid)), chromedp.WaitVisible(chromedp.CSS("#fund-notice")))
	if n := b.count(`tr[data-id="` + cid + `"]`); n != 0 {
		t.Errorf("the approved claim is still in the open queue")
	}
	b.run("the KPIs", chromedp.Navigate(b.url("/fund/kpis")), chromedp.WaitVisible(chromedp.CSS("#fund-kpis")))
	if n := b.count("#fund-kpi-chart rect.kpi-bar-lev"); n != 1 {
		t.Errorf("%d chart bars", n)
	}
	if n := b.count("#fund-export-kpis"); n != 1 {
		t.Error("no KPI export link")
	}
	b.fitsWidth("KPIs")
	b.run("the KPIs in English", chromedp.Navigate(b.url("/fund/kpis?lang=en")), chromedp.WaitVisible(chromedp.CSS("#fund-kpis")))
	if s := b.text("#fund-kpis thead"); !strings.Contains(s, "Leverage used") {
		t.Errorf("en header = %q", s)
	}
	b.screenshot("fund-kpis-en")
}
