package enterprises

import (
	"math"
	"sort"
	"strconv"
	"time"
)

// Flags of a portrait.
const (
	FlagDishonest   = "dishonest"   // on a dishonesty list and not lifted
	FlagKeyProject  = "key_project" // holds a provincial (or national) key science-and-technology project
	FlagSpecialised = "specialised" // on the specialised-and-innovative (专精特新) SME list
	FlagEndorsed    = "endorsed"    // an investor endorsed one of its applications
)

// Flags lists the flags in display order.
var Flags = []string{FlagDishonest, FlagKeyProject, FlagSpecialised, FlagEndorsed}

// Maturity stages.
const (
	StageLab        = "lab"
	StagePilot      = "pilot"
	StageIndustrial = "industrial"
)

// Registration is the business-registration record.
type Registration struct {
	Name              string `json:"name"`
	Region            string `json:"region"`
	Founded           string `json:"founded,omitempty"`
	RegisteredCapital int64  `json:"registered_capital"` // yuan
	Status            string `json:"status,omitempty"`
	Route             string `json:"route,omitempty"`
	Specialised       string `json:"specialised,omitempty"` // "", "provincial" or "national" (专精特新 / 小巨人)
}

// Patent is an intellectual-property record.
type Patent struct {
	Kind      string `json:"kind"` // invention, utility, design
	Granted   string `json:"granted,omitempty"`
	Claims    int64  `json:"claims"`
	Citations int64  `json:"citations"`
	Status    string `json:"status"` // valid, lapsed
}

// Project is a science-and-technology project.
type Project struct {
	Level  string `json:"level"` // national, provincial, city
	Title  string `json:"title"`
	Amount int64  `json:"amount"`
	Start  string `json:"start,omitempty"`
	End    string `json:"end,omitempty"`
}

// TaxYear is one year's tax declaration.
type TaxYear struct {
	Revenue int64 `json:"revenue"`
	RDSpend int64 `json:"rd_spend"`
	TaxPaid int64 `json:"tax_paid"`
}

// Contract is a registered technology contract.
type Contract struct {
	Amount    int64  `json:"amount"`
	Signed    string `json:"signed,omitempty"`
	Due       string `json:"due,omitempty"`
	Fulfilled string `json:"fulfilled,omitempty"` // date, "" while open
}

// Listing is an entry on a dishonesty list.
type Listing struct {
	List     string `json:"list"`
	ListedOn string `json:"listed_on"`
	LiftedOn string `json:"lifted_on,omitempty"`
}

// Investment is an investment institution's stake.
type Investment struct {
	Investor string `json:"investor"`
	Amount   int64  `json:"amount"`
	Date     string `json:"date,omitempty"`
}

// Portrait is one enterprise as stored: the imported records by their
// natural keys, and the fields lists filter by, derived on every write.
type Portrait struct {
	CreditCode   string                `json:"credit_code"`
	Registration *Registration         `json:"registration,omitempty"`
	Patents      map[string]Patent     `json:"patents"`
	Projects     map[string]Project    `json:"projects"`
	Tax          map[string]TaxYear    `json:"tax"` // by year
	Contracts    map[string]Contract   `json:"contracts"`
	Listings     map[string]Listing    `json:"listings"`    // by list|listed_on
	Investments  map[string]Investment `json:"investments"` // by folded investor
	Sources      map[string]time.Time  `json:"sources"`     // source → last import that changed it
	// AppName, AppRegion, AppRoute come from loan applications when the
	// registration is not (yet) imported.
	AppName   string    `json:"app_name,omitempty"`
	AppRegion string    `json:"app_region,omitempty"`
	AppRoute  string    `json:"app_route,omitempty"`
	Endorsed  bool      `json:"endorsed"`
	UpdatedAt time.Time `json:"updated_at"`
	legacy    bool      // read from an entry of an earlier version (not stored as a portrait yet)

	// Derived, indexed.
	Name        string `json:"name"`
	NameKey     string `json:"name_key"`
	Region      string `json:"region"`
	City        string `json:"city"`
	Route       string `json:"route"`
	Industry    string `json:"industry"`
	Dishonest   bool   `json:"dishonest"`
	KeyProject  bool   `json:"key_project"`
	Specialised bool   `json:"specialised"`
	KeyList     bool   `json:"key_list"` // key project or specialised: the list-based management's list
}

func newPortrait(code string) Portrait {
	return Portrait{CreditCode: code, Patents: map[string]Patent{}, Projects: map[string]Project{}, Tax: map[string]TaxYear{},
		Contracts: map[string]Contract{}, Listings: map[string]Listing{}, Investments: map[string]Investment{}, Sources: map[string]time.Time{}}
}

