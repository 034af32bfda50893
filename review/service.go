package review

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"time"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/taxonomy"
)

// ApplicationsDef is the collection of applications. Each list shape has an
// index of its own: the caller's scope (bank, city, county), optionally the
// state, then the creation time, newest first.
var ApplicationsDef = store.CollectionDef{Name: "applications", Indexes: []store.Index{
	{Fields: []string{"created_ms"}},
	{Fields: []string{"bank_id", "created_ms"}},
	{Fields: []string{"bank_id", "state", "created_ms"}},
	{Fields: []string{"city", "created_ms"}},
	{Fields: []string{"city", "state", "created_ms"}},
	{Fields: []string{"region", "created_ms"}},
	{Fields: []string{"region", "state", "created_ms"}},
	{Fields: []string{"state", "created_ms"}},
	{Fields: []string{"state", "submitted_ms"}},
	{Fields: []string{"credit_code", "created_ms"}},
	{Fields: []string{"route", "created_ms"}},
	{Fields: []string{"industry", "created_ms"}},
}}

// Application is a loan application as stored. The top-level copies of the
// enterprise's code, region, route and industry are what lists filter by.
type Application struct {
	ID          string       `json:"id"`
	BankID      string       `json:"bank_id"`
	CreatedBy   string       `json:"created_by"`
	State       string       `json:"state"`
	Enterprise  Enterprise   `json:"enterprise"`
	Loan        Loan         `json:"loan"`
	Summary     string       `json:"summary"`
	Indicators  Indicators   `json:"indicators"`
	Flags       []Flag       `json:"flags"`
	Attachments []Attachment `json:"attachments"`
	Decision    *Decision    `json:"decision,omitempty"`
	ReportRef   string       `json:"report_ref,omitempty"`
	// PreviousApplicationID links a re-review round to the granted loan's
	// application it re-reviews.
	PreviousApplicationID string       `json:"previous_application_id,omitempty"`
	History               []Transition `json:"history"`
	CreatedAt             time.Time    `json:"created_at"`
	UpdatedAt             time.Time    `json:"updated_at"`
	SubmittedAt           *time.Time   `json:"submitted_at,omitempty"`
	ClosedAt              *time.Time   `json:"closed_at,omitempty"`

	CreditCode  string `json:"credit_code"`
	Region      string `json:"region"`
	City        string `json:"city"`
	Route       string `json:"route"`
	Industry    string `json:"industry"`
	CreatedMS   int64  `json:"created_ms"`
	SubmittedMS int64  `json:"submitted_ms"` // 0 until submitted
}

// Input returns what the bank wrote.
func (a *Application) Input() Input {
	return Input{Enterprise: a.Enterprise, Loan: a.Loan, Summary: a.Summary}
}

// Transition is one move between states.
type Transition struct {
	From   string    `json:"from"`
	To     string    `json:"to"`
	At     time.Time `json:"at"`
	By     string    `json:"by,omitempty"` // user id; empty for the review process
	Reason string    `json:"reason,omitempty"`
}

// Decision is the bank's lending decision after the report.
type Decision struct {
	Granted bool      `json:"granted"`
	Amount  int64     `json:"amount,omitempty"` // yuan
	Date    string    `json:"date"`             // YYYY-MM-DD
	By      string    `json:"by"`
	At      time.Time `json:"at"`
}

// View is an application as a caller sees it.
type View struct {
	Application
	Version         int64     `json:"version"`
	Whitelisted     bool      `json:"whitelisted"`
	WhitelistReason string    `json:"whitelist_reason,omitempty"` // officials and admins only
	ExitRecommended *ExitMark `json:"exit_recommended,omitempty"` // a re-review recommended exit
	Dishonest       bool      `json:"dishonest"`                  // the data hub lists the enterprise as dishonest (hub.go)
}

// Service is the applications domain.
type Service struct {
	st    store.Store
	apps  store.Collection
	wl    store.Collection
	exits store.Collection
	rec   identity.Recorder
	tax   *taxonomy.Taxonomy
	now   func() time.Time
	hub   HubFlags // the data hub's flags (hub.go); nil without it
}

