package audit_test

import (
	"context"
	"testing"

	"kedaitong/audit"
	"kedaitong/internal/store/storetest"
)

// TestDetailWithStructs: a detail that holds a struct (fields in declaration
// order, not sorted) is stored in canonical form instead of refused, lists
// back with the same values, and the chain verifies.
func TestDetailWithStructs(t *testing.T) {
	ctx := context.Background()
	l, err := audit.Open(ctx, storetest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	type terms struct {
		Leverage int `json:"leverage"`
		Alpha    int `json:"alpha"`
	}
	if _, err := l.Append(ctx, audit.Entry{Action: "fund.create", Outcome: audit.OK, Detail: map[string]any{"terms": terms{Leverage: 10, Alpha: 1}}}); err != nil {
		t.Fatalf("append: %v", err)
	}
	es, _, err := l.List(ctx, audit.Filter{})
	if err != nil || len(es) != 1 {
		t.Fatalf("list: %v %v", es, err)
	}
	got, _ := es[0].Detail["terms"].(map[string]any)
	if got == nil || got["leverage"] == nil || got["alpha"] == nil {
		t.Errorf("detail = %#v", es[0].Detail)
	}
	rep, err := l.Verify(ctx)
	if err != nil || !rep.Intact {
		t.Errorf("verify: %+v %v", rep, err)
	}
}
