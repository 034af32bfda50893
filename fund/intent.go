package fund

import (
	"context"
	"maps"
	"slices"
	"time"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store"
)

// A change that touches a pool and another document (a loan, a claim,
// a second pool, an evaluation) is two or more documents, and there are no
// multi-document transactions. So each such change has one commit point —
// a version-guarded write of one document — and an idempotent repair that
// finishes or rolls back whatever a crash left after it. Pool changes do
// it with intents:
//
//  1. the pool's write (the checks, the money, the counters) also records
//     an Intent — the change's id, the documents it touches and the exact
//     figures applied to the pool — in the same version-guarded write;
//  2. the other documents are written, each carrying the change's id (a
//     loan in its Ops, a claim in its history's steps), so writing them
//     again changes nothing;
//  3. the intent is cleared after the answer (it is only bookkeeping): by
//     the next write of the same pool from this process, or by
//     ClearCommitted every few seconds (one write per pool for all its
//     changes, not one per change).
//
// For a loan change (register, repayment, default, rereview) the loan's
// write is the commit point: a crash between 1 and 2 leaves an intent whose
// loan does not carry its id and Repair rolls the delta back; a crash
// between 2 and 3 leaves an intent whose loan does, and Repair only clears
// it. For every other kind the pool's write is the commit point and Repair
// rolls forward: it writes the claims, the loan, the receiving pool, the
// transfer record and the audit entry the intent names (each write
// idempotent by the change's id), then clears the intent. Both happen in
// one version-guarded write of the pool, so a repair is idempotent and two
// servers repairing at once cannot apply it twice. Repair leaves intents
// younger than its grace alone (changes in flight); the server runs it at
// start and every ten seconds.
//
// A change whose commit point is the write of a claim, a seat or an
// evaluation (a claim filed, its recovery closed, rejected, a deferred
// payment booked; a seat accepted, declined, expired or answered; an
// evaluation ordered, a seat replaced, the evaluation closed) keeps its
// audit entry the same way, in that document: the change's write also
// records a KindAudit intent (the change's id, its time, the entry) in the
// document's PendingAudits; the entry is written after that write, and
// the intent cleared after the answer. Repair writes the entry of an
// intent older than its grace, marked "repaired": it first claims the
// intent by re-dating it in a version-guarded write of the document (of
// two repairers one wins; a repairer that dies after its claim leaves it
// to the next repair past the grace), then writes the entry, then clears
// the intent. A pool's intent that carries an entry is settled the same
// way (settleNote): claimed, the entry, then cleared. So the entry is
// written at least once, and twice only when a process dies between
// writing it and clearing it.

// Intent kinds.
const (
	KindRegister     = "register"
	KindRepayment    = "repayment"
	KindDefault      = "default"
	KindRereview     = "rereview"
	KindClaimApprove = "claim_approve" // a claim's payment: the claim booked paid, the loan compensated
	KindPool         = "pool"          // a contribution or a change of terms, targets or a suspension: deferred payments booked, the audit entry
	KindTransferOut  = "transfer_out"  // money left this pool: the receiving pool credited, the transfer recorded
	KindTransferIn   = "transfer_in"   // money came in by a transfer: it marks the credit as done until the sending pool's intent is cleared
	KindAudit        = "audit"         // a change of a claim, a seat or an evaluation: kept in that document (PendingAudits), it carries only the change's audit entry
)

// loanBound reports whether the kind's commit point is its loan's write.
func loanBound(kind string) bool {
	return kind == KindRegister || kind == KindRepayment || kind == KindDefault || kind == KindRereview
}

