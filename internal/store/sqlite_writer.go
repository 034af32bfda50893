package store

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"sync/atomic"

	"kedaitong"
)

// Group commit. Every write of a SQLite store is an operation handed to one
// writer goroutine, which runs the operations queued at that moment in one
// transaction — a failed operation undoes only itself: SQLite undoes a
// failed statement, and an operation of several changing statements runs in
// a savepoint — and commits them with one sync. Each caller is
// answered only after the commit of its batch returned: an acknowledged write
// is durable (synchronous=FULL), and a batch whose commit fails fails every
// write in it (none of them is stored). While a batch commits, the next
// one gathers in the queue, so concurrent writers share syncs instead of
// waiting for one each.

// maxBatchOps bounds the operations of one transaction.
const maxBatchOps = 512

// sqWriteOp is one write waiting for the writer.
type sqWriteOp struct {
	ctx       context.Context
	fn        func(ctx context.Context, tx *sql.Tx) error
	essential bool       // may use the space kept in reserve (audit entries)
	multi     bool       // changes rows with more than one statement: needs a savepoint
	done      chan error // buffered: the writer never blocks on it
}

// sqWriter is the goroutine that owns the store's writes.
type sqWriter struct {
	s     *SQLite
	queue chan *sqWriteOp

	mu     sync.Mutex // guards closed against sends on queue
	closed bool
	exited chan struct{}

	batches, ops atomic.Int64 // committed transactions and the operations in them
}

func newSQWriter(s *SQLite) *sqWriter {
	w := &sqWriter{s: s, queue: make(chan *sqWriteOp, 4*maxBatchOps), exited: make(chan struct{})}
	go w.loop()
	return w
}

// WriteStats is what the group-commit writer did so far: transactions
// committed and the write operations they held.
type WriteStats struct {
	Batches, Ops int64
}

// WriteStats returns the writer's counters (benchmarks, metrics).
func (s *SQLite) WriteStats() WriteStats {
	return WriteStats{Batches: s.w.batches.Load(), Ops: s.w.ops.Load()}
}

// write runs fn in the writer's transaction and returns once the transaction
// is committed (nil) or fn or the commit failed. fn must use only tx, must
// return an error from the kedaitong vocabulary (sqliteErr) and may run more
// than once when its batch is retried; its results count only when write
// returns nil.
//
// fn changes rows with at most one statement (it may read more): SQLite
// undoes a failed statement by itself, so it needs no savepoint. Writes of
// several changing statements use writeMulti.
func (s *SQLite) write(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	return s.w.do(ctx, fn, isEssential(ctx), false)
}

// writeMulti is write for an fn that changes rows with several statements:
// it runs in a savepoint, so that its failure undoes all of them.
func (s *SQLite) writeMulti(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	return s.w.do(ctx, fn, isEssential(ctx), true)
}

func (w *sqWriter) do(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error, essential, multi bool) error {
	if err := ctx.Err(); err != nil {
		return sqliteErr(err, "write")
	}
	op := &sqWriteOp{ctx: ctx, fn: fn, essential: essential, multi: multi, done: make(chan error, 1)}
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return storeClosed()
	}
	// The queue is large; a full queue blocks here (back-pressure) while
	// holding mu, which only close waits for.
	select {
	case w.queue <- op:
	case <-ctx.Done():
		w.mu.Unlock()
		return sqliteErr(ctx.Err(), "write")
	}
	w.mu.Unlock()
	select {
	case err := <-op.done:
		return err
	case <-ctx.Done():
		// The write may still be committed; the caller is not told it was.
		return sqliteErr(ctx.Err(), "write")
	}
}

func storeClosed() error {
	return kedaitong.Errorf(kedaitong.EUnavailable, "the store is closed").ZHf("存储已关闭")
}

// close stops taking writes, finishes those queued and waits for the writer.
func (w *sqWriter) close() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.queue)
	}
	w.mu.Unlock()
	<-w.exited
}

func (w *sqWriter) loop() {
	defer close(w.exited)
	for op := range w.queue {
		batch := []*sqWriteOp{op}
	gather:
		for len(batch) < maxBatchOps {
			select {
			case op, ok := <-w.queue:
				if !ok {
					break gather
				}
				batch = append(batch, op)
			default:
				break gather
			}
		}
		w.run(batch)
	}
}

// run executes one batch. Operations whose caller gave up are skipped; the
// others run in savepoints of one transaction. When a failing statement
// took the whole transaction with it (SQLite rolls back on a full disk or an
// I/O error), that operation gets its error and the others run again in a
// new transaction.
func (w *sqWriter) run(batch []*sqWriteOp) {
	ctx := context.Background()
	live := batch[:0:0]
	for _, op := range batch {
		if err := op.ctx.Err(); err != nil {
			op.done <- sqliteErr(err, "write")
			continue
		}
		live = append(live, op)
	}
	if len(live) == 0 {
		return
	}
	live = w.s.space.admit(live)
	if len(live) == 0 {
		return
	}
	for len(live) > 0 {
		live = w.attempt(ctx, live)
	}
}

