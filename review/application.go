// Package review is the domain of loan applications that banks send to the
// think tank for technical review: the enterprise and the loan, derived
// indicators and pre-screen flags, the technical dossier's attachments, the
// application's states, the bank's lending decision, and the officials'
// whitelist of enterprises. Scoring, panels and reports build on it.
package review

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/taxonomy"
)

// States of an application.
const (
	StateDraft     = "draft"
	StateSubmitted = "submitted"
	StateInReview  = "in_review"
	StateClosed    = "closed"
	StateWithdrawn = "withdrawn"
)

// States lists every state in the order of the flow.
var States = []string{StateDraft, StateSubmitted, StateInReview, StateClosed, StateWithdrawn}

// ValidState reports whether s is a state.
func ValidState(s string) bool {
	for _, x := range States {
		if x == s {
			return true
		}
	}
	return false
}

// Maturity stages an enterprise declares (and experts judge).
const (
	MaturityLab        = "lab"
	MaturityPilot      = "pilot"
	MaturityIndustrial = "industrial"
)

// Maturities lists the maturity stages.
var Maturities = []string{MaturityLab, MaturityPilot, MaturityIndustrial}

// DateLayout is the layout of dates in applications (founding, decisions).
const DateLayout = "2006-01-02"

// Limits of an application's inputs.
const (
	MaxNameLen     = 200   // characters of an enterprise name
	MaxTextLen     = 2000  // characters of purpose, other IP and a team member's note
	MaxSummaryLen  = 20000 // characters of the technical summary
	MaxTeam        = 20    // notable people listed
	MaxTermMonths  = 120   // the longest loan term
	MaxMoney       = int64(1e13)
	MaxCount       = int64(10_000_000) // staff and patent counts
	SeriesYears    = 2                 // revenue and net profit: the last two years, newest first
	MaxReasonLen   = 1000              // characters of a whitelist reason
	earliestFounds = "1900-01-01"
)

// Person is one of the team's notable people.
type Person struct {
	Name  string `json:"name"`
	Title string `json:"title,omitempty"` // role in the enterprise, e.g. CTO
	Note  string `json:"note,omitempty"`  // background: degrees, former employers, awards
}

// UnmarshalJSON accepts a person as an object or as a plain name.
func (p *Person) UnmarshalJSON(b []byte) error {
	var name string
	if err := json.Unmarshal(b, &name); err == nil {
		*p = Person{Name: name}
		return nil
	}
	type plain Person
	var q plain
	// Strict as every request body: exact names, no duplicates, no unknown ones.
	if err := jsonv2.Unmarshal(b, &q, jsonv2.RejectUnknownMembers(true)); err != nil {
		return err
	}
	*p = Person(q)
	return nil
}

// Notes is free text that may also be sent as a list of lines.
type Notes string

// UnmarshalJSON accepts a string or a list of strings (joined by "; ").
func (n *Notes) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*n = Notes(s)
		return nil
	}
	var list []string
	if err := json.Unmarshal(b, &list); err != nil {
		return err
	}
	*n = Notes(strings.Join(list, "; "))
	return nil
}

// Enterprise is the applicant. Money is in yuan; series are the last two
// years, newest first.
type Enterprise struct {
	Name               string   `json:"name"`
	CreditCode         string   `json:"credit_code"` // unified social credit code (GB 32100-2015)
	Region             string   `json:"region"`      // six-digit Jiangxi county code
	Founded            string   `json:"founded"`     // YYYY-MM-DD
	Route              string   `json:"route"`       // taxonomy route, industry.route
	Staff              int64    `json:"staff"`
	RDStaff            int64    `json:"rd_staff"`
	Revenue            []int64  `json:"revenue"`
	NetProfit          []int64  `json:"net_profit"`
	RDSpend            int64    `json:"rd_spend"`
	InventionPatents   int64    `json:"invention_patents"`
	PendingPatents     int64    `json:"pending_patents"`
	UtilityModels      int64    `json:"utility_models"`
	SoftwareCopyrights int64    `json:"software_copyrights"`
	OtherIP            Notes    `json:"other_ip"` // text, or a list of items
	TechContractIncome int64    `json:"tech_contract_income"`
	Team               []Person `json:"team"`
	Maturity           string   `json:"maturity"` // lab, pilot, industrial
}

