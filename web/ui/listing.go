package ui

// The one list component every list page uses: search (?q=), sort by a
// named column (?sort=&dir=asc|desc, from clickable column headers), pages
// with the total count (?page=&size=) and an XLSX export of exactly the
// filtered, sorted rows (?export=xlsx). A page reads the rows its caller
// may see (readAll, a bounded number), describes its columns once and
// renders the page of rows it gets back; the templates draw the toolbar,
// the header row and the pager with the partials "list-tools",
// "list-head" and "list-pager" of layout.html. Bad parameters are clamped,
// never an error.

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"kedaitong/identity"
	"kedaitong/taxonomy"
	"kedaitong/web"
)

// listMaxRows bounds the rows one list reads; beyond it the page says that
// only the first rows are listed and asks for a narrower filter.
const listMaxRows = 5000

// listSizes are the page sizes offered; anything else is clamped to one.
var listSizes = []int{10, 25, 50, 100, 200}

// col is one column of a list: its sort key, its header (a message id)
// and how a row reads in it.
type col[T any] struct {
	Key   string           // the value of ?sort=
	Label string           // message id of the header (and of the export's header)
	Text  func(T) string   // the text shown: searched, sorted by (unless Cmp) and exported (unless Value)
	Value func(T) any      // the export's cell when not Text (numbers stay numbers: money in 元)
	Cmp   func(a, b T) int // the order when not by Text
	Num   bool             // a number: right-aligned
	Fixed bool             // not sortable (the header is no link)
	Skip  bool             // not exported (an action column)
}

// textCol is a column of text, sorted as text in the page's language.
func textCol[T any](key, label string, text func(T) string) col[T] {
	return col[T]{Key: key, Label: label, Text: text}
}

// intCol is a column of whole numbers, sorted and exported as numbers.
func intCol[T any](key, label string, n func(T) int64) col[T] {
	return col[T]{Key: key, Label: label, Num: true,
		Text:  func(r T) string { return strconv.FormatInt(n(r), 10) },
		Value: func(r T) any { return n(r) },
		Cmp:   func(a, b T) int { return cmp.Compare(n(a), n(b)) }}
}

// moneyCol is an amount in yuan: shown in 万元 (searched and exported in
// 万元 as a number, the header says so; pages show 元 beside).
func moneyCol[T any](key, label string, n func(T) int64) col[T] {
	c := intCol(key, label, n)
	c.Text = func(r T) string { return wanText(n(r)) }
	c.Value = func(r T) any { return float64(n(r)) / 10000 }
	return c
}

// timeCol is a moment shown and exported in Beijing time, sorted by time.
func timeCol[T any](key, label string, t func(T) time.Time) col[T] {
	return col[T]{Key: key, Label: label,
		Text: func(r T) string { return fmtBeijing(t(r), "2006-01-02 15:04") },
		Cmp:  func(a, b T) int { return t(a).Compare(t(b)) }}
}

// listSpec describes one list page.
type listSpec[T any] struct {
	ID       string   // prefix of the elements' ids, e.g. "users"
	Sheet    string   // message id of the export's sheet and file name
	Cols     []col[T] // in the order shown
	Sort     string   // the default sort key
	Desc     bool     // the default direction
	Size     int      // the default page size (25 when 0)
	NoSearch bool     // the page has no search (the toolbar shows no box)
	// Searched: the page's service searched the rows by ?q= already (a
	// domain search over more rows than a list reads); the toolbar's box
	// is the page's one search box and the rows are not filtered again.
	Searched bool
	// Search adds text a row is found by beside its columns (ids, codes).
	Search func(T) string
	// Max is the bound the rows were read with (listMaxRows when 0).
	Max int
}

func (s listSpec[T]) max() int {
	if s.Max > 0 {
		return s.Max
	}
	return listMaxRows
}

// List is what the list partials draw: the toolbar, the header row and
// the pager. Links keep every other parameter of the query.
type List struct {
	T         *web.Tr
	ID, Path  string
	Q         string
	Search    bool
	Sort, Dir string
	Page      int
	Pages     int
	Size      int
	Total     int
	From, To  int // the rows shown, 1-based; 0 when none
	Truncated bool
	Max       int
	Heads     []listHead
	Prev      string
	Next      string
	Links     []listPageLink
	SizeLinks []listPageLink
	Export    string
	Keep      []listKV // the other parameters, for the search form
}

