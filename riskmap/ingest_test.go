package riskmap_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kedaitong/identity"
	"kedaitong/intel"
	"kedaitong/internal/store"
	"kedaitong/internal/store/storetest"
	"kedaitong/riskmap"
)

// checkCountersMatchItems fails unless the day counters are exactly the
// counts of the stored items (every c__ and w__ field of every day), and
// no batch marks are left for settled batches.
func checkCountersMatchItems(t *testing.T, st store.Store, in *intel.Service) {
	t.Helper()
	ctx := context.Background()
	var items []intel.Item
	f := intel.ItemFilter{Limit: 500}
	for {
		page, next, err := in.Items(ctx, identity.User{ID: "adm", Role: identity.RoleAdmin}, f)
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, page...)
		if next == "" {
			break
		}
		f.Cursor = next
	}
	want := riskmap.Deltas(items)
	days, err := st.Collection(ctx, riskmap.DaysDef)
	if err != nil {
		t.Fatal(err)
	}
	p, err := days.Find(ctx, store.Query{Range: &store.Range{Field: "day", Gt: int64(0)}, Sort: "day"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[riskmap.Day]map[string]int64{}
	for _, d := range p.Docs {
		var m map[string]int64
		if err := d.Decode(&m); err != nil {
			t.Fatal(err)
		}
		day := riskmap.Day(m["day"])
		got[day] = map[string]int64{}
		for k, v := range m {
			if strings.HasPrefix(k, "c__") || strings.HasPrefix(k, "w__") {
				if v != 0 {
					got[day][k] = v
				}
			}
		}
	}
	for d, m := range want {
		for k, v := range m {
			if got[d][k] != v {
				t.Errorf("%s %s: counter %d, stored items say %d", d, k, got[d][k], v)
			}
		}
	}
	for d, m := range got {
		for k, v := range m {
			if want[d][k] != v {
				t.Errorf("%s %s: counter %d, stored items say %d", d, k, v, want[d][k])
			}
		}
	}
	if t.Failed() {
		t.Logf("%d items stored", len(items))
	}
}

// TestBatchCountedOnceThroughCrashes: the crawler's batches reach the day
// counters exactly once whatever happens between storing the items and
// settling the batch. One crawl's hook counts and then fails (a crash
// after counting, before the journal is deleted); another's fails before
// counting (a crash right after the items were stored). Once the lease
// has run out, the repair runs the hooks again: the counters equal the
// stored items' counts, and nothing is left to repair.
func TestBatchCountedOnceThroughCrashes(t *testing.T) {
	ctx := context.Background()
	bodies := map[string][]byte{"/f/1": feedBody(1, 30), "/f/2": feedBody(2, 30), "/f/3": feedBody(3, 120), "/f/4": feedBody(4, 10)}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(bodies[r.URL.Path])
	}))
	defer ts.Close()
	var mu sync.Mutex
	now := time.Date(2026, 3, 9, 20, 0, 0, 0, riskmap.Zone)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	st := storetest.New(t)
	in, err := intel.Open(ctx, st, intel.Options{FetchAllow: "127.0.0.1", Workers: 4, Lease: 10 * time.Second, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	rm, err := riskmap.Open(ctx, st, in, riskmap.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	var mode atomic.Int32 // 0: normal, 1: count then fail, 2: fail before counting
	var calls atomic.Int32
	in.OnBatch(func(ctx context.Context, b intel.Batch) error {
		calls.Add(1)
		switch mode.Load() {
		case 2:
			return errors.New("crashed before counting")
		case 1:
			if err := rm.CountBatch(ctx, b.ID, b.Items); err != nil {
				return err
			}
			return errors.New("crashed after counting")
		}
		return rm.CountBatch(ctx, b.ID, b.Items)
	})
	an := identity.User{ID: "an", Role: identity.RoleAnalyst}
	crawl := func(path string) {
		t.Helper()
		if _, err := in.CreateSource(ctx, an, intel.NewSource{URL: ts.URL + path}); err != nil {
			t.Fatal(err)
		}
		sum, err := in.CrawlOnce(ctx, false, nil)
		if err != nil || sum.Failed != 0 || sum.NewItems == 0 {
			t.Fatalf("crawl %s: %+v %v", path, sum, err)
		}
	}
	mode.Store(1)
	crawl("/f/1")
	mode.Store(2)
	crawl("/f/2")
	crawl("/f/3") // 120 items: two batches
	// Within the lease nothing is repaired (the batches may still be in flight).
	mode.Store(0)
	if n, err := in.RepairIngest(ctx); err != nil || n != 0 {
		t.Fatalf("repair within the lease: %d batches, %v", n, err)
	}
	mu.Lock()
	now = now.Add(11 * time.Second)
	mu.Unlock()
	before := calls.Load()
	n, err := in.RepairIngest(ctx)
	if err != nil || n != 4 {
		t.Fatalf("repair: %d batches, %v; want 4", n, err)
	}
	if calls.Load()-before != 4 {
		t.Errorf("the hooks ran %d times in the repair, want 4", calls.Load()-before)
	}
	if n, err := in.RepairIngest(ctx); err != nil || n != 0 {
		t.Errorf("second repair: %d batches, %v; want none", n, err)
	}
	checkCountersMatchItems(t, st, in)
	// A later batch (one, of 10 items) drops the marks of the settled ones.
	crawl("/f/4")
	days, _ := st.Collection(ctx, riskmap.DaysDef)
	var m map[string]int64
	dd, err := days.GetMany(ctx, []string{fmt.Sprintf("rm:%08d", riskmap.DayOf(time.Date(2026, 3, 9, 12, 0, 0, 0, riskmap.Zone)))})
	if err != nil || len(dd) != 1 {
		t.Fatalf("the day's document: %v %v", dd, err)
	}
	if err := dd[0].Decode(&m); err != nil {
		t.Fatal(err)
	}
	var marks []string
	for k := range m {
		if strings.HasPrefix(k, "j__") {
			marks = append(marks, k)
		}
	}
	if len(marks) > 1 {
		t.Errorf("marks %v are kept: only the last batch's may be (until the next write of the day)", marks)
	}
}

// TestCountBatchIdempotent: the same batch told twice (or by two callers
// at once) is counted once; calls without a batch id always count.
func TestCountBatchIdempotent(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	rm, err := riskmap.Open(ctx, st, nil, riskmap.Options{})
	if err != nil {
		t.Fatal(err)
	}
	story := func(id string) intel.Item {
		return intel.Item{ID: id, Published: time.Now(), Industries: []string{"photovoltaics"}, Dimensions: []string{"market", "capital"},
			Polarity: "risk", ClusterFirst: true}
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := rm.CountBatch(ctx, "ij_same", []intel.Item{story("a"), story("b")}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if err := rm.CountBatch(ctx, "ij_same", []intel.Item{story("a"), story("b")}); err != nil {
		t.Fatal(err)
	}
	if err := rm.Count(ctx, []intel.Item{story("c")}); err != nil {
		t.Fatal(err)
	}
	r, _ := rm.ParseRange("", "")
	m, err := rm.Compute(ctx, identity.User{ID: "an", Role: identity.RoleAnalyst}, r)
	if err != nil {
		t.Fatal(err)
	}
	for _, dim := range []string{"market", "capital"} {
		if c, _ := m.Cell("photovoltaics", dim); c.RiskCount != 3 {
			t.Errorf("photovoltaics × %s: %d risk stories, want 3 (the batch once, the plain call once)", dim, c.RiskCount)
		}
	}
}
