package ui

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/experts"
	"kedaitong/identity"
	"kedaitong/web"
)

// registerExpertsPages registers the expert library's pages: the
// directory, a profile and its edit form, the import page, the committees,
// and an expert's own page for availability and declared conflicts.
func (s *ui) registerExpertsPages(e *gin.Engine) {
	s.page(e, web.UIRoute{Method: "GET", Path: "/experts", Obj: "expert", Act: "read"}, s.pageExperts)
	s.page(e, web.UIRoute{Method: "GET", Path: "/experts/me", Obj: "expert", Act: "read"}, s.pageMyProfile)
	s.page(e, web.UIRoute{Method: "POST", Path: "/experts/me/unavailable", Obj: "expert", Act: "update"}, s.pageMyPeriod)
	s.page(e, web.UIRoute{Method: "POST", Path: "/experts/me/conflicts", Obj: "expert", Act: "update"}, s.pageMyConflict)
	s.page(e, web.UIRoute{Method: "POST", Path: "/experts/me/remove", Obj: "expert", Act: "update"}, s.pageMyRemove)
	s.page(e, web.UIRoute{Method: "GET", Path: "/experts/import", Obj: "expert", Act: "import"}, func(c *gin.Context) {
		s.render(c, http.StatusOK, "experts_import", "experts.import.title", gin.H{})
	})
	s.page(e, web.UIRoute{Method: "POST", Path: "/experts/import", Obj: "expert", Act: "import", Upload: true}, s.pageImport)
	s.page(e, web.UIRoute{Method: "GET", Path: "/experts/new", Obj: "expert", Act: "create"}, s.pageNewExpert)
	s.page(e, web.UIRoute{Method: "POST", Path: "/experts/new", Obj: "expert", Act: "create"}, s.pageCreateExpert)
	s.page(e, web.UIRoute{Method: "GET", Path: "/experts/:id", Obj: "expert", Act: "read"}, s.pageExpert)
	s.page(e, web.UIRoute{Method: "GET", Path: "/experts/:id/edit", Obj: "expert", Act: "update"}, s.pageEditExpert)
	s.page(e, web.UIRoute{Method: "POST", Path: "/experts/:id/edit", Obj: "expert", Act: "update"}, s.pageSaveExpert)
	s.page(e, web.UIRoute{Method: "GET", Path: "/committees", Obj: "committee", Act: "read"}, s.pageCommittees)
	s.page(e, web.UIRoute{Method: "POST", Path: "/committees", Obj: "committee", Act: "create"}, s.pageCreateCommittee)
	s.page(e, web.UIRoute{Method: "POST", Path: "/committees/:id", Obj: "committee", Act: "update"}, s.pageUpdateCommittee)
}