type listHead struct {
	Label, Link, Sort string // Sort: "", "ascending" or "descending" (aria-sort)
	Key               string
	Num, Fixed        bool
}

type listPageLink struct {
	N       int
	Link    string
	Current bool
	Gap     bool // an ellipsis
}

type listKV struct{ K, V string }

// listParams are the list's query parameters, clamped.
type listParams struct {
	q, sort, dir string
	page, size   int
	export       bool
}

func parseListParams[T any](q url.Values, spec listSpec[T]) listParams {
	p := listParams{q: strings.TrimSpace(q.Get("q")), sort: q.Get("sort"), dir: q.Get("dir"), export: q.Get("export") == "xlsx"}
	if len([]rune(p.q)) > 200 {
		p.q = string([]rune(p.q)[:200])
	}
	known := false
	for _, c := range spec.Cols {
		if c.Key == p.sort && !c.Fixed && c.Key != "" {
			known = true
		}
	}
	if !known {
		p.sort, p.dir = spec.Sort, ""
	}
	if p.dir != "asc" && p.dir != "desc" {
		p.dir = "asc"
		if p.sort == spec.Sort && spec.Desc {
			p.dir = "desc"
		}
	}
	def := spec.Size
	if def == 0 {
		def = 25
	}
	p.size = def
	if n, err := strconv.Atoi(q.Get("size")); err == nil {
		p.size = listSizes[len(listSizes)-1]
		for _, s := range listSizes {
			if n <= s {
				p.size = s
				break
			}
		}
	}
	p.page = 1
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 {
		p.page = n
	} else if errors.Is(err, strconv.ErrRange) && !strings.HasPrefix(q.Get("page"), "-") {
		p.page = math.MaxInt // past the last page: the last page
	}
	return p
}

