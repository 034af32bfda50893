package ui

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/review"
	"kedaitong/taxonomy"
	"kedaitong/web"
)

func (s *ui) registerApplicationsPages(e *gin.Engine) {
	s.page(e, web.UIRoute{Method: "GET", Path: "/applications", Obj: "application", Act: "read"}, s.pageApplicationsList)
	s.page(e, web.UIRoute{Method: "GET", Path: "/applications/new", Obj: "application", Act: "create"}, s.pageNewApplication)
	s.page(e, web.UIRoute{Method: "POST", Path: "/applications/new", Obj: "application", Act: "create"}, s.pageCreateApplication)
	s.page(e, web.UIRoute{Method: "GET", Path: "/applications/:id", Obj: "application", Act: "read"}, s.pageApplication)
	s.page(e, web.UIRoute{Method: "GET", Path: "/applications/:id/edit", Obj: "application", Act: "update"}, s.pageEditApplication)
	s.page(e, web.UIRoute{Method: "POST", Path: "/applications/:id/edit", Obj: "application", Act: "update"}, s.pageUpdateApplication)
	s.page(e, web.UIRoute{Method: "POST", Path: "/applications/:id/submit", Obj: "application", Act: "submit"}, s.pageSubmitApplication)
	s.page(e, web.UIRoute{Method: "POST", Path: "/applications/:id/withdraw", Obj: "application", Act: "withdraw"}, s.pageWithdrawApplication)
	s.page(e, web.UIRoute{Method: "POST", Path: "/applications/:id/decision", Obj: "application", Act: "decide"}, s.pageDecideApplication)
	s.page(e, web.UIRoute{Method: "POST", Path: "/applications/:id/whitelist", Obj: "whitelist", Act: "create"}, s.pageWhitelist)
	s.page(e, web.UIRoute{Method: "POST", Path: "/applications/:id/whitelist/lift", Obj: "whitelist", Act: "delete"}, s.pageLiftWhitelist)
	s.page(e, web.UIRoute{Method: "POST", Path: "/applications/:id/attachments", Obj: "application", Act: "update", Upload: true}, s.pageUploadAttachment)
}

// appRow is an application as the list and the detail page show it.
type appRow struct {
	review.View
	RouteName    string
	IndustryName string
	RegionName   string // the county with its city, by name
	Amount       string
	RDIntensity  string
	RDStaffShare string
	Flags        []flagRow
	Owner        bool
	Money        map[string]string // the enterprise's amounts, formatted
}

type flagRow struct {
	Code, Title string
	Reasons     []string
}

func pick(t taxonomy.Text, lang string) string {
	if lang == "en" {
		return t.EN
	}
	return t.ZH
}

func pct(f float64) string { return fmt.Sprintf("%.1f%%", f*100) }

func toRow(v review.View, lang string, u identity.User) appRow {
	tax := taxonomy.Default()
	r := appRow{View: v, Amount: yuan(v.Loan.Amount), RDIntensity: "—", RDStaffShare: pct(v.Indicators.RDStaffShare), Owner: review.Owns(u, &v.Application)}
	en := v.Enterprise
	series := func(xs []int64) string {
		out := make([]string, len(xs))
		for i, x := range xs {
			out[i] = yuan(x)
		}
		return strings.Join(out, " / ")
	}
	r.Money = map[string]string{"revenue": series(en.Revenue), "net_profit": series(en.NetProfit),
		"rd_spend": yuan(en.RDSpend), "tech_contract_income": yuan(en.TechContractIncome)}
	r.RegionName = taxonomy.RegionNameOf(v.Region, lang)
	if rt, ok := tax.Route(v.Route); ok {
		r.RouteName = pick(rt.Name, lang)
	}
	if ind, ok := tax.Industry(v.Industry); ok {
		r.IndustryName = pick(ind.Name, lang)
	}
	if v.Indicators.RDIntensity != nil {
		r.RDIntensity = pct(*v.Indicators.RDIntensity)
	}
	for _, f := range v.Flags {
		fr := flagRow{Code: f.Code, Title: pick(f.Title, lang)}
		for _, why := range f.Reasons {
			fr.Reasons = append(fr.Reasons, pick(why, lang))
		}
		r.Flags = append(r.Flags, fr)
	}
	return r
}

