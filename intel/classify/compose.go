package classify

import (
	"bytes"
	"slices"
	"strings"
)

// Composition: a word that is positive or negative on its own ("falls",
// "上涨") means nothing until one knows what it qualifies. A composite pairs a
// subject (what changes: a price, a cost, orders, funding, supply, a subsidy,
// a route) with a direction (rises, falls, ends, begins, is replaced) in one
// clause; the subject's side (the industry's output or its input) decides the
// polarity: "原材料价格下降" is an opportunity, "orders fall" a risk.
// A negator before the pair or a denial after it ("并未下跌", "denies ...")
// leaves the dimension and cancels the polarity. Composites hide the plain
// cues they overlap, so "价格下跌" inside "原材料价格下跌" no longer counts as a
// market risk.

// Directions a subject can take.
const (
	dirUp = iota
	dirDown
	dirEnd
	dirBegin
	dirReplaced
	dirLift // "lifts": ends a restriction, raises anything else
	dirFlat // holds steady: neither good nor bad news of what rises or falls
)

var dirNames = []string{"rises", "falls", "ends", "begins", "is replaced", "lifts", "holds steady"}

// subject is a group of words naming one kind of thing that changes.
type subject struct {
	name   string
	dims   []string
	pol    [5]string // polarity for each direction ("" where the pair means nothing)
	input  bool      // an input of the buyer's industry (costs)
	severe bool      // a risk from it is of high severity
	price  bool      // a price: an input when an input marker stands before it
	zh     []string
	en     []string
}

var (
	upOpp   = [5]string{Opportunity, Risk, Risk, Opportunity, ""}
	upRisk  = [5]string{Risk, Opportunity, Opportunity, Risk, ""}
	replRsk = [5]string{"", "", "", "", Risk}
)

