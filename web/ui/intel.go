package ui

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/intel"
	"kedaitong/intel/classify"
	"kedaitong/taxonomy"
	"kedaitong/web"
)

// registerIntelPages registers the analysts' pages: the sources with their
// health (add, import, refresh, enable/disable) and the item stream.
func (s *ui) registerIntelPages(e *gin.Engine) {
	s.page(e, web.UIRoute{Method: "GET", Path: "/intel/sources", Obj: "source", Act: "read"}, s.pageSources)
	s.page(e, web.UIRoute{Method: "POST", Path: "/intel/sources", Obj: "source", Act: "create"}, s.pageCreateSource)
	s.page(e, web.UIRoute{Method: "POST", Path: "/intel/sources/import", Obj: "source", Act: "import"}, s.pageImportSources)
	s.page(e, web.UIRoute{Method: "POST", Path: "/intel/sources/:id/refresh", Obj: "source", Act: "refresh"}, s.pageRefreshSource)
	s.page(e, web.UIRoute{Method: "POST", Path: "/intel/sources/:id/enabled", Obj: "source", Act: "update"}, s.pageToggleSource)
	s.page(e, web.UIRoute{Method: "GET", Path: "/intel/items", Obj: "item", Act: "read"}, s.pageItems)
}

// sourcesPage is the data of intel_sources.html.
type sourcesPage struct {
	Sources []intel.Source
	List    *List
	Error   string
	Notice  string
	Import  *intel.ImportResult
	Outcome *intel.Outcome
	Form    intel.NewSource
	Tags    string
}

func (s *ui) renderSources(c *gin.Context, status int, p sourcesPage) {
	ctx, u := c.Request.Context(), web.MustCaller(c).User
	srcs, truncated, err := readAll(func(cur string) ([]intel.Source, string, error) {
		return s.Deps.Intel.Sources(ctx, u, 500, cur)
	})
	if err != nil {
		s.renderError(c, web.StatusOf(err), "error.title")
		return
	}
	tr := web.NewTr(s.bundle, web.PickLang(c))
	lastFetch := func(x intel.Source) time.Time {
		if x.Health.LastFetch == nil {
			return time.Time{}
		}
		return *x.Health.LastFetch
	}
	nextDue := func(x intel.Source) time.Time {
		if x.Health.NextDue == nil {
			return time.Time{}
		}
		return *x.Health.NextDue
	}
	health := func(x intel.Source) string {
		switch {
		case !x.Enabled:
			return tr.T("intel.source.disabled")
		case x.Health.LastStatus != "":
			return tr.T("intel.status." + x.Health.LastStatus)
		}
		return tr.T("intel.status.never")
	}
	spec := listSpec[intel.Source]{ID: "sources", Sheet: "intel.sources.title", Sort: "title", Cols: []col[intel.Source]{
		textCol("title", "intel.source.title", func(x intel.Source) string { return x.Title }),
		textCol("language", "intel.source.language", func(x intel.Source) string {
			if x.Language == "" {
				return "—"
			}
			return tr.T("intel.lang." + x.Language)
		}),
		intCol("interval", "intel.source.interval", func(x intel.Source) int64 { return int64(x.IntervalMinutes) }),
		textCol("health", "intel.source.health", health),
		timeCol("last", "sources.col.last", lastFetch),
		timeCol("due", "sources.col.due", nextDue),
		intCol("items", "intel.source.items", func(x intel.Source) int64 { return x.Health.Items }),
		{Label: "users.actions", Fixed: true, Skip: true},
		{Key: "url", Label: "intel.source.url", Fixed: true, Text: func(x intel.Source) string { return x.URL }},
	}, Search: func(x intel.Source) string { return strings.Join(x.Tags, " ") + " " + x.Health.LastError }}
	page, list, done := listRows(s, c, spec, srcs, truncated)
	if done {
		return
	}
	list.Heads = list.Heads[:len(list.Heads)-1] // the address is exported, shown under the title
	p.Sources, p.List = page, list
	s.render(c, status, "intel_sources", "intel.sources.title", p)
}

func (s *ui) pageSources(c *gin.Context) {
	p := sourcesPage{}
	if c.Query("added") != "" {
		p.Notice = "intel.sources.added"
	}
	s.renderSources(c, http.StatusOK, p)
}

func (s *ui) pageCreateSource(c *gin.Context) {
	in := intel.NewSource{URL: c.PostForm("url"), Title: c.PostForm("title"), Language: c.PostForm("language")}
	p := sourcesPage{Form: in, Tags: c.PostForm("tags")}
	if v := strings.TrimSpace(c.PostForm("interval_minutes")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			p.Error = web.ErrText(c, kedaitong.Invalid("interval_minutes", "must be a whole number of minutes").ZHf("抓取间隔必须是整数分钟"))
			s.renderSources(c, http.StatusBadRequest, p)
			return
		}
		in.IntervalMinutes = &n
	}
	for _, t := range strings.Split(p.Tags, ",") {
		if t = strings.TrimSpace(t); t != "" {
			in.Tags = append(in.Tags, t)
		}
	}
	if _, err := s.Deps.Intel.CreateSource(c.Request.Context(), web.MustCaller(c).User, in); err != nil {
		p.Error = web.ErrText(c, err)
		s.renderSources(c, web.StatusOf(err), p)
		return
	}
	c.Redirect(http.StatusSeeOther, "/intel/sources?added=1")
}

