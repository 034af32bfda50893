package fund

import (
	"context"
	"regexp"
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
	Replacements int        `json:"replacements"`
	CreatedMS    int64      `json:"created_ms"`
	CreatedAt    time.Time  `json:"created_at"`
	ClosedAt     *time.Time `json:"closed_at,omitempty"`
}

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
// loan's route. One per loan.
func (s *Service) OrderEvaluation(ctx context.Context, actor identity.User, loanID string) (Evaluation, error) {
	l, lver, err := s.loadLoan(ctx, loanID)
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
	now := s.now()
	e := Evaluation{ID: "evl-" + strings.TrimPrefix(l.ID, "loan-"), LoanID: l.ID, FundID: l.FundID, BankID: l.BankID,
		Region: l.Region, Route: l.Enterprise.Route, Enterprise: l.Enterprise.Name, CreditCode: l.CreditCode,
		State: EvalOpen, OrderedBy: actor.ID, CreatedAt: now, CreatedMS: now.UnixMilli()}
	l.EvaluationID, l.UpdatedAt = e.ID, now
	if _, err := s.loans.Replace(ctx, l.ID, lver, l); err != nil {
		if kedaitong.Is(err, kedaitong.EConflict) {
			return Evaluation{}, kedaitong.Errorf(kedaitong.EConflict, "the loan changed at the same time; try again").ZHf("贷款同时被修改，请重试")
		}
		return Evaluation{}, err
	}
	if err := s.evals.Insert(ctx, e.ID, e); err != nil && !kedaitong.Is(err, kedaitong.EConflict) {
		return Evaluation{}, err
	}
	if err := s.invite(ctx, e, &l); err != nil {
		return Evaluation{}, err
	}
	s.record(ctx, &actor, "evaluation.order", "evaluation", e.ID, e.BankID, e.Region, map[string]any{"loan_id": l.ID, "route": e.Route})
	return e, nil
}

// Conclude closes an evaluation with the submitted answers (true: the loss
// was caused by the failure of the technical route). The finding is
// route_failure when more than half say so. Closing twice changes nothing.
func (s *Service) Conclude(ctx context.Context, id string, answers []bool) (Evaluation, error) {
	for i := 0; i < retries; i++ {
		e, ver, err := s.loadEvaluation(ctx, id)
		if err != nil {
			return Evaluation{}, err
		}
		if e.State == EvalClosed {
			return e, nil
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
		if _, err := s.evals.Replace(ctx, id, ver, e); err != nil {
			if kedaitong.Is(err, kedaitong.EConflict) {
				continue
			}
			return Evaluation{}, err
		}
		s.record(ctx, nil, "evaluation.close", "evaluation", e.ID, e.BankID, e.Region, map[string]any{"finding": f, "answers": len(answers), "route_failure": yes})
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
