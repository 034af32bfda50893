package riskmap_test

import (
	"context"
	"testing"
	"time"

	"kedaitong/identity"
	"kedaitong/intel"
	"kedaitong/internal/store/storetest"
	"kedaitong/riskmap"
)

// TestViewCacheInvalidatedByIngest: readers share one computed map and
// its ETag until counters change, in this process (at once) or in another
// one sharing the store (a crawler worker: within a second or two).
func TestViewCacheInvalidatedByIngest(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	rm, err := riskmap.Open(ctx, st, nil, riskmap.Options{})
	if err != nil {
		t.Fatal(err)
	}
	worker, err := riskmap.Open(ctx, st, nil, riskmap.Options{}) // another process on the same store
	if err != nil {
		t.Fatal(err)
	}
	analyst := identity.User{ID: "a", Role: "analyst"}
	r, err := rm.ParseRange("", "")
	if err != nil {
		t.Fatal(err)
	}
	v1, err := rm.View(ctx, analyst, r)
	if err != nil {
		t.Fatal(err)
	}
	v2, _ := rm.View(ctx, analyst, r)
	if v1 != v2 || v1.ETag == "" {
		t.Fatalf("two reads computed two views (%p, %p) or no ETag %q", v1, v2, v1.ETag)
	}
	if string(v1.SVG("en")) == "" || &v1.SVG("en")[0] != &v2.SVG("en")[0] {
		t.Error("the SVG is rendered once per view and language")
	}
	story := func(id string) intel.Item {
		return intel.Item{ID: id, Published: time.Now(), Industries: []string{"photovoltaics"}, Dimensions: []string{"market"},
			Polarity: "risk", ClusterFirst: true}
	}
	count := func(v *riskmap.View) int64 {
		c, _ := v.Map.Cell("photovoltaics", "market")
		return c.Count
	}
	// Ingest in this process: seen at once.
	if err := rm.Count(ctx, []intel.Item{story("i1")}); err != nil {
		t.Fatal(err)
	}
	v3, _ := rm.View(ctx, analyst, r)
	if count(v3) != 1 || v3.ETag == v1.ETag {
		t.Errorf("after ingest: count %d, ETag %s (was %s); want 1 and a new ETag", count(v3), v3.ETag, v1.ETag)
	}
	// Ingest by another process: seen within the generation check.
	if err := worker.Count(ctx, []intel.Item{story("i2")}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	var v4 *riskmap.View
	for time.Now().Before(deadline) {
		v4, _ = rm.View(ctx, analyst, r)
		if count(v4) == 2 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if count(v4) != 2 || v4.ETag == v3.ETag {
		t.Errorf("another process's ingest: count %d, ETag %s (was %s); want 2 and a new ETag", count(v4), v4.ETag, v3.ETag)
	}
	if _, err := rm.View(ctx, identity.User{Role: "expert"}, r); err == nil {
		t.Error("an expert read the map")
	}
}
