#!/usr/bin/env python3
"""Writes testdata/composed.jsonl: headlines with summaries composed from
hand-written event phrasings (zh and en), each phrasing labelled once by the
dimension definitions of ../shared/API.md § Codes.

Every event names what changes (subject), how (direction) and on whose side
(the industry's input or output), with negated, denied and policy variants:
the hard cases of issue 20. The held-out split is by phrasing: about a quarter
of each event's phrasings (and every item made from them) are "test" and are
never used to tune the dictionaries or train the model, so the test split
measures phrasings the classifier has not seen, not only new slot fillers.

Run from intel/classify: python3 testdata/gen_corpus.py (deterministic).
"""
import json, random, hashlib

R = random.Random(20)

# Industries: products (output side), inputs (what they buy), companies.
IND = {
 "semiconductors": dict(
  zp=["车规级MCU芯片", "功率半导体器件", "碳化硅MOSFET", "12英寸晶圆", "存储芯片", "模拟芯片", "射频芯片", "IGBT模块", "封装测试服务", "氮化镓外延片", "光刻胶", "晶圆代工"],
  ep=["automotive MCUs", "power semiconductors", "silicon carbide MOSFETs", "12-inch wafers", "memory chips", "analog chips", "RF chips", "IGBT modules", "chip packaging services", "gallium nitride epitaxial wafers", "photoresists", "foundry services"],
  zi=["电子特气", "高纯硅材料", "光刻胶", "靶材"], ei=["specialty gases", "high-purity silicon", "photoresist", "sputtering targets"],
  zc=["赣州芯研微电子", "南昌晶源半导体", "吉安华芯科技", "九江微纳电子"], ec=["Xinyan Microelectronics", "Jingyuan Semiconductor", "Huaxin Tech", "a Nanchang chipmaker"]),
 "electronic-information": dict(
  zp=["智能手机", "LED显示屏", "印制电路板", "光模块", "VR头显", "物联网模组", "5G基站天线", "被动元器件", "摄像头模组", "智能穿戴设备"],
  ep=["smartphones", "LED displays", "printed circuit boards", "optical transceivers", "VR headsets", "IoT modules", "5G base-station antennas", "passive components", "camera modules", "smart wearables"],
  zi=["存储芯片", "显示面板", "覆铜板", "铜箔"], ei=["memory chips", "display panels", "copper-clad laminates", "copper foil"],
  zc=["吉安立讯电子", "赣州显芯光电", "南昌欧菲光学", "九江通达电子"], ec=["Lixun Electronics", "Xianxin Optoelectronics", "a Ji'an PCB maker", "Tongda Electronics"]),
 "new-materials": dict(
  zp=["碳纤维", "有机硅单体", "氟化工产品", "特种合金", "石墨烯导热膜", "先进陶瓷", "高性能复合材料", "特种钢材", "芳纶纤维", "电子级氢氟酸"],
  ep=["carbon fibre", "organosilicon monomers", "fluorochemicals", "specialty alloys", "graphene thermal films", "advanced ceramics", "high-performance composites", "specialty steel", "aramid fibre", "electronic-grade hydrofluoric acid"],
  zi=["丙烯腈", "工业硅", "萤石", "镍"], ei=["acrylonitrile", "industrial silicon", "fluorspar", "nickel"],
  zc=["星火有机硅", "九江新材料", "景德镇陶瓷科技", "新余特钢"], ec=["Xinghuo Organosilicon", "Jiujiang New Materials", "a Jingdezhen ceramics maker", "Xinyu Special Steel"]),
 "nonferrous-rare-earth": dict(
  zp=["稀土氧化物", "钕铁硼永磁", "钨精矿", "碳化钨粉", "钽铌制品", "阴极铜", "氧化镨钕", "稀土抛光粉", "再生铜"],
  ep=["rare-earth oxides", "NdFeB magnets", "tungsten concentrate", "tungsten carbide powder", "tantalum and niobium products", "copper cathode", "praseodymium-neodymium oxide", "rare-earth polishing powder", "recycled copper"],
  zi=["稀土矿", "铜精矿", "钨矿原料", "硫酸"], ei=["rare-earth ore", "copper concentrate", "tungsten ore", "sulphuric acid"],
  zc=["赣州稀土集团", "江西铜业", "章源钨业", "虔东稀土"], ec=["Ganzhou Rare Earth Group", "Jiangxi Copper", "Zhangyuan Tungsten", "a Ganzhou magnet maker"]),
 "lithium-battery": dict(
  zp=["动力电池", "储能电池", "磷酸铁锂正极材料", "锂电池隔膜", "电解液", "碳酸锂", "钠离子电池", "固态电池", "负极材料"],
  ep=["EV batteries", "energy-storage batteries", "lithium iron phosphate cathodes", "battery separators", "electrolyte", "lithium carbonate", "sodium-ion batteries", "solid-state batteries", "anode materials"],
  zi=["碳酸锂", "锂云母", "六氟磷酸锂", "钴"], ei=["lithium carbonate", "lepidolite", "lithium hexafluorophosphate", "cobalt"],
  zc=["赣锋锂业", "宜春锂能科技", "孚能科技", "新余锂电"], ec=["Ganfeng Lithium", "Yichun Lithium Energy", "Farasis Energy", "a Yichun battery maker"]),
 "photovoltaics": dict(
  zp=["光伏组件", "TOPCon电池片", "异质结电池", "多晶硅", "单晶硅片", "光伏逆变器", "钙钛矿电池", "BC电池", "分布式光伏电站"],
  ep=["solar modules", "TOPCon solar cells", "heterojunction cells", "polysilicon", "monocrystalline wafers", "solar inverters", "perovskite solar cells", "back-contact cells", "rooftop solar plants"],
  zi=["多晶硅", "光伏玻璃", "银浆", "硅料"], ei=["polysilicon", "solar glass", "silver paste", "silicon feedstock"],
  zc=["晶科能源", "上饶光伏科技", "赛维太阳能", "新余光电"], ec=["JinkoSolar", "a Shangrao solar firm", "LDK Solar", "a Jiangxi module maker"]),
 "biomedicine": dict(
  zp=["创新药", "中成药", "原料药", "单克隆抗体", "医疗器械", "体外诊断试剂", "疫苗", "生物类似药", "医用耗材"],
  ep=["innovative drugs", "traditional Chinese medicines", "active pharmaceutical ingredients", "monoclonal antibodies", "medical devices", "in-vitro diagnostic kits", "vaccines", "biosimilars", "medical consumables"],
  zi=["中药材", "医药中间体", "培养基", "药用辅料"], ei=["herbal raw materials", "drug intermediates", "cell-culture media", "pharmaceutical excipients"],
  zc=["江中制药", "仁和药业", "济民可信", "南昌生物医药"], ec=["Jiangzhong Pharmaceutical", "Renhe Pharmacy", "Jimin Kexin", "a Nanchang biotech"]),
 "aviation": dict(
  zp=["教练机", "直升机", "工业无人机", "通用航空器", "航空发动机叶片", "机身结构件", "航空维修服务", "eVTOL飞行器", "民用客机"],
  ep=["trainer jets", "helicopters", "industrial drones", "general-aviation aircraft", "aero-engine blades", "airframe parts", "aircraft maintenance services", "eVTOL aircraft", "passenger jets"],
  zi=["航空铝材", "钛合金", "碳纤维复合材料", "航空轴承"], ei=["aerospace aluminium", "titanium alloy", "carbon-fibre composites", "aerospace bearings"],
  zc=["洪都航空", "昌飞公司", "景德镇直升机", "南昌低空科技"], ec=["Hongdu Aviation", "Changhe Aircraft", "a Jingdezhen helicopter maker", "a Nanchang drone firm"]),
 "high-end-equipment": dict(
  zp=["工业机器人", "数控机床", "新能源汽车", "变压器", "矿山机械", "3D打印设备", "风电装备", "电动汽车电机", "工程机械"],
  ep=["industrial robots", "CNC machine tools", "new-energy vehicles", "power transformers", "mining machinery", "3D printers", "wind-power equipment", "EV motors", "construction machinery"],
  zi=["钢材", "伺服电机", "精密减速器", "稀土永磁体"], ei=["steel", "servo motors", "precision reducers", "rare-earth magnets"],
  zc=["江铃汽车", "南昌智能装备", "赣州数控机床", "吉安工业机器人"], ec=["Jiangling Motors", "a Nanchang robot maker", "Ganzhou CNC", "a Jiangxi machine-tool maker"]),
 "digital-ai": dict(
  zp=["大模型", "智算中心", "工业互联网平台", "数据交易", "网络安全服务", "国产操作系统", "云计算服务", "AI客服系统", "算力租赁"],
  ep=["large language models", "AI computing centres", "industrial internet platforms", "data trading", "cybersecurity services", "domestic operating systems", "cloud services", "AI customer-service software", "GPU rental"],
  zi=["GPU芯片", "算力", "电力", "高端服务器"], ei=["GPUs", "computing power", "electricity", "AI servers"],
  zc=["南昌智算科技", "江西数科", "泰豪软件", "赣州云数据"], ec=["a Nanchang AI start-up", "Jiangxi Digital Tech", "Taihao Software", "a Ganzhou cloud provider"]),
 "energy-saving": dict(
  zp=["余热回收装置", "污水处理设备", "固废资源化项目", "脱硫脱硝设备", "碳捕集装置", "氢燃料电池", "高效节能电机", "垃圾焚烧发电", "合同能源管理服务"],
  ep=["waste-heat recovery units", "wastewater treatment equipment", "solid-waste recycling plants", "flue-gas desulphurisation equipment", "carbon capture units", "hydrogen fuel cells", "high-efficiency motors", "waste-to-energy plants", "energy-performance contracting"],
  zi=["膜材料", "催化剂", "铂", "钢材"], ei=["membranes", "catalysts", "platinum", "steel"],
  zc=["江西节能环保", "南昌水务科技", "鹰潭环保装备", "赣州绿能"], ec=["Jiangxi Energy Conservation", "Nanchang Water Tech", "an Yingtan environmental firm", "Ganzhou Green Energy"]),
}

