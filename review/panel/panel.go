// Package panel assigns review panels to loan applications: it turns the
// expert library and the waiting applications into an instance of the exact
// optimiser (package match), sends each chosen seat as an invitation with a
// due date, and keeps panels full when experts decline or let an invitation
// lapse.
//
// # Documents
//
// A panel is one document per application in "panels" (id = the
// application id). It holds the seats per tier, the seat holders (assignment
// id, expert, tier), the experts who declined or let an invitation expire
// (never invited to that application again), what the last solve considered
// and why each excluded expert was excluded, and the shortfalls. The
// invariant "at most N seats per tier, each expert once, never a decliner"
// lives in this one document and changes only through version-guarded
// writes.
//
// An assignment is one document per invitation in "assignments", for
// listing by expert, application, region and state: its state (invited,
// accepted, declined, expired, submitted) changes through a version-guarded
// write on it alone, so of two racing accepts exactly one wins and an
// accept racing a decline or an expiry has one winner.
//
// # Due dates
//
// An invitation is due ResponseWindow (3 days) after it is sent; an
// invitation not accepted by then expires. Accepting sets the due date to
// ReviewWindow (14 days) after acceptance: the review deadline. Experts are
// considered only when no unavailable period of theirs overlaps the whole
// window, from the invitation to the latest review deadline.
//
// # Runs and replacements
//
// Run assigns every application waiting for a panel (submitted) and every
// panel that still has open seats, keeping the seats already held. An
// application moves to in_review as soon as its panel has its first seat
// holder; seats that could not be filled stay open on the panel document and
// are retried by every later run and every replacement. A decline or an
// expiry frees the seat and re-solves that application's open seats at once
// against the current state (loads, declines). Runs and replacements are
// serialised by a lease document, so capacities hold across servers.
package panel

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"kedaitong"
	"kedaitong/experts"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/review"
	"kedaitong/review/match"
	"kedaitong/taxonomy"
)

// Assignment states of the public contract.
const (
	StateInvited   = "invited"
	StateAccepted  = "accepted"
	StateDeclined  = "declined"
	StateExpired   = "expired"
	StateSubmitted = "submitted"
)

// States lists the assignment states.
var States = []string{StateInvited, StateAccepted, StateDeclined, StateExpired, StateSubmitted}

// ValidState reports whether s is an assignment state.
func ValidState(s string) bool {
	for _, x := range States {
		if x == s {
			return true
		}
	}
	return false
}

// Windows of an invitation.
const (
	ResponseWindow = 3 * 24 * time.Hour  // from invitation to the answer
	ReviewWindow   = 14 * 24 * time.Hour // from acceptance to the submitted review
	MaxReasonLen   = 500                 // characters of a decline reason
)

// DefaultSeats is a panel's seats per tier unless Options say otherwise.
var DefaultSeats = map[string]int{match.TierAcademician: 1, match.TierIndustry: 2, match.TierFinance: 1}

// Collections of the package.
var (
	PanelsDef = store.CollectionDef{Name: "panels", Indexes: []store.Index{
		{Fields: []string{"needs", "updated_ms"}},
		{Fields: []string{"pending", "updated_ms"}},
		{Fields: []string{"inviting", "updated_ms"}},
	}}
	AssignmentsDef = store.CollectionDef{Name: "assignments", Indexes: []store.Index{
		{Fields: []string{"created_ms"}},
		{Fields: []string{"state", "created_ms"}},
		{Fields: []string{"state", "due_ms"}},
		{Fields: []string{"expert_id", "created_ms"}},
		{Fields: []string{"expert_id", "state", "created_ms"}},
		{Fields: []string{"application_id", "created_ms"}},
		{Fields: []string{"city", "created_ms"}},
		{Fields: []string{"city", "state", "created_ms"}},
		{Fields: []string{"region", "created_ms"}},
		{Fields: []string{"region", "state", "created_ms"}},
	}}
	LeasesDef = store.CollectionDef{Name: "panel_leases"}
)

