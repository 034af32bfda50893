package fund

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/notify"
)

// Technical-evaluation seats: experts of the loan's route invited to judge
// whether the loss was caused by the failure of the technical route. They
// are listed beside the review seats in the experts' assignments
// ("kind":"evaluation"), accepted, declined and submitted as usual; the
// score body is {"route_failure": bool, "comment"}. When no seat is left
// invited or accepted, the evaluation closes with the submitted answers.

// SeatsDef is the collection of evaluation seats.
var SeatsDef = store.CollectionDef{Name: "fund_eval_seats", Indexes: []store.Index{
	{Fields: []string{"expert_id", "created_ms"}},
	{Fields: []string{"evaluation_id", "created_ms"}},
}}

// EvaluationSeats is how many experts an evaluation invites.
const EvaluationSeats = 3

// Seat states (those of review assignments).
const (
	SeatInvited   = "invited"
	SeatAccepted  = "accepted"
	SeatDeclined  = "declined"
	SeatSubmitted = "submitted"
)

// Seat is one expert's seat on a technical evaluation.
type Seat struct {
	ID            string     `json:"id"`
	Kind          string     `json:"kind"` // always "evaluation"
	EvaluationID  string     `json:"evaluation_id"`
	LoanID        string     `json:"loan_id"`
	ApplicationID string     `json:"application_id"`
	ExpertID      string     `json:"expert_id"`
	Tier          string     `json:"tier"`
	Route         string     `json:"route"`
	Enterprise    string     `json:"enterprise"`
	State         string     `json:"state"`
	Due           time.Time  `json:"due"`
	RouteFailure  *bool      `json:"route_failure"`
	Comment       string     `json:"comment"`
	Reason        string     `json:"reason,omitempty"`
	Region        string     `json:"region"` // the loan's county
	InvitedAt     time.Time  `json:"invited_at"`
	SubmittedAt   *time.Time `json:"submitted_at,omitempty"`
	CreatedMS     int64      `json:"created_ms"`
}

// SeatInput is the score body of an evaluation seat.
type SeatInput struct {
	RouteFailure *bool  `json:"route_failure"`
	Comment      string `json:"comment"`
}

// ExpertFinder proposes up to n experts (id and tier) for an evaluation of
// a loan on route, without conflicts with the bank or the enterprise.
type ExpertFinder func(ctx context.Context, route, bankID, creditCode string, n int) (ids, tiers []string, err error)

// SetExpertFinder wires the expert library (nil: evaluations invite nobody).
func (s *Service) SetExpertFinder(f ExpertFinder) { s.finder = f }

var seatIDRE = regexp.MustCompile(`^evs-[0-9a-f]{16}$`)

// IsSeatID reports whether id names an evaluation seat (not a review assignment).
func IsSeatID(id string) bool { return strings.HasPrefix(id, "evs-") }

func seatNotFound(id string) error {
	return kedaitong.Errorf(kedaitong.ENotFound, "no assignment %q", id).ZHf("没有评审任务 %q", id)
}

// invite seats the experts the finder proposes.
func (s *Service) invite(ctx context.Context, e Evaluation, l *Loan) error {
	if s.finder == nil {
		return nil
	}
	ids, tiers, err := s.finder(ctx, e.Route, e.BankID, e.CreditCode, EvaluationSeats)
	if err != nil {
		return err
	}
	now := s.now()
	for i, x := range ids {
		seat := Seat{ID: newID("evs-"), Kind: "evaluation", EvaluationID: e.ID, LoanID: e.LoanID, ApplicationID: l.ApplicationID,
			ExpertID: x, Tier: tiers[i], Route: e.Route, Enterprise: e.Enterprise, State: SeatInvited, Region: e.Region,
			Due: now.Add(3 * 24 * time.Hour), InvitedAt: now, CreatedMS: now.UnixMilli()}
		if err := s.seats.Insert(ctx, seat.ID, seat); err != nil {
			return err
		}
	}
	if s.notes != nil && len(ids) > 0 {
		_, _ = s.notes.Send(ctx, notify.Audience{ExpertIDs: ids}, notify.Message{Kind: "evaluation.invited",
			Title: notify.Text{ZH: "技术评估邀请：" + e.Enterprise, EN: "Technical evaluation invitation: " + e.Enterprise},
			Body:  notify.Text{ZH: "请判断该笔不良贷款的损失是否由技术路线失败造成。", EN: "Judge whether the loss on this loan was caused by the failure of the technical route."},
			Link:  "/assignments", ObjectKind: "evaluation", ObjectID: e.ID})
	}
	return nil
}

