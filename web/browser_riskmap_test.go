package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"kedaitong/internal/browsertest"
)

// TestBrowserRiskmap: a bank manager opens the risk map (Chinese), reads a
// confident cell and a hatched one, opens a cell's stories, sees the bank's
// own exposure beside the map and subscribes to an industry on the alerts
// page; the CSV and SVG links are there.
func TestBrowserRiskmap(t *testing.T) {
	e := riskmapEnv(t)
	ctx := browsertest.New(t)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.ts.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#login-form")),
		chromedp.SendKeys(chromedp.CSS("#username"), "manager"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPW),
		chromedp.Click(chromedp.CSS("#login-submit")),
		chromedp.WaitVisible(chromedp.CSS("#nav-riskmap")),
		chromedp.Click(chromedp.CSS("#nav-riskmap")),
		chromedp.WaitVisible(chromedp.CSS("#riskmap-table")),
	); err != nil {
		t.Fatal(err)
	}
	hot, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`td[data-industry="semiconductors"][data-dimension="policy"]`)))
	cold, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`td[data-industry="aviation"][data-dimension="market"]`)))
	if strings.Contains(hot, "?") || !strings.Contains(hot, "5") || !strings.HasPrefix(strings.TrimSpace(cold), "?") {
		t.Errorf("cells: semiconductors/policy %q, aviation/market %q", hot, cold)
	}
	ent, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#exposure-enterprises")))
	if !strings.Contains(ent, "赣州芯研微电子有限公司") || strings.Contains(ent, "南昌光谷") {
		t.Errorf("the exposure table: %q", ent)
	}
	browsertest.Screenshot(t, ctx, "riskmap-zh")
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`td[data-industry="semiconductors"][data-dimension="policy"] a`)),
		chromedp.WaitVisible(chromedp.CSS("#cell-items")),
	); err != nil {
		t.Fatal(err)
	}
	head, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#cell-items h2")))
	if !strings.Contains(head, "半导体") || !strings.Contains(head, "政策") {
		t.Errorf("cell heading %q", head)
	}
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#riskmap-csv, #riskmap-svg, .sparkcell svg").length`))
	if err != nil || n != 13 {
		t.Errorf("CSV, SVG links and 11 sparklines: %d %v", n, err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#nav-alerts")),
		chromedp.WaitVisible(chromedp.CSS("#rule-form")),
		chromedp.Click(chromedp.CSS(`#rule-form input[name="industries"][value="semiconductors"]`)),
		chromedp.Click(chromedp.CSS("#rule-submit")),
		chromedp.WaitVisible(chromedp.CSS("#alerts-notice")),
	); err != nil {
		t.Fatal(err)
	}
	rules, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#rules-table")))
	if !strings.Contains(rules, "semiconductors") {
		t.Errorf("rules: %q", rules)
	}
	browsertest.Screenshot(t, ctx, "alerts-zh")
}
