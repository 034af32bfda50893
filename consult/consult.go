// Package consult is the think tank's consultation desk: a bank asks a
// question on a technical route, the platform routes it to up to three
// available experts of that route who are not conflicted with the bank or
// the enterprise, the first to accept owns it, answers (with optional
// attachments), may be asked one follow-up, and is rated 1–5 by the bank,
// which feeds the expert's track record. Banks never learn who answered:
// they see "industry expert, lithium battery" (tier and field), never an id
// or a name.
//
// # Deadlines
//
// Deadlines count working time: Monday to Friday in China Standard Time
// (UTC+8), whole days; a normal question is due three working days after it
// was asked, an urgent one one working day. Public holidays and the
// adjusted working weekends of the Chinese calendar are not modelled.
//
// # Routing and re-routing
//
// Candidates are active experts not in an unavailable period today, whose
// open work (panel assignments in review plus consultations owned and not
// yet answered) is below their capacity, and none of whose affiliations
// (experts.Expert.Affiliations: organisations of the last three years and
// declared conflicts) is a party: the bank (see BankOrgIDs) or the
// enterprise (the tied application's credit code and name, or the credit
// code given). Experts with the exact route come first, then those of a
// neighbouring route, then those listed for the whole industry; within a
// rank, industry experts before academicians before finance scholars, the
// least loaded first, then by id. If nobody accepts within a quarter of the
// deadline (in working time) the consultation is re-routed to the next
// candidates — never to an expert offered it before — it is flagged
// "rerouted", and the officials who oversee it are notified. The server's
// background work (Service.Reroute) checks every minute.
//
// # Visibility
//
// A bank's users see their bank's consultations; an expert those currently
// offered to it or owned by it; an official those of its region — the tied
// application's county, or for untied consultations the province only
// (region "36"), so city and county officials see untied ones never;
// administrators all. Anything else is not found.
//
// # Documents
//
// A consultation is one document of "consultations": state, candidates,
// owner, answer, follow-up and rating live together and change through one
// version-guarded write, so of two racing accepts exactly one wins. Experts'
// lists go through link documents in "consultation_links" (expert id,
// consultation, time), written before an expert is offered a consultation
// and removed after it is withdrawn, so they are a superset that each list
// re-checks against the consultation. Each expert's open consultations are
// a counter in "consultation_load" (Incr).
package consult

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"kedaitong"
	"kedaitong/experts"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/notify"
	"kedaitong/review"
	"kedaitong/taxonomy"
)

// Collections of the package.
var (
	ConsultationsDef = store.CollectionDef{Name: "consultations", Indexes: []store.Index{
		{Fields: []string{"created_ms"}},
		{Fields: []string{"bank_id", "created_ms"}},
		{Fields: []string{"city", "created_ms"}},
		{Fields: []string{"region", "created_ms"}},
		{Fields: []string{"state", "reroute_ms"}},
	}}
	LinksDef = store.CollectionDef{Name: "consultation_links", Indexes: []store.Index{
		{Fields: []string{"expert_id", "created_ms"}},
	}}
	LoadDef = store.CollectionDef{Name: "consultation_load"}
)

// States of a consultation.
const (
	StateOpen     = "open"     // offered to candidates, waiting for one to accept
	StateAccepted = "accepted" // an expert owns it and prepares the answer
	StateAnswered = "answered" // answered; the bank may ask one follow-up and rate
	StateFollowUp = "followup" // the bank asked its follow-up; the same expert answers
	StateClosed   = "closed"   // rated
)

// States lists the states.
var States = []string{StateOpen, StateAccepted, StateAnswered, StateFollowUp, StateClosed}

// Urgencies and their deadlines in working days.
const (
	UrgencyNormal = "normal"
	UrgencyUrgent = "urgent"
)

// Limits.
const (
	MaxQuestion       = 10000 // characters of a question or follow-up
	MaxAnswer         = 20000 // characters of an answer
	MaxCandidates     = 3     // experts offered a consultation at once
	MaxAttachments    = 5     // files of one answer
	MaxAttachmentSize = review.MaxAttachmentSize
)