// attempt runs ops in one transaction and returns the operations to run
// again (none, unless the transaction was lost part-way).
func (w *sqWriter) attempt(ctx context.Context, ops []*sqWriteOp) (retry []*sqWriteOp) {
	fail := func(ops []*sqWriteOp, err error) {
		for _, op := range ops {
			op.done <- err
		}
	}
	if err := w.s.injected("begin"); err != nil {
		fail(ops, sqliteErr(err, "begin a write"))
		return nil
	}
	tx, err := w.s.wdb.BeginTx(ctx, nil)
	if err != nil {
		fail(ops, sqliteErr(err, "begin a write"))
		return nil
	}
	ok := make([]*sqWriteOp, 0, len(ops))
	for i, op := range ops {
		if !op.multi {
			err := op.fn(context.WithoutCancel(op.ctx), tx)
			if err == nil {
				err = sqliteErr(w.s.injected("op"), "write")
			}
			switch {
			case err == nil:
				ok = append(ok, op)
			case statementOnly(err):
				op.done <- err // its one statement changed nothing
			default:
				// A full disk, an I/O error, a busy lock: the transaction
				// may be gone. This operation failed; the ones before it
				// are undone and run again.
				tx.Rollback()
				fail(ops[i:i+1], err)
				return append(ok, ops[i+1:]...)
			}
			continue
		}
		if _, err := tx.ExecContext(ctx, "SAVEPOINT w"); err != nil {
			tx.Rollback()
			fail(ops[i:i+1], sqliteErr(err, "write"))
			return append(ok, ops[i+1:]...)
		}
		err := op.fn(context.WithoutCancel(op.ctx), tx)
		if err == nil {
			err = sqliteErr(w.s.injected("op"), "write")
		}
		if err == nil {
			if _, err := tx.ExecContext(ctx, "RELEASE w"); err != nil {
				tx.Rollback()
				fail(ops[i:i+1], sqliteErr(err, "write"))
				return append(ok, ops[i+1:]...)
			}
			ok = append(ok, op)
			continue
		}
		if _, rerr := tx.ExecContext(ctx, "ROLLBACK TO w"); rerr != nil {
			// The transaction is gone: this operation failed, the ones
			// before it were undone and run again.
			tx.Rollback()
			fail(ops[i:i+1], err)
			return append(ok, ops[i+1:]...)
		}
		if _, rerr := tx.ExecContext(ctx, "RELEASE w"); rerr != nil {
			tx.Rollback()
			fail(ops[i:i+1], err)
			return append(ok, ops[i+1:]...)
		}
		// Its statements are undone; it may learn so before the commit.
		op.done <- err
	}
	if len(ok) == 0 {
		tx.Rollback()
		return nil
	}
	err = w.s.injected("commit")
	if err == nil {
		err = tx.Commit()
	} else {
		tx.Rollback()
	}
	if err != nil {
		fail(ok, sqliteErr(err, "commit"))
		return nil
	}
	w.batches.Add(1)
	w.ops.Add(int64(len(ok)))
	w.s.ckpt.committed()
	fail(ok, nil)
	return nil
}

// statementOnly reports whether a single-statement write's error leaves the
// transaction as it was: a broken constraint (SQLite undoes the statement),
// or a refusal decided without changing anything.
func statementOnly(err error) bool {
	switch kedaitong.ErrorCode(err) {
	case kedaitong.EConflict, kedaitong.ENotFound, kedaitong.EInvalid, kedaitong.ETooLarge:
		return true
	}
	return false
}

// essentialKey marks a context whose writes may use the reserve.
type essentialKey struct{}

// Essential returns a context whose writes may use the disk space the
// SQLite store keeps in reserve once ordinary writes are refused for lack of
// space. The audit log appends with it, so that an action admitted while
// there was room can always be followed by its audit entry.
func Essential(ctx context.Context) context.Context {
	return context.WithValue(ctx, essentialKey{}, true)
}

func isEssential(ctx context.Context) bool {
	v, _ := ctx.Value(essentialKey{}).(bool)
	return v
}

// injected returns the error a test asked for at this point, if any.
func (s *SQLite) injected(point string) error {
	f := s.opt.InjectWriteError
	if f == nil {
		return nil
	}
	return f(point)
}

// errStorageFull is the error of a write refused or failed for lack of space.
func errStorageFull(cause error) error {
	return &kedaitong.Error{Code: kedaitong.EUnavailable, Err: cause,
		Message: "storage is full: the server cannot save changes until an operator frees disk space",
		ZH:      "存储空间已满：在运维人员释放磁盘空间之前，系统无法保存更改"}
}

// IsStorageFull reports whether err says that the store ran out of space.
func IsStorageFull(err error) bool {
	var ke *kedaitong.Error
	for errors.As(err, &ke) {
		if ke.Code == kedaitong.EUnavailable && len(ke.Message) >= 15 && ke.Message[:15] == "storage is full" {
			return true
		}
		if ke.Err == nil {
			return false
		}
		err = ke.Err
	}
	return false
}
