// Command blind is the corpus's second labeller, working blind: it labels a
// random sample of the corpus from the title and summary alone, by its own
// reading of the dimension definitions of the public contract (API.md §
// Codes) and the industries' names, and writes testdata/second_pass.jsonl,
// which TestSecondLabeller compares with the corpus's labels:
//
//	go run ./intel/classify/internal/blind   (from the module root)
//
// It is blind by construction: it decodes only "id", "title" and "summary"
// of each corpus line (the labels are never read into memory), it imports
// nothing of this module (not the classifier, its dictionaries, its model or
// the taxonomy's keywords), and its word lists below were written for it
// from the definitions. A test keeps it so (TestBlindLabellerIsBlind).
//
// Polarity is its own reading of the definitions: words of bad and good
// news, and a clause-level composition of a good of the firms (orders,
// revenue, funding, subsidies, the price of what they sell) or a burden
// (costs, tariffs, controls, inventory, the price of what they buy) with the
// nearest rising or falling word, under negation.
//
// It is a program, not a person: a second opinion that shares none of the
// first labeller's or the classifier's rules, not a second human reading.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"unicode"
)

// item is all the labeller may read of a corpus line.
type item struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Summary string `json:"summary"`
}

// label is what it writes.
type label struct {
	ID         string   `json:"id"`
	Industries []string `json:"industries"`
	Dimensions []string `json:"dimensions"`
	Polarity   string   `json:"polarity"`
}

func main() {
	dir := flag.String("dir", "intel/classify", "the classify package folder")
	n := flag.Int("n", 300, "items to sample")
	seed := flag.Uint64("seed", 2026, "sampling seed")
	flag.Parse()
	if err := run(*dir, *n, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "blind:", err)
		os.Exit(1)
	}
}

