package review_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/internal/store/storetest"
	"kedaitong/review"
	"kedaitong/taxonomy"
)

// events collects the audit events the service records.
type events struct {
	mu  sync.Mutex
	evs []identity.Event
}

func (e *events) Record(_ context.Context, ev identity.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.evs = append(e.evs, ev)
}

func (e *events) actions() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, ev := range e.evs {
		out = append(out, ev.Action)
	}
	return out
}

var (
	officer  = identity.User{ID: "u-off", Username: "officer", Role: identity.RoleBankOfficer, BankID: "gzb"}
	officer2 = identity.User{ID: "u-off2", Username: "officer2", Role: identity.RoleBankOfficer, BankID: "ncb"}
	province = identity.User{ID: "u-prov", Username: "official", Role: identity.RoleOfficial, Region: "36"}
	ganzhou  = identity.User{ID: "u-gz", Username: "cityofficial", Role: identity.RoleOfficial, Region: "3607"}
	nanchang = identity.User{ID: "u-nc", Username: "ncofficial", Role: identity.RoleOfficial, Region: "3601"}
	admin    = identity.User{ID: "u-admin", Username: "admin", Role: identity.RoleAdmin}
	expert   = identity.User{ID: "u-exp", Username: "expert", Role: identity.RoleExpert, ExpertID: "exp-1"}
)

var now = time.Date(2026, 5, 20, 9, 0, 0, 0, time.UTC)

func newService(t *testing.T) (*review.Service, store.Store, *events) {
	t.Helper()
	st := storetest.New(t)
	rec := &events{}
	s, err := review.Open(context.Background(), st, rec)
	if err != nil {
		t.Fatal(err)
	}
	var tick atomic.Int64 // each reading of the clock is a second later, so creation order is stable
	s.SetClock(func() time.Time { return now.Add(time.Duration(tick.Add(1)) * time.Second) })
	return s, st, rec
}

// icDesign is the contract's example: the strong-technology, weak-financials case.
func icDesign() review.Input {
	return review.Input{
		Enterprise: review.Enterprise{Name: "赣州芯研微电子有限公司", CreditCode: review.DemoCreditCode("360702", 1), Region: "360702",
			Founded: "2021-03-15", Route: "semiconductors.ic-design", Staff: 60, RDStaff: 25,
			Revenue: []int64{12000000, 9000000}, NetProfit: []int64{-3000000, -4500000}, RDSpend: 6000000,
			InventionPatents: 5, PendingPatents: 3, Maturity: "pilot"},
		Loan:    review.Loan{Amount: 3000000, TermMonths: 24, Purpose: "流片与量产验证"},
		Summary: "28nm 低功耗电源管理芯片设计，两次流片，样片通过验证。",
	}
}

func foodProcessor() review.Input {
	return review.Input{
		Enterprise: review.Enterprise{Name: "江西赣南鲜味食品有限公司", CreditCode: review.DemoCreditCode("360111", 2), Region: "360111",
			Founded: "2012-06-01", Route: "biomedicine.biologics", Staff: 180, RDStaff: 6,
			Revenue: []int64{85000000, 80000000}, NetProfit: []int64{4200000, 3900000}, RDSpend: 600000, Maturity: "industrial"},
		Loan:    review.Loan{Amount: 10000000, TermMonths: 36, Purpose: "扩建罐头生产线"},
		Summary: "以“生物保鲜技术”生产脐橙罐头与腌制蔬菜。",
	}
}

func TestCreditCode(t *testing.T) {
	for _, tc := range []struct {
		code string
		ok   bool
	}{
		{"91350100M000100Y43", true},  // a published valid code
		{"91110000600037341L", true},  // another
		{"91350100M000100Y44", false}, // check character off by one
		{"91350100M000100Y4", false},  // 17 characters
		{"91350100M000100Y433", false},
		{"91350100M00O100Y43", false}, // the letter O is not in the alphabet
		{"91350100M000100Z43", false}, // nor Z
		{"9135010０M000100Y43", false}, // a full-width digit
	} {
		err := review.CheckCreditCode(tc.code)
		if (err == nil) != tc.ok {
			t.Errorf("CheckCreditCode(%q) = %v, want ok=%v", tc.code, err, tc.ok)
		}
		if err != nil && (!kedaitong.Is(err, kedaitong.EInvalid) || !strings.Contains(err.Error(), "credit_code")) {
			t.Errorf("CheckCreditCode(%q) error = %v, want invalid input naming the field", tc.code, err)
		}
	}
	if err := review.CheckCreditCode(review.DemoCreditCode("360702", 77)); err != nil {
		t.Errorf("demo code invalid: %v", err)
	}
}

