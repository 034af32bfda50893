package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"kedaitong/app"
	"kedaitong/internal/config"
	"kedaitong/internal/store"
)

// TestReadyzWhenStorageIsFull: /readyz is 503 "storage is full" (in
// Chinese when asked) once the store refuses writes for lack of space, and
// 200 again when space is back, without a restart.
func TestReadyzWhenStorageIsFull(t *testing.T) {
	ctx := context.Background()
	var free atomic.Uint64
	free.Store(1 << 30)
	st, err := store.OpenSQLiteWith(ctx, t.TempDir(), store.SQLiteOptions{NoSync: true, ReserveBytes: 8 << 20,
		FreeSpace: func(string) (uint64, uint64, error) { return free.Load(), 4 << 30, nil }})
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
	if r := e.do("GET", "/readyz", ""); r.status != 200 {
		t.Fatalf("readyz = %d %s, want 200", r.status, r.body)
	}
	free.Store(1 << 20)
	waitStatus := func(want int) resp {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			r := e.do("GET", "/readyz", "", "Accept-Language", "zh-CN")
			if r.status == want {
				return r
			}
			if time.Now().After(deadline) {
				t.Fatalf("readyz stayed %d %s, want %d", r.status, r.body, want)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	r := waitStatus(503)
	if r.errorCode(t) != "unavailable" || !strings.Contains(string(r.body), "存储空间已满") {
		t.Errorf("readyz on a full disk = %s, want unavailable saying storage is full in Chinese", r.body)
	}
	if r := e.do("GET", "/healthz", ""); r.status != 200 {
		t.Errorf("healthz on a full disk = %d, want 200 (alive, not ready)", r.status)
	}
	free.Store(1 << 30)
	waitStatus(200)
}
