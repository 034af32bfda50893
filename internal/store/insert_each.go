package store

import (
	"context"
	"database/sql"
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
	err := c.s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		stored = append(stored[:0], errs...) // the write may run again
		stmt, err := tx.PrepareContext(ctx, "INSERT INTO "+c.table+" (id, version, doc) VALUES (?, 1, ?)")
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
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return stored, nil
}
