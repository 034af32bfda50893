package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserDataHubJourney, on a 390 px phone: the provincial official
// (Chinese) imports registrations and tax declarations and reads the row
// report; the bank officer finds the enterprise, reads its portrait with the
// formula explained, and expresses interest; the investor (English) endorses
// the bank's application; the city official schedules a roadshow and
// registers the project; the officer rates it and sees the ranking, then the
// application's portrait page with the endorsement and the differences.
func TestBrowserDataHubJourney(t *testing.T) {
	h := newHubEnv(t)
	app := h.createApp(t, h.officer, appBody("360702", 1))
	appID := app["id"].(string)
	h.importCSV(t, h.admin, "investments", "credit_code,investor,amount,date\n"+h.chip+",赣江科创投资有限公司,5000000,2024-06-30\n", 200)
	dir := t.TempDir()
	reg := filepath.Join(dir, "registration.csv")
	os.WriteFile(reg, []byte("统一社会信用代码,企业名称,行政区划代码,成立日期,注册资本\n"+h.chip+",赣州芯研微电子有限公司,360702,2021-03-15,30000000\n"+
		"91360702MA38XXXXXX,坏代码公司,360702,2020-01-01,1\n"), 0o600)
	b := newBrowser(t, h.env)
	b.run("a phone-sized screen", chromedp.EmulateViewport(390, 844))

	// The provincial official imports, in Chinese.
	b.login("official")
	b.run("import registrations",
		chromedp.Click(chromedp.CSS("#nav-datahub")),
		chromedp.WaitVisible(chromedp.CSS("#dh-form")),
		chromedp.SetValue(chromedp.CSS("#dh-source"), "registration"),
		chromedp.SetUploadFiles(chromedp.CSS("#dh-file"), []string{reg}),
		chromedp.Click(chromedp.CSS("#dh-submit")),
		chromedp.WaitVisible(chromedp.CSS("#dh-summary")),
	)
	if s := b.text("#dh-summary"); !strings.Contains(s, "更新 1") || !strings.Contains(s, "拒绝 1") {
		t.Errorf("row report = %q", s)
	}
	if s := b.text("#dh-rejected"); !strings.Contains(s, "credit_code") {
		t.Errorf("rejected rows = %q", s)
	}
	if s := b.text("#dh-log"); !strings.Contains(s, "工商登记") {
		t.Errorf("import log = %q", s)
	}
	b.fitsWidth("import page")
	b.screenshot("datahub-import-zh")
	b.logout()

	// The bank officer reads the portrait and expresses interest.
	b.login("officer")
	b.run("search and open the portrait",
		chromedp.Navigate(b.url("/enterprises?q=芯研")),
		chromedp.WaitVisible(chromedp.CSS("#ent-table")),
		chromedp.Click(chromedp.CSS("#ent-table .ent-link")),
		chromedp.WaitVisible(chromedp.CSS("#pt-name")),
	)
	if s := b.text("#pt-rd"); s != "40%" {
		t.Errorf("R&D intensity shown = %q", s)
	}
	if s := b.text("#pt-quality-formula"); !strings.Contains(s, "发明占比 40") {
		t.Errorf("patent-quality formula = %q", s)
	}
	if s := b.text("#pt-maturity"); !strings.Contains(s, "阶段") {
		t.Errorf("maturity = %q", s)
	}
	b.fitsWidth("portrait")
	b.screenshot("portrait-zh")
	b.run("express interest",
		chromedp.SendKeys(chromedp.CSS("#dock-note"), "可提供 300 万元信用贷款"),
		chromedp.Click(chromedp.CSS("#dock-submit")),
		chromedp.WaitVisible(chromedp.CSS("#dk-done")),
	)
	if s := b.text(".dock-item"); !strings.Contains(s, "赣州芯研微电子有限公司") || !strings.Contains(s, "待跟进") {
		t.Errorf("docking list = %q", s)
	}
	b.logout()

	// The investor endorses, in English.
	b.open("/login?lang=en")
	b.login("investor")
	b.run("endorse",
		chromedp.Click(chromedp.CSS("#nav-endorsements")),
		chromedp.WaitVisible(chromedp.CSS("#en-"+appID)),
		chromedp.SendKeys(chromedp.CSS("#en-"+appID+" .en-invested"), "500"),
		chromedp.SetValue(chromedp.CSS("#en-"+appID+" .en-date"), "2024-06-30"),
		chromedp.SendKeys(chromedp.CSS("#en-"+appID+" .en-statement"), "Automotive MCU route validated with two OEMs."),
		chromedp.SendKeys(chromedp.CSS("#en-"+appID+" .en-share"), "20"),
		chromedp.Click(chromedp.CSS("#en-"+appID+" .en-submit")),
		chromedp.WaitVisible(chromedp.CSS("#en-done")),
	)
	if n := b.count("#en-" + appID + " .endorsed"); n != 1 {
		t.Errorf("the endorsed application does not say so")
	}
	b.fitsWidth("endorsements")
	b.screenshot("endorse-en")
	b.logout()

	// The city official schedules a roadshow and registers the project.
	b.open("/login?lang=zh-CN")
	b.login("cityofficial")
	b.run("schedule a roadshow",
		chromedp.Click(chromedp.CSS("#nav-roadshows")),
		chromedp.WaitVisible(chromedp.CSS("#rs-form")),
		chromedp.SendKeys(chromedp.CSS("#rs-title"), "赣州半导体产业链路演"),
		chromedp.SetValue(chromedp.CSS("#rs-chain"), "semiconductors"),
		chromedp.SetValue(chromedp.CSS("#rs-date"), "2026-12-20"),
		chromedp.Click(chromedp.CSS("#rs-submit")),
		chromedp.WaitVisible(chromedp.CSS("#rs-name")),
		chromedp.SendKeys(chromedp.CSS("#rsp-code"), h.chip),
		chromedp.SendKeys(chromedp.CSS("#rsp-pitch"), "车规级 MCU 芯片，寻求量产资金"),
		chromedp.SendKeys(chromedp.CSS("#rsp-media"), "https://example.com/line.mp4"),
		chromedp.Click(chromedp.CSS("#rsp-submit")),
		chromedp.WaitVisible(chromedp.CSS("#rs-done")),
	)
	rsPath := b.eval(`location.pathname`)
	b.logout()

	// The officer rates the project and sees the ranking.
	b.login("officer")
	b.run("rate the project",
		chromedp.Navigate(b.url(rsPath)),
		chromedp.WaitVisible(chromedp.CSS(".rate-form")),
		chromedp.SetValue(chromedp.CSS(".rate-feasibility"), "8"),
		chromedp.SetValue(chromedp.CSS(".rate-commercial"), "7"),
		chromedp.SetValue(chromedp.CSS(".rate-team"), "9"),
		chromedp.Click(chromedp.CSS(".rate-submit")),
		chromedp.WaitVisible(chromedp.CSS("#rs-done")),
	)
	if s := b.text("#rs-rank-table"); !strings.Contains(s, "8") || !strings.Contains(s, "入围") {
		t.Errorf("ranking = %q", s)
	}
	if n := b.count(".rate-form"); n != 0 {
		t.Errorf("the rating form is still offered after rating")
	}
	b.fitsWidth("roadshow")
	b.screenshot("roadshow-zh")
	b.run("the application's portrait",
		chromedp.Navigate(b.url("/applications/"+appID+"/enterprise")),
		chromedp.WaitVisible(chromedp.CSS("#ea-portrait")),
	)
	if s := b.text("#ea-endorsements"); !strings.Contains(s, "赣江科创投资有限公司") {
		t.Errorf("endorsements on the application = %q", s)
	}
	if s := b.text("#ea-diff"); !strings.Contains(s, "营业收入") {
		t.Errorf("differences = %q", s)
	}
	b.fitsWidth("application portrait")
}
