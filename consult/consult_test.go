package consult_test

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kedaitong"
	"kedaitong/consult"
	"kedaitong/experts"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/internal/store/storetest"
	"kedaitong/notify"
	"kedaitong/review"
)

// monday10 is a Monday, 10:00 in China Standard Time.
var monday10 = time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)

type fixture struct {
	st    store.Store
	svc   *consult.Service
	ex    *experts.Service
	apps  *review.Service
	notes *notify.Service
	ids   *identity.Service
	clock *atomic.Int64 // offset from monday10 in seconds
	users map[string]identity.User
}

func (f *fixture) now() time.Time { return monday10.Add(time.Duration(f.clock.Load()) * time.Second) }

func (f *fixture) advance(d time.Duration) { f.clock.Add(int64(d / time.Second)) }

var admin = identity.User{ID: "admin", Username: "admin", Role: identity.RoleAdmin}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st := storetest.New(t)
	f := &fixture{st: st, clock: &atomic.Int64{}, users: map[string]identity.User{}}
	var err error
	if f.ids, err = identity.Open(ctx, st, nil); err != nil {
		t.Fatal(err)
	}
	if f.ex, err = experts.Open(ctx, st, nil); err != nil {
		t.Fatal(err)
	}
	if f.apps, err = review.Open(ctx, st, nil); err != nil {
		t.Fatal(err)
	}
	if f.notes, err = notify.Open(ctx, st); err != nil {
		t.Fatal(err)
	}
	if f.svc, err = consult.Open(ctx, st, f.ex, f.apps, f.notes, nil); err != nil {
		t.Fatal(err)
	}
	f.ex.SetClock(f.now)
	f.apps.SetClock(f.now)
	f.notes.SetClock(f.now)
	f.svc.SetClock(f.now)
	for _, n := range []identity.NewUser{
		{Username: "officer", Role: identity.RoleBankOfficer, BankID: "ganzhou-bank"},
		{Username: "officer2", Role: identity.RoleBankOfficer, BankID: "nanchang-bank"},
		{Username: "province", Role: identity.RoleOfficial, Region: "36"},
		{Username: "ganzhou", Role: identity.RoleOfficial, Region: "3607"},
		{Username: "nanchang", Role: identity.RoleOfficial, Region: "3601"},
	} {
		n.Password = "Test-password 2026"
		u, err := f.ids.CreateUser(ctx, nil, n)
		if err != nil {
			t.Fatal(err)
		}
		f.users[n.Username] = u
	}
	return f
}

// addExpert creates a profile and an expert account for it.
func (f *fixture) addExpert(t *testing.T, id, tier string, fields []string, orgs []experts.Org, capacity int, mod func(*experts.Input)) identity.User {
	t.Helper()
	ctx := context.Background()
	in := experts.Input{ID: id, Name: "专家" + id, Tier: tier, Fields: fields, Organisations: orgs, Region: "3601", Capacity: &capacity, Status: experts.StatusActive}
	if mod != nil {
		mod(&in)
	}
	if _, err := f.ex.Create(ctx, admin, in); err != nil {
		t.Fatalf("expert %s: %v", id, err)
	}
	u, err := f.ids.CreateUser(ctx, nil, identity.NewUser{Username: "u-" + id, Role: identity.RoleExpert, ExpertID: id, Password: "Test-password 2026"})
	if err != nil {
		t.Fatal(err)
	}
	f.users[id] = u
	return u
}

func icApp() review.Input {
	return review.Input{
		Enterprise: review.Enterprise{Name: "赣州芯研微电子有限公司", CreditCode: review.DemoCreditCode("360702", 1), Region: "360702",
			Founded: "2021-03-15", Route: "semiconductors.ic-design", Staff: 60, RDStaff: 25,
			Revenue: []int64{12000000, 9000000}, NetProfit: []int64{-3000000, -4500000}, RDSpend: 6000000,
			InventionPatents: 5, PendingPatents: 3, Maturity: "pilot"},
		Loan:    review.Loan{Amount: 3000000, TermMonths: 24, Purpose: "流片与量产验证"},
		Summary: "28nm 低功耗电源管理芯片设计，两次流片，样片通过验证。",
	}
}

