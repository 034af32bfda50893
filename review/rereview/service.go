package rereview

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/notify"
	"kedaitong/review"
	"kedaitong/review/panel"
	"kedaitong/review/scoring"
	"kedaitong/taxonomy"
)

// States of a re-review.
const (
	StateDueLater   = "due_later"   // the loan was granted; the due date is ahead
	StateDue        = "due"         // the due date passed; the bank is to start the round
	StateInProgress = "in_progress" // the round's application is with a panel
	StateConcluded  = "concluded"   // the round's report is in and the exit rule applied
)

// States lists the states in their order.
var States = []string{StateDueLater, StateDue, StateInProgress, StateConcluded}

// ValidState reports whether s is a re-review state.
func ValidState(s string) bool {
	for _, x := range States {
		if x == s {
			return true
		}
	}
	return false
}

// Def is the collection of re-reviews, one document per granted loan (its
// id is the granted application's id). Each list shape has an index: the
// caller's scope (bank, city, county), optionally the state, newest first;
// the daily job finds due ones by state and due date, and a concluded
// round finds its re-review by the round's application.
var Def = store.CollectionDef{Name: "rereviews", Indexes: []store.Index{
	{Fields: []string{"state", "due_ms"}},
	{Fields: []string{"new_application_id", "created_ms"}},
	{Fields: []string{"created_ms"}},
	{Fields: []string{"state", "created_ms"}},
	{Fields: []string{"bank_id", "created_ms"}},
	{Fields: []string{"bank_id", "state", "created_ms"}},
	{Fields: []string{"city", "created_ms"}},
	{Fields: []string{"city", "state", "created_ms"}},
	{Fields: []string{"region", "created_ms"}},
	{Fields: []string{"region", "state", "created_ms"}},
	{Fields: []string{"finishing", "created_ms"}},
}}

// Rereview is the re-review of one granted loan.
type Rereview struct {
	ID               string     `json:"id"`             // = application_id
	ApplicationID    string     `json:"application_id"` // the granted application
	BankID           string     `json:"bank_id"`
	CreditCode       string     `json:"credit_code"`
	Enterprise       string     `json:"enterprise"`
	Route            string     `json:"route"`
	Amount           int64      `json:"amount"`        // yuan lent
	DecisionDate     string     `json:"decision_date"` // YYYY-MM-DD
	DueDate          string     `json:"due_date"`      // YYYY-MM-DD
	State            string     `json:"state"`
	NewApplicationID string     `json:"new_application_id"` // the round's application, "" until started
	Exit             bool       `json:"exit"`               // exit recommended
	Outcome          *Outcome   `json:"outcome,omitempty"`
	PreviousScore    *float64   `json:"previous_score,omitempty"` // calibrated overall, at conclusion
	Score            *float64   `json:"score,omitempty"`
	DueAt            *time.Time `json:"due_at,omitempty"`
	StartedAt        *time.Time `json:"started_at,omitempty"`
	StartedBy        string     `json:"started_by,omitempty"`
	ConcludedAt      *time.Time `json:"concluded_at,omitempty"`
	// Finishing is true from the conclusion's write until the enterprise's
	// exit mark, the audit entry and the notices are done: a crash in
	// between is finished by the sweep.
	Finishing bool      `json:"finishing"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`

	Region    string `json:"region"`
	City      string `json:"city"`
	CreatedMS int64  `json:"created_ms"`
	DueMS     int64  `json:"due_ms"` // the due date's midnight (Asia/Shanghai), Unix ms
}

// Options configure the service.
type Options struct {
	Months int // from the lending decision to the re-review; 0 means DefaultPeriod
}

// Service keeps the re-reviews of loan holders.
type Service struct {
	coll    store.Collection
	review  *review.Service
	panel   *panel.Service
	scoring *scoring.Service
	notes   *notify.Service
	rec     identity.Recorder
	logger  *slog.Logger
	months  int
	now     func() time.Time
}

// system is the actor the service reads reports as.
var system = identity.User{ID: "system", Username: "system", Role: identity.RoleAdmin}

// shanghai is the programme's time zone: a date falls due at its midnight.
var shanghai = time.FixedZone("CST", 8*3600)

