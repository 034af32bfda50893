package enterprises

import (
	"context"
	"strings"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/review"
)

// CheckCode normalises and validates a unified social credit code (GB
// 32100-2015, with its check character); field names the input.
func CheckCode(field, code string) (string, error) {
	code = review.NormalizeCreditCode(code)
	if err := review.CheckCreditCode(code); err != nil {
		e := &kedaitong.Error{Code: kedaitong.EInvalid, Field: field, Message: messageOf(err)}
		var ke *kedaitong.Error
		if errorsAs(err, &ke) {
			e.ZH = ke.ZH
		}
		return "", e
	}
	return code, nil
}

// Get returns the portrait of the enterprise as actor may see it; one the
// caller may not see is not found.
func (s *Service) Get(ctx context.Context, actor identity.User, code string) (View, error) {
	code, err := CheckCode("credit_code", code)
	if err != nil {
		return View{}, err
	}
	p, exists, err := s.readPortrait(ctx, code)
	if err != nil {
		return View{}, err
	}
	if !exists {
		return View{}, notFound(code)
	}
	if ok, err := s.mayReadPortrait(ctx, actor, p); err != nil || !ok {
		if err != nil {
			return View{}, err
		}
		return View{}, notFound(code)
	}
	visible, endorsed, err := s.scopeEndorsed(ctx, actor, &p)
	if err != nil {
		return View{}, err
	}
	if !visible {
		return View{}, notFound(code)
	}
	v := s.view(p)
	if p.Endorsed && !endorsed {
		hideEndorsed(&v, &p)
	}
	return v, nil
}

func (s *Service) mayReadPortrait(ctx context.Context, actor identity.User, p Portrait) (bool, error) {
	if actor.Role == identity.RoleExpert {
		return s.expertSees(ctx, actor, p.CreditCode)
	}
	return mayRead(actor, p.Region), nil
}

// Portrait returns the view without access checks, for other services.
func (s *Service) Portrait(ctx context.Context, code string) (View, bool, error) {
	p, exists, err := s.readPortrait(ctx, review.NormalizeCreditCode(code))
	if err != nil || !exists {
		return View{}, false, err
	}
	return s.view(p), true, nil
}

// Filter narrows the enterprise list.
type Filter struct {
	Q      string // a name fragment or a credit code
	Region string // a region code the list lies within
	Route  string // an industry or a technical route
	Flag   string // one of Flags
	Limit  int
	Cursor string
}

// Summary is an enterprise in a list.
type Summary struct {
	CreditCode string   `json:"credit_code"`
	Name       string   `json:"name"`
	Region     string   `json:"region"`
	Route      string   `json:"route"`
	Flags      []string `json:"flags"`
	Endorsed   bool     `json:"endorsed"`
}

func summary(p Entry) Summary {
	sm := Summary{CreditCode: p.CreditCode, Name: p.Name, Region: p.Region, Route: p.Route, Endorsed: p.Endorsed, Flags: []string{}}
	for _, f := range []struct {
		on   bool
		name string
	}{{p.Dishonest, FlagDishonest}, {p.KeyProject, FlagKeyProject}, {p.Specialised, FlagSpecialised}, {p.Endorsed, FlagEndorsed}} {
		if f.on {
			sm.Flags = append(sm.Flags, f.name)
		}
	}
	return sm
}

// maxScan bounds the documents one list page reads.
const maxScan = 20_000

