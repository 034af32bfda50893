package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/experts"
	"kedaitong/identity"
)

// registerExpertsPages registers the expert library's pages: the
// directory, a profile and its edit form, the import page, the committees,
// and an expert's own page for availability and declared conflicts.
func (s *Server) registerExpertsPages(e *gin.Engine) {
	s.page(e, uiRoute{Method: "GET", Path: "/experts", Obj: "expert", Act: "read"}, s.pageExperts)
	s.page(e, uiRoute{Method: "GET", Path: "/experts/me", Obj: "expert", Act: "read"}, s.pageMyProfile)
	s.page(e, uiRoute{Method: "POST", Path: "/experts/me/unavailable", Obj: "expert", Act: "update"}, s.pageMyPeriod)
	s.page(e, uiRoute{Method: "POST", Path: "/experts/me/conflicts", Obj: "expert", Act: "update"}, s.pageMyConflict)
	s.page(e, uiRoute{Method: "POST", Path: "/experts/me/remove", Obj: "expert", Act: "update"}, s.pageMyRemove)
	s.page(e, uiRoute{Method: "GET", Path: "/experts/import", Obj: "expert", Act: "import"}, func(c *gin.Context) {
		s.render(c, http.StatusOK, "experts_import", "experts.import.title", gin.H{})
	})
	// The import form takes an upload: the upload limit, not the form limit.
	r := uiRoute{Method: "POST", Path: "/experts/import", Obj: "expert", Act: "import"}
	s.uiRoutes = append(s.uiRoutes, r)
	e.Handle(r.Method, r.Path, limitBody(maxUploadBody), s.pageGuard(r), s.pageImport)
	s.page(e, uiRoute{Method: "GET", Path: "/experts/:id", Obj: "expert", Act: "read"}, s.pageExpert)
	s.page(e, uiRoute{Method: "GET", Path: "/experts/:id/edit", Obj: "expert", Act: "update"}, s.pageEditExpert)
	s.page(e, uiRoute{Method: "POST", Path: "/experts/:id/edit", Obj: "expert", Act: "update"}, s.pageSaveExpert)
	s.page(e, uiRoute{Method: "GET", Path: "/committees", Obj: "committee", Act: "read"}, s.pageCommittees)
	s.page(e, uiRoute{Method: "POST", Path: "/committees", Obj: "committee", Act: "create"}, s.pageCreateCommittee)
	s.page(e, uiRoute{Method: "POST", Path: "/committees/:id", Obj: "committee", Act: "update"}, s.pageUpdateCommittee)
}

// fieldName names a field code in the page's language.
func (s *Server) fieldName(lang, code string) string {
	tax := s.deps.Experts.Taxonomy()
	pick := func(zh, en string) string {
		if lang == "en" {
			return en
		}
		return zh
	}
	if r, ok := tax.Route(code); ok {
		return pick(r.Name.ZH, r.Name.EN)
	}
	if i, ok := tax.Industry(code); ok {
		return pick(i.Name.ZH, i.Name.EN)
	}
	for _, sp := range tax.Specialities {
		if sp.Code == code {
			return pick(sp.Name.ZH, sp.Name.EN)
		}
	}
	return code
}

// fieldOption is one entry of the field filter.
type fieldOption struct {
	Code, Name string
	Route      bool
}

func (s *Server) fieldOptions(lang string) []fieldOption {
	var out []fieldOption
	for _, ind := range s.deps.Experts.Taxonomy().Industries {
		out = append(out, fieldOption{Code: ind.Code, Name: s.fieldName(lang, ind.Code)})
		for _, r := range ind.Routes {
			out = append(out, fieldOption{Code: r.Code, Name: s.fieldName(lang, r.Code), Route: true})
		}
	}
	return out
}

// expertRow is a directory row ready to show.
type expertRow struct {
	experts.Expert
	FieldNames []string
	OrgNames   []string
}

func (s *Server) rows(lang string, es []experts.Expert) []expertRow {
	out := make([]expertRow, len(es))
	for i, e := range es {
		out[i].Expert = e
		for _, f := range append(append([]string{}, e.Fields...), e.Specialities...) {
			out[i].FieldNames = append(out[i].FieldNames, s.fieldName(lang, f))
		}
		for _, o := range e.Organisations {
			if o.Current() {
				out[i].OrgNames = append(out[i].OrgNames, o.Name)
			}
		}
	}
	return out
}

