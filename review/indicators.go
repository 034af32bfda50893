package review

import (
	"kedaitong"

	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"kedaitong/intel/classify"
	"kedaitong/taxonomy"
)

// Pre-screen thresholds. They raise flags for reviewers; they decide nothing.
const (
	// LowRDIntensity: R&D spending below this share of the latest revenue
	// is low for a technology enterprise (China's high-tech enterprise
	// recognition asks 3 % to 5 % depending on revenue).
	LowRDIntensity = 0.03
	// StrongRDIntensity: at or above this share R&D is substantial.
	StrongRDIntensity = 0.10
	// StrongPatents: this many granted invention patents is substantial IP.
	StrongPatents = 3
	// Enterprise age groups: a start-up is under StartupYears old, a growth
	// enterprise StartupYears to MatureYears, a mature one older.
	StartupYears = 3
	MatureYears  = 5
)

// Age groups.
const (
	AgeStartup = "startup"
	AgeGrowth  = "growth"
	AgeMature  = "mature"
)

// Flag codes.
const (
	FlagPseudoTech  = "pseudo_technology"
	FlagStrongTech  = "strong_tech_weak_financials"
	signalLowRD     = "low_rd_intensity"
	signalNoPatents = "no_invention_patents"
	signalMismatch  = "route_mismatch"
)

// Indicators are derived from the enterprise on every write.
type Indicators struct {
	// RDIntensity is R&D spending over the latest year's revenue; nil when
	// there was no revenue.
	RDIntensity  *float64 `json:"rd_intensity"`
	RDStaffShare float64  `json:"rd_staff_share"` // R&D staff over staff
	AgeYears     float64  `json:"age_years"`      // as of AsOf
	AgeGroup     string   `json:"age_group"`      // startup, growth, mature
	LossYears    int      `json:"loss_years"`     // years of the series with a net loss
	AsOf         string   `json:"as_of"`          // the date the age is computed at (the submission date once submitted)
}

// Flag is a pre-screen flag explained in words.
type Flag struct {
	Code    string          `json:"code"`
	Title   taxonomy.Text   `json:"title"`
	Reasons []taxonomy.Text `json:"reasons"`
	Signals []string        `json:"signals"` // machine-readable reasons
}

// Derive computes the indicators of an enterprise as of a date.
func Derive(e Enterprise, asOf time.Time) Indicators {
	asOf = asOf.In(kedaitong.Beijing) // the users' calendar day
	ind := Indicators{AsOf: asOf.Format(DateLayout)}
	asOf = time.Date(asOf.Year(), asOf.Month(), asOf.Day(), 0, 0, 0, 0, time.UTC) // ages count whole days
	if len(e.Revenue) > 0 && e.Revenue[0] > 0 {
		r := round4(float64(e.RDSpend) / float64(e.Revenue[0]))
		ind.RDIntensity = &r
	}
	if e.Staff > 0 {
		ind.RDStaffShare = round4(float64(e.RDStaff) / float64(e.Staff))
	}
	if f, err := time.Parse(DateLayout, e.Founded); err == nil {
		ind.AgeYears = math.Max(0, math.Floor(asOf.Sub(f).Hours()/24/365.25*10)/10)
		switch {
		case fullYears(f, asOf) < StartupYears:
			ind.AgeGroup = AgeStartup
		case !asOf.After(f.AddDate(MatureYears, 0, 0)):
			ind.AgeGroup = AgeGrowth
		default:
			ind.AgeGroup = AgeMature
		}
	}
	for _, p := range e.NetProfit {
		if p < 0 {
			ind.LossYears++
		}
	}
	return ind
}

// fullYears is the number of whole years from f to t (an age).
func fullYears(f, t time.Time) int {
	y := t.Year() - f.Year()
	if t.Month() < f.Month() || t.Month() == f.Month() && t.Day() < f.Day() {
		y--
	}
	return y
}

func round4(f float64) float64 { return math.Round(f*10000) / 10000 }

var classifier = sync.OnceValue(func() *classify.Classifier {
	c, err := classify.New(taxonomy.Default())
	if err != nil {
		return nil
	}
	return c
})

// routeMismatch reports whether the application's own words point to other
// industries than the declared route's: the classifier finds industries in
// the name, summary and purpose, and the declared one is not among them.
func routeMismatch(tax *taxonomy.Taxonomy, in Input) (bool, []string) {
	c := classifier()
	if c == nil || tax != taxonomy.Default() {
		return false, nil
	}
	l := c.Classify(in.Enterprise.Name, in.Summary+"\n"+in.Loan.Purpose)
	if len(l.Industries) == 0 {
		return false, nil
	}
	return !slices.Contains(l.Industries, tax.IndustryOf(in.Enterprise.Route)), l.Industries
}

