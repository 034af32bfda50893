package intel

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kedaitong/internal/store"
	"kedaitong/internal/store/storetest"
)

var benchTopics = []string{
	"光伏组件价格战加剧，行业产能过剩，多家企业下调报价",
	"锂电池企业出现债务违约，扩产项目停滞",
	"芯片设计企业攻克关键工艺，性能创纪录",
	"稀土出口管制新规落地，永磁企业承压",
	"Industrial robot orders surge as factories automate",
	"New export controls hit semiconductor equipment makers",
	"工业互联网平台获批专项补贴",
	"Shortage of raw materials squeezes battery cathode suppliers",
	"航空零部件企业完成新一轮融资",
	"污水处理项目获批，节能环保企业订单增长",
}

var benchWords = strings.Fields(`江西 赣州 南昌 九江 宜春 上饶 吉安 新余 萍乡 景德镇 鹰潭 抚州 企业 园区 项目 产线 订单 研发 工艺 材料
设备 芯片 电池 组件 稀土 永磁 钨 铜 锂 硅 光伏 储能 机器人 机床 无人机 医药 疫苗 器械 算力 数据 模型 平台 软件 环保 污水 固废
余热 投资 融资 扩产 签约 投产 合作 发布 中标 出口 进口 市场 价格 需求 供应 客户 专利 标准 认证 质量 效率 成本 利润 营收 年度
季度 首批 新一代 高端 智能 绿色 数字 工业 制造 集团 公司 研究院 实验室 高校 人才 团队 基地 中心 示范 试点 应用 场景 方案 系统`)

// benchFeed is an RSS feed of n distinct items for feed f: a cue-bearing
// topic plus words drawn from a vocabulary, so stories differ as real
// ones do.
func benchFeed(f, n int) []byte {
	var b bytes.Buffer
	x := uint64(f)*0x9e3779b97f4a7c15 + 1
	word := func() string {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		return benchWords[x%uint64(len(benchWords))]
	}
	words := func(k int) string {
		var w strings.Builder
		for range k {
			w.WriteString(word())
		}
		return w.String()
	}
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bench %d</title><link>http://example.com/%d</link>`, f, f)
	for i := range n {
		t := benchTopics[(f+i)%len(benchTopics)]
		fmt.Fprintf(&b, `<item><title>%s：%s</title><link>http://example.com/%d/%d</link><guid>b-%d-%d</guid><pubDate>Mon, 02 Mar 2026 %02d:%02d:00 +0800</pubDate><description>&lt;p&gt;%s，%s。%s&lt;/p&gt;</description></item>`,
			words(4), t, f, i, f, i, i%24, (f+i)%60, words(12), benchTopics[(f+i+3)%len(benchTopics)], words(16))
	}
	b.WriteString(`</channel></rss>`)
	return b.Bytes()
}

// benchFarm serves feeds on several loopback servers (feeds live on many
// hosts in real life; the client limits concurrency per host).
type benchFarm struct {
	servers []*httptest.Server
	bodies  [][]byte
	etag    bool
	bytes   atomic.Int64
}

func newBenchFarm(b *testing.B, feeds, items, hosts int, etag bool) *benchFarm {
	fm := &benchFarm{etag: etag}
	for f := range feeds {
		fm.bodies = append(fm.bodies, benchFeed(f, items))
	}
	for range hosts {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var f int
			fmt.Sscanf(r.URL.Path, "/f/%d", &f)
			body := fm.bodies[f]
			tag := fmt.Sprintf(`"%d-%d"`, f, len(body))
			if fm.etag {
				if r.Header.Get("If-None-Match") == tag {
					w.WriteHeader(http.StatusNotModified)
					return
				}
				w.Header().Set("ETag", tag)
			}
			w.Header().Set("Content-Type", "application/rss+xml")
			fm.bytes.Add(int64(len(body)))
			w.Write(body)
		}))
		b.Cleanup(ts.Close)
		fm.servers = append(fm.servers, ts)
	}
	return fm
}

func (fm *benchFarm) url(f int) string {
	return fmt.Sprintf("%s/f/%d", fm.servers[f%len(fm.servers)].URL, f)
}

