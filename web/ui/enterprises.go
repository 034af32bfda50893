package ui

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/enterprises"
	"kedaitong/identity"
	"kedaitong/taxonomy"
	"kedaitong/web"
)

// registerEnterprisesPages registers the data hub's pages: the import page,
// enterprise search and portraits, the portrait beside an application,
// endorsements, roadshows and docking.
func (s *ui) registerEnterprisesPages(e *gin.Engine) {
	s.page(e, web.UIRoute{Method: "GET", Path: "/datahub", Obj: "datahub", Act: "import"}, s.pageDatahub)
	s.page(e, web.UIRoute{Method: "POST", Path: "/datahub", Obj: "datahub", Act: "import", Upload: true}, s.pageDatahubImport)
	s.page(e, web.UIRoute{Method: "GET", Path: "/enterprises", Obj: "enterprise", Act: "read"}, s.pageEnterprisesList)
	s.page(e, web.UIRoute{Method: "GET", Path: "/enterprises/:credit_code", Obj: "enterprise", Act: "read"}, s.pageEnterprise)
	s.page(e, web.UIRoute{Method: "GET", Path: "/applications/:id/enterprise", Obj: "enterprise", Act: "read"}, s.pageApplicationEnterprise)
	s.page(e, web.UIRoute{Method: "GET", Path: "/endorsements", Obj: "endorsement", Act: "create"}, s.pageEndorsements)
	s.page(e, web.UIRoute{Method: "POST", Path: "/applications/:id/endorse", Obj: "endorsement", Act: "create"}, s.pageEndorse)
	s.page(e, web.UIRoute{Method: "GET", Path: "/roadshows", Obj: "roadshow", Act: "read"}, s.pageRoadshows)
	s.page(e, web.UIRoute{Method: "POST", Path: "/roadshows", Obj: "roadshow", Act: "create"}, s.pageCreateRoadshow)
	s.page(e, web.UIRoute{Method: "GET", Path: "/roadshows/:id", Obj: "roadshow", Act: "read"}, s.pageRoadshow)
	s.page(e, web.UIRoute{Method: "POST", Path: "/roadshows/:id/projects", Obj: "roadshow", Act: "register"}, s.pageRoadshowProject)
	s.page(e, web.UIRoute{Method: "POST", Path: "/roadshows/:id/attend", Obj: "roadshow", Act: "rate"}, s.pageAttend)
	s.page(e, web.UIRoute{Method: "POST", Path: "/roadshows/:id/ratings", Obj: "roadshow", Act: "rate"}, s.pageRate)
	s.page(e, web.UIRoute{Method: "GET", Path: "/docking", Obj: "docking", Act: "read"}, s.pageDocking)
	s.page(e, web.UIRoute{Method: "POST", Path: "/docking", Obj: "docking", Act: "create"}, s.pageDock)
	s.page(e, web.UIRoute{Method: "POST", Path: "/docking/:id/follow-up", Obj: "docking", Act: "follow_up"}, s.pageFollowUp)
}

// industryOptions are the industries (chains) in the page's language.
func industryOptions(lang string) []fieldOption {
	var out []fieldOption
	for _, ind := range taxonomy.Default().Industries {
		name := ind.Name.ZH
		if lang == "en" {
			name = ind.Name.EN
		}
		out = append(out, fieldOption{Code: ind.Code, Name: name})
	}
	return out
}

// Data hub.

func (s *ui) datahubData(c *gin.Context) gin.H {
	cl := web.MustCaller(c)
	recs, _, _ := s.Deps.Enterprises.Imports(c.Request.Context(), cl.User, 20, "")
	type src struct {
		Code    string
		Columns string
	}
	var srcs []src
	for _, sname := range enterprises.AllSources {
		srcs = append(srcs, src{Code: sname, Columns: strings.Join(enterprises.SourceColumns(sname), ", ")})
	}
	type rec struct {
		enterprises.ImportRecord
		When string
	}
	var rs []rec
	for _, r := range recs {
		rs = append(rs, rec{ImportRecord: r, When: fmtTime(r.At)})
	}
	return gin.H{"Sources": srcs, "Imports": rs, "Allowed": enterprises.ImportsData(cl.User)}
}