// PreScreen returns the flags an input raises, given its indicators.
//
// "Pseudo-technology" is raised when at least two of three signals hold:
// R&D intensity under LowRDIntensity (or R&D spending with no revenue to
// compare is zero), no granted invention patent, and a declared route that
// the application's own description does not support. "Strong technology,
// weak financials" is raised when a year of the series was a loss and the
// enterprise has at least StrongPatents invention patents or an R&D
// intensity of at least StrongRDIntensity.
func PreScreen(tax *taxonomy.Taxonomy, in Input, ind Indicators) []Flag {
	e := in.Enterprise
	flags := []Flag{}
	var sig []string
	var why []taxonomy.Text
	lowRD := ind.RDIntensity != nil && *ind.RDIntensity < LowRDIntensity || ind.RDIntensity == nil && e.RDSpend == 0
	if lowRD {
		sig = append(sig, signalLowRD)
		if ind.RDIntensity != nil {
			pct := fmt.Sprintf("%.1f%%", *ind.RDIntensity*100)
			why = append(why, taxonomy.Text{
				ZH: fmt.Sprintf("研发投入强度仅 %s，低于 %.0f%% 的科技型企业通常水平", pct, LowRDIntensity*100),
				EN: fmt.Sprintf("R&D intensity is only %s, under the %.0f%% usual for a technology enterprise", pct, LowRDIntensity*100)})
		} else {
			why = append(why, taxonomy.Text{ZH: "无营业收入且无研发投入", EN: "no revenue and no R&D spending"})
		}
	}
	if e.InventionPatents == 0 {
		sig = append(sig, signalNoPatents)
		why = append(why, taxonomy.Text{ZH: "没有已授权的发明专利", EN: "no granted invention patent"})
	}
	if bad, found := routeMismatch(tax, in); bad {
		sig = append(sig, signalMismatch)
		names := ""
		namesEN := ""
		for i, code := range found {
			if ind, ok := tax.Industry(code); ok {
				if i > 0 {
					names += "、"
					namesEN += ", "
				}
				names += ind.Name.ZH
				namesEN += ind.Name.EN
			}
		}
		route := e.Route
		rzh, ren := route, route
		if r, ok := tax.Route(route); ok {
			rzh, ren = r.Name.ZH, r.Name.EN
		}
		why = append(why, taxonomy.Text{
			ZH: fmt.Sprintf("申报技术路线“%s”与申请材料的描述不符（描述指向：%s）", rzh, names),
			EN: fmt.Sprintf("the declared route \"%s\" does not match the application's own description (which points to: %s)", ren, namesEN)})
	}
	if len(sig) >= 2 {
		flags = append(flags, Flag{Code: FlagPseudoTech,
			Title:   taxonomy.Text{ZH: "疑似“伪科技”", EN: "Possibly pseudo-technology"},
			Reasons: why, Signals: sig})
	}
	if ind.LossYears > 0 {
		var why []taxonomy.Text
		var sig []string
		if e.InventionPatents >= StrongPatents {
			sig = append(sig, "invention_patents")
			why = append(why, taxonomy.Text{
				ZH: fmt.Sprintf("拥有 %d 项发明专利", e.InventionPatents),
				EN: fmt.Sprintf("%d granted invention patents", e.InventionPatents)})
		}
		if ind.RDIntensity != nil && *ind.RDIntensity >= StrongRDIntensity {
			sig = append(sig, "high_rd_intensity")
			pct := fmt.Sprintf("%.1f%%", *ind.RDIntensity*100)
			why = append(why, taxonomy.Text{ZH: "研发投入强度达 " + pct, EN: "R&D intensity of " + pct})
		}
		if len(sig) > 0 {
			sig = append(sig, "losses")
			why = append(why, taxonomy.Text{
				ZH: fmt.Sprintf("近两年中有 %d 年亏损——正是科贷通要支持的“技术强、财务弱”企业，请重点评审技术", ind.LossYears),
				EN: fmt.Sprintf("%d of the last two years were losses — the strong-technology, weak-financials case the programme exists for: review the technology closely", ind.LossYears)})
			flags = append(flags, Flag{Code: FlagStrongTech,
				Title:   taxonomy.Text{ZH: "技术强、财务弱", EN: "Strong technology, weak financials"},
				Reasons: why, Signals: sig})
		}
	}
	return flags
}
