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

// writeStmts are a collection's statements of the group-commit writer,
// prepared once on the writer's connection: preparing was a tenth of the
// writer's time per write (issue 19). They are prepared by the caller
// before its write is queued, never by the writer, which holds the one
// connection a preparation needs.
type writeStmts struct {
	insert, update, delete preparedStmt
	get                    preparedStmt // a read inside a write (InsertEachOrGet)
}

// wstmt returns the statement prepared once on the writer's connection, or
// nil when it cannot be prepared now (the write then prepares its
// statement itself and reports what fails).
func (c *sqliteColl) wstmt(ctx context.Context, p *preparedStmt, query string) *sql.Stmt {
	st, err := p.on(ctx, c.s.wdb, query)
	if err != nil {
		return nil
	}
	return st
}

// txStmt returns st bound to tx (prepared already on the writer's one
// connection), or query prepared on tx when st is nil.
func txStmt(ctx context.Context, tx *sql.Tx, st *sql.Stmt, query string) (*sql.Stmt, error) {
	if st != nil {
		return tx.StmtContext(ctx, st), nil
	}
	return tx.PrepareContext(ctx, query)
}