// fill makes nil maps empty (documents written before a source existed).
func (p *Portrait) fill() {
	if p.Patents == nil {
		p.Patents = map[string]Patent{}
	}
	if p.Projects == nil {
		p.Projects = map[string]Project{}
	}
	if p.Tax == nil {
		p.Tax = map[string]TaxYear{}
	}
	if p.Contracts == nil {
		p.Contracts = map[string]Contract{}
	}
	if p.Listings == nil {
		p.Listings = map[string]Listing{}
	}
	if p.Investments == nil {
		p.Investments = map[string]Investment{}
	}
	if p.Sources == nil {
		p.Sources = map[string]time.Time{}
	}
}

// derive sets the indexed fields from the records.
func (s *Service) derive(p *Portrait) {
	p.fill()
	p.Name, p.Region, p.Route = p.AppName, p.AppRegion, p.AppRoute
	if r := p.Registration; r != nil {
		p.Name, p.Region = r.Name, r.Region
		if r.Route != "" {
			p.Route = r.Route
		}
	}
	p.NameKey = foldName(p.Name)
	p.City = ""
	if len(p.Region) >= 4 {
		p.City = p.Region[:4]
	}
	p.Industry = ""
	if p.Route != "" {
		p.Industry = s.tax.IndustryOf(p.Route)
	}
	p.Dishonest = false
	for _, l := range p.Listings {
		if l.LiftedOn == "" {
			p.Dishonest = true
		}
	}
	p.KeyProject = false
	for _, pr := range p.Projects {
		if pr.Level == "provincial" || pr.Level == "national" {
			p.KeyProject = true
		}
	}
	p.Specialised = p.Registration != nil && p.Registration.Specialised != ""
	p.KeyList = p.KeyProject || p.Specialised
}

// View is the contract's portrait.
type View struct {
	CreditCode        string           `json:"credit_code"`
	Name              string           `json:"name"`
	Region            string           `json:"region"`
	Founded           string           `json:"founded"`
	Route             string           `json:"route"`
	Industry          string           `json:"industry"`
	RegisteredCapital int64            `json:"registered_capital"`
	Status            string           `json:"status"`
	Specialised       string           `json:"specialised,omitempty"`
	Maturity          string           `json:"maturity"`
	MaturityBasis     MaturityBasis    `json:"maturity_basis"`
	Indicators        Indicators       `json:"indicators"`
	Flags             []string         `json:"flags"`
	Endorsed          bool             `json:"endorsed"`
	Sources           []SourceStamp    `json:"sources"`
	Tax               []TaxRow         `json:"tax"`
	Projects          []ProjectRow     `json:"projects"`
	Patents           []PatentRow      `json:"patents"`
	Contracts         []ContractRow    `json:"contracts"`
	Listings          []Listing        `json:"listings"`
	Investors         []Investment     `json:"investors"`
	PatentsTotal      int              `json:"patents_total"`
	Quality           QualityBreakdown `json:"patent_quality_parts"`
}

// Indicators are the portrait's figures.
type Indicators struct {
	RDIntensityPct            int            `json:"rd_intensity_pct"`
	InventionPatents          int            `json:"invention_patents"`
	PatentQuality             int            `json:"patent_quality"`
	TechContractFulfilmentPct int            `json:"tech_contract_fulfilment_pct"`
	ContractsDue              int            `json:"contracts_due"`
	ContractsFulfilledOnTime  int            `json:"contracts_fulfilled_on_time"`
	Revenue                   []int64        `json:"revenue"`       // newest year first
	RevenueYears              []int          `json:"revenue_years"` // the years of Revenue
	RDSpend                   int64          `json:"rd_spend"`      // the latest year's
	Projects                  map[string]int `json:"projects"`
}

// MaturityBasis shows the criteria the stage was judged by.
type MaturityBasis struct {
	RDIntensityPct   int    `json:"rd_intensity_pct"`
	PatentLayout     bool   `json:"patent_layout"`     // ≥ 1 valid invention patent or ≥ 3 valid patents
	MarketValidation string `json:"market_validation"` // none, early, proven
}

// QualityBreakdown is the patent-quality score's parts (they add up to it).
type QualityBreakdown struct {
	InventionShare int `json:"invention_share"` // ≤ 40
	Claims         int `json:"claims"`          // ≤ 20
	Citations      int `json:"citations"`       // ≤ 25
	Portfolio      int `json:"portfolio"`       // ≤ 15
}

