package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// largeSQLite is the SQLite store with every collection declared Large, so
// that the conformance suite (and the batch, file and insert suites that
// run on every backend) also runs on rowid tables.
type largeSQLite struct{ *SQLite }

func (s largeSQLite) Collection(ctx context.Context, def CollectionDef) (Collection, error) {
	def.Large = true
	return s.SQLite.Collection(ctx, def)
}

func init() {
	conformanceBackends = append(conformanceBackends,
		struct {
			name string
			open func(t *testing.T) Store
		}{"sqlite-large", func(t *testing.T) Store {
			s, err := OpenSQLite(context.Background(), t.TempDir())
			if err != nil {
				t.Fatalf("OpenSQLite: %v", err)
			}
			t.Cleanup(func() { s.Close() })
			return largeSQLite{s}
		}})
}

// tableSQL is the statement that made a table.
func tableSQL(t *testing.T, s *SQLite, name string) string {
	t.Helper()
	var q string
	if err := s.rdb.QueryRow("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?", name).Scan(&q); err != nil {
		t.Fatalf("table %s: %v", name, err)
	}
	return q
}

// TestLargeLayout: a Large collection is a rowid table whose documents are
// appended whole (no overflow pages for 2 KB documents); a table made
// before keeps its layout when the collection is declared Large later (a
// data folder made before), and serves reads, queries and writes alike;
// a collection declared both ways in one process keeps the first.
func TestLargeLayout(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	def := CollectionDef{Name: "news", Large: true, Indexes: []Index{{Fields: []string{"ts"}}}}
	c, err := s.Collection(ctx, def)
	if err != nil {
		t.Fatal(err)
	}
	if q := tableSQL(t, s, "news"); strings.Contains(q, "WITHOUT ROWID") {
		t.Errorf("Large table: %s", q)
	}
	body := strings.Repeat("赣州稀土永磁企业获批专项补贴。", 45) // about 2 KB
	var docs []NewDoc
	for i := range 200 {
		docs = append(docs, NewDoc{ID: fmt.Sprintf("it_%08x", (i*2654435761)%(1<<32)), Doc: map[string]any{"ts": i, "body": body}})
	}
	if errs, err := InsertEach(ctx, c, docs); err != nil {
		t.Fatal(err)
	} else {
		for i, e := range errs {
			if e != nil {
				t.Fatalf("doc %d: %v", i, e)
			}
		}
	}
	var overflow int
	if err := s.rdb.QueryRow("SELECT count(*) FROM dbstat WHERE name = 'news' AND pagetype = 'overflow'").Scan(&overflow); err != nil {
		t.Fatal(err)
	}
	if overflow != 0 {
		t.Errorf("%d overflow pages for 200 documents of 2 KB", overflow)
	}
	// The id stays unique, reads and queries answer as before.
	if err := c.Insert(ctx, docs[7].ID, map[string]any{"ts": 1}); !strings.Contains(fmt.Sprint(err), "already exists") {
		t.Errorf("duplicate id: %v", err)
	}
	var got map[string]any
	if v, err := c.Get(ctx, docs[7].ID, &got); err != nil || v != 1 || got["ts"] != float64(7) {
		t.Errorf("Get: %v v%d %v", got["ts"], v, err)
	}
	p, err := c.Find(ctx, Query{Range: &Range{Field: "ts", Gte: 190}, Sort: "ts", Desc: true, Limit: 5})
	if err != nil || len(p.Docs) != 5 || p.Docs[0].ID != docs[199].ID {
		t.Fatalf("Find: %v %v", p.Docs, err)
	}
	if _, err := c.Replace(ctx, docs[7].ID, 1, map[string]any{"ts": 7, "body": "short"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(ctx, docs[8].ID); err != nil {
		t.Fatal(err)
	}
	// An older table (WITHOUT ROWID) declared Large later keeps its layout.
	old, err := s.Collection(ctx, CollectionDef{Name: "older"})
	if err != nil {
		t.Fatal(err)
	}
	if err := old.Insert(ctx, "a", map[string]any{"ts": 1}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	old, err = s.Collection(ctx, CollectionDef{Name: "older", Large: true, Indexes: []Index{{Fields: []string{"ts"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if q := tableSQL(t, s, "older"); !strings.Contains(q, "WITHOUT ROWID") {
		t.Errorf("the older table changed: %s", q)
	}
	if err := old.Insert(ctx, "b", map[string]any{"ts": 2}); err != nil {
		t.Fatal(err)
	}
	if p, err := old.Find(ctx, Query{Range: &Range{Field: "ts", Gte: 1}, Sort: "ts"}); err != nil || len(p.Docs) != 2 {
		t.Errorf("Find on the older table: %v %v", p.Docs, err)
	}
	// The Large table, opened again, keeps its documents and layout.
	c, err = s.Collection(ctx, def)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := c.Count(ctx, Query{}); err != nil || n != 199 {
		t.Errorf("Count after reopening: %d %v", n, err)
	}
	if rep, err := s.Check(ctx); err != nil || len(rep.Problems) > 0 {
		t.Errorf("Check: %v %v", rep.Problems, err)
	}
}