func (s *ui) pageDatahub(c *gin.Context) {
	s.render(c, http.StatusOK, "enterprises_import", "ent.import.title", s.datahubData(c))
}

func (s *ui) pageDatahubImport(c *gin.Context) {
	cl := web.MustCaller(c)
	source := c.PostForm("source")
	data, err := web.UploadedFile(c)
	var rep any
	if err == nil {
		name := ""
		if fh, ferr := c.FormFile("file"); ferr == nil {
			name = fh.Filename
		}
		rep, err = s.Deps.Enterprises.Import(c.Request.Context(), cl.User, source, data, enterprises.ImportOptions{FileName: name})
	}
	d := s.datahubData(c)
	d["Source"] = source
	if err != nil {
		d["Error"] = web.ErrText(c, err)
		s.render(c, web.StatusOf(err), "enterprises_import", "ent.import.title", d)
		return
	}
	d["Report"], d["Done"] = rep, true
	s.render(c, http.StatusOK, "enterprises_import", "ent.import.title", d)
}

// Search and portraits.

func (s *ui) portraitData(c *gin.Context, code string) (gin.H, error) {
	cl := web.MustCaller(c)
	v, err := s.Deps.Enterprises.Get(c.Request.Context(), cl.User, code)
	if err != nil {
		return nil, err
	}
	type stamp struct{ Source, When string }
	var stamps []stamp
	for _, st := range v.Sources {
		stamps = append(stamps, stamp{Source: st.Source, When: fmtTime(st.ImportedAt)})
	}
	// Revenue bars: the widest year is 100 %, in steps of 5 (CSS classes).
	type bar struct {
		Year    int
		Revenue int64
		RDSpend int64
		Step    int
	}
	var bars []bar
	var top int64
	for _, t := range v.Tax {
		top = max(top, t.Revenue)
	}
	for i := len(v.Tax) - 1; i >= 0; i-- {
		t := v.Tax[i]
		step := 0
		if top > 0 {
			step = int(t.Revenue * 20 / top)
		}
		bars = append(bars, bar{Year: t.Year, Revenue: t.Revenue, RDSpend: t.RDSpend, Step: step * 5})
	}
	return gin.H{"V": v, "Stamps": stamps, "Bars": bars, "MayDock": identity.IsBankRole(cl.User.Role) || cl.User.Role == identity.RoleInvestor,
		"MayApply": identity.IsBankRole(cl.User.Role), "Investor": cl.User.Role == identity.RoleInvestor}, nil
}

func (s *ui) pageEnterprise(c *gin.Context) {
	d, err := s.portraitData(c, c.Param("credit_code"))
	if err != nil {
		if kedaitong.Is(err, kedaitong.EInvalid) {
			s.renderNotFound(c)
			return
		}
		s.renderErr(c, err)
		return
	}
	s.render(c, http.StatusOK, "enterprises_portrait", "ent.portrait.title", d)
}

func (s *ui) pageApplicationEnterprise(c *gin.Context) {
	cl := web.MustCaller(c)
	ap, err := s.Deps.Enterprises.ForApplication(c.Request.Context(), cl.User, c.Param("id"))
	if err != nil {
		s.renderErr(c, err)
		return
	}
	lang := web.PickLang(c)
	s.render(c, http.StatusOK, "enterprises_application", "ent.app.title", gin.H{"A": newHubPanel(&ap, lang, web.NewTr(s.bundle, lang))})
}

// Endorsements (investors).

func (s *ui) endorsementsData(c *gin.Context) gin.H {
	list, err := s.Deps.Enterprises.Candidates(c.Request.Context(), web.MustCaller(c).User)
	d := gin.H{"Items": list, "Today": s.Deps.Enterprises.Today()}
	if err != nil {
		d["Error"] = web.ErrText(c, err)
	}
	return d
}