// benchService opens the service on a durable store (what users run:
// SQLite with synchronous=FULL), with feeds sources on the farm.
func benchService(b *testing.B, fm *benchFarm, feeds int) (*Service, store.Store) {
	st, err := store.OpenSQLite(context.Background(), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	s, err := Open(context.Background(), st, Options{FetchAllow: "127.0.0.1", Workers: benchWorkers()})
	if err != nil {
		b.Fatal(err)
	}
	for f := range feeds {
		if _, err := s.CreateSource(context.Background(), analyst, NewSource{URL: fm.url(f)}); err != nil {
			b.Fatal(err)
		}
	}
	return s, st
}

// BenchmarkCrawlFirst500x50: 500 feeds of 50 items each, first crawl end
// to end (fetch, decode, parse, classify, dedupe, store). Target ≥ 2,000 items/s.
func BenchmarkCrawlFirst500x50(b *testing.B) {
	const items = 50
	feeds := 500
	if n, err := strconv.Atoi(os.Getenv("KEDAI_BENCH_FEEDS")); err == nil && n > 0 {
		feeds = n // a shorter run for profiling
	}
	fm := newBenchFarm(b, feeds, items, 25, true)
	var total time.Duration
	for b.Loop() {
		b.StopTimer()
		s, st := benchService(b, fm, feeds)
		b.StartTimer()
		start := time.Now()
		sum, err := s.CrawlOnce(context.Background(), false, nil)
		total += time.Since(start)
		if ws, ok := st.(interface{ WriteStats() store.WriteStats }); ok {
			b.Logf("writes: %+v", ws.WriteStats())
		}
		if err != nil || sum.NewItems != feeds*items || sum.Failed != 0 {
			b.Fatalf("crawl %+v %v", sum, err)
		}
	}
	b.ReportMetric(float64(feeds*items*b.N)/total.Seconds(), "items/s")
	b.ReportMetric(float64(feeds*b.N)/total.Seconds(), "feeds/s")
}

// BenchmarkCrawlUnchanged: the same 500 feeds re-crawled unchanged, with
// ETags (304) and without (same body); nothing is written but the health.
// Target ≥ 500 feeds/s.
func BenchmarkCrawlUnchanged(b *testing.B) {
	const feeds, items = 500, 50
	for _, etag := range []bool{true, false} {
		b.Run(fmt.Sprintf("etag=%v", etag), func(b *testing.B) {
			fm := newBenchFarm(b, feeds, items, 25, etag)
			s, _ := benchService(b, fm, feeds)
			ctx := context.Background()
			if _, err := s.CrawlOnce(ctx, false, nil); err != nil {
				b.Fatal(err)
			}
			before, _ := s.items.Count(ctx, store.Query{})
			terms, _ := s.terms.Count(ctx, store.Query{})
			var total time.Duration
			for b.Loop() {
				start := time.Now()
				sum, err := s.CrawlOnce(ctx, true, nil)
				total += time.Since(start)
				if err != nil || sum.NewItems != 0 || sum.NotModified != feeds {
					b.Fatalf("re-crawl %+v %v", sum, err)
				}
			}
			after, _ := s.items.Count(ctx, store.Query{})
			terms2, _ := s.terms.Count(ctx, store.Query{})
			if after != before || terms2 != terms {
				b.Fatalf("re-crawl wrote items: %d → %d, terms %d → %d", before, after, terms, terms2)
			}
			b.ReportMetric(float64(feeds*b.N)/total.Seconds(), "feeds/s")
		})
	}
}

// BenchmarkCrawlHugeFeed: one feed just under the 10 MiB cap; the heap
// must never grow past 150 MB above where it started. Reports the peak.
func BenchmarkCrawlHugeFeed(b *testing.B) {
	var body []byte
	for n := 4000; ; n += 200 {
		body = benchFeed(7, n)
		pad := strings.Repeat("江西省重点产业链技术情报。", 40)
		body = bytes.Replace(body, []byte("&lt;/p&gt;</description>"), []byte(pad+"&lt;/p&gt;</description>"), -1)
		if len(body) > 9<<20 {
			break
		}
	}
	b.Logf("feed of %.1f MiB", float64(len(body))/(1<<20))
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(body)
	}))
	b.Cleanup(ts.Close)
	var peak uint64
	for b.Loop() {
		b.StopTimer()
		st := storetest.New(b)
		s, err := Open(context.Background(), st, Options{FetchAllow: "127.0.0.1"})
		if err != nil {
			b.Fatal(err)
		}
		src, _ := s.CreateSource(context.Background(), analyst, NewSource{URL: ts.URL + "/huge"})
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		base := ms.HeapAlloc
		var mu sync.Mutex
		var max uint64
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			t := time.NewTicker(2 * time.Millisecond)
			defer t.Stop()
			for {
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				mu.Lock()
				if m.HeapAlloc > base && m.HeapAlloc-base > max {
					max = m.HeapAlloc - base
				}
				mu.Unlock()
				select {
				case <-stop:
					return
				case <-t.C:
				}
			}
		}()
		b.StartTimer()
		out, err := s.Refresh(context.Background(), analyst, src.ID)
		b.StopTimer()
		close(stop)
		<-done
		if err != nil || out.Status != StatusOK || out.NewItems == 0 {
			b.Fatalf("huge feed: %+v %v", out, err)
		}
		peak = max
		if peak > 150<<20 {
			b.Fatalf("heap grew by %d MB, over 150 MB", peak>>20)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}

// benchWorkers is the crawler's pool in the benchmarks: the default, or
// KEDAI_BENCH_WORKERS.
func benchWorkers() int {
	if n, err := strconv.Atoi(os.Getenv("KEDAI_BENCH_WORKERS")); err == nil && n > 0 {
		return n
	}
	return 0
}
