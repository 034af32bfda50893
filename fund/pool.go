package fund

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store"
)

// Bank states in a pool.
const (
	BankNormal    = "normal"
	BankWarned    = "warned"
	BankSuspended = "suspended"
)

// Contribution sources.
const (
	ByProvince = "province"
	ByCity     = "city"
	ByCounty   = "county"
)

// Step is a higher loss share for long-term (and, where asked, hard-tech) loans.
type Step struct {
	MinTermMonths int   `json:"min_term_months"`
	HardTech      bool  `json:"hard_tech"`
	LossSharePct  int64 `json:"loss_share_pct"`
}

// Terms are a pool's rules.
type Terms struct {
	Leverage         int64  `json:"leverage"`
	LossSharePct     int64  `json:"loss_share_pct"`
	ProvinceSharePct int64  `json:"province_share_pct"`
	Steps            []Step `json:"steps"`
	WarnNPLPct       int64  `json:"warn_npl_pct"`
	SuspendNPLPct    int64  `json:"suspend_npl_pct"`
}

// DefaultTerms are the contract's defaults.
func DefaultTerms() Terms {
	return Terms{Leverage: 10, LossSharePct: 80, ProvinceSharePct: 50,
		Steps:      []Step{{MinTermMonths: 36, HardTech: true, LossSharePct: 90}},
		WarnNPLPct: 3, SuspendNPLPct: 5}
}

func (t Terms) validate() error {
	if t.Leverage < 1 || t.Leverage > MaxLeverage {
		return kedaitong.Invalid("leverage", "a whole multiple from 1 to %d", MaxLeverage).ZHf("放大倍数应为 1 到 %d 之间的整数", MaxLeverage)
	}
	for _, x := range []struct {
		f string
		v int64
	}{{"loss_share_pct", t.LossSharePct}, {"province_share_pct", t.ProvinceSharePct}, {"warn_npl_pct", t.WarnNPLPct}, {"suspend_npl_pct", t.SuspendNPLPct}} {
		if err := checkPct(x.f, x.v); err != nil {
			return err
		}
	}
	if t.WarnNPLPct < 1 || t.SuspendNPLPct < t.WarnNPLPct {
		return kedaitong.Invalid("suspend_npl_pct", "the warning threshold must be at least 1 and the suspension threshold at least the warning one").ZHf("预警线应至少为 1%%，暂停线不得低于预警线")
	}
	if len(t.Steps) > MaxSteps {
		return kedaitong.Invalid("steps", "at most %d steps", MaxSteps).ZHf("阶梯补偿最多 %d 档", MaxSteps)
	}
	for i, st := range t.Steps {
		if st.MinTermMonths < 1 || st.MinTermMonths > MaxTermMonths {
			return kedaitong.Invalid(fmt.Sprintf("steps[%d].min_term_months", i), "from 1 to %d months", MaxTermMonths).ZHf("第 %d 档的最短期限应为 1 到 %d 个月", i+1, MaxTermMonths)
		}
		if err := checkPct(fmt.Sprintf("steps[%d].loss_share_pct", i), st.LossSharePct); err != nil {
			return err
		}
	}
	return nil
}

// SharePct is the loss share for a loan: the pool's, or the highest step
// the loan meets.
func (t Terms) SharePct(termMonths int, hardTech bool) int64 {
	share := t.LossSharePct
	for _, st := range t.Steps {
		if termMonths >= st.MinTermMonths && (!st.HardTech || hardTech) && st.LossSharePct > share {
			share = st.LossSharePct
		}
	}
	return share
}

// BankStat is a bank's standing in a pool.
type BankStat struct {
	Active        int64  `json:"active"`         // outstanding of active loans
	NonPerforming int64  `json:"non_performing"` // outstanding of non-performing loans
	State         string `json:"state"`
	Since         string `json:"since,omitempty"` // date the state began
	// A resume by an official: the ratio at the time (np of total); the
	// bank is suspended again only when its ratio rises above it.
	Resumed      bool   `json:"resumed,omitempty"`
	ResumedNP    int64  `json:"resumed_np,omitempty"`
	ResumedTotal int64  `json:"resumed_total,omitempty"`
	ResumeReason string `json:"resume_reason,omitempty"`
}

func (b *BankStat) total() int64 { return b.Active + b.NonPerforming }

// ratioAtLeast reports whether 100 × np ÷ total ≥ pct.
func (b *BankStat) ratioAtLeast(pct int64) bool {
	return b.total() > 0 && 100*b.NonPerforming >= pct*b.total()
}

