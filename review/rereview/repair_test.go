package rereview

import (
	"context"
	"fmt"
	"testing"
	"time"

	"kedaitong/identity"
	"kedaitong/internal/store/storetest"
	"kedaitong/review"
)

var gzbank = identity.User{ID: "u-off", Username: "officer", Role: identity.RoleBankOfficer, BankID: "ganzhou-bank"}

// granted makes a closed application with a granted loan and its due
// re-review; it returns the service and the re-review.
func granted(t *testing.T, n int) (*Service, *review.Service, Rereview, *time.Time) {
	t.Helper()
	ctx := context.Background()
	st := storetest.New(t)
	rs, err := review.Open(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, st, rs, nil, nil, nil, nil, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 5, 20, 9, 0, 0, 0, time.UTC)
	rs.SetClock(func() time.Time { return clock })
	s.SetClock(func() time.Time { return clock })
	in := review.Input{
		Enterprise: review.Enterprise{Name: fmt.Sprintf("赣州复评%d科技有限公司", n), CreditCode: review.DemoCreditCode("360702", 800+n), Region: "360702",
			Founded: "2021-03-15", Route: "semiconductors.ic-design", Staff: 60, RDStaff: 25,
			Revenue: []int64{12000000, 9000000}, NetProfit: []int64{-3000000, -4500000}, RDSpend: 6000000,
			InventionPatents: 5, PendingPatents: 3, Maturity: "pilot"},
		Loan:    review.Loan{Amount: 3000000, TermMonths: 24, Purpose: "流片与量产验证"},
		Summary: "28nm 低功耗电源管理芯片设计。",
	}
	v, err := rs.Create(ctx, gzbank, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err = rs.Submit(ctx, gzbank, v.ID); err != nil {
		t.Fatal(err)
	}
	if _, err = rs.MarkInReview(ctx, v.ID); err != nil {
		t.Fatal(err)
	}
	if _, err = rs.Close(ctx, v.ID, "report:"+v.ID); err != nil {
		t.Fatal(err)
	}
	yes := true
	if _, err = rs.Decide(ctx, gzbank, v.ID, review.DecisionInput{Granted: &yes, Amount: 3000000}); err != nil {
		t.Fatal(err)
	}
	r, err := s.Schedule(ctx, v.ID)
	if err != nil {
		t.Fatal(err)
	}
	clock = clock.AddDate(1, 0, 1)
	if n, err := s.MarkDue(ctx); err != nil || n != 1 {
		t.Fatalf("due: %d %v", n, err)
	}
	r, _, _ = s.load(ctx, r.ID)
	return s, rs, r, &clock
}

// claim writes a start's first step alone, as a crash after it leaves it.
func claim(t *testing.T, s *Service, r Rereview, at time.Time) Rereview {
	t.Helper()
	_, ver, err := s.load(context.Background(), r.ID)
	if err != nil {
		t.Fatal(err)
	}
	r.State, r.StartedAt, r.StartedBy = StateInProgress, &at, gzbank.ID
	if _, err := s.coll.Replace(context.Background(), r.ID, ver, r); err != nil {
		t.Fatal(err)
	}
	return r
}

// A start cut short before the round's application existed is given back
// to the bank (due again), which can then start it.
func TestStartCutShortBeforeTheRoundIsUndone(t *testing.T) {
	s, _, r, clock := granted(t, 1)
	ctx := context.Background()
	claim(t, s, r, *clock)
	if err := s.Repair(ctx); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := s.load(ctx, r.ID); got.State != StateInProgress {
		t.Fatalf("a fresh claim was repaired: %s", got.State)
	}
	*clock = clock.Add(2 * RepairAfter)
	if err := s.Repair(ctx); err != nil {
		t.Fatal(err)
	}
	got, _, _ := s.load(ctx, r.ID)
	if got.State != StateDue || got.StartedAt != nil {
		t.Fatalf("after repair = %s, want due again", got.State)
	}
	started, err := s.Start(ctx, gzbank, r.ID)
	if err != nil || started.NewApplicationID == "" {
		t.Fatalf("start after the repair: %+v %v", started, err)
	}
}

// A start cut short after the round's application was created is linked
// to it (and the draft submitted), not started twice.
func TestStartCutShortAfterTheRoundIsLinked(t *testing.T) {
	s, rs, r, clock := granted(t, 2)
	ctx := context.Background()
	claim(t, s, r, *clock)
	round, err := rs.CreateRereview(ctx, gzbank, r.ApplicationID)
	if err != nil {
		t.Fatal(err)
	}
	*clock = clock.Add(2 * RepairAfter)
	if _, _, err := s.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	got, _, _ := s.load(ctx, r.ID)
	if got.State != StateInProgress || got.NewApplicationID != round.ID {
		t.Fatalf("after repair = %s linked to %q, want in progress with %s", got.State, got.NewApplicationID, round.ID)
	}
	if a, _ := rs.Load(ctx, round.ID); a.State != review.StateSubmitted {
		t.Errorf("round application = %s, want submitted", a.State)
	}
}