func code(t *testing.T, err error) string {
	t.Helper()
	return kedaitong.ErrorCode(err)
}

func TestAddWorkingTime(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	at := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, cst) } // March 2026: the 2nd is a Monday
	for _, tc := range []struct {
		name string
		from time.Time
		d    time.Duration
		want time.Time
	}{
		{"within the week", at(2, 10), 72 * time.Hour, at(5, 10)},
		{"Friday over the weekend", at(6, 17), 24 * time.Hour, at(9, 17)},
		{"Saturday starts Monday", at(7, 12), 24 * time.Hour, at(10, 0)},
		{"quarter of a normal deadline", at(6, 20), 18 * time.Hour, at(9, 14)},
		{"zero", at(4, 9), 0, at(4, 9)},
	} {
		if got := consult.AddWorkingTime(tc.from, tc.d); !got.Equal(tc.want) {
			t.Errorf("%s: AddWorkingTime(%v, %v) = %v, want %v", tc.name, tc.from, tc.d, got.In(cst), tc.want)
		}
	}
}

func TestBankOrgIDs(t *testing.T) {
	got := consult.BankOrgIDs("ganzhou-bank")
	for _, want := range []string{"org:ganzhou-bank", experts.OrgID("赣州银行股份有限公司", "")} {
		if !slices.Contains(got, want) {
			t.Errorf("BankOrgIDs(ganzhou-bank) = %v, want it to hold %s", got, want)
		}
	}
	if got := consult.BankOrgIDs(""); got != nil {
		t.Errorf("BankOrgIDs(\"\") = %v, want nil", got)
	}
}

// TestRouting: exact route first, then neighbouring routes; never a
// conflicted (bank by name, enterprise by credit code), unavailable,
// suspended or fully loaded expert; at most three.
func TestRouting(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	today := f.now().Format(experts.DateLayout)
	const route = "semiconductors.ic-design"
	f.addExpert(t, "e-bank", experts.TierIndustry, []string{route}, []experts.Org{{Name: "赣州银行"}}, 3, nil)
	f.addExpert(t, "e-ent", experts.TierIndustry, []string{route}, []experts.Org{{Name: "赣州芯研微电子有限公司", CreditCode: review.DemoCreditCode("360702", 1)}}, 3, nil)
	f.addExpert(t, "e-away", experts.TierIndustry, []string{route}, nil, 3, func(in *experts.Input) {
		in.Unavailable = []experts.Period{{From: today, To: today, Reason: "出差"}}
	})
	f.addExpert(t, "e-susp", experts.TierIndustry, []string{route}, nil, 3, func(in *experts.Input) { in.Status = experts.StatusSuspended })
	f.addExpert(t, "e-full", experts.TierIndustry, []string{route}, nil, 0, nil)
	f.addExpert(t, "e-exact", experts.TierIndustry, []string{route}, nil, 3, nil)
	f.addExpert(t, "e-fin", experts.TierFinance, []string{route}, nil, 3, nil)
	f.addExpert(t, "e-nb1", experts.TierIndustry, []string{"semiconductors.wafer-manufacturing"}, nil, 3, nil)
	f.addExpert(t, "e-nb2", experts.TierAcademician, []string{"semiconductors.packaging-testing"}, nil, 3, nil)
	f.addExpert(t, "e-other", experts.TierIndustry, []string{"lithium-battery.solid-state"}, nil, 3, nil)

	app, err := f.apps.Create(ctx, f.users["officer"], icApp())
	if err != nil {
		t.Fatal(err)
	}
	v, err := f.svc.Ask(ctx, f.users["officer"], consult.Input{Route: route, Question: "流片两次仍未量产常见吗？", ApplicationID: app.ID})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := f.svc.Get(ctx, admin, v.ID)
	if want := []string{"e-exact", "e-fin", "e-nb1"}; !slices.Equal(got.Offered, want) {
		t.Errorf("offered %v, want %v", got.Offered, want)
	}
	if v.Offered != nil || v.ExpertID != "" {
		t.Errorf("the bank sees the candidates: %+v", v)
	}
	if v.Region != "360702" || v.Enterprise == "" || v.State != consult.StateOpen {
		t.Errorf("tied consultation: region %q enterprise %q state %q", v.Region, v.Enterprise, v.State)
	}
	wantDue := consult.AddWorkingTime(f.now(), 72*time.Hour)
	if !v.Due.Equal(wantDue) {
		t.Errorf("due %v, want %v", v.Due, wantDue)
	}
	// The routed experts were notified; the conflicted one was not.
	for id, want := range map[string]int64{"e-exact": 1, "e-nb1": 1, "e-bank": 0, "e-ent": 0} {
		if n, _ := f.notes.Unread(ctx, f.users[id].ID); n != want {
			t.Errorf("%s has %d unread, want %d", id, n, want)
		}
	}
	// An expert not offered it does not see it.
	if _, err := f.svc.Get(ctx, f.users["e-bank"], v.ID); code(t, err) != kedaitong.ENotFound {
		t.Errorf("conflicted expert reads it: %v", err)
	}
	if _, err := f.svc.Get(ctx, f.users["e-exact"], v.ID); err != nil {
		t.Errorf("offered expert cannot read it: %v", err)
	}
}

