package fund_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kedaitong"
	"kedaitong/fund"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/internal/store/storetest"
	"kedaitong/notify"
	"kedaitong/review"
)

var now = time.Date(2026, 5, 10, 2, 0, 0, 0, time.UTC)

type events struct {
	mu  sync.Mutex
	evs []identity.Event
}

func (e *events) Record(_ context.Context, ev identity.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.evs = append(e.evs, ev)
}

func (e *events) count(action string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, ev := range e.evs {
		if ev.Action == action {
			n++
		}
	}
	return n
}

type env struct {
	st    store.Store
	f     *fund.Service
	apps  *review.Service
	notes *notify.Service
	ids   *identity.Service
	rec   *events
}

var (
	admin     = identity.User{ID: "u-admin", Username: "admin", Role: identity.RoleAdmin}
	province  = identity.User{ID: "u-prov", Username: "prov", Role: identity.RoleOfficial, Region: "36"}
	pingxiang = identity.User{ID: "u-px", Username: "px", Role: identity.RoleOfficial, Region: "3603"}
	lianhua   = identity.User{ID: "u-lh", Username: "lh", Role: identity.RoleOfficial, Region: "360321"}
	fuzhou    = identity.User{ID: "u-fz", Username: "fz", Role: identity.RoleOfficial, Region: "3610"}
	ganzhou   = identity.User{ID: "u-gz", Username: "gz", Role: identity.RoleOfficial, Region: "3607"}
	officerA  = identity.User{ID: "u-oa", Username: "oa", Role: identity.RoleBankOfficer, BankID: "bank-a"}
	officerB  = identity.User{ID: "u-ob", Username: "ob", Role: identity.RoleBankOfficer, BankID: "bank-b"}
)

func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	st := storetest.New(t)
	rec := &events{}
	apps, err := review.Open(ctx, st, rec)
	if err != nil {
		t.Fatal(err)
	}
	notes, err := notify.Open(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := identity.Open(ctx, st, rec)
	if err != nil {
		t.Fatal(err)
	}
	f, err := fund.Open(ctx, st, apps, notes, rec)
	if err != nil {
		t.Fatal(err)
	}
	var tick atomic.Int64
	clock := func() time.Time { return now.Add(time.Duration(tick.Add(1)) * time.Millisecond) }
	f.SetClock(clock)
	apps.SetClock(clock)
	notes.SetClock(clock)
	return &env{st: st, f: f, apps: apps, notes: notes, ids: ids, rec: rec}
}

func ptr[T any](v T) *T { return &v }

func code(err error) string { return kedaitong.ErrorCode(err) }

