package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"sync"

	"go.mongodb.org/mongo-driver/v2/bson"

	"kedaitong"
)

// Batched reads and version-guarded writes, for throughput (the data hub's
// imports): GetMany reads many documents by id in one query, ReplaceMany
// replaces many in one transaction on SQLite (one statement prepared once,
// one commit and sync).

// Replacement is a document for ReplaceMany: it replaces the document with
// the id when that is still at Version.
type Replacement struct {
	ID      string
	Version int64
	Doc     any
}

func checkIDs(ids []string, check func(string) error) error {
	if len(ids) > MaxBatch {
		return kedaitong.Errorf(kedaitong.EInvalid, "at most %d documents in one batch, not %d", MaxBatch, len(ids)).ZHf("一批最多 %d 个文档，而不是 %d 个", MaxBatch, len(ids))
	}
	for _, id := range ids {
		if err := check(id); err != nil {
			return err
		}
	}
	return nil
}

// GetMany returns the documents with the ids in one query, in no
// particular order; ids with no document are left out. At most MaxBatch ids.
func (c *sqliteColl) GetMany(ctx context.Context, ids []string) ([]Doc, error) {
	if err := checkIDs(ids, sqCheckID); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return []Doc{}, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	q := "SELECT id, version, doc FROM " + c.table + " WHERE id IN (?" + strings.Repeat(", ?", len(ids)-1) + ")"
	rows, err := c.s.rdb.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, sqliteErr(err, "get from %s", c.name)
	}
	defer rows.Close()
	out := make([]Doc, 0, len(ids))
	for rows.Next() {
		var d Doc
		var data []byte
		if err := rows.Scan(&d.ID, &d.Version, &data); err != nil {
			return nil, sqliteErr(err, "get from %s", c.name)
		}
		d.Data = json.RawMessage(data)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, sqliteErr(err, "get from %s", c.name)
	}
	return out, nil
}

// ReplaceMany replaces the documents in one write of the group commit: one
// prepared statement, one commit. Each is replaced or refused on its own as
// Replace would (ENotFound, EConflict for a stale version or a broken unique
// key); a stored one is at its Version+1. The error is for the batch when
// nothing can be said of the documents.
func (c *sqliteColl) ReplaceMany(ctx context.Context, docs []Replacement) ([]error, error) {
	if len(docs) > MaxBatch {
		return nil, checkIDs(make([]string, len(docs)), func(string) error { return nil })
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
	var out []error
	err := c.s.writeMulti(ctx, func(ctx context.Context, tx *sql.Tx) error {
		out = append(out[:0], errs...) // the batch may run again
		stmt, err := tx.PrepareContext(ctx, "UPDATE "+c.table+" SET version = version + 1, doc = ? WHERE id = ? AND version = ?")
		if err != nil {
			return sqliteErr(err, "replace in %s", c.name)
		}
		defer stmt.Close()
		for i, d := range docs {
			if out[i] != nil {
				continue
			}
			res, err := stmt.ExecContext(ctx, datas[i], d.ID, d.Version)
			if err != nil {
				e := sqliteErr(err, "replace %s %q", c.name, d.ID)
				if !kedaitong.Is(e, kedaitong.EConflict) {
					return e
				}
				out[i] = e
				continue
			}
			if n, err := res.RowsAffected(); err != nil {
				return sqliteErr(err, "replace %s %q", c.name, d.ID)
			} else if n == 1 {
				continue
			}
			var now int64
			err = tx.QueryRowContext(ctx, "SELECT version FROM "+c.table+" WHERE id = ?", d.ID).Scan(&now)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				out[i] = kedaitong.Errorf(kedaitong.ENotFound, "%s %q not found", c.name, d.ID).ZHf("未找到 %s %q", c.name, d.ID)
			case err != nil:
				return sqliteErr(err, "replace %s %q", c.name, d.ID)
			default:
				out[i] = kedaitong.Errorf(kedaitong.EConflict, "%s %q was changed by someone else (version %d, not %d); reload and try again", c.name, d.ID, now, d.Version).ZHf("%s %q 已被他人修改（当前版本 %d，而不是 %d），请刷新后重试", c.name, d.ID, now, d.Version)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GetMany returns the documents with the ids in one find; ids with no
// document are left out. At most MaxBatch ids.
func (c *mongoCollection) GetMany(ctx context.Context, ids []string) ([]Doc, error) {
	if err := checkIDs(ids, checkMongoID); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return []Doc{}, nil
	}
	cur, err := c.c.Find(ctx, bson.D{{Key: mongoIDKey, Value: bson.D{{Key: "$in", Value: ids}}}})
	if err != nil {
		return nil, mongoErr(err, "get from %s", c.name)
	}
	defer cur.Close(ctx)
	out := make([]Doc, 0, len(ids))
	for cur.Next(ctx) {
		d, err := bsonToDoc(cur.Current)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	if err := cur.Err(); err != nil {
		return nil, mongoErr(err, "get from %s", c.name)
	}
	return out, nil
}

// ReplaceMany replaces the documents with version-guarded replaces issued
// a few at a time (a bulk write does not say which of its replaces
// matched); each is replaced or refused on its own, as Replace would.
func (c *mongoCollection) ReplaceMany(ctx context.Context, docs []Replacement) ([]error, error) {
	if len(docs) > MaxBatch {
		return nil, checkIDs(make([]string, len(docs)), func(string) error { return nil })
	}
	errs := make([]error, len(docs))
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		fatal error
	)
	sem := make(chan struct{}, 16)
	for i, d := range docs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			_, err := c.Replace(ctx, d.ID, d.Version, d.Doc)
			switch {
			case err == nil:
			case kedaitong.Is(err, kedaitong.EConflict), kedaitong.Is(err, kedaitong.ENotFound), kedaitong.Is(err, kedaitong.EInvalid):
				errs[i] = err
			default:
				mu.Lock()
				if fatal == nil {
					fatal = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if fatal != nil {
		return nil, fatal
	}
	return errs, nil
}
