package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"kedaitong/app"
	"kedaitong/internal/config"
	"kedaitong/internal/store/storetest"
)

func TestAPIRateLimit(t *testing.T) {
	a, err := app.New(context.Background(), storetest.New(t), config.Config{ShutdownGrace: time.Second, RateLimit: 1, RateLimitLoopback: true}, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(a.Server.Handler())
	t.Cleanup(ts.Close)
	e := &env{t: t, ts: ts}
	limited := 0
	for i := 0; i < 8; i++ {
		r := e.do("GET", "/api/v1/openapi.json", "")
		if r.status == 429 {
			limited++
			if r.header.Get("Retry-After") == "" || r.errorCode(t) != "rate_limited" {
				t.Errorf("429 without Retry-After or the contract's body: %s", r.body)
			}
		}
	}
	if limited == 0 {
		t.Fatal("8 quick requests at 1/s (burst 4) were never limited")
	}
	// Health checks are never limited.
	for i := 0; i < 8; i++ {
		if r := e.do("GET", "/healthz", ""); r.status != 200 {
			t.Fatalf("healthz = %d", r.status)
		}
	}
}

// TestAPIRateLimitSparesLoopback: by default local callers (the operator's
// tools, test suites on the same machine) are not limited.
func TestAPIRateLimitSparesLoopback(t *testing.T) {
	a, err := app.New(context.Background(), storetest.New(t), config.Config{ShutdownGrace: time.Second, RateLimit: 1}, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(a.Server.Handler())
	t.Cleanup(ts.Close)
	e := &env{t: t, ts: ts}
	for i := 0; i < 20; i++ {
		if r := e.do("GET", "/api/v1/openapi.json", ""); r.status != 200 {
			t.Fatalf("request %d from loopback = %d, want 200", i+1, r.status)
		}
	}
}