// must panics on an error (a failing test, with the stack).
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// lianhuaPool is the seed's Lianhua County pool: 2,545,000 paid in at 1:10.
func (e *env) lianhuaPool(t testing.TB) fund.PoolView {
	t.Helper()
	ctx := context.Background()
	must(e.f.CreatePool(ctx, lianhua, fund.PoolInput{Region: "360321", Name: ptr("莲花县科贷通风险补偿资金池")}))
	v, _, err := e.f.Contribute(ctx, lianhua, "fund-360321", fund.ContributionInput{Year: 2024, Budgeted: 2545000, PaidIn: 2545000, By: "county"})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func ent(region string, n int, route, founded string) *fund.Enterprise {
	return &fund.Enterprise{Name: fmt.Sprintf("测试企业%d", n), CreditCode: review.DemoCreditCode(region, n), Region: region, Founded: founded, Route: route}
}

func (e *env) loan(t testing.TB, actor identity.User, region string, n int, amount int64, term int) fund.Loan {
	t.Helper()
	return must(e.f.RegisterLoan(context.Background(), actor, fund.LoanInput{Enterprise: ent(region, n, "biomedicine.tcm", "2015-01-01"),
		Amount: amount, Start: "2025-03-01", TermMonths: term}))
}

func TestPoolSeedFigures(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	v := e.lianhuaPool(t)
	if v.Cash != 2545000 || v.Capacity != 25450000 || v.Available != 25450000 || v.Leverage != 10 || v.LossSharePct != 80 {
		t.Fatalf("Lianhua pool = %+v, want cash 2,545,000 and capacity 25,450,000", v)
	}
	// Fuzhou: 9,400,000 budgeted for 2024, 3,000,000 paid in.
	must(e.f.CreatePool(ctx, fuzhou, fund.PoolInput{Region: "3610"}))
	fv, _, err := e.f.Contribute(ctx, fuzhou, "fund-3610", fund.ContributionInput{Year: 2024, Budgeted: 9400000, PaidIn: 3000000, By: "city"})
	if err != nil {
		t.Fatal(err)
	}
	if fv.Budgeted["2024"] != 9400000 || fv.PaidInByYear["2024"] != 3000000 || fv.Cash != 3000000 || fv.Capacity != 30000000 {
		t.Fatalf("Fuzhou pool = %+v", fv)
	}
	if e.rec.count("fund.contribution") != 2 {
		t.Errorf("contributions audited %d times, want 2", e.rec.count("fund.contribution"))
	}
	// At most one pool per region.
	if _, err := e.f.CreatePool(ctx, admin, fund.PoolInput{Region: "360321"}); code(err) != kedaitong.EConflict {
		t.Errorf("second pool for 360321: %v, want conflict", err)
	}
}

func TestPoolBadInput(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.lianhuaPool(t)
	before := must(e.f.GetPool(ctx, admin, "fund-360321"))
	for name, tc := range map[string]struct {
		actor identity.User
		in    fund.ContributionInput
		want  string
	}{
		"negative paid_in":     {lianhua, fund.ContributionInput{Year: 2025, PaidIn: -5, By: "county"}, kedaitong.EInvalid},
		"negative budget":      {lianhua, fund.ContributionInput{Year: 2025, Budgeted: -1, PaidIn: 5, By: "county"}, kedaitong.EInvalid},
		"nothing":              {lianhua, fund.ContributionInput{Year: 2025, By: "county"}, kedaitong.EInvalid},
		"bad by":               {lianhua, fund.ContributionInput{Year: 2025, PaidIn: 5, By: "village"}, kedaitong.EInvalid},
		"bad year":             {lianhua, fund.ContributionInput{Year: 1800, PaidIn: 5, By: "county"}, kedaitong.EInvalid},
		"other region":         {ganzhou, fund.ContributionInput{Year: 2025, PaidIn: 5, By: "county"}, kedaitong.ENotFound},
		"bank":                 {officerA, fund.ContributionInput{Year: 2025, PaidIn: 5, By: "county"}, kedaitong.EForbidden},
		"other county in city": {identity.User{ID: "x", Role: identity.RoleOfficial, Region: "360322"}, fund.ContributionInput{Year: 2025, PaidIn: 5, By: "county"}, kedaitong.ENotFound},
	} {
		if _, _, err := e.f.Contribute(ctx, tc.actor, "fund-360321", tc.in); code(err) != tc.want {
			t.Errorf("%s: %v, want %s", name, err, tc.want)
		}
	}
	if _, err := e.f.CreatePool(ctx, lianhua, fund.PoolInput{Region: "3603"}); code(err) != kedaitong.EForbidden {
		t.Errorf("county official opening a city pool: %v", err)
	}
	if _, err := e.f.CreatePool(ctx, admin, fund.PoolInput{Region: "3699"}); code(err) != kedaitong.EInvalid {
		t.Errorf("bad region: %v", err)
	}
	if _, err := e.f.CreatePool(ctx, admin, fund.PoolInput{Region: "3601", Leverage: ptr(int64(0))}); code(err) != kedaitong.EInvalid {
		t.Errorf("leverage 0: %v", err)
	}
	// Terms change only from above (or admin); a county official may not.
	if _, err := e.f.UpdatePool(ctx, lianhua, "fund-360321", fund.PoolInput{Leverage: ptr(int64(20))}); code(err) != kedaitong.EForbidden {
		t.Errorf("county official changing its own terms: %v", err)
	}
	if _, err := e.f.UpdatePool(ctx, ganzhou, "fund-360321", fund.PoolInput{Leverage: ptr(int64(20))}); code(err) != kedaitong.ENotFound {
		t.Errorf("another region's official: %v", err)
	}
	if _, err := e.f.GetPool(ctx, ganzhou, "fund-360321"); code(err) != kedaitong.ENotFound {
		t.Errorf("another region's official reading: %v", err)
	}
	after := must(e.f.GetPool(ctx, admin, "fund-360321"))
	if after.Version != before.Version || after.Cash != before.Cash {
		t.Errorf("bad input changed the pool: %+v → %+v", before, after)
	}
	v := must(e.f.UpdatePool(ctx, pingxiang, "fund-360321", fund.PoolInput{Leverage: ptr(int64(5))}))
	if v.Capacity != 2545000*5 {
		t.Errorf("capacity after leverage 5 = %d", v.Capacity)
	}
}

func TestRegisterLoanRules(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.lianhuaPool(t)
	must(e.f.CreatePool(ctx, province, fund.PoolInput{Region: "36"}))
	must2c(e.f.Contribute(ctx, province, "fund-36", fund.ContributionInput{Year: 2025, PaidIn: 1000, By: "province"}))
	// The county pool backs a Lianhua enterprise; the province pool a Ganzhou one (no city or county pool there).
	l := e.loan(t, officerA, "360321", 1, 20000000, 24)
	if l.FundID != "fund-360321" || l.State != fund.LoanActive || l.Outstanding != 20000000 || l.HardTech {
		t.Fatalf("loan = %+v", l)
	}
	e.f.Flush()
	p := must(e.f.GetPool(ctx, admin, "fund-360321"))
	if p.Outstanding != 20000000 || p.Available != 5450000 {
		t.Fatalf("pool after loan: outstanding %d available %d", p.Outstanding, p.Available)
	}
	// Over available: capacity_exceeded, nothing changed.
	_, err := e.f.RegisterLoan(ctx, officerB, fund.LoanInput{Enterprise: ent("360321", 2, "biomedicine.tcm", "2015-01-01"), Amount: 5450001, Start: "2025-03-01", TermMonths: 12})
	if code(err) != fund.ECapacityExceeded {
		t.Fatalf("over capacity: %v", err)
	}
	if p2 := must(e.f.GetPool(ctx, admin, "fund-360321")); p2.Version != p.Version {
		t.Error("a refused loan changed the pool")
	}
	// No pool covers the region (the province pool does: use a store without it).
	e2 := newEnv(t)
	e2.lianhuaPool(t)
	if _, err := e2.f.RegisterLoan(ctx, officerA, fund.LoanInput{Enterprise: ent("360702", 3, "biomedicine.tcm", "2015-01-01"), Amount: 1, Start: "2025-03-01", TermMonths: 12}); code(err) != kedaitong.EInvalid {
		t.Errorf("no pool: %v, want invalid", err)
	}
	g := e.loan(t, officerA, "360702", 4, 1, 12)
	if g.FundID != "fund-36" {
		t.Errorf("Ganzhou loan backed by %s, want the province pool", g.FundID)
	}
	bad := []fund.LoanInput{
		{Enterprise: ent("360321", 5, "biomedicine.tcm", "2015-01-01"), Amount: -1, Start: "2025-03-01", TermMonths: 12},
		{Enterprise: ent("360321", 5, "biomedicine.tcm", "2015-01-01"), Amount: 100, Start: "2025-13-01", TermMonths: 12},
		{Enterprise: ent("360321", 5, "biomedicine.tcm", "2015-01-01"), Amount: 100, Start: "2025-03-01", TermMonths: 0},
		{Enterprise: ent("360321", 5, "no.route", "2015-01-01"), Amount: 100, Start: "2025-03-01", TermMonths: 12},
		{Enterprise: &fund.Enterprise{Name: "x", CreditCode: "123", Region: "360321", Founded: "2015-01-01", Route: "biomedicine.tcm"}, Amount: 100, Start: "2025-03-01", TermMonths: 12},
		{Amount: 100, Start: "2025-03-01", TermMonths: 12},
	}
	for i, in := range bad {
		if _, err := e.f.RegisterLoan(ctx, officerA, in); code(err) != kedaitong.EInvalid {
			t.Errorf("bad loan %d: %v, want invalid", i, err)
		}
	}
	if _, err := e.f.RegisterLoan(ctx, lianhua, fund.LoanInput{Enterprise: ent("360321", 5, "biomedicine.tcm", "2015-01-01"), Amount: 1, TermMonths: 12}); code(err) != kedaitong.EForbidden {
		t.Errorf("official registering: %v", err)
	}
	// Banks never see each other's loans.
	if _, err := e.f.GetLoan(ctx, officerB, l.ID); code(err) != kedaitong.ENotFound {
		t.Errorf("other bank reading: %v", err)
	}
	if _, err := e.f.Repay(ctx, officerB, l.ID, fund.RepaymentInput{Amount: 1, Date: "2025-04-01"}); code(err) != kedaitong.ENotFound {
		t.Errorf("other bank repaying: %v", err)
	}
	list, _ := must2(t)(e.f.ListLoans(ctx, officerB, fund.LoanFilter{}))
	if len(list) != 0 {
		t.Errorf("bank B lists %d loans, want 0", len(list))
	}
	list, _ = must2(t)(e.f.ListLoans(ctx, lianhua, fund.LoanFilter{}))
	if len(list) != 1 || list[0].ID != l.ID {
		t.Errorf("Lianhua official lists %v", list)
	}
	list, _ = must2(t)(e.f.ListLoans(ctx, admin, fund.LoanFilter{FundID: "fund-36"}))
	if len(list) != 1 || list[0].ID != g.ID {
		t.Errorf("admin lists fund-36: %v", list)
	}
}

func must2(t testing.TB) func([]fund.Loan, string, error) ([]fund.Loan, string) {
	return func(l []fund.Loan, c string, err error) ([]fund.Loan, string) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return l, c
	}
}

