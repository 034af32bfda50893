package classify

import "slices"

// Lexicons: broad word lists written from the definitions of the contract's
// risk dimensions (../shared/API.md § Codes) and from domain knowledge, not
// from any batch's errors. They say what an item is *about* — a strike, a
// customs seizure and a port closure are the supply chain; receivables, a
// rights issue and a pledge are capital; a tariff, a quota and a licence
// regime are policy; a price war, capacity and market share are the market;
// a generation change, a new architecture and a replacement are the
// technical route — and what kind of news it is (good news, bad news, an
// occasion or a plan). Unlike the cues (cues.json) they decide nothing on
// their own: each list is one feature of the learned model (how much of the
// list an item holds, title words counting double), so the model learns from
// the words of the corpus how much a list weighs and then applies that to
// every word of the list, including the many the corpus never uses. The
// item page shows the words that matched (Cue.Modifier "lexicon").

// Lexicon classes: one per dimension (in Dimensions order), then good news,
// bad news, occasions and plans (neutral frames).
const (
	lexGood  = 5
	lexBad   = 6
	lexFrame = 7
	nLex     = 8
)

var lexNames = [nLex][2]string{
	{"tech-route", "技术路线"}, {"policy", "政策"}, {"market", "市场"}, {"supply-chain", "供应链"}, {"capital", "资本"},
	{"good news", "利好"}, {"bad news", "利空"}, {"occasion or plan", "会议与规划"},
}

