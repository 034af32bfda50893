package panel

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"kedaitong"
	"kedaitong/experts"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/review"
	"kedaitong/review/match"
)

// RunResult is what a run did.
type RunResult struct {
	RunID         string       `json:"run_id"`
	Applications  int          `json:"applications"`   // panels that had open seats
	SeatsFilled   int          `json:"seats_filled"`   // invitations sent by this run
	SeatsOpen     int          `json:"seats_open"`     // seats still without a holder
	TotalAffinity float64      `json:"total_affinity"` // of the invitations sent
	Invitations   []Assignment `json:"invitations"`
	Shortfalls    []Shortfall  `json:"shortfalls"`
	Seconds       float64      `json:"seconds"`
}

// system is the actor the service reads the expert library as.
var system = identity.User{ID: "system", Username: "system", Role: identity.RoleAdmin}

// Run assigns panels to every application waiting for one (submitted) and
// fills the open seats of panels already started, keeping the seats held.
// Officials run it for the applications of their region, admins for all.
func (s *Service) Run(ctx context.Context, actor identity.User) (RunResult, error) {
	if !manages(actor) {
		return RunResult{}, kedaitong.Errorf(kedaitong.EForbidden, "only officials and administrators run the panel assignment").ZHf("只有政府用户和管理员可以执行评审分派")
	}
	scope := ""
	if actor.Role == identity.RoleOfficial {
		if !identity.ValidRegion(actor.Region) {
			return RunResult{}, kedaitong.Errorf(kedaitong.EForbidden, "your account has no region").ZHf("您的账户没有所属地区")
		}
		scope = actor.Region
	}
	unlock, err := s.lock(ctx, 15*time.Second)
	if err != nil {
		return RunResult{}, err
	}
	defer unlock()
	start := time.Now()
	apps, err := s.wanting(ctx, scope)
	if err != nil {
		return RunResult{}, err
	}
	runID := newID("run-")
	r, err := s.assign(ctx, &actor, apps, runID)
	if err != nil {
		return RunResult{}, err
	}
	r.Seconds = time.Since(start).Seconds()
	s.record(ctx, &actor, "assignment.run", "assignment_run", runID, "", scope, map[string]any{
		"applications": r.Applications, "seats_filled": r.SeatsFilled, "seats_open": r.SeatsOpen,
		"total_affinity": r.TotalAffinity, "shortfalls": len(r.Shortfalls)})
	return r, nil
}

// wanting returns the applications in scope that want panel seats: those
// submitted and waiting, then those in review whose panel has open seats.
func (s *Service) wanting(ctx context.Context, scope string) ([]review.Application, error) {
	waiting, err := s.review.Waiting(ctx)
	if err != nil {
		return nil, err
	}
	var out []review.Application
	seen := map[string]bool{}
	for _, a := range waiting {
		if identity.RegionCovers(scope, a.Region) || scope == "" {
			out = append(out, a)
			seen[a.ID] = true
		}
	}
	q := store.Query{Eq: map[string]any{"needs": true}, Sort: "updated_ms", Limit: 500}
	for {
		page, err := s.panels.Find(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, d := range page.Docs {
			if seen[d.ID] {
				continue
			}
			var p Panel
			if err := d.Decode(&p); err != nil {
				return nil, err
			}
			if scope != "" && !identity.RegionCovers(scope, p.Region) {
				continue
			}
			a, err := s.review.Load(ctx, p.ApplicationID)
			if err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
				return nil, err
			}
			if err != nil || (a.State != review.StateSubmitted && a.State != review.StateInReview) {
				// The application left the review (withdrawn, closed or gone):
				// no more invitations, and unsubmitted seats are released.
				if _, err := s.Release(ctx, d.ID); err != nil {
					return nil, err
				}
				continue
			}
			seen[a.ID] = true
			out = append(out, a)
		}
		if page.Next == "" {
			return out, nil
		}
		q.After = page.Next
	}
}