// Open declares the collection and returns the service. notes and logger
// may be nil.
func Open(ctx context.Context, st store.Store, rs *review.Service, ps *panel.Service, ss *scoring.Service, notes *notify.Service,
	rec identity.Recorder, logger *slog.Logger, opts Options) (*Service, error) {
	coll, err := st.Collection(ctx, Def)
	if err != nil {
		return nil, fmt.Errorf("rereview: %w", err)
	}
	if opts.Months <= 0 {
		opts.Months = DefaultPeriod
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{coll: coll, review: rs, panel: ps, scoring: ss, notes: notes, rec: rec, logger: logger, months: opts.Months,
		now: func() time.Time { return time.Now().UTC() }}, nil
}

// SetClock replaces the service's clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Months is the configured period from decision to re-review.
func (s *Service) Months() int { return s.months }

func (s *Service) record(ctx context.Context, actor *identity.User, action string, r *Rereview, detail map[string]any) {
	if s.rec == nil {
		return
	}
	s.rec.Record(ctx, identity.Event{Actor: actor, Action: action, ObjectKind: "rereview", ObjectID: r.ID,
		BankID: r.BankID, Region: r.Region, Detail: detail})
}

func (s *Service) send(ctx context.Context, r *Rereview, kind string, title, body notify.Text) {
	if s.notes == nil {
		return
	}
	_, err := s.notes.Send(context.WithoutCancel(ctx), notify.Audience{Banks: []string{r.BankID}, Officials: []string{r.Region}},
		notify.Message{Kind: kind, Title: title, Body: body, Link: "/rereviews/" + r.ID, ObjectKind: "rereview", ObjectID: r.ID})
	if err != nil {
		s.logger.Warn("rereview: notifying", "rereview", r.ID, "kind", kind, "err", err)
	}
}

func notFound(id string) error {
	return kedaitong.Errorf(kedaitong.ENotFound, "no re-review %q", id).ZHf("没有复评 %q", id)
}

// canRead: the owning bank's users, officials whose region covers the
// enterprise's, admins.
func canRead(actor identity.User, r *Rereview) bool {
	return identity.MaySee(actor, r.BankID, r.Region)
}

// Observe is an audit observer: a granted lending decision schedules the
// loan's re-review; an issued report of a re-review round concludes it.
func (s *Service) Observe(ctx context.Context, ev identity.Event) {
	var err error
	switch ev.Action {
	case "application.decide":
		if g, ok := ev.Detail["granted"].(bool); ok && g {
			_, err = s.Schedule(ctx, ev.ObjectID)
		}
	case "report.issue":
		_, err = s.ConcludeRound(ctx, ev.ObjectID)
	}
	if err != nil {
		s.logger.Error("rereview: observing "+ev.Action, "application", ev.ObjectID, "err", err)
	}
}

// Schedule creates the re-review of a granted loan (idempotent: an existing
// one is returned as it is). An application without a granted decision has
// none (ENotFound).
func (s *Service) Schedule(ctx context.Context, applicationID string) (Rereview, error) {
	a, err := s.review.Load(ctx, applicationID)
	if err != nil {
		return Rereview{}, err
	}
	if a.Decision == nil || !a.Decision.Granted {
		return Rereview{}, kedaitong.Errorf(kedaitong.ENotFound, "application %q has no granted loan to re-review", applicationID).ZHf("贷款申请 %q 没有可复评的已发放贷款", applicationID)
	}
	due, err := DueDate(a.Decision.Date, s.months)
	if err != nil {
		return Rereview{}, kedaitong.Invalid("date", "the decision date %q is not a date", a.Decision.Date).ZHf("放款决定日期 %q 不是日期", a.Decision.Date)
	}
	d, _ := time.ParseInLocation(review.DateLayout, due, shanghai)
	now := s.now()
	r := Rereview{ID: a.ID, ApplicationID: a.ID, BankID: a.BankID, CreditCode: a.CreditCode, Enterprise: a.Enterprise.Name,
		Route: a.Route, Amount: a.Decision.Amount, DecisionDate: a.Decision.Date, DueDate: due, State: StateDueLater,
		CreatedAt: now, UpdatedAt: now, Region: a.Region, City: a.City, CreatedMS: now.UnixMilli(), DueMS: d.UnixMilli()}
	if err := s.coll.Insert(ctx, r.ID, r); err != nil {
		if kedaitong.Is(err, kedaitong.EConflict) {
			old, _, gerr := s.load(ctx, r.ID)
			return old, gerr
		}
		return Rereview{}, err
	}
	s.record(ctx, nil, "rereview.schedule", &r, map[string]any{"due_date": due, "months": s.months})
	return r, nil
}

func (s *Service) load(ctx context.Context, id string) (Rereview, int64, error) {
	var r Rereview
	ver, err := s.coll.Get(ctx, id, &r)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		return r, 0, notFound(id)
	}
	return r, ver, err
}

