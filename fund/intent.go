package fund

import (
	"context"
	"slices"
	"time"

	"kedaitong"
	"kedaitong/internal/store"
)

// A change that touches a loan and its pool is two documents, and there are
// no multi-document transactions. So it is made self-repairing:
//
//  1. the pool's write (the capacity check, the counters) also records an
//     Intent — the change's id, its loan and the exact delta applied to
//     the pool — in the same version-guarded write;
//  2. the loan is written, carrying the change's id in its Ops;
//  3. the intent is cleared (after the answer: it is only bookkeeping).
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

// clearIntent removes a committed change's intent (its loan is written).
func (s *Service) clearIntent(ctx context.Context, fundID, id string) {
	_, _, _ = s.updatePool(context.WithoutCancel(ctx), fundID, func(p *Pool) error {
		if !p.dropIntent(id) {
			return errNothing
		}
		return nil
	})
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
				if in.At.After(cutoff) {
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
	}
	s.record(ctx, nil, action, "fund", fundID, in.BankID, "", map[string]any{"intent": in.ID, "kind": in.Kind, "loan_id": in.LoanID,
		"outstanding": in.Delta.Outstanding})
	return true, nil
}

// later runs fn after the answer, in the background (bookkeeping only:
// Repair does it when the process dies first). Flush waits for it.
func (s *Service) later(fn func(ctx context.Context)) {
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		fn(context.Background())
	}()
}

// Flush waits for the background bookkeeping of changes already answered
// (tests, shutdown).
func (s *Service) Flush() { s.bg.Wait() }
