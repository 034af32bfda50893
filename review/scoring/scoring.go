// Package scoring is the technical review itself: the rubric (a standard
// guideline per industry, refined per route, versioned), the experts'
// online scores (drafts kept as versions, one submission), the closing of
// a panel, the calibration of experts' habitual leniency or severity, the
// aggregation and the report for the bank.
//
// # Documents
//
// "guidelines" holds every version of every guideline (id key@version) and
// "guideline_heads" the version in force of each key. A route's own
// guideline refines its industry's; without one the industry's applies.
//
// "scores" holds one document per assignment (id = the assignment id): the
// current draft or the submission, changed by one version-guarded write, so
// a save racing a submit has one winner. Every revision is also kept,
// append-only, in "score_revisions" (see revisions.go), so no change is
// ever lost while the document read and written on each save stays small.
//
// "reports" holds one report per closed application (id = the application
// id). "panel_scores" keeps each closed panel's overall scores by expert,
// "score_history" each expert's submitted overall scores against the panel
// means (for calibration), and "industry_scores" the trailing year's
// overall scores of each industry (for percentiles).
//
// # Closing
//
// A panel closes when every seat has submitted (and none is open), or
// once the last review deadline has passed with a quorum of submissions
// (Options.Quorum, default 3; at most the panel's seats). The seats that
// have not submitted are then released (their assignments become expired
// with panel.ReleasedReason). Closing builds and stores the report, closes
// the application (review.Close) and records each expert's deviation from
// the panel mean and the timing of its submission.
//
// # Adjudication
//
// A report with disagreement (overall scores spanning 3 or more points, or
// support against do-not-support) is issued at once with the flag; an
// official may then add one adjudicating expert (panel.AddAdjudicator).
// When the adjudicator submits, the report is rebuilt with that score too
// (Revision+1, Adjudicated true); the application stays closed.
package scoring

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"kedaitong"
	"kedaitong/experts"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/review"
	"kedaitong/review/panel"
	"kedaitong/taxonomy"
)

// Recommendations of a score.
const (
	Support              = "support"
	SupportWithCondition = "support_with_conditions"
	DoNotSupport         = "do_not_support"
)

// Recommendations lists the recommendations.
var Recommendations = []string{Support, SupportWithCondition, DoNotSupport}

// Score states.
const (
	StateDraft     = "draft"
	StateSubmitted = "submitted"
)

// Limits of a score.
const (
	MaxComment    = 5000 // characters
	MaxRiskPoints = 20
	MaxRevisions  = 500
)

// Collections of the package.
var (
	GuidelinesDef     = store.CollectionDef{Name: "guidelines"}
	GuidelineHeadsDef = store.CollectionDef{Name: "guideline_heads", Indexes: []store.Index{{Fields: []string{"key"}}}}
	ScoresDef         = store.CollectionDef{Name: "scores", Indexes: []store.Index{
		{Fields: []string{"application_id", "updated_ms"}},
		{Fields: []string{"expert_id", "updated_ms"}},
		{Fields: []string{"state", "updated_ms"}},
	}}
	ReportsDef = store.CollectionDef{Name: "reports", Indexes: []store.Index{
		{Fields: []string{"closed_ms"}},
		{Fields: []string{"bank_id", "closed_ms"}},
		{Fields: []string{"city", "closed_ms"}},
		{Fields: []string{"region", "closed_ms"}},
	}}
	PanelScoresDef    = store.CollectionDef{Name: "panel_scores"}
	HistoryDef        = store.CollectionDef{Name: "score_history", Indexes: []store.Index{{Fields: []string{"expert_id", "closed_ms"}}}}
	IndustryScoresDef = store.CollectionDef{Name: "industry_scores"}
)

func storeAll() store.Query { return store.Query{Sort: "key", Limit: 500} }

// Options configure the service.
type Options struct {
	Quorum     int // submissions that let a panel close at its deadline; 0 means 3
	MinHistory int // earlier reviews an expert needs before calibration corrects it; 0 means 5
}

