package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"kedaitong/identity"
	"kedaitong/intel"
	"kedaitong/internal/store"
)

// The crawler and risk-map benchmarks run the real binary on its default
// durable store (SQLite, synchronous=FULL), as users run it
// (scripts/bench-crawl.sh; figures in BENCHMARKS.md).

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
余热 投资 融资 扩产 签约 投产 合作 发布 中标 出口 进口 市场 价格 需求 供应 客户 专利 标准 认证 质量 效率 成本 利润 营收 年度`)

// benchFeed is an RSS feed of n distinct stories for feed f.
func benchFeed(f, n int) []byte {
	var b bytes.Buffer
	x := uint64(f)*0x9e3779b97f4a7c15 + 1
	words := func(k int) string {
		var w strings.Builder
		for range k {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
			w.WriteString(benchWords[x%uint64(len(benchWords))])
		}
		return w.String()
	}
	day := time.Now().Add(-48 * time.Hour)
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bench %d</title><link>http://example.com/%d</link>`, f, f)
	for i := range n {
		t := benchTopics[(f+i)%len(benchTopics)]
		fmt.Fprintf(&b, `<item><title>%s：%s</title><link>http://example.com/%d/%d</link><guid>b-%d-%d</guid><pubDate>%s</pubDate><description>&lt;p&gt;%s，%s。%s&lt;/p&gt;</description></item>`,
			words(4), t, f, i, f, i, day.Add(time.Duration(i)*time.Minute).Format(time.RFC1123Z), words(12), benchTopics[(f+i+3)%len(benchTopics)], words(16))
	}
	b.WriteString(`</channel></rss>`)
	return b.Bytes()
}

// feedFarm serves feeds on many loopback hosts (127.0.0.2, .3, ...), one
// port each, with ETags, as feeds live on many hosts on the real web.
func feedFarm(b *testing.B, feeds, items, hosts int) []string {
	bodies := make([][]byte, feeds)
	for f := range bodies {
		bodies[f] = benchFeed(f, items)
	}
	var addrs []string
	for h := range hosts {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", 2+h))
		if err != nil {
			b.Fatal(err)
		}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			f, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/f/"))
			body := bodies[f%len(bodies)]
			tag := fmt.Sprintf(`"%d-%d"`, f, len(body))
			if r.Header.Get("If-None-Match") == tag {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", tag)
			w.Header().Set("Content-Type", "application/rss+xml")
			w.Write(body)
		})}
		go srv.Serve(ln)
		b.Cleanup(func() { srv.Close() })
		addrs = append(addrs, ln.Addr().String())
	}
	urls := make([]string, feeds)
	for f := range urls {
		urls[f] = fmt.Sprintf("http://%s/f/%d", addrs[f%len(addrs)], f)
	}
	return urls
}

// addBenchSources adds the feeds to the durable store in dir (not timed).
func addBenchSources(b *testing.B, dir string, urls []string) {
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, dir)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	svc, err := intel.Open(ctx, st, intel.Options{FetchAllow: "127.0.0.0/8"})
	if err != nil {
		b.Fatal(err)
	}
	an := identity.User{ID: "bench", Username: "bench", Role: "analyst"}
	for _, u := range urls {
		if _, err := svc.CreateSource(ctx, an, intel.NewSource{URL: u}); err != nil {
			b.Fatal(err)
		}
	}
}

// crawlCPU is the CPU time (user + system) of the last crawl command run,
// a figure that suffers less than wall time when other work shares the
// machine; crawlWrites is the bytes it wrote to the disk (the kernel's
// count of blocks written: the WAL, checkpoints and syncs), which other
// load does not change at all.
var (
	crawlCPU    time.Duration
	crawlWrites int64
)

// crawlBinary is the binary the crawl benchmark runs: KEDAI_BENCH_BINARY
// names another build (say, of an earlier commit) for before/after pairs
// run back to back.
func crawlBinary() string {
	if b := os.Getenv("KEDAI_BENCH_BINARY"); b != "" {
		return b
	}
	return binary
}

