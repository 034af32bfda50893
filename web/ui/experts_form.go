package ui

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/experts"
	"kedaitong/identity"
	"kedaitong/web"
)

// The expert form: one template (experts_edit) for a new expert and for
// editing one. Fields are chosen from the taxonomy (a primary field and
// further routes, industries or, for finance scholars, specialities);
// organisations are rows of name, credit code, from and to (current and
// past three years), with blank rows to add and a box to remove; errors are
// shown beside the input at fault.

// orgBlankRows is how many empty organisation rows the form offers.
const orgBlankRows = 2

// orgRow is one organisation row of the form.
type orgRow struct {
	Name, CreditCode, From, To string
	Removed                    bool // ticked for removal (kept on a refused form)
	Err                        string
}

// expertForm is the form's state.
type expertForm struct {
	New                                    bool
	ID, Name, Tier, Title, Primary         string
	Checked                                map[string]bool // further fields and specialities
	Region, Capacity, Email, Phone, Status string
	Orgs                                   []orgRow
	Version                                int64
	Errs                                   map[string]string // input → message
	Summary                                string            // an error not tied to one input
	SummaryID                              string            // the same, as a message id
}

// fieldGroup is an industry with its routes, for the field chooser.
type fieldGroup struct {
	Code, Name string
	Routes     []fieldOption
}

func (s *ui) fieldGroups(lang string) []fieldGroup {
	var out []fieldGroup
	for _, ind := range s.Deps.Experts.Taxonomy().Industries {
		g := fieldGroup{Code: ind.Code, Name: s.fieldName(lang, ind.Code)}
		for _, r := range ind.Routes {
			g.Routes = append(g.Routes, fieldOption{Code: r.Code, Name: s.fieldName(lang, r.Code), Route: true})
		}
		out = append(out, g)
	}
	return out
}

func (s *ui) specialityOptions(lang string) []fieldOption {
	var out []fieldOption
	for _, sp := range s.Deps.Experts.Taxonomy().Specialities {
		out = append(out, fieldOption{Code: sp.Code, Name: s.fieldName(lang, sp.Code)})
	}
	return out
}

// formOf fills the form from a stored profile.
func formOf(v experts.View) expertForm {
	f := expertForm{ID: v.ID, Name: v.Name, Tier: v.Tier, Title: v.Title, Checked: map[string]bool{}, Region: v.Region,
		Capacity: strconv.Itoa(v.Capacity), Email: v.Email, Phone: v.Phone, Status: v.Status, Version: v.Version, Errs: map[string]string{}}
	for i, code := range v.Fields {
		if i == 0 {
			f.Primary = code
		} else {
			f.Checked[code] = true
		}
	}
	for _, code := range v.Specialities {
		f.Checked[code] = true
	}
	for _, o := range v.Organisations {
		f.Orgs = append(f.Orgs, orgRow{Name: o.Name, CreditCode: o.CreditCode, From: o.From, To: o.To})
	}
	return f
}

// formFromPost reads the posted form. orgIndex maps the index of each
// organisation handed to the service to its form row (for errors).
func formFromPost(c *gin.Context, isNew bool) (f expertForm, orgs []experts.Org, orgIndex []int) {
	tr := strings.TrimSpace
	f = expertForm{New: isNew, ID: tr(c.PostForm("id")), Name: c.PostForm("name"), Tier: c.PostForm("tier"), Title: c.PostForm("title"),
		Primary: tr(c.PostForm("primary_field")), Checked: map[string]bool{}, Region: tr(c.PostForm("region")),
		Capacity: tr(c.PostForm("capacity")), Email: tr(c.PostForm("email")), Phone: tr(c.PostForm("phone")),
		Status: c.PostForm("status"), Errs: map[string]string{}}
	f.Version, _ = strconv.ParseInt(c.PostForm("version"), 10, 64)
	for _, code := range c.PostFormArray("fields") {
		if code = tr(code); code != "" {
			f.Checked[code] = true
		}
	}
	names, codes := c.PostFormArray("org_name"), c.PostFormArray("org_code")
	froms, tos := c.PostFormArray("org_from"), c.PostFormArray("org_to")
	removed := map[string]bool{}
	for _, i := range c.PostFormArray("org_remove") {
		removed[i] = true
	}
	at := func(a []string, i int) string {
		if i < len(a) {
			return tr(a[i])
		}
		return ""
	}
	for i := range names {
		row := orgRow{Name: at(names, i), CreditCode: at(codes, i), From: at(froms, i), To: at(tos, i)}
		if row == (orgRow{}) {
			continue // a blank row left blank
		}
		if removed[strconv.Itoa(i)] {
			row.Removed = true
			f.Orgs = append(f.Orgs, row)
			continue
		}
		orgIndex = append(orgIndex, len(f.Orgs))
		f.Orgs = append(f.Orgs, row)
		orgs = append(orgs, experts.Org{Name: row.Name, CreditCode: row.CreditCode, From: row.From, To: row.To})
	}
	if orgs == nil {
		orgs = []experts.Org{}
	}
	return f, orgs, orgIndex
}