func run(dir string, n int, seed uint64) error {
	var items []item
	for _, name := range []string{"labelled.jsonl", "composed.jsonl"} {
		f, err := os.Open(dir + "/testdata/" + name)
		if err != nil {
			return err
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var it item
			if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
				f.Close()
				return fmt.Errorf("%s: %w", name, err)
			}
			items = append(items, it)
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return err
		}
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	rng.Shuffle(len(items), func(a, b int) { items[a], items[b] = items[b], items[a] })
	items = items[:min(n, len(items))]
	out, err := os.Create(dir + "/testdata/second_pass.jsonl")
	if err != nil {
		return err
	}
	w := bufio.NewWriter(out)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, it := range items {
		if err := enc.Encode(labelItem(it)); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Printf("labelled %d items blind into %s/testdata/second_pass.jsonl\n", len(items), dir)
	return out.Close()
}

// words of one code: Chinese substrings and English words (a trailing *
// matches any ending).
type words struct {
	code   string
	zh, en []string
}

// The industries, by what their firms make and buy.
var industries = []words{
	{"electronic-information", []string{"电子信息", "消费电子", "显示屏", "显示面板", "面板", "电路板", "光模块", "手机", "通信", "基站", "元器件", "摄像头", "物联网", "穿戴", "覆铜板", "铜箔", "LED"},
		[]string{"electronics", "display*", "panel*", "circuit board*", "pcb*", "transceiver*", "smartphone*", "handset*", "5g", "base-station", "components", "camera*", "iot", "wearable*", "led", "laminate*", "copper foil"}},
	{"semiconductors", []string{"芯片", "半导体", "晶圆", "集成电路", "光刻", "封装", "封测", "碳化硅", "氮化镓", "MCU", "IGBT", "代工", "刻蚀", "电子特气", "靶材", "流片"},
		[]string{"chip*", "chipmaker*", "semiconductor*", "wafer*", "integrated circuit*", "lithograph*", "foundry", "foundries", "silicon carbide", "gallium nitride", "mcu*", "igbt*", "memory", "etch*", "photoresist*", "sputtering"}},
	{"new-materials", []string{"新材料", "碳纤维", "有机硅", "氟化", "合金", "石墨烯", "陶瓷", "复合材料", "特钢", "特种钢", "芳纶", "硅钢", "丙烯腈", "工业硅", "萤石", "胶膜"},
		[]string{"material*", "carbon fibre", "carbon fiber", "carbon-fibre", "organosilicon", "silicone", "fluorochemical*", "alloy*", "superalloy*", "graphene", "ceramic*", "composite*", "steel", "aramid", "acrylonitrile", "fluorspar", "encapsulant"}},
	{"nonferrous-rare-earth", []string{"稀土", "钨", "铜业", "铜精矿", "阴极铜", "再生铜", "钽", "铌", "钕铁硼", "永磁", "有色", "冶炼", "矿", "镨钕", "钴", "镍"},
		[]string{"rare earth*", "rare-earth", "tungsten", "copper", "tantalum", "niobium", "ndfeb", "magnet*", "nonferrous", "smelt*", "mine", "mines", "mining", "ore", "cobalt", "nickel", "praseodymium*"}},
	{"lithium-battery", []string{"锂", "动力电池", "储能电池", "电池企业", "电池厂", "正极", "负极", "隔膜", "电解液", "钠离子", "固态电池", "六氟磷酸"},
		[]string{"lithium", "ev batter*", "batteries", "battery", "cathode*", "anode*", "separator*", "electrolyte*", "sodium-ion", "solid-state", "lepidolite", "hexafluorophosphate"}},
	{"photovoltaics", []string{"光伏", "太阳能", "组件", "硅片", "多晶硅", "电池片", "逆变器", "TOPCon", "异质结", "钙钛矿", "硅料", "银浆"},
		[]string{"solar", "photovoltaic*", "pv", "polysilicon", "inverter*", "topcon", "heterojunction", "perovskite", "silver paste", "back-contact"}},
	{"biomedicine", []string{"药", "医疗", "器械", "疫苗", "抗体", "诊断", "生物医药", "临床", "药监", "中药", "耗材", "培养基"},
		[]string{"drug*", "pharma*", "medic*", "vaccine*", "antibod*", "diagnostic*", "biotech*", "clinical", "biosimilar*", "cdmo*", "herbal", "excipient*", "trial"}},
	{"aviation", []string{"航空", "飞机", "直升机", "无人机", "通航", "通用航空", "eVTOL", "教练机", "客机", "低空", "机身"},
		[]string{"aviation", "aircraft", "helicopter*", "drone*", "evtol", "aero-engine*", "airframe*", "jets", "jet", "aerospace", "airline*"}},
	{"high-end-equipment", []string{"装备", "机器人", "机床", "数控", "新能源汽车", "整车", "车企", "变压器", "机械", "3D打印", "风电", "电机", "减速器", "伺服"},
		[]string{"equipment", "robot*", "machine tool*", "machine-tool", "cnc", "vehicle*", "carmaker*", "automaker*", "transformer*", "machinery", "3d printer*", "wind-power", "wind power", "motor*", "reducer*", "servo*"}},
	{"digital-ai", []string{"人工智能", "大模型", "算力", "智算", "数据", "云计算", "软件", "互联网", "网络安全", "操作系统", "GPU", "服务器"},
		[]string{"ai", "artificial intelligence", "language model*", "computing", "data", "cloud", "software", "internet", "cybersecurity", "operating system*", "gpu*", "server*"}},
	{"energy-saving", []string{"节能", "环保", "余热", "污水", "固废", "脱硫", "脱硝", "碳捕集", "氢", "燃料电池", "垃圾焚烧", "合同能源", "减排", "碳市场", "碳排放"},
		[]string{"energy saving", "energy-saving", "energy conservation", "environmental", "waste*", "wastewater", "desulphuri*", "carbon capture", "hydrogen", "fuel cell*", "emission*", "carbon market", "energy-performance", "efficien*"}},
}

// The risk dimensions, as API.md defines them: tech-route (technology
// iteration or a route overtaken), policy (subsidy, regulation,
// export-control changes), market (prices, overcapacity, competition),
// supply-chain (industrial-chain restructuring, materials, sanctions),
// capital (financing, defaults, insolvency).
var dimensions = []words{
	{"tech-route", []string{"技术", "工艺", "路线", "研发", "突破", "迭代", "量产", "良率", "效率", "专利", "临床", "新一代", "召回", "白皮书", "取代", "替代", "淘汰", "过时", "验证", "认证", "试验", "性能", "寿命", "能量密度", "架构", "样机", "中试"},
		[]string{"technolog*", "process", "route", "r&d", "breakthrough", "next-generation", "generation", "yield*", "efficiency", "trial*", "recall*", "patent*", "roadmap", "obsolete", "mass production", "replac*", "displac*", "overtak*", "prototype*", "validation", "durability", "endurance", "architecture", "certified", "record efficiency", "pilot line"}},
	{"policy", []string{"政策", "补贴", "监管", "新规", "管制", "关税", "税", "标准", "规范", "征求意见", "获批", "批准", "许可", "处罚", "罚款", "整改", "工信部", "财政部", "商务部", "发改委", "药监", "民航局", "证监会", "国务院", "实体清单", "反倾销", "扶持", "示范", "规划", "办法", "集采", "医保", "配额", "指标", "准入", "审批", "审评", "适航", "条例", "法案", "贴息", "减免"},
		[]string{"policy", "policies", "subsid*", "regulat*", "rule*", "tariff*", "tax*", "standard*", "licen*", "approv*", "ban", "bans", "ministry", "government", "law", "act", "bill", "entity list", "anti-dumping", "export control*", "curbs", "fined", "catalogue", "incentive*", "support package", "quota*", "procurement", "airworthiness", "authorit*", "duties", "exemption", "consultation", "draft"}},
	{"market", []string{"价格", "报价", "售价", "均价", "需求", "订单", "销量", "出货", "市场", "份额", "竞争", "过剩", "库存", "营收", "利润", "毛利", "涨价", "降价", "价格战", "中标", "合同", "大单", "开工率", "产能利用率"},
		[]string{"price*", "demand", "orders", "order", "sales", "shipment*", "market*", "share", "competition", "compet*", "rival*", "overcapacity", "glut", "inventor*", "revenue*", "profit*", "margin*", "tender*", "contract*", "utilisation", "utilization"}},
	{"supply-chain", []string{"供应链", "产业链", "原材料", "原料", "供应", "供货", "断供", "短缺", "进口", "国产替代", "国产化", "制裁", "零部件", "配套", "采购", "上游", "断料", "供应商", "交付周期", "交期", "缺货", "物流", "外迁", "海外建厂"},
		[]string{"supply chain*", "supplier*", "raw material*", "raw-material*", "input*", "supply", "supplies", "shortage*", "import*", "sanction*", "component*", "sourcing", "upstream", "localis*", "scarce", "lead time*", "logistics", "feedstock", "relocat*", "deliveries"}},
	{"capital", []string{"融资", "投资", "募资", "IPO", "上市申请", "贷款", "授信", "债", "违约", "破产", "资金链", "现金流", "估值", "注资", "资不抵债", "股权", "基金", "应收账款", "拖欠", "重整", "清算", "科创板"},
		[]string{"funding", "financ*", "invest*", "ipo", "loan*", "credit", "bond*", "default*", "bankrupt*", "insolven*", "cash", "valuation", "series", "raises", "fund", "receivable*", "liquidat*", "restructuring"}},
}

// Polarity words: what reads as bad or good news for the industry's firms.
var (
	riskZH = []string{"下跌", "下滑", "下降", "减少", "亏损", "承压", "风险", "过剩", "短缺", "断供", "制裁", "管制", "违约", "破产", "停产", "取消", "退坡", "加征", "处罚", "不合格", "召回", "推迟", "压缩", "恶化", "冲击", "淘汰", "替代", "挤压", "拖累", "紧张", "限制", "受阻", "低迷", "价格战", "内卷", "警示", "反倾销", "终止", "拖欠", "不及预期", "未达", "困难", "收紧"}
	riskEN = []string{"fall*", "fell", "drop*", "declin*", "slump*", "slide*", "loss*", "pressure", "risk*", "glut", "overcapacity", "shortage*", "sanction*", "curb*", "default*", "bankrupt*", "halt*", "cut*", "end", "expire*", "tariff*", "fined", "recall*", "delay*", "squeez*", "threat*", "obsolete", "replac*", "weak*", "restrict*", "block*", "warn*", "misses", "miss", "shelved", "withdraw*", "scarce", "war", "insolvent", "violation*", "erode*", "soaring", "spike"}
	oppZH  = []string{"增长", "上涨", "回升", "突破", "获批", "延续", "扶持", "补贴", "融资", "大单", "订单饱满", "创新高", "提升", "改善", "利好", "缓解", "国产替代", "自主可控", "量产", "领投", "注资", "翻番", "首家", "打开", "受益", "降低"}
	oppEN  = []string{"rise*", "rose", "jump*", "surge*", "growth", "grow*", "record", "breakthrough", "approval", "approved", "extended", "support", "funding", "wins", "win", "boost*", "improv*", "benefit*", "eas*", "relief", "cheaper", "lower", "localis*", "mass production", "doubled", "lift*", "secures", "raises", "grants", "resume*", "rebound*"}
	negZH  = []string{"否认", "辟谣", "澄清", "并未", "未", "不涉及", "不受", "排除", "没有", "不实"}
	negEN  = []string{"denies", "deny", "denied", "not", "no", "rules out", "rule out", "rejects", "unaffected"}
	neutZH = []string{"征求意见", "座谈", "研讨", "股东大会", "换届", "对接会", "发布会", "白皮书", "启动修订", "收购", "股权转让"}
	neutEN = []string{"draft", "consultation", "for public comment", "discuss*", "shareholders", "white paper", "elects", "hosts", "fair", "terms were not disclosed", "changes hands", "agrees to buy"}
)

// Composition, as the definitions read: a risk or an opportunity is a
// change in something the industry's firms live on (what they sell, how much,
// the money and support they get) or in something that burdens them (what
// they pay, the barriers they face, the stock they cannot sell). A good that
// grows or a burden that shrinks is an opportunity; a good that shrinks or a
// burden that grows is a risk. A price is a good unless it is the price of
// what the firms buy (an input word before it in its clause).
var (
	goodZH   = []string{"订单", "需求", "销量", "出货", "出口", "营收", "收入", "利润", "毛利", "份额", "融资", "投资", "补贴", "补助", "扶持", "贴息", "优惠", "良率", "效率", "价格", "报价", "售价", "均价", "估值", "配额", "指标", "产量"}
	goodEN   = []string{"orders", "order", "demand", "sales", "shipments", "exports", "revenue*", "profit*", "margin*", "share", "funding", "investment*", "subsid*", "support", "incentive*", "yield*", "efficiency", "price*", "valuation*", "quota*", "exemption*", "output", "bids"}
	burdenZH = []string{"成本", "费用", "关税", "管制", "限制", "库存", "过剩", "竞争", "交期", "交付周期", "税负", "门槛", "运费", "压力", "审批时限", "审评时限"}
	burdenEN = []string{"cost*", "tariff*", "curbs", "controls", "restrictions", "inventor*", "competition", "lead time*", "duties", "freight", "pressure", "red tape", "rules", "requirements", "charges", "fees", "rates"}
	inputZH  = []string{"原材料", "原料", "上游", "采购", "进口", "租赁"}
	inputEN  = []string{"raw", "input*", "feedstock", "upstream", "purchasing", "rental", "component*"}
	upZH     = []string{"上涨", "增长", "上升", "提高", "增加", "扩大", "回升", "反弹", "翻番", "翻倍", "提升", "加大", "延长", "延续", "走高", "大增", "攀升", "飙升", "创新高", "上调", "收紧", "加征", "企稳", "止跌", "新增"}
	upEN     = []string{"rise*", "rose", "risen", "rising", "up", "increase*", "grow*", "grew", "jump*", "surge*", "climb*", "extend*", "renew*", "expand*", "higher", "raise*", "raising", "tighten*", "soar*", "doubl*", "record", "rebound*", "widen*", "stop falling", "stops falling"}
	downZH   = []string{"下跌", "下降", "下滑", "减少", "回落", "降低", "萎缩", "收窄", "放缓", "缩短", "削减", "取消", "终止", "到期", "退坡", "暂停", "走低", "下调", "减半", "骤减", "锐减", "腰斩", "放宽", "降至", "跌至", "撤回", "缩水"}
	downEN   = []string{"fall*", "fell", "drop*", "declin*", "slump*", "cut", "cuts", "lower*", "shrink*", "shrank", "eas*", "end", "ends", "ended", "expir*", "scrap*", "halt*", "suspend*", "slid*", "halve*", "plung*", "tumbl*", "collaps*", "narrow*", "shorten*", "reduc*", "withdr*", "dry up", "dries up", "cheaper", "slow*", "lapse*"}
	notZH    = []string{"并未", "未", "没有", "不会", "不再", "否认", "无"}
	notEN    = []string{"not", "no", "never", "denies", "denied", "rules out", "ruled out", "unlikely", "won't", "didn't", "doesn't", "isn't"}
)

// composed scores the good and burden words of one clause-separated text
// against the nearest direction word in their clause: + for opportunity, -
// for risk. A negation before the pair cancels it, except that a good that
// is not extended or renewed ends ("不再延续", "not renewed").
func composed(text string) int {
	score := 0
	for _, clause := range clauses(text) {
		toks := tokens(clause)
		latin := len(toks) > 0 && !strings.ContainsFunc(clause, func(r rune) bool { return r >= 0x4E00 && r <= 0x9FFF })
		if latin {
			score += composedEN(toks)
		} else {
			score += composedZH(clause)
		}
	}
	return score
}

// clauses cuts text at punctuation.
func clauses(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return strings.ContainsRune("，。；：！？,;:!?、", r)
	})
}