var subjects = []subject{
	{name: "price", dims: []string{"market"}, pol: [5]string{Opportunity, Risk, "", "", ""}, price: true,
		zh: []string{"价格", "报价", "售价", "均价", "出厂价", "价位", "行情", "现货价", "加工费"},
		en: []string{"price", "prices", "processing fee*", "treatment charge*", "selling price*", "quotes", "spot price*", "contract price*"}},
	{name: "demand", dims: []string{"market"}, pol: [5]string{Opportunity, Risk, Risk, Opportunity, ""},
		zh: []string{"客户", "订单", "需求", "销量", "出货量", "出口", "营收", "收入", "利润", "净利润", "毛利率", "市场份额", "占有率", "市场空间", "装机量", "销售额", "增速", "收益", "收益率"},
		en: []string{"customer", "customers", "orders", "order book", "demand", "sales", "shipments", "exports", "revenue", "revenues", "profit", "profits", "earnings", "margin", "margins", "market share", "deliveries", "growth", "returns"}},
	{name: "inventory", dims: []string{"market"}, pol: upRisk,
		zh: []string{"库存", "库存周转天数", "过剩产能", "闲置产能"},
		en: []string{"inventory", "inventories", "stockpiles", "excess capacity"}},
	{name: "input cost", dims: []string{"market", "supply-chain"}, pol: upRisk, input: true,
		zh: []string{"原材料", "原料", "采购成本", "原材料成本", "原料成本", "用电成本", "电价"},
		en: []string{"input cost*", "raw-material cost*", "raw material cost*", "feedstock cost*", "power price*"}},
	// A cost with no word of what it is made of says whether the news is
	// good or bad, not which risk it speaks to: that comes from its cause
	// (a material, a process, a rule) elsewhere in the item.
	{name: "cost", pol: upRisk, input: true,
		zh: []string{"成本", "生产成本"},
		en: []string{"cost", "costs", "production cost*"}},
	{name: "funding", dims: []string{"capital"}, pol: upOpp,
		zh: []string{"融资", "融资额", "融资规模", "投资额", "募资", "现金流", "授信", "信贷", "估值", "上市申请", "IPO"},
		en: []string{"funding", "financing", "investment", "investments", "cash flow", "credit", "valuation", "valuations", "venture funding", "capital raising", "IPO", "listing application"}},
	{name: "supply", dims: []string{"supply-chain"}, pol: upOpp,
		zh: []string{"供应", "供货", "原料供应", "产能利用率", "进口", "开采指标", "配额", "开采总量"},
		en: []string{"supply", "supplies", "deliveries of", "imports of", "quota", "quotas"}},
	{name: "subsidy", dims: []string{"policy"}, pol: upOpp,
		zh: []string{"补贴", "补助", "扶持", "税收优惠", "优惠政策", "奖补", "贴息", "支持政策", "退税", "退税率", "出口退税率", "退税额", "加计扣除", "扣除比例", "补贴标准", "补贴额度", "豁免", "减免", "免征", "免税"},
		en: []string{"subsidy", "subsidies", "tax break*", "tax credit*", "incentive*", "support scheme*", "grants", "rebate*", "rebate rate*", "export tax rebate*", "tax rebate*", "support", "tax deduction*", "tax relief", "feed-in tariff*", "exemption", "exemptions", "tax exemption*", "waiver", "waivers"}},
	{name: "research", dims: []string{"tech-route"}, pol: upOpp,
		zh: []string{"研发团队", "研发投入", "研发费用", "研发支出"},
		en: []string{"research team*", "r&d spending", "research spending", "r&d budget*", "r&d team*"}},
	{name: "tax burden", dims: []string{"policy"}, pol: upRisk,
		zh: []string{"税负", "税率", "收费标准"},
		en: []string{"tax burden", "tax rate*", "fees"}},
	{name: "lead time", dims: []string{"supply-chain"}, pol: upRisk,
		zh: []string{"交付周期", "交货期", "供货周期", "物流成本", "运费", "交期"},
		en: []string{"lead time*", "delivery time*", "freight rate*", "shipping cost*"}},
	{name: "restriction", dims: []string{"policy", "supply-chain"}, pol: upRisk, severe: true,
		zh: []string{"出口管制", "出口限制", "管制", "关税", "准入门槛", "限制", "出口许可", "许可要求", "禁令"},
		en: []string{"export control*", "export restriction*", "export curb*", "curbs", "restrictions", "tariff*", "duties", "licensing", "export licen*", "licence requirement*", "license requirement*", "ban", "bans"}},
	{name: "dependence", dims: []string{"supply-chain"}, pol: upRisk,
		zh: []string{"依赖", "进口依赖", "对外依存度", "依存度", "依赖度", "进口比例", "进口份额", "进口占比", "进口产品份额", "进口比重"},
		en: []string{"reliance", "dependence", "dependency", "import share", "share of imports", "import dependence"}},
	{name: "trial", dims: []string{"tech-route"}, pol: [5]string{Opportunity, Risk, Risk, Opportunity, ""},
		zh: []string{"临床试验", "临床研究", "三期临床", "二期临床"},
		en: []string{"trial", "trials", "clinical trial*", "clinical study", "clinical studies"}},
	{name: "reliability", dims: []string{"tech-route"}, pol: [5]string{Opportunity, Risk, "", "", ""},
		zh: []string{"稳定性", "可靠性", "一致性", "成熟度"},
		en: []string{"stability", "reliability", "durability", "maturity"}},
	{name: "probe", dims: []string{"policy"}, pol: [5]string{Risk, Opportunity, Opportunity, Risk, ""},
		zh: []string{"调查", "反倾销调查", "反补贴调查", "立案调查"},
		en: []string{"probe", "probes", "investigation", "investigations"}},
	{name: "milestone", dims: []string{"tech-route"}, pol: [5]string{Opportunity, Risk, Risk, Opportunity, ""},
		zh: []string{"量产", "量产时间表", "投产", "商业化", "上市时间", "首飞"},
		en: []string{"mass production", "launch", "rollout", "commercialisation", "commercialization", "start of production", "first flight", "maiden flight"}},
	{name: "regulation", dims: []string{"policy"}, pol: [5]string{Risk, Opportunity, "", "", ""},
		zh: []string{"监管", "监管要求", "审批要求", "审批流程", "审评时间", "审批时间", "审评时限", "审批时限", "审批周期", "审评周期"},
		en: []string{"rules", "regulations", "requirements", "red tape", "approval time*", "review time*", "approval process*"}},
	{name: "route", dims: []string{"tech-route"}, pol: replRsk,
		zh: []string{"技术路线", "技术", "工艺", "产线", "路线", "产品", "方案"},
		en: []string{"technology", "technologies", "route", "process", "lines", "products", "design*"}},
	{name: "yield", dims: []string{"tech-route"}, pol: [5]string{Opportunity, Risk, "", "", ""},
		zh: []string{"良率", "转换效率", "效率", "性能", "能量密度", "寿命"},
		en: []string{"yield", "yields", "efficiency", "performance", "energy density"}},
}

// polOf returns the polarity of the subject taking direction dir ("" where
// the pair means nothing). What can rise or fall and holds steady instead
// ("报价持平", "prices stabilise", "stable orders") is neutral news.
func (s *subject) polOf(dir int) string {
	if dir == dirFlat {
		if s.pol[dirUp] != "" && s.pol[dirDown] != "" {
			return Neutral
		}
		return ""
	}
	if dir < 0 || dir >= len(s.pol) {
		return ""
	}
	return s.pol[dir]
}

