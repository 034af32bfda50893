package store

import (
	"context"
	"database/sql"
	"errors"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"kedaitong"
)

func checkBatch(docs []NewDoc) error {
	if len(docs) > MaxBatch {
		return kedaitong.Errorf(kedaitong.EInvalid, "at most %d documents in one batch, not %d", MaxBatch, len(docs)).ZHf("一批最多 %d 个文档，而不是 %d 个", MaxBatch, len(docs))
	}
	return nil
}

// InsertMany inserts the documents in one SQLite transaction (one commit,
// one sync): a refused statement rolls back only itself, so each document
// is stored or refused on its own.
func (c *sqliteColl) InsertMany(ctx context.Context, docs []NewDoc) ([]error, error) {
	if err := checkBatch(docs); err != nil {
		return nil, err
	}
	errs := make([]error, len(docs))
	if len(docs) == 0 {
		return errs, nil
	}
	datas := make([]string, len(docs))
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
	}
	var stored []error
	q := c.insertSQL()
	ps := c.wstmt(ctx, &c.w.insert, q)
	err := c.s.writeMulti(ctx, func(ctx context.Context, tx *sql.Tx) error {
		stored = append(stored[:0], errs...)
		stmt, err := txStmt(ctx, tx, ps, q)
		if err != nil {
			return sqliteErr(err, "insert into %s", c.name)
		}
		for i, d := range docs {
			if stored[i] != nil {
				continue
			}
			if _, err := stmt.ExecContext(ctx, d.ID, datas[i]); err != nil {
				e := sqliteErr(err, "insert %s %q", c.name, d.ID)
				if !kedaitong.Is(e, kedaitong.EConflict) {
					return e
				}
				stored[i] = e
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return stored, nil
}

// InsertChain inserts the documents in order in one write of the group
// commit: the prefix stored before a refused document is committed.
func (c *sqliteColl) InsertChain(ctx context.Context, docs []NewDoc) (int, error) {
	if err := checkBatch(docs); err != nil {
		return 0, err
	}
	datas := make([]string, 0, len(docs))
	var bad error // why docs[len(datas)] cannot be stored
	for _, d := range docs {
		if bad = sqCheckID(d.ID); bad != nil {
			break
		}
		data, err := sqMarshal(d.Doc)
		if err != nil {
			bad = err
			break
		}
		datas = append(datas, data)
	}
	if len(datas) == 0 {
		return 0, bad
	}
	var n int
	var refused error
	// No savepoint (a chain is often one audit entry, and a savepoint's
	// sub-journal costs more than the insert): the prefix before a refused
	// document is kept by design, SQLite undoes the refused statement
	// itself, and an error that may have lost the transaction is returned,
	// so the writer rolls it back and runs the rest of the batch again.
	q := c.insertSQL()
	ps := c.wstmt(ctx, &c.w.insert, q)
	err := c.s.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		n, refused = 0, nil
		stmt, err := txStmt(ctx, tx, ps, q)
		if err != nil {
			return sqliteErr(err, "insert into %s", c.name)
		}
		for i, data := range datas {
			if _, err := stmt.ExecContext(ctx, docs[i].ID, data); err != nil {
				e := sqliteErr(err, "insert %s %q", c.name, docs[i].ID)
				if i == 0 || !statementOnly(e) {
					if kedaitong.Is(e, kedaitong.EConflict) {
						refused = e
						return nil
					}
					return e // nothing of this write is kept
				}
				refused = e // the prefix stays; this statement was undone
				return nil
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if refused != nil {
		return n, refused
	}
	return n, bad
}

// InsertChain inserts the documents with one ordered insertMany, which
// stops at the first refused document.
func (c *mongoCollection) InsertChain(ctx context.Context, docs []NewDoc) (int, error) {
	if err := checkBatch(docs); err != nil {
		return 0, err
	}
	var batch []any
	var bad error
	for _, d := range docs {
		if bad = checkMongoID(d.ID); bad != nil {
			break
		}
		fields, err := docToBSON(d.Doc)
		if err != nil {
			bad = err
			break
		}
		full := make(bson.D, 0, len(fields)+2)
		full = append(full, bson.E{Key: mongoIDKey, Value: d.ID}, bson.E{Key: mongoVersionKey, Value: int64(1)})
		batch = append(batch, append(full, fields...))
	}
	if len(batch) == 0 {
		return 0, bad
	}
	_, err := c.c.InsertMany(ctx, batch, options.InsertMany().SetOrdered(true))
	if err == nil {
		return len(batch), bad
	}
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || len(bwe.WriteErrors) == 0 {
		return 0, mongoErr(err, "insert into %s", c.name)
	}
	we := bwe.WriteErrors[0]
	n := max(0, min(we.Index, len(batch)))
	if we.Code == 11000 || we.Code == 11001 {
		return n, kedaitong.Errorf(kedaitong.EConflict, "%s %q exists already (or breaks a unique key)", c.name, docs[n].ID).ZHf("%s %q 已存在（或违反唯一键）", c.name, docs[n].ID)
	}
	return n, mongoErr(we, "insert %s %q", c.name, docs[n].ID)
}

// InsertMany inserts the documents with one unordered insertMany: each is
// stored or refused on its own.
func (c *mongoCollection) InsertMany(ctx context.Context, docs []NewDoc) ([]error, error) {
	if err := checkBatch(docs); err != nil {
		return nil, err
	}
	errs := make([]error, len(docs))
	var batch []any
	var index []int // batch position → docs position
	for i, d := range docs {
		if err := checkMongoID(d.ID); err != nil {
			errs[i] = err
			continue
		}
		fields, err := docToBSON(d.Doc)
		if err != nil {
			errs[i] = err
			continue
		}
		full := make(bson.D, 0, len(fields)+2)
		full = append(full, bson.E{Key: mongoIDKey, Value: d.ID}, bson.E{Key: mongoVersionKey, Value: int64(1)})
		batch = append(batch, append(full, fields...))
		index = append(index, i)
	}
	if len(batch) == 0 {
		return errs, nil
	}
	_, err := c.c.InsertMany(ctx, batch, options.InsertMany().SetOrdered(false))
	if err == nil {
		return errs, nil
	}
	var bwe mongo.BulkWriteException
	if !errors.As(err, &bwe) || len(bwe.WriteErrors) == 0 {
		return nil, mongoErr(err, "insert into %s", c.name)
	}
	for _, we := range bwe.WriteErrors {
		if we.Index < 0 || we.Index >= len(index) {
			continue
		}
		i := index[we.Index]
		if we.Code == 11000 || we.Code == 11001 {
			errs[i] = kedaitong.Errorf(kedaitong.EConflict, "%s %q exists already (or breaks a unique key)", c.name, docs[i].ID).ZHf("%s %q 已存在（或违反唯一键）", c.name, docs[i].ID)
		} else {
			errs[i] = mongoErr(we, "insert %s %q", c.name, docs[i].ID)
		}
	}
	return errs, nil
}