// Open declares the package's collections on st.
func Open(ctx context.Context, st store.Store, rec identity.Recorder) (*Service, error) {
	apps, err := st.Collection(ctx, ApplicationsDef)
	if err != nil {
		return nil, err
	}
	wl, err := st.Collection(ctx, WhitelistDef)
	if err != nil {
		return nil, err
	}
	exits, err := st.Collection(ctx, ExitMarksDef)
	if err != nil {
		return nil, err
	}
	return &Service{st: st, apps: apps, wl: wl, exits: exits, rec: rec, tax: taxonomy.Default(), now: func() time.Time { return time.Now().UTC() }}, nil
}

// SetClock replaces the service's clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// clip keeps at most n characters of s (audit details are small).
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func (s *Service) record(ctx context.Context, actor *identity.User, action string, a *Application, detail map[string]any) {
	if s.rec == nil {
		return
	}
	s.rec.Record(ctx, identity.Event{Actor: actor, Action: action, ObjectKind: "application", ObjectID: a.ID,
		BankID: a.BankID, Region: a.Region, Detail: detail})
}

var idRE = regexp.MustCompile(`^app-[0-9a-f]{16}$`)

func newID(prefix string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

func notFound(id string) error {
	return kedaitong.Errorf(kedaitong.ENotFound, "no application %q", id).ZHf("没有贷款申请 %q", id)
}

// CanRead reports whether actor may see the application: its own bank's
// users, officials whose region covers the enterprise's, and admins.
func CanRead(actor identity.User, a *Application) bool {
	return identity.MaySee(actor, a.BankID, a.Region)
}

// Owns reports whether actor belongs to the bank that owns the application.
func Owns(actor identity.User, a *Application) bool {
	return identity.IsBankRole(actor.Role) && actor.BankID != "" && actor.BankID == a.BankID
}

// load reads an application and its version; a malformed id is not found.
func (s *Service) load(ctx context.Context, id string) (Application, int64, error) {
	var a Application
	if !idRE.MatchString(id) {
		return a, 0, notFound(id)
	}
	ver, err := s.apps.Get(ctx, id, &a)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		return a, 0, notFound(id)
	}
	return a, ver, err
}

// loadFor reads an application the actor may read; others are not found.
func (s *Service) loadFor(ctx context.Context, actor identity.User, id string) (Application, int64, error) {
	a, ver, err := s.load(ctx, id)
	if err != nil {
		return a, 0, err
	}
	if !CanRead(actor, &a) {
		return Application{}, 0, notFound(id)
	}
	return a, ver, nil
}

// Load returns an application without access checks, for other domain
// services (panels, reports) that check access themselves.
func (s *Service) Load(ctx context.Context, id string) (Application, error) {
	a, _, err := s.load(ctx, id)
	return a, err
}

func (s *Service) view(ctx context.Context, actor identity.User, a Application, ver int64) (View, error) {
	v := View{Application: a, Version: ver}
	w, err := s.whitelistOf(ctx, a.CreditCode)
	if err != nil {
		return View{}, err
	}
	v.Whitelisted = w.Whitelisted
	if w.Whitelisted && (actor.Role == identity.RoleOfficial || actor.Role == identity.RoleAdmin) {
		v.WhitelistReason = w.Reason
	}
	if v.ExitRecommended, err = s.exitOf(ctx, a.CreditCode); err != nil {
		return View{}, err
	}
	if err := s.hubFlags(ctx, &v); err != nil {
		return View{}, err
	}
	if v.Flags == nil {
		v.Flags = []Flag{}
	}
	if v.Attachments == nil {
		v.Attachments = []Attachment{}
	}
	return v, nil
}

// Get returns the application as actor may see it.
func (s *Service) Get(ctx context.Context, actor identity.User, id string) (View, error) {
	a, ver, err := s.loadFor(ctx, actor, id)
	if err != nil {
		return View{}, err
	}
	return s.view(ctx, actor, a, ver)
}