// Get returns a re-review the actor may see; others are not found.
func (s *Service) Get(ctx context.Context, actor identity.User, id string) (Rereview, error) {
	r, _, err := s.load(ctx, id)
	if err != nil {
		return Rereview{}, err
	}
	if !canRead(actor, &r) {
		return Rereview{}, notFound(id)
	}
	return r, nil
}

// MarkDue marks the re-reviews whose due date has come, records
// rereview.due and notifies the bank and the region's officials. It returns
// how many it marked.
func (s *Service) MarkDue(ctx context.Context) (int, error) {
	now := s.now()
	q := store.Query{Eq: map[string]any{"state": StateDueLater}, Range: &store.Range{Field: "due_ms", Lte: now.UnixMilli()}, Sort: "due_ms", Limit: 200}
	n := 0
	for {
		p, err := s.coll.Find(ctx, q)
		if err != nil {
			return n, err
		}
		for _, d := range p.Docs {
			var r Rereview
			if err := d.Decode(&r); err != nil {
				return n, err
			}
			r.State, r.DueAt, r.UpdatedAt = StateDue, &now, now
			if _, err := s.coll.Replace(ctx, r.ID, d.Version, r); err != nil {
				if kedaitong.Is(err, kedaitong.EConflict) {
					continue // another server marked it
				}
				return n, err
			}
			n++
			s.record(ctx, nil, "rereview.due", &r, map[string]any{"due_date": r.DueDate})
			s.send(ctx, &r, "rereview.due",
				notify.Text{ZH: "贷款企业到期复评：" + r.Enterprise, EN: "A loan holder is due for re-review: " + r.Enterprise},
				notify.Text{ZH: fmt.Sprintf("%s 发放的贷款已满 %d 个月，请发起技术复评。", r.DecisionDate, s.months),
					EN: fmt.Sprintf("The loan granted on %s is %d months old; start the technical re-review.", r.DecisionDate, s.months)})
		}
		if p.Next == "" {
			return n, nil
		}
		q.After = p.Next
	}
}

// Start starts the re-review round of a due re-review on the owning bank's
// behalf: a new application copying the granted one, linked to it and
// submitted for a panel. Only the owning bank starts it; a re-review that is
// not due (or already started) is a conflict.
func (s *Service) Start(ctx context.Context, actor identity.User, id string) (Rereview, error) {
	r, ver, err := s.load(ctx, id)
	if err != nil {
		return Rereview{}, err
	}
	if !canRead(actor, &r) {
		return Rereview{}, notFound(id)
	}
	if !identity.IsBankRole(actor.Role) {
		return Rereview{}, kedaitong.Errorf(kedaitong.EForbidden, "only the bank that granted the loan starts its re-review").ZHf("只有发放该贷款的银行可以发起复评")
	}
	switch r.State {
	case StateDueLater:
		return Rereview{}, kedaitong.Errorf(kedaitong.EConflict, "the re-review is not due until %s", r.DueDate).ZHf("复评要到 %s 才到期", r.DueDate)
	case StateInProgress, StateConcluded:
		return Rereview{}, kedaitong.Errorf(kedaitong.EConflict, "the re-review was started already (%s)", r.State).ZHf("复评已经发起（%s）", r.State)
	}
	// Claim it first, so that of two concurrent starts exactly one creates
	// the round's application.
	now := s.now()
	claimed := r
	claimed.State, claimed.StartedAt, claimed.StartedBy, claimed.UpdatedAt = StateInProgress, &now, actor.ID, now
	cv, err := s.coll.Replace(ctx, r.ID, ver, claimed)
	if kedaitong.Is(err, kedaitong.EConflict) {
		return Rereview{}, kedaitong.Errorf(kedaitong.EConflict, "the re-review changed at the same time; read it again").ZHf("复评同时被修改了，请重新读取")
	}
	if err != nil {
		return Rereview{}, err
	}
	v, err := s.review.CreateRereview(ctx, actor, r.ApplicationID)
	if err != nil {
		if _, rerr := s.coll.Replace(context.WithoutCancel(ctx), r.ID, cv, r); rerr != nil {
			s.logger.Error("rereview: releasing a failed start", "rereview", r.ID, "err", rerr)
		}
		return Rereview{}, err
	}
	claimed.NewApplicationID = v.ID
	if _, err := s.coll.Replace(ctx, r.ID, cv, claimed); err != nil {
		return Rereview{}, err
	}
	s.record(ctx, &actor, "rereview.start", &claimed, map[string]any{"new_application_id": v.ID})
	return claimed, nil
}

