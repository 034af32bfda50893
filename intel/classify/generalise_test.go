package classify

import "testing"

// A negated resolution resolves nothing: under 仍未, 尚未, 未能, "has not
// been", the reverser does not flip the risk it stands after.
func TestNegatedReverser(t *testing.T) {
	c := newClassifier(t)
	cases := []struct{ title, summary, want string }{
		{"光伏电站补贴拖欠问题仍未解决", "多家电站运营商应收账款继续增加。", Risk},
		{"合同能源管理项目回款难问题尚未得到解决", "节能服务公司应收账款周转天数超过300天。", Risk},
		{"Export ban on gallium has not been lifted", "Shipments to overseas buyers remain frozen.", Risk},
		// Without the negator the reverser still flips.
		{"光伏电站补贴拖欠问题得到解决", "相关款项已全部发放到位。", Opportunity},
		{"Gallium export ban lifted", "Shipments to overseas buyers will resume next month.", Opportunity},
	}
	for _, tc := range cases {
		if l := c.Rules(tc.title, tc.summary); l.Polarity != tc.want {
			t.Errorf("%s: polarity %s, cues %+v; want %s", tc.title, l.Polarity, l.Cues, tc.want)
		}
	}
}

// A rebate or subsidy cut is a risk; a tax cut an opportunity. 退税率 is
// the rebate's rate, not a tax rate.
func TestRebateVersusTaxCut(t *testing.T) {
	c := newClassifier(t)
	cases := []struct{ title, summary, rule, want string }{
		{"光伏组件出口退税率由13%下调至9%", "财政部、税务总局公告自12月1日起执行。", "subsidy.down", Risk},
		{"China cuts export tax rebate rate for batteries", "The rate falls from 13% to 9% from December.", "subsidy.down", Risk},
		{"动力电池出口退税取消", "自明年起不再享受退税。", "subsidy.end", Risk},
		{"高新技术企业所得税税率下调至12%", "", "tax-burden.down", Opportunity},
		{"Government cuts corporate tax rate for chipmakers", "", "tax-burden.down", Opportunity},
	}
	for _, tc := range cases {
		l := c.Rules(tc.title, tc.summary)
		if _, ok := findRule(l, tc.rule); !ok || l.Polarity != tc.want {
			t.Errorf("%s: polarity %s, rule %s fired %v; want %s (cues %+v)", tc.title, l.Polarity, tc.rule, ok, tc.want, l.Cues)
		}
	}
}

// What can rise or fall and holds steady is neutral news: "prices
// stabilise", "报价持平", "stable orders"; a stop to a fall is still a rise.
func TestHoldsSteady(t *testing.T) {
	c := newClassifier(t)
	cases := []struct{ title, summary, rule, want string }{
		{"Copper foil prices stabilise", "Quotes for lithium-battery foil were unchanged for a second week.", "price.flat", Neutral},
		{"稀土价格平稳 市场观望情绪浓厚", "氧化镨钕报价连续三周持平。", "price.flat", Neutral},
		{"Aramid fibre prices unchanged", "Producers reported stable orders.", "demand.flat", Neutral},
		{"稀土氧化物价格止跌回升", "", "price.up", Opportunity},
		{"OLED面板价格企稳 部分尺寸小幅上调", "手机OLED面板报价环比上涨2%。", "price.up", Opportunity},
	}
	for _, tc := range cases {
		l := c.Rules(tc.title, tc.summary)
		if _, ok := findRule(l, tc.rule); !ok || l.Polarity != tc.want {
			t.Errorf("%s: polarity %s, rule %s fired %v; want %s (cues %+v)", tc.title, l.Polarity, tc.rule, ok, tc.want, l.Cues)
		}
	}
}

// A title that reports an occasion (a meeting, a fair, an appointment, a
// draft out for comment) is neutral unless a change is composed in it.
func TestEventFrame(t *testing.T) {
	c := newClassifier(t)
	cases := []struct{ title, summary, want string }{
		{"Drug innovation conference held in Suzhou", "Scientists and investors discussed ADCs, cell therapy and AI-aided drug discovery.", Neutral},
		{"工信部就《锂电池行业规范条件》公开征求意见", "征求意见稿对新建项目能量密度、循环寿命等指标提出更高要求。", Neutral},
		{"第二十届中国国际节能环保展览会开幕", "展会聚焦余热利用、储能和碳捕集技术，创新成果丰硕。", Neutral},
		// A change composed in an event's title still counts.
		{"锂电产业峰会召开 碳酸锂价格大幅下跌", "多家锂盐企业亏损扩大。", Risk},
		// Without the frame the same cues decide.
		{"Drug innovation wins investors", "Scientists raised new funding for cell therapy.", Opportunity},
	}
	for _, tc := range cases {
		if l := c.Rules(tc.title, tc.summary); l.Polarity != tc.want {
			t.Errorf("%s: polarity %s, cues %+v; want %s", tc.title, l.Polarity, l.Cues, tc.want)
		}
	}
}

// A control that slows or delays is at work, not easing: "export licences
// slow shipments" is a risk; approval times shortened are an opportunity.
func TestSlowingControl(t *testing.T) {
	c := newClassifier(t)
	cases := []struct{ title, summary, want string }{
		{"Graphite anode export licences slow shipments", "Exporters say approvals take up to 45 days.", Risk},
		{"稀土出口许可审批放缓", "部分企业海外订单交付推迟。", Risk},
		{"药品审批时间缩短至60个工作日", "", Opportunity},
	}
	for _, tc := range cases {
		if l := c.Rules(tc.title, tc.summary); l.Polarity != tc.want {
			t.Errorf("%s: polarity %s, cues %+v; want %s", tc.title, l.Polarity, l.Cues, tc.want)
		}
	}
}