func ExampleCreditCheckDigit() {
	c, _ := review.CreditCheckDigit("91350100M000100Y4")
	fmt.Println(string(c))
	// Output: 3
}

func TestInputCheck(t *testing.T) {
	tax := taxonomy.Default()
	for _, tc := range []struct {
		name  string
		edit  func(*review.Input)
		field string
	}{
		{"bad check digit", func(in *review.Input) { in.Enterprise.CreditCode = "91350100M000100Y44" }, "enterprise.credit_code"},
		{"short code", func(in *review.Input) { in.Enterprise.CreditCode = "9135" }, "enterprise.credit_code"},
		{"future founding", func(in *review.Input) { in.Enterprise.Founded = "2026-05-21" }, "enterprise.founded"},
		{"bad date", func(in *review.Input) { in.Enterprise.Founded = "2021-02-30" }, "enterprise.founded"},
		{"negative staff", func(in *review.Input) { in.Enterprise.Staff = -1 }, "enterprise.staff"},
		{"rd staff above staff", func(in *review.Input) { in.Enterprise.RDStaff = 61 }, "enterprise.rd_staff"},
		{"negative revenue", func(in *review.Input) { in.Enterprise.Revenue[1] = -5 }, "enterprise.revenue[1]"},
		{"one year of revenue", func(in *review.Input) { in.Enterprise.Revenue = []int64{1} }, "enterprise.revenue"},
		{"negative rd spend", func(in *review.Input) { in.Enterprise.RDSpend = -1 }, "enterprise.rd_spend"},
		{"negative patents", func(in *review.Input) { in.Enterprise.InventionPatents = -2 }, "enterprise.invention_patents"},
		{"unknown route", func(in *review.Input) { in.Enterprise.Route = "semiconductors.quantum" }, "enterprise.route"},
		{"industry not route", func(in *review.Input) { in.Enterprise.Route = "semiconductors" }, "enterprise.route"},
		{"wrong maturity", func(in *review.Input) { in.Enterprise.Maturity = "mass" }, "enterprise.maturity"},
		{"city region", func(in *review.Input) { in.Enterprise.Region = "3607" }, "enterprise.region"},
		{"other province", func(in *review.Input) { in.Enterprise.Region = "350102" }, "enterprise.region"},
		{"zero loan", func(in *review.Input) { in.Loan.Amount = 0 }, "loan.amount"},
		{"long term", func(in *review.Input) { in.Loan.TermMonths = 121 }, "loan.term_months"},
		{"no summary", func(in *review.Input) { in.Summary = "  " }, "summary"},
	} {
		in := icDesign()
		tc.edit(&in)
		err := in.Validate(tax, "2026-05-20")
		var ke *kedaitong.Error
		if err == nil || !kedaitong.Is(err, kedaitong.EInvalid) {
			t.Errorf("%s: err = %v, want invalid input", tc.name, err)
			continue
		}
		if ke = err.(*kedaitong.Error); ke.Field != tc.field {
			t.Errorf("%s: field = %q, want %q (%v)", tc.name, ke.Field, tc.field, err)
		}
	}
	in := icDesign()
	in.Enterprise.NetProfit = []int64{-1, -2} // losses are allowed
	in.Enterprise.CreditCode = strings.ToLower(in.Enterprise.CreditCode)
	if err := in.Validate(tax, "2026-05-20"); err != nil {
		t.Errorf("valid input refused: %v", err)
	}
	if in.Enterprise.CreditCode != strings.ToUpper(in.Enterprise.CreditCode) {
		t.Errorf("credit code not normalised: %s", in.Enterprise.CreditCode)
	}
	bad := icDesign()
	bad.Enterprise.Staff, bad.Loan.Amount, bad.Summary = -1, -3, ""
	bad.Normalize()
	if n := len(bad.Check(tax, "2026-05-20")); n < 3 {
		t.Errorf("Check found %d problems, want every one (≥ 3)", n)
	}
}

