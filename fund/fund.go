// Package fund is the risk-compensation fund of the Kedai Tong programme:
// regional pools that governments pay money into, the loans banks register
// against them (at most cash × leverage outstanding at once), repayments,
// defaults, the non-performing warning and suspension of banks, claims with
// step compensation and accelerated clearance after a technical evaluation,
// cross-year smoothing of what cash cannot pay at once (deferred), transfers
// between regions, performance targets and the KPIs officials rank regions
// by.
//
// # Documents
//
// A pool is one document of "fund_pools" (id "fund-<region>", so at most one
// per region). Everything that must hold atomically for a pool lives in it
// and changes through one version-guarded write, retried on a version
// conflict: cash, outstanding principal, what was paid out and deferred,
// the deferred queue, per-bank outstanding and non-performing principal with
// the bank's warning state, targets, and the KPI counters (loans, amounts
// lent per year, enterprises, start-ups, compensation paid, re-reviews).
// So concurrent registrations — also from several servers on one store —
// can never push outstanding past capacity, and the KPI view reads one
// document per pool instead of scanning loans.
//
// Loans ("fund_loans"), claims ("fund_claims"), transfers ("fund_transfers"),
// technical evaluations ("fund_evaluations") and their seats
// ("fund_eval_seats") are documents of their own.
//
// # Multi-step writes
//
// There are no multi-document transactions, so every change that writes
// more than one document has one commit point — a single version-guarded
// write — and an idempotent repair (Repair, run by the server at start and
// every ten seconds, for changes older than RepairGrace) that finishes or
// rolls back what a crash (kill -9, a power cut) left after it. Nothing is
// paid twice, nothing is lost, and the claim, the pool's money and the
// loan agree again (intent.go explains the intents):
//
//   - register, repayment, default, re-review count: pool (figures +
//     intent) then loan. Commit point: the loan's write (it carries the
//     change's id). Repair: an intent whose loan lacks the id is rolled
//     back, else cleared (and its audit entry written).
//   - claim filing: pool (the claim enters the pool's open list), loan
//     (open-claim mark, by its version: one open claim per loan), claim
//     (with its audit entry pending, see below). Commit point: the claim's
//     insert. Repair: an open-list entry whose claim does not exist is
//     rolled back and the loan's mark cleared; a mark left by a decided
//     claim never blocks a new filing.
//   - claim approval: claim (approved: one approver wins), pool (the claim
//     leaves the open list in the same write that pays cash and queues the
//     deferred rest, with an intent), claim (booked paid), loan
//     (compensated). Commit point: the pool's write. Repair: an approved
//     claim still on the open list is paid; an intent is rolled forward
//     (claim and loan written, each once by the change's id). A claim off
//     the open list is never paid again.
//   - claim rejection: claim (rejected, its audit entry pending), loan
//     (mark cleared), pool (off the open list). Commit point: the claim's
//     write. Repair: an open-list entry whose claim was rejected before
//     the grace is finished; the claim.reject entry is written as below.
//   - contribution (and deferred payments from it): pool (cash, the queue
//     paid first, an intent with the payments and the audit entry), then
//     each paid claim (booked once per change, its claim.deferred_paid
//     entry pending in the booking's write). Commit point: the pool's
//     write. Repair: the payments are booked on their claims and the audit
//     entry written.
//   - transfer between regions: sending pool (debit + intent), receiving
//     pool (credit + mark, once), transfer record, paid claims; the
//     sending intent is cleared before the receiving mark. Commit point:
//     the sending pool's write. Repair rolls it forward: the credit is made
//     unless the mark says it was, the record written once.
//   - opening a pool, terms, targets, lifting a suspension: one pool
//     write (the opening: its insert), with an intent carrying the audit
//     entry (Repair writes it if the process died before). A bank's
//     warning and suspension change inside the pool's write that moves its
//     figures: one document, nothing to repair.
//   - a change whose commit point is one write of a claim, a seat or an
//     evaluation — a claim's filing, recovery closed, rejection and
//     deferred payment booked; a seat accepted, declined, expired or
//     answered; an evaluation's order, seat replacement and close — carries
//     its audit entry as an intent in that write (PendingAudits: the
//     change's id, actor, action, detail); the entry follows (after the
//     change's other writes), and the intent is cleared after the answer.
//     Repair: an entry left pending past the grace is written with its own
//     action, marked repaired, and cleared; it is claimed first by the
//     document's version, so of two servers one writes it, and a repairer
//     that dies before writing it leaves it to the next. (A decline's,
//     an expiry's or an answer's follow-up — the replacement or the close
//     — is repaired as below.)
//   - technical evaluation order and seat replacement: evaluation (with
//     the planned seats, a pending mark and its audit entry pending; for a
//     replacement, by its version: one of two at once wins), loan (names
//     the evaluation), seats (ids chosen in the plan: each written once).
//     Commit point: the evaluation's write. Repair: a pending evaluation
//     is finished; an open evaluation left without an open seat is given a
//     replacement or closed on its answers.
//
// Audit entries of these changes are written at least once: a repair that
// cannot know whether the entry was written before the crash writes it
// again, marked "repaired", with the change's own action (claim.reject,
// claim.approve, fund.transfer, loan.default …). A pool's intent is
// claimed by Repair as a document's pending entry is (re-dated by the
// pool's version, then the entry, then the intent cleared), so a
// repairer dying in between leaves the entry to the next repair. A
// change's entry is written twice only when the process dies after it and
// before the intent's clearing (a contribution dying while it books its
// deferred payments, for one). Still written as a plain second step, which
// a crash right after the change's write drops (the change itself is
// kept): a bank's warning or suspension (fund.bank_warned,
// fund.bank_suspended, written after the default's loan write), and
// Repair's own notes (fund.repair_*, claim.repair_*,
// evaluation.repair_commit; the change's entry is kept). A re-review's
// count and a seat's draft answer are not audited. An order that finishes
// one a crash cut short leaves the first order's entry to Repair.
//
// # Money
//
// Money is integer yuan, never negative; percentages are integers 0–100;
// dates are YYYY-MM-DD in Beijing time. Every money movement is audited
// through the recorder (who, when, why).
//
// # Visibility
//
// Banks see their own loans and claims, and the pools their loans use;
// officials see pools, loans and claims whose region their own covers;
// admins everything. Anything else is not found (404).
package fund

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/notify"
	"kedaitong/review"
	"kedaitong/taxonomy"
)

