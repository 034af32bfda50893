package enterprises_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"kedaitong"
	"kedaitong/enterprises"
	"kedaitong/identity"
	"kedaitong/internal/sheet"
	"kedaitong/internal/store/storetest"
	"kedaitong/review"
)

// code makes a valid unified social credit code from a number.
func code(n int) string {
	first := fmt.Sprintf("91360702%09d", n)
	c, err := review.CreditCheckDigit(first)
	if err != nil {
		panic(err)
	}
	return first + string(c)
}

var (
	admin      = identity.User{ID: "u-admin", Username: "admin", Role: identity.RoleAdmin}
	province   = identity.User{ID: "u-prov", Username: "official.jiangxi", Role: identity.RoleOfficial, Region: "36"}
	ganzhou    = identity.User{ID: "u-gz", Username: "official.ganzhou", Role: identity.RoleOfficial, Region: "3607"}
	nanchang   = identity.User{ID: "u-nc", Username: "official.nanchang", Role: identity.RoleOfficial, Region: "3601"}
	officer    = identity.User{ID: "u-bank", Username: "gzbank.officer", Role: identity.RoleBankOfficer, BankID: "ganzhou-bank"}
	investor   = identity.User{ID: "u-inv", Username: "investor.demo", Role: identity.RoleInvestor, Org: "赣江科创投资有限公司"}
	investor2  = identity.User{ID: "u-inv2", Username: "other.investor", Role: identity.RoleInvestor, Org: "别家资本"}
	expert     = identity.User{ID: "u-exp", Username: "expert.li", Role: identity.RoleExpert, ExpertID: "exp-0001"}
	analyst    = identity.User{ID: "u-an", Username: "analyst.wu", Role: identity.RoleAnalyst}
	fixedToday = time.Date(2026, 6, 1, 4, 0, 0, 0, time.UTC)
)

// apps is the applications a test knows, with one expert assignment.
type apps struct {
	byID     map[string]review.Application
	assigned []string // credit codes assigned to the expert
}

func (a *apps) Load(_ context.Context, id string) (review.Application, error) {
	x, ok := a.byID[id]
	if !ok {
		return x, kedaitong.Errorf(kedaitong.ENotFound, "no application").ZHf("没有贷款申请")
	}
	return x, nil
}

func (a *apps) Get(ctx context.Context, actor identity.User, id string) (review.Application, error) {
	x, err := a.Load(ctx, id)
	if err != nil {
		return x, err
	}
	if actor.Role == identity.RoleExpert {
		for _, c := range a.assigned {
			if c == x.CreditCode {
				return x, nil
			}
		}
	} else if identity.MaySee(actor, x.BankID, x.Region) {
		return x, nil
	}
	return review.Application{}, kedaitong.Errorf(kedaitong.ENotFound, "no application").ZHf("没有贷款申请")
}

func (a *apps) ByEnterprise(_ context.Context, c string, limit int) ([]review.Application, error) {
	var out []review.Application
	for _, x := range a.byID {
		if x.CreditCode == c {
			out = append(out, x)
		}
	}
	return out, nil
}

func (a *apps) AssignedCodes(context.Context, identity.User) ([]string, error) {
	return a.assigned, nil
}

