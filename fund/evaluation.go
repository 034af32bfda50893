package fund

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store"
)

// Evaluation states and findings.
const (
	EvalOpen   = "open"
	EvalClosed = "closed"

	FindingRouteFailure    = "route_failure"
	FindingNotRouteFailure = "not_route_failure"
)

// Evaluation is a third-party technical evaluation of a defaulted loan.
type Evaluation struct {
	ID         string  `json:"id"`
	LoanID     string  `json:"loan_id"`
	FundID     string  `json:"fund_id"`
	BankID     string  `json:"bank_id"`
	Region     string  `json:"region"`
	Route      string  `json:"route"`
	Enterprise string  `json:"enterprise"`
	CreditCode string  `json:"credit_code"`
	State      string  `json:"state"`
	Finding    *string `json:"finding"`
	Answers    int     `json:"answers"`       // submitted answers when closed
	Failures   int     `json:"route_failure"` // of which said route failure
	OrderedBy  string  `json:"ordered_by"`
	// Replacements counts the experts invited in place of seats declined
	// or expired (its version guards replacements).
	Replacements int `json:"replacements"`
	// Pending lists the seats decided but perhaps not yet written (an
	// order's first seats, a replacement); Setup is "pending" while any is
	// or while the loan may not name the evaluation yet. Repair finishes
	// them (seat ids are chosen before, so writing one twice is a no-op).
	Pending   []PlannedSeat `json:"pending_seats,omitempty"`
	Setup     string        `json:"setup,omitempty"`
	CreatedMS int64         `json:"created_ms"`
	CreatedAt time.Time     `json:"created_at"`
	ClosedAt  *time.Time    `json:"closed_at,omitempty"`
	// PendingAudits keeps the audit entry of a change whose commit point
	// is the evaluation's write (its order, a replacement, its close)
	// until it is written.
	PendingAudits
}

// PlannedSeat is a seat decided before it is written.
type PlannedSeat struct {
	SeatID   string    `json:"seat_id"`
	ExpertID string    `json:"expert_id"`
	Tier     string    `json:"tier"`
	At       time.Time `json:"at"`
}

// SetupPending marks an evaluation whose seats or loan link are not all written.
const SetupPending = "pending"

var evalIDRE = regexp.MustCompile(`^evl-[0-9a-f]{16}$`)

func evalNotFound(id string) error {
	return kedaitong.Errorf(kedaitong.ENotFound, "no technical evaluation %q", id).ZHf("没有技术评估 %q", id)
}

func (s *Service) loadEvaluation(ctx context.Context, id string) (Evaluation, int64, error) {
	var e Evaluation
	if !evalIDRE.MatchString(id) {
		return e, 0, evalNotFound(id)
	}
	ver, err := s.evals.Get(ctx, id, &e)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		return e, 0, evalNotFound(id)
	}
	return e, ver, err
}

// routeFailure reports whether the evaluation closed finding route failure.
func (s *Service) routeFailure(ctx context.Context, id string) bool {
	e, _, err := s.loadEvaluation(ctx, id)
	return err == nil && e.State == EvalClosed && e.Finding != nil && *e.Finding == FindingRouteFailure
}

// GetEvaluation returns an evaluation to the owning bank, officials of its
// region and admins.
func (s *Service) GetEvaluation(ctx context.Context, actor identity.User, id string) (Evaluation, error) {
	e, _, err := s.loadEvaluation(ctx, id)
	if err != nil {
		return Evaluation{}, err
	}
	if !identity.MaySee(actor, e.BankID, e.Region) {
		return Evaluation{}, evalNotFound(id)
	}
	return e, nil
}

// EvaluationOf returns an evaluation without access checks (panels).
func (s *Service) EvaluationOf(ctx context.Context, id string) (Evaluation, error) {
	e, _, err := s.loadEvaluation(ctx, id)
	return e, err
}