func (s *ui) pageEndorsements(c *gin.Context) {
	d := s.endorsementsData(c)
	if c.Query("done") != "" {
		d["Done"] = true
	}
	s.render(c, http.StatusOK, "enterprises_endorse", "ent.endorse.title", d)
}

func (s *ui) pageEndorse(c *gin.Context) {
	invested, err := parseWan("invested", c.PostForm("invested_wan"))
	if err != nil {
		d := s.endorsementsData(c)
		d["Error"], d["ErrorApp"] = web.ErrText(c, err), c.Param("id")
		s.render(c, web.StatusOf(err), "enterprises_endorse", "ent.endorse.title", d)
		return
	}
	in := enterprises.EndorsementInput{Invested: invested, Date: c.PostForm("date"), Statement: c.PostForm("statement")}
	if v := strings.TrimSpace(c.PostForm("risk_share_pct")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			n = -1
		}
		in.RiskSharePct = &n
	}
	if _, err := s.Deps.Enterprises.Endorse(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), in); err != nil {
		d := s.endorsementsData(c)
		d["Error"], d["ErrorApp"] = web.ErrText(c, err), c.Param("id")
		s.render(c, web.StatusOf(err), "enterprises_endorse", "ent.endorse.title", d)
		return
	}
	c.Redirect(http.StatusSeeOther, "/endorsements?done=1")
}

// Roadshows.

func (s *ui) roadshowsData(c *gin.Context) gin.H {
	lang := web.PickLang(c)
	d := gin.H{"Industries": industryOptions(lang), "Chain": c.Query("chain"), "V": map[string]string{}, "Regions": regionOptions(lang)}
	if s.roadshowList(c, d) {
		d["Exported"] = true
	}
	return d
}

func (s *ui) pageRoadshows(c *gin.Context) {
	d := s.roadshowsData(c)
	if d["Exported"] == true {
		return
	}
	s.render(c, http.StatusOK, "enterprises_roadshows", "ent.roadshows.title", d)
}

func (s *ui) pageCreateRoadshow(c *gin.Context) {
	capacity, _ := strconv.Atoi(strings.TrimSpace(c.PostForm("capacity")))
	if c.PostForm("capacity") != "" && capacity == 0 {
		capacity = -1
	}
	in := enterprises.RoadshowInput{Title: c.PostForm("title"), Chain: c.PostForm("chain"), Date: c.PostForm("date"), Region: c.PostForm("region"),
		Capacity: capacity, Venue: c.PostForm("venue")}
	r, err := s.Deps.Enterprises.CreateRoadshow(c.Request.Context(), web.MustCaller(c).User, in)
	if err != nil {
		d := s.roadshowsData(c)
		d["Error"] = web.ErrText(c, err)
		d["V"] = map[string]string{"title": in.Title, "chain": in.Chain, "date": in.Date, "region": in.Region, "capacity": c.PostForm("capacity"), "venue": in.Venue}
		s.render(c, web.StatusOf(err), "enterprises_roadshows", "ent.roadshows.title", d)
		return
	}
	c.Redirect(http.StatusSeeOther, "/roadshows/"+r.ID)
}

func (s *ui) renderRoadshow(c *gin.Context, status int, errText string) {
	cl := web.MustCaller(c)
	v, err := s.Deps.Enterprises.GetRoadshow(c.Request.Context(), cl.User, c.Param("id"))
	if err != nil {
		s.renderErr(c, err)
		return
	}
	rated := map[string]bool{}
	for _, code := range v.Rated {
		rated[code] = true
	}
	names := map[string]string{}
	for _, p := range v.Projects {
		names[p.CreditCode] = p.Name
	}
	s.render(c, status, "enterprises_roadshow", "ent.roadshow.title", gin.H{"R": v, "When": fmtTime(v.CreatedAt), "Rated": rated,
		"Error": errText, "Scale": []int{1, 2, 3, 4, 5, 6, 7, 8, 9}, "Done": c.Query("done")})
}

