package riskmap_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"kedaitong/alerts"
	"kedaitong/identity"
	"kedaitong/intel"
	"kedaitong/internal/store/storetest"
	"kedaitong/notify"
	"kedaitong/riskmap"
)

var topics = []string{
	"光伏组件价格战加剧，行业产能过剩，多家企业下调报价",
	"锂电池企业出现债务违约，扩产项目停滞",
	"芯片设计企业攻克关键工艺，性能创纪录",
	"稀土出口管制新规落地，永磁企业承压",
	"New export controls hit semiconductor equipment makers",
	"Shortage of raw materials squeezes battery cathode suppliers",
	"钙钛矿或将颠覆晶硅电池，组件企业面临路线风险",
	"创新药企资金链断裂申请破产重整",
}

func feedBody(f, n int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>F%d</title>`, f)
	for i := range n {
		fmt.Fprintf(&b, `<item><title>第%d号%d期 %s</title><link>http://example.com/%d/%d</link><guid>g-%d-%d</guid><pubDate>Mon, 09 Mar 2026 %02d:%02d:00 +0800</pubDate><description>编号 %d-%d 江西企业 %s 样本 %d</description></item>`,
			f, i, topics[(f+i)%len(topics)], f, i, f, i, i%24, f%60, f*7919, i*104729, topics[(f+3*i+1)%len(topics)], f*1000+i)
	}
	b.WriteString(`</channel></rss>`)
	return b.Bytes()
}

// BenchmarkIngestHook: a first crawl of 200 feeds × 50 items with and
// without the risk map's hook (day counters and alert triggers). Target:
// the hook adds under 20 %.
func BenchmarkIngestHook(b *testing.B) {
	const feeds, items = 200, 50
	bodies := make([][]byte, feeds)
	for f := range feeds {
		bodies[f] = feedBody(f, items)
	}
	var srvs []*httptest.Server
	for range 10 {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var f int
			fmt.Sscanf(r.URL.Path, "/f/%d", &f)
			w.Header().Set("Content-Type", "application/rss+xml")
			w.Write(bodies[f])
		}))
		b.Cleanup(ts.Close)
		srvs = append(srvs, ts)
	}
	clock := func() time.Time { return time.Date(2026, 3, 9, 20, 0, 0, 0, riskmap.Zone) }
	run := func(b *testing.B, hook, withAlerts bool) float64 {
		var total time.Duration
		n := 0
		for b.Loop() {
			b.StopTimer()
			ctx := context.Background()
			st := storetest.New(b)
			in, err := intel.Open(ctx, st, intel.Options{FetchAllow: "127.0.0.1", Workers: 16, Now: clock})
			if err != nil {
				b.Fatal(err)
			}
			if hook {
				rm, _ := riskmap.Open(ctx, st, in, riskmap.Options{Now: clock})
				var al *alerts.Service
				if withAlerts {
					nt, _ := notify.Open(ctx, st)
					al, _ = alerts.Open(ctx, st, rm, alerts.Options{Notify: nt, Now: clock})
				}
				in.OnBatch(func(ctx context.Context, bt intel.Batch) error {
					if err := rm.CountBatch(ctx, bt.ID, bt.Items); err != nil {
						b.Error(err)
						return err
					}
					if al != nil {
						al.OnItems(ctx, bt.Items)
					}
					return nil
				})
			}
			for f := range feeds {
				if _, err := in.CreateSource(ctx, identity.User{ID: "u-an", Role: identity.RoleAnalyst}, intel.NewSource{URL: fmt.Sprintf("%s/f/%d", srvs[f%len(srvs)].URL, f)}); err != nil {
					b.Fatal(err)
				}
			}
			b.StartTimer()
			start := time.Now()
			sum, err := in.CrawlOnce(ctx, false, nil)
			total += time.Since(start)
			if err != nil || sum.Failed != 0 || sum.NewItems != feeds*items {
				b.Fatalf("crawl %+v %v", sum, err)
			}
			n++
		}
		ips := float64(feeds*items*n) / total.Seconds()
		b.ReportMetric(ips, "items/s")
		return ips
	}
	var without, counters, triggers float64
	b.Run("hook=none", func(b *testing.B) { without = run(b, false, false) })
	b.Run("hook=counters", func(b *testing.B) { counters = run(b, true, false) })
	b.Run("hook=counters+alerts", func(b *testing.B) { triggers = run(b, true, true) })
	if without > 0 && counters > 0 && triggers > 0 {
		b.Logf("keeping the counters adds %.1f %% to ingest time; with the alert triggers evaluated (no subscribers firing) %.1f %%", (without/counters-1)*100, (without/triggers-1)*100)
	}
}
