package ui

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/alerts"
	"kedaitong/intel"
	"kedaitong/riskmap"
	"kedaitong/taxonomy"
	"kedaitong/web"
)

// registerRiskmapPages registers the risk map page, its SVG and CSV, and
// the alerts inbox page.
func (s *ui) registerRiskmapPages(e *gin.Engine) {
	s.page(e, web.UIRoute{Method: "GET", Path: "/riskmap", Obj: "riskmap", Act: "read"}, s.pageRiskmap)
	s.dualPage(e, web.UIRoute{Method: "GET", Path: "/riskmap.svg", Obj: "riskmap", Act: "read"}, s.pageRiskmapSVG)
	s.dualPage(e, web.UIRoute{Method: "GET", Path: "/riskmap.csv", Obj: "riskmap", Act: "read"}, s.pageRiskmapCSV)
	if s.Deps.Alerts != nil {
		s.page(e, web.UIRoute{Method: "GET", Path: "/alerts", Obj: "alert", Act: "read"}, s.pageAlerts)
		s.page(e, web.UIRoute{Method: "POST", Path: "/alerts/read", Obj: "alert", Act: "read"}, s.pageAlertsReadAll)
		s.page(e, web.UIRoute{Method: "POST", Path: "/alerts/:id/read", Obj: "alert", Act: "read"}, s.pageAlertRead)
		s.page(e, web.UIRoute{Method: "POST", Path: "/alerts/rules", Obj: "alert_rule", Act: "create"}, s.pageCreateRule)
		s.page(e, web.UIRoute{Method: "POST", Path: "/alerts/rules/:id/delete", Obj: "alert_rule", Act: "delete"}, s.pageDeleteRule)
		s.page(e, web.UIRoute{Method: "POST", Path: "/alerts/webhooks", Obj: "alert_webhook", Act: "create"}, s.pageCreateWebhook)
		s.page(e, web.UIRoute{Method: "POST", Path: "/alerts/webhooks/:id/delete", Obj: "alert_webhook", Act: "delete"}, s.pageDeleteWebhook)
	}
}

// dualPage registers a page-style GET that clients may also fetch with an
// API token: with an Authorization header it is guarded as an API route
// (401/403 as JSON), else as a page (log-in redirect).
func (s *ui) dualPage(e *gin.Engine, r web.UIRoute, h gin.HandlerFunc) {
	s.AddUIRoute(r)
	pg := s.pageGuard(r)
	api := s.Guard(web.Route{Method: r.Method, Path: r.Path, Obj: r.Obj, Act: r.Act})
	e.Handle(r.Method, r.Path, web.LimitBody(web.MaxJSONBody), func(c *gin.Context) {
		if c.GetHeader("Authorization") != "" {
			api(c)
		} else {
			pg(c)
		}
	}, h)
}

// mapCell is a cell of the page's table.
type mapCell struct {
	riskmap.Cell
	Selected bool
}

// mapRow is an industry's row.
type mapRow struct {
	Code      string
	Name      string
	Cells     []mapCell
	Sparkline template.HTML
}

type riskmapPage struct {
	From, To   string
	Error      string
	Dimensions []string
	DimNames   []string
	Rows       []mapRow
	Cell       string // industry:dimension selected
	CellName   string
	Items      []intel.Item
	Exposure   *riskmap.Exposure
	Query      template.URL // from=…&to=…, already encoded (a URL part, not text to escape)
}

