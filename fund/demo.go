package fund

import (
	"context"
	"fmt"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/review"
)

// Demo accounts the fund's demo data adds (password identity.DemoPassword).
var DemoUsers = []identity.NewUser{
	{Username: "official.lianhua", Role: identity.RoleOfficial, Region: "360321"},
	{Username: "official.fuzhou", Role: identity.RoleOfficial, Region: "3610"},
}

// SeedDemo fills an empty store with the programme's two cases: Lianhua
// County (360321) with 2,545,000 yuan paid in at 1:10 (capacity
// 25,450,000) and Fuzhou (3610) with 9,400,000 budgeted for 2024 and
// 3,000,000 paid in (capacity 30,000,000); loans of two banks, one
// repayment, one default and one claim. The state is deliberate:
//
//   - Lianhua: gzbank 8,000,000 and ncbank 1,500,000 outstanding, all
//     performing — both banks normal.
//   - Fuzhou: ncbank's 800,000 yuan solid-state battery loan defaulted with
//     400,000 outstanding beside 9,300,000 performing: a non-performing
//     ratio of 4% — the one warning the demo shows (warning line 3%, far
//     from the 5% suspension: ncbank keeps lending). Its ordinary claim
//     (loss 400,000, compensation 320,000 at 80%) has its recovery closed,
//     so the Fuzhou official can approve it at once; cash covers it, so no
//     payment warning.
//
// bankA and bankB are bank officers; lianhua and fuzhou officials of the
// two regions. It returns how many loans it registered.
func (s *Service) SeedDemo(ctx context.Context, lianhua, fuzhou, bankA, bankB identity.User) (int, error) {
	if _, err := s.CreatePool(ctx, lianhua, PoolInput{Region: "360321", Name: strPtr("莲花县科贷通风险补偿资金池")}); err != nil && !kedaitong.Is(err, kedaitong.EConflict) {
		return 0, err
	}
	if paid, err := s.demoPaidIn(ctx, lianhua, "fund-360321"); err != nil {
		return 0, err
	} else if paid == 0 {
		if _, _, err := s.Contribute(ctx, lianhua, "fund-360321", ContributionInput{Year: 2024, Budgeted: 2545000, PaidIn: 2545000, By: ByCounty, Note: "2024 年县级风险补偿金"}); err != nil {
			return 0, err
		}
	}
	if _, err := s.CreatePool(ctx, fuzhou, PoolInput{Region: "3610", Name: strPtr("抚州市科贷通风险补偿资金池")}); err != nil && !kedaitong.Is(err, kedaitong.EConflict) {
		return 0, err
	}
	if paid, err := s.demoPaidIn(ctx, fuzhou, "fund-3610"); err != nil {
		return 0, err
	} else if paid == 0 {
		if _, _, err := s.Contribute(ctx, fuzhou, "fund-3610", ContributionInput{Year: 2024, Budgeted: 9400000, PaidIn: 3000000, By: ByCity, Note: "2024 年市级预算 940 万元，首期到位 300 万元"}); err != nil {
			return 0, err
		}
	}
	type demoLoan struct {
		bank    identity.User
		name    string
		region  string
		n       int
		founded string
		route   string
		amount  int64
		start   string
		term    int
	}
	loans := []demoLoan{
		{bankA, "莲花县赣芯微电子有限公司", "360321", 101, "2022-04-18", "semiconductors.power-devices", 5000000, "2024-06-12", 36},
		{bankA, "莲花县绿能新材料有限公司", "360321", 102, "2016-09-01", "new-materials.advanced-ceramics", 3000000, "2024-09-20", 24},
		{bankB, "莲花县中药材科技有限公司", "360321", 103, "2012-03-08", "biomedicine.tcm", 2000000, "2025-01-15", 12},
		{bankB, "抚州固态锂电科技有限公司", "361002", 104, "2021-11-11", "lithium-battery.solid-state", 800000, "2024-05-10", 24},
		{bankB, "抚州智造机器人有限公司", "361002", 105, "2023-02-20", "high-end-equipment.industrial-robots", 2500000, "2024-11-05", 36},
		{bankA, "抚州华光光伏科技有限公司", "361002", 106, "2019-07-01", "photovoltaics.topcon", 1500000, "2025-03-18", 24},
		{bankB, "抚州数智云科技有限公司", "361002", 107, "2020-06-30", "digital-ai.industrial-internet", 6800000, "2025-02-26", 36},
	}
	// A seeding interrupted by a crash is resumed: what it already wrote
	// is found (loans by their enterprise, the claim by its loan) and not
	// written twice.
	have := map[string]Loan{}
	for _, b := range []identity.User{bankA, bankB} {
		list, _, err := s.ListLoans(ctx, b, LoanFilter{Limit: 200})
		if err != nil {
			return 0, err
		}
		for _, l := range list {
			have[l.Enterprise.CreditCode] = l
		}
	}
	var made []Loan
	for _, d := range loans {
		if l, ok := have[review.DemoCreditCode(d.region, d.n)]; ok {
			made = append(made, l)
			continue
		}
		l, err := s.RegisterLoan(ctx, d.bank, LoanInput{Enterprise: &Enterprise{Name: d.name, CreditCode: review.DemoCreditCode(d.region, d.n),
			Region: d.region, Founded: d.founded, Route: d.route}, Amount: d.amount, Start: d.start, TermMonths: d.term})
		if err != nil {
			return len(made), fmt.Errorf("demo loan %s: %w", d.name, err)
		}
		made = append(made, l)
	}
	if made[2].Outstanding == loans[2].amount {
		if _, err := s.Repay(ctx, bankB, made[2].ID, RepaymentInput{Amount: 500000, Date: "2025-07-15"}); err != nil {
			return len(made), err
		}
	}
	// The one default, and its claim ready for the official's decision.
	bad := made[3]
	if bad.State == LoanActive {
		if _, err := s.MarkDefault(ctx, bankB, bad.ID, DefaultInput{Date: "2025-08-30", Outstanding: int64Ptr(400000)}); err != nil {
			return len(made), err
		}
	}
	var c Claim
	claims, _, err := s.ListClaims(ctx, bankB, ClaimFilter{Limit: 200})
	if err != nil {
		return len(made), err
	}
	for _, x := range claims {
		if x.LoanID == bad.ID {
			c = x
		}
	}
	if c.ID == "" {
		if c, err = s.FileClaim(ctx, bankB, bad.ID, ClaimInput{Loss: 400000, Cause: CauseOrdinary}); err != nil {
			return len(made), err
		}
	}
	if !c.RecoveryClosed {
		if _, err := s.CloseRecovery(ctx, bankB, c.ID); err != nil {
			return len(made), err
		}
	}
	s.Flush()
	return len(made), nil
}

// demoPaidIn is what the pool was paid in 2024 (0 before the demo's
// contribution).
func (s *Service) demoPaidIn(ctx context.Context, official identity.User, id string) (int64, error) {
	p, err := s.GetPool(ctx, official, id)
	if err != nil {
		return 0, err
	}
	return p.PaidInByYear["2024"], nil
}

func strPtr(s string) *string { return &s }
func int64Ptr(v int64) *int64 { return &v }
