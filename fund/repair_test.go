package fund_test

import (
	"context"
	"testing"
	"time"

	"kedaitong/fund"
	"kedaitong/identity"
)

// sumLoans is what the pool's outstanding must equal: the outstanding of
// its active and non-performing loans.
func (e *env) sumLoans(t *testing.T, fundID string) (outstanding, loans int64) {
	t.Helper()
	ls, _, err := e.f.ListLoans(context.Background(), admin, fund.LoanFilter{FundID: fundID, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		if l.State == fund.LoanActive || l.State == fund.LoanNonPerforming {
			outstanding += l.Outstanding
		}
		loans++
	}
	return outstanding, loans
}

// TestRepairAfterCrash: a crash injected between the pool's write and the
// loan's (as kill -9 would leave it) leaves the pool's outstanding above
// its loans; Repair rolls the change back — for a registration, a
// repayment and a default — and keeps a change whose loan was written.
func TestRepairAfterCrash(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.lianhuaPool(t)
	var clock time.Time = now
	e.f.SetClock(func() time.Time { clock = clock.Add(time.Millisecond); return clock })
	kept := e.loan(t, officerA, "360321", 1, 1000000, 24)
	e.f.Flush()

	crash := ""
	e.f.SetFaultHook(func(kind string) bool { return kind == crash })
	check := func(step string, wantOutstanding int64) {
		t.Helper()
		e.f.Flush()
		sum, _ := e.sumLoans(t, "fund-360321")
		p := must(e.f.PoolOf(ctx, "fund-360321"))
		if p.Outstanding != wantOutstanding || sum != wantOutstanding {
			t.Errorf("%s: pool outstanding %d, loans %d, want %d", step, p.Outstanding, sum, wantOutstanding)
		}
		if len(p.Intents) != 0 {
			t.Errorf("%s: intents left %+v", step, p.Intents)
		}
	}
	repair := func(step string, want int) {
		t.Helper()
		// Repair leaves changes in flight alone: nothing younger than the grace.
		if n, err := e.f.Repair(ctx, fund.RepairGrace); err != nil || n != 0 {
			t.Errorf("%s: repair of young intents: %d %v", step, n, err)
		}
		clock = clock.Add(fund.RepairGrace + time.Second)
		if n, err := e.f.Repair(ctx, fund.RepairGrace); err != nil || n != want {
			t.Errorf("%s: repaired %d, want %d (%v)", step, n, want, err)
		}
		if n, err := e.f.Repair(ctx, fund.RepairGrace); err != nil || n != 0 {
			t.Errorf("%s: a second repair changed %d", step, n)
		}
	}

	// A registration that dies between the writes.
	crash = "register"
	if _, err := e.f.RegisterLoan(ctx, officerB, fund.LoanInput{Enterprise: ent("360321", 2, "biomedicine.tcm", "2015-01-01"), Amount: 700000, Start: "2025-03-01", TermMonths: 12}); err == nil {
		t.Fatal("the crash point did not stop the registration")
	}
	p := must(e.f.PoolOf(ctx, "fund-360321"))
	if p.Outstanding != 1700000 || len(p.Intents) != 1 {
		t.Fatalf("after the crash: outstanding %d, intents %d (the half-done state repair must fix)", p.Outstanding, len(p.Intents))
	}
	repair("register", 1)
	check("register rolled back", 1000000)
	for _, ev := range e.rec.all() {
		if ev.Action == "loan.register" && ev.BankID == "bank-b" {
			t.Errorf("a rolled-back registration is audited as registered: %+v", ev)
		}
		if ev.Action == "fund.repair_rollback" && ev.Detail["kind"] != "register" {
			t.Errorf("rollback entry: %+v", ev)
		}
	}
	if p := must(e.f.GetPool(ctx, admin, "fund-360321")); p.Banks[0].BankID != "bank-a" || len(p.Banks) != 2 && p.Banks[1].Outstanding != 0 {
		t.Errorf("banks after rollback: %+v", p.Banks)
	}

	// A repayment that dies between the writes.
	crash = "repayment"
	if _, err := e.f.Repay(ctx, officerA, kept.ID, fund.RepaymentInput{Amount: 300000, Date: "2025-06-01"}); err == nil {
		t.Fatal("the crash point did not stop the repayment")
	}
	if p := must(e.f.PoolOf(ctx, "fund-360321")); p.Outstanding != 700000 {
		t.Fatalf("after the crashed repayment: %d", p.Outstanding)
	}
	repair("repayment", 1)
	check("repayment rolled back", 1000000)

	// A default that dies between the writes.
	crash = "default"
	if _, err := e.f.MarkDefault(ctx, officerA, kept.ID, fund.DefaultInput{Date: "2025-09-01", Outstanding: ptr(int64(900000))}); err == nil {
		t.Fatal("the crash point did not stop the default")
	}
	repair("default", 1)
	check("default rolled back", 1000000)
	if p := must(e.f.GetPool(ctx, admin, "fund-360321")); p.Banks[0].NonPerforming != 0 || p.Banks[0].State != fund.BankNormal {
		t.Errorf("bank after the rolled-back default: %+v", p.Banks[0])
	}

	// Without a crash, the same changes hold and leave no intent behind.
	crash = ""
	must(e.f.Repay(ctx, officerA, kept.ID, fund.RepaymentInput{Amount: 300000, Date: "2025-06-01"}))
	must(e.f.MarkDefault(ctx, officerA, kept.ID, fund.DefaultInput{Date: "2025-09-01", Outstanding: ptr(int64(600000))}))
	e.loan(t, officerB, "360321", 2, 700000, 12)
	check("changes kept", 1300000)
	if p := must(e.f.PoolOf(ctx, "fund-360321")); p.Loans != 2 || p.Enterprises != 2 {
		t.Errorf("KPI counters: loans %d, enterprises %d, want 2 and 2 (the rolled-back registration counted nowhere)", p.Loans, p.Enterprises)
	}
}

// TestRepairKeepsWrittenLoan: an intent left by a crash after the loan was
// written (before the intent was cleared) is kept: the repair only clears it.
func TestRepairKeepsWrittenLoan(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.lianhuaPool(t)
	var clock time.Time = now
	e.f.SetClock(func() time.Time { clock = clock.Add(time.Millisecond); return clock })
	// Register, then put back the intent as a crash after the loan write
	// (before its clearing) would have left it.
	l := e.loan(t, officerA, "360321", 1, 500000, 24)
	e.f.Flush()
	must(0, e.f.PutIntent(ctx, "fund-360321", fund.Intent{ID: l.Ops[0], Kind: "register", LoanID: l.ID, BankID: "bank-a", At: clock,
		Audit: &fund.AuditNote{Action: "loan.register", ActorID: officerA.ID, Username: officerA.Username, Role: officerA.Role, BankID: "bank-a", Region: "360321",
			Detail: map[string]any{"amount": 500000}}}))
	clock = clock.Add(fund.RepairGrace + time.Second)
	if n, err := e.f.Repair(ctx, fund.RepairGrace); err != nil || n != 1 {
		t.Fatalf("repair: %d %v", n, err)
	}
	p := must(e.f.PoolOf(ctx, "fund-360321"))
	if p.Outstanding != 500000 || p.Loans != 1 || len(p.Intents) != 0 {
		t.Errorf("after keeping a written loan: outstanding %d loans %d intents %d", p.Outstanding, p.Loans, len(p.Intents))
	}
	if _, err := e.f.GetLoan(ctx, officerA, l.ID); err != nil {
		t.Errorf("loan gone: %v", err)
	}
	// The registration's audit entry is written again, marked repaired
	// (the crash may have come before the first one).
	var entries, repaired int
	for _, ev := range e.rec.all() {
		if ev.Action == "loan.register" && ev.ObjectID == l.ID {
			entries++
			if ev.Detail["repaired"] == true && ev.Actor != nil && ev.Actor.ID == officerA.ID {
				repaired++
			}
		}
	}
	if entries != 2 || repaired != 1 {
		t.Errorf("audit entries of the registration: %d, repaired %d", entries, repaired)
	}
}

func (e *events) all() []identity.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]identity.Event(nil), e.evs...)
}