// listRows filters, sorts and pages rows for the request, or, for
// ?export=xlsx, writes every filtered row as a workbook (done is then
// true and the handler returns). truncated says rows were cut at
// listMaxRows when they were read.
func listRows[T any](s *ui, c *gin.Context, spec listSpec[T], rows []T, truncated bool) (page []T, l *List, done bool) {
	lang := web.PickLang(c)
	tr := web.NewTr(s.bundle, lang)
	query := c.Request.URL.Query()
	p := parseListParams(query, spec)
	if spec.NoSearch {
		p.q = ""
	}

	// search: every word must appear in a column or the extra text
	if p.q != "" && !spec.Searched {
		words := strings.Fields(strings.ToLower(p.q))
		kept := rows[:0:0]
		for _, r := range rows {
			var b strings.Builder
			for _, cl := range spec.Cols {
				if cl.Text != nil {
					b.WriteString(strings.ToLower(cl.Text(r)))
					b.WriteByte('\n')
				}
			}
			if spec.Search != nil {
				b.WriteString(strings.ToLower(spec.Search(r)))
			}
			hay := b.String()
			ok := true
			for _, w := range words {
				if !strings.Contains(hay, w) {
					ok = false
					break
				}
			}
			if ok {
				kept = append(kept, r)
			}
		}
		rows = kept
	} else {
		rows = slices.Clone(rows)
	}

	// sort: stable, by the column's order or by its text in the
	// language's collation (each row's key computed once)
	for _, cl := range spec.Cols {
		if cl.Key != p.sort || p.sort == "" {
			continue
		}
		desc := p.dir == "desc"
		if cl.Cmp != nil {
			slices.SortStableFunc(rows, func(a, b T) int {
				if desc {
					return cl.Cmp(b, a)
				}
				return cl.Cmp(a, b)
			})
			break
		}
		tag := language.Chinese
		if lang == "en" {
			tag = language.English
		}
		coll := collate.New(tag, collate.Loose, collate.Numeric)
		var buf collate.Buffer
		type keyed struct {
			key []byte
			row T
		}
		ks := make([]keyed, len(rows))
		for i, r := range rows {
			ks[i] = keyed{key: bytes.Clone(coll.KeyFromString(&buf, cl.Text(r))), row: r}
			buf.Reset()
		}
		slices.SortStableFunc(ks, func(a, b keyed) int {
			if desc {
				return bytes.Compare(b.key, a.key)
			}
			return bytes.Compare(a.key, b.key)
		})
		for i := range ks {
			rows[i] = ks[i].row
		}
		break
	}

	if p.export {
		writeListXLSX(c, tr, spec, rows)
		return nil, nil, true
	}

	total := len(rows)
	pages := max(1, (total+p.size-1)/p.size)
	p.page = min(p.page, pages)
	from := (p.page - 1) * p.size
	to := min(total, from+p.size)
	page = rows[from:to]

	path := c.Request.URL.Path
	link := func(set map[string]string, drop ...string) string {
		v := url.Values{}
		for k, vs := range query {
			v[k] = vs
		}
		for _, d := range append(drop, "export", "cursor", "lang") {
			v.Del(d)
		}
		for k, x := range set {
			if x == "" {
				v.Del(k)
			} else {
				v.Set(k, x)
			}
		}
		if e := v.Encode(); e != "" {
			return path + "?" + e
		}
		return path
	}
	l = &List{T: tr, ID: spec.ID, Path: path, Q: p.q, Search: !spec.NoSearch, Sort: p.sort, Dir: p.dir, Page: p.page, Pages: pages,
		Size: p.size, Total: total, Truncated: truncated, Max: spec.max()}
	if total > 0 {
		l.From, l.To = from+1, to
	}
	for _, cl := range spec.Cols {
		h := listHead{Label: tr.T(cl.Label), Key: cl.Key, Num: cl.Num, Fixed: cl.Fixed || cl.Key == ""}
		if !h.Fixed {
			dir := "asc"
			if cl.Key == p.sort {
				h.Sort = "ascending"
				if p.dir == "desc" {
					h.Sort = "descending"
				} else {
					dir = "desc"
				}
			}
			h.Link = link(map[string]string{"sort": cl.Key, "dir": dir}, "page")
		}
		l.Heads = append(l.Heads, h)
	}
	pageLink := func(n int) string {
		if n == 1 {
			return link(nil, "page")
		}
		return link(map[string]string{"page": strconv.Itoa(n)})
	}
	if p.page > 1 {
		l.Prev = pageLink(p.page - 1)
	}
	if p.page < pages {
		l.Next = pageLink(p.page + 1)
	}
	if pages > 1 {
		last := 0
		for n := 1; n <= pages; n++ {
			if n == 1 || n == pages || (n >= p.page-2 && n <= p.page+2) {
				if last != 0 && n > last+1 {
					l.Links = append(l.Links, listPageLink{Gap: true})
				}
				l.Links = append(l.Links, listPageLink{N: n, Link: pageLink(n), Current: n == p.page})
				last = n
			}
		}
	}
	for _, n := range listSizes {
		l.SizeLinks = append(l.SizeLinks, listPageLink{N: n, Link: link(map[string]string{"size": strconv.Itoa(n)}, "page"), Current: n == p.size})
	}
	l.Export = link(map[string]string{"export": "xlsx"}, "page", "size")
	for k, vs := range query {
		switch k {
		case "q", "page", "export", "cursor", "lang":
			continue
		}
		for _, v := range vs {
			l.Keep = append(l.Keep, listKV{k, v})
		}
	}
	slices.SortFunc(l.Keep, func(a, b listKV) int { return cmp.Compare(a.K, b.K) })
	return page, l, false
}