func newService(t *testing.T) (*enterprises.Service, *apps) {
	t.Helper()
	s, err := enterprises.Open(context.Background(), storetest.New(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	s.SetClock(func() time.Time { return fixedToday })
	a := &apps{byID: map[string]review.Application{}}
	s.SetApplications(a)
	return s, a
}

func mustImport(t *testing.T, s *enterprises.Service, source, data string) sheet.Report {
	t.Helper()
	rep, err := s.Import(context.Background(), admin, source, []byte(data), enterprises.ImportOptions{FileName: source + ".csv"})
	if err != nil {
		t.Fatalf("import %s: %v", source, err)
	}
	return rep
}

func seed(t *testing.T, s *enterprises.Service) {
	t.Helper()
	c1, c2 := code(1), code(2)
	mustImport(t, s, "registration", "credit_code,name,region,founded,registered_capital,status,route,specialised\n"+
		c1+",赣州芯研微电子有限公司,360702,2021-03-15,10000000,存续,semiconductors.ic-design,省级\n"+
		c2+",南昌光谷材料有限公司,360102,2018-05-01,5000000,存续,,\n")
	mustImport(t, s, "ip", "credit_code,patent_no,kind,granted,claims,citations,status\n"+
		c1+",ZL202110000001.1,invention,2023-01-10,12,6,valid\n"+
		c1+",ZL202110000002.X,发明,2023-05-10,8,4,有效\n"+
		c1+",ZL202120000003.3,utility,2022-05-10,3,0,valid\n"+
		c1+",ZL201910000004.4,invention,2020-01-10,10,2,lapsed\n")
	mustImport(t, s, "projects", "credit_code,project_id,level,title,amount,start,end\n"+
		c1+",P-2023-001,provincial,芯片验证平台,2000000,2023-01-01,2025-12-31\n"+
		c1+",P-2024-002,city,产线改造,500000,2024-01-01,2027-12-31\n")
	mustImport(t, s, "tax", "credit_code,year,revenue,rd_spend,tax_paid\n"+
		c1+",2024,12000000,1800000,300000\n"+c1+",2025,25000000,3000000,500000\n"+c2+",2025,800000,100000,10000\n")
	mustImport(t, s, "contracts", "credit_code,contract_id,amount,signed,due,fulfilled\n"+
		c1+",C1,100000,2024-01-01,2024-06-30,2024-06-01\n"+
		c1+",C2,200000,2024-02-01,2024-12-31,2025-02-01\n"+
		c1+",C3,300000,2025-01-01,2027-01-01,\n"+
		c1+",C4,300000,2025-01-01,2025-12-31,\n")
}

func TestPortraitFromEverySource(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	seed(t, s)
	v, err := s.Get(ctx, officer, code(1))
	if err != nil {
		t.Fatal(err)
	}
	if v.Name != "赣州芯研微电子有限公司" || v.Region != "360702" || v.Founded != "2021-03-15" || v.Route != "semiconductors.ic-design" {
		t.Errorf("registration fields: %+v", v)
	}
	ind := v.Indicators
	if ind.RDIntensityPct != 12 { // 3,000,000 / 25,000,000
		t.Errorf("rd_intensity_pct = %d, want 12", ind.RDIntensityPct)
	}
	if ind.InventionPatents != 2 {
		t.Errorf("invention_patents = %d, want 2 (the lapsed one does not count)", ind.InventionPatents)
	}
	// Valid: 2 inventions + 1 utility. Share 40×2/3=27; claims mean (12+8)/2=10 → 20;
	// citations mean 10/3=3.33 → 25×0.667=17; portfolio 15×2/10=3 → 67.
	if ind.PatentQuality != 67 {
		t.Errorf("patent_quality = %d, want 67 (%+v)", ind.PatentQuality, v.Quality)
	}
	// Due by 2026-06-01: C1 (on time), C2 (late), C4 (open) → 1 of 3.
	if ind.TechContractFulfilmentPct != 33 || ind.ContractsDue != 3 {
		t.Errorf("fulfilment = %d%% of %d due, want 33%% of 3", ind.TechContractFulfilmentPct, ind.ContractsDue)
	}
	if fmt.Sprint(ind.Revenue) != "[25000000 12000000]" || fmt.Sprint(ind.RevenueYears) != "[2025 2024]" {
		t.Errorf("revenue = %v %v", ind.Revenue, ind.RevenueYears)
	}
	if ind.Projects["provincial"] != 1 || ind.Projects["city"] != 1 || ind.Projects["national"] != 0 {
		t.Errorf("projects = %v", ind.Projects)
	}
	if v.Maturity != enterprises.StageIndustrial {
		t.Errorf("maturity = %s, want industrial (%+v)", v.Maturity, v.MaturityBasis)
	}
	if strings.Join(v.Flags, ",") != "key_project,specialised" {
		t.Errorf("flags = %v", v.Flags)
	}
	if len(v.Sources) != 5 {
		t.Errorf("sources = %v", v.Sources)
	}
	v2, err := s.Get(ctx, officer, code(2))
	if err != nil {
		t.Fatal(err)
	}
	if v2.Maturity != enterprises.StageLab || v2.Indicators.RDIntensityPct != 13 || len(v2.Flags) != 0 {
		t.Errorf("second portrait: %s %d %v", v2.Maturity, v2.Indicators.RDIntensityPct, v2.Flags)
	}
}

func TestReimportChangesNothingAndUpdates(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	file := "credit_code,year,revenue,rd_spend,tax_paid\n" + code(1) + ",2024,100,10,1\n" + code(1) + ",2025,200,20,2\n" + code(3) + ",2025,50,5,0\n"
	if rep := mustImport(t, s, "tax", file); rep.Imported != 3 || rep.Updated != 0 || rep.Unchanged != 0 || len(rep.Rejected) != 0 {
		t.Fatalf("first import: %+v", rep)
	}
	before, _ := s.Get(ctx, admin, code(1))
	s.SetClock(func() time.Time { return fixedToday.Add(time.Hour) })
	if rep := mustImport(t, s, "tax", file); rep.Imported != 0 || rep.Updated != 0 || rep.Unchanged != 3 {
		t.Fatalf("same file again: %+v", rep)
	}
	after, _ := s.Get(ctx, admin, code(1))
	if !before.Sources[0].ImportedAt.Equal(after.Sources[0].ImportedAt) {
		t.Errorf("an unchanged re-import moved imported_at: %v → %v", before.Sources, after.Sources)
	}
	changed := strings.Replace(file, ",200,20,2", ",300,30,3", 1)
	if rep := mustImport(t, s, "tax", changed); rep.Imported != 0 || rep.Updated != 1 || rep.Unchanged != 2 {
		t.Fatalf("changed row: %+v", rep)
	}
	v, _ := s.Get(ctx, admin, code(1))
	if v.Indicators.Revenue[0] != 300 || v.Indicators.RDIntensityPct != 10 {
		t.Errorf("after update: %+v", v.Indicators)
	}
	recs, _, err := s.Imports(ctx, province, 10, "")
	updated := 0
	for _, r := range recs {
		if r.Source == "tax" && r.Report.Updated == 1 {
			updated++
		}
	}
	if err != nil || len(recs) != 3 || updated != 1 { // the clock is fixed: the three share one time
		t.Errorf("import log: %+v, %v", recs, err)
	}
}

func TestImportChineseHeadersGBKAndXLSX(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	text := "统一社会信用代码,企业名称,行政区划代码,成立日期,注册资本,登记状态\n" + code(5) + ",吉安电子科技有限公司,360802,2019/7/1,3000000,存续\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	if rep := mustImport(t, s, "registration", gbk); rep.Imported != 1 || len(rep.Rejected) != 0 {
		t.Fatalf("GBK import: %+v", rep)
	}
	v, err := s.Get(ctx, admin, code(5))
	if err != nil || v.Name != "吉安电子科技有限公司" || v.Founded != "2019-07-01" {
		t.Fatalf("GBK portrait: %+v %v", v, err)
	}
	f := excelize.NewFile()
	rows := [][]any{{"统一社会信用代码", "专利号", "专利类型", "授权日", "权利要求数", "被引次数", "法律状态"},
		{code(5), "ZL1", "发明", "2024-01-01", 10, 5, "有效"}, {code(5), "ZL2", "实用新型", "2024-02-01", 3, 1, "有效"}}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	rep, err := s.Import(ctx, province, "ip", buf.Bytes(), enterprises.ImportOptions{})
	if err != nil || rep.Imported != 2 {
		t.Fatalf("XLSX import: %+v %v", rep, err)
	}
	v, _ = s.Get(ctx, admin, code(5))
	if v.Indicators.InventionPatents != 1 {
		t.Errorf("invention patents after XLSX: %d", v.Indicators.InventionPatents)
	}
}

func TestImportBadInput(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	bad := code(7)[:17] + "0"
	if bad == code(7) {
		bad = code(7)[:17] + "1"
	}
	file := "credit_code,name,region,founded,registered_capital\n" +
		"91360702ABC,坏代码,360702,2020-01-01,1\n" + // malformed
		bad + ",校验位错,360702,2020-01-01,1\n" + // check digit
		code(8) + ",未来公司,360702,2099-01-01,1\n" + // future date
		code(9) + ",负资本,360702,2020-01-01,-5\n" + // negative money
		code(10) + ",外省,440300,2020-01-01,1\n" + // not Jiangxi
		code(11) + ",好公司,360702,2020-01-01,1\n" +
		code(11) + ",重复行,360702,2020-01-01,1\n" // duplicate
	rep := mustImport(t, s, "registration", file)
	if rep.Imported != 1 {
		t.Errorf("imported = %d, want 1", rep.Imported)
	}
	want := map[int]string{2: "credit_code", 3: "credit_code", 4: "founded", 5: "registered_capital", 6: "region", 8: "credit_code"}
	if len(rep.Rejected) != len(want) {
		t.Fatalf("rejected = %+v", rep.Rejected)
	}
	for _, r := range rep.Rejected {
		if want[r.Row] != r.Column || r.Reason == "" {
			t.Errorf("row %d rejected in %q (%s), want column %q", r.Row, r.Column, r.Reason, want[r.Row])
		}
	}
	for _, tc := range []struct {
		name, source, data string
		who                identity.User
		code               string
	}{
		{"unknown source", "salaries", "credit_code\n" + code(1) + "\n", admin, kedaitong.EInvalid},
		{"wrong headers", "tax", "foo,bar\n1,2\n", admin, kedaitong.EInvalid},
		{"missing column", "tax", "credit_code,year\n" + code(1) + ",2024\n", admin, kedaitong.EInvalid},
		{"not a spreadsheet", "tax", "%PDF-1.4 ...", admin, kedaitong.EInvalid},
		{"empty", "tax", "", admin, kedaitong.EInvalid},
		{"city official", "tax", "credit_code,year,revenue\n", ganzhou, kedaitong.EForbidden},
		{"bank", "tax", "credit_code,year,revenue\n", officer, kedaitong.EForbidden},
		{"too large", "tax", strings.Repeat("x", enterprises.MaxImportBytes+1), admin, kedaitong.ETooLarge},
	} {
		_, err := s.Import(ctx, tc.who, tc.source, []byte(tc.data), enterprises.ImportOptions{})
		if got := kedaitong.ErrorCode(err); got != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	rep = mustImport(t, s, "tax", "credit_code,year,revenue,rd_spend\n"+code(11)+",2030,1,1\n"+code(11)+",2024,-1,1\n"+code(11)+",2024,1,abc\n")
	if len(rep.Rejected) != 3 || rep.Rejected[0].Column != "year" || rep.Rejected[1].Column != "revenue" || rep.Rejected[2].Column != "rd_spend" {
		t.Errorf("tax rejections: %+v", rep.Rejected)
	}
	rep = mustImport(t, s, "contracts", "credit_code,contract_id,amount,signed,due,fulfilled\n"+code(11)+",C1,1,2024-01-01,2023-01-01,\n"+code(11)+",C2,1,2024-01-01,2025-01-01,2099-01-01\n")
	if len(rep.Rejected) != 2 || rep.Rejected[0].Column != "due" || rep.Rejected[1].Column != "fulfilled" {
		t.Errorf("contract rejections: %+v", rep.Rejected)
	}
	rep = mustImport(t, s, "ip", "credit_code,patent_no,kind,claims\n"+code(11)+",ZL1,gadget,1\n"+code(11)+",ZL2,invention,-3\n")
	if len(rep.Rejected) != 2 || rep.Rejected[0].Column != "kind" || rep.Rejected[1].Column != "claims" {
		t.Errorf("ip rejections: %+v", rep.Rejected)
	}
}

func TestVisibility(t *testing.T) {
	ctx := context.Background()
	s, a := newService(t)
	seed(t, s)
	// code(1) is in Ganzhou (360702), code(2) in Nanchang (360102).
	for _, tc := range []struct {
		who  identity.User
		c    string
		want string
	}{
		{ganzhou, code(1), ""}, {ganzhou, code(2), kedaitong.ENotFound}, {nanchang, code(2), ""},
		{province, code(2), ""}, {officer, code(2), ""}, {investor, code(1), ""},
		{expert, code(1), kedaitong.ENotFound}, {analyst, code(1), kedaitong.ENotFound},
	} {
		_, err := s.Get(ctx, tc.who, tc.c)
		if got := kedaitong.ErrorCode(err); got != tc.want {
			t.Errorf("%s reads %s: %v, want %q", tc.who.Username, tc.c, err, tc.want)
		}
	}
	a.assigned = []string{code(1)}
	if _, err := s.Get(ctx, expert, code(1)); err != nil {
		t.Errorf("assigned expert: %v", err)
	}
	if _, err := s.Get(ctx, admin, "91360702MA38XXXXXX"); !kedaitong.Is(err, kedaitong.EInvalid) {
		t.Errorf("malformed code: %v", err)
	}
	list, _, err := s.List(ctx, ganzhou, enterprises.Filter{})
	if err != nil || len(list) != 1 || list[0].CreditCode != code(1) {
		t.Errorf("Ganzhou's list: %+v %v", list, err)
	}
	list, _, _ = s.List(ctx, ganzhou, enterprises.Filter{Region: "3601"})
	if len(list) != 0 {
		t.Errorf("another region's list: %+v", list)
	}
	list, _, _ = s.List(ctx, expert, enterprises.Filter{})
	if len(list) != 1 {
		t.Errorf("expert's list: %+v", list)
	}
	list, _, _ = s.List(ctx, officer, enterprises.Filter{Q: "光谷"})
	if len(list) != 1 || list[0].CreditCode != code(2) {
		t.Errorf("name search: %+v", list)
	}
	list, _, _ = s.List(ctx, officer, enterprises.Filter{Flag: "specialised"})
	if len(list) != 1 || list[0].CreditCode != code(1) {
		t.Errorf("flag filter: %+v", list)
	}
	list, _, _ = s.List(ctx, officer, enterprises.Filter{Route: "semiconductors"})
	if len(list) != 1 {
		t.Errorf("industry filter: %+v", list)
	}
	if _, _, err := s.List(ctx, officer, enterprises.Filter{Flag: "rich"}); !kedaitong.Is(err, kedaitong.EInvalid) {
		t.Errorf("bad flag: %v", err)
	}
	if _, _, err := s.List(ctx, analyst, enterprises.Filter{}); !kedaitong.Is(err, kedaitong.EForbidden) {
		t.Errorf("analyst: %v", err)
	}
	if n, err := s.KeyListCount(ctx, "3607"); err != nil || n != 1 {
		t.Errorf("key-list count Ganzhou = %d, %v", n, err)
	}
	if n, _ := s.KeyListCount(ctx, "3601"); n != 0 {
		t.Errorf("key-list count Nanchang = %d", n)
	}
}

func TestDishonesty(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	seed(t, s)
	mustImport(t, s, "dishonesty", "credit_code,list,listed_on,lifted_on\n"+code(1)+",失信被执行人,2025-01-01,\n"+code(2)+",重大税收违法,2024-01-01,2024-06-01\n")
	if d, err := s.Dishonest(ctx, code(1)); err != nil || !d {
		t.Errorf("listed: %v %v", d, err)
	}
	if d, _ := s.Dishonest(ctx, code(2)); d {
		t.Error("lifted listing still dishonest")
	}
	if d, _ := s.Dishonest(ctx, code(99)); d {
		t.Error("unknown enterprise dishonest")
	}
	mustImport(t, s, "dishonesty", "credit_code,list,listed_on,lifted_on\n"+code(1)+",失信被执行人,2025-01-01,2026-01-01\n")
	if d, _ := s.Dishonest(ctx, code(1)); d {
		t.Error("still dishonest after lifting")
	}
}

func TestEndorsements(t *testing.T) {
	ctx := context.Background()
	s, a := newService(t)
	seed(t, s)
	app := review.Application{ID: "app-1", BankID: "ganzhou-bank", Region: "360702", CreditCode: code(1), State: "submitted",
		Enterprise: review.Enterprise{Name: "赣州芯研微电子有限公司", CreditCode: code(1), Region: "360702", Revenue: []int64{20000000}, InventionPatents: 2}}
	a.byID[app.ID] = app
	share := 30
	in := enterprises.EndorsementInput{Invested: 5000000, Date: "2024-03-01", Statement: "技术路线可靠", RiskSharePct: &share}
	if _, err := s.Endorse(ctx, investor, app.ID, in); !kedaitong.Is(err, kedaitong.EForbidden) {
		t.Fatalf("endorsing without an investment: %v, want forbidden", err)
	}
	mustImport(t, s, "investments", "credit_code,investor,amount,date\n"+code(1)+",赣江科创投资有限公司,5000000,2024-03-01\n")
	for _, tc := range []struct {
		name string
		who  identity.User
		in   enterprises.EndorsementInput
		code string
	}{
		{"bank", officer, in, kedaitong.EForbidden},
		{"other investor", investor2, in, kedaitong.EForbidden},
		{"negative", investor, enterprises.EndorsementInput{Invested: -1, Date: "2024-03-01", Statement: "x"}, kedaitong.EInvalid},
		{"future", investor, enterprises.EndorsementInput{Invested: 1, Date: "2099-03-01", Statement: "x"}, kedaitong.EInvalid},
		{"no statement", investor, enterprises.EndorsementInput{Invested: 1, Date: "2024-03-01"}, kedaitong.EInvalid},
		{"share 101", investor, enterprises.EndorsementInput{Invested: 1, Date: "2024-03-01", Statement: "x", RiskSharePct: new(101)}, kedaitong.EInvalid},
	} {
		if _, err := s.Endorse(ctx, tc.who, app.ID, tc.in); kedaitong.ErrorCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	if _, err := s.Endorse(ctx, investor, "app-none", in); !kedaitong.Is(err, kedaitong.ENotFound) {
		t.Errorf("unknown application: %v", err)
	}
	e, err := s.Endorse(ctx, investor, app.ID, in)
	if err != nil || e.RiskSharePct != 30 || e.Org != investor.Org {
		t.Fatalf("endorse: %+v %v", e, err)
	}
	if _, err := s.Endorse(ctx, investor, app.ID, in); !kedaitong.Is(err, kedaitong.EConflict) {
		t.Errorf("second endorsement: %v, want conflict", err)
	}
	if pct, err := s.RiskSharePct(ctx, app.ID); err != nil || pct != 30 {
		t.Errorf("risk share = %d, %v", pct, err)
	}
	if list, err := s.Endorsements(ctx, officer, app.ID); err != nil || len(list) != 1 {
		t.Errorf("bank reads endorsements: %v %v", list, err)
	}
	if _, err := s.Endorsements(ctx, nanchang, app.ID); !kedaitong.Is(err, kedaitong.ENotFound) {
		t.Errorf("another region's official: %v", err)
	}
	v, _ := s.Get(ctx, officer, code(1))
	if !v.Endorsed || !strings.Contains(strings.Join(v.Flags, ","), "endorsed") {
		t.Errorf("portrait not endorsed: %v", v.Flags)
	}
	c, err := s.Candidates(ctx, investor)
	if err != nil || len(c) != 1 || !c[0].Endorsed {
		t.Errorf("candidates: %+v %v", c, err)
	}
	ap, err := s.ForApplication(ctx, officer, app.ID)
	if err != nil || !ap.Found || len(ap.Endorsements) != 1 {
		t.Fatalf("application portrait: %+v %v", ap, err)
	}
	fields := map[string]bool{}
	for _, d := range ap.Differences {
		fields[d.Field] = true
	}
	if !fields["revenue"] || !fields["rd_spend"] || fields["invention_patents"] || fields["name"] {
		t.Errorf("differences: %+v", ap.Differences)
	}
	if _, err := s.ForApplication(ctx, expert, app.ID); !kedaitong.Is(err, kedaitong.ENotFound) {
		t.Errorf("unassigned expert: %v", err)
	}
	d, err := s.Draft(ctx, officer, code(1))
	if err != nil || d.Name != app.Enterprise.Name || d.Revenue[0] != 25000000 || d.InventionPatents != 2 || d.Maturity != "industrial" {
		t.Errorf("draft: %+v %v", d, err)
	}
	if _, err := s.Draft(ctx, investor, code(1)); !kedaitong.Is(err, kedaitong.EForbidden) {
		t.Errorf("investor drafts: %v", err)
	}
}

func TestRoadshows(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	seed(t, s)
	in := enterprises.RoadshowInput{Title: "半导体产业链路演", Chain: "semiconductors", Date: "2026-07-01", Region: "3607", Capacity: 2}
	if _, err := s.CreateRoadshow(ctx, officer, in); !kedaitong.Is(err, kedaitong.EForbidden) {
		t.Errorf("bank creates: %v", err)
	}
	if _, err := s.CreateRoadshow(ctx, nanchang, in); !kedaitong.Is(err, kedaitong.EForbidden) {
		t.Errorf("another region's official: %v", err)
	}
	for _, bad := range []enterprises.RoadshowInput{
		{Title: "", Chain: "semiconductors", Date: "2026-07-01", Region: "3607"},
		{Title: "x", Chain: "fishing", Date: "2026-07-01", Region: "3607"},
		{Title: "x", Chain: "semiconductors", Date: "2026-13-01", Region: "3607"},
		{Title: "x", Chain: "semiconductors", Date: "2026-07-01", Region: "3607", Capacity: -1},
	} {
		if _, err := s.CreateRoadshow(ctx, ganzhou, bad); !kedaitong.Is(err, kedaitong.EInvalid) {
			t.Errorf("bad roadshow %+v: %v", bad, err)
		}
	}
	r, err := s.CreateRoadshow(ctx, ganzhou, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RegisterProject(ctx, officer, r.ID, enterprises.ProjectInput{CreditCode: code(1), Pitch: "车规级芯片", Media: []string{"https://example.com/line.mp4"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RegisterProject(ctx, ganzhou, r.ID, enterprises.ProjectInput{CreditCode: code(2), Pitch: "新材料"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RegisterProject(ctx, ganzhou, r.ID, enterprises.ProjectInput{CreditCode: code(2), Pitch: "again"}); !kedaitong.Is(err, kedaitong.EConflict) {
		t.Errorf("project twice: %v", err)
	}
	if _, err := s.RegisterProject(ctx, ganzhou, r.ID, enterprises.ProjectInput{CreditCode: code(3), Pitch: "x", Media: []string{"javascript:alert(1)"}}); !kedaitong.Is(err, kedaitong.EInvalid) {
		t.Errorf("bad media: %v", err)
	}
	if _, err := s.RegisterProject(ctx, investor, r.ID, enterprises.ProjectInput{CreditCode: code(3), Pitch: "x"}); !kedaitong.Is(err, kedaitong.EForbidden) {
		t.Errorf("investor registers: %v", err)
	}
	rate := enterprises.RatingInput{CreditCode: code(1), Feasibility: 8, Commercial: 7, Team: 9}
	if _, err := s.Rate(ctx, officer, r.ID, rate); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Rate(ctx, officer, r.ID, rate); !kedaitong.Is(err, kedaitong.EConflict) {
		t.Errorf("rating twice: %v", err)
	}
	for _, bad := range []enterprises.RatingInput{{CreditCode: code(2), Feasibility: 0, Commercial: 5, Team: 5}, {CreditCode: code(2), Feasibility: 5, Commercial: 10, Team: 5}} {
		if _, err := s.Rate(ctx, investor, r.ID, bad); !kedaitong.Is(err, kedaitong.EInvalid) {
			t.Errorf("rating %+v: %v", bad, err)
		}
	}
	if _, err := s.Rate(ctx, investor, r.ID, enterprises.RatingInput{CreditCode: code(4), Feasibility: 5, Commercial: 5, Team: 5}); !kedaitong.Is(err, kedaitong.ENotFound) {
		t.Errorf("unregistered project: %v", err)
	}
	if _, err := s.Rate(ctx, ganzhou, r.ID, rate); !kedaitong.Is(err, kedaitong.EForbidden) {
		t.Errorf("official rates: %v", err)
	}
	if _, err := s.Rate(ctx, investor, r.ID, enterprises.RatingInput{CreditCode: code(2), Feasibility: 3, Commercial: 3, Team: 3}); err != nil {
		t.Fatal(err)
	}
	// Two seats: the bank and the investor; the expert finds them taken.
	expert.ID = "u-exp"
	if _, err := s.Rate(ctx, expert, r.ID, rate); !kedaitong.Is(err, kedaitong.EConflict) {
		t.Errorf("full roadshow: %v", err)
	}
	v, err := s.GetRoadshow(ctx, officer, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Ranking) != 2 || v.Ranking[0].CreditCode != code(1) || v.Ranking[0].Overall != 8 || !v.Ranking[0].Shortlisted || v.Ranking[1].Shortlisted {
		t.Errorf("ranking: %+v", v.Ranking)
	}
	if !v.Attending || len(v.Rated) != 1 || v.Seats != 0 {
		t.Errorf("caller's view: %+v", v)
	}
	list, _, err := s.Roadshows(ctx, analyst, enterprises.RoadshowFilter{})
	if err != nil || len(list) != 1 {
		t.Errorf("list: %v %v", list, err)
	}
}

func TestDocking(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	seed(t, s)
	d, err := s.Dock(ctx, officer, enterprises.DockingInput{CreditCode: code(1), Kind: "loan", Note: "愿提供信用贷款"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Dock(ctx, investor, enterprises.DockingInput{CreditCode: code(2), Kind: "investment"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		who  identity.User
		in   enterprises.DockingInput
		code string
	}{
		{ganzhou, enterprises.DockingInput{CreditCode: code(1), Kind: "loan"}, kedaitong.EForbidden},
		{officer, enterprises.DockingInput{CreditCode: code(1), Kind: "gift"}, kedaitong.EInvalid},
		{officer, enterprises.DockingInput{CreditCode: "123", Kind: "loan"}, kedaitong.EInvalid},
		{officer, enterprises.DockingInput{CreditCode: code(77), Kind: "loan"}, kedaitong.ENotFound},
	} {
		if _, err := s.Dock(ctx, tc.who, tc.in); kedaitong.ErrorCode(err) != tc.code {
			t.Errorf("dock %+v by %s: %v, want %s", tc.in, tc.who.Username, err, tc.code)
		}
	}
	for _, tc := range []struct {
		who identity.User
		n   int
	}{{officer, 1}, {investor, 1}, {investor2, 0}, {ganzhou, 1}, {nanchang, 1}, {province, 2}, {admin, 2}} {
		list, _, err := s.DockingList(ctx, tc.who, enterprises.DockingFilter{})
		if err != nil || len(list) != tc.n {
			t.Errorf("%s sees %d dockings (%v), want %d", tc.who.Username, len(list), err, tc.n)
		}
	}
	if _, err := s.FollowUp(ctx, nanchang, d.ID, enterprises.FollowUpInput{State: "contacted"}); !kedaitong.Is(err, kedaitong.ENotFound) {
		t.Errorf("another region follows up: %v", err)
	}
	if _, err := s.FollowUp(ctx, ganzhou, d.ID, enterprises.FollowUpInput{State: "won"}); !kedaitong.Is(err, kedaitong.EInvalid) {
		t.Errorf("bad state: %v", err)
	}
	if _, err := s.FollowUp(ctx, ganzhou, d.ID, enterprises.FollowUpInput{State: "converted", Note: "已放款"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.FollowUp(ctx, ganzhou, d.ID, enterprises.FollowUpInput{State: "closed"}); !kedaitong.Is(err, kedaitong.EConflict) {
		t.Errorf("after conversion: %v", err)
	}
	if total, conv, err := s.DockingStats(ctx, "3607"); err != nil || total != 1 || conv != 1 {
		t.Errorf("Ganzhou docking stats %d/%d %v", conv, total, err)
	}
	if total, conv, _ := s.DockingStats(ctx, "36"); total != 2 || conv != 1 {
		t.Errorf("province docking stats %d/%d", conv, total)
	}
}