// Consultation is a consultation as stored.
type Consultation struct {
	ID            string `json:"id"`
	BankID        string `json:"bank_id"`
	AskedBy       string `json:"asked_by"` // user id
	Route         string `json:"route"`
	Industry      string `json:"industry"`
	Question      string `json:"question"`
	Urgency       string `json:"urgency"`
	ApplicationID string `json:"application_id,omitempty"`
	CreditCode    string `json:"credit_code,omitempty"`
	Enterprise    string `json:"enterprise,omitempty"` // the tied application's enterprise name
	State         string `json:"state"`

	Offered  []string `json:"offered"` // experts who may accept now
	Tried    []string `json:"tried"`   // every expert ever offered it, in order
	Round    int      `json:"round"`   // 1 for the first routing
	Rerouted bool     `json:"rerouted"`
	NoExpert bool     `json:"no_expert"` // the last routing found nobody new

	ExpertID    string `json:"expert_id,omitempty"`
	ExpertTier  string `json:"expert_tier,omitempty"`
	ExpertField string `json:"expert_field,omitempty"` // the expert's field closest to the route

	Answer   *Reply    `json:"answer,omitempty"`
	FollowUp *FollowUp `json:"followup,omitempty"`
	Stars    int       `json:"stars,omitempty"`

	CreatedAt      time.Time  `json:"created_at"`
	Due            time.Time  `json:"due"`
	RerouteAt      *time.Time `json:"reroute_at,omitempty"`
	AcceptedAt     *time.Time `json:"accepted_at,omitempty"`
	RatedAt        *time.Time `json:"rated_at,omitempty"`
	AnsweredOnTime *bool      `json:"answered_on_time,omitempty"`
	History        []Step     `json:"history"`

	Region    string `json:"region"` // the tied application's county, else "36"
	City      string `json:"city"`   // Region[:4] or ""
	CreatedMS int64  `json:"created_ms"`
	RerouteMS int64  `json:"reroute_ms"` // 0 unless open
}

// Reply is an answer of the owning expert.
type Reply struct {
	Text        string       `json:"text"`
	At          time.Time    `json:"at"`
	Attachments []Attachment `json:"attachments"`
}

// FollowUp is the bank's one follow-up question and its answer.
type FollowUp struct {
	Question string    `json:"question"`
	AskedAt  time.Time `json:"asked_at"`
	Answer   *Reply    `json:"answer,omitempty"`
}

