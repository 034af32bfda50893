// Package ui is the server-rendered web interface (html/template, zh-CN
// first with English): one file per area registers its pages, each page
// reading a form or query, calling a domain service and rendering a
// template or redirecting. Templates and the stylesheet are embedded. It
// imports the web core and the domain packages, never web/api or app.
package ui

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/nicksnyder/go-i18n/v2/i18n"

	"kedaitong/identity"
	"kedaitong/taxonomy"
	"kedaitong/web"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// funcs are the templates' helpers: times always in Beijing time.
var funcs = template.FuncMap{
	"bjt":    func(t time.Time) string { return fmtBeijing(t, "2006-01-02 15:04") },
	"bjtsec": func(t time.Time) string { return fmtBeijing(t, "2006-01-02 15:04:05") },
	"bjdate": func(t time.Time) string { return fmtBeijing(t, "2006-01-02") },
	"wan":    wanText, // yuan shown in 万元
	"yuan":   yuan,    // yuan with thousands separators
}

// fmtBeijing formats t in Beijing time; the zero time is a dash.
func fmtBeijing(t time.Time, layout string) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(web.BeijingTime()).Format(layout)
}

// ui holds the parsed pages: each page is the base layout plus its own file.
type ui struct {
	*web.Server
	bundle *i18n.Bundle
	pages  map[string]*template.Template
}

func newUI(srv *web.Server) (*ui, error) {
	b, err := web.NewBundle()
	if err != nil {
		return nil, err
	}
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("web: layout: %w", err)
	}
	// Partials (templates/*_partial.html) are shared by every page.
	if base, err = base.ParseFS(templateFS, "templates/*_partial.html"); err != nil {
		return nil, fmt.Errorf("web: partials: %w", err)
	}
	u := &ui{Server: srv, bundle: b, pages: map[string]*template.Template{}}
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(f, "templates/"), ".html")
		if name == "layout" || strings.HasSuffix(name, "_partial") {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, f)
		if err != nil {
			return nil, fmt.Errorf("web: page %s: %w", name, err)
		}
		u.pages[name] = t
	}
	return u, nil
}

// Page is what every page template receives.
type Page struct {
	T         *web.Tr
	Lang      string // "zh-CN" or "en"
	OtherLang string // the language the switch offers
	Path      string // the current path, for the language switch
	Title     string
	User      *identity.User // the logged-in user, nil when none
	CSRF      string         // the session's form token
	Data      any
	Unread    int64 // the user's unread notifications
	authz     web.Authorizer
	hub       func(applicationID string) *hubPanel // the data hub's part of an application's pages (HubFor)
}

// Field names an industry or technical-route code in the page's language
// (the code itself when the taxonomy does not know it).
func (p Page) Field(code string) string {
	tax := taxonomy.Default()
	var name taxonomy.Text
	if r, ok := tax.Route(code); ok {
		ind, _ := tax.Industry(tax.IndustryOf(code))
		if p.Lang == "en" {
			return ind.Name.EN + " · " + r.Name.EN
		}
		return ind.Name.ZH + " · " + r.Name.ZH
	} else if ind, ok := tax.Industry(code); ok {
		name = ind.Name
	} else {
		return code
	}
	if p.Lang == "en" {
		return name.EN
	}
	return name.ZH
}

// Can reports whether the page's user may do act on obj (to show links).
func (p Page) Can(obj, act string) bool {
	return p.User != nil && p.authz != nil && p.authz.RoleAllowed(p.User.Role, obj, act)
}

// render writes a page with the status.
func (s *ui) render(c *gin.Context, status int, name, titleID string, data any) {
	lang := web.PickLang(c)
	tr := web.NewTr(s.bundle, lang)
	other := "en"
	if lang == "en" {
		other = "zh-CN"
	}
	p := Page{T: tr, Lang: lang, OtherLang: other, Path: c.Request.URL.Path, Title: tr.T(titleID), Data: data, authz: s.Deps.RBAC,
		hub: func(id string) *hubPanel { return s.hubPanelOf(c, id) }}
	if cl, ok := web.CallerOf(c); ok {
		u := cl.User
		p.User, p.CSRF = &u, cl.CSRF
		if s.Deps.Notify != nil {
			p.Unread, _ = s.Deps.Notify.Unread(c.Request.Context(), u.ID)
		}
	}
	t, ok := s.pages[name]
	if !ok {
		c.String(http.StatusInternalServerError, "no page %s", name)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		s.Deps.Logger.Error("render", "page", name, "err", err)
		c.String(http.StatusInternalServerError, "internal error")
		return
	}
	c.Header("Content-Language", lang)
	c.Header("Vary", "Accept-Language, Cookie")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// Register parses the pages and adds every page route to the server (a
// web.Part); paths that match nothing get the not-found page.
func Register(srv *web.Server) error {
	s, err := newUI(srv)
	if err != nil {
		return err
	}
	srv.NotFoundPage = s.renderNotFound
	s.registerUI(srv.Engine())
	return nil
}

func (s *ui) registerUI(e *gin.Engine) {
	sub, _ := fs.Sub(staticFS, "static")
	e.StaticFS("/static", http.FS(sub))
	s.page(e, web.UIRoute{Method: "GET", Path: "/", Public: true}, s.pageHome)
	s.registerAuthPages(e)
	s.registerAdminPages(e)
	if s.Deps.Experts != nil {
		s.registerExpertsPages(e)
	}
	if s.Deps.Intel != nil {
		s.registerIntelPages(e)
		if s.Deps.Corrections != nil {
			s.registerCorrectionsPages(e)
		}
	}
	if s.Deps.Review != nil {
		s.registerApplicationsPages(e)
	}
	if s.Deps.Panel != nil {
		s.registerAssignmentsPages(e)
	}
	if s.Deps.Riskmap != nil {
		s.registerRiskmapPages(e)
	}
	if s.Deps.Dashboard != nil {
		s.registerDashboardPages(e)
	}
	if s.Deps.Consult != nil {
		s.registerConsultPages(e)
	}
	if s.Deps.Scoring != nil && s.Deps.Panel != nil && s.Deps.Review != nil {
		s.registerScoringPages(e)
	}
	if s.Deps.Rereview != nil {
		s.registerRereviewPages(e)
	}
	if s.Deps.Fund != nil {
		s.registerFundPages(e)
	}
	if s.Deps.Enterprises != nil {
		s.registerEnterprisesPages(e)
	}
}

func (s *ui) renderNotFound(c *gin.Context) {
	s.render(c, http.StatusNotFound, "notfound", "error.notfound.title", nil)
}
