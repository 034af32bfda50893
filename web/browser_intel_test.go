package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserIntel: an analyst (Chinese UI) finds the sources page in the
// navigation, is told why a private address is refused, adds a loopback
// feed, fetches it now and sees its health, imports an OPML file and sees
// the per-outline answer; then filters the item stream (demo data) by
// industry, dimension and polarity and by words, and reads it in English.
func TestBrowserIntel(t *testing.T) {
	start := time.Now()
	defer func() { t.Logf("took %s", time.Since(start)) }()
	e := newIntelEnv(t, "127.0.0.1", true)
	feed := loopbackFeed(t, 8)
	b := newBrowser(t, e)
	b.loginAt("/login?lang=zh-CN", "analyst", "#nav-sources")
	b.run("open the sources page from the menu", chromedp.Click(chromedp.CSS("#nav-sources")), chromedp.WaitVisible(chromedp.CSS("#sources-table")))
	table := b.text("#sources-table")
	if !strings.Contains(table, "江西科技产业快讯") || !strings.Contains(table, "正常") {
		t.Errorf("sources table lacks the demo feeds and their health: %q", table)
	}
	// A private address is refused, with the reason.
	b.run("add a private address",
		chromedp.SendKeys(chromedp.CSS("#source-url"), "http://192.168.1.20/rss.xml"),
		chromedp.Click(chromedp.CSS("#source-submit")),
		chromedp.WaitVisible(chromedp.CSS("#sources-error")),
	)
	msg := b.text("#sources-error")
	if !strings.Contains(msg, "不允许") || strings.Contains(msg, "private") {
		t.Errorf("refusal = %q: want it to say the address is not allowed, not what kind it is", msg)
	}
	t.Logf("refused at %s", time.Since(start))
	b.screenshot("intel-source-refused-zh")
	// A loopback feed (allow-listed) is added and fetched now.
	b.run("add the loopback feed",
		chromedp.SetValue(chromedp.CSS("#source-url"), feed.URL+"/rss"),
		chromedp.SendKeys(chromedp.CSS("#source-tags"), "锂电, 宜春"),
		chromedp.Click(chromedp.CSS("#source-submit")),
		chromedp.WaitVisible(chromedp.CSS("#source-notice")),
	)
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll("#sources-table tbody tr[data-id]").length`))
	if err != nil || n != 5 {
		t.Fatalf("%d sources shown (%v), want 5", n, err)
	}
	b.run("fetch the new feed now",
		chromedp.Click(chromedp.CSS(`#sources-table tr[data-status=""] button.refresh`)),
		chromedp.WaitVisible(chromedp.CSS("#refresh-outcome")),
	)
	out := b.text("#refresh-outcome")
	if !strings.Contains(out, "正常") || !strings.Contains(out, "新增 8 条") {
		t.Errorf("refresh outcome = %q", out)
	}
	b.screenshot("intel-sources-zh")
	// OPML import through the file input.
	opml := filepath.Join(t.TempDir(), "subs.opml")
	os.WriteFile(opml, []byte(`<?xml version="1.0"?><opml version="2.0"><body>
<outline text="OK" type="rss" xmlUrl="http://127.0.0.1:9/ok.xml"/>
<outline text="Metadata" type="rss" xmlUrl="http://169.254.169.254/latest"/>
</body></opml>`), 0o600)
	b.run("import the OPML file",
		chromedp.SetUploadFiles(chromedp.CSS("#import-file"), []string{opml}),
		chromedp.Click(chromedp.CSS("#import-submit")),
		chromedp.WaitVisible(chromedp.CSS("#import-result")),
	)
	res := b.text("#import-result")
	if !strings.Contains(res, "已导入 1 个，拒绝 1 个") || !strings.Contains(res, "not allowed") {
		t.Errorf("import result = %q", res)
	}
	// The item stream, filtered.
	b.run("filter the item stream",
		chromedp.Navigate(b.url("/intel/items")),
		chromedp.WaitVisible(chromedp.CSS("#items-filter")),
		chromedp.SetValue(chromedp.CSS("#f-industry"), "photovoltaics"),
		chromedp.SetValue(chromedp.CSS("#f-dimension"), "market"),
		chromedp.SetValue(chromedp.CSS("#f-polarity"), "risk"),
		chromedp.Click(chromedp.CSS("#f-submit")),
	)
	waitSearch(t, b.ctx, "industry=photovoltaics")
	bad, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`[...document.querySelectorAll("#items-list li.intel-item")].filter(li =>
		!li.dataset.industries.split(" ").includes("photovoltaics") || !li.dataset.dimensions.split(" ").includes("market") || li.dataset.polarity !== "risk").length`))
	shown := b.count("#items-list li.intel-item")
	if err != nil || bad != 0 || shown == 0 {
		t.Errorf("filtered stream: %d shown, %d not matching (%v)", shown, bad, err)
	}
	t.Logf("filtered at %s", time.Since(start))
	b.screenshot("intel-items-filtered-zh")
	// Words, in English.
	b.run("search the stream in English",
		chromedp.Click(chromedp.CSS("#f-reset")),
		chromedp.WaitVisible(chromedp.CSS("#items-filter")),
		chromedp.Navigate(b.url("/intel/items?lang=en&q=export+controls")),
		chromedp.WaitVisible(chromedp.CSS("#items-list")),
	)
	text := b.text("#items-list")
	if !strings.Contains(text, "New export controls hit") || !strings.Contains(text, "Policy") {
		t.Errorf("English stream for 'export controls': %q", firstN(text, 300))
	}
	label := b.text(`label[for], #items-filter label`)
	if !strings.Contains(label, "Industry") {
		t.Errorf("English filter label = %q", label)
	}
	b.screenshot("intel-items-en")
}

// waitSearch waits until the page's query string contains part.
func waitSearch(t *testing.T, ctx context.Context, part string) {
	t.Helper()
	for range 100 {
		q, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.readyState === "complete" ? location.search : ""`))
		if err == nil && strings.Contains(q, part) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("the page did not reach ?%s", part)
}

func firstN(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