// NPLPct is 100 × non-performing ÷ (active + non-performing), rounded down.
func (b *BankStat) NPLPct() int64 {
	if b.total() == 0 {
		return 0
	}
	return 100 * b.NonPerforming / b.total()
}

// Target is a year's performance target.
type Target struct {
	Year            int   `json:"year"`
	LoanAmount      int64 `json:"loan_amount"`
	StartupSharePct int64 `json:"startup_share_pct"`
}

// Due is a deferred payment of an approved claim.
type Due struct {
	ClaimID string `json:"claim_id"`
	Amount  int64  `json:"amount"`
}

// OpenClaim is a claim waiting for its decision in its pool.
type OpenClaim struct {
	LoanID string    `json:"loan_id"`
	Amount int64     `json:"amount"` // its compensation
	At     time.Time `json:"at"`
}

// addOpen enters a claim in the open list (once).
func (p *Pool) addOpen(claimID string, oc OpenClaim) {
	if _, ok := p.OpenList[claimID]; ok {
		return
	}
	if p.OpenList == nil {
		p.OpenList = map[string]OpenClaim{}
	}
	p.OpenList[claimID] = oc
	p.OpenClaims += oc.Amount
}

// takeOpen removes a claim from the open list; it reports whether it was there.
func (p *Pool) takeOpen(claimID string) (OpenClaim, bool) {
	oc, ok := p.OpenList[claimID]
	if ok {
		delete(p.OpenList, claimID)
		p.OpenClaims = max(0, p.OpenClaims-oc.Amount)
	}
	return oc, ok
}

