package fund

import (
	"context"
	"errors"
	"sort"
	"sync"
	"time"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store"
)

// KPI is one pool's row of GET /api/v1/funds/kpis.
type KPI struct {
	Region           string `json:"region"`
	FundID           string `json:"fund_id"`
	Name             string `json:"name"`
	Year             int    `json:"year"`
	Cash             int64  `json:"cash"`
	Capacity         int64  `json:"capacity"`
	Outstanding      int64  `json:"outstanding"`
	LeverageUsedPct  int64  `json:"leverage_used_pct"`
	Loans            int64  `json:"loans"`
	LoanAmountYear   int64  `json:"loan_amount_year"` // lent in the year
	Enterprises      int64  `json:"enterprises"`
	StartupSharePct  int64  `json:"startup_share_pct"`
	NPLPct           int64  `json:"npl_pct"`
	CompensationPaid int64  `json:"compensation_paid"`
	Deferred         int64  `json:"deferred"`
	Rereviewed       int64  `json:"rereviewed"`
	TechSuccessPct   int64  `json:"tech_success_pct"`
	// The data hub's list-based management: key-list enterprises (key
	// projects, specialised SMEs) in the pool's region, those reached by a
	// loan of the pool (on the list at their first loan), and the region's
	// docking (banks' and investors' interest) converted into business.
	KeyListEnterprises   int64 `json:"key_list_enterprises"`
	KeyListReached       int64 `json:"key_list_reached"`
	KeyListReachedPct    int64 `json:"key_list_reached_pct"`
	Dockings             int64 `json:"dockings"`
	DockingsConverted    int64 `json:"dockings_converted"`
	DockingConversionPct int64 `json:"docking_conversion_pct"`

	Target            *Target `json:"target"`
	TargetProgressPct int64   `json:"target_progress_pct"`
	Rank              int     `json:"rank"`
}

func pct(num, den int64) int64 {
	if den <= 0 {
		return 0
	}
	return 100 * num / den
}

// kpi computes a pool's row from its counters (no scan of loans).
func (p *Pool) kpi(year int) KPI {
	var active, np int64
	for _, b := range p.Banks {
		active += b.Active
		np += b.NonPerforming
	}
	k := KPI{Region: p.Region, FundID: p.ID, Name: p.Name, Year: year, Cash: p.Cash, Capacity: p.Capacity(),
		Outstanding: p.Outstanding, LeverageUsedPct: pct(p.Outstanding, p.Capacity()), Loans: p.Loans,
		LoanAmountYear: p.LoanAmountByYear[yearKey(year)], Enterprises: p.Enterprises,
		StartupSharePct: pct(p.Startups, p.Enterprises), NPLPct: pct(np, active+np),
		CompensationPaid: p.CompensationPaid, Deferred: p.Deferred, Rereviewed: p.Rereviewed,
		TechSuccessPct: pct(p.RereviewedNoExit, p.Rereviewed), KeyListReached: p.KeyListReached}
	if t, ok := p.Targets[yearKey(year)]; ok {
		k.Target = &t
		k.TargetProgressPct = pct(k.LoanAmountYear, t.LoanAmount)
	}
	return k
}

// KPIs returns one row per pool within region for the year, best first:
// by progress towards the year's target, then by the share of capacity
// used, then by the lower non-performing ratio, then by region code.
// Officials see their own region at most; region "" is the caller's.
func (s *Service) KPIs(ctx context.Context, actor identity.User, region string, year int) ([]KPI, error) {
	if !isOfficialOrAdmin(actor) {
		return nil, forbidden("KPIs are for officials and admins", "绩效指标仅供政府用户和管理员查看")
	}
	if year == 0 {
		year = s.Year()
	}
	if err := checkYear(year); err != nil {
		return nil, err
	}
	if region != "" && !identity.ValidRegion(region) {
		return nil, kedaitong.Invalid("region", "not a Jiangxi region code").ZHf("不是江西省的行政区划代码")
	}
	scope := region
	if scope == "" {
		scope = "36"
		if actor.Role == identity.RoleOfficial {
			scope = actor.Region
		}
	}
	if actor.Role == identity.RoleOfficial && !identity.RegionCovers(actor.Region, scope) {
		if !identity.RegionCovers(scope, actor.Region) {
			return []KPI{}, nil
		}
		scope = actor.Region
	}
	q := store.Query{Range: &store.Range{Field: "region", Gte: scope, Lt: scope + ":"}, Sort: "region", Limit: 500}
	out := []KPI{}
	for {
		page, err := s.pools.Find(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, d := range page.Docs {
			var p Pool
			if err := d.Decode(&p); err != nil {
				return nil, err
			}
			out = append(out, p.kpi(year))
		}
		if page.Next == "" {
			break
		}
		q.After = page.Next
	}
	if err := s.hubFigures(ctx, out); err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case a.TargetProgressPct != b.TargetProgressPct:
			return a.TargetProgressPct > b.TargetProgressPct
		case a.LeverageUsedPct != b.LeverageUsedPct:
			return a.LeverageUsedPct > b.LeverageUsedPct
		case a.NPLPct != b.NPLPct:
			return a.NPLPct < b.NPLPct
		}
		return a.Region < b.Region
	})
	for i := range out {
		out[i].Rank = i + 1
	}
	return out, nil
}

// hubFigures are a region's key-list and docking figures from the data hub.
type hubFigures struct {
	keyList, dockings, converted int64
	at                           time.Time
}

// HubCacheTTL is how long the KPI view reuses a region's data-hub figures
// (they change with imports and follow-ups, not with every view).
const HubCacheTTL = 30 * time.Second

// hubFigures adds the data hub's key-list and docking figures to the rows
// (counts on the hub's indexes, a few at a time, kept HubCacheTTL).
func (s *Service) hubFigures(ctx context.Context, rows []KPI) error {
	if s.hub == nil || len(rows) == 0 {
		return nil
	}
	var wg sync.WaitGroup
	errs := make([]error, len(rows))
	sem := make(chan struct{}, 4)
	now := time.Now()
	for i := range rows {
		r := &rows[i]
		s.hubMu.Lock()
		f, ok := s.hubCache[r.Region]
		s.hubMu.Unlock()
		if ok && now.Sub(f.at) < HubCacheTTL {
			r.setHub(f)
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			n, err := s.hub.KeyListCount(ctx, r.Region)
			if err != nil {
				errs[i] = err
				return
			}
			total, conv, err := s.hub.DockingStats(ctx, r.Region)
			if err != nil {
				errs[i] = err
				return
			}
			f := hubFigures{keyList: int64(n), dockings: int64(total), converted: int64(conv), at: now}
			s.hubMu.Lock()
			if s.hubCache == nil {
				s.hubCache = map[string]hubFigures{}
			}
			s.hubCache[r.Region] = f
			s.hubMu.Unlock()
			r.setHub(f)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (k *KPI) setHub(f hubFigures) {
	k.KeyListEnterprises, k.Dockings, k.DockingsConverted = f.keyList, f.dockings, f.converted
	k.KeyListReachedPct = min(100, pct(k.KeyListReached, k.KeyListEnterprises))
	k.DockingConversionPct = pct(k.DockingsConverted, k.Dockings)
}

// ForgetHubFigures drops the cached data-hub figures (tests, or after an import).
func (s *Service) ForgetHubFigures() {
	s.hubMu.Lock()
	defer s.hubMu.Unlock()
	s.hubCache = nil
}
