package fund

import (
	"context"
	"io"

	"github.com/xuri/excelize/v2"

	"kedaitong"
	"kedaitong/identity"
)

// Export kinds.
const (
	ExportLoans  = "loans"
	ExportClaims = "claims"
	ExportKPIs   = "kpis"
)

// maxExport bounds the rows of an export.
const maxExport = 50000

type col struct{ zh, en string }

func header(zh bool, cols []col) []any {
	out := make([]any, len(cols))
	for i, c := range cols {
		out[i] = c.en
		if zh {
			out[i] = c.zh
		}
	}
	return out
}

// Export writes the loans, claims or KPIs the actor may see as an XLSX
// workbook in one language (money in yuan). year and region apply to KPIs.
func (s *Service) Export(ctx context.Context, actor identity.User, kind, region string, year int, zh bool, w io.Writer) error {
	if !isOfficialOrAdmin(actor) {
		return forbidden("exports are for officials and admins", "导出仅供政府用户和管理员使用")
	}
	var rows [][]any
	var cols []col
	switch kind {
	case ExportLoans:
		cols = []col{{"贷款编号", "Loan"}, {"资金池", "Fund"}, {"银行", "Bank"}, {"企业", "Enterprise"}, {"统一社会信用代码", "Credit code"},
			{"区县", "County"}, {"技术路线", "Route"}, {"硬科技", "Hard tech"}, {"金额（元）", "Amount (yuan)"}, {"余额（元）", "Outstanding (yuan)"},
			{"放款日", "Start"}, {"期限（月）", "Term (months)"}, {"状态", "State"}}
		cursor := ""
		for len(rows) < maxExport {
			ls, next, err := s.ListLoans(ctx, actor, LoanFilter{Limit: 500, Cursor: cursor})
			if err != nil {
				return err
			}
			for _, l := range ls {
				st := l.State
				if zh {
					st = stateZH(l.State)
				}
				rows = append(rows, []any{l.ID, l.FundID, l.BankID, l.Enterprise.Name, l.CreditCode, l.Region, l.Enterprise.Route,
					l.HardTech, l.Amount, l.Outstanding, l.Start, l.TermMonths, st})
			}
			if next == "" {
				break
			}
			cursor = next
		}
	case ExportClaims:
		cols = []col{{"申请编号", "Claim"}, {"贷款编号", "Loan"}, {"资金池", "Fund"}, {"银行", "Bank"}, {"企业", "Enterprise"},
			{"损失（元）", "Loss (yuan)"}, {"原因", "Cause"}, {"补偿比例 %", "Share %"}, {"补偿金额（元）", "Compensation (yuan)"},
			{"省级承担（元）", "Province part (yuan)"}, {"市县承担（元）", "Local part (yuan)"}, {"已支付（元）", "Paid (yuan)"},
			{"缓付（元）", "Deferred (yuan)"}, {"快速清算", "Accelerated"}, {"状态", "State"}, {"提交时间", "Filed"}}
		cursor := ""
		for len(rows) < maxExport {
			cs, next, err := s.ListClaims(ctx, actor, ClaimFilter{Limit: 500, Cursor: cursor})
			if err != nil {
				return err
			}
			for _, c := range cs {
				st := c.State
				if zh {
					st = claimStateZH(c.State)
				}
				rows = append(rows, []any{c.ID, c.LoanID, c.FundID, c.BankID, c.Enterprise, c.Loss, c.Cause, c.SharePct, c.Compensation,
					c.ProvincePart, c.LocalPart, c.Paid, c.Deferred, c.Accelerated, st, c.CreatedAt.In(beijing).Format("2006-01-02 15:04")})
			}
			if next == "" {
				break
			}
			cursor = next
		}
	case ExportKPIs:
		cols = []col{{"排名", "Rank"}, {"区划", "Region"}, {"资金池", "Fund"}, {"余额（元）", "Cash (yuan)"}, {"放大容量（元）", "Capacity (yuan)"},
			{"在贷余额（元）", "Outstanding (yuan)"}, {"放大倍数使用率 %", "Leverage used %"}, {"贷款笔数", "Loans"}, {"企业数", "Enterprises"},
			{"初创企业占比 %", "Start-up share %"}, {"不良率 %", "NPL %"}, {"已代偿（元）", "Compensation paid (yuan)"},
			{"技术转化成功率 %", "Tech success %"}, {"年度目标（元）", "Target (yuan)"}, {"目标完成 %", "Target progress %"}}
		ks, err := s.KPIs(ctx, actor, region, year)
		if err != nil {
			return err
		}
		for _, k := range ks {
			var target any = ""
			if k.Target != nil {
				target = k.Target.LoanAmount
			}
			rows = append(rows, []any{k.Rank, k.Region, k.Name, k.Cash, k.Capacity, k.Outstanding, k.LeverageUsedPct, k.Loans, k.Enterprises,
				k.StartupSharePct, k.NPLPct, k.CompensationPaid, k.TechSuccessPct, target, k.TargetProgressPct})
		}
	default:
		return kedaitong.Invalid("kind", "loans, claims or kpis").ZHf("导出类型应为 loans、claims 或 kpis")
	}
	x := excelize.NewFile()
	defer x.Close()
	sheet := "Sheet1"
	if err := x.SetSheetRow(sheet, "A1", &[]any{}); err != nil {
		return err
	}
	hdr := header(zh, cols)
	if err := x.SetSheetRow(sheet, "A1", &hdr); err != nil {
		return err
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := x.SetSheetRow(sheet, cell, &r); err != nil {
			return err
		}
	}
	_ = x.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	return x.Write(w)
}
