package dashboard

import (
	"context"
	"strings"
	"time"

	"kedaitong"
	"kedaitong/fund"
)

// beijing is the platform's time zone: months are Beijing-time months.
var beijing = time.FixedZone("CST", 8*3600)

// MaxMonths is the longest range of the trends.
const MaxMonths = 60

// monthKey is a month as counter fields spell it: "202605".
func monthKey(t time.Time) string { return t.In(beijing).Format("200601") }

// Range is a span of whole months, both ends included, as "YYYY-MM".
type Range struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// ParseRange checks from and to ("YYYY-MM", either may be empty): the
// default is the twelve months up to the current one (Beijing time); at
// most MaxMonths months; from not after to.
func ParseRange(from, to string, now time.Time) (Range, error) {
	from, to = strings.TrimSpace(from), strings.TrimSpace(to)
	parse := func(field, v string) (time.Time, error) {
		t, err := time.Parse("2006-01", v)
		if err != nil || t.Format("2006-01") != v || t.Year() < 2000 || t.Year() > 2100 {
			return time.Time{}, kedaitong.Invalid(field, "a month as YYYY-MM").ZHf("月份应为 YYYY-MM 格式（%s）", field)
		}
		return t, nil
	}
	cur := now.In(beijing)
	end := time.Date(cur.Year(), cur.Month(), 1, 0, 0, 0, 0, time.UTC)
	if to != "" {
		t, err := parse("to", to)
		if err != nil {
			return Range{}, err
		}
		end = t
	}
	start := end.AddDate(0, -11, 0)
	if from != "" {
		t, err := parse("from", from)
		if err != nil {
			return Range{}, err
		}
		start = t
		if to == "" && start.After(end) {
			end = start
		}
	}
	if start.After(end) {
		return Range{}, kedaitong.Invalid("from", "the first month comes after the last").ZHf("起始月份晚于结束月份")
	}
	if n := months(start, end); n > MaxMonths {
		return Range{}, kedaitong.Invalid("from", "at most %d months at once", MaxMonths).ZHf("一次最多查看 %d 个月", MaxMonths)
	}
	return Range{From: start.Format("2006-01"), To: end.Format("2006-01")}, nil
}

func months(start, end time.Time) int {
	return (end.Year()-start.Year())*12 + int(end.Month()-start.Month()) + 1
}

// Months lists the range's months as "YYYY-MM".
func (r Range) Months() []string {
	start, err1 := time.Parse("2006-01", r.From)
	end, err2 := time.Parse("2006-01", r.To)
	if err1 != nil || err2 != nil {
		return nil
	}
	var out []string
	for t := start; !t.After(end); t = t.AddDate(0, 1, 0) {
		out = append(out, t.Format("2006-01"))
	}
	return out
}

// MonthRow is one month of the trends.
type MonthRow struct {
	Month        string `json:"month"`        // YYYY-MM, Beijing time
	Applications int64  `json:"applications"` // submitted in the month
	Loans        int64  `json:"loans"`        // registered loans starting in the month
	LoanAmount   int64  `json:"loan_amount"`  // their principal, yuan
	StartupLoans Share  `json:"startup_loans"`
	Claims       int64  `json:"claims"`     // compensation claims filed in the month
	ClaimLoss    int64  `json:"claim_loss"` // their losses, yuan
}

// Trends are the month-by-month figures of a range.
type Trends struct {
	Range
	Months []MonthRow `json:"months"`
}

func buildTrends(r Range, c map[string]int64) Trends {
	t := Trends{Range: r, Months: []MonthRow{}}
	for _, m := range r.Months() {
		k := strings.ReplaceAll(m, "-", "")
		t.Months = append(t.Months, MonthRow{Month: m, Applications: c["apm_"+k], Loans: c["lnm_"+k], LoanAmount: c["lnma_"+k],
			StartupLoans: share(c["lnms_"+k], c["lnm_"+k]), Claims: c["clm_"+k], ClaimLoss: c["clml_"+k]})
	}
	return t
}

// LoanFacets are what one registered loan contributes to its regions'
// counters: the count, principal and start-ups (under three years at the
// loan's start), in total, by state and by the month the loan started.
func LoanFacets(l *fund.Loan) map[string]int64 {
	f := map[string]int64{"ln": 1, "ln_amt": l.Amount, key("lnst", l.State): 1}
	if l.Startup {
		f["ln_su"] = 1
	}
	if len(l.Start) >= 7 {
		m := strings.ReplaceAll(l.Start[:7], "-", "")
		f["lnm_"+m], f["lnma_"+m] = 1, l.Amount
		if l.Startup {
			f["lnms_"+m] = 1
		}
	}
	return dropZero(f)
}

// ClaimFacets are what one compensation claim contributes: the count, the
// loss and the compensation, in total, by state and by the month it was
// filed (Beijing time).
func ClaimFacets(c *fund.Claim) map[string]int64 {
	f := map[string]int64{"cl": 1, "cl_loss": c.Loss, "cl_comp": c.Compensation, key("clst", c.State): 1}
	if !c.CreatedAt.IsZero() {
		m := monthKey(c.CreatedAt)
		f["clm_"+m], f["clml_"+m] = 1, c.Loss
	}
	return dropZero(f)
}

func dropZero(f map[string]int64) map[string]int64 {
	for k, v := range f {
		if v == 0 {
			delete(f, k)
		}
	}
	return f
}

// loadLoan and loadClaim read the fund's documents for counting.
func (s *Service) loadLoan(ctx context.Context, id string) (string, map[string]int64, error) {
	var l fund.Loan
	if _, err := s.loans.Get(ctx, id, &l); err != nil {
		return "", nil, err
	}
	return l.Region, LoanFacets(&l), nil
}

func (s *Service) loadClaim(ctx context.Context, id string) (string, map[string]int64, error) {
	var c fund.Claim
	if _, err := s.claims.Get(ctx, id, &c); err != nil {
		return "", nil, err
	}
	return c.Region, ClaimFacets(&c), nil
}
