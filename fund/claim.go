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

// Claim states and causes.
const (
	ClaimSubmitted  = "submitted"
	ClaimApproved   = "approved" // momentarily, between approval and payment
	ClaimPaid       = "paid"
	ClaimPartlyPaid = "partly_paid"
	ClaimRejected   = "rejected"

	CauseOrdinary         = "ordinary"
	CauseTechRouteFailure = "tech_route_failure"
)

// ClaimStates lists the claim states.
var ClaimStates = []string{ClaimSubmitted, ClaimApproved, ClaimPaid, ClaimPartlyPaid, ClaimRejected}

// ClaimStep is one event of a claim's history.
type ClaimStep struct {
	Event  string    `json:"event"` // submitted, recovery_closed, approved, paid, deferred_paid, rejected
	By     string    `json:"by,omitempty"`
	At     time.Time `json:"at"`
	Amount int64     `json:"amount,omitempty"`
	Reason string    `json:"reason,omitempty"`
	Op     string    `json:"op,omitempty"` // the change that booked a payment (once per change)
}

// Claim is a bank's claim on a pool for a defaulted loan.
type Claim struct {
	ID             string `json:"id"`
	LoanID         string `json:"loan_id"`
	FundID         string `json:"fund_id"`
	BankID         string `json:"bank_id"`
	Enterprise     string `json:"enterprise"`
	Loss           int64  `json:"loss"`
	Cause          string `json:"cause"`
	EvaluationID   string `json:"evaluation_id,omitempty"`
	SharePct       int64  `json:"share_pct"`
	RiskSharePct   int64  `json:"risk_share_pct"` // borne by an endorsing investor
	Compensation   int64  `json:"compensation"`
	ProvincePart   int64  `json:"province_part"`
	LocalPart      int64  `json:"local_part"`
	Accelerated    bool   `json:"accelerated"`
	RecoveryClosed bool   `json:"recovery_closed"`
	State          string `json:"state"`
	Paid           int64  `json:"paid"`
	Deferred       int64  `json:"deferred"`
	Reason         string `json:"reason,omitempty"`
	ApprovalOp     string `json:"approval_op,omitempty"` // the approval's change id (its pool intent)
	// Listed: the claim was entered in its pool's open list when filed
	// (every claim filed since the list exists; an older one is paid or
	// rejected without it).
	Listed    bool        `json:"listed,omitempty"`
	History   []ClaimStep `json:"history"`
	CreatedBy string      `json:"created_by"`
	CreatedAt time.Time   `json:"created_at"`
	UpdatedAt time.Time   `json:"updated_at"`

	Region    string `json:"region"`
	City      string `json:"city"`
	CreatedMS int64  `json:"created_ms"`

	// PendingAudits keeps the audit entry of a change whose commit point
	// is the claim's write (filing, recovery closed, rejection, a deferred
	// payment booked) until it is written.
	PendingAudits
}

// Open reports whether the claim still waits for a decision.
func (c *Claim) Open() bool { return c.State == ClaimSubmitted || c.State == ClaimApproved }

// ClaimInput is the body of POST /api/v1/loans/{id}/claims.
type ClaimInput struct {
	Loss         int64  `json:"loss"`
	Cause        string `json:"cause"`
	EvaluationID string `json:"evaluation_id"`
}

// Compensation computes the contract's amounts.
func Compensation(loss, sharePct, provinceSharePct int64) (comp, province, local int64) {
	comp = loss * sharePct / 100
	province = comp * provinceSharePct / 100
	return comp, province, comp - province
}

var claimIDRE = regexp.MustCompile(`^clm-[0-9a-f]{16}$`)

func claimNotFound(id string) error {
	return kedaitong.Errorf(kedaitong.ENotFound, "no claim %q", id).ZHf("没有代偿申请 %q", id)
}

func (s *Service) loadClaim(ctx context.Context, id string) (Claim, int64, error) {
	var c Claim
	if !claimIDRE.MatchString(id) {
		return c, 0, claimNotFound(id)
	}
	ver, err := s.claims.Get(ctx, id, &c)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		return c, 0, claimNotFound(id)
	}
	return c, ver, err
}

// GetClaim returns a claim the actor may see.
func (s *Service) GetClaim(ctx context.Context, actor identity.User, id string) (Claim, error) {
	c, _, err := s.loadClaim(ctx, id)
	if err != nil {
		return Claim{}, err
	}
	if !identity.MaySee(actor, c.BankID, c.Region) {
		return Claim{}, claimNotFound(id)
	}
	return c, nil
}