// derive fills the stored copies and the derived indicators and flags.
func (s *Service) derive(a *Application, in Input, asOf time.Time) {
	a.Enterprise, a.Loan, a.Summary = in.Enterprise, in.Loan, in.Summary
	if a.Enterprise.Team == nil {
		a.Enterprise.Team = []Person{}
	}
	a.CreditCode = in.Enterprise.CreditCode
	a.Region = in.Enterprise.Region
	a.City = a.Region[:4]
	a.Route = in.Enterprise.Route
	a.Industry = s.tax.IndustryOf(a.Route)
	a.Indicators = Derive(a.Enterprise, asOf)
	a.Flags = PreScreen(s.tax, in, a.Indicators)
}

func (s *Service) today() string { return kedaitong.Date(s.now()) }

// Create stores a new draft application of the actor's bank.
func (s *Service) Create(ctx context.Context, actor identity.User, in Input) (View, error) {
	if !identity.IsBankRole(actor.Role) || actor.BankID == "" {
		return View{}, kedaitong.Errorf(kedaitong.EForbidden, "only bank users with a bank create applications").ZHf("只有隶属于银行的银行用户可以创建贷款申请")
	}
	a, err := s.createAt(ctx, actor.BankID, actor.ID, in, s.now())
	if err != nil {
		return View{}, err
	}
	s.record(ctx, &actor, "application.create", &a, map[string]any{"credit_code": a.CreditCode, "amount": a.Loan.Amount})
	return s.view(ctx, actor, a, 1)
}

// Update replaces what the bank wrote on a draft, when the application is
// still at version (the version the caller read).
func (s *Service) Update(ctx context.Context, actor identity.User, id string, version int64, in Input) (View, error) {
	a, ver, err := s.loadFor(ctx, actor, id)
	if err != nil {
		return View{}, err
	}
	if !Owns(actor, &a) {
		return View{}, kedaitong.Errorf(kedaitong.EForbidden, "only the owning bank edits an application").ZHf("只有申请所属的银行可以编辑贷款申请")
	}
	if a.State != StateDraft {
		return View{}, kedaitong.Errorf(kedaitong.EConflict, "the application is %s: only drafts can be edited", a.State).ZHf("贷款申请当前状态为 %s：只有草稿可以编辑", a.State)
	}
	if version != 0 && version != ver {
		return View{}, kedaitong.Errorf(kedaitong.EConflict, "the application changed since it was read (version %d, now %d)", version, ver).ZHf("贷款申请在读取后已被修改（读取时版本 %d，当前 %d）", version, ver)
	}
	if err := in.Validate(s.tax, s.today()); err != nil {
		return View{}, err
	}
	now := s.now()
	a.UpdatedAt = now
	s.derive(&a, in, now)
	nv, err := s.apps.Replace(ctx, a.ID, ver, a)
	if err != nil {
		return View{}, err
	}
	s.record(ctx, &actor, "application.update", &a, nil)
	return s.view(ctx, actor, a, nv)
}

// move changes an application's state in one version-guarded write: it
// reads the application, checks that its state is one of from, lets edit
// change it further, and writes it back at the version read. Of two
// concurrent moves exactly one wins; the other is a conflict.
func (s *Service) move(ctx context.Context, a Application, ver int64, by, to, reason string, from []string, edit func(*Application) error) (Application, int64, error) {
	ok := false
	for _, f := range from {
		ok = ok || a.State == f
	}
	if !ok {
		return Application{}, 0, kedaitong.Errorf(kedaitong.EConflict, "the application is %s: it cannot become %s", a.State, to).ZHf("贷款申请当前状态为 %s：不能变为 %s", a.State, to)
	}
	now := s.now()
	a.History = append(a.History, Transition{From: a.State, To: to, At: now, By: by, Reason: reason})
	a.State, a.UpdatedAt = to, now
	if edit != nil {
		if err := edit(&a); err != nil {
			return Application{}, 0, err
		}
	}
	nv, err := s.apps.Replace(ctx, a.ID, ver, a)
	if kedaitong.Is(err, kedaitong.EConflict) {
		return Application{}, 0, kedaitong.Wrap(kedaitong.EConflict, err, "the application changed at the same time; read it again").ZHf("贷款申请同时被修改了，请重新读取")
	}
	if err != nil {
		return Application{}, 0, err
	}
	return a, nv, nil
}