func TestAskBadInput(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	other, err := f.apps.Create(ctx, f.users["officer2"], icApp())
	if err != nil {
		t.Fatal(err)
	}
	long := make([]rune, consult.MaxQuestion+1)
	for i := range long {
		long[i] = '问'
	}
	for _, tc := range []struct {
		name string
		in   consult.Input
		want string
	}{
		{"unknown route", consult.Input{Route: "semiconductors.nope", Question: "q"}, kedaitong.EInvalid},
		{"industry not route", consult.Input{Route: "semiconductors", Question: "q"}, kedaitong.EInvalid},
		{"empty question", consult.Input{Route: "semiconductors.ic-design", Question: "  \n "}, kedaitong.EInvalid},
		{"long question", consult.Input{Route: "semiconductors.ic-design", Question: string(long)}, kedaitong.EInvalid},
		{"bad urgency", consult.Input{Route: "semiconductors.ic-design", Question: "q", Urgency: "asap"}, kedaitong.EInvalid},
		{"bad credit code", consult.Input{Route: "semiconductors.ic-design", Question: "q", CreditCode: "91360702MA0000000X"}, kedaitong.EInvalid},
		{"another bank's application", consult.Input{Route: "semiconductors.ic-design", Question: "q", ApplicationID: other.ID}, kedaitong.ENotFound},
		{"no such application", consult.Input{Route: "semiconductors.ic-design", Question: "q", ApplicationID: "app-0000000000000000"}, kedaitong.ENotFound},
	} {
		if _, err := f.svc.Ask(ctx, f.users["officer"], tc.in); code(t, err) != tc.want {
			t.Errorf("%s: err %v, want %s", tc.name, err, tc.want)
		}
	}
	if _, err := f.svc.Ask(ctx, f.users["province"], consult.Input{Route: "semiconductors.ic-design", Question: "q"}); code(t, err) != kedaitong.EForbidden {
		t.Errorf("an official asks: %v", err)
	}
	vs, _, err := f.svc.List(ctx, admin, consult.Filter{})
	if err != nil || len(vs) != 0 {
		t.Errorf("bad input stored something: %d, %v", len(vs), err)
	}
}