// direction is a group of words for one direction.
type direction struct {
	dir int
	zh  []string
	en  []string
}

var directions = []direction{
	{dirUp, []string{"上涨", "上升", "增长", "攀升", "走高", "飙升", "提高", "提升", "回升", "翻番", "大增", "增加", "反弹", "上调", "创新高", "激增", "暴涨", "猛增", "走强", "涨价", "加码", "收紧", "升级", "扩大", "推高", "抬高", "推升", "拉高", "抬升", "创新高", "高于预期", "拉长", "止跌", "止跌回升", "企稳回升", "触底反弹", "触底回升"},
		[]string{"rise", "rises", "rose", "risen", "rising", "jump*", "climb*", "soar*", "surge*", "increase*", "higher", "rall*", "rebound*", "grow", "grows", "grew", "growing", "double*", "tighten*", "widen*", "spike*", "hike*", "boost*", "strengthen*", "raise", "raises", "raised", "raising", "pricier", "costlier", "more expensive", "record high", "year high", "all-time high", "higher than expected", "above expectations", "stretch*", "larger", "bigger", "stop falling", "stops falling", "stopped falling", "bottom out", "bottoms out", "bottomed out", "push up", "pushes up", "pushed up", "pushing up", "drive up", "drives up", "drove up", "driven up", "driving up"}},
	{dirDown, []string{"下跌", "下降", "下滑", "回落", "走低", "减少", "降低", "萎缩", "腰斩", "缩水", "下调", "骤减", "锐减", "暴跌", "大跌", "降价", "跌价", "收窄", "放缓", "削减", "放宽", "不足", "跌破", "跳水", "拉低", "压低", "新低", "低位", "下探", "崩盘", "雪崩", "压缩", "低于预期", "缩短", "推迟", "延迟", "延期", "延后", "延误", "流失"},
		[]string{"fall", "falls", "fell", "fallen", "falling", "drop*", "decline*", "slump*", "slide*", "slid", "plunge*", "lower", "lowered", "down", "shrink*", "shrank", "dry up", "dries up", "dried up", "cut", "cuts", "cutting", "ease", "eases", "eased", "easing", "narrow*", "sink*", "sank", "tumble*", "weaken*", "halve*", "reduce", "reduces", "reduced", "reducing", "slashed", "slash", "slashes", "relax*", "lowers", "cheaper", "record low", "year low", "all-time low", "collapse", "collapses", "collapsed", "crash", "crashes", "crashed", "plummet*", "retreat*", "slow", "slows", "slowed", "slowing", "lower than expected", "below expectations", "shorten", "shortens", "shortened", "push down", "pushes down", "pushed down", "drive down", "drives down", "drove down", "driven down", "driving down", "lose", "loses", "lost", "losing", "delay", "delays", "delayed", "postpone*", "pushed back", "push back", "pushes back", "put off"}},
	{dirEnd, []string{"撤回", "取消", "退出", "到期", "终止", "结束", "退坡", "停止", "中断", "暂停", "撤销", "叫停", "断裂", "告急", "结案"},
		[]string{"end", "ends", "ended", "ending", "expire*", "scrapped", "scrap", "scraps", "phase-out", "phased out", "phase out", "withdrawn", "withdraw*", "halt*", "removed", "suspend*", "dries", "run out", "runs out", "ran out", "terminated", "closed", "closes", "cancel", "cancels", "cancelled", "canceled", "cancelling", "withdrew", "shelve", "shelves", "shelved", "abandon*", "pause", "pauses", "paused"}},
	{dirBegin, []string{"延续", "延长", "出台", "启动", "恢复", "落地", "加大", "新增", "发放", "到位", "获批", "核发"},
		[]string{"extend*", "renew*", "introduc*", "restor*", "resum*", "expand*", "approved", "granted", "new"}},
	{dirLift, []string{"解除"}, []string{"lift", "lifts", "lifted", "lifting"}},
	{dirFlat, []string{"企稳", "持平", "平稳", "保持稳定", "基本稳定", "总体稳定", "保持不变", "维持不变", "基本不变", "稳住"},
		[]string{"stabilise*", "stabilize*", "flat", "unchanged", "steady", "holds steady", "held steady", "holding steady", "stable", "level off", "levels off", "levelled off", "leveled off"}},
	{dirReplaced, []string{"被替代", "被取代", "被淘汰", "淘汰", "替代压力", "被边缘化", "边缘化", "过时", "落后", "被颠覆", "面临替代", "提前退出"},
		[]string{"replaced", "obsolete", "overtaken", "sidelined", "displaced", "superseded", "replacement pressure", "phased out", "outdated", "leapfrogged", "face replacement"}},
}

