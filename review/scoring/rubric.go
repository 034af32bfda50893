package scoring

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/taxonomy"
)

// Scale of every criterion: integers Min to Max, with anchored
// descriptions of what 2, 5 and 8 mean.
const (
	Min = 1
	Max = 9
)

// Anchors are the scale points every criterion describes.
var Anchors = []string{"2", "5", "8"}

// Text is a text in both languages.
type Text struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

// In returns the text in lang ("en" or Chinese by default), falling back to
// the other language when empty.
func (t Text) In(lang string) string {
	if strings.HasPrefix(lang, "en") && t.EN != "" || t.ZH == "" {
		return t.EN
	}
	return t.ZH
}

// Criterion is one criterion of a guideline.
type Criterion struct {
	ID      string          `json:"id"`
	Name    Text            `json:"name"`
	Weight  float64         `json:"weight"`
	Anchors map[string]Text `json:"anchors"` // "2", "5", "8"
}

// Guideline is one version of the standard guideline of an industry (or of
// a route refining it): the criteria with weights and anchors, the risk
// points to assess and the monitoring indicators to propose.
type Guideline struct {
	Key        string      `json:"key"` // an industry or a route code
	Version    int         `json:"version"`
	Criteria   []Criterion `json:"criteria"`
	RiskPoints []Text      `json:"risk_points"`
	Indicators []Text      `json:"indicators"`
	Note       string      `json:"note,omitempty"` // what changed in this version
	By         string      `json:"by,omitempty"`
	At         time.Time   `json:"at"`
	AtMS       int64       `json:"at_ms"`
}

// Criterion returns the criterion with the id.
func (g *Guideline) Criterion(id string) (Criterion, bool) {
	for _, c := range g.Criteria {
		if c.ID == id {
			return c, true
		}
	}
	return Criterion{}, false
}

//go:embed guidelines.json
var defaultsJSON []byte

type defaults struct {
	Criteria   []Criterion `json:"criteria"`
	RiskPoints []Text      `json:"risk_points"`
	Indicators []Text      `json:"indicators"`
	Industries map[string]struct {
		RiskPoints []Text `json:"risk_points"`
		Indicators []Text `json:"indicators"`
	} `json:"industries"`
}

// Defaults returns the built-in guideline of every industry (version 1).
func Defaults() (map[string]Guideline, error) {
	var d defaults
	if err := json.Unmarshal(defaultsJSON, &d); err != nil {
		return nil, fmt.Errorf("scoring: guidelines.json: %w", err)
	}
	out := map[string]Guideline{}
	for _, ind := range taxonomy.Default().Industries {
		x := d.Industries[ind.Code]
		g := Guideline{Key: ind.Code, Version: 1, Criteria: d.Criteria,
			RiskPoints: append(append([]Text{}, x.RiskPoints...), d.RiskPoints...),
			Indicators: append(append([]Text{}, x.Indicators...), d.Indicators...), Note: "built-in"}
		if err := g.Validate(taxonomy.Default()); err != nil {
			return nil, fmt.Errorf("scoring: guidelines.json, %s: %w", ind.Code, err)
		}
		out[ind.Code] = g
	}
	return out, nil
}

var criterionRE = regexp.MustCompile(`^[a-z][a-z0-9_]{1,31}$`)

// Limits of a guideline.
const (
	MaxCriteria = 20
	MaxPoints   = 30  // risk points or indicators
	MaxTextLen  = 300 // characters of one text
)

func checkText(field string, t Text) error {
	t.ZH, t.EN = strings.TrimSpace(t.ZH), strings.TrimSpace(t.EN)
	if t.ZH == "" || t.EN == "" {
		return kedaitong.Invalid(field, "needs both a Chinese (zh) and an English (en) text").ZHf("需要同时填写中文（zh）和英文（en）文本")
	}
	if utf8.RuneCountInString(t.ZH) > MaxTextLen || utf8.RuneCountInString(t.EN) > MaxTextLen {
		return kedaitong.Invalid(field, "at most %d characters", MaxTextLen).ZHf("最多 %d 个字符", MaxTextLen)
	}
	return nil
}

