package alerts

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/intel"
	"kedaitong/intel/classify"
	"kedaitong/internal/store"
)

// Rule is a user's subscription. An item matches when it is a risk story
// on one of the rule's fields (industries or routes; none listed: any
// field), in one of its dimensions (none listed: any) and at least as
// severe as asked. A cell spike matches when its industry is one of the
// fields' industries and its dimension one of the dimensions.
type Rule struct {
	ID         string    `json:"id"`
	UserID     string    `json:"user_id"`
	BankID     string    `json:"bank_id,omitempty"`
	Name       string    `json:"name"`
	Industries []string  `json:"industries"`
	Routes     []string  `json:"routes"`
	Dimensions []string  `json:"dimensions"`
	Severity   string    `json:"severity"` // "any" or "high"
	CreatedAt  time.Time `json:"created_at"`
	CreatedMS  int64     `json:"created_ms"`
}

// NewRule is the body of POST /api/v1/alerts/rules.
type NewRule struct {
	Name       string   `json:"name"`
	Industries []string `json:"industries"`
	Routes     []string `json:"routes"`
	Dimensions []string `json:"dimensions"`
	Severity   string   `json:"severity"`
}

// Severities of a rule.
const (
	SeverityAny  = "any"
	SeverityHigh = "high"
)

// highDimensions are the dimensions high-severity cues speak to (export
// control: policy and supply chain; a route overtaken: technology route;
// insolvency or default: capital). A high-only rule on market risk alone
// could never fire.
var highDimensions = []string{"tech-route", "policy", "supply-chain", "capital"}

// maxRules bounds one user's rules.
const maxRules = 50

// validate normalises and checks a new rule.
func (s *Service) validate(in *NewRule) error {
	in.Name = strings.TrimSpace(in.Name)
	if utf8.RuneCountInString(in.Name) > 100 {
		return kedaitong.Invalid("name", "at most 100 characters").ZHf("名称最多 100 个字符")
	}
	clean := func(xs []string) []string {
		out := []string{}
		for _, x := range xs {
			x = strings.TrimSpace(x)
			if x != "" && !slices.Contains(out, x) {
				out = append(out, x)
			}
		}
		return out
	}
	in.Industries, in.Routes, in.Dimensions = clean(in.Industries), clean(in.Routes), clean(in.Dimensions)
	for _, x := range in.Industries {
		if !s.tax.IsIndustry(x) {
			return kedaitong.Invalid("industries", "%q is not an industry code", x).ZHf("%q 不是行业代码", x)
		}
	}
	for _, x := range in.Routes {
		if !s.tax.IsRoute(x) {
			return kedaitong.Invalid("routes", "%q is not a technical route code (industry.route)", x).ZHf("%q 不是技术路线代码（应为 行业.路线）", x)
		}
	}
	for _, x := range in.Dimensions {
		if !slices.Contains(classify.Dimensions, x) {
			return kedaitong.Invalid("dimensions", "%q is not one of %s", x, strings.Join(classify.Dimensions, ", ")).ZHf("%q 不是可选的风险维度，可选：%s", x, strings.Join(classify.Dimensions, ", "))
		}
	}
	switch in.Severity {
	case "", "normal", SeverityAny:
		in.Severity = SeverityAny
	case SeverityHigh:
	default:
		return kedaitong.Invalid("severity", "%q is not any or high", in.Severity).ZHf("严重程度 %q 无效，只能是 any（全部）或 high（高）", in.Severity)
	}
	if len(in.Industries)+len(in.Routes)+len(in.Dimensions) == 0 {
		return kedaitong.Invalid("industries", "the rule matches nothing: name at least one industry, route or dimension").ZHf("这条预警规则不会匹配任何资讯：请至少选择一个行业、技术路线或风险维度")
	}
	if len(in.Industries)+len(in.Routes)+len(in.Dimensions) > 60 {
		return kedaitong.Invalid("industries", "at most 60 codes in one rule").ZHf("一条预警规则最多包含 60 个代码")
	}
	if in.Severity == SeverityHigh && len(in.Dimensions) > 0 {
		ok := false
		for _, d := range in.Dimensions {
			if slices.Contains(highDimensions, d) {
				ok = true
			}
		}
		if !ok {
			return kedaitong.Invalid("severity", "the rule matches nothing: no high-severity story is about %s alone (high severity is export control, a route overtaken, insolvency or default)", strings.Join(in.Dimensions, ", ")).ZHf("这条预警规则不会匹配任何资讯：仅凭 %s 不会产生高严重度资讯（高严重度指出口管制、技术路线被超越、资不抵债或违约）", strings.Join(in.Dimensions, ", "))
		}
	}
	if in.Name == "" {
		in.Name = strings.Join(append(append(append([]string{}, in.Industries...), in.Routes...), in.Dimensions...), ", ")
		if utf8.RuneCountInString(in.Name) > 100 {
			in.Name = string([]rune(in.Name)[:99]) + "…"
		}
	}
	return nil
}

