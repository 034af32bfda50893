package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kedaitong/intel/fetch"
	"kedaitong/review"
)

// TestBrowserRiskmap: a bank manager opens the risk map (Chinese), reads a
// confident cell and a hatched one, opens a cell's stories, sees the bank's
// own exposure beside the map and subscribes to an industry on the alerts
// page; the CSV and SVG links are there.
func TestBrowserRiskmap(t *testing.T) {
	e := riskmapEnv(t)
	b := newBrowser(t, e)
	b.loginAt("/login", "manager", "#nav-riskmap")
	b.run("open the riskmap page from the menu", chromedp.Click(chromedp.CSS("#nav-riskmap")), chromedp.WaitVisible(chromedp.CSS("#riskmap-table")))
	hot := b.text(`td[data-industry="semiconductors"][data-dimension="policy"]`)
	cold := b.text(`td[data-industry="aviation"][data-dimension="market"]`)
	if strings.Contains(hot, "?") || !strings.Contains(hot, "5") || !strings.HasPrefix(strings.TrimSpace(cold), "?") {
		t.Errorf("cells: semiconductors/policy %q, aviation/market %q", hot, cold)
	}
	ent := b.text("#exposure-enterprises")
	if !strings.Contains(ent, "赣州芯研微电子有限公司") || strings.Contains(ent, "南昌光谷") {
		t.Errorf("the exposure table: %q", ent)
	}
	b.screenshot("riskmap-zh")
	b.run("open the semiconductors × policy cell",
		chromedp.Click(chromedp.CSS(`td[data-industry="semiconductors"][data-dimension="policy"] a`)),
		chromedp.WaitVisible(chromedp.CSS("#cell-items")),
	)
	head := b.text("#cell-items h2")
	if !strings.Contains(head, "半导体") || !strings.Contains(head, "政策") {
		t.Errorf("cell heading %q", head)
	}
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll("#riskmap-csv, #riskmap-svg, .sparkcell svg").length`))
	if err != nil || n != 13 {
		t.Errorf("CSV, SVG links and 11 sparklines: %d %v", n, err)
	}
	b.run("subscribe to semiconductors",
		chromedp.Click(chromedp.CSS("#nav-alerts")),
		chromedp.WaitVisible(chromedp.CSS("#rule-form")),
		chromedp.Click(chromedp.CSS(`#rule-form input[name="industries"][value="semiconductors"]`)),
		chromedp.Click(chromedp.CSS("#rule-submit")),
		chromedp.WaitVisible(chromedp.CSS("#alerts-notice")),
	)
	rules := b.text("#rules-table")
	if !strings.Contains(rules, "半导体") {
		t.Errorf("rules (the industry named in Chinese, not its code): %q", rules)
	}
	b.screenshot("alerts-zh")
}

// ingestFeed adds a loopback feed as the analyst and fetches it now,
// through the crawler's real path (fetch, parse, classify, dedupe, store,
// the risk map's counters and the alert triggers).
func ingestFeed(t *testing.T, e *env, feedURL string, want int) {
	t.Helper()
	an := e.login("analyst")
	r := e.do("POST", "/api/v1/sources", `{"url":"`+feedURL+`/rss"}`, as(an, "Content-Type", jsonCT)...)
	if r.status != 201 {
		t.Fatalf("source: %d %s", r.status, r.body)
	}
	r = e.do("POST", "/api/v1/sources/"+r.json(t)["id"].(string)+"/refresh", "", as(an)...)
	if r.status != 200 || int(r.json(t)["new_items"].(float64)) != want {
		t.Fatalf("refresh: %d %s", r.status, r.body)
	}
}

// TestBrowserRiskmapCellCues: crawled stories (a loopback feed through the
// real crawler) fill the map; an analyst clicks the lithium-battery ×
// market cell and reads its stories with the cues that put them there, in
// Chinese and then in English.
func TestBrowserRiskmapCellCues(t *testing.T) {
	e := newIntelEnv(t, "127.0.0.1", false)
	now := time.Now()
	feed := newsFeed(t,
		newsItem{"宜春锂电池企业价格战加剧", "碳酸锂价格下跌，电池厂商打响价格战，产能过剩。", now.Add(-2 * time.Hour)},
		newsItem{"锂电池价格战蔓延至储能电芯", "储能锂电池电芯报价再创新低，价格战导致毛利率下滑。", now.Add(-26 * time.Hour)},
		newsItem{"动力电池价格战下中小锂电企业承压", "锂电池行业产能过剩，价格战持续，中小企业亏损扩大。", now.Add(-50 * time.Hour)},
		newsItem{"钙钛矿电池效率突破", "钙钛矿太阳能电池转换效率创新高。", now.Add(-3 * time.Hour)},
	)
	ingestFeed(t, e, feed.URL, 4)
	b := newBrowser(t, e)
	b.loginAt("/login?lang=zh-CN", "analyst", "#nav-alerts")
	cell := `td[data-industry="lithium-battery"][data-dimension="market"]`
	b.run("open the lithium-battery × market cell",
		chromedp.Click(chromedp.CSS("#nav-riskmap")),
		chromedp.WaitVisible(chromedp.CSS("#riskmap-table")),
		chromedp.Click(chromedp.CSS(cell+" a")),
		chromedp.WaitVisible(chromedp.CSS("#cell-items")),
	)
	head := b.text("#cell-items h2")
	if !strings.Contains(head, "锂电") || !strings.Contains(head, "市场") {
		t.Errorf("cell heading %q", head)
	}
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll("#cell-items li.cell-item").length`))
	if err != nil || n != 3 {
		t.Errorf("the cell lists %d stories, want the 3 price-war stories (%v)", n, err)
	}
	cues := b.text("#cell-items")
	if !strings.Contains(cues, "价格战") || !strings.Contains(cues, "宜春锂电池企业价格战加剧") || strings.Contains(cues, "钙钛矿") {
		t.Errorf("the cell's stories and cues: %q", cues)
	}
	risk, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll("#cell-items .cue.cue-risk").length`))
	if err != nil || risk < 3 {
		t.Errorf("risk cues shown: %d %v", risk, err)
	}
	b.screenshot("riskmap-cell-cues-zh")
	// The same cell in English keeps the selection and the cues.
	b.run("open the cell in English",
		chromedp.Navigate(b.url("/riskmap?cell=lithium-battery:market&lang=en")),
		chromedp.WaitVisible(chromedp.CSS("#cell-items")),
	)
	head = b.text("#cell-items h2")
	label := b.text("#cell-items .cues")
	if !strings.Contains(head, "Lithium") || !strings.Contains(head, "Market") || !strings.Contains(label, "价格战") {
		t.Errorf("English cell: %q / %q", head, label)
	}
	sel := b.count("td.rm-selected[data-industry='lithium-battery'][data-dimension='market']")
	if sel != 1 {
		t.Errorf("the selected cell is not marked")
	}
}

