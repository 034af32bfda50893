package consult

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"kedaitong"
	"kedaitong/experts"
	"kedaitong/identity"
)

// cst is China Standard Time, in which working days are counted.
var cst = time.FixedZone("CST", 8*3600)

// WorkingDays returns the deadline of an urgency in working days.
func WorkingDays(urgency string) int {
	if urgency == UrgencyUrgent {
		return 1
	}
	return 3
}

// AddWorkingTime adds d of working time (Monday to Friday, China Standard
// Time; public holidays are not modelled) to t.
func AddWorkingTime(t time.Time, d time.Duration) time.Time {
	loc := t.Location()
	x := t.In(cst)
	for {
		day := time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, cst)
		next := day.AddDate(0, 0, 1)
		if wd := x.Weekday(); wd == time.Saturday || wd == time.Sunday {
			x = next
			continue
		}
		if left := next.Sub(x); d <= left {
			return x.Add(d).In(loc)
		} else {
			d -= left
		}
		x = next
	}
}

// deadline returns the working time a consultation of the urgency has.
func deadline(urgency string) time.Duration {
	return time.Duration(WorkingDays(urgency)) * 24 * time.Hour
}

// bankNames maps the ids of banks known to the platform to their names,
// so that an expert who works or worked for the bank (recorded by name in
// its profile) is found conflicted.
var bankNames = map[string][]string{
	"ganzhou-bank":  {"赣州银行", "Ganzhou Bank"},
	"nanchang-bank": {"南昌农商银行", "南昌农村商业银行"},
	"jiangxi-bank":  {"江西银行", "Jiangxi Bank"},
	"jiujiang-bank": {"九江银行", "Jiujiang Bank"},
	"shangrao-bank": {"上饶银行", "Shangrao Bank"},
	"ganzhou-rcb":   {"赣州农商银行", "赣州农村商业银行"},
}

// BankOrgIDs returns the organisation ids (experts.OrgID form) a bank is
// known by, for conflict checks: "org:<bank id>" always (the form the
// panel optimiser's instances use, e.g. org:ganzhou-bank); the credit code
// when the bank id is a unified social credit code; and the name-derived
// ids of the bank's names when the platform knows them (bankNames).
func BankOrgIDs(bankID string) []string {
	bankID = strings.TrimSpace(bankID)
	if bankID == "" {
		return nil
	}
	out := []string{"org:" + strings.ToLower(bankID)}
	if experts.ValidCreditCode(strings.ToUpper(bankID)) {
		out = append(out, experts.OrgID("", strings.ToUpper(bankID)))
	}
	for _, n := range bankNames[strings.ToLower(bankID)] {
		if id := experts.OrgID(n, ""); id != "" {
			out = append(out, id)
		}
	}
	return out
}

// parties returns the organisation ids an expert must not be tied to.
func (s *Service) parties(c *Consultation) map[string]bool {
	p := map[string]bool{}
	for _, id := range BankOrgIDs(c.BankID) {
		p[id] = true
	}
	if s.bankOrgIDs != nil {
		for _, id := range s.bankOrgIDs(c.BankID) {
			p[id] = true
		}
	}
	if c.CreditCode != "" {
		p[experts.OrgID("", c.CreditCode)] = true
	}
	if c.Enterprise != "" {
		if id := experts.OrgID(c.Enterprise, ""); id != "" {
			p[id] = true
		}
	}
	return p
}

// Conflicted reports whether an expert is tied to a party of c.
func Conflicted(e experts.Expert, parties map[string]bool) bool {
	for _, a := range e.Affiliations() {
		if parties[a] {
			return true
		}
	}
	return false
}

type candidate struct {
	e     experts.Expert
	rank  int    // 0 exact route, 1 neighbouring route, 2 the industry
	field string // the expert's field that matched
	open  int64
}

var tierRank = map[string]int{experts.TierIndustry: 0, experts.TierAcademician: 1, experts.TierFinance: 2}

// openLoad returns an expert's open consultations.
func (s *Service) openLoad(ctx context.Context, expertID string) (int64, error) {
	if ids, ok, err := s.ownedIDs(ctx, expertID); err != nil || ok {
		return int64(len(ids)), err
	}
	var l load
	if _, err := s.loads.Get(ctx, expertID, &l); err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
		return 0, err
	}
	return max(l.Open, 0), nil
}

// spare reports whether the expert can take one more piece of work, and
// its open consultations.
func (s *Service) spare(ctx context.Context, e experts.Expert) (bool, int64, error) {
	open, err := s.openLoad(ctx, e.ID)
	if err != nil {
		return false, 0, err
	}
	rec, err := s.experts.Record(ctx, e.ID)
	if err != nil {
		return false, 0, err
	}
	if int64(e.Capacity)-rec.OpenAssignments-open <= 0 && open > 0 {
		// Full: make sure the set holds no consultation answered since.
		if open, err = s.verify(ctx, e); err != nil {
			return false, 0, err
		}
	}
	return int64(e.Capacity)-rec.OpenAssignments-open > 0, open, nil
}

// candidates returns up to n experts for c, best first, none of them in
// exclude.
func (s *Service) candidates(ctx context.Context, c *Consultation, exclude []string, n int) ([]candidate, error) {
	admin := identity.User{Role: identity.RoleAdmin}
	today := s.now().In(cst).Format(experts.DateLayout)
	parties := s.parties(c)
	seen := map[string]bool{}
	for _, x := range exclude {
		seen[x] = true
	}
	fields := [][]string{{c.Route}, s.tax.Neighbours(c.Route), {c.Industry}}
	var out []candidate
	for rank, group := range fields {
		var found []candidate
		for _, f := range group {
			if f == "" {
				continue
			}
			cursor := ""
			for {
				es, next, err := s.experts.Search(ctx, admin, experts.Filter{Field: f, Status: experts.StatusActive, AvailableOn: today, Limit: 500, Cursor: cursor})
				if err != nil {
					return nil, err
				}
				for _, e := range es {
					if seen[e.ID] {
						continue
					}
					seen[e.ID] = true
					if Conflicted(e, parties) {
						continue
					}
					ok, open, err := s.spare(ctx, e)
					if err != nil {
						return nil, err
					}
					if ok {
						found = append(found, candidate{e: e, rank: rank, field: f, open: open})
					}
				}
				if next == "" {
					break
				}
				cursor = next
			}
		}
		sort.SliceStable(found, func(i, j int) bool {
			a, b := found[i], found[j]
			if tierRank[a.e.Tier] != tierRank[b.e.Tier] {
				return tierRank[a.e.Tier] < tierRank[b.e.Tier]
			}
			if a.open != b.open {
				return a.open < b.open
			}
			return a.e.ID < b.e.ID
		})
		out = append(out, found...)
		if len(out) >= n {
			return out[:n], nil
		}
	}
	return out, nil
}

// fieldFor returns the expert's field to show for c: the route when the
// expert has it, else a neighbouring route it has, else its primary field.
func (s *Service) fieldFor(e experts.Expert, c *Consultation) string {
	if slices.Contains(e.Fields, c.Route) {
		return c.Route
	}
	for _, n := range s.tax.Neighbours(c.Route) {
		if slices.Contains(e.Fields, n) {
			return n
		}
	}
	if slices.Contains(e.Fields, c.Industry) {
		return c.Industry
	}
	if e.PrimaryField != "" {
		return e.PrimaryField
	}
	return c.Route
}