func (s *ui) pageRiskmap(c *gin.Context) {
	lang := web.PickLang(c)
	u := web.MustCaller(c).User
	p := riskmapPage{}
	r, err := s.Deps.Riskmap.ParseRange(c.Query("from"), c.Query("to"))
	if err != nil {
		p.Error = web.ErrText(c, err)
		r, _ = s.Deps.Riskmap.ParseRange("", "")
	}
	p.From, p.To = r.From.String(), r.To.String()
	p.Query = template.URL(url.Values{"from": {p.From}, "to": {p.To}}.Encode()) // #nosec: built from parsed dates
	m, err := s.Deps.Riskmap.Map(c.Request.Context(), u, r)
	if err != nil {
		s.renderError(c, web.StatusOf(err), "error.title")
		return
	}
	p.Dimensions = m.Dimensions
	for _, d := range m.Dimensions {
		p.DimNames = append(p.DimNames, riskmap.DimensionName(d, lang))
	}
	if cell := c.Query("cell"); cell != "" {
		ind, dim, _ := strings.Cut(cell, ":")
		if !s.Deps.Riskmap.Taxonomy().IsIndustry(ind) || riskmap.DimensionName(dim, "en") == dim {
			p.Error = web.ErrText(c, kedaitong.Invalid("cell", "%q is not an industry:dimension", cell).ZHf("%q 不是“行业:风险维度”格式", cell))
		} else {
			p.Cell = cell
			p.CellName = s.Deps.Riskmap.IndustryName(ind, lang) + " · " + riskmap.DimensionName(dim, lang)
			since, until := r.From.Time(), r.To.Add(1).Time()
			items, _, err := s.Deps.Intel.Items(c.Request.Context(), u, intel.ItemFilter{Industry: ind, Dimension: dim, Since: &since, Until: &until, FirstOnly: true, Limit: 50})
			if err != nil {
				s.renderError(c, web.StatusOf(err), "error.title")
				return
			}
			p.Items = items
		}
	}
	for _, ind := range m.Industries {
		row := mapRow{Code: ind, Name: s.Deps.Riskmap.IndustryName(ind, lang), Sparkline: sparkline(m.Series[ind])}
		for _, d := range m.Dimensions {
			cl, _ := m.Cell(ind, d)
			row.Cells = append(row.Cells, mapCell{Cell: cl, Selected: p.Cell == ind+":"+d})
		}
		p.Rows = append(p.Rows, row)
	}
	if riskmap.MayReadExposure(u) == nil && s.Deps.RBAC.RoleAllowed(u.Role, "exposure", "read") {
		if p.Exposure, err = s.Deps.Riskmap.Exposure(c.Request.Context(), u, r); err != nil {
			s.renderError(c, web.StatusOf(err), "error.title")
			return
		}
	}
	s.render(c, http.StatusOK, "riskmap", "riskmap.title", p)
}

