package ui

import (
	"cmp"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/enterprises"
	"kedaitong/web"
)

// entListMax bounds the enterprises one list reads.
const entListMax = 2000

// pageEnterprisesList is the data hub's enterprise list: the domain's
// filters (name or code, region, industry, flag), then the list
// component's sort, pages and export; regions and routes named.
func (s *ui) pageEnterprisesList(c *gin.Context) {
	cl := web.MustCaller(c)
	lang := web.PickLang(c)
	ctx := c.Request.Context()
	f := enterprises.Filter{Q: c.Query("q"), Region: c.Query("region"), Route: c.Query("route"), Flag: c.Query("flag"), Limit: 500}
	items, truncated, err := readUpTo(entListMax, func(cur string) ([]enterprises.Summary, string, error) {
		f.Cursor = cur
		return s.Deps.Enterprises.List(ctx, cl.User, f)
	})
	d := gin.H{"F": f, "Industries": industryOptions(lang), "Flags": enterprises.Flags, "Regions": regionOptions(lang)}
	if err != nil {
		if !kedaitong.Is(err, kedaitong.EInvalid) {
			s.renderErr(c, err)
			return
		}
		d["Error"] = web.ErrText(c, err)
	}
	tr := web.NewTr(s.bundle, lang)
	page := Page{Lang: lang}
	spec := listSpec[enterprises.Summary]{ID: "ent", Sheet: "ent.list.title", Sort: "name", Searched: true, Max: entListMax, Cols: []col[enterprises.Summary]{
		textCol("name", "ent.name", func(x enterprises.Summary) string { return nameOr(x.Name, x.CreditCode) }),
		textCol("code", "ent.credit_code", func(x enterprises.Summary) string { return x.CreditCode }),
		textCol("region", "ent.region", func(x enterprises.Summary) string { return regionText(lang, x.Region) }),
		textCol("route", "ent.route", func(x enterprises.Summary) string {
			if x.Route == "" {
				return "—"
			}
			return page.Field(x.Route)
		}),
		{Key: "flags", Label: "ent.flags", Text: func(x enterprises.Summary) string {
			out := make([]string, len(x.Flags))
			for i, fl := range x.Flags {
				out[i] = tr.T("ent.flag." + fl)
			}
			return strings.Join(out, "、")
		}, Cmp: func(a, b enterprises.Summary) int { return cmp.Compare(len(a.Flags), len(b.Flags)) }},
	}}
	rows, list, done := listRows(s, c, spec, items, truncated)
	if done {
		return
	}
	d["Items"], d["List"] = rows, list
	s.render(c, 200, "enterprises_list", "ent.list.title", d)
}

// roadshowList reads the roadshows under the chain filter and hands them
// to the list component.
func (s *ui) roadshowList(c *gin.Context, d gin.H) bool {
	lang := web.PickLang(c)
	ctx := c.Request.Context()
	f := enterprises.RoadshowFilter{Chain: c.Query("chain"), Limit: 500}
	items, truncated, err := readAll(func(cur string) ([]enterprises.Roadshow, string, error) {
		f.Cursor = cur
		return s.Deps.Enterprises.Roadshows(ctx, web.MustCaller(c).User, f)
	})
	if err != nil {
		d["Error"] = web.ErrText(c, err)
	}
	page := Page{Lang: lang}
	spec := listSpec[enterprises.Roadshow]{ID: "rs", Sheet: "ent.roadshows.title", Sort: "date", Desc: true, Cols: []col[enterprises.Roadshow]{
		textCol("date", "ent.date", func(x enterprises.Roadshow) string { return x.Date }),
		textCol("title", "ent.rs.title", func(x enterprises.Roadshow) string { return x.Title }),
		textCol("chain", "ent.chain", func(x enterprises.Roadshow) string { return page.Field(x.Chain) }),
		textCol("region", "ent.region", func(x enterprises.Roadshow) string { return regionText(lang, x.Region) }),
		intCol("projects", "ent.rs.projects", func(x enterprises.Roadshow) int64 { return int64(len(x.Projects)) }),
		intCol("seats", "ent.rs.seats", func(x enterprises.Roadshow) int64 { return int64(len(x.Attendees)) }),
		textCol("venue", "ent.rs.venue", func(x enterprises.Roadshow) string { return nameOr(x.Venue, "") }),
	}, Search: func(x enterprises.Roadshow) string { return x.CreatedByName }}
	rows, list, done := listRows(s, c, spec, items, truncated)
	d["Items"], d["List"] = rows, list
	return done
}

// dockRow is a docking request as its list shows it.
type dockRow struct {
	enterprises.Docking
	When, RegionName string
}

// dockingList reads the docking requests under the state filter and
// hands them to the list component.
func (s *ui) dockingList(c *gin.Context) (rows []dockRow, list *List, done bool, err error) {
	lang := web.PickLang(c)
	ctx := c.Request.Context()
	f := enterprises.DockingFilter{State: c.Query("state"), Limit: 500}
	items, truncated, err := readAll(func(cur string) ([]enterprises.Docking, string, error) {
		f.Cursor = cur
		return s.Deps.Enterprises.DockingList(ctx, web.MustCaller(c).User, f)
	})
	all := make([]dockRow, len(items))
	for i, d := range items {
		all[i] = dockRow{Docking: d, When: fmtBeijing(d.CreatedAt, "2006-01-02 15:04"), RegionName: regionText(lang, d.Region)}
	}
	tr := web.NewTr(s.bundle, lang)
	spec := listSpec[dockRow]{ID: "dk", Sheet: "ent.docking.title", Sort: "time", Desc: true, Cols: []col[dockRow]{
		textCol("enterprise", "ent.name", func(x dockRow) string { return x.EnterpriseName }),
		textCol("kind", "ent.dock.kind", func(x dockRow) string { return tr.T("ent.kind." + x.Kind) }),
		textCol("state", "notify.col.state", func(x dockRow) string { return tr.T("ent.dock." + x.State) }),
		textCol("owner", "lists.owner", func(x dockRow) string { return x.OwnerName }),
		textCol("by", "lists.by", func(x dockRow) string { return x.ByName }),
		textCol("region", "ent.region", func(x dockRow) string { return x.RegionName }),
		timeCol("time", "lists.created", func(x dockRow) time.Time { return x.CreatedAt }),
		{Key: "note", Label: "ent.note", Fixed: true, Text: func(x dockRow) string { return x.Note }},
	}, Search: func(x dockRow) string { return x.CreditCode }}
	rows, list, done = listRows(s, c, spec, all, truncated)
	return rows, list, done, err
}
