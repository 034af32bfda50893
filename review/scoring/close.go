package scoring

import (
	"context"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"kedaitong"
	"kedaitong/experts"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/review"
	"kedaitong/review/panel"
)

// Stat is a mean and a median, and where calibration applies the
// calibrated mean.
type Stat struct {
	Mean       float64  `json:"mean"`
	Median     float64  `json:"median"`
	Calibrated float64  `json:"calibrated"`
	Percentile *float64 `json:"percentile,omitempty"` // overall only: among the industry's reports of the trailing year
	Spread     float64  `json:"spread"`               // highest minus lowest
}

// CriterionStat is a criterion's statistics with its name and weight.
type CriterionStat struct {
	Stat
	Name   Text    `json:"name"`
	Weight float64 `json:"weight"`
}

// Seat is a panel seat as the report shows it: tier and field, never a
// name.
type Seat struct {
	Tier        string `json:"tier"`
	Field       string `json:"field"`
	Attribution Text   `json:"attribution"` // e.g. "industry expert, semiconductors"
	Adjudicator bool   `json:"adjudicator,omitempty"`
	Calibrated  bool   `json:"calibrated"` // the expert had enough history to be calibrated
}

// Comment is an expert's comment attributed to its seat.
type Comment struct {
	Seat
	Recommendation string `json:"recommendation"`
	Confidence     int    `json:"confidence"`
	MaturityStage  string `json:"maturity_stage"`
	Text           string `json:"text"`
}

// Report is a closed panel's report for the bank.
type Report struct {
	ApplicationID   string                   `json:"application_id"`
	Enterprise      string                   `json:"enterprise"`
	CreditCode      string                   `json:"credit_code"`
	Route           string                   `json:"route"`
	Industry        string                   `json:"industry"`
	LoanAmount      int64                    `json:"loan_amount"`
	Guideline       string                   `json:"guideline"` // key@version
	Overall         Stat                     `json:"overall"`
	Criteria        map[string]CriterionStat `json:"criteria"`
	CriteriaOrder   []string                 `json:"criteria_order"`
	Recommendations map[string]int           `json:"recommendations"`
	MaturityStage   string                   `json:"maturity_stage"`
	MaturityVotes   map[string]int           `json:"maturity_votes"`
	Disagreement    bool                     `json:"disagreement"`
	DisagreementWhy []string                 `json:"disagreement_reasons"`
	Whitelisted     bool                     `json:"whitelisted"`
	Panel           []Seat                   `json:"panel"`
	Comments        []Comment                `json:"comments"`
	RiskPoints      []string                 `json:"risk_points"` // the experts' and the guideline's, merged
	Indicators      []Text                   `json:"monitoring_indicators"`
	GuidelineRisks  []Text                   `json:"guideline_risk_points"`
	Submitted       int                      `json:"submitted"`
	Released        int                      `json:"released"`
	Adjudicated     bool                     `json:"adjudicated"`
	Revision        int                      `json:"revision"`
	ClosedAt        time.Time                `json:"closed_at"`
	Assignments     []string                 `json:"-"` // the submitted assignments it was built from

	BankID   string `json:"bank_id"`
	Region   string `json:"region"`
	City     string `json:"city"`
	ClosedMS int64  `json:"closed_ms"`
}

// stored is the report document: the report and the assignments it was
// built from.
type stored struct {
	Report
	From []string `json:"from"`
	// Finished is set once everything closing does after storing the
	// report is done (the late seats released, the application closed, the
	// calibration data and track records written). A report stored without
	// it is a close cut short: the next TryClose finishes it.
	Finished bool `json:"finished"`
}

// panelScores is a closed panel's overall score by expert.
type panelScores struct {
	ApplicationID string             `json:"application_id"`
	Scores        map[string]float64 `json:"scores"`
	ClosedMS      int64              `json:"closed_ms"`
}

// historyEntry is one submitted overall score of an expert against its
// panel's mean.
type historyEntry struct {
	ExpertID      string  `json:"expert_id"`
	ApplicationID string  `json:"application_id"`
	Overall       float64 `json:"overall"`
	PanelMean     float64 `json:"panel_mean"`
	ClosedMS      int64   `json:"closed_ms"`
}

