package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/nicksnyder/go-i18n/v2/i18n"

	"kedaitong/identity"
	"kedaitong/taxonomy"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// ui holds the parsed pages: each page is the base layout plus its own file.
type ui struct {
	bundle *i18n.Bundle
	pages  map[string]*template.Template
}

func newUI() (*ui, error) {
	b, err := newBundle()
	if err != nil {
		return nil, err
	}
	base, err := template.New("layout.html").Funcs(template.FuncMap{}).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("web: layout: %w", err)
	}
	u := &ui{bundle: b, pages: map[string]*template.Template{}}
	files, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(f, "templates/"), ".html")
		if name == "layout" {
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
	T         *Tr
	Lang      string // "zh-CN" or "en"
	OtherLang string // the language the switch offers
	Path      string // the current path, for the language switch
	Title     string
	User      *identity.User // the logged-in user, nil when none
	CSRF      string         // the session's form token
	Data      any
	Unread    int64 // the user's unread notifications
	authz     Authorizer
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
func (s *Server) render(c *gin.Context, status int, name, titleID string, data any) {
	lang := pickLang(c)
	tr := &Tr{Lang: lang, loc: i18n.NewLocalizer(s.ui.bundle, lang)}
	other := "en"
	if lang == "en" {
		other = "zh-CN"
	}
	p := Page{T: tr, Lang: lang, OtherLang: other, Path: c.Request.URL.Path, Title: tr.T(titleID), Data: data, authz: s.deps.RBAC}
	if cl, ok := caller(c); ok {
		u := cl.User
		p.User, p.CSRF = &u, cl.CSRF
		if s.deps.Notify != nil {
			p.Unread, _ = s.deps.Notify.Unread(c.Request.Context(), u.ID)
		}
	}
	t, ok := s.ui.pages[name]
	if !ok {
		c.String(http.StatusInternalServerError, "no page %s", name)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		s.deps.Logger.Error("render", "page", name, "err", err)
		c.String(http.StatusInternalServerError, "internal error")
		return
	}
	c.Header("Content-Language", lang)
	c.Header("Vary", "Accept-Language, Cookie")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

func (s *Server) registerUI(e *gin.Engine) {
	sub, _ := fs.Sub(staticFS, "static")
	e.StaticFS("/static", http.FS(sub))
	s.page(e, uiRoute{Method: "GET", Path: "/", Public: true}, func(c *gin.Context) { s.render(c, http.StatusOK, "home", "app.name", nil) })
	s.registerAuthPages(e)
	if s.deps.Experts != nil {
		s.registerExpertsPages(e)
	}
	if s.deps.Intel != nil {
		s.registerIntelPages(e)
	}
	if s.deps.Review != nil {
		s.registerApplicationsPages(e)
	}
	if s.deps.Panel != nil {
		s.registerAssignmentsPages(e)
	}
	if s.deps.Riskmap != nil {
		s.registerRiskmapPages(e)
	}
	if s.deps.Dashboard != nil {
		s.registerDashboardPages(e)
	}
	if s.deps.Consult != nil {
		s.registerConsultPages(e)
	}
	if s.deps.Scoring != nil && s.deps.Panel != nil && s.deps.Review != nil {
		s.registerScoringPages(e)
	}
	if s.deps.Rereview != nil {
		s.registerRereviewPages(e)
	}
}

func (s *Server) renderNotFound(c *gin.Context) {
	s.render(c, http.StatusNotFound, "notfound", "error.notfound.title", nil)
}