// fieldLists splits the chosen codes into fields (primary first) and
// finance specialities.
func (s *ui) fieldLists(f expertForm) (fields, specs []string) {
	tax := s.Deps.Experts.Taxonomy()
	fields, specs = []string{}, []string{}
	if f.Primary != "" {
		fields = append(fields, f.Primary)
	}
	// Keep the taxonomy's order so the result does not depend on map order.
	for _, ind := range tax.Industries {
		if f.Checked[ind.Code] && ind.Code != f.Primary {
			fields = append(fields, ind.Code)
		}
		for _, r := range ind.Routes {
			if f.Checked[r.Code] && r.Code != f.Primary {
				fields = append(fields, r.Code)
			}
		}
	}
	for _, sp := range tax.Specialities {
		if f.Checked[sp.Code] {
			specs = append(specs, sp.Code)
		}
	}
	// A code the taxonomy does not know: hand it on so the service names it.
	for code := range f.Checked {
		if !tax.IsField(code) && !tax.IsSpeciality(code) {
			fields = append(fields, code)
		}
	}
	return fields, specs
}

// placeError puts a service error beside the input at fault, in the page's
// language.
func placeError(c *gin.Context, f *expertForm, err error, orgIndex []int) {
	var ke *kedaitong.Error
	if !errors.As(err, &ke) || ke.Field == "" || ke.Code != kedaitong.EInvalid {
		f.Summary = web.ErrText(c, err)
		return
	}
	field, msg := ke.Field, web.FieldText(web.PickLang(c), ke)
	switch {
	case field == "primary_field" || field == "fields" || field == "specialities":
		f.Errs["fields"] = msg
	case strings.HasPrefix(field, "organisations["):
		i, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(field, "organisations["), "]"))
		if i >= 0 && i < len(orgIndex) {
			f.Orgs[orgIndex[i]].Err = msg
		} else {
			f.Errs["orgs"] = msg
		}
	case field == "organisations":
		f.Errs["orgs"] = msg
	case field == "id" || field == "name" || field == "tier" || field == "title" || field == "region" || field == "capacity" ||
		field == "email" || field == "phone" || field == "status":
		f.Errs[field] = msg
	default:
		f.Summary = web.ErrText(c, err)
	}
}

// renderExpertForm shows the form with blank organisation rows to fill.
func (s *ui) renderExpertForm(c *gin.Context, status int, f expertForm) {
	lang := web.PickLang(c)
	for i := 0; i < orgBlankRows; i++ {
		f.Orgs = append(f.Orgs, orgRow{})
	}
	if f.Errs == nil {
		f.Errs = map[string]string{}
	}
	title := "experts.edit.title"
	if f.New {
		title = "experts.new.title"
	}
	s.render(c, status, "experts_edit", title, gin.H{"Form": f, "Tiers": experts.Tiers, "Statuses": experts.Statuses,
		"Groups": s.fieldGroups(lang), "Specialities": s.specialityOptions(lang), "Regions": regionOptions(lang), "HasErrors": len(f.Errs) > 0 || f.Summary != "" || f.SummaryID != "" || orgErrs(f)})
}