// closePanel stops inviting to a panel whose application left the review.
func (s *Service) closePanel(ctx context.Context, id string) error {
	return s.updatePanel(ctx, id, func(p *Panel) error {
		p.Closed, p.Needs, p.Pending = true, false, false
		return nil
	})
}

// updatePanel applies edit to the panel at its current version, retrying
// when another write came first.
func (s *Service) updatePanel(ctx context.Context, id string, edit func(p *Panel) error) error {
	for range 20 {
		var p Panel
		ver, err := s.panels.Get(ctx, id, &p)
		if err != nil {
			return err
		}
		if err := edit(&p); err != nil {
			return err
		}
		now := s.now()
		p.UpdatedAt, p.UpdatedMS = now, now.UnixMilli()
		if _, err = s.panels.Replace(ctx, id, ver, p); !kedaitong.Is(err, kedaitong.EConflict) {
			return err
		}
	}
	return kedaitong.Errorf(kedaitong.EConflict, "the panel of %q keeps changing; try again", id).ZHf("%q 的评审组一直在变化，请重试", id)
}

// pooled is an expert of the library with its record and current load.
type pooled struct {
	e    experts.Expert
	rec  experts.Record
	load int // open assignments: invited or accepted
}

// pool reads the active experts, their track records and their loads.
func (s *Service) pool(ctx context.Context) ([]pooled, error) {
	loads := map[string]int{}
	for _, st := range []string{StateInvited, StateAccepted} {
		q := store.Query{Eq: map[string]any{"state": st}, Sort: "created_ms", Limit: 1000}
		for {
			page, err := s.assignments.Find(ctx, q)
			if err != nil {
				return nil, err
			}
			for _, d := range page.Docs {
				var a Assignment
				if err := d.Decode(&a); err != nil {
					return nil, err
				}
				loads[a.ExpertID]++
			}
			if page.Next == "" {
				break
			}
			q.After = page.Next
		}
	}
	var out []pooled
	f := experts.Filter{Status: experts.StatusActive, Limit: 500}
	for {
		es, next, err := s.experts.Search(ctx, system, f)
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			rec, err := s.experts.Record(ctx, e.ID)
			if err != nil {
				return nil, err
			}
			out = append(out, pooled{e: e, rec: rec, load: loads[e.ID]})
		}
		if next == "" {
			break
		}
		f.Cursor = next
	}
	sort.Slice(out, func(i, j int) bool { return out[i].e.ID < out[j].e.ID })
	return out, nil
}

// work is one application's panel during an assignment.
type work struct {
	app       review.Application
	panel     Panel
	ver       int64 // 0: the panel document is new
	open      map[string]int
	cands     []Candidate
	counts    map[string]*Shortfall // per tier: eligible and exclusion counts
	pairScore map[string]float64    // expert → adjusted affinity
	basis     map[string]string
}