// Submit sends a draft to technical review. It checks the application is
// complete again and computes the indicators as of the submission date.
func (s *Service) Submit(ctx context.Context, actor identity.User, id string) (View, error) {
	a, ver, err := s.loadFor(ctx, actor, id)
	if err != nil {
		return View{}, err
	}
	if !Owns(actor, &a) {
		return View{}, kedaitong.Errorf(kedaitong.EForbidden, "only the owning bank submits an application").ZHf("只有申请所属的银行可以提交贷款申请")
	}
	a, ver, err = s.submit(ctx, a, ver, actor.ID)
	if err != nil {
		return View{}, err
	}
	s.record(ctx, &actor, "application.submit", &a, nil)
	return s.view(ctx, actor, a, ver)
}

func (s *Service) submit(ctx context.Context, a Application, ver int64, by string) (Application, int64, error) {
	return s.move(ctx, a, ver, by, StateSubmitted, "", []string{StateDraft}, func(a *Application) error {
		in := a.Input()
		if err := in.Validate(s.tax, s.today()); err != nil {
			return err
		}
		now := s.now()
		s.derive(a, in, now)
		a.SubmittedAt, a.SubmittedMS = &now, now.UnixMilli()
		return nil
	})
}

// Withdraw takes an application out of the flow: drafts, submitted ones and
// those in review can be withdrawn; closed ones cannot.
func (s *Service) Withdraw(ctx context.Context, actor identity.User, id, reason string) (View, error) {
	a, ver, err := s.loadFor(ctx, actor, id)
	if err != nil {
		return View{}, err
	}
	if !Owns(actor, &a) {
		return View{}, kedaitong.Errorf(kedaitong.EForbidden, "only the owning bank withdraws an application").ZHf("只有申请所属的银行可以撤回贷款申请")
	}
	if len([]rune(reason)) > MaxTextLen {
		return View{}, kedaitong.Invalid("reason", "at most %d characters", MaxTextLen).ZHf("理由最多 %d 个字符", MaxTextLen)
	}
	a, ver, err = s.move(ctx, a, ver, actor.ID, StateWithdrawn, reason, []string{StateDraft, StateSubmitted, StateInReview}, nil)
	if err != nil {
		return View{}, err
	}
	s.record(ctx, &actor, "application.withdraw", &a, map[string]any{"reason": clip(reason, 300)})
	return s.view(ctx, actor, a, ver)
}

// MarkInReview moves a submitted application into review (a panel was
// assigned). Called by the review process; a second call is a conflict.
func (s *Service) MarkInReview(ctx context.Context, id string) (Application, error) {
	a, ver, err := s.load(ctx, id)
	if err != nil {
		return Application{}, err
	}
	a, _, err = s.move(ctx, a, ver, "", StateInReview, "", []string{StateSubmitted}, nil)
	if err != nil {
		return Application{}, err
	}
	s.record(ctx, nil, "application.in_review", &a, nil)
	return a, nil
}

// Close closes an application in review with a reference to its report.
func (s *Service) Close(ctx context.Context, id, reportRef string) (Application, error) {
	a, ver, err := s.load(ctx, id)
	if err != nil {
		return Application{}, err
	}
	a, _, err = s.move(ctx, a, ver, "", StateClosed, "", []string{StateInReview}, func(a *Application) error {
		now := s.now()
		a.ReportRef, a.ClosedAt = reportRef, &now
		return nil
	})
	if err != nil {
		return Application{}, err
	}
	s.record(ctx, nil, "application.close", &a, map[string]any{"report_ref": reportRef})
	return a, nil
}

// Waiting returns the applications submitted and waiting for a panel,
// oldest submission first.
func (s *Service) Waiting(ctx context.Context) ([]Application, error) {
	var out []Application
	q := store.Query{Eq: map[string]any{"state": StateSubmitted}, Sort: "submitted_ms", Limit: 500}
	for {
		p, err := s.apps.Find(ctx, q)
		if err != nil {
			return nil, err
		}
		as, err := store.DecodeAll[Application](p.Docs)
		if err != nil {
			return nil, err
		}
		out = append(out, as...)
		if p.Next == "" {
			return out, nil
		}
		q.After = p.Next
	}
}

// DecisionInput is the body of POST /api/v1/applications/{id}/decision.
type DecisionInput struct {
	Granted *bool  `json:"granted"`
	Amount  int64  `json:"amount"`
	Date    string `json:"date"`
}

