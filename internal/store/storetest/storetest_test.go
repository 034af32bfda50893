package storetest_test

import (
	"context"
	"testing"

	"kedaitong"
	"kedaitong/internal/store"
	"kedaitong/internal/store/storetest"
)

func TestNew(t *testing.T) {
	ctx := context.Background()
	a, b := storetest.New(t), storetest.New(t)
	def := store.CollectionDef{Name: "things", Indexes: []store.Index{{Fields: []string{"kind", "at"}}}}
	ca, err := a.Collection(ctx, def)
	if err != nil {
		t.Fatalf("Collection: %v", err)
	}
	cb, err := b.Collection(ctx, def)
	if err != nil {
		t.Fatalf("Collection: %v", err)
	}
	if err := ca.Insert(ctx, "x", map[string]any{"kind": "k", "at": 1}); err != nil {
		t.Fatalf("Insert: %v", err)
	}
	if _, err := cb.Get(ctx, "x", nil); kedaitong.ErrorCode(err) != kedaitong.ENotFound {
		t.Errorf("second store sees the first one's document: Get = %v, want ENotFound", err)
	}
	if got := a.Backend(); got != "sqlite" {
		t.Errorf("Backend: got %q, want sqlite", got)
	}
	storetest.AssertIndexed(t, a, "things", store.Query{Eq: map[string]any{"kind": "k"}, Sort: "at", Limit: 10})
}

func TestCheckPlan(t *testing.T) {
	for _, tc := range []struct {
		plan     string
		filtered bool
		ok       bool
	}{
		{"SEARCH t USING INDEX ix_t__a (<expr>=?)", true, true},
		{"SCAN t", false, true},
		{"SCAN t USING INDEX ix_t__a", false, true},
		{"SCAN t", true, false},
		{"SCAN t USING INDEX ix_t__a", true, false},
		{"SEARCH t USING INDEX ix_t__a (<expr>=?)\nUSE TEMP B-TREE FOR ORDER BY", true, false},
		{"SCAN t\nUSE TEMP B-TREE FOR ORDER BY", false, false},
		{"MERGE (UNION ALL)\nLEFT\nSEARCH t USING INDEX ix (<expr>=?)\nRIGHT\nSEARCH t USING INDEX ix (<expr>=?)", true, true},
	} {
		err := storetest.CheckPlan(tc.plan, tc.filtered)
		if got := err == nil; got != tc.ok {
			t.Errorf("CheckPlan(%q, %v): got ok=%v (%v), want ok=%v", tc.plan, tc.filtered, got, err, tc.ok)
		}
	}
}