func (s *Server) pageExperts(c *gin.Context) {
	cl := mustCaller(c)
	if cl.User.Role == identity.RoleExpert {
		c.Redirect(http.StatusSeeOther, "/experts/me")
		return
	}
	lang := pickLang(c)
	f := experts.Filter{Field: c.Query("field"), Tier: c.Query("tier"), Region: c.Query("region"), AvailableOn: c.Query("available_on"),
		Q: c.Query("q"), Committee: c.Query("committee"), Status: c.Query("status"), Limit: 25, Cursor: c.Query("cursor")}
	es, next, err := s.deps.Experts.Search(c.Request.Context(), cl.User, f)
	data := gin.H{"Filter": f, "Fields": s.fieldOptions(lang), "Tiers": experts.Tiers, "Statuses": experts.Statuses}
	status := http.StatusOK
	if err != nil {
		data["Error"] = kedaitong.ErrorMessage(err)
		status = StatusOf(err)
	}
	data["Rows"] = s.rows(lang, es)
	if next != "" {
		q := c.Request.URL.Query()
		q.Set("cursor", next)
		data["Next"] = "/experts?" + q.Encode()
	}
	q := c.Request.URL.Query()
	q.Del("cursor")
	data["Export"] = "/api/v1/experts/export?" + q.Encode() + "&lang=" + url.QueryEscape(lang)
	s.render(c, status, "experts", "experts.title", data)
}

func (s *Server) profileData(c *gin.Context, id string) (gin.H, error) {
	cl := mustCaller(c)
	v, err := s.deps.Experts.Get(c.Request.Context(), cl.User, id)
	if err != nil {
		return nil, err
	}
	lang := pickLang(c)
	row := s.rows(lang, []experts.Expert{v.Expert})[0]
	return gin.H{"V": v, "Row": row, "Region": v.Region}, nil
}

func (s *Server) pageExpert(c *gin.Context) {
	d, err := s.profileData(c, c.Param("id"))
	if err != nil {
		s.renderErr(c, err)
		return
	}
	d["Saved"] = c.Query("saved") != ""
	s.render(c, http.StatusOK, "experts_profile", "experts.profile.title", d)
}

func (s *Server) renderErr(c *gin.Context, err error) {
	if kedaitong.Is(err, kedaitong.ENotFound) {
		s.renderNotFound(c)
		return
	}
	msg := "error.internal"
	if kedaitong.Is(err, kedaitong.EForbidden) {
		msg = "error.forbidden"
	}
	s.renderError(c, StatusOf(err), msg)
}

// editForm is the edit page's form state.
type editForm struct {
	ID, Name, Tier, Title, Fields, Orgs, Region, Capacity, Email, Phone, Status string
}

func (s *Server) pageEditExpert(c *gin.Context) {
	cl := mustCaller(c)
	if cl.User.Role == identity.RoleExpert {
		c.Redirect(http.StatusSeeOther, "/experts/me")
		return
	}
	v, err := s.deps.Experts.Get(c.Request.Context(), cl.User, c.Param("id"))
	if err != nil {
		s.renderErr(c, err)
		return
	}
	var orgs []string
	for _, o := range v.Organisations {
		if o.Current() {
			t := o.Name
			if o.CreditCode != "" {
				t += "|" + o.CreditCode
			}
			orgs = append(orgs, t)
		}
	}
	f := editForm{ID: v.ID, Name: v.Name, Tier: v.Tier, Title: v.Title, Fields: strings.Join(append(append([]string{}, v.Fields...), v.Specialities...), "; "),
		Orgs: strings.Join(orgs, "\n"), Region: v.Region, Capacity: strconv.Itoa(v.Capacity), Email: v.Email, Phone: v.Phone, Status: v.Status}
	s.render(c, http.StatusOK, "experts_edit", "experts.edit.title", gin.H{"Form": f, "Version": v.Version, "Tiers": experts.Tiers, "Statuses": experts.Statuses})
}

