package review

import (
	"kedaitong"

	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"kedaitong/internal/store"
)

// DemoBanks are the banks of the demo users (package identity's DemoUsers).
var DemoBanks = []string{"ganzhou-bank", "nanchang-bank"}

// DemoCreditCode makes a valid unified social credit code for a demo
// enterprise: a legal-person code (91), the county, and a serial.
func DemoCreditCode(region string, serial int) string {
	s := fmt.Sprintf("91%sMA%07d", region, serial)
	c, err := CreditCheckDigit(s)
	if err != nil {
		panic(err)
	}
	return s + string(c)
}

type demoCounty struct{ code, city string }

var demoCounties = []demoCounty{
	{"360102", "南昌"}, {"360111", "南昌"}, {"360112", "南昌"}, {"360702", "赣州"}, {"360703", "赣州"}, {"360704", "赣州"},
	{"360782", "赣州"}, {"360902", "宜春"}, {"360982", "宜春"}, {"360402", "九江"}, {"360502", "新余"}, {"360602", "鹰潭"},
	{"360802", "吉安"}, {"361002", "抚州"}, {"361102", "上饶"}, {"360202", "景德镇"}, {"360302", "萍乡"},
}

type demoFirm struct {
	route, stem, summary, purpose string
}

var demoFirms = []demoFirm{
	{"semiconductors.power-devices", "功率半导体", "自主设计SiC MOSFET功率器件，已完成车规级可靠性验证，良率稳定在92%以上。", "车规级产线设备购置"},
	{"semiconductors.packaging-testing", "芯封测", "先进封装与测试服务，掌握扇出型晶圆级封装工艺，服务本省芯片设计企业。", "封装测试设备更新"},
	{"nonferrous-rare-earth.permanent-magnets", "稀土永磁", "高性能钕铁硼永磁材料，晶界扩散技术降低重稀土用量30%，用于新能源汽车电机。", "晶界扩散产线扩产"},
	{"nonferrous-rare-earth.tungsten", "钨业新材", "超细晶硬质合金与钨粉制备，纳米级钨粉粒度控制技术达到国内先进水平。", "超细钨粉中试线建设"},
	{"lithium-battery.cathode-materials", "锂电材料", "高镍三元正极材料单晶化技术，循环寿命提升20%，已进入两家电池厂供应链。", "单晶正极材料产能扩建"},
	{"lithium-battery.sodium-ion", "钠电科技", "钠离子电池层状氧化物正极与硬碳负极，储能场景成本较磷酸铁锂低15%。", "钠离子电池中试线"},
	{"lithium-battery.battery-recycling", "循环科技", "退役动力电池梯次利用与湿法回收，镍钴锰综合回收率98%以上。", "湿法回收产线改造"},
	{"photovoltaics.perovskite", "光能科技", "钙钛矿/晶硅叠层电池，实验室效率突破30%，正在建设中试线。", "叠层电池中试线建设"},
	{"photovoltaics.topcon", "光伏科技", "TOPCon电池片量产，自主开发的激光掺杂工艺使量产效率达到25.8%。", "激光掺杂设备购置"},
	{"biomedicine.tcm", "中药科技", "经典名方中药配方颗粒与指纹图谱质量控制技术，拥有道地药材种植基地。", "配方颗粒生产线GMP改造"},
	{"biomedicine.medical-devices", "医疗器械", "微创介入手术器械，自主研发的可降解支架已进入临床试验阶段。", "临床试验与注册检验"},
	{"biomedicine.ivd", "生物诊断", "化学发光免疫诊断试剂与仪器，肿瘤标志物检测灵敏度达到进口同类水平。", "试剂产线扩产"},
	{"aviation.uav", "无人机", "工业级垂直起降固定翼无人机，用于电力巡检与应急测绘，续航4小时。", "整机生产线与适航取证"},
	{"aviation.aero-components", "航空部件", "航空发动机钛合金精密结构件加工，五轴数控加工与无损检测能力完备。", "五轴加工中心购置"},
	{"high-end-equipment.industrial-robots", "智能装备", "面向陶瓷与家具行业的喷涂机器人，自研视觉轨迹规划算法。", "机器人装配线建设"},
	{"high-end-equipment.additive-manufacturing", "增材制造", "金属3D打印设备与粉末，激光选区熔化设备成形尺寸达到800毫米。", "大尺寸打印设备研发"},
	{"digital-ai.industrial-internet", "工业互联", "面向有色金属冶炼的工业互联网平台，能耗优化模型为客户节电8%。", "平台研发与推广"},
	{"digital-ai.large-models", "智算科技", "面向政务与金融的行业大模型微调与私有化部署，已服务20余家客户。", "算力租赁与模型研发"},
	{"energy-saving.water-treatment", "环保科技", "稀土冶炼高氨氮废水资源化处理，膜分离与精馏耦合技术回收氨水。", "示范工程建设"},
	{"new-materials.organosilicon-fluorochemicals", "有机硅材料", "特种有机硅单体与硅橡胶，耐高温硅橡胶用于新能源汽车密封件。", "特种硅橡胶产线"},
	{"electronic-information.led-display", "光电显示", "Mini LED背光模组，自主巨量转移工艺，已为笔记本电脑品牌供货。", "巨量转移设备购置"},
	{"electronic-information.optics", "光学科技", "车载镜头与激光雷达光学元件，非球面玻璃模造工艺。", "模造产线扩产"},
}