// Assignment is one invitation to sit on a panel. The JSON is the API's
// shape: the contract's id, application_id, expert_id, tier, state and due,
// and more.
type Assignment struct {
	ID            string     `json:"id"`
	ApplicationID string     `json:"application_id"`
	ExpertID      string     `json:"expert_id"`
	Tier          string     `json:"tier"`
	State         string     `json:"state"`
	Due           time.Time  `json:"due"`
	Affinity      float64    `json:"affinity"`
	RunID         string     `json:"run_id"`
	Route         string     `json:"route"`
	InvitedAt     time.Time  `json:"invited_at"`
	RespondedAt   *time.Time `json:"responded_at,omitempty"`
	Reason        string     `json:"reason,omitempty"` // why it was declined
	UpdatedAt     time.Time  `json:"updated_at"`

	Region    string `json:"region"`
	City      string `json:"city"`
	DueMS     int64  `json:"due_ms"`
	CreatedMS int64  `json:"created_ms"`
}

// Panel is an application's panel as stored.
type Panel struct {
	ApplicationID string         `json:"application_id"`
	BankID        string         `json:"bank_id"`
	Region        string         `json:"region"`
	Route         string         `json:"route"`
	Seats         map[string]int `json:"seats"`
	Members       []Member       `json:"members"`
	Refused       []Refusal      `json:"refused"`
	Considered    []Candidate    `json:"considered"`
	Shortfalls    []Shortfall    `json:"shortfalls"`
	Open          int            `json:"open"`    // seats without a holder
	Needs         bool           `json:"needs"`   // open seats and the application still wants a panel
	Pending       bool           `json:"pending"` // a seat was freed and its replacement is owed
	Closed        bool           `json:"closed"`  // the application left the review: no more invitations
	LastRunID     string         `json:"last_run_id"`
	Adjudicator   string         `json:"adjudicator,omitempty"` // the adjudicating seat's assignment id (AddAdjudicator)
	// Invitations are the assignment documents of seats just given, written
	// with the seats in one version-guarded write and dropped once the
	// assignments are stored: a crash in between is finished from here
	// (materialize). Inviting is true while any is left.
	Invitations []Assignment `json:"invitations,omitempty"`
	Inviting    bool         `json:"inviting"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
	UpdatedMS   int64        `json:"updated_ms"`
}

// Member holds a seat.
type Member struct {
	AssignmentID string  `json:"assignment_id"`
	ExpertID     string  `json:"expert_id"`
	Tier         string  `json:"tier"`
	Affinity     float64 `json:"affinity"`
}

// Refusal is an expert who declined the application or let the invitation
// expire; it is never invited to the application again.
type Refusal struct {
	ExpertID     string    `json:"expert_id"`
	AssignmentID string    `json:"assignment_id"`
	State        string    `json:"state"` // declined or expired
	Reason       string    `json:"reason,omitempty"`
	At           time.Time `json:"at"`
}

// Candidate is an expert the last solve considered for the panel: an expert
// of a tier with open seats whose fields fit the application's route.
type Candidate struct {
	ExpertID string  `json:"expert_id"`
	Name     string  `json:"name"`
	Tier     string  `json:"tier"`
	Affinity float64 `json:"affinity"` // 0 for excluded experts
	Basis    string  `json:"basis"`    // route, neighbour, industry, finance
	Outcome  string  `json:"outcome"`  // invited, not_chosen, excluded
	Reason   string  `json:"reason,omitempty"`
	Detail   string  `json:"detail,omitempty"` // the organisation or period behind the reason
}

// Outcomes of a candidate.
const (
	OutcomeInvited   = "invited"
	OutcomeNotChosen = "not_chosen"
	OutcomeExcluded  = "excluded"
)

// Exclusion reasons of a candidate.
const (
	ExclEnterpriseStaff = "enterprise_staff" // works for the enterprise, or is named in its team
	ExclEnterpriseOrg   = "enterprise_org"   // worked for the enterprise in the last three years
	ExclBankOrg         = "bank_org"         // works or worked for the lending bank in the last three years
	ExclDeclared        = "declared_conflict"
	ExclDeclined        = "declined" // declined this application or let its invitation expire
	ExclUnavailable     = "unavailable"
	ExclInactive        = "inactive"
	ExclAtCapacity      = "at_capacity" // no room left: as many open assignments as its capacity
)

// Shortfall is seats of one tier left empty and why.
type Shortfall struct {
	ApplicationID string `json:"application_id"`
	Tier          string `json:"tier"`
	Seats         int    `json:"seats"`
	Reason        string `json:"reason"`  // a Short* code
	Message       string `json:"message"` // the reason in English
	Eligible      int    `json:"eligible"`
	Conflicted    int    `json:"conflicted"`
	Unavailable   int    `json:"unavailable"`
	Declined      int    `json:"declined"`
	AtCapacity    int    `json:"at_capacity"`
}

// Shortfall reasons.
const (
	ShortNoEligible  = "no_eligible"     // no expert of the tier works on the route or its industry
	ShortConflicted  = "all_conflicted"  // every fitting expert has a conflict
	ShortCapacity    = "all_at_capacity" // the usable experts are at capacity or on other panels
	ShortDeclined    = "all_declined"    // every fitting expert declined or is excluded
	ShortUnavailable = "all_unavailable" // the fitting experts are unavailable over the window
	ShortExcluded    = "all_excluded"    // every fitting expert is excluded for one reason or another
	ShortTooFew      = "too_few"         // fewer usable experts than seats
)

var shortMessages = map[string]string{
	ShortNoEligible:  "no expert of that tier works on the route or its industry",
	ShortConflicted:  "all eligible experts of that tier have a conflict with the enterprise or the bank",
	ShortCapacity:    "all eligible experts of that tier are at capacity",
	ShortDeclined:    "all eligible experts of that tier declined this application",
	ShortUnavailable: "all eligible experts of that tier are unavailable during the review window",
	ShortExcluded:    "all eligible experts of that tier are excluded (conflicts, declines, unavailability)",
	ShortTooFew:      "too few eligible experts of that tier",
}

// Options configure the service.
type Options struct {
	// Seats per tier of a new panel; nil means DefaultSeats.
	Seats map[string]int
	// BankOrgIDs returns the organisation ids (experts.OrgID) a bank is
	// known by, for conflict checks (package banks' registry); nil means
	// BankOrgs alone. "org:<bank id>" always counts too.
	BankOrgIDs func(bankID string) []string
	// BankOrgs maps a bank id to more organisation ids of the bank.
	// Nil means DemoBankOrgs when BankOrgIDs is nil too.
	BankOrgs map[string][]string
	// OnError is told of failures of work done in reaction to other
	// packages' changes (ending a newly conflicted seat); nil ignores them
	// (the next access of the seat ends it).
	OnError func(what, id string, err error)
}

// DemoBankOrgs are the organisations of the demo banks.
var DemoBankOrgs = map[string][]string{
	"ganzhou-bank":  {experts.OrgID("赣州银行", "")},
	"nanchang-bank": {experts.OrgID("南昌银行", "")},
}

// Service runs panel assignment.
type Service struct {
	panels, assignments, leases store.Collection
	review                      *review.Service
	experts                     *experts.Service
	rec                         identity.Recorder
	tax                         *taxonomy.Taxonomy
	opts                        Options
	now                         func() time.Time
	holder                      string
	submitted                   SubmittedFunc // scoring's "was this review submitted?" (SetSubmitted)
	onError                     func(what, id string, err error)
	mu                          sync.Mutex // serialises this server's runs and replacements
}

// Open declares the package's collections and returns the service.
func Open(ctx context.Context, st store.Store, rs *review.Service, es *experts.Service, rec identity.Recorder, opts Options) (*Service, error) {
	s := &Service{review: rs, experts: es, rec: rec, tax: taxonomy.Default(), opts: opts,
		now: func() time.Time { return time.Now().UTC() }, holder: newID("srv-")}
	if s.opts.Seats == nil {
		s.opts.Seats = DefaultSeats
	}
	if s.opts.BankOrgs == nil && s.opts.BankOrgIDs == nil {
		s.opts.BankOrgs = DemoBankOrgs
	}
	s.onError = s.opts.OnError
	es.OnChange(s.expertChanged)
	for _, x := range []struct {
		c   *store.Collection
		def store.CollectionDef
	}{{&s.panels, PanelsDef}, {&s.assignments, AssignmentsDef}, {&s.leases, LeasesDef}} {
		var err error
		if *x.c, err = st.Collection(ctx, x.def); err != nil {
			return nil, fmt.Errorf("panel: %w", err)
		}
	}
	return s, nil
}

// SetClock replaces the service's clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func newID(prefix string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

func (s *Service) record(ctx context.Context, actor *identity.User, action, kind, id, bank, region string, detail map[string]any) {
	if s.rec == nil {
		return
	}
	s.rec.Record(ctx, identity.Event{Actor: actor, Action: action, ObjectKind: kind, ObjectID: id, BankID: bank, Region: region, Detail: detail})
}

func manages(u identity.User) bool {
	return u.Role == identity.RoleOfficial || u.Role == identity.RoleAdmin
}

func notFound(id string) error {
	return kedaitong.Errorf(kedaitong.ENotFound, "no assignment %q", id).ZHf("没有评审任务 %q", id)
}

// lease serialises runs and replacements across servers: one document whose
// holder and expiry change through version-guarded writes.
type lease struct {
	Holder    string `json:"holder"`
	ExpiresMS int64  `json:"expires_ms"`
}

const leaseTTL = 2 * time.Minute

// lock takes the assignment lease, waiting up to wait for another holder.
func (s *Service) lock(ctx context.Context, wait time.Duration) (func(), error) {
	s.mu.Lock()
	deadline := time.Now().Add(wait)
	for {
		ok, err := s.tryLease(ctx)
		if err != nil {
			s.mu.Unlock()
			return nil, err
		}
		if ok {
			return func() {
				var l lease
				if ver, err := s.leases.Get(context.WithoutCancel(ctx), "assign", &l); err == nil && l.Holder == s.holder {
					_, _ = s.leases.Replace(context.WithoutCancel(ctx), "assign", ver, lease{})
				}
				s.mu.Unlock()
			}, nil
		}
		if time.Now().After(deadline) {
			s.mu.Unlock()
			return nil, kedaitong.Errorf(kedaitong.EConflict, "another assignment run is in progress; try again shortly").ZHf("另一次评审分派正在进行，请稍后重试")
		}
		select {
		case <-ctx.Done():
			s.mu.Unlock()
			return nil, kedaitong.Wrap(kedaitong.EUnavailable, ctx.Err(), "cancelled").ZHf("已取消")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (s *Service) tryLease(ctx context.Context) (bool, error) {
	var l lease
	now := time.Now()
	want := lease{Holder: s.holder, ExpiresMS: now.Add(leaseTTL).UnixMilli()}
	ver, err := s.leases.Get(ctx, "assign", &l)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		err = s.leases.Insert(ctx, "assign", want)
		if kedaitong.Is(err, kedaitong.EConflict) {
			return false, nil
		}
		return err == nil, err
	}
	if err != nil {
		return false, err
	}
	if l.Holder != "" && l.Holder != s.holder && l.ExpiresMS > now.UnixMilli() {
		return false, nil
	}
	_, err = s.leases.Replace(ctx, "assign", ver, want)
	if kedaitong.Is(err, kedaitong.EConflict) {
		return false, nil
	}
	return err == nil, err
}