// Service is the scoring of reviews.
type Service struct {
	st                                   store.Store
	guidelines, heads, scores, reports   store.Collection
	panelScores, history, industryScores store.Collection
	revisions                            store.Collection
	review                               *review.Service
	panel                                *panel.Service
	experts                              *experts.Service
	rec                                  identity.Recorder
	tax                                  *taxonomy.Taxonomy
	opts                                 Options
	defaults                             map[string]Guideline
	now                                  func() time.Time
	versions                             sync.Map // key@version → Guideline (versions never change)
	logged                               loggedRevisions
	clear                                clearChecks // draft saves' recent conflict checks (conflictmemo.go)
	last                                 lastWritten // the score this process last wrote per assignment (lastwritten.go)
	closing                              chan string // applications whose panel may close (Submit → the closer)
}

// ClosingBuffer bounds the signals waiting for the closer; beyond it a
// signal is dropped and the closer's periodic sweep (CloseDue) finds the
// panel.
const ClosingBuffer = 1024

// Open declares the package's collections, stores the built-in guidelines
// where none is stored, and returns the service.
func Open(ctx context.Context, st store.Store, rs *review.Service, ps *panel.Service, es *experts.Service, rec identity.Recorder, opts Options) (*Service, error) {
	if opts.Quorum <= 0 {
		opts.Quorum = 3
	}
	if opts.MinHistory <= 0 {
		opts.MinHistory = 5
	}
	d, err := Defaults()
	if err != nil {
		return nil, err
	}
	s := &Service{st: st, review: rs, panel: ps, experts: es, rec: rec, tax: taxonomy.Default(), opts: opts, defaults: d,
		now: func() time.Time { return time.Now().UTC() }, closing: make(chan string, ClosingBuffer),
		clear: clearChecks{ttl: ConflictRecheck}}
	for _, x := range []struct {
		c   *store.Collection
		def store.CollectionDef
	}{{&s.guidelines, GuidelinesDef}, {&s.heads, GuidelineHeadsDef}, {&s.scores, ScoresDef}, {&s.reports, ReportsDef},
		{&s.panelScores, PanelScoresDef}, {&s.history, HistoryDef}, {&s.industryScores, IndustryScoresDef}, {&s.revisions, RevisionsDef}} {
		if *x.c, err = st.Collection(ctx, x.def); err != nil {
			return nil, fmt.Errorf("scoring: %w", err)
		}
	}
	if err := s.seedGuidelines(ctx); err != nil {
		return nil, fmt.Errorf("scoring: %w", err)
	}
	ps.SetSubmitted(s.submittedAt)
	if es != nil {
		es.OnChange(s.expertChanged)
	}
	return s, nil
}

// SetClock replaces the service's clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) record(ctx context.Context, actor *identity.User, action, kind, id, bank, region string, detail map[string]any) {
	if s.rec == nil {
		return
	}
	s.rec.Record(ctx, identity.Event{Actor: actor, Action: action, ObjectKind: kind, ObjectID: id, BankID: bank, Region: region, Detail: detail})
}

// Input is a score as an expert writes it (PUT .../score). Numbers are
// kept as written so that fractions are refused, not rounded.
type Input struct {
	Criteria       map[string]json.Number `json:"criteria"`
	Recommendation string                 `json:"recommendation"`
	Confidence     json.Number            `json:"confidence"`
	Comment        string                 `json:"comment"`
	RiskPoints     []string               `json:"risk_points"`
	MaturityStage  string                 `json:"maturity_stage"`
}

// Content is a score's content.
type Content struct {
	Criteria       map[string]int `json:"criteria"`
	Recommendation string         `json:"recommendation"`
	Confidence     int            `json:"confidence"`
	Comment        string         `json:"comment"`
	RiskPoints     []string       `json:"risk_points"`
	MaturityStage  string         `json:"maturity_stage"`
}

// Revision is one saved state of a score.
type Revision struct {
	Revision         int       `json:"revision"`
	Content          Content   `json:"content"`
	GuidelineVersion int       `json:"guideline_version"`
	State            string    `json:"state"`
	At               time.Time `json:"at"`
}

