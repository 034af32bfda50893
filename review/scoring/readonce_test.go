package scoring_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kedaitong/experts"
	"kedaitong/internal/store"
	"kedaitong/internal/store/storetest"
	"kedaitong/review"
	"kedaitong/review/panel"
	"kedaitong/review/scoring"
)

// countingStore is the real test store, counting the Gets of one
// collection.
type countingStore struct {
	store.Store
	name string
	gets *atomic.Int64
}

func (s countingStore) Collection(ctx context.Context, def store.CollectionDef) (store.Collection, error) {
	c, err := s.Store.Collection(ctx, def)
	if err != nil || def.Name != s.name {
		return c, err
	}
	return countingColl{Collection: c, gets: s.gets}, nil
}

type countingColl struct {
	store.Collection
	gets *atomic.Int64
}

func (c countingColl) Get(ctx context.Context, id string, out any) (int64, error) {
	c.gets.Add(1)
	return c.Collection.Get(ctx, id, out)
}

// A draft save reads its score document at most once (the panel's settle
// check and the save share the read), and not at all when this process
// wrote it last; concurrent saves of one score still each get their own
// revision: a save that lost the race reads the score again.
func TestSaveReadsTheScoreOnce(t *testing.T) {
	ctx := context.Background()
	var gets atomic.Int64
	f := &fixture{st: countingStore{Store: storetest.New(t), name: scoring.ScoresDef.Name, gets: &gets}}
	var err error
	if f.rs, err = review.Open(ctx, f.st, nil); err != nil {
		t.Fatal(err)
	}
	if f.es, err = experts.Open(ctx, f.st, nil); err != nil {
		t.Fatal(err)
	}
	if f.ps, err = panel.Open(ctx, f.st, f.rs, f.es, nil, panel.Options{}); err != nil {
		t.Fatal(err)
	}
	if f.sc, err = scoring.Open(ctx, f.st, f.rs, f.ps, f.es, nil, scoring.Options{}); err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return start.Add(time.Duration(f.off.Load())) }
	f.rs.SetClock(clock)
	f.es.SetClock(clock)
	f.ps.SetClock(clock)
	f.sc.SetClock(clock)
	f.panelOf4(t, 3)
	a := f.seats(t, f.application(t))[0]

	for i := range 3 {
		gets.Store(0)
		sc := saveComment(t, f, a, "稿")
		if sc.Revision != i+1 {
			t.Fatalf("save %d: revision %d", i+1, sc.Revision)
		}
		// The first save reads it; the next ones take the document this
		// process wrote (lastwritten.go).
		want := int64(0)
		if i == 0 {
			want = 1
		}
		if n := gets.Load(); n != want {
			t.Errorf("save %d read the score %d times, want %d", i+1, n, want)
		}
	}

	// Two writers on one score: every save succeeds with its own revision.
	const each = 15
	var wg sync.WaitGroup
	revs := make(chan int, 2*each)
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				sc, err := f.sc.Save(ctx, expertUser(a.ExpertID), a.ID, input(6, "support"))
				if err != nil {
					t.Error(err)
					return
				}
				revs <- sc.Revision
			}
		}()
	}
	wg.Wait()
	close(revs)
	seen := map[int]bool{}
	for r := range revs {
		if seen[r] {
			t.Errorf("revision %d acknowledged twice", r)
		}
		seen[r] = true
	}
	for r := 4; r <= 3+2*each; r++ {
		if !seen[r] {
			t.Errorf("revision %d missing", r)
		}
	}
	if h := history(t, f, a); len(h) != 3+2*each {
		t.Errorf("history has %d revisions, want %d", len(h), 3+2*each)
	}
}
