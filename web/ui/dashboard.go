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
	s.page(e, web.UIRoute{Method: "GET", Path: "/dashboard/list", Obj: "dashboard", Act: "read"}, s.pageDashboardList)
}

// dashCell is one number of the dashboard with the list behind it.
type dashCell struct {
	Text, Link string
	Count      int64 // the number the list must show ("" links: -1)
}

// dashPage is what the dashboard template shows.
type dashPage struct {
	V          dashboard.View
	Name       string
	ParentName string
	From, To   string
	Cards      []dashCard
	Summary    []dashSummaryRow
	Trends     []template.HTML
	TrendRows  []dashTrendRow
	Charts     []template.HTML
	Children   []dashChildRow
	ExportURL  string
}

type dashCard struct {
	ID, Label, Unit string
	Cell            dashCell
	Sub             *dashSub // an amount under the number, linked to the same list
}

// dashSub is a card's amount: Pre, the amount (a link to its list), Post.
type dashSub struct {
	Pre, Post string
	Cell      dashCell
}

type dashSummaryRow struct {
	ID, Label string
	Cell      dashCell
}

type dashTrendRow struct {
	Month                                          string
	Apps, Loans, LoanAmount, Startup, Claims, Loss dashCell
}

type dashChildRow struct {
	Region, Label                                                                    string
	Apps, Reviewed, StartupsReviewed, Granted, StartupsSupported, Whitelisted, Exits dashCell
}

func pctText(s dashboard.Share) string {
	if s.Share == nil {
		return "—"
	}
	return fmt.Sprintf("%.1f%% (%d/%d)", *s.Share*100, s.Part, s.Whole)
}

// dashLink is the drill-down list behind a number: the list of kind of in
// region, narrowed by the pairs of kv.
func dashLink(of, region string, kv ...string) string {
	v := url.Values{"of": {of}, "region": {region}}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			v.Set(kv[i], kv[i+1])
		}
	}
	return "/dashboard/list?" + v.Encode()
}

func (s *ui) dashError(c *gin.Context, err error) {
	switch kedaitong.ErrorCode(err) {
	case kedaitong.ENotFound:
		s.renderNotFound(c)
	case kedaitong.EInvalid:
		s.renderError(c, http.StatusBadRequest, "dashboard.invalid")
	case kedaitong.EForbidden:
		s.renderError(c, http.StatusForbidden, "error.forbidden")
	default:
		s.renderError(c, web.StatusOf(err), "error.internal")
	}
}

func (s *ui) pageDashboard(c *gin.Context) {
	cl := web.MustCaller(c)
	sn, err := s.Deps.Dashboard.Snapshot(c.Request.Context(), cl.User, c.Query("region"), c.Query("from"), c.Query("to"))
	if err != nil {
		s.dashError(c, err)
		return
	}
	lang := web.PickLang(c)
	content, err := s.dashContent(sn, lang)
	if err != nil {
		s.Deps.Logger.Error("render", "page", "dashboard", "err", err)
		s.renderError(c, http.StatusInternalServerError, "error.internal")
		return
	}
	s.renderDashPage(c, cl, lang, content)
}

