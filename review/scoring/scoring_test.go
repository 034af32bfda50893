package scoring_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"encoding/json"

	"kedaitong"
	"kedaitong/experts"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/internal/store/storetest"
	"kedaitong/review"
	"kedaitong/review/panel"
	"kedaitong/review/scoring"
)

var (
	gzbank   = identity.User{ID: "u-off", Username: "officer", Role: identity.RoleBankOfficer, BankID: "ganzhou-bank"}
	province = identity.User{ID: "u-prov", Username: "official", Role: identity.RoleOfficial, Region: "36"}
	admin    = identity.User{ID: "u-admin", Username: "admin", Role: identity.RoleAdmin}
	start    = time.Date(2026, 5, 20, 9, 0, 0, 0, time.UTC)
)

func expertUser(id string) identity.User {
	return identity.User{ID: "u-" + id, Username: id, Role: identity.RoleExpert, ExpertID: id}
}

type fixture struct {
	st  store.Store
	rs  *review.Service
	es  *experts.Service
	ps  *panel.Service
	sc  *scoring.Service
	off atomic.Int64
	n   int
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{st: storetest.New(t)}
	var err error
	if f.rs, err = review.Open(ctx, f.st, nil); err != nil {
		t.Fatal(err)
	}
	if f.es, err = experts.Open(ctx, f.st, nil); err != nil {
		t.Fatal(err)
	}
	if f.ps, err = panel.Open(ctx, f.st, f.rs, f.es, nil, panel.Options{}); err != nil {
		t.Fatal(err)
	}
	if f.sc, err = scoring.Open(ctx, f.st, f.rs, f.ps, f.es, nil, scoring.Options{}); err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return start.Add(time.Duration(f.off.Load())) }
	f.rs.SetClock(clock)
	f.es.SetClock(clock)
	f.ps.SetClock(clock)
	f.sc.SetClock(clock)
	return f
}

func (f *fixture) advance(d time.Duration) { f.off.Add(int64(d)) }

func (f *fixture) expert(t testing.TB, id, tier string, capacity int) {
	t.Helper()
	in := experts.Input{ID: id, Name: "专家" + id, Tier: tier, Fields: []string{"semiconductors.ic-design"}, Capacity: &capacity}
	if _, err := f.es.Create(context.Background(), admin, in); err != nil {
		t.Fatalf("expert %s: %v", id, err)
	}
}