// summary is what the exit rule needs of an application's report.
func (s *Service) summary(ctx context.Context, applicationID string) (Summary, error) {
	rep, err := s.scoring.Get(ctx, system, applicationID)
	if err != nil {
		return Summary{}, err
	}
	return Summary{Calibrated: rep.Overall.Calibrated, Recommendations: rep.Recommendations}, nil
}

// ConcludeRound applies the exit rule when the round whose application is
// roundID has its report: it stores the outcome, marks the enterprise,
// records rereview.conclude and notifies the bank and officials. It
// reports whether it concluded a re-review now (false for an application
// that is no re-review round, or one concluded already).
func (s *Service) ConcludeRound(ctx context.Context, roundID string) (bool, error) {
	if roundID == "" {
		return false, nil
	}
	p, err := s.coll.Find(ctx, store.Query{Eq: map[string]any{"new_application_id": roundID}, Sort: "created_ms", Limit: 1})
	if err != nil || len(p.Docs) == 0 {
		return false, err
	}
	var r Rereview
	if err := p.Docs[0].Decode(&r); err != nil {
		return false, err
	}
	if r.State != StateInProgress {
		return false, nil
	}
	prev, err := s.summary(ctx, r.ApplicationID)
	if err != nil {
		return false, fmt.Errorf("the previous report: %w", err)
	}
	now, err := s.summary(ctx, roundID)
	if kedaitong.Is(err, kedaitong.EConflict) {
		return false, nil // no report yet
	}
	if err != nil {
		return false, err
	}
	o := Decide(prev, now)
	t := s.now()
	r.State, r.Outcome, r.Exit, r.ConcludedAt, r.UpdatedAt = StateConcluded, &o, o.Exit, &t, t
	r.PreviousScore, r.Score = &prev.Calibrated, &now.Calibrated
	r.Finishing = true
	ver, err := s.coll.Replace(ctx, r.ID, p.Docs[0].Version, r)
	if err != nil {
		if kedaitong.Is(err, kedaitong.EConflict) {
			return false, nil // concluded by another server
		}
		return false, err
	}
	return true, s.finish(context.WithoutCancel(ctx), r, ver)
}

