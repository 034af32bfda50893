package fund_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"kedaitong"
	"kedaitong/fund"
	"kedaitong/identity"
	"kedaitong/review"
)

// crashEnv is a Lianhua pool on a clock the test moves past the repair
// grace, with a crash point the test arms.
type crashEnv struct {
	*env
	clock *time.Time
	point string
}

func newCrashEnv(t *testing.T) *crashEnv {
	e := &crashEnv{env: newEnv(t)}
	clock := now
	e.clock = &clock
	e.f.SetClock(func() time.Time { clock = clock.Add(time.Millisecond); return clock })
	e.lianhuaPool(t)
	e.f.SetFaultHook(func(kind string) bool { return kind == e.point })
	return e
}

// crash runs fn with the crash point armed: fn must stop there.
func (e *crashEnv) crash(t *testing.T, point string, fn func() error) {
	t.Helper()
	e.point = point
	err := fn()
	e.point = ""
	if code(err) != kedaitong.EUnavailable {
		t.Fatalf("%s: the crash point did not stop the change: %v", point, err)
	}
}

// repair runs Repair as the server would: nothing young is touched, then
// past the grace everything is settled, and a second run finds nothing.
func (e *crashEnv) repair(t *testing.T, step string) {
	t.Helper()
	ctx := context.Background()
	if n, err := e.f.Repair(ctx, fund.RepairGrace); err != nil || n != 0 {
		t.Errorf("%s: repair of changes in flight: %d %v", step, n, err)
	}
	*e.clock = e.clock.Add(fund.RepairGrace + time.Second)
	if n, err := e.f.Repair(ctx, fund.RepairGrace); err != nil || n == 0 {
		t.Errorf("%s: repaired %d (%v), want something", step, n, err)
	}
	if n, err := e.f.Repair(ctx, fund.RepairGrace); err != nil || n != 0 {
		t.Errorf("%s: a second repair changed %d (%v)", step, n, err)
	}
	e.f.Flush()
}

