package experts

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"kedaitong"
	"kedaitong/taxonomy"
)

type taxIndustry = taxonomy.Industry

// Demo data: about 150 experts across the eleven industries and the three
// tiers, generated deterministically (a fixed seed) from the lists below,
// and one committee per industry with a chair. exp-0001 is the demo expert
// user expert.li's profile.

var demoSurnames = []string{"李", "王", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "罗", "梁", "宋", "郑", "谢", "韩", "唐", "冯", "邓", "曹", "彭", "曾", "肖", "田", "袁", "邹", "熊", "钟", "万", "涂", "喻", "易"}

var demoGiven = []string{"建国", "志强", "海燕", "晓东", "文博", "立新", "红梅", "国华", "明远", "静怡", "德明", "振宇", "丽娟", "春生", "卫东", "思远", "玉兰", "永红", "子涵", "俊杰",
	"建华", "秀英", "伟", "敏", "磊", "洋", "勇", "军", "杰", "涛", "超", "明", "刚", "平", "辉", "鹏", "华", "飞", "鑫", "波"}

type demoOrg struct {
	name, code string // code: the first 17 characters of a (fictional) credit code; "" for institutions without one here
	region     string
}

var demoAcademic = []demoOrg{
	{"南昌大学", "", "360100"}, {"江西理工大学", "", "360702"}, {"中国科学院赣江创新研究院", "", "360702"},
	{"江西师范大学", "", "360100"}, {"华东交通大学", "", "360100"}, {"南昌航空大学", "", "360100"},
	{"江西农业大学", "", "360100"}, {"东华理工大学", "", "360100"}, {"景德镇陶瓷大学", "", "360200"},
	{"江西中医药大学", "", "360100"}, {"江西省科学院", "", "360100"}, {"中国科学院宁波材料技术与工程研究所", "", "33"},
	{"清华大学", "", "11"}, {"中南大学", "", "43"},
}

var demoFinanceOrgs = []demoOrg{
	{"江西财经大学", "", "360100"}, {"江西银行", "91360000327598A2B", "360100"}, {"赣州银行", "91360700158293C4D", "360702"},
	{"九江银行", "91360400705512E6F", "360402"}, {"江西省融资担保集团", "91360000MA35G7H8J", "360100"},
	{"江西省金融控股集团", "91360000MA38K9L1M", "360100"},
}

// demoIndustry holds each industry's enterprises (with fictional credit codes).
var demoIndustry = map[string][]demoOrg{
	"electronic-information": {{"吉安市木林森光电有限公司", "91360800MA35N1P2Q", "360800"}, {"江西联创电子有限公司", "91360100MA35R3T4U", "360100"}, {"欧菲光科技(南昌)有限公司", "91360100MA35W5X6Y", "360100"}},
	"semiconductors":         {{"赣州芯研微电子有限公司", "91360702MA38A1B2C", "360702"}, {"江西兆驰半导体有限公司", "91360100MA38D3E4F", "360100"}, {"南昌中微半导体设备有限公司", "91360100MA38G5H6J", "360100"}},
	"new-materials":          {{"江西蓝星星火有机硅有限公司", "91360400MA38K7L8M", "360400"}, {"景德镇陶瓷新材料有限公司", "91360200MA38N9P1Q", "360200"}, {"江西宏柏新材料股份有限公司", "91361100MA38R2T3U", "361100"}},
	"nonferrous-rare-earth":  {{"江西铜业股份有限公司", "91360000705513W4X", "360600"}, {"中国稀土集团有限公司", "91360702MA39Y5A6B", "360702"}, {"章源钨业股份有限公司", "91360700158297C7D", "360702"}, {"金力永磁科技股份有限公司", "91360700MA39E8F9G", "360702"}},
	"lithium-battery":        {{"江西赣锋锂业集团股份有限公司", "91360500158291H1J", "360500"}, {"孚能科技(赣州)股份有限公司", "91360700MA39K2L3M", "360702"}, {"宜春时代新能源科技有限公司", "91360900MA39N4P5Q", "360900"}, {"江西紫宸科技有限公司", "91360900MA39R6T7U", "360900"}},
	"photovoltaics":          {{"晶科能源股份有限公司", "91361100MA35W8X9Y", "361100"}, {"江西展宇新能源股份有限公司", "91361100MA35A2B3C", "361100"}, {"上饶捷泰新能源科技有限公司", "91361100MA35D4E5F", "361100"}},
	"biomedicine":            {{"江中药业股份有限公司", "91360000158294G6H", "360100"}, {"仁和药业股份有限公司", "91360900158295J7K", "360900"}, {"江西济民可信集团有限公司", "91360900MA36L8M9N", "360900"}},
	"aviation":               {{"江西洪都航空工业集团有限责任公司", "91360000158296P1Q", "360100"}, {"昌河飞机工业(集团)有限责任公司", "91360200158298R2T", "360200"}, {"江西通用航空有限公司", "91360100MA36U3W4X", "360100"}},
	"high-end-equipment":     {{"江铃汽车股份有限公司", "91360000158299Y5A", "360100"}, {"江西中科九峰智慧医疗科技有限公司", "91360100MA36B6C7D", "360100"}, {"江西华伍制动器股份有限公司", "91360900MA36E8F9G", "360900"}},
	"digital-ai":             {{"泰豪科技股份有限公司", "91360000158290H2J", "360100"}, {"江西科骏实业有限公司", "91360100MA37K3L4M", "360100"}, {"南昌国家级人工智能算力中心有限公司", "91360100MA37N5P6Q", "360100"}},
	"energy-saving":          {{"江西金达莱环保股份有限公司", "91360100MA37R7T8U", "360100"}, {"江西洪城环境股份有限公司", "91360100158293W9X", "360100"}, {"江西鹏鹞环保科技有限公司", "91360400MA37Y1A2B", "360400"}},
}

