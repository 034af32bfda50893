package enterprises

import (
	"context"
	"fmt"
	"strings"

	"kedaitong/identity"
	"kedaitong/review"
)

// DemoInvestor is the investment institution of the demo investor account.
const DemoInvestor = "赣江科创投资有限公司"

// demoUser imports the demo files.
var demoUser = identity.User{ID: "demo", Username: "demo data", Role: identity.RoleAdmin}

// SeedDemo fills a demo store: portraits for the demo applications'
// enterprises and a few more (registration, patents, projects, tax,
// contracts, a dishonesty listing), the demo investor's stakes and a
// scheduled roadshow of official's region. It returns the portraits made.
func (s *Service) SeedDemo(ctx context.Context, official identity.User) (int, error) {
	chip, food := review.DemoCreditCode("360702", 1), review.DemoCreditCode("360782", 2)
	lab, battery := review.DemoCreditCode("360102", 901), review.DemoCreditCode("360902", 902)
	y := s.today()[:4]
	n := 0
	fmt.Sscanf(y, "%d", &n)
	ly, lly := fmt.Sprint(n-1), fmt.Sprint(n-2)
	files := []struct{ source, data string }{
		{SourceRegistration, "统一社会信用代码,企业名称,行政区划代码,成立日期,注册资本,登记状态,技术路线,专精特新\n" +
			chip + ",赣州芯研微电子有限公司,360702,2021-03-15,20000000,存续,semiconductors.ic-design,省级\n" +
			food + ",江西赣南鲜味食品有限公司,360782,2012-06-01,8000000,存续,biomedicine.biologics,\n" +
			lab + ",南昌量子光谷科技有限公司,360102,2023-09-01,5000000,存续,electronic-information,\n" +
			battery + ",宜春锂源新能源材料有限公司,360902,2016-04-20,60000000,存续,lithium-battery,小巨人\n"},
		{SourceIP, "credit_code,patent_no,kind,granted,claims,citations,status\n" +
			chip + ",ZL202210123456.7,invention,2023-08-01,15,7,valid\n" + chip + ",ZL202210654321.0,invention,2024-03-12,10,3,valid\n" +
			chip + ",ZL202320111111.1,utility,2023-11-20,4,1,valid\n" + chip + ",ZL202320222222.2,utility,2024-01-15,3,0,valid\n" +
			battery + ",ZL201810333333.3,invention,2019-05-06,12,14,valid\n" + battery + ",ZL201910444444.4,invention,2020-07-08,9,6,valid\n" +
			battery + ",ZL201620555555.5,utility,2017-02-01,3,2,lapsed\n" + lab + ",ZL202410666666.6,invention," + ly + "-10-01,8,0,valid\n"},
		{SourceProjects, "credit_code,project_id,level,title,amount,start,end\n" +
			chip + ",JX2023-KJ-0158,provincial,车规级MCU芯片研发与验证,3000000,2023-07-01,2026-06-30\n" +
			chip + ",GZ2024-KJ-0031,city,芯片测试平台建设,500000,2024-03-01,2025-12-31\n" +
			battery + ",GJ2022-YF-0099,national,高镍正极材料关键技术,8000000,2022-01-01,2025-12-31\n"},
		{SourceTax, "credit_code,year,revenue,rd_spend,tax_paid\n" +
			chip + "," + lly + ",9000000,4800000,120000\n" + chip + "," + ly + ",12000000,6000000,180000\n" +
			food + "," + lly + ",80000000,900000,3500000\n" + food + "," + ly + ",85000000,1000000,3800000\n" +
			lab + "," + ly + ",300000,2500000,0\n" +
			battery + "," + lly + ",260000000,14000000,9000000\n" + battery + "," + ly + ",310000000,18000000,11000000\n"},
		{SourceContracts, "credit_code,contract_id,amount,signed,due,fulfilled\n" +
			chip + ",2024360700012,800000,2024-02-01,2024-12-31,2024-11-20\n" + chip + ",2024360700045,500000,2024-06-01,2025-03-31,2025-05-10\n" +
			battery + ",2023360900007,2000000,2023-03-01,2023-12-31,2023-12-01\n"},
		{SourceDishonesty, "credit_code,list,listed_on,lifted_on\n" + food + ",失信被执行人名单," + ly + "-05-18,\n"},
		{SourceInvestments, "credit_code,investor,amount,date\n" + chip + "," + DemoInvestor + ",5000000,2023-06-30\n" +
			lab + "," + DemoInvestor + ",2000000," + ly + "-01-15\n"},
	}
	for _, f := range files {
		if _, err := s.Import(ctx, demoUser, f.source, []byte(f.data), ImportOptions{FileName: "demo-" + f.source + ".csv"}); err != nil {
			return 0, fmt.Errorf("demo %s: %w", f.source, err)
		}
	}
	if official.Role == identity.RoleOfficial {
		r, err := s.CreateRoadshow(ctx, official, RoadshowInput{Title: "赣州半导体产业链投融资路演", Chain: "semiconductors",
			Date: s.now().In(Beijing).AddDate(0, 0, 14).Format(DateLayout), Region: official.Region, Capacity: 60, Venue: "赣州市科技大厦三楼路演厅"})
		if err != nil {
			return 0, fmt.Errorf("demo roadshow: %w", err)
		}
		if _, err := s.RegisterProject(ctx, official, r.ID, ProjectInput{CreditCode: chip,
			Pitch: strings.TrimSpace("车规级 MCU 芯片已完成流片验证，进入整车厂导入阶段，寻求 3000 万元研发与量产资金。"),
			Media: []string{"https://example.com/demo/chip-lab.mp4"}}); err != nil {
			return 0, fmt.Errorf("demo roadshow project: %w", err)
		}
	}
	return 4, nil
}
