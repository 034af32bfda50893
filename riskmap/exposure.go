package riskmap

import (
	"context"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/intel"
	"kedaitong/intel/classify"
	"kedaitong/internal/store"
	"kedaitong/review"
)

// Ref is one application of the book: an enterprise a bank is exposed to.
type Ref struct {
	ApplicationID string `json:"application_id"`
	BankID        string `json:"bank_id"`
	Region        string `json:"region"` // the enterprise's county
	CreditCode    string `json:"credit_code"`
	Name          string `json:"name"`
	Route         string `json:"route"`
	Industry      string `json:"industry"`
	State         string `json:"state"`
	Granted       bool   `json:"granted"` // a supported loan
	Amount        int64  `json:"amount"`  // yuan granted, else applied for
	decided       bool
}

// Open reports whether the application is still open (draft, submitted, in
// review, or closed awaiting the bank's decision).
func (r Ref) Open() bool {
	switch r.State {
	case review.StateDraft, review.StateSubmitted, review.StateInReview:
		return true
	}
	return false
}

// Exposed reports whether the bank is exposed: an open application or a loan.
func (r Ref) Exposed() bool {
	return r.Open() || r.Granted || r.State == review.StateClosed && !r.Decided()
}

// Decided is set on closed applications with a recorded decision.
func (r Ref) Decided() bool { return r.decided }

// Book is every bank's exposure, read from the applications: by
// enterprise, by route and by industry. It is rebuilt as a whole (Refresh)
// and read lock-free.
type Book struct {
	Refs         []Ref
	ByEnterprise map[string][]Ref // credit code → the applications on it (exposed ones)
	ByRoute      map[string][]string
	ByIndustry   map[string][]string
	At           time.Time
	// holders: credit code → the applications on it, whatever their state
	// (who may learn that news names it: see Visible).
	holders map[string][]Ref
}

// Visible reports whether u may learn that the enterprise (credit code)
// is in the banks' books: an administrator always, a bank's users when
// their own bank has an application on it, an official when one of its
// applications lies in a region the official's covers; nobody else
// (analysts see no bank data).
func (b *Book) Visible(u identity.User, code string) bool {
	if u.Role == identity.RoleAdmin {
		return true
	}
	if u.Role == identity.RoleAnalyst {
		return false
	}
	for _, r := range b.holders[code] {
		if identity.MaySee(u, r.BankID, r.Region) {
			return true
		}
	}
	return false
}

// EnterpriseName is the name of an enterprise of the book ("" when it is
// not in it). Callers show it only where the enterprise is visible.
func (b *Book) EnterpriseName(code string) string {
	for _, r := range b.holders[code] {
		if r.Name != "" {
			return r.Name
		}
	}
	return ""
}

// BankHolds reports whether the bank has an application on the enterprise.
func (b *Book) BankHolds(bank, code string) bool {
	for _, r := range b.holders[code] {
		if bank != "" && r.BankID == bank {
			return true
		}
	}
	return false
}

// VisibleEnterprises is intel's EnterpriseScope over the current book: the
// enterprise links of news items a user may see.
func (s *Service) VisibleEnterprises(ctx context.Context, u identity.User) (func(string) bool, error) {
	b, err := s.Book(ctx)
	if err != nil {
		return nil, err
	}
	return func(code string) bool { return b.Visible(u, code) }, nil
}

func (r *Ref) setDecided(d bool) { r.decided = d }

// BanksOnRoute are the banks exposed on the route.
func (b *Book) BanksOnRoute(route string) []string { return b.ByRoute[route] }

// book holds the current Book.
type book struct {
	mu  sync.RWMutex
	cur *Book
}

// Book returns the current exposure book (building it on first use).
func (s *Service) Book(ctx context.Context) (*Book, error) {
	s.bk.mu.RLock()
	b := s.bk.cur
	s.bk.mu.RUnlock()
	if b != nil {
		return b, nil
	}
	return s.RefreshBook(ctx)
}