# Buyer industries whose input comes from another industry: (buyer, seller, zh input, en input).
CROSS = [
 ("high-end-equipment", "lithium-battery", "动力电池", "EV batteries"),
 ("high-end-equipment", "nonferrous-rare-earth", "稀土永磁材料", "rare-earth magnets"),
 ("electronic-information", "semiconductors", "存储芯片", "memory chips"),
 ("digital-ai", "semiconductors", "AI芯片", "AI chips"),
 ("aviation", "new-materials", "碳纤维复合材料", "carbon-fibre composites"),
 ("lithium-battery", "nonferrous-rare-earth", "钴镍原料", "cobalt and nickel"),
 ("photovoltaics", "new-materials", "光伏胶膜", "encapsulant film"),
 ("high-end-equipment", "semiconductors", "车规芯片", "automotive chips"),
]

ZR = ["江西", "赣州", "南昌", "宜春", "上饶", "吉安", "九江", "景德镇", "萍乡", "新余", "鹰潭", "抚州"]
ER = ["Jiangxi", "Ganzhou", "Nanchang", "Yichun", "Shangrao", "Ji'an", "Jiujiang"]
ZX = ["美国", "欧盟", "日本", "荷兰", "印度", "韩国"]
EX = ["the US", "the EU", "Japan", "the Netherlands", "India", "South Korea"]