// industryScores is the trailing year's overall scores of an industry.
type industryScores struct {
	Entries []industryEntry `json:"entries"`
}

type industryEntry struct {
	ApplicationID string  `json:"a"`
	Score         float64 `json:"s"`
	MS            int64   `json:"t"`
}

const year = 365 * 24 * time.Hour

// TryClose closes the application's panel when it may close: every seat
// submitted, or the last review deadline passed with a quorum. It builds
// and stores the report, releases the late seats, closes the application
// and records the experts' deviations. On a closed application whose
// adjudicator has submitted since, it rebuilds the report. It reports
// whether it closed (or revised) the panel now.
func (s *Service) TryClose(ctx context.Context, applicationID string) (bool, error) {
	app, err := s.review.Load(ctx, applicationID)
	if err != nil {
		return false, err
	}
	if app.State != review.StateInReview && app.State != review.StateClosed {
		return false, nil
	}
	p, seats, err := s.panel.Seats(ctx, applicationID)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var done []panel.Assignment
	pending, latest := 0, time.Time{}
	for _, a := range seats {
		switch a.State {
		case panel.StateSubmitted:
			done = append(done, a)
		case panel.StateInvited, panel.StateAccepted:
			pending++
		}
		if a.Due.After(latest) {
			latest = a.Due
		}
	}
	var prev stored
	prevVer, err := s.reports.Get(ctx, applicationID, &prev)
	if err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
		return false, err
	}
	if prevVer != 0 {
		if !prev.Finished || app.State == review.StateInReview { // closing was interrupted
			if prevVer, err = s.resume(ctx, app, prev, prevVer); err != nil {
				return false, err
			}
			prev.Finished = true
		}
		if len(done) <= len(prev.From) {
			return false, nil
		}
		// An adjudicator submitted after the close: revise the report.
		return s.build(ctx, app, p, done, 0, &prev, prevVer)
	}
	if app.State != review.StateInReview || len(done) == 0 {
		return false, nil
	}
	total := 0
	for _, n := range p.Seats {
		total += n
	}
	quorum := min(s.opts.Quorum, max(total, 1))
	now := s.now()
	all := pending == 0 && p.Open == 0
	atDeadline := len(done) >= quorum && !latest.IsZero() && !now.Before(latest)
	if !all && !atDeadline {
		return false, nil
	}
	return s.build(ctx, app, p, done, pending, nil, 0)
}