// List returns the enterprises the actor may see that match f, by credit code.
func (s *Service) List(ctx context.Context, actor identity.User, f Filter) ([]Summary, string, error) {
	if !ReadsPortraits(actor) {
		return nil, "", kedaitong.Errorf(kedaitong.EForbidden, "you may not read enterprise portraits").ZHf("您无权查看企业画像")
	}
	f.Q, f.Region, f.Route, f.Flag = strings.TrimSpace(f.Q), strings.TrimSpace(f.Region), strings.TrimSpace(f.Route), strings.TrimSpace(f.Flag)
	if f.Limit <= 0 {
		f.Limit = 50
	}
	if f.Limit > 500 {
		return nil, "", kedaitong.Invalid("limit", "at most 500").ZHf("每页最多 500 条")
	}
	if f.Region != "" && !identity.ValidRegion(f.Region) {
		return nil, "", kedaitong.Invalid("region", "%q is not a Jiangxi GB/T 2260 region code", f.Region).ZHf("%q 不是江西省的 GB/T 2260 行政区划代码", f.Region)
	}
	if f.Route != "" && !s.tax.IsField(f.Route) {
		return nil, "", kedaitong.Invalid("route", "%q is not an industry or technical route", f.Route).ZHf("%q 不是行业或技术路线代码", f.Route)
	}
	if f.Flag != "" && !validFlag(f.Flag) {
		return nil, "", kedaitong.Invalid("flag", "use one of %s", strings.Join(Flags, ", ")).ZHf("标记只能是 %s 之一", strings.Join(Flags, "、"))
	}
	if f.Cursor != "" {
		if _, _, err := store.DecodeCursor(f.Cursor); err != nil {
			return nil, "", err
		}
	}
	scope := f.Region
	if isOfficial(actor) {
		switch {
		case scope == "":
			scope = actor.Region
		case !identity.RegionCovers(actor.Region, scope) && !identity.RegionCovers(scope, actor.Region):
			return []Summary{}, "", nil // another region: nothing the caller may see
		case identity.RegionCovers(scope, actor.Region):
			scope = actor.Region
		}
	}
	var allowed map[string]bool
	if actor.Role == identity.RoleExpert {
		allowed = map[string]bool{}
		if s.apps != nil {
			codes, err := s.apps.AssignedCodes(ctx, actor)
			if err != nil {
				return nil, "", err
			}
			for _, c := range codes {
				allowed[c] = true
			}
		}
	}
	q := store.Query{After: f.Cursor}
	switch {
	case len(scope) == 6:
		q.Eq = map[string]any{"region": scope}
	case len(scope) == 4:
		q.Eq = map[string]any{"city": scope}
	case f.Flag == FlagDishonest:
		q.Eq = map[string]any{"dishonest": true}
	case f.Flag == FlagKeyProject || f.Flag == FlagSpecialised:
		q.Eq = map[string]any{"key_list": true}
	case f.Route != "":
		q.Eq = map[string]any{"industry": s.tax.IndustryOf(f.Route)}
	}
	qKey := foldName(f.Q)
	qCode := review.NormalizeCreditCode(f.Q)
	hidden := map[string]bool{} // endorsed entries whose flag the caller may not see: whether the route came from the application
	docs, next, err := store.FindMatching(ctx, s.entries, q, f.Limit, maxScan, func(d store.Doc) (bool, error) {
		var p Entry
		if err := d.Decode(&p); err != nil {
			return false, err
		}
		if p.Endorsed && !isAdmin(actor) && !isOfficial(actor) {
			full, _, err := s.readPortrait(ctx, p.CreditCode)
			if err != nil {
				return false, err
			}
			visible, endorsed, err := s.scopeEndorsed(ctx, actor, &full)
			if err != nil || !visible {
				return false, err
			}
			if !endorsed {
				appRoute := routeFromApplication(&full)
				if f.Flag == FlagEndorsed || appRoute && f.Route != "" {
					return false, nil
				}
				hidden[p.CreditCode] = appRoute
			}
		}
		switch {
		case allowed != nil && !allowed[p.CreditCode]:
			return false, nil
		case scope != "" && !strings.HasPrefix(p.Region, scope):
			return false, nil
		case f.Flag != "" && !hasFlag(p, f.Flag):
			return false, nil
		case f.Route != "" && p.Route != f.Route && p.Industry != f.Route:
			return false, nil
		case f.Q != "" && !strings.Contains(p.NameKey, qKey) && !strings.HasPrefix(p.CreditCode, qCode):
			return false, nil
		}
		return true, nil
	})
	if err != nil {
		return nil, "", err
	}
	out := make([]Summary, 0, len(docs))
	for _, d := range docs {
		var p Entry
		if err := d.Decode(&p); err != nil {
			return nil, "", err
		}
		sm := summary(p)
		if appRoute, ok := hidden[p.CreditCode]; ok {
			hideEndorsedSummary(&sm, appRoute)
		}
		out = append(out, sm)
	}
	return out, next, nil
}

func validFlag(f string) bool {
	for _, x := range Flags {
		if x == f {
			return true
		}
	}
	return false
}

func hasFlag(p Entry, f string) bool {
	switch f {
	case FlagDishonest:
		return p.Dishonest
	case FlagKeyProject:
		return p.KeyProject
	case FlagSpecialised:
		return p.Specialised
	case FlagEndorsed:
		return p.Endorsed
	}
	return false
}

// Dishonest reports whether the enterprise is on a dishonesty list and not
// lifted (for the fund: no loan is registered for it while it is).
func (s *Service) Dishonest(ctx context.Context, creditCode string) (bool, error) {
	var p Entry
	_, err := s.entries.Get(ctx, review.NormalizeCreditCode(creditCode), &p)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		return false, nil
	}
	return p.Dishonest, err
}

// KeyListCount counts the key-list enterprises (provincial key project or
// specialised-and-innovative SME) within a region, for officials' KPIs.
func (s *Service) KeyListCount(ctx context.Context, region string) (int, error) {
	q := store.Query{Eq: map[string]any{"key_list": true}}
	switch len(region) {
	case 4:
		q.Eq["city"] = region
	case 6:
		q.Eq["region"] = region
	}
	n, err := s.entries.Count(ctx, q)
	return int(n), err
}

