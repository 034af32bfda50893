package fund_test

import (
	"context"
	"testing"
	"time"

	"kedaitong"
	"kedaitong/fund"
	"kedaitong/identity"
)

// TestSeatDueDatesAndReplacement: invitations are due in three days and
// answers fourteen days after acceptance; a declined or expired seat is
// replaced by an expert of the route not yet invited; an accept after the
// due date is refused; the sweep expires what is overdue; the evaluation
// closes on the answers once no seat is open and no replacement is left.
func TestSeatDueDatesAndReplacement(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.lianhuaPool(t)
	clock := now
	e.f.SetClock(func() time.Time { clock = clock.Add(time.Millisecond); return clock })
	pool := []string{"e1", "e2", "e3", "e4", "e5"}
	e.f.SetExpertFinder(func(_ context.Context, route, bank, code string, n int) ([]string, []string, error) {
		n = min(n, len(pool))
		tiers := make([]string, n)
		for i := range tiers {
			tiers[i] = "industry"
		}
		return pool[:n], tiers, nil
	})
	l := e.loan(t, officerA, "360321", 1, 100000, 24)
	must(e.f.MarkDefault(ctx, officerA, l.ID, fund.DefaultInput{Date: "2025-09-01", Outstanding: ptr(int64(90000))}))
	ev := must(e.f.OrderEvaluation(ctx, lianhua, l.ID))
	expert := func(id string) identity.User {
		return identity.User{ID: "u-" + id, Role: identity.RoleExpert, ExpertID: id}
	}
	seatOf := func(x string) fund.Seat {
		t.Helper()
		ss, _, err := e.f.SeatsPage(ctx, expert(x), "", 10, "")
		if err != nil || len(ss) != 1 {
			t.Fatalf("%s's seats: %+v %v", x, ss, err)
		}
		return ss[0]
	}
	s1 := seatOf("e1")
	if d := s1.Due.Sub(s1.InvitedAt); d < fund.ResponseWindow-time.Second || d > fund.ResponseWindow+time.Second {
		t.Errorf("invitation due after %v, want %v", d, fund.ResponseWindow)
	}
	if s1.Amount != 100000 || s1.DefaultAmount != 90000 || s1.DefaultDate != "2025-09-01" || s1.BankID != "bank-a" || s1.Enterprise == "" {
		t.Errorf("seat facts: %+v", s1)
	}
	// A decline brings in e4.
	must(e.f.DeclineSeat(ctx, expert("e1"), s1.ID, "利益冲突"))
	if s4 := seatOf("e4"); s4.State != fund.SeatInvited || s4.EvaluationID != ev.ID {
		t.Errorf("replacement: %+v", s4)
	}
	// e2 accepts: answer due fourteen days later.
	s2 := must(e.f.AcceptSeat(ctx, expert("e2"), seatOf("e2").ID))
	if d := s2.Due.Sub(clock); d < fund.ReviewWindow-time.Second || d > fund.ReviewWindow {
		t.Errorf("answer due in %v", d)
	}
	// Three days on: e3 can no longer accept; the sweep expires e3 and e4
	// and invites e5 (the last expert left), not e2's accepted seat.
	clock = clock.Add(fund.ResponseWindow + time.Minute)
	if _, err := e.f.AcceptSeat(ctx, expert("e3"), seatOf("e3").ID); code(err) != kedaitong.EConflict {
		t.Errorf("accept after the due date: %v", err)
	}
	n, err := e.f.SweepSeats(ctx)
	if err != nil || n != 2 {
		t.Fatalf("sweep: %d %v", n, err)
	}
	if seatOf("e3").State != fund.SeatExpired || seatOf("e4").State != fund.SeatExpired || seatOf("e2").State != fund.SeatAccepted {
		t.Errorf("after the sweep: e3 %s e4 %s e2 %s", seatOf("e3").State, seatOf("e4").State, seatOf("e2").State)
	}
	s5 := seatOf("e5")
	if s5.State != fund.SeatInvited {
		t.Fatalf("e5: %+v", s5)
	}
	if n, _ := e.f.SweepSeats(ctx); n != 0 {
		t.Errorf("a second sweep expired %d", n)
	}
	// e2 answers; e5 declines; no expert is left: the evaluation closes on e2's answer.
	must(e.f.ScoreSeat(ctx, expert("e2"), s2.ID, fund.SeatInput{RouteFailure: ptr(true), Comment: "路线失败"}))
	must(e.f.SubmitSeat(ctx, expert("e2"), s2.ID))
	if got := must(e.f.GetEvaluation(ctx, lianhua, ev.ID)); got.State != fund.EvalOpen {
		t.Fatalf("closed with e5 still invited: %+v", got)
	}
	must(e.f.DeclineSeat(ctx, expert("e5"), s5.ID, "出差"))
	got := must(e.f.GetEvaluation(ctx, lianhua, ev.ID))
	if got.State != fund.EvalClosed || got.Finding == nil || *got.Finding != fund.FindingRouteFailure || got.Answers != 1 {
		t.Errorf("evaluation: %+v", got)
	}
	// An accepted seat left unanswered past its deadline expires too.
	l2 := e.loan(t, officerB, "360321", 2, 100000, 24) // bank-a is suspended by its default
	must(e.f.MarkDefault(ctx, officerB, l2.ID, fund.DefaultInput{Date: "2025-09-01", Outstanding: ptr(int64(90000))}))
	pool = []string{"e1"}
	ev2 := must(e.f.OrderEvaluation(ctx, lianhua, l2.ID))
	seats := must(e.f.EvaluationSeatsOf(ctx, lianhua, ev2.ID))
	if len(seats) != 1 {
		t.Fatalf("seats: %+v", seats)
	}
	must(e.f.AcceptSeat(ctx, expert("e1"), seats[0].ID))
	clock = clock.Add(fund.ReviewWindow + time.Minute)
	if n, err := e.f.SweepSeats(ctx); err != nil || n != 1 {
		t.Errorf("sweep of an overdue answer: %d %v", n, err)
	}
	seats = must(e.f.EvaluationSeatsOf(ctx, lianhua, ev2.ID))
	if seats[0].State != fund.SeatExpired {
		t.Errorf("overdue accepted seat: %s", seats[0].State)
	}
	if got := must(e.f.GetEvaluation(ctx, lianhua, ev2.ID)); got.State != fund.EvalOpen || got.Finding != nil {
		t.Errorf("an evaluation without answers stays open: %+v", got)
	}
	// Paging an expert's seats: each once, newest first.
	var ids []string
	cur := ""
	for range 5 {
		ss, next, err := e.f.SeatsPage(ctx, expert("e1"), "", 1, cur)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range ss {
			ids = append(ids, x.ID)
		}
		if cur = next; cur == "" {
			break
		}
	}
	if len(ids) != 2 || ids[0] != seats[0].ID {
		t.Errorf("paged seats %v", ids)
	}
	if _, _, err := e.f.SeatsPage(ctx, expert("e1"), "bogus", 10, ""); code(err) != kedaitong.EInvalid {
		t.Errorf("bad state: %v", err)
	}
}