// Seats lists the calling expert's evaluation seats, newest first.
func (s *Service) Seats(ctx context.Context, actor identity.User, state string) ([]Seat, error) {
	if actor.Role != identity.RoleExpert || actor.ExpertID == "" {
		return []Seat{}, nil
	}
	p, err := s.seats.Find(ctx, store.Query{Eq: map[string]any{"expert_id": actor.ExpertID}, Sort: "created_ms", Desc: true, Limit: 200})
	if err != nil {
		return nil, err
	}
	all, err := store.DecodeAll[Seat](p.Docs)
	if err != nil {
		return nil, err
	}
	out := []Seat{}
	for _, x := range all {
		if state == "" || x.State == state {
			out = append(out, x)
		}
	}
	return out, nil
}

// EvaluationSeatsOf lists an evaluation's seats (officials, admins).
func (s *Service) EvaluationSeatsOf(ctx context.Context, actor identity.User, evaluationID string) ([]Seat, error) {
	e, err := s.GetEvaluation(ctx, actor, evaluationID)
	if err != nil {
		return nil, err
	}
	if !isOfficialOrAdmin(actor) {
		return nil, evalNotFound(evaluationID)
	}
	p, err := s.seats.Find(ctx, store.Query{Eq: map[string]any{"evaluation_id": e.ID}, Sort: "created_ms", Limit: 50})
	if err != nil {
		return nil, err
	}
	return store.DecodeAll[Seat](p.Docs)
}

// seatFor loads the seat of the calling expert; others get not found.
func (s *Service) seatFor(ctx context.Context, actor identity.User, id string) (Seat, int64, error) {
	var x Seat
	if !seatIDRE.MatchString(id) {
		return x, 0, seatNotFound(id)
	}
	ver, err := s.seats.Get(ctx, id, &x)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		return x, 0, seatNotFound(id)
	}
	if err != nil {
		return x, 0, err
	}
	if actor.Role == identity.RoleAdmin || actor.Role == identity.RoleOfficial && identity.RegionCovers(actor.Region, x.regionOf()) {
		return x, ver, nil
	}
	if actor.Role != identity.RoleExpert || actor.ExpertID != x.ExpertID {
		return Seat{}, 0, seatNotFound(id)
	}
	return x, ver, nil
}

// regionOf is the seat's region: the loan's county.
func (x Seat) regionOf() string { return x.Region }

// GetSeat returns a seat to its expert (officials of the region and admins read it too).
func (s *Service) GetSeat(ctx context.Context, actor identity.User, id string) (Seat, error) {
	x, _, err := s.seatFor(ctx, actor, id)
	return x, err
}

func (s *Service) changeSeat(ctx context.Context, actor identity.User, id string, fn func(x *Seat) error) (Seat, error) {
	for i := 0; i < retries; i++ {
		x, ver, err := s.seatFor(ctx, actor, id)
		if err != nil {
			return Seat{}, err
		}
		if actor.Role != identity.RoleExpert || actor.ExpertID != x.ExpertID {
			return Seat{}, forbidden("only the invited expert answers", "只有受邀专家可以答复")
		}
		if err := fn(&x); err != nil {
			return Seat{}, err
		}
		if _, err := s.seats.Replace(ctx, id, ver, x); err == nil {
			return x, nil
		} else if !kedaitong.Is(err, kedaitong.EConflict) {
			return Seat{}, err
		}
	}
	return Seat{}, kedaitong.Errorf(kedaitong.EConflict, "the assignment is busy").ZHf("评审任务正被修改")
}

// AcceptSeat accepts an invitation; the answer is due 14 days later.
func (s *Service) AcceptSeat(ctx context.Context, actor identity.User, id string) (Seat, error) {
	return s.changeSeat(ctx, actor, id, func(x *Seat) error {
		if x.State != SeatInvited {
			return kedaitong.Errorf(kedaitong.EConflict, "the assignment is %s: only an invitation can be accepted", x.State).ZHf("评审任务当前状态为 %s：只有邀请可以接受", x.State)
		}
		x.State, x.Due = SeatAccepted, s.now().Add(14*24*time.Hour)
		return nil
	})
}

