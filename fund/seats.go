package fund

import (
	"context"
	"fmt"
	"regexp"
	"slices"
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
	{Fields: []string{"state", "due_ms"}},
	{Fields: []string{"audit_pending", "created_ms"}}, // Repair: audit entries left pending
}}

// Due dates, as for review seats: an invitation not accepted within
// ResponseWindow expires; an accepted seat must be answered within
// ReviewWindow of the acceptance, or it expires too. An expired or declined
// seat is replaced by another expert of the route when one is left.
const (
	ResponseWindow = 3 * 24 * time.Hour
	ReviewWindow   = 14 * 24 * time.Hour
	// MaxInvitations bounds the experts one evaluation invites, replacements included.
	MaxInvitations = 3 * EvaluationSeats
)

// EvaluationSeats is how many experts an evaluation invites.
const EvaluationSeats = 3

// Seat states (those of review assignments).
const (
	SeatInvited   = "invited"
	SeatAccepted  = "accepted"
	SeatDeclined  = "declined"
	SeatSubmitted = "submitted"
	SeatExpired   = "expired"
)

// SeatStates lists the seat states.
var SeatStates = []string{SeatInvited, SeatAccepted, SeatDeclined, SeatSubmitted, SeatExpired}

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
	CreditCode    string     `json:"credit_code,omitempty"`
	BankID        string     `json:"bank_id,omitempty"`
	Amount        int64      `json:"amount,omitempty"`      // the loan's principal
	Start         string     `json:"start,omitempty"`       // the loan's start
	TermMonths    int        `json:"term_months,omitempty"` // the loan's term
	DefaultDate   string     `json:"default_date,omitempty"`
	DefaultAmount int64      `json:"default_outstanding,omitempty"` // outstanding at default
	State         string     `json:"state"`
	Due           time.Time  `json:"due"`
	DueMS         int64      `json:"due_ms"`
	RouteFailure  *bool      `json:"route_failure"`
	Comment       string     `json:"comment"`
	Reason        string     `json:"reason,omitempty"`
	Region        string     `json:"region"` // the loan's county
	InvitedAt     time.Time  `json:"invited_at"`
	SubmittedAt   *time.Time `json:"submitted_at,omitempty"`
	CreatedMS     int64      `json:"created_ms"`
	// PendingAudits keeps the audit entry of an acceptance, a decline, an
	// expiry or an answer until it is written.
	PendingAudits
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

// seat writes one planned seat (once: its id was chosen with the plan),
// with what the expert needs to judge the loan: its enterprise, bank,
// amount, term and default. It reports whether it wrote it.
func (s *Service) seat(ctx context.Context, e Evaluation, l *Loan, ps PlannedSeat) (bool, error) {
	due := ps.At.Add(ResponseWindow)
	seat := Seat{ID: ps.SeatID, Kind: "evaluation", EvaluationID: e.ID, LoanID: e.LoanID, ApplicationID: l.ApplicationID,
		ExpertID: ps.ExpertID, Tier: ps.Tier, Route: e.Route, Enterprise: e.Enterprise, CreditCode: l.CreditCode, BankID: l.BankID,
		Amount: l.Amount, Start: l.Start, TermMonths: l.TermMonths, State: SeatInvited, Region: e.Region,
		Due: due, DueMS: due.UnixMilli(), InvitedAt: ps.At, CreatedMS: ps.At.UnixMilli()}
	if l.Default != nil {
		seat.DefaultDate, seat.DefaultAmount = l.Default.Date, l.Default.Outstanding
	}
	err := s.seats.Insert(ctx, seat.ID, seat)
	if kedaitong.Is(err, kedaitong.EConflict) {
		return false, nil
	}
	return err == nil, err
}

func (s *Service) notifyInvited(ctx context.Context, e Evaluation, ids []string) {
	if s.notes != nil && len(ids) > 0 {
		_, _ = s.notes.Send(ctx, notify.Audience{ExpertIDs: ids}, notify.Message{Kind: "evaluation.invited",
			Title: notify.Text{ZH: "技术评估邀请：" + e.Enterprise, EN: "Technical evaluation invitation: " + e.Enterprise},
			Body:  notify.Text{ZH: "请判断该笔不良贷款的损失是否由技术路线失败造成。", EN: "Judge whether the loss on this loan was caused by the failure of the technical route."},
			Link:  "/fund/seats", ObjectKind: "evaluation", ObjectID: e.ID})
	}
}