// demoInputs are the demo applications: the programme's two stereotypes
// first, then firms across industries and counties.
func demoInputs(r *rand.Rand, n int) []Input {
	ins := []Input{
		{Enterprise: Enterprise{Name: "赣州芯研微电子有限公司", CreditCode: DemoCreditCode("360702", 1), Region: "360702", Founded: "2021-03-15",
			Route: "semiconductors.ic-design", Staff: 60, RDStaff: 25, Revenue: []int64{12000000, 9000000}, NetProfit: []int64{-3000000, -4500000},
			RDSpend: 6000000, InventionPatents: 5, PendingPatents: 3, SoftwareCopyrights: 4, OtherIP: "集成电路布图设计专有权 6 项",
			TechContractIncome: 1500000, Team: []Person{{Name: "陈志远", Title: "首席技术官", Note: "清华大学微电子博士，曾任国际头部芯片设计公司资深架构师"}},
			Maturity: MaturityPilot},
			Loan:    Loan{Amount: 3000000, TermMonths: 24, Purpose: "流片与量产验证"},
			Summary: "公司专注于电源管理芯片与MCU的集成电路设计，28nm工艺的低功耗电源管理芯片已完成两次流片，样片通过客户验证，正筹备量产。连续两年亏损源于流片投入。"},
		{Enterprise: Enterprise{Name: "江西赣南鲜味食品有限公司", CreditCode: DemoCreditCode("360782", 2), Region: "360782", Founded: "2012-06-01",
			Route: "biomedicine.biologics", Staff: 180, RDStaff: 6, Revenue: []int64{85000000, 80000000}, NetProfit: []int64{4200000, 3900000},
			RDSpend: 600000, InventionPatents: 0, PendingPatents: 1, UtilityModels: 6, OtherIP: "“鲜味”注册商标",
			Team: []Person{{Name: "刘建国", Title: "总经理", Note: "从事食品加工二十年"}}, Maturity: MaturityIndustrial},
			Loan:    Loan{Amount: 10000000, TermMonths: 36, Purpose: "扩建脐橙罐头与腌制食品生产线"},
			Summary: "公司以“生物保鲜技术”为核心，生产脐橙罐头、腌制蔬菜等食品，产品销往华南市场。保鲜工艺为常规巴氏杀菌与真空包装。"},
	}
	for i := len(ins); i < n; i++ {
		f := demoFirms[r.IntN(len(demoFirms))]
		c := demoCounties[r.IntN(len(demoCounties))]
		staff := int64(20 + r.IntN(400))
		rev0 := int64(2+r.IntN(200)) * 1000000
		rev1 := rev0 * int64(70+r.IntN(50)) / 100
		p0 := rev0 * int64(r.IntN(30)-6) / 100
		p1 := rev1 * int64(r.IntN(30)-5) / 100
		year := 2008 + r.IntN(17)
		ins = append(ins, Input{
			Enterprise: Enterprise{
				Name:       fmt.Sprintf("江西%s%s%s有限公司", c.city, []string{"华", "瑞", "创", "宏", "鑫", "源", "博", "泰"}[r.IntN(8)], f.stem),
				CreditCode: DemoCreditCode(c.code, 100+i), Region: c.code,
				Founded: fmt.Sprintf("%04d-%02d-%02d", year, 1+r.IntN(12), 1+r.IntN(28)), Route: f.route,
				Staff: staff, RDStaff: staff * int64(5+r.IntN(45)) / 100, Revenue: []int64{rev0, rev1}, NetProfit: []int64{p0, p1},
				RDSpend: rev0 * int64(1+r.IntN(18)) / 100, InventionPatents: int64(r.IntN(12)), PendingPatents: int64(r.IntN(8)),
				UtilityModels: int64(r.IntN(20)), SoftwareCopyrights: int64(r.IntN(10)), TechContractIncome: int64(r.IntN(5)) * 500000,
				Maturity: Maturities[r.IntN(len(Maturities))], Team: []Person{},
			},
			Loan:    Loan{Amount: int64(1+r.IntN(20)) * 500000, TermMonths: []int{12, 24, 36, 60}[r.IntN(4)], Purpose: f.purpose},
			Summary: f.summary,
		})
	}
	return ins
}

