package store_test

import (
	"context"
	"fmt"
	"testing"

	"kedaitong/internal/store"
	"kedaitong/internal/store/storetest"
)

// TestFindMatching: paging with a filter no index serves sees every match
// exactly once, whatever the page size and scan bound.
func TestFindMatching(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	c, err := st.Collection(ctx, store.CollectionDef{Name: "things", Indexes: []store.Index{{Fields: []string{"owner", "at"}}}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for i := 0; i < 97; i++ {
		id := fmt.Sprintf("t%03d", i)
		if err := c.Insert(ctx, id, map[string]any{"owner": "a", "at": i % 13, "odd": i%3 == 0}); err != nil {
			t.Fatal(err)
		}
		if i%3 == 0 {
			want[id] = true
		}
	}
	keep := func(d store.Doc) (bool, error) {
		var v struct{ Odd bool }
		return v.Odd, d.Decode(&v)
	}
	for _, tc := range []struct{ limit, maxScan int }{{1, 1000}, {5, 1000}, {7, 10}, {50, 3}, {100, 1000}} {
		seen := map[string]bool{}
		cur := ""
		for pages := 0; ; pages++ {
			if pages > 200 {
				t.Fatalf("%+v: does not end", tc)
			}
			docs, next, err := store.FindMatching(ctx, c, store.Query{Eq: map[string]any{"owner": "a"}, Sort: "at", Desc: true, After: cur}, tc.limit, tc.maxScan, keep)
			if err != nil {
				t.Fatal(err)
			}
			if len(docs) > tc.limit {
				t.Fatalf("%+v: %d docs on a page", tc, len(docs))
			}
			for _, d := range docs {
				if seen[d.ID] || !want[d.ID] {
					t.Fatalf("%+v: %s repeated or not a match", tc, d.ID)
				}
				seen[d.ID] = true
			}
			if next == "" {
				break
			}
			cur = next
		}
		if len(seen) != len(want) {
			t.Errorf("%+v: saw %d matches, want %d", tc, len(seen), len(want))
		}
	}
}