// MaySubscribe: analysts, banks' users, officials and experts keep rules
// (experts are also subscribed to their fields by default).
func MaySubscribe(u identity.User) error {
	switch u.Role {
	case identity.RoleAnalyst, identity.RoleBankOfficer, identity.RoleBankManager, identity.RoleOfficial, identity.RoleExpert:
		return nil
	}
	return kedaitong.Errorf(kedaitong.EForbidden, "alerts are for analysts, banks, officials and experts").ZHf("预警仅面向分析员、银行、政府用户和评审专家")
}

// CreateRule adds a rule of the caller's.
func (s *Service) CreateRule(ctx context.Context, u identity.User, in NewRule) (Rule, error) {
	if err := MaySubscribe(u); err != nil {
		return Rule{}, err
	}
	if err := s.validate(&in); err != nil {
		return Rule{}, err
	}
	n, err := s.rules.Count(ctx, store.Query{Eq: map[string]any{"user_id": u.ID}})
	if err != nil {
		return Rule{}, err
	}
	if n >= maxRules {
		return Rule{}, kedaitong.Errorf(kedaitong.EConflict, "at most %d rules per user; delete one first", maxRules).ZHf("每位用户最多 %d 条预警规则，请先删除一条", maxRules)
	}
	now := s.now().UTC()
	r := Rule{ID: newID("rul"), UserID: u.ID, BankID: u.BankID, Name: in.Name, Industries: in.Industries, Routes: in.Routes,
		Dimensions: in.Dimensions, Severity: in.Severity, CreatedAt: now, CreatedMS: now.UnixMilli()}
	if err := s.rules.Insert(ctx, r.ID, r); err != nil {
		return Rule{}, err
	}
	s.rulesStale()
	s.record(ctx, u, "alert_rule.create", "alert_rule", r.ID, map[string]any{"industries": r.Industries, "routes": r.Routes, "dimensions": r.Dimensions, "severity": r.Severity})
	return r, nil
}

// Rules lists the caller's rules, newest first.
func (s *Service) Rules(ctx context.Context, u identity.User, limit int, cursor string) ([]Rule, string, error) {
	if err := MaySubscribe(u); err != nil {
		return nil, "", err
	}
	p, err := s.rules.Find(ctx, store.Query{Eq: map[string]any{"user_id": u.ID}, Sort: "created_ms", Desc: true, Limit: limit, After: cursor})
	if err != nil {
		return nil, "", err
	}
	out, err := store.DecodeAll[Rule](p.Docs)
	return out, p.Next, err
}

// DeleteRule removes one of the caller's rules; another's is not found.
func (s *Service) DeleteRule(ctx context.Context, u identity.User, id string) error {
	if err := MaySubscribe(u); err != nil {
		return err
	}
	var r Rule
	if _, err := s.rules.Get(ctx, id, &r); err != nil || r.UserID != u.ID {
		if err == nil || kedaitong.Is(err, kedaitong.ENotFound) || kedaitong.Is(err, kedaitong.EInvalid) {
			return kedaitong.Errorf(kedaitong.ENotFound, "no rule %q", id).ZHf("没有预警规则 %q", id)
		}
		return err
	}
	if err := s.rules.Delete(ctx, id); err != nil {
		return err
	}
	s.rulesStale()
	s.record(ctx, u, "alert_rule.delete", "alert_rule", id, nil)
	return nil
}

// matchItem reports whether a risk item matches the rule.
func (r *Rule) matchItem(it *intel.Item) bool {
	if r.Severity == SeverityHigh && it.Severity != classify.SeverityHigh {
		return false
	}
	if len(r.Dimensions) > 0 && !overlaps(r.Dimensions, it.Dimensions) {
		return false
	}
	if len(r.Industries)+len(r.Routes) > 0 && !overlaps(r.Industries, it.Industries) && !overlaps(r.Routes, it.Routes) {
		return false
	}
	return true
}

// matchCell reports whether a spike of the cell matches the rule.
func (r *Rule) matchCell(industry, dimension string, industryOf func(string) string) bool {
	if r.Severity == SeverityHigh {
		return false
	}
	if len(r.Dimensions) > 0 && !slices.Contains(r.Dimensions, dimension) {
		return false
	}
	if len(r.Industries)+len(r.Routes) == 0 || slices.Contains(r.Industries, industry) {
		return true
	}
	for _, rt := range r.Routes {
		if industryOf(rt) == industry {
			return true
		}
	}
	return false
}

func overlaps(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}