var lexicons = [nLex]termList{
	// tech-route: technology iteration, a route overtaken.
	{ZH: []string{
		"技术路线", "路线之争", "路线图", "技术路径", "工艺路线", "技术迭代", "迭代", "更新换代", "换代", "代际", "新一代", "下一代", "上一代",
		"第二代", "第三代", "第四代", "第五代", "颠覆", "颠覆性", "替代技术", "技术替代", "取代", "被替代", "淘汰", "过时", "落伍", "弯道超车",
		"换道", "技术瓶颈", "瓶颈", "攻关", "技术突破", "重大突破", "关键突破", "研制", "研发成功", "样机", "原型机", "试制", "中试", "小试", "验证线",
		"流片", "良率", "转换效率", "光电转换", "能量密度", "循环寿命", "功率密度", "固态电池", "半固态", "全固态", "钠离子", "钠电",
		"钙钛矿", "叠层", "异质结", "背接触", "大模型", "多模态", "新架构", "架构", "制程", "工艺节点", "纳米制程", "先进封装", "芯粒",
		"光刻", "极紫外", "刻蚀", "量子计算", "量子", "技术标准", "标准制定", "国际标准", "开源", "算法", "发明专利", "专利布局",
		"核心技术", "关键技术", "自主研发", "原创", "首创", "填补空白", "填补国内空白", "国际领先", "世界纪录", "刷新纪录", "效率纪录",
		"技术成熟", "成熟度", "产业化", "工程化", "技术验证", "可靠性", "稳定性", "一致性", "缺陷", "技术缺陷", "设计缺陷", "热失控",
		"起火", "故障", "召回", "安全隐患", "首飞", "试飞", "验证机", "发动机", "新药", "创新药", "临床", "临床试验", "靶点", "适应症",
		"细胞治疗", "基因编辑", "基因治疗", "抗体", "疫苗", "mRNA", "碳化硅", "氮化镓", "氧化镓", "第三代半导体", "硅光", "光子",
		"存算一体", "类脑", "具身智能", "人形机器人", "自动驾驶", "智能驾驶", "固态激光雷达", "技术升级", "升级换代", "迭代升级",
		"新工艺", "新材料体系", "技术方案", "技术储备", "技术壁垒", "技术门槛", "研究院", "实验室", "科研团队", "论文", "成果转化",
		"技术许可", "技术授权", "技术转让", "技术落后", "技术掉队", "技术风险", "路线风险", "路线切换", "转向", "押注", "过渡技术",
		"兼容", "系统级", "集成度", "微缩", "摩尔定律", "能耗比", "能效比", "算力", "推理", "训练", "模型", "芯片设计", "指令集",
		"RISC-V", "开源架构", "操作系统", "软件栈", "大尺寸", "薄片化", "细线化", "无铟", "无稀土", "少稀土", "低钴", "无钴",
		"高镍", "磷酸锰铁锂", "硅碳负极", "干法电极", "复合集流体", "4680", "大圆柱", "刀片电池", "CTP", "CTB", "快充", "超充",
	}, EN: []string{
		"technology route*", "technical route*", "roadmap*", "next-generation", "next generation", "new generation", "previous generation",
		"generation*", "leapfrog*", "disrupt*", "obsolete", "obsolescence", "outdated", "overtake*", "overtaken", "supersede*", "superseded",
		"displace*", "replacement technolog*", "replace*", "phase out", "phased out", "phasing out", "breakthrough*", "prototype*", "pilot line*",
		"pilot plant*", "tape-out", "tapeout", "yield*", "conversion efficiency", "efficiency record*", "world record*", "energy density",
		"cycle life", "power density", "solid-state", "semi-solid", "sodium-ion", "perovskite*", "tandem", "heterojunction", "back-contact",
		"topcon", "large model*", "foundation model*", "language model*", "multimodal", "architecture*", "process node*", "nanometre*",
		"nanometer*", "node", "advanced packaging", "chiplet*", "lithography", "euv", "etch*", "quantum", "standard*", "open-source",
		"open source", "open-sourced", "algorithm*", "patent*", "core technolog*", "in-house", "home-grown", "first-of-its-kind", "first ever",
		"world first", "world's first", "industrialisation", "industrialization", "scale-up", "validation", "reliability", "stability",
		"defect*", "design flaw*", "thermal runaway", "fire", "fires", "failure*", "fault*", "recall*", "first flight", "maiden flight", "test flight*",
		"flight test*", "engine", "engines", "drug candidate*", "novel drug*", "clinical", "trial*", "indication*", "cell therap*", "gene therap*",
		"gene editing", "antibod*", "vaccine*", "mrna", "silicon carbide", "sic", "gallium nitride", "gan", "gallium oxide", "photonic*",
		"silicon photonics", "neuromorphic", "embodied", "humanoid*", "autonomous driving", "self-driving", "lidar", "upgrade*", "new process",
		"technical barrier*", "research institute*", "laboratory", "lab", "researchers", "research team*", "paper", "licensing deal*",
		"technology transfer", "falls behind", "fall behind", "lagging", "pivot*", "bet on", "bets on", "transition technology",
		"compatib*", "integration", "scaling", "moore's law", "compute", "inference", "training", "model", "chip design*",
		"instruction set", "risc-v", "operating system", "software stack", "larger wafers", "thinner", "cobalt-free",
		"rare-earth-free", "high-nickel", "lmfp", "silicon-carbon anode*", "dry electrode*", "4680", "blade battery", "fast charging",
		"fast-charging", "ultra-fast", "iteration*", "iterate*", "successor*", "legacy",
	}},
	// policy: subsidy, regulation, export-control changes.
	{ZH: []string{
		"政策", "新政", "新规", "规定", "办法", "条例", "法规", "法案", "立法", "修订", "修正案", "通知", "意见", "指导意见", "实施方案",
		"行动方案", "行动计划", "规划", "十五五", "十四五", "国务院", "发改委", "工信部", "科技部", "财政部", "商务部", "海关总署", "海关",
		"税务总局", "市场监管总局", "证监会", "金融监管总局", "央行", "人民银行", "国资委", "药监局", "国家药监局", "医保局", "国家医保局",
		"民航局", "能源局", "国家能源局", "生态环境部", "环保", "环评", "能评", "能耗双控", "双碳", "碳达峰", "碳中和", "碳排放", "碳关税",
		"碳边境", "碳交易", "配额", "指标", "总量控制", "开采指标", "准入", "准入门槛", "负面清单", "目录", "白名单", "黑名单", "名单",
		"许可证", "许可", "牌照", "资质", "资格", "认证", "备案", "审批", "核准", "批复", "获批", "批准", "注册证", "上市许可", "集采",
		"带量采购", "医保谈判", "医保目录", "价格管控", "限价", "指导价", "补贴", "补助", "退坡", "奖补", "贴息", "专项债", "税收",
		"增值税", "所得税", "退税", "出口退税", "关税", "加征", "反倾销", "反补贴", "保障措施", "调查", "立案", "处罚", "罚款", "约谈",
		"整改", "通报", "问询", "监管", "执法", "合规", "反垄断", "国家安全", "安全审查", "网络安全", "数据安全", "数据出境", "个人信息保护",
		"出口管制", "管制", "禁令", "禁止", "限制", "制裁", "实体清单", "不可靠实体", "两用物项", "外资审查", "投资审查", "政府",
		"省政府", "市政府", "地方政府", "人大", "政协", "国常会", "部委", "部门", "主管部门", "监管部门", "当局", "欧盟", "欧委会",
		"美国商务部", "白宫", "国会", "拜登政府", "特朗普政府", "议会", "法院", "裁定", "判决", "标准", "强制性标准", "国家标准", "行业规范",
		"规范条件", "能效标准", "排放标准", "以旧换新", "消费券", "产业政策", "产业基金", "政府引导基金", "首台套", "揭榜挂帅", "专精特新",
		"科创", "试点", "示范区", "自贸区", "开发区", "招商", "落户", "营商环境", "放管服", "简政放权", "征求意见", "听证",
	}, EN: []string{
		"policy", "policies", "regulation*", "regulator*", "regulatory", "rule*", "law*", "legislation", "bill", "decree", "directive",
		"ordinance", "guideline*", "notice", "ministry", "ministries", "ministry of commerce", "mofcom", "miit", "ndrc", "state council",
		"customs", "tax", "taxes", "taxation", "vat", "tariff*", "duty", "duties", "levy", "levies", "anti-dumping", "countervailing", "safeguard*", "probe*",
		"investigation*", "antitrust", "anti-monopoly", "competition authorit*", "fine", "fines", "fined", "penalt*", "sanction*", "entity list",
		"export control*", "controls", "ban", "bans", "banned", "banning", "banned", "restriction*", "restrict*", "curb*", "quota*", "licen*", "permit*", "approval*",
		"approve*", "clearance", "certification", "certif*", "accredit*", "registration", "compliance", "national security", "security review",
		"cfius", "data security", "cybersecurity", "privacy", "gdpr", "subsid*", "grant*", "incentive*", "tax credit*", "inflation reduction act",
		"ira", "chips act", "chips and science act", "stimulus", "procurement", "volume-based procurement", "centralised procurement",
		"centralized procurement", "reimbursement", "price cap*", "price control*", "government*", "administration", "white house",
		"congress", "senate", "parliament", "lawmakers", "european commission", "eu", "brussels", "commerce department", "department of commerce",
		"bis", "treasury", "ofac", "fda", "ema", "nmpa", "faa", "easa", "caac", "sec", "csrc", "court*", "ruling", "ruled", "judge", "tribunal",
		"standard*", "mandate*", "mandatory", "emission*", "carbon border", "cbam", "carbon tax", "carbon price*", "carbon market*",
		"net zero", "net-zero", "decarbonisation", "decarbonization", "trade-in", "pilot zone*", "free trade zone", "industrial policy",
		"state-backed", "state fund*", "guidance fund*", "consultation", "draft", "hearing*", "authorities", "authority", "officials",
		"lawsuit*", "litigation", "injunction*", "enforcement",
	}},
	// market: prices, overcapacity, competition.
	{ZH: []string{
		"市场", "价格", "价格战", "降价", "涨价", "提价", "报价", "均价", "现货", "期货", "行情", "产能", "产能过剩", "过剩", "扩产", "扩能",
		"新增产能", "产能利用率", "开工率", "稼动率", "减产", "限产", "停产", "库存", "去库存", "累库", "供过于求", "供不应求", "供需",
		"需求", "需求疲软", "需求旺盛", "订单", "大单", "中标", "招标", "投标", "集采", "销量", "销售额", "出货量", "装机量", "出货",
		"营收", "营业收入", "净利润", "利润", "亏损", "扭亏", "毛利率", "盈利", "业绩", "财报", "年报", "季报", "半年报", "预增", "预亏",
		"市场份额", "份额", "市占率", "占有率", "排名", "龙头", "头部", "竞争", "竞争格局", "内卷", "洗牌", "同质化", "红海", "客户",
		"大客户", "渗透率", "替代率", "国产化率", "出口", "海外市场", "出海", "外销", "内销", "消费", "消费电子", "终端", "下游", "需求端",
		"景气", "景气度", "周期", "拐点", "复苏", "回暖", "低迷", "下行", "疲软", "承压", "增长", "增速", "下滑", "下降", "同比",
		"环比", "市值", "股价", "涨停", "跌停", "估值", "并购", "收购", "兼并", "合作", "战略合作", "签约", "合同", "框架协议", "长单",
		"长协", "采购", "供货协议", "定点", "进入供应链", "供应商资格", "认证通过", "导入", "品牌", "渠道", "经销商", "电商", "门店",
		"价格竞争", "低价", "低价竞争", "倾销", "利润率", "加工费", "溢价", "折扣", "让利", "压价", "毛利", "成本优势", "规模效应",
		"行业集中度", "集中度", "退出", "出清", "倒闭潮", "新进入者", "跨界", "竞品", "对手", "垄断", "寡头",
	}, EN: []string{
		"market*", "price*", "pricing", "price war*", "price cut*", "price hike*", "discount*", "spot", "futures", "capacity", "overcapacity",
		"oversupply", "glut", "surplus", "expansion*", "utilisation", "utilization", "operating rate*", "output", "production cut*", "inventor*",
		"destocking", "destock*", "stockpile*", "supply and demand", "demand", "orders", "order*", "backlog", "contract*", "tender*", "bid", "bids", "bidding",
		"won", "wins", "sales", "shipment*", "installations", "revenue*", "profit*", "loss*", "earnings", "margin*", "results", "quarter*",
		"guidance", "forecast*", "outlook", "market share", "share", "ranking*", "leader*", "competition", "competitive", "competitor*",
		"rival*", "consolidation", "shake-out", "shakeout", "commoditi*", "customer*", "client*", "penetration", "adoption", "exports",
		"overseas", "consumer*", "downstream", "end market*", "cycle", "cyclical", "downturn", "slump*", "recovery", "rebound*", "slowdown",
		"weak*", "softer", "softening", "growth", "decline*", "drop*", "fell", "falls", "rose", "rises", "surge*", "plunge*", "tumble*", "year-on-year",
		"year on year", "share price*", "shares", "stock*", "valuation*", "acquisition*", "acquire*", "merger*", "m&a", "takeover*",
		"partnership*", "deal*", "agreement*", "supply agreement*", "long-term agreement*", "procure*", "purchase*", "qualified", "design win*",
		"brand*", "channel*", "distributor*", "dealer*", "retail*", "e-commerce", "premium", "low-cost", "cheap*", "dumping", "undercut*",
		"economies of scale", "concentration", "exit*", "bankruptcies", "new entrant*", "entrant*", "monopol*", "oligopol*", "dominance",
		"dominant", "dominate*",
	}},
	// supply-chain: industrial-chain restructuring, materials, sanctions —
	// what happens to the chain (shortages, disruptions, logistics,
	// localisation, relocation, suppliers, stockpiles), not the names of
	// materials: those are in every price item, and a price move is the
	// market's news.
	{ZH: []string{
		"供应链", "产业链", "供应", "供货", "断供", "停供", "缺货", "短缺", "紧缺", "缺芯", "断链", "卡脖子", "国产替代", "国产化", "自主可控",
		"进口", "进口依赖", "依赖进口", "对外依存度", "关键零部件", "核心部件",
		"上游", "供应商", "一级供应商", "二级供应商", "物流", "运输", "航运", "海运", "港口", "码头", "封港", "停航",
		"运价", "集装箱", "船期", "红海", "苏伊士", "巴拿马运河", "铁路", "口岸", "通关", "清关", "扣押", "查扣", "扣留", "海关查验",
		"罢工", "停工", "劳资", "停电", "限电", "拉闸", "断电", "地震", "洪水", "台风", "火灾", "爆炸", "疫情", "封控", "事故",
		"停产检修", "检修", "交付周期", "交货期", "交期", "延期交付", "延迟交付", "产能转移", "外迁", "迁出", "回流",
		"近岸", "友岸", "脱钩", "去中国化", "中国+1", "本土化", "本地化生产", "海外建厂", "海外工厂", "配套", "产业配套", "产业集群",
		"芯片短缺",
		"代工", "晶圆代工", "封测", "组装", "垂直整合", "纵向整合", "库存备货", "备货", "囤货",
		"战略储备", "收储", "储备", "制裁", "出口管制",
		"实体清单", "禁运", "封锁", "出口限制", "出口禁令",
	}, EN: []string{
		"supply chain*", "supply-chain", "value chain*", "industrial chain*", "supply", "supplies", "supplier*", "vendor*", "sourcing",
		"sourced", "shortage*", "scarcity", "scarce", "tight supply", "bottleneck*", "choke point*", "chokepoint*", "disruption*",
		"disrupt*", "outage*", "halt*", "stoppage*", "import", "imports", "imported", "importer*", "importing", "dependence", "dependency", "reliance", "rely on", "relies on", "localis*",
		"localiz*", "domestic substitution", "self-sufficien*", "indigenous", "component*",
		"semiconductor shortage", "chip shortage", "upstream", "tier-one", "tier 1", "logistic*", "shipping", "freight", "port", "ports", "harbour*",
		"harbor*", "container*", "vessel*", "red sea", "suez", "panama canal", "rail", "border crossing*", "customs", "seiz*", "impound*",
		"detain*", "confiscat*", "strike*", "walkout*", "trade union*", "labour union*", "labor union*", "unions", "workers", "labour", "labor", "blackout*", "power cut*", "power rationing",
		"earthquake*", "flood*", "typhoon*", "hurricane*", "fire", "explosion*", "blast", "lockdown*", "accident*",
		"lead time*", "delay*", "backlog*", "relocat*", "reshoring", "onshoring", "nearshoring", "friend-shoring", "friendshoring", "decoupl*",
		"de-risk*", "china plus one", "china+1", "diversif*", "vertical integration", "vertically integrated",
		"stockpiling", "stockpile*", "strategic reserve*", "reserves",
		"sanction*", "embargo*", "blockade*", "export ban*", "export control*",
	}},
	// capital: financing, defaults, insolvency.
	{ZH: []string{
		"融资", "募资", "募集", "定增", "定向增发", "配股", "增发", "可转债", "转债", "债券", "发债", "公司债", "中期票据", "短融", "票据",
		"贷款", "信贷", "授信", "银行贷款", "抵押", "质押", "股权质押", "担保", "反担保", "风险补偿", "科贷通", "贴息贷款", "知识产权质押",
		"上市", "IPO", "科创板", "创业板", "北交所", "港股", "主板", "过会", "注册生效", "招股书", "问询函", "终止上市", "退市", "撤回申请",
		"估值", "天使轮", "种子轮", "Pre-A", "A轮", "B轮", "C轮", "D轮", "战略投资", "战投", "投资方", "领投", "跟投", "基金", "产业基金",
		"创投", "风投", "私募", "PE", "VC", "资本", "资本市场", "资金", "资金链", "资金链断裂", "现金流", "流动性", "应收账款", "应收",
		"账期", "回款", "坏账", "计提", "减值", "商誉", "负债", "负债率", "资产负债率", "杠杆", "债务", "逾期", "违约", "展期", "兑付",
		"暴雷", "爆雷", "破产", "破产重整", "重整", "清算", "资不抵债", "债权人", "债务重组", "重组", "冻结", "查封", "司法冻结", "失信",
		"被执行人", "限高", "欠薪", "欠款", "拖欠", "回购", "分红", "派息", "股东", "大股东", "减持", "增持", "控股权", "实控人",
		"易主", "股权转让", "对赌", "估值下调", "市值蒸发", "股价暴跌", "评级", "下调评级", "信用评级", "融资租赁", "保理", "供应链金融",
		"银团", "注资", "增资", "补充流动资金", "并购贷款", "利率", "利息", "财务费用", "审计", "非标意见", "保留意见", "持续经营",
	}, EN: []string{
		"funding", "financing", "finance*", "raise*", "raised", "fundrais*", "series a", "series b", "series c", "series d",
		"seed round", "angel round", "pre-ipo", "ipo*", "listing*", "listed", "delist*", "star market", "nasdaq", "hong kong listing",
		"prospectus", "rights issue", "share placement", "placement", "private placement", "convertible*", "bond*", "debt*",
		"loan*", "lending", "lender*", "credit line*", "credit facilit*", "credit", "collateral", "pledge*", "guarantee*", "mortgage*",
		"investor*", "investment*", "invest", "invests", "invested", "investing", "venture capital", "venture", "private equity", "fund", "funds", "funded", "backed", "valuation*", "unicorn*",
		"capital", "cash", "cash flow", "liquidity", "receivable*", "payables", "bad debt*", "write-down*", "writedown*", "impairment*",
		"goodwill", "leverage*", "liabilit*", "default*", "overdue", "arrears", "bankrupt*", "insolven*", "chapter 11",
		"receivership", "liquidat*", "restructur*", "creditor*", "frozen", "freeze*", "assets seized", "unpaid", "unpaid wages", "buyback*",
		"repurchase*", "dividend*", "shareholder*", "stake*", "sell-down", "selldown", "rating*", "downgrade*", "credit rating*",
		"leasing", "factoring", "supply-chain finance", "syndicated", "capital injection", "recapitali*", "interest rate*",
		"going concern", "auditor*", "spac", "market cap*", "market value",
	}},
	// good news for the industry's firms.
	{ZH: []string{
		"突破", "创新高", "新高", "增长", "大增", "高增", "激增", "翻番", "倍增", "提升", "提高", "改善", "向好", "回暖", "复苏", "扭亏",
		"扭亏为盈", "盈利", "获批", "获得批准", "获准", "通过审批", "通过认证", "取得", "获得", "荣获", "中标", "签约", "签署", "落地",
		"投产", "达产", "量产", "首发", "上市", "开工", "竣工", "交付", "首批", "首台", "首个", "首款", "填补", "领先", "领跑", "居首",
		"夺冠", "入选", "纳入", "支持", "扶持", "利好", "红利", "机遇", "机会", "加速", "提速", "扩大", "拓展", "打开", "开拓",
		"进军", "布局", "抢占", "赢得", "斩获", "拿下", "大单", "订单饱满", "满产", "供不应求", "热销", "畅销", "爆款", "火爆", "走俏",
		"成功", "顺利", "圆满", "里程碑", "重大进展", "新进展", "攻克", "降本", "降本增效", "成本下降", "效率提升", "良率提升",
		"融资成功", "完成融资", "获投", "注资", "增资", "战略合作", "强强联合", "牵手", "携手", "解除", "恢复", "重启", "放宽", "松绑",
		"豁免", "延续", "延长", "加码", "增加", "上调", "涨停", "大涨", "走强", "企稳回升", "反弹", "国产替代", "自主可控", "打破垄断",
		"打破封锁", "实现国产化", "出海", "走出去", "认可", "青睐", "追捧", "超预期", "好于预期", "亮眼", "强劲", "稳健", "高景气",
	}, EN: []string{
		"breakthrough*", "record high", "record", "surge*", "soar*", "jump*", "boost*", "boom*", "grow*", "growth", "gain*", "rise*", "rising",
		"improve*", "recover*", "rebound*", "turnaround", "profitable", "approv*", "cleared", "wins", "won", "secures", "secured", "lands", "landed",
		"signs", "signed", "launch*", "debut*", "unveil*", "starts", "started", "begins", "commissioned", "deliver*", "first", "leads", "leading",
		"tops", "top", "selected", "included", "support*", "benefit*", "opportunit*", "accelerat*", "expand*", "extend*", "enters", "entered", "entering",
		"captur*", "strong", "robust", "solid", "sold out", "sell out", "in demand", "success*", "milestone*", "progress", "overcome*",
		"cost down", "cheaper", "efficien*", "raises", "raised", "funding round", "backed", "partner*", "team up", "teams up", "lift*",
		"resume*", "restart*", "ease*", "eased", "relax*", "exempt*", "renewed", "renews", "renewal", "upgrade*", "outperform*", "beat*", "better-than-expected",
		"exceed*", "upbeat", "optimis*", "bullish", "tailwind*", "welcome*", "praise*", "adopt*",
	}},
	// bad news for the industry's firms.
	{ZH: []string{
		"下滑", "下降", "下跌", "暴跌", "大跌", "跳水", "腰斩", "缩水", "萎缩", "减少", "降低", "恶化", "亏损", "巨亏", "预亏", "首亏",
		"由盈转亏", "承压", "受挫", "受阻", "受限", "受影响", "冲击", "拖累", "拖累", "打击", "重创", "危机", "风险", "隐患", "警示", "预警",
		"违约", "逾期", "破产", "倒闭", "关停", "停产", "停工", "停摆", "减产", "裁员", "降薪", "欠薪", "跑路", "失联", "爆雷", "暴雷",
		"退市", "终止", "取消", "撤回", "叫停", "暂停", "搁置", "推迟", "延期", "延迟", "放缓", "低迷", "疲软", "不及预期", "低于预期",
		"失败", "未通过", "被拒", "驳回", "否决", "召回", "事故", "起火", "爆炸", "故障", "缺陷", "质量问题", "投诉", "处罚", "罚款",
		"立案", "调查", "起诉", "诉讼", "侵权", "败诉", "制裁", "断供", "封锁", "禁令", "限制", "管制", "加征", "关税", "反倾销", "退坡",
		"取消补贴", "过剩", "积压", "滞销", "价格战", "内卷", "恶性竞争", "流失", "出走", "离职", "被替代", "淘汰", "出局", "边缘化",
		"卡脖子", "短缺", "紧缺", "涨价", "上涨", "飙升", "攀升", "成本上升", "成本压力", "利润下滑", "毛利率下降", "现金流紧张",
		"资金链紧张", "资金链断裂", "质押爆仓", "冻结", "查封", "失信", "被执行", "减持", "清仓", "抛售", "跌停", "闪崩", "市值蒸发",
		"下调", "下修", "下行", "低于", "落后", "掉队", "困境", "困难", "难以", "举步维艰", "寒冬", "洗牌",
	}, EN: []string{
		"fall*", "fell", "drop*", "decline*", "slump*", "plunge*", "tumble*", "slide*", "sink*", "sank", "shrink*", "shrank", "contracted", "contraction",
		"cut*", "reduc*", "worsen*", "deteriorat*", "loss", "losses", "loss-making", "unprofitable", "pressure*", "hit", "hits", "hurt*",
		"weigh*", "blow", "crisis", "risk*", "warn*", "warning*", "default*", "bankrupt*", "insolven*", "collapse*", "shut*", "closure*",
		"closes", "closed", "closing", "halt*", "suspend*", "layoff*", "lay off", "laid off", "job cuts", "delist*", "terminat*", "cancel*", "withdraw*", "withdrew",
		"scrap*", "shelve*", "postpone*", "delay*", "slow*", "weak*", "sluggish", "misses", "missed", "below expectations", "disappoint*", "fail*",
		"reject*", "denied", "recall*", "accident*", "fire", "explosion*", "fault*", "defect*", "complaint*", "penalt*", "fine", "fines", "fined",
		"probe*", "investigat*", "sues", "sued", "lawsuit*", "infring*", "sanction*", "ban", "bans", "banned", "banning", "restrict*", "curb*", "tariff*", "glut",
		"oversupply", "overcapacity", "price war*", "exodus", "lose*", "losing", "lost", "obsolete", "squeez*", "shortage*", "soar*",
		"spike*", "cost pressure*", "strain*", "frozen", "seiz*", "downgrade*", "headwind*", "struggl*", "troubl*", "woes", "turmoil",
		"threat*", "threaten*", "concern*", "fear*", "uncertain*", "volatil*", "setback*", "bleak", "gloom*",
	}},
	// occasions and plans: news of a meeting, a statement, a plan, an
	// interpretation, a study — often neither good nor bad news.
	{ZH: []string{
		"会议", "大会", "年会", "论坛", "峰会", "研讨会", "座谈会", "交流会", "对接会", "推介会", "发布会", "新闻发布会", "博览会", "展会",
		"展览会", "交易会", "开幕", "闭幕", "举办", "举行", "召开", "出席", "致辞", "演讲", "讲话", "调研", "考察", "走访", "会见", "会谈",
		"座谈", "培训", "讲座", "解读", "答记者问", "问答", "表示", "认为", "指出", "预计", "预测", "展望", "分析", "报告", "白皮书",
		"蓝皮书", "研究报告", "调查报告", "统计", "数据显示", "发布", "公布", "披露", "公告", "计划", "规划", "路线图", "目标",
		"方案", "征求意见", "意见稿", "草案", "听证", "讨论", "审议", "酝酿", "筹备", "启动仪式", "揭牌", "签约仪式", "仪式", "任命",
		"当选", "换届", "人事", "辞职", "辞任", "履新", "成立", "挂牌", "更名", "迁址", "评选", "名单公布", "公示", "榜单", "排行榜",
		"回应", "澄清", "辟谣", "否认", "传闻", "据悉", "消息人士", "知情人士", "或将", "有望", "拟于", "将于", "尚未", "暂无", "持平",
		"平稳", "稳定", "维持", "不变", "如期", "按计划", "常规", "例行", "年度", "季度", "月度",
	}, EN: []string{
		"conference*", "forum*", "summit*", "symposium", "seminar*", "workshop*", "webinar*", "meeting*", "meets", "met with", "expo*",
		"exhibition*", "trade fair*", "trade show*", "fair", "convene*", "hosts", "hosted", "held", "holds", "attend*", "keynote*", "speech*",
		"remarks", "interview*", "q&a", "says", "said", "told", "comment*", "statement*", "according to", "expects", "expected", "forecast*",
		"outlook", "analysis", "analyst*", "report*", "white paper", "survey*", "study", "studies", "data show*", "figures show*", "publish*",
		"release*", "disclos*", "announce*", "plan", "plans", "planned", "planning", "intends", "aims", "target*", "roadmap*", "proposal*", "propose*", "draft*",
		"consultation*", "discuss*", "review*", "debate*", "ceremony", "inaugurat*", "appoint*", "elected", "names", "named", "resign*",
		"steps down", "founded", "establish*", "rename*", "renamed", "headquarters", "list of", "shortlist*", "ranking*", "responds",
		"clarif*", "denies", "rumour*", "rumor*", "sources", "people familiar", "reportedly", "may", "might", "could", "likely",
		"on track", "as planned", "on schedule", "unchanged", "steady", "stable", "flat", "maintain*", "routine", "annual", "quarterly",
		"monthly",
	}},
}