func buildDashPage(v dashboard.View, lang string) *dashPage {
	zh := lang != "en"
	pick := func(t dashboard.Text) string {
		if zh {
			return t.ZH
		}
		return t.EN
	}
	tr := func(zhs, en string) string {
		if zh {
			return zhs
		}
		return en
	}
	num := func(n int64, link string) dashCell { return dashCell{Text: fmt.Sprint(n), Link: link, Count: n} }
	wan := func(yuanAmt int64, link string) dashCell {
		return dashCell{Text: wanText(yuanAmt), Link: link, Count: -1}
	}
	reg := v.Region
	app := func(kv ...string) string { return dashLink(dashboard.OfApplications, reg, kv...) }
	p := dashPage{V: v, Name: pick(v.Name), From: v.Trends.From, To: v.Trends.To,
		ExportURL: "/api/v1/dashboard/export?" + url.Values{"region": {reg}, "lang": {lang}, "from": {v.Trends.From}, "to": {v.Trends.To}}.Encode()}
	if v.Parent != "" {
		p.ParentName = pick(dashboard.RegionName(v.Parent))
	}
	f := v.Fund
	p.Cards = []dashCard{
		{ID: "apps", Label: tr("申请总数", "Applications"), Unit: tr("件", ""), Cell: num(v.Applications.Total, app())},
		{ID: "reviewed", Label: tr("已出评审报告", "Reviewed (report issued)"), Unit: tr("件", ""), Cell: num(v.Reports.Count, app("flag", "reviewed"))},
		{ID: "granted", Label: tr("银行同意放贷", "Loans granted by banks"), Unit: tr("件", ""), Cell: num(v.Loans.Granted, app("flag", "granted")),
			Sub: &dashSub{tr("金额 ", "amount "), tr(" 万元", " ×10k yuan"), wan(v.Loans.GrantedAmount, app("flag", "granted"))}},
		{ID: "loans", Label: tr("已放贷（风险补偿资金池登记）", "Loans registered with the fund"), Unit: tr("笔", ""), Cell: num(f.Loans, dashLink(dashboard.OfLoans, reg)),
			Sub: &dashSub{tr("本金 ", "principal "), tr(" 万元", " ×10k yuan"), wan(f.LoanAmount, dashLink(dashboard.OfLoans, reg))}},
		{ID: "startup", Label: tr("初创企业贷款占比", "Start-up share of loans"), Unit: "%", Cell: dashCell{Text: pctText(f.StartupLoans), Link: dashLink(dashboard.OfLoans, reg, "flag", "startup"), Count: f.StartupLoans.Part}},
		{ID: "claims", Label: tr("代偿申请", "Compensation claims"), Unit: tr("件", ""), Cell: num(f.Claims, dashLink(dashboard.OfClaims, reg)),
			Sub: &dashSub{tr("损失 ", "losses "), tr(" 万元", " ×10k yuan"), wan(f.ClaimLoss, dashLink(dashboard.OfClaims, reg))}},
	}
	p.Summary = []dashSummaryRow{
		{"apps", tr("申请总数", "Applications"), num(v.Applications.Total, app())},
		{"submitted", tr("已提交评审", "Submitted for review"), num(countOf(v, "submitted"), app("flag", "submitted"))},
		{"reviewed", tr("已出评审报告", "Reviewed (report issued)"), num(v.Reports.Count, app("flag", "reviewed"))},
		{"startups_reviewed", tr("初创企业占已评审比例", "Start-ups among reviewed"), dashCell{Text: pctText(v.StartupsReviewed), Link: app("flag", "reviewed", "age", "startup"), Count: v.StartupsReviewed.Part}},
		{"decided", tr("银行已作出放贷决定", "Lending decisions recorded"), num(v.Loans.Decided, app("flag", "decided"))},
		{"granted", tr("银行同意放贷", "Loans granted by banks"), num(v.Loans.Granted, app("flag", "granted"))},
		{"startups_supported", tr("初创企业占同意放贷比例", "Start-ups among granted"), dashCell{Text: pctText(v.StartupsSupported), Link: app("flag", "granted", "age", "startup"), Count: v.StartupsSupported.Part}},
		{"granted_amount", tr("同意放贷金额（万元）", "Amount granted (×10k yuan)"), wan(v.Loans.GrantedAmount, app("flag", "granted"))},
		{"median_days", tr("提交至出报告天数中位数", "Median days from submission to report"), dashCell{Text: medianText(v), Link: app("flag", "reviewed"), Count: v.Reports.Count}},
		{"loans", tr("已放贷笔数（资金池登记）", "Loans registered with the fund"), num(f.Loans, dashLink(dashboard.OfLoans, reg))},
		{"loan_amount", tr("放贷本金（万元）", "Principal lent (×10k yuan)"), wan(f.LoanAmount, dashLink(dashboard.OfLoans, reg))},
		{"startup_loans", tr("初创企业贷款占比", "Start-up share of loans"), dashCell{Text: pctText(f.StartupLoans), Link: dashLink(dashboard.OfLoans, reg, "flag", "startup"), Count: f.StartupLoans.Part}},
		{"claims", tr("代偿申请", "Compensation claims"), num(f.Claims, dashLink(dashboard.OfClaims, reg))},
		{"claim_loss", tr("代偿申请损失（万元）", "Losses claimed (×10k yuan)"), wan(f.ClaimLoss, dashLink(dashboard.OfClaims, reg))},
		{"consultations", tr("咨询数", "Consultations asked"), num(v.Consultations.Asked, dashLink(dashboard.OfConsultations, reg))},
		{"answered", tr("已答复咨询", "Consultations answered"), num(v.Consultations.Answered, dashLink(dashboard.OfConsultations, reg, "flag", "answered"))},
		{"on_time", tr("按期答复比例", "Answered within the deadline"), dashCell{Text: pctText(v.Consultations.AnsweredOnTime), Link: dashLink(dashboard.OfConsultations, reg, "flag", "on_time"), Count: v.Consultations.AnsweredOnTime.Part}},
		{"seats", tr("专家席位邀请数", "Panel seats offered"), num(v.Experts.SeatsOffered, dashLink(dashboard.OfSeats, reg))},
		{"seats_open", tr("专家在办席位（工作量）", "Open panel seats (workload)"), num(v.Experts.SeatsOpen, dashLink(dashboard.OfSeats, reg, "flag", "open"))},
		{"acceptance", tr("专家接受比例", "Seats accepted"), dashCell{Text: pctText(v.Experts.AcceptanceRate), Link: dashLink(dashboard.OfSeats, reg, "flag", "accepted"), Count: v.Experts.AcceptanceRate.Part}},
		{"on_time_reviews", tr("专家按期提交比例", "Reviews submitted on time"), dashCell{Text: pctText(v.Experts.ReviewsOnTime), Link: dashLink(dashboard.OfSeats, reg, "flag", "on_time"), Count: v.Experts.ReviewsOnTime.Part}},
		{"disagreement", tr("意见分歧的评审组", "Panels with disagreement"), num(v.PanelsWithDisagreement, dashLink(dashboard.OfDisagreements, reg))},
		{"whitelisted", tr("白名单企业", "Whitelisted enterprises"), num(v.Whitelisted, dashLink(dashboard.OfWhitelist, reg))},
		{"rr_due", tr("待复评", "Re-reviews due"), num(v.Rereviews.Due, dashLink(dashboard.OfRereviews, reg, "flag", "due"))},
		{"rr_running", tr("复评中", "Re-reviews running"), num(v.Rereviews.Running, dashLink(dashboard.OfRereviews, reg, "flag", "running"))},
		{"rr_done", tr("已完成复评", "Re-reviews concluded"), num(v.Rereviews.Concluded, dashLink(dashboard.OfRereviews, reg, "flag", "concluded"))},
		{"exits", tr("建议退出", "Exits recommended"), num(v.Rereviews.ExitRecommended, dashLink(dashboard.OfRereviews, reg, "flag", "exit"))},
	}
	// month-by-month trends
	var apps, loans, startup, claims []dashboard.Point
	for _, m := range v.Trends.Months {
		label := m.Month[2:]
		mk := func(n float64, text, link string) dashboard.Point {
			return dashboard.Point{Label: label, Value: &n, Text: text, Link: link}
		}
		apps = append(apps, mk(float64(m.Applications), fmt.Sprint(m.Applications), app("month", m.Month)))
		loans = append(loans, mk(float64(m.LoanAmount)/10000, wanText(m.LoanAmount)+tr(" 万元（", " (")+fmt.Sprint(m.Loans)+tr(" 笔）", " loans)"), dashLink(dashboard.OfLoans, reg, "month", m.Month)))
		sp := dashboard.Point{Label: label, Text: "—", Link: dashLink(dashboard.OfLoans, reg, "month", m.Month, "flag", "startup")}
		if m.StartupLoans.Share != nil {
			x := *m.StartupLoans.Share * 100
			sp.Value, sp.Text = &x, pctText(m.StartupLoans)
		}
		startup = append(startup, sp)
		claims = append(claims, mk(float64(m.Claims), fmt.Sprint(m.Claims), dashLink(dashboard.OfClaims, reg, "month", m.Month)))
		p.TrendRows = append(p.TrendRows, dashTrendRow{Month: m.Month,
			Apps:       num(m.Applications, app("month", m.Month)),
			Loans:      num(m.Loans, dashLink(dashboard.OfLoans, reg, "month", m.Month)),
			LoanAmount: wan(m.LoanAmount, dashLink(dashboard.OfLoans, reg, "month", m.Month)),
			Startup:    dashCell{Text: pctText(m.StartupLoans), Link: dashLink(dashboard.OfLoans, reg, "month", m.Month, "flag", "startup"), Count: m.StartupLoans.Part},
			Claims:     num(m.Claims, dashLink(dashboard.OfClaims, reg, "month", m.Month)),
			Loss:       wan(m.ClaimLoss, dashLink(dashboard.OfClaims, reg, "month", m.Month)),
		})
	}
	p.Trends = []template.HTML{
		template.HTML(dashboard.TrendChart("trend-apps", tr("每月提交的贷款申请", "Applications submitted per month"), tr("件", "applications"), apps, false)),
		template.HTML(dashboard.TrendChart("trend-loans", tr("每月放贷本金", "Principal lent per month"), tr("万元", "×10k yuan"), loans, false)),
		template.HTML(dashboard.TrendChart("trend-startup", tr("每月贷款中初创企业占比", "Start-up share of each month's loans"), "%", startup, true)),
		template.HTML(dashboard.TrendChart("trend-claims", tr("每月代偿申请", "Compensation claims per month"), tr("件", "claims"), claims, false)),
	}
	bars := func(cs []dashboard.Count, param string) []dashboard.Bar {
		out := make([]dashboard.Bar, 0, len(cs))
		for _, c := range cs {
			out = append(out, dashboard.Bar{Label: pick(c.Name), Value: c.Count, Link: app(param, c.Code)})
		}
		return out
	}
	p.Charts = append(p.Charts,
		template.HTML(dashboard.BarChart("chart-state", tr("按状态的申请（件）", "Applications by state (count)"), bars(v.Applications.ByState, "state"))),
		template.HTML(dashboard.BarChart("chart-industry", tr("按产业的申请（件）", "Applications by industry (count)"), bars(v.Applications.ByIndustry, "industry"))),
		template.HTML(dashboard.BarChart("chart-age", tr("按企业年龄的申请（件）", "Applications by enterprise age (count)"), bars(v.Applications.ByAgeGroup, "age"))),
	)
	startupBars := []dashboard.Bar{
		{Label: tr("已评审中的初创企业", "Start-ups among reviewed"), Value: v.StartupsReviewed.Part, Note: pctText(v.StartupsReviewed), Link: app("flag", "reviewed", "age", "startup")},
		{Label: tr("同意放贷中的初创企业", "Start-ups among granted"), Value: v.StartupsSupported.Part, Note: pctText(v.StartupsSupported), Link: app("flag", "granted", "age", "startup")},
		{Label: tr("已放贷中的初创企业", "Start-ups among loans"), Value: f.StartupLoans.Part, Note: pctText(f.StartupLoans), Link: dashLink(dashboard.OfLoans, reg, "flag", "startup")},
	}
	p.Charts = append(p.Charts, template.HTML(dashboard.BarChart("chart-startups", tr("初创企业（不满3年，件）", "Start-ups (under 3 years, count)"), startupBars)))
	var kids []dashboard.Bar
	for _, ch := range v.Children {
		cr := ch.Region
		capp := func(kv ...string) string { return dashLink(dashboard.OfApplications, cr, kv...) }
		row := dashChildRow{Region: cr, Label: pick(ch.Name),
			Apps:              num(ch.Applications, capp()),
			Reviewed:          num(ch.Reviewed, capp("flag", "reviewed")),
			StartupsReviewed:  dashCell{Text: pctText(ch.StartupsReviewed), Link: capp("flag", "reviewed", "age", "startup"), Count: ch.StartupsReviewed.Part},
			Granted:           num(ch.Granted, capp("flag", "granted")),
			StartupsSupported: dashCell{Text: pctText(ch.StartupsSupported), Link: capp("flag", "granted", "age", "startup"), Count: ch.StartupsSupported.Part},
			Whitelisted:       num(ch.Whitelisted, dashLink(dashboard.OfWhitelist, cr)),
			Exits:             num(ch.ExitRecommended, dashLink(dashboard.OfRereviews, cr, "flag", "exit")),
		}
		p.Children = append(p.Children, row)
		kids = append(kids, dashboard.Bar{Label: row.Label, Value: ch.Applications, Link: capp()})
	}
	if len(kids) > 0 {
		p.Charts = append(p.Charts, template.HTML(dashboard.BarChart("chart-children", tr("下级区划的申请（件）", "Applications by region below (count)"), kids)))
	}
	return &p
}