// Intent is a pool change whose loan write may not have happened yet (or,
// KindAudit, a claim's, a seat's or an evaluation's change whose audit
// entry may not have been written yet: kept in that document's
// PendingAudits).
type Intent struct {
	ID     string    `json:"id"`   // the change's id, also written into the loan's Ops
	Kind   string    `json:"kind"` // one of the Kind constants
	LoanID string    `json:"loan_id,omitempty"`
	BankID string    `json:"bank_id,omitempty"`
	Delta  Delta     `json:"delta"`
	At     time.Time `json:"at"`
	// A claim's payment: the claim, what cash paid at once and what was deferred.
	ClaimID  string `json:"claim_id,omitempty"`
	Pay      int64  `json:"pay,omitempty"`
	Deferred int64  `json:"deferred,omitempty"`
	// Deferred claims paid from money coming in by this change.
	Payments []Payment `json:"payments,omitempty"`
	// A transfer between pools (on the sending pool's intent).
	Transfer *Transfer `json:"transfer,omitempty"`
	// Audit is the change's audit entry when it is written after the
	// answer (a registration): Repair writes it for a change it keeps, so
	// no kept change is left unaudited (a crash between the entry and the
	// intent's clearing writes it twice, the second marked "repaired").
	Audit *AuditNote `json:"audit,omitempty"`
}

// AuditNote is an audit entry kept with an intent until it is written.
type AuditNote struct {
	Action   string         `json:"action"`
	Kind     string         `json:"kind,omitempty"`      // the object's kind: loan when empty
	ObjectID string         `json:"object_id,omitempty"` // the object: the intent's loan when empty
	ActorID  string         `json:"actor_id"`
	Username string         `json:"username"`
	Role     string         `json:"role"`
	BankID   string         `json:"bank_id"`
	Region   string         `json:"region"`
	Detail   map[string]any `json:"detail"`
}

// write records the note in the audit log.
func (n *AuditNote) write(ctx context.Context, s *Service, objectID string, extra map[string]any) {
	actor := identity.User{ID: n.ActorID, Username: n.Username, Role: n.Role, BankID: n.BankID}
	detail := map[string]any{}
	for k, v := range n.Detail {
		detail[k] = v
	}
	for k, v := range extra {
		detail[k] = v
	}
	kind := n.Kind
	if kind == "" {
		kind = "loan"
	}
	if n.ObjectID != "" {
		objectID = n.ObjectID
	}
	var a *identity.User
	if n.ActorID != "" {
		a = &actor
	}
	s.record(ctx, a, n.Action, kind, objectID, n.BankID, n.Region, detail)
}

// Delta is what a loan change adds to its pool's figures (negative to take away).
type Delta struct {
	Outstanding        int64  `json:"outstanding,omitempty"`
	Active             int64  `json:"active,omitempty"`         // the bank's active outstanding
	NonPerforming      int64  `json:"non_performing,omitempty"` // the bank's non-performing outstanding
	NonPerformingTotal int64  `json:"non_performing_total,omitempty"`
	Loans              int64  `json:"loans,omitempty"`
	LoanAmount         int64  `json:"loan_amount,omitempty"`
	Year               string `json:"year,omitempty"` // of LoanAmount
	Enterprises        int64  `json:"enterprises,omitempty"`
	Startups           int64  `json:"startups,omitempty"`
	KeyListReached     int64  `json:"key_list_reached,omitempty"`
	Rereviewed         int64  `json:"rereviewed,omitempty"`
	RereviewedNoExit   int64  `json:"rereviewed_no_exit,omitempty"`
}

// apply adds sign × d to the pool's figures for bankID and refreshes the
// bank's warning state; it reports whether the state rose.
func (p *Pool) apply(bankID string, d Delta, sign int64, today string) bool {
	b := p.bank(bankID)
	p.Outstanding = max(0, p.Outstanding+sign*d.Outstanding)
	b.Active = max(0, b.Active+sign*d.Active)
	b.NonPerforming = max(0, b.NonPerforming+sign*d.NonPerforming)
	p.NonPerformingTotal = max(0, p.NonPerformingTotal+sign*d.NonPerformingTotal)
	p.Loans += sign * d.Loans
	p.LoanAmount += sign * d.LoanAmount
	if d.Year != "" && d.LoanAmount != 0 {
		if p.LoanAmountByYear == nil {
			p.LoanAmountByYear = map[string]int64{}
		}
		p.LoanAmountByYear[d.Year] += sign * d.LoanAmount
	}
	p.Enterprises += sign * d.Enterprises
	p.Startups += sign * d.Startups
	p.KeyListReached += sign * d.KeyListReached
	p.Rereviewed += sign * d.Rereviewed
	p.RereviewedNoExit += sign * d.RereviewedNoExit
	return p.refresh(bankID, today)
}