func (s *ui) pageImportSources(c *gin.Context) {
	p := sourcesPage{}
	fh, err := c.FormFile("file")
	if err != nil {
		p.Error = web.ErrText(c, kedaitong.Invalid("file", "choose an OPML file").ZHf("请选择一个 OPML 文件"))
		s.renderSources(c, http.StatusBadRequest, p)
		return
	}
	f, err := fh.Open()
	if err != nil {
		p.Error = web.ErrText(c, kedaitong.Invalid("file", "the file cannot be read").ZHf("无法读取该文件"))
		s.renderSources(c, http.StatusBadRequest, p)
		return
	}
	defer f.Close()
	body, err := io.ReadAll(io.LimitReader(f, intel.MaxOPMLBytes+1))
	if err == nil {
		var res intel.ImportResult
		res, err = s.Deps.Intel.ImportOPML(c.Request.Context(), web.MustCaller(c).User, body)
		p.Import = &res
	}
	if err != nil {
		p.Import = nil
		p.Error = web.ErrText(c, err)
		s.renderSources(c, web.StatusOf(err), p)
		return
	}
	s.renderSources(c, http.StatusOK, p)
}

func (s *ui) pageRefreshSource(c *gin.Context) {
	p := sourcesPage{}
	out, err := s.Deps.Intel.Refresh(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	if err != nil {
		p.Error = web.ErrText(c, err)
		s.renderSources(c, web.StatusOf(err), p)
		return
	}
	p.Outcome = &out
	s.renderSources(c, http.StatusOK, p)
}

func (s *ui) pageToggleSource(c *gin.Context) {
	on := c.PostForm("enabled") == "true"
	if _, err := s.Deps.Intel.UpdateSource(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), intel.SourcePatch{Enabled: &on}); err != nil {
		s.renderSources(c, web.StatusOf(err), sourcesPage{Error: web.ErrText(c, err)})
		return
	}
	c.Redirect(http.StatusSeeOther, "/intel/sources")
}

// itemsMax bounds the news items one list reads (newest first).
const itemsMax = 1000

// itemsPage is the data of intel_items.html.
type itemsPage struct {
	Items      []intel.Item
	List       *List
	Error      string
	Filter     intel.ItemFilter
	Since      string
	Industries []taxonomy.Industry
	Dimensions []string
	Polarities []string
	Sources    []intel.Source
	Names      map[string]string // industry, source and enterprise codes → display names
}

func (s *ui) pageItems(c *gin.Context) {
	ctx := c.Request.Context()
	u := web.MustCaller(c).User
	tax := taxonomy.Default()
	p := itemsPage{Industries: tax.Industries, Dimensions: classify.Dimensions, Polarities: intel.Polarities,
		Names: map[string]string{}, Since: c.Query("since")}
	en := web.PickLang(c) == "en"
	for _, ind := range tax.Industries {
		p.Names[ind.Code] = ind.Name.ZH
		if en {
			p.Names[ind.Code] = ind.Name.EN
		}
	}
	if s.Deps.RBAC.RoleAllowed(u.Role, "source", "read") {
		if srcs, _, err := s.Deps.Intel.Sources(ctx, u, 500, ""); err == nil {
			p.Sources = srcs
			for _, src := range srcs {
				p.Names[src.ID] = src.Title
			}
		}
	}
	f, err := web.ItemFilter(c)
	p.Filter = f
	status := http.StatusOK
	var all []intel.Item
	truncated := false
	if err == nil {
		f.Limit = 500
		all, truncated, err = readUpTo(itemsMax, func(cur string) ([]intel.Item, string, error) {
			f.Cursor = cur
			return s.Deps.Intel.Items(ctx, u, f)
		})
	}
	if err != nil {
		p.Error = web.ErrText(c, err)
		status = web.StatusOf(err)
	} else if s.Deps.Riskmap != nil {
		// The enterprises items name (already scoped to the caller's
		// book) are shown by name.
		if book, berr := s.Deps.Riskmap.Book(ctx); berr == nil {
			for _, it := range all {
				for _, code := range it.Enterprises {
					if n := book.EnterpriseName(code); n != "" {
						p.Names[code] = n
					}
				}
			}
		}
	}
	tr := web.NewTr(s.bundle, web.PickLang(c))
	names := func(codes []string, name func(string) string) string {
		out := make([]string, len(codes))
		for i, c := range codes {
			out[i] = name(c)
		}
		return strings.Join(out, "、")
	}
	known := func(code string) string { return nameOr(p.Names[code], code) }
	spec := listSpec[intel.Item]{ID: "items", Sheet: "intel.items.title", Sort: "published", Desc: true, Searched: true, Max: itemsMax, Cols: []col[intel.Item]{
		timeCol("published", "intel.col.published", func(it intel.Item) time.Time { return it.Published }),
		textCol("title", "intel.col.title", func(it intel.Item) string { return it.Title }),
		textCol("source", "intel.filter.source", func(it intel.Item) string { return nameOr(p.Names[it.SourceID], "") }),
		textCol("polarity", "intel.filter.polarity", func(it intel.Item) string { return tr.T("intel.pol." + it.Polarity) }),
		{Key: "industries", Label: "intel.filter.industry", Fixed: true, Text: func(it intel.Item) string { return names(it.Industries, known) }},
		{Key: "dimensions", Label: "intel.filter.dimension", Fixed: true, Text: func(it intel.Item) string {
			return names(it.Dimensions, func(d string) string { return tr.T("intel.dim." + d) })
		}},
		{Key: "enterprises", Label: "intel.filter.enterprise", Fixed: true, Text: func(it intel.Item) string { return names(it.Enterprises, known) }},
		{Key: "summary", Label: "intel.col.summary", Fixed: true, Text: func(it intel.Item) string { return it.Summary }},
		{Key: "link", Label: "intel.col.link", Fixed: true, Text: func(it intel.Item) string { return it.Link }},
	}}
	page, list, done := listRows(s, c, spec, all, truncated)
	if done {
		return
	}
	p.Items, p.List = page, list
	s.render(c, status, "intel_items", "intel.items.title", p)
}
