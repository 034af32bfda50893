package experts

import (
	"context"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"kedaitong"
	"kedaitong/identity"
)

// Export writes the experts that match f (all pages; f.Limit and f.Cursor
// are ignored) as an XLSX workbook in the import's format, so an exported
// file can be edited and imported again. zh selects Chinese headers.
// Officials and admins only (the file holds contact details).
func (s *Service) Export(ctx context.Context, actor identity.User, f Filter, zh bool, w io.Writer) (int, error) {
	if !manages(actor) {
		return 0, kedaitong.Errorf(kedaitong.EForbidden, "only officials and administrators export the directory").ZHf("只有政府用户和管理员可以导出专家名录")
	}
	f.Limit, f.Cursor = 500, ""
	if err := f.Validate(s); err != nil {
		return 0, err
	}
	x := excelize.NewFile()
	defer x.Close()
	const sheet = "Sheet1"
	sheetName := "experts"
	if zh {
		sheetName = "专家库"
	}
	if err := x.SetSheetName(sheet, sheetName); err != nil {
		return 0, err
	}
	sw, err := x.NewStreamWriter(sheetName)
	if err != nil {
		return 0, err
	}
	header := make([]any, len(importColumns))
	for i, c := range importColumns {
		header[i] = c
		if zh {
			header[i] = zhHeaders[c]
		}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return 0, err
	}
	row := 2
	for {
		page, next, err := s.Search(ctx, actor, f)
		if err != nil {
			return 0, err
		}
		for _, e := range page {
			orgs := make([]string, 0, len(e.Organisations))
			for _, o := range e.Organisations {
				if !o.Current() {
					continue
				}
				t := o.Name
				if o.CreditCode != "" {
					t += "|" + o.CreditCode
				}
				orgs = append(orgs, t)
			}
			fields := append(append([]string{}, e.Fields...), e.Specialities...)
			cells := []any{e.ID, e.Name, e.Tier, strings.Join(fields, ";"), strings.Join(orgs, ";"), e.Region, e.Capacity, e.Email, e.Title, e.Phone, e.Status}
			cell, _ := excelize.CoordinatesToCellName(1, row)
			if err := sw.SetRow(cell, cells); err != nil {
				return 0, err
			}
			row++
		}
		if next == "" {
			break
		}
		f.Cursor = next
	}
	if err := sw.Flush(); err != nil {
		return 0, err
	}
	if _, err := x.WriteTo(w); err != nil {
		return 0, err
	}
	s.record(ctx, &actor, "expert.export", "expert", "", "", map[string]any{"rows": row - 2, "filter": filterDetail(f)})
	return row - 2, nil
}

func filterDetail(f Filter) map[string]string {
	m := map[string]string{}
	for k, v := range map[string]string{"field": f.Field, "tier": f.Tier, "region": f.Region, "available_on": f.AvailableOn,
		"q": f.Q, "committee": f.Committee, "status": f.Status} {
		if v != "" {
			m[k] = v
		}
	}
	return m
}
