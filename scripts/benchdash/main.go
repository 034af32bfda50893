// Command benchdash measures the officials' dashboard on the real binary:
// it starts `kedaitong serve --demo` on a fresh data folder (the default
// durable store: SQLite WAL, synchronous=FULL), adds volume over HTTP as a
// bank would (-apps draft applications spread over every county and
// industry of the province, one in five sent to review; not timed), logs
// in the demo officials (province, Ganzhou, Fuzhou, Lianhua) and the
// admin, and has -readers concurrent readers fetch the dashboard — their
// own region, a drilled-down city or county, with and without a month
// range — as fast as the server answers, one request in flight each, for
// a fixed time, while a bank officer writes (a draft application) every
// -write-every, so that the cache is invalidated as in real use. Readers
// send no If-None-Match (every answer is a full 200). Two phases: the JSON
// API (GET /api/v1/dashboard) and the page (GET /dashboard, HTML, zh-CN
// and English readers). For each it prints req/s and the latency
// percentiles seen by the clients, the server-side percentiles from the
// server's request log (duration_ms), the server's CPU time per answer
// and the load average.
//
//	go build -o bin/kedaitong ./cmd/kedaitong && go run ./scripts/benchdash -bin bin/kedaitong
//
// With a binary built with -tags pprof, -profile DIR writes the server's
// CPU, allocation, block and mutex profiles of each phase to DIR.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"kedaitong/review"
	"kedaitong/taxonomy"
)

const password = "Kedai-demo-2026"

var profileDir string

// acceptEncoding is what the readers send as Accept-Encoding (a browser's
// by default; "identity" for uncompressed answers).
var acceptEncoding string

func main() {
	bin := flag.String("bin", "bin/kedaitong", "the kedaitong binary")
	dur := flag.Duration("duration", 10*time.Second, "how long the readers read, per phase")
	readers := flag.Int("readers", 200, "concurrent readers")
	apps := flag.Int("apps", 2000, "draft applications added before the run (volume; one in five submitted)")
	phases := flag.String("phases", "json,html", "phases to run: json, html")
	writeEvery := flag.Duration("write-every", 200*time.Millisecond, "a bank writes this often during the run (0: no writes)")
	flag.StringVar(&profileDir, "profile", "", "with a binary built with -tags pprof: write the server's CPU, allocation, block and mutex profiles of each phase to this folder")
	flag.StringVar(&acceptEncoding, "accept-encoding", "gzip, deflate, br", "the readers' Accept-Encoding (a browser's; \"identity\": uncompressed); KB per answer are the bytes as sent")
	flag.Parse()
	if err := run(*bin, *dur, *readers, *apps, *phases, *writeEvery); err != nil {
		fmt.Fprintln(os.Stderr, "benchdash:", err)
		os.Exit(1)
	}
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// serverLog collects the server-side durations of the dashboard's requests
// from the request log while measuring is on.
type serverLog struct {
	mu        sync.Mutex
	measuring bool
	ms        []float64
}

// read collects the request log's durations. It must keep up with the
// server (thousands of lines a second): a reader that lags fills the pipe,
// and the server's log writes — made under its logger's lock — then stall
// every request. So: no JSON decoding, two byte searches per line, and a
// large pipe (setPipeSize).
func (l *serverLog) read(r io.Reader) {
	br := bufio.NewReaderSize(r, 1<<20)
	msg, pathKey, durKey := []byte(`"msg":"request"`), []byte(`"path":"`), []byte(`"duration_ms":`)
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			for err == bufio.ErrBufferFull { // a line longer than the buffer: skip it
				_, err = br.ReadSlice('\n')
			}
			continue
		}
		if err != nil {
			return
		}
		if !bytes.Contains(line, msg) {
			if bytes.Contains(line, []byte(`"level":"ERROR"`)) {
				fmt.Fprint(os.Stderr, string(line))
			}
			continue
		}
		i, j := bytes.Index(line, pathKey), bytes.Index(line, durKey)
		if i < 0 || j < 0 {
			continue
		}
		path := line[i+len(pathKey):]
		if k := bytes.IndexByte(path, '"'); k >= 0 {
			path = path[:k]
		}
		if string(path) != "/api/v1/dashboard" && string(path) != "/dashboard" {
			continue
		}
		num := line[j+len(durKey):]
		if k := bytes.IndexAny(num, ",}"); k >= 0 {
			num = num[:k]
		}
		ms, err := strconv.ParseFloat(string(num), 64)
		if err != nil {
			continue
		}
		l.mu.Lock()
		if l.measuring {
			l.ms = append(l.ms, ms)
		}
		l.mu.Unlock()
	}
}