func TestIndicatorsAndFlags(t *testing.T) {
	tax := taxonomy.Default()
	in := icDesign()
	ind := review.Derive(in.Enterprise, now)
	if ind.RDIntensity == nil || *ind.RDIntensity != 0.5 {
		t.Errorf("rd intensity = %v, want 0.5", ind.RDIntensity)
	}
	if ind.RDStaffShare != 0.4167 {
		t.Errorf("rd staff share = %v", ind.RDStaffShare)
	}
	if ind.AgeGroup != review.AgeMature || ind.LossYears != 2 {
		t.Errorf("age group %s, loss years %d; want mature (over five years), 2", ind.AgeGroup, ind.LossYears)
	}
	flags := review.PreScreen(tax, in, ind)
	if len(flags) != 1 || flags[0].Code != review.FlagStrongTech || flags[0].Reasons[0].ZH == "" || flags[0].Reasons[0].EN == "" {
		t.Errorf("IC design flags = %+v, want strong technology, weak financials explained", flags)
	}
	food := foodProcessor()
	flags = review.PreScreen(tax, food, review.Derive(food.Enterprise, now))
	if len(flags) != 1 || flags[0].Code != review.FlagPseudoTech {
		t.Fatalf("food processor flags = %+v, want pseudo-technology", flags)
	}
	if !strings.Contains(flags[0].Reasons[0].EN, "0.7%") || !strings.Contains(flags[0].Reasons[0].ZH, "研发投入强度") {
		t.Errorf("pseudo-technology reasons = %+v", flags[0].Reasons)
	}
	for _, tc := range []struct {
		founded string
		want    string
	}{
		{"2023-05-21", review.AgeStartup}, // one day short of three years
		{"2023-05-20", review.AgeGrowth},
		{"2021-05-20", review.AgeGrowth}, // exactly five years
		{"2021-05-19", review.AgeMature},
	} {
		e := in.Enterprise
		e.Founded = tc.founded
		if got := review.Derive(e, now).AgeGroup; got != tc.want {
			t.Errorf("founded %s: age group %s, want %s", tc.founded, got, tc.want)
		}
	}
	e := in.Enterprise
	e.Revenue = []int64{0, 0}
	if review.Derive(e, now).RDIntensity != nil {
		t.Error("rd intensity without revenue should be null")
	}
}