func orgErrs(f expertForm) bool {
	for _, o := range f.Orgs {
		if o.Err != "" {
			return true
		}
	}
	return false
}

func (s *ui) pageNewExpert(c *gin.Context) {
	s.renderExpertForm(c, http.StatusOK, expertForm{New: true, Tier: experts.TierIndustry, Status: experts.StatusActive,
		Capacity: strconv.Itoa(experts.DefaultCapacity), Region: "36", Checked: map[string]bool{}})
}

// capacityOf reads the capacity input; ok is false (and the error placed)
// when it is not a whole number.
func capacityOf(f *expertForm) (int, bool) {
	n, err := strconv.Atoi(f.Capacity)
	if err != nil {
		f.Errs["capacity"] = "must be a whole number from 0 to " + strconv.Itoa(experts.MaxCapacity)
		return 0, false
	}
	return n, true
}

func (s *ui) pageCreateExpert(c *gin.Context) {
	cl := web.MustCaller(c)
	f, orgs, orgIndex := formFromPost(c, true)
	capacity, ok := capacityOf(&f)
	if !ok {
		s.renderExpertForm(c, http.StatusBadRequest, f)
		return
	}
	fields, specs := s.fieldLists(f)
	in := experts.Input{ID: f.ID, Name: f.Name, Tier: f.Tier, Title: f.Title, Organisations: orgs, Fields: fields, Specialities: specs,
		Region: f.Region, Capacity: &capacity, Email: f.Email, Phone: f.Phone, Status: f.Status}
	e, err := s.Deps.Experts.Create(c.Request.Context(), cl.User, in)
	if err != nil {
		placeError(c, &f, err, orgIndex)
		s.renderExpertForm(c, web.StatusOf(err), f)
		return
	}
	c.Redirect(http.StatusSeeOther, "/experts/"+url.PathEscape(e.ID)+"?saved=1")
}

func (s *ui) pageEditExpert(c *gin.Context) {
	cl := web.MustCaller(c)
	if cl.User.Role == identity.RoleExpert {
		c.Redirect(http.StatusSeeOther, "/experts/me")
		return
	}
	v, err := s.Deps.Experts.Get(c.Request.Context(), cl.User, c.Param("id"))
	if err != nil {
		s.renderErr(c, err)
		return
	}
	s.renderExpertForm(c, http.StatusOK, formOf(v))
}

func (s *ui) pageSaveExpert(c *gin.Context) {
	cl := web.MustCaller(c)
	id := c.Param("id")
	if cl.User.Role == identity.RoleExpert {
		// Experts keep their own periods and conflicts on /experts/me;
		// the rest of a profile is the programme office's.
		s.renderErr(c, kedaitong.Errorf(kedaitong.ENotFound, "expert %q not found", id).ZHf("未找到评审专家 %q", id))
		return
	}
	if _, err := s.Deps.Experts.Get(c.Request.Context(), cl.User, id); err != nil {
		s.renderErr(c, err)
		return
	}
	f, orgs, orgIndex := formFromPost(c, false)
	f.ID = id
	capacity, ok := capacityOf(&f)
	if !ok {
		s.renderExpertForm(c, http.StatusBadRequest, f)
		return
	}
	fields, specs := s.fieldLists(f)
	p := experts.Patch{Name: &f.Name, Tier: &f.Tier, Title: &f.Title, Fields: &fields, Specialities: &specs, Organisations: &orgs,
		Region: &f.Region, Capacity: &capacity, Email: &f.Email, Phone: &f.Phone, Status: &f.Status, Version: f.Version}
	if _, err := s.Deps.Experts.Update(c.Request.Context(), cl.User, id, p); err != nil {
		if kedaitong.Is(err, kedaitong.EConflict) {
			f.SummaryID = "experts.edit.conflict"
		} else {
			placeError(c, &f, err, orgIndex)
		}
		s.renderExpertForm(c, web.StatusOf(err), f)
		return
	}
	c.Redirect(http.StatusSeeOther, "/experts/"+url.PathEscape(id)+"?saved=1")
}