// TestCommittedIntentsClearedNotRepaired: a registration's intent left in
// an idle pool after the answer is never taken for a crash: Repair leaves
// it (no second audit entry) and ClearCommitted removes it in one write.
func TestCommittedIntentsClearedNotRepaired(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.lianhuaPool(t)
	clock := now
	e.f.SetClock(func() time.Time { clock = clock.Add(time.Millisecond); return clock })
	l1 := e.loan(t, officerA, "360321", 1, 100000, 24)
	e.f.WaitBackground() // its audit entry written: committed
	l2 := e.loan(t, officerB, "360321", 2, 100000, 24)
	e.f.WaitBackground()
	if p := must(e.f.PoolOf(ctx, "fund-360321")); len(p.Intents) != 1 || p.Intents[0].LoanID != l2.ID {
		t.Fatalf("intents after two registrations: %+v (the second write drops the first's)", p.Intents)
	}
	clock = clock.Add(fund.RepairGrace + time.Minute)
	if n, err := e.f.Repair(ctx, fund.RepairGrace); err != nil || n != 0 {
		t.Errorf("repair of committed intents: %d %v", n, err)
	}
	if n, err := e.f.ClearCommitted(ctx); err != nil || n != 1 {
		t.Errorf("clear: %d %v", n, err)
	}
	if p := must(e.f.PoolOf(ctx, "fund-360321")); len(p.Intents) != 0 || p.Outstanding != 200000 || p.Loans != 2 {
		t.Errorf("after clearing: %+v", p)
	}
	for _, id := range []string{l1.ID, l2.ID} {
		n := 0
		for _, ev := range e.rec.all() {
			if ev.Action == "loan.register" && ev.ObjectID == id {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s audited %d times", id, n)
		}
	}
}