func sign(good bool, up bool) int {
	if good == up {
		return 1
	}
	return -1
}

func composedZH(clause string) int {
	score := 0
	type at struct {
		i    int
		good bool
	}
	var subj []at
	for _, w := range goodZH {
		for i := indexAll(clause, w); len(i) > 0; i = i[1:] {
			subj = append(subj, at{i[0], true})
		}
	}
	for _, w := range burdenZH {
		for i := indexAll(clause, w); len(i) > 0; i = i[1:] {
			subj = append(subj, at{i[0], false})
		}
	}
	for _, sj := range subj {
		good := sj.good
		before := clause[:sj.i]
		if good && strings.Contains(clause[sj.i:min(len(clause), sj.i+6)], "价") {
			for _, w := range inputZH {
				if strings.Contains(before[max(0, len(before)-24):], w) {
					good = false // the price of what the firms buy
				}
			}
		}
		after := clause[sj.i:min(len(clause), sj.i+36)]
		best, up := len(after)+1, false
		for _, w := range upZH {
			if j := strings.Index(after, w); j >= 0 && j < best {
				best, up = j, true
			}
		}
		for _, w := range downZH {
			if j := strings.Index(after, w); j >= 0 && j < best {
				best, up = j, false
			}
		}
		if best > len(after) {
			continue
		}
		s := sign(good, up)
		window := clause[max(0, sj.i-12) : sj.i+best]
		for _, n := range notZH {
			if strings.Contains(window, n) {
				if sj.good && up && (strings.Contains(after[best:], "延") || strings.Contains(after[best:], "续")) {
					s = -1
				} else {
					s = 0
				}
			}
		}
		score += s
	}
	return score
}