func (s *ui) pageRoadshow(c *gin.Context) { s.renderRoadshow(c, http.StatusOK, "") }

func (s *ui) pageRoadshowProject(c *gin.Context) {
	var media []string
	for _, line := range strings.Split(c.PostForm("media"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			media = append(media, line)
		}
	}
	in := enterprises.ProjectInput{CreditCode: c.PostForm("credit_code"), Name: c.PostForm("name"), Pitch: c.PostForm("pitch"), Media: media}
	if _, err := s.Deps.Enterprises.RegisterProject(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), in); err != nil {
		s.renderRoadshow(c, web.StatusOf(err), web.ErrText(c, err))
		return
	}
	c.Redirect(http.StatusSeeOther, "/roadshows/"+c.Param("id")+"?done=project")
}

func (s *ui) pageAttend(c *gin.Context) {
	if _, err := s.Deps.Enterprises.Attend(c.Request.Context(), web.MustCaller(c).User, c.Param("id")); err != nil {
		s.renderRoadshow(c, web.StatusOf(err), web.ErrText(c, err))
		return
	}
	c.Redirect(http.StatusSeeOther, "/roadshows/"+c.Param("id")+"?done=attend")
}

func (s *ui) pageRate(c *gin.Context) {
	n := func(k string) int {
		v, err := strconv.Atoi(c.PostForm(k))
		if err != nil {
			return 0
		}
		return v
	}
	in := enterprises.RatingInput{CreditCode: c.PostForm("credit_code"), Feasibility: n("feasibility"), Commercial: n("commercial"), Team: n("team"), Comment: c.PostForm("comment")}
	if _, err := s.Deps.Enterprises.Rate(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), in); err != nil {
		s.renderRoadshow(c, web.StatusOf(err), web.ErrText(c, err))
		return
	}
	c.Redirect(http.StatusSeeOther, "/roadshows/"+c.Param("id")+"?done=rate")
}

// Docking.

func (s *ui) renderDocking(c *gin.Context, status int, errText string) {
	cl := web.MustCaller(c)
	rows, list, done, err := s.dockingList(c)
	if done {
		return
	}
	if err != nil && errText == "" {
		errText = web.ErrText(c, err)
	}
	total, converted, _ := 0, 0, error(nil)
	if cl.User.Role == identity.RoleOfficial || cl.User.Role == identity.RoleAdmin {
		total, converted, _ = s.Deps.Enterprises.DockingStats(c.Request.Context(), cl.User.Region)
	}
	pct := 0
	if total > 0 {
		pct = converted * 100 / total
	}
	s.render(c, status, "enterprises_docking", "ent.docking.title", gin.H{"Items": rows, "List": list, "Error": errText, "State": c.Query("state"),
		"FollowUp": cl.User.Role == identity.RoleOfficial || cl.User.Role == identity.RoleAdmin, "Total": total, "Converted": converted, "Pct": pct,
		"MayDock": identity.IsBankRole(cl.User.Role) || cl.User.Role == identity.RoleInvestor, "Code": c.Query("credit_code"), "Done": c.Query("done")})
}

func (s *ui) pageDocking(c *gin.Context) { s.renderDocking(c, http.StatusOK, "") }

func (s *ui) pageDock(c *gin.Context) {
	in := enterprises.DockingInput{CreditCode: c.PostForm("credit_code"), Kind: c.PostForm("kind"), Note: c.PostForm("note")}
	if _, err := s.Deps.Enterprises.Dock(c.Request.Context(), web.MustCaller(c).User, in); err != nil {
		s.renderDocking(c, web.StatusOf(err), web.ErrText(c, err))
		return
	}
	c.Redirect(http.StatusSeeOther, "/docking?done=1")
}