// replace invites one more expert of the route in place of a seat declined
// or expired, when the finder has one not invited to this evaluation yet
// (at most MaxInvitations in all). The evaluation's version guards it: of
// two replacements at once, one invites; that write carries the audit
// entry pending (written after the seat, or by Repair). It reports whether
// it invited.
func (s *Service) replace(ctx context.Context, evaluationID string) (bool, error) {
	if s.finder == nil {
		return false, nil
	}
	for range retries {
		e, ver, err := s.loadEvaluation(ctx, evaluationID)
		if err != nil || e.State != EvalOpen {
			return false, err
		}
		seats, err := s.seatsOf(ctx, e.ID)
		if err != nil {
			return false, err
		}
		used := map[string]bool{}
		for _, x := range seats {
			used[x.ExpertID] = true
		}
		for _, ps := range e.Pending {
			used[ps.ExpertID] = true
		}
		if len(used) >= MaxInvitations {
			return false, nil
		}
		ids, tiers, err := s.finder(ctx, e.Route, e.BankID, e.CreditCode, EvaluationSeats+len(used))
		if err != nil {
			return false, err
		}
		pick := -1
		for i, x := range ids {
			if !used[x] {
				pick = i
				break
			}
		}
		if pick < 0 {
			return false, nil
		}
		// The replacement is planned in the evaluation's write (its version
		// makes one of two replacements at once win), then written.
		e.Replacements++
		ps := PlannedSeat{SeatID: newID("evs-"), ExpertID: ids[pick], Tier: tiers[pick], At: s.now()}
		e.Pending = append(e.Pending, ps)
		e.Setup = SetupPending
		note := s.auditIntent(identity.User{}, "evaluation.replace", "evaluation", e.ID, e.BankID, e.Region,
			map[string]any{"expert_id": ps.ExpertID, "seat": ps.SeatID})
		e.addAudit(note)
		if _, err := s.evals.Replace(ctx, e.ID, ver, e); kedaitong.Is(err, kedaitong.EConflict) {
			continue
		} else if err != nil {
			return false, err
		}
		if s.crashed("replacement") {
			return false, errCrashed
		}
		if _, err := s.finishSetup(ctx, e.ID); err != nil {
			return false, err
		}
		finishAudit[Evaluation](ctx, s, s.evals, e.ID, note)
		return true, nil
	}
	return false, nil
}

// seatsOf lists an evaluation's seats, oldest first.
func (s *Service) seatsOf(ctx context.Context, evaluationID string) ([]Seat, error) {
	p, err := s.seats.Find(ctx, store.Query{Eq: map[string]any{"evaluation_id": evaluationID}, Sort: "created_ms", Limit: 100})
	if err != nil {
		return nil, err
	}
	return store.DecodeAll[Seat](p.Docs)
}

// SeatsPage lists the calling expert's evaluation seats newest first
// (created_ms, then id, both descending: the order of review seats, so
// both kinds page together on one cursor).
func (s *Service) SeatsPage(ctx context.Context, actor identity.User, state string, limit int, cursor string) ([]Seat, string, error) {
	if state != "" && !slices.Contains(SeatStates, state) {
		return nil, "", kedaitong.Invalid("state", "one of %s", strings.Join(SeatStates, ", ")).ZHf("状态应为 %s 之一", strings.Join(SeatStates, ", "))
	}
	if actor.Role != identity.RoleExpert || actor.ExpertID == "" {
		return []Seat{}, "", nil
	}
	limit = clampLimit(limit)
	q := store.Query{Eq: map[string]any{"expert_id": actor.ExpertID}, Sort: "created_ms", Desc: true, After: cursor}
	docs, next, err := store.FindMatching(ctx, s.seats, q, limit, 5000, func(d store.Doc) (bool, error) {
		if state == "" {
			return true, nil
		}
		var x Seat
		if err := d.Decode(&x); err != nil {
			return false, err
		}
		return x.State == state, nil
	})
	if err != nil {
		return nil, "", err
	}
	out, err := store.DecodeAll[Seat](docs)
	return out, next, err
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
	return s.seatsOf(ctx, e.ID)
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

// AcceptSeat accepts an invitation; the answer is due 14 days later. One
// write: the seat, with its audit entry pending in it (written next, or by
// Repair when the process dies first).
func (s *Service) AcceptSeat(ctx context.Context, actor identity.User, id string) (Seat, error) {
	var in Intent
	x, err := s.changeSeat(ctx, actor, id, func(x *Seat) error {
		if x.State != SeatInvited {
			return kedaitong.Errorf(kedaitong.EConflict, "the assignment is %s: only an invitation can be accepted", x.State).ZHf("评审任务当前状态为 %s：只有邀请可以接受", x.State)
		}
		now := s.now()
		if !x.Due.IsZero() && !now.Before(x.Due) {
			return kedaitong.Errorf(kedaitong.EConflict, "the invitation expired on %s", x.Due.In(beijing).Format("2006-01-02 15:04")).ZHf("邀请已于 %s 过期", x.Due.In(beijing).Format("2006-01-02 15:04"))
		}
		x.State, x.Due = SeatAccepted, now.Add(ReviewWindow)
		x.DueMS = x.Due.UnixMilli()
		in = s.auditIntent(actor, "evaluation.seat_accept", "evaluation", x.EvaluationID, x.BankID, x.Region,
			map[string]any{"seat": x.ID, "expert_id": x.ExpertID, "due": x.Due.In(beijing).Format(DateLayout)})
		x.addAudit(in)
		return nil
	})
	if err != nil {
		return Seat{}, err
	}
	if s.crashed("seat_accept") {
		return Seat{}, errCrashed
	}
	finishAudit[Seat](ctx, s, s.seats, x.ID, in)
	x.PendingAudits = PendingAudits{}
	return x, nil
}

// DeclineSeat declines an invitation or an accepted seat not yet
// submitted. One write: the seat, with its audit entry pending in it
// (written next, or by Repair); then the replacement or the close (Repair
// moves on an evaluation left without an open seat).
func (s *Service) DeclineSeat(ctx context.Context, actor identity.User, id, reason string) (Seat, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return Seat{}, kedaitong.Invalid("reason", "say why you decline").ZHf("请说明谢绝的原因")
	}
	var in Intent
	x, err := s.changeSeat(ctx, actor, id, func(x *Seat) error {
		if x.State != SeatInvited && x.State != SeatAccepted {
			return kedaitong.Errorf(kedaitong.EConflict, "the assignment is %s", x.State).ZHf("评审任务当前状态为 %s", x.State)
		}
		in = s.auditIntent(actor, "evaluation.seat_decline", "evaluation", x.EvaluationID, x.BankID, x.Region,
			map[string]any{"seat": x.ID, "expert_id": x.ExpertID, "was": x.State, "reason": reason})
		x.State, x.Reason = SeatDeclined, reason
		x.addAudit(in)
		return nil
	})
	if err != nil {
		return Seat{}, err
	}
	if s.crashed("seat_decline") {
		return Seat{}, errCrashed
	}
	finishAudit[Seat](ctx, s, s.seats, x.ID, in)
	x.PendingAudits = PendingAudits{}
	return x, s.afterSeatLost(ctx, x.EvaluationID)
}