// SourceStamp is when a source last changed the portrait.
type SourceStamp struct {
	Source     string    `json:"source"`
	ImportedAt time.Time `json:"imported_at"`
}

// TaxRow is a year of the tax series.
type TaxRow struct {
	Year int `json:"year"`
	TaxYear
}

// ProjectRow, PatentRow and ContractRow carry their keys.
type ProjectRow struct {
	ProjectID string `json:"project_id"`
	Project
}

// PatentRow is a patent with its number.
type PatentRow struct {
	PatentNo string `json:"patent_no"`
	Patent
}

// ContractRow is a contract with its id.
type ContractRow struct {
	ContractID string `json:"contract_id"`
	Contract
}

// maxListed bounds each list in a view (the counts cover all).
const maxListed = 100

// PatentQuality scores valid patents 0–100 (lapsed ones do not count):
//
//	invention share  40 × valid invention patents ÷ valid patents
//	claims           20 × min(1, mean claims of valid invention patents ÷ 10)
//	citations        25 × min(1, mean citations of valid patents ÷ 5)
//	portfolio        15 × min(1, valid invention patents ÷ 10)
//
// each part rounded, the score their sum; 0 without valid patents.
func PatentQuality(patents map[string]Patent) QualityBreakdown {
	var valid, inv, invClaims, cites int64
	for _, p := range patents {
		if p.Status != "valid" {
			continue
		}
		valid++
		cites += p.Citations
		if p.Kind == "invention" {
			inv++
			invClaims += p.Claims
		}
	}
	if valid == 0 {
		return QualityBreakdown{}
	}
	var q QualityBreakdown
	q.InventionShare = int(math.Round(40 * float64(inv) / float64(valid)))
	if inv > 0 {
		q.Claims = int(math.Round(20 * math.Min(1, float64(invClaims)/float64(inv)/10)))
	}
	q.Citations = int(math.Round(25 * math.Min(1, float64(cites)/float64(valid)/5)))
	q.Portfolio = int(math.Round(15 * math.Min(1, float64(inv)/10)))
	return q
}

// Total is the score.
func (q QualityBreakdown) Total() int { return q.InventionShare + q.Claims + q.Citations + q.Portfolio }

// Maturity judges the stage by the seed's three criteria:
//
//   - market validation: "proven" when the latest year's revenue is at least
//     20,000,000 yuan; "early" when it is at least 1,000,000 yuan or a
//     technology contract has been fulfilled; else "none";
//   - patent layout: at least one valid invention patent, or three valid patents;
//   - R&D intensity: the latest year's R&D spend ÷ revenue.
//
// industrial: proven market and a patent layout; pilot: early (or proven)
// market with a patent layout or an R&D intensity of at least 3 %; lab:
// everything else (no market validation yet).
func Maturity(b MaturityBasis) string {
	switch {
	case b.MarketValidation == "proven" && b.PatentLayout:
		return StageIndustrial
	case b.MarketValidation != "none" && (b.PatentLayout || b.RDIntensityPct >= 3):
		return StagePilot
	}
	return StageLab
}

// pct is 100 × a ÷ b rounded, 0 when b is 0, at most 100.
func pct(a, b int64) int {
	if b <= 0 {
		if a > 0 {
			return 100
		}
		return 0
	}
	v := int(math.Round(100 * float64(a) / float64(b)))
	return min(v, 100)
}

