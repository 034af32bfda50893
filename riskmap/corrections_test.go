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

// TestRecount: a corrected item's story leaves the cells of its old labels
// and counts in the new ones at once.
func TestRecount(t *testing.T) {
	ctx := context.Background()
	rm, err := riskmap.Open(ctx, storetest.New(t), nil, riskmap.Options{})
	if err != nil {
		t.Fatal(err)
	}
	day := time.Now().Add(-24 * time.Hour)
	before := intel.Item{ID: "i1", ClusterFirst: true, Published: day, Industries: []string{"semiconductors"},
		Dimensions: []string{"market"}, Polarity: "opportunity"}
	other := intel.Item{ID: "i2", ClusterFirst: true, Published: day, Industries: []string{"photovoltaics"},
		Dimensions: []string{"market"}, Polarity: "risk"}
	if err := rm.Count(ctx, []intel.Item{before, other}); err != nil {
		t.Fatal(err)
	}
	after := before
	after.Industries, after.Dimensions, after.Polarity = []string{"photovoltaics"}, []string{"market", "supply-chain"}, "risk"
	if err := rm.Recount(ctx, before, after); err != nil {
		t.Fatal(err)
	}
	r, err := rm.ParseRange("", "")
	if err != nil {
		t.Fatal(err)
	}
	m, err := rm.Map(ctx, identity.User{Role: "analyst"}, r)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]int64{}
	for _, c := range m.Cells {
		got[c.Industry+"/"+c.Dimension] = [2]int64{c.RiskCount, c.OpportunityCount}
	}
	want := map[string][2]int64{
		"semiconductors/market":      {0, 0},
		"photovoltaics/market":       {2, 0},
		"photovoltaics/supply-chain": {1, 0},
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: risk, opportunity = %v, want %v", k, got[k], w)
		}
	}
	// A duplicate (not its cluster's first) was never counted: nothing moves.
	dup := before
	dup.ClusterFirst = false
	dupAfter := after
	dupAfter.ClusterFirst = false
	if err := rm.Recount(ctx, dup, dupAfter); err != nil {
		t.Fatal(err)
	}
	m, _ = rm.Map(ctx, identity.User{Role: "analyst"}, r)
	for _, c := range m.Cells {
		if c.Industry == "photovoltaics" && c.Dimension == "market" && c.RiskCount != 2 {
			t.Errorf("a duplicate's correction moved counts: %+v", c)
		}
	}
}