var demoTitles = map[string][]string{
	TierAcademician: {"中国工程院院士", "中国科学院院士", "国家杰出青年科学基金获得者", "长江学者特聘教授", "国家级领军人才"},
	TierIndustry:    {"教授级高级工程师", "高级工程师", "研究员", "教授", "总工程师", "副研究员", "技术总监"},
	TierFinance:     {"教授", "研究员", "高级经济师", "副教授", "首席风险官"},
}

var demoRegions = []string{"360102", "360111", "360702", "360703", "360902", "360502", "361102", "360402", "360802", "360602", "360302", "360202", "361002", "3601", "3607"}

func demoCode(first string) string {
	if first == "" {
		return ""
	}
	return first + string(CreditCodeCheck(first))
}

// DemoExperts returns the demo experts (deterministic).
func (s *Service) DemoExperts() []Expert {
	rng := rand.New(rand.NewPCG(2026, 36))
	inds := s.tax.Industries
	var out []Expert
	for i := 1; i <= 150; i++ {
		ind := inds[(i-1)%len(inds)]
		tier := TierIndustry
		switch {
		case i%6 == 0:
			tier = TierAcademician
		case i%5 == 0 || i%7 == 0:
			tier = TierFinance
		}
		if i == 1 {
			tier, ind = TierIndustry, mustIndustry(inds, "lithium-battery")
		}
		e := Expert{ID: fmt.Sprintf("exp-%04d", i), Tier: tier, Status: StatusActive, Unavailable: []Period{}, Conflicts: []Conflict{}}
		e.Name = demoSurnames[rng.IntN(len(demoSurnames))] + demoGiven[rng.IntN(len(demoGiven))]
		if i == 1 {
			e.Name = "李建国"
		}
		titles := demoTitles[tier]
		e.Title = titles[rng.IntN(len(titles))]
		r1 := ind.Routes[rng.IntN(len(ind.Routes))]
		e.Fields = []string{r1.Code}
		if len(r1.Neighbours) > 0 && rng.IntN(2) == 0 {
			e.Fields = append(e.Fields, r1.Neighbours[rng.IntN(len(r1.Neighbours))])
		}
		if rng.IntN(4) == 0 {
			e.Fields = append(e.Fields, ind.Code)
		}
		var org demoOrg
		switch tier {
		case TierFinance:
			org = demoFinanceOrgs[rng.IntN(len(demoFinanceOrgs))]
			e.Specialities = []string{s.tax.Specialities[rng.IntN(len(s.tax.Specialities))].Code}
		case TierAcademician:
			org = demoAcademic[rng.IntN(len(demoAcademic))]
		default:
			if rng.IntN(2) == 0 {
				ents := demoIndustry[ind.Code]
				org = ents[rng.IntN(len(ents))]
			} else {
				org = demoAcademic[rng.IntN(len(demoAcademic))]
			}
		}
		e.Organisations = []Org{{Name: org.name, CreditCode: demoCode(org.code), From: fmt.Sprintf("%d-%02d-01", 2008+rng.IntN(15), 1+rng.IntN(12))}}
		if rng.IntN(3) == 0 { // a past employer within three years
			ents := demoIndustry[ind.Code]
			p := ents[rng.IntN(len(ents))]
			if p.name != org.name {
				e.Organisations = append(e.Organisations, Org{Name: p.name, CreditCode: demoCode(p.code), From: "2019-03-01", To: "2024-06-30"})
			}
		}
		e.Region = strings.TrimSuffix(org.region, "00")
		if rng.IntN(4) == 0 && strings.HasPrefix(e.Region, "36") {
			e.Region = demoRegions[rng.IntN(len(demoRegions))] // lives elsewhere in the province
		}
		e.Capacity = []int{2, 3, 3, 4, 5, 6}[rng.IntN(6)]
		if tier == TierAcademician {
			e.Capacity = 1 + rng.IntN(2)
		}
		e.Email = fmt.Sprintf("expert%04d@experts.jxkdt.example.cn", i)
		e.Phone = fmt.Sprintf("1%d%08d", 33+rng.IntN(60), rng.IntN(100000000))
		if rng.IntN(8) == 0 {
			m := 1 + rng.IntN(11)
			e.Unavailable = []Period{{From: fmt.Sprintf("2026-%02d-01", m), To: fmt.Sprintf("2026-%02d-20", m), Reason: "出国访问"}}
		}
		if rng.IntN(6) == 0 {
			ents := demoIndustry[ind.Code]
			c := ents[rng.IntN(len(ents))]
			e.Conflicts = []Conflict{{Name: c.name, CreditCode: demoCode(c.code), Reason: "近亲属在该企业任职"}}
		}
		if i%37 == 0 {
			e.Status = StatusSuspended
		}
		out = append(out, e)
	}
	return out
}