// inputMarkers before a price make it an input price.
var inputMarkers = termList{
	ZH: []string{"原材料", "原料", "上游", "采购", "进口", "输入", "下游"},
	EN: []string{"raw material*", "raw-material*", "input", "inputs", "feedstock", "upstream", "purchasing", "supplier*", "downstream", "raw"},
}

// composite is a subject paired with a direction.
type composite struct {
	subj, dirMatch hit
	s              *subject
	dir            int
	input          bool
	start, end     int32
	// supply: the composite speaks of what the industry is supplied with
	// (a cost of materials or parts, a supplier's shipments, deliveries
	// delayed), so of the supply chain.
	supply bool
}

// adjectiveOnly directions qualify the noun after them, never one before:
// "new", and the causal verbs ("silver prices push up cell costs": the costs
// rise, the prices are the cause).
var adjectiveOnly = map[string]bool{"new": true, "推高": true, "推升": true, "拉高": true, "抬高": true, "拉低": true, "压低": true,
	"push up": true, "pushes up": true, "pushed up": true, "pushing up": true, "drive up": true, "drives up": true, "drove up": true, "driven up": true, "driving up": true,
	"push down": true, "pushes down": true, "pushed down": true, "drive down": true, "drives down": true, "drove down": true, "driven down": true, "driving down": true}

// costMarkers before a cost in its sentence make it a cost of materials or
// parts ("purchasing costs", "零部件成本").
var costMarkers = [][]byte{[]byte("材料"), []byte("零部件"), []byte("元器件"), []byte("配件"), []byte("component"), []byte("components"),
	[]byte("material"), []byte("materials"), []byte("parts"), []byte("purchasing"), []byte("procurement"), []byte("sourcing")}

// delayWords are directions that delay ("deliveries delayed").
var delayWords = map[string]bool{"delay": true, "delays": true, "delayed": true, "postpone": true, "postpones": true, "postponed": true,
	"pushed back": true, "push back": true, "pushes back": true, "put off": true, "推迟": true, "延迟": true, "延期": true, "延后": true, "延误": true}

// approval reports whether a beginning direction grants what was asked
// ("获批", "granted").
func approval(w []byte) bool {
	switch string(w) {
	case "获批", "核发", "approved", "granted":
		return true
	}
	return false
}

// marginWords are the demand subjects that are a firm's margin or profit.
var marginWords = map[string]bool{"利润": true, "净利润": true, "毛利率": true, "利润率": true, "盈利": true,
	"profit": true, "profits": true, "margin": true, "margins": true, "earnings": true}

// delayedAt reports whether a delay word stands right after at, in its
// clause ("发放延迟", "拨付推迟").
func (c *Classifier) delayedAt(dirs []hit, at int32, text []byte) bool {
	for _, o := range dirs {
		if o.start >= at && o.start-at <= 4 && !hasBreak(text, at, o.start, false) && delayWords[string(text[o.start:o.end])] {
			return true
		}
	}
	return false
}

// slowing reports whether a falling direction slows or delays rather than
// lessens ("slow", "放缓", "delayed").
func slowing(w []byte) bool {
	switch string(w) {
	case "slow", "slows", "slowed", "slowing", "放缓":
		return true
	}
	return delayWords[string(w)]
}

