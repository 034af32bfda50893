package ui

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/dashboard"
	"kedaitong/web"
)

func (s *ui) registerDashboardPages(e *gin.Engine) {
	s.page(e, web.UIRoute{Method: "GET", Path: "/dashboard", Obj: "dashboard", Act: "read"}, s.pageDashboard)
}

// dashPage is what the dashboard template shows.
type dashPage struct {
	V          dashboard.View
	Name       string
	ParentName string
	Summary    []dashSummaryRow
	Charts     []template.HTML
	Children   []dashChildRow
	ExportURL  string
}

type dashSummaryRow struct{ Label, Value string }

type dashChildRow struct {
	dashboard.Child
	Label, StartupsReviewed, StartupsSupported string
}

func pctText(s dashboard.Share) string {
	if s.Share == nil {
		return "—"
	}
	return fmt.Sprintf("%.1f%% (%d/%d)", *s.Share*100, s.Part, s.Whole)
}

func (s *ui) pageDashboard(c *gin.Context) {
	v, err := s.Deps.Dashboard.Get(c.Request.Context(), web.MustCaller(c).User, c.Query("region"))
	if err != nil {
		switch kedaitong.ErrorCode(err) {
		case kedaitong.ENotFound, kedaitong.EInvalid:
			s.renderNotFound(c)
		case kedaitong.EForbidden:
			s.renderError(c, http.StatusForbidden, "error.forbidden")
		default:
			s.renderError(c, web.StatusOf(err), "error.internal")
		}
		return
	}
	lang := web.PickLang(c)
	zh := lang != "en"
	pick := func(t dashboard.Text) string {
		if zh {
			return t.ZH
		}
		return t.EN
	}
	p := dashPage{V: v, Name: pick(v.Name), ExportURL: "/api/v1/dashboard/export?" + url.Values{"region": {v.Region}, "lang": {lang}}.Encode()}
	if v.Parent != "" {
		p.ParentName = pick(dashboard.RegionName(v.Parent))
	}
	for _, r := range dashboard.Summary(v)[1:] {
		val := ""
		switch x := r.Value.(type) {
		case int64:
			val = fmt.Sprint(x)
		case float64:
			if r.Label.EN == "Median days from submission to report" {
				val = fmt.Sprintf("%g", x)
			} else {
				val = fmt.Sprintf("%.1f%%", x*100)
			}
		case string:
			val = "—"
		}
		p.Summary = append(p.Summary, dashSummaryRow{Label: pick(r.Label), Value: val})
	}
	bars := func(cs []dashboard.Count) []dashboard.Bar {
		out := make([]dashboard.Bar, 0, len(cs))
		for _, c := range cs {
			out = append(out, dashboard.Bar{Label: pick(c.Name), Value: c.Count})
		}
		return out
	}
	tr := func(zhs, en string) string {
		if zh {
			return zhs
		}
		return en
	}
	p.Charts = append(p.Charts,
		template.HTML(dashboard.BarChart("chart-state", tr("按状态的申请", "Applications by state"), bars(v.Applications.ByState))),
		template.HTML(dashboard.BarChart("chart-industry", tr("按产业的申请", "Applications by industry"), bars(v.Applications.ByIndustry))),
		template.HTML(dashboard.BarChart("chart-age", tr("按企业年龄的申请", "Applications by enterprise age"), bars(v.Applications.ByAgeGroup))),
	)
	startup := []dashboard.Bar{
		{Label: tr("已评审中的初创企业", "Start-ups among reviewed"), Value: v.StartupsReviewed.Part, Note: pctText(v.StartupsReviewed)},
		{Label: tr("获支持中的初创企业", "Start-ups among supported"), Value: v.StartupsSupported.Part, Note: pctText(v.StartupsSupported)},
	}
	p.Charts = append(p.Charts, template.HTML(dashboard.BarChart("chart-startups", tr("初创企业（不满3年）", "Start-ups (under 3 years)"), startup)))
	var kids []dashboard.Bar
	for _, ch := range v.Children {
		row := dashChildRow{Child: ch, Label: pick(ch.Name), StartupsReviewed: pctText(ch.StartupsReviewed), StartupsSupported: pctText(ch.StartupsSupported)}
		p.Children = append(p.Children, row)
		kids = append(kids, dashboard.Bar{Label: row.Label, Value: ch.Applications})
	}
	if len(kids) > 0 {
		p.Charts = append(p.Charts, template.HTML(dashboard.BarChart("chart-children", tr("下级区划的申请", "Applications by region below"), kids)))
	}
	s.render(c, http.StatusOK, "dashboard", "dashboard.title", p)
}
