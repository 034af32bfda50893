package store

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// preparedStmt is a statement of the readers' pool prepared once: database/sql
// then keeps it prepared on each connection that ran it, so a frequent read
// (Get) is not parsed again on every call — parsing was a third of a Get's
// cost, and Get is what every authenticated request does (issue 19).
type preparedStmt struct {
	ready atomic.Pointer[sql.Stmt]
	mu    sync.Mutex // held while preparing
}

// on returns the statement, preparing it on db the first time (a failed
// preparation is tried again on the next call).
func (p *preparedStmt) on(ctx context.Context, db *sql.DB, query string) (*sql.Stmt, error) {
	if st := p.ready.Load(); st != nil {
		return st, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if st := p.ready.Load(); st != nil {
		return st, nil
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	p.ready.Store(st)
	return st, nil
}
