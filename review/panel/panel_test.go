package panel_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kedaitong"
	"kedaitong/experts"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/internal/store/storetest"
	"kedaitong/review"
	"kedaitong/review/panel"
)

// events collects the audit events the services record.
type events struct {
	mu  sync.Mutex
	evs []identity.Event
}

func (e *events) Record(_ context.Context, ev identity.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.evs = append(e.evs, ev)
}

func (e *events) find(action string) []identity.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []identity.Event
	for _, ev := range e.evs {
		if ev.Action == action {
			out = append(out, ev)
		}
	}
	return out
}

var (
	gzbank   = identity.User{ID: "u-off", Username: "officer", Role: identity.RoleBankOfficer, BankID: "ganzhou-bank"}
	province = identity.User{ID: "u-prov", Username: "official", Role: identity.RoleOfficial, Region: "36"}
	ganzhou  = identity.User{ID: "u-gz", Username: "cityofficial", Role: identity.RoleOfficial, Region: "3607"}
	nanchang = identity.User{ID: "u-nc", Username: "ncofficial", Role: identity.RoleOfficial, Region: "3601"}
	admin    = identity.User{ID: "u-admin", Username: "admin", Role: identity.RoleAdmin}
)

func expertUser(id string) identity.User {
	return identity.User{ID: "u-" + id, Username: id, Role: identity.RoleExpert, ExpertID: id}
}

var start = time.Date(2026, 5, 20, 9, 0, 0, 0, time.UTC)

type fixture struct {
	st  store.Store
	rs  *review.Service
	es  *experts.Service
	ps  *panel.Service
	rec *events
	off atomic.Int64 // the clock's offset from start, in nanoseconds
	n   int
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{st: storetest.New(t), rec: &events{}}
	var err error
	if f.rs, err = review.Open(ctx, f.st, f.rec); err != nil {
		t.Fatal(err)
	}
	if f.es, err = experts.Open(ctx, f.st, f.rec); err != nil {
		t.Fatal(err)
	}
	if f.ps, err = panel.Open(ctx, f.st, f.rs, f.es, f.rec, panel.Options{}); err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return start.Add(time.Duration(f.off.Load())) }
	f.rs.SetClock(clock)
	f.es.SetClock(clock)
	f.ps.SetClock(clock)
	return f
}

func (f *fixture) advance(d time.Duration) { f.off.Add(int64(d)) }

func (f *fixture) expert(t testing.TB, id, tier string, fields []string, edit func(*experts.Input)) {
	t.Helper()
	in := experts.Input{ID: id, Name: "专家" + id, Tier: tier, Fields: fields}
	if edit != nil {
		edit(&in)
	}
	if _, err := f.es.Create(context.Background(), admin, in); err != nil {
		t.Fatalf("expert %s: %v", id, err)
	}
}

// application creates and submits an application of the Ganzhou bank.
func (f *fixture) application(t testing.TB, route string, edit func(*review.Input)) review.Application {
	t.Helper()
	f.n++
	in := review.Input{
		Enterprise: review.Enterprise{Name: fmt.Sprintf("赣州测试%d科技有限公司", f.n), CreditCode: review.DemoCreditCode("360702", f.n), Region: "360702",
			Founded: "2021-03-15", Route: route, Staff: 60, RDStaff: 25,
			Revenue: []int64{12000000, 9000000}, NetProfit: []int64{-3000000, -4500000}, RDSpend: 6000000,
			InventionPatents: 5, PendingPatents: 3, Maturity: "pilot"},
		Loan:    review.Loan{Amount: 3000000, TermMonths: 24, Purpose: "流片与量产验证"},
		Summary: "28nm 低功耗电源管理芯片设计，两次流片，样片通过验证。",
	}
	if edit != nil {
		edit(&in)
	}
	ctx := context.Background()
	v, err := f.rs.Create(ctx, gzbank, in)
	if err != nil {
		t.Fatalf("application: %v", err)
	}
	if v, err = f.rs.Submit(ctx, gzbank, v.ID); err != nil {
		t.Fatalf("submit: %v", err)
	}
	return v.Application
}

