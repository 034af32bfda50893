package fund_test

import (
	"context"
	"testing"
	"time"

	"kedaitong/fund"
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
	must(0, e.f.PutIntent(ctx, "fund-360321", fund.Intent{ID: l.Ops[0], Kind: "register", LoanID: l.ID, BankID: "bank-a", At: clock}))
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
}