// afterSeatLost replaces a seat declined or expired, or closes the
// evaluation when no replacement is left and no seat is open.
func (s *Service) afterSeatLost(ctx context.Context, evaluationID string) error {
	replaced, err := s.replace(ctx, evaluationID)
	if err != nil || replaced {
		return err
	}
	return s.maybeConclude(ctx, evaluationID)
}

// SweepSeats expires evaluation seats past their due date (invitations not
// accepted, accepted seats not answered), replaces them where it can and
// closes evaluations left with answers only. It answers how many expired.
func (s *Service) SweepSeats(ctx context.Context) (int, error) {
	n := 0
	for _, st := range []string{SeatInvited, SeatAccepted} {
		q := store.Query{Eq: map[string]any{"state": st}, Range: &store.Range{Field: "due_ms", Lte: s.now().UnixMilli()}, Sort: "due_ms", Limit: 200}
		page, err := s.seats.Find(ctx, q)
		if err != nil {
			return n, err
		}
		for _, d := range page.Docs {
			var x Seat
			if err := d.Decode(&x); err != nil {
				return n, err
			}
			if x.DueMS == 0 {
				continue
			}
			x.State, x.Reason = SeatExpired, "expired: not answered by the due date"
			in := s.auditIntent(identity.User{}, "evaluation.seat_expire", "evaluation", x.EvaluationID, x.BankID, x.Region,
				map[string]any{"seat": x.ID, "expert_id": x.ExpertID, "was": st})
			x.addAudit(in)
			if _, err := s.seats.Replace(ctx, x.ID, d.Version, x); kedaitong.Is(err, kedaitong.EConflict) {
				continue // answered meanwhile
			} else if err != nil {
				return n, err
			}
			n++
			if s.crashed("seat_expire") {
				return n, errCrashed
			}
			finishAudit[Seat](ctx, s, s.seats, x.ID, in)
			if err := s.afterSeatLost(ctx, x.EvaluationID); err != nil {
				return n, err
			}
		}
	}
	return n, nil
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
// The seat's write carries its audit entry pending (written next, or by
// Repair when the process dies first; Repair also closes an evaluation
// whose last answer's follow-up died).
func (s *Service) SubmitSeat(ctx context.Context, actor identity.User, id string) (Seat, error) {
	var in Intent
	x, err := s.changeSeat(ctx, actor, id, func(x *Seat) error {
		if x.State != SeatAccepted {
			return kedaitong.Errorf(kedaitong.EConflict, "the assignment is %s: only an accepted one is submitted", x.State).ZHf("评审任务当前状态为 %s：只有已接受的任务可以提交", x.State)
		}
		if x.RouteFailure == nil {
			return kedaitong.Invalid("route_failure", "save your answer before submitting it").ZHf("提交前请先保存评估意见")
		}
		now := s.now()
		x.State, x.SubmittedAt = SeatSubmitted, &now
		in = s.auditIntent(actor, "evaluation.answer", "evaluation", x.EvaluationID, x.BankID, x.Region,
			map[string]any{"seat": x.ID, "route_failure": *x.RouteFailure})
		x.addAudit(in)
		return nil
	})
	if err != nil {
		return Seat{}, err
	}
	if s.crashed("seat_answer") {
		return Seat{}, errCrashed
	}
	finishAudit[Seat](ctx, s, s.seats, x.ID, in)
	x.PendingAudits = PendingAudits{}
	return x, s.maybeConclude(ctx, x.EvaluationID)
}

// maybeConclude closes the evaluation when no seat is invited or accepted
// and at least one answer was submitted.
func (s *Service) maybeConclude(ctx context.Context, evaluationID string) error {
	seats, err := s.seatsOf(ctx, evaluationID)
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