// Loan is what the bank is asked for.
type Loan struct {
	Amount     int64  `json:"amount"` // yuan
	TermMonths int    `json:"term_months"`
	Purpose    string `json:"purpose"`
}

// Input is what a bank writes: the body of POST /api/v1/applications.
type Input struct {
	Enterprise Enterprise `json:"enterprise"`
	Loan       Loan       `json:"loan"`
	Summary    string     `json:"summary"` // the technical summary
}

var codeRE = regexp.MustCompile(`^[0-9A-HJ-NP-RTUWXY]{18}$`)

// creditAlphabet is GB 32100-2015's 31 characters; a character's value is its index.
const creditAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var creditWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// CreditCheckDigit returns the check character for the first 17 characters
// of a unified social credit code, or an error naming the first character
// outside the alphabet.
func CreditCheckDigit(first17 string) (byte, error) {
	if len(first17) != 17 {
		return 0, fmt.Errorf("want 17 characters, got %d", len(first17))
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(creditAlphabet, first17[i])
		if v < 0 {
			return 0, fmt.Errorf("character %d (%q) is not allowed", i+1, first17[i])
		}
		sum += v * creditWeights[i]
	}
	c := 31 - sum%31
	if c == 31 {
		c = 0
	}
	return creditAlphabet[c], nil
}