// Attachment is a file of an answer; its content lives in the store's file
// area under "<consultation id>/<attachment id>".
type Attachment struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Kind        string    `json:"kind"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	UploadedAt  time.Time `json:"uploaded_at"`
}

// Step is one event of a consultation's history. Expert ids in it are
// shown only to officials and administrators.
type Step struct {
	Event   string    `json:"event"`            // asked, routed, rerouted, accepted, declined, answered, followup, followup_answered, rated
	Reason  string    `json:"reason,omitempty"` // why an expert declined (officials and admins see it)
	At      time.Time `json:"at"`
	Experts []string  `json:"experts,omitempty"`
}

type link struct {
	ExpertID       string `json:"expert_id"`
	ConsultationID string `json:"consultation_id"`
	CreatedMS      int64  `json:"created_ms"`
}

type load struct {
	ExpertID string `json:"expert_id"`
	Open     int64  `json:"open"`
	Answered int64  `json:"answered"`
	OnTime   int64  `json:"on_time"`
}

// Service is the consultations domain.
type Service struct {
	st                        store.Store
	cons, links, loads, owned store.Collection
	experts                   *experts.Service
	apps                      *review.Service
	notes                     *notify.Service
	rec                       identity.Recorder
	tax                       *taxonomy.Taxonomy
	now                       func() time.Time
	bankOrgIDs                func(bankID string) []string
}

// Open declares the package's collections on st. notes and rec may be nil
// (no notifications, nothing audited).
func Open(ctx context.Context, st store.Store, ex *experts.Service, apps *review.Service, notes *notify.Service, rec identity.Recorder) (*Service, error) {
	if ex == nil || apps == nil {
		return nil, fmt.Errorf("consult: the expert library and the applications are required")
	}
	s := &Service{st: st, experts: ex, apps: apps, notes: notes, rec: rec, tax: taxonomy.Default(), now: func() time.Time { return time.Now().UTC() }}
	for _, x := range []struct {
		c   *store.Collection
		def store.CollectionDef
	}{{&s.cons, ConsultationsDef}, {&s.links, LinksDef}, {&s.loads, LoadDef}, {&s.owned, OwnedDef}} {
		var err error
		if *x.c, err = st.Collection(ctx, x.def); err != nil {
			return nil, fmt.Errorf("consult: %w", err)
		}
	}
	return s, nil
}

// SetClock replaces the service's clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// SetBankOrgIDs makes the conflict checks also treat every organisation id
// fn gives for the asking bank as the bank (package banks' registry).
func (s *Service) SetBankOrgIDs(fn func(bankID string) []string) { s.bankOrgIDs = fn }

var idRE = regexp.MustCompile(`^con-[0-9a-f]{16}$`)

func newID(prefix string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

func notFound(id string) error {
	return kedaitong.Errorf(kedaitong.ENotFound, "no consultation %q", id).ZHf("没有咨询 %q", id)
}

func (s *Service) record(ctx context.Context, actor *identity.User, action string, c *Consultation, detail map[string]any) {
	if s.rec == nil {
		return
	}
	s.rec.Record(ctx, identity.Event{Actor: actor, Action: action, ObjectKind: "consultation", ObjectID: c.ID,
		BankID: c.BankID, Region: c.Region, Detail: detail})
}

// CanRead reports whether u may see the consultation.
func CanRead(u identity.User, c *Consultation) bool {
	if u.Role == identity.RoleExpert {
		return u.ExpertID != "" && (c.ExpertID == u.ExpertID || c.State == StateOpen && slices.Contains(c.Offered, u.ExpertID))
	}
	return identity.MaySee(u, c.BankID, c.Region)
}

// asksFor reports whether u is a user of the asking bank.
func asksFor(u identity.User, c *Consultation) bool {
	return identity.IsBankRole(u.Role) && u.BankID != "" && u.BankID == c.BankID
}

// owns reports whether u is the owning expert.
func owns(u identity.User, c *Consultation) bool {
	return u.Role == identity.RoleExpert && u.ExpertID != "" && u.ExpertID == c.ExpertID
}

// load reads a consultation and its version; a malformed id is not found.
func (s *Service) load(ctx context.Context, id string) (Consultation, int64, error) {
	var c Consultation
	if !idRE.MatchString(id) {
		return c, 0, notFound(id)
	}
	ver, err := s.cons.Get(ctx, id, &c)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		return c, 0, notFound(id)
	}
	if err == nil {
		// Repair on read: a write cut short before the owner's open
		// consultations were brought into line (owned.go).
		err = s.track(ctx, &c)
	}
	return c, ver, err
}

func (s *Service) loadFor(ctx context.Context, u identity.User, id string) (Consultation, int64, error) {
	c, ver, err := s.load(ctx, id)
	if err != nil {
		return c, 0, err
	}
	if !CanRead(u, &c) {
		return Consultation{}, 0, notFound(id)
	}
	return c, ver, nil
}

// Label is how an expert is shown to banks: tier and field, never a name.
type Label struct {
	Tier  string      `json:"tier"`
	Field string      `json:"field"`
	Label notify.Text `json:"label"`
}

var tierNames = map[string]notify.Text{
	experts.TierAcademician: {ZH: "院士专家", EN: "academician"},
	experts.TierIndustry:    {ZH: "产业专家", EN: "industry expert"},
	experts.TierFinance:     {ZH: "科技金融学者", EN: "finance scholar"},
}

// FieldName returns the zh-CN and English names of a route or an industry.
func (s *Service) FieldName(code string) notify.Text {
	if r, ok := s.tax.Route(code); ok {
		return notify.Text{ZH: r.Name.ZH, EN: r.Name.EN}
	}
	if i, ok := s.tax.Industry(code); ok {
		return notify.Text{ZH: i.Name.ZH, EN: i.Name.EN}
	}
	return notify.Text{ZH: code, EN: code}
}

// ExpertLabel is the anonymous label of an expert of tier and field.
func (s *Service) ExpertLabel(tier, field string) Label {
	t := tierNames[tier]
	f := s.FieldName(field)
	return Label{Tier: tier, Field: field, Label: notify.Text{ZH: t.ZH + " · " + f.ZH, EN: t.EN + ", " + strings.ToLower(f.EN)}}
}

// View is a consultation as a caller sees it.
type View struct {
	ID             string      `json:"id"`
	BankID         string      `json:"bank_id"`
	Route          string      `json:"route"`
	RouteName      notify.Text `json:"route_name"`
	Industry       string      `json:"industry"`
	Question       string      `json:"question"`
	Urgency        string      `json:"urgency"`
	ApplicationID  string      `json:"application_id,omitempty"`
	CreditCode     string      `json:"credit_code,omitempty"`
	Enterprise     string      `json:"enterprise,omitempty"`
	Region         string      `json:"region"`
	State          string      `json:"state"`
	Rerouted       bool        `json:"rerouted"`
	Round          int         `json:"round"`
	NoExpert       bool        `json:"no_expert"`
	Expert         *Label      `json:"expert"`              // the owner, as tier and field; null until accepted
	ExpertID       string      `json:"expert_id,omitempty"` // the expert itself, officials and admins only
	Offered        []string    `json:"offered,omitempty"`   // officials and admins only
	Answer         *Reply      `json:"answer"`
	FollowUp       *FollowUp   `json:"followup"`
	Stars          *int        `json:"stars"`
	CreatedAt      time.Time   `json:"created_at"`
	Due            time.Time   `json:"due"`
	AcceptedAt     *time.Time  `json:"accepted_at"`
	RatedAt        *time.Time  `json:"rated_at"`
	AnsweredOnTime *bool       `json:"answered_on_time"`
	Overdue        bool        `json:"overdue"` // not answered and past due
	History        []Step      `json:"history"`
	Actions        []string    `json:"actions"` // what the caller may do now: accept, answer, attach, followup, rate
	Version        int64       `json:"version"`
}

// view presents c to u.
func (s *Service) view(u identity.User, c Consultation, ver int64) View {
	v := View{ID: c.ID, BankID: c.BankID, Route: c.Route, RouteName: s.FieldName(c.Route), Industry: c.Industry,
		Question: c.Question, Urgency: c.Urgency, ApplicationID: c.ApplicationID, CreditCode: c.CreditCode, Enterprise: c.Enterprise,
		Region: c.Region, State: c.State, Rerouted: c.Rerouted, Round: c.Round, NoExpert: c.NoExpert,
		Answer: c.Answer, FollowUp: c.FollowUp, CreatedAt: c.CreatedAt, Due: c.Due, AcceptedAt: c.AcceptedAt,
		RatedAt: c.RatedAt, AnsweredOnTime: c.AnsweredOnTime, Version: ver, Actions: []string{}}
	if c.ExpertID != "" {
		l := s.ExpertLabel(c.ExpertTier, c.ExpertField)
		v.Expert = &l
	}
	if c.Stars > 0 {
		st := c.Stars
		v.Stars = &st
	}
	answered := c.Answer != nil && c.Answer.Text != ""
	v.Overdue = !answered && s.now().After(c.Due)
	// An answer in preparation (files uploaded, no text yet) is the owner's.
	if !answered && !owns(u, &c) {
		v.Answer = nil
	}
	if c.FollowUp != nil && c.FollowUp.Answer != nil && c.FollowUp.Answer.Text == "" && !owns(u, &c) {
		f := *c.FollowUp
		f.Answer = nil
		v.FollowUp = &f
	}
	oversees := u.Role == identity.RoleAdmin || u.Role == identity.RoleOfficial
	if oversees || owns(u, &c) {
		v.ExpertID = c.ExpertID
	}
	if oversees {
		v.Offered = slices.Clone(c.Offered)
	}
	v.History = make([]Step, 0, len(c.History))
	for _, st := range c.History {
		if !oversees {
			st.Experts, st.Reason = nil, ""
		}
		v.History = append(v.History, st)
	}
	switch {
	case u.Role == identity.RoleExpert && c.State == StateOpen && slices.Contains(c.Offered, u.ExpertID):
		v.Actions = append(v.Actions, "accept", "decline")
	case owns(u, &c) && (c.State == StateAccepted || c.State == StateFollowUp):
		v.Actions = append(v.Actions, "answer", "attach")
	case asksFor(u, &c) && c.State == StateAnswered:
		if c.FollowUp == nil {
			v.Actions = append(v.Actions, "followup")
		}
		v.Actions = append(v.Actions, "rate")
	}
	return v
}

// Get returns the consultation as u may see it.
func (s *Service) Get(ctx context.Context, u identity.User, id string) (View, error) {
	c, ver, err := s.loadFor(ctx, u, id)
	if err != nil {
		return View{}, err
	}
	return s.view(u, c, ver), nil
}
