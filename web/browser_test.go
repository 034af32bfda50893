package web_test

import (
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserHome loads the home page in Chinese, switches to English with
// the language link, and keeps a screenshot of each.
func TestBrowserHome(t *testing.T) {
	e := newEnv(t)
	b := newBrowser(t, e)

	b.run("open the home page", chromedp.Navigate(b.url("/")), chromedp.WaitVisible(chromedp.CSS("#home-title")))
	title := b.text("#home-title")
	if !strings.Contains(title, "科技专家智库") {
		t.Errorf("Chinese title = %q", title)
	}
	zh := b.screenshot("home-zh")

	b.run("switch to English", chromedp.Click(chromedp.CSS("#lang-switch")), chromedp.WaitVisible(chromedp.CSS("#home-title")))
	lang := b.eval("document.documentElement.lang")
	title = b.text("#home-title")
	if lang != "en" || !strings.Contains(title, "expert think tank") {
		t.Errorf("after the switch: lang %q title %q, want English", lang, title)
	}
	en := b.screenshot("home-en")

	// The choice sticks: a fresh visit without ?lang stays English.
	b.run("revisit the home page", chromedp.Navigate(b.url("/")), chromedp.WaitVisible(chromedp.CSS("#home-title")))
	if lang = b.eval("document.documentElement.lang"); lang != "en" {
		t.Errorf("language after revisit = %q, want en (cookie)", lang)
	}
	for _, p := range []string{zh, en} {
		if fi, err := os.Stat(p); err != nil || fi.Size() < 1000 {
			t.Errorf("screenshot %s missing or empty", p)
		}
	}
}