// FileClaim files the owning bank's claim for a non-performing loan.
func (s *Service) FileClaim(ctx context.Context, actor identity.User, loanID string, in ClaimInput) (Claim, error) {
	if err := checkMoney("loss", in.Loss, true); err != nil {
		return Claim{}, err
	}
	if in.Cause == "" {
		in.Cause = CauseOrdinary
	}
	if in.Cause != CauseOrdinary && in.Cause != CauseTechRouteFailure {
		return Claim{}, kedaitong.Invalid("cause", "ordinary or tech_route_failure").ZHf("损失原因应为 ordinary（一般）或 tech_route_failure（技术路线失败）")
	}
	l, lver, err := s.loanFor(ctx, actor, loanID)
	if err != nil {
		return Claim{}, err
	}
	if l.State != LoanNonPerforming || l.Default == nil {
		return Claim{}, kedaitong.Errorf(kedaitong.EConflict, "the loan is %s: claims are filed for non-performing loans", l.State).ZHf("贷款当前状态为 %s：只有不良贷款可以申请代偿", stateZH(l.State))
	}
	if in.Loss > l.Default.Outstanding {
		return Claim{}, kedaitong.Invalid("loss", "%d yuan is more than the %d yuan outstanding at default", in.Loss, l.Default.Outstanding).ZHf("损失 %d 元超过违约时的贷款余额 %d 元", in.Loss, l.Default.Outstanding)
	}
	if in.Cause == CauseTechRouteFailure {
		if in.EvaluationID == "" {
			return Claim{}, kedaitong.Invalid("evaluation_id", "a technical-route failure claim names the loan's technical evaluation").ZHf("技术路线失败的代偿申请须注明该贷款的技术评估")
		}
		ev, _, err := s.loadEvaluation(ctx, in.EvaluationID)
		if err != nil || ev.LoanID != l.ID {
			return Claim{}, kedaitong.Invalid("evaluation_id", "not a technical evaluation of this loan").ZHf("不是该贷款的技术评估")
		}
	} else if in.EvaluationID != "" {
		return Claim{}, kedaitong.Invalid("evaluation_id", "only a tech_route_failure claim names an evaluation").ZHf("只有技术路线失败的代偿申请才注明技术评估")
	}
	if l.OpenClaimID != "" {
		// A mark left by a claim decided since (a crash before its
		// clearing) does not block; an open or unwritten one does (Repair
		// clears the mark of a claim never written).
		if prev, _, err := s.loadClaim(ctx, l.OpenClaimID); err == nil && prev.Open() || err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
			return Claim{}, kedaitong.Errorf(kedaitong.EConflict, "the loan has an open claim already").ZHf("该贷款已有未结的代偿申请")
		} else if err != nil {
			return Claim{}, kedaitong.Errorf(kedaitong.EConflict, "the loan's previous claim is being filed or repaired; try again in a minute").ZHf("该贷款上一笔代偿申请正在提交或修复中，请稍后重试")
		}
	}
	pool, _, err := s.loadPool(ctx, l.FundID)
	if err != nil {
		return Claim{}, err
	}
	var risk int64
	if s.riskShare != nil {
		if risk, err = s.riskShare.RiskSharePct(ctx, l.ApplicationID, l.CreditCode); err != nil {
			return Claim{}, err
		}
		risk = min(max(risk, 0), 100)
	}
	share := pool.SharePct(l.TermMonths, l.HardTech)
	fundable := in.Loss - in.Loss*risk/100
	comp, prov, local := Compensation(fundable, share, pool.ProvinceSharePct)
	now := s.now()
	c := Claim{ID: newID("clm-"), LoanID: l.ID, FundID: l.FundID, BankID: l.BankID, Enterprise: l.Enterprise.Name,
		Loss: in.Loss, Cause: in.Cause, EvaluationID: in.EvaluationID, SharePct: share, RiskSharePct: risk,
		Compensation: comp, ProvincePart: prov, LocalPart: local, State: ClaimSubmitted,
		History:   []ClaimStep{{Event: "submitted", By: actor.ID, At: now, Amount: in.Loss}},
		CreatedBy: actor.ID, CreatedAt: now, UpdatedAt: now, Region: l.Region, City: l.City, CreatedMS: now.UnixMilli(), Listed: true}
	if in.Cause == CauseTechRouteFailure {
		c.Accelerated = s.routeFailure(ctx, in.EvaluationID)
	}
	// The audit entry rides in the claim's insert (the commit point).
	note := s.auditIntent(actor, "claim.file", "claim", c.ID, c.BankID, c.Region, map[string]any{"loan_id": l.ID, "fund_id": l.FundID,
		"loss": c.Loss, "cause": c.Cause, "share_pct": share, "compensation": comp, "risk_share_pct": risk})
	note.At = now
	c.addAudit(note)
	// Three writes: the pool's open list first (Repair rolls an entry
	// whose claim was never written back), then the loan's open-claim mark
	// (the one-open-claim guard, by the loan's version), then the claim.
	if _, _, err := s.updatePool(ctx, l.FundID, func(p *Pool) error {
		p.addOpen(c.ID, OpenClaim{LoanID: l.ID, Amount: comp, At: now})
		return nil
	}); err != nil {
		return Claim{}, err
	}
	if s.crashed("claim_file") {
		return Claim{}, errCrashed
	}
	l.OpenClaimID, l.UpdatedAt = c.ID, now
	if _, err := s.loans.Replace(ctx, l.ID, lver, l); err != nil {
		s.dropOpen(ctx, l.FundID, c.ID)
		if kedaitong.Is(err, kedaitong.EConflict) {
			return Claim{}, kedaitong.Errorf(kedaitong.EConflict, "the loan changed at the same time; reload and try again").ZHf("贷款同时被修改，请刷新后重试")
		}
		return Claim{}, err
	}
	if err := s.claims.Insert(ctx, c.ID, c); err != nil {
		s.clearOpenClaim(ctx, l.ID, c.ID, "")
		s.dropOpen(ctx, l.FundID, c.ID)
		return Claim{}, err
	}
	if s.crashed("claim_filed") {
		return Claim{}, errCrashed
	}
	finishAudit[Claim](ctx, s, s.claims, c.ID, note)
	c.PendingAudits = PendingAudits{}
	if s.notes != nil {
		_, _ = s.notes.Send(ctx, notify.Audience{Officials: []string{pool.Region}}, notify.Message{Kind: "claim.filed",
			Title: notify.Text{ZH: "新的代偿申请：" + c.Enterprise, EN: "New compensation claim: " + c.Enterprise},
			Body:  notify.Text{ZH: fmt.Sprintf("损失 %d 元，拟补偿 %d 元。", c.Loss, comp), EN: fmt.Sprintf("Loss %d yuan, compensation %d yuan.", c.Loss, comp)},
			Link:  "/fund/claims/" + c.ID, ObjectKind: "claim", ObjectID: c.ID})
	}
	return c, nil
}