// agree checks that a pool's money, its claims and its loans agree: the
// pool's outstanding is its live loans', what it paid out and deferred are
// its claims', its open claims are its submitted claims', a loan is
// compensated exactly when its claim was paid, and no intent is left.
func (e *crashEnv) agree(t *testing.T, step, fundID string, paidIn int64) {
	t.Helper()
	ctx := context.Background()
	e.f.Flush()
	p := must(e.f.PoolOf(ctx, fundID))
	loans, _, err := e.f.ListLoans(ctx, admin, fund.LoanFilter{FundID: fundID, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	claims, _, err := e.f.ListClaims(ctx, admin, fund.ClaimFilter{FundID: fundID, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var outstanding, paid, deferred, open int64
	byLoan := map[string]fund.Claim{}
	for _, l := range loans {
		if l.State == fund.LoanActive || l.State == fund.LoanNonPerforming {
			outstanding += l.Outstanding
		}
	}
	for _, c := range claims {
		paid += c.Paid
		deferred += c.Deferred
		switch c.State {
		case fund.ClaimSubmitted:
			open += c.Compensation
		case fund.ClaimApproved:
			t.Errorf("%s: claim %s left approved and unpaid", step, c.ID)
		}
		if c.State == fund.ClaimPaid || c.State == fund.ClaimPartlyPaid {
			if c.Paid+c.Deferred != c.Compensation {
				t.Errorf("%s: claim %s paid %d + deferred %d ≠ compensation %d", step, c.ID, c.Paid, c.Deferred, c.Compensation)
			}
			byLoan[c.LoanID] = c
		}
	}
	for _, l := range loans {
		_, compensated := byLoan[l.ID]
		if (l.State == fund.LoanCompensated) != compensated {
			t.Errorf("%s: loan %s is %s, its claim paid: %v", step, l.ID, l.State, compensated)
		}
		if l.OpenClaimID != "" {
			if c, err := e.f.GetClaim(ctx, admin, l.OpenClaimID); err != nil || !c.Open() {
				t.Errorf("%s: loan %s marked with claim %s that is not open (%v)", step, l.ID, l.OpenClaimID, err)
			}
		}
	}
	if p.Outstanding != outstanding || p.PaidOut != paid || p.Deferred != deferred || p.OpenClaims != open {
		t.Errorf("%s: pool outstanding %d paid %d deferred %d open %d; its loans and claims: %d %d %d %d",
			step, p.Outstanding, p.PaidOut, p.Deferred, p.OpenClaims, outstanding, paid, deferred, open)
	}
	if paidIn >= 0 && p.Cash+p.PaidOut != paidIn {
		t.Errorf("%s: cash %d + paid out %d ≠ paid in %d (money lost or made)", step, p.Cash, p.PaidOut, paidIn)
	}
	if len(p.Intents) != 0 {
		t.Errorf("%s: intents left: %+v", step, p.Intents)
	}
}

// defaulted registers a loan of bank A and defaults it at its full amount.
func (e *crashEnv) defaulted(t *testing.T, n int, amount int64) fund.Loan {
	t.Helper()
	l := e.loan(t, officerA, "360321", n, amount, 24)
	return must(e.f.MarkDefault(context.Background(), officerA, l.ID, fund.DefaultInput{Date: "2025-09-01", Outstanding: ptr(amount)}))
}

// readyClaim files a claim for the whole loss and closes the recovery.
func (e *crashEnv) readyClaim(t *testing.T, l fund.Loan) fund.Claim {
	t.Helper()
	ctx := context.Background()
	c := must(e.f.FileClaim(ctx, officerA, l.ID, fund.ClaimInput{Loss: l.Outstanding, Cause: "ordinary"}))
	return must(e.f.CloseRecovery(ctx, officerA, c.ID))
}

// TestClaimApprovalCrashRepaired: an approval that dies after any of its
// writes (the claim marked approved; the pool paid; the claim booked) is
// finished by Repair: the claim paid exactly once, the pool's money and
// the loan in agreement; approving again pays nothing more.
func TestClaimApprovalCrashRepaired(t *testing.T) {
	for _, point := range []string{"claim_approve", "claim_paid", "claim_booked"} {
		t.Run(point, func(t *testing.T) {
			e := newCrashEnv(t)
			ctx := context.Background()
			l := e.defaulted(t, 1, 1000000)
			c := e.readyClaim(t, l)
			e.agree(t, "before", "fund-360321", 2545000)
			e.crash(t, point, func() error { _, err := e.f.ApproveClaim(ctx, lianhua, c.ID); return err })
			if _, err := e.f.ApproveClaim(ctx, lianhua, c.ID); code(err) != kedaitong.EConflict {
				t.Errorf("approving the half-approved claim again: %v", err)
			}
			e.repair(t, point)
			e.agree(t, "after "+point, "fund-360321", 2545000)
			got := must(e.f.GetClaim(ctx, officerA, c.ID))
			if got.State != fund.ClaimPaid || got.Paid != 800000 {
				t.Errorf("claim after repair: %s paid %d", got.State, got.Paid)
			}
			if p := must(e.f.PoolOf(ctx, "fund-360321")); p.Cash != 2545000-800000 || p.CompensationPaid != 800000 {
				t.Errorf("pool after repair: cash %d compensation paid %d", p.Cash, p.CompensationPaid)
			}
			if _, err := e.f.ApproveClaim(ctx, lianhua, c.ID); code(err) != kedaitong.EConflict {
				t.Errorf("approving the paid claim: %v", err)
			}
			if n := e.rec.count("claim.approve"); n < 1 {
				t.Errorf("the repaired approval is not audited")
			}
		})
	}
}

// TestDeferredPaymentCrashRepaired: a claim larger than cash is partly
// paid; a contribution that dies after paying the rest in the pool's write
// (before booking it on the claim) is booked by Repair, once.
func TestDeferredPaymentCrashRepaired(t *testing.T) {
	e := newCrashEnv(t)
	ctx := context.Background()
	l := e.loan(t, officerA, "360321", 1, 2545000, 24)
	l2 := e.loan(t, officerA, "360321", 2, 2000000, 24)
	l = must(e.f.MarkDefault(ctx, officerA, l.ID, fund.DefaultInput{Date: "2025-09-01", Outstanding: ptr(int64(2545000))}))
	l2 = must(e.f.MarkDefault(ctx, officerA, l2.ID, fund.DefaultInput{Date: "2025-09-01", Outstanding: ptr(int64(2000000))}))
	c := e.readyClaim(t, l)   // 2,036,000 compensation
	c2 := e.readyClaim(t, l2) // 1,600,000: only 509,000 cash left
	must(e.f.ApproveClaim(ctx, lianhua, c.ID))
	// The second approval dies after the pool paid what cash had.
	e.crash(t, "claim_paid", func() error { _, err := e.f.ApproveClaim(ctx, lianhua, c2.ID); return err })
	// A contribution pays the deferred rest and dies before booking it.
	e.crash(t, "contribution", func() error {
		_, _, err := e.f.Contribute(ctx, lianhua, "fund-360321", fund.ContributionInput{Year: 2025, PaidIn: 2000000, By: "county"})
		return err
	})
	e.repair(t, "deferred")
	e.agree(t, "after the deferred payment", "fund-360321", 2545000+2000000)
	got := must(e.f.GetClaim(ctx, officerA, c2.ID))
	if got.State != fund.ClaimPaid || got.Paid != 1600000 || got.Deferred != 0 {
		t.Errorf("claim after its deferred payment: %s paid %d deferred %d", got.State, got.Paid, got.Deferred)
	}
	if e.rec.count("fund.contribution") < 1 {
		t.Error("the contribution is not audited after the repair")
	}
}

// TestClaimFileAndRejectCrashRepaired: a filing that dies after the pool's
// open list (before the claim exists) is rolled back and the loan can be
// claimed again; a rejection that dies after the claim's write is finished.
func TestClaimFileAndRejectCrashRepaired(t *testing.T) {
	e := newCrashEnv(t)
	ctx := context.Background()
	l := e.defaulted(t, 1, 500000)
	e.crash(t, "claim_file", func() error {
		_, err := e.f.FileClaim(ctx, officerA, l.ID, fund.ClaimInput{Loss: 500000, Cause: "ordinary"})
		return err
	})
	if p := must(e.f.PoolOf(ctx, "fund-360321")); p.OpenClaims != 400000 {
		t.Fatalf("open claims after the crashed filing: %d (the half-done state)", p.OpenClaims)
	}
	e.repair(t, "claim_file")
	e.agree(t, "after the filing's rollback", "fund-360321", 2545000)
	c := must(e.f.FileClaim(ctx, officerA, l.ID, fund.ClaimInput{Loss: 500000, Cause: "ordinary"}))
	e.crash(t, "claim_reject", func() error {
		_, err := e.f.RejectClaim(ctx, lianhua, c.ID, fund.RejectInput{Reason: "材料不全"})
		return err
	})
	// The bank may file again at once: a rejected claim's mark does not block.
	c2 := must(e.f.FileClaim(ctx, officerA, l.ID, fund.ClaimInput{Loss: 400000, Cause: "ordinary"}))
	e.repair(t, "claim_reject")
	e.agree(t, "after the rejection", "fund-360321", 2545000)
	if got := must(e.f.GetLoan(ctx, officerA, l.ID)); got.OpenClaimID != c2.ID {
		t.Errorf("the repair cleared the new claim's mark: %q", got.OpenClaimID)
	}
}

// TestTransferCrashRepaired: a transfer that dies after the debit, or
// after the credit, is finished by Repair: the money arrives once, the
// transfer is recorded, nothing is lost.
func TestTransferCrashRepaired(t *testing.T) {
	for _, point := range []string{"transfer_debit", "transfer_credit"} {
		t.Run(point, func(t *testing.T) {
			e := newCrashEnv(t)
			ctx := context.Background()
			must(e.f.CreatePool(ctx, province, fund.PoolInput{Region: "36"}))
			e.crash(t, point, func() error {
				_, err := e.f.TransferMoney(ctx, province, fund.TransferInput{From: "360321", To: "36", Amount: 1000000, Reason: "跨区域调剂"})
				return err
			})
			e.repair(t, point)
			from, to := must(e.f.PoolOf(ctx, "fund-360321")), must(e.f.PoolOf(ctx, "fund-36"))
			if from.Cash != 1545000 || to.Cash != 1000000 || to.PaidIn != 1000000 || len(from.Intents)+len(to.Intents) != 0 {
				t.Errorf("after repair: from cash %d, to cash %d paid in %d, intents %d+%d", from.Cash, to.Cash, to.PaidIn, len(from.Intents), len(to.Intents))
			}
			ts, _, err := e.f.ListTransfers(ctx, province, 10, "")
			if err != nil || len(ts) != 1 || ts[0].Amount != 1000000 || ts[0].State != "done" {
				t.Errorf("transfers recorded: %+v %v", ts, err)
			}
			if e.rec.count("fund.transfer") < 1 {
				t.Error("the transfer is not audited")
			}
		})
	}
}

// TestEvaluationCrashRepaired: an order that dies after the evaluation's
// write (before the loan names it and the seats exist), and a replacement
// that dies after its plan, are finished by Repair: the loan names the
// evaluation, every planned expert has exactly one seat.
func TestEvaluationCrashRepaired(t *testing.T) {
	e := newCrashEnv(t)
	ctx := context.Background()
	pool := []string{"e1", "e2", "e3", "e4"}
	e.f.SetExpertFinder(func(_ context.Context, route, bank, code string, n int) ([]string, []string, error) {
		n = min(n, len(pool))
		return pool[:n], make([]string, n), nil
	})
	expert := func(id string) identity.User {
		return identity.User{ID: "u-" + id, Role: identity.RoleExpert, ExpertID: id}
	}
	l := e.defaulted(t, 1, 100000)
	e.crash(t, "evaluation", func() error { _, err := e.f.OrderEvaluation(ctx, lianhua, l.ID); return err })
	if ss := must(e.f.Seats(ctx, expert("e1"), "")); len(ss) != 0 {
		t.Fatalf("seats before the repair: %+v", ss)
	}
	e.repair(t, "evaluation")
	got := must(e.f.GetLoan(ctx, lianhua, l.ID))
	if got.EvaluationID == "" {
		t.Fatal("the loan does not name its evaluation after the repair")
	}
	if _, err := e.f.OrderEvaluation(ctx, lianhua, l.ID); code(err) != kedaitong.EConflict {
		t.Errorf("a second evaluation: %v", err)
	}
	for _, x := range []string{"e1", "e2", "e3"} {
		if ss := must(e.f.Seats(ctx, expert(x), "")); len(ss) != 1 || ss[0].EvaluationID != got.EvaluationID {
			t.Errorf("%s's seats: %+v", x, ss)
		}
	}
	// A decline whose replacement dies after its plan: Repair writes the seat.
	s1 := must(e.f.Seats(ctx, expert("e1"), ""))[0]
	e.crash(t, "replacement", func() error { _, err := e.f.DeclineSeat(ctx, expert("e1"), s1.ID, "利益冲突"); return err })
	e.repair(t, "replacement")
	if ss := must(e.f.Seats(ctx, expert("e4"), "")); len(ss) != 1 || ss[0].State != fund.SeatInvited {
		t.Errorf("replacement seat: %+v", ss)
	}
	if ev := must(e.f.GetEvaluation(ctx, lianhua, got.EvaluationID)); ev.Replacements != 1 || len(ev.Pending) != 0 || ev.Setup != "" {
		t.Errorf("evaluation after the repair: %+v", ev)
	}
}

// TestRereviewCrashRepaired: a re-review count that dies between the pool
// and the loan is rolled back, and counted once when recorded again.
func TestRereviewCrashRepaired(t *testing.T) {
	e := newCrashEnv(t)
	ctx := context.Background()
	app := e.grantedApplication(t)
	must(e.f.RegisterLoan(ctx, officerA, fund.LoanInput{ApplicationID: app}))
	e.crash(t, "rereview", func() error { return e.f.RecordRereview(ctx, app, false) })
	e.repair(t, "rereview")
	if p := must(e.f.PoolOf(ctx, "fund-360321")); p.Rereviewed != 0 {
		t.Errorf("rolled-back re-review counted: %d", p.Rereviewed)
	}
	must(0, e.f.RecordRereview(ctx, app, false))
	must(0, e.f.RecordRereview(ctx, app, false))
	e.f.Flush()
	if p := must(e.f.PoolOf(ctx, "fund-360321")); p.Rereviewed != 1 || p.RereviewedNoExit != 1 {
		t.Errorf("re-reviews counted: %d / %d", p.Rereviewed, p.RereviewedNoExit)
	}
}

// grantedApplication is bank A's application with a granted lending decision.
func (e *crashEnv) grantedApplication(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	in := review.Input{Enterprise: review.Enterprise{Name: "莲花芯材科技有限公司", CreditCode: review.DemoCreditCode("360321", 1), Region: "360321",
		Founded: "2022-03-15", Route: "semiconductors.ic-design", Staff: 60, RDStaff: 25, Revenue: []int64{12000000, 9000000},
		NetProfit: []int64{-3000000, -4500000}, RDSpend: 6000000, InventionPatents: 5, Maturity: "pilot"},
		Loan: review.Loan{Amount: 3000000, TermMonths: 36, Purpose: "量产"}, Summary: "芯片设计"}
	app := must(e.apps.Create(ctx, officerA, in))
	must(e.apps.Submit(ctx, officerA, app.ID))
	must(e.apps.MarkInReview(ctx, app.ID))
	must(e.apps.Close(ctx, app.ID, "rep"))
	must(e.apps.Decide(ctx, officerA, app.ID, review.DecisionInput{Granted: ptr(true), Amount: 2500000, Date: "2026-05-10"}))
	return app.ID
}

// TestClaimFiledBeforeOpenList: a claim filed before the pools kept their
// open list (a store from an older version) is still approved or rejected,
// and leaves the pool's open total.
func TestClaimFiledBeforeOpenList(t *testing.T) {
	e := newCrashEnv(t)
	ctx := context.Background()
	l1 := e.loan(t, officerA, "360321", 1, 500000, 24)
	l2 := e.loan(t, officerA, "360321", 2, 500000, 24)
	for _, l := range []fund.Loan{l1, l2} {
		must(e.f.MarkDefault(ctx, officerA, l.ID, fund.DefaultInput{Date: "2025-09-01", Outstanding: ptr(int64(500000))}))
	}
	c1 := e.readyClaim(t, must(e.f.GetLoan(ctx, officerA, l1.ID)))
	c2 := e.readyClaim(t, must(e.f.GetLoan(ctx, officerA, l2.ID)))
	must(0, e.f.MakeLegacy(ctx, c1.ID))
	must(0, e.f.MakeLegacy(ctx, c2.ID))
	if got := must(e.f.ApproveClaim(ctx, lianhua, c1.ID)); got.State != fund.ClaimPaid || got.Paid != 400000 {
		t.Errorf("legacy claim approved: %s %d", got.State, got.Paid)
	}
	must(e.f.RejectClaim(ctx, lianhua, c2.ID, fund.RejectInput{Reason: "材料不全"}))
	e.agree(t, "legacy claims", "fund-360321", 2545000)
}

// TestPoolCreateCrashAudited: opening a pool that dies after the pool's
// insert, before its audit entry, leaves the entry to Repair: written once,
// marked repaired; an uninterrupted opening writes it at once and leaves
// nothing for Repair.
func TestPoolCreateCrashAudited(t *testing.T) {
	e := newCrashEnv(t)
	ctx := context.Background()
	if n := e.rec.count("fund.create"); n != 1 {
		t.Fatalf("the Lianhua pool's opening was audited %d times", n)
	}
	e.crash(t, "pool_create", func() error {
		_, err := e.f.CreatePool(ctx, fuzhou, fund.PoolInput{Region: "3610", Name: ptr("抚州市科贷通风险补偿资金池")})
		return err
	})
	if n := e.rec.count("fund.create"); n != 1 {
		t.Fatalf("the crashed opening was audited before the repair (%d entries)", n)
	}
	if _, err := e.f.CreatePool(ctx, fuzhou, fund.PoolInput{Region: "3610"}); code(err) != kedaitong.EConflict {
		t.Fatalf("the crashed opening's pool is not there: %v", err)
	}
	e.repair(t, "pool_create")
	if n := e.rec.count("fund.create"); n != 2 {
		t.Errorf("after the repair the openings were audited %d times, want 2", n)
	}
	var repaired bool
	e.rec.mu.Lock()
	for _, ev := range e.rec.evs {
		if ev.Action == "fund.create" && ev.ObjectID == "fund-3610" && ev.Detail["repaired"] == true && ev.Region == "3610" {
			repaired = true
		}
	}
	e.rec.mu.Unlock()
	if !repaired {
		t.Error("the repaired entry does not name the Fuzhou pool, its region and that it was repaired")
	}
	e.agree(t, "pool_create", "fund-3610", 0)
}

// auditCase is a change whose audit entry rides in its commit point's
// write (a claim's, a seat's or an evaluation's): do makes the change on
// the i-th of three objects (0 runs through; 1 and 2 are cut at point),
// object names the i-th entry's object and seat its seat (match, when
// set, picks the i-th entry instead), system says the entry has no actor
// (a change the platform makes), kept checks that the change itself is
// intact, pending returns the document's pending entries.
type auditCase struct {
	point, action string
	bankID        string
	system        bool
	do            func(i int) error
	object, seat  func(i int) string
	match         func(i int, ev identity.Event) bool
	kept          func(t *testing.T, i int)
	pending       func(i int) fund.PendingAudits
}

// noSeat is the seat of an entry that names none.
func noSeat(int) string { return "" }

// defaultedN registers k loans of bank A (all first: a default suspends
// the bank) and defaults each at its full amount.
func (e *crashEnv) defaultedN(t *testing.T, k int, amount int64) []fund.Loan {
	t.Helper()
	ctx := context.Background()
	var loans []fund.Loan
	for i := range k {
		loans = append(loans, e.loan(t, officerA, "360321", i+1, amount, 24))
	}
	for i, l := range loans {
		loans[i] = must(e.f.MarkDefault(ctx, officerA, l.ID, fund.DefaultInput{Date: "2025-09-01", Outstanding: ptr(amount)}))
	}
	return loans
}

// claimsCase: bank A's recovery closed on three claims.
func claimsCase(t *testing.T, e *crashEnv) auditCase {
	ctx := context.Background()
	var claims []fund.Claim
	for _, l := range e.defaultedN(t, 3, 500000) {
		claims = append(claims, must(e.f.FileClaim(ctx, officerA, l.ID, fund.ClaimInput{Loss: 500000, Cause: "ordinary"})))
	}
	return auditCase{point: "claim_recovery_closed", action: "claim.recovery_closed", bankID: "bank-a",
		do:     func(i int) error { _, err := e.f.CloseRecovery(ctx, officerA, claims[i].ID); return err },
		object: func(i int) string { return claims[i].ID },
		seat:   noSeat,
		kept: func(t *testing.T, i int) {
			t.Helper()
			c := must(e.f.GetClaim(ctx, officerA, claims[i].ID))
			if !c.RecoveryClosed || c.State != fund.ClaimSubmitted || c.History[len(c.History)-1].Event != "recovery_closed" {
				t.Errorf("claim %d after its recovery closed: %+v", i, c)
			}
			if _, err := e.f.CloseRecovery(ctx, officerA, c.ID); code(err) != kedaitong.EConflict {
				t.Errorf("closing claim %d's recovery again: %v", i, err)
			}
		},
		pending: func(i int) fund.PendingAudits { return must(e.f.GetClaim(ctx, admin, claims[i].ID)).PendingAudits },
	}
}

// fileCase: bank A's claims filed on three defaulted loans (cut after the
// claim's insert, the commit point).
func fileCase(t *testing.T, e *crashEnv) auditCase {
	ctx := context.Background()
	loans := e.defaultedN(t, 3, 500000)
	claimOf := func(i int) string {
		if cs := must(e.f.LoanClaims(ctx, admin, loans[i].ID)); len(cs) == 1 {
			return cs[0].ID
		}
		return ""
	}
	file := func(i int) error {
		_, err := e.f.FileClaim(ctx, officerA, loans[i].ID, fund.ClaimInput{Loss: 500000, Cause: "ordinary"})
		return err
	}
	return auditCase{point: "claim_filed", action: "claim.file", bankID: "bank-a",
		do:     file,
		object: claimOf,
		seat:   noSeat,
		kept: func(t *testing.T, i int) {
			t.Helper()
			c := must(e.f.GetClaim(ctx, officerA, claimOf(i)))
			l := must(e.f.GetLoan(ctx, officerA, loans[i].ID))
			p := must(e.f.PoolOf(ctx, "fund-360321"))
			if c.State != fund.ClaimSubmitted || c.Loss != 500000 || l.OpenClaimID != c.ID || p.OpenList[c.ID].LoanID != l.ID {
				t.Errorf("claim %d after its filing: %s, loan's mark %q, pool's open list %+v", i, c.State, l.OpenClaimID, p.OpenList[c.ID])
			}
			if err := file(i); code(err) != kedaitong.EConflict {
				t.Errorf("filing a second claim on loan %d: %v", i, err)
			}
		},
		pending: func(i int) fund.PendingAudits { return must(e.f.GetClaim(ctx, admin, claimOf(i))).PendingAudits },
	}
}

// rejectCase: three claims rejected (cut after the claim's write, before
// the loan's mark and the pool's open list are cleared).
func rejectCase(t *testing.T, e *crashEnv) auditCase {
	ctx := context.Background()
	var claims []fund.Claim
	for _, l := range e.defaultedN(t, 3, 500000) {
		claims = append(claims, must(e.f.FileClaim(ctx, officerA, l.ID, fund.ClaimInput{Loss: 500000, Cause: "ordinary"})))
	}
	reject := func(i int) error {
		_, err := e.f.RejectClaim(ctx, lianhua, claims[i].ID, fund.RejectInput{Reason: "材料不全"})
		return err
	}
	return auditCase{point: "claim_reject", action: "claim.reject", bankID: "bank-a",
		do:     reject,
		object: func(i int) string { return claims[i].ID },
		seat:   noSeat,
		kept: func(t *testing.T, i int) {
			t.Helper()
			c := must(e.f.GetClaim(ctx, officerA, claims[i].ID))
			l := must(e.f.GetLoan(ctx, officerA, c.LoanID))
			p := must(e.f.PoolOf(ctx, "fund-360321"))
			if _, open := p.OpenList[c.ID]; c.State != fund.ClaimRejected || c.Reason != "材料不全" || l.OpenClaimID != "" || open {
				t.Errorf("claim %d after its rejection: %s %q, loan's mark %q, on the open list: %v", i, c.State, c.Reason, l.OpenClaimID, open)
			}
			if err := reject(i); code(err) != kedaitong.EConflict {
				t.Errorf("rejecting claim %d again: %v", i, err)
			}
		},
		pending: func(i int) fund.PendingAudits { return must(e.f.GetClaim(ctx, admin, claims[i].ID)).PendingAudits },
	}
}

// deferredCase: three claims partly paid (cash ran out), each paid the
// rest by a contribution of its own (cut after the claim's booking).
func deferredCase(t *testing.T, e *crashEnv) auditCase {
	ctx := context.Background()
	big := e.loan(t, officerA, "360321", 9, 2545000, 24)
	loans := e.defaultedN(t, 3, 1000000)
	big = must(e.f.MarkDefault(ctx, officerA, big.ID, fund.DefaultInput{Date: "2025-09-01", Outstanding: ptr(big.Amount)}))
	must(e.f.ApproveClaim(ctx, lianhua, e.readyClaim(t, big).ID)) // 2,036,000 of the 2,545,000 cash
	var claims []fund.Claim
	for _, l := range loans {
		claims = append(claims, must(e.f.ApproveClaim(ctx, lianhua, e.readyClaim(t, l).ID)))
	}
	rest := []int64{291000, 800000, 800000}
	for i, c := range claims {
		if c.State != fund.ClaimPartlyPaid || c.Deferred != rest[i] {
			t.Fatalf("claim %d: %s, %d deferred, want %d", i, c.State, c.Deferred, rest[i])
		}
	}
	e.f.Flush()
	return auditCase{point: "claim_deferred_paid", action: "claim.deferred_paid", bankID: "bank-a",
		do: func(i int) error {
			_, _, err := e.f.Contribute(ctx, lianhua, "fund-360321", fund.ContributionInput{Year: 2025, PaidIn: rest[i], By: "county"})
			return err
		},
		object: func(i int) string { return claims[i].ID },
		seat:   noSeat,
		kept: func(t *testing.T, i int) {
			t.Helper()
			c := must(e.f.GetClaim(ctx, officerA, claims[i].ID))
			if c.State != fund.ClaimPaid || c.Paid != c.Compensation || c.Deferred != 0 || c.History[len(c.History)-1].Event != "deferred_paid" {
				t.Errorf("claim %d after its deferred payment: %s paid %d deferred %d", i, c.State, c.Paid, c.Deferred)
			}
		},
		pending: func(i int) fund.PendingAudits { return must(e.f.GetClaim(ctx, admin, claims[i].ID)).PendingAudits },
	}
}

// expert is an evaluation expert's user.
func expert(id string) identity.User {
	return identity.User{ID: "u-" + id, Username: id, Role: identity.RoleExpert, ExpertID: id}
}

// findExperts makes the expert library answer the first n of ids.
func (e *crashEnv) findExperts(ids ...string) {
	e.f.SetExpertFinder(func(_ context.Context, route, bank, code string, n int) ([]string, []string, error) {
		n = min(n, len(ids))
		return ids[:n], make([]string, n), nil
	})
}

// orderCase: technical evaluations ordered on three defaulted loans (cut
// after the evaluation's insert, before the loan names it).
func orderCase(t *testing.T, e *crashEnv) auditCase {
	ctx := context.Background()
	e.findExperts("e1", "e2", "e3")
	loans := e.defaultedN(t, 3, 500000)
	evID := func(i int) string { return "evl-" + strings.TrimPrefix(loans[i].ID, "loan-") }
	order := func(i int) error { _, err := e.f.OrderEvaluation(ctx, lianhua, loans[i].ID); return err }
	return auditCase{point: "evaluation", action: "evaluation.order", bankID: "bank-a",
		do:     order,
		object: evID,
		seat:   noSeat,
		kept: func(t *testing.T, i int) {
			t.Helper()
			l := must(e.f.GetLoan(ctx, lianhua, loans[i].ID))
			ev := must(e.f.GetEvaluation(ctx, lianhua, evID(i)))
			seats := must(e.f.EvaluationSeatsOf(ctx, lianhua, ev.ID))
			if l.EvaluationID != ev.ID || ev.State != fund.EvalOpen || ev.Setup != "" || len(ev.Pending) != 0 || len(seats) != 3 {
				t.Errorf("evaluation %d after its order: loan names %q, %+v, %d seats", i, l.EvaluationID, ev, len(seats))
			}
			if err := order(i); code(err) != kedaitong.EConflict {
				t.Errorf("ordering evaluation %d again: %v", i, err)
			}
		},
		pending: func(i int) fund.PendingAudits { return must(e.f.GetEvaluation(ctx, admin, evID(i))).PendingAudits },
	}
}

// closeCase: three evaluations (no expert on their route) closed on their
// answers (cut after the evaluation's write).
func closeCase(t *testing.T, e *crashEnv) auditCase {
	ctx := context.Background()
	var evs []fund.Evaluation
	for _, l := range e.defaultedN(t, 3, 500000) {
		evs = append(evs, must(e.f.OrderEvaluation(ctx, lianhua, l.ID)))
	}
	e.f.Flush()
	conclude := func(i int) error { _, err := e.f.Conclude(ctx, evs[i].ID, []bool{true, true, false}); return err }
	return auditCase{point: "evaluation_close", action: "evaluation.close", bankID: "bank-a", system: true,
		do:     conclude,
		object: func(i int) string { return evs[i].ID },
		seat:   noSeat,
		kept: func(t *testing.T, i int) {
			t.Helper()
			ev := must(e.f.GetEvaluation(ctx, lianhua, evs[i].ID))
			if ev.State != fund.EvalClosed || ev.Finding == nil || *ev.Finding != fund.FindingRouteFailure || ev.Answers != 3 || ev.Failures != 2 {
				t.Errorf("evaluation %d after its close: %+v", i, ev)
			}
			must(0, conclude(i)) // closing again changes nothing (and writes no entry: counted at the end)
		},
		pending: func(i int) fund.PendingAudits { return must(e.f.GetEvaluation(ctx, admin, evs[i].ID)).PendingAudits },
	}
}

// seatsCase: three experts' seats on one evaluation, accepted (answer:
// accepted and scored first, then submitted).
func seatsCase(t *testing.T, e *crashEnv, answer bool) auditCase {
	ctx := context.Background()
	experts := []string{"e1", "e2", "e3"}
	e.findExperts(experts...)
	ex := func(i int) identity.User { return expert(experts[i]) }
	l := e.defaulted(t, 1, 500000)
	ev := must(e.f.OrderEvaluation(ctx, lianhua, l.ID))
	var seats []fund.Seat
	for i := range experts {
		ss := must(e.f.Seats(ctx, ex(i), ""))
		if len(ss) != 1 {
			t.Fatalf("%s's seats: %+v", experts[i], ss)
		}
		seats = append(seats, ss[0])
	}
	get := func(i int) fund.Seat { return must(e.f.GetSeat(ctx, ex(i), seats[i].ID)) }
	c := auditCase{point: "seat_accept", action: "evaluation.seat_accept", bankID: "bank-a",
		do:     func(i int) error { _, err := e.f.AcceptSeat(ctx, ex(i), seats[i].ID); return err },
		object: func(int) string { return ev.ID },
		seat:   func(i int) string { return seats[i].ID },
		kept: func(t *testing.T, i int) {
			t.Helper()
			if x := get(i); x.State != fund.SeatAccepted || x.Due.Sub(x.InvitedAt) < fund.ReviewWindow {
				t.Errorf("seat %d after its acceptance: %s due %v", i, x.State, x.Due)
			}
		},
		pending: func(i int) fund.PendingAudits { return get(i).PendingAudits },
	}
	if !answer {
		return c
	}
	for i := range experts {
		must(0, c.do(i))
		must(e.f.ScoreSeat(ctx, ex(i), seats[i].ID, fund.SeatInput{RouteFailure: ptr(i != 0), Comment: "意见"}))
	}
	e.f.Flush()
	c.point, c.action = "seat_answer", "evaluation.answer"
	c.do = func(i int) error { _, err := e.f.SubmitSeat(ctx, ex(i), seats[i].ID); return err }
	c.kept = func(t *testing.T, i int) {
		t.Helper()
		if x := get(i); x.State != fund.SeatSubmitted || x.RouteFailure == nil || *x.RouteFailure != (i != 0) || x.SubmittedAt == nil {
			t.Errorf("seat %d after its answer: %+v", i, x)
		}
		// The last answer closes the evaluation (after a crash: Repair does).
		if got := must(e.f.GetEvaluation(ctx, lianhua, ev.ID)); (got.State == fund.EvalClosed) != (i == 2) ||
			i == 2 && (got.Answers != 3 || got.Finding == nil || *got.Finding != fund.FindingRouteFailure) {
			t.Errorf("evaluation after answer %d: %+v", i, got)
		}
	}
	return c
}

// declineCase: the three seats declined (no other expert to invite).
func declineCase(t *testing.T, e *crashEnv) auditCase {
	ctx := context.Background()
	c := seatsCase(t, e, false)
	seat := c.seat
	c.point, c.action = "seat_decline", "evaluation.seat_decline"
	c.do = func(i int) error {
		_, err := e.f.DeclineSeat(ctx, expert([]string{"e1", "e2", "e3"}[i]), seat(i), "利益冲突")
		return err
	}
	c.kept = func(t *testing.T, i int) {
		t.Helper()
		if x := must(e.f.GetSeat(ctx, admin, seat(i))); x.State != fund.SeatDeclined || x.Reason != "利益冲突" {
			t.Errorf("seat %d after its decline: %s %q", i, x.State, x.Reason)
		}
	}
	return c
}

// expireCase: the three seats expire one by one (the first invited, due
// in three days; the others accepted a day apart, due in 14 and 15 days).
func expireCase(t *testing.T, e *crashEnv) auditCase {
	ctx := context.Background()
	c := seatsCase(t, e, false)
	seat := c.seat
	must(0, c.do(1))
	*e.clock = e.clock.Add(24 * time.Hour)
	must(0, c.do(2))
	e.f.Flush()
	c.point, c.action, c.system = "seat_expire", "evaluation.seat_expire", true
	c.do = func(i int) error {
		if due := must(e.f.GetSeat(ctx, admin, seat(i))).Due.Add(time.Hour); due.After(*e.clock) {
			*e.clock = due
		}
		_, err := e.f.SweepSeats(ctx)
		return err
	}
	c.kept = func(t *testing.T, i int) {
		t.Helper()
		for j := range 3 {
			if x := must(e.f.GetSeat(ctx, admin, seat(j))); (x.State == fund.SeatExpired) != (j <= i) {
				t.Errorf("after expiry %d, seat %d is %s", i, j, x.State)
			}
		}
	}
	return c
}

// replaceCase: the three seats declined, each replaced by one more expert
// of the route (cut after the evaluation's write that plans the seat).
func replaceCase(t *testing.T, e *crashEnv) auditCase {
	ctx := context.Background()
	c := declineCase(t, e)
	e.findExperts("e1", "e2", "e3", "e4", "e5", "e6")
	ev := c.object(0)
	c.point, c.action, c.system = "replacement", "evaluation.replace", true
	c.match = func(i int, x identity.Event) bool {
		return x.ObjectID == ev && x.Detail["expert_id"] == []string{"e4", "e5", "e6"}[i]
	}
	c.kept = func(t *testing.T, i int) {
		t.Helper()
		ss := must(e.f.Seats(ctx, expert([]string{"e4", "e5", "e6"}[i]), ""))
		got := must(e.f.GetEvaluation(ctx, lianhua, ev))
		if len(ss) != 1 || ss[0].EvaluationID != ev || ss[0].State != fund.SeatInvited || got.Replacements != i+1 || len(got.Pending) != 0 || got.Setup != "" {
			t.Errorf("replacement %d: seats %+v, evaluation %+v", i, ss, got)
		}
	}
	c.pending = func(int) fund.PendingAudits { return must(e.f.GetEvaluation(ctx, admin, ev)).PendingAudits }
	return c
}

// TestAuditOnlyChangesCrashAudited: every change whose commit point is one
// document's write — a claim's filing, recovery closed, rejection and
// deferred payment booked; an evaluation's order, replacement and close;
// a seat's acceptance, decline, expiry and answer — carries its audit
// entry in that write. Uninterrupted, the entry is written at once and
// nothing is left for Repair. Cut between the write and the entry, the
// change is kept and no entry written; Repair writes it once, marked
// repaired and naming the object, its bank and region; repairing again,
// two servers repairing at once, or a repairer dying after it claimed the
// entry write it neither twice nor never.
func TestAuditOnlyChangesCrashAudited(t *testing.T) {
	cases := map[string]func(t *testing.T, e *crashEnv) auditCase{
		"recovery_closed": claimsCase,
		"claim_file":      fileCase,
		"claim_reject":    rejectCase,
		"deferred_paid":   deferredCase,
		"order":           orderCase,
		"close":           closeCase,
		"seat_accept":     func(t *testing.T, e *crashEnv) auditCase { return seatsCase(t, e, false) },
		"seat_answer":     func(t *testing.T, e *crashEnv) auditCase { return seatsCase(t, e, true) },
		"seat_decline":    declineCase,
		"seat_expire":     expireCase,
		"replace":         replaceCase,
	}
	for _, name := range []string{"recovery_closed", "claim_file", "claim_reject", "deferred_paid", "order", "close",
		"seat_accept", "seat_answer", "seat_decline", "seat_expire", "replace"} {
		t.Run(name, func(t *testing.T) {
			e := newCrashEnv(t)
			ctx := context.Background()
			c := cases[name](t, e)
			if c.match == nil {
				c.match = func(i int, ev identity.Event) bool {
					seat, _ := ev.Detail["seat"].(string)
					return ev.ObjectID == c.object(i) && seat == c.seat(i)
				}
			}
			entries := func(i int) (all, repaired int) {
				e.rec.mu.Lock()
				defer e.rec.mu.Unlock()
				for _, ev := range e.rec.evs {
					if ev.Action != c.action || !c.match(i, ev) {
						continue
					}
					all++
					if ev.Detail["repaired"] == true {
						repaired++
					}
					if ev.Region != "360321" || ev.BankID != c.bankID || c.system != (ev.Actor == nil) || ev.Actor != nil && ev.Actor.ID == "" {
						t.Errorf("entry %d names region %q bank %q actor %+v", i, ev.Region, ev.BankID, ev.Actor)
					}
				}
				return all, repaired
			}
			clean := func(step string, i int) {
				t.Helper()
				if p := c.pending(i); len(p.Audits) != 0 || p.AuditPending != "" {
					t.Errorf("%s: object %d keeps pending entries %+v", step, i, p)
				}
			}

			// Uninterrupted: one entry at once, nothing for Repair.
			must(0, c.do(0))
			if all, repaired := entries(0); all != 1 || repaired != 0 {
				t.Fatalf("uninterrupted: %d entries (%d repaired), want 1", all, repaired)
			}
			e.f.Flush()
			clean("uninterrupted", 0)
			c.kept(t, 0)
			*e.clock = e.clock.Add(fund.RepairGrace + time.Second)
			if n, err := e.f.Repair(ctx, fund.RepairGrace); err != nil || n != 0 {
				t.Errorf("repair after an uninterrupted change: %d %v", n, err)
			}

			// Cut before the entry: the change is kept, the entry left to Repair.
			e.crash(t, c.point, func() error { return c.do(1) })
			e.f.Flush() // what the change finished before the cut (an earlier step's entry)
			if all, _ := entries(1); all != 0 {
				t.Fatalf("the cut change was audited before the repair (%d entries)", all)
			}
			if p := c.pending(1); len(p.Audits) != 1 || p.AuditPending != fund.SetupPending {
				t.Fatalf("the cut change keeps no pending entry: %+v", p)
			}
			e.repair(t, c.point) // young: nothing; past the grace: written; again: nothing
			if all, repaired := entries(1); all != 1 || repaired != 1 {
				t.Errorf("after the repair: %d entries (%d repaired), want one, repaired", all, repaired)
			}
			clean("repaired", 1)
			c.kept(t, 1)

			// A repairer dies after claiming the entry; then two servers.
			e.crash(t, c.point, func() error { return c.do(2) })
			e.f.Flush()
			e.deadRepairer(t, "audit_settle", "audit_repair", func() int { all, _ := entries(2); return all }, func() {
				if p := c.pending(2); len(p.Audits) != 1 {
					t.Fatalf("a repairer that died before the entry dropped it: %+v", p)
				}
			})
			if all, repaired := entries(2); all != 1 || repaired != 1 {
				t.Errorf("after the repairs: %d entries (%d repaired), want one, repaired", all, repaired)
			}
			clean("repaired after a dead repairer", 2)
			c.kept(t, 2)
			for i := range 3 {
				if all, _ := entries(i); all != 1 {
					t.Errorf("object %d: %d entries in the end", i, all)
				}
			}
		})
	}
}

// deadRepairer: past the grace, a repairer dies after claiming an entry
// (at the point claim): nothing is written (written() stays), the entry is
// kept (dead, when given, checks it), and no other repair takes it within
// the grace of the claim. Past it, two servers repair at once: the first
// has read the entry (at the point settle) when the second claims it; the
// first must leave it to the second, which writes it. A repair after that
// finds nothing. The caller checks that the entry was written once.
func (e *crashEnv) deadRepairer(t *testing.T, settle, claim string, written func() int, dead func()) {
	t.Helper()
	ctx := context.Background()
	before := written()
	*e.clock = e.clock.Add(fund.RepairGrace + time.Second)
	e.crash(t, claim, func() error { _, err := e.f.Repair(ctx, fund.RepairGrace); return err })
	if n := written(); n != before {
		t.Fatalf("a repairer that died before the entry wrote it (%d, was %d)", n, before)
	}
	if dead != nil {
		dead()
	}
	// A second server within the grace of the dead repairer's claim leaves it.
	var mu sync.Mutex
	tick := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		*e.clock = e.clock.Add(time.Millisecond)
		return *e.clock
	}
	e.f.SetClock(tick)
	f2 := must(fund.Open(ctx, e.st, e.apps, e.notes, e.rec))
	f2.SetClock(tick)
	if n, err := f2.Repair(ctx, fund.RepairGrace); err != nil || n != 0 {
		t.Errorf("a second server within the grace of the claim: %d %v", n, err)
	}
	mu.Lock()
	*e.clock = e.clock.Add(fund.RepairGrace + time.Second)
	mu.Unlock()
	wait := func(ch chan struct{}, what string) {
		t.Helper()
		select {
		case <-ch:
		case <-time.After(20 * time.Second):
			t.Fatalf("timed out waiting for %s", what)
		}
	}
	readA, goA, claimedB, goB := make(chan struct{}), make(chan struct{}), make(chan struct{}), make(chan struct{})
	pausedA, pausedB := false, false
	e.f.SetFaultHook(func(kind string) bool {
		if kind == settle && !pausedA {
			pausedA = true
			close(readA)
			<-goA
		}
		return false
	})
	f2.SetFaultHook(func(kind string) bool {
		if kind == claim && !pausedB {
			pausedB = true
			close(claimedB)
			<-goB
		}
		return false
	})
	doneA, doneB := make(chan error, 1), make(chan error, 1)
	go func() { _, err := e.f.Repair(ctx, fund.RepairGrace); doneA <- err }()
	wait(readA, "the first server to read the pending entry")
	go func() { _, err := f2.Repair(ctx, fund.RepairGrace); doneB <- err }()
	wait(claimedB, "the second server to claim the entry")
	close(goA)
	if err := <-doneA; err != nil {
		t.Errorf("the first server's repair: %v", err)
	}
	if n := written(); n != before {
		t.Errorf("the first server wrote the entry the second had claimed (%d, was %d)", n, before)
	}
	close(goB)
	if err := <-doneB; err != nil {
		t.Errorf("the second server's repair: %v", err)
	}
	e.f.SetFaultHook(nil)
	f2.SetFaultHook(nil)
	for _, f := range []*fund.Service{e.f, f2} {
		if n, err := f.Repair(ctx, fund.RepairGrace); err != nil || n != 0 {
			t.Errorf("a repair after the repairs: %d %v", n, err)
		}
	}
	e.f.Flush()
	f2.Flush()
}

// TestPoolRepairsClaimTheirEntry: a change whose commit point is a pool's
// write with an intent (a contribution, a transfer's debit, a claim's
// payment), cut before its audit entry, is rolled forward by Repair, which
// claims the intent before it writes the entry and clears it after: a
// repairer dying between the claim and the entry leaves it to the next
// repair past the grace, two servers at once write it once — marked
// repaired, naming the object and its region — and the money agrees.
func TestPoolRepairsClaimTheirEntry(t *testing.T) {
	for _, name := range []string{"contribution", "transfer_debit", "claim_paid"} {
		t.Run(name, func(t *testing.T) {
			e := newCrashEnv(t)
			ctx := context.Background()
			action, object, paidIn := "", "fund-360321", int64(2545000)
			switch name {
			case "contribution":
				action, paidIn = "fund.contribution", paidIn+100000
				e.crash(t, name, func() error {
					_, _, err := e.f.Contribute(ctx, lianhua, "fund-360321", fund.ContributionInput{Year: 2025, PaidIn: 100000, By: "county"})
					return err
				})
			case "transfer_debit":
				must(e.f.CreatePool(ctx, province, fund.PoolInput{Region: "36"}))
				action, paidIn = "fund.transfer", -1
				e.crash(t, name, func() error {
					_, err := e.f.TransferMoney(ctx, province, fund.TransferInput{From: "360321", To: "36", Amount: 1000000, Reason: "跨区域调剂"})
					return err
				})
			case "claim_paid":
				c := e.readyClaim(t, e.defaulted(t, 1, 1000000))
				action, object = "claim.approve", c.ID
				e.crash(t, name, func() error { _, err := e.f.ApproveClaim(ctx, lianhua, c.ID); return err })
			}
			e.f.Flush()
			repaired := func() (n int) {
				e.rec.mu.Lock()
				defer e.rec.mu.Unlock()
				for _, ev := range e.rec.evs {
					if ev.Action != action || ev.ObjectID != object || ev.Detail["repaired"] != true {
						continue
					}
					n++
					if ev.Region != "360321" || ev.Actor == nil || ev.Actor.ID == "" {
						t.Errorf("%s entry names region %q actor %+v", action, ev.Region, ev.Actor)
					}
				}
				return n
			}
			before := e.rec.count(action)
			e.deadRepairer(t, "intent_settle", "intent_repair", func() int { return e.rec.count(action) }, func() {
				if p := must(e.f.PoolOf(ctx, "fund-360321")); len(p.Intents) != 1 {
					t.Fatalf("a repairer that died before the entry dropped the intent: %+v", p.Intents)
				}
			})
			if n := e.rec.count(action); n != before+1 {
				t.Errorf("%s entries: %d, want %d", action, n, before+1)
			}
			if n := repaired(); n != 1 {
				t.Errorf("repaired %s entries: %d, want one", action, n)
			}
			e.agree(t, name, "fund-360321", paidIn)
			if name == "transfer_debit" {
				if to := must(e.f.PoolOf(ctx, "fund-36")); to.Cash != 1000000 || len(to.Intents) != 0 {
					t.Errorf("receiving pool: cash %d, intents %+v", to.Cash, to.Intents)
				}
			}
		})
	}
}