// TestBrowserWebhooks: a bank manager adds a webhook on the alerts page
// (English), copies the secret shown once, sees a failing delivery with
// its error after an alert for the bank is sent to a receiver that
// answers 500, reads the status in Chinese, and deletes the webhook.
func TestBrowserWebhooks(t *testing.T) {
	e := newIntelEnv(t, "127.0.0.1", false)
	insertApplication(t, e, review.Application{ID: "app-x", BankID: "gzb", State: review.StateClosed, Route: "semiconductors.ic-design", Industry: "semiconductors",
		CreditCode: xinyanCode, Enterprise: review.Enterprise{Name: "赣州芯研微电子有限公司", CreditCode: xinyanCode}, Loan: review.Loan{Amount: 2000000},
		Decision: &review.Decision{Granted: true, Amount: 2000000, Date: "2026-01-10"}, CreatedMS: 1})
	var hits atomic.Int32
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(w, "down for maintenance", http.StatusInternalServerError)
	}))
	t.Cleanup(receiver.Close)
	b := newBrowser(t, e)
	b.loginAt("/login?lang=en", "manager", "#nav-alerts")
	b.run("add a webhook to a private address",
		chromedp.Navigate(b.url("/alerts?lang=en")),
		chromedp.WaitVisible(chromedp.CSS("#webhook-form")),
		chromedp.SendKeys(chromedp.CSS("#webhook-url"), "http://10.1.2.3/hook"),
		chromedp.Click(chromedp.CSS("#webhook-submit")),
		chromedp.WaitVisible(chromedp.CSS("#webhook-error")),
	)
	msg := b.text("#webhook-error")
	if !strings.Contains(msg, "not allowed") || strings.Contains(msg, "private") {
		t.Errorf("the refusal should say the address is not allowed, not what kind it is: %q", msg)
	}
	b.run("add a webhook to the receiver",
		chromedp.SetValue(chromedp.CSS("#webhook-url"), receiver.URL+"/kedai"),
		chromedp.Click(chromedp.CSS("#webhook-submit")),
		chromedp.WaitVisible(chromedp.CSS("#webhook-secret")),
	)
	secret := b.text("#webhook-secret")
	if !strings.HasPrefix(secret, "whsec_") || len(secret) < 30 {
		t.Errorf("secret %q", secret)
	}
	b.screenshot("webhooks-created-en")
	// An alert for the bank: a default on its route, crawled; the worker
	// tries the receiver once.
	feed := newsFeed(t, newsItem{"芯片设计企业贷款违约 资金链断裂", "一家芯片设计企业未能按期偿还银行贷款，出现债务违约。", time.Now().Add(-time.Hour)})
	ingestFeed(t, e, feed.URL, 1)
	g, err := fetch.NewGuard("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	if n := e.app.Alerts().DeliverDue(context.Background(), g.HTTPClient(5*time.Second)); n != 1 || hits.Load() != 1 {
		t.Fatalf("deliveries tried %d, receiver hit %d times", n, hits.Load())
	}
	b.run("open the alerts page in Chinese",
		chromedp.Navigate(b.url("/alerts?lang=zh-CN")),
		chromedp.WaitVisible(chromedp.CSS("#webhooks-table tr.webhook")),
	)
	status := b.text("#webhooks-table .wh-status")
	lastErr := b.text("#webhooks-table .wh-error")
	dlv := b.text("#webhooks-table .wh-deliveries")
	if !strings.Contains(status, "失败，重试中") || !strings.Contains(lastErr, "500") || !strings.Contains(dlv, "HTTP 500") || !strings.Contains(dlv, "待推送") {
		t.Errorf("status %q, error %q, deliveries %q", status, lastErr, dlv)
	}
	page := b.text("main")
	if strings.Contains(page, secret) {
		t.Error("the secret is shown again")
	}
	alertsText := b.text("#alerts-list")
	if !strings.Contains(alertsText, "高严重度风险") {
		t.Errorf("the inbox: %q", alertsText)
	}
	b.screenshot("webhooks-failing-zh")
	b.run("delete the webhook",
		chromedp.Click(chromedp.CSS("#webhooks-table .wh-delete")),
		chromedp.WaitVisible(chromedp.CSS("#webhooks-empty")),
	)
	notice := b.text("#alerts-notice")
	if !strings.Contains(notice, "已删除") {
		t.Errorf("notice %q", notice)
	}
}