// view builds the contract's portrait as of today.
func (s *Service) view(p Portrait) View {
	p.fill()
	today := s.today()
	v := View{CreditCode: p.CreditCode, Name: p.Name, Region: p.Region, Route: p.Route, Industry: p.Industry, Endorsed: p.Endorsed,
		Flags: []string{}, Sources: []SourceStamp{}, Tax: []TaxRow{}, Projects: []ProjectRow{}, Patents: []PatentRow{},
		Contracts: []ContractRow{}, Listings: []Listing{}, Investors: []Investment{}}
	if r := p.Registration; r != nil {
		v.Founded, v.RegisteredCapital, v.Status, v.Specialised = r.Founded, r.RegisteredCapital, r.Status, r.Specialised
	}
	ind := Indicators{Revenue: []int64{}, RevenueYears: []int{}, Projects: map[string]int{"national": 0, "provincial": 0, "city": 0}}
	// Tax, newest year first.
	years := make([]int, 0, len(p.Tax))
	for y := range p.Tax {
		if n, err := strconv.Atoi(y); err == nil {
			years = append(years, n)
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(years)))
	for _, y := range years {
		t := p.Tax[strconv.Itoa(y)]
		ind.Revenue = append(ind.Revenue, t.Revenue)
		ind.RevenueYears = append(ind.RevenueYears, y)
		v.Tax = append(v.Tax, TaxRow{Year: y, TaxYear: t})
	}
	var latestRevenue int64
	if len(years) > 0 {
		t := p.Tax[strconv.Itoa(years[0])]
		latestRevenue, ind.RDSpend = t.Revenue, t.RDSpend
		ind.RDIntensityPct = pct(t.RDSpend, t.Revenue)
	}
	// Patents.
	var validPatents int
	for no, pt := range p.Patents {
		if pt.Status == "valid" {
			validPatents++
			if pt.Kind == "invention" {
				ind.InventionPatents++
			}
		}
		v.Patents = append(v.Patents, PatentRow{PatentNo: no, Patent: pt})
	}
	sort.Slice(v.Patents, func(i, j int) bool {
		a, b := v.Patents[i], v.Patents[j]
		if a.Granted != b.Granted {
			return a.Granted > b.Granted
		}
		return a.PatentNo < b.PatentNo
	})
	v.PatentsTotal = len(v.Patents)
	if len(v.Patents) > maxListed {
		v.Patents = v.Patents[:maxListed]
	}
	v.Quality = PatentQuality(p.Patents)
	ind.PatentQuality = v.Quality.Total()
	// Projects.
	for id, pr := range p.Projects {
		ind.Projects[pr.Level]++
		v.Projects = append(v.Projects, ProjectRow{ProjectID: id, Project: pr})
	}
	sort.Slice(v.Projects, func(i, j int) bool {
		a, b := v.Projects[i], v.Projects[j]
		if a.Start != b.Start {
			return a.Start > b.Start
		}
		return a.ProjectID < b.ProjectID
	})
	if len(v.Projects) > maxListed {
		v.Projects = v.Projects[:maxListed]
	}
	// Contracts: due ones (due date today or earlier) and those fulfilled by it.
	fulfilled := 0
	for id, c := range p.Contracts {
		if c.Fulfilled != "" {
			fulfilled++
		}
		if c.Due != "" && c.Due <= today {
			ind.ContractsDue++
			if c.Fulfilled != "" && c.Fulfilled <= c.Due {
				ind.ContractsFulfilledOnTime++
			}
		}
		v.Contracts = append(v.Contracts, ContractRow{ContractID: id, Contract: c})
	}
	ind.TechContractFulfilmentPct = pct(int64(ind.ContractsFulfilledOnTime), int64(ind.ContractsDue))
	sort.Slice(v.Contracts, func(i, j int) bool {
		a, b := v.Contracts[i], v.Contracts[j]
		if a.Signed != b.Signed {
			return a.Signed > b.Signed
		}
		return a.ContractID < b.ContractID
	})
	if len(v.Contracts) > maxListed {
		v.Contracts = v.Contracts[:maxListed]
	}
	for _, l := range p.Listings {
		v.Listings = append(v.Listings, l)
	}
	sort.Slice(v.Listings, func(i, j int) bool { return v.Listings[i].ListedOn > v.Listings[j].ListedOn })
	for _, in := range p.Investments {
		v.Investors = append(v.Investors, in)
	}
	sort.Slice(v.Investors, func(i, j int) bool { return v.Investors[i].Date > v.Investors[j].Date })
	// Maturity.
	b := MaturityBasis{RDIntensityPct: ind.RDIntensityPct, PatentLayout: ind.InventionPatents >= 1 || validPatents >= 3, MarketValidation: "none"}
	switch {
	case latestRevenue >= 20_000_000:
		b.MarketValidation = "proven"
	case latestRevenue >= 1_000_000 || fulfilled > 0:
		b.MarketValidation = "early"
	}
	v.MaturityBasis, v.Maturity = b, Maturity(b)
	v.Indicators = ind
	if p.Dishonest {
		v.Flags = append(v.Flags, FlagDishonest)
	}
	if p.KeyProject {
		v.Flags = append(v.Flags, FlagKeyProject)
	}
	if p.Specialised {
		v.Flags = append(v.Flags, FlagSpecialised)
	}
	if p.Endorsed {
		v.Flags = append(v.Flags, FlagEndorsed)
	}
	for _, src := range AllSources {
		if at, ok := p.Sources[src]; ok {
			v.Sources = append(v.Sources, SourceStamp{Source: src, ImportedAt: at})
		}
	}
	return v
}
