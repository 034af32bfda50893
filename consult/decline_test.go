package consult_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"kedaitong"
	"kedaitong/consult"
	"kedaitong/experts"
)

// TestDecline: an offered expert declines with a reason; it is never offered
// to that expert again, and when nobody is left on offer it is passed on at once.
func TestDecline(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const route = "photovoltaics.perovskite"
	e1 := f.addExpert(t, "d1", experts.TierIndustry, []string{route}, nil, 3, nil)
	e2 := f.addExpert(t, "d2", experts.TierIndustry, []string{route}, nil, 3, nil)
	v, err := f.svc.Ask(ctx, f.users["officer"], consult.Input{Route: route, Question: "钙钛矿组件的稳定性是否达到量产要求？", Urgency: "normal"})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := f.svc.Get(ctx, admin, v.ID)
	if len(got.Offered) != 2 {
		t.Fatalf("offered to %v, want both experts", got.Offered)
	}
	// Bad input changes nothing.
	if _, err := f.svc.Decline(ctx, e1, v.ID, "  "); code(t, err) != kedaitong.EInvalid {
		t.Errorf("decline without a reason: %v", err)
	}
	if _, err := f.svc.Decline(ctx, e1, v.ID, strings.Repeat("忙", consult.MaxDeclineReason+1)); code(t, err) != kedaitong.EInvalid {
		t.Errorf("over-long reason: %v", err)
	}
	if _, err := f.svc.Decline(ctx, f.users["officer"], v.ID, "x"); code(t, err) != kedaitong.EForbidden {
		t.Errorf("a bank declining: %v", err)
	}
	outsider := f.addExpert(t, "d9", experts.TierIndustry, []string{"aviation"}, nil, 3, nil)
	if _, err := f.svc.Decline(ctx, outsider, v.ID, "not mine"); code(t, err) != kedaitong.ENotFound {
		t.Errorf("an expert it was never offered to: %v", err)
	}
	if got, _ := f.svc.Get(ctx, admin, v.ID); len(got.Offered) != 2 {
		t.Fatalf("refused declines changed the offer: %v", got.Offered)
	}
	// e1 declines: still open, offered to e2 only; e1 cannot accept or see it.
	if _, err := f.svc.Decline(ctx, e1, v.ID, "本周出差，无法及时答复"); err != nil {
		t.Fatal(err)
	}
	got, _ = f.svc.Get(ctx, admin, v.ID)
	if got.State != consult.StateOpen || !slices.Equal(got.Offered, []string{"d2"}) {
		t.Fatalf("after one decline: state %s offered %v", got.State, got.Offered)
	}
	if _, err := f.svc.Accept(ctx, e1, v.ID); code(t, err) != kedaitong.EConflict {
		t.Errorf("the decliner accepting: %v", err)
	}
	if _, err := f.svc.Decline(ctx, e1, v.ID, "again"); code(t, err) != kedaitong.EConflict {
		t.Errorf("declining twice: %v", err)
	}
	// e2 declines too, while a third expert has become available: passed on at once.
	f.addExpert(t, "d3", experts.TierIndustry, []string{route}, nil, 3, nil)
	if _, err := f.svc.Decline(ctx, e2, v.ID, "与该领域存在潜在利益关系"); err != nil {
		t.Fatal(err)
	}
	got, _ = f.svc.Get(ctx, admin, v.ID)
	if !slices.Equal(got.Offered, []string{"d3"}) || !got.Rerouted {
		t.Fatalf("after the last decline: offered %v rerouted %v, want d3 at once", got.Offered, got.Rerouted)
	}
	declined := 0
	for _, st := range got.History {
		if st.Event == "declined" && st.Reason != "" {
			declined++
		}
	}
	if declined != 2 {
		t.Errorf("history has %d declines with reasons, want 2", declined)
	}
	// The bank's view shows neither the experts nor their reasons' authors.
	bv, _ := f.svc.Get(ctx, f.users["officer"], v.ID)
	for _, st := range bv.History {
		if len(st.Experts) > 0 || st.Reason != "" {
			t.Errorf("bank's history names experts or their reasons: %+v", st)
		}
	}
}