// MaxGrantFactor bounds a granted amount: at most this many times the
// amount applied for (a bank may lend more than asked, not arbitrarily more;
// the bound catches typos in yuan).
const MaxGrantFactor = 2

// Decide records the owning bank's lending decision on a closed
// application: once, granted or not, with the amount lent and the date.
func (s *Service) Decide(ctx context.Context, actor identity.User, id string, in DecisionInput) (View, error) {
	a, ver, err := s.loadFor(ctx, actor, id)
	if err != nil {
		return View{}, err
	}
	if !Owns(actor, &a) {
		return View{}, kedaitong.Errorf(kedaitong.EForbidden, "only the owning bank records its lending decision").ZHf("只有申请所属的银行可以登记放款决定")
	}
	if in.Granted == nil {
		return View{}, kedaitong.Invalid("granted", "say whether the loan was granted (true or false)").ZHf("请说明是否已发放贷款（true 或 false）")
	}
	today := s.today()
	if in.Date == "" {
		in.Date = today
	}
	if d, err := time.Parse(DateLayout, in.Date); err != nil || d.Format(DateLayout) != in.Date {
		return View{}, kedaitong.Invalid("date", "a date as YYYY-MM-DD").ZHf("请按 YYYY-MM-DD 格式填写日期")
	}
	if in.Date > today {
		return View{}, kedaitong.Invalid("date", "the decision date %s is in the future", in.Date).ZHf("决定日期 %s 晚于今天", in.Date)
	}
	if in.Date < kedaitong.Date(a.CreatedAt) {
		return View{}, kedaitong.Invalid("date", "the decision date %s is before the application was made", in.Date).ZHf("决定日期 %s 早于贷款申请的提交", in.Date)
	}
	if *in.Granted {
		if in.Amount <= 0 {
			return View{}, kedaitong.Invalid("amount", "a granted loan needs its amount in yuan, above 0").ZHf("已发放的贷款需要填写金额（元），且大于零")
		}
		if in.Amount > a.Loan.Amount*MaxGrantFactor {
			return View{}, kedaitong.Invalid("amount", "%d yuan is more than %d times the %d yuan applied for", in.Amount, MaxGrantFactor, a.Loan.Amount).ZHf("%d 元超过申请金额 %[3]d 元的 %[2]d 倍", in.Amount, MaxGrantFactor, a.Loan.Amount)
		}
	} else if in.Amount != 0 {
		return View{}, kedaitong.Invalid("amount", "a loan not granted has no amount").ZHf("未发放的贷款不应填写金额")
	}
	if a.State != StateClosed {
		return View{}, kedaitong.Errorf(kedaitong.EConflict, "the application is %s: a lending decision follows the panel's report", a.State).ZHf("贷款申请当前状态为 %s：放款决定应在评审组出具报告之后登记", a.State)
	}
	if a.Decision != nil {
		return View{}, kedaitong.Errorf(kedaitong.EConflict, "the lending decision was recorded already on %s", a.Decision.Date).ZHf("放款决定已于 %s 登记", a.Decision.Date)
	}
	now := s.now()
	a.Decision = &Decision{Granted: *in.Granted, Amount: in.Amount, Date: in.Date, By: actor.ID, At: now}
	a.UpdatedAt = now
	nv, err := s.apps.Replace(ctx, a.ID, ver, a)
	if err != nil {
		return View{}, err
	}
	s.record(ctx, &actor, "application.decide", &a, map[string]any{"granted": *in.Granted, "amount": in.Amount, "date": in.Date})
	return s.view(ctx, actor, a, nv)
}

// Filter narrows a list; it never widens what the caller may see.
type Filter struct {
	State      string
	Route      string // a route or an industry code
	Region     string // a Jiangxi region code of any level
	CreditCode string
	Limit      int
	Cursor     string
}

// listIndexes are the equality prefixes of the indexes a list may use, most
// selective first; the first whose fields the conditions all fix serves
// the query, and the other conditions are checked on each document.
var listIndexes = [][]string{
	{"credit_code"},
	{"bank_id", "state"},
	{"region", "state"},
	{"city", "state"},
	{"bank_id"},
	{"region"},
	{"city"},
	{"route"},
	{"industry"},
	{"state"},
	{},
}

