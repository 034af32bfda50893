package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserCorrection: on a 390px phone, an analyst opens an item from
// the news stream, reads why the classifier labelled it so (phrases, rules,
// what the model changed), corrects its labels with a note, and sees the
// correction on the page; a bank officer sees the item page in English with
// its "why" but no correction form.
func TestBrowserCorrection(t *testing.T) {
	e := newIntelEnv(t, "127.0.0.1", false)
	feed := loopbackFeed(t, 2)
	an := e.login("analyst")
	r := e.do("POST", "/api/v1/sources", `{"url":"`+feed.URL+`/rss"}`, as(an, "Content-Type", jsonCT)...)
	e.do("POST", "/api/v1/sources/"+r.json(t)["id"].(string)+"/refresh", "", as(an)...)

	b := newBrowser(t, e)
	b.run("a phone-sized screen", chromedp.EmulateViewport(390, 844))
	b.loginAt("/login?lang=zh-CN", "analyst", "#nav-sources")
	b.run("open the news stream", chromedp.Navigate(b.url("/intel/items")), chromedp.WaitVisible(chromedp.CSS("#items-list")))
	b.run("open an item", chromedp.Click(chromedp.CSS("#items-list a.item-why")), chromedp.WaitVisible(chromedp.CSS("#why-cues")))
	why := b.text("#why")
	if !strings.Contains(why, "分类依据") || !strings.Contains(why, "价格战") {
		t.Errorf("the why section lacks the matched phrases: %q", why)
	}
	if !strings.Contains(b.text("#item-labels"), "锂电") {
		t.Errorf("labels shown by name: %q", b.text("#item-labels"))
	}
	if w := b.eval(`String(document.documentElement.scrollWidth <= 390)`); w != "true" {
		t.Errorf("the item page is wider than the phone: %s px", b.eval(`String(document.documentElement.scrollWidth)`))
	}
	b.screenshot("item-why-zh")
	b.run("correct the labels",
		chromedp.Click(chromedp.CSS(`#c-industries input[value="lithium-battery"]`)),
		chromedp.Click(chromedp.CSS(`#c-industries input[value="photovoltaics"]`)),
		chromedp.Click(chromedp.CSS(`#c-dimensions input[value="policy"]`)),
		chromedp.Click(chromedp.CSS(`#c-polarity input[value="neutral"]`)),
		chromedp.SendKeys(chromedp.CSS("#c-note"), "测试更正"),
		chromedp.Click(chromedp.CSS("#c-submit")),
		chromedp.WaitVisible(chromedp.CSS("#correction-saved")),
	)
	rec := b.text("#correction-record")
	if !strings.Contains(rec, "analyst") || !strings.Contains(rec, "测试更正") || !strings.Contains(rec, "风险") {
		t.Errorf("correction record = %q", rec)
	}
	if got := b.text("#item-polarity"); got != "中性" {
		t.Errorf("polarity after the correction = %q", got)
	}
	if l := b.text("#item-labels"); !strings.Contains(l, "光伏") || strings.Contains(l, "锂电") || !strings.Contains(l, "政策") {
		t.Errorf("labels after the correction = %q", l)
	}
	b.screenshot("item-corrected-zh")
	// An empty polarity is refused with the reason, in the page's language.
	b.eval(`(document.querySelectorAll('#c-polarity input').forEach(i => i.checked = false), "")`)
	b.run("submit without a polarity",
		chromedp.Click(chromedp.CSS("#c-submit")),
		chromedp.WaitVisible(chromedp.CSS("#correction-error")),
	)
	if msg := b.text("#correction-error"); !strings.Contains(msg, "倾向") {
		t.Errorf("refusal = %q", msg)
	}

	// A bank officer reads the page in English, without the form.
	b.logout()
	b.loginAt("/login?lang=en", "officer", "nav")
	b.run("open the news in English", chromedp.Navigate(b.url("/intel/items?lang=en")), chromedp.WaitVisible(chromedp.CSS("#items-list")))
	b.run("open an item", chromedp.Click(chromedp.CSS("#items-list a.item-why")), chromedp.WaitVisible(chromedp.CSS("#why-cues")))
	if !strings.Contains(b.text("#why"), "Why these labels") {
		t.Errorf("English why = %q", b.text("#why"))
	}
	if n := b.count("#correction-form"); n != 0 {
		t.Errorf("a bank officer sees the correction form")
	}
	b.screenshot("item-why-en")
}
