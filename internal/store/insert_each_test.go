package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"kedaitong"
)

// TestInsertEachConformance: each document of an InsertEach is stored or
// refused on its own (taken id, taken unique key, bad id, not an object),
// the stored ones are found through their indexes, and writes sharing the
// batch's transaction are unaffected, on every backend.
func TestInsertEachConformance(t *testing.T) {
	for _, b := range conformanceBackends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			st := b.open(t)
			c, err := st.Collection(ctx, CollectionDef{Name: "each", Indexes: []Index{{Fields: []string{"key"}, Unique: true}, {Fields: []string{"owner", "n"}}}})
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Insert(ctx, "e0", map[string]any{"key": "k0", "owner": "a", "n": 0}); err != nil {
				t.Fatal(err)
			}
			docs := []NewDoc{
				{ID: "e1", Doc: map[string]any{"key": "k1", "owner": "a", "n": 1}},    // ok
				{ID: "e0", Doc: map[string]any{"key": "kx", "owner": "a", "n": 9}},    // taken id
				{ID: "e2", Doc: map[string]any{"key": "k0", "owner": "a", "n": 2}},    // taken unique key
				{ID: "", Doc: map[string]any{"key": "ky"}},                            // bad id
				{ID: "e3", Doc: []int{1}},                                             // not an object
				{ID: "e4", Doc: map[string]any{"key": "k4", "owner": "a", "n": 4}},    // ok
				{ID: "e4", Doc: map[string]any{"key": "k5", "owner": "a", "n": 5}},    // taken by the batch itself
				{ID: "e6", Doc: map[string]any{"key": "k6", "owner": "b", "t": "中文"}}, // ok
			}
			errs, err := InsertEach(ctx, c, docs)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"", kedaitong.EConflict, kedaitong.EConflict, kedaitong.EInvalid, kedaitong.EInvalid, "", kedaitong.EConflict, ""}
			if len(errs) != len(docs) {
				t.Fatalf("%d errors for %d documents", len(errs), len(docs))
			}
			for i, e := range errs {
				if got := kedaitong.ErrorCode(e); got != want[i] {
					t.Errorf("document %d (%s): error %v, want code %q", i, docs[i].ID, e, want[i])
				}
			}
			p, err := c.Find(ctx, Query{Eq: map[string]any{"owner": "a"}, Sort: "n"})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, d := range p.Docs {
				ids = append(ids, d.ID)
			}
			if fmt.Sprint(ids) != "[e0 e1 e4]" {
				t.Errorf("owner a: %v, want [e0 e1 e4]", ids)
			}
			var e0 map[string]any
			if v, err := c.Get(ctx, "e0", &e0); err != nil || v != 1 || e0["key"] != "k0" {
				t.Errorf("e0 = %v v%d %v: the refused insert changed it", e0, v, err)
			}
			if n, err := c.Count(ctx, Query{}); err != nil || n != 4 {
				t.Errorf("count = %d %v, want 4", n, err)
			}
			if errs, err := InsertEach(ctx, c, nil); err != nil || len(errs) != 0 {
				t.Errorf("InsertEach(nil) = %v %v", errs, err)
			}
			if _, err := InsertEach(ctx, c, make([]NewDoc, MaxBatch+1)); !kedaitong.Is(err, kedaitong.EInvalid) {
				t.Errorf("oversized InsertEach: %v", err)
			}
			// Concurrent batches with conflicts between them: every id is
			// stored exactly once, and each caller learns which were its own.
			var wg sync.WaitGroup
			var mu sync.Mutex
			mine := map[string]int{}
			for w := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					var batch []NewDoc
					for i := range 50 {
						id := fmt.Sprintf("c%03d", (i*7+w*13)%120)
						batch = append(batch, NewDoc{ID: id, Doc: map[string]any{"key": "c-" + id + fmt.Sprint(w), "owner": "c", "n": i}})
					}
					errs, err := InsertEach(ctx, c, batch)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					defer mu.Unlock()
					for i, e := range errs {
						if e == nil {
							mine[batch[i].ID]++
						} else if !kedaitong.Is(e, kedaitong.EConflict) {
							t.Errorf("concurrent insert %s: %v", batch[i].ID, e)
						}
					}
				}()
			}
			wg.Wait()
			n, err := c.Count(ctx, Query{Eq: map[string]any{"owner": "c"}})
			if err != nil {
				t.Fatal(err)
			}
			if int(n) != len(mine) {
				t.Errorf("%d stored, callers were told %d", n, len(mine))
			}
			for id, k := range mine {
				if k != 1 {
					t.Errorf("%s: %d callers were told they stored it", id, k)
				}
			}
		})
	}
}