// runCrawlBinary runs `kedaitong crawl` and returns its summary and wall time.
func runCrawlBinary(b *testing.B, dir string, args ...string) (intel.Summary, time.Duration) {
	var out, errb bytes.Buffer
	level := "warn"
	if os.Getenv("KEDAI_BENCH_DEBUG") != "" {
		level = "debug" // logs the store's transactions and writes
	}
	base := []string{"crawl", "--data", dir, "--fetch-allow", "127.0.0.0/8", "--log-level", level}
	if w := os.Getenv("KEDAI_BENCH_WORKERS"); w != "" {
		base = append(base, "--workers", w) // the fetch pool (default 32)
	}
	cmd := exec.Command(crawlBinary(), append(base, args...)...)
	cmd.Env = append(os.Environ(), "KEDAI_MONGODB_URI=")
	cmd.Stdout, cmd.Stderr = &out, &errb
	t0 := time.Now()
	if err := cmd.Run(); err != nil {
		b.Fatalf("crawl %v: %v\n%s", args, err, errb.String())
	}
	took := time.Since(t0)
	crawlCPU = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	crawlWrites = 0
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		crawlWrites = ru.Oublock * 512
	}
	if level == "debug" {
		for _, l := range strings.Split(errb.String(), "\n") {
			if strings.Contains(l, "store writes") {
				b.Log(l)
			}
		}
	}
	var sum intel.Summary
	if err := json.Unmarshal(out.Bytes(), &sum); err != nil {
		b.Fatalf("crawl printed %q", out.String())
	}
	return sum, took
}