// dropOpen takes a claim out of its pool's open list; it reports whether
// it was there.
func (s *Service) dropOpen(ctx context.Context, fundID, claimID string) bool {
	_, _, err := s.updatePool(context.WithoutCancel(ctx), fundID, func(p *Pool) error {
		if _, ok := p.takeOpen(claimID); !ok {
			return errNothing
		}
		return nil
	})
	return err == nil
}

// clearOpenClaim removes the loan's open-claim mark (if it is still claimID).
func (s *Service) clearOpenClaim(ctx context.Context, loanID, claimID, state string) {
	ctx = context.WithoutCancel(ctx)
	for i := 0; i < retries; i++ {
		l, ver, err := s.loadLoan(ctx, loanID)
		if err != nil || l.OpenClaimID != claimID && (state == "" || l.State == state) {
			return
		}
		if l.OpenClaimID == claimID {
			l.OpenClaimID = ""
		}
		if state != "" {
			l.State = state
		}
		l.UpdatedAt = s.now()
		if _, err := s.loans.Replace(ctx, l.ID, ver, l); !kedaitong.Is(err, kedaitong.EConflict) {
			return
		}
	}
}

// updateClaim applies fn in a version-guarded write (retried on conflict).
func (s *Service) updateClaim(ctx context.Context, id string, fn func(c *Claim) error) (Claim, error) {
	for i := 0; i < retries; i++ {
		c, ver, err := s.loadClaim(ctx, id)
		if err != nil {
			return Claim{}, err
		}
		if err := fn(&c); err != nil {
			return Claim{}, err
		}
		c.UpdatedAt = s.now()
		if _, err := s.claims.Replace(ctx, id, ver, c); err == nil {
			return c, nil
		} else if !kedaitong.Is(err, kedaitong.EConflict) {
			return Claim{}, err
		}
	}
	return Claim{}, kedaitong.Errorf(kedaitong.EConflict, "the claim is busy; try again").ZHf("代偿申请正被修改，请重试")
}

