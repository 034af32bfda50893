// Command benchriskmap measures readers of the risk map on the real binary:
// it starts `kedaitong serve --demo` on a fresh data folder (the default
// durable store: SQLite WAL, synchronous=FULL), logs in an analyst, a bank
// officer and an official, and has N concurrent readers (default 200) fetch
// the map's JSON (GET /api/v1/riskmap) and its SVG (GET /riskmap.svg) as
// fast as the server answers, one request in flight each, for a fixed time,
// without HTTP caching (-revalidate: with If-None-Match, as browsers do).
// It prints req/s and the latency percentiles seen by the clients, and the
// server-side percentiles from the server's request log (duration_ms),
// which the CPU-sharing of a loaded machine distorts less.
//
//	go build -o bin/kedaitong ./cmd/kedaitong && go run ./scripts/benchriskmap -bin bin/kedaitong
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"
)

const demoPassword = "Kedai-demo-2026"

func main() {
	bin := flag.String("bin", "bin/kedaitong", "the kedaitong binary")
	dur := flag.Duration("duration", 10*time.Second, "how long the readers read")
	readers := flag.Int("readers", 200, "concurrent readers")
	revalidate := flag.Bool("revalidate", false, "send If-None-Match with the last ETag (as a browser does)")
	flag.StringVar(&profileDir, "profile", "", "with a binary built with -tags pprof: write the server's CPU profile of the reading phase to this folder")
	flag.Parse()
	if err := run(*bin, *dur, *readers, *revalidate); err != nil {
		fmt.Fprintln(os.Stderr, "benchriskmap:", err)
		os.Exit(1)
	}
}

type target struct{ path, user string }

var profileDir string