// sparkline draws a series as a small inline SVG polyline (numbers only).
func sparkline(xs []int64) template.HTML {
	const w, h = 120, 24
	if len(xs) == 0 {
		return ""
	}
	var hi int64 = 1
	for _, x := range xs {
		hi = max(hi, x)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="spark" width="%d" height="%d" viewBox="0 0 %d %d" aria-hidden="true"><polyline fill="none" stroke="currentColor" stroke-width="1.2" points="`, w, h, w, h)
	for i, x := range xs {
		px := 0.0
		if len(xs) > 1 {
			px = float64(i) * float64(w-2) / float64(len(xs)-1)
		}
		py := float64(h-2) - float64(x)*float64(h-4)/float64(hi)
		fmt.Fprintf(&b, "%.1f,%.1f ", px+1, py)
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String())
}

func (s *ui) riskmapFor(c *gin.Context) (*riskmap.Map, bool) {
	r, err := s.Deps.Riskmap.ParseRange(c.Query("from"), c.Query("to"))
	if err != nil {
		web.AbortWithError(c, err)
		return nil, false
	}
	m, err := s.Deps.Riskmap.Map(c.Request.Context(), web.MustCaller(c).User, r)
	if err != nil {
		web.AbortWithError(c, err)
		return nil, false
	}
	return m, true
}

func (s *ui) pageRiskmapSVG(c *gin.Context) {
	r, err := s.Deps.Riskmap.ParseRange(c.Query("from"), c.Query("to"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	v, err := s.Deps.Riskmap.View(c.Request.Context(), web.MustCaller(c).User, r)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	lang := web.PickLang(c)
	c.Header("Content-Language", lang)
	c.Header("Vary", "Accept-Language, Cookie")
	c.Header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	if web.NotModified(c, strings.TrimSuffix(v.ETag, `"`)+"-"+lang+`"`) {
		return
	}
	c.Data(http.StatusOK, "image/svg+xml; charset=utf-8", v.SVG(lang))
}

func (s *ui) pageRiskmapCSV(c *gin.Context) {
	m, ok := s.riskmapFor(c)
	if !ok {
		return
	}
	lang := web.PickLang(c)
	var b bytes.Buffer
	b.WriteString("\ufeff") // spreadsheets read UTF-8 with the mark
	w := csv.NewWriter(&b)
	_ = w.Write([]string{"industry", "industry_name", "dimension", "dimension_name", "score", "level", "count", "risk_count", "opportunity_count", "trend", "weight", "baseline_mean", "baseline_sd", "low_confidence", "from", "to"})
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	for _, cl := range m.Cells {
		_ = w.Write([]string{cl.Industry, s.Deps.Riskmap.IndustryName(cl.Industry, lang), cl.Dimension, riskmap.DimensionName(cl.Dimension, lang),
			f(cl.Score), cl.Level, strconv.FormatInt(cl.Count, 10), strconv.FormatInt(cl.RiskCount, 10), strconv.FormatInt(cl.OpportunityCount, 10),
			f(cl.Trend), f(cl.Weight), f(cl.BaselineMean), f(cl.BaselineSD), strconv.FormatBool(cl.LowConfidence), m.From, m.To})
	}
	w.Flush()
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="riskmap-%s-%s.csv"`, m.From, m.To))
	c.Data(http.StatusOK, "text/csv; charset=utf-8", b.Bytes())
}

// webhookView is a webhook on the alerts page with its latest deliveries.
type webhookView struct {
	alerts.Webhook
	Deliveries []deliveryView
}

type deliveryView struct {
	alerts.Delivery
	Tries int
	Last  *alerts.Attempt
}

type alertsPage struct {
	Alerts   []alertRow
	List     *List
	Unread   int64
	Rules    []alerts.Rule
	Error    string
	Notice   string
	Form     alerts.NewRule
	Lang     string
	Inds     []codeName // industries, named
	Dims     []codeName // risk dimensions, named
	Routes   []routeGroup
	RuleRows []ruleRow
	// The bank's webhooks with their latest deliveries; NewHook is the
	// one just created, its secret shown this once.
	Webhooks  []webhookView
	NewHook   *alerts.Webhook
	HookURL   string
	HookError string
}

func (s *ui) renderAlerts(c *gin.Context, status int, p alertsPage) {
	u := web.MustCaller(c).User
	ctx := c.Request.Context()
	lang := web.PickLang(c)
	unreadOnly := c.Query("unread") == "true"
	all, truncated, err := readAll(func(cur string) ([]alerts.Alert, string, error) {
		return s.Deps.Alerts.List(ctx, u, alerts.Filter{Limit: 500, Cursor: cur, UnreadOnly: unreadOnly})
	})
	if err != nil {
		s.renderError(c, web.StatusOf(err), "error.title")
		return
	}
	rows := make([]alertRow, len(all))
	for i, a := range all {
		rows[i] = s.alertRow(a, lang)
	}
	tr := web.NewTr(s.bundle, lang)
	spec := listSpec[alertRow]{ID: "alerts", Sheet: "alerts.title", Sort: "time", Desc: true, Cols: []col[alertRow]{
		textCol("title", "alerts.col.title", func(r alertRow) string { return r.TitleText }),
		textCol("industry", "riskmap.industry", func(r alertRow) string { return r.IndustryName }),
		textCol("dimension", "alerts.col.dimension", func(r alertRow) string { return r.DimensionName }),
		textCol("reasons", "alerts.col.reasons", func(r alertRow) string { return strings.Join(r.ReasonTexts, "；") }),
		textCol("items", "alerts.col.items", func(r alertRow) string {
			t := make([]string, len(r.Items))
			for i, it := range r.Items {
				t[i] = it.Title
			}
			return strings.Join(t, "；")
		}),
		timeCol("time", "lists.time", func(r alertRow) time.Time { return r.CreatedAt }),
		textCol("state", "notify.col.state", func(r alertRow) string {
			if r.Unread {
				return tr.T("notify.unread")
			}
			return tr.T("notify.read")
		}),
		{Label: "users.actions", Fixed: true, Skip: true},
	}, Search: func(r alertRow) string { return strings.Join(r.Enterprise, " ") + " " + r.Industry + " " + r.Dimension }}
	page, list, done := listRows(s, c, spec, rows, truncated)
	if done {
		return
	}
	p.Alerts, p.List = page, list
	p.Unread, _ = s.Deps.Alerts.Unread(ctx, u)
	if alerts.MaySubscribe(u) == nil {
		p.Rules, _, _ = s.Deps.Alerts.Rules(ctx, u, 100, "")
	}
	if s.Deps.RBAC.RoleAllowed(u.Role, "alert_webhook", "read") {
		hooks, err := s.Deps.Alerts.Webhooks(ctx, u)
		if err == nil {
			for _, w := range hooks {
				if st, err := s.Deps.Alerts.Webhook(ctx, u, w.ID); err == nil {
					v := webhookView{Webhook: st.Webhook}
					for _, d := range st.Deliveries[:min(5, len(st.Deliveries))] {
						dv := deliveryView{Delivery: d, Tries: len(d.Attempts)}
						if n := len(d.Attempts); n > 0 {
							dv.Last = &d.Attempts[n-1]
						}
						v.Deliveries = append(v.Deliveries, dv)
					}
					p.Webhooks = append(p.Webhooks, v)
				}
			}
		}
	}
	p.Lang = lang
	for _, code := range s.Deps.Riskmap.Industries() {
		p.Inds = append(p.Inds, codeName{code, s.Deps.Riskmap.IndustryName(code, lang)})
	}
	for _, code := range riskmap.Dimensions {
		p.Dims = append(p.Dims, codeName{code, riskmap.DimensionName(code, lang)})
	}
	p.Routes = routeGroups(lang)
	for _, r := range p.Rules {
		p.RuleRows = append(p.RuleRows, s.ruleRow(r, lang, tr))
	}
	s.render(c, status, "alerts", "alerts.title", p)
}

func (s *ui) pageAlerts(c *gin.Context) {
	p := alertsPage{}
	switch c.Query("done") {
	case "rule":
		p.Notice = "alerts.rule_created"
	case "read":
		p.Notice = "alerts.marked"
	case "webhook_deleted":
		p.Notice = "alerts.webhook_deleted"
	}
	s.renderAlerts(c, http.StatusOK, p)
}

func (s *ui) pageAlertRead(c *gin.Context) {
	if _, err := s.Deps.Alerts.MarkRead(c.Request.Context(), web.MustCaller(c).User, c.Param("id")); err != nil {
		s.renderError(c, web.StatusOf(err), "error.title")
		return
	}
	c.Redirect(http.StatusSeeOther, "/alerts?done=read")
}

func (s *ui) pageAlertsReadAll(c *gin.Context) {
	if _, err := s.Deps.Alerts.MarkAllRead(c.Request.Context(), web.MustCaller(c).User); err != nil {
		s.renderError(c, web.StatusOf(err), "error.title")
		return
	}
	c.Redirect(http.StatusSeeOther, "/alerts?done=read")
}

func (s *ui) pageCreateRule(c *gin.Context) {
	var routes []string
	for _, v := range c.PostFormArray("routes") { // chosen from the list, or typed as codes
		routes = append(routes, splitCodes(v)...)
	}
	in := alerts.NewRule{Name: c.PostForm("name"), Industries: c.PostFormArray("industries"), Routes: routes,
		Dimensions: c.PostFormArray("dimensions"), Severity: c.PostForm("severity")}
	if _, err := s.Deps.Alerts.CreateRule(c.Request.Context(), web.MustCaller(c).User, in); err != nil {
		s.renderAlerts(c, web.StatusOf(err), alertsPage{Error: web.ErrText(c, err), Form: in})
		return
	}
	c.Redirect(http.StatusSeeOther, "/alerts?done=rule")
}

func (s *ui) pageDeleteRule(c *gin.Context) {
	if err := s.Deps.Alerts.DeleteRule(c.Request.Context(), web.MustCaller(c).User, c.Param("id")); err != nil {
		s.renderError(c, web.StatusOf(err), "error.title")
		return
	}
	c.Redirect(http.StatusSeeOther, "/alerts")
}

// alertRow is an alert as the inbox lists it: its texts in the page's
// language, its industry and dimension named.
type alertRow struct {
	alerts.Alert
	TitleText, IndustryName, DimensionName string
	ReasonTexts                            []string
}

func (s *ui) alertRow(a alerts.Alert, lang string) alertRow {
	r := alertRow{Alert: a, TitleText: a.Title.In(lang), IndustryName: "—", DimensionName: "—"}
	if a.Industry != "" {
		r.IndustryName = s.Deps.Riskmap.IndustryName(a.Industry, lang)
	}
	if a.Dimension != "" {
		r.DimensionName = riskmap.DimensionName(a.Dimension, lang)
	}
	for _, why := range a.Reasons {
		r.ReasonTexts = append(r.ReasonTexts, why.In(lang))
	}
	return r
}

// ruleRow is an alert rule with its codes named.
type ruleRow struct {
	alerts.Rule
	Industries, Routes, Dimensions, Severity string
}

func (s *ui) ruleRow(r alerts.Rule, lang string, tr *web.Tr) ruleRow {
	names := func(codes []string, name func(string) string) string {
		if len(codes) == 0 {
			return tr.T("alerts.rule_all")
		}
		out := make([]string, len(codes))
		for i, c := range codes {
			out[i] = name(c)
		}
		return strings.Join(out, "、")
	}
	tax := taxonomy.Default()
	return ruleRow{Rule: r,
		Industries: names(r.Industries, func(c string) string { return s.Deps.Riskmap.IndustryName(c, lang) }),
		Routes: names(r.Routes, func(c string) string {
			if rt, ok := tax.Route(c); ok {
				return pick(rt.Name, lang)
			}
			return c
		}),
		Dimensions: names(r.Dimensions, func(c string) string { return riskmap.DimensionName(c, lang) }),
		Severity:   tr.T("alerts.severity_" + r.Severity)}
}

func splitCodes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '，' })
}

// pageCreateWebhook registers a webhook and shows its signing secret on
// the page it answers with: the only time it is shown (a reload does not
// show it again).
func (s *ui) pageCreateWebhook(c *gin.Context) {
	in := alerts.NewWebhook{URL: c.PostForm("url")}
	w, err := s.Deps.Alerts.CreateWebhook(c.Request.Context(), web.MustCaller(c).User, in)
	if err != nil {
		s.renderAlerts(c, web.StatusOf(err), alertsPage{HookError: web.ErrText(c, err), HookURL: in.URL})
		return
	}
	c.Header("Cache-Control", "no-store")
	s.renderAlerts(c, http.StatusCreated, alertsPage{NewHook: &w, Notice: "alerts.webhook_created"})
}

func (s *ui) pageDeleteWebhook(c *gin.Context) {
	if err := s.Deps.Alerts.DeleteWebhook(c.Request.Context(), web.MustCaller(c).User, c.Param("id")); err != nil {
		s.renderError(c, web.StatusOf(err), "error.title")
		return
	}
	c.Redirect(http.StatusSeeOther, "/alerts?done=webhook_deleted#webhooks")
}