// OrderEvaluation orders a technical evaluation of a non-performing loan
// (officials of the pool's region, admins): a panel of experts on the
// loan's route. One per loan. The evaluation's insert carries the audit
// entry pending (written after the setup, or by Repair).
func (s *Service) OrderEvaluation(ctx context.Context, actor identity.User, loanID string) (Evaluation, error) {
	l, _, err := s.loadLoan(ctx, loanID)
	if err != nil {
		return Evaluation{}, err
	}
	p, _, err := s.loadPool(ctx, l.FundID)
	if err != nil {
		return Evaluation{}, err
	}
	if !mayActOnPool(actor, &p) {
		if MaySeeLoan(actor, &l) {
			return Evaluation{}, forbidden("only officials of the fund's region order technical evaluations", "只有资金池所在地区的政府用户可以发起技术评估")
		}
		return Evaluation{}, loanNotFound(loanID)
	}
	if l.State != LoanNonPerforming {
		return Evaluation{}, kedaitong.Errorf(kedaitong.EConflict, "the loan is %s: technical evaluations are for non-performing loans", l.State).ZHf("贷款当前状态为 %s：只有不良贷款可以进行技术评估", stateZH(l.State))
	}
	if l.EvaluationID != "" {
		return Evaluation{}, kedaitong.Errorf(kedaitong.EConflict, "the loan has a technical evaluation already (%s)", l.EvaluationID).ZHf("该贷款已有技术评估（%s）", l.EvaluationID)
	}
	// The evaluation is written first with the seats it will invite (its
	// id is the loan's: one per loan); then the loan names it and the
	// seats are written; the last write clears the pending mark. Repair
	// finishes an order a crash cut short.
	now := s.now()
	e := Evaluation{ID: "evl-" + strings.TrimPrefix(l.ID, "loan-"), LoanID: l.ID, FundID: l.FundID, BankID: l.BankID,
		Region: l.Region, Route: l.Enterprise.Route, Enterprise: l.Enterprise.Name, CreditCode: l.CreditCode,
		State: EvalOpen, OrderedBy: actor.ID, CreatedAt: now, CreatedMS: now.UnixMilli(), Setup: SetupPending}
	// The audit entry rides in the evaluation's insert (the commit point).
	note := s.auditIntent(actor, "evaluation.order", "evaluation", e.ID, e.BankID, e.Region, map[string]any{"loan_id": l.ID, "route": e.Route})
	note.At = now
	e.addAudit(note)
	if prev, _, err := s.loadEvaluation(ctx, e.ID); err == nil {
		if prev.Setup != SetupPending {
			return Evaluation{}, kedaitong.Errorf(kedaitong.EConflict, "the loan has a technical evaluation already").ZHf("该贷款已有技术评估")
		}
		// An order a crash cut short: finish it; its entry, pending in it,
		// is Repair's to write (claimed, so written once).
		e, note = prev, Intent{}
	} else if !kedaitong.Is(err, kedaitong.ENotFound) {
		return Evaluation{}, err
	} else {
		if s.finder != nil {
			ids, tiers, err := s.finder(ctx, e.Route, e.BankID, e.CreditCode, EvaluationSeats)
			if err != nil {
				return Evaluation{}, err
			}
			for i, x := range ids {
				e.Pending = append(e.Pending, PlannedSeat{SeatID: newID("evs-"), ExpertID: x, Tier: tiers[i], At: now})
			}
		}
		if err := s.evals.Insert(ctx, e.ID, e); err != nil {
			if kedaitong.Is(err, kedaitong.EConflict) {
				return Evaluation{}, kedaitong.Errorf(kedaitong.EConflict, "the loan has a technical evaluation already").ZHf("该贷款已有技术评估")
			}
			return Evaluation{}, err
		}
	}
	if s.crashed("evaluation") {
		return Evaluation{}, errCrashed
	}
	e, err = s.finishSetup(ctx, e.ID)
	if err != nil {
		return Evaluation{}, err
	}
	if note.Audit != nil {
		finishAudit[Evaluation](ctx, s, s.evals, e.ID, note)
	}
	e.PendingAudits = PendingAudits{}
	return e, nil
}