// routeGroup is an industry and its routes for the form's select.
type routeGroup struct {
	Name   string
	Routes []routeOption
}

type routeOption struct{ Code, Name string }

func routeGroups(lang string) []routeGroup {
	var gs []routeGroup
	for _, ind := range taxonomy.Default().Industries {
		g := routeGroup{Name: pick(ind.Name, lang)}
		for _, r := range ind.Routes {
			g.Routes = append(g.Routes, routeOption{Code: r.Code, Name: pick(r.Name, lang)})
		}
		gs = append(gs, g)
	}
	return gs
}

// appForm is the form's values (as typed; amounts in 万元) and its errors
// by input name. Editing a draft, it carries the application's id and the
// version read (the save is refused when the draft changed meanwhile).
type appForm struct {
	V       map[string]string
	Errors  map[string]string
	ID      string // the draft edited; "" for a new application
	Version int64
	City    string // the city chosen in the region picker
}

var appFormFields = []string{"name", "credit_code", "region", "founded", "route", "staff", "rd_staff", "revenue0", "revenue1",
	"net_profit0", "net_profit1", "rd_spend", "invention_patents", "pending_patents", "utility_models", "software_copyrights",
	"other_ip", "tech_contract_income", "team", "maturity", "amount", "term_months", "purpose", "summary"}

// errorRow is one problem of the form, for the summary above it.
type errorRow struct{ Key, Label, Message string }

func (s *ui) renderAppForm(c *gin.Context, status int, f appForm) {
	lang := web.PickLang(c)
	tr := s.tr(c)
	echo := map[string]string{}
	for k := range moneyKeys {
		echo[k] = yuanEcho(f.V[k])
	}
	var errs []errorRow
	for _, k := range appFormFields {
		if m, ok := f.Errors[k]; ok {
			errs = append(errs, errorRow{Key: k, Label: tr.T("app.f." + k), Message: m})
		}
	}
	title, action := "app.new.title", "/applications/new"
	if f.ID != "" {
		title, action = "app.edit.title", "/applications/"+f.ID+"/edit"
	}
	s.render(c, status, "applications_new", title, gin.H{"F": f, "Routes": routeGroups(lang), "Maturities": review.Maturities,
		"Region": newRegionPicker(lang, f.V["region"], f.City), "Echo": echo, "ErrorList": errs, "General": f.Errors["_"],
		"Action": action, "Title": title, "Today": s.today()})
}

func (s *ui) pageNewApplication(c *gin.Context) {
	v := map[string]string{"term_months": "24"}
	for k, x := range s.draftValues(c, c.Query("credit_code")) { // filled from the data hub's portrait
		if _, money := moneyKeys[k]; money && x != "" {
			if n, err := strconv.ParseInt(x, 10, 64); err == nil { // the portrait's yuan, shown in 万元
				x = wanExact(n)
			}
		}
		v[k] = x
	}
	s.renderAppForm(c, http.StatusOK, appForm{V: v, Errors: map[string]string{}})
}

// formKey turns a domain field path into the form's input name.
func formKey(field string) string {
	f := strings.TrimPrefix(strings.TrimPrefix(field, "enterprise."), "loan.")
	switch {
	case strings.HasPrefix(f, "team"):
		return "team"
	case f == "revenue" || f == "net_profit":
		return f + "0"
	}
	if i := strings.IndexByte(f, '['); i > 0 && strings.HasSuffix(f, "]") {
		return f[:i] + f[i+1:len(f)-1]
	}
	return f
}

