package classify

import (
	"strings"
	"testing"

	"kedaitong/taxonomy"
)

// findRule returns the cue of l whose rule id is id.
func findRule(l Label, id string) (Cue, bool) {
	for _, q := range l.Cues {
		if q.RuleID == id {
			return q, true
		}
	}
	return Cue{}, false
}

// TestRuleLabels checks that every rule that fires carries an id and a
// label in both languages, and that the compositional rules decide as the
// issue's hard cases want: whose side, negation scope, policy items.
func TestRuleLabels(t *testing.T) {
	c := newClassifier(t)
	cases := []struct {
		title, summary, rule, zh, en, polarity string
	}{
		{"碳酸锂价格大幅下跌 电池厂商采购成本下降", "", "input-price.down", "投入品价格 × 下降 → 机会", "input price × falls → opportunity", Opportunity},
		{"Orders for solar modules fall 20%", "", "demand.down", "订单与需求 × 下降 → 风险", "demand × falls → risk", Risk},
		{"官方回应：光伏补贴并未取消", "有关部门表示现行政策保持不变。", "subsidy.end.negated", "补贴与扶持 × 终止 → 风险（被否定）", "subsidy × ends → risk (negated)", Neutral},
		{"Subsidies for EV batteries extended to end of next year", "", "subsidy.begin", "补贴与扶持 × 开始或延续 → 机会", "subsidy × begins → opportunity", Opportunity},
		{"动力电池降价利好下游整车厂商", "采购成本较去年下降12%。", "buyer-side", "买方视角：投入品价格变动 → 机会", "buyer's side: an input price move → opportunity", Opportunity},
		{"Japan tightens curbs on new-energy vehicles exports to China", "", "restriction.up", "管制与限制 × 上升 → 风险", "restriction × rises → risk", Risk},
		// "stop falling" is a rise, not a fall.
		{"Lithium carbonate prices stop falling after a year-long slide", "", "price.up", "价格 × 上升 → 机会", "price × rises → opportunity", Opportunity},
		{"稀土氧化物价格止跌回升", "", "price.up", "价格 × 上升 → 机会", "price × rises → opportunity", Opportunity},
		// A support not renewed ends.
		{"Fuel-cell truck subsidies will not be renewed next year", "", "subsidy.not-renewed", "补贴与扶持 × 未延续 → 风险", "subsidy × not renewed → risk", Risk},
		{"氢能示范补贴明年不再延续", "", "subsidy.not-renewed", "补贴与扶持 × 未延续 → 风险", "subsidy × not renewed → risk", Risk},
		// An exemption from a tariff ends: the tariff comes back.
		{"US ends tariff exemption for bifacial solar cells", "", "subsidy.end", "补贴与扶持 × 终止 → 风险", "subsidy × ends → risk", Risk},
		// Rules eased, approval times cut.
		{"Drone flight approval rules eased in Jiangxi", "", "regulation.down", "监管与审批 × 下降 → 机会", "regulation × falls → opportunity", Opportunity},
		{"二类医疗器械审评时限缩短至60个工作日", "", "regulation.down", "监管与审批 × 下降 → 机会", "regulation × falls → opportunity", Opportunity},
		// A launch put off; "new" qualifies the noun after it; a cue that
		// qualifies the subject belongs to the composite.
		{"Solid-state battery mass production delayed to 2030", "", "milestone.down", "量产与投产 × 下降 → 风险", "milestone × falls → risk", Risk},
		{"全固态电池量产时间表推迟", "", "milestone.down", "量产与投产 × 下降 → 风险", "milestone × falls → risk", Risk},
		{"Drone exports face new US restrictions", "", "restriction.begin", "管制与限制 × 开始或延续 → 风险", "restriction × begins → risk", Risk},
		{"EV trade-in subsidies end nationwide", "", "subsidy.end", "补贴与扶持 × 终止 → 风险", "subsidy × ends → risk", Risk},
		// A causal verb moves what follows it: the costs rise, the prices are the cause.
		{"Silver prices push up solar cell costs", "", "cost.up", "成本 × 上升 → 风险", "cost × rises → risk", Risk},
		// Whose side: the item tells of the buyer's costs falling with the price.
		{"GPU rental prices fall sharply", "Cheaper computing power has cut AI start-ups' inference costs by half.", "input-price.down", "投入品价格 × 下降 → 机会", "input price × falls → opportunity", Opportunity},
	}
	for _, tc := range cases {
		l := c.Rules(tc.title, tc.summary)
		q, ok := findRule(l, tc.rule)
		if !ok {
			t.Errorf("%s: no cue with rule %s; cues %+v", tc.title, tc.rule, l.Cues)
			continue
		}
		if q.RuleZH != tc.zh || q.Rule != tc.en {
			t.Errorf("%s: rule labels %q / %q, want %q / %q", tc.title, q.RuleZH, q.Rule, tc.zh, tc.en)
		}
		if q.RuleIn("en") != tc.en || q.RuleIn("zh-CN") != tc.zh {
			t.Errorf("%s: RuleIn gives %q / %q", tc.title, q.RuleIn("en"), q.RuleIn("zh-CN"))
		}
		if l.Polarity != tc.polarity {
			t.Errorf("%s: polarity %s, want %s (cues %+v)", tc.title, l.Polarity, tc.polarity, l.Cues)
		}
	}
	// Every rule that fires on the corpus has both labels, and the Chinese
	// one is Chinese.
	for _, g := range loadGold(t) {
		for _, q := range c.Rules(g.Title, g.Summary).Cues {
			if q.RuleID == "" {
				continue
			}
			if q.Rule == "" || q.RuleZH == "" || strings.ContainsAny(q.RuleZH, "abcdefghijklmnopqrstuvwxyz") {
				t.Fatalf("%s: rule %s has labels %q / %q", g.ID, q.RuleID, q.Rule, q.RuleZH)
			}
		}
	}
}