// assign fills the open seats of the applications' panels in one exact
// solve and sends the invitations. The caller holds the lease.
func (s *Service) assign(ctx context.Context, actor *identity.User, apps []review.Application, runID string) (RunResult, error) {
	res := RunResult{RunID: runID, Invitations: []Assignment{}, Shortfalls: []Shortfall{}}
	now := s.now()
	today := now.Format(experts.DateLayout)
	windowEnd := now.Add(ResponseWindow + ReviewWindow).Format(experts.DateLayout)

	var ws []*work
	for _, a := range apps {
		w, err := s.prepare(ctx, a, now)
		if err != nil {
			return res, err
		}
		if w == nil {
			continue
		}
		total := 0
		for _, n := range w.open {
			total += n
		}
		if total == 0 {
			if w.panel.Pending || w.panel.Needs {
				if err := s.updatePanel(ctx, a.ID, func(p *Panel) error {
					p.Pending, p.Needs = false, openSeats(*p) > 0
					return nil
				}); err != nil {
					return res, err
				}
			}
			if err := s.markInReview(ctx, w); err != nil {
				return res, err
			}
			continue
		}
		ws = append(ws, w)
	}
	res.Applications = len(ws)
	if len(ws) == 0 {
		return res, nil
	}
	pool, err := s.pool(ctx)
	if err != nil {
		return res, err
	}
	in := &match.Instance{Experts: make([]match.Expert, len(pool)), Affinity: []match.Pair{}}
	for i, x := range pool {
		in.Experts[i] = match.Expert{ID: x.e.ID, Tier: x.e.Tier, Capacity: max(0, min(x.e.Capacity, match.MaxCapacity)-x.load)}
	}
	for _, w := range ws {
		in.Applications = append(in.Applications, match.Application{ID: w.app.ID, Field: w.app.Route, Panel: w.open})
		pt := s.partiesOf(&w.app)
		seated := map[string]bool{}
		for _, m := range w.panel.Members {
			seated[m.ExpertID] = true
		}
		refused := map[string]bool{}
		for _, r := range w.panel.Refused {
			refused[r.ExpertID] = true
		}
		for i, x := range pool {
			e := x.e
			if w.open[e.Tier] == 0 || seated[e.ID] {
				continue
			}
			base, basis, ok := s.fit(e, w.app.Route)
			if !ok {
				continue
			}
			sf := w.counts[e.Tier]
			sf.Eligible++
			c := Candidate{ExpertID: e.ID, Name: e.Name, Tier: e.Tier, Basis: basis, Outcome: OutcomeExcluded}
			var reason, detail string
			if refused[e.ID] {
				reason = ExclDeclined
				sf.Declined++
			} else if p, un := unavailable(e, today, windowEnd); un {
				reason, detail = ExclUnavailable, p.From+"–"+p.To
				sf.Unavailable++
			} else if why, what := conflict(e, pt, now); why != "" {
				reason, detail = why, what
				sf.Conflicted++
			} else if in.Experts[i].Capacity == 0 {
				reason, detail = ExclAtCapacity, fmt.Sprintf("%d open of %d", x.load, e.Capacity)
				sf.AtCapacity++
			}
			if reason != "" {
				c.Reason, c.Detail = reason, detail
				w.cands = append(w.cands, c)
				continue
			}
			score := adjust(base, x.rec, x.load, e.Capacity)
			c.Affinity, c.Outcome = score, OutcomeNotChosen
			w.cands = append(w.cands, c)
			w.pairScore[e.ID], w.basis[e.ID] = score, basis
			in.Affinity = append(in.Affinity, match.Pair{Expert: e.ID, Application: w.app.ID, Score: score})
		}
	}
	_, r, err := match.Solve(ctx, in, match.Options{})
	if err != nil {
		return res, err
	}
	unfilled := map[string][]match.Unfilled{}
	for _, u := range r.Unfilled {
		unfilled[u.Application] = append(unfilled[u.Application], u)
	}
	tierOf := make(map[string]string, len(pool))
	for _, x := range pool {
		tierOf[x.e.ID] = x.e.Tier
	}
	for i, w := range ws {
		chosen := r.Assignments[i].Experts
		var shorts []Shortfall
		for _, u := range unfilled[w.app.ID] {
			shorts = append(shorts, shortfall(w, u))
		}
		invs, err := s.persist(ctx, actor, w, chosen, tierOf, shorts, runID, now)
		if err != nil {
			return res, err
		}
		res.Invitations = append(res.Invitations, invs...)
		for _, a := range invs {
			res.TotalAffinity += a.Affinity
		}
		res.SeatsFilled += len(invs)
		open := 0
		for _, n := range w.open {
			open += n
		}
		res.SeatsOpen += open - len(invs)
		res.Shortfalls = append(res.Shortfalls, shorts...)
	}
	res.TotalAffinity = float64(int64(res.TotalAffinity*1e6+0.5)) / 1e6
	return res, nil
}