// setPipeSize makes the pipe of the server's log 1 MB (Linux), so that a
// moment's lag of the reader does not block the server's writes.
func setPipeSize(r io.Reader) {
	if f, ok := r.(*os.File); ok {
		const fSetPipeSz = 1031 // F_SETPIPE_SZ
		_, _, _ = syscall.Syscall(syscall.SYS_FCNTL, f.Fd(), fSetPipeSz, 1<<20)
	}
}

func (l *serverLog) start() {
	l.mu.Lock()
	l.measuring, l.ms = true, nil
	l.mu.Unlock()
}

func (l *serverLog) stop() []float64 {
	time.Sleep(300 * time.Millisecond) // the last lines
	l.mu.Lock()
	defer l.mu.Unlock()
	l.measuring = false
	return slices.Clone(l.ms)
}

func run(bin string, dur time.Duration, readers, apps int, phases string, writeEvery time.Duration) error {
	dir, err := os.MkdirTemp("", "benchdash-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, "serve", "--demo", "--addr", addr, "--data", dir, "--crawl=false", "--log-level", "info", "--rate-limit", "0")
	cmd.Env = append(os.Environ(), "KEDAI_MONGODB_URI=")
	pprofAddr := ""
	if profileDir != "" {
		if pprofAddr, err = freeAddr(); err != nil {
			return err
		}
		cmd.Env = append(cmd.Env, "KEDAI_PPROF_ADDR="+pprofAddr)
		if err := os.MkdirAll(profileDir, 0o755); err != nil {
			return err
		}
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() }()
	setPipeSize(stderr)
	slog := &serverLog{}
	go slog.read(stderr)
	base := "http://" + addr
	tr := &http.Transport{MaxIdleConns: readers * 2, MaxIdleConnsPerHost: readers * 2, MaxConnsPerHost: 0}
	cl := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	deadline := time.Now().Add(3 * time.Minute)
	for {
		r, err := cl.Get(base + "/readyz")
		if err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				break
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the server did not get ready")
		}
		time.Sleep(200 * time.Millisecond)
	}
	login := func(user string) (string, error) {
		r, err := cl.Post(base+"/api/v1/auth/login", "application/json", strings.NewReader(`{"username":"`+user+`","password":"`+password+`"}`))
		if err != nil {
			return "", err
		}
		defer r.Body.Close()
		var b struct{ Token string }
		if err := json.NewDecoder(r.Body).Decode(&b); err != nil || r.StatusCode != 200 {
			return "", fmt.Errorf("log-in %s: %d %v", user, r.StatusCode, err)
		}
		return b.Token, nil
	}
	do := func(method, tok, path, body string) (int, []byte, error) {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		req.AddCookie(&http.Cookie{Name: "kedai_session", Value: tok})
		r, err := cl.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer r.Body.Close()
		b, err := io.ReadAll(r.Body)
		return r.StatusCode, b, err
	}
	type view struct{ user, path, lang string }
	views := []view{
		{"official.jiangxi", "/api/v1/dashboard", "zh-CN"},
		{"official.jiangxi", "/api/v1/dashboard?region=3607", "en"},
		{"official.jiangxi", "/api/v1/dashboard?from=2024-01&to=2026-12", "zh-CN"},
		{"official.ganzhou", "/api/v1/dashboard", "zh-CN"},
		{"official.ganzhou", "/api/v1/dashboard?region=360702", "zh-CN"},
		{"official.fuzhou", "/api/v1/dashboard", "en"},
		{"official.lianhua", "/api/v1/dashboard", "zh-CN"},
		{"admin", "/api/v1/dashboard?region=3610", "zh-CN"},
	}
	tokens := map[string]string{}
	for _, v := range views {
		if tokens[v.user] == "" {
			if tokens[v.user], err = login(v.user); err != nil {
				return err
			}
		}
	}
	bank, err := login("gzbank.officer")
	if err != nil {
		return err
	}
	appBody := func(n int, region, route string) string {
		return fmt.Sprintf(`{"enterprise":{"name":"基准测试企业%d","credit_code":%q,"region":%q,"founded":"%d-03-01","route":%q,"staff":%d,"rd_staff":5,"revenue":[%d,800000],"net_profit":[0,0],"rd_spend":100000,"invention_patents":1,"pending_patents":0,"maturity":"lab"},"loan":{"amount":%d,"term_months":12,"purpose":"研发"},"summary":"基准测试写入"}`,
			n, review.DemoCreditCode(region, 9000000+n), region, 2012+n%14, route, 10+n%90, 1000000+n*1000, 1000000+(n%50)*100000)
	}
	if apps > 0 {
		var counties []string
		for _, c := range taxonomy.Cities() {
			for _, k := range taxonomy.Counties(c.Code) {
				counties = append(counties, k.Code)
			}
		}
		var routes []string
		for _, ind := range taxonomy.Default().Industries {
			for _, r := range ind.Routes {
				routes = append(routes, r.Code)
			}
		}
		t0 := time.Now()
		var next, made, submitted atomic.Int64
		var firstErr atomic.Value
		var wg sync.WaitGroup
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					n := int(next.Add(1)) - 1
					if n >= apps {
						return
					}
					st, b, err := do("POST", bank, "/api/v1/applications", appBody(100000+n, counties[n%len(counties)], routes[(n*7)%len(routes)]))
					if err != nil || st != 201 {
						firstErr.CompareAndSwap(nil, fmt.Sprintf("%d %s %v", st, b, err))
						continue
					}
					made.Add(1)
					if n%5 == 0 {
						var a struct{ ID string }
						_ = json.Unmarshal(b, &a)
						if st, _, err := do("POST", bank, "/api/v1/applications/"+a.ID+"/submit", "{}"); err == nil && st < 300 {
							submitted.Add(1)
						}
					}
				}
			}()
		}
		wg.Wait()
		fmt.Printf("volume: %d applications added (%d submitted) over %d counties in %s", made.Load(), submitted.Load(), len(counties), time.Since(t0).Round(time.Second))
		if e := firstErr.Load(); e != nil {
			fmt.Printf("; first refusal: %v", e)
		}
		fmt.Println()
	}
	var bytesRead atomic.Int64
	get := func(tok, path, lang string) (time.Duration, error) {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.AddCookie(&http.Cookie{Name: "kedai_session", Value: tok})
		req.Header.Set("Accept-Language", lang)
		if acceptEncoding != "" {
			req.Header.Set("Accept-Encoding", acceptEncoding) // as a browser does; the body is counted as sent
		}
		t0 := time.Now()
		r, err := cl.Do(req)
		if err != nil {
			return 0, err
		}
		n, _ := io.Copy(io.Discard, r.Body)
		r.Body.Close()
		if r.StatusCode != 200 {
			return 0, fmt.Errorf("GET %s: %d", path, r.StatusCode)
		}
		bytesRead.Add(n)
		return time.Since(t0), nil
	}
	htmlPath := func(p string) string { return strings.Replace(p, "/api/v1/dashboard", "/dashboard", 1) }
	// warm up once per view
	for _, v := range views {
		for _, p := range []string{v.path, htmlPath(v.path)} {
			if _, err := get(tokens[v.user], p, v.lang); err != nil {
				return err
			}
		}
	}
	phase := func(name, short string, pathOf func(i int) (string, string, string)) error {
		ctx, cancel := context.WithTimeout(context.Background(), dur)
		defer cancel()
		var profWG sync.WaitGroup
		if pprofAddr != "" {
			secs := max(1, int(dur.Seconds())-1)
			for _, p := range []string{"profile", "allocs", "block", "mutex"} {
				profWG.Add(1)
				go func() {
					defer profWG.Done()
					pc := &http.Client{Timeout: dur + time.Minute}
					r, err := pc.Get(fmt.Sprintf("http://%s/debug/pprof/%s?seconds=%d", pprofAddr, p, secs))
					if err != nil {
						fmt.Fprintln(os.Stderr, "benchdash: profile:", err)
						return
					}
					defer r.Body.Close()
					f, err := os.Create(fmt.Sprintf("%s/%s-%s.pprof", profileDir, short, p))
					if err == nil {
						_, _ = io.Copy(f, r.Body)
						f.Close()
					}
				}()
			}
		}
		settle(cmd.Process.Pid)
		load0 := loadavg()
		bytesRead.Store(0)
		cpu0 := cpuTime(cmd.Process.Pid)
		slog.start()
		var writes atomic.Int64
		var wg sync.WaitGroup
		if writeEvery > 0 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				t := time.NewTicker(writeEvery)
				defer t.Stop()
				for n := 0; ; n++ {
					select {
					case <-ctx.Done():
						return
					case <-t.C:
					}
					if st, _, err := do("POST", bank, "/api/v1/applications", appBody(n, "360702", "semiconductors.ic-design")); err == nil && st == 201 {
						writes.Add(1)
					}
				}
			}()
		}
		lat := make([][]time.Duration, readers)
		errs := make(chan error, readers)
		start := time.Now()
		for i := range readers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tok, path, lang := pathOf(i)
				for ctx.Err() == nil {
					d, err := get(tok, path, lang)
					if err != nil {
						if ctx.Err() == nil {
							errs <- err
						}
						return
					}
					lat[i] = append(lat[i], d)
				}
			}()
		}
		wg.Wait()
		secs := time.Since(start).Seconds()
		cpu := cpuTime(cmd.Process.Pid) - cpu0
		srv := slog.stop()
		load1 := loadavg()
		profWG.Wait()
		close(errs)
		for err := range errs {
			return err
		}
		var all []time.Duration
		for _, l := range lat {
			all = append(all, l...)
		}
		slices.Sort(all)
		if len(all) == 0 {
			return fmt.Errorf("%s: no answers", name)
		}
		pct := func(p float64) float64 { return float64(all[int(float64(len(all)-1)*p)].Microseconds()) / 1000 }
		fmt.Printf("%-28s readers %d  %7.0f req/s  p50 %6.1f ms  p95 %6.1f ms  p99 %6.1f ms  max %6.1f ms  (%d answers, %d writes during the run)\n",
			name, readers, float64(len(all))/secs, pct(0.50), pct(0.95), pct(0.99), pct(1), len(all), writes.Load())
		slices.Sort(srv)
		sp := func(p float64) float64 {
			if len(srv) == 0 {
				return 0
			}
			return srv[min(len(srv)-1, int(p*float64(len(srv))))]
		}
		fmt.Printf("%-28s server-side (request log, %d requests): p50 %.2f ms, p95 %.2f ms, p99 %.2f ms; server CPU %.2f ms per answer (%.2f cores); %.1f KB per answer (as sent); load %s → %s\n",
			"", len(srv), sp(.5), sp(.95), sp(.99), float64(cpu.Microseconds())/1000/float64(len(all)), cpu.Seconds()/secs, float64(bytesRead.Load())/1024/float64(len(all)), load0, load1)
		return nil
	}
	for _, ph := range strings.Split(phases, ",") {
		var err error
		switch strings.TrimSpace(ph) {
		case "json":
			err = phase("GET /api/v1/dashboard (JSON)", "json", func(i int) (string, string, string) {
				v := views[i%len(views)]
				return tokens[v.user], v.path, v.lang
			})
		case "html":
			err = phase("GET /dashboard (HTML page)", "html", func(i int) (string, string, string) {
				v := views[i%len(views)]
				return tokens[v.user], htmlPath(v.path), v.lang
			})
		default:
			err = fmt.Errorf("unknown phase %q", ph)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// cpuTime is the user and system CPU time of process pid so far.
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		s = s[i+2:]
	}
	f := strings.Fields(s)
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * (time.Second / 100) // USER_HZ
}

// settle waits (at most a minute) until the server's background work after
// the seeding (counters, links, the classifier's enterprise names) is done:
// under 5 % of a core over a second.
func settle(pid int) {
	for range 60 {
		c0 := cpuTime(pid)
		time.Sleep(time.Second)
		if cpuTime(pid)-c0 < 50*time.Millisecond {
			return
		}
	}
}

// loadavg is the one-minute load average.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}
