package fund

import (
	"context"
	"sort"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store"
)

// KPI is one pool's row of GET /api/v1/funds/kpis.
type KPI struct {
	Region            string  `json:"region"`
	FundID            string  `json:"fund_id"`
	Name              string  `json:"name"`
	Year              int     `json:"year"`
	Cash              int64   `json:"cash"`
	Capacity          int64   `json:"capacity"`
	Outstanding       int64   `json:"outstanding"`
	LeverageUsedPct   int64   `json:"leverage_used_pct"`
	Loans             int64   `json:"loans"`
	LoanAmountYear    int64   `json:"loan_amount_year"` // lent in the year
	Enterprises       int64   `json:"enterprises"`
	StartupSharePct   int64   `json:"startup_share_pct"`
	NPLPct            int64   `json:"npl_pct"`
	CompensationPaid  int64   `json:"compensation_paid"`
	Deferred          int64   `json:"deferred"`
	Rereviewed        int64   `json:"rereviewed"`
	TechSuccessPct    int64   `json:"tech_success_pct"`
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
		TechSuccessPct: pct(p.RereviewedNoExit, p.Rereviewed)}
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