// parseAppForm reads the form into an input: amounts in 万元 become exact
// whole yuan; what is not a number is an error of its input, in tr's
// language.
func parseAppForm(c *gin.Context, tr *web.Tr) (review.Input, appForm) {
	f := appForm{V: map[string]string{}, Errors: map[string]string{}, City: strings.TrimSpace(c.PostForm("city"))}
	for _, k := range appFormFields {
		f.V[k] = strings.TrimSpace(c.PostForm(k))
	}
	num := func(k string) int64 {
		if _, money := moneyKeys[k]; money {
			n, ok := parseWanSigned(k, f.V[k])
			if !ok {
				f.Errors[k] = tr.T("app.e.wan")
			}
			return n
		}
		v := cleanNumber(f.V[k])
		if v == "" {
			return 0
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			f.Errors[k] = tr.T("app.e.integer")
		}
		return n
	}
	in := review.Input{
		Enterprise: review.Enterprise{Name: f.V["name"], CreditCode: f.V["credit_code"], Region: f.V["region"], Founded: f.V["founded"],
			Route: f.V["route"], Staff: num("staff"), RDStaff: num("rd_staff"),
			Revenue: []int64{num("revenue0"), num("revenue1")}, NetProfit: []int64{num("net_profit0"), num("net_profit1")},
			RDSpend: num("rd_spend"), InventionPatents: num("invention_patents"), PendingPatents: num("pending_patents"),
			UtilityModels: num("utility_models"), SoftwareCopyrights: num("software_copyrights"), OtherIP: review.Notes(f.V["other_ip"]),
			TechContractIncome: num("tech_contract_income"), Maturity: f.V["maturity"]},
		Loan:    review.Loan{Amount: num("amount"), TermMonths: int(num("term_months")), Purpose: f.V["purpose"]},
		Summary: f.V["summary"],
	}
	for _, line := range strings.Split(f.V["team"], "\n") {
		parts := strings.SplitN(strings.NewReplacer("，", ",", "；", ",").Replace(line), ",", 3)
		p := review.Person{Name: strings.TrimSpace(parts[0])}
		if len(parts) > 1 {
			p.Title = strings.TrimSpace(parts[1])
		}
		if len(parts) > 2 {
			p.Note = strings.TrimSpace(parts[2])
		}
		if p.Name != "" || p.Title != "" || p.Note != "" {
			in.Enterprise.Team = append(in.Enterprise.Team, p)
		}
	}
	return in, f
}

// checkAppForm reads and checks the form: every problem at once, each at
// its input in the form's words. ok is false when the form has errors.
func (s *ui) checkAppForm(c *gin.Context) (review.Input, appForm, bool) {
	tr := s.tr(c)
	in, f := parseAppForm(c, tr)
	in.Normalize()
	for _, e := range in.Check(taxonomy.Default(), s.today()) {
		k := formKey(e.Field)
		if _, dup := f.Errors[k]; !dup {
			f.Errors[k] = formMessage(tr, k, f.V[k], e)
		}
	}
	return in, f, len(f.Errors) == 0
}

// saveError puts the error of a refused save at its input, or above the
// form.
func (s *ui) saveError(c *gin.Context, f *appForm, err error) {
	var e *kedaitong.Error
	if errors.As(err, &e) && e.Field != "" {
		k := formKey(e.Field)
		f.Errors[k] = formMessage(s.tr(c), k, f.V[k], e)
		return
	}
	f.Errors["_"] = web.ErrText(c, err)
}

func (s *ui) pageCreateApplication(c *gin.Context) {
	cl := web.MustCaller(c)
	in, f, ok := s.checkAppForm(c)
	if !ok {
		s.renderAppForm(c, http.StatusBadRequest, f)
		return
	}
	v, err := s.Deps.Review.Create(c.Request.Context(), cl.User, in)
	if err != nil {
		s.saveError(c, &f, err)
		s.renderAppForm(c, web.StatusOf(err), f)
		return
	}
	c.Redirect(http.StatusSeeOther, "/applications/"+v.ID+"?created=1")
}

// draftForm is a draft's values as the form shows them (amounts in 万元).
func draftForm(v review.View) appForm {
	e, l := v.Enterprise, v.Loan
	n := func(x int64) string { return strconv.FormatInt(x, 10) }
	at := func(xs []int64, i int) string {
		if i < len(xs) {
			return wanExact(xs[i])
		}
		return ""
	}
	var team []string
	for _, p := range e.Team {
		line := p.Name
		if p.Title != "" || p.Note != "" {
			line += ", " + p.Title
		}
		if p.Note != "" {
			line += ", " + p.Note
		}
		team = append(team, line)
	}
	return appForm{ID: v.ID, Version: v.Version, Errors: map[string]string{}, V: map[string]string{
		"name": e.Name, "credit_code": e.CreditCode, "region": e.Region, "founded": e.Founded, "route": e.Route,
		"staff": n(e.Staff), "rd_staff": n(e.RDStaff), "revenue0": at(e.Revenue, 0), "revenue1": at(e.Revenue, 1),
		"net_profit0": at(e.NetProfit, 0), "net_profit1": at(e.NetProfit, 1), "rd_spend": wanExact(e.RDSpend),
		"invention_patents": n(e.InventionPatents), "pending_patents": n(e.PendingPatents), "utility_models": n(e.UtilityModels),
		"software_copyrights": n(e.SoftwareCopyrights), "other_ip": string(e.OtherIP), "tech_contract_income": wanExact(e.TechContractIncome),
		"team": strings.Join(team, "\n"), "maturity": e.Maturity, "amount": wanExact(l.Amount), "term_months": strconv.Itoa(l.TermMonths),
		"purpose": l.Purpose, "summary": v.Summary}}
}