// Seed writes the demo applications (about forty, across the demo banks,
// in the states draft, submitted and withdrawn) when demo is set and the
// store has no application yet.
func (s *Service) Seed(ctx context.Context, demo bool) error {
	if !demo {
		return nil
	}
	p, err := s.apps.Find(ctx, store.Query{Sort: "created_ms", Limit: 1})
	if err != nil {
		return err
	}
	if len(p.Docs) > 0 {
		return nil // seeded before
	}
	r := rand.New(rand.NewPCG(2026, 6))
	base := s.now().Add(-40 * 24 * time.Hour)
	for i, in := range demoInputs(r, 40) {
		bank := DemoBanks[i%len(DemoBanks)]
		if i == 0 {
			bank = "ganzhou-bank"
		}
		at := base.Add(time.Duration(i) * 23 * time.Hour)
		a, err := s.createAt(ctx, bank, "demo", in, at)
		if err != nil {
			return fmt.Errorf("demo application %d (%s): %w", i, in.Enterprise.Name, err)
		}
		switch {
		case i < 2 || i%10 < 6:
			if _, _, err := s.submit(ctx, a, 1, "demo"); err != nil {
				return err
			}
		case i%10 == 9:
			if _, _, err := s.move(ctx, a, 1, "demo", StateWithdrawn, "企业已获得其他融资", []string{StateDraft}, nil); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Service) createAt(ctx context.Context, bankID, by string, in Input, at time.Time) (Application, error) {
	if err := in.Validate(s.tax, kedaitong.Date(at)); err != nil {
		return Application{}, err
	}
	a := Application{ID: newID("app-"), BankID: bankID, CreatedBy: by, State: StateDraft,
		Attachments: []Attachment{}, History: []Transition{}, CreatedAt: at, UpdatedAt: at, CreatedMS: at.UnixMilli()}
	s.derive(&a, in, at)
	if err := s.apps.Insert(ctx, a.ID, a); err != nil {
		return Application{}, err
	}
	return a, nil
}