func (s *ui) pageFollowUp(c *gin.Context) {
	in := enterprises.FollowUpInput{State: c.PostForm("state"), Note: c.PostForm("note")}
	if _, err := s.Deps.Enterprises.FollowUp(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), in); err != nil {
		s.renderDocking(c, web.StatusOf(err), web.ErrText(c, err))
		return
	}
	c.Redirect(http.StatusSeeOther, "/docking?done=1")
}

// draftValues fills the new-application form from the portrait of the
// enterprise (a bank starting an application from the data hub).
func (s *ui) draftValues(c *gin.Context, code string) map[string]string {
	if s.Deps.Enterprises == nil || code == "" {
		return nil
	}
	e, err := s.Deps.Enterprises.Draft(c.Request.Context(), web.MustCaller(c).User, code)
	if err != nil {
		return nil
	}
	v := map[string]string{"name": e.Name, "credit_code": e.CreditCode, "region": e.Region, "founded": e.Founded, "route": e.Route,
		"rd_spend": strconv.FormatInt(e.RDSpend, 10), "invention_patents": strconv.FormatInt(e.InventionPatents, 10),
		"utility_models": strconv.FormatInt(e.UtilityModels, 10), "maturity": e.Maturity}
	for i, r := range e.Revenue {
		v["revenue"+strconv.Itoa(i)] = strconv.FormatInt(r, 10)
	}
	return v
}

// hubNote is what an application's page shows of the data hub: whether
// the enterprise is dishonest (flagged on the application), endorsed, and
// the link to the portrait beside the application. Nil when the data hub
// is not wired or the caller may not see the application's portrait.
func (s *ui) hubNote(c *gin.Context, applicationID string) *enterprises.ApplicationPortrait {
	if s.Deps.Enterprises == nil {
		return nil
	}
	ap, err := s.Deps.Enterprises.ForApplication(c.Request.Context(), web.MustCaller(c).User, applicationID)
	if err != nil {
		return nil
	}
	return &ap
}

// hubPanel is the data hub's part of an application's pages (the report,
// the expert's scoring page, the portrait beside the application): the
// portrait and the differences from the bank's figures as display rows.
type hubPanel struct {
	*enterprises.ApplicationPortrait
	Rows []diffRow
}

// diffRow is a figure where the bank's application differs from the
// portrait: the field's label key and both values as shown.
type diffRow struct {
	Field, Bank, Hub string
}

// hubPanelOf returns the data hub's part for an application, nil when the
// data hub is not wired or the caller may not see the application.
func (s *ui) hubPanelOf(c *gin.Context, applicationID string) *hubPanel {
	ap := s.hubNote(c, applicationID)
	if ap == nil {
		return nil
	}
	return newHubPanel(ap, web.PickLang(c), web.NewTr(s.bundle, web.PickLang(c)))
}

func newHubPanel(ap *enterprises.ApplicationPortrait, lang string, tr *web.Tr) *hubPanel {
	h := &hubPanel{ApplicationPortrait: ap}
	show := func(field string, v any) string {
		switch x := v.(type) {
		case nil:
			return "—"
		case int64:
			if field == "revenue" || field == "rd_spend" {
				return yuan(x) + " " + tr.T("unit.yuan")
			}
			return strconv.FormatInt(x, 10)
		case int:
			return strconv.Itoa(x)
		case string:
			switch {
			case x == "":
				return "—"
			case field == "region":
				return taxonomy.RegionNameOf(x, lang)
			case field == "maturity":
				return tr.T("ent.maturity." + x)
			}
			return x
		}
		return fmt.Sprint(v)
	}
	for _, d := range ap.Differences {
		h.Rows = append(h.Rows, diffRow{Field: "ent.field." + d.Field, Bank: show(d.Field, d.Application), Hub: show(d.Field, d.Portrait)})
	}
	return h
}

// HubFor is the data hub's part of an application's pages, for the
// partials in enterprises_hub_partial.html: nil when there is no data hub or
// the page's user may not see the application's portrait.
func (p Page) HubFor(applicationID string) *hubPanel {
	if p.hub == nil || applicationID == "" {
		return nil
	}
	return p.hub(applicationID)
}