// shortfall explains an unfilled tier from the exclusion counts.
func shortfall(w *work, u match.Unfilled) Shortfall {
	sf := *w.counts[u.Tier]
	sf.ApplicationID, sf.Tier, sf.Seats = w.app.ID, u.Tier, u.Seats
	excluded := sf.Conflicted + sf.Unavailable + sf.Declined + sf.AtCapacity
	switch {
	case sf.Eligible == 0:
		sf.Reason = ShortNoEligible
	case excluded == sf.Eligible && sf.Conflicted == sf.Eligible:
		sf.Reason = ShortConflicted
	case excluded == sf.Eligible && sf.Declined == sf.Eligible:
		sf.Reason = ShortDeclined
	case excluded == sf.Eligible && sf.Unavailable == sf.Eligible:
		sf.Reason = ShortUnavailable
	case excluded == sf.Eligible && sf.AtCapacity == sf.Eligible:
		sf.Reason = ShortCapacity
	case excluded == sf.Eligible:
		sf.Reason = ShortExcluded
	case u.Reason == match.ReasonCapacity:
		sf.Reason = ShortCapacity
	default:
		sf.Reason = ShortTooFew
	}
	sf.Message = shortMessages[sf.Reason]
	return sf
}

// prepare reads (or starts) the application's panel and counts its open
// seats; nil when the panel is closed.
func (s *Service) prepare(ctx context.Context, a review.Application, now time.Time) (*work, error) {
	w := &work{app: a, open: map[string]int{}, counts: map[string]*Shortfall{}, pairScore: map[string]float64{}, basis: map[string]string{}}
	ver, err := s.panels.Get(ctx, a.ID, &w.panel)
	switch {
	case kedaitong.Is(err, kedaitong.ENotFound):
		w.panel = Panel{ApplicationID: a.ID, BankID: a.BankID, Region: a.Region, Route: a.Route,
			Seats: s.opts.Seats, Members: []Member{}, Refused: []Refusal{}, CreatedAt: now}
	case err != nil:
		return nil, err
	default:
		w.ver = ver
	}
	if w.panel.Closed {
		return nil, nil
	}
	for _, t := range match.Tiers {
		w.open[t] = w.panel.Seats[t]
		w.counts[t] = &Shortfall{}
	}
	for _, m := range w.panel.Members {
		w.open[m.Tier]--
	}
	for t, n := range w.open {
		w.open[t] = max(n, 0)
	}
	return w, nil
}