func (f *fixture) application(t testing.TB) string {
	t.Helper()
	f.n++
	in := review.Input{
		Enterprise: review.Enterprise{Name: fmt.Sprintf("赣州测试%d科技有限公司", f.n), CreditCode: review.DemoCreditCode("360702", f.n), Region: "360702",
			Founded: "2021-03-15", Route: "semiconductors.ic-design", Staff: 60, RDStaff: 25,
			Revenue: []int64{12000000, 9000000}, NetProfit: []int64{-3000000, -4500000}, RDSpend: 6000000,
			InventionPatents: 5, PendingPatents: 3, Maturity: "pilot"},
		Loan:    review.Loan{Amount: 3000000, TermMonths: 24, Purpose: "流片与量产验证"},
		Summary: "28nm 低功耗电源管理芯片设计。",
	}
	ctx := context.Background()
	v, err := f.rs.Create(ctx, gzbank, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err = f.rs.Submit(ctx, gzbank, v.ID); err != nil {
		t.Fatal(err)
	}
	return v.ID
}

// seats runs the assignment and accepts every invitation; it returns the
// accepted assignments of the application.
func (f *fixture) seats(t testing.TB, appID string) []panel.Assignment {
	t.Helper()
	ctx := context.Background()
	if _, err := f.ps.Run(ctx, province); err != nil {
		t.Fatal(err)
	}
	_, as, err := f.ps.Seats(ctx, appID)
	if err != nil {
		t.Fatal(err)
	}
	var out []panel.Assignment
	for _, a := range as {
		a, err := f.ps.Accept(ctx, expertUser(a.ExpertID), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

func input(v int, rec string) scoring.Input {
	n := json.Number(fmt.Sprint(v))
	return scoring.Input{Criteria: map[string]json.Number{"originality": n, "barriers": n, "industrialisation": n, "team": n, "maturity": n, "rd_ip": n, "market": n},
		Recommendation: rec, Confidence: "2", Comment: "可行", RiskPoints: []string{"良率"}, MaturityStage: "pilot"}
}

func (f *fixture) score(t testing.TB, a panel.Assignment, v int) scoring.Submission {
	t.Helper()
	ctx := context.Background()
	u := expertUser(a.ExpertID)
	if _, err := f.sc.Save(ctx, u, a.ID, input(v, "support")); err != nil {
		t.Fatal(err)
	}
	s, err := f.sc.Submit(ctx, u, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *fixture) panelOf4(t testing.TB, capacity int) {
	f.expert(t, "a1", "academician", capacity)
	f.expert(t, "i1", "industry", capacity)
	f.expert(t, "i2", "industry", capacity)
	f.expert(t, "f1", "finance", capacity)
}

func TestQuorumAtDeadlineReleasesLateSeats(t *testing.T) {
	f := newFixture(t)
	f.panelOf4(t, 3)
	app := f.application(t)
	as := f.seats(t, app)
	if len(as) != 4 {
		t.Fatalf("seats = %d", len(as))
	}
	ctx := context.Background()
	for _, a := range as[:3] {
		f.score(t, a, 6)
		if ok, err := f.sc.TryClose(ctx, app); err != nil || ok {
			t.Fatalf("closed before every seat submitted and before the deadline: %v %v", ok, err)
		}
	}
	if n, err := f.sc.CloseDue(ctx); err != nil || n != 0 {
		t.Fatalf("before the deadline: %d %v", n, err)
	}
	if _, err := f.sc.Get(ctx, gzbank, app); !kedaitong.Is(err, kedaitong.EConflict) {
		t.Fatalf("report before closing: %v", err)
	}
	f.advance(panel.ReviewWindow + time.Minute)
	if n, err := f.sc.CloseDue(ctx); err != nil || n != 1 {
		t.Fatalf("at the deadline: %d %v", n, err)
	}
	r, err := f.sc.Get(ctx, gzbank, app)
	if err != nil {
		t.Fatal(err)
	}
	if r.Submitted != 3 || r.Released != 1 || r.Overall.Mean != 6 {
		t.Errorf("report: submitted %d released %d mean %v", r.Submitted, r.Released, r.Overall.Mean)
	}
	late, err := f.ps.Load(ctx, as[3].ID)
	if err != nil || late.State != panel.StateExpired || late.Reason != panel.ReleasedReason {
		t.Errorf("late seat = %+v %v", late, err)
	}
	if _, err := f.sc.Submit(ctx, expertUser(as[3].ExpertID), as[3].ID); !kedaitong.Is(err, kedaitong.EConflict) {
		t.Errorf("submit of a released seat: %v", err)
	}
	a, _ := f.rs.Load(ctx, app)
	if a.State != review.StateClosed || a.ReportRef == "" {
		t.Errorf("application = %s %q", a.State, a.ReportRef)
	}
}

func TestQuorumNotReachedKeepsWaiting(t *testing.T) {
	f := newFixture(t)
	f.panelOf4(t, 3)
	app := f.application(t)
	as := f.seats(t, app)
	for _, a := range as[:2] {
		f.score(t, a, 6)
	}
	f.advance(panel.ReviewWindow + time.Minute)
	if n, err := f.sc.CloseDue(context.Background()); err != nil || n != 0 {
		t.Fatalf("2 of 4 at the deadline closed: %d %v", n, err)
	}
}

// A lenient expert (always 2 points above the others) is calibrated once
// it has enough history: on a panel with experts new to the platform, the
// calibrated score removes its offset. (Within a panel that always sits
// together leniency cannot be told from quality: offsets are centred.)
func TestCalibrationRemovesLeniency(t *testing.T) {
	f := newFixture(t)
	f.panelOf4(t, 20)
	ctx := context.Background()
	for k := range 6 {
		app := f.application(t)
		base := 3 + k%4
		for _, a := range f.seats(t, app) {
			v := base
			if a.ExpertID == "i1" {
				v = base + 2
			}
			f.score(t, a, v)
		}
		r, err := f.sc.Get(ctx, gzbank, app)
		if err != nil {
			t.Fatalf("panel %d: %v", k, err)
		}
		if r.Overall.Calibrated != r.Overall.Mean {
			t.Errorf("panel %d calibrated %v without history (mean %v)", k, r.Overall.Calibrated, r.Overall.Mean)
		}
	}
	// The lenient expert now sits with three newcomers.
	suspended := experts.StatusSuspended
	for _, id := range []string{"a1", "i2", "f1"} {
		if _, err := f.es.Update(ctx, admin, id, experts.Patch{Status: &suspended}); err != nil {
			t.Fatal(err)
		}
	}
	f.expert(t, "a9", "academician", 3)
	f.expert(t, "i9", "industry", 3)
	f.expert(t, "f9", "finance", 3)
	app := f.application(t)
	for _, a := range f.seats(t, app) {
		v := 5
		if a.ExpertID == "i1" {
			v = 7
		}
		f.score(t, a, v)
	}
	r, err := f.sc.Get(ctx, gzbank, app)
	if err != nil {
		t.Fatal(err)
	}
	raw, cal := r.Overall.Mean, r.Overall.Calibrated
	if raw != 5.5 || cal > 5.25 || cal < 4.9 {
		t.Errorf("calibrated %v, raw %v: want the lenient expert's offset (about 1.5/4) removed", cal, raw)
	}
	calibrated := 0
	for _, p := range r.Panel {
		if p.Calibrated {
			calibrated++
		}
	}
	if calibrated != 1 {
		t.Errorf("%d seats calibrated, want the one with history", calibrated)
	}
	if r.Overall.Percentile == nil || *r.Overall.Percentile <= 0 {
		t.Errorf("percentile = %v", r.Overall.Percentile)
	}
}

func TestAggregation(t *testing.T) {
	f := newFixture(t)
	f.panelOf4(t, 3)
	app := f.application(t)
	as := f.seats(t, app)
	ctx := context.Background()
	vals := []int{2, 5, 6, 9}
	recs := []string{"do_not_support", "support_with_conditions", "support", "support"}
	mat := []string{"lab", "pilot", "pilot", "industrial"}
	for i, a := range as {
		in := input(vals[i], recs[i])
		in.MaturityStage = mat[i]
		if _, err := f.sc.Save(ctx, expertUser(a.ExpertID), a.ID, in); err != nil {
			t.Fatal(err)
		}
		if _, err := f.sc.Submit(ctx, expertUser(a.ExpertID), a.ID); err != nil {
			t.Fatal(err)
		}
	}
	r, err := f.sc.Get(ctx, province, app)
	if err != nil {
		t.Fatal(err)
	}
	if r.Overall.Mean != 5.5 || r.Overall.Median != 5.5 || r.Overall.Spread != 7 {
		t.Errorf("overall = %+v", r.Overall)
	}
	if !r.Disagreement || !slices.Contains(r.DisagreementWhy, "spread") || !slices.Contains(r.DisagreementWhy, "recommendations") {
		t.Errorf("disagreement = %v %v", r.Disagreement, r.DisagreementWhy)
	}
	if r.MaturityStage != "pilot" || r.Recommendations["support"] != 2 || r.Recommendations["do_not_support"] != 1 {
		t.Errorf("maturity %s, recommendations %v", r.MaturityStage, r.Recommendations)
	}
	if len(r.Indicators) == 0 || len(r.RiskPoints) != 1 {
		t.Errorf("indicators %v, risk points %v", r.Indicators, r.RiskPoints)
	}
	for _, c := range r.Comments {
		if c.Attribution.EN == "" || c.Attribution.ZH == "" {
			t.Errorf("comment without attribution: %+v", c)
		}
	}
	var tiers []string
	for _, p := range r.Panel {
		tiers = append(tiers, p.Tier)
	}
	sort.Strings(tiers)
	if !slices.Equal(tiers, []string{"academician", "finance", "industry", "industry"}) {
		t.Errorf("panel tiers = %v", tiers)
	}
}

func TestQueriesAreIndexed(t *testing.T) {
	f := newFixture(t)
	for _, q := range []struct {
		def store.CollectionDef
		q   store.Query
	}{
		{scoring.HistoryDef, store.Query{Eq: map[string]any{"expert_id": "x"}, Sort: "closed_ms", Desc: true, Limit: 100}},
		{scoring.ReportsDef, store.Query{Sort: "closed_ms", Desc: true, Limit: 10}},
		{scoring.ReportsDef, store.Query{Eq: map[string]any{"bank_id": "b"}, Sort: "closed_ms", Desc: true, Limit: 10}},
		{scoring.ReportsDef, store.Query{Eq: map[string]any{"city": "3607"}, Sort: "closed_ms", Desc: true, Limit: 10}},
		{scoring.ReportsDef, store.Query{Eq: map[string]any{"region": "360702"}, Sort: "closed_ms", Desc: true, Limit: 10}},
		{scoring.GuidelineHeadsDef, store.Query{Sort: "key", Limit: 500}},
		{scoring.RevisionsDef, store.Query{Eq: map[string]any{"assignment_id": "asg-x"}, Sort: "revision", Limit: 500}},
		{scoring.ScoresDef, store.Query{Eq: map[string]any{"state": "submitted"}, Range: &store.Range{Field: "updated_ms", Gte: int64(1)}, Sort: "updated_ms", Desc: true, Limit: scoring.SweepLimit}},
		{panel.AssignmentsDef, store.Query{Eq: map[string]any{"state": "accepted"}, Range: &store.Range{Field: "due_ms", Lte: int64(1)}, Sort: "due_ms", Limit: 500}},
	} {
		if _, err := f.st.Collection(context.Background(), q.def); err != nil {
			t.Fatal(err)
		}
		storetest.AssertIndexed(t, f.st, q.def.Name, q.q)
	}
}

// BenchmarkSubmit64 measures score submission (the submit of a saved
// draft; closing the panel is the closer's work, after the answer) by 64
// experts at once on 16 applications, on the embedded store; it reports
// the p99 and p50.
func BenchmarkSubmit64(b *testing.B) {
	var lat []time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		f := newFixture(b)
		for k := range 16 {
			f.expert(b, fmt.Sprintf("a%02d", k), "academician", 1)
			f.expert(b, fmt.Sprintf("i%02d", k), "industry", 1)
			f.expert(b, fmt.Sprintf("j%02d", k), "industry", 1)
			f.expert(b, fmt.Sprintf("f%02d", k), "finance", 1)
		}
		var apps []string
		for range 16 {
			apps = append(apps, f.application(b))
		}
		var all []panel.Assignment
		for _, app := range apps {
			all = append(all, f.seats(b, app)...)
		}
		if len(all) != 64 {
			b.Fatalf("seats = %d", len(all))
		}
		ctx := context.Background()
		for _, a := range all {
			if _, err := f.sc.Save(ctx, expertUser(a.ExpertID), a.ID, input(6, "support")); err != nil {
				b.Fatal(err)
			}
		}
		var mu sync.Mutex
		var wg sync.WaitGroup
		b.StartTimer()
		for _, a := range all {
			wg.Add(1)
			go func() {
				defer wg.Done()
				t0 := time.Now()
				_, err := f.sc.Submit(ctx, expertUser(a.ExpertID), a.ID)
				d := time.Since(t0)
				if err != nil {
					b.Error(err)
				}
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}()
		}
		wg.Wait()
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
}

// BenchmarkCloseAndReport measures closing a panel at its deadline with a
// quorum (3 of 4) and building its report (calibration over the experts'
// histories, percentile, release of the late seat, the application's close).
func BenchmarkCloseAndReport(b *testing.B) {
	f := newFixture(b)
	f.panelOf4(b, 50)
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		app := f.application(b)
		as := f.seats(b, app)
		for _, a := range as[:3] {
			f.score(b, a, 5+i%3)
		}
		f.advance(panel.ReviewWindow + time.Minute)
		b.StartTimer()
		ok, err := f.sc.TryClose(ctx, app)
		if err != nil || !ok {
			b.Fatalf("close: %v %v", ok, err)
		}
	}
}

// drain returns the applications signalled to the closer so far.
func (f *fixture) drain() []string {
	var out []string
	for {
		select {
		case id := <-f.sc.Closing():
			out = append(out, id)
		default:
			return out
		}
	}
}

// The last submission does not close the panel itself: it signals the
// closer, whose TryClose closes it; a second TryClose does nothing.
func TestSubmitSignalsTheCloser(t *testing.T) {
	f := newFixture(t)
	f.panelOf4(t, 3)
	app := f.application(t)
	as := f.seats(t, app)
	ctx := context.Background()
	for _, a := range as {
		f.score(t, a, 6)
	}
	if got := f.drain(); len(got) != 4 || got[3] != app {
		t.Fatalf("signals = %v, want 4 for %s", got, app)
	}
	if a, _ := f.rs.Load(ctx, app); a.State != review.StateInReview {
		t.Fatalf("the submit closed the application itself: %s", a.State)
	}
	if ok, err := f.sc.TryClose(ctx, app); err != nil || !ok {
		t.Fatalf("closer: %v %v", ok, err)
	}
	if ok, err := f.sc.TryClose(ctx, app); err != nil || ok {
		t.Fatalf("second close: %v %v", ok, err)
	}
	if a, _ := f.rs.Load(ctx, app); a.State != review.StateClosed {
		t.Errorf("application = %s after closing", a.State)
	}
}

// Closers racing (several servers, the signal and the sweep) issue one
// report.
func TestTryCloseRacing(t *testing.T) {
	f := newFixture(t)
	f.panelOf4(t, 3)
	app := f.application(t)
	for _, a := range f.seats(t, app) {
		f.score(t, a, 6)
	}
	var wins atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := f.sc.TryClose(context.Background(), app)
			if err != nil {
				t.Error(err)
			}
			if ok {
				wins.Add(1)
			}
		}()
	}
	wg.Wait()
	if wins.Load() != 1 {
		t.Errorf("%d closers won, want 1", wins.Load())
	}
	r, err := f.sc.Get(context.Background(), gzbank, app)
	if err != nil || r.Revision != 1 || r.Submitted != 4 {
		t.Errorf("report revision %d submitted %d: %v", r.Revision, r.Submitted, err)
	}
}

// A signal lost (a crash, a full buffer) is caught by the sweep over
// recent submissions; the bank reading the report closes it too.
func TestLostSignalIsSwept(t *testing.T) {
	f := newFixture(t)
	f.panelOf4(t, 6)
	ctx := context.Background()
	app1, app2 := f.application(t), f.application(t)
	for _, app := range []string{app1, app2} {
		for _, a := range f.seats(t, app) {
			f.score(t, a, 6)
		}
	}
	f.drain() // lost
	if n, err := f.sc.CloseSubmitted(ctx, start.Add(-time.Hour)); err != nil || n != 2 {
		t.Fatalf("sweep closed %d: %v", n, err)
	}
	if n, err := f.sc.CloseSubmitted(ctx, start.Add(-time.Hour)); err != nil || n != 0 {
		t.Fatalf("second sweep closed %d: %v", n, err)
	}
	app3 := f.application(t)
	for _, a := range f.seats(t, app3) {
		f.score(t, a, 7)
	}
	f.drain()
	r, err := f.sc.Get(ctx, gzbank, app3)
	if err != nil || r.Overall.Mean != 7 {
		t.Fatalf("report read before the closer ran: %+v %v", r.Overall, err)
	}
}