// industryLexicons name the components, materials and products each
// industry's news speaks of (what the taxonomy's keyword lists, written for
// the industry's own names, may lack): magnets and photoresist are new
// materials too, wafers and masks are semiconductors, separators and
// electrolytes lithium batteries. Like the dimension lexicons, each list is
// one feature of the model: it weighs what the corpus teaches it to.
var industryLexicons = map[string][]string{
	"electronic-information": {"消费电子", "智能手机", "手机", "平板", "笔记本电脑", "PC", "服务器", "交换机", "光模块", "光通信", "光纤",
		"5G", "6G", "基站", "通信设备", "显示面板", "面板", "OLED", "LCD", "Mini LED", "Micro LED", "液晶", "触控", "摄像头模组", "模组",
		"PCB", "印制电路板", "覆铜板", "被动元件", "电容", "MLCC", "电感", "连接器", "传感器", "声学", "可穿戴", "智能终端", "卫星互联网",
		"卫星通信", "北斗", "物联网", "电子元器件", "元器件", "smartphone*", "handset*", "laptop*", "tablet*", "server*", "switches",
		"optical module*", "optical transceiver*", "transceiver*", "fibre optic*", "fiber optic*", "base station*", "telecom*", "display*",
		"oled", "lcd", "microled", "mini-led", "touch panel*", "camera module*", "printed circuit board*", "pcb*", "copper clad laminate*",
		"passive component*", "capacitor*", "mlcc*", "inductor*", "connector*", "sensor*", "wearable*", "consumer electronics", "iot",
		"internet of things", "satellite internet", "satellite broadband", "electronic component*"},
	"semiconductors": {"芯片", "集成电路", "晶圆", "晶圆厂", "硅片", "光刻机", "光刻胶", "掩膜版", "刻蚀机", "薄膜沉积", "离子注入", "CMP",
		"抛光液", "靶材", "电子特气", "封装", "封测", "先进封装", "Chiplet", "HBM", "DRAM", "NAND", "存储芯片", "存储器", "MCU", "SoC", "GPU",
		"CPU", "FPGA", "ASIC", "模拟芯片", "功率半导体", "功率器件", "IGBT", "MOSFET", "碳化硅", "氮化镓", "衬底", "外延", "EDA", "IP核",
		"流片", "制程", "纳米工艺", "代工", "晶圆代工", "chip*", "semiconductor*", "integrated circuit*", "wafer*", "fab", "fabs", "foundr*",
		"lithography", "photoresist*", "photomask*", "etch*", "deposition", "ion implant*", "cmp slurr*", "sputtering target*",
		"packaging", "hbm", "dram", "nand", "memory", "microcontroller*", "mcu*", "soc", "gpu*", "cpu*", "fpga*", "asic*", "analog chip*",
		"power semiconductor*", "igbt*", "mosfet*", "silicon carbide", "gallium nitride", "substrate*", "epitax*", "eda", "tape-out",
		"process node*", "nanometre*", "nanometer*", "nm"},
	"new-materials": {"新材料", "先进材料", "材料", "碳纤维", "复合材料", "石墨烯", "石墨", "高分子", "特种工程塑料", "工程塑料", "PEEK", "芳纶",
		"超高分子量聚乙烯", "陶瓷", "特种陶瓷", "高温合金", "钛合金", "铝合金", "镁合金", "特种钢", "电子化学品", "光刻胶", "湿电子化学品",
		"电子特气", "靶材", "磁材", "永磁材料", "钕铁硼", "隔膜", "电解液", "正极材料", "负极材料", "前驱体", "有机硅", "氟化工", "含氟",
		"膜材料", "薄膜", "光学膜", "涂层", "纳米材料", "气凝胶", "玻纤", "玻璃纤维", "超导", "石英", "高纯", "催化剂", "生物基材料",
		"可降解", "material*", "carbon fibre*", "carbon fiber*", "composite*", "graphene", "graphite", "polymer*", "engineering plastic*",
		"peek", "aramid", "ceramic*", "superalloy*", "titanium alloy*", "aluminium alloy*", "aluminum alloy*", "specialty steel*",
		"electronic chemical*", "photoresist*", "specialty gas*", "sputtering target*", "magnet*", "permanent magnet*", "ndfeb",
		"separator*", "electrolyte*", "cathode material*", "anode material*", "precursor*", "silicone*", "fluorochemical*", "film*",
		"coating*", "nanomaterial*", "aerogel*", "glass fibre*", "glass fiber*", "superconduct*", "quartz", "high-purity", "catalyst*",
		"bio-based", "biodegradable"},
	"nonferrous-rare-earth": {"稀土", "轻稀土", "重稀土", "中重稀土", "氧化镨钕", "镨钕", "镝", "铽", "钕", "钇", "稀土永磁", "钕铁硼", "磁材",
		"钨", "钼", "锑", "钴", "镍", "铜", "铝", "锌", "铅", "镓", "锗", "铟", "钽", "铌", "锂", "有色金属", "有色", "矿山", "矿产",
		"采矿", "冶炼", "分离", "精矿", "开采指标", "稀土配额", "离子型稀土", "赣州", "rare earth*", "rare-earth*", "praseodymium",
		"neodymium", "dysprosium", "terbium", "yttrium", "ndpr", "permanent magnet*", "magnet*", "tungsten", "molybdenum", "tin", "antimony",
		"cobalt", "nickel", "copper", "aluminium", "aluminum", "zinc", "gallium", "germanium", "indium", "tantalum", "niobium",
		"non-ferrous", "nonferrous", "base metal*", "metal*", "mine*", "mining", "miner*", "smelter*", "smelting", "refinery", "ore",
		"concentrate*"},
	"lithium-battery": {"锂电", "锂电池", "动力电池", "储能电池", "电芯", "电池包", "正极", "负极", "隔膜", "电解液", "铜箔", "铝箔", "集流体",
		"磷酸铁锂", "三元", "高镍", "钴酸锂", "锰酸锂", "碳酸锂", "氢氧化锂", "六氟磷酸锂", "锂盐", "锂矿", "锂辉石", "盐湖提锂", "云母提锂",
		"宜春", "钠离子电池", "固态电池", "半固态", "储能", "电化学储能", "新能源汽车", "电动车", "电动汽车", "换电", "充电桩", "BMS",
		"电池回收", "梯次利用", "lithium*", "li-ion", "battery", "batteries", "battery cell*", "cells", "battery pack*", "cathode*",
		"anode*", "separator*", "electrolyte*", "copper foil", "lfp", "lithium iron phosphate", "ncm", "nmc", "nickel-rich", "high-nickel",
		"lithium carbonate", "lithium hydroxide", "lithium salt*", "spodumene", "lepidolite", "brine", "sodium-ion", "solid-state battery",
		"solid-state batteries", "energy storage", "storage system*", "electric vehicle*", "ev", "evs", "battery swap*", "charging pile*",
		"charging station*", "battery recycling"},
	"photovoltaics": {"光伏", "太阳能", "组件", "光伏组件", "电池片", "硅片", "多晶硅", "硅料", "单晶", "N型", "P型", "TOPCon", "HJT", "异质结",
		"BC电池", "背接触", "钙钛矿", "叠层", "PERC", "逆变器", "光伏玻璃", "胶膜", "EVA", "POE", "边框", "支架", "跟踪支架", "银浆", "银包铜",
		"光伏电站", "分布式光伏", "户用光伏", "装机", "并网", "弃光", "上饶", "solar", "photovoltaic*", "pv", "module*",
		"solar cell*", "solar panel*", "polysilicon", "ingot*", "wafer*", "n-type", "p-type", "topcon", "hjt", "heterojunction",
		"back-contact", "perovskite*", "tandem", "perc", "inverter*", "solar glass", "encapsulant*", "silver paste", "tracker*",
		"solar farm*", "solar plant*", "rooftop solar", "distributed solar", "grid connection", "curtailment"},
	"biomedicine": {"医药", "生物医药", "药品", "药物", "创新药", "仿制药", "原料药", "中间体", "制剂", "生物制品", "疫苗", "抗体", "单抗", "双抗",
		"ADC", "细胞治疗", "CAR-T", "基因治疗", "mRNA", "中药", "中成药", "医疗器械", "器械", "体外诊断", "IVD", "试剂", "耗材", "医疗设备",
		"影像设备", "CXO", "CRO", "CDMO", "临床", "新药", "IND", "NDA", "BLA", "上市申请", "药监局", "医保", "集采", "医院", "患者",
		"靶点", "适应症", "樟树", "pharma*", "drug*", "medicine*", "generic*", "api", "apis", "active pharmaceutical ingredient*",
		"biologic*", "biotech*", "vaccine*", "antibod*", "adc*", "cell therap*", "car-t", "gene therap*", "mrna", "medical device*",
		"diagnostic*", "ivd", "reagent*", "imaging", "cro*", "cdmo*", "clinical", "trial*", "fda", "ema", "nmpa", "hospital*",
		"patient*", "oncology", "cancer", "therap*", "biosimilar*"},
	"aviation": {"航空", "航空器", "飞机", "客机", "大飞机", "C919", "C929", "ARJ21", "支线飞机", "通用航空", "通航", "无人机", "直升机",
		"eVTOL", "低空经济", "低空", "飞行汽车", "航空发动机", "发动机", "机身", "机翼", "起落架", "航电", "机载", "复合材料构件", "适航",
		"适航证", "型号合格证", "试飞", "首飞", "航空公司", "航司", "机场", "航线", "MRO", "商飞", "洪都", "景德镇",
		"aviation", "aerospace", "aircraft", "airliner*", "jet", "jets", "jetliner*", "planes", "c919", "c929", "arj21", "regional jet*", "general aviation",
		"drone*", "uav*", "unmanned aerial", "helicopter*", "evtol*", "low-altitude", "flying car*", "aero-engine*", "aero engine*",
		"jet engine*", "engine", "engines", "fuselage*", "landing gear", "avionics", "airworthiness", "type certificate*", "flight test*",
		"first flight", "airline*", "airport*", "mro", "comac", "boeing", "airbus", "faa", "easa", "caac"},
	"high-end-equipment": {"高端装备", "装备", "装备制造", "智能制造", "工业母机", "机床", "数控机床", "五轴", "工业机器人", "机器人", "减速器",
		"伺服", "控制器", "数控系统", "PLC", "工业软件", "传感器", "激光", "激光器", "3D打印", "增材制造", "工程机械", "挖掘机", "起重机",
		"盾构机", "轨道交通", "高铁", "动车", "船舶", "海工", "风电装备", "风机", "燃气轮机", "核电装备", "特高压", "电力装备", "变压器",
		"半导体设备", "光伏设备", "锂电设备", "检测设备", "仪器仪表", "精密", "轴承", "液压", "齿轮", "自动化",
		"equipment", "machinery", "machine tool*", "cnc", "five-axis", "industrial robot*", "robot*", "robotic*", "reducer*", "servo*",
		"controller*", "plc*", "industrial software", "laser*", "3d printing", "additive manufacturing", "construction machinery",
		"excavator*", "crane*", "tunnel boring", "rail transit", "high-speed rail", "shipbuilding", "ships", "shipyard*", "offshore", "wind turbine*",
		"gas turbine*", "nuclear equipment", "uhv", "transformer*", "instrument*", "precision", "bearing*", "hydraulic*", "gear*",
		"automation", "production line*", "smart manufacturing"},
	"digital-ai": {"人工智能", "AI", "大模型", "生成式", "AIGC", "智能体", "算力", "智算", "智算中心", "数据中心", "云计算", "云服务", "边缘计算",
		"算法", "深度学习", "机器学习", "机器视觉", "计算机视觉", "语音识别", "自然语言", "数字经济", "数据要素", "数据交易", "数字化",
		"数字化转型", "工业互联网", "软件", "SaaS", "操作系统", "数据库", "网络安全", "信创", "元宇宙", "区块链", "数字孪生", "自动驾驶",
		"智能驾驶", "具身智能", "人形机器人", "大数据", "数据安全", "ai", "artificial intelligence", "generative", "genai", "llm*",
		"large language model*", "foundation model*", "chatbot*", "agent*", "agentic", "compute", "computing power", "data centre*",
		"data center*", "cloud", "edge computing", "algorithm*", "deep learning", "machine learning", "computer vision", "speech recognition",
		"natural language", "digital economy", "data exchange*", "digitalisation", "digitalization", "digital transformation",
		"industrial internet", "software", "saas", "operating system*", "database*", "cybersecurity", "metaverse", "blockchain",
		"digital twin*", "autonomous driving", "self-driving", "embodied ai", "humanoid*", "big data", "openai", "gpt*", "model*"},
	"energy-saving": {"节能", "节能环保", "环保", "能效", "能耗", "节能改造", "余热", "余热回收", "余压", "热泵", "高效电机", "变频", "节能灯",
		"LED照明", "半导体照明", "合同能源管理", "EMC", "碳减排", "减排", "碳排放", "碳交易", "碳汇", "碳足迹", "CCUS", "碳捕集", "氢能",
		"绿氢", "燃料电池", "储能", "虚拟电厂", "综合能源", "污水处理", "水处理", "固废", "危废", "垃圾发电", "脱硫", "脱硝", "除尘",
		"VOCs", "环境监测", "新风", "绿色建筑", "能源管理", "energy saving", "energy-saving", "energy efficiency", "energy-efficient",
		"waste heat", "waste-heat", "heat pump*", "efficient motor*", "variable-frequency", "led lighting", "lighting",
		"energy performance contract*", "emission reduction*", "emissions", "carbon trading", "carbon credit*", "carbon footprint",
		"ccus", "carbon capture", "hydrogen", "green hydrogen", "fuel cell*", "virtual power plant*", "wastewater", "water treatment",
		"solid waste", "hazardous waste", "waste-to-energy", "desulphur*", "desulfur*", "denitr*", "dust removal", "vocs",
		"environmental monitoring", "green building*", "energy management"},
}