# Events: dims, polarity, zh phrasings, en phrasings (title|summary). Slots:
# {co} company, {p} product (output), {i} input, {r} region, {x} country, {n} number.
E = []
def ev(name, dims, pol, zh, en):
    E.append(dict(name=name, dims=dims, pol=pol, zh=zh, en=en))

# --- market: output side
ev("out-price-down", ["market"], "risk", [
 "{p}价格连续下跌{n}%|受新增产能集中释放影响，{p}报价持续走低，多数厂商毛利率明显收窄。",
 "{p}报价跌至近三年低位 企业盈利承压|行业库存偏高，下游压价采购，{co}等企业利润大幅下滑。",
 "{r}{p}出厂价再度下调|{co}本月将主力产品价格下调{n}%，以应对同行低价竞争。",
 "{p}市场陷入价格战|多家企业低价抢单，{p}均价较年初下降{n}%，行业亏损面扩大。",
 "{p}行情低迷 价格跌破成本线|业内人士称，部分中小厂商已开始减产。",
], [
 "{p} prices slide {n}% as new capacity floods the market|Average selling prices have fallen for six straight months, squeezing margins at {co}.",
 "{p} prices hit a three-year low|Buyers are holding back orders, and producers including {co} report shrinking margins.",
 "Price war erupts in {p}|Several makers slashed list prices by {n}% to defend market share.",
 "{co} cuts {p} prices again amid weak demand|The company said selling prices fell below cost for some products.",
 "Slump in {p} prices deepens|Analysts expect the downturn to last into next year as inventories pile up.",
])
ev("out-price-up", ["market"], "opportunity", [
 "{p}价格大幅上涨 企业盈利改善|供需格局好转，{p}均价较上月上涨{n}%，{co}毛利率回升。",
 "{p}报价连续上调|下游需求旺盛，{co}表示订单已排至明年。",
 "{r}{p}价格企稳回升|行业去库存接近尾声，主流产品价格环比上涨{n}%。",
 "{p}迎来涨价潮|多家厂商上调报价，{co}预计全年利润将显著增长。",
], [
 "{p} prices jump {n}% on strong demand|Producers including {co} expect margins to widen this quarter.",
 "{co} raises {p} prices as orders recover|The company said demand outstripped supply for the first time in two years.",
 "{p} prices rebound after long slump|Inventories have normalised and spot prices rose {n}% this month.",
 "Tight market lifts {p} prices to record high|Traders say buyers are paying premiums to secure supply.",
])
ev("orders-down", ["market"], "risk", [
 "{co}{p}订单大幅下滑|公司披露三季度新签订单同比减少{n}%，产能利用率降至六成。",
 "{p}需求疲软 {r}多家企业订单减少|海外客户推迟采购，行业出货量同比下降{n}%。",
 "{p}出货量同比下降{n}%|终端需求不振，{co}下调全年销售目标。",
 "订单骤减 {co}部分产线停产|公司称{p}市场需求低于预期，将阶段性减产。",
], [
 "{co} warns of falling {p} orders|New orders dropped {n}% year on year, and the plant is running at 60% of capacity.",
 "Weak demand hits {p} shipments|Shipments fell {n}% in the quarter as customers delayed purchases.",
 "{p} sales slump as buyers hold back|{co} cut its full-year sales target.",
 "Orders for {p} dry up|Several producers in {r} have idled lines after customers cancelled contracts.",
])
ev("orders-up", ["market"], "opportunity", [
 "{co}斩获{p}大单|公司与海外客户签订价值{n}亿元的供货合同，订单排产至明年。",
 "{p}销量同比增长{n}%|{r}企业出口订单饱满，产线满负荷运转。",
 "{p}需求旺盛 {co}订单创历史新高|公司上半年新签订单同比增长{n}%。",
 "{r}{p}出口订单大增|海外市场需求回暖，多家企业扩招工人赶工。",
], [
 "{co} wins a record {p} order|The contract, worth {n} billion yuan, fills its lines into next year.",
 "{p} sales surge {n}% on export demand|Factories in {r} are running at full capacity.",
 "Demand for {p} booms as {co} posts record orders|New orders rose {n}% in the first half.",
 "{co} signs major {p} supply deal with overseas customer|The agreement secures shipments for three years.",
])
ev("overcapacity", ["market"], "risk", [
 "{p}行业产能过剩加剧|在建产能持续投放，行业开工率不足五成，库存高企。",
 "{p}供过于求 企业库存积压|{co}库存周转天数增至{n}天，行业面临洗牌。",
 "{r}{p}项目扎堆上马 专家警示过剩风险|新增产能远超需求增速，价格竞争恐进一步加剧。",
], [
 "Overcapacity in {p} worsens|Utilisation has fallen below 50% and inventories keep rising.",
 "{p} glut weighs on producers|{co} said inventory days climbed to {n}, the highest on record.",
 "Analysts warn of a {p} supply glut|New plants will add far more output than demand can absorb.",
])
ev("competition", ["market"], "risk", [
 "{p}市场竞争加剧 {co}份额下滑|国际巨头降价抢市场，公司市场占有率下降{n}个百分点。",
 "{p}赛道内卷 中小企业生存承压|同质化产品扎堆，行业平均毛利率不足一成。",
 "新进入者涌入{p}领域|跨界企业大举投资，行业竞争格局恶化。",
], [
 "Fierce competition erodes {co}'s share of the {p} market|Foreign rivals cut prices and took {n} points of share.",
 "Crowded {p} market squeezes smaller makers|Average gross margins have fallen below 10%.",
 "New entrants pile into {p}|Incumbents face mounting price pressure.",
])
ev("market-share-up", ["market"], "opportunity", [
 "{co}{p}国内市场份额升至第一|公司凭借性价比优势，市场占有率提升{n}个百分点。",
 "{r}{p}打开海外市场|{co}产品进入欧洲主流渠道，海外营收同比翻番。",
], [
 "{co} becomes the top {p} supplier in China|Its market share rose {n} points this year.",
 "{co} breaks into European {p} market|Overseas revenue doubled year on year.",
])
# --- input side (whose side): input cost
ev("input-cost-up", ["market", "supply-chain"], "risk", [
 "{i}价格上涨 {p}企业成本承压|上游{i}报价一个月内上涨{n}%，{co}等下游厂商利润被压缩。",
 "上游{i}涨价 {r}{p}厂商被迫减产|原材料成本占比高，企业难以向下游传导。",
 "{i}价格飙升推高{p}生产成本|{co}表示，原材料成本上升将拖累全年利润。",
 "原材料{i}持续涨价 {p}行业利润缩水|多家企业反映采购成本同比上升{n}%。",
], [
 "Rising {i} prices squeeze {p} makers|The cost of {i} climbed {n}% in a month, eroding margins at {co}.",
 "{p} producers hit by soaring {i} costs|Makers in {r} say they cannot pass the higher input costs on to customers.",
 "{i} price spike raises costs for {p} industry|{co} warned that higher raw-material costs will weigh on profits.",
 "Input costs jump for {p} manufacturers as {i} rallies|Procurement costs rose {n}% year on year.",
])
ev("input-cost-down", ["market", "supply-chain"], "opportunity", [
 "{i}价格回落 {p}企业成本压力缓解|上游{i}价格较高点下降{n}%，{co}毛利率有望改善。",
 "原材料{i}降价 {r}{p}厂商利润回升|采购成本下降，企业盈利能力明显增强。",
 "上游{i}跌价利好{p}行业|{co}表示原材料成本下降将提升全年利润。",
 "{i}成本下降 {p}生产商迎来喘息|多家企业反映采购成本同比降低{n}%。",
], [
 "Falling {i} prices ease cost pressure on {p} makers|{i} has dropped {n}% from its peak, and {co} expects margins to improve.",
 "Cheaper {i} boosts {p} producers' profits|Lower raw-material costs lifted margins at makers in {r}.",
 "{p} makers benefit as {i} costs fall|{co} said lower input costs would lift full-year earnings.",
 "Raw-material relief for {p} industry as {i} slides|Purchasing costs are down {n}% year on year.",
])
ev("shortage", ["supply-chain"], "risk", [
 "{i}供应紧张 {p}企业面临断料|上游{i}产能检修，{co}原料库存仅够维持两周。",
 "{p}关键原料{i}短缺|部分企业因缺料被迫停产，交付周期延长。",
 "{i}严重依赖进口 {p}供应链存隐患|国内{i}自给率不足三成，一旦断供影响巨大。",
], [
 "{i} shortage threatens {p} output|{co} says its stock of {i} will last only two weeks.",
 "{p} makers scramble for scarce {i}|Some plants have halted production for lack of materials.",
 "Reliance on imported {i} exposes {p} supply chain|Domestic output covers less than a third of demand.",
])
ev("sanction", ["supply-chain"], "risk", [
 "{x}将{co}列入制裁名单|{co}将无法采购部分关键零部件，{p}生产或受影响。",
 "海外供应商对{co}停止供货|涉及{p}生产所需的核心部件，公司正寻找替代来源。",
 "{x}断供关键部件 {r}{p}企业受冲击|多家企业的进口零部件采购受阻。",
], [
 "{x} sanctions {co}, cutting off key parts|The move blocks purchases of components needed for {p}.",
 "Foreign supplier halts shipments to {co}|The parts are critical to its {p} production.",
 "Supply cut from {x} hits {p} makers in {r}|Imports of key components have been blocked.",
])
ev("substitution", ["supply-chain"], "opportunity", [
 "{co}实现{i}国产替代|公司自主研发的{i}通过客户验证，打破国外垄断。",
 "{r}{p}产业链补齐关键环节|本地配套率提升至{n}%，企业采购周期大幅缩短。",
 "{p}核心部件实现自主可控|{co}宣布关键部件全部国产化。",
], [
 "{co} replaces imported {i} with domestic supply|Its home-grown {i} has passed customer qualification.",
 "{r} fills a gap in the {p} supply chain|Local sourcing has risen to {n}%, shortening lead times.",
 "{co} localises all key components for {p}|The company no longer depends on foreign suppliers.",
])
ev("supply-neutral", ["supply-chain"], "neutral", [
 "{co}在{r}设立{p}配套基地|项目主要为现有客户就近配套，预计明年投产。",
 "{p}企业加快海外建厂布局|多家企业宣布在东南亚设厂，以贴近客户。",
], [
 "{co} opens a {p} supply hub in {r}|The site will serve existing customers from next year.",
 "{p} makers shift some production overseas|Several firms announced plants in Southeast Asia to be closer to customers.",
])
# --- policy
ev("subsidy-extended", ["policy"], "opportunity", [
 "{p}购置补贴政策延续至明年底|财政部明确，相关补贴标准保持不变，{r}企业将继续受益。",
 "{r}出台{p}产业扶持新政|对新建项目给予最高{n}%的设备投资补助，并提供贷款贴息。",
 "{p}企业研发费用加计扣除比例提高|新政将减轻企业税负，支持技术攻关。",
 "国家将{p}纳入首台套保险补偿目录|入选产品可获保费补贴。",
], [
 "Subsidies for {p} extended to end of next year|The finance ministry kept support levels unchanged, benefiting makers in {r}.",
 "{r} unveils new support package for {p}|Projects can receive grants covering up to {n}% of equipment investment.",
 "China raises R&D tax deduction for {p} makers|The change lowers the tax burden on companies such as {co}.",
 "{p} added to national incentive catalogue|Listed products qualify for insurance premium subsidies.",
])
ev("subsidy-ended", ["policy"], "risk", [
 "{p}补贴明年起取消|相关财政补贴将全面退出，业内预计需求将受冲击。",
 "{r}下调{p}补贴标准|补贴额度削减{n}%，部分在建项目收益测算需重新评估。",
 "{p}补贴退坡 企业面临阵痛|政策红利消退后，{co}等企业销量或承压。",
 "{p}税收优惠到期不再延续|企业税负将明显上升。",
], [
 "Subsidies for {p} to end next year|Analysts expect demand to suffer once support is withdrawn.",
 "{r} cuts {p} subsidies by {n}%|Project returns will have to be recalculated.",
 "Phase-out of {p} subsidies weighs on makers|{co} expects sales to come under pressure.",
 "Tax breaks for {p} expire without renewal|Producers face a higher tax burden.",
])
ev("export-control", ["policy", "supply-chain"], "risk", [
 "{x}对{p}相关技术实施出口管制|新规要求对华出口须申请许可证，{co}等企业供应链受影响。",
 "{x}升级对华{p}出口限制|更多设备和材料被纳入管制清单。",
 "{co}被列入{x}实体清单|公司采购{i}等关键物料将受到限制。",
], [
 "{x} imposes export controls on {p} technology|Exports to China now require a licence, disrupting supply to {co}.",
 "{x} tightens curbs on {p} exports to China|More equipment and materials are added to the control list.",
 "{co} added to {x} entity list|The company will face restrictions on buying {i}.",
])
ev("tariff", ["policy", "market"], "risk", [
 "{x}对华{p}加征{n}%关税|出口企业利润空间将被大幅压缩，{co}表示正评估影响。",
 "{x}对中国{p}发起反倾销调查|涉案企业包括{co}，初裁税率或高达{n}%。",
], [
 "{x} slaps {n}% tariffs on Chinese {p}|Exporters such as {co} say margins will be squeezed.",
 "{x} launches anti-dumping probe into Chinese {p}|Preliminary duties could reach {n}%.",
])
ev("regulation-tight", ["policy"], "risk", [
 "{p}行业准入门槛提高|新版规范条件对能耗和技术指标提出更严要求，部分企业或被淘汰。",
 "{co}因环保不达标被责令停产整改|当地生态环境部门对其处以罚款。",
 "监管趋严 {p}产品抽检不合格企业被通报|{r}市场监管局要求相关企业限期整改。",
], [
 "Stricter rules raise the bar for {p} makers|New standards on energy use may force some producers out.",
 "{co} ordered to halt production over environmental violations|Regulators also fined the company.",
 "Regulators tighten oversight of {p} quality|Several makers in {r} were named for failed inspections.",
])
ev("approval", ["policy"], "opportunity", [
 "{co}{p}获批上市|国家药监局批准该产品注册申请，{co}将加快商业化。",
 "{r}获批国家级{p}产业示范基地|示范基地将享受用地、资金等政策支持。",
 "{co}获得{p}生产许可|公司成为省内首家获得该资质的企业。",
], [
 "{co} wins approval for {p}|The regulator cleared the product for sale, and commercial launch is planned this year.",
 "{r} named a national demonstration base for {p}|The base will receive land and funding support.",
 "{co} granted a licence to produce {p}|It is the first firm in the province to receive one.",
])
ev("consultation", ["policy"], "neutral", [
 "工信部就{p}行业规范条件公开征求意见|征求意见稿对企业布局、技术水平等提出要求，意见反馈截止下月底。",
 "{r}发布{p}产业发展规划（征求意见稿）|规划提出到2030年产业规模目标，现向社会公开征求意见。",
 "{p}国家标准启动修订|标准化委员会召开首次工作会议。",
], [
 "Ministry publishes draft rules for {p} industry for public comment|The consultation runs until the end of next month.",
 "{r} releases draft development plan for {p}|The public may comment on the proposals until next month.",
 "Work begins on revised national standard for {p}|A drafting committee held its first meeting.",
])
ev("export-control-lifted", ["policy", "supply-chain"], "opportunity", [
 "{x}解除对{co}的出口限制|{co}可恢复采购{i}，{p}生产将回归正常。",
 "{x}放宽{p}相关出口许可|多家企业的进口订单获批，供应紧张局面缓解。",
], [
 "{x} lifts export restrictions on {co}|The company can resume purchases of {i} for its {p} lines.",
 "{x} eases licensing for {p} exports|Several pending shipments to Chinese buyers have been approved.",
])
# --- capital
ev("funding-round", ["capital"], "opportunity", [
 "{co}完成{n}亿元B轮融资|本轮由省级产业基金领投，资金将用于{p}扩产和研发。",
 "{r}{p}企业获战略投资|{co}引入国有资本注资{n}亿元，用于新建产线。",
 "{co}科创板IPO获受理|公司拟募资{n}亿元投向{p}项目。",
 "{co}获银行授信{n}亿元|资金将支持公司{p}技术改造。",
], [
 "{co} raises {n} billion yuan in Series B funding|The round was led by a provincial fund and will finance {p} expansion.",
 "{co} secures strategic investment for {p} plant|State-backed investors injected {n} billion yuan.",
 "{co} files for STAR Market IPO|It plans to raise {n} billion yuan for {p} projects.",
 "Banks extend {n} billion yuan credit line to {co}|The funds will upgrade its {p} lines.",
])
ev("funding-down", ["capital"], "risk", [
 "{p}领域融资额同比下降{n}%|投资机构趋于谨慎，早期项目融资难度明显加大。",
 "{co}资金链紧张 拖欠供应商货款|公司{p}项目停工，多家供应商上门讨债。",
 "{co}债券违约|公司未能按期兑付到期债券本息，{p}业务陷入停滞。",
 "{co}申请破产重整|受{p}行业低迷拖累，公司资不抵债。",
 "{co}终止IPO|公司撤回上市申请，募资扩产{p}计划搁浅。",
], [
 "Funding for {p} start-ups falls {n}%|Investors have turned cautious and early-stage deals are scarce.",
 "{co} misses payments to suppliers as cash runs short|Work on its {p} project has stopped.",
 "{co} defaults on bonds|The {p} maker failed to repay principal and interest due this month.",
 "{co} files for bankruptcy restructuring|The collapse of {p} prices left it insolvent.",
 "{co} withdraws IPO application|Plans to expand {p} capacity have been shelved.",
])
ev("acquisition", ["capital"], "neutral", [
 "{co}拟收购同行{p}企业|交易对价尚未确定，双方已签署意向协议。",
 "{co}股权转让完成工商变更|公司控股股东变更为当地国资平台。",
], [
 "{co} agrees to buy a rival {p} maker|Terms were not disclosed.",
 "Ownership of {co} changes hands|A local state-owned investor became the controlling shareholder.",
])
# --- tech-route
ev("breakthrough", ["tech-route"], "opportunity", [
 "{co}{p}技术取得重大突破|新产品关键性能指标提升{n}%，达到国际先进水平。",
 "{r}团队研发新一代{p} 转换效率创纪录|成果经第三方机构认证，已进入中试阶段。",
 "{co}新一代{p}实现量产|新工艺使产品良率提升至{n}%以上。",
], [
 "{co} achieves breakthrough in {p} technology|Key performance improved {n}%, on a par with global leaders.",
 "{r} team sets efficiency record with new {p}|The result was certified by an independent lab.",
 "{co} starts mass production of next-generation {p}|The new process lifts yields above {n}%.",
])
ev("route-replaced", ["tech-route"], "risk", [
 "{p}面临被新技术替代的压力|新一代技术成本快速下降，现有产线或提前淘汰。",
 "新技术路线崛起 传统{p}市场空间被挤压|{co}的现有产品面临技术迭代风险。",
 "{co}押注的{p}技术路线被边缘化|主流客户转向新方案，公司前期投入面临减值。",
 "{p}技术迭代加速 老产线沦为落后产能|业内预计三年内旧工艺将基本退出。",
], [
 "{p} face replacement pressure from newer technology|Existing lines may become obsolete early.",
 "New route threatens traditional {p}|{co}'s current products risk being overtaken.",
 "{co}'s bet on {p} technology is sidelined|Major customers are switching to rival designs.",
 "Faster technology cycles leave old {p} lines obsolete|Analysts expect the older process to be phased out within three years.",
])
ev("tech-setback", ["tech-route"], "risk", [
 "{co}{p}量产良率不及预期|新产线调试进度推迟，交付时间延后至明年。",
 "{co}{p}临床试验未达主要终点|公司股价大跌，研发管线面临调整。",
 "{co}召回部分{p}|产品存在质量缺陷，公司将承担相关费用。",
], [
 "{co}'s {p} yields fall short of targets|Delivery has been pushed back to next year.",
 "{co}'s {p} trial misses its primary endpoint|The company will review its pipeline.",
 "{co} recalls batch of {p} over defects|The company will bear the costs.",
])
ev("tech-neutral", ["tech-route"], "neutral", [
 "专家研讨{p}技术发展路线|会议围绕下一代技术方向展开交流。",
 "{co}发布{p}技术白皮书|白皮书梳理了行业主流技术方案。",
], [
 "Experts discuss the roadmap for {p} technology|The forum reviewed competing technical approaches.",
 "{co} publishes white paper on {p} technology|The paper surveys mainstream technical approaches.",
])
# --- negation / denial (the polarity word is there, the event is not)
ev("deny-default", ["capital"], "neutral", [
 "{co}否认资金链断裂传闻|公司表示生产经营正常，网传信息不实。",
 "{co}澄清：并未发生债务违约|公司称各项债务均按期兑付，已对造谣者报警。",
 "{co}辟谣：{p}项目未停工|公司回应称项目建设进展顺利。",
], [
 "{co} denies rumours of a cash crunch|The company said operations are normal.",
 "{co} says it has not defaulted on any debt|All payments were made on time, it said.",
 "{co} rejects reports that its {p} project has stalled|Construction is on schedule, the company said.",
])
ev("deny-supply", ["supply-chain"], "neutral", [
 "{co}表示{p}生产未受断供影响|公司原料库存充足，供应链保持稳定。",
 "{x}新规不涉及{p} {co}供应不受影响|公司称相关部件均有备选供应商。",
], [
 "{co} says {p} output is not affected by supply cuts|Inventories of materials are ample.",
 "Supply of {p} not expected to be hit by new {x} rules|{co} said it has alternative suppliers.",
])
ev("deny-policy", ["policy"], "neutral", [
 "官方回应：{p}补贴并未取消|有关部门表示现行政策保持不变。",
 "{r}排除近期调整{p}补贴标准的可能|相关负责人称政策将保持连续稳定。",
], [
 "Officials rule out ending {p} subsidies|Current policy will stay in place, the ministry said.",
 "{r} denies plans to cut {p} subsidies|The support scheme remains unchanged.",
])
ev("deny-price", ["market"], "neutral", [
 "{p}价格并未出现明显下跌|业内人士表示，近期市场报价总体平稳。",
 "{co}否认{p}降价传闻|公司称产品价格体系保持稳定。",
], [
 "{p} prices not expected to fall this year, industry body says|Quoted prices have been broadly stable.",
 "{co} denies plans to cut {p} prices|Its price list remains unchanged.",
])
# --- neutral, no dimension
ev("general", [], "neutral", [
 "{r}举办{p}产业对接会|来自全国的近百家企业参加了此次活动。",
 "{co}召开年度股东大会|会议审议通过了董事会工作报告等议案。",
 "{co}{p}新品发布会在{r}举行|公司介绍了新产品的主要功能。",
 "{r}{p}产业协会换届|新一届理事会成员名单公布。",
], [
 "{r} hosts {p} industry fair|Nearly a hundred companies took part.",
 "{co} holds annual shareholders' meeting|Shareholders approved the board's report.",
 "{co} unveils new {p} at launch event in {r}|The company presented the main features.",
 "{p} industry association elects new board|The list of members was published.",
])