// Dependence is a burden (lessened: an opportunity for the supply chain);
// a trial halted and an IPO cancelled end what was good news.
func TestDependenceTrialsCancellations(t *testing.T) {
	c := newClassifier(t)
	cases := []struct{ title, summary, rule, want string }{
		{"国产射频滤波器量产", "有望降低对进口器件的依赖。", "dependence.down", Opportunity},
		{"Chipmakers' dependence on foreign gases rises", "", "dependence.up", Risk},
		{"Drug developer halts trial of lead candidate", "", "trial.end", Risk},
		{"Robot maker cancels IPO", "", "funding.end", Risk},
		{"光刻胶交期拉长至30周", "", "lead-time.up", Risk},
	}
	for _, tc := range cases {
		l := c.Rules(tc.title, tc.summary)
		if _, ok := findRule(l, tc.rule); !ok || l.Polarity != tc.want {
			t.Errorf("%s: polarity %s, rule %s fired %v; want %s (cues %+v)", tc.title, l.Polarity, tc.rule, ok, tc.want, l.Cues)
		}
	}
}

// What begins late falls short: a subsidy payment delayed is a risk; a
// first flight pushed back is a milestone put off; production resumed after
// a stoppage is supply coming back.
func TestDelayedBeginnings(t *testing.T) {
	c := newClassifier(t)
	cases := []struct{ title, summary, rule, want string }{
		{"新能源汽车补贴资金发放延迟", "", "subsidy.down", Risk},
		{"Planemaker's maiden flight pushed back to 2028", "", "milestone.down", Risk},
		{"Subsidies for heat pumps extended", "", "subsidy.begin", Opportunity},
	}
	for _, tc := range cases {
		l := c.Rules(tc.title, tc.summary)
		if _, ok := findRule(l, tc.rule); !ok || l.Polarity != tc.want {
			t.Errorf("%s: polarity %s, rule %s fired %v; want %s (cues %+v)", tc.title, l.Polarity, tc.rule, ok, tc.want, l.Cues)
		}
	}
	if l := c.Rules("Tin smelter resumes production after floods", ""); l.Polarity != Opportunity || !slicesContains(l.Dimensions, "supply-chain") {
		t.Errorf("production resumed: %s %v, cues %+v; want opportunity, supply-chain", l.Polarity, l.Dimensions, l.Cues)
	}
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// Licences granted are a control giving way; a new licence requirement is a
// control tightening.
func TestLicencesGranted(t *testing.T) {
	c := newClassifier(t)
	cases := []struct{ title, want string }{
		{"稀土磁材出口许可证陆续获批", Opportunity},
		{"Export licences for gallium granted to three firms", Opportunity},
		{"商务部对镓锗实施出口许可管理", Risk},
	}
	for _, tc := range cases {
		if l := c.Rules(tc.title, ""); l.Polarity != tc.want {
			t.Errorf("%s: polarity %s, cues %+v; want %s", tc.title, l.Polarity, l.Cues, tc.want)
		}
	}
}

// Sellers' margins move with their prices: a margin moving against a price
// in the same sentence is the buyers', and the price an input price.
func TestMarginAgainstPrice(t *testing.T) {
	c := newClassifier(t)
	cases := []struct{ title, want string }{
		{"铜价下跌 线缆企业利润率回升", Opportunity},
		{"Chip prices fall, lifting phone makers' margins", Opportunity},
		{"多晶硅价格下跌 硅料企业利润下滑", Risk},
	}
	for _, tc := range cases {
		if l := c.Rules(tc.title, ""); l.Polarity != tc.want {
			t.Errorf("%s: polarity %s, cues %+v; want %s", tc.title, l.Polarity, l.Cues, tc.want)
		}
	}
}

// A ban is a control: delayed or lifted it eases, extended it tightens; a
// control that itself slows something stays at work.
func TestBanDirections(t *testing.T) {
	c := newClassifier(t)
	cases := []struct{ title, want string }{
		{"EU delays ban on forced-labour products", Opportunity},
		{"China lifts ban on Micron chips", Opportunity},
		{"欧盟推迟强迫劳动禁令", Opportunity},
		{"Graphite anode export licences slow shipments", Risk},
	}
	for _, tc := range cases {
		if l := c.Rules(tc.title, ""); l.Polarity != tc.want {
			t.Errorf("%s: polarity %s, cues %+v; want %s", tc.title, l.Polarity, l.Cues, tc.want)
		}
	}
}

// Sanctions lifted from afar ("撤销对部分中国芯片企业的制裁") and names removed
// from a list are good news; a falling share of imports is dependence
// falling; imports barred and patents invalidated are policy risks.
func TestRemovalsAndImportShares(t *testing.T) {
	c := newClassifier(t)
	cases := []struct{ title, summary, want string }{
		{"美国撤销对部分中国芯片企业的制裁", "", Opportunity},
		{"三家企业从实体清单中移除", "", Opportunity},
		{"高端轴承钢进口比例下降至三成", "", Opportunity},
		{"US bars imports of Chinese drone components", "", Risk},
		{"某创新药企核心专利被宣告无效", "", Risk},
	}
	for _, tc := range cases {
		if l := c.Rules(tc.title, tc.summary); l.Polarity != tc.want {
			t.Errorf("%s: polarity %s, cues %+v; want %s", tc.title, l.Polarity, l.Cues, tc.want)
		}
	}
}