// Validate checks a guideline as officials write it: its key is an
// industry or a route; 1–20 criteria with distinct ids (lowercase letters,
// digits, underscores), positive weights, names and the anchors 2, 5 and 8
// in both languages; risk points and indicators in both languages. Weights
// are normalised to sum to 1.
func (g *Guideline) Validate(tax *taxonomy.Taxonomy) error {
	if !tax.IsField(g.Key) {
		return kedaitong.Invalid("key", "%q is neither an industry nor a technical route", g.Key).ZHf("%q 既不是行业也不是技术路线", g.Key)
	}
	if len(g.Criteria) == 0 || len(g.Criteria) > MaxCriteria {
		return kedaitong.Invalid("criteria", "between 1 and %d criteria", MaxCriteria).ZHf("评分指标应有 1 到 %d 项", MaxCriteria)
	}
	seen := map[string]bool{}
	sum := 0.0
	for i, c := range g.Criteria {
		f := fmt.Sprintf("criteria[%d]", i)
		if !criterionRE.MatchString(c.ID) {
			return kedaitong.Invalid(f+".id", "lowercase letters, digits and underscores, 2–32 characters").ZHf("指标编号只能使用小写字母、数字和下划线，2–32 个字符")
		}
		if seen[c.ID] {
			return kedaitong.Invalid(f+".id", "%q appears twice", c.ID).ZHf("指标编号 %q 重复", c.ID)
		}
		seen[c.ID] = true
		if math.IsNaN(c.Weight) || c.Weight <= 0 || c.Weight > 100 {
			return kedaitong.Invalid(f+".weight", "a positive number").ZHf("权重必须是正数")
		}
		sum += c.Weight
		if err := checkText(f+".name", c.Name); err != nil {
			return err
		}
		if len(c.Anchors) != len(Anchors) {
			return kedaitong.Invalid(f+".anchors", "describe exactly the scale points 2, 5 and 8").ZHf("请准确描述 2、5、8 三个刻度点")
		}
		for _, a := range Anchors {
			t, ok := c.Anchors[a]
			if !ok {
				return kedaitong.Invalid(f+".anchors", "describe exactly the scale points 2, 5 and 8").ZHf("请准确描述 2、5、8 三个刻度点")
			}
			if err := checkText(f+".anchors."+a, t); err != nil {
				return err
			}
		}
	}
	for i := range g.Criteria {
		g.Criteria[i].Weight = math.Round(g.Criteria[i].Weight/sum*1e6) / 1e6
	}
	for name, list := range map[string][]Text{"risk_points": g.RiskPoints, "indicators": g.Indicators} {
		if len(list) > MaxPoints {
			return kedaitong.Invalid(name, "at most %d", MaxPoints).ZHf("最多 %d 项", MaxPoints)
		}
		for i, t := range list {
			if err := checkText(fmt.Sprintf("%s[%d]", name, i), t); err != nil {
				return err
			}
		}
	}
	if g.RiskPoints == nil {
		g.RiskPoints = []Text{}
	}
	if g.Indicators == nil {
		g.Indicators = []Text{}
	}
	if utf8.RuneCountInString(g.Note) > MaxTextLen {
		return kedaitong.Invalid("note", "at most %d characters", MaxTextLen).ZHf("说明最多 %d 个字符", MaxTextLen)
	}
	return nil
}

// head is the current version of a guideline key.
type head struct {
	Key     string `json:"key"`
	Version int    `json:"version"`
}

func versionID(key string, v int) string { return fmt.Sprintf("%s@%d", key, v) }

// Guideline returns the guideline in force for a route or an industry: the
// route's own when it has one, else its industry's.
func (s *Service) Guideline(ctx context.Context, field string) (Guideline, error) {
	keys := []string{field}
	if ind := s.tax.IndustryOf(field); ind != "" && ind != field {
		keys = append(keys, ind)
	}
	for _, k := range keys {
		var h head
		_, err := s.heads.Get(ctx, k, &h)
		if kedaitong.Is(err, kedaitong.ENotFound) {
			continue
		}
		if err != nil {
			return Guideline{}, err
		}
		return s.GuidelineVersion(ctx, k, h.Version)
	}
	return Guideline{}, kedaitong.Errorf(kedaitong.ENotFound, "no guideline for %q", field).ZHf("没有 %q 的评审指引", field)
}

