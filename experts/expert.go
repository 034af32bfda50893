package experts

import (
	"encoding/json"
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
	"golang.org/x/text/unicode/norm"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/taxonomy"
)

// Tiers of the public contract.
const (
	TierAcademician = "academician" // academicians and national-level talents
	TierIndustry    = "industry"    // industry technology experts
	TierFinance     = "finance"     // sci-tech finance scholars
)

// Tiers lists the tiers in the contract's order.
var Tiers = []string{TierAcademician, TierIndustry, TierFinance}

// Statuses of an expert.
const (
	StatusActive    = "active"
	StatusSuspended = "suspended"
	StatusRetired   = "retired"
)

// Statuses lists the statuses.
var Statuses = []string{StatusActive, StatusSuspended, StatusRetired}

// Limits on a profile.
const (
	MaxCapacity     = 50 // most open assignments an expert may take at once
	DefaultCapacity = 3
	maxFields       = 12
	maxOrgs         = 20
	maxPeriods      = 50
	maxConflicts    = 50
	maxName         = 64
	maxOrgName      = 100
	maxReason       = 200
	orgMemoryYears  = 3 // organisations left longer ago than this are forgotten
)

// DateLayout is the layout of dates in profiles and filters.
const DateLayout = "2006-01-02"

// Expert is a profile as stored. The JSON is also the API's shape, less
// Email and Phone for callers who may not see contact details (see View).
type Expert struct {
	ID            string     `json:"id"`
	Name          string     `json:"name"`
	Tier          string     `json:"tier"`
	Title         string     `json:"title"`
	Organisations []Org      `json:"organisations"`
	Fields        []string   `json:"fields"`        // routes or industries; the first is the primary one
	PrimaryField  string     `json:"primary_field"` // == Fields[0] when there are fields
	Specialities  []string   `json:"specialities"`  // finance specialities (finance scholars)
	Region        string     `json:"region"`        // GB/T 2260 code
	Capacity      int        `json:"capacity"`      // most open assignments at once
	Unavailable   []Period   `json:"unavailable"`
	Conflicts     []Conflict `json:"conflicts"`
	Email         string     `json:"email,omitempty"`
	Phone         string     `json:"phone,omitempty"`
	Status        string     `json:"status"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	UpdatedBy     string     `json:"updated_by,omitempty"`
}

// Org is an organisation the expert works or worked for: the basis of
// conflict checks. ID is normalised: "org:<credit code>" when the unified
// social credit code is known, else "org:" and the folded name without its
// legal-form suffix. To is empty while current.
type Org struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	CreditCode string `json:"credit_code,omitempty"`
	From       string `json:"from,omitempty"` // YYYY-MM-DD
	To         string `json:"to,omitempty"`   // YYYY-MM-DD; empty while current
}

// Current reports whether the organisation is a current one.
func (o Org) Current() bool { return o.To == "" }

// UnmarshalJSON accepts an organisation as an object or as a bare name
// (optionally "name|credit code").
func (o *Org) UnmarshalJSON(b []byte) error {
	var sname string
	if err := json.Unmarshal(b, &sname); err == nil {
		*o = parseOrgText(sname)
		return nil
	}
	type plain Org
	var p plain
	// Strict as every request body: exact names, no duplicates, no unknown ones.
	if err := jsonv2.Unmarshal(b, &p, jsonv2.RejectUnknownMembers(true)); err != nil {
		return err
	}
	*o = Org(p)
	return nil
}

// Period is a span of days, both ends included, when the expert cannot
// review.
type Period struct {
	From   string `json:"from"` // YYYY-MM-DD
	To     string `json:"to"`   // YYYY-MM-DD, not before From
	Reason string `json:"reason,omitempty"`
}

// Covers reports whether the day (YYYY-MM-DD) falls in the period.
func (p Period) Covers(day string) bool { return p.From <= day && day <= p.To }

// Conflict is an organisation or enterprise the expert must not judge.
type Conflict struct {
	OrgID      string `json:"org_id"`
	Name       string `json:"name"`
	CreditCode string `json:"credit_code,omitempty"`
	Reason     string `json:"reason"`
}

// AvailableOn reports whether the expert is active and not in an
// unavailable period on the day (YYYY-MM-DD). Capacity is not considered:
// it is the assignment optimiser's business.
func (e Expert) AvailableOn(day string) bool {
	if e.Status != StatusActive {
		return false
	}
	for _, p := range e.Unavailable {
		if p.Covers(day) {
			return false
		}
	}
	return true
}

// Affiliations returns the organisation ids the expert is tied to: its
// organisations of the last three years and its declared conflicts, for
// conflict checks against an application's parties (also credit codes as
// "org:<code>" ids).
func (e Expert) Affiliations() []string {
	seen := map[string]bool{}
	var out []string
	add := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	for _, o := range e.Organisations {
		add(o.ID)
		if o.CreditCode != "" {
			add("org:" + o.CreditCode)
		}
		add(OrgID(o.Name, ""))
	}
	for _, c := range e.Conflicts {
		add(c.OrgID)
		if c.CreditCode != "" {
			add("org:" + c.CreditCode)
		}
		add(OrgID(c.Name, ""))
	}
	return out
}

// View is a profile as a caller sees it, with the track record.
type View struct {
	Expert
	Committees []string `json:"committees"`
	Record     *Record  `json:"record,omitempty"`
	Version    int64    `json:"version"`
}

// Input is a new expert (POST, and each import row).
type Input struct {
	ID            string     `json:"id"`
	Name          string     `json:"name"`
	Tier          string     `json:"tier"`
	Title         string     `json:"title"`
	Organisations []Org      `json:"organisations"`
	Fields        []string   `json:"fields"`
	PrimaryField  string     `json:"primary_field"`
	Specialities  []string   `json:"specialities"`
	Region        string     `json:"region"`
	Capacity      *int       `json:"capacity"`
	Unavailable   []Period   `json:"unavailable"`
	Conflicts     []Conflict `json:"conflicts"`
	Email         string     `json:"email"`
	Phone         string     `json:"phone"`
	Status        string     `json:"status"`
}

// Patch changes some attributes of a profile; nil fields stay. Experts may
// send only Unavailable and Conflicts for their own profile.
type Patch struct {
	Name          *string     `json:"name"`
	Tier          *string     `json:"tier"`
	Title         *string     `json:"title"`
	Organisations *[]Org      `json:"organisations"`
	Fields        *[]string   `json:"fields"`
	PrimaryField  *string     `json:"primary_field"`
	Specialities  *[]string   `json:"specialities"`
	Region        *string     `json:"region"`
	Capacity      *int        `json:"capacity"`
	Unavailable   *[]Period   `json:"unavailable"`
	Conflicts     *[]Conflict `json:"conflicts"`
	Email         *string     `json:"email"`
	Phone         *string     `json:"phone"`
	Status        *string     `json:"status"`
	Version       int64       `json:"version"` // when set, the write fails with a conflict unless the profile is still at it
}

// selfOnly reports whether the patch touches only what an expert may change
// on its own profile.
func (p Patch) selfOnly() bool {
	return p.Name == nil && p.Tier == nil && p.Title == nil && p.Organisations == nil && p.Fields == nil &&
		p.PrimaryField == nil && p.Specialities == nil && p.Region == nil && p.Capacity == nil &&
		p.Email == nil && p.Phone == nil && p.Status == nil
}

var (
	idRE     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	phoneRE  = regexp.MustCompile(`^\+?[0-9][0-9 ()-]{5,24}$`)
	regionRE = regexp.MustCompile(`^\d{2}(\d{2}(\d{2})?)?$`)
)

// provinces are the GB/T 2260 province-level codes.
var provinces = map[string]bool{"11": true, "12": true, "13": true, "14": true, "15": true, "21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true, "41": true, "42": true, "43": true,
	"44": true, "45": true, "46": true, "50": true, "51": true, "52": true, "53": true, "54": true, "61": true, "62": true,
	"63": true, "64": true, "65": true, "71": true, "81": true, "82": true}

// ValidRegion reports whether code is a GB/T 2260 code the library accepts:
// any Jiangxi code (36, its eleven cities 3601–3611, their counties), or,
// for experts from outside the province, another province's code.
func ValidRegion(code string) bool {
	if strings.HasPrefix(code, "36") {
		return identity.ValidRegion(code)
	}
	if !regionRE.MatchString(code) || !provinces[code[:2]] {
		return false
	}
	return len(code) < 4 || code[2:4] != "00" || len(code) == 6 && code[4:6] != "00"
}

// ValidTier reports whether t is a tier of the contract.
func ValidTier(t string) bool { return slices.Contains(Tiers, t) }

// tierNames maps the accepted spellings of tiers (English codes, Chinese
// names) to codes.
var tierNames = map[string]string{
	"academician": TierAcademician, "industry": TierIndustry, "finance": TierFinance,
	"院士": TierAcademician, "院士专家": TierAcademician, "院士及国家级人才": TierAcademician, "国家级人才": TierAcademician, "学术": TierAcademician,
	"产业": TierIndustry, "产业专家": TierIndustry, "产业技术专家": TierIndustry, "行业专家": TierIndustry,
	"金融": TierFinance, "金融专家": TierFinance, "科技金融学者": TierFinance, "金融学者": TierFinance,
}

// ParseTier returns the tier code for a code or Chinese tier name.
func ParseTier(s string) (string, bool) {
	t, ok := tierNames[strings.ToLower(strings.TrimSpace(s))]
	return t, ok
}

var statusNames = map[string]string{
	"active": StatusActive, "suspended": StatusSuspended, "retired": StatusRetired,
	"在库": StatusActive, "正常": StatusActive, "启用": StatusActive, "暂停": StatusSuspended, "停用": StatusSuspended, "退出": StatusRetired, "退休": StatusRetired,
}

// ParseStatus returns the status code for a code or Chinese status name.
func ParseStatus(s string) (string, bool) {
	t, ok := statusNames[strings.ToLower(strings.TrimSpace(s))]
	return t, ok
}

// ValidDate reports whether s is a calendar date YYYY-MM-DD.
func ValidDate(s string) bool {
	_, err := time.Parse(DateLayout, s)
	return err == nil
}

// fold normalises text for comparison and search: NFKC (full-width to
// half-width), lower case, no spaces.
func fold(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	for _, r := range s {
		if unicode.IsSpace(r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// cleanText trims and collapses the spaces of a display text (NFC).
func cleanText(s string) string {
	return strings.Join(strings.Fields(norm.NFC.String(s)), " ")
}

var legalSuffixes = []string{"股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "co.,ltd.", "co.,ltd", "co.ltd.", "ltd.", "ltd", "inc.", "inc", "corp.", "corporation"}

// OrgID returns the normalised organisation id: "org:<credit code>" when
// the code is known, else "org:" and the folded name without its legal-form
// suffix and punctuation (so 江西铜业股份有限公司 and 江西铜业 are one).
func OrgID(name, creditCode string) string {
	if creditCode != "" {
		return "org:" + strings.ToUpper(creditCode)
	}
	k := fold(name)
	for _, suf := range legalSuffixes {
		if strings.HasSuffix(k, suf) && len(k) > len(suf) {
			k = strings.TrimSuffix(k, suf)
			break
		}
	}
	k = strings.Map(func(r rune) rune {
		if unicode.IsPunct(r) || unicode.IsSymbol(r) {
			return -1
		}
		return r
	}, k)
	if k == "" {
		return ""
	}
	return "org:" + k
}

// parseOrgText reads "name", "name|credit code" or "name(credit code)" into
// an Org (not yet validated).
func parseOrgText(s string) Org {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "|｜"); i >= 0 {
		_, w := utf8.DecodeRuneInString(s[i:])
		return Org{Name: strings.TrimSpace(s[:i]), CreditCode: strings.TrimSpace(s[i+w:])}
	}
	return Org{Name: s}
}

// creditCodeChars are the characters of a unified social credit code (GB
// 32100-2015), in the order of their values.
const creditCodeChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// ValidCreditCode reports whether s is an 18-character unified social
// credit code with a correct check character.
func ValidCreditCode(s string) bool {
	if len(s) != 18 {
		return false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(creditCodeChars, s[i])
		if v < 0 {
			return false
		}
		sum += v * creditWeights[i]
	}
	check := (31 - sum%31) % 31
	return s[17] == creditCodeChars[check]
}

// CreditCodeCheck returns the check character for the first 17 characters
// of a credit code (demo data and tests).
func CreditCodeCheck(first17 string) byte {
	sum := 0
	for i := 0; i < 17 && i < len(first17); i++ {
		sum += strings.IndexByte(creditCodeChars, first17[i]) * creditWeights[i]
	}
	return creditCodeChars[(31-sum%31)%31]
}

// normalize validates a profile and puts it in canonical form (cleaned
// texts, org ids, primary field first, sorted periods). today (YYYY-MM-DD)
// decides which past organisations are forgotten.
func normalize(e *Expert, tax *taxonomy.Taxonomy, today string) error {
	if !idRE.MatchString(e.ID) {
		return kedaitong.Invalid("id", "use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit (e.g. exp-0001)").ZHf("编号应为 1 到 64 个字母、数字或“.”、“_”、“-”，以字母或数字开头（如 exp-0001）")
	}
	e.Name = cleanText(e.Name)
	if e.Name == "" {
		return kedaitong.Invalid("name", "is required").ZHf("请填写姓名")
	}
	if utf8.RuneCountInString(e.Name) > maxName {
		return kedaitong.Invalid("name", "is longer than %d characters", maxName).ZHf("姓名不能超过 %d 个字符", maxName)
	}
	if !ValidTier(e.Tier) {
		return kedaitong.Invalid("tier", "unknown tier %q; tiers are academician, industry, finance", e.Tier).ZHf("未知层级 %q；层级为 academician（院士）、industry（产业专家）、finance（金融学者）", e.Tier)
	}
	e.Title = cleanText(e.Title)
	if utf8.RuneCountInString(e.Title) > maxName {
		return kedaitong.Invalid("title", "is longer than %d characters", maxName).ZHf("职称不能超过 %d 个字符", maxName)
	}
	if err := normalizeFields(e, tax); err != nil {
		return err
	}
	if e.Region = strings.TrimSpace(e.Region); e.Region != "" && !ValidRegion(e.Region) {
		return kedaitong.Invalid("region", "%q is not a GB/T 2260 region code (e.g. 36 Jiangxi, 3607 Ganzhou, 360702)", e.Region).ZHf("%q 不是 GB/T 2260 行政区划代码（如 36 江西省、3607 赣州市、360702）", e.Region)
	}
	if e.Capacity < 0 || e.Capacity > MaxCapacity {
		return kedaitong.Invalid("capacity", "must be a whole number from 0 to %d, not %d", MaxCapacity, e.Capacity).ZHf("承担能力应为 0 到 %d 的整数，不能是 %d", MaxCapacity, e.Capacity)
	}
	if err := normalizeOrgs(e, today); err != nil {
		return err
	}
	if err := normalizePeriods(e); err != nil {
		return err
	}
	if err := normalizeConflicts(e); err != nil {
		return err
	}
	e.Email = strings.TrimSpace(e.Email)
	if e.Email != "" {
		a, err := mail.ParseAddress(e.Email)
		if err != nil || a.Address != e.Email || len(e.Email) > 254 {
			return kedaitong.Invalid("email", "%q is not an e-mail address", e.Email).ZHf("%q 不是电子邮箱地址", e.Email)
		}
	}
	e.Phone = strings.TrimSpace(e.Phone)
	if e.Phone != "" && !phoneRE.MatchString(e.Phone) {
		return kedaitong.Invalid("phone", "%q is not a telephone number", e.Phone).ZHf("%q 不是电话号码", e.Phone)
	}
	if e.Status == "" {
		e.Status = StatusActive
	}
	if !slices.Contains(Statuses, e.Status) {
		return kedaitong.Invalid("status", "unknown status %q; statuses are active, suspended, retired", e.Status).ZHf("未知状态 %q；状态为 active（在库）、suspended（暂停）、retired（退出）", e.Status)
	}
	return nil
}

func normalizeFields(e *Expert, tax *taxonomy.Taxonomy) error {
	var fields, specs []string
	for _, f := range e.Fields {
		f = strings.TrimSpace(f)
		switch {
		case f == "":
			continue
		case tax.IsField(f):
			if !slices.Contains(fields, f) {
				fields = append(fields, f)
			}
		case tax.IsSpeciality(f) && e.Tier == TierFinance:
			if !slices.Contains(specs, f) {
				specs = append(specs, f)
			}
		case tax.IsSpeciality(f):
			return kedaitong.Invalid("fields", "%q is a finance speciality; only finance scholars declare those", f).ZHf("%q 是金融专长，只有金融学者可以申报", f)
		default:
			return kedaitong.Invalid("fields", "unknown field %q: use an industry or a technical route of GET /api/v1/fields (e.g. semiconductors.ic-design)", f).ZHf("未知领域 %q：请使用 GET /api/v1/fields 中的行业或技术路线（如 semiconductors.ic-design）", f)
		}
	}
	for _, f := range e.Specialities {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !tax.IsSpeciality(f) {
			return kedaitong.Invalid("specialities", "unknown finance speciality %q", f).ZHf("未知的金融专长 %q", f)
		}
		if e.Tier != TierFinance {
			return kedaitong.Invalid("specialities", "only finance scholars declare finance specialities").ZHf("只有金融学者可以申报金融专长")
		}
		if !slices.Contains(specs, f) {
			specs = append(specs, f)
		}
	}
	if p := strings.TrimSpace(e.PrimaryField); p != "" {
		i := slices.Index(fields, p)
		if i < 0 {
			return kedaitong.Invalid("primary_field", "%q is not one of the expert's fields", p).ZHf("%q 不在该评审专家的领域之中", p)
		}
		fields = append([]string{p}, slices.Delete(fields, i, i+1)...)
	}
	if len(fields) == 0 && (e.Tier != TierFinance || len(specs) == 0) {
		if e.Tier == TierFinance {
			return kedaitong.Invalid("fields", "name at least one field or finance speciality").ZHf("请至少填写一个领域或金融专长")
		}
		return kedaitong.Invalid("fields", "name at least one industry or technical route").ZHf("请至少填写一个行业或技术路线")
	}
	if len(fields)+len(specs) > maxFields {
		return kedaitong.Invalid("fields", "at most %d fields", maxFields).ZHf("领域最多 %d 个", maxFields)
	}
	e.Fields, e.Specialities, e.PrimaryField = fields, specs, ""
	if len(fields) > 0 {
		e.PrimaryField = fields[0]
	}
	if e.Fields == nil {
		e.Fields = []string{}
	}
	if e.Specialities == nil {
		e.Specialities = []string{}
	}
	return nil
}

func normalizeOrgs(e *Expert, today string) error {
	cutoff := ""
	if t, err := time.Parse(DateLayout, today); err == nil {
		cutoff = t.AddDate(-orgMemoryYears, 0, 0).Format(DateLayout)
	}
	out := make([]Org, 0, len(e.Organisations))
	seen := map[string]bool{}
	for i, o := range e.Organisations {
		field := fmt.Sprintf("organisations[%d]", i)
		o.Name = cleanText(o.Name)
		o.CreditCode = strings.ToUpper(strings.TrimSpace(o.CreditCode))
		if o.Name == "" {
			return kedaitong.Invalid(field, "an organisation needs a name").ZHf("请填写单位名称")
		}
		if utf8.RuneCountInString(o.Name) > maxOrgName {
			return kedaitong.Invalid(field, "organisation name is longer than %d characters", maxOrgName).ZHf("单位名称不能超过 %d 个字符", maxOrgName)
		}
		if o.CreditCode != "" && !ValidCreditCode(o.CreditCode) {
			return kedaitong.Invalid(field, "%q is not a unified social credit code (18 characters with a valid check character)", o.CreditCode).ZHf("%q 不是统一社会信用代码（应为 18 位且校验位正确）", o.CreditCode)
		}
		for _, d := range []string{o.From, o.To} {
			if d != "" && !ValidDate(d) {
				return kedaitong.Invalid(field, "dates are YYYY-MM-DD, not %q", d).ZHf("日期格式应为 YYYY-MM-DD，而不是 %q", d)
			}
		}
		if o.From != "" && o.To != "" && o.To < o.From {
			return kedaitong.Invalid(field, "the organisation's end %s is before its start %s", o.To, o.From).ZHf("单位任职结束日期 %s 早于开始日期 %s", o.To, o.From)
		}
		if o.To != "" && cutoff != "" && o.To < cutoff {
			continue // left more than three years ago: no longer a tie
		}
		o.ID = OrgID(o.Name, o.CreditCode)
		key := o.ID + "|" + o.To
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, o)
	}
	if len(out) > maxOrgs {
		return kedaitong.Invalid("organisations", "at most %d organisations", maxOrgs).ZHf("单位最多 %d 个", maxOrgs)
	}
	e.Organisations = out
	return nil
}

func normalizePeriods(e *Expert) error {
	if len(e.Unavailable) > maxPeriods {
		return kedaitong.Invalid("unavailable", "at most %d unavailable periods", maxPeriods).ZHf("不可评审时段最多 %d 个", maxPeriods)
	}
	out := make([]Period, 0, len(e.Unavailable))
	for i, p := range e.Unavailable {
		field := fmt.Sprintf("unavailable[%d]", i)
		p.From, p.To, p.Reason = strings.TrimSpace(p.From), strings.TrimSpace(p.To), cleanText(p.Reason)
		if !ValidDate(p.From) {
			return kedaitong.Invalid(field, "from: %q is not a date YYYY-MM-DD", p.From).ZHf("开始日期 %q 不是 YYYY-MM-DD 格式的日期", p.From)
		}
		if !ValidDate(p.To) {
			return kedaitong.Invalid(field, "to: %q is not a date YYYY-MM-DD", p.To).ZHf("结束日期 %q 不是 YYYY-MM-DD 格式的日期", p.To)
		}
		if p.To < p.From {
			return kedaitong.Invalid(field, "the period ends (%s) before it starts (%s)", p.To, p.From).ZHf("时段的结束日期（%s）早于开始日期（%s）", p.To, p.From)
		}
		if utf8.RuneCountInString(p.Reason) > maxReason {
			return kedaitong.Invalid(field, "reason is longer than %d characters", maxReason).ZHf("理由不能超过 %d 个字符", maxReason)
		}
		out = append(out, p)
	}
	slices.SortStableFunc(out, func(a, b Period) int { return strings.Compare(a.From+a.To, b.From+b.To) })
	e.Unavailable = out
	return nil
}

func normalizeConflicts(e *Expert) error {
	if len(e.Conflicts) > maxConflicts {
		return kedaitong.Invalid("conflicts", "at most %d declared conflicts", maxConflicts).ZHf("申报的利益冲突最多 %d 条", maxConflicts)
	}
	out := make([]Conflict, 0, len(e.Conflicts))
	seen := map[string]bool{}
	for i, c := range e.Conflicts {
		field := fmt.Sprintf("conflicts[%d]", i)
		c.Name, c.Reason = cleanText(c.Name), cleanText(c.Reason)
		c.CreditCode = strings.ToUpper(strings.TrimSpace(c.CreditCode))
		if c.Name == "" && c.CreditCode == "" {
			return kedaitong.Invalid(field, "name the organisation or enterprise, or give its credit code").ZHf("请填写单位或企业名称，或其统一社会信用代码")
		}
		if c.CreditCode != "" && !ValidCreditCode(c.CreditCode) {
			return kedaitong.Invalid(field, "%q is not a unified social credit code (18 characters with a valid check character)", c.CreditCode).ZHf("%q 不是统一社会信用代码（应为 18 位且校验位正确）", c.CreditCode)
		}
		if utf8.RuneCountInString(c.Name) > maxOrgName {
			return kedaitong.Invalid(field, "name is longer than %d characters", maxOrgName).ZHf("名称不能超过 %d 个字符", maxOrgName)
		}
		if c.Reason == "" {
			return kedaitong.Invalid(field, "give the reason for the conflict").ZHf("请说明利益冲突的原因")
		}
		if utf8.RuneCountInString(c.Reason) > maxReason {
			return kedaitong.Invalid(field, "reason is longer than %d characters", maxReason).ZHf("理由不能超过 %d 个字符", maxReason)
		}
		c.OrgID = OrgID(c.Name, c.CreditCode)
		if seen[c.OrgID] {
			continue
		}
		seen[c.OrgID] = true
		out = append(out, c)
	}
	e.Conflicts = out
	return nil
}

// fromInput builds a profile from an input (not yet normalised).
func fromInput(in Input) Expert {
	e := Expert{ID: strings.TrimSpace(in.ID), Name: in.Name, Tier: strings.TrimSpace(in.Tier), Title: in.Title,
		Organisations: in.Organisations, Fields: in.Fields, PrimaryField: in.PrimaryField, Specialities: in.Specialities,
		Region: in.Region, Capacity: DefaultCapacity, Unavailable: in.Unavailable, Conflicts: in.Conflicts,
		Email: in.Email, Phone: in.Phone, Status: strings.TrimSpace(in.Status)}
	if in.Capacity != nil {
		e.Capacity = *in.Capacity
	}
	return e
}

// sameProfile reports whether two profiles hold the same attributes
// (ignoring times and who changed them).
func sameProfile(a, b Expert) bool {
	a.CreatedAt, a.UpdatedAt, a.UpdatedBy = time.Time{}, time.Time{}, ""
	b.CreatedAt, b.UpdatedAt, b.UpdatedBy = time.Time{}, time.Time{}, ""
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}