// editableDraft reads the application to edit: the caller's bank's draft.
// Anything else answers the page itself (not found, or the application's
// page saying why it cannot be edited) and false.
func (s *ui) editableDraft(c *gin.Context) (review.View, bool) {
	cl := web.MustCaller(c)
	v, err := s.Deps.Review.Get(c.Request.Context(), cl.User, c.Param("id"))
	switch {
	case kedaitong.Is(err, kedaitong.ENotFound):
		s.renderNotFound(c)
		return v, false
	case err != nil:
		s.renderError(c, web.StatusOf(err), "error.internal")
		return v, false
	case !review.Owns(cl.User, &v.Application):
		s.renderApplication(c, http.StatusForbidden, "", s.tr(c).T("app.edit.not_owner"))
		return v, false
	case v.State != review.StateDraft:
		s.renderApplication(c, http.StatusConflict, "", s.tr(c).T("app.edit.not_draft"))
		return v, false
	}
	return v, true
}

func (s *ui) pageEditApplication(c *gin.Context) {
	v, ok := s.editableDraft(c)
	if !ok {
		return
	}
	s.renderAppForm(c, http.StatusOK, draftForm(v))
}

func (s *ui) pageUpdateApplication(c *gin.Context) {
	cur, ok := s.editableDraft(c)
	if !ok {
		return
	}
	in, f, ok := s.checkAppForm(c)
	f.ID = cur.ID
	f.Version, _ = strconv.ParseInt(c.PostForm("version"), 10, 64)
	if f.Version <= 0 {
		f.Version = cur.Version
	}
	if !ok {
		s.renderAppForm(c, http.StatusBadRequest, f)
		return
	}
	if _, err := s.Deps.Review.Update(c.Request.Context(), web.MustCaller(c).User, cur.ID, f.Version, in); err != nil {
		if kedaitong.Is(err, kedaitong.EConflict) {
			f.Errors["_"] = s.tr(c).T("app.edit.changed")
			f.Version = cur.Version // saving again replaces the other change, knowingly
		} else {
			s.saveError(c, &f, err)
		}
		s.renderAppForm(c, web.StatusOf(err), f)
		return
	}
	c.Redirect(http.StatusSeeOther, "/applications/"+cur.ID+"?done=updated")
}

// tr returns the translator of the request's language.
func (s *ui) tr(c *gin.Context) *web.Tr {
	lang := web.PickLang(c)
	return web.NewTr(s.bundle, lang)
}

func (s *ui) today() string { return time.Now().In(web.BeijingTime()).Format(review.DateLayout) }

func (s *ui) pageApplication(c *gin.Context) {
	s.renderApplication(c, http.StatusOK, "", "")
}

