package store_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"kedaitong"
	"kedaitong/internal/store"
)

// wantFull fails the test unless err is the storage-full error: 503's code,
// a plain English and Chinese message.
func wantFull(t *testing.T, what string, err error) {
	t.Helper()
	if !store.IsStorageFull(err) || kedaitong.ErrorCode(err) != kedaitong.EUnavailable ||
		!strings.HasPrefix(kedaitong.ErrorMessage(err), "storage is full") ||
		!strings.HasPrefix(kedaitong.MessageIn(err, "zh-CN"), "存储空间已满") {
		t.Errorf("%s: got %v (code %q), want the storage-full error", what, err, kedaitong.ErrorCode(err))
	}
}

// TestSQLiteLowSpace: below the reserve, ordinary writes are refused with
// "storage is full" and the store is not writable, while essential writes
// (the audit log's) still go through; with room again, everything works.
func TestSQLiteLowSpace(t *testing.T) {
	ctx := context.Background()
	var free atomic.Uint64
	free.Store(1 << 30)
	s, err := store.OpenSQLiteWith(ctx, t.TempDir(), store.SQLiteOptions{NoSync: true, ReserveBytes: 8 << 20,
		FreeSpace: func(string) (uint64, uint64, error) { return free.Load(), 2 << 30, nil }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := s.Collection(ctx, store.CollectionDef{Name: "acts"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Writable(ctx); err != nil {
		t.Fatalf("Writable with room: %v", err)
	}
	if err := c.Insert(ctx, "a1", map[string]any{"n": 1}); err != nil {
		t.Fatal(err)
	}
	free.Store(4 << 20) // under the 8 MiB reserve
	wantFull(t, "Insert", c.Insert(ctx, "a2", map[string]any{"n": 2}))
	_, err = c.Replace(ctx, "a1", 1, map[string]any{"n": 3})
	wantFull(t, "Replace", err)
	_, err = c.Incr(ctx, "k", nil, map[string]int64{"n": 1})
	wantFull(t, "Incr", err)
	wantFull(t, "Delete", c.Delete(ctx, "a1"))
	if _, err := c.Get(ctx, "a2", nil); !kedaitong.Is(err, kedaitong.ENotFound) {
		t.Errorf("a refused insert was stored: %v", err)
	}
	if err := c.Insert(store.Essential(ctx), "audit1", map[string]any{"n": 1}); err != nil {
		t.Errorf("an essential write under the reserve: %v", err)
	}
	// Writable's answer is cached for 2 s; a fresh store asks again.
	s2, err := store.OpenSQLiteWith(ctx, t.TempDir(), store.SQLiteOptions{NoSync: true, ReserveBytes: 8 << 20,
		FreeSpace: func(string) (uint64, uint64, error) { return free.Load(), 2 << 30, nil }})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	wantFull(t, "Writable under the reserve", s2.Writable(ctx))
	free.Store(1 << 30)
	if err := c.Insert(ctx, "a3", map[string]any{"n": 3}); err != nil {
		t.Errorf("Insert with room again: %v", err)
	}
}

// TestSQLiteFullDiskErrors: SQLite's and the system's full-disk errors,
// wherever in a write they happen, fail that write with "storage is full"
// and store nothing of it; the writes of the same batch that were not hit
// are unaffected when the failure was their own statement.
func TestSQLiteFullDiskErrors(t *testing.T) {
	ctx := context.Background()
	var point atomic.Value
	point.Store("")
	type errBox struct{ err error }
	var cause atomic.Value
	cause.Store(errBox{syscall.ENOSPC})
	s, err := store.OpenSQLiteWith(ctx, t.TempDir(), store.SQLiteOptions{NoSync: true, ReserveBytes: -1,
		InjectWriteError: func(p string) error {
			if point.Load().(string) == p {
				return cause.Load().(errBox).err
			}
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := s.Collection(ctx, store.CollectionDef{Name: "acts"})
	if err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct {
		point string
		cause error
	}{
		{"commit", syscall.ENOSPC},
		{"commit", errors.New("database or disk is full (13)")},
		{"op", errors.New("write /data/kedaitong.db-wal: no space left on device")},
		{"begin", syscall.ENOSPC},
	} {
		point.Store(tc.point)
		cause.Store(errBox{tc.cause})
		id := "x" + string(rune('a'+i))
		wantFull(t, tc.point+": "+tc.cause.Error(), c.Insert(ctx, id, map[string]any{"n": i}))
		point.Store("")
		if _, err := c.Get(ctx, id, nil); !kedaitong.Is(err, kedaitong.ENotFound) {
			t.Errorf("%s: the failed write was stored (%v)", tc.point, err)
		}
	}
	if err := c.Insert(ctx, "ok", map[string]any{"n": 1}); err != nil {
		t.Errorf("after the faults: %v", err)
	}
}