// Pool is a region's fund as stored.
type Pool struct {
	ID     string `json:"id"`
	Region string `json:"region"`
	Name   string `json:"name"`
	Terms

	Cash        int64 `json:"cash"`
	Outstanding int64 `json:"outstanding"`
	PaidOut     int64 `json:"paid_out"`
	Deferred    int64 `json:"deferred"`
	OpenClaims  int64 `json:"open_claims"` // compensation of submitted claims: the sum of OpenList
	PaidIn      int64 `json:"paid_in"`     // contributions and transfers in, all time

	Budgeted     map[string]int64     `json:"budgeted"`
	PaidInByYear map[string]int64     `json:"paid_in_by_year"`
	PaidInBy     map[string]int64     `json:"paid_in_by"` // province, city, county
	Banks        map[string]*BankStat `json:"bank_stats"`
	Targets      map[string]Target    `json:"targets"`
	Queue        []Due                `json:"queue"` // deferred payments, oldest first
	// OpenList holds the claims filed and not yet paid or rejected. An
	// entry is a claim's right to be paid once: the payment takes it out
	// in the same write that moves the money, so no claim is paid twice.
	OpenList map[string]OpenClaim `json:"open_claim_list,omitempty"`

	// KPI counters.
	Loans              int64            `json:"loans"`
	LoanAmount         int64            `json:"loan_amount"`
	LoanAmountByYear   map[string]int64 `json:"loan_amount_by_year"`
	Enterprises        int64            `json:"enterprises"`
	Startups           int64            `json:"startups"` // enterprises under three years old at their first loan
	CompensationPaid   int64            `json:"compensation_paid"`
	Rereviewed         int64            `json:"rereviewed"`
	RereviewedNoExit   int64            `json:"rereviewed_no_exit"`
	NonPerformingTotal int64            `json:"non_performing_total"`
	KeyListReached     int64            `json:"key_list_reached"` // enterprises on the key list at their first loan

	// Changes whose loan write may not have happened yet (see intent.go).
	Intents []Intent `json:"intents,omitempty"`

	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Capacity is cash × leverage.
func (p *Pool) Capacity() int64 { return p.Cash * p.Leverage }

// Available is capacity − outstanding, never below 0.
func (p *Pool) Available() int64 { return max(0, p.Capacity()-p.Outstanding) }

// PaymentWarning is true while anything is deferred or open claims exceed cash.
func (p *Pool) PaymentWarning() bool { return p.Deferred > 0 || p.OpenClaims > p.Cash }

func (p *Pool) bank(id string) *BankStat {
	if p.Banks == nil {
		p.Banks = map[string]*BankStat{}
	}
	b := p.Banks[id]
	if b == nil {
		b = &BankStat{State: BankNormal}
		p.Banks[id] = b
	}
	return b
}

// refresh recomputes a bank's state after its figures changed and reports
// whether it moved up (normal → warned/suspended, warned → suspended).
func (p *Pool) refresh(bankID, today string) (rose bool) {
	b := p.bank(bankID)
	old := b.State
	higherThanResume := !b.Resumed || b.NonPerforming*b.ResumedTotal > b.ResumedNP*b.total()
	switch {
	case !b.ratioAtLeast(p.WarnNPLPct):
		b.State, b.Resumed, b.ResumedNP, b.ResumedTotal, b.ResumeReason = BankNormal, false, 0, 0, ""
	case old == BankSuspended:
		// stays suspended until the ratio falls below the warning line or an official resumes it
	case b.ratioAtLeast(p.SuspendNPLPct) && higherThanResume:
		b.State = BankSuspended
	default:
		b.State = BankWarned
	}
	if b.State != old {
		b.Since = today
	}
	rank := map[string]int{BankNormal: 0, BankWarned: 1, BankSuspended: 2}
	return rank[b.State] > rank[old]
}

// Level is the pool's level: province, city or county.
func Level(region string) string {
	switch len(region) {
	case 2:
		return ByProvince
	case 4:
		return ByCity
	}
	return ByCounty
}

func poolID(region string) string { return "fund-" + region }

// PoolInput is the body of POST /api/v1/funds and PATCH /api/v1/funds/{id}.
// Absent fields keep their value (defaults on creation).
type PoolInput struct {
	Region           string  `json:"region"`
	Name             *string `json:"name"`
	Leverage         *int64  `json:"leverage"`
	LossSharePct     *int64  `json:"loss_share_pct"`
	ProvinceSharePct *int64  `json:"province_share_pct"`
	Steps            *[]Step `json:"steps"`
	WarnNPLPct       *int64  `json:"warn_npl_pct"`
	SuspendNPLPct    *int64  `json:"suspend_npl_pct"`
}

func (in *PoolInput) changesTerms() bool {
	return in.Leverage != nil || in.LossSharePct != nil || in.ProvinceSharePct != nil || in.Steps != nil ||
		in.WarnNPLPct != nil || in.SuspendNPLPct != nil
}

func (in *PoolInput) apply(t *Terms) {
	set := func(dst *int64, v *int64) {
		if v != nil {
			*dst = *v
		}
	}
	set(&t.Leverage, in.Leverage)
	set(&t.LossSharePct, in.LossSharePct)
	set(&t.ProvinceSharePct, in.ProvinceSharePct)
	set(&t.WarnNPLPct, in.WarnNPLPct)
	set(&t.SuspendNPLPct, in.SuspendNPLPct)
	if in.Steps != nil {
		t.Steps = append([]Step{}, (*in.Steps)...)
	}
}

// PoolView is a pool as the API shows it.
type PoolView struct {
	ID               string           `json:"id"`
	Region           string           `json:"region"`
	Level            string           `json:"level"`
	Name             string           `json:"name"`
	Leverage         int64            `json:"leverage"`
	LossSharePct     int64            `json:"loss_share_pct"`
	ProvinceSharePct int64            `json:"province_share_pct"`
	Steps            []Step           `json:"steps"`
	WarnNPLPct       int64            `json:"warn_npl_pct"`
	SuspendNPLPct    int64            `json:"suspend_npl_pct"`
	Cash             int64            `json:"cash"`
	Capacity         int64            `json:"capacity"`
	Outstanding      int64            `json:"outstanding"`
	Available        int64            `json:"available"`
	PaidOut          int64            `json:"paid_out"`
	Deferred         int64            `json:"deferred"`
	OpenClaims       int64            `json:"open_claims"`
	PaymentWarning   bool             `json:"payment_warning"`
	Budgeted         map[string]int64 `json:"budgeted"`
	PaidInByYear     map[string]int64 `json:"paid_in_by_year"`
	PaidInBy         map[string]int64 `json:"paid_in_by"`
	Targets          []Target         `json:"targets"`
	Banks            []BankRow        `json:"banks"`
	Version          int64            `json:"version"`
	CreatedAt        time.Time        `json:"created_at"`
	UpdatedAt        time.Time        `json:"updated_at"`
}

// BankRow is a bank's row in a pool view.
type BankRow struct {
	BankID        string `json:"bank_id"`
	Outstanding   int64  `json:"outstanding"`
	NonPerforming int64  `json:"non_performing"`
	NPLPct        int64  `json:"npl_pct"`
	State         string `json:"state"`
	Since         string `json:"since,omitempty"`
	ResumeReason  string `json:"resume_reason,omitempty"`
}

func orEmpty(m map[string]int64) map[string]int64 {
	if m == nil {
		return map[string]int64{}
	}
	return m
}

// view shows the pool to actor: a bank sees only its own row.
func (p *Pool) view(actor identity.User, ver int64) PoolView {
	v := PoolView{ID: p.ID, Region: p.Region, Level: Level(p.Region), Name: p.Name, Leverage: p.Leverage,
		LossSharePct: p.LossSharePct, ProvinceSharePct: p.ProvinceSharePct, Steps: append([]Step{}, p.Steps...),
		WarnNPLPct: p.WarnNPLPct, SuspendNPLPct: p.SuspendNPLPct, Cash: p.Cash, Capacity: p.Capacity(),
		Outstanding: p.Outstanding, Available: p.Available(), PaidOut: p.PaidOut, Deferred: p.Deferred,
		OpenClaims: p.OpenClaims, PaymentWarning: p.PaymentWarning(), Budgeted: orEmpty(p.Budgeted),
		PaidInByYear: orEmpty(p.PaidInByYear), PaidInBy: orEmpty(p.PaidInBy), Targets: []Target{}, Banks: []BankRow{},
		Version: ver, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
	for _, t := range p.Targets {
		v.Targets = append(v.Targets, t)
	}
	sort.Slice(v.Targets, func(i, j int) bool { return v.Targets[i].Year < v.Targets[j].Year })
	for id, b := range p.Banks {
		if identity.IsBankRole(actor.Role) && actor.BankID != id {
			continue
		}
		v.Banks = append(v.Banks, BankRow{BankID: id, Outstanding: b.total(), NonPerforming: b.NonPerforming,
			NPLPct: b.NPLPct(), State: b.State, Since: b.Since, ResumeReason: b.ResumeReason})
	}
	sort.Slice(v.Banks, func(i, j int) bool {
		if v.Banks[i].NPLPct != v.Banks[j].NPLPct {
			return v.Banks[i].NPLPct > v.Banks[j].NPLPct
		}
		return v.Banks[i].BankID < v.Banks[j].BankID
	})
	return v
}

func poolNotFound(id string) error {
	return kedaitong.Errorf(kedaitong.ENotFound, "no fund %q", id).ZHf("没有风险补偿资金池 %q", id)
}

// mayReadPool: admins all, officials pools in their region, banks pools
// where they have loans.
func mayReadPool(actor identity.User, p *Pool) bool {
	switch {
	case actor.Role == identity.RoleAdmin:
		return true
	case actor.Role == identity.RoleOfficial:
		return identity.RegionCovers(actor.Region, p.Region)
	case identity.IsBankRole(actor.Role) && actor.BankID != "":
		_, ok := p.Banks[actor.BankID]
		return ok
	}
	return false
}

// mayActOnPool: admins, and officials whose region covers the pool's.
func mayActOnPool(actor identity.User, p *Pool) bool {
	return actor.Role == identity.RoleAdmin ||
		actor.Role == identity.RoleOfficial && identity.RegionCovers(actor.Region, p.Region)
}

// isAbove: admins, and officials of a region strictly above the pool's.
func isAbove(actor identity.User, p *Pool) bool {
	return actor.Role == identity.RoleAdmin ||
		actor.Role == identity.RoleOfficial && len(actor.Region) < len(p.Region) && identity.RegionCovers(actor.Region, p.Region)
}

func (s *Service) loadPool(ctx context.Context, id string) (Pool, int64, error) {
	var p Pool
	if !strings.HasPrefix(id, "fund-") || !identity.ValidRegion(strings.TrimPrefix(id, "fund-")) {
		return p, 0, poolNotFound(id)
	}
	ver, err := s.pools.Get(ctx, id, &p)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		return p, 0, poolNotFound(id)
	}
	return p, ver, err
}

// updatePool applies fn to the pool in a version-guarded write, retrying
// on a version conflict. fn returns an error to abort (nothing written).
func (s *Service) updatePool(ctx context.Context, id string, fn func(p *Pool) error) (Pool, int64, error) {
	return s.updatePoolFrom(ctx, id, nil, 0, fn)
}

// updatePoolFrom is updatePool whose first try uses first (read at version
// ver by the caller) instead of reading the pool again.
func (s *Service) updatePoolFrom(ctx context.Context, id string, first *Pool, ver int64, fn func(p *Pool) error) (Pool, int64, error) {
	for i := 0; i < retries; i++ {
		var p Pool
		if i == 0 && first != nil {
			p = *first
		} else {
			var err error
			if p, ver, err = s.loadPool(ctx, id); err != nil {
				return Pool{}, 0, err
			}
		}
		if err := fn(&p); err != nil {
			return Pool{}, 0, err
		}
		dropped := s.dropCommitted(&p)
		p.UpdatedAt = s.now()
		nv, err := s.pools.Replace(ctx, id, ver, p)
		if err == nil {
			s.forget(dropped)
			return p, nv, nil
		}
		if !kedaitong.Is(err, kedaitong.EConflict) {
			return Pool{}, 0, err
		}
		if i > 2 {
			time.Sleep(time.Duration(rand.IntN(1000*min(i, 20))) * time.Microsecond)
		}
	}
	return Pool{}, 0, kedaitong.Errorf(kedaitong.EConflict, "the fund is busy; try again").ZHf("资金池正忙，请重试")
}

// CreatePool opens a pool for a region.
func (s *Service) CreatePool(ctx context.Context, actor identity.User, in PoolInput) (PoolView, error) {
	if !isOfficialOrAdmin(actor) {
		return PoolView{}, forbidden("only officials and admins open funds", "只有政府用户和管理员可以设立资金池")
	}
	in.Region = strings.TrimSpace(in.Region)
	if !identity.ValidRegion(in.Region) {
		return PoolView{}, kedaitong.Invalid("region", "a Jiangxi GB/T 2260 region code: 36, a city such as 3610, or a county such as 360321").ZHf("请填写江西省的 GB/T 2260 行政区划代码：36、地市（如 3610）或区县（如 360321）")
	}
	if actor.Role == identity.RoleOfficial && !identity.RegionCovers(actor.Region, in.Region) {
		return PoolView{}, forbidden("officials open funds only in their own region", "政府用户只能在本辖区设立资金池")
	}
	terms := DefaultTerms()
	in.apply(&terms)
	if err := terms.validate(); err != nil {
		return PoolView{}, err
	}
	name := ""
	if in.Name != nil {
		name = strings.TrimSpace(*in.Name)
	}
	if len([]rune(name)) > MaxName {
		return PoolView{}, kedaitong.Invalid("name", "at most %d characters", MaxName).ZHf("名称最多 %d 个字符", MaxName)
	}
	if name == "" {
		name = in.Region
	}
	now := s.now()
	p := Pool{ID: poolID(in.Region), Region: in.Region, Name: name, Terms: terms, Budgeted: map[string]int64{},
		PaidInByYear: map[string]int64{}, PaidInBy: map[string]int64{}, Banks: map[string]*BankStat{},
		Targets: map[string]Target{}, Queue: []Due{}, LoanAmountByYear: map[string]int64{},
		CreatedAt: now, CreatedBy: actor.ID, UpdatedAt: now}
	// The audit entry rides in the pool's insert as an intent: written after
	// the insert, and by Repair when the process dies in between.
	note := s.poolNote(actor, "fund.create", p.ID, "", map[string]any{"terms": terms, "name": name})
	note.Audit.Region = p.Region
	p.Intents = []Intent{note}
	if err := s.pools.Insert(ctx, p.ID, p); err != nil {
		if kedaitong.Is(err, kedaitong.EConflict) {
			return PoolView{}, kedaitong.Errorf(kedaitong.EConflict, "region %s has a fund already", in.Region).ZHf("地区 %s 已设有资金池", in.Region)
		}
		return PoolView{}, err
	}
	if s.crashed("pool_create") {
		return PoolView{}, errCrashed
	}
	_ = s.finishPoolChange(ctx, &actor, p.ID, note) // no payments
	return p.view(actor, 1), nil
}

// GetPool returns a pool the actor may read.
func (s *Service) GetPool(ctx context.Context, actor identity.User, id string) (PoolView, error) {
	p, ver, err := s.loadPool(ctx, id)
	if err != nil {
		return PoolView{}, err
	}
	if !mayReadPool(actor, &p) {
		return PoolView{}, poolNotFound(id)
	}
	return p.view(actor, ver), nil
}

// PoolOf returns the pool without access checks (pages, exports).
func (s *Service) PoolOf(ctx context.Context, id string) (Pool, error) {
	p, _, err := s.loadPool(ctx, id)
	return p, err
}

// UpdatePool changes a pool's name (officials of its region) or terms
// (officials above its region, admins).
func (s *Service) UpdatePool(ctx context.Context, actor identity.User, id string, in PoolInput) (PoolView, error) {
	if in.Region != "" {
		return PoolView{}, kedaitong.Invalid("region", "a fund's region cannot change").ZHf("资金池的地区不能修改")
	}
	var before Terms
	note := s.poolNote(actor, "fund.update", id, "", map[string]any{})
	p, ver, err := s.updatePool(ctx, id, func(p *Pool) error {
		if !mayActOnPool(actor, p) {
			return poolNotFound(id)
		}
		if in.changesTerms() && !isAbove(actor, p) {
			return forbidden("only an official above the fund's region or an admin changes its terms", "只有上级政府用户或管理员可以修改资金池的规则")
		}
		before = p.Terms
		in.apply(&p.Terms)
		if err := p.Terms.validate(); err != nil {
			return err
		}
		if in.Name != nil {
			n := strings.TrimSpace(*in.Name)
			if n == "" || len([]rune(n)) > MaxName {
				return kedaitong.Invalid("name", "1 to %d characters", MaxName).ZHf("名称应为 1 到 %d 个字符", MaxName)
			}
			p.Name = n
		}
		for bid := range p.Banks {
			p.refresh(bid, s.today())
		}
		note.Audit.Region = p.Region
		note.Audit.Detail["before"], note.Audit.Detail["after"], note.Audit.Detail["name"] = before, p.Terms, p.Name
		p.Intents = append(p.Intents, note)
		return nil
	})
	if err != nil {
		return PoolView{}, err
	}
	_ = s.finishPoolChange(ctx, &actor, id, note) // no payments
	return p.view(actor, ver), nil
}

// PoolFilter narrows the pool list.
type PoolFilter struct {
	Region string // pools within this region
	Limit  int
	Cursor string
}

// ListPools lists the pools the actor may read, ordered by region.
func (s *Service) ListPools(ctx context.Context, actor identity.User, f PoolFilter) ([]PoolView, string, error) {
	if f.Region != "" && !identity.ValidRegion(f.Region) {
		return nil, "", kedaitong.Invalid("region", "not a Jiangxi region code").ZHf("不是江西省的行政区划代码")
	}
	limit := clampLimit(f.Limit)
	q := store.Query{Sort: "region", After: f.Cursor, Limit: limit}
	scope := f.Region
	if actor.Role == identity.RoleOfficial && (scope == "" || !identity.RegionCovers(actor.Region, scope)) {
		if scope != "" && !identity.RegionCovers(scope, actor.Region) {
			return []PoolView{}, "", nil
		}
		scope = actor.Region
	}
	if scope != "" {
		q.Range = &store.Range{Field: "region", Gte: scope, Lt: scope + ":"}
	}
	docs, next, err := store.FindMatching(ctx, s.pools, q, limit, 5000, func(d store.Doc) (bool, error) {
		var p Pool
		if err := d.Decode(&p); err != nil {
			return false, err
		}
		return mayReadPool(actor, &p), nil
	})
	if err != nil {
		return nil, "", err
	}
	out := make([]PoolView, 0, len(docs))
	for _, d := range docs {
		var p Pool
		if err := d.Decode(&p); err != nil {
			return nil, "", err
		}
		out = append(out, p.view(actor, d.Version))
	}
	return out, next, nil
}

func clampLimit(n int) int {
	if n <= 0 {
		return 50
	}
	return min(n, 500)
}

// ContributionInput is the body of POST /api/v1/funds/{id}/contributions.
type ContributionInput struct {
	Year     int    `json:"year"`
	Budgeted int64  `json:"budgeted"`
	PaidIn   int64  `json:"paid_in"`
	By       string `json:"by"`
	Note     string `json:"note"`
}

func checkYear(y int) error {
	if y < 2000 || y > 2100 {
		return kedaitong.Invalid("year", "a year from 2000 to 2100").ZHf("年份应在 2000 到 2100 之间")
	}
	return nil
}

// Payment is a deferred claim payment made from incoming cash.
type Payment struct {
	ClaimID string `json:"claim_id"`
	Amount  int64  `json:"amount"`
}

// payQueue pays deferred claims first from cash, oldest first.
func (p *Pool) payQueue() []Payment {
	var paid []Payment
	for len(p.Queue) > 0 && p.Cash > 0 {
		d := &p.Queue[0]
		x := min(d.Amount, p.Cash)
		p.Cash -= x
		p.PaidOut += x
		p.CompensationPaid += x
		p.Deferred -= x
		d.Amount -= x
		paid = append(paid, Payment{ClaimID: d.ClaimID, Amount: x})
		if d.Amount == 0 {
			p.Queue = p.Queue[1:]
		}
	}
	if p.Queue == nil {
		p.Queue = []Due{}
	}
	return paid
}

// Contribute records a year's budget and what was paid in; paid-in money
// pays deferred claims first.
func (s *Service) Contribute(ctx context.Context, actor identity.User, id string, in ContributionInput) (PoolView, []Payment, error) {
	if !isOfficialOrAdmin(actor) {
		return PoolView{}, nil, forbidden("only officials and admins record contributions", "只有政府用户和管理员可以登记出资")
	}
	if err := checkYear(in.Year); err != nil {
		return PoolView{}, nil, err
	}
	if err := checkMoney("budgeted", in.Budgeted, false); err != nil {
		return PoolView{}, nil, err
	}
	if err := checkMoney("paid_in", in.PaidIn, false); err != nil {
		return PoolView{}, nil, err
	}
	if in.Budgeted == 0 && in.PaidIn == 0 {
		return PoolView{}, nil, kedaitong.Invalid("paid_in", "give the budgeted or the paid-in amount").ZHf("请填写预算金额或实缴金额")
	}
	if !slices.Contains([]string{ByProvince, ByCity, ByCounty}, in.By) {
		return PoolView{}, nil, kedaitong.Invalid("by", "province, city or county").ZHf("出资方应为 province（省级）、city（市级）或 county（县级）")
	}
	if err := checkReason(in.Note); err != nil {
		return PoolView{}, nil, err
	}
	var paid []Payment
	y := strconv.Itoa(in.Year)
	note := s.poolNote(actor, "fund.contribution", id, "", map[string]any{"year": in.Year,
		"budgeted": in.Budgeted, "paid_in": in.PaidIn, "by": in.By, "note": in.Note})
	p, ver, err := s.updatePool(ctx, id, func(p *Pool) error {
		if !mayActOnPool(actor, p) {
			return poolNotFound(id)
		}
		lv := map[string]int{ByProvince: 1, ByCity: 2, ByCounty: 3}
		if lv[in.By] > lv[Level(p.Region)] {
			return kedaitong.Invalid("by", "a %s fund receives no %s money", Level(p.Region), in.By).ZHf("%s 级资金池不接受 %s 级出资", Level(p.Region), in.By)
		}
		if p.Cash+in.PaidIn > MaxMoney {
			return kedaitong.Invalid("paid_in", "the fund's cash would exceed %d yuan", MaxMoney).ZHf("资金池余额将超过 %d 元", MaxMoney)
		}
		p.Budgeted = orEmpty(p.Budgeted)
		p.PaidInByYear = orEmpty(p.PaidInByYear)
		p.PaidInBy = orEmpty(p.PaidInBy)
		p.Budgeted[y] += in.Budgeted
		p.PaidInByYear[y] += in.PaidIn
		p.PaidInBy[in.By] += in.PaidIn
		p.PaidIn += in.PaidIn
		p.Cash += in.PaidIn
		paid = p.payQueue()
		note.Payments = paid
		note.Audit.Region = p.Region
		note.Audit.Detail["deferred_paid"], note.Audit.Detail["cash_after"] = paid, p.Cash
		p.Intents = append(p.Intents, note)
		return nil
	})
	if err != nil {
		return PoolView{}, nil, err
	}
	if s.crashed("contribution") {
		return PoolView{}, nil, errCrashed
	}
	if err := s.finishPoolChange(ctx, &actor, id, note); err != nil {
		return PoolView{}, nil, err
	}
	return p.view(actor, ver), paid, nil
}

// TargetInput is the body of PUT /api/v1/funds/{id}/targets.
type TargetInput struct {
	Year            int   `json:"year"`
	LoanAmount      int64 `json:"loan_amount"`
	StartupSharePct int64 `json:"startup_share_pct"`
}

// SetTarget sets a year's performance target (officials above the pool's region, admins).
func (s *Service) SetTarget(ctx context.Context, actor identity.User, id string, in TargetInput) (PoolView, error) {
	if !isOfficialOrAdmin(actor) {
		return PoolView{}, forbidden("only officials and admins set targets", "只有政府用户和管理员可以设定绩效目标")
	}
	if err := checkYear(in.Year); err != nil {
		return PoolView{}, err
	}
	if err := checkMoney("loan_amount", in.LoanAmount, true); err != nil {
		return PoolView{}, err
	}
	if err := checkPct("startup_share_pct", in.StartupSharePct); err != nil {
		return PoolView{}, err
	}
	note := s.poolNote(actor, "fund.target", id, "", map[string]any{"year": in.Year, "loan_amount": in.LoanAmount, "startup_share_pct": in.StartupSharePct})
	p, ver, err := s.updatePool(ctx, id, func(p *Pool) error {
		if !mayActOnPool(actor, p) {
			return poolNotFound(id)
		}
		if !isAbove(actor, p) {
			return forbidden("targets are set by an official above the fund's region", "绩效目标由上级政府用户设定")
		}
		if p.Targets == nil {
			p.Targets = map[string]Target{}
		}
		p.Targets[strconv.Itoa(in.Year)] = Target(in)
		note.Audit.Region = p.Region
		p.Intents = append(p.Intents, note)
		return nil
	})
	if err != nil {
		return PoolView{}, err
	}
	_ = s.finishPoolChange(ctx, &actor, id, note) // no payments
	return p.view(actor, ver), nil
}

// ResumeInput is the body of POST /api/v1/funds/{id}/banks/{bank_id}/resume.
type ResumeInput struct {
	Reason string `json:"reason"`
}

// Resume lifts a bank's suspension in a pool (officials of the pool's region).
func (s *Service) Resume(ctx context.Context, actor identity.User, id, bankID string, in ResumeInput) (PoolView, error) {
	if actor.Role != identity.RoleOfficial && actor.Role != identity.RoleAdmin {
		return PoolView{}, forbidden("only officials lift suspensions", "只有政府用户可以解除暂停")
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Reason == "" {
		return PoolView{}, kedaitong.Invalid("reason", "say why the suspension is lifted").ZHf("请说明解除暂停的原因")
	}
	if err := checkReason(in.Reason); err != nil {
		return PoolView{}, err
	}
	note := s.poolNote(actor, "fund.resume", id, bankID, map[string]any{"bank_id": bankID, "reason": in.Reason})
	p, ver, err := s.updatePool(ctx, id, func(p *Pool) error {
		if !mayActOnPool(actor, p) {
			return poolNotFound(id)
		}
		b, ok := p.Banks[bankID]
		if !ok {
			return kedaitong.Errorf(kedaitong.ENotFound, "bank %q has no loans in this fund", bankID).ZHf("银行 %q 在该资金池没有贷款", bankID)
		}
		if b.State != BankSuspended {
			return kedaitong.Errorf(kedaitong.EConflict, "bank %q is not suspended", bankID).ZHf("银行 %q 未被暂停", bankID)
		}
		b.State, b.Since = BankWarned, s.today()
		b.Resumed, b.ResumedNP, b.ResumedTotal, b.ResumeReason = true, b.NonPerforming, b.total(), in.Reason
		note.Audit.Region = p.Region
		note.Audit.Detail["npl_pct"] = b.NPLPct()
		p.Intents = append(p.Intents, note)
		return nil
	})
	if err != nil {
		return PoolView{}, err
	}
	_ = s.finishPoolChange(ctx, &actor, id, note) // no payments
	return p.view(actor, ver), nil
}

// poolNote is the intent of a change of a pool alone (a contribution, its
// terms, targets, a suspension lifted): the pool's write is the commit
// point; its audit entry and the deferred claims it paid are written after,
// and by Repair when the process dies first.
func (s *Service) poolNote(actor identity.User, action, fundID, bankID string, detail map[string]any) Intent {
	return Intent{ID: newID("op-"), Kind: KindPool, BankID: bankID, At: s.now(),
		Audit: &AuditNote{Action: action, Kind: "fund", ObjectID: fundID, ActorID: actor.ID, Username: actor.Username,
			Role: actor.Role, BankID: bankID, Detail: detail}}
}

// finishPoolChange writes what follows a pool change's write: its audit
// entry and the deferred payments it made on their claims; the intent is
// then cleared with the pool's next write. It fails only at a crash point
// (tests).
func (s *Service) finishPoolChange(ctx context.Context, actor *identity.User, fundID string, in Intent) error {
	s.record(ctx, actor, in.Audit.Action, "fund", fundID, in.BankID, in.Audit.Region, in.Audit.Detail)
	if err := s.settlePayments(ctx, actor, in.ID, in.Payments); err != nil {
		return err
	}
	s.committed(fundID, in.ID)
	return nil
}