func composedEN(toks []string) int {
	score := 0
	match := func(t string, ws []string) bool {
		for _, w := range ws {
			if strings.HasSuffix(w, "*") && strings.HasPrefix(t, strings.TrimSuffix(w, "*")) || t == w {
				return true
			}
		}
		return false
	}
	for i, t := range toks {
		good, burden := match(t, goodEN), match(t, burdenEN)
		if !good && !burden {
			continue
		}
		if good && strings.HasPrefix(t, "price") {
			for _, p := range toks[max(0, i-4):i] {
				if match(p, inputEN) {
					good = false
				}
			}
		}
		// The nearest direction: up to four words after, or two before.
		dir, dist := 0, 99
		for j := max(0, i-2); j < min(len(toks), i+5); j++ {
			if j == i {
				continue
			}
			d := j - i
			if d < 0 {
				d = -d + 1
			}
			if d >= dist {
				continue
			}
			if match(toks[j], upEN) {
				dir, dist = 1, d
			} else if match(toks[j], downEN) {
				dir, dist = -1, d
			}
		}
		if dir == 0 {
			continue
		}
		s := sign(good, dir > 0)
		for _, p := range toks[max(0, i-4):min(len(toks), i+3)] {
			if match(p, notEN) {
				if good && dir > 0 {
					s = -1 // not renewed, not extended
				} else {
					s = 0
				}
			}
		}
		score += s
	}
	return score
}

