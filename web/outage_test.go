package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"kedaitong/app"
	"kedaitong/internal/config"
	"kedaitong/internal/store"
	"kedaitong/internal/store/ferrettest"
)

// TestReadyzFollowsTheStore runs the platform on MongoDB (the FerretDB
// stand-in): /readyz is 200, 503 while the database is down, and 200 again
// once it is back — without restarting the server.
func TestReadyzFollowsTheStore(t *testing.T) {
	dir := t.TempDir()
	fdb := ferrettest.Start(t, dir, "")
	ctx := context.Background()
	st, err := store.OpenMongo(ctx, fdb.URI("kedai_outage"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	a, err := app.New(ctx, st, config.Config{ShutdownGrace: time.Second}, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(a.Server.Handler())
	t.Cleanup(ts.Close)
	e := &env{t: t, ts: ts}
	if r := e.do("GET", "/readyz", ""); r.status != 200 || r.json(t)["store"] != "mongodb" {
		t.Fatalf("readyz = %d %s, want 200 on mongodb", r.status, r.body)
	}
	fdb.Stop()
	r := e.do("GET", "/readyz", "")
	if r.status != 503 || r.errorCode(t) != "unavailable" {
		t.Fatalf("readyz with the database down = %d %s, want 503", r.status, r.body)
	}
	if m := e.do("GET", "/metrics", ""); m.status != 200 || !strings.Contains(string(m.body), "kedai_store_up 0") {
		t.Errorf("metrics while down = %d, want 200 with kedai_store_up 0", m.status)
	}
	ferrettest.Start(t, dir, fdb.Addr)
	deadline := time.Now().Add(15 * time.Second)
	for {
		r := e.do("GET", "/readyz", "")
		if r.status == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("readyz still %d after the database came back", r.status)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if r := e.do("GET", "/healthz", ""); r.status != 200 {
		t.Errorf("healthz = %d", r.status)
	}
}
