package store

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// Disk space. A full disk must not leave an action stored without its audit
// entry, and an audit entry needs more room than most actions (it touches
// many indexes). So the SQLite store keeps a reserve: when the free space
// of the data folder's file system falls under it, ordinary writes are
// refused with "storage is full" (EUnavailable, 503) before SQLite itself
// runs out, while essential writes (Essential: the audit log's appends) may
// still use the reserve. An action admitted just before the limit can so
// always be followed by its audit entry. A write that SQLite refuses for a
// full disk (SQLITE_FULL, ENOSPC) fails with the same error.

// defaultReserve is the most space kept for essential writes; on small file
// systems it is a twentieth of their size, at least minReserve.
const (
	defaultReserve = 64 << 20
	minReserve     = 1 << 20
)

// spaceGuard decides whether a batch of writes may run.
type spaceGuard struct {
	dir     string
	reserve int64 // < 0: no reserve
	free    func(dir string) (free, total uint64, err error)
}

func newSpaceGuard(dir string, opt SQLiteOptions) *spaceGuard {
	g := &spaceGuard{dir: dir, reserve: opt.ReserveBytes, free: diskFree}
	if opt.FreeSpace != nil {
		g.free = opt.FreeSpace
	}
	return g
}

// reserveFor is the reserve on a file system of total bytes.
func (g *spaceGuard) reserveFor(total uint64) uint64 {
	if g.reserve < 0 {
		return 0
	}
	if g.reserve > 0 {
		return uint64(g.reserve)
	}
	r := min(uint64(defaultReserve), total/20)
	return max(r, minReserve)
}

// lowOnSpace reports whether ordinary writes must be refused now.
func (g *spaceGuard) lowOnSpace() bool {
	free, total, err := g.free(g.dir)
	if err != nil || total == 0 {
		return false // cannot tell: let SQLite find out
	}
	return free < g.reserveFor(total)
}

// admit fails the ordinary writes of a batch when space is low and returns
// the writes that may run.
func (g *spaceGuard) admit(ops []*sqWriteOp) []*sqWriteOp {
	ordinary := false
	for _, op := range ops {
		if !op.essential {
			ordinary = true
			break
		}
	}
	if !ordinary || !g.lowOnSpace() {
		return ops
	}
	keep := ops[:0:0]
	for _, op := range ops {
		if op.essential {
			keep = append(keep, op)
		} else {
			op.done <- errStorageFull(nil)
		}
	}
	return keep
}

// readyFor is how long an answer of Writable is reused.
const readyFor = 2 * time.Second

// readiness caches the answer of a write probe.
type readiness struct {
	mu   sync.Mutex
	at   time.Time
	err  error
	wait chan struct{} // closed when the probe in flight ends; nil when none
}

// check returns the cached answer or runs probe (one at a time).
func (r *readiness) check(ctx context.Context, probe func(context.Context) error) error {
	r.mu.Lock()
	if !r.at.IsZero() && time.Since(r.at) < readyFor {
		err := r.err
		r.mu.Unlock()
		return err
	}
	if r.wait != nil {
		wait := r.wait
		r.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return sqliteErr(ctx.Err(), "readiness probe")
		}
		r.mu.Lock()
		err := r.err
		r.mu.Unlock()
		return err
	}
	wait := make(chan struct{})
	r.wait = wait
	r.mu.Unlock()
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	err := probe(pctx)
	cancel()
	r.mu.Lock()
	r.at, r.err, r.wait = time.Now(), err, nil
	r.mu.Unlock()
	close(wait)
	return err
}

// Writable reports whether the store accepts writes now: one small write
// through the writer (refused as any ordinary write would be when space is
// low), its answer reused for two seconds. EUnavailable when not.
func (s *SQLite) Writable(ctx context.Context) error {
	return s.ready.check(ctx, func(ctx context.Context) error {
		return s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO kedai_meta (k, v) VALUES ('write_probe', ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v",
				time.Now().UTC().Format(time.RFC3339Nano))
			return sqliteErr(err, "write probe")
		})
	})
}