// renderApplication shows one application with a notice or an error.
func (s *ui) renderApplication(c *gin.Context, status int, notice, errMsg string) {
	cl := web.MustCaller(c)
	v, err := s.Deps.Review.Get(c.Request.Context(), cl.User, c.Param("id"))
	if err != nil {
		if kedaitong.Is(err, kedaitong.ENotFound) {
			s.renderNotFound(c)
			return
		}
		s.renderError(c, web.StatusOf(err), "error.internal")
		return
	}
	switch d := c.Query("done"); {
	case notice != "":
	case c.Query("created") != "":
		notice = "app.done.created"
	case d == "submitted" || d == "updated" || d == "withdrawn" || d == "uploaded" || d == "whitelisted" || d == "lifted" || d == "decided":
		notice = "app.done." + d
	}
	row := toRow(v, web.PickLang(c), cl.User)
	bank := ""
	if s.Deps.Banks != nil {
		if b, err := s.Deps.Banks.Get(c.Request.Context(), cl.User, v.BankID); err == nil {
			bank = b.Name
		}
	}
	s.render(c, status, "applications_detail", "app.detail.title", gin.H{"A": row, "Notice": notice, "Error": errMsg, "Bank": bank,
		"Hub":             s.hubNote(c, v.ID), // the data hub's portrait: dishonest and endorsed flags
		"CanEdit":         row.Owner && v.State == review.StateDraft,
		"CanWithdraw":     row.Owner && (v.State == review.StateDraft || v.State == review.StateSubmitted || v.State == review.StateInReview),
		"MaxAttachments":  review.MaxAttachments,
		"CanDecide":       row.Owner && v.State == review.StateClosed && v.Decision == nil && s.Deps.RBAC.RoleAllowed(cl.User.Role, "application", "decide"),
		"CanRegisterLoan": row.Owner && s.Deps.RBAC.RoleAllowed(cl.User.Role, "loan", "create"),
		"Today":           s.today()})
}

// pageDecideApplication records the bank's lending decision from the
// detail page's form: granted or not, the amount in 万元, the date.
func (s *ui) pageDecideApplication(c *gin.Context) {
	in := review.DecisionInput{Date: strings.TrimSpace(c.PostForm("date"))}
	switch c.PostForm("granted") {
	case "true":
		t := true
		in.Granted = &t
		amount, err := parseWan("amount", c.PostForm("amount_wan"))
		if err != nil {
			s.afterAction(c, err, "")
			return
		}
		in.Amount = amount
	case "false":
		f := false
		in.Granted = &f
	}
	_, err := s.Deps.Review.Decide(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), in)
	s.afterAction(c, err, "decided")
}

// afterAction re-renders the application with the outcome of a form.
func (s *ui) afterAction(c *gin.Context, err error, notice string) {
	if err != nil {
		if kedaitong.Is(err, kedaitong.ENotFound) {
			s.renderNotFound(c)
			return
		}
		s.renderApplication(c, web.StatusOf(err), "", web.ErrText(c, err))
		return
	}
	c.Redirect(http.StatusSeeOther, "/applications/"+c.Param("id")+"?done="+url.QueryEscape(notice))
}

func (s *ui) pageSubmitApplication(c *gin.Context) {
	_, err := s.Deps.Review.Submit(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	s.afterAction(c, err, "submitted")
}

func (s *ui) pageWithdrawApplication(c *gin.Context) {
	_, err := s.Deps.Review.Withdraw(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), strings.TrimSpace(c.PostForm("reason")))
	s.afterAction(c, err, "withdrawn")
}

func (s *ui) pageUploadAttachment(c *gin.Context) {
	fh, err := c.FormFile("file")
	if err != nil {
		s.afterAction(c, kedaitong.Invalid("file", "choose a file to upload").ZHf("请选择要上传的文件"), "")
		return
	}
	f, err := fh.Open()
	if err != nil {
		s.afterAction(c, kedaitong.Wrap(kedaitong.EInvalid, err, "the file could not be read").ZHf("无法读取该文件"), "")
		return
	}
	defer f.Close()
	_, err = s.Deps.Review.AddAttachment(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), fh.Filename, f)
	s.afterAction(c, err, "uploaded")
}

// whitelistTarget is the credit code of the application the form is on.
func (s *ui) whitelistTarget(c *gin.Context) (string, error) {
	v, err := s.Deps.Review.Get(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	return v.CreditCode, err
}

func (s *ui) pageWhitelist(c *gin.Context) {
	code, err := s.whitelistTarget(c)
	if err == nil {
		_, err = s.Deps.Review.SetWhitelist(c.Request.Context(), web.MustCaller(c).User, code, c.PostForm("reason"))
	}
	s.afterAction(c, err, "whitelisted")
}

func (s *ui) pageLiftWhitelist(c *gin.Context) {
	code, err := s.whitelistTarget(c)
	if err == nil {
		_, err = s.Deps.Review.LiftWhitelist(c.Request.Context(), web.MustCaller(c).User, code, c.PostForm("reason"))
	}
	s.afterAction(c, err, "lifted")
}