// maxOps is how many change ids a loan keeps (a change's intent is cleared
// long before ten more changes of the same loan).
const maxOps = 10

func (l *Loan) addOp(id string) {
	l.Ops = append(l.Ops, id)
	if len(l.Ops) > maxOps {
		l.Ops = slices.Clone(l.Ops[len(l.Ops)-maxOps:])
	}
}

// FaultHook, when set (tests), is called at the crash points of the
// multi-step changes with the point's name (register, repayment, default,
// rereview: between the pool's write and the loan's; claim_file,
// claim_approve, claim_paid, claim_booked, contribution, transfer_debit,
// transfer_credit: see each change; pool_create, claim_filed,
// claim_recovery_closed, claim_reject, claim_deferred_paid, evaluation,
// replacement, evaluation_close, seat_accept, seat_decline, seat_expire,
// seat_answer: between the commit point's write and the change's audit
// entry; audit_settle, audit_repair: before and after Repair's claim of an
// entry a claim, a seat or an evaluation keeps pending; intent_settle,
// intent_repair: the same for a pool's intent); when it answers true the
// change stops there as a crash would (no further write, no undo).
type FaultHook func(kind string) bool

// SetFaultHook installs the crash points (tests only).
func (s *Service) SetFaultHook(h FaultHook) { s.fault = h }

// errCrashed is what a change answers when the fault hook stopped it.
var errCrashed = kedaitong.Errorf(kedaitong.EUnavailable, "fund: stopped at a crash point (fault injection)").ZHf("测试：在写入过程中模拟中断")

func (s *Service) crashed(kind string) bool { return s.fault != nil && s.fault(kind) }

// undo rolls a loan-bound intent back at once (its loan write failed): the
// delta is reversed and the intent removed in one write, only if it is
// still there.
func (s *Service) undo(ctx context.Context, fundID string, in Intent) {
	_, _, _ = s.updatePool(context.WithoutCancel(ctx), fundID, func(p *Pool) error {
		if !p.dropIntent(in.ID) {
			return errNothing
		}
		p.apply(in.BankID, in.Delta, -1, s.today())
		return nil
	})
}

// committed notes that a change's loan write (and audit entry) is done:
// the next write of its pool drops the intent.
func (s *Service) committed(fundID, id string) {
	s.doneMu.Lock()
	defer s.doneMu.Unlock()
	if s.done == nil {
		s.done = map[string]string{}
	}
	s.done[id] = fundID
}

// dropCommitted removes from p the intents of changes known committed; it
// returns their ids (forgotten once the write holding it succeeds).
func (s *Service) dropCommitted(p *Pool) []string {
	if len(p.Intents) == 0 {
		return nil
	}
	s.doneMu.Lock()
	defer s.doneMu.Unlock()
	var ids []string
	for _, in := range p.Intents {
		if s.done[in.ID] == p.ID {
			ids = append(ids, in.ID)
		}
	}
	for _, id := range ids {
		p.dropIntent(id)
	}
	return ids
}

func (s *Service) forget(ids []string) {
	if len(ids) == 0 {
		return
	}
	s.doneMu.Lock()
	defer s.doneMu.Unlock()
	for _, id := range ids {
		delete(s.done, id)
	}
}

// errNothing aborts an update that has nothing to write.
var errNothing = kedaitong.Errorf(kedaitong.EConflict, "nothing to change").ZHf("无需修改")

