package ui

// Pickers: choices by name where a code is stored (regions, banks,
// experts), so that no form asks a user to type an internal code.

import (
	"strings"

	"github.com/gin-gonic/gin"

	"kedaitong/review"
	"kedaitong/taxonomy"
	"kedaitong/web"
)

// regionChoice is one option of a region select: the province, a city, or
// a county (indented under its city).
type regionChoice struct {
	Code, Name, Indent string
	Selected           bool
}

// regionPick is what the "region-select" partial draws.
type regionPick struct {
	Name, ID, Any, Describe string
	Options                 []regionChoice
}

// regionSelect builds a region select from options (regionOptions) with
// value chosen; a code the list does not know stays as a named option.
func regionSelect(name, id, value string, options []codeName, any string) regionPick {
	p := regionPick{Name: name, ID: id, Any: any}
	known := false
	for _, o := range options {
		c := regionChoice{Code: o.Code, Name: o.Name, Selected: o.Code == value}
		switch len(o.Code) {
		case 4:
			c.Indent = "\u3000"
		case 6:
			c.Indent = "\u3000\u3000"
		}
		known = known || c.Selected
		p.Options = append(p.Options, c)
	}
	if value = strings.TrimSpace(value); value != "" && !known {
		p.Options = append(p.Options, regionChoice{Code: value, Name: taxonomy.RegionNameOf(value, "zh-CN"), Selected: true})
	}
	return p
}

func init() {
	funcs["regionSelect"] = regionSelect
}

// applicationChoices are the caller's applications to tie a consultation
// to, by enterprise name and state (newest first, at most 200); chosen is
// kept as an option even when it is not among them.
func (s *ui) applicationChoices(c *gin.Context, chosen string) []codeName {
	cl, ok := web.CallerOf(c)
	if !ok || s.Deps.Review == nil {
		return nil
	}
	tr := s.tr(c)
	vs, _, err := s.Deps.Review.List(c.Request.Context(), cl.User, review.Filter{Limit: 200})
	if err != nil {
		return nil
	}
	var out []codeName
	found := chosen == ""
	for _, v := range vs {
		out = append(out, codeName{v.ID, v.Enterprise.Name + " · " + tr.T("app.state."+v.State)})
		found = found || v.ID == chosen
	}
	if !found {
		name := tr.T("consult.application.other")
		if v, err := s.Deps.Review.Get(c.Request.Context(), cl.User, chosen); err == nil {
			name = v.Enterprise.Name
		}
		out = append(out, codeName{chosen, name})
	}
	return out
}