// Error codes of the fund's own conflicts (409 each, see the contract).
const (
	ECapacityExceeded    = "capacity_exceeded"
	EBankSuspended       = "bank_suspended"
	EEnterpriseDishonest = "enterprise_dishonest"
)

// Collections of the package.
var (
	PoolsDef = store.CollectionDef{Name: "fund_pools", Indexes: []store.Index{
		{Fields: []string{"region"}},
	}}
	LoansDef = store.CollectionDef{Name: "fund_loans", Indexes: []store.Index{
		{Fields: []string{"created_ms"}},
		{Fields: []string{"bank_id", "created_ms"}},
		{Fields: []string{"fund_id", "created_ms"}},
		{Fields: []string{"city", "created_ms"}},
		{Fields: []string{"region", "created_ms"}},
		{Fields: []string{"application_id"}},
		{Fields: []string{"fund_id", "credit_code"}},
	}}
	ClaimsDef = store.CollectionDef{Name: "fund_claims", Indexes: []store.Index{
		{Fields: []string{"created_ms"}},
		{Fields: []string{"bank_id", "created_ms"}},
		{Fields: []string{"fund_id", "created_ms"}},
		{Fields: []string{"city", "created_ms"}},
		{Fields: []string{"region", "created_ms"}},
		{Fields: []string{"state", "created_ms"}},
		{Fields: []string{"loan_id", "created_ms"}},
		{Fields: []string{"audit_pending", "created_ms"}}, // Repair: audit entries left pending
	}}
	TransfersDef   = store.CollectionDef{Name: "fund_transfers", Indexes: []store.Index{{Fields: []string{"created_ms"}}}}
	EvaluationsDef = store.CollectionDef{Name: "fund_evaluations", Indexes: []store.Index{{Fields: []string{"loan_id"}}, {Fields: []string{"created_ms"}},
		{Fields: []string{"setup", "created_ms"}}, {Fields: []string{"state", "created_ms"}},
		{Fields: []string{"audit_pending", "created_ms"}}}} // Repair: audit entries left pending
)

// Dishonesty says whether an enterprise is on a dishonesty list (the data
// hub); a listed enterprise gets no new loan registered.
type Dishonesty interface {
	Dishonest(ctx context.Context, creditCode string) (bool, error)
}

// Hub is what the fund reads of the data hub beyond the dishonesty lists:
// whether an enterprise is on the key list (key project or specialised
// SME: counted as reached at its first loan in a pool), how many key-list
// enterprises a region has, and the region's docking conversion — for the
// KPIs.
type Hub interface {
	KeyListed(ctx context.Context, creditCode string) (bool, error)
	KeyListCount(ctx context.Context, region string) (int, error)
	DockingStats(ctx context.Context, region string) (total, converted int, err error)
}

// SetHub wires the data hub's key list and docking figures (nil: the KPIs show none).
func (s *Service) SetHub(h Hub) { s.hub = h }

// RiskShare gives the share (0–100) of a loan's loss an investor took on by
// endorsing the enterprise's application (investment-loan linkage); the
// fund pays only for the rest of the loss.
type RiskShare interface {
	RiskSharePct(ctx context.Context, applicationID, creditCode string) (int64, error)
}

