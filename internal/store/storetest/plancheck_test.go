package storetest_test

import (
	"context"
	"strings"
	"testing"

	"kedaitong"
	"kedaitong/internal/store"
	"kedaitong/internal/store/storetest"
)

// TestEveryQueryIsPlanChecked: a query the planner accepts but no index can
// order fails on a test store, so tests catch unindexed queries.
func TestEveryQueryIsPlanChecked(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	c, err := st.Collection(ctx, store.CollectionDef{Name: "things", Indexes: []store.Index{{Fields: []string{"owner", "at"}}}})
	if err != nil {
		t.Fatal(err)
	}
	for i, owner := range []string{"a", "b", "a"} {
		if err := c.Insert(ctx, string(rune('x'+i)), map[string]any{"owner": owner, "at": i}); err != nil {
			t.Fatal(err)
		}
	}
	// Served: equality then the index's next field as the sort.
	if _, err := c.Find(ctx, store.Query{Eq: map[string]any{"owner": "a"}, Sort: "at"}); err != nil {
		t.Fatalf("indexed query refused: %v", err)
	}
	// Not served in order: equality on a prefix, ordered by id.
	_, err = c.Find(ctx, store.Query{Eq: map[string]any{"owner": "a"}})
	if !kedaitong.Is(err, kedaitong.EInternal) || !strings.Contains(err.Error(), "TEMP B-TREE") {
		t.Fatalf("unordered prefix query: %v, want a plan failure", err)
	}
	// Count needs no order, so the prefix serves it.
	if n, err := c.Count(ctx, store.Query{Eq: map[string]any{"owner": "a"}}); err != nil || n != 2 {
		t.Fatalf("count = %d, %v", n, err)
	}
}