// build aggregates the submitted scores into the report and stores it (a
// new report, or a revision of prev).
func (s *Service) build(ctx context.Context, app review.Application, p panel.Panel, done []panel.Assignment, pending int, prev *stored, prevVer int64) (bool, error) {
	now := s.now()
	scores := make([]Score, 0, len(done))
	for _, a := range done {
		var sc Score
		if _, err := s.scores.Get(ctx, a.ID, &sc); err != nil {
			return false, err
		}
		if sc.State != StateSubmitted {
			continue
		}
		scores = append(scores, sc)
	}
	if len(scores) == 0 {
		return false, nil
	}
	g, err := s.GuidelineVersion(ctx, scores[0].GuidelineKey, scores[0].GuidelineVersion)
	if err != nil {
		return false, err
	}
	var experts []string
	for _, sc := range scores {
		experts = append(experts, sc.ExpertID)
	}
	offsets, err := s.offsets(ctx, experts, app.ID)
	if err != nil {
		return false, err
	}
	r := aggregate(g, scores, offsets)
	r.ApplicationID, r.Enterprise, r.CreditCode, r.Route, r.Industry = app.ID, app.Enterprise.Name, app.CreditCode, app.Route, app.Industry
	r.LoanAmount = app.Loan.Amount
	r.BankID, r.Region, r.City = app.BankID, app.Region, app.City
	r.ClosedAt, r.ClosedMS, r.Revision = now, now.UnixMilli(), 1
	for i, sc := range scores {
		seat := s.seat(ctx, sc, app)
		seat.Adjudicator = p.Adjudicator == sc.AssignmentID
		seat.Calibrated = offsets[sc.ExpertID].ok
		r.Panel[i] = seat
		r.Comments[i].Seat = seat
		r.Adjudicated = r.Adjudicated || seat.Adjudicator
	}
	from := make([]string, 0, len(scores))
	for _, sc := range scores {
		from = append(from, sc.AssignmentID)
	}
	doc := stored{Report: r, From: from}
	if prev != nil {
		doc.ClosedAt, doc.ClosedMS, doc.Released = prev.ClosedAt, prev.ClosedMS, prev.Released
		doc.Revision = prev.Revision + 1
		if _, err := s.reports.Replace(ctx, app.ID, prevVer, doc); err != nil {
			if kedaitong.Is(err, kedaitong.EConflict) {
				return false, nil
			}
			return false, err
		}
	} else {
		doc.Overall.Percentile, err = s.percentile(ctx, app.Industry, app.ID, r.Overall.Calibrated, now)
		if err != nil {
			return false, err
		}
		doc.Released = pending
		if err := s.reports.Insert(ctx, app.ID, doc); err != nil {
			if kedaitong.Is(err, kedaitong.EConflict) {
				return false, nil // another closer won
			}
			return false, err
		}
		if testHookAfterReport != nil {
			testHookAfterReport()
		}
	}
	byID := map[string]panel.Assignment{}
	for _, a := range done {
		byID[a.ID] = a
	}
	action := "report.issue"
	if prev != nil {
		action = "report.revise"
	}
	if err := s.followUp(ctx, app, doc, scores, g, byID, prev != nil, action); err != nil {
		return true, err
	}
	return true, s.finish(ctx, app.ID)
}

// resume finishes a close cut short after its report was stored.
func (s *Service) resume(ctx context.Context, app review.Application, doc stored, ver int64) (int64, error) {
	scores := make([]Score, 0, len(doc.From))
	byID := map[string]panel.Assignment{}
	for _, id := range doc.From {
		var sc Score
		if _, err := s.scores.Get(ctx, id, &sc); err != nil {
			return ver, err
		}
		scores = append(scores, sc)
		if a, err := s.panel.Load(ctx, id); err == nil {
			byID[id] = a
		}
	}
	if len(scores) > 0 {
		g, err := s.GuidelineVersion(ctx, scores[0].GuidelineKey, scores[0].GuidelineVersion)
		if err != nil {
			return ver, err
		}
		if err := s.followUp(ctx, app, doc, scores, g, byID, doc.Revision > 1, "report.finish"); err != nil {
			return ver, err
		}
	}
	if err := s.finish(ctx, app.ID); err != nil {
		return ver, err
	}
	var cur stored
	return s.reports.Get(ctx, app.ID, &cur)
}

// finish marks the report finished (stored).
func (s *Service) finish(ctx context.Context, applicationID string) error {
	for range 5 {
		var d stored
		ver, err := s.reports.Get(ctx, applicationID, &d)
		if err != nil || d.Finished {
			return err
		}
		d.Finished = true
		if _, err = s.reports.Replace(ctx, applicationID, ver, d); !kedaitong.Is(err, kedaitong.EConflict) {
			return err
		}
	}
	return nil
}

