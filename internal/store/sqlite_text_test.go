package store_test

import (
	"context"
	"database/sql"
	"testing"

	"kedaitong/internal/store"
	"kedaitong/internal/store/storetest"
)

// Documents are stored as TEXT (SQLite's JSON functions cache the parse of
// a text argument, not of a BLOB: one parse per write instead of one per
// expression index), whichever write stored them; documents stored as
// BLOBs by earlier versions are still read, found by their indexes,
// replaced and counted.
func TestSQLiteDocsStoredAsText(t *testing.T) {
	ctx := context.Background()
	s := storetest.NewSQLite(t)
	c, err := s.Collection(ctx, planDef)
	if err != nil {
		t.Fatal(err)
	}
	doc := func(code string, created int64) map[string]any {
		return map[string]any{"bank": "b1", "status": "new", "created": created, "code": code, "n": 1}
	}
	if err := c.Insert(ctx, "ins", doc("c-ins", 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Replace(ctx, "ins", 1, doc("c-ins", 2)); err != nil {
		t.Fatal(err)
	}
	if errs, err := c.InsertMany(ctx, []store.NewDoc{{ID: "many", Doc: doc("c-many", 3)}}); err != nil || errs[0] != nil {
		t.Fatal(errs, err)
	}
	if n, err := c.InsertChain(ctx, []store.NewDoc{{ID: "chain", Doc: doc("c-chain", 4)}}); err != nil || n != 1 {
		t.Fatal(n, err)
	}
	if errs, err := c.ReplaceMany(ctx, []store.Replacement{{ID: "many", Version: 1, Doc: doc("c-many", 5)}}); err != nil || errs[0] != nil {
		t.Fatal(errs, err)
	}
	if _, err := c.Incr(ctx, "incr", map[string]any{"bank": "b1", "status": "new", "created": int64(6), "code": "c-incr"}, map[string]int64{"n": 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Incr(ctx, "incr", nil, map[string]int64{"n": 1}); err != nil {
		t.Fatal(err)
	}

	raw, err := sql.Open("sqlite", "file:"+s.Path()+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.QueryContext(ctx, `SELECT id, typeof(doc) FROM apps ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var id, typ string
		if err := rows.Scan(&id, &typ); err != nil {
			t.Fatal(err)
		}
		if typ != "text" {
			t.Errorf("%s stored as %s, want text", id, typ)
		}
		n++
	}
	rows.Close()
	if n != 4 {
		t.Fatalf("%d documents, want 4", n)
	}

	// A document stored as a BLOB (as before): read, indexed, replaced.
	if _, err := raw.ExecContext(ctx, `INSERT INTO apps (id, version, doc) VALUES ('legacy', 1, CAST(? AS BLOB))`,
		`{"bank":"b2","status":"done","created":7,"code":"c-legacy","n":1}`); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if v, err := c.Get(ctx, "legacy", &got); err != nil || v != 1 || got["code"] != "c-legacy" {
		t.Fatalf("Get legacy: %v %v %v", v, got, err)
	}
	page, err := c.Find(ctx, store.Query{Eq: map[string]any{"bank": "b2"}, Sort: "created"})
	if err != nil || len(page.Docs) != 1 || page.Docs[0].ID != "legacy" {
		t.Fatalf("Find legacy: %+v %v", page, err)
	}
	if err := c.Insert(ctx, "dup", doc("c-legacy", 8)); err == nil {
		t.Fatal("a unique key taken by a BLOB document was accepted")
	}
	if _, err := c.Replace(ctx, "legacy", 1, map[string]any{"bank": "b3", "status": "done", "created": int64(9), "code": "c-legacy", "n": 2}); err != nil {
		t.Fatal(err)
	}
	if cnt, err := c.Count(ctx, store.Query{Eq: map[string]any{"bank": "b2"}}); err != nil || cnt != 0 {
		t.Fatalf("Count of the old index entry: %d %v", cnt, err)
	}
	if cnt, err := c.Count(ctx, store.Query{Eq: map[string]any{"bank": "b3"}}); err != nil || cnt != 1 {
		t.Fatalf("Count of the new index entry: %d %v", cnt, err)
	}
	var typ string
	if err := raw.QueryRowContext(ctx, `SELECT typeof(doc) FROM apps WHERE id = 'legacy'`).Scan(&typ); err != nil || typ != "text" {
		t.Fatalf("replaced legacy document stored as %s (%v), want text", typ, err)
	}
	if res, err := raw.QueryContext(ctx, `PRAGMA integrity_check`); err != nil {
		t.Fatal(err)
	} else {
		for res.Next() {
			var line string
			res.Scan(&line)
			if line != "ok" {
				t.Errorf("integrity_check: %s", line)
			}
		}
		res.Close()
	}
}