// TestRacingAccepts: of concurrent accepts exactly one wins.
func TestRacingAccepts(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const route = "lithium-battery.solid-state"
	var us []identity.User
	for _, id := range []string{"e1", "e2", "e3"} {
		us = append(us, f.addExpert(t, id, experts.TierIndustry, []string{route}, nil, 3, nil))
	}
	v, err := f.svc.Ask(ctx, f.users["officer"], consult.Input{Route: route, Question: "固态电池量产成熟度？", Urgency: "urgent"})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(us))
	for i, u := range us {
		wg.Add(1)
		go func() { defer wg.Done(); _, errs[i] = f.svc.Accept(ctx, u, v.ID) }()
	}
	wg.Wait()
	wins, conflicts := 0, 0
	for _, err := range errs {
		switch code(t, err) {
		case "":
			wins++
		case kedaitong.EConflict:
			conflicts++
		default:
			t.Errorf("accept: %v", err)
		}
	}
	if wins != 1 || conflicts != 2 {
		t.Fatalf("%d wins and %d conflicts, want 1 and 2", wins, conflicts)
	}
	got, _ := f.svc.Get(ctx, admin, v.ID)
	if got.State != consult.StateAccepted || got.ExpertID == "" || len(got.Offered) != 0 {
		t.Errorf("after the race: %+v", got)
	}
	// The bank sees who answers only as tier and field.
	bv, _ := f.svc.Get(ctx, f.users["officer"], v.ID)
	if bv.Expert == nil || bv.Expert.Label.EN != "industry expert, solid-state batteries" && bv.Expert.Label.EN == "" || bv.ExpertID != "" {
		t.Errorf("bank's view of the expert: %+v, id %q", bv.Expert, bv.ExpertID)
	}
	for _, st := range bv.History {
		if len(st.Experts) > 0 {
			t.Errorf("the bank's history names experts: %+v", st)
		}
	}
	// The losers no longer see it.
	for _, u := range us {
		if u.ExpertID == got.ExpertID {
			continue
		}
		if _, err := f.svc.Get(ctx, u, v.ID); code(t, err) != kedaitong.ENotFound {
			t.Errorf("%s still sees it: %v", u.ExpertID, err)
		}
		if _, err := f.svc.Answer(ctx, u, v.ID, consult.AnswerInput{Text: "x"}); code(t, err) != kedaitong.ENotFound {
			t.Errorf("%s answers someone else's: %v", u.ExpertID, err)
		}
	}
	if n, _ := f.notes.Unread(ctx, f.users["officer"].ID); n != 1 {
		t.Errorf("bank has %d unread after the accept, want 1", n)
	}
}

