package web_test

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"kedaitong/banks"
	"kedaitong/identity"
)

var (
	userRowRE   = regexp.MustCompile(`<tr data-username="([^"]+)"`)
	listCountRE = regexp.MustCompile(`data-total="(\d+)"`)
)

// listEnv is a server with the demo roles and 30 more bank officers
// (list-00 … list-29), so that the users list has pages.
func listEnv(t *testing.T) (*env, string) {
	t.Helper()
	e := newEnv(t)
	e.seedUsers()
	for _, b := range []banks.Input{{ID: "gzb", Name: "赣州银行股份有限公司", Region: "3607"}, {ID: "ncb", Name: "南昌银行股份有限公司", Region: "3601"}} {
		if _, _, err := e.app.Banks.Save(context.Background(), nil, b); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 30 {
		bank := "gzb"
		if i%3 == 0 {
			bank = "ncb"
		}
		if _, err := e.ids.CreateUser(context.Background(), nil, identity.NewUser{Username: fmt.Sprintf("list-%02d", i), Password: testPW, Role: "bank_officer", BankID: bank}); err != nil {
			t.Fatal(err)
		}
	}
	return e, e.login("admin")
}

func usernames(body []byte) []string {
	var out []string
	for _, m := range userRowRE.FindAllSubmatch(body, -1) {
		out = append(out, string(m[1]))
	}
	return out
}

func pageTotal(t *testing.T, body []byte) string {
	t.Helper()
	m := listCountRE.FindSubmatch(body)
	if m == nil {
		t.Fatalf("no list count on the page")
	}
	return string(m[1])
}

// TestListSearchSortPage drives the list component through the users page:
// the default order and page size, both directions of a column, search by
// words (all must match), pages with the total, and bad parameters
// clamped to a working page instead of an error.
func TestListSearchSortPage(t *testing.T) {
	e, admin := listEnv(t)
	get := func(q string) resp {
		t.Helper()
		r := e.do("GET", "/admin/users"+q, "", as(admin, "Accept-Language", "zh-CN")...)
		if r.status != 200 {
			t.Fatalf("GET /admin/users%s = %d", q, r.status)
		}
		return r
	}
	const all = 40 // 10 seeded + 30
	r := get("")
	if got := pageTotal(t, r.body); got != fmt.Sprint(all) {
		t.Errorf("total = %s, want %d", got, all)
	}
	names := usernames(r.body)
	if len(names) != 25 || names[0] != "admin" {
		t.Fatalf("default page: %d rows starting %v, want 25 from admin", len(names), names[:min(3, len(names))])
	}
	if !strings.Contains(string(r.body), "共 40 条，当前显示第 1–25 条") {
		t.Errorf("the count does not read 共 40 条，当前显示第 1–25 条")
	}
	if !strings.Contains(string(r.body), `aria-sort="ascending"`) {
		t.Errorf("the sorted column is not marked ascending")
	}

	asc := usernames(get("?sort=username&dir=asc&size=50").body)
	desc := usernames(get("?sort=username&dir=desc&size=50").body)
	if len(asc) != all || len(desc) != all {
		t.Fatalf("size=50 shows %d / %d rows, want %d", len(asc), len(desc), all)
	}
	for i := range asc {
		if asc[i] != desc[len(desc)-1-i] {
			t.Fatalf("descending is not ascending reversed at %d: %s vs %s", i, asc[i], desc[len(desc)-1-i])
		}
	}
	if desc[0] != "official" {
		t.Errorf("descending by name starts with %s, want official", desc[0])
	}
	// a header link toggles the direction and keeps the other parameters
	body := string(get("?sort=username&dir=asc&q=list").body)
	if !strings.Contains(body, `href="/admin/users?dir=desc&amp;q=list&amp;sort=username"`) {
		t.Errorf("the active header does not link to the descending order with the search kept")
	}

	// search: every word must match; the role is searched by its shown name
	if got := usernames(get("?q=list-1").body); len(got) != 10 {
		t.Errorf("q=list-1 finds %d, want 10 (list-10 … list-19)", len(got))
	}
	if got := usernames(get("?q=LIST-2+list-29").body); len(got) != 1 || got[0] != "list-29" {
		t.Errorf("two words find %v, want [list-29]", got)
	}
	if got := pageTotal(t, get("?q=银行信贷员").body); got != "32" {
		t.Errorf("q=银行信贷员 (the role's name) finds %s, want 32", got)
	}
	r = get("?q=nothing-like-this")
	if pageTotal(t, r.body) != "0" || !strings.Contains(string(r.body), "没有符合条件的记录") {
		t.Errorf("a search finding nothing does not say so")
	}

	// pages: the last page holds the rest; the pager names the pages
	p2 := usernames(get("?size=25&page=2").body)
	if len(p2) != all-25 {
		t.Errorf("page 2 holds %d, want %d", len(p2), all-25)
	}
	p1 := usernames(get("?size=10").body)
	if len(p1) != 10 {
		t.Errorf("size=10 holds %d", len(p1))
	}
	r = get("?size=10&page=2")
	if !strings.Contains(string(r.body), `rel="prev"`) || !strings.Contains(string(r.body), `rel="next"`) {
		t.Errorf("page 2 of 4 lacks a previous or a next link")
	}
	if !strings.Contains(string(r.body), "当前显示第 11–20 条") {
		t.Errorf("page 2 does not show rows 11–20")
	}

	// bad parameters are clamped, never an error
	for q, want := range map[string]int{
		"?page=999":                      25 - 10, // the last page (of 2): 15 rows
		"?page=-3":                       25,
		"?page=abc&size=xyz":             25,
		"?size=0":                        10,
		"?size=100000":                   all,
		"?sort=password_hash":            25,
		"?sort=username&dir=up":          25,
		"?q=" + strings.Repeat("很", 500): 0,
		"?page=99999999999999999999":     15,
	} {
		if got := usernames(get(q).body); len(got) != want {
			t.Errorf("%s shows %d rows, want %d", q[:min(len(q), 40)], len(got), want)
		}
	}
}

// TestListExport: the export holds exactly the filtered rows in the chosen
// order, with the headers in the page's language and times in Beijing
// time; a caller who may not open the list may not export it either.
func TestListExport(t *testing.T) {
	e, admin := listEnv(t)
	sheetRows := func(lang, q string) [][]string {
		t.Helper()
		r := e.do("GET", "/admin/users?export=xlsx"+q, "", as(admin, "Cookie", "kedai_session="+admin+"; kedai_lang="+lang)...)
		if r.status != 200 {
			t.Fatalf("export = %d", r.status)
		}
		if ct := r.header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
			t.Fatalf("export content type %q", ct)
		}
		if cd := r.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, ".xlsx") {
			t.Errorf("export disposition %q", cd)
		}
		x, err := excelize.OpenReader(bytes.NewReader(r.body))
		if err != nil {
			t.Fatalf("the export is no workbook: %v", err)
		}
		defer x.Close()
		rows, err := x.GetRows(x.GetSheetName(0))
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	zh := sheetRows("zh-CN", "&q=list-1&sort=username&dir=desc&page=3&size=10")
	if len(zh) != 11 {
		t.Fatalf("the export holds %d lines, want the header and the 10 found (not one page)", len(zh))
	}
	if strings.Join(zh[0], "|") != "用户名|角色|所属机构|地区|状态|创建时间（北京时间）" {
		t.Errorf("zh headers %q", zh[0])
	}
	if zh[1][0] != "list-19" || zh[10][0] != "list-10" {
		t.Errorf("the export is not in the chosen order: %s … %s", zh[1][0], zh[10][0])
	}
	if zh[1][1] != "银行信贷员" || zh[1][2] != "赣州银行股份有限公司" && zh[1][2] != "南昌银行股份有限公司" {
		t.Errorf("the role and the bank are not named: %q", zh[1])
	}
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d$`).MatchString(zh[1][5]) {
		t.Errorf("the creation time %q is not a Beijing time", zh[1][5])
	}
	en := sheetRows("en", "")
	if len(en) != 41 || en[0][0] != "Username" || en[0][5] != "Created (Beijing time)" {
		t.Errorf("en export: %d lines, headers %q", len(en), en[0])
	}
	officer := e.login("officer")
	if r := e.do("GET", "/admin/users?export=xlsx", "", as(officer)...); r.status != 403 {
		t.Errorf("an officer exports the users: %d", r.status)
	}
	if r := e.do("GET", "/admin/users?export=xlsx", ""); !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.body), `id="login-form"`) {
		t.Errorf("an anonymous export is not sent to log in (%d %s)", r.status, r.header.Get("Content-Type"))
	}
}

// TestEveryListSortsPagesAndExports opens each list page of the demo as a
// user who may read it: every sortable column sorts both ways without an
// error, bad parameters are clamped, and the export holds exactly the
// rows the page counts, with a header line. A user who may not read the
// list gets 403 for the page and for its export.
func TestEveryListSortsPagesAndExports(t *testing.T) {
	if testing.Short() {
		t.Skip("every list of the demo")
	}
	e := newIntelEnv(t, "", true) // the demo store
	sortKeyRE := regexp.MustCompile(`data-sort="([a-z_]+)"`)
	login := func(user string) string {
		if user == "admin" { // seedUsers gave the demo's admin the test password
			return e.login(user)
		}
		return e.demoLogin(user)
	}
	for _, tc := range []struct{ path, user, forbidden string }{
		{"/admin/users", "admin", "gzbank.officer"},
		{"/experts", "official.jiangxi", "analyst.wu"},
		{"/committees", "official.jiangxi", "gzbank.officer"},
		{"/applications", "gzbank.officer", "analyst.wu"},
		{"/consultations", "gzbank.officer", "analyst.wu"},
		{"/notifications", "expert.li", ""},
		{"/alerts", "gzbank.manager", "admin"},
		{"/intel/items", "analyst.wu", "expert.li"},
		{"/intel/sources", "analyst.wu", "gzbank.officer"},
		{"/rereviews", "gzbank.officer", "analyst.wu"},
		{"/audit", "admin", "gzbank.officer"},
		{"/assignments", "official.jiangxi", "gzbank.officer"},
		{"/enterprises", "gzbank.officer", "analyst.wu"},
		{"/roadshows", "investor.demo", ""},
		{"/docking", "official.jiangxi", "analyst.wu"},
	} {
		t.Run(strings.TrimPrefix(tc.path, "/"), func(t *testing.T) {
			sec := login(tc.user)
			r := e.do("GET", tc.path, "", as(sec)...)
			if r.status != 200 {
				t.Fatalf("GET %s as %s = %d", tc.path, tc.user, r.status)
			}
			total := pageTotal(t, r.body)
			keys := sortKeyRE.FindAllSubmatch(r.body, -1)
			if len(keys) < 2 {
				t.Errorf("%s has %d sortable columns", tc.path, len(keys))
			}
			for _, k := range keys {
				for _, dir := range []string{"asc", "desc"} {
					q := "?sort=" + string(k[1]) + "&dir=" + dir + "&size=10"
					if r := e.do("GET", tc.path+q, "", as(sec)...); r.status != 200 || pageTotal(t, r.body) != total {
						t.Errorf("%s%s = %d, total %s (want %s)", tc.path, q, r.status, pageTotal(t, r.body), total)
					}
				}
			}
			if r := e.do("GET", tc.path+"?page=-1&size=-5&sort=%00&dir=%22", "", as(sec)...); r.status != 200 {
				t.Errorf("bad parameters = %d", r.status)
			}
			r = e.do("GET", tc.path+"?export=xlsx", "", as(sec)...)
			if r.status != 200 || r.header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
				t.Fatalf("export = %d %s", r.status, r.header.Get("Content-Type"))
			}
			x, err := excelize.OpenReader(bytes.NewReader(r.body))
			if err != nil {
				t.Fatal(err)
			}
			rows, _ := x.GetRows(x.GetSheetName(0))
			x.Close()
			if len(rows) == 0 || fmt.Sprint(len(rows)-1) != total {
				t.Errorf("the export holds %d lines for %s rows", len(rows), total)
			}
			if tc.forbidden != "" {
				other := login(tc.forbidden)
				for _, p := range []string{tc.path, tc.path + "?export=xlsx"} {
					if r := e.do("GET", p, "", as(other)...); r.status != 403 {
						t.Errorf("%s opens %s: %d", tc.forbidden, p, r.status)
					}
				}
			}
		})
	}
}