func (p *Pool) dropIntent(id string) bool {
	i := slices.IndexFunc(p.Intents, func(x Intent) bool { return x.ID == id })
	if i < 0 {
		return false
	}
	p.Intents = slices.Delete(p.Intents, i, i+1)
	return true
}

// hasIntent reports whether the pool holds the intent id.
func (p *Pool) hasIntent(id string) bool {
	return slices.ContainsFunc(p.Intents, func(x Intent) bool { return x.ID == id })
}

// intent returns the pool's intent id, or nil.
func (p *Pool) intent(id string) *Intent {
	for i := range p.Intents {
		if p.Intents[i].ID == id {
			return &p.Intents[i]
		}
	}
	return nil
}

// RepairGrace is how old an intent must be before Repair touches it.
const RepairGrace = 30 * time.Second

// Repair finishes or rolls back every multi-step change older than grace
// that a crash left half done, and answers how many it settled. The server
// runs it at start and every ten seconds. It settles:
//   - the pools' intents: a loan change whose loan carries its id is kept
//     (the intent is cleared), any other is rolled back; every other kind
//     is rolled forward (see the package's documentation);
//   - the pools' open claims: an entry whose claim was never written is
//     rolled back (and the loan's open-claim mark cleared), one whose claim
//     was rejected is finished, one whose claim was approved but not paid
//     is paid;
//   - technical evaluations whose seats or loan link were not all written,
//     and open evaluations left without an open seat (a decline, an expiry
//     or a last answer whose follow-up died);
//   - the audit entries claims, seats and evaluations keep pending
//     (PendingAudits): each is written once, marked repaired, and cleared.
func (s *Service) Repair(ctx context.Context, grace time.Duration) (int, error) {
	cutoff := s.now().Add(-grace)
	q := store.Query{Sort: "region", Limit: 200}
	n := 0
	for {
		page, err := s.pools.Find(ctx, q)
		if err != nil {
			return n, err
		}
		for _, d := range page.Docs {
			var p Pool
			if err := d.Decode(&p); err != nil {
				return n, err
			}
			for _, in := range p.Intents {
				if in.At.After(cutoff) || s.isDone(in.ID) { // in flight, or committed here and cleared soon
					continue
				}
				done, err := s.settleIntent(ctx, p.ID, in)
				if err != nil {
					return n, err
				}
				if done {
					n++
				}
			}
			for _, id := range slices.Sorted(maps.Keys(p.OpenList)) {
				oc := p.OpenList[id]
				if oc.At.After(cutoff) {
					continue
				}
				done, err := s.settleOpen(ctx, p.ID, id, oc, cutoff)
				if err != nil {
					return n, err
				}
				if done {
					n++
				}
			}
		}
		if page.Next == "" {
			break
		}
		q.After = page.Next
	}
	m, err := s.repairEvaluations(ctx, cutoff)
	if n += m; err != nil {
		return n, err
	}
	if m, err = repairAudits[Claim](ctx, s, s.claims, cutoff); err != nil {
		return n + m, err
	}
	n += m
	if m, err = repairAudits[Seat](ctx, s, s.seats, cutoff); err != nil {
		return n + m, err
	}
	n += m
	m, err = repairAudits[Evaluation](ctx, s, s.evals, cutoff)
	return n + m, err
}

// settleIntent keeps, rolls back or rolls forward one intent; it reports
// whether it did.
func (s *Service) settleIntent(ctx context.Context, fundID string, in Intent) (bool, error) {
	if !loanBound(in.Kind) {
		return s.rollForward(ctx, fundID, in)
	}
	l, _, err := s.loadLoan(ctx, in.LoanID)
	if err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
		return false, err
	}
	committed := err == nil && slices.Contains(l.Ops, in.ID)
	if committed && in.Audit != nil { // kept, with its entry to write
		done, err := s.settleNote(ctx, fundID, in)
		if done {
			s.noteRepair(ctx, "fund.repair_commit", fundID, in)
		}
		return done, err
	}
	_, _, err = s.updatePool(ctx, fundID, func(p *Pool) error {
		if !p.dropIntent(in.ID) {
			return errNothing
		}
		if !committed {
			p.apply(in.BankID, in.Delta, -1, s.today())
		}
		return nil
	})
	if err == errNothing {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	action := "fund.repair_commit"
	if !committed {
		action = "fund.repair_rollback"
	}
	s.noteRepair(ctx, action, fundID, in)
	return true, nil
}