// TestAnswerFollowUpRate walks the whole flow with its refusals and checks
// the expert's track record.
func TestAnswerFollowUpRate(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const route = "photovoltaics.perovskite"
	if !experts.ValidTier(experts.TierIndustry) {
		t.Fatal("tier")
	}
	ex := f.addExpert(t, "pv1", experts.TierIndustry, []string{route}, nil, 1, nil)
	bank := f.users["officer"]
	v, err := f.svc.Ask(ctx, bank, consult.Input{Route: route, Question: "钙钛矿组件的稳定性到了什么水平？"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Rate(ctx, bank, v.ID, consult.RateInput{Stars: 4}); code(t, err) != kedaitong.EConflict {
		t.Errorf("rating before an answer: %v", err)
	}
	if _, err := f.svc.Answer(ctx, ex, v.ID, consult.AnswerInput{Text: "答复"}); code(t, err) != kedaitong.EConflict {
		t.Errorf("answering before accepting: %v", err)
	}
	if _, err := f.svc.Accept(ctx, ex, v.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Accept(ctx, ex, v.ID); code(t, err) != kedaitong.EConflict {
		t.Errorf("accepting twice: %v", err)
	}
	// At capacity (1): a second consultation is not offered to pv1.
	v2, err := f.svc.Ask(ctx, bank, consult.Input{Route: route, Question: "第二个问题"})
	if err != nil {
		t.Fatal(err)
	}
	if g, _ := f.svc.Get(ctx, admin, v2.ID); len(g.Offered) != 0 || !g.NoExpert {
		t.Errorf("a fully loaded expert was offered more: %+v", g.Offered)
	}
	for _, text := range []string{"", string(make([]rune, consult.MaxAnswer+1))} {
		if _, err := f.svc.Answer(ctx, ex, v.ID, consult.AnswerInput{Text: text}); code(t, err) != kedaitong.EInvalid {
			t.Errorf("answer of %d characters: %v", len(text), err)
		}
	}
	f.advance(time.Hour)
	a, err := f.svc.Answer(ctx, ex, v.ID, consult.AnswerInput{Text: "实验室 T80 寿命已过千小时，户外验证仍不足。"})
	if err != nil {
		t.Fatal(err)
	}
	if a.State != consult.StateAnswered || a.AnsweredOnTime == nil || !*a.AnsweredOnTime {
		t.Errorf("after the answer: state %s on time %v", a.State, a.AnsweredOnTime)
	}
	if _, err := f.svc.AskFollowUp(ctx, f.users["officer2"], v.ID, consult.FollowUpInput{Question: "?"}); code(t, err) != kedaitong.ENotFound {
		t.Errorf("another bank's follow-up: %v", err)
	}
	if _, err := f.svc.AskFollowUp(ctx, bank, v.ID, consult.FollowUpInput{Question: "户外验证需要多久？"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AskFollowUp(ctx, bank, v.ID, consult.FollowUpInput{Question: "再问一次"}); code(t, err) != kedaitong.EConflict {
		t.Errorf("a second follow-up: %v", err)
	}
	if _, err := f.svc.Rate(ctx, bank, v.ID, consult.RateInput{Stars: 4}); code(t, err) != kedaitong.EConflict {
		t.Errorf("rating while the follow-up is pending: %v", err)
	}
	if _, err := f.svc.Answer(ctx, ex, v.ID, consult.AnswerInput{Text: "通常需要一年以上的户外实证。"}); err != nil {
		t.Fatal(err)
	}
	for _, stars := range []int{0, 6} {
		if _, err := f.svc.Rate(ctx, bank, v.ID, consult.RateInput{Stars: stars}); code(t, err) != kedaitong.EInvalid {
			t.Errorf("%d stars: %v", stars, err)
		}
	}
	r, err := f.svc.Rate(ctx, bank, v.ID, consult.RateInput{Stars: 4})
	if err != nil {
		t.Fatal(err)
	}
	if r.State != consult.StateClosed || r.Stars == nil || *r.Stars != 4 {
		t.Errorf("after rating: %s %v", r.State, r.Stars)
	}
	if _, err := f.svc.Rate(ctx, bank, v.ID, consult.RateInput{Stars: 5}); code(t, err) != kedaitong.EConflict {
		t.Errorf("rating twice: %v", err)
	}
	rec, err := f.ex.Record(ctx, "pv1")
	if err != nil {
		t.Fatal(err)
	}
	if rec.ConsultationsAnswered != 1 || rec.Ratings != 1 || rec.MeanRating == nil || *rec.MeanRating != 4 {
		t.Errorf("track record %+v", rec)
	}
	// Notifications: routed, follow-up, rated for the expert; accepted,
	// answered, follow-up answered for the bank.
	en, _, _ := f.notes.List(ctx, ex.ID, notify.Filter{})
	bn, _, _ := f.notes.List(ctx, bank.ID, notify.Filter{})
	kinds := func(ns []notify.Notification) []string {
		var out []string
		for _, n := range ns {
			out = append(out, n.Kind)
		}
		slices.Sort(out)
		return out
	}
	if got, want := kinds(en), []string{"consultation.followup", "consultation.rated", "consultation.routed"}; !slices.Equal(got, want) {
		t.Errorf("expert's notifications %v, want %v", got, want)
	}
	if got, want := kinds(bn), []string{"consultation.accepted", "consultation.answered", "consultation.followup_answered"}; !slices.Equal(got, want) {
		t.Errorf("bank's notifications %v, want %v", got, want)
	}
}

// TestReroute: nobody accepts within a quarter of the deadline → the next
// candidates (never the same expert), flagged, officials of the region told.
func TestReroute(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const route = "semiconductors.ic-design"
	for _, id := range []string{"r1", "r2", "r3", "r4", "r5"} {
		f.addExpert(t, id, experts.TierIndustry, []string{route}, nil, 3, nil)
	}
	app, err := f.apps.Create(ctx, f.users["officer"], icApp())
	if err != nil {
		t.Fatal(err)
	}
	v, err := f.svc.Ask(ctx, f.users["officer"], consult.Input{Route: route, Question: "问题", Urgency: "urgent", ApplicationID: app.ID})
	if err != nil {
		t.Fatal(err)
	}
	first, _ := f.svc.Get(ctx, admin, v.ID)
	// Urgent: one working day; a quarter is six working hours.
	f.advance(5*time.Hour + 59*time.Minute)
	if n, err := f.svc.Reroute(ctx); err != nil || n != 0 {
		t.Fatalf("before a quarter of the deadline: re-routed %d, %v", n, err)
	}
	f.advance(2 * time.Minute)
	if n, err := f.svc.Reroute(ctx); err != nil || n != 1 {
		t.Fatalf("after a quarter of the deadline: re-routed %d, %v", n, err)
	}
	second, _ := f.svc.Get(ctx, admin, v.ID)
	if !second.Rerouted || second.Round != 2 || len(second.Offered) != 2 {
		t.Fatalf("after re-routing: %+v", second)
	}
	for _, x := range second.Offered {
		if slices.Contains(first.Offered, x) {
			t.Errorf("%s offered twice", x)
		}
	}
	// The first candidates can no longer accept; the new ones can.
	if _, err := f.svc.Accept(ctx, f.users[first.Offered[0]], v.ID); code(t, err) != kedaitong.EConflict {
		t.Errorf("a withdrawn candidate accepts: %v", err)
	}
	// Officials covering the enterprise's county were told; Nanchang's not.
	for u, want := range map[string]int64{"province": 1, "ganzhou": 1, "nanchang": 0} {
		if n, _ := f.notes.Unread(ctx, f.users[u].ID); n != want {
			t.Errorf("official %s has %d unread, want %d", u, n, want)
		}
	}
	// Another quarter: nobody new is left, those offered keep it, officials told once.
	f.advance(7 * time.Hour)
	if n, err := f.svc.Reroute(ctx); err != nil || n != 0 {
		t.Fatalf("third round: %d, %v", n, err)
	}
	third, _ := f.svc.Get(ctx, admin, v.ID)
	if !third.NoExpert || !slices.Equal(third.Offered, second.Offered) {
		t.Errorf("with nobody new: %+v", third)
	}
	if _, err := f.svc.Accept(ctx, f.users[second.Offered[0]], v.ID); err != nil {
		t.Errorf("a second-round candidate accepts: %v", err)
	}
	// Visibility: Nanchang's official does not see it, Ganzhou's does.
	if _, err := f.svc.Get(ctx, f.users["nanchang"], v.ID); code(t, err) != kedaitong.ENotFound {
		t.Errorf("Nanchang official reads a Ganzhou consultation: %v", err)
	}
	if vs, _, err := f.svc.List(ctx, f.users["ganzhou"], consult.Filter{}); err != nil || len(vs) != 1 {
		t.Errorf("Ganzhou official's list: %d, %v", len(vs), err)
	}
	if vs, _, err := f.svc.List(ctx, f.users["province"], consult.Filter{Rerouted: true}); err != nil || len(vs) != 1 {
		t.Errorf("province official's re-routed list: %d, %v", len(vs), err)
	}
	if vs, _, err := f.svc.List(ctx, f.users["nanchang"], consult.Filter{}); err != nil || len(vs) != 0 {
		t.Errorf("Nanchang official's list: %d, %v", len(vs), err)
	}
}

func TestListScopesAndFilters(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.addExpert(t, "l1", experts.TierIndustry, []string{"lithium-battery.solid-state"}, nil, 10, nil)
	for i, in := range []struct {
		u       string
		route   string
		urgency string
	}{{"officer", "lithium-battery.solid-state", "urgent"}, {"officer", "lithium-battery.solid-state", "normal"}, {"officer2", "lithium-battery.solid-state", "normal"}, {"officer", "semiconductors.ic-design", "normal"}} {
		f.advance(time.Second)
		if _, err := f.svc.Ask(ctx, f.users[in.u], consult.Input{Route: in.route, Question: "问题", Urgency: in.urgency}); err != nil {
			t.Fatalf("ask %d: %v", i, err)
		}
	}
	count := func(u identity.User, fl consult.Filter) int {
		t.Helper()
		vs, _, err := f.svc.List(ctx, u, fl)
		if err != nil {
			t.Fatal(err)
		}
		return len(vs)
	}
	for _, tc := range []struct {
		name string
		u    identity.User
		f    consult.Filter
		want int
	}{
		{"bank", f.users["officer"], consult.Filter{}, 3},
		{"other bank", f.users["officer2"], consult.Filter{}, 1},
		{"urgent", f.users["officer"], consult.Filter{Urgency: "urgent"}, 1},
		{"industry", f.users["officer"], consult.Filter{Route: "lithium-battery"}, 2},
		{"state", f.users["officer"], consult.Filter{State: "closed"}, 0},
		{"rerouted", f.users["officer"], consult.Filter{Rerouted: true}, 0},
		{"expert", f.users["l1"], consult.Filter{}, 3},
		{"province official: untied ones", f.users["province"], consult.Filter{}, 4},
		{"city official: untied ones are the province's", f.users["ganzhou"], consult.Filter{}, 0},
		{"admin", admin, consult.Filter{}, 4},
	} {
		if got := count(tc.u, tc.f); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
	// Paging: two pages of two for the bank.
	p1, next, err := f.svc.List(ctx, f.users["officer"], consult.Filter{Limit: 2})
	if err != nil || len(p1) != 2 || next == "" {
		t.Fatalf("page 1: %d %q %v", len(p1), next, err)
	}
	p2, next2, err := f.svc.List(ctx, f.users["officer"], consult.Filter{Limit: 2, Cursor: next})
	if err != nil || len(p2) != 1 || next2 != "" || p2[0].ID == p1[1].ID {
		t.Fatalf("page 2: %d %q %v", len(p2), next2, err)
	}
	if _, _, err := f.svc.List(ctx, f.users["officer"], consult.Filter{State: "bogus"}); code(t, err) != kedaitong.EInvalid {
		t.Errorf("bad state filter: %v", err)
	}
	if _, _, err := f.svc.List(ctx, identity.User{Role: identity.RoleAnalyst}, consult.Filter{}); code(t, err) != kedaitong.EForbidden {
		t.Errorf("analyst lists: %v", err)
	}
}

func TestNotifications(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	u := f.users["officer"]
	for i := 0; i < 3; i++ {
		f.advance(time.Second)
		if n, err := f.notes.Send(ctx, notify.Audience{UserIDs: []string{u.ID}, Banks: []string{"ganzhou-bank"}}, notify.Message{Kind: "test", Title: notify.Text{ZH: "标题", EN: "title"}}); err != nil || n != 1 {
			t.Fatalf("send: %d, %v", n, err)
		}
	}
	if n, _ := f.notes.Unread(ctx, u.ID); n != 3 {
		t.Fatalf("unread %d, want 3", n)
	}
	ns, _, err := f.notes.List(ctx, u.ID, notify.Filter{UnreadOnly: true})
	if err != nil || len(ns) != 3 {
		t.Fatalf("unread list: %d, %v", len(ns), err)
	}
	if _, err := f.notes.MarkRead(ctx, f.users["officer2"].ID, ns[0].ID); code(t, err) != kedaitong.ENotFound {
		t.Errorf("marking another's: %v", err)
	}
	for i := 0; i < 2; i++ { // twice: the count drops once
		if _, err := f.notes.MarkRead(ctx, u.ID, ns[0].ID); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := f.notes.Unread(ctx, u.ID); n != 2 {
		t.Errorf("unread %d after one read, want 2", n)
	}
	if n, err := f.notes.MarkAllRead(ctx, u.ID); err != nil || n != 2 {
		t.Errorf("read-all marked %d, %v", n, err)
	}
	if n, _ := f.notes.Unread(ctx, u.ID); n != 0 {
		t.Errorf("unread %d after read-all", n)
	}
	if _, err := f.notes.Send(ctx, notify.Audience{UserIDs: []string{u.ID}}, notify.Message{Kind: "x", Title: notify.Text{EN: "t"}, Link: "https://evil.example/"}); code(t, err) != kedaitong.EInvalid {
		t.Errorf("an off-site link: %v", err)
	}
}

// TestQueriesIndexed checks the plan of every query shape the package issues.
func TestQueriesIndexed(t *testing.T) {
	f := newFixture(t)
	now := int64(1)
	for _, x := range []struct {
		coll string
		q    store.Query
	}{
		{"consultations", store.Query{Sort: "created_ms", Desc: true, Limit: 50}},
		{"consultations", store.Query{Eq: map[string]any{"bank_id": "b"}, Sort: "created_ms", Desc: true, Limit: 50}},
		{"consultations", store.Query{Eq: map[string]any{"city": "3607"}, Sort: "created_ms", Desc: true, Limit: 50}},
		{"consultations", store.Query{Eq: map[string]any{"region": "360702"}, Sort: "created_ms", Desc: true, Limit: 50}},
		{"consultations", store.Query{Eq: map[string]any{"state": consult.StateOpen}, Range: &store.Range{Field: "reroute_ms", Gt: int64(0), Lte: now}, Sort: "reroute_ms", Limit: 100}},
		{"consultation_links", store.Query{Eq: map[string]any{"expert_id": "e"}, Sort: "created_ms", Desc: true, Limit: 70}},
		{"notifications", store.Query{Eq: map[string]any{"user_id": "u"}, Sort: "created_ms", Desc: true, Limit: 50}},
		{"notifications", store.Query{Eq: map[string]any{"user_id": "u", "unread": true}, Sort: "created_ms", Desc: true, Limit: 50}},
		{"users", store.Query{Eq: map[string]any{"expert_id": "e"}, Limit: 500}},
		{"users", store.Query{Eq: map[string]any{"scope": "*"}, Sort: "username_key", Limit: 500}},
	} {
		storetest.AssertIndexed(t, f.st, x.coll, x.q)
	}
}

// TestSeedDemo: the demo consultations exist in several states, some owned
// by exp-0001 (the demo expert user's profile), and seeding twice adds none.
func TestSeedDemo(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.ex.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	if err := f.apps.Seed(ctx, true); err != nil {
		t.Fatal(err)
	}
	gz := identity.User{ID: "u-gz", Username: "gzbank.officer", Role: identity.RoleBankOfficer, BankID: "ganzhou-bank"}
	nc := identity.User{ID: "u-nc", Username: "ncbank.officer", Role: identity.RoleBankOfficer, BankID: "nanchang-bank"}
	n, err := f.svc.SeedDemo(ctx, gz, nc)
	if err != nil || n != 5 {
		t.Fatalf("seeded %d, %v", n, err)
	}
	vs, _, err := f.svc.List(ctx, admin, consult.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]int{}
	for _, v := range vs {
		states[v.State]++
	}
	for _, st := range []string{consult.StateOpen, consult.StateAccepted, consult.StateAnswered, consult.StateClosed} {
		if states[st] == 0 {
			t.Errorf("no demo consultation is %s: %v", st, states)
		}
	}
	mine, _, err := f.svc.List(ctx, identity.User{Role: identity.RoleExpert, ExpertID: "exp-0001"}, consult.Filter{})
	if err != nil || len(mine) < 3 {
		t.Errorf("exp-0001 sees %d demo consultations, %v", len(mine), err)
	}
	if n, err := f.svc.SeedDemo(ctx, gz, nc); err != nil || n != 0 {
		t.Errorf("seeding again: %d, %v", n, err)
	}
}
