package dashboard

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// Sheet names of the export.
var sheetNames = struct{ Summary, State, Industry, Age, Drill, Trends Text }{
	Summary:  Text{ZH: "概览", EN: "Summary"},
	State:    Text{ZH: "按状态", EN: "By state"},
	Industry: Text{ZH: "按产业", EN: "By industry"},
	Age:      Text{ZH: "按企业年龄", EN: "By enterprise age"},
	Drill:    Text{ZH: "下级区划", EN: "Drill-down"},
	Trends:   Text{ZH: "按月趋势", EN: "Monthly trends"},
}

func pick(t Text, zh bool) string {
	if zh {
		return t.ZH
	}
	return t.EN
}

// SummaryRow is one line of the summary: a label and a value (a count, a
// share as a fraction, or empty).
type SummaryRow struct {
	Label Text
	Value any
}

func shareValue(s Share) any {
	if s.Share == nil {
		return ""
	}
	return *s.Share
}

// Summary lists the view's headline figures in order (the export's first
// sheet and the page's table).
func Summary(v View) []SummaryRow {
	var med any = ""
	if v.Reports.MedianDays != nil {
		med = *v.Reports.MedianDays
	}
	return []SummaryRow{
		{Text{ZH: "区划", EN: "Region"}, v.Region + " " + v.Name.ZH + " / " + v.Name.EN},
		{Text{ZH: "申请总数", EN: "Applications"}, v.Applications.Total},
		{Text{ZH: "已出评审报告", EN: "Reviewed (report issued)"}, v.Reports.Count},
		{Text{ZH: "初创企业占已评审比例", EN: "Start-ups among reviewed"}, shareValue(v.StartupsReviewed)},
		{Text{ZH: "已放贷（获支持）", EN: "Supported (loan granted)"}, v.Loans.Granted},
		{Text{ZH: "初创企业占获支持比例", EN: "Start-ups among supported"}, shareValue(v.StartupsSupported)},
		{Text{ZH: "放贷金额（元）", EN: "Amount granted (yuan)"}, v.Loans.GrantedAmount},
		{Text{ZH: "提交至出报告天数中位数", EN: "Median days from submission to report"}, med},
		{Text{ZH: "咨询数", EN: "Consultations asked"}, v.Consultations.Asked},
		{Text{ZH: "已答复咨询", EN: "Consultations answered"}, v.Consultations.Answered},
		{Text{ZH: "按期答复比例", EN: "Answered within the deadline"}, shareValue(v.Consultations.AnsweredOnTime)},
		{Text{ZH: "专家席位邀请数", EN: "Panel seats offered"}, v.Experts.SeatsOffered},
		{Text{ZH: "专家在办席位（工作量）", EN: "Open panel seats (workload)"}, v.Experts.SeatsOpen},
		{Text{ZH: "专家接受比例", EN: "Seats accepted"}, shareValue(v.Experts.AcceptanceRate)},
		{Text{ZH: "专家按期提交比例", EN: "Reviews submitted on time"}, shareValue(v.Experts.ReviewsOnTime)},
		{Text{ZH: "意见分歧的评审组", EN: "Panels with disagreement"}, v.PanelsWithDisagreement},
		{Text{ZH: "白名单企业", EN: "Whitelisted enterprises"}, v.Whitelisted},
		{Text{ZH: "待复评", EN: "Re-reviews due"}, v.Rereviews.Due},
		{Text{ZH: "复评中", EN: "Re-reviews running"}, v.Rereviews.Running},
		{Text{ZH: "建议退出", EN: "Exits recommended"}, v.Rereviews.ExitRecommended},
		{Text{ZH: "已放贷笔数（资金池登记）", EN: "Loans registered with the fund"}, v.Fund.Loans},
		{Text{ZH: "放贷本金（元）", EN: "Principal lent (yuan)"}, v.Fund.LoanAmount},
		{Text{ZH: "初创企业贷款占比", EN: "Start-up share of loans"}, shareValue(v.Fund.StartupLoans)},
		{Text{ZH: "代偿申请", EN: "Compensation claims"}, v.Fund.Claims},
		{Text{ZH: "代偿申请损失（元）", EN: "Losses claimed (yuan)"}, v.Fund.ClaimLoss},
	}
}

