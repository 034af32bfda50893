package classify

import "testing"

// TestCompositionChecklist is the hard cases as minimal pairs, one
// line each, in Chinese and English: whose side a price move is told from,
// orders, funding, capacity and routes moving, policy items (a subsidy
// extended or ended, an export control imposed or lifted, a consultation
// paper) and the scope of negation and denial. Each line was written for
// this test (none is a corpus item); the shipped classifier must read every
// one as the definitions of ../shared/API.md do.
func TestCompositionChecklist(t *testing.T) {
	c := newClassifier(t)
	cases := []struct{ title, polarity string }{
		{"碳酸锂价格下跌 正极材料企业成本下降", Opportunity},
		{"碳酸锂价格下跌 锂矿企业利润大幅缩水", Risk},
		{"Lithium prices fall, squeezing miners' profits", Risk},
		{"Battery makers gain as lithium prices fall", Opportunity},
		{"上游硅料涨价 组件厂商利润承压", Risk},
		{"多晶硅价格上涨 硅料企业盈利改善", Opportunity},
		{"Copper costs climb for cable makers", Risk},
		{"Raw-material costs ease for solar glass makers", Opportunity},
		{"某机器人企业订单下滑三成", Risk},
		{"Orders for wind turbines jump 40%", Opportunity},
		{"Venture funding for AI start-ups drops by half", Risk},
		{"生物医药企业融资额同比增长50%", Opportunity},
		{"Chipmaker's credit line cut by banks", Risk},
		{"光伏行业产能过剩加剧", Risk},
		{"PERC technology faces replacement pressure from TOPCon", Risk},
		{"磷酸铁锂路线面临被钠离子电池替代的压力", Risk},
		{"LCD lines being replaced by OLED", Risk},
		{"光伏补贴延续至2027年", Opportunity},
		{"Subsidies for energy-storage projects extended", Opportunity},
		{"新能源汽车补贴明年取消", Risk},
		{"EV subsidies scrapped from January", Risk},
		{"美国对稀土永磁实施出口管制", Risk},
		{"China imposes export controls on graphite", Risk},
		{"工信部就锂电池行业规范条件公开征求意见", Neutral},
		{"Ministry publishes consultation paper on drone rules", Neutral},
		{"Japan lifts export restrictions on photoresist", Opportunity},
		{"公司否认订单大幅下滑传闻", Neutral},
		{"Company denies report that orders have collapsed", Neutral},
		{"光伏补贴并未取消", Neutral},
		{"Officials rule out ending EV subsidies", Neutral},
		{"Lithium prices not expected to fall further, analysts say", Neutral},
		{"稀土企业并未受到出口管制影响", Neutral},
		{"Chipmaker says it is not affected by new US curbs", Neutral},
		{"某电池企业澄清：不存在资金链断裂", Neutral},
		{"钢材价格下降 工程机械企业毛利率提升", Opportunity},
		{"Steel prices fall as demand weakens, hurting steelmakers", Risk},
		{"Falling memory chip prices help smartphone makers", Opportunity},
		{"存储芯片价格下跌 手机厂商采购成本降低", Opportunity},
		{"内存芯片价格暴跌 存储企业亏损扩大", Risk},
		{"Drug price cuts in procurement round hit makers' revenue", Risk},
		{"Tariff on solar panels raised to 50%", Risk},
		{"US cuts tariffs on Chinese batteries", Opportunity},
		{"供应商交付周期延长至40周", Risk},
		{"Chip lead times shrink to 10 weeks", Opportunity},
		{"R&D spending at drugmaker cut by 30%", Risk},
		{"芯片良率提升至95%", Opportunity},
		{"Yield at new fab falls short of target", Risk},
	}
	wrong := 0
	for _, tc := range cases {
		if l := c.Classify(tc.title, ""); l.Polarity != tc.polarity {
			wrong++
			t.Errorf("%s: polarity %s, want %s (cues %+v)", tc.title, l.Polarity, tc.polarity, l.Cues)
		}
	}
	t.Logf("%d of %d hard cases right", len(cases)-wrong, len(cases))
}