// finishSetup writes what an evaluation's pending mark says is not
// written yet: the loan's link, the planned seats (each once), then clears
// the mark. The invited experts are notified of the seats it wrote.
func (s *Service) finishSetup(ctx context.Context, id string) (Evaluation, error) {
	ctx = context.WithoutCancel(ctx)
	e, _, err := s.loadEvaluation(ctx, id)
	if err != nil || e.Setup != SetupPending {
		return e, err
	}
	var l Loan
	for i := 0; ; i++ {
		var ver int64
		if l, ver, err = s.loadLoan(ctx, e.LoanID); err != nil {
			return e, err
		}
		if l.EvaluationID == e.ID {
			break
		}
		if i == retries {
			return e, kedaitong.Errorf(kedaitong.EConflict, "the loan is busy; try again").ZHf("贷款正被修改，请重试")
		}
		l.EvaluationID, l.UpdatedAt = e.ID, s.now()
		if _, err = s.loans.Replace(ctx, l.ID, ver, l); err == nil {
			break
		} else if !kedaitong.Is(err, kedaitong.EConflict) {
			return e, err
		}
	}
	var wrote []string
	for _, ps := range e.Pending {
		ok, err := s.seat(ctx, e, &l, ps)
		if err != nil {
			return e, err
		}
		if ok {
			wrote = append(wrote, ps.ExpertID)
		}
	}
	done := map[string]bool{}
	for _, ps := range e.Pending {
		done[ps.SeatID] = true
	}
	for range retries {
		cur, ver, err := s.loadEvaluation(ctx, id)
		if err != nil {
			return e, err
		}
		cur.Pending = slices.DeleteFunc(cur.Pending, func(ps PlannedSeat) bool { return done[ps.SeatID] })
		if len(cur.Pending) == 0 {
			cur.Pending, cur.Setup = nil, ""
		}
		if _, err := s.evals.Replace(ctx, id, ver, cur); err == nil {
			e = cur
			break
		} else if !kedaitong.Is(err, kedaitong.EConflict) {
			return e, err
		}
	}
	s.notifyInvited(ctx, e, wrote)
	return e, nil
}

// repairEvaluations finishes evaluations whose setup a crash cut short
// (older than cutoff), and moves on open evaluations left without an open
// seat: a replacement when fewer than EvaluationSeats answered, else the
// close. It answers how many it settled.
func (s *Service) repairEvaluations(ctx context.Context, cutoff time.Time) (int, error) {
	n := 0
	page, err := s.evals.Find(ctx, store.Query{Eq: map[string]any{"setup": SetupPending}, Sort: "created_ms", Limit: 200})
	if err != nil {
		return n, err
	}
	for _, d := range page.Docs {
		var e Evaluation
		if err := d.Decode(&e); err != nil {
			return n, err
		}
		young := e.CreatedAt.After(cutoff)
		for _, ps := range e.Pending {
			young = young || ps.At.After(cutoff)
		}
		if young {
			continue
		}
		if _, err := s.finishSetup(ctx, e.ID); err != nil {
			return n, err
		}
		s.record(ctx, nil, "evaluation.repair_commit", "evaluation", e.ID, e.BankID, e.Region, map[string]any{"loan_id": e.LoanID, "seats": len(e.Pending)})
		n++
	}
	page, err = s.evals.Find(ctx, store.Query{Eq: map[string]any{"state": EvalOpen}, Sort: "created_ms", Limit: 500})
	if err != nil {
		return n, err
	}
	for _, d := range page.Docs {
		var e Evaluation
		if err := d.Decode(&e); err != nil {
			return n, err
		}
		if e.Setup == SetupPending || e.CreatedAt.After(cutoff) {
			continue
		}
		seats, err := s.seatsOf(ctx, e.ID)
		if err != nil {
			return n, err
		}
		open, answered, lost := 0, 0, 0
		for _, x := range seats {
			switch x.State {
			case SeatInvited, SeatAccepted:
				open++
			case SeatSubmitted:
				answered++
			default:
				lost++
			}
		}
		if open > 0 || answered+lost == 0 {
			continue
		}
		if answered >= EvaluationSeats {
			err = s.maybeConclude(ctx, e.ID)
		} else {
			err = s.afterSeatLost(ctx, e.ID)
		}
		if err != nil {
			return n, err
		}
		if cur, _, err := s.loadEvaluation(ctx, e.ID); err == nil && (cur.State != EvalOpen || cur.Replacements != e.Replacements) {
			n++
		}
	}
	return n, nil
}