// compose pairs subjects with directions in hits (domain 3). It returns the
// composites, leftmost first; a subject pairs with the nearest direction after
// it in its clause (or, failing that, the nearest one just before it).
// A subject inside a longer cue that does not hold the direction too ("价格"
// in "价格战") stands aside.
func (c *Classifier) compose(hits, cues []hit, text []byte) ([]composite, func(lo, hi int32) bool) {
	var subs, dirs, marks []hit
	for _, h := range hits {
		if c.patterns[h.key].prefix {
			// A prefix term covers its whole word ("processing fee*" covers
			// "fees", so the "fees" inside it stands aside).
			for int(h.end) < len(text) && isWordByte(text[h.end]) {
				h.end++
			}
		}
		for _, e := range c.patterns[h.key].entries {
			switch e.kind {
			case kindSubject:
				subs = append(subs, h)
			case kindDirection:
				dirs = append(dirs, h)
			case kindInputMark:
				marks = append(marks, h)
			}
		}
	}
	// A direction inside a longer one stands aside ("falling" in "stop
	// falling", "回升" in "止跌回升").
	dirs = slices.DeleteFunc(dirs, func(d hit) bool {
		for _, o := range dirs {
			if o.start <= d.start && o.end >= d.end && o.end-o.start > d.end-d.start {
				return true
			}
		}
		return false
	})
	// Candidate pairs, then the closest pairs first: each subject and each
	// direction takes part in one composite at most ("lower input costs to
	// lift profits": lower pairs with costs, lift with profits).
	type cand struct {
		s, d hit
		gap  int32
	}
	var cands []cand
	for _, s := range subs {
		// Subjects inside a longer subject ("原材料" in "原材料成本") stand aside.
		inside := false
		for _, o := range subs {
			if o.start <= s.start && o.end >= s.end && o.end-o.start > s.end-s.start {
				inside = true
			}
		}
		if inside || hyphenated(text, s.match) || modifies(s, subs, text) || governed(c, s, subs, text) || reliedOn(c, s, subs, text) {
			continue
		}
		latin := isWordByte(text[s.start])
		for _, d := range dirs {
			if overlaps(d.match, s.match) || hyphenated(text, d.match) {
				continue
			}
			if d.start >= s.end && adjectiveOnly[string(text[d.start:d.end])] {
				continue // "exports face new restrictions": new qualifies what follows it
			}
			var gap int32
			switch {
			case d.start >= s.end:
				gap = d.start - s.end
				limit := int32(15)
				if latin {
					limit = 40 // English: "subsidies for rooftop solar plants to end"
				}
				if gap > limit || hasBreak(text, s.end, d.start, false) {
					continue
				}
			case d.end <= s.start:
				gap = s.start - d.end + 6 // prefer a direction after the subject
				limit := int32(27)        // "下调{产品}补贴标准"
				if latin {
					limit = 46 // English: "cut traditional Chinese medicines subsidies"
				}
				if gap > limit || hasBreak(text, d.end, s.start, false) {
					continue
				}
				switch {
				case s.start-d.end <= 1 && (latin || adjectival(text[d.start:d.end])):
					gap = 0 // "lower input costs", "rising prices", "tightens curbs"
				case latin && adjectival(text[d.start:d.end]) && words(text[d.end:s.start]) <= 2:
					gap = 1 // "lower copper costs", "falling nickel prices"
				}
			default:
				continue
			}
			// A subject inside a longer cue that does not hold the
			// direction too ("价格" in "价格战") stands aside.
			held := false
			for _, q := range cues {
				if q.start <= s.start && q.end >= s.end && q.end-q.start > s.end-s.start && !(q.start <= d.start && q.end >= d.end) {
					held = true
				}
			}
			if !held {
				cands = append(cands, cand{s, d, gap})
			}
		}
	}
	slices.SortStableFunc(cands, func(a, b cand) int {
		if a.gap != b.gap {
			return int(a.gap - b.gap)
		}
		return int(a.s.start - b.s.start)
	})
	var out []composite
	usedDir, usedSubj := map[int32]bool{}, map[int32]bool{}
	for _, cd := range cands {
		s, d := cd.s, cd.d
		if usedDir[d.start] || usedSubj[s.start] {
			continue
		}
		subjIdx, dir := -1, -1
		for _, e := range c.patterns[s.key].entries {
			if e.kind == kindSubject {
				subjIdx = e.target
			}
		}
		for _, e := range c.patterns[d.key].entries {
			if e.kind == kindDirection {
				dir = directions[e.target].dir
			}
		}
		sj := &subjects[subjIdx]
		if dir == dirLift {
			dir = dirUp
			if sj.name == "restriction" {
				dir = dirEnd
			}
		}
		if sj.polOf(dir) == "" {
			continue
		}
		if (sj.name == "restriction" || sj.name == "regulation") && dir == dirDown && slowing(text[d.start:d.end]) && d.start >= s.end {
			// "export licences slow shipments": a control that slows
			// or delays is at work, not easing (a control delayed,
			// "EU delays ban", does ease).
			continue
		}
		if sj.name == "restriction" && dir == dirBegin && approval(text[d.start:d.end]) {
			dir = dirEnd // "出口许可证陆续获批", "licences granted": the control gives way
		}
		if dir == dirBegin && c.delayedAt(dirs, d.end, text) {
			dir = dirDown // "补贴发放延迟", "payments begin late": what begins late falls short
			if sj.polOf(dir) == "" {
				continue
			}
		}
		usedDir[d.start], usedSubj[s.start] = true, true
		cp := composite{subj: s, dirMatch: d, s: sj, dir: dir, input: sj.input, start: min(s.start, d.start), end: max(s.end, d.end)}
		for _, o := range subs {
			// A subject that qualifies this one ("tariff" in "tariff
			// exemption ends") belongs to the composite.
			if o.end == s.start || o.end+1 == s.start && text[o.end] == ' ' && isWordByte(text[s.start]) {
				cp.start = min(cp.start, o.start)
			}
		}
		for _, q := range cues {
			// So does a cue that qualifies it ("trade-in subsidies end",
			// "以旧换新补贴延续").
			if q.end == s.start || q.end+1 == s.start && text[q.end] == ' ' && isWordByte(text[s.start]) {
				for _, e := range c.patterns[q.key].entries {
					if e.kind == kindCue {
						cp.start = min(cp.start, q.start)
					}
				}
			}
		}
		if sj.price {
			for _, m := range marks {
				if m.end <= s.start && s.start-m.end <= 18 && !hasBreak(text, m.end, s.start, false) {
					cp.input = true
				}
			}
		}
		switch sj.name {
		case "cost":
			// A cost of materials or parts: a marker in its sentence.
			lo, hi := sentenceOf(text, s.start)
			for _, m := range marks {
				if m.start >= lo && m.end <= hi {
					cp.supply = true
				}
			}
			for _, w := range costMarkers {
				if i := bytesIndexWord(text[lo:hi], w); i >= 0 {
					cp.supply = true
				}
			}
		case "demand":
			// A supplier's shipments halted, deliveries delayed.
			for _, m := range marks {
				if t := c.patterns[m.key].term; (strings.HasPrefix(t, "supplier") || t == "供应商") && m.end <= s.start && !hasBreak(text, m.end, s.start, false) {
					cp.supply = true
				}
			}
			if delayWords[string(text[d.start:d.end])] {
				cp.supply = true
			}
		}
		out = append(out, cp)
	}
	slices.SortFunc(out, func(a, b composite) int { return int(a.start - b.start) })
	// Whose side: a sentence that speaks of a cost ("成本攀升", "costs for"),
	// of raw materials or of the buyers downstream is told from the buyer's
	// side, so a price that moves in it is an input price
	// ("碳纤维价格上涨 直升机厂商成本攀升").
	side := buyerSide(marks, subs, cues, c, text)
	// An item that tells of the buyer's costs moving one way tells of the
	// prices moving the same way as input prices too ("GPU rental prices
	// fall ... cheaper computing has halved their inference costs").
	var costUp, costDown bool
	for _, cp := range out {
		if cp.s.input && !cp.s.price {
			costUp = costUp || cp.dir == dirUp
			costDown = costDown || cp.dir == dirDown
		}
	}
	// Sellers' margins move with their prices: a margin that moves against
	// a price in the same sentence is the buyers' ("钢材价格下降 工程机械企业
	// 毛利率提升"), so the price is an input price.
	for i := range out {
		if !out[i].s.price || out[i].input || (out[i].dir != dirUp && out[i].dir != dirDown) {
			continue
		}
		lo, hi := sentenceOf(text, out[i].start)
		for _, o := range out {
			if o.start >= lo && o.end <= hi && marginWords[string(text[o.subj.start:o.subj.end])] &&
				(o.dir == dirUp && out[i].dir == dirDown || o.dir == dirDown && out[i].dir == dirUp) {
				out[i].input = true
			}
		}
	}
	for i := range out {
		sameWay := costUp != costDown && (costUp && out[i].dir == dirUp || costDown && out[i].dir == dirDown)
		if out[i].s.price && !out[i].input && (side(out[i].start, out[i].end) || sameWay || c.feltByBuyers(out[i], cues, text)) {
			out[i].input = true
		}
	}
	return out, side
}

