// Package dashboard is the officials' dashboard: counters of applications,
// consultations, panel seats, the whitelist, re-reviews, loans and claims per region
// (province, city, county), kept on write, and the model, SVG charts and
// XLSX export built from them.
//
// # Counters on write
//
// Every state change of the platform passes through the audit recorder
// (internal/auditlink); the dashboard observes those events (Observe) and
// turns them into counter increments, so a view reads one counter document
// for the region and one per child region — never the applications.
//
//   - application.* events: the application is read and its facets (state,
//     industry, age group, reviewed, supported, days from submission to
//     report, granted amount) are compared with the facets last counted for
//     it, kept in one snapshot document per application
//     ("dashboard_apps", version-guarded); the difference is added to the
//     counters of the province, the city and the county.
//   - consultation.ask / consultation.answer: asked, answered and answered
//     within the deadline (the consultation's own answered_on_time).
//   - assignment.invite / accept / decline / expire and score.submit: panel
//     seats offered, open, declined, expired, submitted and submitted by the
//     due date.
//   - whitelist.add / whitelist.lift: whitelisted enterprises.
//   - report.issue / report.revise: panels with disagreement, from the
//     report itself with a snapshot of what it was counted for (one per
//     application; a revision that no longer disagrees leaves the count).
//   - rereview.due / rereview.start / rereview.conclude: re-reviews due,
//     running, and exits recommended.
//
// Counter documents live in "dashboard_counters", one per region code, with
// the parent region indexed for drill-down. Days from submission to report
// are a histogram (fields d_0 … d_365, the last "a year or more"), so the
// median is read from at most 366 numbers. Rebuild recomputes everything
// from the stored documents once (a store that had data before the
// dashboard existed); the server runs it at start when no counters exist.
//
// # The fund, months, lists and the cache
//
// Loans and compensation claims of the risk-compensation fund (package
// fund) are counted the same way from loan.* and claim.* events, each with
// its own snapshot: in total, by state, and by month — the month a loan
// started, the Beijing-time month a claim was filed, the Beijing-time
// month an application was submitted — so that the trends (Trends, over a
// Range of months) read the same counter documents. A fund event may be
// recorded while its document is still being written: it is counted again
// shortly after (countSoon).
//
// Every number of a view has a drill-down List that reads the documents
// themselves with the same definitions (the facets), so a number and its
// list can be compared (the web tests do, on the demo data).
//
// Views are served from a cache keyed by (region, range) with their JSON
// and an ETag (Snapshot): every counted change makes the views of the
// regions it touches stale in this process (each region has its own
// generation); CacheTTL bounds staleness for writes of other servers. The
// first reader after a write recomputes, readers meanwhile get the
// previous view within MaxStale (never one from before their own write);
// what readers derive from a view (Snapshot.Memo: a rendered page) is
// rebuilt with it before it is served.
//
// Definitions: "reviewed" applications are closed ones (the panel's report
// is in); "supported" ones are those whose bank recorded a granted loan. A
// start-up is an enterprise under three years old at submission
// (review.AgeStartup). Counts are per application.
package dashboard

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"kedaitong"
	"kedaitong/consult"
	"kedaitong/fund"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/review"
	"kedaitong/review/panel"
	"kedaitong/review/scoring"
	"kedaitong/taxonomy"
)

// Collections of the package.
var (
	CountersDef = store.CollectionDef{Name: "dashboard_counters", Indexes: []store.Index{
		{Fields: []string{"parent", "scope"}},
	}}
	SnapshotsDef = store.CollectionDef{Name: "dashboard_apps"}
	MetaDef      = store.CollectionDef{Name: "dashboard_meta"}
)

// MaxDays is the last bucket of the days histogram: a year or more.
const MaxDays = 365

// Province is the code of the whole province.
const Province = "36"

// Service keeps the counters and builds views.
type Service struct {
	st       store.Store
	counters store.Collection
	snaps    store.Collection
	meta     store.Collection
	apps     *review.Service
	cons     store.Collection
	asg      store.Collection
	loans    store.Collection
	claims   store.Collection
	reports  store.Collection
	tax      *taxonomy.Taxonomy
	log      *slog.Logger
	now      func() time.Time

	gen      atomic.Uint64 // bumped by what may touch any region: every cached view is stale
	seq      atomic.Uint64 // bumped by every counted write (read-your-writes, see MaxStale)
	scopeGen sync.Map      // region → *atomic.Uint64, bumped by every counted write in it or below it
	cache    sync.Map      // cacheKey → *slot
	cached   atomic.Int64
	mu       sync.Mutex       // a slot's refresh in flight, writers
	writers  map[string]wrote // user → their last counted write (see MaxStale)
}

