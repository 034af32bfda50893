package panel

import (
	"math"
	"slices"
	"strings"
	"time"

	"kedaitong/experts"
	"kedaitong/review"
	"kedaitong/review/match"
)

// Affinity of an expert to an application, before the track-record and
// load adjustments. Academicians and industry experts need a field that
// fits the application's route: the route itself (1.0), a neighbouring
// route (0.7), the whole industry (0.6) or another route of the industry
// (0.4); +0.05 when the fitting field is the expert's primary one. Finance
// scholars sit on any panel (0.5), more so when they know the industry
// (+0.3 for the route, +0.2 for the industry, +0.1 for a neighbouring
// route) and when their specialities are the ones technology loans need
// (+0.1 for sci-tech credit, IP pledges or guarantees, else +0.05 for any).
const (
	scoreRoute         = 1.0
	scoreNeighbour     = 0.7
	scoreWholeIndustry = 0.6
	scoreSameIndustry  = 0.4
	primaryBonus       = 0.05
	financeBase        = 0.5
)

// Bases of an affinity.
const (
	BasisRoute     = "route"
	BasisNeighbour = "neighbour"
	BasisIndustry  = "industry"
	BasisFinance   = "finance"
)

var loanSpecialities = []string{"sci-tech-credit", "ip-pledge-financing", "guarantee-insurance"}

// fit scores how the expert's fields fit the route; ok is false when an
// academician or industry expert has no fitting field.
func (s *Service) fit(e experts.Expert, route string) (score float64, basis string, ok bool) {
	ind := s.tax.IndustryOf(route)
	neigh := s.tax.Neighbours(route)
	if e.Tier == match.TierFinance {
		extra := 0.0
		for _, f := range e.Fields {
			switch {
			case f == route:
				extra = max(extra, 0.3)
			case f == ind || s.tax.IndustryOf(f) == ind:
				extra = max(extra, 0.2)
			case slices.Contains(neigh, f):
				extra = max(extra, 0.1)
			}
		}
		spec := 0.0
		for _, sp := range e.Specialities {
			if slices.Contains(loanSpecialities, sp) {
				spec = 0.1
			} else {
				spec = max(spec, 0.05)
			}
		}
		return financeBase + extra + spec, BasisFinance, true
	}
	for i, f := range e.Fields {
		var sc float64
		var b string
		switch {
		case f == route:
			sc, b = scoreRoute, BasisRoute
		case slices.Contains(neigh, f):
			sc, b = scoreNeighbour, BasisNeighbour
		case f == ind:
			sc, b = scoreWholeIndustry, BasisIndustry
		case ind != "" && s.tax.IndustryOf(f) == ind:
			sc, b = scoreSameIndustry, BasisIndustry
		default:
			continue
		}
		if i == 0 {
			sc += primaryBonus
		}
		if sc > score {
			score, basis = sc, b
		}
	}
	return score, basis, score > 0
}

// adjust moves an affinity by the expert's track record and current load,
// so that reliable experts are preferred and work spreads: up to +0.05 for
// reviews submitted on time (−0.05 when none were), up to −0.1 for the
// share of invitations declined or let expire, up to −0.05 for a large mean
// deviation from panel consensus (2 points or more), and up to −0.15 for
// the share of its capacity already taken. The result stays above zero.
func adjust(score float64, rec experts.Record, load, capacity int) float64 {
	if rec.Completed > 0 {
		score += 0.1 * (float64(rec.CompletedOnTime)/float64(rec.Completed) - 0.5)
	}
	if rec.Assigned >= 2 {
		score -= 0.1 * float64(rec.Declined+rec.Expired) / float64(rec.Assigned)
	}
	if rec.MeanDeviation != nil {
		score -= 0.05 * math.Min(*rec.MeanDeviation/2, 1)
	}
	if capacity > 0 {
		score -= 0.15 * math.Min(float64(load)/float64(capacity), 1)
	}
	return math.Max(math.Round(score*1e6)/1e6, 0.01)
}

// parties are the organisations and people an expert must not be tied to.
type parties struct {
	enterprise map[string]bool // org ids of the enterprise
	bank       map[string]bool // org ids of the lending bank
	team       map[string]bool // folded names of the enterprise's team
}

func foldName(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), "")) }

func (s *Service) partiesOf(a *review.Application) parties {
	p := parties{enterprise: map[string]bool{}, bank: map[string]bool{}, team: map[string]bool{}}
	if a.CreditCode != "" {
		p.enterprise["org:"+strings.ToUpper(a.CreditCode)] = true
	}
	if id := experts.OrgID(a.Enterprise.Name, ""); id != "" {
		p.enterprise[id] = true
	}
	if a.BankID != "" {
		p.bank["org:"+a.BankID] = true
		for _, o := range s.opts.BankOrgs[a.BankID] {
			p.bank[o] = true
		}
		if s.opts.BankOrgIDs != nil {
			for _, o := range s.opts.BankOrgIDs(a.BankID) {
				p.bank[o] = true
			}
		}
	}
	for _, m := range a.Enterprise.Team {
		if n := foldName(m.Name); n != "" {
			p.team[n] = true
		}
	}
	return p
}

func orgIDs(id, name, code string) []string {
	out := []string{id}
	if code != "" {
		out = append(out, "org:"+strings.ToUpper(code))
	}
	if n := experts.OrgID(name, ""); n != "" {
		out = append(out, n)
	}
	return out
}

func anyIn(ids []string, set map[string]bool) bool {
	for _, id := range ids {
		if id != "" && set[id] {
			return true
		}
	}
	return false
}

// conflict returns why the expert must not judge the application ("" when
// nothing ties them) and the organisation behind it. Organisations left
// more than three years before today no longer count.
func conflict(e experts.Expert, p parties, today time.Time) (reason, detail string) {
	cutoff := today.AddDate(-3, 0, 0).Format(experts.DateLayout)
	for _, o := range e.Organisations {
		if o.To != "" && o.To < cutoff {
			continue
		}
		ids := orgIDs(o.ID, o.Name, o.CreditCode)
		switch {
		case anyIn(ids, p.enterprise) && o.Current():
			return ExclEnterpriseStaff, o.Name
		case anyIn(ids, p.enterprise):
			return ExclEnterpriseOrg, o.Name + " (" + o.From + "–" + o.To + ")"
		case anyIn(ids, p.bank):
			return ExclBankOrg, o.Name
		}
	}
	if p.team[foldName(e.Name)] {
		return ExclEnterpriseStaff, "named in the enterprise's team"
	}
	for _, c := range e.Conflicts {
		if ids := orgIDs(c.OrgID, c.Name, c.CreditCode); anyIn(ids, p.enterprise) || anyIn(ids, p.bank) {
			return ExclDeclared, strings.TrimSpace(c.Name + ": " + c.Reason)
		}
	}
	return "", ""
}

// unavailable returns the first unavailable period of the expert that
// overlaps [from, to] (days YYYY-MM-DD), or false.
func unavailable(e experts.Expert, from, to string) (experts.Period, bool) {
	for _, p := range e.Unavailable {
		if p.From <= to && p.To >= from {
			return p, true
		}
	}
	return experts.Period{}, false
}
