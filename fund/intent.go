package fund

import (
	"context"
	"slices"
	"time"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store"
)

// A change that touches a loan and its pool is two documents, and there are
// no multi-document transactions. So it is made self-repairing:
//
//  1. the pool's write (the capacity check, the counters) also records an
//     Intent — the change's id, its loan and the exact delta applied to
//     the pool — in the same version-guarded write;
//  2. the loan is written, carrying the change's id in its Ops;
//  3. the intent is cleared after the answer (it is only bookkeeping): by
//     the next write of the same pool from this process, or by
//     ClearCommitted every few seconds (one write per pool for all its
//     changes, not one per change).
//
// A crash (kill -9, a power cut) between 1 and 2 leaves an intent whose
// loan does not carry its id: Repair rolls the delta back. A crash between
// 2 and 3 leaves an intent whose loan does: Repair only clears it. Both
// happen in one version-guarded write of the pool, so a repair is
// idempotent and two servers repairing at once cannot apply it twice.
// Repair leaves intents younger than its grace alone (changes in flight);
// the server runs it at start and every minute.

// Intent is a pool change whose loan write may not have happened yet.
type Intent struct {
	ID     string    `json:"id"`   // the change's id, also written into the loan's Ops
	Kind   string    `json:"kind"` // register, repayment, default
	LoanID string    `json:"loan_id"`
	BankID string    `json:"bank_id"`
	Delta  Delta     `json:"delta"`
	At     time.Time `json:"at"`
	// Audit is the change's audit entry when it is written after the
	// answer (a registration): Repair writes it for a change it keeps, so
	// no kept change is left unaudited (a crash between the entry and the
	// intent's clearing writes it twice, the second marked "repaired").
	Audit *AuditNote `json:"audit,omitempty"`
}

// AuditNote is an audit entry kept with an intent until it is written.
type AuditNote struct {
	Action   string         `json:"action"`
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
	s.record(ctx, &actor, n.Action, "loan", objectID, n.BankID, n.Region, detail)
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

// FaultHook, when set (tests), is called between a change's pool write and
// its loan write with the change's kind; when it answers true the change
// stops there as a crash would (no loan write, no undo).
type FaultHook func(kind string) bool

// SetFaultHook installs a crash point between the two writes (tests only).
func (s *Service) SetFaultHook(h FaultHook) { s.fault = h }

// errCrashed is what a change answers when the fault hook stopped it.
var errCrashed = kedaitong.Errorf(kedaitong.EUnavailable, "fund: stopped between the pool and the loan write (fault injection)").ZHf("测试：在资金池与贷款写入之间中断")

func (s *Service) crashed(kind string) bool { return s.fault != nil && s.fault(kind) }

// undo rolls an intent back at once (its loan write failed): the delta is
// reversed and the intent removed in one write, only if it is still there.
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

// RepairGrace is how old an intent must be before Repair touches it.
const RepairGrace = 30 * time.Second

// Repair finishes or rolls back every pool change older than grace whose
// intent is still recorded: a change whose loan carries its id is kept
// (the intent is cleared), any other is rolled back. It answers how many
// intents it settled. The server runs it at start and every minute.
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
		}
		if page.Next == "" {
			return n, nil
		}
		q.After = page.Next
	}
}

// settleIntent keeps or rolls back one intent; it reports whether it did.
func (s *Service) settleIntent(ctx context.Context, fundID string, in Intent) (bool, error) {
	l, _, err := s.loadLoan(ctx, in.LoanID)
	if err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
		return false, err
	}
	committed := err == nil && slices.Contains(l.Ops, in.ID)
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
	} else if in.Audit != nil {
		in.Audit.write(ctx, s, in.LoanID, map[string]any{"repaired": true})
	}
	s.record(ctx, nil, action, "fund", fundID, in.BankID, "", map[string]any{"intent": in.ID, "kind": in.Kind, "loan_id": in.LoanID,
		"outstanding": in.Delta.Outstanding})
	return true, nil
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