// fieldName names a field code in the page's language.
func (s *ui) fieldName(lang, code string) string {
	tax := s.Deps.Experts.Taxonomy()
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

func (s *ui) fieldOptions(lang string) []fieldOption {
	var out []fieldOption
	for _, ind := range s.Deps.Experts.Taxonomy().Industries {
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
	RegionName string
}

func (s *ui) rows(lang string, es []experts.Expert) []expertRow {
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

func (s *ui) pageExperts(c *gin.Context) {
	cl := web.MustCaller(c)
	if cl.User.Role == identity.RoleExpert {
		c.Redirect(http.StatusSeeOther, "/experts/me")
		return
	}
	lang := web.PickLang(c)
	f := experts.Filter{Field: c.Query("field"), Tier: c.Query("tier"), Region: c.Query("region"), AvailableOn: c.Query("available_on"),
		Q: c.Query("q"), Committee: c.Query("committee"), Status: c.Query("status"), Limit: 500}
	ctx := c.Request.Context()
	es, truncated, err := readAll(func(cur string) ([]experts.Expert, string, error) {
		f.Cursor = cur
		return s.Deps.Experts.Search(ctx, cl.User, f)
	})
	data := gin.H{"Filter": f, "Fields": s.fieldOptions(lang), "Tiers": experts.Tiers, "Statuses": experts.Statuses, "Regions": regionOptions(lang)}
	status := http.StatusOK
	if err != nil {
		data["Error"] = web.ErrText(c, err)
		status = web.StatusOf(err)
	}
	tr := web.NewTr(s.bundle, lang)
	all := s.rows(lang, es)
	join := func(xs []string) string { return strings.Join(xs, "、") }
	spec := listSpec[expertRow]{ID: "experts", Sheet: "experts.title", Sort: "name", Searched: true, Cols: []col[expertRow]{
		textCol("name", "experts.name", func(r expertRow) string { return r.Name }),
		textCol("tier", "experts.tier", func(r expertRow) string { return tr.T("experts.tier." + r.Tier) }),
		textCol("title", "experts.title_col", func(r expertRow) string { return r.Title }),
		textCol("fields", "experts.fields", func(r expertRow) string { return join(r.FieldNames) }),
		textCol("orgs", "experts.orgs", func(r expertRow) string { return join(r.OrgNames) }),
		textCol("region", "experts.region", func(r expertRow) string { return regionText(lang, r.Region) }),
		intCol("capacity", "experts.capacity", func(r expertRow) int64 { return int64(r.Capacity) }),
		textCol("status", "experts.status", func(r expertRow) string { return tr.T("experts.status." + r.Status) }),
	}}
	page, list, done := listRows(s, c, spec, all, truncated)
	if done {
		return
	}
	for i := range page {
		page[i].RegionName = regionText(lang, page[i].Region)
	}
	data["Rows"], data["List"] = page, list
	q := c.Request.URL.Query()
	for _, k := range []string{"cursor", "sort", "dir", "page", "size"} {
		q.Del(k)
	}
	data["Export"] = "/api/v1/experts/export?" + q.Encode() + "&lang=" + url.QueryEscape(lang)
	s.render(c, status, "experts", "experts.title", data)
}

func (s *ui) profileData(c *gin.Context, id string) (gin.H, error) {
	cl := web.MustCaller(c)
	v, err := s.Deps.Experts.Get(c.Request.Context(), cl.User, id)
	if err != nil {
		return nil, err
	}
	lang := web.PickLang(c)
	row := s.rows(lang, []experts.Expert{v.Expert})[0]
	// Committees by name: the committee's own, else its field's.
	var cms []string
	for _, id := range v.Committees {
		name := ""
		if cm, err := s.Deps.Experts.Committee(c.Request.Context(), cl.User, id); err == nil {
			name = nameOr(cm.Name, s.fieldName(lang, cm.Field))
		}
		cms = append(cms, nameOr(name, "—"))
	}
	return gin.H{"V": v, "Row": row, "Region": v.Region, "Committees": cms}, nil
}

func (s *ui) pageExpert(c *gin.Context) {
	d, err := s.profileData(c, c.Param("id"))
	if err != nil {
		s.renderErr(c, err)
		return
	}
	d["Saved"] = c.Query("saved") != ""
	s.render(c, http.StatusOK, "experts_profile", "experts.profile.title", d)
}

func (s *ui) renderErr(c *gin.Context, err error) {
	if kedaitong.Is(err, kedaitong.ENotFound) {
		s.renderNotFound(c)
		return
	}
	msg := "error.internal"
	if kedaitong.Is(err, kedaitong.EForbidden) {
		msg = "error.forbidden"
	}
	s.renderError(c, web.StatusOf(err), msg)
}

func (s *ui) pageImport(c *gin.Context) {
	cl := web.MustCaller(c)
	data, err := web.UploadedFile(c)
	var res experts.ImportResult
	if err == nil {
		res, err = s.Deps.Experts.Import(c.Request.Context(), cl.User, data)
	}
	if err != nil {
		s.render(c, web.StatusOf(err), "experts_import", "experts.import.title", gin.H{"Error": web.ErrText(c, err)})
		return
	}
	s.render(c, http.StatusOK, "experts_import", "experts.import.title", gin.H{"Result": res, "Done": true})
}

// The expert's own page.

func (s *ui) pageMyProfile(c *gin.Context) {
	s.renderMine(c, http.StatusOK, "")
}

func (s *ui) renderMine(c *gin.Context, status int, errMsg string) {
	cl := web.MustCaller(c)
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
func (s *ui) changeMine(c *gin.Context, change func(e *experts.Expert)) {
	cl := web.MustCaller(c)
	if cl.User.Role != identity.RoleExpert {
		s.renderErr(c, kedaitong.Errorf(kedaitong.ENotFound, "no profile").ZHf("没有专家档案"))
		return
	}
	v, err := s.Deps.Experts.Get(c.Request.Context(), cl.User, cl.User.ExpertID)
	if err != nil {
		s.renderErr(c, err)
		return
	}
	e := v.Expert
	change(&e)
	if _, err := s.Deps.Experts.Update(c.Request.Context(), cl.User, e.ID, experts.Patch{Unavailable: &e.Unavailable, Conflicts: &e.Conflicts}); err != nil {
		s.renderMine(c, web.StatusOf(err), web.ErrText(c, err))
		return
	}
	c.Redirect(http.StatusSeeOther, "/experts/me?saved=1")
}

func (s *ui) pageMyPeriod(c *gin.Context) {
	s.changeMine(c, func(e *experts.Expert) {
		e.Unavailable = append(e.Unavailable, experts.Period{From: c.PostForm("from"), To: c.PostForm("to"), Reason: c.PostForm("reason")})
	})
}

func (s *ui) pageMyConflict(c *gin.Context) {
	s.changeMine(c, func(e *experts.Expert) {
		e.Conflicts = append(e.Conflicts, experts.Conflict{Name: c.PostForm("name"), CreditCode: c.PostForm("credit_code"), Reason: c.PostForm("reason")})
	})
}

// pageMyRemove removes one period ("from|to") or declared conflict (its
// organisation id) by its key, so a stale page cannot remove another entry.
func (s *ui) pageMyRemove(c *gin.Context) {
	key := c.PostForm("key")
	s.changeMine(c, func(e *experts.Expert) {
		switch c.PostForm("what") {
		case "period":
			e.Unavailable = slices.DeleteFunc(e.Unavailable, func(p experts.Period) bool { return p.From+"|"+p.To == key })
		case "conflict":
			e.Conflicts = slices.DeleteFunc(e.Conflicts, func(x experts.Conflict) bool { return x.OrgID == key })
		}
	})
}

// Committees.

// memberRow is a committee member as the page shows it: officials see the
// name, experts the id only.
type memberRow struct {
	ID, Name string
	Chair    bool
}

type committeeRow struct {
	experts.Committee
	FieldName string
	ChairName string
	People    []memberRow
	Mine      bool // the calling expert sits on it
}

func (s *ui) pageCommittees(c *gin.Context) {
	notice := ""
	if c.Query("saved") != "" {
		notice = "committees.saved"
	}
	s.renderCommittees(c, http.StatusOK, "", "", notice)
}

// renderCommittees shows the committees; errMsg is shown beside the
// committee errID (or above the new-committee form when errID is "").
func (s *ui) renderCommittees(c *gin.Context, status int, errMsg, errID, notice string) {
	cl := web.MustCaller(c)
	lang := web.PickLang(c)
	ctx := c.Request.Context()
	cs, err := s.Deps.Experts.Committees(ctx, cl.User, "")
	if err != nil && errMsg == "" {
		errMsg = web.ErrText(c, err)
	}
	names := experts.SeesContact(cl.User) // officials and admins see who sits on a committee
	rows := make([]committeeRow, len(cs))
	for i, cm := range cs {
		rows[i] = committeeRow{Committee: cm, FieldName: s.fieldName(lang, cm.Field)}
		for _, m := range cm.Members {
			r := memberRow{ID: m, Chair: m == cm.Chair}
			rows[i].Mine = rows[i].Mine || (cl.User.ExpertID != "" && m == cl.User.ExpertID)
			if names {
				if p, err := s.Deps.Experts.Profile(ctx, m); err == nil {
					r.Name = p.Name
				}
			}
			rows[i].People = append(rows[i].People, r)
		}
	}
	tr := web.NewTr(s.bundle, lang)
	// who names a member: officials by name; an expert sees only itself
	// ("you"), never another expert's id.
	who := func(p memberRow) string {
		switch {
		case p.Name != "":
			return p.Name
		case cl.User.ExpertID != "" && p.ID == cl.User.ExpertID:
			return tr.T("committees.you")
		}
		return ""
	}
	chairOf := func(r committeeRow) string {
		for _, p := range r.People {
			if p.Chair {
				return nameOr(who(p), "—")
			}
		}
		return "—"
	}
	spec := listSpec[committeeRow]{ID: "committees", Sheet: "committees.title", Sort: "name", Cols: []col[committeeRow]{
		textCol("name", "committees.name", func(r committeeRow) string { return r.Name }),
		textCol("field", "experts.field", func(r committeeRow) string { return r.FieldName }),
		textCol("chair", "committees.chair", chairOf),
		{Key: "members", Label: "committees.members", Text: func(r committeeRow) string {
			if !names {
				return tr.T("committees.count", "N", len(r.People))
			}
			names := make([]string, len(r.People))
			for i, p := range r.People {
				names[i] = nameOr(p.Name, "—")
			}
			return strings.Join(names, "、")
		}, Cmp: func(a, b committeeRow) int { return len(a.People) - len(b.People) }},
	}}
	page, list, done := listRows(s, c, spec, rows, false)
	if done {
		return
	}
	for i := range page {
		page[i].ChairName = chairOf(page[i])
	}
	var choices []expertChoice
	if s.Deps.RBAC.RoleAllowed(cl.User.Role, "committee", "update") || s.Deps.RBAC.RoleAllowed(cl.User.Role, "committee", "create") {
		choices = s.expertChoices(c, cl.User, nil, lang)
	}
	s.render(c, status, "committees", "committees.title", gin.H{"Committees": page, "List": list, "Fields": s.fieldOptions(lang), "Error": errMsg,
		"Names": names, "Experts": choices,
		"ErrorID": errID, "Notice": notice, "Form": gin.H{"Field": c.PostForm("field"), "Name": c.PostForm("name"),
			"Members": chosenIDs(c.PostFormArray("members")), "Chair": c.PostForm("chair")}})
}

func splitIDs(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(",，;； \n\t", r) })
}

func (s *ui) pageCreateCommittee(c *gin.Context) {
	cl := web.MustCaller(c)
	_, err := s.Deps.Experts.CreateCommittee(c.Request.Context(), cl.User, experts.CommitteeInput{Field: c.PostForm("field"), Name: c.PostForm("name"),
		Members: splitIDs(strings.Join(c.PostFormArray("members"), ",")), Chair: strings.TrimSpace(c.PostForm("chair"))})
	if err != nil {
		s.renderCommittees(c, web.StatusOf(err), web.ErrText(c, err), "", "")
		return
	}
	c.Redirect(http.StatusSeeOther, "/committees?saved=1")
}

// pageUpdateCommittee applies the committee row's form: the ticked members
// leave, the listed ids join, the chosen member chairs. A form that sends
// "members" replaces the whole list instead.
func (s *ui) pageUpdateCommittee(c *gin.Context) {
	cl := web.MustCaller(c)
	ctx := c.Request.Context()
	id := c.Param("id")
	cm, err := s.Deps.Experts.Committee(ctx, cl.User, id)
	if err != nil {
		s.renderErr(c, err)
		return
	}
	var members []string
	if all, ok := c.GetPostForm("members"); ok {
		members = splitIDs(all)
	} else {
		leave := map[string]bool{}
		for _, m := range c.PostFormArray("remove") {
			leave[m] = true
		}
		for _, m := range cm.Members {
			if !leave[m] {
				members = append(members, m)
			}
		}
		members = append(members, splitIDs(strings.Join(c.PostFormArray("add"), ","))...)
	}
	if members == nil {
		members = []string{}
	}
	chair := strings.TrimSpace(c.PostForm("chair"))
	ver, _ := strconv.ParseInt(c.PostForm("version"), 10, 64)
	_, err = s.Deps.Experts.UpdateCommittee(ctx, cl.User, id, experts.CommitteePatch{Members: &members, Chair: &chair, Version: ver})
	if err != nil {
		s.renderCommittees(c, web.StatusOf(err), web.ErrText(c, err), id, "")
		return
	}
	c.Redirect(http.StatusSeeOther, "/committees?saved="+url.QueryEscape(id))
}

// chosenIDs are the ids a form sent (each value may list several).
func chosenIDs(values []string) map[string]bool {
	out := map[string]bool{}
	for _, id := range splitIDs(strings.Join(values, ",")) {
		out[id] = true
	}
	return out
}