// Score is an expert's score of one assignment.
type Score struct {
	AssignmentID     string `json:"assignment_id"`
	ApplicationID    string `json:"application_id"`
	ExpertID         string `json:"expert_id"`
	Tier             string `json:"tier"`
	GuidelineKey     string `json:"guideline_key"`
	GuidelineVersion int    `json:"guideline_version"`
	Content
	State    string `json:"state"`
	Revision int    `json:"revision"`
	// History is every revision, oldest first, the current one last: filled
	// when the score is read (MyScore); a save's answer has none. Stored
	// documents carry none (score_revisions holds them) unless written
	// before that collection existed.
	History     []Revision `json:"history,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	SubmittedAt *time.Time `json:"submitted_at,omitempty"`
	UpdatedMS   int64      `json:"updated_ms"`
}

func intOf(field string, n json.Number, lo, hi int) (int, error) {
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) {
		return 0, kedaitong.Invalid(field, "must be an integer from %d to %d", lo, hi).ZHf("必须是 %d 到 %d 之间的整数", lo, hi)
	}
	if f != math.Trunc(f) {
		return 0, kedaitong.Invalid(field, "must be a whole number from %d to %d, not %s", lo, hi, n.String()).ZHf("必须是 %d 到 %d 之间的整数，而不是 %s", lo, hi, n.String())
	}
	if f < float64(lo) || f > float64(hi) {
		return 0, kedaitong.Invalid(field, "must be from %d to %d, not %s", lo, hi, n.String()).ZHf("必须在 %d 到 %d 之间，而不是 %s", lo, hi, n.String())
	}
	return int(f), nil
}

// check validates a draft against the guideline: known criteria, integers
// in range, known recommendation and maturity, lengths.
func (in Input) check(g Guideline) (Content, error) {
	c := Content{Criteria: map[string]int{}, RiskPoints: []string{}}
	for id, n := range in.Criteria {
		if _, ok := g.Criterion(id); !ok {
			var ids []string
			for _, x := range g.Criteria {
				ids = append(ids, x.ID)
			}
			return c, kedaitong.Invalid("criteria."+id, "%q is not a criterion of the rubric (%s)", id, strings.Join(ids, ", ")).ZHf("%q 不是该评分表的指标（%s）", id, strings.Join(ids, ", "))
		}
		v, err := intOf("criteria."+id, n, Min, Max)
		if err != nil {
			return c, err
		}
		c.Criteria[id] = v
	}
	c.Recommendation = strings.TrimSpace(in.Recommendation)
	if c.Recommendation != "" && !slices.Contains(Recommendations, c.Recommendation) {
		return c, kedaitong.Invalid("recommendation", "one of support, support_with_conditions, do_not_support").ZHf("评审建议只能是 support（支持）、support_with_conditions（有条件支持）、do_not_support（不支持）之一")
	}
	if in.Confidence != "" {
		v, err := intOf("confidence", in.Confidence, 1, 3)
		if err != nil {
			return c, err
		}
		c.Confidence = v
	}
	c.Comment = strings.TrimSpace(in.Comment)
	if utf8.RuneCountInString(c.Comment) > MaxComment {
		return c, kedaitong.Invalid("comment", "at most %d characters", MaxComment).ZHf("评审意见最多 %d 个字符", MaxComment)
	}
	if len(in.RiskPoints) > MaxRiskPoints {
		return c, kedaitong.Invalid("risk_points", "at most %d risk points", MaxRiskPoints).ZHf("风险点最多 %d 条", MaxRiskPoints)
	}
	for i, r := range in.RiskPoints {
		r = strings.TrimSpace(r)
		if r == "" {
			continue
		}
		if utf8.RuneCountInString(r) > MaxTextLen {
			return c, kedaitong.Invalid(fmt.Sprintf("risk_points[%d]", i), "at most %d characters", MaxTextLen).ZHf("每条风险点最多 %d 个字符", MaxTextLen)
		}
		c.RiskPoints = append(c.RiskPoints, r)
	}
	c.MaturityStage = strings.TrimSpace(in.MaturityStage)
	if c.MaturityStage != "" && !slices.Contains(review.Maturities, c.MaturityStage) {
		return c, kedaitong.Invalid("maturity_stage", "one of lab, pilot, industrial").ZHf("成熟度只能是 lab（实验室）、pilot（中试）、industrial（产业化）之一")
	}
	return c, nil
}

// complete checks that a score can be submitted.
func (c Content) complete(g Guideline) error {
	for _, x := range g.Criteria {
		if _, ok := c.Criteria[x.ID]; !ok {
			return kedaitong.Invalid("criteria."+x.ID, "score every criterion before submitting: %s (%s) is missing", x.ID, x.Name.EN).ZHf("提交前请为每项指标评分：缺少 %s（%s）", x.ID, x.Name.ZH)
		}
	}
	switch {
	case c.Recommendation == "":
		return kedaitong.Invalid("recommendation", "choose a recommendation before submitting").ZHf("提交前请选择评审建议")
	case c.Confidence == 0:
		return kedaitong.Invalid("confidence", "give your confidence (1–3) before submitting").ZHf("提交前请给出您的把握程度（1–3）")
	case c.Comment == "":
		return kedaitong.Invalid("comment", "write a comment before submitting").ZHf("提交前请填写评审意见")
	case len(c.RiskPoints) == 0:
		return kedaitong.Invalid("risk_points", "name the risk points you see before submitting").ZHf("提交前请列出您看到的风险点")
	case c.MaturityStage == "":
		return kedaitong.Invalid("maturity_stage", "judge the maturity stage (lab, pilot, industrial) before submitting").ZHf("提交前请判断技术成熟度（实验室、中试、产业化）")
	}
	return nil
}

// assignment reads the calling expert's assignment; anyone else's is not
// found.
func (s *Service) assignment(ctx context.Context, actor identity.User, id string) (panel.Assignment, error) {
	a, _, err := s.assignmentVersion(ctx, actor, id)
	return a, err
}

func (s *Service) assignmentVersion(ctx context.Context, actor identity.User, id string) (panel.Assignment, int64, error) {
	return s.loadAssignment(ctx, actor, id, false)
}

// loadAssignment reads the calling expert's assignment and checks it for a
// conflict of interest; for a draft save, a check made less than
// ConflictRecheck ago stands (conflictmemo.go).
func (s *Service) loadAssignment(ctx context.Context, actor identity.User, id string, draft bool) (panel.Assignment, int64, error) {
	if actor.Role != identity.RoleExpert || actor.ExpertID == "" {
		return panel.Assignment{}, 0, kedaitong.Errorf(kedaitong.ENotFound, "no assignment %q", id).ZHf("没有评审任务 %q", id)
	}
	a, ver, err := s.panel.LoadVersion(ctx, id)
	if err != nil {
		return a, 0, err
	}
	if a.ExpertID != actor.ExpertID {
		return panel.Assignment{}, 0, kedaitong.Errorf(kedaitong.ENotFound, "no assignment %q", id).ZHf("没有评审任务 %q", id)
	}
	// A conflict of interest declared since the seat was taken ends it
	// here at the latest: no dossier, no scoring.
	if !draft || a.State != panel.StateAccepted || !s.clear.recent(a.ID, a.ExpertID) {
		gen := s.clear.begin()
		if cur, err := s.panel.EndIfConflictedLoaded(ctx, a, ver); err != nil {
			return panel.Assignment{}, 0, err
		} else if cur.State != a.State {
			a, ver = cur, 0
		} else if a.State == panel.StateAccepted {
			s.clear.note(a.ID, a.ExpertID, gen)
		}
	}
	if err := s.unlock(ctx, a); err != nil {
		return panel.Assignment{}, 0, err
	}
	return a, ver, nil
}

func stateConflict(a panel.Assignment) error {
	switch a.State {
	case panel.StateInvited:
		return kedaitong.Errorf(kedaitong.EConflict, "accept the invitation before scoring").ZHf("请先接受邀请再评分")
	case panel.StateSubmitted:
		return kedaitong.Errorf(kedaitong.EConflict, "the score was submitted and is locked").ZHf("评分已提交并锁定")
	}
	if panel.IsConflictEnded(a) {
		return kedaitong.Errorf(kedaitong.EConflict, "the assignment ended: you have a conflict of interest with this application").ZHf("评审任务已终止：您与该贷款申请存在利益冲突")
	}
	return kedaitong.Errorf(kedaitong.EConflict, "the assignment is %s: it can no longer be scored", a.State).ZHf("评审任务当前状态为 %s：已无法评分", a.State)
}

// loadScore reads the score of an assignment, or a new empty one.
func (s *Service) loadScore(ctx context.Context, a panel.Assignment) (Score, int64, error) {
	var sc Score
	var ver int64
	var err error
	if m, mver, missing, ok := takeMemo(ctx, a.ID); ok { // read just before, in this request
		sc, ver = m, mver
		if missing {
			err = kedaitong.Errorf(kedaitong.ENotFound, "no score of %q", a.ID).ZHf("没有 %q 的评分", a.ID)
		}
	} else {
		ver, err = s.scores.Get(ctx, a.ID, &sc)
	}
	if kedaitong.Is(err, kedaitong.ENotFound) {
		app, err := s.review.Load(ctx, a.ApplicationID)
		if err != nil {
			return sc, 0, err
		}
		g, err := s.Guideline(ctx, app.Route)
		if err != nil {
			return sc, 0, err
		}
		now := s.now()
		return Score{AssignmentID: a.ID, ApplicationID: a.ApplicationID, ExpertID: a.ExpertID, Tier: a.Tier,
			GuidelineKey: g.Key, GuidelineVersion: g.Version, Content: Content{Criteria: map[string]int{}, RiskPoints: []string{}},
			State: StateDraft, CreatedAt: now, UpdatedAt: now, UpdatedMS: now.UnixMilli()}, 0, nil
	}
	return sc, ver, err
}

// write stores a draft: inserted (ver 0) or replaced at version ver. It
// returns the new version (an insert stores version 1).
func (s *Service) write(ctx context.Context, id string, ver int64, sc Score) (int64, error) {
	if ver == 0 {
		return 1, s.scores.Insert(ctx, id, sc)
	}
	return s.scores.Replace(ctx, id, ver, sc)
}

// MyScore returns the calling expert's score of its assignment (an empty
// draft before the first save) and the guideline it is made under.
func (s *Service) MyScore(ctx context.Context, actor identity.User, id string) (Score, Guideline, error) {
	a, err := s.assignment(ctx, actor, id)
	if err != nil {
		return Score{}, Guideline{}, err
	}
	sc, _, err := s.loadScore(ctx, a)
	if err != nil {
		return Score{}, Guideline{}, err
	}
	if sc.History, err = s.revisionsOf(ctx, sc); err != nil {
		return Score{}, Guideline{}, err
	}
	g, err := s.GuidelineVersion(ctx, sc.GuidelineKey, sc.GuidelineVersion)
	return sc, g, err
}

// Save stores a draft of the calling expert's score of an accepted
// assignment: the whole draft is replaced by in (fields may be missing;
// every given value must be within the rubric) and the previous revision
// is kept in the score's history (score_revisions). A submitted score is
// locked (409). The answer is the saved score without its history.
func (s *Service) Save(ctx context.Context, actor identity.User, id string, in Input) (Score, error) {
	sc, err := s.save(ctx, actor, id, in, true)
	if errors.Is(err, errStaleLast) { // another write came between: start again from the store
		sc, err = s.save(ctx, actor, id, in, false)
	}
	return sc, err
}

// save is Save; with remembered, the score this process last wrote stands
// for the stored one (lastwritten.go).
func (s *Service) save(ctx context.Context, actor identity.User, id string, in Input, remembered bool) (Score, error) {
	ctx = withScoreMemo(ctx, remembered) // the score is read once (readonce.go)
	a, _, err := s.loadAssignment(ctx, actor, id, true)
	if err != nil {
		return Score{}, err
	}
	if a.State != panel.StateAccepted {
		return Score{}, stateConflict(a)
	}
	for range 10 {
		fromLast := memoFromLast(ctx, a.ID)
		sc, ver, err := s.loadScore(ctx, a)
		if err != nil {
			return Score{}, err
		}
		if sc.State == StateSubmitted {
			return Score{}, kedaitong.Errorf(kedaitong.EConflict, "the score was submitted and is locked").ZHf("评分已提交并锁定")
		}
		g, err := s.GuidelineVersion(ctx, sc.GuidelineKey, sc.GuidelineVersion)
		if err != nil {
			return Score{}, err
		}
		c, err := in.check(g)
		if err != nil {
			return Score{}, err
		}
		if sc.Revision >= MaxRevisions {
			return Score{}, kedaitong.Errorf(kedaitong.EConflict, "this score has %d revisions: submit it", MaxRevisions).ZHf("该评分已修改 %d 次：请提交", MaxRevisions)
		}
		if err := s.keepRevision(ctx, &sc); err != nil {
			return Score{}, err
		}
		now := s.now()
		sc.Content, sc.Revision, sc.UpdatedAt, sc.UpdatedMS = c, sc.Revision+1, now, now.UnixMilli()
		nver, err := s.write(ctx, a.ID, ver, sc)
		if kedaitong.Is(err, kedaitong.EConflict) {
			if fromLast {
				s.last.drop(a.ID)
				return Score{}, errStaleLast
			}
			continue
		}
		if err != nil {
			s.last.drop(a.ID)
			return Score{}, err
		}
		s.last.put(a.ID, sc, nver)
		logged := s.logAsync(ctx, sc)
		s.record(ctx, &actor, "score.save", "assignment", a.ID, "", a.Region, map[string]any{
			"application_id": a.ApplicationID, "revision": sc.Revision, "criteria": len(c.Criteria)})
		// A revision not logged now is logged before the document moves on.
		_ = logged()
		return sc, nil
	}
	return Score{}, kedaitong.Errorf(kedaitong.EConflict, "the score is being saved at the same time; read it again").ZHf("评分正被同时保存，请重新读取")
}

// Submission is the answer to a submit: the locked score. The panel
// closes just after (the closer), not within the submission.
type Submission struct {
	Score
}

// Submit locks the calling expert's score: it must be complete (every
// criterion, a recommendation, a confidence, a comment, risk points and a
// maturity stage). Of two racing submits exactly one wins; the other, and
// every later change, is a conflict. Closing the panel is not done here:
// the submission signals the closer (Closing), which closes the panel at
// once when this was its last seat and builds the report.
func (s *Service) Submit(ctx context.Context, actor identity.User, id string) (Submission, error) {
	return s.submit(ctx, actor, id, nil)
}

// submit locks the score; with shown, only while the score is still that
// revision (checked on the document the version-guarded write replaces).
func (s *Service) submit(ctx context.Context, actor identity.User, id string, shown *int) (Submission, error) {
	a, aver, err := s.assignmentVersion(ctx, actor, id)
	if err != nil {
		return Submission{}, err
	}
	if a.State != panel.StateAccepted {
		return Submission{}, stateConflict(a)
	}
	sc, ver, err := s.loadScore(ctx, a)
	if err != nil {
		return Submission{}, err
	}
	if sc.State == StateSubmitted {
		return Submission{}, kedaitong.Errorf(kedaitong.EConflict, "the score was submitted and is locked").ZHf("评分已提交并锁定")
	}
	if shown != nil && sc.Revision != *shown {
		return Submission{}, changedSinceShown(*shown, sc.Revision)
	}
	g, err := s.GuidelineVersion(ctx, sc.GuidelineKey, sc.GuidelineVersion)
	if err != nil {
		return Submission{}, err
	}
	if ver == 0 {
		return Submission{}, kedaitong.Invalid("criteria", "save a score before submitting it").ZHf("提交前请先保存评分")
	}
	if err := sc.Content.complete(g); err != nil {
		return Submission{}, err
	}
	if err := s.keepRevision(ctx, &sc); err != nil {
		return Submission{}, err
	}
	now := s.now()
	prev := sc
	sc.State, sc.SubmittedAt, sc.Revision, sc.UpdatedAt, sc.UpdatedMS = StateSubmitted, &now, sc.Revision+1, now, now.UnixMilli()
	// The commit point: the locked score. A crash after it is settled by
	// the next read of the assignment (panel.SetSubmitted).
	s.last.drop(a.ID)
	nver, err := s.scores.Replace(ctx, a.ID, ver, sc)
	if kedaitong.Is(err, kedaitong.EConflict) {
		return Submission{}, kedaitong.Wrap(kedaitong.EConflict, err, "the score changed or was submitted at the same time; read it again").ZHf("评分同时被修改或提交了，请重新读取")
	}
	if err != nil {
		return Submission{}, err
	}
	if testHookAfterLock != nil {
		testHookAfterLock()
	}
	// The rest must not be cut short by the caller going away.
	wctx := context.WithoutCancel(ctx)
	logged := s.logAsync(wctx, sc)
	_, err = s.panel.MarkSubmittedAt(wctx, a, aver, now)
	if kedaitong.Is(err, kedaitong.EConflict) { // changed since read (e.g. settled by a reader): read it again
		_, err = s.panel.MarkSubmitted(wctx, a.ID, now)
	}
	if err != nil {
		if cur, lerr := s.panel.Load(wctx, a.ID); lerr == nil && cur.State == panel.StateSubmitted {
			err = nil // a reader settled it first
		}
	}
	if err != nil {
		// The assignment was declined or released meanwhile: the score
		// goes back to a draft (its history keeps the attempt).
		if lerr := logged(); lerr == nil {
			prev.Revision, prev.UpdatedAt, prev.UpdatedMS = sc.Revision+1, now, now.UnixMilli()
			_, _ = s.scores.Replace(wctx, a.ID, nver, prev)
		}
		return Submission{}, err
	}
	_ = logged()
	s.record(ctx, &actor, "score.submit", "assignment", a.ID, "", a.Region, map[string]any{
		"application_id": a.ApplicationID, "revision": sc.Revision, "guideline": versionID(sc.GuidelineKey, sc.GuidelineVersion)})
	s.signal(a.ApplicationID)
	return Submission{Score: sc}, nil
}

// signal tells the closer that an application's panel may close; it never
// blocks (a full buffer drops the signal: the sweep catches up).
func (s *Service) signal(applicationID string) {
	select {
	case s.closing <- applicationID:
	default:
	}
}

// Closing delivers the applications whose panel may close now (a score was
// submitted): the closer (RunCloser) calls TryClose for each.
func (s *Service) Closing() <-chan string { return s.closing }

// Dossier is what an assigned expert reads: the application (the
// enterprise, the loan, the summary, the derived indicators and flags,
// the attachments) and the guideline.
type Dossier struct {
	Assignment  panel.Assignment   `json:"assignment"`
	Application review.Application `json:"application"`
	Guideline   Guideline          `json:"guideline"`
	Score       Score              `json:"score"`
}

// Dossier returns the dossier of the calling expert's accepted (or
// submitted) assignment; an invitation not yet accepted is a conflict.
func (s *Service) Dossier(ctx context.Context, actor identity.User, id string) (Dossier, error) {
	a, err := s.assignment(ctx, actor, id)
	if err != nil {
		return Dossier{}, err
	}
	if a.State != panel.StateAccepted && a.State != panel.StateSubmitted {
		return Dossier{}, stateConflict(a)
	}
	app, err := s.review.Load(ctx, a.ApplicationID)
	if err != nil {
		return Dossier{}, err
	}
	app.History, app.Decision, app.CreatedBy = nil, nil, ""
	if app.Attachments == nil {
		app.Attachments = []review.Attachment{}
	}
	if app.Flags == nil {
		app.Flags = []review.Flag{}
	}
	sc, g, err := s.MyScore(ctx, actor, id)
	if err != nil {
		return Dossier{}, err
	}
	return Dossier{Assignment: a, Application: app, Guideline: g, Score: sc}, nil
}

// OpenAttachment opens a file of the dossier for the assigned expert.
func (s *Service) OpenAttachment(ctx context.Context, actor identity.User, id, attID string) (io.ReadCloser, review.Attachment, error) {
	d, err := s.Dossier(ctx, actor, id)
	if err != nil {
		return nil, review.Attachment{}, err
	}
	for _, att := range d.Application.Attachments {
		if att.ID == attID {
			rc, _, err := s.st.Files().OpenFile(ctx, d.Application.ID+"/"+att.ID)
			return rc, att, err
		}
	}
	return nil, review.Attachment{}, kedaitong.Errorf(kedaitong.ENotFound, "no attachment %q", attID).ZHf("没有附件 %q", attID)
}