CROSS_EV = [
 ("up", "risk", [
  "{i}价格上涨 {r}{p}厂商成本攀升|上游{i}报价持续走高，整车和设备企业利润承压。",
  "{i}涨价挤压{p}企业利润|{co}称原材料成本上升{n}%。",
 ], [
  "Rising {i} prices push up costs for {p} makers|{co} said input costs climbed {n}%.",
  "{p} producers squeezed as {i} gets pricier|Suppliers raised quotes for the third month in a row.",
 ]),
 ("down", "opportunity", [
  "{i}价格下降 {p}企业成本压力缓解|{co}预计原材料成本下降将带动利润增长。",
  "{i}降价利好下游{p}厂商|采购成本较去年下降{n}%。",
 ], [
  "Cheaper {i} lowers costs for {p} makers|{co} expects lower input costs to lift profits.",
  "{p} producers gain as {i} prices fall {n}%|Purchasing costs are at a two-year low.",
 ]),
]

FILL_ZH = ["", "", "据了解，该企业成立于2016年。", "相关负责人在接受采访时介绍了上述情况。", "记者从当地工信部门获悉上述消息。"]
FILL_EN = ["", "", "The company was founded in 2016.", "The figures were published on Tuesday.", "Local officials confirmed the details."]

def h(s):
    return int(hashlib.sha1(s.encode()).hexdigest(), 16)

