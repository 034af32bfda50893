package web_test

import (
	"context"
	"io"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// loadTest sends b.N requests from `clients` concurrent clients over real
// HTTP on loopback and reports requests per second and p50/p99 latency.
func loadTest(b *testing.B, clients int, newReq func() *http.Request) {
	b.Helper()
	tr := &http.Transport{MaxIdleConns: clients, MaxIdleConnsPerHost: clients}
	client := &http.Client{Transport: tr}
	defer tr.CloseIdleConnections()
	lat := make([]time.Duration, b.N)
	var next atomic.Int64
	var failed atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				t0 := time.Now()
				res, err := client.Do(newReq())
				if err != nil {
					failed.Add(1)
					continue
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != 200 {
					failed.Add(1)
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if f := failed.Load(); f > 0 {
		b.Fatalf("%d of %d requests failed", f, b.N)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 { return float64(lat[int(float64(len(lat)-1)*p)].Microseconds()) / 1000 }
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

// BenchmarkHealthz64 is GET /healthz at 64 concurrent clients.
func BenchmarkHealthz64(b *testing.B) {
	e := newEnvB(b)
	loadTest(b, 64, func() *http.Request {
		r, _ := http.NewRequest("GET", e.ts.URL+"/healthz", nil)
		return r
	})
}

// BenchmarkAuthenticatedRead64 is GET /api/v1/me — a session lookup, the
// user read from the store and Casbin's check — at 64 concurrent clients.
func BenchmarkAuthenticatedRead64(b *testing.B) {
	e := newEnvB(b)
	sec := e.login("officer")
	loadTest(b, 64, func() *http.Request {
		r, _ := http.NewRequest("GET", e.ts.URL+"/api/v1/me", nil)
		r.Header.Set("Cookie", "kedai_session="+sec)
		return r
	})
}

// BenchmarkStoreRead64 is GET /api/v1/users/:id — a store-backed read of
// one document after authentication — at 64 concurrent clients.
func BenchmarkStoreRead64(b *testing.B) {
	e := newEnvB(b)
	sec := e.login("admin")
	id := e.users["officer"].ID
	loadTest(b, 64, func() *http.Request {
		r, _ := http.NewRequest("GET", e.ts.URL+"/api/v1/users/"+id, nil)
		r.Header.Set("Cookie", "kedai_session="+sec)
		return r
	})
}

// BenchmarkGuard measures what authentication plus authorization add to a
// request: the session lookup, the user read and the Casbin decision.
func BenchmarkGuard(b *testing.B) {
	e := newEnvB(b)
	sec := e.login("officer")
	ctx := context.Background()
	lat := make([]time.Duration, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		cl, err := e.ids.Authenticate(ctx, sec)
		if err != nil {
			b.Fatal(err)
		}
		if !e.enf.RoleAllowed(cl.User.Role, "application", "read") {
			b.Fatal("denied")
		}
		lat[i] = time.Since(t0)
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1000, "p50-µs")
}

// BenchmarkLogin is one log-in: argon2id verification and a new session.
func BenchmarkLogin(b *testing.B) {
	e := newEnvB(b)
	ctx := context.Background()
	lat := make([]time.Duration, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, _, err := e.ids.Login(ctx, "analyst", testPW, "127.0.0.1"); err != nil {
			b.Fatal(err)
		}
		lat[i] = time.Since(t0)
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
}