// finish does what follows a conclusion's write — the enterprise's exit
// mark (idempotent), the audit entry, the notices — and clears Finishing.
func (s *Service) finish(ctx context.Context, r Rereview, ver int64) error {
	o := Outcome{}
	if r.Outcome != nil {
		o = *r.Outcome
	}
	t := s.now()
	if r.ConcludedAt != nil {
		t = *r.ConcludedAt
	}
	roundID := r.NewApplicationID
	if err := s.review.SetExitMark(ctx, review.ExitMark{CreditCode: r.CreditCode, Recommended: o.Exit, Reasons: o.Reasons,
		RereviewID: r.ID, ApplicationID: roundID, At: t}); err != nil {
		return err
	}
	r.Finishing = false
	if _, err := s.coll.Replace(ctx, r.ID, ver, r); err != nil && !kedaitong.Is(err, kedaitong.EConflict) {
		return err
	}
	prev, now := Summary{}, Summary{}
	if r.PreviousScore != nil {
		prev.Calibrated = *r.PreviousScore
	}
	if r.Score != nil {
		now.Calibrated = *r.Score
	}
	s.record(ctx, nil, "rereview.conclude", &r, map[string]any{"exit": o.Exit, "drop": o.Drop, "new_application_id": roundID})
	title := notify.Text{ZH: "复评完成：" + r.Enterprise + "，未建议退出", EN: "Re-review concluded for " + r.Enterprise + ": no exit recommended"}
	body := notify.Text{ZH: fmt.Sprintf("技术评分（校准后）%.2f → %.2f。", prev.Calibrated, now.Calibrated),
		EN: fmt.Sprintf("Calibrated technical score %.2f → %.2f.", prev.Calibrated, now.Calibrated)}
	if o.Exit {
		title = notify.Text{ZH: "建议退出：" + r.Enterprise, EN: "Exit recommended: " + r.Enterprise}
		body = joinReasons(o.Reasons)
	}
	s.send(ctx, &r, "rereview.conclude", title, body)
	return nil
}

func joinReasons(rs []taxonomy.Text) notify.Text {
	var t notify.Text
	for i, r := range rs {
		if i > 0 {
			t.ZH += "；"
			t.EN += "; "
		}
		t.ZH += r.ZH
		t.EN += r.EN
	}
	return t
}

// Sweep is the daily job: it marks due re-reviews and concludes rounds
// whose report is in but whose re-review was not concluded (a report
// issued while this server was down, or an observer's failure).
func (s *Service) Sweep(ctx context.Context) (due, concluded int, err error) {
	if err := s.Repair(ctx); err != nil {
		return 0, 0, err
	}
	if due, err = s.MarkDue(ctx); err != nil {
		return due, 0, err
	}
	q := store.Query{Eq: map[string]any{"state": StateInProgress}, Sort: "created_ms", Limit: 200}
	for {
		p, err := s.coll.Find(ctx, q)
		if err != nil {
			return due, concluded, err
		}
		for _, d := range p.Docs {
			var r Rereview
			if err := d.Decode(&r); err != nil {
				return due, concluded, err
			}
			if r.NewApplicationID == "" {
				continue
			}
			a, err := s.review.Load(ctx, r.NewApplicationID)
			if err != nil || a.State != review.StateClosed {
				continue
			}
			ok, err := s.ConcludeRound(ctx, r.NewApplicationID)
			if err != nil {
				s.logger.Warn("rereview: concluding", "rereview", r.ID, "err", err)
				continue
			}
			if ok {
				concluded++
			}
		}
		if p.Next == "" {
			return due, concluded, nil
		}
		q.After = p.Next
	}
}

// Run runs Sweep at once and then daily until ctx ends.
func (s *Service) Run(ctx context.Context) {
	sweep := func() {
		if due, done, err := s.Sweep(ctx); err != nil && ctx.Err() == nil {
			s.logger.Warn("rereview: daily sweep", "err", err)
		} else if due+done > 0 {
			s.logger.Info("rereview: daily sweep", "due", due, "concluded", done)
		}
	}
	sweep()
	t := time.NewTicker(24 * time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			sweep()
		}
	}
}

// Filter narrows a list; it never widens what the caller may see.
type Filter struct {
	State  string
	Exit   *bool
	Limit  int
	Cursor string
}

const maxScan = 5000