// Whose side a replacement is told from: domestic goods replacing imports
// are an opportunity, one technology replacing another a risk.
func TestSubstitution(t *testing.T) {
	c := newClassifier(t)
	for _, tc := range []struct{ title, rule, polarity string }{
		{"国产数据库在金融行业替代加速", "substitution", Opportunity},
		{"Domestic chips replace Nvidia parts in AI servers", "substitution", Opportunity},
		{"OLED加速替代LCD 液晶面板产线面临关停", "", Risk},
		{"Solid-state cells could replace liquid-electrolyte batteries", "", Risk},
	} {
		l := c.Rules(tc.title, "")
		_, ok := findRule(l, "substitution")
		if ok != (tc.rule != "") || l.Polarity != tc.polarity {
			t.Errorf("%s: polarity %s, substitution rule %v; want %s, %v (cues %+v)", tc.title, l.Polarity, ok, tc.polarity, tc.rule != "", l.Cues)
		}
	}
}

// Negation scope reaches a cue from after it: a control "not expected to
// hit" anyone leaves the item neutral.
func TestNegatedAfter(t *testing.T) {
	c := newClassifier(t)
	for _, title := range []string{"Gallium export curbs not expected to hit domestic LED makers", "稀土出口管制对国内磁材企业影响有限"} {
		if l := c.Rules(title, ""); l.Polarity != Neutral {
			t.Errorf("%s: polarity %s, cues %+v; want neutral", title, l.Polarity, l.Cues)
		}
	}
}

// A subject governed by a restriction before it is not what changes: the
// exports a control restricts do not "expand" ("限制……出口范围扩大").
func TestGovernedSubject(t *testing.T) {
	c := newClassifier(t)
	for _, title := range []string{"美国限制高端GPU对华出口范围扩大", "Washington widens curbs on exports of AI chips"} {
		l := c.Rules(title, "")
		if _, ok := findRule(l, "demand.up"); ok || l.Polarity != Risk {
			t.Errorf("%s: polarity %s, cues %+v; want risk without demand.up", title, l.Polarity, l.Cues)
		}
	}
}

// The learned model weighs the industries the dictionaries found; it never
// leaves an item that names industries without one.
func TestModelKeepsAnIndustry(t *testing.T) {
	c, err := New(taxonomy.Default())
	if err != nil {
		t.Fatal(err)
	}
	l := c.Classify("工业机器人订单增长 a-19", "第19条：来自a的消息，光伏组件价格战加剧，行业产能过剩。")
	if len(l.Industries) == 0 {
		t.Errorf("no industry for an item naming robots and photovoltaics: %+v", l)
	}
}