func countOf(v dashboard.View, what string) int64 {
	var n int64
	for _, c := range v.Applications.ByState {
		if what == "submitted" && c.Code != "draft" && c.Code != "withdrawn" {
			n += c.Count
		}
	}
	return n
}

func medianText(v dashboard.View) string {
	if v.Reports.MedianDays == nil {
		return "—"
	}
	return fmt.Sprintf("%g", *v.Reports.MedianDays)
}

// dashListPage is what the drill-down list shows.
type dashListPage struct {
	L          dashboard.List
	Title      string
	Filters    []string
	RegionName string
	Items      []dashListRow
	Next, Back string
	AmountText string
	ShowAmount bool
	ShowDays   bool   // applications with reports: days from submission to report
	MedianText string // their median
}

type dashListRow struct {
	dashboard.ListItem
	RegionText, StateText, AmountText, DaysText string
}

func (s *ui) pageDashboardList(c *gin.Context) {
	limit, cur, err := web.PageParams(c)
	if err != nil {
		s.dashError(c, err)
		return
	}
	f := dashboard.ListFilter{Of: c.Query("of"), Region: c.Query("region"), Month: c.Query("month"), State: c.Query("state"),
		Industry: c.Query("industry"), Age: c.Query("age"), Flag: c.Query("flag"), Limit: limit, Cursor: cur}
	l, err := s.Deps.Dashboard.List(c.Request.Context(), web.MustCaller(c).User, f)
	if err != nil {
		s.dashError(c, err)
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
	tr := func(zhs, en string) string {
		if zh {
			return zhs
		}
		return en
	}
	kinds := map[string][2]string{
		dashboard.OfApplications: {"贷款申请", "Loan applications"}, dashboard.OfLoans: {"已放贷（资金池登记）", "Loans registered with the fund"},
		dashboard.OfClaims: {"代偿申请", "Compensation claims"}, dashboard.OfConsultations: {"咨询", "Consultations"},
		dashboard.OfSeats: {"专家评审席位", "Panel seats"}, dashboard.OfWhitelist: {"白名单企业", "Whitelisted enterprises"},
		dashboard.OfRereviews: {"技术复评", "Technical re-reviews"}, dashboard.OfDisagreements: {"意见分歧的评审组（评审报告）", "Panels with disagreement (reports)"},
	}
	k := kinds[l.Of]
	p := dashListPage{L: l, Title: tr(k[0], k[1]), RegionName: pick(l.RegionName),
		Back:       "/dashboard?" + url.Values{"region": {l.Region}}.Encode(),
		ShowAmount: l.Of == dashboard.OfApplications || l.Of == dashboard.OfLoans || l.Of == dashboard.OfClaims,
		AmountText: wanText(l.Amount)}
	flagNames := map[string][2]string{
		"submitted": {"已提交评审", "submitted for review"}, "reviewed": {"已出评审报告", "report issued"}, "decided": {"已作出放贷决定", "decision recorded"},
		"granted": {"同意放贷", "granted"}, "startup": {"初创企业（不满3年）", "start-ups (under 3 years)"}, "answered": {"已答复", "answered"},
		"on_time": {"按期答复", "answered on time"}, "open": {"在办", "open"}, "accepted": {"已接受", "accepted"}, "declined": {"已拒绝", "declined"},
		"expired": {"已过期", "expired"}, "due": {"待复评", "due"}, "running": {"复评中", "running"}, "concluded": {"已完成", "concluded"},
		"exit": {"建议退出", "exit recommended"},
	}
	if f.Month != "" {
		p.Filters = append(p.Filters, tr("月份（北京时间）：", "Month (Beijing time): ")+f.Month)
	}
	if f.State != "" {
		p.Filters = append(p.Filters, tr("状态：", "State: ")+pick(dashboard.StateName(l.Of, f.State)))
	}
	if f.Industry != "" {
		p.Filters = append(p.Filters, tr("产业：", "Industry: ")+pageField(lang, f.Industry))
	}
	if f.Age != "" {
		ages := map[string][2]string{"startup": {"初创（不满3年）", "start-up (under 3 years)"}, "growth": {"成长（3–5年）", "growth (3–5 years)"},
			"mature": {"成熟（5年以上）", "mature (over 5 years)"}, "unknown": {"未知", "unknown"}}
		a := ages[f.Age]
		p.Filters = append(p.Filters, tr("企业年龄：", "Enterprise age: ")+tr(a[0], a[1]))
	}
	if l.Of == dashboard.OfSeats && f.Flag == "on_time" {
		p.Filters = append(p.Filters, tr("按期提交评分", "score submitted by the due date"))
	} else if n, ok := flagNames[f.Flag]; ok {
		p.Filters = append(p.Filters, tr(n[0], n[1]))
	}
	if l.MedianDays != nil {
		p.MedianText = fmt.Sprintf("%g", *l.MedianDays)
	}
	for _, it := range l.Items {
		row := dashListRow{ListItem: it, RegionText: pick(it.RegionName), StateText: pick(it.StateName)}
		if it.Amount != 0 {
			row.AmountText = wanText(it.Amount)
		}
		if it.Days != nil {
			row.DaysText, p.ShowDays = fmt.Sprint(*it.Days), true
		}
		p.Items = append(p.Items, row)
	}
	if l.NextCursor != "" {
		q := c.Request.URL.Query()
		q.Set("cursor", l.NextCursor)
		p.Next = "/dashboard/list?" + q.Encode()
	}
	s.render(c, http.StatusOK, "dashboard_list", "dashboard.list.title", p)
}