// CloseRecovery marks the bank's recovery (collateral, courts) finished.
// One write: the claim, with its audit entry pending in it (written next,
// or by Repair when the process dies first).
func (s *Service) CloseRecovery(ctx context.Context, actor identity.User, id string) (Claim, error) {
	var in Intent
	c, err := s.updateClaim(ctx, id, func(c *Claim) error {
		if !identity.MaySee(actor, c.BankID, c.Region) {
			return claimNotFound(id)
		}
		if !identity.IsBankRole(actor.Role) || actor.BankID != c.BankID {
			return forbidden("only the owning bank closes its recovery", "只有申请所属银行可以登记追偿结束")
		}
		if c.RecoveryClosed {
			return kedaitong.Errorf(kedaitong.EConflict, "recovery was closed already").ZHf("追偿已登记结束")
		}
		if c.State != ClaimSubmitted {
			return kedaitong.Errorf(kedaitong.EConflict, "the claim is %s", c.State).ZHf("代偿申请当前状态为 %s", claimStateZH(c.State))
		}
		c.RecoveryClosed = true
		in = s.auditIntent(actor, "claim.recovery_closed", "claim", c.ID, c.BankID, c.Region, map[string]any{"loan_id": c.LoanID})
		c.History = append(c.History, ClaimStep{Event: "recovery_closed", By: actor.ID, At: in.At})
		c.addAudit(in)
		return nil
	})
	if err != nil {
		return Claim{}, err
	}
	if s.crashed("claim_recovery_closed") {
		return Claim{}, errCrashed
	}
	finishAudit[Claim](ctx, s, s.claims, c.ID, in)
	c.PendingAudits = PendingAudits{}
	return c, nil
}

func claimStateZH(s string) string {
	switch s {
	case ClaimSubmitted:
		return "已提交"
	case ClaimApproved:
		return "已批准"
	case ClaimPaid:
		return "已支付"
	case ClaimPartlyPaid:
		return "部分支付"
	case ClaimRejected:
		return "已驳回"
	}
	return s
}

// officialOf checks that actor may decide the claim: officials of the
// pool's region and admins; others who may see it get 403, the rest 404.
func (s *Service) mayDecide(ctx context.Context, actor identity.User, c *Claim) error {
	p, _, err := s.loadPool(ctx, c.FundID)
	if err != nil {
		return err
	}
	if !mayActOnPool(actor, &p) {
		if identity.MaySee(actor, c.BankID, c.Region) {
			return forbidden("only officials of the fund's region decide claims", "只有资金池所在地区的政府用户可以审批代偿")
		}
		return claimNotFound(c.ID)
	}
	return nil
}