// followUp is what closing does after the report is stored; every step is
// idempotent, so a close cut short is finished by running it again: the
// late seats are released and the application closed, the panel's scores
// kept for calibration, and for each score not yet in its expert's history
// the history entry written first, then the track record counted (a crash
// between the two loses that count rather than counting it twice).
func (s *Service) followUp(ctx context.Context, app review.Application, doc stored, scores []Score, g Guideline, byID map[string]panel.Assignment, revision bool, action string) error {
	ctx = context.WithoutCancel(ctx) // once the report is stored, finish
	if !revision {
		if _, err := s.panel.Release(ctx, app.ID); err != nil {
			return err
		}
		if _, err := s.review.Close(ctx, app.ID, "report:"+app.ID); err != nil && !kedaitong.Is(err, kedaitong.EConflict) {
			return err
		}
	}
	ps := panelScores{ApplicationID: app.ID, Scores: map[string]float64{}, ClosedMS: doc.ClosedMS}
	for _, sc := range scores {
		ps.Scores[sc.ExpertID] = overallOf(g, sc)
	}
	var old panelScores
	psVer, err := s.panelScores.Get(ctx, app.ID, &old)
	if err == nil {
		_, err = s.panelScores.Replace(ctx, app.ID, psVer, ps)
	} else if kedaitong.Is(err, kedaitong.ENotFound) {
		err = s.panelScores.Insert(ctx, app.ID, ps)
	}
	if err != nil && !kedaitong.Is(err, kedaitong.EConflict) {
		return err
	}
	for _, sc := range scores {
		o := ps.Scores[sc.ExpertID]
		h := historyEntry{ExpertID: sc.ExpertID, ApplicationID: app.ID, Overall: o, PanelMean: doc.Overall.Mean, ClosedMS: doc.ClosedMS}
		if err := s.history.Insert(ctx, sc.ExpertID+"/"+app.ID, h); kedaitong.Is(err, kedaitong.EConflict) {
			continue // recorded before
		} else if err != nil {
			return err
		}
		if a, ok := byID[sc.AssignmentID]; ok && a.RespondedAt != nil && sc.SubmittedAt != nil {
			days := max(0, sc.SubmittedAt.Sub(*a.RespondedAt).Hours()/24)
			if err := s.experts.RecordSubmission(ctx, sc.ExpertID, math.Min(days, 3650), !sc.SubmittedAt.After(a.Due)); err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
				return err
			}
		}
		if err := s.experts.RecordDeviation(ctx, sc.ExpertID, o-doc.Overall.Mean); err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
			return err
		}
	}
	s.record(ctx, nil, action, "application", app.ID, app.BankID, app.Region, map[string]any{
		"submitted": len(scores), "released": doc.Released, "overall": doc.Overall.Mean, "disagreement": doc.Disagreement, "revision": doc.Revision})
	return nil
}

// overallOf is an expert's weighted overall score.
func overallOf(g Guideline, sc Score) float64 {
	sum, w := 0.0, 0.0
	for _, c := range g.Criteria {
		if v, ok := sc.Criteria[c.ID]; ok {
			sum += c.Weight * float64(v)
			w += c.Weight
		}
	}
	if w == 0 {
		return 0
	}
	return sum / w
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	ys := slices.Clone(xs)
	sort.Float64s(ys)
	n := len(ys)
	if n%2 == 1 {
		return ys[n/2]
	}
	return (ys[n/2-1] + ys[n/2]) / 2
}

func stat(raw, cal []float64) Stat {
	lo, hi := slices.Min(raw), slices.Max(raw)
	return Stat{Mean: round2(mean(raw)), Median: round2(median(raw)), Calibrated: round2(min(Max, max(Min, mean(cal)))), Spread: round2(hi - lo)}
}

// DisagreementSpread is the span of overall scores that flags disagreement.
const DisagreementSpread = 3.0