func capacity(n int) func(*experts.Input) { return func(in *experts.Input) { in.Capacity = &n } }

const ic = "semiconductors.ic-design"

// seated returns the application's invited or accepted experts by tier.
func seated(t testing.TB, f *fixture, appID string) map[string][]string {
	t.Helper()
	as, _, err := f.ps.List(context.Background(), admin, panel.Filter{Application: appID, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, a := range as {
		if a.State == panel.StateInvited || a.State == panel.StateAccepted {
			out[a.Tier] = append(out[a.Tier], a.ExpertID)
		}
	}
	return out
}

func assignmentOf(t testing.TB, f *fixture, appID, expertID string) panel.Assignment {
	t.Helper()
	as, _, err := f.ps.List(context.Background(), expertUser(expertID), panel.Filter{Application: appID})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		if a.State == panel.StateInvited || a.State == panel.StateAccepted {
			return a
		}
	}
	t.Fatalf("%s holds no seat on %s", expertID, appID)
	return panel.Assignment{}
}

func TestRunChoosesTheBestPanel(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.expert(t, "aca-route", "academician", []string{ic}, nil)
	f.expert(t, "aca-ind", "academician", []string{"semiconductors"}, nil)
	f.expert(t, "ind-route1", "industry", []string{ic}, nil)
	f.expert(t, "ind-neigh", "industry", []string{"semiconductors.packaging-testing", ic}, nil) // ic-design second: still the route
	f.expert(t, "ind-other", "industry", []string{"semiconductors.power-devices"}, nil)
	f.expert(t, "ind-far", "industry", []string{"biomedicine.tcm"}, nil)
	f.expert(t, "fin-plain", "finance", nil, func(in *experts.Input) { in.Specialities = []string{"green-finance"} })
	f.expert(t, "fin-semi", "finance", []string{"semiconductors"}, func(in *experts.Input) { in.Specialities = []string{"sci-tech-credit"} })
	app := f.application(t, ic, nil)

	r, err := f.ps.Run(ctx, province)
	if err != nil {
		t.Fatal(err)
	}
	if r.SeatsFilled != 4 || r.SeatsOpen != 0 || len(r.Shortfalls) != 0 || r.Applications != 1 {
		t.Fatalf("run = %+v", r)
	}
	got := seated(t, f, app.ID)
	want := map[string][]string{"academician": {"aca-route"}, "finance": {"fin-semi"}}
	for tier, ids := range want {
		if fmt.Sprint(got[tier]) != fmt.Sprint(ids) {
			t.Errorf("%s seats = %v, want %v", tier, got[tier], ids)
		}
	}
	if ind := got["industry"]; len(ind) != 2 || contains(ind, "ind-other") || contains(ind, "ind-far") {
		t.Errorf("industry seats = %v, want ind-route1 and ind-neigh", ind)
	}
	for _, a := range r.Invitations {
		if a.State != panel.StateInvited || !a.Due.Equal(start.Add(panel.ResponseWindow)) || a.Affinity <= 0 {
			t.Errorf("invitation %+v", a)
		}
	}
	v, err := f.rs.Get(ctx, province, app.ID)
	if err != nil || v.State != review.StateInReview {
		t.Errorf("application state = %q, %v; want in_review", v.State, err)
	}
	rec, _ := f.es.Record(ctx, "aca-route")
	if rec.Assigned != 1 || rec.OpenAssignments != 1 {
		t.Errorf("track record = %+v", rec)
	}
	if evs := f.rec.find("assignment.invite"); len(evs) != 4 || evs[0].Detail["affinity"] == nil {
		t.Errorf("invite audit = %+v", evs)
	}
	// A second run keeps the seats and sends nothing.
	r2, err := f.ps.Run(ctx, province)
	if err != nil || r2.SeatsFilled != 0 {
		t.Errorf("second run = %+v, %v", r2, err)
	}
	if fmt.Sprint(seated(t, f, app.ID)) != fmt.Sprint(got) {
		t.Errorf("second run changed the panel")
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func TestRunExcludesConflictsWithReasons(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	code := review.DemoCreditCode("360702", 1) // the first application's enterprise
	org := func(name, code, from, to string) func(*experts.Input) {
		return func(in *experts.Input) {
			in.Organisations = []experts.Org{{Name: name, CreditCode: code, From: from, To: to}}
		}
	}
	f.expert(t, "staff", "industry", []string{ic}, org("赣州测试1科技有限公司", code, "2020-01-01", ""))
	f.expert(t, "former", "industry", []string{ic}, org("赣州测试1科技", "", "2019-01-01", "2024-06-30"))
	f.expert(t, "longago", "industry", []string{ic}, org("赣州测试1科技有限公司", code, "2015-01-01", "2022-01-31"))
	f.expert(t, "banker", "industry", []string{ic}, org("赣州银行", "", "2018-01-01", ""))
	f.expert(t, "declared", "industry", []string{ic}, func(in *experts.Input) {
		in.Conflicts = []experts.Conflict{{Name: "赣州测试1科技有限公司", CreditCode: code, Reason: "亲属持股"}}
	})
	f.expert(t, "away", "industry", []string{ic}, func(in *experts.Input) {
		in.Unavailable = []experts.Period{{From: "2026-05-25", To: "2026-06-10", Reason: "出国"}}
	})
	f.expert(t, "cto", "industry", []string{ic}, func(in *experts.Input) { in.Name = "陈志远" })
	f.expert(t, "retired", "industry", []string{ic}, func(in *experts.Input) { in.Status = experts.StatusRetired })
	app := f.application(t, ic, func(in *review.Input) {
		in.Enterprise.Team = []review.Person{{Name: "陈志远", Title: "首席技术官"}}
	})

	r, err := f.ps.Run(ctx, ganzhou)
	if err != nil {
		t.Fatal(err)
	}
	if got := seated(t, f, app.ID)["industry"]; fmt.Sprint(got) != "[longago]" {
		t.Errorf("industry seats = %v, want only the expert who left more than three years ago", got)
	}
	v, err := f.ps.Panel(ctx, ganzhou, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"staff": panel.ExclEnterpriseStaff, "former": panel.ExclEnterpriseOrg, "banker": panel.ExclBankOrg,
		"declared": panel.ExclDeclared, "away": panel.ExclUnavailable, "cto": panel.ExclEnterpriseStaff}
	got := map[string]string{}
	for _, c := range v.Considered {
		got[c.ExpertID] = c.Reason
		if c.Name == "" {
			t.Errorf("candidate %s has no name for officials", c.ExpertID)
		}
	}
	for id, reason := range want {
		if got[id] != reason {
			t.Errorf("%s excluded for %q, want %q", id, got[id], reason)
		}
	}
	if _, ok := got["retired"]; ok {
		t.Errorf("a retired expert was considered")
	}
	short := map[string]panel.Shortfall{}
	for _, s := range r.Shortfalls {
		short[s.Tier] = s
	}
	if s := short["industry"]; s.Seats != 1 || s.Reason != panel.ShortTooFew || s.Conflicted != 5 || s.Unavailable != 1 || s.Eligible != 7 {
		t.Errorf("industry shortfall = %+v", s)
	}
	if s := short["academician"]; s.Reason != panel.ShortNoEligible || s.Seats != 1 {
		t.Errorf("academician shortfall = %+v", s)
	}
	evs := f.rec.find("panel.assign")
	if len(evs) != 1 || evs[0].Detail["excluded"].(map[string]int)[panel.ExclEnterpriseStaff] != 2 {
		t.Errorf("exclusion audit = %+v", evs)
	}
	// Other regions' officials do not see the panel; the panel stays open for later runs.
	if _, err := f.ps.Panel(ctx, nanchang, app.ID); !kedaitong.Is(err, kedaitong.ENotFound) {
		t.Errorf("Nanchang official: %v, want not found", err)
	}
	if v.Open != 3 {
		t.Errorf("open seats = %d, want 3", v.Open)
	}
	// A new academician joins: the next run fills that seat only.
	f.expert(t, "aca", "academician", []string{"semiconductors"}, nil)
	r2, err := f.ps.Run(ctx, province)
	if err != nil || r2.SeatsFilled != 1 || r2.Invitations[0].ExpertID != "aca" {
		t.Errorf("second run = %+v, %v", r2, err)
	}
}

func TestCapacityAndLoad(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.expert(t, "solo", "academician", []string{ic}, capacity(1))
	a1 := f.application(t, ic, nil)
	a2 := f.application(t, ic, nil)
	r, err := f.ps.Run(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	if r.SeatsFilled != 1 {
		t.Fatalf("seats filled = %d, want 1 (capacity 1)", r.SeatsFilled)
	}
	if r.Invitations[0].ApplicationID == a2.ID { // ties break by the optimiser's rule; name the winner a1
		a1, a2 = a2, a1
	}
	var short panel.Shortfall
	for _, s := range r.Shortfalls {
		if s.Tier == "academician" {
			short = s
		}
	}
	if short.Reason != panel.ShortCapacity || short.ApplicationID != a2.ID {
		t.Errorf("shortfall = %+v, want %s at capacity", short, a2.ID)
	}
	// Next run: the expert's one open assignment is its capacity.
	r, err = f.ps.Run(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range r.Shortfalls {
		if s.Tier == "academician" && s.Reason != panel.ShortCapacity {
			t.Errorf("second run shortfall = %+v", s)
		}
	}
	// Declining frees capacity, but never for the declined application.
	asg := assignmentOf(t, f, a1.ID, "solo")
	if _, err := f.ps.Decline(ctx, expertUser("solo"), asg.ID, "出差"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ps.Run(ctx, admin); err != nil {
		t.Fatal(err)
	}
	if got := seated(t, f, a2.ID)["academician"]; fmt.Sprint(got) != "[solo]" {
		t.Errorf("after the decline, a2's academician = %v, want solo", got)
	}
	if got := seated(t, f, a1.ID)["academician"]; len(got) != 0 {
		t.Errorf("a1 re-invited a decliner: %v", got)
	}
}

func TestDeclineInvitesAReplacement(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.expert(t, "i1", "industry", []string{ic}, nil)
	f.expert(t, "i2", "industry", []string{ic}, nil)
	f.expert(t, "i3", "industry", []string{"semiconductors"}, nil)
	app := f.application(t, ic, nil)
	if _, err := f.ps.Run(ctx, province); err != nil {
		t.Fatal(err)
	}
	if got := seated(t, f, app.ID)["industry"]; fmt.Sprint(got) != "[i1 i2]" && fmt.Sprint(got) != "[i2 i1]" {
		t.Fatalf("industry seats = %v", got)
	}
	asg := assignmentOf(t, f, app.ID, "i1")

	// Bad input and other callers change nothing.
	if _, err := f.ps.Decline(ctx, expertUser("i1"), asg.ID, "  "); !kedaitong.Is(err, kedaitong.EInvalid) {
		t.Errorf("decline without a reason: %v, want invalid", err)
	}
	if _, err := f.ps.Decline(ctx, expertUser("i2"), asg.ID, "不便"); !kedaitong.Is(err, kedaitong.ENotFound) {
		t.Errorf("another expert's decline: %v, want not found", err)
	}
	if _, err := f.ps.Decline(ctx, expertUser("i1"), "asg-nope", "不便"); !kedaitong.Is(err, kedaitong.ENotFound) {
		t.Errorf("unknown assignment: %v, want not found", err)
	}
	if a, _ := f.ps.Get(ctx, admin, asg.ID); a.State != panel.StateInvited {
		t.Fatalf("state after refused declines = %s", a.State)
	}

	d, err := f.ps.Decline(ctx, expertUser("i1"), asg.ID, "时间冲突")
	if err != nil || d.State != panel.StateDeclined || d.Reason != "时间冲突" {
		t.Fatalf("decline = %+v, %v", d, err)
	}
	got := seated(t, f, app.ID)["industry"]
	if !contains(got, "i3") || contains(got, "i1") || len(got) != 2 {
		t.Errorf("after the decline, industry seats = %v, want i2 and the replacement i3", got)
	}
	if _, err := f.ps.Decline(ctx, expertUser("i1"), asg.ID, "again"); !kedaitong.Is(err, kedaitong.EConflict) {
		t.Errorf("declining twice: %v, want conflict", err)
	}
	// The replacement declines too: nobody left who has not declined.
	a3 := assignmentOf(t, f, app.ID, "i3")
	if _, err := f.ps.Decline(ctx, expertUser("i3"), a3.ID, "不熟悉"); err != nil {
		t.Fatal(err)
	}
	if got := seated(t, f, app.ID)["industry"]; fmt.Sprint(got) != "[i2]" {
		t.Errorf("industry seats = %v, want only i2", got)
	}
	r, err := f.ps.Run(ctx, province)
	if err != nil {
		t.Fatal(err)
	}
	if r.SeatsFilled != 0 {
		t.Errorf("a run re-invited a decliner: %+v", r.Invitations)
	}
	for _, s := range r.Shortfalls {
		if s.Tier == "industry" && (s.Declined != 2 || s.Reason != panel.ShortDeclined) {
			t.Errorf("industry shortfall = %+v", s)
		}
	}
	rec, _ := f.es.Record(ctx, "i1")
	if rec.Declined != 1 || rec.OpenAssignments != 0 {
		t.Errorf("i1 record = %+v", rec)
	}
	if len(f.rec.find("assignment.decline")) != 2 {
		t.Errorf("decline audit missing")
	}
}

func TestExpiryInvitesAReplacement(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.expert(t, "a1", "academician", []string{ic}, nil)
	f.expert(t, "a2", "academician", []string{"semiconductors"}, nil)
	f.expert(t, "f1", "finance", []string{"semiconductors"}, nil)
	app := f.application(t, ic, nil)
	if _, err := f.ps.Run(ctx, province); err != nil {
		t.Fatal(err)
	}
	fin := assignmentOf(t, f, app.ID, "f1")
	if _, err := f.ps.Accept(ctx, expertUser("f1"), fin.ID); err != nil {
		t.Fatal(err)
	}
	// Nothing is due yet.
	f.advance(panel.ResponseWindow - time.Minute)
	if n, err := f.ps.Sweep(ctx); err != nil || n != 0 {
		t.Fatalf("early sweep = %d, %v", n, err)
	}
	f.advance(2 * time.Minute)
	n, err := f.ps.Sweep(ctx)
	if err != nil || n != 1 {
		t.Fatalf("sweep = %d, %v; want the academician's invitation expired", n, err)
	}
	got := seated(t, f, app.ID)
	if fmt.Sprint(got["academician"]) != "[a2]" || fmt.Sprint(got["finance"]) != "[f1]" {
		t.Errorf("after expiry, seats = %v; want a2 replacing a1, f1 kept (accepted)", got)
	}
	as, _, _ := f.ps.List(ctx, expertUser("a1"), panel.Filter{})
	if len(as) != 1 || as[0].State != panel.StateExpired {
		t.Errorf("a1's assignments = %+v", as)
	}
	// a2 lets it lapse too: a1 is never invited again.
	f.advance(panel.ResponseWindow + time.Minute)
	if n, err := f.ps.Sweep(ctx); err != nil || n != 1 {
		t.Fatalf("second sweep = %d, %v", n, err)
	}
	if got := seated(t, f, app.ID)["academician"]; len(got) != 0 {
		t.Errorf("academician seats = %v, want none", got)
	}
	if rec, _ := f.es.Record(ctx, "a1"); rec.Expired != 1 {
		t.Errorf("a1 record = %+v", rec)
	}
	if len(f.rec.find("assignment.expire")) != 2 {
		t.Errorf("expiry audit missing")
	}
}

func TestAcceptRacesAndStates(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.expert(t, "a1", "academician", []string{ic}, nil)
	app := f.application(t, ic, nil)
	if _, err := f.ps.Run(ctx, province); err != nil {
		t.Fatal(err)
	}
	asg := assignmentOf(t, f, app.ID, "a1")
	if _, err := f.ps.Accept(ctx, expertUser("other"), asg.ID); !kedaitong.Is(err, kedaitong.ENotFound) {
		t.Errorf("another expert's accept: %v, want not found", err)
	}
	if _, err := f.ps.Accept(ctx, province, asg.ID); !kedaitong.Is(err, kedaitong.EForbidden) {
		t.Errorf("an official's accept: %v, want forbidden", err)
	}
	var wins, conflicts atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.ps.Accept(ctx, expertUser("a1"), asg.ID)
			switch {
			case err == nil:
				wins.Add(1)
			case kedaitong.Is(err, kedaitong.EConflict):
				conflicts.Add(1)
			default:
				t.Errorf("accept: %v", err)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 || conflicts.Load() != 7 {
		t.Errorf("racing accepts: %d won, %d conflicts; want exactly one winner", wins.Load(), conflicts.Load())
	}
	a, _ := f.ps.Get(ctx, admin, asg.ID)
	if a.State != panel.StateAccepted || !a.Due.Equal(start.Add(panel.ReviewWindow)) {
		t.Errorf("accepted assignment = %+v", a)
	}
	if rec, _ := f.es.Record(ctx, "a1"); rec.Accepted != 1 {
		t.Errorf("accepted counted %d times", rec.Accepted)
	}
}

func TestAcceptAfterDueIsRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.expert(t, "a1", "academician", []string{ic}, nil)
	app := f.application(t, ic, nil)
	if _, err := f.ps.Run(ctx, province); err != nil {
		t.Fatal(err)
	}
	asg := assignmentOf(t, f, app.ID, "a1")
	f.advance(panel.ResponseWindow + time.Second)
	if _, err := f.ps.Accept(ctx, expertUser("a1"), asg.ID); !kedaitong.Is(err, kedaitong.EConflict) {
		t.Errorf("late accept: %v, want conflict", err)
	}
}

func TestListScope(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.expert(t, "a1", "academician", []string{ic}, capacity(1))
	f.expert(t, "a2", "academician", []string{ic}, capacity(1))
	app1 := f.application(t, ic, nil)
	app2 := f.application(t, ic, nil)
	if _, err := f.ps.Run(ctx, province); err != nil {
		t.Fatal(err)
	}
	mine, _, err := f.ps.List(ctx, expertUser("a1"), panel.Filter{})
	if err != nil || len(mine) != 1 || mine[0].ExpertID != "a1" {
		t.Errorf("a1 sees %+v, %v", mine, err)
	}
	// A filter narrows, never widens.
	other := app1.ID
	if mine[0].ApplicationID == app1.ID {
		other = app2.ID
	}
	if as, _, _ := f.ps.List(ctx, expertUser("a1"), panel.Filter{Application: other}); len(as) != 0 {
		t.Errorf("a1 sees another expert's assignment: %+v", as)
	}
	if as, _, _ := f.ps.List(ctx, ganzhou, panel.Filter{}); len(as) != 2 {
		t.Errorf("Ganzhou official sees %d, want 2", len(as))
	}
	if as, _, _ := f.ps.List(ctx, nanchang, panel.Filter{}); len(as) != 0 {
		t.Errorf("Nanchang official sees %d, want 0", len(as))
	}
	if as, _, _ := f.ps.List(ctx, nanchang, panel.Filter{Application: app1.ID}); len(as) != 0 {
		t.Errorf("Nanchang official sees Ganzhou's by application: %d", len(as))
	}
	if as, _, _ := f.ps.List(ctx, admin, panel.Filter{Application: app1.ID, State: panel.StateInvited}); len(as) != 1 {
		t.Errorf("admin by application and state: %d", len(as))
	}
	if _, _, err := f.ps.List(ctx, admin, panel.Filter{State: "bogus"}); !kedaitong.Is(err, kedaitong.EInvalid) {
		t.Errorf("bad state: %v", err)
	}
	if _, _, err := f.ps.List(ctx, gzbank, panel.Filter{}); !kedaitong.Is(err, kedaitong.EForbidden) {
		t.Errorf("bank: %v, want forbidden", err)
	}
	if _, err := f.ps.Run(ctx, gzbank); !kedaitong.Is(err, kedaitong.EForbidden) {
		t.Errorf("bank runs: %v, want forbidden", err)
	}
	// Paging.
	p1, next, err := f.ps.List(ctx, admin, panel.Filter{Limit: 1})
	if err != nil || len(p1) != 1 || next == "" {
		t.Fatalf("page 1 = %d, %q, %v", len(p1), next, err)
	}
	p2, next2, err := f.ps.List(ctx, admin, panel.Filter{Limit: 1, Cursor: next})
	if err != nil || len(p2) != 1 || next2 != "" || p2[0].ID == p1[0].ID {
		t.Errorf("page 2 = %+v, %q, %v", p2, next2, err)
	}
}

func TestWithdrawnApplicationClosesItsPanel(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.expert(t, "a1", "academician", []string{ic}, nil)
	app := f.application(t, ic, nil)
	if _, err := f.ps.Run(ctx, province); err != nil {
		t.Fatal(err)
	}
	if _, err := f.rs.Withdraw(ctx, gzbank, app.ID, "其他融资"); err != nil {
		t.Fatal(err)
	}
	f.expert(t, "i1", "industry", []string{ic}, nil)
	r, err := f.ps.Run(ctx, province)
	if err != nil || r.SeatsFilled != 0 || r.Applications != 0 {
		t.Errorf("run after withdrawal = %+v, %v", r, err)
	}
	// The invitation already sent is released, so the expert's capacity is free again.
	as, _, err := f.ps.List(ctx, admin, panel.Filter{Application: app.ID, Limit: 50})
	if err != nil || len(as) == 0 {
		t.Fatalf("assignments of the withdrawn application: %v %v", as, err)
	}
	for _, a := range as {
		if a.State != panel.StateExpired || a.Reason != panel.ReleasedReason {
			t.Errorf("assignment %s after withdrawal: %s %q, want expired and released", a.ID, a.State, a.Reason)
		}
	}
}

func TestQueriesIndexed(t *testing.T) {
	f := newFixture(t)
	cur, _ := store.EncodeCursor(int64(1), "asg-1")
	a := panel.AssignmentsDef.Name
	for _, q := range []store.Query{
		{Eq: map[string]any{"expert_id": "e"}, Sort: "created_ms", Desc: true, Limit: 51, After: cur},
		{Eq: map[string]any{"expert_id": "e", "state": "invited"}, Sort: "created_ms", Desc: true, Limit: 51},
		{Eq: map[string]any{"application_id": "x"}, Sort: "created_ms", Desc: true, Limit: 51},
		{Eq: map[string]any{"city": "3607"}, Sort: "created_ms", Desc: true, Limit: 51},
		{Eq: map[string]any{"city": "3607", "state": "invited"}, Sort: "created_ms", Desc: true, Limit: 51},
		{Eq: map[string]any{"region": "360702"}, Sort: "created_ms", Desc: true, Limit: 51},
		{Eq: map[string]any{"region": "360702", "state": "invited"}, Sort: "created_ms", Desc: true, Limit: 51},
		{Eq: map[string]any{"state": "invited"}, Sort: "created_ms", Desc: true, Limit: 51},
		{Sort: "created_ms", Desc: true, Limit: 51},
		{Eq: map[string]any{"state": "accepted"}, Sort: "created_ms", Limit: 1000, After: cur},
		{Eq: map[string]any{"state": "invited"}, Range: &store.Range{Field: "due_ms", Lte: int64(5)}, Sort: "due_ms", Limit: 200},
	} {
		storetest.AssertIndexed(t, f.st, a, q)
	}
	for _, q := range []store.Query{
		{Eq: map[string]any{"needs": true}, Sort: "updated_ms", Limit: 500},
		{Eq: map[string]any{"pending": true}, Sort: "updated_ms", Limit: 200},
	} {
		storetest.AssertIndexed(t, f.st, panel.PanelsDef.Name, q)
	}
}