// persist writes the application's new seat holders into its panel (one
// version-guarded write; when the panel changed meanwhile, the choices that
// still fit are kept), then the invitations, counters and audit entries.
func (s *Service) persist(ctx context.Context, actor *identity.User, w *work, chosen []string, tierOf map[string]string,
	shorts []Shortfall, runID string, now time.Time) ([]Assignment, error) {
	due := now.Add(ResponseWindow)
	var invs []Assignment
	for _, id := range chosen {
		invs = append(invs, Assignment{ID: newID("asg-"), ApplicationID: w.app.ID, ExpertID: id, Tier: tierOf[id],
			State: StateInvited, Due: due, Affinity: w.pairScore[id], RunID: runID, Route: w.app.Route, InvitedAt: now,
			UpdatedAt: now, Region: w.app.Region, City: w.app.Region[:min(4, len(w.app.Region))], DueMS: due.UnixMilli(), CreatedMS: now.UnixMilli()})
	}
	p, ver := w.panel, w.ver
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			// The panel changed since it was read: keep the choices that
			// still fit its seats, members and refusals.
			p = Panel{}
			var err error
			if ver, err = s.panels.Get(ctx, w.app.ID, &p); err != nil {
				return nil, err
			}
			invs = fitting(p, invs)
		}
		if p.Closed {
			return nil, nil
		}
		for _, a := range invs {
			p.Members = append(p.Members, Member{AssignmentID: a.ID, ExpertID: a.ExpertID, Tier: a.Tier, Affinity: a.Affinity})
		}
		p.Invitations = append(p.Invitations, invs...)
		p.Inviting = len(p.Invitations) > 0
		cands := slices.Clone(w.cands)
		for i := range cands {
			for _, a := range invs {
				if cands[i].ExpertID == a.ExpertID {
					cands[i].Outcome = OutcomeInvited
				}
			}
		}
		p.Considered, p.Shortfalls, p.LastRunID = cands, shorts, runID
		if p.Shortfalls == nil {
			p.Shortfalls = []Shortfall{}
		}
		p.Open = openSeats(p)
		p.Needs, p.Pending = p.Open > 0, false
		p.UpdatedAt, p.UpdatedMS = now, now.UnixMilli()
		var err error
		if ver == 0 {
			err = s.panels.Insert(ctx, w.app.ID, p)
		} else {
			_, err = s.panels.Replace(ctx, w.app.ID, ver, p)
		}
		if err == nil {
			break
		}
		if !kedaitong.Is(err, kedaitong.EConflict) || attempt >= 10 {
			return nil, err
		}
	}
	w.panel = p
	if testHookAfterSeats != nil {
		testHookAfterSeats()
	}
	for _, a := range invs {
		if err := s.invite(ctx, actor, a, w.app.BankID, map[string]any{"basis": w.basis[a.ExpertID]}); err != nil {
			return nil, err
		}
	}
	if err := s.invited(ctx, w.app.ID, invs); err != nil {
		return nil, err
	}
	s.auditExclusions(ctx, actor, w, shorts, runID)
	if err := s.markInReview(ctx, w); err != nil {
		return nil, err
	}
	return invs, nil
}

// fitting keeps the invitations that still fit the panel.
func fitting(p Panel, invs []Assignment) []Assignment {
	taken := map[string]int{}
	busy := map[string]bool{}
	for _, m := range p.Members {
		taken[m.Tier]++
		busy[m.ExpertID] = true
	}
	for _, r := range p.Refused {
		busy[r.ExpertID] = true
	}
	var out []Assignment
	for _, a := range invs {
		if busy[a.ExpertID] || taken[a.Tier] >= p.Seats[a.Tier] {
			continue
		}
		taken[a.Tier]++
		busy[a.ExpertID] = true
		out = append(out, a)
	}
	return out
}

func openSeats(p Panel) int {
	n := 0
	for _, c := range p.Seats {
		n += c
	}
	return max(0, n-len(p.Members))
}

// auditExclusions records one summary entry per application: the
// exclusions by reason and by expert (ids, never names), and the shortfalls.
func (s *Service) auditExclusions(ctx context.Context, actor *identity.User, w *work, shorts []Shortfall, runID string) {
	byReason := map[string]int{}
	var list []string
	for _, c := range w.cands {
		if c.Outcome == OutcomeExcluded {
			byReason[c.Reason]++
			if len(list) < 100 {
				list = append(list, c.ExpertID+":"+c.Reason)
			}
		}
	}
	var sh []string
	for _, x := range shorts {
		sh = append(sh, fmt.Sprintf("%s×%d:%s", x.Tier, x.Seats, x.Reason))
	}
	s.record(ctx, actor, "panel.assign", "application", w.app.ID, w.app.BankID, w.app.Region, map[string]any{
		"run_id": runID, "considered": len(w.cands), "excluded": byReason, "exclusions": list, "shortfalls": sh, "open": w.panel.Open})
}

// markInReview moves a submitted application into review once its panel
// has a seat holder.
func (s *Service) markInReview(ctx context.Context, w *work) error {
	if w.app.State != review.StateSubmitted || len(w.panel.Members) == 0 {
		return nil
	}
	a, err := s.review.MarkInReview(ctx, w.app.ID)
	if kedaitong.Is(err, kedaitong.EConflict) {
		return nil // moved meanwhile (withdrawn, or another server)
	}
	if err != nil {
		return err
	}
	w.app = a
	return nil
}
