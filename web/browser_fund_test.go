package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kedaitong/identity"
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
		chromedp.SetValue(chromedp.CSS("#fund-loan-region"), "360321"),
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

// demoCall calls the API as a demo user (password identity.DemoPassword).
func demoCall(t *testing.T, e *env, user, method, path, body string) resp {
	t.Helper()
	r := e.do("POST", "/api/v1/auth/login", `{"username":"`+user+`","password":"`+identity.DemoPassword+`"}`, "Content-Type", "application/json")
	if r.status != 200 {
		t.Fatalf("login %s: %d %s", user, r.status, r.body)
	}
	tok, _ := r.json(t)["token"].(string)
	h := as(tok)
	if body != "" {
		h = append(h, "Content-Type", "application/json")
	}
	return e.do(method, path, body, h...)
}

// TestBrowserFundExpertEvaluation: on the demo store the Fuzhou official
// orders a technical evaluation of the defaulted solid-state battery loan; the
// demo expert expert.li (李建国, lithium batteries) finds it in the home
// to-do and the nav on a 390px phone, reads the loan's facts (enterprise,
// bank, amount, default, due date), accepts, answers, confirms the final
// submission, and reads it back in English; the official then reads the
// evaluation with the expert's name and answer from the pool's page, and
// the provincial official the transfers list.
func TestBrowserFundExpertEvaluation(t *testing.T) {
	e := newIntelEnv(t, "", true)
	r := demoCall(t, e, "official.fuzhou", "GET", "/api/v1/loans?state=non_performing", "")
	loans := r.json(t)["items"].([]any)
	if len(loans) != 1 {
		t.Fatalf("demo non-performing loans: %s", r.body)
	}
	loanID := loans[0].(map[string]any)["id"].(string)
	r = demoCall(t, e, "official.fuzhou", "POST", "/api/v1/loans/"+loanID+"/technical-evaluation", "")
	if r.status != http.StatusCreated {
		t.Fatalf("order evaluation: %d %s", r.status, r.body)
	}
	evalID := r.json(t)["id"].(string)

	b := newBrowser(t, e)
	b.run("a phone-sized screen", chromedp.EmulateViewport(390, 844))
	b.submitLogin("/login?lang=zh-CN", "expert.li", identity.DemoPassword)
	b.run("the home to-do lists the evaluation", chromedp.WaitVisible(chromedp.CSS("#todo-evaluations")))
	if s := b.text("#todo-evaluations"); !strings.Contains(s, "抚州固态锂电科技有限公司") {
		t.Errorf("to-do = %q", s)
	}
	b.fitsWidth("home")
	b.run("open the seats from the nav", chromedp.Click(chromedp.CSS("#nav-fund-seats"), chromedp.NodeReady), chromedp.WaitVisible(chromedp.CSS("#fund-seats")))
	seat := `section.fund-seat[data-state="invited"]`
	if n := b.count(seat); n != 1 {
		t.Fatalf("%d invited seats", n)
	}
	card := b.text(seat)
	for _, want := range []string{"抚州固态锂电科技有限公司", "固态电池", "800,000", "80 万元", "2025-08-30", "400,000"} {
		if !strings.Contains(card, want) {
			t.Errorf("seat card lacks %q: %q", want, card)
		}
	}
	if s := b.text(seat + " .fund-seat-bank"); strings.Contains(s, "nanchang-bank") || s == "" {
		t.Errorf("bank shown as %q, want its name", s)
	}
	if s := b.text(seat + " .fund-seat-due"); !strings.HasPrefix(s, "20") {
		t.Errorf("due = %q", s)
	}
	b.fitsWidth("seats")
	b.screenshot("fund-seat-invited")
	b.run("accept", chromedp.Click(chromedp.CSS(seat+" .fund-seat-accept")), chromedp.WaitVisible(chromedp.CSS(`section.fund-seat[data-state="accepted"] form.fund-seat-answer`)))
	acc := `section.fund-seat[data-state="accepted"]`
	b.run("answer: the route failed",
		chromedp.Click(chromedp.CSS(acc+` input[value="true"]`)),
		chromedp.SendKeys(chromedp.CSS(acc+" textarea"), "固态电解质路线未能量产，被半固态方案替代。"),
		chromedp.Click(chromedp.CSS(acc+` button[value="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#fund-confirm")),
	)
	if s := b.text("#fund-confirm-answer"); !strings.Contains(s, "技术路线失败") {
		t.Errorf("confirmation shows %q", s)
	}
	if s := b.text("#fund-confirm-warning"); !strings.Contains(s, "不可撤回") {
		t.Errorf("no warning that submission is final: %q", s)
	}
	b.fitsWidth("confirmation")
	b.screenshot("fund-seat-confirm")
	b.run("confirm the submission", chromedp.Click(chromedp.CSS("#fund-confirm-submit")), chromedp.WaitVisible(chromedp.CSS("#fund-notice")))
	if n := b.count(`section.fund-seat[data-state="submitted"]`); n != 1 {
		t.Errorf("%d submitted seats", n)
	}
	b.run("in English", chromedp.Navigate(b.url("/fund/seats?lang=en")), chromedp.WaitVisible(chromedp.CSS("#fund-seats")))
	if s := b.text(`section.fund-seat[data-state="submitted"]`); !strings.Contains(s, "Submitted") || !strings.Contains(s, "Yes: the technical route failed") {
		t.Errorf("en seat = %q", s)
	}
	if s := b.text("#fund-seats-title"); s != "My technical evaluations" {
		t.Errorf("en title = %q", s)
	}
	b.fitsWidth("seats (en)")
	b.screenshot("fund-seat-en")
	b.logout()

	// The official reads the evaluation from the pool: seats by name, answers.
	b.submitLogin("/login?lang=zh-CN", "official.fuzhou", identity.DemoPassword)
	b.run("open the Fuzhou pool", chromedp.WaitVisible(chromedp.CSS("#nav-account")), chromedp.Navigate(b.url("/fund/pools/fund-3610")), chromedp.WaitVisible(chromedp.CSS("#fund-pool-evaluations")))
	b.run("open its evaluations", chromedp.Click(chromedp.CSS("#fund-pool-evaluations")), chromedp.WaitVisible(chromedp.CSS("#fund-evaluations")))
	b.run("open the evaluation", chromedp.Click(chromedp.CSS(`tr[data-id="`+evalID+`"] a.fund-evaluation-link`)), chromedp.WaitVisible(chromedp.CSS("#fund-evaluation-seats")))
	seats := b.text("#fund-evaluation-seats")
	if !strings.Contains(seats, "李建国") || !strings.Contains(seats, "技术路线失败") || strings.Contains(seats, "exp-0001") {
		t.Errorf("evaluation seats = %q", seats)
	}
	b.fitsWidth("evaluation")
	b.screenshot("fund-evaluation")
	b.logout()

	// The provincial official moves money and reads it in the transfers list.
	b.submitLogin("/login?lang=zh-CN", "official.jiangxi", identity.DemoPassword)
	b.run("open the pools", chromedp.WaitVisible(chromedp.CSS("#nav-account")), chromedp.Navigate(b.url("/fund")), chromedp.WaitVisible(chromedp.CSS("#fund-transfer")))
	b.run("transfer 10 万元 from Fuzhou to Lianhua",
		chromedp.SetValue(chromedp.CSS("#fund-transfer-from"), "fund-3610"),
		chromedp.SetValue(chromedp.CSS("#fund-transfer-to"), "fund-360321"),
		chromedp.SendKeys(chromedp.CSS("#fund-transfer-amount"), "10"),
		chromedp.SendKeys(chromedp.CSS("#fund-transfer-reason"), "年度跨区调剂"),
		chromedp.Click(chromedp.CSS("#fund-transfer-submit")),
		chromedp.WaitVisible(chromedp.CSS("#fund-notice")),
	)
	b.run("the transfers list from a pool", chromedp.Navigate(b.url("/fund/pools/fund-3610")), chromedp.WaitVisible(chromedp.CSS("#fund-pool-transfers")),
		chromedp.Click(chromedp.CSS("#fund-pool-transfers")), chromedp.WaitVisible(chromedp.CSS("#fund-transfers")))
	row := b.text("tr.fund-transfer-row")
	for _, want := range []string{"抚州市科贷通风险补偿资金池", "莲花县科贷通风险补偿资金池", "100,000", "年度跨区调剂", "official.jiangxi"} {
		if !strings.Contains(row, want) {
			t.Errorf("transfer row lacks %q: %q", want, row)
		}
	}
	if s := b.text("tr.fund-transfer-row .fund-transfer-when"); !strings.HasPrefix(s, "20") {
		t.Errorf("when = %q", s)
	}
	b.fitsWidth("transfers")
	b.run("transfers in English", chromedp.Navigate(b.url("/fund/transfers?lang=en")), chromedp.WaitVisible(chromedp.CSS("#fund-transfers")))
	if s := b.text("#fund-transfers thead"); !strings.Contains(s, "When") || !strings.Contains(s, "By") {
		t.Errorf("en header = %q", s)
	}
}