// NormalizeCreditCode trims and upper-cases a code.
func NormalizeCreditCode(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// CheckCreditCode verifies a (normalised) unified social credit code: 18
// characters of the GB 32100-2015 alphabet (no I, O, S, V, Z) with the right
// check character.
func CheckCreditCode(code string) error {
	const field = "enterprise.credit_code"
	if n := utf8.RuneCountInString(code); n != 18 {
		return kedaitong.Invalid(field, "a unified social credit code has 18 characters, not %d", n).ZHf("统一社会信用代码应为 18 位，而不是 %d 位", n)
	}
	if !codeRE.MatchString(code) {
		return kedaitong.Invalid(field, "a unified social credit code uses only digits and the letters A–Y without I, O, S, V and Z").ZHf("统一社会信用代码只能由数字和字母 A–Y 组成（不含 I、O、S、V、Z）")
	}
	want, err := CreditCheckDigit(code[:17])
	if err != nil {
		return kedaitong.Invalid(field, "%v", err).ZHf("统一社会信用代码有误：%v", err)
	}
	if code[17] != want {
		return kedaitong.Invalid(field, "the check character is wrong (GB 32100-2015): the code is mistyped").ZHf("统一社会信用代码的校验位不正确（GB 32100-2015）：代码可能输错了")
	}
	return nil
}

// fieldZH is the Chinese name of a numeric field of Input, for messages.
func fieldZH(field string) string {
	name, idx, _ := strings.Cut(strings.TrimPrefix(field, "enterprise."), "[")
	label, ok := map[string]string{
		"staff":                "员工人数",
		"rd_staff":             "研发人员数",
		"revenue":              "营业收入",
		"net_profit":           "净利润",
		"rd_spend":             "研发投入",
		"invention_patents":    "发明专利数",
		"pending_patents":      "在审专利数",
		"utility_models":       "实用新型专利数",
		"software_copyrights":  "软件著作权数",
		"tech_contract_income": "技术合同收入",
	}[name]
	if !ok {
		return field
	}
	if i, err := strconv.Atoi(strings.TrimSuffix(idx, "]")); err == nil {
		return fmt.Sprintf("%s（第 %d 年）", label, i+1)
	}
	return label
}

// Normalize trims the input's text fields and upper-cases the credit code.
func (in *Input) Normalize() {
	e := &in.Enterprise
	e.Name = strings.TrimSpace(e.Name)
	e.CreditCode = NormalizeCreditCode(e.CreditCode)
	e.Region = strings.TrimSpace(e.Region)
	e.Founded = strings.TrimSpace(e.Founded)
	e.Route = strings.TrimSpace(e.Route)
	e.Maturity = strings.TrimSpace(e.Maturity)
	e.OtherIP = Notes(strings.TrimSpace(string(e.OtherIP)))
	team := e.Team[:0:0]
	for _, p := range e.Team {
		p.Name, p.Title, p.Note = strings.TrimSpace(p.Name), strings.TrimSpace(p.Title), strings.TrimSpace(p.Note)
		if p.Name != "" || p.Title != "" || p.Note != "" {
			team = append(team, p)
		}
	}
	e.Team = team
	in.Loan.Purpose = strings.TrimSpace(in.Loan.Purpose)
	in.Summary = strings.TrimSpace(in.Summary)
}

// Check returns every problem of a normalised input, in the order of the
// form, as invalid-input errors naming their fields; none means valid.
// today is the caller's date (YYYY-MM-DD), for the founding date.
func (in *Input) Check(tax *taxonomy.Taxonomy, today string) []*kedaitong.Error {
	var errs []*kedaitong.Error
	// add records a problem with its English and Chinese message; both
	// formats take the same arguments.
	add := func(field, format, zh string, args ...any) {
		errs = append(errs, kedaitong.Invalid(field, format, args...).ZHf(zh, args...))
	}
	e := &in.Enterprise
	switch n := utf8.RuneCountInString(e.Name); {
	case n == 0:
		add("enterprise.name", "the enterprise's name is required", "请填写企业名称")
	case n > MaxNameLen:
		add("enterprise.name", "at most %d characters", "企业名称最多 %d 个字符", MaxNameLen)
	}
	if err := CheckCreditCode(e.CreditCode); err != nil {
		var ke *kedaitong.Error = err.(*kedaitong.Error)
		errs = append(errs, ke)
	}
	if len(e.Region) != 6 || !identity.ValidRegion(e.Region) {
		add("enterprise.region", "a six-digit Jiangxi county code (GB/T 2260), e.g. 360702", "请填写江西省 6 位区县代码（GB/T 2260），如 360702")
	}
	if f, err := time.Parse(DateLayout, e.Founded); err != nil || f.Format(DateLayout) != e.Founded {
		add("enterprise.founded", "a date as YYYY-MM-DD is required", "请按 YYYY-MM-DD 格式填写成立日期")
	} else if e.Founded > today {
		add("enterprise.founded", "the founding date %s is in the future", "成立日期 %s 晚于今天", e.Founded)
	} else if e.Founded < earliestFounds {
		add("enterprise.founded", "the founding date %s is implausibly early", "成立日期 %s 早得不合常理", e.Founded)
	}
	switch {
	case e.Route == "":
		add("enterprise.route", "the technical route is required (industry.route, see /api/v1/fields)", "请选择技术路线（行业.路线，见 /api/v1/fields）")
	case !tax.IsRoute(e.Route):
		add("enterprise.route", "%q is not a technical route of the taxonomy (see /api/v1/fields)", "%q 不是分类体系中的技术路线（见 /api/v1/fields）", e.Route)
	}
	count := func(field string, v int64) {
		if v < 0 {
			errs = append(errs, kedaitong.Invalid(field, "must not be negative").ZHf("%s不能为负数", fieldZH(field)))
		} else if v > MaxCount {
			errs = append(errs, kedaitong.Invalid(field, "is implausibly large").ZHf("%s大得不合常理", fieldZH(field)))
		}
	}
	money := func(field string, v int64, signed bool) {
		if v < 0 && !signed {
			errs = append(errs, kedaitong.Invalid(field, "must not be negative").ZHf("%s不能为负数", fieldZH(field)))
		} else if v > MaxMoney || v < -MaxMoney {
			errs = append(errs, kedaitong.Invalid(field, "is implausibly large (amounts are in yuan)").ZHf("%s大得不合常理（金额以元为单位）", fieldZH(field)))
		}
	}
	count("enterprise.staff", e.Staff)
	if e.Staff == 0 {
		add("enterprise.staff", "an enterprise has at least one employee", "企业至少有一名员工")
	}
	count("enterprise.rd_staff", e.RDStaff)
	if e.RDStaff > e.Staff && e.Staff >= 0 {
		add("enterprise.rd_staff", "R&D staff (%d) cannot exceed staff (%d)", "研发人员数（%d）不能多于员工人数（%d）", e.RDStaff, e.Staff)
	}
	if len(e.Revenue) != SeriesYears {
		add("enterprise.revenue", "give the revenue of the last %d years, newest first", "请填写近 %d 年的营业收入，最近一年在前", SeriesYears)
	}
	for i, v := range e.Revenue {
		money(fmt.Sprintf("enterprise.revenue[%d]", i), v, false)
	}
	if len(e.NetProfit) != SeriesYears {
		add("enterprise.net_profit", "give the net profit of the last %d years, newest first (losses negative)", "请填写近 %d 年的净利润，最近一年在前（亏损填负数）", SeriesYears)
	}
	for i, v := range e.NetProfit {
		money(fmt.Sprintf("enterprise.net_profit[%d]", i), v, true)
	}
	money("enterprise.rd_spend", e.RDSpend, false)
	count("enterprise.invention_patents", e.InventionPatents)
	count("enterprise.pending_patents", e.PendingPatents)
	count("enterprise.utility_models", e.UtilityModels)
	count("enterprise.software_copyrights", e.SoftwareCopyrights)
	if utf8.RuneCountInString(string(e.OtherIP)) > MaxTextLen {
		add("enterprise.other_ip", "at most %d characters", "其他知识产权说明最多 %d 个字符", MaxTextLen)
	}
	money("enterprise.tech_contract_income", e.TechContractIncome, false)
	if len(e.Team) > MaxTeam {
		add("enterprise.team", "list at most %d notable people", "核心团队最多列出 %d 人", MaxTeam)
	}
	for i, p := range e.Team {
		f := fmt.Sprintf("enterprise.team[%d]", i)
		if p.Name == "" {
			add(f+".name", "each person needs a name", "每位团队成员都需要填写姓名")
		}
		if utf8.RuneCountInString(p.Name) > MaxNameLen || utf8.RuneCountInString(p.Title) > MaxNameLen || utf8.RuneCountInString(p.Note) > MaxTextLen {
			add(f, "too long", "团队成员的姓名、职务或说明过长")
		}
	}
	switch e.Maturity {
	case MaturityLab, MaturityPilot, MaturityIndustrial:
	case "":
		add("enterprise.maturity", "the declared maturity stage is required: lab, pilot or industrial", "请选择技术成熟度：实验室、中试或产业化")
	default:
		add("enterprise.maturity", "%q is not a maturity stage: lab, pilot or industrial", "%q 不是技术成熟度：应为实验室（lab）、中试（pilot）或产业化（industrial）", e.Maturity)
	}
	switch {
	case in.Loan.Amount <= 0:
		add("loan.amount", "the loan amount must be a positive number of yuan", "贷款金额必须是大于零的元数")
	case in.Loan.Amount > MaxMoney:
		add("loan.amount", "is implausibly large (amounts are in yuan)", "贷款金额大得不合常理（金额以元为单位）")
	}
	if in.Loan.TermMonths < 1 || in.Loan.TermMonths > MaxTermMonths {
		add("loan.term_months", "the term is 1 to %d months", "贷款期限为 1 到 %d 个月", MaxTermMonths)
	}
	switch n := utf8.RuneCountInString(in.Loan.Purpose); {
	case n == 0:
		add("loan.purpose", "the loan's purpose is required", "请填写贷款用途")
	case n > MaxTextLen:
		add("loan.purpose", "at most %d characters", "贷款用途最多 %d 个字符", MaxTextLen)
	}
	switch n := utf8.RuneCountInString(in.Summary); {
	case n == 0:
		add("summary", "the technical summary is required", "请填写技术摘要")
	case n > MaxSummaryLen:
		add("summary", "at most %d characters", "技术摘要最多 %d 个字符", MaxSummaryLen)
	}
	return errs
}

// Validate normalises the input and returns its first problem, or nil.
func (in *Input) Validate(tax *taxonomy.Taxonomy, today string) error {
	in.Normalize()
	if errs := in.Check(tax, today); len(errs) > 0 {
		return errs[0]
	}
	return nil
}