// maxScan bounds how many documents one list call examines; a page may be
// short (with a cursor to go on) when filters match few of them.
const maxScan = 5000

// List returns applications the actor may see, newest first.
func (s *Service) List(ctx context.Context, actor identity.User, f Filter) ([]View, string, error) {
	conds := map[string]string{}
	empty := false
	set := func(field, v string) {
		if old, ok := conds[field]; ok && old != v {
			empty = true
		}
		conds[field] = v
	}
	switch {
	case actor.Role == identity.RoleAdmin:
	case identity.IsBankRole(actor.Role) && actor.BankID != "":
		set("bank_id", actor.BankID)
	case actor.Role == identity.RoleOfficial && identity.ValidRegion(actor.Region):
		setRegion(set, actor.Region)
	default:
		return nil, "", kedaitong.Errorf(kedaitong.EForbidden, "your role does not see loan applications").ZHf("您的角色无法查看贷款申请")
	}
	if f.State != "" {
		if !ValidState(f.State) {
			return nil, "", kedaitong.Invalid("state", "one of draft, submitted, in_review, closed, withdrawn").ZHf("状态只能是 draft、submitted、in_review、closed、withdrawn 之一")
		}
		set("state", f.State)
	}
	if f.Route != "" {
		switch {
		case s.tax.IsRoute(f.Route):
			set("route", f.Route)
		case s.tax.IsIndustry(f.Route):
			set("industry", f.Route)
		default:
			return nil, "", kedaitong.Invalid("route", "%q is neither an industry nor a route of the taxonomy", f.Route).ZHf("%q 既不是分类体系中的行业，也不是技术路线", f.Route)
		}
	}
	if f.Region != "" {
		if !identity.ValidRegion(f.Region) {
			return nil, "", kedaitong.Invalid("region", "a Jiangxi region code: 36, a city (3607) or a county (360702)").ZHf("地区应为江西省的行政区划代码：36（全省）、地市（如 3607）或区县（如 360702）")
		}
		setRegion(set, f.Region)
	}
	if f.CreditCode != "" {
		set("credit_code", NormalizeCreditCode(f.CreditCode))
	}
	if empty {
		return []View{}, "", nil
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	q := store.Query{Eq: map[string]any{}, Sort: "created_ms", Desc: true, After: f.Cursor}
	for _, ix := range listIndexes {
		all := true
		for _, fld := range ix {
			_, ok := conds[fld]
			all = all && ok
		}
		if all {
			for _, fld := range ix {
				q.Eq[fld] = conds[fld]
			}
			break
		}
	}
	q.Limit = limit
	if len(q.Eq) < len(conds) {
		q.Limit = min(maxScan, max(limit*4, 200))
	}
	docs, next, err := store.FindMatching(ctx, s.apps, q, limit, maxScan, func(d store.Doc) (bool, error) {
		var a Application
		if err := d.Decode(&a); err != nil {
			return false, err
		}
		return matches(&a, conds) && CanRead(actor, &a), nil
	})
	if err != nil {
		return nil, "", err
	}
	out := make([]View, 0, len(docs))
	for _, d := range docs {
		var a Application
		if err := d.Decode(&a); err != nil {
			return nil, "", err
		}
		v, err := s.view(ctx, actor, a, d.Version)
		if err != nil {
			return nil, "", err
		}
		out = append(out, v)
	}
	return out, next, nil
}

func setRegion(set func(string, string), code string) {
	switch len(code) {
	case 4:
		set("city", code)
	case 6:
		set("region", code)
	}
}

func matches(a *Application, conds map[string]string) bool {
	for f, v := range conds {
		var got string
		switch f {
		case "bank_id":
			got = a.BankID
		case "state":
			got = a.State
		case "region":
			got = a.Region
		case "city":
			got = a.City
		case "route":
			got = a.Route
		case "industry":
			got = a.Industry
		case "credit_code":
			got = a.CreditCode
		default:
			panic(fmt.Sprintf("review: unknown list condition %q", f))
		}
		if got != v {
			return false
		}
	}
	return true
}