// TestInsertEachFailureKeepsNothing: on SQLite a failure that may have lost
// the transaction fails the whole write (nothing of it stored), while a
// write sharing its batch is still committed.
func TestInsertEachFailureKeepsNothing(t *testing.T) {
	ctx := context.Background()
	var mu sync.Mutex
	failNext := false
	s, err := OpenSQLiteWith(ctx, t.TempDir(), SQLiteOptions{NoSync: true, InjectWriteError: func(point string) error {
		mu.Lock()
		defer mu.Unlock()
		if point == "op" && failNext {
			failNext = false
			return errors.New("disk I/O error")
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := s.Collection(ctx, CollectionDef{Name: "each"})
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	failNext = true
	mu.Unlock()
	if _, err := InsertEach(ctx, c, []NewDoc{{ID: "a", Doc: map[string]any{"n": 1}}, {ID: "b", Doc: map[string]any{"n": 2}}}); err == nil {
		t.Fatal("the failed write reported success")
	}
	if n, err := c.Count(ctx, Query{}); err != nil || n != 0 {
		t.Fatalf("count = %d %v after a failed write, want 0", n, err)
	}
	errs, err := InsertEach(ctx, c, []NewDoc{{ID: "a", Doc: map[string]any{"n": 1}}, {ID: "b", Doc: map[string]any{"n": 2}}})
	if err != nil || errs[0] != nil || errs[1] != nil {
		t.Fatalf("retry: %v %v", errs, err)
	}
	if n, err := c.Count(ctx, Query{}); err != nil || n != 2 {
		t.Fatalf("count = %d %v, want 2", n, err)
	}
}

// TestInsertEachOrGetConformance: the documents refused for a taken id
// come back with what holds the id (an earlier write or the batch itself);
// one refused for a unique key, and the stored ones, come back nil — on
// every backend.
func TestInsertEachOrGetConformance(t *testing.T) {
	for _, b := range conformanceBackends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			st := b.open(t)
			c, err := st.Collection(ctx, CollectionDef{Name: "claims", Indexes: []Index{{Fields: []string{"key"}, Unique: true}}})
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Insert(ctx, "b1", map[string]any{"key": "k1", "owner": "first"}); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Replace(ctx, "b1", 1, map[string]any{"key": "k1", "owner": "first", "n": 2}); err != nil {
				t.Fatal(err)
			}
			docs := []NewDoc{
				{ID: "b2", Doc: map[string]any{"key": "k2", "owner": "second"}}, // stored
				{ID: "b1", Doc: map[string]any{"key": "kx", "owner": "second"}}, // id taken before
				{ID: "b3", Doc: map[string]any{"key": "k1", "owner": "second"}}, // unique key taken
				{ID: "b2", Doc: map[string]any{"key": "ky", "owner": "third"}},  // id taken by the batch
				{ID: "", Doc: map[string]any{"key": "kz"}},                      // bad id
			}
			taken, errs, err := InsertEachOrGet(ctx, c, docs)
			if err != nil {
				t.Fatal(err)
			}
			wantCode := []string{"", kedaitong.EConflict, kedaitong.EConflict, kedaitong.EConflict, kedaitong.EInvalid}
			wantOwner := []string{"", "first", "", "second", ""}
			for i := range docs {
				if got := kedaitong.ErrorCode(errs[i]); got != wantCode[i] {
					t.Errorf("document %d: error %v, want code %q", i, errs[i], wantCode[i])
				}
				owner := ""
				if taken[i] != nil {
					var m map[string]any
					if err := taken[i].Decode(&m); err != nil {
						t.Fatal(err)
					}
					owner, _ = m["owner"].(string)
					if taken[i].ID != docs[i].ID {
						t.Errorf("document %d: holder %q", i, taken[i].ID)
					}
				}
				if owner != wantOwner[i] {
					t.Errorf("document %d: held by %q, want %q", i, owner, wantOwner[i])
				}
			}
			if taken[1] != nil && taken[1].Version != 2 {
				t.Errorf("holder version %d, want 2", taken[1].Version)
			}
		})
	}
}