// aggregate computes the report's figures from the submitted scores (the
// seats are filled in by the caller, in the same order as scores).
func aggregate(g Guideline, scores []Score, offsets map[string]offset) Report {
	r := Report{Guideline: versionID(g.Key, g.Version), Criteria: map[string]CriterionStat{},
		Recommendations: map[string]int{Support: 0, SupportWithCondition: 0, DoNotSupport: 0},
		MaturityVotes:   map[string]int{}, DisagreementWhy: []string{}, Panel: make([]Seat, len(scores)),
		Comments: make([]Comment, len(scores)), RiskPoints: []string{}, Indicators: g.Indicators, GuidelineRisks: g.RiskPoints,
		Submitted: len(scores)}
	var overall, overallCal []float64
	for _, sc := range scores {
		o := overallOf(g, sc)
		overall = append(overall, o)
		overallCal = append(overallCal, o-offsets[sc.ExpertID].b)
	}
	r.Overall = stat(overall, overallCal)
	for _, c := range g.Criteria {
		var raw, cal []float64
		for _, sc := range scores {
			if v, ok := sc.Criteria[c.ID]; ok {
				raw = append(raw, float64(v))
				cal = append(cal, float64(v)-offsets[sc.ExpertID].b)
			}
		}
		if len(raw) == 0 {
			continue
		}
		r.Criteria[c.ID] = CriterionStat{Stat: stat(raw, cal), Name: c.Name, Weight: c.Weight}
		r.CriteriaOrder = append(r.CriteriaOrder, c.ID)
	}
	seen := map[string]bool{}
	for i, sc := range scores {
		r.Recommendations[sc.Recommendation]++
		r.MaturityVotes[sc.MaturityStage]++
		r.Comments[i] = Comment{Recommendation: sc.Recommendation, Confidence: sc.Confidence, MaturityStage: sc.MaturityStage, Text: sc.Comment}
		for _, rp := range sc.RiskPoints {
			k := strings.ToLower(strings.Join(strings.Fields(rp), ""))
			if !seen[k] {
				seen[k] = true
				r.RiskPoints = append(r.RiskPoints, rp)
			}
		}
	}
	// Consensus maturity: the most votes; a tie goes to the less mature.
	best := ""
	for _, m := range review.Maturities {
		if r.MaturityVotes[m] > r.MaturityVotes[best] || best == "" && r.MaturityVotes[m] > 0 {
			best = m
		}
	}
	r.MaturityStage = best
	if r.Overall.Spread >= DisagreementSpread {
		r.Disagreement = true
		r.DisagreementWhy = append(r.DisagreementWhy, "spread")
	}
	if r.Recommendations[Support] > 0 && r.Recommendations[DoNotSupport] > 0 {
		r.Disagreement = true
		r.DisagreementWhy = append(r.DisagreementWhy, "recommendations")
	}
	return r
}

// seat describes an expert's seat by tier and the field it reviews from:
// the application's route or industry when the expert works on it, else
// its primary field.
func (s *Service) seat(ctx context.Context, sc Score, app review.Application) Seat {
	field := ""
	if e, err := s.experts.Profile(ctx, sc.ExpertID); err == nil {
		for _, f := range e.Fields {
			if f == app.Route {
				field = f
				break
			}
		}
		if field == "" {
			for _, f := range e.Fields {
				if f == app.Industry || s.tax.IndustryOf(f) == app.Industry {
					field = app.Industry
					break
				}
			}
		}
		if field == "" && len(e.Fields) > 0 {
			field = e.Fields[0]
		}
	}
	if field == "" {
		field = app.Industry
	}
	return Seat{Tier: sc.Tier, Field: field, Attribution: s.Attribution(sc.Tier, field)}
}

var tierNames = map[string]Text{
	experts.TierAcademician: {ZH: "院士专家", EN: "academician"},
	experts.TierIndustry:    {ZH: "产业技术专家", EN: "industry expert"},
	experts.TierFinance:     {ZH: "科技金融专家", EN: "sci-tech finance expert"},
}

// Attribution names a seat as the report shows it: "industry expert,
// semiconductors" (产业技术专家，半导体).
func (s *Service) Attribution(tier, field string) Text {
	t, ok := tierNames[tier]
	if !ok {
		t = Text{ZH: tier, EN: tier}
	}
	var name Text
	if r, ok := s.tax.Route(field); ok {
		name = Text{ZH: r.Name.ZH, EN: r.Name.EN}
	} else if ind, ok := s.tax.Industry(field); ok {
		name = Text{ZH: ind.Name.ZH, EN: ind.Name.EN}
	} else {
		name = Text{ZH: field, EN: field}
	}
	return Text{ZH: t.ZH + "，" + name.ZH, EN: t.EN + ", " + lowerFirstWord(name.EN)}
}