// effects are the words that say who feels a move and how ("help",
// "hurting", "利好"): a price move whose stated effect is the opposite of
// what it means for the sellers is told from the buyers' side ("Battery
// makers gain as lithium prices fall").
var effects = map[string]string{"benefit*": Opportunity, "gain*": Opportunity, "help": Opportunity, "helps": Opportunity, "helped": Opportunity,
	"helping": Opportunity, "aids": Opportunity, "aided": Opportunity, "boost*": Opportunity, "利好": Opportunity, "受益": Opportunity, "有利于": Opportunity, "助力": Opportunity,
	"hurt*": Risk, "hit": Risk, "hits": Risk, "squeez*": Risk, "weighs on": Risk, "weigh on": Risk, "drags on": Risk, "拖累": Risk, "冲击": Risk, "挤压": Risk, "利空": Risk, "不利于": Risk}

// feltByBuyers reports whether an effect word in the price composite's
// sentence says the move is felt the other way round than by its sellers.
func (c *Classifier) feltByBuyers(cp composite, cues []hit, text []byte) bool {
	lo, hi := sentenceOf(text, cp.start)
	for _, q := range cues {
		if q.start < lo || q.end > hi || q.start < cp.end && cp.start < q.end {
			continue
		}
		if pol, ok := effects[c.patterns[q.key].term]; ok {
			return pol != cp.s.polOf(cp.dir) && cp.s.polOf(cp.dir) != ""
		}
	}
	return false
}