// storeFingerprint hashes the database and its WAL: equal fingerprints
// mean nothing was written.
func storeFingerprint(b *testing.B, dir string) string {
	h := sha256.New()
	for _, name := range []string{store.SQLiteFile, store.SQLiteFile + "-wal"} {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			fmt.Fprintf(h, "%s: none\n", name)
			continue
		}
		io.Copy(h, f)
		f.Close()
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// BenchmarkCrawlBinary: `kedaitong crawl --once` of 500 feeds × 50 items
// on 50 loopback hosts, on the durable store (first crawl: items/s over
// the command's whole run, start-up included), then the unchanged
// re-crawl `crawl --once --all` (all 304: feeds/s, and whether the store
// changed at all). KEDAI_BENCH_FEEDS shortens it; KEDAI_BENCH_PROFILE
// names a folder for the CPU profiles of both runs.
func BenchmarkCrawlBinary(b *testing.B) {
	feeds, items, hosts := 500, 50, 50
	if n, err := strconv.Atoi(os.Getenv("KEDAI_BENCH_FEEDS")); err == nil && n > 0 {
		feeds = n
	}
	urls := feedFarm(b, feeds, items, hosts)
	prof := os.Getenv("KEDAI_BENCH_PROFILE")
	var first, again, firstWall, againWall, firstCPU, againCPU time.Duration
	var firstWrites int64
	zero := true
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := b.TempDir()
		addBenchSources(b, dir, urls)
		b.StartTimer()
		var args []string
		if prof != "" {
			args = []string{"--cpuprofile", filepath.Join(prof, "crawl-first.pprof")}
		}
		sum, took := runCrawlBinary(b, dir, append([]string{"--once"}, args...)...)
		if sum.NewItems != feeds*items || sum.Failed != 0 {
			b.Fatalf("first crawl %+v", sum)
		}
		first += time.Duration(sum.Seconds * float64(time.Second))
		firstWall += took
		firstCPU += crawlCPU
		firstWrites += crawlWrites
		if keep := os.Getenv("KEDAI_BENCH_KEEP"); keep != "" {
			// The first crawl's store, for a look at its tables
			// (sqlite3 KEEP/kedaitong.db, dbstat).
			if out, err := exec.Command("cp", "-a", dir+"/.", keep).CombinedOutput(); err != nil {
				b.Fatalf("keep %s: %v %s", keep, err, out)
			}
		}
		before := storeFingerprint(b, dir)
		if prof != "" {
			args = []string{"--cpuprofile", filepath.Join(prof, "crawl-again.pprof")}
		}
		sum, took = runCrawlBinary(b, dir, append([]string{"--once", "--all"}, args...)...)
		if sum.NotModified != feeds || sum.NewItems != 0 {
			b.Fatalf("re-crawl %+v", sum)
		}
		again += time.Duration(sum.Seconds * float64(time.Second))
		againWall += took
		againCPU += crawlCPU
		if storeFingerprint(b, dir) != before {
			zero = false
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(feeds*items)*n/first.Seconds(), "items/s")
	b.ReportMetric(float64(feeds*items)*n/firstWall.Seconds(), "items/s-wall")
	b.ReportMetric(float64(feeds)*n/again.Seconds(), "recrawl-feeds/s")
	b.ReportMetric(float64(feeds)*n/againWall.Seconds(), "recrawl-feeds/s-wall")
	b.ReportMetric(float64(firstCPU.Microseconds())/(float64(feeds*items)*n), "first-cpu-µs/item")
	b.ReportMetric(float64(againCPU.Milliseconds())/n, "recrawl-cpu-ms")
	b.ReportMetric(float64(firstWrites)/1024/(float64(feeds*items)*n), "first-disk-KB/item")
	if zero {
		b.ReportMetric(0, "recrawl-writes")
	} else {
		b.ReportMetric(1, "recrawl-writes")
		b.Log("the unchanged re-crawl changed the store")
	}
}

// BenchmarkRiskmapReaders200: 200 concurrent readers of the risk map (its
// JSON and its SVG) and of the officials' dashboard against `kedaitong
// serve --demo` on the durable store, each reading as fast as it can for
// KEDAI_BENCH_SECONDS (default 10) without HTTP caching; reports the
// latency percentiles seen by the clients.
func BenchmarkRiskmapReaders200(b *testing.B) {
	secs := 10
	if n, err := strconv.Atoi(os.Getenv("KEDAI_BENCH_SECONDS")); err == nil && n > 0 {
		secs = n
	}
	dir := b.TempDir()
	port := freePort(b)
	cmd := exec.Command(binary, "serve", "--addr", port, "--data", dir, "--demo", "--crawl=false", "--log-level", "warn")
	cmd.Env = append(os.Environ(), "KEDAI_MONGODB_URI=")
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	base := "http://" + port
	for t0 := time.Now(); ; time.Sleep(20 * time.Millisecond) {
		if res, err := http.Get(base + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				break
			}
		}
		if time.Since(t0) > 60*time.Second {
			b.Fatal("server not ready")
		}
	}
	tr := &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	login := func(user string) string {
		res, err := client.Post(base+"/api/v1/auth/login", "application/json", strings.NewReader(fmt.Sprintf(`{"username":%q,"password":%q}`, user, identity.DemoPassword)))
		if err != nil {
			b.Fatal(err)
		}
		defer res.Body.Close()
		var m struct{ Token string }
		json.NewDecoder(res.Body).Decode(&m)
		if m.Token == "" {
			b.Fatalf("login %s: %d", user, res.StatusCode)
		}
		return m.Token
	}
	analyst, official := login("analyst.wu"), login("official.jiangxi")
	type target struct{ path, token string }
	targets := []target{{"/api/v1/riskmap", analyst}, {"/riskmap.svg", analyst}, {"/api/v1/riskmap", official}, {"/api/v1/dashboard", official}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var mu sync.Mutex
		lat := map[string][]time.Duration{}
		var wg sync.WaitGroup
		stop := time.Now().Add(time.Duration(secs) * time.Second)
		errs := 0
		for r := range 200 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := r; time.Now().Before(stop); k++ {
					tg := targets[k%len(targets)]
					req, _ := http.NewRequest("GET", base+tg.path, nil)
					req.Header.Set("Authorization", "Bearer "+tg.token)
					t0 := time.Now()
					res, err := client.Do(req)
					if err == nil {
						io.Copy(io.Discard, res.Body)
						res.Body.Close()
					}
					d := time.Since(t0)
					mu.Lock()
					if err != nil || res.StatusCode != 200 {
						errs++
					} else {
						key := tg.path
						lat[key] = append(lat[key], d)
						lat["all"] = append(lat["all"], d)
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if errs > 0 {
			b.Errorf("%d requests failed", errs)
		}
		pct := func(xs []time.Duration, p float64) float64 {
			if len(xs) == 0 {
				return 0
			}
			sort.Slice(xs, func(i, j int) bool { return xs[i] < xs[j] })
			return float64(xs[min(len(xs)-1, int(p*float64(len(xs))))].Microseconds()) / 1000
		}
		for _, k := range []string{"all", "/api/v1/riskmap", "/riskmap.svg", "/api/v1/dashboard"} {
			name := strings.NewReplacer("/api/v1/", "", "/", "", ".", "-").Replace(k)
			b.ReportMetric(pct(lat[k], 0.95), name+"-p95-ms")
		}
		b.ReportMetric(pct(lat["all"], 0.50), "all-p50-ms")
		b.ReportMetric(pct(lat["all"], 0.99), "all-p99-ms")
		b.ReportMetric(float64(len(lat["all"]))/float64(secs), "req/s")
	}
}