// TestConcurrentRegistrations: 16 registrations race for a nearly full
// pool, through two services on two connections to one SQLite folder (two
// servers); capacity is never exceeded.
func TestConcurrentRegistrations(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	open := func() *fund.Service {
		st, err := store.OpenSQLiteWith(ctx, dir, store.SQLiteOptions{NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		apps := must(review.Open(ctx, st, nil))
		return must(fund.Open(ctx, st, apps, nil, nil))
	}
	s1, s2 := open(), open()
	must(s1.CreatePool(ctx, lianhua, fund.PoolInput{Region: "360321"}))
	if _, _, err := s1.Contribute(ctx, lianhua, "fund-360321", fund.ContributionInput{Year: 2025, PaidIn: 100000, By: "county"}); err != nil {
		t.Fatal(err)
	}
	// Capacity 1,000,000; 900,000 used; 16 loans of 30,000 race: exactly 3 fit.
	must(s1.RegisterLoan(ctx, officerA, fund.LoanInput{Enterprise: ent("360321", 1, "biomedicine.tcm", "2015-01-01"), Amount: 900000, Start: "2025-03-01", TermMonths: 12}))
	var ok, full atomic.Int64
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := s1
			if i%2 == 1 {
				s = s2
			}
			_, err := s.RegisterLoan(ctx, officerA, fund.LoanInput{Enterprise: ent("360321", 10+i, "biomedicine.tcm", "2015-01-01"), Amount: 30000, Start: "2025-03-01", TermMonths: 12})
			switch code(err) {
			case "":
				ok.Add(1)
			case fund.ECapacityExceeded:
				full.Add(1)
			default:
				t.Errorf("registration %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	p := must(s2.GetPool(ctx, admin, "fund-360321"))
	if ok.Load() != 3 || full.Load() != 13 || p.Outstanding != 990000 || p.Outstanding > p.Capacity {
		t.Fatalf("ok %d, refused %d, outstanding %d of capacity %d; want 3 fitting and 990,000", ok.Load(), full.Load(), p.Outstanding, p.Capacity)
	}
	loans, _, err := s1.ListLoans(ctx, admin, fund.LoanFilter{Limit: 100})
	if err != nil || len(loans) != 4 {
		t.Fatalf("stored loans %d (%v), want 4", len(loans), err)
	}
}

func TestRepaymentAndDefault(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.lianhuaPool(t)
	l := e.loan(t, officerA, "360321", 1, 1000000, 24)
	if _, err := e.f.Repay(ctx, officerA, l.ID, fund.RepaymentInput{Amount: 1000001, Date: "2025-04-01"}); code(err) != kedaitong.EInvalid {
		t.Errorf("repayment above outstanding: %v", err)
	}
	if _, err := e.f.Repay(ctx, officerA, l.ID, fund.RepaymentInput{Amount: -1, Date: "2025-04-01"}); code(err) != kedaitong.EInvalid {
		t.Errorf("negative repayment: %v", err)
	}
	l = must(e.f.Repay(ctx, officerA, l.ID, fund.RepaymentInput{Amount: 400000, Date: "2025-04-01"}))
	if l.Outstanding != 600000 || l.State != fund.LoanActive {
		t.Fatalf("after repayment %+v", l)
	}
	l = must(e.f.Repay(ctx, officerA, l.ID, fund.RepaymentInput{Amount: 600000, Date: "2025-05-01"}))
	if l.State != fund.LoanRepaid || l.Outstanding != 0 {
		t.Fatalf("fully repaid: %+v", l)
	}
	if p := must(e.f.GetPool(ctx, admin, "fund-360321")); p.Outstanding != 0 || p.Available != p.Capacity {
		t.Errorf("pool after repaid loan: %+v", p)
	}
	if _, err := e.f.MarkDefault(ctx, officerA, l.ID, fund.DefaultInput{Date: "2025-06-01", Outstanding: ptr(int64(1))}); code(err) != kedaitong.EConflict {
		t.Errorf("default on a repaid loan: %v", err)
	}
	if e.rec.count("loan.repayment") != 2 {
		t.Errorf("repayments audited %d times", e.rec.count("loan.repayment"))
	}
}

func TestNPLWarningAndSuspension(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.lianhuaPool(t)
	mgr := must(e.ids.CreateUser(ctx, nil, identity.NewUser{Username: "mgr-a", Password: "Kedai-demo-2026-x", Role: identity.RoleBankManager, BankID: "bank-a"}))
	off := must(e.ids.CreateUser(ctx, nil, identity.NewUser{Username: "lh-off", Password: "Kedai-demo-2026-x", Role: identity.RoleOfficial, Region: "360321"}))
	// 96 + 4: a default of 4 is 4% (warned); a further default makes it suspended.
	big := e.loan(t, officerA, "360321", 1, 9600000, 24)
	small := e.loan(t, officerA, "360321", 2, 400000, 24)
	other := e.loan(t, officerA, "360321", 3, 300000, 24)
	must(e.f.MarkDefault(ctx, officerA, small.ID, fund.DefaultInput{Date: "2025-06-01", Outstanding: ptr(int64(400000))}))
	p := must(e.f.GetPool(ctx, admin, "fund-360321"))
	if len(p.Banks) != 1 || p.Banks[0].State != fund.BankWarned || p.Banks[0].NPLPct != 3 {
		t.Fatalf("after a 3.9%% ratio: %+v", p.Banks)
	}
	for _, u := range []identity.User{mgr, off} {
		if n, _ := e.notes.Unread(ctx, u.ID); n != 1 {
			t.Errorf("%s has %d notifications, want the warning", u.Username, n)
		}
	}
	must(e.f.MarkDefault(ctx, officerA, other.ID, fund.DefaultInput{Date: "2025-06-02", Outstanding: ptr(int64(300000))}))
	p = must(e.f.GetPool(ctx, admin, "fund-360321"))
	if p.Banks[0].State != fund.BankSuspended {
		t.Fatalf("after 7%%: %+v", p.Banks)
	}
	if _, err := e.f.RegisterLoan(ctx, officerA, fund.LoanInput{Enterprise: ent("360321", 9, "biomedicine.tcm", "2015-01-01"), Amount: 1, Start: "2025-06-03", TermMonths: 12}); code(err) != fund.EBankSuspended {
		t.Fatalf("loan while suspended: %v", err)
	}
	// Another bank is not affected.
	e.loan(t, officerB, "360321", 10, 1, 12)
	// Resume: a reason is required; officials of another region cannot.
	if _, err := e.f.Resume(ctx, lianhua, "fund-360321", "bank-a", fund.ResumeInput{}); code(err) != kedaitong.EInvalid {
		t.Errorf("resume without reason: %v", err)
	}
	if _, err := e.f.Resume(ctx, ganzhou, "fund-360321", "bank-a", fund.ResumeInput{Reason: "x"}); code(err) != kedaitong.ENotFound {
		t.Errorf("resume by another region: %v", err)
	}
	p = must(e.f.Resume(ctx, lianhua, "fund-360321", "bank-a", fund.ResumeInput{Reason: "已提交整改方案"}))
	var a fund.BankRow
	for _, b := range p.Banks {
		if b.BankID == "bank-a" {
			a = b
		}
	}
	if a.State != fund.BankWarned || a.ResumeReason == "" {
		t.Fatalf("after resume: %+v", a)
	}
	e.loan(t, officerA, "360321", 11, 1, 12)
	// Repaying the big loan does not change the NP share; bank B sees only its own row.
	pb := must(e.f.GetPool(ctx, officerB, "fund-360321"))
	if len(pb.Banks) != 1 || pb.Banks[0].BankID != "bank-b" {
		t.Errorf("bank B sees rows %+v", pb.Banks)
	}
	_ = big
}

func TestClaimsAndCompensation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.lianhuaPool(t)
	// A 36-month hard-tech loan earns the 90% step; a 24-month one the 80% share.
	hard := must(e.f.RegisterLoan(ctx, officerA, fund.LoanInput{Enterprise: ent("360321", 1, "semiconductors.ic-design", "2024-01-01"), Amount: 2000000, Start: "2025-03-01", TermMonths: 36}))
	if !hard.HardTech || !hard.Startup {
		t.Fatalf("hard-tech start-up loan: %+v", hard)
	}
	plain := e.loan(t, officerA, "360321", 2, 1000000, 24)
	if _, err := e.f.FileClaim(ctx, officerA, plain.ID, fund.ClaimInput{Loss: 1, Cause: "ordinary"}); code(err) != kedaitong.EConflict {
		t.Errorf("claim on an active loan: %v", err)
	}
	must(e.f.MarkDefault(ctx, officerA, hard.ID, fund.DefaultInput{Date: "2025-09-01", Outstanding: ptr(int64(1500000))}))
	must(e.f.MarkDefault(ctx, officerA, plain.ID, fund.DefaultInput{Date: "2025-09-01", Outstanding: ptr(int64(900000))}))
	if _, err := e.f.FileClaim(ctx, officerA, hard.ID, fund.ClaimInput{Loss: 1500001, Cause: "ordinary"}); code(err) != kedaitong.EInvalid {
		t.Errorf("claim above outstanding at default: %v", err)
	}
	if _, err := e.f.FileClaim(ctx, officerB, hard.ID, fund.ClaimInput{Loss: 1, Cause: "ordinary"}); code(err) != kedaitong.ENotFound {
		t.Errorf("claim by another bank: %v", err)
	}
	c := must(e.f.FileClaim(ctx, officerA, hard.ID, fund.ClaimInput{Loss: 1000001, Cause: "ordinary"}))
	if c.SharePct != 90 || c.Compensation != 900000 || c.ProvincePart != 450000 || c.LocalPart != 450000 || c.State != fund.ClaimSubmitted {
		t.Fatalf("hard-tech claim: %+v", c)
	}
	if _, err := e.f.FileClaim(ctx, officerA, hard.ID, fund.ClaimInput{Loss: 1, Cause: "ordinary"}); code(err) != kedaitong.EConflict {
		t.Errorf("second open claim: %v", err)
	}
	if _, err := e.f.GetClaim(ctx, officerB, c.ID); code(err) != kedaitong.ENotFound {
		t.Errorf("other bank reads claim: %v", err)
	}
	if _, err := e.f.ApproveClaim(ctx, lianhua, c.ID); code(err) != kedaitong.EConflict {
		t.Errorf("ordinary claim before recovery closed: %v", err)
	}
	if _, err := e.f.ApproveClaim(ctx, ganzhou, c.ID); code(err) != kedaitong.ENotFound {
		t.Errorf("approval by another region: %v", err)
	}
	if _, err := e.f.ApproveClaim(ctx, officerA, c.ID); code(err) != kedaitong.EForbidden {
		t.Errorf("approval by the bank: %v", err)
	}
	must(e.f.CloseRecovery(ctx, officerA, c.ID))
	c = must(e.f.ApproveClaim(ctx, lianhua, c.ID))
	if c.State != fund.ClaimPaid || c.Paid != 900000 || c.Deferred != 0 {
		t.Fatalf("approved claim: %+v", c)
	}
	p := must(e.f.GetPool(ctx, admin, "fund-360321"))
	if p.Cash != 2545000-900000 || p.PaidOut != 900000 || p.Outstanding != 900000 {
		t.Fatalf("pool after paying: cash %d paid %d outstanding %d", p.Cash, p.PaidOut, p.Outstanding)
	}
	if l := must(e.f.GetLoan(ctx, officerA, hard.ID)); l.State != fund.LoanCompensated {
		t.Errorf("loan after compensation: %s", l.State)
	}
	// Cross-year smoothing: a claim larger than cash is partly paid, the
	// rest deferred and paid first from the next contribution.
	pc := must(e.f.FileClaim(ctx, officerA, plain.ID, fund.ClaimInput{Loss: 900000, Cause: "ordinary"}))
	if pc.Compensation != 720000 {
		t.Fatalf("plain claim compensation %d", pc.Compensation)
	}
	must(e.f.CloseRecovery(ctx, officerA, pc.ID))
	// Move most cash away first (transfer to a province pool) so cash is short.
	must(e.f.CreatePool(ctx, province, fund.PoolInput{Region: "36"}))
	if _, err := e.f.TransferMoney(ctx, province, fund.TransferInput{From: "360321", To: "36", Amount: 1645000 - 90000 + 1, Reason: "调剂"}); code(err) != kedaitong.EConflict {
		t.Fatalf("transfer leaving the pool short: %v", err)
	}
	if _, err := e.f.TransferMoney(ctx, lianhua, fund.TransferInput{From: "360321", To: "36", Amount: 1, Reason: "调剂"}); code(err) != kedaitong.EForbidden {
		t.Errorf("transfer by a county official: %v", err)
	}
	must(e.f.TransferMoney(ctx, province, fund.TransferInput{From: "360321", To: "36", Amount: 1645000 - 90000, Reason: "跨区域调剂"}))
	pc = must(e.f.ApproveClaim(ctx, lianhua, pc.ID))
	if pc.State != fund.ClaimPartlyPaid || pc.Paid != 90000 || pc.Deferred != 630000 {
		t.Fatalf("partly paid: %+v", pc)
	}
	p = must(e.f.GetPool(ctx, admin, "fund-360321"))
	if !p.PaymentWarning || p.Deferred != 630000 || p.Cash != 0 {
		t.Fatalf("pool with deferred: %+v", p)
	}
	_, paid, err := e.f.Contribute(ctx, lianhua, "fund-360321", fund.ContributionInput{Year: 2026, PaidIn: 1000000, By: "county"})
	if err != nil || len(paid) != 1 || paid[0].Amount != 630000 {
		t.Fatalf("deferred paid from the next contribution: %v %v", paid, err)
	}
	p = must(e.f.GetPool(ctx, admin, "fund-360321"))
	if p.PaymentWarning || p.Deferred != 0 || p.Cash != 370000 {
		t.Fatalf("pool after smoothing: %+v", p)
	}
	if c := must(e.f.GetClaim(ctx, officerA, pc.ID)); c.State != fund.ClaimPaid || c.Paid != 720000 {
		t.Errorf("claim after deferred payment: %+v", c)
	}
	claims, _, err := e.f.ListClaims(ctx, lianhua, fund.ClaimFilter{})
	if err != nil || len(claims) != 2 {
		t.Errorf("official's claims: %d %v", len(claims), err)
	}
	if claims, _, _ := e.f.ListClaims(ctx, officerB, fund.ClaimFilter{}); len(claims) != 0 {
		t.Errorf("bank B sees %d claims", len(claims))
	}
	if e.rec.count("claim.approve") != 2 || e.rec.count("claim.deferred_paid") != 1 || e.rec.count("fund.transfer") != 1 {
		t.Errorf("money movements not all audited")
	}
	// Reject needs a reason.
	third := e.loan(t, officerA, "360321", 3, 10000, 12)
	must(e.f.MarkDefault(ctx, officerA, third.ID, fund.DefaultInput{Date: "2025-09-01", Outstanding: ptr(int64(10000))}))
	rc := must(e.f.FileClaim(ctx, officerA, third.ID, fund.ClaimInput{Loss: 10000, Cause: "ordinary"}))
	if _, err := e.f.RejectClaim(ctx, lianhua, rc.ID, fund.RejectInput{}); code(err) != kedaitong.EInvalid {
		t.Errorf("reject without reason: %v", err)
	}
	rc = must(e.f.RejectClaim(ctx, lianhua, rc.ID, fund.RejectInput{Reason: "材料不全"}))
	if rc.State != fund.ClaimRejected {
		t.Errorf("rejected: %+v", rc)
	}
	// After a rejection a new claim may be filed.
	must(e.f.FileClaim(ctx, officerA, third.ID, fund.ClaimInput{Loss: 5000, Cause: "ordinary"}))
}

func TestAcceleratedClearance(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.lianhuaPool(t)
	l := e.loan(t, officerA, "360321", 1, 1000000, 24)
	if _, err := e.f.OrderEvaluation(ctx, lianhua, l.ID); code(err) != kedaitong.EConflict {
		t.Errorf("evaluation of an active loan: %v", err)
	}
	must(e.f.MarkDefault(ctx, officerA, l.ID, fund.DefaultInput{Date: "2025-09-01", Outstanding: ptr(int64(800000))}))
	if _, err := e.f.OrderEvaluation(ctx, ganzhou, l.ID); code(err) != kedaitong.ENotFound {
		t.Errorf("evaluation by another region: %v", err)
	}
	ev := must(e.f.OrderEvaluation(ctx, lianhua, l.ID))
	if ev.State != fund.EvalOpen || ev.Finding != nil {
		t.Fatalf("new evaluation %+v", ev)
	}
	if _, err := e.f.OrderEvaluation(ctx, lianhua, l.ID); code(err) != kedaitong.EConflict {
		t.Errorf("second evaluation: %v", err)
	}
	if _, err := e.f.GetEvaluation(ctx, officerB, ev.ID); code(err) != kedaitong.ENotFound {
		t.Errorf("other bank reads evaluation: %v", err)
	}
	if _, err := e.f.FileClaim(ctx, officerA, l.ID, fund.ClaimInput{Loss: 1, Cause: "tech_route_failure"}); code(err) != kedaitong.EInvalid {
		t.Errorf("tech claim without evaluation: %v", err)
	}
	// Two of three say route failure: more than half.
	ev = must(e.f.Conclude(ctx, ev.ID, []bool{true, false, true}))
	if ev.Finding == nil || *ev.Finding != fund.FindingRouteFailure {
		t.Fatalf("finding %+v", ev)
	}
	c := must(e.f.FileClaim(ctx, officerA, l.ID, fund.ClaimInput{Loss: 800000, Cause: "tech_route_failure", EvaluationID: ev.ID}))
	if !c.Accelerated {
		t.Fatalf("claim not accelerated: %+v", c)
	}
	c = must(e.f.ApproveClaim(ctx, lianhua, c.ID))
	if c.State != fund.ClaimPaid || c.Compensation != 640000 {
		t.Fatalf("accelerated approval: %+v", c)
	}
	// Half is not more than half.
	l2 := e.loan(t, officerA, "360321", 2, 1000, 24)
	must(e.f.MarkDefault(ctx, officerA, l2.ID, fund.DefaultInput{Date: "2025-09-01", Outstanding: ptr(int64(1000))}))
	ev2 := must(e.f.OrderEvaluation(ctx, lianhua, l2.ID))
	ev2 = must(e.f.Conclude(ctx, ev2.ID, []bool{true, false}))
	if *ev2.Finding != fund.FindingNotRouteFailure {
		t.Errorf("1 of 2: %s", *ev2.Finding)
	}
	c2 := must(e.f.FileClaim(ctx, officerA, l2.ID, fund.ClaimInput{Loss: 1000, Cause: "tech_route_failure", EvaluationID: ev2.ID}))
	if _, err := e.f.ApproveClaim(ctx, lianhua, c2.ID); code(err) != kedaitong.EConflict {
		t.Errorf("not accelerated, recovery open: %v", err)
	}
}

type dishonest map[string]bool

func (d dishonest) Dishonest(_ context.Context, code string) (bool, error) { return d[code], nil }

type riskShare int64

func (r riskShare) RiskSharePct(context.Context, string, string) (int64, error) { return int64(r), nil }

func TestDishonestyAndRiskShare(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.lianhuaPool(t)
	bad := ent("360321", 7, "biomedicine.tcm", "2015-01-01")
	e.f.SetDishonesty(dishonest{bad.CreditCode: true})
	if _, err := e.f.RegisterLoan(ctx, officerA, fund.LoanInput{Enterprise: bad, Amount: 1, Start: "2025-03-01", TermMonths: 12}); code(err) != fund.EEnterpriseDishonest {
		t.Fatalf("dishonest enterprise: %v", err)
	}
	e.f.SetRiskShare(riskShare(25))
	l := e.loan(t, officerA, "360321", 8, 100000, 12)
	must(e.f.MarkDefault(ctx, officerA, l.ID, fund.DefaultInput{Date: "2025-09-01", Outstanding: ptr(int64(100000))}))
	c := must(e.f.FileClaim(ctx, officerA, l.ID, fund.ClaimInput{Loss: 100000}))
	if c.RiskSharePct != 25 || c.Compensation != 60000 {
		t.Errorf("with a 25%% investor share: %+v", c)
	}
}

func TestLoanFromApplication(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.lianhuaPool(t)
	in := review.Input{Enterprise: review.Enterprise{Name: "莲花芯材科技有限公司", CreditCode: review.DemoCreditCode("360321", 1), Region: "360321",
		Founded: "2022-03-15", Route: "semiconductors.ic-design", Staff: 60, RDStaff: 25, Revenue: []int64{12000000, 9000000},
		NetProfit: []int64{-3000000, -4500000}, RDSpend: 6000000, InventionPatents: 5, Maturity: "pilot"},
		Loan: review.Loan{Amount: 3000000, TermMonths: 36, Purpose: "量产"}, Summary: "芯片设计"}
	app := must(e.apps.Create(ctx, officerA, in))
	if _, err := e.f.RegisterLoan(ctx, officerA, fund.LoanInput{ApplicationID: app.ID}); code(err) != kedaitong.EConflict {
		t.Errorf("loan from a draft: %v", err)
	}
	must(e.apps.Submit(ctx, officerA, app.ID))
	must(e.apps.MarkInReview(ctx, app.ID))
	must(e.apps.Close(ctx, app.ID, "rep"))
	if _, err := e.f.RegisterLoan(ctx, officerA, fund.LoanInput{ApplicationID: app.ID}); code(err) != kedaitong.EConflict {
		t.Errorf("loan without a decision: %v", err)
	}
	must(e.apps.Decide(ctx, officerA, app.ID, review.DecisionInput{Granted: ptr(true), Amount: 2500000, Date: "2026-05-10"}))
	if _, err := e.f.RegisterLoan(ctx, officerB, fund.LoanInput{ApplicationID: app.ID}); code(err) != kedaitong.ENotFound {
		t.Errorf("another bank's application: %v", err)
	}
	l := must(e.f.RegisterLoan(ctx, officerA, fund.LoanInput{ApplicationID: app.ID}))
	if l.Amount != 2500000 || l.Start != "2026-05-10" || l.TermMonths != 36 || !l.HardTech || l.Enterprise.Name != "莲花芯材科技有限公司" {
		t.Fatalf("loan from application: %+v", l)
	}
	if _, err := e.f.RegisterLoan(ctx, officerA, fund.LoanInput{ApplicationID: app.ID}); code(err) != kedaitong.EConflict {
		t.Errorf("second loan for the application: %v", err)
	}
	if p := must(e.f.GetPool(ctx, admin, "fund-360321")); p.Outstanding != 2500000 {
		t.Errorf("pool outstanding %d after a refused duplicate", p.Outstanding)
	}
	must(0, e.f.RecordRereview(ctx, app.ID, false))
	k := must(e.f.KPIs(ctx, lianhua, "", 2026))
	if len(k) != 1 || k[0].TechSuccessPct != 100 || k[0].Rereviewed != 1 {
		t.Errorf("tech success after a re-review: %+v", k)
	}
}

func TestKPIs(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.lianhuaPool(t)
	must(e.f.CreatePool(ctx, fuzhou, fund.PoolInput{Region: "3610"}))
	must2c(e.f.Contribute(ctx, fuzhou, "fund-3610", fund.ContributionInput{Year: 2024, Budgeted: 9400000, PaidIn: 3000000, By: "city"}))
	must(e.f.RegisterLoan(ctx, officerA, fund.LoanInput{Enterprise: ent("360321", 1, "biomedicine.tcm", "2024-06-01"), Amount: 5000000, Start: "2026-03-01", TermMonths: 12}))
	must(e.f.RegisterLoan(ctx, officerA, fund.LoanInput{Enterprise: ent("360321", 1, "biomedicine.tcm", "2024-06-01"), Amount: 100000, Start: "2026-03-02", TermMonths: 12}))
	must(e.f.RegisterLoan(ctx, officerB, fund.LoanInput{Enterprise: ent("361002", 2, "biomedicine.tcm", "2010-06-01"), Amount: 3000000, Start: "2026-03-01", TermMonths: 12}))
	must(e.f.SetTarget(ctx, province, "fund-3610", fund.TargetInput{Year: 2026, LoanAmount: 6000000, StartupSharePct: 30}))
	if _, err := e.f.SetTarget(ctx, fuzhou, "fund-3610", fund.TargetInput{Year: 2026, LoanAmount: 1}); code(err) != kedaitong.EForbidden {
		t.Errorf("a pool's own official setting its target: %v", err)
	}
	if _, err := e.f.SetTarget(ctx, province, "fund-3610", fund.TargetInput{Year: 2026, LoanAmount: -1}); code(err) != kedaitong.EInvalid {
		t.Errorf("negative target: %v", err)
	}
	rows := must(e.f.KPIs(ctx, province, "36", 2026))
	if len(rows) != 2 || rows[0].Region != "3610" || rows[0].TargetProgressPct != 50 || rows[0].Target == nil {
		t.Fatalf("KPI rows: %+v", rows)
	}
	lh := rows[1]
	if lh.Loans != 2 || lh.Enterprises != 1 || lh.StartupSharePct != 100 || lh.LeverageUsedPct != 20 || lh.Capacity != 25450000 {
		t.Errorf("Lianhua KPIs: %+v", lh)
	}
	// An official sees its own region only; banks see none.
	if rows := must(e.f.KPIs(ctx, lianhua, "36", 2026)); len(rows) != 1 || rows[0].Region != "360321" {
		t.Errorf("county official's KPIs: %+v", rows)
	}
	if rows := must(e.f.KPIs(ctx, ganzhou, "3610", 2026)); len(rows) != 0 {
		t.Errorf("Ganzhou official sees Fuzhou: %+v", rows)
	}
	if _, err := e.f.KPIs(ctx, officerA, "", 0); code(err) != kedaitong.EForbidden {
		t.Errorf("bank reading KPIs: %v", err)
	}
	// Pool lists follow the same scopes.
	pools, _, err := e.f.ListPools(ctx, officerA, fund.PoolFilter{})
	if err != nil || len(pools) != 1 || pools[0].ID != "fund-360321" {
		t.Errorf("bank A's pools: %+v %v", pools, err)
	}
	if pools, _, _ := e.f.ListPools(ctx, ganzhou, fund.PoolFilter{}); len(pools) != 0 {
		t.Errorf("Ganzhou official's pools: %+v", pools)
	}
}

func must2c(_ fund.PoolView, _ []fund.Payment, err error) {
	if err != nil {
		panic(err)
	}
}

func TestSeedDemo(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	bankA := identity.User{ID: "u-gz", Role: identity.RoleBankOfficer, BankID: "ganzhou-bank"}
	bankB := identity.User{ID: "u-nc", Role: identity.RoleBankOfficer, BankID: "nanchang-bank"}
	n, err := e.f.SeedDemo(ctx, lianhua, fuzhou, bankA, bankB)
	if err != nil || n != 7 {
		t.Fatalf("seed: %d loans, %v", n, err)
	}
	lh := must(e.f.GetPool(ctx, admin, "fund-360321"))
	if lh.Cash != 2545000 || lh.Capacity != 25450000 {
		t.Errorf("Lianhua: %+v", lh)
	}
	fz := must(e.f.GetPool(ctx, admin, "fund-3610"))
	if fz.Budgeted["2024"] != 9400000 || fz.PaidInByYear["2024"] != 3000000 || fz.Cash != 3000000 {
		t.Errorf("Fuzhou: %+v", fz)
	}
	if fz.Capacity != 30000000 || fz.PaymentWarning || lh.PaymentWarning {
		t.Errorf("payment warnings: Fuzhou %+v, Lianhua %v", fz, lh.PaymentWarning)
	}
	// The one warning, deliberate: nanchang-bank at 4% in Fuzhou (warned,
	// not suspended); every other bank normal.
	states := map[string]string{}
	for _, p := range []fund.PoolView{lh, fz} {
		for _, b := range p.Banks {
			states[p.Region+"/"+b.BankID] = fmt.Sprintf("%s %d%%", b.State, b.NPLPct)
		}
	}
	want := map[string]string{"360321/ganzhou-bank": "normal 0%", "360321/nanchang-bank": "normal 0%",
		"3610/ganzhou-bank": "normal 0%", "3610/nanchang-bank": "warned 4%"}
	if fmt.Sprint(states) != fmt.Sprint(want) {
		t.Errorf("bank states %v, want %v", states, want)
	}
	claims, _, err := e.f.ListClaims(ctx, fuzhou, fund.ClaimFilter{})
	if err != nil || len(claims) != 1 || claims[0].State != fund.ClaimSubmitted || !claims[0].RecoveryClosed {
		t.Errorf("demo claims: %+v %v", claims, err)
	}
	np, _, _ := e.f.ListLoans(ctx, admin, fund.LoanFilter{State: fund.LoanNonPerforming})
	if len(np) != 1 {
		t.Errorf("demo defaults: %d", len(np))
	}
	// A seeding resumed after a crash (here: run again) writes nothing twice.
	if n, err := e.f.SeedDemo(ctx, lianhua, fuzhou, bankA, bankB); err != nil || n != 7 {
		t.Fatalf("second seed: %d loans, %v", n, err)
	}
	if again := must(e.f.GetPool(ctx, admin, "fund-3610")); again.Cash != fz.Cash || again.Outstanding != fz.Outstanding || again.PaidInByYear["2024"] != 3000000 {
		t.Errorf("Fuzhou after a second seed: %+v, was %+v", again, fz)
	}
	if again := must(e.f.GetPool(ctx, admin, "fund-360321")); again.Cash != lh.Cash || again.Outstanding != lh.Outstanding {
		t.Errorf("Lianhua after a second seed: %+v, was %+v", again, lh)
	}
	all, _, _ := e.f.ListLoans(ctx, admin, fund.LoanFilter{Limit: 100})
	if again, _, _ := e.f.ListClaims(ctx, fuzhou, fund.ClaimFilter{}); len(all) != 7 || len(again) != 1 {
		t.Errorf("after a second seed: %d loans, %d claims", len(all), len(again))
	}
	// The official can approve it at once; cash pays it in full.
	c := must(e.f.ApproveClaim(ctx, fuzhou, claims[0].ID))
	if c.State != fund.ClaimPaid || c.Paid != 320000 {
		t.Errorf("approved demo claim: %+v", c)
	}
}

// TestEvaluationSeats: an ordered evaluation invites the experts the
// finder proposes; they accept, answer and submit; the finding is
// route_failure when more than half of the submitted answers say so.
func TestEvaluationSeats(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.lianhuaPool(t)
	e.f.SetExpertFinder(func(_ context.Context, route, bank, code string, n int) ([]string, []string, error) {
		if route != "biomedicine.tcm" || bank != "bank-a" || n < fund.EvaluationSeats {
			t.Errorf("finder asked for %s %s %d", route, bank, n)
		}
		return []string{"e1", "e2", "e3"}, []string{"industry", "industry", "academician"}, nil
	})
	l := e.loan(t, officerA, "360321", 1, 100000, 24)
	must(e.f.MarkDefault(ctx, officerA, l.ID, fund.DefaultInput{Date: "2025-09-01", Outstanding: ptr(int64(100000))}))
	ev := must(e.f.OrderEvaluation(ctx, lianhua, l.ID))
	experts := map[string]identity.User{}
	for _, id := range []string{"e1", "e2", "e3"} {
		experts[id] = identity.User{ID: "u-" + id, Role: identity.RoleExpert, ExpertID: id}
	}
	seatOf := func(x string) fund.Seat {
		ss := must(e.f.Seats(ctx, experts[x], ""))
		if len(ss) != 1 || ss[0].Kind != "evaluation" || ss[0].LoanID != l.ID || ss[0].State != fund.SeatInvited {
			t.Fatalf("%s's seats: %+v", x, ss)
		}
		return ss[0]
	}
	s1, s2, s3 := seatOf("e1"), seatOf("e2"), seatOf("e3")
	if _, err := e.f.AcceptSeat(ctx, experts["e2"], s1.ID); code(err) != kedaitong.ENotFound {
		t.Errorf("another expert accepting: %v", err)
	}
	if _, err := e.f.ScoreSeat(ctx, experts["e1"], s1.ID, fund.SeatInput{RouteFailure: ptr(true)}); code(err) != kedaitong.EConflict {
		t.Errorf("score before accepting: %v", err)
	}
	for _, x := range []struct {
		u    string
		seat fund.Seat
		yes  bool
	}{{"e1", s1, true}, {"e2", s2, true}} {
		must(e.f.AcceptSeat(ctx, experts[x.u], x.seat.ID))
		if _, err := e.f.ScoreSeat(ctx, experts[x.u], x.seat.ID, fund.SeatInput{Comment: "x"}); code(err) != kedaitong.EInvalid {
			t.Errorf("answer without route_failure: %v", err)
		}
		must(e.f.ScoreSeat(ctx, experts[x.u], x.seat.ID, fund.SeatInput{RouteFailure: ptr(x.yes), Comment: "路线被替代"}))
		must(e.f.SubmitSeat(ctx, experts[x.u], x.seat.ID))
	}
	if _, err := e.f.ScoreSeat(ctx, experts["e1"], s1.ID, fund.SeatInput{RouteFailure: ptr(false)}); code(err) != kedaitong.EConflict {
		t.Errorf("change after submit: %v", err)
	}
	if got := must(e.f.GetEvaluation(ctx, lianhua, ev.ID)); got.State != fund.EvalOpen {
		t.Fatalf("closed with a seat still invited: %+v", got)
	}
	must(e.f.DeclineSeat(ctx, experts["e3"], s3.ID, "时间冲突"))
	got := must(e.f.GetEvaluation(ctx, officerA, ev.ID))
	if got.State != fund.EvalClosed || got.Finding == nil || *got.Finding != fund.FindingRouteFailure || got.Answers != 2 {
		t.Fatalf("evaluation after the panel: %+v", got)
	}
}