// governed reports whether subject s is the object of a restriction or rule
// standing just before it in its clause ("限制高端GPU对华出口", "curbs on
// exports of"): what changes is the restriction, not s. Right next to it,
// the restriction qualifies s instead ("tariff exemption": see modifies).
func governed(c *Classifier, s hit, subs []hit, text []byte) bool {
	if subjectOf(c, s).name == "restriction" || subjectOf(c, s).name == "regulation" {
		return false
	}
	for _, o := range subs {
		if n := subjectOf(c, o).name; (n == "restriction" || n == "regulation") && o.end+1 < s.start && s.start-o.end <= 24 &&
			!hasBreak(text, o.end, s.start, false) {
			return true
		}
	}
	return false
}

// reliedOn reports whether subject s is what a dependence right after it
// in its clause relies on ("降低对进口器件的依赖": the dependence falls, not
// the imports).
func reliedOn(c *Classifier, s hit, subs []hit, text []byte) bool {
	for _, o := range subs {
		if o.start < s.end || o.start-s.end > 18 || hasBreak(text, s.end, o.start, false) {
			continue
		}
		if sj := subjectOf(c, o); sj != nil && sj.name == "dependence" && subjectOf(c, s) != sj {
			return true
		}
	}
	return false
}

// subjectOf returns the subject of a subject hit.
func subjectOf(c *Classifier, h hit) *subject {
	for _, e := range c.patterns[h.key].entries {
		if e.kind == kindSubject {
			return &subjects[e.target]
		}
	}
	return &subject{}
}

// sellerCost are cues where a cost is the seller's: a price below its cost.
var sellerCost = []string{"跌破成本线", "跌破成本", "低于成本", "成本线", "成本倒挂", "below cost", "below production cost", "below the cost of production"}

// buyerSide returns whether text[lo:hi] lies in a sentence told from the
// buyer's side: one holding an input marker or a cost subject that is not
// part of a longer cue ("跌破成本线" speaks of the seller).
func buyerSide(marks, subs, cues []hit, c *Classifier, text []byte) func(lo, hi int32) bool {
	var at []hit
	for _, m := range marks {
		// A supplier speaks for the buyer only right before a price
		// ("Suppliers raised quotes"), not across its sentence.
		if t := c.patterns[m.key].term; !strings.HasPrefix(t, "supplier") && t != "供应商" {
			at = append(at, m)
		}
	}
	for _, s := range subs {
		input := false
		for _, e := range c.patterns[s.key].entries {
			if e.kind == kindSubject && subjects[e.target].input {
				input = true
			}
		}
		if !input {
			continue
		}
		for _, q := range cues {
			if q.start <= s.start && q.end >= s.end && q.end-q.start > s.end-s.start &&
				slices.Contains(sellerCost, c.patterns[q.key].term) {
				input = false
			}
		}
		if input {
			at = append(at, s)
		}
	}
	return func(lo, hi int32) bool {
		for _, m := range at {
			if !hasBreak(text, min(m.start, lo), max(m.end, hi), true) {
				return true
			}
		}
		return false
	}
}

// adjectival reports whether an English direction word qualifies the noun
// after it: "rising", "lower".
func adjectival(w []byte) bool {
	n := len(w)
	return n > 3 && isWordByte(w[0]) && (string(w[n-3:]) == "ing" || string(w[n-2:]) == "er")
}

// hyphenated reports whether a Latin match is part of a hyphenated compound
// ("new-energy", "high-efficiency"): it qualifies the compound, not a change.
func hyphenated(text []byte, m match) bool {
	if !isWordByte(text[m.start]) || slices.Contains(text[m.start:m.end], ' ') {
		return false // Chinese, or a phrase ("three-year low")
	}
	return m.start > 0 && text[m.start-1] == '-' || int(m.end) < len(text) && text[m.end] == '-'
}

// modifies reports whether subject s qualifies another subject right after
// it ("电价补贴", "cost subsidies"): the one after is what changes.
func modifies(s hit, subs []hit, text []byte) bool {
	for _, o := range subs {
		if o.start == s.end || o.start == s.end+1 && text[s.end] == ' ' && isWordByte(text[o.start]) {
			return true
		}
	}
	return false
}