func TestLifecycle(t *testing.T) {
	s, _, rec := newService(t)
	ctx := context.Background()
	v, err := s.Create(ctx, officer, icDesign())
	if err != nil {
		t.Fatal(err)
	}
	if v.State != review.StateDraft || v.BankID != "gzb" || v.CreatedBy != officer.ID || v.City != "3607" || v.Industry != "semiconductors" {
		t.Errorf("created %+v", v.Application)
	}
	if _, err := s.Create(ctx, province, icDesign()); !kedaitong.Is(err, kedaitong.EForbidden) {
		t.Errorf("official creating: %v, want forbidden", err)
	}
	// Another bank does not know of it.
	for _, call := range []func() error{
		func() error { _, err := s.Get(ctx, officer2, v.ID); return err },
		func() error { _, err := s.Submit(ctx, officer2, v.ID); return err },
		func() error { _, err := s.Update(ctx, officer2, v.ID, 0, icDesign()); return err },
		func() error { _, err := s.Get(ctx, nanchang, v.ID); return err },
		func() error { _, err := s.Get(ctx, expert, v.ID); return err },
	} {
		if err := call(); !kedaitong.Is(err, kedaitong.ENotFound) {
			t.Errorf("outsider: %v, want not found", err)
		}
	}
	for _, u := range []identity.User{ganzhou, province, admin} {
		if _, err := s.Get(ctx, u, v.ID); err != nil {
			t.Errorf("%s reading: %v", u.Username, err)
		}
	}
	// Edits of a draft: a stale version is a conflict.
	in := icDesign()
	in.Loan.Amount = 4000000
	if _, err := s.Update(ctx, officer, v.ID, v.Version+1, in); !kedaitong.Is(err, kedaitong.EConflict) {
		t.Errorf("stale update: %v", err)
	}
	if _, err := s.Update(ctx, ganzhou, v.ID, v.Version, in); !kedaitong.Is(err, kedaitong.EForbidden) {
		t.Errorf("official editing: %v, want forbidden", err)
	}
	v, err = s.Update(ctx, officer, v.ID, v.Version, in)
	if err != nil || v.Loan.Amount != 4000000 {
		t.Fatalf("update: %v %+v", err, v.Loan)
	}
	// Submit, then editing is a conflict.
	if v, err = s.Submit(ctx, officer, v.ID); err != nil || v.State != review.StateSubmitted || v.SubmittedMS == 0 {
		t.Fatalf("submit: %v %s", err, v.State)
	}
	if _, err := s.Update(ctx, officer, v.ID, v.Version, in); !kedaitong.Is(err, kedaitong.EConflict) {
		t.Errorf("edit after submit: %v, want conflict", err)
	}
	if _, err := s.Submit(ctx, officer, v.ID); !kedaitong.Is(err, kedaitong.EConflict) {
		t.Errorf("second submit: %v, want conflict", err)
	}
	w, err := s.Waiting(ctx)
	if err != nil || len(w) != 1 || w[0].ID != v.ID {
		t.Fatalf("waiting = %v %v", w, err)
	}
	// The review process moves it on.
	if _, err := s.Close(ctx, v.ID, "rep-1"); !kedaitong.Is(err, kedaitong.EConflict) {
		t.Errorf("close before review: %v", err)
	}
	if _, err := s.Decide(ctx, officer, v.ID, review.DecisionInput{Granted: ptr(true), Amount: 1}); !kedaitong.Is(err, kedaitong.EConflict) {
		t.Errorf("decision before closing: %v, want conflict", err)
	}
	if _, err := s.MarkInReview(ctx, v.ID); err != nil {
		t.Fatal(err)
	}
	if w, _ := s.Waiting(ctx); len(w) != 0 {
		t.Errorf("still waiting: %v", w)
	}
	a, err := s.Close(ctx, v.ID, "rep-1")
	if err != nil || a.State != review.StateClosed || a.ReportRef != "rep-1" {
		t.Fatalf("close: %v %+v", err, a.State)
	}
	if _, err := s.Withdraw(ctx, officer, v.ID, ""); !kedaitong.Is(err, kedaitong.EConflict) {
		t.Errorf("withdrawing a closed one: %v, want conflict", err)
	}
	// The lending decision.
	for _, bad := range []review.DecisionInput{
		{},
		{Granted: ptr(true)},
		{Granted: ptr(true), Amount: 8000001},
		{Granted: ptr(true), Amount: 100, Date: "2026-05-21"},
		{Granted: ptr(true), Amount: 100, Date: "20260519"},
		{Granted: ptr(false), Amount: 100},
	} {
		if _, err := s.Decide(ctx, officer, v.ID, bad); !kedaitong.Is(err, kedaitong.EInvalid) {
			t.Errorf("decision %+v: %v, want invalid", bad, err)
		}
	}
	v, err = s.Decide(ctx, officer, v.ID, review.DecisionInput{Granted: ptr(true), Amount: 3500000, Date: "2026-05-20"})
	if err != nil || v.Decision == nil || v.Decision.Amount != 3500000 {
		t.Fatalf("decide: %v %+v", err, v.Decision)
	}
	if _, err := s.Decide(ctx, officer, v.ID, review.DecisionInput{Granted: ptr(false)}); !kedaitong.Is(err, kedaitong.EConflict) {
		t.Errorf("second decision: %v, want conflict", err)
	}
	want := []string{"application.create", "application.update", "application.submit", "application.in_review", "application.close", "application.decide"}
	if got := rec.actions(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("audit = %v, want %v", got, want)
	}
	// Withdrawing a draft.
	d, _ := s.Create(ctx, officer, foodProcessor())
	if d, err = s.Withdraw(ctx, officer, d.ID, "企业放弃"); err != nil || d.State != review.StateWithdrawn {
		t.Errorf("withdraw: %v %s", err, d.State)
	}
	if _, err := s.Submit(ctx, officer, d.ID); !kedaitong.Is(err, kedaitong.EConflict) {
		t.Errorf("submitting a withdrawn one: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

// TestConcurrentMoves: of racing state changes exactly one wins.
func TestConcurrentMoves(t *testing.T) {
	s, _, _ := newService(t)
	ctx := context.Background()
	v, err := s.Create(ctx, officer, icDesign())
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%2 == 0 {
				_, errs[i] = s.Submit(ctx, officer, v.ID)
			} else {
				_, errs[i] = s.Withdraw(ctx, officer, v.ID, "")
			}
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !kedaitong.Is(err, kedaitong.EConflict):
			t.Errorf("racing move: %v, want conflict", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d moves won, want exactly 1", ok)
	}
	// MarkInReview twice at once.
	v2, _ := s.Create(ctx, officer, foodProcessor())
	if _, err := s.Submit(ctx, officer, v2.ID); err != nil {
		t.Fatal(err)
	}
	var wins int
	var mu sync.Mutex
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.MarkInReview(ctx, v2.ID); err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			} else if !kedaitong.Is(err, kedaitong.EConflict) {
				t.Errorf("MarkInReview: %v", err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Errorf("MarkInReview won %d times", wins)
	}
}

func TestListScopesAndFilters(t *testing.T) {
	s, st, _ := newService(t)
	ctx := context.Background()
	mk := func(u identity.User, region, route string, serial int) review.View {
		in := icDesign()
		in.Enterprise.Region, in.Enterprise.Route = region, route
		in.Enterprise.CreditCode = review.DemoCreditCode(region, serial)
		v, err := s.Create(ctx, u, in)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	a := mk(officer, "360702", "semiconductors.ic-design", 1)   // gzb, Ganzhou
	b := mk(officer, "360111", "lithium-battery.sodium-ion", 2) // gzb, Nanchang
	c := mk(officer2, "360703", "semiconductors.ic-design", 3)  // ncb, Ganzhou
	if _, err := s.Submit(ctx, officer, a.ID); err != nil {
		t.Fatal(err)
	}
	ids := func(u identity.User, f review.Filter) string {
		t.Helper()
		vs, _, err := s.List(ctx, u, f)
		if err != nil {
			t.Fatalf("%s %+v: %v", u.Username, f, err)
		}
		var out []string
		for _, v := range vs {
			switch v.ID {
			case a.ID:
				out = append(out, "a")
			case b.ID:
				out = append(out, "b")
			case c.ID:
				out = append(out, "c")
			}
		}
		return strings.Join(out, "")
	}
	for _, tc := range []struct {
		u    identity.User
		f    review.Filter
		want string
	}{
		{officer, review.Filter{}, "ba"},
		{officer2, review.Filter{}, "c"},
		{officer, review.Filter{State: "submitted"}, "a"},
		{officer, review.Filter{Region: "3607"}, "a"},
		{officer, review.Filter{Route: "lithium-battery"}, "b"},
		{officer, review.Filter{CreditCode: c.CreditCode}, ""}, // another bank's: the filter cannot widen
		{ganzhou, review.Filter{}, "ca"},
		{ganzhou, review.Filter{Region: "3601"}, ""},
		{ganzhou, review.Filter{Region: "360703"}, "c"},
		{ganzhou, review.Filter{State: "draft"}, "c"},
		{province, review.Filter{}, "cba"},
		{province, review.Filter{Route: "semiconductors.ic-design"}, "ca"},
		{province, review.Filter{Region: "360111", State: "draft"}, "b"},
		{nanchang, review.Filter{}, "b"},
		{admin, review.Filter{CreditCode: strings.ToLower(b.CreditCode)}, "b"},
	} {
		if got := ids(tc.u, tc.f); got != tc.want {
			t.Errorf("%s %+v: got %q, want %q", tc.u.Username, tc.f, got, tc.want)
		}
	}
	for _, f := range []review.Filter{{State: "open"}, {Route: "quantum"}, {Region: "3507"}} {
		if _, _, err := s.List(ctx, province, f); !kedaitong.Is(err, kedaitong.EInvalid) {
			t.Errorf("filter %+v: %v, want invalid", f, err)
		}
	}
	if _, _, err := s.List(ctx, expert, review.Filter{}); !kedaitong.Is(err, kedaitong.EForbidden) {
		t.Errorf("expert listing: %v", err)
	}
	// Paging: one at a time, newest first, then the end.
	var seen []string
	cur := ""
	for range 5 {
		vs, next, err := s.List(ctx, province, review.Filter{Limit: 1, Cursor: cur})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			seen = append(seen, v.ID)
		}
		if next == "" {
			break
		}
		cur = next
	}
	if len(seen) != 3 || seen[0] != c.ID || seen[2] != a.ID {
		t.Errorf("paged %v", seen)
	}
	// Every query shape the service issues is served by an index.
	for _, q := range []store.Query{
		{Sort: "created_ms", Desc: true},
		{Eq: map[string]any{"bank_id": "gzb"}, Sort: "created_ms", Desc: true},
		{Eq: map[string]any{"bank_id": "gzb", "state": "draft"}, Sort: "created_ms", Desc: true},
		{Eq: map[string]any{"city": "3607"}, Sort: "created_ms", Desc: true},
		{Eq: map[string]any{"city": "3607", "state": "draft"}, Sort: "created_ms", Desc: true},
		{Eq: map[string]any{"region": "360702"}, Sort: "created_ms", Desc: true},
		{Eq: map[string]any{"region": "360702", "state": "draft"}, Sort: "created_ms", Desc: true},
		{Eq: map[string]any{"state": "submitted"}, Sort: "created_ms", Desc: true},
		{Eq: map[string]any{"state": "submitted"}, Sort: "submitted_ms"},
		{Eq: map[string]any{"credit_code": "X"}, Sort: "created_ms", Desc: true, Limit: 1},
		{Eq: map[string]any{"route": "semiconductors.ic-design"}, Sort: "created_ms", Desc: true},
		{Eq: map[string]any{"industry": "semiconductors"}, Sort: "created_ms", Desc: true},
	} {
		storetest.AssertIndexed(t, st, review.ApplicationsDef.Name, q)
	}
	for _, q := range []store.Query{
		{Eq: map[string]any{"whitelisted": true}, Sort: "updated_ms", Desc: true},
		{Eq: map[string]any{"whitelisted": true, "city": "3607"}, Sort: "updated_ms", Desc: true},
		{Eq: map[string]any{"whitelisted": true, "region": "360702"}, Sort: "updated_ms", Desc: true},
	} {
		storetest.AssertIndexed(t, st, review.WhitelistDef.Name, q)
	}
}

func TestWhitelist(t *testing.T) {
	s, _, rec := newService(t)
	ctx := context.Background()
	v, err := s.Create(ctx, officer, icDesign()) // Ganzhou, 360702
	if err != nil {
		t.Fatal(err)
	}
	code := v.CreditCode
	if _, err := s.SetWhitelist(ctx, nanchang, code, "理由"); !kedaitong.Is(err, kedaitong.ENotFound) {
		t.Errorf("outside the region: %v, want not found", err)
	}
	if _, err := s.SetWhitelist(ctx, ganzhou, review.DemoCreditCode("360702", 99), "理由"); !kedaitong.Is(err, kedaitong.ENotFound) {
		t.Errorf("unknown enterprise: %v, want not found", err)
	}
	if _, err := s.SetWhitelist(ctx, ganzhou, code, "  "); !kedaitong.Is(err, kedaitong.EInvalid) {
		t.Errorf("no reason: %v, want invalid", err)
	}
	if _, err := s.SetWhitelist(ctx, ganzhou, code, strings.Repeat("长", 1001)); !kedaitong.Is(err, kedaitong.EInvalid) {
		t.Errorf("long reason: %v, want invalid", err)
	}
	if _, err := s.SetWhitelist(ctx, officer, code, "x"); !kedaitong.Is(err, kedaitong.EForbidden) {
		t.Errorf("bank whitelisting: %v", err)
	}
	if _, err := s.LiftWhitelist(ctx, ganzhou, code, ""); !kedaitong.Is(err, kedaitong.EConflict) {
		t.Errorf("lifting what is not whitelisted: %v, want conflict", err)
	}
	w, err := s.SetWhitelist(ctx, ganzhou, strings.ToLower(code), "亏损源于流片投入，技术领先")
	if err != nil || !w.Whitelisted || w.Region != "360702" {
		t.Fatalf("whitelist: %v %+v", err, w)
	}
	bv, _ := s.Get(ctx, officer, v.ID)
	ov, _ := s.Get(ctx, province, v.ID)
	if !bv.Whitelisted || bv.WhitelistReason != "" || !ov.Whitelisted || ov.WhitelistReason == "" {
		t.Errorf("status on the application: bank %v %q, official %v %q", bv.Whitelisted, bv.WhitelistReason, ov.Whitelisted, ov.WhitelistReason)
	}
	ws, _, err := s.ListWhitelisted(ctx, ganzhou, 50, "")
	if err != nil || len(ws) != 1 {
		t.Errorf("whitelist of Ganzhou: %v %v", ws, err)
	}
	if ws, _, _ := s.ListWhitelisted(ctx, nanchang, 50, ""); len(ws) != 0 {
		t.Errorf("Nanchang sees %v", ws)
	}
	w, err = s.LiftWhitelist(ctx, province, code, "已获贷款")
	if err != nil || w.Whitelisted || len(w.History) != 2 {
		t.Fatalf("lift: %v %+v", err, w)
	}
	if ok, _, _ := s.WhitelistStatus(ctx, code); ok {
		t.Error("still whitelisted")
	}
	n := 0
	for _, a := range rec.actions() {
		if strings.HasPrefix(a, "whitelist.") {
			n++
		}
	}
	if n != 2 {
		t.Errorf("whitelist audit events = %d, want 2", n)
	}
}

func ooxml(t *testing.T, parts map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range parts {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDetectKind(t *testing.T) {
	ct := `<Types><Override ContentType="application/vnd.openxmlformats-officedocument.%s.main+xml"/></Types>`
	ole := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 500)...)
	for _, tc := range []struct {
		name string
		data []byte
		kind string
	}{
		{"pdf", []byte("%PDF-1.7\n1 0 obj<<>>endobj\n"), "pdf"},
		{"png", append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 20)...), "png"},
		{"jpeg", append([]byte{0xFF, 0xD8, 0xFF, 0xE0}, make([]byte, 20)...), "jpeg"},
		{"docx", ooxml(t, map[string]string{"[Content_Types].xml": strings.Replace(ct, "%s", "wordprocessingml.document", 1), "word/document.xml": "<w/>"}), "docx"},
		{"xlsx", ooxml(t, map[string]string{"[Content_Types].xml": strings.Replace(ct, "%s", "spreadsheetml.sheet", 1), "xl/workbook.xml": "<x/>"}), "xlsx"},
		{"pptx", ooxml(t, map[string]string{"[Content_Types].xml": strings.Replace(ct, "%s", "presentationml.presentation", 1), "ppt/presentation.xml": "<p/>"}), "pptx"},
		{"doc", append(append([]byte{}, ole...), []byte("W\x00o\x00r\x00d\x00D\x00o\x00c\x00u\x00m\x00e\x00n\x00t\x00")...), "doc"},
		{"xls", append(append([]byte{}, ole...), []byte("W\x00o\x00r\x00k\x00b\x00o\x00o\x00k\x00")...), "xls"},
		{"text", []byte("just some text pretending to be a PDF"), ""},
		{"html", []byte("<html><script>alert(1)</script></html>"), ""},
		{"plain zip", ooxml(t, map[string]string{"a.txt": "x"}), ""},
		{"zip with word/ but no content types", ooxml(t, map[string]string{"word/document.xml": "<w/>"}), ""},
		{"other ole2", ole, ""},
		{"empty", nil, ""},
	} {
		kind, _, err := review.DetectKind(tc.data)
		if kind != tc.kind || (tc.kind == "") != (err != nil) {
			t.Errorf("%s: kind %q err %v, want %q", tc.name, kind, err, tc.kind)
		}
	}
}

func TestAttachments(t *testing.T) {
	s, st, _ := newService(t)
	ctx := context.Background()
	v, err := s.Create(ctx, officer, icDesign())
	if err != nil {
		t.Fatal(err)
	}
	pdf := []byte("%PDF-1.4\n%dossier\n")
	att, err := s.AddAttachment(ctx, officer, v.ID, `C:\docs\..\技术方案.pdf`, bytes.NewReader(pdf))
	if err != nil {
		t.Fatal(err)
	}
	if att.Name != "技术方案.pdf" || att.Kind != "pdf" || att.Size != int64(len(pdf)) {
		t.Errorf("attachment %+v", att)
	}
	if _, err := s.AddAttachment(ctx, officer, v.ID, "x.pdf", strings.NewReader("not a pdf")); !kedaitong.Is(err, kedaitong.EInvalid) {
		t.Errorf("text named .pdf: %v, want invalid", err)
	}
	if _, err := s.AddAttachment(ctx, officer2, v.ID, "x.pdf", bytes.NewReader(pdf)); !kedaitong.Is(err, kedaitong.ENotFound) {
		t.Errorf("another bank: %v", err)
	}
	if _, err := s.AddAttachment(ctx, ganzhou, v.ID, "x.pdf", bytes.NewReader(pdf)); !kedaitong.Is(err, kedaitong.EForbidden) {
		t.Errorf("official uploading: %v", err)
	}
	big := zeroPadded(pdf, review.MaxAttachmentSize)
	if _, err := s.AddAttachment(ctx, officer, v.ID, "big.pdf", big); !kedaitong.Is(err, kedaitong.ETooLarge) {
		t.Errorf("over 20 MiB: %v", err)
	}
	for i := 1; i < review.MaxAttachments; i++ {
		if _, err := s.AddAttachment(ctx, officer, v.ID, "p.pdf", bytes.NewReader(pdf)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AddAttachment(ctx, officer, v.ID, "p.pdf", bytes.NewReader(pdf)); !kedaitong.Is(err, kedaitong.EConflict) {
		t.Errorf("11th: %v, want conflict", err)
	}
	rc, got, err := s.OpenAttachment(ctx, ganzhou, v.ID, att.ID)
	if err != nil {
		t.Fatal(err)
	}
	rc.Close()
	if got.ContentType != "application/pdf" {
		t.Errorf("content type %s", got.ContentType)
	}
	if _, _, err := s.OpenAttachment(ctx, nanchang, v.ID, att.ID); !kedaitong.Is(err, kedaitong.ENotFound) {
		t.Errorf("official of another city: %v", err)
	}
	if err := s.DeleteAttachment(ctx, officer, v.ID, att.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.Files().OpenFile(ctx, v.ID+"/"+att.ID); !kedaitong.Is(err, kedaitong.ENotFound) {
		t.Errorf("file kept after delete: %v", err)
	}
	if _, err := s.Submit(ctx, officer, v.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddAttachment(ctx, officer, v.ID, "p.pdf", bytes.NewReader(pdf)); !kedaitong.Is(err, kedaitong.EConflict) {
		t.Errorf("upload after submit: %v, want conflict", err)
	}
}

// zeroPadded returns head followed by zeros up to n+1 bytes.
func zeroPadded(head []byte, n int) *bytes.Reader {
	b := make([]byte, n+1)
	copy(b, head)
	return bytes.NewReader(b)
}

func TestSeedDemo(t *testing.T) {
	s, _, _ := newService(t)
	ctx := context.Background()
	if err := s.Seed(ctx, true); err != nil {
		t.Fatal(err)
	}
	if err := s.Seed(ctx, true); err != nil { // a second run adds nothing
		t.Fatal(err)
	}
	vs, _, err := s.List(ctx, admin, review.Filter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 40 {
		t.Fatalf("demo applications = %d, want 40", len(vs))
	}
	states, banks, flags := map[string]int{}, map[string]int{}, map[string]int{}
	for _, v := range vs {
		states[v.State]++
		banks[v.BankID]++
		for _, f := range v.Flags {
			flags[f.Code]++
		}
		if err := review.CheckCreditCode(v.CreditCode); err != nil {
			t.Errorf("%s: %v", v.Enterprise.Name, err)
		}
	}
	if states["draft"] == 0 || states["submitted"] == 0 || states["withdrawn"] == 0 || banks["ganzhou-bank"] == 0 || banks["nanchang-bank"] == 0 {
		t.Errorf("states %v banks %v", states, banks)
	}
	if flags[review.FlagStrongTech] == 0 || flags[review.FlagPseudoTech] == 0 {
		t.Errorf("flags %v: want both stereotypes", flags)
	}
}

func TestFlexibleTeamAndIP(t *testing.T) {
	var in review.Input
	body := `{"enterprise":{"team":["陈志远", {"name":"李娜","title":"CTO"}],"other_ip":["布图设计 6 项","软著 4 项"]}}`
	if err := json.Unmarshal([]byte(body), &in); err != nil {
		t.Fatal(err)
	}
	if len(in.Enterprise.Team) != 2 || in.Enterprise.Team[0].Name != "陈志远" || in.Enterprise.Team[1].Title != "CTO" {
		t.Errorf("team %+v", in.Enterprise.Team)
	}
	if in.Enterprise.OtherIP != "布图设计 6 项; 软著 4 项" {
		t.Errorf("other IP %q", in.Enterprise.OtherIP)
	}
	if err := json.Unmarshal([]byte(`{"enterprise":{"team":[{"name":"x","age":3}]}}`), &in); err == nil {
		t.Error("a person with an unknown field was accepted")
	}
}

// TestDecisionDateIsBeijing: at 01:30 in Beijing (17:30 UTC the day
// before) a bank records a decision dated today in Beijing; the server's
// UTC calendar must not call it a future date, and the next Beijing day is
// still refused.
func TestDecisionDateIsBeijing(t *testing.T) {
	s, _, _ := newService(t)
	ctx := context.Background()
	late := time.Date(2026, 5, 19, 17, 30, 0, 0, time.UTC) // 2026-05-20 01:30 in Beijing
	s.SetClock(func() time.Time { return late })
	v, err := s.Create(ctx, officer, icDesign())
	if err != nil {
		t.Fatal(err)
	}
	if v, err = s.Submit(ctx, officer, v.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.MarkInReview(ctx, v.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Close(ctx, v.ID, "rep-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Decide(ctx, officer, v.ID, review.DecisionInput{Granted: ptr(true), Amount: 100, Date: "2026-05-21"}); !kedaitong.Is(err, kedaitong.EInvalid) {
		t.Errorf("tomorrow in Beijing: %v, want invalid", err)
	}
	d, err := s.Decide(ctx, officer, v.ID, review.DecisionInput{Granted: ptr(true), Amount: 100, Date: "2026-05-20"})
	if err != nil || d.Decision.Date != "2026-05-20" {
		t.Fatalf("today in Beijing: %v", err)
	}
	if d.Indicators.AsOf != "2026-05-20" {
		t.Errorf("indicators as of %s, want the Beijing date", d.Indicators.AsOf)
	}
}