// RefreshBook re-reads the applications into the book and tells the
// crawler the enterprises to link new items to (by name and short names).
// The part runs it at start and every half minute.
func (s *Service) RefreshBook(ctx context.Context) (*Book, error) {
	b := &Book{ByEnterprise: map[string][]Ref{}, ByRoute: map[string][]string{}, ByIndustry: map[string][]string{}, At: s.now(), holders: map[string][]Ref{}}
	ents := map[string]classify.Enterprise{}
	q := store.Query{Sort: "created_ms", Limit: 500}
	for {
		p, err := s.apps.Find(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, doc := range p.Docs {
			var a review.Application
			if err := doc.Decode(&a); err != nil {
				return nil, err
			}
			r := Ref{ApplicationID: a.ID, BankID: a.BankID, Region: a.Enterprise.Region, CreditCode: a.CreditCode, Name: a.Enterprise.Name,
				Route: a.Route, Industry: a.Industry, State: a.State, Amount: a.Loan.Amount}
			if a.Decision != nil {
				r.setDecided(true)
				r.Granted = a.Decision.Granted
				if r.Granted && a.Decision.Amount > 0 {
					r.Amount = a.Decision.Amount
				}
			}
			if r.Industry == "" {
				r.Industry = s.tax.IndustryOf(r.Route)
			}
			b.Refs = append(b.Refs, r)
			if r.CreditCode != "" {
				b.holders[r.CreditCode] = append(b.holders[r.CreditCode], r)
			}
			if !r.Exposed() || r.CreditCode == "" {
				continue
			}
			b.ByEnterprise[r.CreditCode] = append(b.ByEnterprise[r.CreditCode], r)
			if !slices.Contains(b.ByRoute[r.Route], r.BankID) {
				b.ByRoute[r.Route] = append(b.ByRoute[r.Route], r.BankID)
			}
			if !slices.Contains(b.ByIndustry[r.Industry], r.BankID) {
				b.ByIndustry[r.Industry] = append(b.ByIndustry[r.Industry], r.BankID)
			}
			if _, ok := ents[r.CreditCode]; !ok {
				ents[r.CreditCode] = classify.Enterprise{ID: r.CreditCode, Name: r.Name, ShortNames: ShortNames(r.Name)}
			}
		}
		if p.Next == "" {
			break
		}
		q.After = p.Next
	}
	if s.intel != nil {
		list := make([]classify.Enterprise, 0, len(ents))
		for _, e := range ents {
			list = append(list, e)
		}
		sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
		s.intel.SetEnterprises(list)
	}
	s.bk.mu.Lock()
	s.bk.cur = b
	s.bk.mu.Unlock()
	return b, nil
}

// Region prefixes and legal suffixes stripped to derive short names.
var (
	regionPrefixes = []string{"江西省", "江西", "南昌市", "南昌", "赣州市", "赣州", "九江市", "九江", "宜春市", "宜春", "上饶市", "上饶",
		"吉安市", "吉安", "新余市", "新余", "萍乡市", "萍乡", "景德镇市", "景德镇", "鹰潭市", "鹰潭", "抚州市", "抚州", "赣江新区"}
	legalSuffixes = []string{"股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "集团", "公司",
		" Co., Ltd.", " Co.,Ltd.", " Co. Ltd.", " Ltd.", " Ltd", " Inc.", " Inc", " Corporation", " Corp."}
	tradeWords = []string{"科技", "技术", "股份", "实业", "新材料", "新能源", "电子", "微电子", "半导体", "生物", "医药", "智能", "装备", "材料", "信息", "光电", "能源"}
)

// ShortNames derives the names news uses for an enterprise from its full
// name: without the legal form (有限公司 …), without the region
// (赣州 …), and the trade name without its industry word
// (赣州芯研微电子有限公司 → 赣州芯研微电子, 芯研微电子, 芯研). A
// short name of fewer than two Chinese characters (three Latin letters) is
// dropped: it would match unrelated news.
func ShortNames(name string) []string {
	name = strings.TrimSpace(name)
	var out []string
	add := func(s string) {
		s = strings.TrimSpace(s)
		if s != "" && s != name && !slices.Contains(out, s) && usable(s) {
			out = append(out, s)
		}
	}
	base := name
	for _, suf := range legalSuffixes {
		if strings.HasSuffix(base, suf) {
			base = strings.TrimSuffix(base, suf)
			break
		}
	}
	add(base)
	core := base
	for _, p := range regionPrefixes {
		if strings.HasPrefix(core, p) {
			core = strings.TrimPrefix(core, p)
			break
		}
	}
	add(core)
	trade := core
	for changed := true; changed; {
		changed = false
		for _, w := range tradeWords {
			if strings.HasSuffix(trade, w) && utf8.RuneCountInString(trade) > utf8.RuneCountInString(w)+1 {
				trade = strings.TrimSuffix(trade, w)
				changed = true
			}
		}
	}
	if utf8.RuneCountInString(trade) >= 2 && trade != core {
		add(trade)
	}
	return out
}

func usable(s string) bool {
	han, latin := 0, 0
	for _, r := range s {
		switch {
		case r >= 0x4E00 && r <= 0x9FFF:
			han++
		case r < 0x80 && (r|0x20 >= 'a' && r|0x20 <= 'z'):
			latin++
		}
	}
	return han >= 2 || latin >= 3
}

// Exposure is a bank's view beside the map.
type Exposure struct {
	BankID      string           `json:"bank_id"`
	From        string           `json:"from"`
	To          string           `json:"to"`
	Industries  []ExposureGroup  `json:"industries"`  // supported loans by industry
	Routes      []ExposureGroup  `json:"routes"`      // supported loans by route
	Enterprises []EnterpriseRisk `json:"enterprises"` // ranked, riskiest first
}

// ExposureGroup sums supported loans (decision granted).
type ExposureGroup struct {
	Code   string  `json:"code"`
	Loans  int     `json:"loans"`
	Amount int64   `json:"amount"` // yuan
	Score  float64 `json:"score"`  // the highest risk score among the industry's cells
	Open   int     `json:"open"`   // open applications
}

// EnterpriseRisk ranks an enterprise of the bank.
type EnterpriseRisk struct {
	CreditCode    string       `json:"credit_code"`
	Name          string       `json:"name"`
	Route         string       `json:"route"`
	Industry      string       `json:"industry"`
	ApplicationID string       `json:"application_id"`
	State         string       `json:"state"`
	Granted       bool         `json:"granted"`
	Amount        int64        `json:"amount"`
	RouteScore    float64      `json:"route_score"` // the highest score among the route's industry cells
	RouteLevel    string       `json:"route_level"`
	RiskNews      int          `json:"risk_news"` // risk stories in the range that name it
	News          []intel.Item `json:"news"`      // the latest stories naming it (at most 5)
	Rank          float64      `json:"rank"`      // 2 × risk_news + max(route_score, 0)
}

// MayReadExposure: a bank's users read their own bank's exposure; nobody
// else reads any bank's.
func MayReadExposure(u identity.User) error {
	if (u.Role == identity.RoleBankManager || u.Role == identity.RoleBankOfficer) && u.BankID != "" {
		return nil
	}
	return kedaitong.Errorf(kedaitong.EForbidden, "a bank's exposure is shown only to its own officers and managers").ZHf("银行的风险敞口只向本行的信贷员和管理人员展示")
}

// Exposure returns the caller's bank's supported loans by industry and
// route, and its enterprises ranked by the risk of their routes and by the
// risk news that names them.
func (s *Service) Exposure(ctx context.Context, u identity.User, r Range) (*Exposure, error) {
	if err := MayReadExposure(u); err != nil {
		return nil, err
	}
	b, err := s.RefreshBook(ctx)
	if err != nil {
		return nil, err
	}
	m, err := s.compute(ctx, r, nil)
	if err != nil {
		return nil, err
	}
	indScore, indLow := IndustryScores(m)
	ex := &Exposure{BankID: u.BankID, From: r.From.String(), To: r.To.String(), Industries: []ExposureGroup{}, Routes: []ExposureGroup{}, Enterprises: []EnterpriseRisk{}}
	inds, routes := map[string]*ExposureGroup{}, map[string]*ExposureGroup{}
	group := func(m map[string]*ExposureGroup, code string) *ExposureGroup {
		g := m[code]
		if g == nil {
			g = &ExposureGroup{Code: code, Score: indScore[s.tax.IndustryOf(code)]}
			m[code] = g
		}
		return g
	}
	since, until := r.From.Time(), r.To.Add(1).Time()
	seen := map[string]bool{}
	for _, ref := range b.Refs {
		if ref.BankID != u.BankID {
			continue
		}
		if ref.Granted {
			for _, g := range []*ExposureGroup{group(inds, ref.Industry), group(routes, ref.Route)} {
				g.Loans++
				g.Amount += ref.Amount
			}
		} else if ref.Exposed() {
			group(inds, ref.Industry).Open++
			group(routes, ref.Route).Open++
		}
		if !ref.Exposed() || seen[ref.CreditCode] {
			continue
		}
		seen[ref.CreditCode] = true
		er := EnterpriseRisk{CreditCode: ref.CreditCode, Name: ref.Name, Route: ref.Route, Industry: ref.Industry,
			ApplicationID: ref.ApplicationID, State: ref.State, Granted: ref.Granted, Amount: ref.Amount,
			RouteScore: indScore[ref.Industry], RouteLevel: LevelOf(indScore[ref.Industry], indLow[ref.Industry]), News: []intel.Item{}}
		if s.intel != nil && ref.CreditCode != "" {
			items, _, err := s.intel.Items(ctx, u, intel.ItemFilter{Enterprise: ref.CreditCode, Since: &since, Until: &until, Limit: 50})
			if err != nil {
				return nil, err
			}
			for _, it := range items {
				if it.Polarity == classify.Risk {
					er.RiskNews++
				}
				if len(er.News) < 5 {
					it.SafeHTML = ""
					er.News = append(er.News, it)
				}
			}
		}
		er.Rank = round2(2*float64(er.RiskNews) + max(er.RouteScore, 0))
		ex.Enterprises = append(ex.Enterprises, er)
	}
	for _, g := range inds {
		ex.Industries = append(ex.Industries, *g)
	}
	for _, g := range routes {
		ex.Routes = append(ex.Routes, *g)
	}
	byAmount := func(gs []ExposureGroup) {
		sort.Slice(gs, func(i, j int) bool {
			if gs[i].Amount != gs[j].Amount {
				return gs[i].Amount > gs[j].Amount
			}
			return gs[i].Code < gs[j].Code
		})
	}
	byAmount(ex.Industries)
	byAmount(ex.Routes)
	sort.SliceStable(ex.Enterprises, func(i, j int) bool {
		a, c := ex.Enterprises[i], ex.Enterprises[j]
		if a.Rank != c.Rank {
			return a.Rank > c.Rank
		}
		return a.Name < c.Name
	})
	return ex, nil
}

// IndustryScores are each industry's highest score among its confident
// cells (0 and low confidence when it has none).
func IndustryScores(m *Map) (map[string]float64, map[string]bool) {
	score, low := map[string]float64{}, map[string]bool{}
	for _, ind := range m.Industries {
		low[ind] = true
	}
	for _, c := range m.Cells {
		if c.LowConfidence {
			continue
		}
		if low[c.Industry] || c.Score > score[c.Industry] {
			score[c.Industry] = c.Score
		}
		low[c.Industry] = false
	}
	return score, low
}