// words counts the words in b when it holds only Latin words and spaces
// (else a large number).
func words(b []byte) int {
	n, in := 0, false
	for _, c := range b {
		switch {
		case c == ' ':
			in = false
		case isWordByte(c) || c == '-':
			if !in {
				n++
			}
			in = true
		default:
			return 1 << 20
		}
	}
	return n
}

func overlaps(a, b match) bool { return a.start < b.end && b.start < a.end }

// polarity is the composite's polarity before negation: an input price
// behaves as a cost.
func (cp composite) polarity() string {
	if cp.s.price && cp.input && cp.dir != dirFlat {
		return upRisk[cp.dir]
	}
	return cp.s.polOf(cp.dir)
}

// dims are the composite's dimensions: an input price speaks to supply too.
func (cp composite) dims() []string {
	switch {
	case cp.s.price && cp.input, cp.s.name == "cost" && cp.supply:
		return []string{"market", "supply-chain"}
	case cp.s.name == "demand" && cp.supply:
		return []string{"supply-chain"}
	}
	return cp.s.dims
}

// sentenceOf returns the bounds of the sentence around text[at].
func sentenceOf(text []byte, at int32) (lo, hi int32) {
	lo, hi = at, at
	for lo > 0 && !hasBreak(text, lo-1, lo, true) {
		lo--
	}
	for int(hi) < len(text) && !hasBreak(text, hi, hi+1, true) {
		hi++
	}
	return lo, hi
}

// bytesIndexWord returns where w stands in b as a whole word (Latin) or a
// substring (Chinese), or -1.
func bytesIndexWord(b []byte, w []byte) int {
	for off := 0; ; {
		i := bytes.Index(b[off:], w)
		if i < 0 {
			return -1
		}
		i += off
		j := i + len(w)
		if !isWordByte(w[0]) || (i == 0 || !isWordByte(b[i-1])) && (j == len(b) || !isWordByte(b[j])) {
			return i
		}
		off = i + 1
	}
}

// Names of subjects and directions in the rules' labels.
var (
	subjectZH = map[string]string{"reliability": "稳定与可靠性", "probe": "调查", "milestone": "量产与投产", "cost": "成本", "delivery": "交付", "regulation": "监管与审批", "price": "价格", "input price": "投入品价格", "demand": "订单与需求", "inventory": "库存",
		"input cost": "投入成本", "funding": "融资", "supply": "供应", "subsidy": "补贴与扶持", "tax burden": "税费负担",
		"lead time": "交付周期", "research": "研发投入", "restriction": "管制与限制", "route": "技术路线", "yield": "良率与性能",
		"dependence": "对外依赖", "trial": "临床试验"}
	dirZH   = []string{"上升", "下降", "终止", "开始或延续", "被替代", "解除", "持平"}
	polZH   = map[string]string{Risk: "风险", Opportunity: "机会", Neutral: "中性"}
	polEN   = map[string]string{Risk: "risk", Opportunity: "opportunity", Neutral: "neutral"}
	dirIDs  = []string{"up", "down", "end", "begin", "replaced", "lift", "flat"}
	negZH   = "（被否定）"
	negEN   = " (negated)"
	buyerZH = "买方视角：投入品价格变动 → %s"
	buyerEN = "buyer's side: an input price move → %s"
	buyerID = "buyer-side"
)

// rule explains the composite: its id ("input-cost.up") and its label in
// Chinese and English ("投入成本 × 上升 → 风险", "input cost × rises → risk").
// A negated composite keeps the id and says so.
func (cp composite) rule(pol string, negated bool) (id, zh, en string) {
	name := cp.s.name
	if cp.s.price && cp.input {
		name = "input price"
	}
	id = strings.ReplaceAll(name, " ", "-") + "." + dirIDs[cp.dir]
	zh = subjectZH[name] + " × " + dirZH[cp.dir] + " → " + polZH[pol]
	en = name + " × " + dirNames[cp.dir] + " → " + polEN[pol]
	if negated {
		id += ".negated"
		zh += negZH
		en += negEN
	}
	return id, zh, en
}

// notRenewed explains a support that does not begin again: "subsidy × not
// renewed → risk".
func (cp composite) notRenewed() (id, zh, en string) {
	name := cp.s.name
	return strings.ReplaceAll(name, " ", "-") + ".not-renewed", subjectZH[name] + " × 未延续 → " + polZH[Risk],
		name + " × not renewed → " + polEN[Risk]
}