func mustIndustry(inds []taxIndustry, code string) taxIndustry {
	for _, x := range inds {
		if x.Code == code {
			return x
		}
	}
	return inds[0]
}

// SeedDemo stores the demo experts and one committee per industry (chaired
// by its most senior member). Data seeded before is left as it is.
func (s *Service) SeedDemo(ctx context.Context) (int, error) {
	today := s.today()
	now := s.now()
	es := s.DemoExperts()
	add := map[string][]string{}
	for i := range es {
		if err := normalize(&es[i], s.tax, today); err != nil {
			return 0, fmt.Errorf("demo expert %s: %w", es[i].ID, err)
		}
		es[i].CreatedAt, es[i].UpdatedAt, es[i].UpdatedBy = now, now, "demo"
		for _, k := range keys(es[i], s.tax.IndustryOf) {
			add[k] = append(add[k], es[i].ID)
		}
	}
	if err := s.changePostings(ctx, add, true); err != nil {
		return 0, err
	}
	texts := map[string]string{}
	for _, e := range es {
		texts[e.ID] = searchText(e)
	}
	if err := s.setTexts(ctx, texts); err != nil {
		return 0, err
	}
	n := 0
	for _, e := range es {
		if err := s.experts.Insert(ctx, e.ID, e); err != nil {
			if kedaitong.Is(err, kedaitong.EConflict) {
				continue
			}
			return n, err
		}
		n++
	}
	for _, ind := range s.tax.Industries {
		var members []string
		chair := ""
		for _, e := range es {
			if e.Status != StatusActive || s.tax.IndustryOf(e.PrimaryField) != ind.Code || e.Tier == TierFinance {
				continue
			}
			if len(members) < 7 {
				members = append(members, e.ID)
				if chair == "" || e.Tier == TierAcademician {
					if chair == "" || !strings.Contains(chair, "*") {
						chair = e.ID
						if e.Tier == TierAcademician {
							chair += "*"
						}
					}
				}
			}
		}
		c := Committee{ID: CommitteeID(ind.Code), Field: ind.Code, Name: ind.Name.ZH + "技术评审委员会", Members: members,
			Chair: strings.TrimSuffix(chair, "*"), CreatedAt: now, UpdatedAt: now}
		if c.Members == nil {
			c.Members = []string{}
		}
		if err := s.committees.Insert(ctx, c.ID, c); err != nil && !kedaitong.Is(err, kedaitong.EConflict) {
			return n, err
		}
	}
	return n, nil
}
