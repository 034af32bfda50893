package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"kedaitong/internal/store"
)

// The WAL is copied into the database file by the background checkpointer,
// not by the writer (whose own checkpoint is a backstop at thousands of
// pages): a few dozen acknowledged writes reach the main file on their own,
// soon after, while the store stays open.
func TestSQLiteCheckpointsInBackground(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := store.OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := s.Collection(ctx, store.CollectionDef{Name: "notes", Indexes: []store.Index{{Fields: []string{"owner"}}}})
	if err != nil {
		t.Fatal(err)
	}
	const n = 40
	for i := range n {
		if err := c.Insert(ctx, fmt.Sprintf("n%02d", i), map[string]any{"owner": "o", "i": i}); err != nil {
			t.Fatal(err)
		}
	}
	// The main file alone (copied without its WAL) holds what was
	// checkpointed.
	inMain := func() int {
		b, err := os.ReadFile(filepath.Join(dir, store.SQLiteFile))
		if err != nil {
			t.Fatal(err)
		}
		cp := filepath.Join(t.TempDir(), "copy.db")
		if err := os.WriteFile(cp, b, 0o600); err != nil {
			t.Fatal(err)
		}
		db, err := sql.Open("sqlite", "file:"+cp)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var k int
		if err := db.QueryRow(`SELECT count(*) FROM notes`).Scan(&k); err != nil {
			return -1 // the table itself is not checkpointed yet (or a torn copy)
		}
		return k
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		k := inMain()
		if k == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d acknowledged writes in the database file after 10 s: the WAL is not checkpointed in the background", k, n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Still a working store.
	if err := c.Insert(ctx, "after", map[string]any{"owner": "o"}); err != nil {
		t.Fatal(err)
	}
	if cnt, err := c.Count(ctx, store.Query{Eq: map[string]any{"owner": "o"}}); err != nil || cnt != n+1 {
		t.Fatalf("Count = %d, %v", cnt, err)
	}
}