// indexAll returns every index of w in s.
func indexAll(s, w string) []int {
	var out []int
	for off := 0; ; {
		i := strings.Index(s[off:], w)
		if i < 0 {
			return out
		}
		out = append(out, off+i)
		off += i + len(w)
	}
}

// count returns how often the words occur in text (Chinese by substring,
// English by word, * for any ending).
func count(text string, zh, en []string) int {
	n := 0
	for _, w := range zh {
		n += strings.Count(text, strings.ToLower(w))
	}
	toks := tokens(text)
	for _, w := range en {
		parts := strings.Fields(w)
		for i := range toks {
			if i+len(parts) > len(toks) {
				break
			}
			ok := true
			for j, p := range parts {
				t := toks[i+j]
				if strings.HasSuffix(p, "*") {
					ok = ok && strings.HasPrefix(t, strings.TrimSuffix(p, "*"))
				} else {
					ok = ok && t == p
				}
			}
			if ok {
				n++
			}
		}
	}
	return n
}

// tokens are the lower-case Latin words of text (letters, digits, - and &).
func tokens(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return !(r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '&'))
	})
}

// negated counts polarity words right after a negation ("并未取消",
// "not affected"): they say the event did not happen.
func negated(text string, zh, en []string) int {
	n := 0
	for _, g := range negZH {
		for i := strings.Index(text, g); i >= 0; {
			rest := text[i+len(g):]
			window := rest[:min(len(rest), 15)]
			for _, w := range zh {
				if strings.Contains(window, w) {
					n++
					break
				}
			}
			j := strings.Index(rest, g)
			if j < 0 {
				break
			}
			i += len(g) + j
		}
	}
	toks := tokens(text)
	for i, t := range toks {
		for _, g := range negEN {
			if t != g && !(strings.Contains(g, " ") && strings.HasPrefix(strings.Join(toks[i:], " "), g)) {
				continue
			}
			if count(strings.Join(toks[i+1:min(len(toks), i+5)], " "), nil, en) > 0 {
				n++
			}
		}
	}
	return n
}