// noteRepair records Repair's own note of an intent it settled (not the
// change's entry: a plain write, which a repairer dying just before it
// drops).
func (s *Service) noteRepair(ctx context.Context, action, fundID string, in Intent) {
	s.record(ctx, nil, action, "fund", fundID, in.BankID, "", map[string]any{"intent": in.ID, "kind": in.Kind, "loan_id": in.LoanID,
		"claim_id": in.ClaimID, "outstanding": in.Delta.Outstanding})
}

// rollForward finishes a change whose pool write is its commit point: the
// other documents are written (each write idempotent by the change's id),
// then the change's audit entry is written, marked repaired (it may have
// been written before the crash too: an audit entry is written at least
// once), and the intent cleared — the entry claimed first (settleNote).
func (s *Service) rollForward(ctx context.Context, fundID string, in Intent) (bool, error) {
	switch in.Kind {
	case KindClaimApprove:
		if err := s.finishApproval(ctx, in); err != nil {
			return false, err
		}
	case KindPool:
		if err := s.settlePayments(ctx, nil, in.ID, in.Payments); err != nil {
			return false, err
		}
	case KindTransferOut:
		if err := s.finishTransfer(ctx, in); err != nil {
			return false, err
		}
	case KindTransferIn:
		// While the sending pool holds its intent, its repair finishes
		// the transfer (this intent marks the credit as made).
		if in.Transfer != nil {
			if fp, _, err := s.loadPool(ctx, in.Transfer.From); err == nil && fp.hasIntent(in.Transfer.ID) {
				return false, nil
			} else if err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
				return false, err
			}
		}
		if err := s.settlePayments(ctx, nil, in.ID, in.Payments); err != nil {
			return false, err
		}
	}
	if in.Audit != nil {
		if done, err := s.settleNote(ctx, fundID, in); !done || err != nil {
			return done, err
		}
	} else if !s.dropIntents(ctx, fundID, in.ID) {
		return false, nil
	}
	s.noteRepair(ctx, "fund.repair_commit", fundID, in)
	return true, nil
}

// settleNote writes the audit entry of a pool's intent that Repair keeps
// and clears the intent, as settleAudit does for a document's entry: the
// intent is claimed first — re-dated in a version-guarded write of the
// pool, only if it still has the date Repair read (of two repairers, one
// claims it; one that dies after its claim leaves it to the next repair
// past the grace) — then the entry is written, then the intent cleared (a
// transfer's receiving mark after the sending intent). It reports whether
// it wrote the entry.
func (s *Service) settleNote(ctx context.Context, fundID string, in Intent) (bool, error) {
	if s.crashed("intent_settle") {
		return false, errCrashed
	}
	_, _, err := s.updatePool(ctx, fundID, func(p *Pool) error {
		x := p.intent(in.ID)
		if x == nil || !x.At.Equal(in.At) {
			return errNothing // cleared, or claimed by another repairer
		}
		x.At = s.now()
		return nil
	})
	if err == errNothing {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if s.crashed("intent_repair") {
		return false, errCrashed
	}
	in.Audit.write(ctx, s, in.LoanID, map[string]any{"repaired": true})
	if s.dropIntents(ctx, fundID, in.ID) && in.Kind == KindTransferOut && in.Transfer != nil {
		s.dropIntents(ctx, in.Transfer.To, in.ID+"/in")
	}
	return true, nil
}

// dropIntents removes intents from a pool in one write; it reports whether
// any was still there.
func (s *Service) dropIntents(ctx context.Context, fundID string, ids ...string) bool {
	_, _, err := s.updatePool(context.WithoutCancel(ctx), fundID, func(p *Pool) error {
		n := 0
		for _, id := range ids {
			if p.dropIntent(id) {
				n++
			}
		}
		if n == 0 {
			return errNothing
		}
		return nil
	})
	return err == nil
}

// later runs fn after the answer, in the background (bookkeeping only:
// Repair does it when the process dies first). Flush waits for it.
// ctx keeps the request's values (its id for the audit entry), not its end.
func (s *Service) later(ctx context.Context, fn func(ctx context.Context)) {
	ctx = context.WithoutCancel(ctx)
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		fn(ctx)
	}()
}