func (s *Server) pageSaveExpert(c *gin.Context) {
	cl := mustCaller(c)
	id := c.Param("id")
	f := editForm{ID: id, Name: c.PostForm("name"), Tier: c.PostForm("tier"), Title: c.PostForm("title"), Fields: c.PostForm("fields"),
		Orgs: c.PostForm("organisations"), Region: c.PostForm("region"), Capacity: c.PostForm("capacity"), Email: c.PostForm("email"),
		Phone: c.PostForm("phone"), Status: c.PostForm("status")}
	fields := strings.FieldsFunc(f.Fields, func(r rune) bool { return strings.ContainsRune(";；,，、 \n", r) })
	v, err := s.deps.Experts.Get(c.Request.Context(), cl.User, id)
	if err != nil {
		s.renderErr(c, err)
		return
	}
	// Organisations: one a line; the current ones are replaced, past ones kept.
	var orgs []experts.Org
	for _, line := range strings.Split(f.Orgs, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			name, code, _ := strings.Cut(line, "|")
			orgs = append(orgs, experts.Org{Name: strings.TrimSpace(name), CreditCode: strings.TrimSpace(code)})
		}
	}
	for _, o := range v.Organisations {
		kept := false
		for i, n := range orgs {
			if n.CreditCode == "" && experts.OrgID(n.Name, "") == experts.OrgID(o.Name, "") || n.CreditCode != "" && n.CreditCode == o.CreditCode {
				if o.Current() {
					orgs[i] = o
				}
				kept = true
			}
		}
		if !kept && !o.Current() {
			orgs = append(orgs, o)
		}
	}
	var errs []error
	capacity, cerr := strconv.Atoi(strings.TrimSpace(f.Capacity))
	if cerr != nil {
		errs = append(errs, kedaitong.Invalid("capacity", "must be a whole number from 0 to %d", experts.MaxCapacity))
	}
	ver, _ := strconv.ParseInt(c.PostForm("version"), 10, 64)
	if len(errs) == 0 {
		p := experts.Patch{Name: &f.Name, Tier: &f.Tier, Title: &f.Title, Fields: &fields, Organisations: &orgs, Region: &f.Region,
			Capacity: &capacity, Email: &f.Email, Phone: &f.Phone, Status: &f.Status, Version: ver}
		empty := []string{}
		p.Specialities = &empty
		if _, err := s.deps.Experts.Update(c.Request.Context(), cl.User, id, p); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		s.render(c, StatusOf(errs[0]), "experts_edit", "experts.edit.title", gin.H{"Form": f, "Version": ver, "Tiers": experts.Tiers,
			"Statuses": experts.Statuses, "Error": kedaitong.ErrorMessage(errs[0])})
		return
	}
	c.Redirect(http.StatusSeeOther, "/experts/"+url.PathEscape(id)+"?saved=1")
}

func (s *Server) pageImport(c *gin.Context) {
	cl := mustCaller(c)
	data, err := uploadedFile(c)
	var res experts.ImportResult
	if err == nil {
		res, err = s.deps.Experts.Import(c.Request.Context(), cl.User, data)
	}
	if err != nil {
		s.render(c, StatusOf(err), "experts_import", "experts.import.title", gin.H{"Error": kedaitong.ErrorMessage(err)})
		return
	}
	s.render(c, http.StatusOK, "experts_import", "experts.import.title", gin.H{"Result": res, "Done": true})
}

// The expert's own page.

func (s *Server) pageMyProfile(c *gin.Context) {
	s.renderMine(c, http.StatusOK, "")
}

func (s *Server) renderMine(c *gin.Context, status int, errMsg string) {
	cl := mustCaller(c)
	if cl.User.Role != identity.RoleExpert {
		c.Redirect(http.StatusSeeOther, "/experts")
		return
	}
	d, err := s.profileData(c, cl.User.ExpertID)
	if err != nil {
		s.renderErr(c, err)
		return
	}
	d["Error"], d["Mine"], d["Saved"] = errMsg, true, c.Query("saved") != "" && errMsg == ""
	s.render(c, status, "experts_profile", "experts.me.title", d)
}