func run(bin string, dur time.Duration, n int, revalidate bool) error {
	dir, err := os.MkdirTemp("", "benchriskmap-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, "serve", "--addr", addr, "--data", dir, "--demo", "--crawl=false", "--rate-limit", "0", "--log-level", "info")
	cmd.Env = append(os.Environ(), "KEDAI_MONGODB_URI=")
	pprofAddr := ""
	if profileDir != "" {
		if pprofAddr, err = freeAddr(); err != nil {
			return err
		}
		cmd.Env = append(cmd.Env, "KEDAI_PPROF_ADDR="+pprofAddr)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	// The request log: server-side durations of the risk map's requests
	// while the readers run.
	var (
		logMu     sync.Mutex
		measuring bool
		server    []float64
	)
	logDone := make(chan struct{})
	go func() {
		defer close(logDone)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var l struct {
				Msg    string  `json:"msg"`
				Path   string  `json:"path"`
				Status int     `json:"status"`
				Ms     float64 `json:"duration_ms"`
			}
			if json.Unmarshal(sc.Bytes(), &l) != nil || l.Msg != "request" || (l.Path != "/api/v1/riskmap" && l.Path != "/riskmap.svg") {
				continue
			}
			logMu.Lock()
			if measuring {
				server = append(server, l.Ms)
			}
			logMu.Unlock()
		}
	}()
	base := "http://" + addr
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2 * n, MaxConnsPerHost: 2 * n}, Timeout: 30 * time.Second}
	if err := waitReady(client, base); err != nil {
		return err
	}
	tokens := map[string]string{}
	for _, u := range []string{"analyst.wu", "gzbank.officer", "official.jiangxi"} {
		if tokens[u], err = login(client, base, u); err != nil {
			return err
		}
	}
	targets := []target{{"/api/v1/riskmap", "analyst.wu"}, {"/riskmap.svg", "analyst.wu"}, {"/api/v1/riskmap", "gzbank.officer"}, {"/api/v1/riskmap", "official.jiangxi"}, {"/riskmap.svg", "official.jiangxi"}}
	logMu.Lock()
	measuring = true
	logMu.Unlock()
	var (
		mu       sync.Mutex
		lat      = map[string][]time.Duration{}
		failures int
		wg       sync.WaitGroup
		not      int
	)
	start := time.Now()
	stop := start.Add(dur)
	profiled := make(chan error, 1)
	if profileDir != "" {
		go func() { profiled <- cpuProfile(pprofAddr, dur-time.Second) }()
	} else {
		profiled <- nil
	}
	for r := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			etags := map[int]string{}
			for k := r; time.Now().Before(stop); k++ {
				ti := k % len(targets)
				tg := targets[ti]
				req, _ := http.NewRequest("GET", base+tg.path, nil)
				req.Header.Set("Authorization", "Bearer "+tokens[tg.user])
				if revalidate && etags[ti] != "" {
					req.Header.Set("If-None-Match", etags[ti])
				}
				t0 := time.Now()
				res, err := client.Do(req)
				if err == nil {
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
				}
				d := time.Since(t0)
				mu.Lock()
				switch {
				case err != nil || (res.StatusCode != 200 && res.StatusCode != 304):
					if failures++; failures <= 5 {
						fmt.Fprintf(os.Stderr, "read failed: %v %v\n", err, res)
					}
				default:
					if res.StatusCode == 304 {
						not++
					}
					etags[ti] = res.Header.Get("ETag")
					lat[tg.path] = append(lat[tg.path], d)
					lat["all"] = append(lat["all"], d)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if err := <-profiled; err != nil {
		fmt.Fprintln(os.Stderr, "profile:", err)
	}
	time.Sleep(300 * time.Millisecond) // the last log lines
	logMu.Lock()
	measuring = false
	srv := slices.Clone(server)
	logMu.Unlock()
	pct := func(xs []time.Duration, p float64) string {
		if len(xs) == 0 {
			return "-"
		}
		slices.Sort(xs)
		return fmt.Sprintf("%.1f ms", float64(xs[min(len(xs)-1, int(p*float64(len(xs))))].Microseconds())/1000)
	}
	all := lat["all"]
	mode := "no HTTP caching"
	if revalidate {
		mode = fmt.Sprintf("revalidating with If-None-Match: %d answers 304", not)
	}
	fmt.Printf("%d readers for %s (%s): %d requests, %.0f req/s; clients: p50 %s, p95 %s, p99 %s (map JSON p95 %s, SVG p95 %s); %d failed\n",
		n, elapsed.Round(time.Millisecond), mode, len(all), float64(len(all))/elapsed.Seconds(),
		pct(all, .5), pct(all, .95), pct(all, .99), pct(lat["/api/v1/riskmap"], .95), pct(lat["/riskmap.svg"], .95), failures)
	slices.Sort(srv)
	sp := func(p float64) float64 {
		if len(srv) == 0 {
			return 0
		}
		return srv[min(len(srv)-1, int(p*float64(len(srv))))]
	}
	fmt.Printf("server-side (request log, %d requests): p50 %.2f ms, p95 %.2f ms, p99 %.2f ms\n", len(srv), sp(.5), sp(.95), sp(.99))
	if failures > 0 {
		return errors.New("some reads failed")
	}
	return nil
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func waitReady(c *http.Client, base string) error {
	for end := time.Now().Add(120 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if r, err := c.Get(base + "/readyz"); err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				return nil
			}
		}
	}
	return errors.New("the server did not become ready in 120 s")
}

func login(c *http.Client, base, user string) (string, error) {
	b, _ := json.Marshal(map[string]string{"username": user, "password": demoPassword})
	r, err := c.Post(base+"/api/v1/auth/login", "application/json", strings.NewReader(string(b)))
	if err != nil {
		return "", err
	}
	defer r.Body.Close()
	var out struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(r.Body).Decode(&out); err != nil || out.Token == "" {
		return "", fmt.Errorf("log-in of %s: %d", user, r.StatusCode)
	}
	return out.Token, nil
}

// cpuProfile writes the server's CPU profile over d to profileDir/cpu.prof.
func cpuProfile(addr string, d time.Duration) error {
	if err := os.MkdirAll(profileDir, 0o755); err != nil {
		return err
	}
	c := &http.Client{Timeout: d + 30*time.Second}
	r, err := c.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, max(1, int(d.Seconds()))))
	if err != nil {
		return err
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return err
	}
	return os.WriteFile(profileDir+"/cpu.prof", b, 0o644)
}