// KeyListCodes returns the credit codes of the key-list enterprises within
// a region (at most limit), so KPIs can count those reached by loans.
func (s *Service) KeyListCodes(ctx context.Context, region string, limit int) ([]string, error) {
	q := store.Query{Eq: map[string]any{"key_list": true}, Limit: limit}
	switch len(region) {
	case 4:
		q.Eq["city"] = region
	case 6:
		q.Eq["region"] = region
	}
	var out []string
	for {
		page, err := s.entries.Find(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, d := range page.Docs {
			out = append(out, d.ID)
		}
		if page.Next == "" || (limit > 0 && len(out) >= limit) {
			return out, nil
		}
		q.After = page.Next
	}
}

// Draft is an application's enterprise part filled from the portrait, for
// a bank starting an application (the bank may correct it).
func (s *Service) Draft(ctx context.Context, actor identity.User, code string) (review.Enterprise, error) {
	if !isBank(actor) && !isAdmin(actor) {
		return review.Enterprise{}, kedaitong.Errorf(kedaitong.EForbidden, "only banks start applications").ZHf("只有银行可以发起贷款申请")
	}
	v, err := s.Get(ctx, actor, code)
	if err != nil {
		return review.Enterprise{}, err
	}
	e := review.Enterprise{Name: v.Name, CreditCode: v.CreditCode, Region: v.Region, Founded: v.Founded, Route: v.Route,
		RDSpend: v.Indicators.RDSpend, InventionPatents: int64(v.Indicators.InventionPatents), Maturity: v.Maturity}
	if len(v.Indicators.Revenue) > 0 {
		e.Revenue = v.Indicators.Revenue[:min(2, len(v.Indicators.Revenue))]
	}
	var utility int64
	for _, p := range v.Patents {
		if p.Status == "valid" && p.Kind == "utility" {
			utility++
		}
	}
	e.UtilityModels = utility
	return e, nil
}

// Difference is a figure where the bank's application differs from the portrait.
type Difference struct {
	Field       string `json:"field"`
	Application any    `json:"application"`
	Portrait    any    `json:"portrait"`
}

// Differences compares an application's enterprise with the portrait.
func (s *Service) Differences(e review.Enterprise, v View) []Difference {
	out := []Difference{}
	add := func(field string, a, p any) { out = append(out, Difference{Field: field, Application: a, Portrait: p}) }
	if v.Name != "" && e.Name != v.Name {
		add("name", e.Name, v.Name)
	}
	if v.Region != "" && e.Region != v.Region {
		add("region", e.Region, v.Region)
	}
	if v.Founded != "" && e.Founded != v.Founded {
		add("founded", e.Founded, v.Founded)
	}
	if len(v.Indicators.Revenue) > 0 && (len(e.Revenue) == 0 || e.Revenue[0] != v.Indicators.Revenue[0]) {
		var a any
		if len(e.Revenue) > 0 {
			a = e.Revenue[0]
		}
		add("revenue", a, v.Indicators.Revenue[0])
	}
	if len(v.Indicators.Revenue) > 0 && e.RDSpend != v.Indicators.RDSpend {
		add("rd_spend", e.RDSpend, v.Indicators.RDSpend)
	}
	if v.PatentsTotal > 0 && e.InventionPatents != int64(v.Indicators.InventionPatents) {
		add("invention_patents", e.InventionPatents, v.Indicators.InventionPatents)
	}
	if e.Maturity != "" && e.Maturity != v.Maturity {
		add("maturity", e.Maturity, v.Maturity)
	}
	return out
}

// ApplicationPortrait is the portrait beside an application: what experts
// see beside the dossier and banks see on the report.
type ApplicationPortrait struct {
	ApplicationID string        `json:"application_id"`
	Found         bool          `json:"found"` // the data hub knows the enterprise
	Portrait      *View         `json:"portrait"`
	Differences   []Difference  `json:"differences"`
	Dishonest     bool          `json:"dishonest"`
	Endorsements  []Endorsement `json:"endorsements"`
}

// ForApplication returns the portrait of an application's enterprise with
// the differences from the bank's figures, for those who may see the
// application (its bank, officials of its region, admins, assigned experts).
func (s *Service) ForApplication(ctx context.Context, actor identity.User, applicationID string) (ApplicationPortrait, error) {
	if s.apps == nil {
		return ApplicationPortrait{}, kedaitong.Errorf(kedaitong.ENotFound, "no application %q", applicationID).ZHf("没有贷款申请 %q", applicationID)
	}
	a, err := s.apps.Get(ctx, actor, applicationID)
	if err != nil {
		return ApplicationPortrait{}, err
	}
	out := ApplicationPortrait{ApplicationID: a.ID, Differences: []Difference{}, Endorsements: []Endorsement{}}
	v, found, err := s.Portrait(ctx, a.Enterprise.CreditCode)
	if err != nil {
		return out, err
	}
	if found {
		out.Found, out.Portrait = true, &v
		out.Differences = s.Differences(a.Enterprise, v)
		out.Dishonest = v.Flags != nil && hasString(v.Flags, FlagDishonest)
	}
	ends, err := s.endorsementsOf(ctx, a.ID)
	if err != nil {
		return out, err
	}
	out.Endorsements = ends
	return out, nil
}

func hasString(list []string, x string) bool {
	for _, v := range list {
		if v == x {
			return true
		}
	}
	return false
}