// Conclude closes an evaluation with the submitted answers (true: the loss
// was caused by the failure of the technical route). The finding is
// route_failure when more than half say so. Closing twice changes nothing.
// The close's write carries its audit entry pending (written next, or by
// Repair).
func (s *Service) Conclude(ctx context.Context, id string, answers []bool) (Evaluation, error) {
	for i := 0; i < retries; i++ {
		e, ver, err := s.loadEvaluation(ctx, id)
		if err != nil {
			return Evaluation{}, err
		}
		if e.State == EvalClosed || len(e.Pending) > 0 {
			return e, nil // closed already, or seats still to be written
		}
		yes := 0
		for _, a := range answers {
			if a {
				yes++
			}
		}
		f := FindingNotRouteFailure
		if 2*yes > len(answers) {
			f = FindingRouteFailure
		}
		now := s.now()
		e.State, e.Finding, e.Answers, e.Failures, e.ClosedAt = EvalClosed, &f, len(answers), yes, &now
		note := s.auditIntent(identity.User{}, "evaluation.close", "evaluation", e.ID, e.BankID, e.Region,
			map[string]any{"finding": f, "answers": len(answers), "route_failure": yes})
		e.addAudit(note)
		if _, err := s.evals.Replace(ctx, id, ver, e); err != nil {
			if kedaitong.Is(err, kedaitong.EConflict) {
				continue
			}
			return Evaluation{}, err
		}
		if s.crashed("evaluation_close") {
			return Evaluation{}, errCrashed
		}
		finishAudit[Evaluation](ctx, s, s.evals, e.ID, note)
		e.PendingAudits = PendingAudits{}
		return e, nil
	}
	return Evaluation{}, kedaitong.Errorf(kedaitong.EConflict, "the evaluation is busy").ZHf("技术评估正被修改")
}

// EvaluationFilter narrows the evaluation list.
type EvaluationFilter struct {
	FundID string
	State  string // open or closed
	Limit  int
	Cursor string
}

// ListEvaluations lists the technical evaluations the actor may see
// (officials: their region's; banks: their loans'; admins: all), newest first.
func (s *Service) ListEvaluations(ctx context.Context, actor identity.User, f EvaluationFilter) ([]Evaluation, string, error) {
	if f.State != "" && f.State != EvalOpen && f.State != EvalClosed {
		return nil, "", kedaitong.Invalid("state", "open or closed").ZHf("状态应为 open（进行中）或 closed（已结束）")
	}
	if !identity.IsBankRole(actor.Role) && !isOfficialOrAdmin(actor) {
		return nil, "", forbidden("technical evaluations are for banks and officials", "技术评估仅供银行和政府用户查看")
	}
	limit := clampLimit(f.Limit)
	q := store.Query{Sort: "created_ms", Desc: true, After: f.Cursor}
	docs, next, err := store.FindMatching(ctx, s.evals, q, limit, 20000, func(d store.Doc) (bool, error) {
		var e Evaluation
		if err := d.Decode(&e); err != nil {
			return false, err
		}
		return identity.MaySee(actor, e.BankID, e.Region) && (f.FundID == "" || e.FundID == f.FundID) && (f.State == "" || e.State == f.State), nil
	})
	if err != nil {
		return nil, "", err
	}
	out, err := store.DecodeAll[Evaluation](docs)
	return out, next, err
}
