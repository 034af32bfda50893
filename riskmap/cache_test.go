package riskmap_test

import (
	"context"
	"testing"
	"time"

	"kedaitong"
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

// TestViewScope: the view cache is keyed by the reader's scope and range.
// Every role that reads the map reads the public one (one view computed for
// all of them); another range is another view; roles that may not read the
// map are refused however warm the cache is.
func TestViewScope(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	rm, err := riskmap.Open(ctx, st, nil, riskmap.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := rm.ParseRange("", "")
	if err != nil {
		t.Fatal(err)
	}
	var first *riskmap.View
	for _, u := range []identity.User{{Role: "analyst"}, {Role: "bank_officer", BankID: "gzb"}, {Role: "bank_manager", BankID: "ncb"},
		{Role: "official", Region: "3607"}, {Role: "official", Region: "36"}, {Role: "admin"}} {
		v, err := rm.View(ctx, u, r)
		if err != nil {
			t.Fatalf("%+v: %v", u, err)
		}
		if v.Scope != riskmap.ScopePublic {
			t.Errorf("%+v reads scope %q", u, v.Scope)
		}
		if first == nil {
			first = v
		} else if v != first {
			t.Errorf("%+v got a view of its own: the public map was computed twice", u)
		}
	}
	r30, err := rm.ParseRange(r.To.Add(-29).String(), r.To.String())
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := rm.View(ctx, identity.User{Role: "analyst"}, r30); v == first || v.ETag == first.ETag {
		t.Error("another range was served the cached view")
	}
	for _, role := range []string{"expert", "investor", ""} {
		if _, err := rm.View(ctx, identity.User{Role: role}, r); !kedaitong.Is(err, kedaitong.EForbidden) {
			t.Errorf("role %q read the cached map: %v", role, err)
		}
	}
}