// changeMine applies change to the caller's own profile's periods and
// conflicts and re-renders the page.
func (s *Server) changeMine(c *gin.Context, change func(e *experts.Expert)) {
	cl := mustCaller(c)
	if cl.User.Role != identity.RoleExpert {
		s.renderErr(c, kedaitong.Errorf(kedaitong.ENotFound, "no profile"))
		return
	}
	v, err := s.deps.Experts.Get(c.Request.Context(), cl.User, cl.User.ExpertID)
	if err != nil {
		s.renderErr(c, err)
		return
	}
	e := v.Expert
	change(&e)
	if _, err := s.deps.Experts.Update(c.Request.Context(), cl.User, e.ID, experts.Patch{Unavailable: &e.Unavailable, Conflicts: &e.Conflicts}); err != nil {
		s.renderMine(c, StatusOf(err), kedaitong.ErrorMessage(err))
		return
	}
	c.Redirect(http.StatusSeeOther, "/experts/me?saved=1")
}

func (s *Server) pageMyPeriod(c *gin.Context) {
	s.changeMine(c, func(e *experts.Expert) {
		e.Unavailable = append(e.Unavailable, experts.Period{From: c.PostForm("from"), To: c.PostForm("to"), Reason: c.PostForm("reason")})
	})
}

func (s *Server) pageMyConflict(c *gin.Context) {
	s.changeMine(c, func(e *experts.Expert) {
		e.Conflicts = append(e.Conflicts, experts.Conflict{Name: c.PostForm("name"), CreditCode: c.PostForm("credit_code"), Reason: c.PostForm("reason")})
	})
}

func (s *Server) pageMyRemove(c *gin.Context) {
	i, _ := strconv.Atoi(c.PostForm("index"))
	s.changeMine(c, func(e *experts.Expert) {
		switch c.PostForm("what") {
		case "period":
			if i >= 0 && i < len(e.Unavailable) {
				e.Unavailable = append(e.Unavailable[:i:i], e.Unavailable[i+1:]...)
			}
		case "conflict":
			if i >= 0 && i < len(e.Conflicts) {
				e.Conflicts = append(e.Conflicts[:i:i], e.Conflicts[i+1:]...)
			}
		}
	})
}

// Committees.

type committeeRow struct {
	experts.Committee
	FieldName string
}

func (s *Server) pageCommittees(c *gin.Context) {
	s.renderCommittees(c, http.StatusOK, "", "")
}

func (s *Server) renderCommittees(c *gin.Context, status int, errMsg, notice string) {
	cl := mustCaller(c)
	lang := pickLang(c)
	cs, err := s.deps.Experts.Committees(c.Request.Context(), cl.User, "")
	if err != nil && errMsg == "" {
		errMsg = kedaitong.ErrorMessage(err)
	}
	rows := make([]committeeRow, len(cs))
	for i, cm := range cs {
		rows[i] = committeeRow{Committee: cm, FieldName: s.fieldName(lang, cm.Field)}
	}
	s.render(c, status, "committees", "committees.title", gin.H{"Committees": rows, "Fields": s.fieldOptions(lang), "Error": errMsg, "Notice": notice})
}

func splitIDs(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(",，;； \n\t", r) })
}

func (s *Server) pageCreateCommittee(c *gin.Context) {
	cl := mustCaller(c)
	_, err := s.deps.Experts.CreateCommittee(c.Request.Context(), cl.User, experts.CommitteeInput{Field: c.PostForm("field"), Name: c.PostForm("name"),
		Members: splitIDs(c.PostForm("members")), Chair: strings.TrimSpace(c.PostForm("chair"))})
	if err != nil {
		s.renderCommittees(c, StatusOf(err), kedaitong.ErrorMessage(err), "")
		return
	}
	s.renderCommittees(c, http.StatusOK, "", "committees.saved")
}

func (s *Server) pageUpdateCommittee(c *gin.Context) {
	cl := mustCaller(c)
	members := splitIDs(c.PostForm("members"))
	chair := strings.TrimSpace(c.PostForm("chair"))
	_, err := s.deps.Experts.UpdateCommittee(c.Request.Context(), cl.User, c.Param("id"), experts.CommitteePatch{Members: &members, Chair: &chair})
	if err != nil {
		s.renderCommittees(c, StatusOf(err), kedaitong.ErrorMessage(err), "")
		return
	}
	s.renderCommittees(c, http.StatusOK, "", "committees.saved")
}
