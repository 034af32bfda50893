package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"kedaitong"
)

// InsertEach is InsertMany for the hot path of ingestion (a crawl's items,
// their term links and dedupe buckets): each document is stored or refused
// on its own, exactly as InsertMany does, and the caller is answered only
// once the batch it rode in is durable. On SQLite it runs as one statement
// after another inside the group commit's transaction without a savepoint:
// a refused insert (a taken id or unique key) is undone by SQLite itself,
// and any other failure may have lost the transaction, so the whole write
// fails and the writer runs the other writes of its batch again. A
// savepoint per write journals the original of every page it touches (in
// memory), which cost a third of the first crawl's CPU in allocating and
// freeing those pages. On MongoDB it is InsertMany (one unordered
// insertMany).
func InsertEach(ctx context.Context, c Collection, docs []NewDoc) ([]error, error) {
	if e, ok := c.(interface {
		insertEach(context.Context, []NewDoc) ([]error, error)
	}); ok {
		return e.insertEach(ctx, docs)
	}
	return c.InsertMany(ctx, docs)
}

func (c *sqliteColl) insertEach(ctx context.Context, docs []NewDoc) ([]error, error) {
	return c.insertEachWith(ctx, docs, nil)
}

// insertEachWith is insertEach; when refused is set, it is called at each
// run of the write (in its transaction; a write may run more than once)
// for a function told of each document refused as a conflict (an error
// from it fails the write).
func (c *sqliteColl) insertEachWith(ctx context.Context, docs []NewDoc, refused func(ctx context.Context, tx *sql.Tx) func(i int) error) ([]error, error) {
	if err := checkBatch(docs); err != nil {
		return nil, err
	}
	errs := make([]error, len(docs))
	if len(docs) == 0 {
		return errs, nil
	}
	datas := make([]any, len(docs)) // as sqMarshal encodes them
	some := false
	for i, d := range docs {
		if err := sqCheckID(d.ID); err != nil {
			errs[i] = err
			continue
		}
		data, err := sqMarshal(d.Doc)
		if err != nil {
			errs[i] = err
			continue
		}
		datas[i] = data
		some = true
	}
	if !some {
		return errs, nil
	}
	var stored []error
	q := c.insertSQL()
	ps := c.wstmt(ctx, &c.w.insert, q) // prepared once on the writer's connection
	err := c.s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		stored = append(stored[:0], errs...) // the write may run again
		var onRefused func(i int) error
		if refused != nil {
			onRefused = refused(ctx, tx)
		}
		stmt, err := txStmt(ctx, tx, ps, q)
		if err != nil {
			return sqliteErr(err, "insert into %s", c.name)
		}
		defer stmt.Close()
		for i, d := range docs {
			if stored[i] != nil {
				continue
			}
			if _, err := stmt.ExecContext(ctx, d.ID, datas[i]); err != nil {
				e := sqliteErr(err, "insert %s %q", c.name, d.ID)
				if !statementOnly(e) {
					// The transaction may be gone: nothing of this write
					// is kept (the writer rolls back and runs the others
					// of its batch again).
					return e
				}
				stored[i] = e // undone by SQLite; the others stay
				if onRefused != nil && kedaitong.Is(e, kedaitong.EConflict) {
					if err := onRefused(i); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return stored, nil
}

// InsertEachOrGet is InsertEach that also answers, for each document
// refused because its id is taken, the document stored under that id (nil
// for the others): a claim (a crawl's dedupe buckets) learns who holds it
// without a second round trip. On SQLite the holder is read in the write's
// own transaction, right after the refused insert found it (its page is in
// the writer's cache; a read on the readers' pool was an eighth of a
// crawl's CPU, on cold pages). Elsewhere it is InsertEach, then GetMany of
// the refused ids. A holder deleted between the two (MongoDB) is nil.
func InsertEachOrGet(ctx context.Context, c Collection, docs []NewDoc) (taken []*Doc, errs []error, err error) {
	if e, ok := c.(*sqliteColl); ok {
		return e.insertEachOrGet(ctx, docs)
	}
	errs, err = InsertEach(ctx, c, docs)
	if err != nil {
		return nil, nil, err
	}
	taken = make([]*Doc, len(docs))
	var ids []string
	at := map[string][]int{}
	for i, e := range errs {
		if kedaitong.Is(e, kedaitong.EConflict) {
			if _, ok := at[docs[i].ID]; !ok {
				ids = append(ids, docs[i].ID)
			}
			at[docs[i].ID] = append(at[docs[i].ID], i)
		}
	}
	if len(ids) == 0 {
		return taken, errs, nil
	}
	got, err := c.GetMany(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	for k := range got {
		for _, i := range at[got[k].ID] {
			taken[i] = &got[k]
		}
	}
	return taken, errs, nil
}

func (c *sqliteColl) insertEachOrGet(ctx context.Context, docs []NewDoc) ([]*Doc, []error, error) {
	var taken []*Doc
	q := "SELECT version, doc FROM " + c.table + " WHERE id = ?"
	ps := c.wstmt(ctx, &c.w.get, q)
	errs, err := c.insertEachWith(ctx, docs, func(ctx context.Context, tx *sql.Tx) func(i int) error {
		taken = make([]*Doc, len(docs)) // the write may run again
		var get *sql.Stmt
		return func(i int) error {
			if get == nil {
				var err error
				if get, err = txStmt(ctx, tx, ps, q); err != nil {
					return sqliteErr(err, "get from %s", c.name)
				}
			}
			d := Doc{ID: docs[i].ID}
			var data []byte
			err := get.QueryRowContext(ctx, d.ID).Scan(&d.Version, &data)
			if errors.Is(err, sql.ErrNoRows) {
				return nil // refused for a unique key, not its id
			}
			if err != nil {
				return sqliteErr(err, "get from %s", c.name)
			}
			d.Data = json.RawMessage(data)
			taken[i] = &d
			return nil
		}
	})
	if err != nil {
		return nil, nil, err
	}
	return taken, errs, nil
}