// Flush waits for the background bookkeeping of changes already answered
// and clears their intents (tests, shutdown).
func (s *Service) Flush() {
	s.bg.Wait()
	_, _ = s.ClearCommitted(context.Background())
}

// ClearCommitted clears the intents of this process's committed changes
// that no later write of their pool has dropped yet: one write per pool,
// however many changes it holds. The server runs it every few seconds, well
// within RepairGrace, so Repair only ever meets intents a crash left.
func (s *Service) ClearCommitted(ctx context.Context) (int, error) {
	s.doneMu.Lock()
	pools := map[string]bool{}
	for _, fundID := range s.done {
		pools[fundID] = true
	}
	s.doneMu.Unlock()
	n := 0
	for id := range pools {
		if _, _, err := s.updatePool(ctx, id, func(p *Pool) error { return nil }); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func (s *Service) isDone(id string) bool {
	s.doneMu.Lock()
	defer s.doneMu.Unlock()
	_, ok := s.done[id]
	return ok
}

// PendingAudits is what a claim, a seat or an evaluation keeps of its
// changes whose audit entry may not be written yet: a KindAudit intent
// each, recorded in the change's own version-guarded write and cleared
// once the entry is written. AuditPending is SetupPending while any is
// kept (Repair finds them by it: an index of each collection). It is
// bookkeeping: the answers of the changes leave it out.
type PendingAudits struct {
	Audits       []Intent `json:"audits,omitempty"`
	AuditPending string   `json:"audit_pending,omitempty"`
}

// pendingDoc is a document that keeps PendingAudits (*Claim, *Seat, *Evaluation).
type pendingDoc[T any] interface {
	*T
	pending() *PendingAudits
}

func (c *Claim) pending() *PendingAudits      { return &c.PendingAudits }
func (x *Seat) pending() *PendingAudits       { return &x.PendingAudits }
func (e *Evaluation) pending() *PendingAudits { return &e.PendingAudits }

// auditIntent is the intent of a claim's, a seat's or an evaluation's
// change: its id, its time and its audit entry.
func (s *Service) auditIntent(actor identity.User, action, kind, objectID, bankID, region string, detail map[string]any) Intent {
	return Intent{ID: newID("op-"), Kind: KindAudit, BankID: bankID, At: s.now(),
		Audit: &AuditNote{Action: action, Kind: kind, ObjectID: objectID, ActorID: actor.ID, Username: actor.Username,
			Role: actor.Role, BankID: bankID, Region: region, Detail: detail}}
}

func (p *PendingAudits) addAudit(in Intent) {
	p.Audits = append(p.Audits, in)
	p.AuditPending = SetupPending
}

func (p *PendingAudits) pendingAudit(id string) *Intent {
	for i := range p.Audits {
		if p.Audits[i].ID == id {
			return &p.Audits[i]
		}
	}
	return nil
}

func (p *PendingAudits) dropAudit(id string) bool {
	i := slices.IndexFunc(p.Audits, func(x Intent) bool { return x.ID == id })
	if i < 0 {
		return false
	}
	p.Audits = slices.Delete(p.Audits, i, i+1)
	if len(p.Audits) == 0 {
		p.Audits, p.AuditPending = nil, ""
	}
	return true
}

// updatePending applies fn to the PendingAudits of the document id of c in
// a version-guarded write, retried on a version conflict; fn returns an
// error to abort (nothing written). Only the bookkeeping changes: the
// document's own fields (its updated_at too) stay as they are.
func updatePending[T any, P pendingDoc[T]](ctx context.Context, c store.Collection, id string, fn func(p *PendingAudits) error) error {
	for range retries {
		var doc T
		ver, err := c.Get(ctx, id, &doc)
		if err != nil {
			return err
		}
		if err := fn(P(&doc).pending()); err != nil {
			return err
		}
		if _, err := c.Replace(ctx, id, ver, &doc); err == nil {
			return nil
		} else if !kedaitong.Is(err, kedaitong.EConflict) {
			return err
		}
	}
	return kedaitong.Errorf(kedaitong.EConflict, "fund: %s is busy", id).ZHf("%s 正被修改", id)
}

// finishAudit follows the write of a claim's, a seat's or an evaluation's
// change that recorded in (a KindAudit intent): the entry is written now,
// the intent cleared after the answer (Repair writes the entry if the
// process dies before it).
func finishAudit[T any, P pendingDoc[T]](ctx context.Context, s *Service, c store.Collection, id string, in Intent) {
	in.Audit.write(ctx, s, id, nil)
	s.later(ctx, func(ctx context.Context) {
		_ = updatePending[T, P](ctx, c, id, func(p *PendingAudits) error {
			if !p.dropAudit(in.ID) {
				return errNothing
			}
			return nil
		})
	})
}

// repairAudits writes the audit entries that changes of the documents of
// c (claims, seats or evaluations) older than cutoff left pending, each
// once, marked repaired; it answers how many it wrote.
func repairAudits[T any, P pendingDoc[T]](ctx context.Context, s *Service, c store.Collection, cutoff time.Time) (int, error) {
	n := 0
	q := store.Query{Eq: map[string]any{"audit_pending": SetupPending}, Sort: "created_ms", Limit: 200}
	for {
		page, err := c.Find(ctx, q)
		if err != nil {
			return n, err
		}
		for _, d := range page.Docs {
			var doc T
			if err := d.Decode(&doc); err != nil {
				return n, err
			}
			for _, in := range P(&doc).pending().Audits {
				if in.At.After(cutoff) {
					continue // in flight
				}
				done, err := settleAudit[T, P](ctx, s, c, d.ID, in.ID, cutoff)
				if err != nil {
					return n, err
				}
				if done {
					n++
				}
			}
		}
		if page.Next == "" {
			return n, nil
		}
		q.After = page.Next
	}
}

// settleAudit writes one pending entry: the intent is claimed (re-dated, by
// the document's version: of two repairers, one claims it), its entry
// written, then the intent cleared. It reports whether it wrote the entry.
func settleAudit[T any, P pendingDoc[T]](ctx context.Context, s *Service, c store.Collection, id, opID string, cutoff time.Time) (bool, error) {
	if s.crashed("audit_settle") {
		return false, errCrashed
	}
	var in Intent
	err := updatePending[T, P](ctx, c, id, func(p *PendingAudits) error {
		x := p.pendingAudit(opID)
		if x == nil || x.At.After(cutoff) {
			return errNothing // cleared, or claimed by another repairer
		}
		x.At = s.now()
		in = *x
		return nil
	})
	if err == errNothing || kedaitong.Is(err, kedaitong.ENotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if s.crashed("audit_repair") {
		return false, errCrashed
	}
	if in.Audit != nil {
		in.Audit.write(ctx, s, id, map[string]any{"repaired": true})
	}
	err = updatePending[T, P](ctx, c, id, func(p *PendingAudits) error {
		if !p.dropAudit(opID) {
			return errNothing
		}
		return nil
	})
	if err != nil && err != errNothing {
		return true, err
	}
	return true, nil
}