// Export writes the view as an XLSX workbook in one language: a summary
// sheet, the breakdowns by state, industry and age group, and the
// drill-down. Shares are fractions formatted as percentages.
func Export(v View, zh bool, w io.Writer) error {
	x := excelize.NewFile()
	defer x.Close()
	pct, err := x.NewStyle(&excelize.Style{NumFmt: 10}) // 0.00%
	if err != nil {
		return err
	}
	bold, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	first := pick(sheetNames.Summary, zh)
	if err := x.SetSheetName("Sheet1", first); err != nil {
		return err
	}
	set := func(sheet string, col, row int, val any) {
		cell, _ := excelize.CoordinatesToCellName(col, row)
		_ = x.SetCellValue(sheet, cell, val)
	}
	header := func(sheet string, cols ...Text) {
		for i, c := range cols {
			set(sheet, i+1, 1, pick(c, zh))
		}
		end, _ := excelize.CoordinatesToCellName(len(cols), 1)
		_ = x.SetCellStyle(sheet, "A1", end, bold)
		_ = x.SetColWidth(sheet, "A", "A", 36)
	}
	header(first, Text{ZH: "指标", EN: "Measure"}, Text{ZH: "数值", EN: "Value"})
	for i, r := range Summary(v) {
		set(first, 1, i+2, pick(r.Label, zh))
		set(first, 2, i+2, r.Value)
		if _, ok := r.Value.(float64); ok && r.Label.EN != "Median days from submission to report" {
			cell, _ := excelize.CoordinatesToCellName(2, i+2)
			_ = x.SetCellStyle(first, cell, cell, pct)
		}
	}
	breakdown := func(name Text, counts []Count) error {
		sh := pick(name, zh)
		if _, err := x.NewSheet(sh); err != nil {
			return err
		}
		header(sh, Text{ZH: "代码", EN: "Code"}, Text{ZH: "名称", EN: "Name"}, Text{ZH: "申请数", EN: "Applications"})
		for i, c := range counts {
			set(sh, 1, i+2, c.Code)
			set(sh, 2, i+2, pick(c.Name, zh))
			set(sh, 3, i+2, c.Count)
		}
		return nil
	}
	if err := breakdown(sheetNames.State, v.Applications.ByState); err != nil {
		return err
	}
	if err := breakdown(sheetNames.Industry, v.Applications.ByIndustry); err != nil {
		return err
	}
	if err := breakdown(sheetNames.Age, v.Applications.ByAgeGroup); err != nil {
		return err
	}
	sh := pick(sheetNames.Drill, zh)
	if _, err := x.NewSheet(sh); err != nil {
		return err
	}
	header(sh, Text{ZH: "区划代码", EN: "Region"}, Text{ZH: "名称", EN: "Name"}, Text{ZH: "申请数", EN: "Applications"},
		Text{ZH: "已评审", EN: "Reviewed"}, Text{ZH: "初创占已评审", EN: "Start-ups among reviewed"},
		Text{ZH: "获支持", EN: "Supported"}, Text{ZH: "初创占获支持", EN: "Start-ups among supported"},
		Text{ZH: "白名单", EN: "Whitelisted"}, Text{ZH: "建议退出", EN: "Exits recommended"})
	for i, c := range v.Children {
		row := i + 2
		for j, val := range []any{c.Region, pick(c.Name, zh), c.Applications, c.Reviewed, shareValue(c.StartupsReviewed),
			c.Granted, shareValue(c.StartupsSupported), c.Whitelisted, c.ExitRecommended} {
			set(sh, j+1, row, val)
			if _, ok := val.(float64); ok {
				cell, _ := excelize.CoordinatesToCellName(j+1, row)
				_ = x.SetCellStyle(sh, cell, cell, pct)
			}
		}
	}
	sh = pick(sheetNames.Trends, zh)
	if _, err := x.NewSheet(sh); err != nil {
		return err
	}
	header(sh, Text{ZH: "月份（北京时间）", EN: "Month (Beijing time)"}, Text{ZH: "提交申请（件）", EN: "Applications submitted"},
		Text{ZH: "放贷（笔）", EN: "Loans"}, Text{ZH: "放贷本金（元）", EN: "Principal (yuan)"},
		Text{ZH: "初创企业贷款占比", EN: "Start-up share of loans"}, Text{ZH: "代偿申请（件）", EN: "Claims filed"},
		Text{ZH: "代偿损失（元）", EN: "Losses claimed (yuan)"})
	for i, m := range v.Trends.Months {
		row := i + 2
		for j, val := range []any{m.Month, m.Applications, m.Loans, m.LoanAmount, shareValue(m.StartupLoans), m.Claims, m.ClaimLoss} {
			set(sh, j+1, row, val)
			if _, ok := val.(float64); ok {
				cell, _ := excelize.CoordinatesToCellName(j+1, row)
				_ = x.SetCellStyle(sh, cell, cell, pct)
			}
		}
	}
	x.SetActiveSheet(0)
	if _, err := x.WriteTo(w); err != nil {
		return fmt.Errorf("dashboard: export: %w", err)
	}
	return nil
}
