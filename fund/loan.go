package fund

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/review"
)

// Loan states.
const (
	LoanActive        = "active"
	LoanRepaid        = "repaid"
	LoanNonPerforming = "non_performing"
	LoanCompensated   = "compensated"
)

// LoanStates lists the loan states.
var LoanStates = []string{LoanActive, LoanRepaid, LoanNonPerforming, LoanCompensated}

// Enterprise is the borrower.
type Enterprise struct {
	Name       string `json:"name"`
	CreditCode string `json:"credit_code"`
	Region     string `json:"region"`
	Founded    string `json:"founded"`
	Route      string `json:"route"`
}

// Repayment is one repayment of principal.
type Repayment struct {
	Amount int64     `json:"amount"`
	Date   string    `json:"date"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// Default is the bank's report that the loan went bad.
type Default struct {
	Date        string    `json:"date"`
	Outstanding int64     `json:"outstanding"`
	By          string    `json:"by"`
	At          time.Time `json:"at"`
}

// Loan is a registered loan as stored.
type Loan struct {
	ID            string      `json:"id"`
	FundID        string      `json:"fund_id"`
	BankID        string      `json:"bank_id"`
	ApplicationID string      `json:"application_id"`
	Enterprise    Enterprise  `json:"enterprise"`
	Amount        int64       `json:"amount"`
	Start         string      `json:"start"`
	TermMonths    int         `json:"term_months"`
	Outstanding   int64       `json:"outstanding"`
	HardTech      bool        `json:"hard_tech"`
	Startup       bool        `json:"startup"` // the enterprise was under three years old at the start
	State         string      `json:"state"`
	Repayments    []Repayment `json:"repayments"`
	Default       *Default    `json:"default,omitempty"`
	OpenClaimID   string      `json:"open_claim_id,omitempty"`
	EvaluationID  string      `json:"evaluation_id,omitempty"`
	Rereviewed    bool        `json:"rereviewed,omitempty"`
	Ops           []string    `json:"ops,omitempty"` // ids of the last pool changes written with the loan (intent.go)
	CreatedBy     string      `json:"created_by"`
	CreatedAt     time.Time   `json:"created_at"`
	UpdatedAt     time.Time   `json:"updated_at"`

	CreditCode string `json:"credit_code"`
	Region     string `json:"region"`
	City       string `json:"city"`
	CreatedMS  int64  `json:"created_ms"`
}

// LoanInput is the body of POST /api/v1/loans.
type LoanInput struct {
	ApplicationID string      `json:"application_id"`
	Enterprise    *Enterprise `json:"enterprise"`
	Amount        int64       `json:"amount"`
	Start         string      `json:"start"`
	TermMonths    int         `json:"term_months"`
}

var loanIDRE = regexp.MustCompile(`^loan-[0-9a-f]{16}$`)

func loanNotFound(id string) error {
	return kedaitong.Errorf(kedaitong.ENotFound, "no loan %q", id).ZHf("没有贷款 %q", id)
}

// MaySeeLoan: the owning bank, officials of its region, admins.
func MaySeeLoan(actor identity.User, l *Loan) bool { return identity.MaySee(actor, l.BankID, l.Region) }

func ownsLoan(actor identity.User, l *Loan) bool {
	return identity.IsBankRole(actor.Role) && actor.BankID != "" && actor.BankID == l.BankID
}

func (s *Service) loadLoan(ctx context.Context, id string) (Loan, int64, error) {
	var l Loan
	if !loanIDRE.MatchString(id) {
		return l, 0, loanNotFound(id)
	}
	ver, err := s.loans.Get(ctx, id, &l)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		return l, 0, loanNotFound(id)
	}
	return l, ver, err
}

// GetLoan returns a loan the actor may see.
func (s *Service) GetLoan(ctx context.Context, actor identity.User, id string) (Loan, error) {
	l, _, err := s.loadLoan(ctx, id)
	if err != nil {
		return Loan{}, err
	}
	if !MaySeeLoan(actor, &l) {
		return Loan{}, loanNotFound(id)
	}
	return l, nil
}

// backingPool finds the most specific pool covering region: county, city, province.
func (s *Service) backingPool(ctx context.Context, region string) (Pool, int64, error) {
	for _, r := range []string{region, region[:min(4, len(region))], region[:2]} {
		p, ver, err := s.loadPool(ctx, poolID(r))
		if err == nil {
			return p, ver, nil
		}
		if !kedaitong.Is(err, kedaitong.ENotFound) {
			return Pool{}, 0, err
		}
	}
	return Pool{}, 0, kedaitong.Invalid("region", "no risk-compensation fund covers region %s", region).ZHf("地区 %s 没有风险补偿资金池覆盖", region)
}

func (e *Enterprise) validate(s *Service) error {
	e.Name = strings.TrimSpace(e.Name)
	e.CreditCode = review.NormalizeCreditCode(e.CreditCode)
	e.Region = strings.TrimSpace(e.Region)
	if e.Name == "" || len([]rune(e.Name)) > review.MaxNameLen {
		return kedaitong.Invalid("enterprise.name", "1 to %d characters", review.MaxNameLen).ZHf("企业名称应为 1 到 %d 个字符", review.MaxNameLen)
	}
	if err := review.CheckCreditCode(e.CreditCode); err != nil {
		return err
	}
	if len(e.Region) != 6 || !identity.ValidRegion(e.Region) {
		return kedaitong.Invalid("enterprise.region", "a six-digit Jiangxi county code").ZHf("请填写江西省六位区县代码")
	}
	if err := parseDate("enterprise.founded", e.Founded); err != nil {
		return err
	}
	if e.Founded > s.today() {
		return kedaitong.Invalid("enterprise.founded", "is in the future").ZHf("成立日期晚于今天")
	}
	if _, ok := s.tax.Route(e.Route); !ok {
		return kedaitong.Invalid("enterprise.route", "unknown technical route %q (see GET /api/v1/fields)", e.Route).ZHf("未知技术路线 %q（见 GET /api/v1/fields）", e.Route)
	}
	return nil
}

// isStartup: founded less than three years before start.
func isStartup(founded, start string) bool {
	f, err1 := time.Parse(DateLayout, founded)
	st, err2 := time.Parse(DateLayout, start)
	return err1 == nil && err2 == nil && st.Before(f.AddDate(3, 0, 0))
}

// RegisterLoan registers a loan of the actor's bank against the pool
// covering the enterprise's region.
func (s *Service) RegisterLoan(ctx context.Context, actor identity.User, in LoanInput) (Loan, error) {
	if !identity.IsBankRole(actor.Role) || actor.BankID == "" {
		return Loan{}, forbidden("only bank users register loans", "只有银行用户可以登记贷款")
	}
	var ent Enterprise
	id := newID("loan-")
	if in.ApplicationID != "" {
		if in.Enterprise != nil {
			return Loan{}, kedaitong.Invalid("enterprise", "give an application or an enterprise, not both").ZHf("请填写贷款申请或企业信息，不要同时填写")
		}
		if s.apps == nil {
			return Loan{}, kedaitong.Errorf(kedaitong.EInternal, "fund: no applications service")
		}
		v, err := s.apps.Get(ctx, actor, in.ApplicationID)
		if err != nil {
			return Loan{}, err
		}
		if !review.Owns(actor, &v.Application) {
			return Loan{}, kedaitong.Errorf(kedaitong.ENotFound, "no application %q", in.ApplicationID).ZHf("没有贷款申请 %q", in.ApplicationID)
		}
		a := v.Application
		if a.State != review.StateClosed || a.Decision == nil || !a.Decision.Granted {
			return Loan{}, kedaitong.Errorf(kedaitong.EConflict, "the application has no granted lending decision after its report").ZHf("该贷款申请在评审报告后没有“已发放”的放款决定")
		}
		ent = Enterprise{Name: a.Enterprise.Name, CreditCode: a.Enterprise.CreditCode, Region: a.Enterprise.Region,
			Founded: a.Enterprise.Founded, Route: a.Enterprise.Route}
		if in.Amount == 0 {
			in.Amount = a.Decision.Amount
		}
		if in.Start == "" {
			in.Start = a.Decision.Date
		}
		if in.TermMonths == 0 {
			in.TermMonths = a.Loan.TermMonths
		}
		id = "loan-" + strings.TrimPrefix(a.ID, "app-")
		if _, _, err := s.loadLoan(ctx, id); err == nil {
			return Loan{}, kedaitong.Errorf(kedaitong.EConflict, "a loan was registered for this application already").ZHf("该贷款申请已登记过贷款")
		}
	} else {
		if in.Enterprise == nil {
			return Loan{}, kedaitong.Invalid("enterprise", "give an application_id or the enterprise").ZHf("请填写贷款申请编号或企业信息")
		}
		ent = *in.Enterprise
		if err := ent.validate(s); err != nil {
			return Loan{}, err
		}
	}
	if err := checkMoney("amount", in.Amount, true); err != nil {
		return Loan{}, err
	}
	if in.Start == "" {
		in.Start = s.today()
	}
	if err := parseDate("start", in.Start); err != nil {
		return Loan{}, err
	}
	if in.Start > s.today() {
		return Loan{}, kedaitong.Invalid("start", "the loan's start %s is in the future", in.Start).ZHf("放款日期 %s 晚于今天", in.Start)
	}
	if in.TermMonths < 1 || in.TermMonths > MaxTermMonths {
		return Loan{}, kedaitong.Invalid("term_months", "from 1 to %d months", MaxTermMonths).ZHf("贷款期限应为 1 到 %d 个月", MaxTermMonths)
	}
	pool, pver, err := s.backingPool(ctx, ent.Region)
	if err != nil {
		return Loan{}, err
	}
	keyListed := false
	if s.dishonesty != nil || s.hub != nil {
		if bad, kl, err := s.standing(ctx, ent.CreditCode); err != nil {
			return Loan{}, err
		} else if bad {
			return Loan{}, kedaitong.Errorf(EEnterpriseDishonest, "the enterprise %s is on a dishonesty list: no new loan can be registered", ent.CreditCode).ZHf("企业 %s 在失信名单上，不能登记新的贷款", ent.CreditCode)
		} else {
			keyListed = kl
		}
	}
	now := s.now()
	op := newID("op-")
	l := Loan{ID: id, FundID: pool.ID, BankID: actor.BankID, ApplicationID: in.ApplicationID, Enterprise: ent,
		Amount: in.Amount, Start: in.Start, TermMonths: in.TermMonths, Outstanding: in.Amount,
		HardTech: s.tax.IsHardTech(ent.Route), Startup: isStartup(ent.Founded, in.Start), State: LoanActive,
		Repayments: []Repayment{}, CreatedBy: actor.ID, CreatedAt: now, UpdatedAt: now, Ops: []string{op},
		CreditCode: ent.CreditCode, Region: ent.Region, City: ent.Region[:4], CreatedMS: now.UnixMilli()}
	// Each enterprise counts once per pool in the KPIs: a first loan of the
	// enterprise in the pool (by the loans' index; no extra write).
	seen, err := s.loans.Count(ctx, store.Query{Eq: map[string]any{"fund_id": pool.ID, "credit_code": ent.CreditCode}})
	if err != nil {
		return Loan{}, err
	}
	d := Delta{Outstanding: in.Amount, Active: in.Amount, Loans: 1, LoanAmount: in.Amount, Year: in.Start[:4]}
	if seen == 0 {
		d.Enterprises = 1
		if l.Startup {
			d.Startups = 1
		}
		if keyListed {
			d.KeyListReached = 1
		}
	}
	intent := Intent{ID: op, Kind: KindRegister, LoanID: l.ID, BankID: actor.BankID, Delta: d, At: now,
		Audit: &AuditNote{Action: "loan.register", ActorID: actor.ID, Username: actor.Username, Role: actor.Role, BankID: l.BankID, Region: l.Region,
			Detail: map[string]any{"fund_id": pool.ID, "amount": l.Amount, "credit_code": ent.CreditCode, "application_id": l.ApplicationID}}}
	_, _, err = s.updatePoolFrom(ctx, pool.ID, &pool, pver, func(p *Pool) error {
		b := p.bank(actor.BankID)
		if b.State == BankSuspended {
			return kedaitong.Errorf(EBankSuspended, "your bank is suspended in fund %s: its non-performing ratio is %d%% (suspension at %d%%)", p.Region, b.NPLPct(), p.SuspendNPLPct).ZHf("贵行在资金池 %s 的新增业务已暂停：不良率 %d%%（暂停线 %d%%）", p.Region, b.NPLPct(), p.SuspendNPLPct)
		}
		if in.Amount > p.Available() {
			return kedaitong.Errorf(ECapacityExceeded, "fund %s can back %d more yuan, not %d", p.Region, p.Available(), in.Amount).ZHf("资金池 %s 可用额度为 %d 元，不足 %d 元", p.Region, p.Available(), in.Amount)
		}
		p.apply(actor.BankID, d, 1, s.today())
		intent.Audit.Detail["available_after"] = p.Available()
		p.Intents = append(p.Intents, intent)
		return nil
	})
	if err != nil {
		return Loan{}, err
	}
	if s.crashed("register") {
		return Loan{}, errCrashed
	}
	if err := s.loans.Insert(ctx, l.ID, l); err != nil {
		s.undo(ctx, pool.ID, intent)
		if kedaitong.Is(err, kedaitong.EConflict) {
			return Loan{}, kedaitong.Errorf(kedaitong.EConflict, "a loan was registered for this application already").ZHf("该贷款申请已登记过贷款")
		}
		return Loan{}, err
	}
	// The loan and the pool are durable: the answer goes now; the audit
	// entry and the intent's clearing follow (Repair writes the entry if
	// the process dies first).
	s.later(ctx, func(ctx context.Context) {
		intent.Audit.write(ctx, s, l.ID, nil)
		s.committed(pool.ID, op)
	})
	return l, nil
}

// poolIntent applies an intent's delta to the pool and records it, in one write.
func (s *Service) poolIntent(ctx context.Context, fundID string, in Intent) error {
	_, _, err := s.updatePool(ctx, fundID, func(p *Pool) error {
		p.apply(in.BankID, in.Delta, 1, s.today())
		p.Intents = append(p.Intents, in)
		return nil
	})
	return err
}

// standing reads the enterprise's dishonesty and key-list standing.
func (s *Service) standing(ctx context.Context, creditCode string) (dishonest, keyListed bool, err error) {
	if st, ok := s.dishonesty.(interface {
		Standing(ctx context.Context, creditCode string) (bool, bool, error)
	}); ok {
		return st.Standing(ctx, creditCode)
	}
	if s.dishonesty != nil {
		if dishonest, err = s.dishonesty.Dishonest(ctx, creditCode); err != nil || dishonest {
			return dishonest, false, err
		}
	}
	if s.hub != nil {
		keyListed, err = s.hub.KeyListed(ctx, creditCode)
	}
	return dishonest, keyListed, err
}

// LoanFilter narrows a loan list.
type LoanFilter struct {
	State  string
	FundID string
	Limit  int
	Cursor string
}

// scopeQuery picks the index for a bank's, an official's or an admin's list.
func scopeQuery(actor identity.User, fundID string) store.Query {
	q := store.Query{Sort: "created_ms", Desc: true}
	switch {
	case identity.IsBankRole(actor.Role):
		q.Eq = map[string]any{"bank_id": actor.BankID}
	case fundID != "":
		q.Eq = map[string]any{"fund_id": fundID}
	case actor.Role == identity.RoleOfficial && len(actor.Region) == 4:
		q.Eq = map[string]any{"city": actor.Region}
	case actor.Role == identity.RoleOfficial && len(actor.Region) == 6:
		q.Eq = map[string]any{"region": actor.Region}
	}
	return q
}

// ListLoans lists the loans the actor may see, newest first.
func (s *Service) ListLoans(ctx context.Context, actor identity.User, f LoanFilter) ([]Loan, string, error) {
	if f.State != "" && !contains(LoanStates, f.State) {
		return nil, "", kedaitong.Invalid("state", "one of %s", strings.Join(LoanStates, ", ")).ZHf("状态应为 %s 之一", strings.Join(LoanStates, ", "))
	}
	if !identity.IsBankRole(actor.Role) && !isOfficialOrAdmin(actor) {
		return nil, "", forbidden("loans are for banks and officials", "贷款仅供银行和政府用户查看")
	}
	q := scopeQuery(actor, f.FundID)
	q.After = f.Cursor
	limit := clampLimit(f.Limit)
	docs, next, err := store.FindMatching(ctx, s.loans, q, limit, 20000, func(d store.Doc) (bool, error) {
		var l Loan
		if err := d.Decode(&l); err != nil {
			return false, err
		}
		return MaySeeLoan(actor, &l) && (f.State == "" || l.State == f.State) && (f.FundID == "" || l.FundID == f.FundID), nil
	})
	if err != nil {
		return nil, "", err
	}
	out, err := store.DecodeAll[Loan](docs)
	return out, next, err
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if x == y {
			return true
		}
	}
	return false
}

// loanFor loads a loan the actor owns; others' loans are not found.
func (s *Service) loanFor(ctx context.Context, actor identity.User, id string) (Loan, int64, error) {
	l, ver, err := s.loadLoan(ctx, id)
	if err != nil {
		return Loan{}, 0, err
	}
	if !MaySeeLoan(actor, &l) {
		return Loan{}, 0, loanNotFound(id)
	}
	if !ownsLoan(actor, &l) {
		return Loan{}, 0, forbidden("only the owning bank acts on its loan", "只有贷款所属银行可以操作")
	}
	return l, ver, nil
}

// RepaymentInput is the body of POST /api/v1/loans/{id}/repayments.
type RepaymentInput struct {
	Amount int64  `json:"amount"`
	Date   string `json:"date"`
}

// Repay records a repayment of principal; at 0 outstanding the loan is repaid.
func (s *Service) Repay(ctx context.Context, actor identity.User, id string, in RepaymentInput) (Loan, error) {
	if err := checkMoney("amount", in.Amount, true); err != nil {
		return Loan{}, err
	}
	if in.Date == "" {
		in.Date = s.today()
	}
	if err := parseDate("date", in.Date); err != nil {
		return Loan{}, err
	}
	for i := 0; i < retries; i++ {
		l, ver, err := s.loanFor(ctx, actor, id)
		if err != nil {
			return Loan{}, err
		}
		if l.State != LoanActive {
			return Loan{}, kedaitong.Errorf(kedaitong.EConflict, "the loan is %s: only active loans take repayments", l.State).ZHf("贷款当前状态为 %s：只有正常贷款可以登记还款", stateZH(l.State))
		}
		if in.Amount > l.Outstanding {
			return Loan{}, kedaitong.Invalid("amount", "%d yuan is more than the %d yuan outstanding", in.Amount, l.Outstanding).ZHf("还款 %d 元超过贷款余额 %d 元", in.Amount, l.Outstanding)
		}
		if in.Date < l.Start || in.Date > s.today() {
			return Loan{}, kedaitong.Invalid("date", "between the loan's start %s and today", l.Start).ZHf("还款日期应在放款日 %s 与今天之间", l.Start)
		}
		now := s.now()
		op := newID("op-")
		l.Outstanding -= in.Amount
		l.Repayments = append(l.Repayments, Repayment{Amount: in.Amount, Date: in.Date, By: actor.ID, At: now})
		if l.Outstanding == 0 {
			l.State = LoanRepaid
		}
		l.UpdatedAt = now
		l.addOp(op)
		intent := Intent{ID: op, Kind: KindRepayment, LoanID: l.ID, BankID: l.BankID, Delta: Delta{Outstanding: -in.Amount, Active: -in.Amount}, At: now,
			Audit: &AuditNote{Action: "loan.repayment", ActorID: actor.ID, Username: actor.Username, Role: actor.Role, BankID: l.BankID, Region: l.Region,
				Detail: map[string]any{"fund_id": l.FundID, "amount": in.Amount, "date": in.Date, "outstanding_after": l.Outstanding}}}
		if err := s.poolIntent(ctx, l.FundID, intent); err != nil {
			return Loan{}, err
		}
		if s.crashed("repayment") {
			return Loan{}, errCrashed
		}
		if _, err := s.loans.Replace(ctx, l.ID, ver, l); err != nil {
			s.undo(ctx, l.FundID, intent)
			if kedaitong.Is(err, kedaitong.EConflict) {
				continue
			}
			return Loan{}, err
		}
		s.committed(l.FundID, op)
		s.record(ctx, &actor, "loan.repayment", "loan", l.ID, l.BankID, l.Region, map[string]any{"fund_id": l.FundID,
			"amount": in.Amount, "date": in.Date, "outstanding_after": l.Outstanding})
		return l, nil
	}
	return Loan{}, kedaitong.Errorf(kedaitong.EConflict, "the loan is busy; try again").ZHf("贷款正被修改，请重试")
}

// DefaultInput is the body of POST /api/v1/loans/{id}/default.
type DefaultInput struct {
	Date        string `json:"date"`
	Outstanding *int64 `json:"outstanding"`
}

// MarkDefault records that the loan went bad: it becomes non-performing
// with the outstanding at default.
func (s *Service) MarkDefault(ctx context.Context, actor identity.User, id string, in DefaultInput) (Loan, error) {
	if in.Date == "" {
		in.Date = s.today()
	}
	if err := parseDate("date", in.Date); err != nil {
		return Loan{}, err
	}
	if in.Outstanding == nil {
		return Loan{}, kedaitong.Invalid("outstanding", "give the outstanding principal at default in yuan").ZHf("请填写违约时的贷款余额（元）")
	}
	if err := checkMoney("outstanding", *in.Outstanding, true); err != nil {
		return Loan{}, err
	}
	var before int64
	for i := 0; i < retries; i++ {
		l, ver, err := s.loanFor(ctx, actor, id)
		if err != nil {
			return Loan{}, err
		}
		if l.State != LoanActive {
			return Loan{}, kedaitong.Errorf(kedaitong.EConflict, "the loan is %s: only an active loan can default", l.State).ZHf("贷款当前状态为 %s：只有正常贷款可以登记违约", stateZH(l.State))
		}
		if *in.Outstanding > l.Outstanding {
			return Loan{}, kedaitong.Invalid("outstanding", "%d yuan is more than the %d yuan outstanding", *in.Outstanding, l.Outstanding).ZHf("违约余额 %d 元超过贷款余额 %d 元", *in.Outstanding, l.Outstanding)
		}
		if in.Date < l.Start || in.Date > s.today() {
			return Loan{}, kedaitong.Invalid("date", "between the loan's start %s and today", l.Start).ZHf("违约日期应在放款日 %s 与今天之间", l.Start)
		}
		now := s.now()
		op := newID("op-")
		before = l.Outstanding
		l.Outstanding = *in.Outstanding
		l.State = LoanNonPerforming
		l.Default = &Default{Date: in.Date, Outstanding: *in.Outstanding, By: actor.ID, At: now}
		l.UpdatedAt = now
		l.addOp(op)
		intent := Intent{ID: op, Kind: KindDefault, LoanID: l.ID, BankID: l.BankID, At: now,
			Delta: Delta{Outstanding: -(before - l.Outstanding), Active: -before, NonPerforming: l.Outstanding, NonPerformingTotal: l.Outstanding},
			Audit: &AuditNote{Action: "loan.default", ActorID: actor.ID, Username: actor.Username, Role: actor.Role, BankID: l.BankID, Region: l.Region,
				Detail: map[string]any{"fund_id": l.FundID, "date": in.Date, "outstanding": l.Outstanding, "outstanding_before": before}}}
		rose := false
		var p Pool
		p, _, err = s.updatePool(ctx, l.FundID, func(p *Pool) error {
			rose = p.apply(l.BankID, intent.Delta, 1, s.today())
			p.Intents = append(p.Intents, intent)
			return nil
		})
		if err != nil {
			return Loan{}, err
		}
		if s.crashed("default") {
			return Loan{}, errCrashed
		}
		if _, err := s.loans.Replace(ctx, l.ID, ver, l); err != nil {
			s.undo(ctx, l.FundID, intent)
			if kedaitong.Is(err, kedaitong.EConflict) {
				continue
			}
			return Loan{}, err
		}
		s.committed(l.FundID, op)
		s.record(ctx, &actor, "loan.default", "loan", l.ID, l.BankID, l.Region, map[string]any{"fund_id": l.FundID,
			"date": in.Date, "outstanding": l.Outstanding, "outstanding_before": before})
		if rose {
			s.warn(ctx, &p, l.BankID)
		}
		return l, nil
	}
	return Loan{}, kedaitong.Errorf(kedaitong.EConflict, "the loan is busy; try again").ZHf("贷款正被修改，请重试")
}

func stateZH(s string) string {
	switch s {
	case LoanActive:
		return "正常"
	case LoanRepaid:
		return "已结清"
	case LoanNonPerforming:
		return "不良"
	case LoanCompensated:
		return "已代偿"
	}
	return s
}

// RecordRereview counts a concluded technical re-review of the loan made
// from applicationID in its pool's tech_success KPI (once per loan): exit
// says whether exit was recommended. The pool's counters and the loan's
// mark are two writes made self-repairing like a repayment's (intent.go).
func (s *Service) RecordRereview(ctx context.Context, applicationID string, exit bool) error {
	for range retries {
		p, err := s.loans.Find(ctx, store.Query{Eq: map[string]any{"application_id": applicationID}, Limit: 1})
		if err != nil || len(p.Docs) == 0 {
			return err
		}
		var l Loan
		if err := p.Docs[0].Decode(&l); err != nil {
			return err
		}
		if l.Rereviewed {
			return nil
		}
		op := newID("op-")
		d := Delta{Rereviewed: 1}
		if !exit {
			d.RereviewedNoExit = 1
		}
		in := Intent{ID: op, Kind: KindRereview, LoanID: l.ID, BankID: l.BankID, Delta: d, At: s.now()}
		if err := s.poolIntent(ctx, l.FundID, in); err != nil {
			return err
		}
		if s.crashed("rereview") {
			return errCrashed
		}
		l.Rereviewed = true
		l.addOp(op)
		if _, err := s.loans.Replace(ctx, l.ID, p.Docs[0].Version, l); err != nil {
			s.undo(ctx, l.FundID, in)
			if kedaitong.Is(err, kedaitong.EConflict) {
				continue
			}
			return err
		}
		s.committed(l.FundID, op)
		return nil
	}
	return kedaitong.Errorf(kedaitong.EConflict, "the loan is busy; try again").ZHf("贷款正被修改，请重试")
}

// year returns the year of a date as a string key.
func yearKey(y int) string { return strconv.Itoa(y) }