// List returns the re-reviews the actor may see, newest first: a bank's
// own, an official's region's, all for admins.
func (s *Service) List(ctx context.Context, actor identity.User, f Filter) ([]Rereview, string, error) {
	q := store.Query{Eq: map[string]any{}, Sort: "created_ms", Desc: true, After: f.Cursor}
	switch {
	case actor.Role == identity.RoleAdmin:
	case identity.IsBankRole(actor.Role) && actor.BankID != "":
		q.Eq["bank_id"] = actor.BankID
	case actor.Role == identity.RoleOfficial && identity.ValidRegion(actor.Region):
		switch len(actor.Region) {
		case 4:
			q.Eq["city"] = actor.Region
		case 6:
			q.Eq["region"] = actor.Region
		}
	default:
		return nil, "", kedaitong.Errorf(kedaitong.EForbidden, "your role does not see re-reviews").ZHf("您的角色无法查看复评")
	}
	if f.State != "" {
		if !ValidState(f.State) {
			return nil, "", kedaitong.Invalid("state", "one of due_later, due, in_progress, concluded").ZHf("状态只能是 due_later、due、in_progress、concluded 之一")
		}
		q.Eq["state"] = f.State
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	q.Limit = limit
	if f.Exit != nil {
		q.Limit = min(maxScan, max(4*limit, 200))
	}
	docs, next, err := store.FindMatching(ctx, s.coll, q, limit, maxScan, func(d store.Doc) (bool, error) {
		var r Rereview
		if err := d.Decode(&r); err != nil {
			return false, err
		}
		return canRead(actor, &r) && (f.Exit == nil || *f.Exit == r.Exit), nil
	})
	if err != nil {
		return nil, "", err
	}
	out, err := store.DecodeAll[Rereview](docs)
	return out, next, err
}

// PreviousReport is what a re-review round's panel sees of the previous
// round's report: the scores, recommendations and the seats' tier and field
// attributions — never a name.
type PreviousReport struct {
	ApplicationID   string                           `json:"application_id"`
	Enterprise      string                           `json:"enterprise"`
	ClosedAt        time.Time                        `json:"closed_at"`
	Overall         scoring.Stat                     `json:"overall"`
	Criteria        map[string]scoring.CriterionStat `json:"criteria"`
	CriteriaOrder   []string                         `json:"criteria_order"`
	Recommendations map[string]int                   `json:"recommendations"`
	MaturityStage   string                           `json:"maturity_stage"`
	Disagreement    bool                             `json:"disagreement"`
	Panel           []scoring.Seat                   `json:"panel"`
	Comments        []scoring.Comment                `json:"comments"`
	RiskPoints      []string                         `json:"risk_points"`
}

// Previous returns the previous report of the application an assignment
// is for: to the assigned expert (while it holds the seat), officials of
// the region and admins. An assignment the actor may not see, or whose
// application is no re-review round, is not found.
func (s *Service) Previous(ctx context.Context, actor identity.User, assignmentID string) (PreviousReport, error) {
	a, err := s.panel.Get(ctx, actor, assignmentID)
	if err != nil {
		return PreviousReport{}, err
	}
	if actor.Role == identity.RoleExpert && a.State != panel.StateInvited && a.State != panel.StateAccepted && a.State != panel.StateSubmitted {
		return PreviousReport{}, kedaitong.Errorf(kedaitong.ENotFound, "no assignment %q", assignmentID).ZHf("没有评审任务 %q", assignmentID)
	}
	app, err := s.review.Load(ctx, a.ApplicationID)
	if err != nil {
		return PreviousReport{}, err
	}
	none := kedaitong.Errorf(kedaitong.ENotFound, "the application of assignment %q has no previous report", assignmentID).ZHf("评审任务 %q 对应的贷款申请没有以往的评审报告", assignmentID)
	if app.PreviousApplicationID == "" {
		return PreviousReport{}, none
	}
	rep, err := s.scoring.Get(ctx, system, app.PreviousApplicationID)
	if kedaitong.Is(err, kedaitong.EConflict) || kedaitong.Is(err, kedaitong.ENotFound) {
		return PreviousReport{}, none
	}
	if err != nil {
		return PreviousReport{}, err
	}
	return PreviousReport{ApplicationID: rep.ApplicationID, Enterprise: rep.Enterprise, ClosedAt: rep.ClosedAt, Overall: rep.Overall,
		Criteria: rep.Criteria, CriteriaOrder: rep.CriteriaOrder, Recommendations: rep.Recommendations, MaturityStage: rep.MaturityStage,
		Disagreement: rep.Disagreement, Panel: rep.Panel, Comments: rep.Comments, RiskPoints: rep.RiskPoints}, nil
}