// Limits.
const (
	MaxMoney      = int64(1e13) // yuan: ten trillion, beyond any pool
	MaxLeverage   = 50
	MaxTermMonths = 360
	MaxReason     = 1000 // characters of a reason
	MaxSteps      = 10
	MaxName       = 100
)

// Service is the fund domain.
type Service struct {
	st                                            store.Store
	pools, loans, claims, transfers, evals, seats store.Collection
	users                                         store.Collection
	apps                                          *review.Service
	notes                                         *notify.Service
	rec                                           identity.Recorder
	tax                                           *taxonomy.Taxonomy
	dishonesty                                    Dishonesty
	riskShare                                     RiskShare
	finder                                        ExpertFinder
	hub                                           Hub
	bankNamer                                     BankNamer
	fault                                         FaultHook
	bg                                            sync.WaitGroup
	doneMu                                        sync.Mutex
	done                                          map[string]string // committed changes' intents to drop: op id → pool id
	hubMu                                         sync.Mutex
	hubCache                                      map[string]hubFigures // region → the data hub's figures, briefly
	now                                           func() time.Time
}

// Open declares the package's collections on st. apps is needed to register
// loans from applications; notes and rec may be nil.
func Open(ctx context.Context, st store.Store, apps *review.Service, notes *notify.Service, rec identity.Recorder) (*Service, error) {
	s := &Service{st: st, apps: apps, notes: notes, rec: rec, tax: taxonomy.Default(), now: func() time.Time { return time.Now().UTC() }}
	for _, x := range []struct {
		c   *store.Collection
		def store.CollectionDef
	}{{&s.pools, PoolsDef}, {&s.loans, LoansDef}, {&s.claims, ClaimsDef}, {&s.transfers, TransfersDef},
		{&s.evals, EvaluationsDef}, {&s.seats, SeatsDef}, {&s.users, identity.UsersDef}} {
		var err error
		if *x.c, err = st.Collection(ctx, x.def); err != nil {
			return nil, fmt.Errorf("fund: %w", err)
		}
	}
	return s, nil
}

// SetClock replaces the service's clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// SetDishonesty wires the dishonesty check (nil: no check).
func (s *Service) SetDishonesty(d Dishonesty) { s.dishonesty = d }

// SetRiskShare wires the investors' risk share (nil: the fund bears the whole share).
func (s *Service) SetRiskShare(r RiskShare) { s.riskShare = r }

// beijing is the programme's time zone.
var beijing = time.FixedZone("CST", 8*3600)

// DateLayout is the layout of dates.
const DateLayout = "2006-01-02"

func (s *Service) today() string { return s.now().In(beijing).Format(DateLayout) }

// Year is the current year in Beijing.
func (s *Service) Year() int { return s.now().In(beijing).Year() }

func newID(prefix string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

func (s *Service) record(ctx context.Context, actor *identity.User, action, kind, id, bankID, region string, detail map[string]any) {
	if s.rec == nil {
		return
	}
	s.rec.Record(ctx, identity.Event{Actor: actor, Action: action, ObjectKind: kind, ObjectID: id,
		BankID: bankID, Region: region, Outcome: "ok", Detail: detail})
}

// parseDate checks a YYYY-MM-DD date.
func parseDate(field, v string) error {
	d, err := time.Parse(DateLayout, v)
	if err != nil || d.Format(DateLayout) != v {
		return kedaitong.Invalid(field, "a date as YYYY-MM-DD").ZHf("请按 YYYY-MM-DD 格式填写日期（%s）", field)
	}
	return nil
}

// checkMoney checks an amount in yuan.
func checkMoney(field string, v int64, positive bool) error {
	if v < 0 {
		return kedaitong.Invalid(field, "must not be negative").ZHf("金额（%s）不能为负数", field)
	}
	if positive && v == 0 {
		return kedaitong.Invalid(field, "must be above 0 yuan").ZHf("金额（%s）必须大于 0 元", field)
	}
	if v > MaxMoney {
		return kedaitong.Invalid(field, "is over %d yuan", MaxMoney).ZHf("金额（%s）超过上限 %d 元", field, MaxMoney)
	}
	return nil
}

func checkPct(field string, v int64) error {
	if v < 0 || v > 100 {
		return kedaitong.Invalid(field, "a percentage from 0 to 100").ZHf("%s 应为 0 到 100 之间的整数百分比", field)
	}
	return nil
}

func checkReason(v string) error {
	if len([]rune(v)) > MaxReason {
		return kedaitong.Invalid("reason", "at most %d characters", MaxReason).ZHf("原因最多 %d 个字符", MaxReason)
	}
	return nil
}

func isOfficialOrAdmin(u identity.User) bool {
	return u.Role == identity.RoleOfficial || u.Role == identity.RoleAdmin
}

func forbidden(what, zh string) error {
	return kedaitong.Errorf(kedaitong.EForbidden, "%s", what).ZHf("%s", zh)
}

// retries bounds the version-guarded read-modify-write loops.
const retries = 200