// percentile places score among the industry's overall scores of the
// trailing year and adds it; nil when there is nothing to compare with.
func (s *Service) percentile(ctx context.Context, industry, appID string, score float64, now time.Time) (*float64, error) {
	var out *float64
	for range 20 {
		var d industryScores
		ver, err := s.industryScores.Get(ctx, industry, &d)
		if err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
			return nil, err
		}
		cut := now.Add(-year).UnixMilli()
		kept := d.Entries[:0]
		below, equal, n := 0, 0, 0
		for _, e := range d.Entries {
			if e.MS < cut || e.ApplicationID == appID {
				continue
			}
			kept = append(kept, e)
			n++
			switch {
			case e.Score < score:
				below++
			case e.Score == score:
				equal++
			}
		}
		out = nil
		if n > 0 {
			p := math.Round(1000*(float64(below)+0.5*float64(equal))/float64(n)) / 10
			out = &p
		}
		d.Entries = append(kept, industryEntry{ApplicationID: appID, Score: round2(score), MS: now.UnixMilli()})
		if len(d.Entries) > 5000 {
			d.Entries = d.Entries[len(d.Entries)-5000:]
		}
		if ver == 0 {
			err = s.industryScores.Insert(ctx, industry, d)
		} else {
			_, err = s.industryScores.Replace(ctx, industry, ver, d)
		}
		if kedaitong.Is(err, kedaitong.EConflict) {
			continue
		}
		return out, err
	}
	return out, nil
}

// offset is an expert's estimated habitual leniency (positive) or severity
// (negative), applied only when ok (enough history).
type offset struct {
	b  float64
	n  int
	ok bool
}

// HistoryLimit bounds the past reviews of each expert that calibration
// reads.
const HistoryLimit = 100

// offsets estimates the panel's experts' offsets by least squares over
// their histories: the additive model score = application effect + expert
// offset, solved by alternating least squares on the experts' past panels
// (all their members' scores), with a small shrinkage towards 0 and the
// offsets centred. The current application is left out.
func (s *Service) offsets(ctx context.Context, expertIDs []string, current string) (map[string]offset, error) {
	type obs struct {
		e, a string
		v    float64
	}
	var data []obs
	seenApp := map[string]bool{current: true}
	hist := map[string]int{}
	for _, id := range expertIDs {
		page, err := s.history.Find(ctx, store.Query{Eq: map[string]any{"expert_id": id}, Sort: "closed_ms", Desc: true, Limit: HistoryLimit})
		if err != nil {
			return nil, err
		}
		for _, d := range page.Docs {
			var h historyEntry
			if err := d.Decode(&h); err != nil {
				return nil, err
			}
			if h.ApplicationID == current {
				continue
			}
			hist[id]++
			if seenApp[h.ApplicationID] {
				continue
			}
			seenApp[h.ApplicationID] = true
			var ps panelScores
			if _, err := s.panelScores.Get(ctx, h.ApplicationID, &ps); err != nil {
				if kedaitong.Is(err, kedaitong.ENotFound) {
					continue
				}
				return nil, err
			}
			for e, v := range ps.Scores {
				data = append(data, obs{e, ps.ApplicationID, v})
			}
		}
	}
	out := map[string]offset{}
	if len(data) == 0 {
		return out, nil
	}
	b, a := map[string]float64{}, map[string]float64{}
	const lambda = 1.0
	for range 25 {
		sum, cnt := map[string]float64{}, map[string]float64{}
		for _, o := range data {
			sum[o.a] += o.v - b[o.e]
			cnt[o.a]++
		}
		for k := range sum {
			a[k] = sum[k] / cnt[k]
		}
		sum, cnt = map[string]float64{}, map[string]float64{}
		for _, o := range data {
			sum[o.e] += o.v - a[o.a]
			cnt[o.e]++
		}
		total := 0.0
		for k := range sum {
			b[k] = sum[k] / (cnt[k] + lambda)
			total += b[k]
		}
		c := total / float64(len(sum))
		for k := range b {
			b[k] -= c
		}
	}
	for _, id := range expertIDs {
		o := offset{b: b[id], n: hist[id]}
		o.ok = o.n >= s.opts.MinHistory
		if !o.ok {
			o.b = 0
		}
		out[id] = o
	}
	return out, nil
}

