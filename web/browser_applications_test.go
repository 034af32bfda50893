package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kedaitong/review"
)

// TestBrowserApplicationJourney: a bank officer (Chinese) fills the form,
// sees the errors in place, saves the draft, uploads a PDF dossier, submits
// it and finds it listed with its state, indicators and flags; a Ganzhou
// official (English) sees it, whitelists the enterprise with a reason, and
// cannot reach a Nanchang enterprise's application at all.
func TestBrowserApplicationJourney(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	b := newBrowser(t, e)

	b.login("officer")
	code := review.DemoCreditCode("360702", 1)
	fill := []chromedp.Action[chromedp.Void]{
		chromedp.Click(chromedp.CSS("#nav-applications")),
		chromedp.WaitVisible(chromedp.CSS("#new-application")),
		chromedp.Click(chromedp.CSS("#new-application")),
		chromedp.WaitVisible(chromedp.CSS("#app-form")),
		chromedp.SendKeys(chromedp.CSS("#f-name"), "赣州芯研微电子有限公司"),
		chromedp.SendKeys(chromedp.CSS("#f-credit_code"), code[:17]+"0"), // a mistyped check character
		chromedp.SetValue(chromedp.CSS("#f-city"), "3607"),
		chromedp.SetValue(chromedp.CSS("#f-region"), "360702"),
		chromedp.SetValue(chromedp.CSS("#f-founded"), "2021-03-15"),
		chromedp.SetValue(chromedp.CSS("#f-route"), "semiconductors.ic-design"),
		chromedp.SetValue(chromedp.CSS("#f-maturity"), "pilot"),
		chromedp.SendKeys(chromedp.CSS("#f-staff"), "60"),
		chromedp.SendKeys(chromedp.CSS("#f-rd_staff"), "75"),   // more than the staff
		chromedp.SendKeys(chromedp.CSS("#f-revenue0"), "1200"), // 万元
		chromedp.SendKeys(chromedp.CSS("#f-revenue1"), "900"),
		chromedp.SendKeys(chromedp.CSS("#f-net_profit0"), "-300"),
		chromedp.SendKeys(chromedp.CSS("#f-net_profit1"), "-450"),
		chromedp.SendKeys(chromedp.CSS("#f-rd_spend"), "600"),
		chromedp.SendKeys(chromedp.CSS("#f-invention_patents"), "5"),
		chromedp.SendKeys(chromedp.CSS("#f-pending_patents"), "3"),
		chromedp.SendKeys(chromedp.CSS("#f-team"), "陈志远, 首席技术官, 微电子博士"),
		chromedp.SendKeys(chromedp.CSS("#f-amount"), "300"),
		chromedp.SendKeys(chromedp.CSS("#f-purpose"), "流片与量产验证"),
		chromedp.SendKeys(chromedp.CSS("#f-summary"), "28nm 低功耗电源管理芯片设计，两次流片，样片通过客户验证。"),
		chromedp.Click(chromedp.CSS("#app-save")),
		chromedp.WaitVisible(chromedp.CSS("#err-credit_code")),
	}
	b.run("fill the form with two mistakes and save", fill...)
	if msg := b.text("#err-credit_code"); !strings.Contains(msg, "校验位") {
		t.Errorf("credit code error = %q", msg)
	}
	if msg := b.text("#err-rd_staff"); !strings.Contains(msg, "研发人员") {
		t.Errorf("R&D staff error = %q", msg)
	}
	if v := b.eval(`document.querySelector("#f-name").value`); v != "赣州芯研微电子有限公司" {
		t.Errorf("the form lost its values: name = %q", v)
	}
	b.screenshot("application-form-errors-zh")
	if n := len(mustList(t, e, "officer")); n != 0 {
		t.Fatalf("a refused form stored %d applications", n)
	}

	// Correct the two fields and save the draft.
	dir := t.TempDir()
	pdf := filepath.Join(dir, "技术方案.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	b.run("correct the form, save and upload the dossier",
		chromedp.SetValue(chromedp.CSS("#f-credit_code"), code),
		chromedp.SetValue(chromedp.CSS("#f-rd_staff"), "25"),
		chromedp.Click(chromedp.CSS("#app-save")),
		chromedp.WaitVisible(chromedp.CSS("#app-notice")),
		chromedp.SetUploadFiles(chromedp.CSS("#upload-file"), []string{pdf}),
		chromedp.Click(chromedp.CSS("#upload-submit")),
		chromedp.WaitVisible(chromedp.CSS("#app-attachments a")),
	)
	if s := b.text("#app-attachments"); !strings.Contains(s, "技术方案.pdf") {
		t.Errorf("attachments = %q", s)
	}
	if s := b.text("#app-flags"); !strings.Contains(s, "技术强、财务弱") {
		t.Errorf("flags = %q", s)
	}
	if s := b.text("#ind-rd"); s != "50.0%" {
		t.Errorf("R&D intensity shown = %q", s)
	}
	b.run("submit the application",
		chromedp.Click(chromedp.CSS("#app-submit")),
		chromedp.WaitVisible(chromedp.CSS(`#app-state[data-state="submitted"]`)),
	)
	b.screenshot("application-submitted-zh")
	b.run("open the applications list", chromedp.Click(chromedp.CSS("#nav-applications")), chromedp.WaitVisible(chromedp.CSS("#apps-table")))
	row := b.text("#apps-table tbody tr")
	for _, want := range []string{"赣州芯研微电子有限公司", "已提交", "50.0%", "技术强、财务弱", "3,000,000"} {
		if !strings.Contains(row, want) {
			t.Errorf("list row lacks %q: %q", want, row)
		}
	}
	b.screenshot("applications-list-zh")

	// A Nanchang enterprise of another bank, for the city official's limits.
	in := review.Input{Enterprise: review.Enterprise{Name: "南昌钠电科技有限公司", CreditCode: review.DemoCreditCode("360111", 2), Region: "360111",
		Founded: "2024-01-10", Route: "lithium-battery.sodium-ion", Staff: 30, RDStaff: 12, Revenue: []int64{1000000, 0},
		NetProfit: []int64{-800000, -200000}, RDSpend: 900000, InventionPatents: 3, Maturity: "pilot"},
		Loan: review.Loan{Amount: 1000000, TermMonths: 12, Purpose: "中试线"}, Summary: "钠离子电池正极材料。"}
	nc, err := e.app.Review.Create(context.Background(), e.users["officer2"], in)
	if err != nil {
		t.Fatal(err)
	}

	// The Ganzhou official, in English.
	b.logout()
	b.open("/login?lang=en")
	b.login("cityofficial")
	b.run("open the applications list (en)", chromedp.Click(chromedp.CSS("#nav-applications")), chromedp.WaitVisible(chromedp.CSS("#apps-table")))
	table := b.text("#apps-table")
	if !strings.Contains(table, "赣州芯研微电子有限公司") || !strings.Contains(table, "Submitted") || strings.Contains(table, "南昌钠电") {
		t.Errorf("Ganzhou official's list = %q", table)
	}
	b.run("whitelist the enterprise",
		chromedp.Click(chromedp.CSS("#apps-table tbody tr a")),
		chromedp.WaitVisible(chromedp.CSS("#wl-form")),
		chromedp.SendKeys(chromedp.CSS("#wl-reason"), "Losses come from tape-outs; the design is ahead in the province."),
		chromedp.Click(chromedp.CSS("#wl-submit")),
		chromedp.WaitVisible(chromedp.CSS("#app-whitelisted")),
	)
	if s := b.text("#wl-status"); !strings.Contains(s, "tape-outs") {
		t.Errorf("whitelist status = %q", s)
	}
	b.screenshot("application-whitelisted-en")
	// Another city's enterprise: its application does not exist for this official.
	b.open("/applications/" + nc.ID)
	if n := b.count("#wl-form"); n != 0 {
		t.Error("the Ganzhou official is offered to whitelist a Nanchang enterprise")
	}
	if ok, _, _ := e.app.Review.WhitelistStatus(context.Background(), nc.CreditCode); ok {
		t.Error("the Nanchang enterprise is whitelisted")
	}
	if ok, _, _ := e.app.Review.WhitelistStatus(context.Background(), code); !ok {
		t.Error("the Ganzhou enterprise is not whitelisted")
	}
}

// mustList lists the applications a user sees through the service.
func mustList(t *testing.T, e *env, user string) []review.View {
	t.Helper()
	u := e.users[user]
	vs, _, err := e.app.Review.List(context.Background(), u, review.Filter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return vs
}
