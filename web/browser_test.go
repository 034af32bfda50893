package web_test

import (
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kedaitong/internal/browsertest"
)

// TestBrowserHome loads the home page in Chinese, switches to English with
// the language link, and keeps a screenshot of each.
func TestBrowserHome(t *testing.T) {
	e := newEnv(t)
	ctx := browsertest.New(t)

	if err := chromedp.Do(ctx, chromedp.Navigate(e.ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#home-title"))); err != nil {
		t.Fatal(err)
	}
	title, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#home-title")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(title, "科技专家智库") {
		t.Errorf("Chinese title = %q", title)
	}
	zh := browsertest.Screenshot(t, ctx, "home-zh")

	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#lang-switch")), chromedp.WaitVisible(chromedp.CSS("#home-title"))); err != nil {
		t.Fatal(err)
	}
	lang, err := chromedp.Run(ctx, chromedp.Evaluate[string]("document.documentElement.lang"))
	if err != nil {
		t.Fatal(err)
	}
	title, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#home-title")))
	if err != nil {
		t.Fatal(err)
	}
	if lang != "en" || !strings.Contains(title, "expert think tank") {
		t.Errorf("after the switch: lang %q title %q, want English", lang, title)
	}
	en := browsertest.Screenshot(t, ctx, "home-en")

	// The choice sticks: a fresh visit without ?lang stays English.
	if err := chromedp.Do(ctx, chromedp.Navigate(e.ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#home-title"))); err != nil {
		t.Fatal(err)
	}
	if lang, _ = chromedp.Run(ctx, chromedp.Evaluate[string]("document.documentElement.lang")); lang != "en" {
		t.Errorf("language after revisit = %q, want en (cookie)", lang)
	}
	for _, p := range []string{zh, en} {
		if fi, err := os.Stat(p); err != nil || fi.Size() < 1000 {
			t.Errorf("screenshot %s missing or empty", p)
		}
	}
}