// CloseDue closes the panels whose last review deadline has passed with a
// quorum; it returns how many closed.
func (s *Service) CloseDue(ctx context.Context) (int, error) {
	ids, err := s.panel.Overdue(ctx, s.now())
	if err != nil {
		return 0, err
	}
	return s.closeAll(ctx, ids)
}

// SweepLimit bounds the submitted scores one CloseSubmitted reads.
const SweepLimit = 500

// CloseSubmitted closes the panels of the applications with a score
// submitted since since whose panel may close (every seat submitted): the
// safety net for the closer's signals lost to a crash or a full buffer,
// and for panels closed by another server. It returns how many closed.
func (s *Service) CloseSubmitted(ctx context.Context, since time.Time) (int, error) {
	page, err := s.scores.Find(ctx, submittedSince(since))
	if err != nil {
		return 0, err
	}
	var ids []string
	for _, d := range page.Docs {
		var sc struct {
			ApplicationID string `json:"application_id"`
		}
		if err := d.Decode(&sc); err != nil {
			return 0, err
		}
		if !slices.Contains(ids, sc.ApplicationID) {
			ids = append(ids, sc.ApplicationID)
		}
	}
	return s.closeAll(ctx, ids)
}

func submittedSince(since time.Time) store.Query {
	return store.Query{Eq: map[string]any{"state": StateSubmitted}, Range: &store.Range{Field: "updated_ms", Gte: since.UnixMilli()},
		Sort: "updated_ms", Desc: true, Limit: SweepLimit}
}

func (s *Service) closeAll(ctx context.Context, ids []string) (int, error) {
	n := 0
	for _, id := range ids {
		ok, err := s.TryClose(ctx, id)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// Get returns the report of an application to whoever may read the
// application's report: its bank, officials of its region and admins.
// Before the panel has closed it is a conflict.
func (s *Service) Get(ctx context.Context, actor identity.User, applicationID string) (Report, error) {
	if actor.Role != identity.RoleAdmin && actor.Role != identity.RoleOfficial && !identity.IsBankRole(actor.Role) {
		return Report{}, kedaitong.Errorf(kedaitong.ENotFound, "no application %q", applicationID).ZHf("没有贷款申请 %q", applicationID)
	}
	v, err := s.review.Get(ctx, actor, applicationID)
	if err != nil {
		return Report{}, err
	}
	var d stored
	_, err = s.reports.Get(ctx, applicationID, &d)
	if kedaitong.Is(err, kedaitong.ENotFound) && v.State == review.StateInReview {
		// The closer may not have run yet after the last submission:
		// close here (TryClose is idempotent) rather than answer 409.
		if ok, cerr := s.TryClose(ctx, applicationID); cerr == nil && ok {
			_, err = s.reports.Get(ctx, applicationID, &d)
		}
	} else if err == nil && d.Disagreement && !d.Adjudicated {
		// Likewise an adjudicator's submission not yet in the report.
		if ok, cerr := s.TryClose(ctx, applicationID); cerr == nil && ok {
			_, err = s.reports.Get(ctx, applicationID, &d)
		}
	}
	if err != nil {
		if kedaitong.Is(err, kedaitong.ENotFound) {
			return Report{}, kedaitong.Errorf(kedaitong.EConflict, "the application is %s: its panel has not closed, so there is no report yet", v.State).ZHf("贷款申请当前状态为 %s：评审组尚未结束，还没有评审报告", v.State)
		}
		return Report{}, err
	}
	d.Whitelisted = v.Whitelisted
	return d.Report, nil
}

// lowerFirstWord lower-cases a field name's first letter for use inside a
// sentence ("Solid-state batteries" → "solid-state batteries") but keeps
// acronyms as they are ("IC design", "AI chips").
func lowerFirstWord(s string) string {
	w, _, _ := strings.Cut(s, " ")
	if len(w) > 1 && strings.ToUpper(w[:2]) == w[:2] {
		return s // an acronym
	}
	return strings.ToLower(s[:min(1, len(s))]) + s[min(1, len(s)):]
}