// writeListXLSX answers the rows as a workbook: the headers in the page's
// language, numbers as numbers (money in 元), times in Beijing time.
func writeListXLSX[T any](c *gin.Context, tr *web.Tr, spec listSpec[T], rows []T) {
	x := excelize.NewFile()
	defer x.Close()
	name := tr.T(spec.Sheet)
	sheet := sheetName(name)
	x.SetSheetName("Sheet1", sheet)
	sw, err := x.NewStreamWriter(sheet)
	if err != nil {
		c.String(http.StatusInternalServerError, "internal error")
		return
	}
	var head []any
	var cols []col[T]
	for _, cl := range spec.Cols {
		if cl.Skip || cl.Text == nil {
			continue
		}
		cols = append(cols, cl)
		head = append(head, tr.T(cl.Label))
	}
	_ = sw.SetRow("A1", head)
	for i, r := range rows {
		cells := make([]any, len(cols))
		for j, cl := range cols {
			if cl.Value != nil {
				cells[j] = cl.Value(r)
			} else {
				cells[j] = cl.Text(r)
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		_ = sw.SetRow(cell, cells)
	}
	if err := sw.Flush(); err != nil {
		c.String(http.StatusInternalServerError, "internal error")
		return
	}
	file := fmt.Sprintf("%s-%s.xlsx", name, time.Now().In(web.BeijingTime()).Format("20060102-1504"))
	c.Header("Content-Disposition", "attachment; filename=\"export.xlsx\"; filename*=UTF-8''"+url.PathEscape(file))
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	c.Header("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	_ = x.Write(c.Writer)
}

// sheetName makes a valid worksheet name (at most 31 characters, none of
// the characters a sheet name may not hold).
func sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	if strings.TrimSpace(s) == "" {
		s = "Sheet1"
	}
	return s
}

// readAll reads a list through its cursor pages, up to listMaxRows rows;
// truncated says more were left.
func readAll[T any](fetch func(cursor string) ([]T, string, error)) (rows []T, truncated bool, err error) {
	return readUpTo(listMaxRows, fetch)
}

// readUpTo is readAll with a smaller bound, for lists of heavy rows.
func readUpTo[T any](most int, fetch func(cursor string) ([]T, string, error)) (rows []T, truncated bool, err error) {
	cur := ""
	for {
		got, next, err := fetch(cur)
		if err != nil {
			return rows, false, err
		}
		rows = append(rows, got...)
		if len(rows) >= most {
			return rows[:most], next != "" || len(rows) > most, nil
		}
		if next == "" || next == cur || len(got) == 0 {
			return rows, false, nil
		}
		cur = next
	}
}

// regionText names a region code in the page's language (province, city,
// or a county under its city); empty is a dash.
func regionText(lang, code string) string {
	if code == "" {
		return "—"
	}
	return taxonomy.RegionNameOf(code, lang) // a county by name under its city: 赣州市章贡区
}

// fileSize reads a size in bytes as B, KB or MB.
func fileSize(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1024*1024:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/1024), ".0") + " KB"
	default:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/(1024*1024)), ".0") + " MB"
	}
}

// nameOr is name, or the fallback when there is none.
func nameOr(name, fallback string) string {
	if name != "" {
		return name
	}
	if fallback == "" {
		return "—"
	}
	return fallback
}

// bankNames maps the bank ids the caller may see to the banks' names.
func (s *ui) bankNames(c *gin.Context, actor identity.User) map[string]string {
	out := map[string]string{}
	if s.Deps.Banks == nil {
		return out
	}
	bs, _ := s.Deps.Banks.List(c.Request.Context(), actor)
	for _, b := range bs {
		out[b.ID] = b.Name
	}
	return out
}

// option is one choice of a select or a datalist: a code and its name.
type codeName struct{ Code, Name string }

// bankOptions are the banks the caller may pick, by name.
func (s *ui) bankOptions(c *gin.Context, actor identity.User) []codeName {
	var out []codeName
	if s.Deps.Banks == nil {
		return out
	}
	bs, _ := s.Deps.Banks.List(c.Request.Context(), actor)
	for _, b := range bs {
		out = append(out, codeName{b.ID, b.Name})
	}
	return out
}

// regionOptions are the province, its cities and their counties, by
// name (the choices of a region input).
func regionOptions(lang string) []codeName {
	out := []codeName{{taxonomy.ProvinceCode, regionText(lang, taxonomy.ProvinceCode)}}
	for _, c := range taxonomy.Cities() {
		out = append(out, codeName{c.Code, regionText(lang, c.Code)})
		for _, r := range taxonomy.Counties(c.Code) {
			out = append(out, codeName{r.Code, regionText(lang, r.Code)})
		}
	}
	return out
}

// objText names a kind of object (an audit entry's, a policy rule's) in
// the page's language; an unknown kind stays as it is.
func objText(tr *web.Tr, kind string) string {
	if kind == "" {
		return ""
	}
	if s := tr.T("obj." + kind); s != "obj."+kind {
		return s
	}
	return kind
}

// The list pages' template helpers beside ui.go's: region names and file
// sizes.
func init() {
	funcs["region"] = regionText // {{region .Lang "3607"}}: 赣州市
	funcs["filesize"] = fileSize // {{filesize 1536}}: 1.5 KB
}

// actionText names an audited action ("application.submit") in the page's
// language: its kind of object and its verb ("贷款申请 · 提交"); a part
// without a name stays as it is.
func actionText(tr *web.Tr, action string) string {
	obj, act, ok := strings.Cut(action, ".")
	if !ok {
		if s := tr.T("act." + action); s != "act."+action {
			return s
		}
		return action
	}
	verb := act
	if s := tr.T("act." + act); s != "act."+act {
		verb = s
	}
	return objText(tr, obj) + " · " + verb
}
