package scoring

import (
	"context"
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store"
)

// MaxExport bounds the reports of one export.
const MaxExport = 5000

// Reports returns the reports the actor may see, newest first: a bank's
// users their bank's, an official those of its region, an admin all.
func (s *Service) Reports(ctx context.Context, actor identity.User, limit int) ([]Report, error) {
	rs, _, err := s.ReportsPage(ctx, actor, limit, "")
	return rs, err
}

// ReportsPage is Reports one page at a time: at most limit reports after
// the cursor of the previous page, and the cursor of the next ("" at the end).
func (s *Service) ReportsPage(ctx context.Context, actor identity.User, limit int, cursor string) ([]Report, string, error) {
	eq := map[string]any{}
	switch {
	case identity.IsBankRole(actor.Role):
		if actor.BankID == "" {
			return nil, "", kedaitong.Errorf(kedaitong.EForbidden, "your account has no bank").ZHf("您的账户未关联银行")
		}
		eq["bank_id"] = actor.BankID
	case actor.Role == identity.RoleOfficial:
		switch len(actor.Region) {
		case 2:
		case 4:
			eq["city"] = actor.Region
		case 6:
			eq["region"] = actor.Region
		default:
			return nil, "", kedaitong.Errorf(kedaitong.EForbidden, "your account has no region").ZHf("您的账户没有所属地区")
		}
	case actor.Role == identity.RoleAdmin:
	default:
		return nil, "", kedaitong.Errorf(kedaitong.EForbidden, "your role does not see reports").ZHf("您的角色无法查看评审报告")
	}
	if limit <= 0 || limit > MaxExport {
		limit = MaxExport
	}
	q := store.Query{Eq: eq, Sort: "closed_ms", Desc: true, Limit: limit, After: cursor}
	page, err := s.reports.Find(ctx, q)
	if err != nil {
		return nil, "", err
	}
	out := make([]Report, 0, len(page.Docs))
	for _, d := range page.Docs {
		var r stored
		if err := d.Decode(&r); err != nil {
			return nil, "", err
		}
		if ok, _, err := s.review.WhitelistStatus(ctx, r.CreditCode); err == nil {
			r.Whitelisted = ok
		}
		out = append(out, r.Report)
	}
	return out, page.Next, nil
}

// Export writes the reports the actor may see as an XLSX workbook: one row
// per report (overall and per-criterion scores, recommendations, maturity,
// disagreement, whitelist), and a sheet of the merged risk points and
// monitoring indicators. Headers in lang ("en" or Chinese).
func (s *Service) Export(ctx context.Context, actor identity.User, lang string, w io.Writer) (int, error) {
	rs, err := s.Reports(ctx, actor, MaxExport)
	if err != nil {
		return 0, err
	}
	en := lang == "en"
	t := func(zh, e string) string {
		if en {
			return e
		}
		return zh
	}
	f := excelize.NewFile()
	defer f.Close()
	sheet := t("评审报告", "Reports")
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return 0, err
	}
	var crit []Criterion
	for _, g := range s.defaults {
		crit = g.Criteria
		break
	}
	head := []any{t("申请编号", "Application"), t("企业", "Enterprise"), t("统一社会信用代码", "Credit code"), t("技术路线", "Route"),
		t("贷款金额（元）", "Loan (yuan)"), t("总分均值", "Overall mean"), t("总分中位数", "Overall median"), t("校准分", "Calibrated"),
		t("行业百分位", "Industry percentile")}
	for _, c := range crit {
		head = append(head, c.Name.In(lang))
	}
	head = append(head, t("支持", "Support"), t("有条件支持", "Support with conditions"), t("不支持", "Do not support"),
		t("成熟度", "Maturity"), t("意见分歧", "Disagreement"), t("白名单", "Whitelisted"), t("评审专家数", "Reviews"), t("结题时间", "Closed"))
	if err := f.SetSheetRow(sheet, "A1", &head); err != nil {
		return 0, err
	}
	yes := func(b bool) string {
		if b {
			return t("是", "yes")
		}
		return t("否", "no")
	}
	risks := t("风险点与监测指标", "Risks and indicators")
	if _, err := f.NewSheet(risks); err != nil {
		return 0, err
	}
	if err := f.SetSheetRow(risks, "A1", &[]any{t("申请编号", "Application"), t("企业", "Enterprise"), t("类别", "Kind"), t("内容", "Text")}); err != nil {
		return 0, err
	}
	rr := 2
	for i, r := range rs {
		row := []any{r.ApplicationID, r.Enterprise, r.CreditCode, r.Route, r.LoanAmount, r.Overall.Mean, r.Overall.Median, r.Overall.Calibrated}
		if r.Overall.Percentile != nil {
			row = append(row, *r.Overall.Percentile)
		} else {
			row = append(row, "")
		}
		for _, c := range crit {
			if cs, ok := r.Criteria[c.ID]; ok {
				row = append(row, cs.Mean)
			} else {
				row = append(row, "")
			}
		}
		row = append(row, r.Recommendations[Support], r.Recommendations[SupportWithCondition], r.Recommendations[DoNotSupport],
			r.MaturityStage, yes(r.Disagreement), yes(r.Whitelisted), r.Submitted, r.ClosedAt.Format("2006-01-02 15:04"))
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := f.SetSheetRow(sheet, cell, &row); err != nil {
			return 0, err
		}
		put := func(kind, text string) error {
			cell, _ := excelize.CoordinatesToCellName(1, rr)
			rr++
			return f.SetSheetRow(risks, cell, &[]any{r.ApplicationID, r.Enterprise, kind, text})
		}
		for _, x := range r.RiskPoints {
			if err := put(t("专家风险点", "Risk point (experts)"), x); err != nil {
				return 0, err
			}
		}
		for _, x := range r.GuidelineRisks {
			if err := put(t("指引风险点", "Risk point (guideline)"), x.In(lang)); err != nil {
				return 0, err
			}
		}
		for _, x := range r.Indicators {
			if err := put(t("监测指标", "Monitoring indicator"), x.In(lang)); err != nil {
				return 0, err
			}
		}
	}
	if err := f.Write(w); err != nil {
		return 0, fmt.Errorf("scoring: export: %w", err)
	}
	return len(rs), nil
}