// ApproveClaim approves a claim and pays it from cash; what cash cannot
// cover is deferred and paid first from the next money coming in.
//
// Four writes, one commit point: the claim is marked approved (its version
// makes one approver win), the pool pays (the commit point: the claim
// leaves the pool's open list in the same write that moves the money, with
// an intent naming the claim, the loan and the amounts), the claim is
// booked paid and the loan compensated (each carrying the change's id).
// A crash after the first leaves an approved claim still on the open list:
// Repair pays it; after the second, Repair finishes the claim and the loan
// from the intent. Nothing is paid twice: a claim off the open list is
// never paid again.
func (s *Service) ApproveClaim(ctx context.Context, actor identity.User, id string) (Claim, error) {
	c, _, err := s.loadClaim(ctx, id)
	if err != nil {
		return Claim{}, err
	}
	if err := s.mayDecide(ctx, actor, &c); err != nil {
		return Claim{}, err
	}
	accelerated := c.Cause == CauseTechRouteFailure && s.routeFailure(ctx, c.EvaluationID)
	op := newID("op-")
	c, err = s.updateClaim(ctx, id, func(c *Claim) error {
		if c.State != ClaimSubmitted {
			return kedaitong.Errorf(kedaitong.EConflict, "the claim is %s", c.State).ZHf("代偿申请当前状态为 %s", claimStateZH(c.State))
		}
		c.Accelerated = accelerated
		if !c.Accelerated && !c.RecoveryClosed {
			return kedaitong.Errorf(kedaitong.EConflict, "an ordinary claim is approved after the bank's recovery is closed").ZHf("一般代偿申请须在银行追偿结束后才能批准")
		}
		c.State, c.ApprovalOp = ClaimApproved, op
		c.History = append(c.History, ClaimStep{Event: "approved", By: actor.ID, At: s.now(), Amount: c.Compensation, Op: op})
		return nil
	})
	if err != nil {
		return Claim{}, err
	}
	if s.crashed("claim_approve") {
		return Claim{}, errCrashed
	}
	c, cash, err := s.payClaim(ctx, &actor, c)
	if err != nil {
		return Claim{}, err
	}
	s.record(ctx, &actor, "claim.approve", "claim", c.ID, c.BankID, c.Region, map[string]any{"fund_id": c.FundID, "loan_id": c.LoanID,
		"compensation": c.Compensation, "paid": c.Paid, "deferred": c.Deferred, "province_part": c.ProvincePart, "local_part": c.LocalPart,
		"accelerated": c.Accelerated, "cash_after": cash})
	s.committed(c.FundID, op)
	if s.notes != nil {
		_, _ = s.notes.Send(ctx, notify.Audience{Banks: []string{c.BankID}}, notify.Message{Kind: "claim.approved",
			Title: notify.Text{ZH: "代偿已批准：" + c.Enterprise, EN: "Claim approved: " + c.Enterprise},
			Body:  notify.Text{ZH: fmt.Sprintf("补偿 %d 元，已支付 %d 元，缓付 %d 元。", c.Compensation, c.Paid, c.Deferred), EN: fmt.Sprintf("Compensation %d yuan: %d paid, %d deferred.", c.Compensation, c.Paid, c.Deferred)},
			Link:  "/fund/claims/" + c.ID, ObjectKind: "claim", ObjectID: c.ID})
	}
	return c, nil
}

// payClaim is the pool's write of an approved claim (the commit point) and
// what follows it; ApproveClaim and Repair both run it. It answers the
// booked claim and the pool's cash after the payment.
func (s *Service) payClaim(ctx context.Context, actor *identity.User, c Claim) (Claim, int64, error) {
	ctx = context.WithoutCancel(ctx) // the payment, once begun, is finished
	op := c.ApprovalOp
	l, _, err := s.loadLoan(ctx, c.LoanID)
	if err != nil {
		return Claim{}, 0, err
	}
	note := &AuditNote{Action: "claim.approve", Kind: "claim", ObjectID: c.ID, BankID: c.BankID, Region: c.Region,
		Detail: map[string]any{"fund_id": c.FundID, "loan_id": c.LoanID, "compensation": c.Compensation, "accelerated": c.Accelerated}}
	if actor != nil {
		note.ActorID, note.Username, note.Role = actor.ID, actor.Username, actor.Role
	}
	var in Intent
	p, _, err := s.updatePool(ctx, c.FundID, func(p *Pool) error {
		if x := p.intent(op); x != nil {
			in = *x
			return errNothing // paid already, its follow-up not finished yet
		}
		if _, ok := p.takeOpen(c.ID); !ok {
			if c.Listed {
				return kedaitong.Errorf(kedaitong.EConflict, "the claim is no longer open in its fund").ZHf("该代偿申请已不在资金池的待决清单中")
			}
			p.OpenClaims = max(0, p.OpenClaims-c.Compensation) // filed before the open list
		}
		pay := min(p.Cash, c.Compensation)
		p.Cash -= pay
		p.PaidOut += pay
		p.CompensationPaid += pay
		rest := c.Compensation - pay
		if rest > 0 {
			p.Deferred += rest
			p.Queue = append(p.Queue, Due{ClaimID: c.ID, Amount: rest})
		}
		// The loan leaves the pool's outstanding and the bank's non-performing.
		p.Outstanding = max(0, p.Outstanding-l.Outstanding)
		b := p.bank(c.BankID)
		b.NonPerforming = max(0, b.NonPerforming-l.Outstanding)
		p.refresh(c.BankID, s.today())
		note.Detail["paid"], note.Detail["deferred"], note.Detail["cash_after"] = pay, rest, p.Cash
		in = Intent{ID: op, Kind: KindClaimApprove, LoanID: c.LoanID, BankID: c.BankID, ClaimID: c.ID, Pay: pay, Deferred: rest,
			At: s.now(), Audit: note}
		p.Intents = append(p.Intents, in)
		return nil
	})
	if err != nil && err != errNothing {
		return Claim{}, 0, err
	}
	if s.crashed("claim_paid") {
		return Claim{}, 0, errCrashed
	}
	if err := s.finishApproval(ctx, in); err != nil {
		return Claim{}, 0, err
	}
	c, _, err = s.loadClaim(ctx, c.ID)
	return c, p.Cash, err
}