func labelItem(it item) label {
	title, summary := strings.ToLower(it.Title), strings.ToLower(it.Summary)
	score := func(zh, en []string) int { return 2*count(title, zh, en) + count(summary, zh, en) }
	l := label{ID: it.ID, Industries: []string{}, Dimensions: []string{}}
	pick := func(ws []words, need, keep, share int) []string {
		type sc struct {
			code string
			n    int
		}
		var all []sc
		for _, w := range ws {
			if n := score(w.zh, w.en); n >= need {
				all = append(all, sc{w.code, n})
			}
		}
		sort.SliceStable(all, func(a, b int) bool { return all[a].n > all[b].n })
		var out []string
		for i, s := range all {
			if i < keep && s.n*share >= all[0].n {
				out = append(out, s.code)
			}
		}
		if out == nil {
			out = []string{}
		}
		return out
	}
	l.Industries = pick(industries, 2, 2, 2) // a half of the best
	l.Dimensions = pick(dimensions, 2, 3, 3) // a third: an item often speaks to several
	risk, opp := score(riskZH, riskEN), score(oppZH, oppEN)
	// A denial or negation cancels what it denies.
	text := title + " 。 " + summary
	risk -= 2 * negated(text, riskZH, riskEN)
	opp -= 2 * negated(text, oppZH, oppEN)
	// What changes, which way: each pair counts twice a word (in the title
	// four times).
	if c := 4*composed(title) + 2*composed(summary); c > 0 {
		opp += c
	} else {
		risk -= c
	}
	neutral := score(neutZH, neutEN)
	switch {
	case neutral >= 2 && risk < 4 && opp < 4, risk == opp, max(risk, opp) < 1:
		l.Polarity = "neutral"
	case risk > opp:
		l.Polarity = "risk"
	default:
		l.Polarity = "opportunity"
	}
	return l
}
