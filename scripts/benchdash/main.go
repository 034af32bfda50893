// Command benchdash measures the officials' dashboard on the real binary:
// it starts `kedaitong serve --demo` on a fresh data folder (the default
// durable store: SQLite WAL, synchronous=FULL), logs in the demo officials
// (province, Ganzhou, Fuzhou, Lianhua) and has 200 concurrent readers
// fetch GET /api/v1/dashboard — their own region, a drilled-down city or
// county, with and without a month range — as fast as the server answers,
// one request in flight each, for a fixed time, while a bank officer
// writes (a draft application) every 200 ms, so that the cache is
// invalidated as in real use. Readers send no If-None-Match (every answer
// is a full 200). It prints req/s and the latency percentiles seen by the
// clients, and the same for the dashboard page (/dashboard, HTML).
//
//	go build -o bin/kedaitong ./cmd/kedaitong && go run ./scripts/benchdash -bin bin/kedaitong
package main

import (
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
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const password = "Kedai-demo-2026"

var profileDir string

func main() {
	bin := flag.String("bin", "bin/kedaitong", "the kedaitong binary")
	dur := flag.Duration("duration", 10*time.Second, "how long the readers read")
	readers := flag.Int("readers", 200, "concurrent readers")
	writeEvery := flag.Duration("write-every", 200*time.Millisecond, "a bank writes this often during the run (0: no writes)")
	flag.StringVar(&profileDir, "profile", "", "with a binary built with -tags pprof: write the server's CPU profile of the JSON phase to this folder")
	flag.Parse()
	if err := run(*bin, *dur, *readers, *writeEvery); err != nil {
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

func run(bin string, dur time.Duration, readers int, writeEvery time.Duration) error {
	dir, err := os.MkdirTemp("", "benchdash-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, "serve", "--demo", "--addr", addr, "--data", dir, "--crawl=false", "--log-level", "warn", "--rate-limit", "0")
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	pprofAddr := ""
	if profileDir != "" {
		if pprofAddr, err = freeAddr(); err != nil {
			return err
		}
		cmd.Env = append(os.Environ(), "KEDAI_PPROF_ADDR="+pprofAddr)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() }()
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
	views := []struct{ user, path string }{
		{"official.jiangxi", "/api/v1/dashboard"},
		{"official.jiangxi", "/api/v1/dashboard?region=3607"},
		{"official.jiangxi", "/api/v1/dashboard?from=2024-01&to=2026-12"},
		{"official.ganzhou", "/api/v1/dashboard"},
		{"official.ganzhou", "/api/v1/dashboard?region=360702"},
		{"official.fuzhou", "/api/v1/dashboard"},
		{"official.lianhua", "/api/v1/dashboard"},
		{"admin", "/api/v1/dashboard?region=3610"},
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
	get := func(tok, path string) (time.Duration, error) {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.AddCookie(&http.Cookie{Name: "kedai_session", Value: tok})
		t0 := time.Now()
		r, err := cl.Do(req)
		if err != nil {
			return 0, err
		}
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
		if r.StatusCode != 200 {
			return 0, fmt.Errorf("GET %s: %d", path, r.StatusCode)
		}
		return time.Since(t0), nil
	}
	// warm up once per view
	for _, v := range views {
		if _, err := get(tokens[v.user], v.path); err != nil {
			return err
		}
	}
	phase := func(name string, pathOf func(i int) (string, string)) error {
		ctx, cancel := context.WithTimeout(context.Background(), dur)
		defer cancel()
		if pprofAddr != "" && strings.Contains(name, "JSON") {
			go func() {
				r, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", pprofAddr, int(dur.Seconds())-1))
				if err != nil {
					fmt.Fprintln(os.Stderr, "benchdash: profile:", err)
					return
				}
				defer r.Body.Close()
				f, err := os.Create(profileDir + "/dashboard-cpu.pprof")
				if err == nil {
					_, _ = io.Copy(f, r.Body)
					f.Close()
				}
			}()
		}
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
					body := fmt.Sprintf(`{"enterprise":{"name":"基准测试企业%d","credit_code":"","region":"360702","founded":"2020-01-01","route":"semiconductors.ic-design","staff":10,"rd_staff":5,"revenue":[1000000,800000],"net_profit":[0,0],"rd_spend":100000,"invention_patents":1,"pending_patents":0,"maturity":"lab"},"loan":{"amount":1000000,"term_months":12,"purpose":"研发"},"summary":"基准测试写入"}`, n)
					req, _ := http.NewRequest("POST", base+"/api/v1/applications", strings.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.AddCookie(&http.Cookie{Name: "kedai_session", Value: bank})
					if r, err := cl.Do(req); err == nil {
						_, _ = io.Copy(io.Discard, r.Body)
						r.Body.Close()
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
				tok, path := pathOf(i)
				for ctx.Err() == nil {
					d, err := get(tok, path)
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
		fmt.Printf("%-34s readers %d  %7.0f req/s  p50 %6.1f ms  p95 %6.1f ms  p99 %6.1f ms  max %6.1f ms  (%d answers, %d writes during the run)\n",
			name, readers, float64(len(all))/secs, pct(0.50), pct(0.95), pct(0.99), pct(1), len(all), writes.Load())
		return nil
	}
	if err := phase("GET /api/v1/dashboard (JSON)", func(i int) (string, string) {
		v := views[i%len(views)]
		return tokens[v.user], v.path
	}); err != nil {
		return err
	}
	return phase("GET /dashboard (HTML page)", func(i int) (string, string) {
		v := views[i%len(views)]
		return tokens[v.user], strings.Replace(v.path, "/api/v1/dashboard", "/dashboard", 1)
	})
}