// GuidelineVersion returns one version of a guideline.
// Versions never change once stored, so each is read once and kept.
func (s *Service) GuidelineVersion(ctx context.Context, key string, v int) (Guideline, error) {
	id := versionID(key, v)
	if g, ok := s.versions.Load(id); ok {
		return g.(Guideline), nil
	}
	var g Guideline
	_, err := s.guidelines.Get(ctx, id, &g)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		return g, kedaitong.Errorf(kedaitong.ENotFound, "no version %d of the guideline %q", v, key).ZHf("评审指引 %[2]q 没有第 %[1]d 版", v, key)
	}
	if err == nil {
		s.versions.Store(id, g)
	}
	return g, err
}

// Guidelines returns the guideline in force of every key that has one.
func (s *Service) Guidelines(ctx context.Context) ([]Guideline, error) {
	page, err := s.heads.Find(ctx, storeAll())
	if err != nil {
		return nil, err
	}
	out := []Guideline{}
	for _, d := range page.Docs {
		var h head
		if err := d.Decode(&h); err != nil {
			return nil, err
		}
		g, err := s.GuidelineVersion(ctx, h.Key, h.Version)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

// PutGuideline stores a new version of the guideline of key (an industry
// or a route: a route's own guideline refines its industry's), for
// officials and admins. Scores keep the version they were made under.
func (s *Service) PutGuideline(ctx context.Context, actor identity.User, key string, g Guideline) (Guideline, error) {
	if actor.Role != identity.RoleOfficial && actor.Role != identity.RoleAdmin {
		return Guideline{}, kedaitong.Errorf(kedaitong.EForbidden, "only officials edit the guidelines").ZHf("只有政府用户可以编辑评审指引")
	}
	g.Key = strings.TrimSpace(key)
	if err := g.Validate(s.tax); err != nil {
		return Guideline{}, err
	}
	now := s.now()
	g.By, g.At, g.AtMS = actor.ID, now, now.UnixMilli()
	for range 10 {
		var h head
		ver, err := s.heads.Get(ctx, g.Key, &h)
		if err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
			return Guideline{}, err
		}
		g.Version = h.Version + 1
		if err := s.guidelines.Insert(ctx, versionID(g.Key, g.Version), g); kedaitong.Is(err, kedaitong.EConflict) {
			continue
		} else if err != nil {
			return Guideline{}, err
		}
		h = head{Key: g.Key, Version: g.Version}
		if ver == 0 {
			err = s.heads.Insert(ctx, g.Key, h)
		} else {
			_, err = s.heads.Replace(ctx, g.Key, ver, h)
		}
		if err != nil {
			return Guideline{}, err
		}
		s.record(ctx, &actor, "guideline.update", "guideline", g.Key, "", "", map[string]any{"version": g.Version, "criteria": len(g.Criteria), "note": g.Note})
		return g, nil
	}
	return Guideline{}, kedaitong.Errorf(kedaitong.EConflict, "the guideline %q is being edited at the same time; try again", g.Key).ZHf("评审指引 %q 正被同时编辑，请重试", g.Key)
}

// seedGuidelines stores the built-in guidelines as version 1 of every
// industry that has none.
func (s *Service) seedGuidelines(ctx context.Context) error {
	for key, g := range s.defaults {
		var h head
		_, err := s.heads.Get(ctx, key, &h)
		if err == nil {
			continue
		}
		if !kedaitong.Is(err, kedaitong.ENotFound) {
			return err
		}
		g.At = s.now()
		g.AtMS = g.At.UnixMilli()
		if err := s.guidelines.Insert(ctx, versionID(key, 1), g); err != nil && !kedaitong.Is(err, kedaitong.EConflict) {
			return err
		}
		if err := s.heads.Insert(ctx, key, head{Key: key, Version: 1}); err != nil && !kedaitong.Is(err, kedaitong.EConflict) {
			return err
		}
	}
	return nil
}