// finishApproval books a paid claim and compensates its loan (both
// idempotent by the approval's id).
func (s *Service) finishApproval(ctx context.Context, in Intent) error {
	_, err := s.updateClaim(ctx, in.ClaimID, func(c *Claim) error {
		if !c.book(in.ID, "paid", in.Pay, s.now(), true) {
			return errNothing
		}
		return nil
	})
	if err != nil && err != errNothing && !kedaitong.Is(err, kedaitong.ENotFound) {
		return err
	}
	if s.crashed("claim_booked") {
		return errCrashed
	}
	return s.compensate(ctx, in.LoanID, in.ClaimID, in.ID)
}

// compensate marks the loan compensated and clears its open-claim mark
// (once: the loan carries the change's id).
func (s *Service) compensate(ctx context.Context, loanID, claimID, op string) error {
	for range retries {
		l, ver, err := s.loadLoan(ctx, loanID)
		if kedaitong.Is(err, kedaitong.ENotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if slices.Contains(l.Ops, op) {
			return nil
		}
		if l.OpenClaimID == claimID {
			l.OpenClaimID = ""
		}
		if l.State == LoanNonPerforming {
			l.State = LoanCompensated
		}
		l.UpdatedAt = s.now()
		l.addOp(op)
		if _, err := s.loans.Replace(ctx, l.ID, ver, l); err == nil {
			return nil
		} else if !kedaitong.Is(err, kedaitong.EConflict) {
			return err
		}
	}
	return kedaitong.Errorf(kedaitong.EConflict, "the loan is busy; try again").ZHf("贷款正被修改，请重试")
}

// book records a payment of the claim made by change op (once per change):
// the approval's payment (approval true) or a deferred one. Paid is the sum
// of the booked payments; once the approval is booked, what is left of the
// compensation is deferred and the state says paid or partly paid.
func (c *Claim) book(op, event string, amount int64, at time.Time, approval bool) bool {
	for _, h := range c.History {
		if h.Op == op && (h.Event == "paid" || h.Event == "deferred_paid") {
			return false
		}
	}
	c.History = append(c.History, ClaimStep{Event: event, At: at, Amount: amount, Op: op})
	c.Paid += amount
	booked := approval
	for _, h := range c.History {
		booked = booked || h.Event == "paid"
	}
	if booked {
		c.Deferred = max(0, c.Compensation-c.Paid)
		c.State = ClaimPaid
		if c.Deferred > 0 {
			c.State = ClaimPartlyPaid
		}
	}
	return true
}

// settleOpen finishes or rolls back a claim of the pool's open list that a
// crash left: never written (rolled back), rejected before cutoff
// (finished), approved before cutoff and not paid (paid). It reports
// whether it did.
func (s *Service) settleOpen(ctx context.Context, fundID, claimID string, oc OpenClaim, cutoff time.Time) (bool, error) {
	c, _, err := s.loadClaim(ctx, claimID)
	switch {
	case err == nil && c.State == ClaimRejected && c.decidedAt("rejected").After(cutoff):
		return false, nil // a rejection in flight
	case kedaitong.Is(err, kedaitong.ENotFound) || err == nil && c.State == ClaimRejected:
		s.clearOpenClaim(ctx, oc.LoanID, claimID, "")
		if !s.dropOpen(ctx, fundID, claimID) {
			return false, nil
		}
		action := "claim.repair_rollback"
		if err == nil {
			action = "claim.repair_commit"
		}
		s.record(ctx, nil, action, "claim", claimID, "", "", map[string]any{"fund_id": fundID, "loan_id": oc.LoanID, "compensation": oc.Amount})
		return true, nil
	case err != nil:
		return false, err
	case c.State == ClaimApproved && c.decidedAt("approved").Before(cutoff):
		if _, _, err := s.payClaim(ctx, nil, c); err != nil {
			return false, err
		}
		// The payment's intent is settled as any other: cleared, audited.
		p, _, err := s.loadPool(ctx, fundID)
		if err != nil {
			return false, err
		}
		if in := p.intent(c.ApprovalOp); in != nil {
			return s.rollForward(ctx, fundID, *in)
		}
		return true, nil
	}
	return false, nil
}

// decidedAt is when the claim was approved or rejected (event).
func (c *Claim) decidedAt(event string) time.Time {
	for _, h := range c.History {
		if h.Event == event {
			return h.At
		}
	}
	return c.UpdatedAt
}

// RejectInput is the body of POST /api/v1/claims/{id}/reject.
type RejectInput struct {
	Reason string `json:"reason"`
}

// RejectClaim rejects a submitted claim with a reason. The claim's write
// is the commit point, with its audit entry pending in it; the entry, the
// loan's mark and the pool's open list follow (Repair writes the entry
// and finishes the rest from the open list).
func (s *Service) RejectClaim(ctx context.Context, actor identity.User, id string, in RejectInput) (Claim, error) {
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Reason == "" {
		return Claim{}, kedaitong.Invalid("reason", "say why the claim is rejected").ZHf("请说明驳回原因")
	}
	if err := checkReason(in.Reason); err != nil {
		return Claim{}, err
	}
	c, _, err := s.loadClaim(ctx, id)
	if err != nil {
		return Claim{}, err
	}
	if err := s.mayDecide(ctx, actor, &c); err != nil {
		return Claim{}, err
	}
	var note Intent
	c, err = s.updateClaim(ctx, id, func(c *Claim) error {
		if c.State != ClaimSubmitted {
			return kedaitong.Errorf(kedaitong.EConflict, "the claim is %s", c.State).ZHf("代偿申请当前状态为 %s", claimStateZH(c.State))
		}
		c.State, c.Reason = ClaimRejected, in.Reason
		note = s.auditIntent(actor, "claim.reject", "claim", c.ID, c.BankID, c.Region, map[string]any{"loan_id": c.LoanID, "reason": in.Reason})
		c.History = append(c.History, ClaimStep{Event: "rejected", By: actor.ID, At: note.At, Reason: in.Reason})
		c.addAudit(note)
		return nil
	})
	if err != nil {
		return Claim{}, err
	}
	if s.crashed("claim_reject") {
		return Claim{}, errCrashed
	}
	finishAudit[Claim](ctx, s, s.claims, c.ID, note)
	c.PendingAudits = PendingAudits{}
	s.clearOpenClaim(ctx, c.LoanID, c.ID, "")
	if !s.dropOpen(ctx, c.FundID, c.ID) && !c.Listed { // filed before the open list
		_, _, _ = s.updatePool(context.WithoutCancel(ctx), c.FundID, func(p *Pool) error {
			p.OpenClaims = max(0, p.OpenClaims-c.Compensation)
			return nil
		})
	}
	return c, nil
}

// settlePayments books the deferred payments change op made from incoming
// money on their claims (once per change and claim); each booking's write
// carries its audit entry pending (written next, or by Repair). It fails
// only at a crash point (tests).
func (s *Service) settlePayments(ctx context.Context, actor *identity.User, op string, paid []Payment) error {
	var who identity.User
	if actor != nil {
		who = *actor
	}
	for _, x := range paid {
		var note Intent
		c, err := s.updateClaim(ctx, x.ClaimID, func(c *Claim) error {
			if !c.book(op, "deferred_paid", x.Amount, s.now(), false) {
				return errNothing
			}
			note = s.auditIntent(who, "claim.deferred_paid", "claim", c.ID, c.BankID, c.Region,
				map[string]any{"amount": x.Amount, "deferred_left": c.Deferred, "op": op})
			c.addAudit(note)
			return nil
		})
		if err != nil {
			continue // booked already, or the claim is gone
		}
		if s.crashed("claim_deferred_paid") {
			return errCrashed
		}
		finishAudit[Claim](ctx, s, s.claims, c.ID, note)
	}
	return nil
}

// LoanClaims lists a loan's claims, newest first, to whoever may see the loan.
func (s *Service) LoanClaims(ctx context.Context, actor identity.User, loanID string) ([]Claim, error) {
	if _, err := s.GetLoan(ctx, actor, loanID); err != nil {
		return nil, err
	}
	page, err := s.claims.Find(ctx, store.Query{Eq: map[string]any{"loan_id": loanID}, Sort: "created_ms", Desc: true, Limit: 50})
	if err != nil {
		return nil, err
	}
	return store.DecodeAll[Claim](page.Docs)
}

// ClaimFilter narrows a claim list.
type ClaimFilter struct {
	State  string
	FundID string
	Limit  int
	Cursor string
}

// ListClaims lists the claims the actor may see, newest first.
func (s *Service) ListClaims(ctx context.Context, actor identity.User, f ClaimFilter) ([]Claim, string, error) {
	if f.State != "" && !contains(ClaimStates, f.State) && f.State != "open" {
		return nil, "", kedaitong.Invalid("state", "one of open, %s", strings.Join(ClaimStates, ", ")).ZHf("状态应为 open、%s 之一", strings.Join(ClaimStates, ", "))
	}
	if !identity.IsBankRole(actor.Role) && !isOfficialOrAdmin(actor) {
		return nil, "", forbidden("claims are for banks and officials", "代偿申请仅供银行和政府用户查看")
	}
	q := scopeQuery(actor, f.FundID)
	if q.Eq == nil && f.State != "" && f.State != "open" {
		q.Eq = map[string]any{"state": f.State}
	}
	q.After = f.Cursor
	limit := clampLimit(f.Limit)
	docs, next, err := store.FindMatching(ctx, s.claims, q, limit, 20000, func(d store.Doc) (bool, error) {
		var c Claim
		if err := d.Decode(&c); err != nil {
			return false, err
		}
		stateOK := f.State == "" || c.State == f.State || f.State == "open" && c.Open()
		return identity.MaySee(actor, c.BankID, c.Region) && stateOK && (f.FundID == "" || c.FundID == f.FundID), nil
	})
	if err != nil {
		return nil, "", err
	}
	out, err := store.DecodeAll[Claim](docs)
	return out, next, err
}

// warn notifies a bank's managers and the pool's officials that the bank's
// non-performing ratio reached the warning or suspension line.
func (s *Service) warn(ctx context.Context, p *Pool, bankID string) {
	b := p.bank(bankID)
	s.record(ctx, nil, "fund.bank_"+b.State, "fund", p.ID, bankID, p.Region, map[string]any{"bank_id": bankID, "npl_pct": b.NPLPct()})
	if s.notes == nil {
		return
	}
	var managers []string
	q := store.Query{Eq: map[string]any{"scope": bankID}, Sort: "username_key", Limit: 500}
	if page, err := s.users.Find(ctx, q); err == nil {
		for _, d := range page.Docs {
			var u identity.User
			if d.Decode(&u) == nil && u.Role == identity.RoleBankManager {
				managers = append(managers, u.ID)
			}
		}
	}
	bank := s.bankName(ctx, bankID)
	title := notify.Text{ZH: fmt.Sprintf("不良率预警：%s 在资金池 %s 的不良率为 %d%%", bank.ZH, p.Name, b.NPLPct()),
		EN: fmt.Sprintf("NPL warning: %s's non-performing ratio in fund %s is %d%%", bank.EN, p.Name, b.NPLPct())}
	if b.State == BankSuspended {
		title = notify.Text{ZH: fmt.Sprintf("新增业务暂停：%s 在资金池 %s 的不良率为 %d%%", bank.ZH, p.Name, b.NPLPct()),
			EN: fmt.Sprintf("Suspended: %s's non-performing ratio in fund %s is %d%%", bank.EN, p.Name, b.NPLPct())}
	}
	body := notify.Text{ZH: fmt.Sprintf("预警线 %d%%，暂停线 %d%%。", p.WarnNPLPct, p.SuspendNPLPct),
		EN: fmt.Sprintf("Warning at %d%%, suspension at %d%%.", p.WarnNPLPct, p.SuspendNPLPct)}
	_, _ = s.notes.Send(ctx, notify.Audience{UserIDs: managers, Officials: []string{p.Region}}, notify.Message{Kind: "fund.npl_" + b.State,
		Title: title, Body: body, Link: "/fund/pools/" + p.ID, ObjectKind: "fund", ObjectID: p.ID})
}

// BankNamer names a bank by its id (the bank registry); "" when unknown.
type BankNamer func(ctx context.Context, bankID string) string

// SetBankNamer wires the bank registry's names for notifications (nil: the
// id, labelled as an unregistered bank).
func (s *Service) SetBankNamer(f BankNamer) { s.bankNamer = f }

// bankName is a bank's registered name, or a label with its id.
func (s *Service) bankName(ctx context.Context, bankID string) notify.Text {
	if s.bankNamer != nil {
		if n := s.bankNamer(ctx, bankID); n != "" {
			return notify.Text{ZH: n, EN: n}
		}
	}
	return notify.Text{ZH: "未登记银行（" + bankID + "）", EN: "unregistered bank (" + bankID + ")"}
}