def fill(t, ind, zh, **extra):
    d = IND[ind]
    v = dict(co=R.choice(d["zc"] if zh else d["ec"]), p=R.choice(d["zp"] if zh else d["ep"]),
             i=R.choice(d["zi"] if zh else d["ei"]), r=R.choice(ZR if zh else ER),
             x=R.choice(ZX if zh else EX), n=R.choice([3, 5, 8, 12, 15, 20, 30, 40]))
    v.update(extra)
    s = t.format(**v)
    return s[0].upper() + s[1:] if not zh else s

def split_of(key):
    # about a quarter of the phrasings are held out
    return "test" if h(key) % 4 == 0 else "train"

out = []
n = 0
inds = list(IND)
for e in E:
    for lang, tpls in (("zh", e["zh"]), ("en", e["en"])):
        for ti, t in enumerate(tpls):
            sp = split_of(f"{e['name']}/{lang}/{ti}")
            # industries this event fits: approvals of drugs only for biomedicine etc. are fine generally
            for ind in R.sample(inds, 6):
                title, summ = t.split("|")
                zh = lang == "zh"
                co = R.choice(IND[ind]["zc"] if zh else IND[ind]["ec"])
                p = R.choice(IND[ind]["zp"] if zh else IND[ind]["ep"])
                title_s = fill(title, ind, zh, co=co, p=p)
                summ_s = fill(summ, ind, zh, co=co, p=p)
                f = R.choice(FILL_ZH if zh else FILL_EN)
                if f:
                    summ_s = summ_s + ("" if zh else " ") + f
                n += 1
                out.append(dict(id=f"c-{n:04d}", lang=lang, split=sp, source=f"composed:{e['name']}/{lang}/{ti}",
                                title=title_s, summary=summ_s, industries=[ind], dimensions=e["dims"], polarity=e["pol"]))
for direction, pol, zt, et in CROSS_EV:
    for lang, tpls in (("zh", zt), ("en", et)):
        for ti, t in enumerate(tpls):
            sp = split_of(f"cross-{direction}/{lang}/{ti}")
            for buyer, seller, zi, ei in CROSS:
                zh = lang == "zh"
                co = R.choice(IND[buyer]["zc"] if zh else IND[buyer]["ec"])
                p = R.choice(IND[buyer]["zp"] if zh else IND[buyer]["ep"])
                title, summ = t.split("|")
                i = zi if zh else ei
                n += 1
                out.append(dict(id=f"c-{n:04d}", lang=lang, split=sp, source=f"composed:cross-{direction}/{lang}/{ti}",
                                title=fill(title, buyer, zh, co=co, p=p, i=i), summary=fill(summ, buyer, zh, co=co, p=p, i=i),
                                industries=[buyer, seller], dimensions=["market", "supply-chain"], polarity=pol))

with open("testdata/composed.jsonl", "w") as fh:
    for o in out:
        fh.write(json.dumps(o, ensure_ascii=False) + "\n")
print(len(out), "items;", sum(o["split"] == "test" for o in out), "held out")