// lexScale is the lexicon weight at which a feature reaches 1-1/e: a word
// in the title counts 2, in the summary 1.
const lexScale = 3.0

// addLexicons adds the lexicons' words to the classifier's patterns.
func (c *Classifier) addLexicons() {
	for k, l := range lexicons {
		for _, term := range dedupe(l.all()) {
			c.base.add(term, entry{kind: kindLexicon, target: k})
		}
	}
	for i, ind := range c.tax.Industries {
		if i >= 16 {
			break
		}
		for _, term := range dedupe(industryLexicons[ind.Code]) {
			c.base.add(term, entry{kind: kindLexicon, target: nLex + i})
		}
	}
}

func dedupe(terms []string) []string {
	seen := map[string]bool{}
	out := terms[:0:0]
	for _, t := range terms {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// lexiconScores sums the lexicon words of an item, each word once per
// region, title words counting titleWeight.
func (c *Classifier) lexiconScores(hits []hit, rs *ruleScores) {
	seen := make([]seenKey, 0, 32)
	for _, h := range hits {
		sk := seenKey{h.key, h.title}
		if slices.Contains(seen, sk) {
			continue
		}
		seen = append(seen, sk)
		w := 1.0
		if h.title {
			w = titleWeight
		}
		for _, e := range c.patterns[h.key].entries {
			if e.target < nLex {
				rs.lex[e.target] += w
			} else {
				rs.indLex[e.target-nLex] += w
			}
		}
	}
}

// lexRules are the dimension lexicons' rule labels on the item page.
var lexRules = func() (out [lexGood]struct {
	id, en, zh string
	dims       []string
}) {
	for k := range out {
		n := lexNames[k]
		out[k].id, out[k].en, out[k].zh = "lexicon."+n[0], "lexicon: "+n[0]+" word", "维度词表："+n[1]+"词"
		out[k].dims = []string{Dimensions[k]}
	}
	return out
}()

// lexiconCues adds to l the dimension lexicons' words behind the
// dimensions it was given, so the item page shows them (Modifier
// "lexicon", RuleID "lexicon.<dimension>").
func (c *Classifier) lexiconCues(l *Label, hits []hit) {
	seen := make([]int32, 0, 32)
	for _, h := range hits {
		if slices.Contains(seen, h.key) {
			continue
		}
		for _, e := range c.patterns[h.key].entries {
			if e.target >= lexGood || !slices.Contains(l.Dimensions, Dimensions[e.target]) {
				continue
			}
			seen = append(seen, h.key)
			r := &lexRules[e.target]
			l.Cues = append(l.Cues, Cue{Term: c.patterns[h.key].term, Dimensions: r.dims, Polarity: Neutral,
				InTitle: h.title, Modifier: "lexicon", RuleID: r.id, Rule: r.en, RuleZH: r.zh})
			break
		}
	}
}