// Open declares the package's collections. apps is required.
func Open(ctx context.Context, st store.Store, apps *review.Service, logger *slog.Logger) (*Service, error) {
	if apps == nil {
		return nil, fmt.Errorf("dashboard: the applications are required")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{st: st, apps: apps, tax: taxonomy.Default(), log: logger, now: func() time.Time { return time.Now().UTC() },
		writers: map[string]wrote{}}
	for _, x := range []struct {
		c   *store.Collection
		def store.CollectionDef
	}{{&s.counters, CountersDef}, {&s.snaps, SnapshotsDef}, {&s.meta, MetaDef}, {&s.cons, consult.ConsultationsDef}, {&s.asg, panel.AssignmentsDef},
		{&s.loans, fund.LoansDef}, {&s.claims, fund.ClaimsDef}, {&s.reports, scoring.ReportsDef}} {
		var err error
		if *x.c, err = st.Collection(ctx, x.def); err != nil {
			return nil, fmt.Errorf("dashboard: %w", err)
		}
	}
	return s, nil
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Scopes returns the regions whose counters an object in region counts
// in: the province, its city and its county (as far as region goes).
func Scopes(region string) []string {
	switch {
	case len(region) >= 6:
		return []string{Province, region[:4], region[:6]}
	case len(region) >= 4:
		return []string{Province, region[:4]}
	case strings.HasPrefix(region, Province):
		return []string{Province}
	}
	return nil
}

func parentOf(scope string) string {
	switch len(scope) {
	case 4:
		return Province
	case 6:
		return scope[:4]
	}
	return "-"
}

// counter document fields are lowercase letters, digits and underscores.
func key(prefix, code string) string {
	return prefix + "_" + strings.NewReplacer("-", "_", ".", "_").Replace(code)
}

// add adds deltas to the counters of every scope of region.
func (s *Service) add(ctx context.Context, region string, d map[string]int64) error {
	for k, v := range d {
		if v == 0 {
			delete(d, k)
		}
	}
	if len(d) == 0 {
		return nil
	}
	scopes := Scopes(region)
	defer s.touched(scopes) // counted (or partly): the regions' views are stale
	for _, sc := range scopes {
		if _, err := s.counters.Incr(ctx, sc, map[string]any{"scope": sc, "parent": parentOf(sc)}, d); err != nil {
			return err
		}
	}
	return nil
}

// Facets are what one application contributes to its regions' counters.
func Facets(a *review.Application) map[string]int64 {
	f := map[string]int64{"apps": 1, key("st", a.State): 1}
	if a.Industry != "" {
		f[key("ind", a.Industry)] = 1
	}
	age := a.Indicators.AgeGroup
	if age == "" {
		age = "unknown"
	}
	f[key("age", age)] = 1
	startup := int64(0)
	if age == review.AgeStartup {
		startup = 1
	}
	if a.State != review.StateDraft && a.State != review.StateWithdrawn || a.SubmittedAt != nil {
		f["submitted"] = 1
		f["submitted_startup"] = startup
		if a.SubmittedAt != nil {
			f["apm_"+monthKey(*a.SubmittedAt)] = 1
		}
	}
	if a.State == review.StateClosed {
		f["rev"], f["rev_startup"] = 1, startup
		if a.SubmittedAt != nil && a.ClosedAt != nil {
			d := int(a.ClosedAt.Sub(*a.SubmittedAt).Hours() / 24)
			d = max(0, min(d, MaxDays))
			f["d_"+strconv.Itoa(d)] = 1
		}
	}
	if a.Decision != nil {
		f["decided"] = 1
		if a.Decision.Granted {
			f["sup"], f["sup_startup"] = 1, startup
			f["granted_amount"] = a.Decision.Amount
		}
	}
	for k, v := range f {
		if v == 0 {
			delete(f, k)
		}
	}
	return f
}

type snapshot struct {
	Region string           `json:"region"`
	Facets map[string]int64 `json:"facets"`
}

// countApplication brings the counters of one application up to date.
func (s *Service) countApplication(ctx context.Context, id string) error {
	return s.countDoc(ctx, id, func(ctx context.Context, id string) (string, map[string]int64, error) {
		a, err := s.apps.Load(ctx, id)
		if err != nil {
			return "", nil, err
		}
		return a.Region, Facets(&a), nil
	})
}

// countDoc brings the counters of one document (an application, a loan,
// a claim) up to date: load gives its region and facets now, the snapshot
// what was counted for it before, and the difference is added.
func (s *Service) countDoc(ctx context.Context, id string, load func(context.Context, string) (string, map[string]int64, error)) error {
	for range 5 {
		region, facets, err := load(ctx, id)
		if err != nil {
			return err
		}
		now := snapshot{Region: region, Facets: facets}
		var old snapshot
		ver, err := s.snaps.Get(ctx, id, &old)
		switch {
		case kedaitong.Is(err, kedaitong.ENotFound):
			err = s.snaps.Insert(ctx, id, now)
		case err == nil:
			if old.Region == now.Region && equal(old.Facets, now.Facets) {
				return nil
			}
			_, err = s.snaps.Replace(ctx, id, ver, now)
		}
		if kedaitong.Is(err, kedaitong.EConflict) {
			continue // another writer counted it at the same time: read again
		}
		if err != nil {
			return err
		}
		if old.Region != "" {
			neg := map[string]int64{}
			for k, v := range old.Facets {
				neg[k] = -v
			}
			if old.Region == now.Region {
				for k, v := range now.Facets {
					neg[k] += v
				}
				return s.add(ctx, now.Region, neg)
			}
			if err := s.add(ctx, old.Region, neg); err != nil {
				return err
			}
		}
		return s.add(ctx, now.Region, copyMap(now.Facets))
	}
	return kedaitong.Errorf(kedaitong.EConflict, "dashboard: %s kept changing", id).ZHf("看板：%s 一直在变化", id)
}

// countSoon counts a fund document whose event may be recorded while the
// document itself is still being written (the fund writes a loan and its
// audit entry together): when it is not there yet, it is counted again
// in the background for a few seconds.
func (s *Service) countSoon(ctx context.Context, id string, load func(context.Context, string) (string, map[string]int64, error)) error {
	err := s.countDoc(ctx, id, load)
	if !kedaitong.Is(err, kedaitong.ENotFound) {
		return err
	}
	go func() {
		ctx := context.WithoutCancel(ctx)
		for range 60 {
			time.Sleep(50 * time.Millisecond)
			err := s.countDoc(ctx, id, load)
			if kedaitong.Is(err, kedaitong.ENotFound) {
				continue
			}
			if err != nil {
				s.invalidate()
				s.log.WarnContext(ctx, "dashboard: counting a fund document failed", "err", err, "id", id)
			}
			return
		}
		// never written (a registration rolled back): uncount what was counted
		if err := s.uncount(ctx, id); err != nil {
			s.log.WarnContext(ctx, "dashboard: uncounting a document failed", "err", err, "id", id)
			s.invalidate()
		}
	}()
	return nil
}

// uncount removes what a document that no longer exists was counted for.
func (s *Service) uncount(ctx context.Context, id string) error {
	var old snapshot
	_, err := s.snaps.Get(ctx, id, &old)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.snaps.Delete(ctx, id); err != nil {
		return err
	}
	neg := map[string]int64{}
	for k, v := range old.Facets {
		neg[k] = -v
	}
	return s.add(ctx, old.Region, neg)
}

func equal(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func copyMap(m map[string]int64) map[string]int64 {
	out := make(map[string]int64, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// Observe counts one audit event. It is registered as an observer of the
// audit recorder; failures are logged (Rebuild repairs the counters).
func (s *Service) Observe(ctx context.Context, ev identity.Event) {
	if ev.Outcome != "" && ev.Outcome != "ok" {
		return
	}
	before := s.seq.Load()
	err := s.observe(ctx, ev) // what it counts makes the views of its regions stale
	if err != nil {
		s.invalidate() // counted in part, perhaps: every view is stale
	}
	if ev.Actor != nil && (err != nil || s.seq.Load() != before) {
		s.noteWrite(ev.Actor.ID) // the writer is served no view from before it
	}
	if err != nil {
		s.log.WarnContext(ctx, "dashboard: counting an event failed", "err", err, "action", ev.Action, "object", ev.ObjectID)
	}
}

func (s *Service) observe(ctx context.Context, ev identity.Event) error {
	kind, verb, _ := strings.Cut(ev.Action, ".")
	switch kind {
	case "application":
		if ev.ObjectKind == "application" && ev.ObjectID != "" {
			return s.countApplication(ctx, ev.ObjectID)
		}
	case "loan":
		if ev.ObjectID != "" {
			return s.countSoon(ctx, ev.ObjectID, s.loadLoan)
		}
	case "claim":
		if ev.ObjectID == "" {
			return nil
		}
		if err := s.countSoon(ctx, ev.ObjectID, s.loadClaim); err != nil {
			return err
		}
		if id, ok := ev.Detail["loan_id"].(string); ok && id != "" {
			return s.countSoon(ctx, id, s.loadLoan) // a claim moves its loan's state too
		}
	case "consultation":
		switch verb {
		case "ask":
			return s.add(ctx, ev.Region, map[string]int64{"con": 1})
		case "answer":
			var c consult.Consultation
			if _, err := s.cons.Get(ctx, ev.ObjectID, &c); err != nil {
				return err
			}
			d := map[string]int64{"con_ans": 1}
			if c.AnsweredOnTime != nil && *c.AnsweredOnTime {
				d["con_ontime"] = 1
			}
			return s.add(ctx, c.Region, d)
		}
	case "assignment":
		switch verb {
		case "invite":
			return s.add(ctx, ev.Region, map[string]int64{"seats": 1, "seats_open": 1})
		case "accept":
			return s.add(ctx, ev.Region, map[string]int64{"seats_acc": 1})
		case "decline":
			return s.add(ctx, ev.Region, map[string]int64{"seats_open": -1, "seats_declined": 1})
		case "expire":
			return s.add(ctx, ev.Region, map[string]int64{"seats_open": -1, "seats_expired": 1})
		case "release", "withdraw":
			return s.add(ctx, ev.Region, map[string]int64{"seats_open": -1})
		case "submit":
			d := map[string]int64{"seats_open": -1, "seats_done": 1}
			if b, ok := ev.Detail["on_time"].(bool); ok && b {
				d["seats_ontime"] = 1
			}
			return s.add(ctx, ev.Region, d)
		}
	case "whitelist":
		switch verb {
		case "add":
			return s.add(ctx, ev.Region, map[string]int64{"wl": 1})
		case "lift":
			return s.add(ctx, ev.Region, map[string]int64{"wl": -1})
		}
	case "score":
		if verb != "submit" {
			return nil
		}
		var a panel.Assignment
		if _, err := s.asg.Get(ctx, ev.ObjectID, &a); err != nil {
			return err
		}
		d := map[string]int64{"seats_open": -1, "seats_done": 1}
		if !s.now().After(a.Due) {
			d["seats_ontime"] = 1
		}
		return s.add(ctx, a.Region, d)
	case "report":
		switch verb {
		case "issue", "revise", "finish":
			if ev.ObjectID != "" {
				return s.countReport(ctx, ev.ObjectID) // once per application, as the report stands
			}
		}
	case "rereview":
		switch verb {
		case "due":
			return s.add(ctx, ev.Region, map[string]int64{"rr_due": 1})
		case "start":
			return s.add(ctx, ev.Region, map[string]int64{"rr_due": -1, "rr_open": 1})
		case "conclude":
			d := map[string]int64{"rr_open": -1, "rr_done": 1}
			if b, ok := ev.Detail["exit"].(bool); ok && b {
				d["rr_exit"] = 1
			}
			return s.add(ctx, ev.Region, d)
		}
	}
	return nil
}

// counts reads the counters of a region (all zero when there are none).
func (s *Service) counts(ctx context.Context, scope string) (map[string]int64, error) {
	var raw map[string]any
	_, err := s.counters.Get(ctx, scope, &raw)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		return map[string]int64{}, nil
	}
	if err != nil {
		return nil, err
	}
	return ints(raw), nil
}

func ints(raw map[string]any) map[string]int64 {
	out := make(map[string]int64, len(raw))
	for k, v := range raw {
		if f, ok := v.(float64); ok {
			out[k] = int64(f)
		}
	}
	return out
}

// children reads the counters of the regions directly under scope that
// have any, ordered by code.
func (s *Service) children(ctx context.Context, scope string) (map[string]map[string]int64, error) {
	out := map[string]map[string]int64{}
	if len(scope) >= 6 {
		return out, nil
	}
	q := store.Query{Eq: map[string]any{"parent": scope}, Sort: "scope", Limit: 500}
	for {
		p, err := s.counters.Find(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, d := range p.Docs {
			var raw map[string]any
			if err := d.Decode(&raw); err != nil {
				return nil, err
			}
			out[d.ID] = ints(raw)
		}
		if p.Next == "" {
			return out, nil
		}
		q.After = p.Next
	}
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