// DeclineSeat declines an invitation or an accepted seat not yet submitted.
func (s *Service) DeclineSeat(ctx context.Context, actor identity.User, id, reason string) (Seat, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Seat{}, kedaitong.Invalid("reason", "say why you decline").ZHf("请说明谢绝的原因")
	}
	x, err := s.changeSeat(ctx, actor, id, func(x *Seat) error {
		if x.State != SeatInvited && x.State != SeatAccepted {
			return kedaitong.Errorf(kedaitong.EConflict, "the assignment is %s", x.State).ZHf("评审任务当前状态为 %s", x.State)
		}
		x.State, x.Reason = SeatDeclined, reason
		return nil
	})
	if err == nil {
		err = s.maybeConclude(ctx, x.EvaluationID)
	}
	return x, err
}

// ScoreSeat saves the draft answer of an accepted seat.
func (s *Service) ScoreSeat(ctx context.Context, actor identity.User, id string, in SeatInput) (Seat, error) {
	if in.RouteFailure == nil {
		return Seat{}, kedaitong.Invalid("route_failure", "say whether the loss was caused by the failure of the technical route (true or false)").ZHf("请判断损失是否由技术路线失败造成（true 或 false）")
	}
	if len([]rune(in.Comment)) > 5000 {
		return Seat{}, kedaitong.Invalid("comment", "at most 5,000 characters").ZHf("意见最多 5000 个字符")
	}
	return s.changeSeat(ctx, actor, id, func(x *Seat) error {
		if x.State == SeatSubmitted {
			return kedaitong.Errorf(kedaitong.EConflict, "the answer was submitted and is locked").ZHf("评估意见已提交并锁定")
		}
		if x.State != SeatAccepted {
			return kedaitong.Errorf(kedaitong.EConflict, "accept the invitation first").ZHf("请先接受邀请")
		}
		x.RouteFailure, x.Comment = in.RouteFailure, strings.TrimSpace(in.Comment)
		return nil
	})
}

// SubmitSeat locks the answer; the evaluation closes when no seat is open.
func (s *Service) SubmitSeat(ctx context.Context, actor identity.User, id string) (Seat, error) {
	x, err := s.changeSeat(ctx, actor, id, func(x *Seat) error {
		if x.State != SeatAccepted {
			return kedaitong.Errorf(kedaitong.EConflict, "the assignment is %s: only an accepted one is submitted", x.State).ZHf("评审任务当前状态为 %s：只有已接受的任务可以提交", x.State)
		}
		if x.RouteFailure == nil {
			return kedaitong.Invalid("route_failure", "save your answer before submitting it").ZHf("提交前请先保存评估意见")
		}
		now := s.now()
		x.State, x.SubmittedAt = SeatSubmitted, &now
		return nil
	})
	if err != nil {
		return Seat{}, err
	}
	s.record(ctx, &actor, "evaluation.answer", "evaluation", x.EvaluationID, "", "", map[string]any{"seat": x.ID, "route_failure": *x.RouteFailure})
	return x, s.maybeConclude(ctx, x.EvaluationID)
}

// maybeConclude closes the evaluation when no seat is invited or accepted
// and at least one answer was submitted.
func (s *Service) maybeConclude(ctx context.Context, evaluationID string) error {
	p, err := s.seats.Find(ctx, store.Query{Eq: map[string]any{"evaluation_id": evaluationID}, Sort: "created_ms", Limit: 50})
	if err != nil {
		return err
	}
	seats, err := store.DecodeAll[Seat](p.Docs)
	if err != nil {
		return err
	}
	var answers []bool
	for _, x := range seats {
		switch x.State {
		case SeatInvited, SeatAccepted:
			return nil
		case SeatSubmitted:
			answers = append(answers, x.RouteFailure != nil && *x.RouteFailure)
		}
	}
	if len(answers) == 0 {
		return nil
	}
	_, err = s.Conclude(ctx, evaluationID, answers)
	if err != nil {
		return fmt.Errorf("fund: close evaluation %s: %w", evaluationID, err)
	}
	return nil
}
