package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// riskFeed serves one RSS feed of risk stories published today.
func riskFeed(t *testing.T) *httptest.Server {
	t.Helper()
	titles := []string{
		"光伏组件价格战加剧，多家企业亏损扩大，行业产能严重过剩",
		"锂电池企业出现债务违约，扩产项目全面停滞",
		"稀土出口管制新规落地，永磁企业原料供应承压",
		"芯片设计企业融资失败，资金链断裂面临破产",
		"钙钛矿电池路线被新技术超越，企业面临淘汰风险",
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b bytes.Buffer
		b.WriteString(`<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>行业风险快讯</title><language>zh-cn</language>`)
		day := time.Now().Add(-time.Hour).Format(time.RFC1123Z)
		for i, title := range titles {
			fmt.Fprintf(&b, `<item><title>%s</title><link>http://news.example/%d</link><guid>risk-%d</guid><pubDate>%s</pubDate><description>%s。</description></item>`, title, i, i, day, title)
		}
		b.WriteString(`</channel></rss>`)
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(b.Bytes())
	}))
	t.Cleanup(ts.Close)
	return ts
}

// riskmapCount sums the story counts of the risk map's cells.
func riskmapCount(t *testing.T, p *proc, token string) int {
	t.Helper()
	r := p.call("GET", "/api/v1/riskmap", token, "")
	if r.status != 200 {
		t.Fatalf("riskmap: %d %s", r.status, r.body)
	}
	var m struct {
		Cells []struct {
			Count int `json:"count"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range m.Cells {
		n += c.Count
	}
	return n
}

func alertCount(t *testing.T, p *proc, token string) int {
	t.Helper()
	r := p.call("GET", "/api/v1/alerts", token, "")
	if r.status != 200 {
		t.Fatalf("alerts: %d %s", r.status, r.body)
	}
	var m struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatal(err)
	}
	return len(m.Items)
}

// TestCrawlWorkerFeedsRiskmapAndAlerts (issue 16.5): news crawled by the
// standalone worker (`kedaitong crawl --once`) beside a server started with
// --crawl=false reaches the risk map's counters and fires an alert within
// 10 s, exactly as when the server crawls; also after the server restarts.
func TestCrawlWorkerFeedsRiskmapAndAlerts(t *testing.T) {
	dir := t.TempDir()
	feed := riskFeed(t)
	args := []string{"--data", dir, "--crawl=false", "--fetch-allow", "127.0.0.1"}
	p := startServer(t, nil, args...)
	admin := p.login("admin", p.adminPassword())
	const pw = "Ingest-test-2026!pw"
	if r := p.call("POST", "/api/v1/users", admin, fmt.Sprintf(`{"username":"analyst1","password":%q,"role":"analyst"}`, pw)); r.status != 201 && r.status != 200 {
		t.Fatalf("create analyst: %d %s", r.status, r.body)
	}
	analyst := p.login("analyst1", pw)
	if r := p.call("POST", "/api/v1/alerts/rules", analyst, `{"name":"所有风险","dimensions":["tech-route","policy","market","supply-chain","capital"]}`); r.status != 201 && r.status != 200 {
		t.Fatalf("create rule: %d %s", r.status, r.body)
	}
	if r := p.call("POST", "/api/v1/sources", analyst, fmt.Sprintf(`{"url":%q}`, feed.URL+"/risk.xml")); r.status != 201 && r.status != 200 {
		t.Fatalf("add source: %d %s", r.status, r.body)
	}
	if n := riskmapCount(t, p, analyst); n != 0 {
		t.Fatalf("risk map counts %d stories before any crawl", n)
	}

	start := time.Now()
	var out, errb bytes.Buffer
	cmd := crawlCmd(dir, "--once")
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("crawl --once: %v\n%s", err, errb.String())
	}
	var sum map[string]float64
	if err := json.Unmarshal(out.Bytes(), &sum); err != nil || sum["new_items"] != 5 {
		t.Fatalf("crawl --once printed %q (%v), want 5 new items", out.String(), err)
	}
	var mapped, alerted int
	for time.Since(start) < 10*time.Second {
		mapped, alerted = riskmapCount(t, p, analyst), alertCount(t, p, analyst)
		if mapped > 0 && alerted > 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if mapped == 0 || alerted == 0 {
		t.Fatalf("10 s after the worker crawled: risk map counts %d stories, the analyst has %d alerts; want both > 0", mapped, alerted)
	}
	t.Logf("risk map %d stories, %d alerts, %.1f s after the crawl started", mapped, alerted, time.Since(start).Seconds())

	// After a restart the map and the inbox are as they were.
	p.kill()
	p2 := startServer(t, nil, args...)
	analyst = p2.login("analyst1", pw)
	if n := riskmapCount(t, p2, analyst); n != mapped {
		t.Errorf("after a restart the risk map counts %d stories, want %d", n, mapped)
	}
	if n := alertCount(t, p2, analyst); n != alerted {
		t.Errorf("after a restart the analyst has %d alerts, want %d", n, alerted)
	}
}
