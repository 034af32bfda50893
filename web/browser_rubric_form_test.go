package web_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserRubricFormEditor: on a 390 px phone, an official (Chinese)
// opens the guideline editor, adds a criterion in the blank block with its
// names, weight and anchors, and saves: the new version's table shows it by
// name. In English, a weight typed in words is refused beside its block with
// the text kept. No page is wider than the phone.
func TestBrowserRubricFormEditor(t *testing.T) {
	p := newPanelEnv(t)
	b := newBrowser(t, p.env)
	b.run("a phone-sized screen", chromedp.EmulateViewport(390, 844))
	n := len(p.do("GET", "/api/v1/rubrics/semiconductors", "", as(p.sec["official"])...).json(t)["criteria"].([]any))
	row := "c" + strconv.Itoa(n) + "."
	field := func(name string) chromedp.CSS { return chromedp.CSS(`[name="` + name + `"]`) }

	b.loginAt("/login?lang=zh-CN", "official", "#nav-account")
	b.run("open the editor",
		chromedp.Navigate(b.url("/rubrics/semiconductors")), chromedp.WaitVisible(chromedp.CSS("#rubric-criteria")),
		chromedp.Click(chromedp.CSS("#rubric-edit > summary")), chromedp.WaitVisible(chromedp.CSS("#rubric-table-form")))
	if l := b.text("#crit-row-0 legend"); l != "评分项 1" {
		t.Errorf("first block's legend = %q", l)
	}
	b.fitsWidth("the guideline editor")
	for _, kv := range [][2]string{{row + "zh", "量产良率"}, {row + "en", "Production yield"}, {row + "weight", "10"}, {row + "id", "yield_rate"},
		{row + "a2.zh", "良率低于百分之五十"}, {row + "a5.zh", "良率达到行业平均"}, {row + "a8.zh", "良率领先同行"},
		{row + "a2.en", "Yield under half"}, {row + "a5.en", "Yield at the industry's average"}, {row + "a8.en", "Yield ahead of peers"}, {"note", "新增良率评分项"}} {
		b.run("type "+kv[0], chromedp.SetValue(field(kv[0]), kv[1]))
	}
	b.run("save", chromedp.Click(chromedp.CSS("#rubric-form-save")), chromedp.WaitVisible(chromedp.CSS("#rubric-done, #rubric-error")))
	if b.count("#rubric-error") != 0 {
		t.Fatalf("the edit was refused: %q", b.text("#rubric-error"))
	}
	if d := b.text("#rubric-done"); !strings.Contains(d, "第 2 版") {
		t.Errorf("saved message = %q", d)
	}
	if txt := b.text("#rubric-criteria"); !strings.Contains(txt, "量产良率") || !strings.Contains(txt, "良率领先同行") {
		t.Errorf("the new version's table does not show the new criterion: %q", txt)
	}
	b.fitsWidth("the saved guideline")
	b.screenshot("rubric-form-zh-390")
	b.logout()

	b.loginAt("/login?lang=en", "official", "#nav-account")
	b.run("open the editor in English",
		chromedp.Navigate(b.url("/rubrics/semiconductors")), chromedp.WaitVisible(chromedp.CSS("#rubric-criteria")),
		chromedp.Click(chromedp.CSS("#rubric-edit > summary")), chromedp.WaitVisible(chromedp.CSS("#rubric-table-form")))
	b.run("a weight in words",
		chromedp.SetValue(field("c1.weight"), "twenty"),
		chromedp.Click(chromedp.CSS("#rubric-form-save")), chromedp.WaitVisible(chromedp.CSS("#crit-err-1")))
	if m := b.text("#crit-err-1"); !strings.Contains(m, "must be a number") {
		t.Errorf("row error = %q", m)
	}
	if v := b.eval(`document.querySelector('[name="c1.weight"]').value`); v != "twenty" {
		t.Errorf("the typed weight was not kept: %q", v)
	}
	b.fitsWidth("the refused edit")
	b.screenshot("rubric-form-error-en-390")
	if g := p.do("GET", "/api/v1/rubrics/semiconductors", "", as(p.sec["official"])...).json(t); g["version"].(float64) != 2 {
		t.Errorf("the refused edit changed the version to %v", g["version"])
	}
}
