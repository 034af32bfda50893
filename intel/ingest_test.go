package intel

import (
	"context"
	"strings"
	"testing"

	"kedaitong/internal/store"
)

// TestItemIDsGroupedBySource: a new source's items share a prefix of its
// own (they sit together in the store), a source made before keeps the
// first way of making ids, and in both ways a re-crawl of a changed feed
// stores only its new items.
func TestItemIDsGroupedBySource(t *testing.T) {
	fs := newFeedServer(t, 12)
	s, _ := newService(t, Options{})
	ctx := context.Background()
	a := addSource(t, s, fs.URL+"/feed/a")
	b := addSource(t, s, fs.URL+"/feed/b")
	// b as a source created before grouped ids existed.
	d, v, err := s.getSource(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	d.ItemIDs = 0
	if _, err := s.sources.Replace(ctx, d.ID, v, &d); err != nil {
		t.Fatal(err)
	}
	if sum, err := s.CrawlOnce(ctx, false, nil); err != nil || sum.NewItems != 24 {
		t.Fatalf("first crawl %+v %v", sum, err)
	}
	prefixes := map[string]map[string]bool{}
	for _, it := range allItems(t, s, ItemFilter{}) {
		if len(it.ID) != 27 || !strings.HasPrefix(it.ID, "it_") {
			t.Errorf("item id %q", it.ID)
		}
		if prefixes[it.SourceID] == nil {
			prefixes[it.SourceID] = map[string]bool{}
		}
		prefixes[it.SourceID][it.ID[:11]] = true
		if it.SourceID == b.ID {
			// The guid is the key: "b-<n>", n from the link's last part.
			n := it.Link[strings.LastIndex(it.Link, "/")+1:]
			if want := itemID(b.ID, "b-"+n); it.ID != want {
				t.Errorf("old source's item %s, want %s (the first way)", it.ID, want)
			}
		}
	}
	if len(prefixes[a.ID]) != 1 {
		t.Errorf("the new source's items have %d prefixes, want one", len(prefixes[a.ID]))
	}
	if len(prefixes[b.ID]) < 6 {
		t.Errorf("the old source's items share prefixes (%d of 12): its ids changed", len(prefixes[b.ID]))
	}
	for _, src := range []Source{a, b} {
		d, _, _ := s.getSource(ctx, src.ID)
		for _, id := range d.Seen {
			var it itemDoc
			if _, err := s.items.Get(ctx, id, &it); err != nil {
				t.Errorf("%s: seen item %s is not stored under that id: %v", src.ID, id, err)
			}
		}
	}
	// The feeds grow by three items each: only those are stored.
	fs.mu.Lock()
	fs.items, fs.etag = 15, false
	fs.mu.Unlock()
	if sum, err := s.CrawlOnce(ctx, true, nil); err != nil || sum.NewItems != 6 {
		t.Fatalf("re-crawl %+v %v", sum, err)
	}
	if n, err := s.items.Count(ctx, store.Query{}); err != nil || n != 30 {
		t.Errorf("%d items stored, want 30", n)
	}
	var j int64
	if j, err = s.journal.Count(ctx, store.Query{}); err != nil || j != 0 {
		t.Errorf("%d ingest journals left, want none (%v)", j, err)
	}
}
