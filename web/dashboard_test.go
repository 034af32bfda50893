package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"kedaitong/dashboard"
	"kedaitong/review"
)

func init() {
	allowedRoles["GET /api/v1/dashboard"] = []string{"official", "admin"}
	allowedRoles["GET /api/v1/dashboard/export"] = []string{"official", "admin"}
}

// dashFixture makes four applications of bank gzb: in Ganzhou a start-up
// reviewed (10 days) and granted, a mature firm reviewed (20 days) and not
// granted, a mature draft in another county; in Nanchang a submitted
// start-up. The Ganzhou start-up is whitelisted.
func dashFixture(t *testing.T, e *env) (officer string) {
	t.Helper()
	ctx := context.Background()
	officer = e.login("officer")
	start := time.Now().UTC().AddDate(0, 0, -40)
	clock := start
	e.app.Review.SetClock(func() time.Time { return clock })
	t.Cleanup(func() { e.app.Review.SetClock(func() time.Time { return time.Now().UTC() }) })
	mk := func(region string, serial int, founded string) string {
		b := appBody(region, serial)
		b["enterprise"].(map[string]any)["founded"] = founded
		return e.createApp(t, officer, b)["id"].(string)
	}
	young := start.AddDate(-1, 0, 0).Format(review.DateLayout)
	old := "2012-05-01"
	a := mk("360702", 1, young)
	b := mk("360702", 2, old)
	mk("360781", 3, old)
	d := mk("360102", 4, young)
	for _, id := range []string{a, b, d} {
		if r := e.do("POST", "/api/v1/applications/"+id+"/submit", "", as(officer)...); r.status != 200 {
			t.Fatalf("submit = %d %s", r.status, r.body)
		}
	}
	for i, id := range []string{a, b} {
		if _, err := e.app.Review.MarkInReview(ctx, id); err != nil {
			t.Fatal(err)
		}
		clock = start.AddDate(0, 0, 10*(i+1)).Add(time.Hour)
		if _, err := e.app.Review.Close(ctx, id, "report-"+id); err != nil {
			t.Fatal(err)
		}
	}
	clock = start.AddDate(0, 0, 30)
	if r := e.do("POST", "/api/v1/applications/"+a+"/decision", `{"granted":true,"amount":2000000}`, as(officer, appCT...)...); r.status != 200 {
		t.Fatalf("decision = %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/applications/"+b+"/decision", `{"granted":false}`, as(officer, appCT...)...); r.status != 200 {
		t.Fatalf("decision = %d %s", r.status, r.body)
	}
	code := review.DemoCreditCode("360702", 1)
	if r := e.do("POST", "/api/v1/enterprises/"+code+"/whitelist", `{"reason":"亏损但技术领先"}`, as(e.login("cityofficial"), appCT...)...); r.status != 200 && r.status != 201 {
		t.Fatalf("whitelist = %d %s", r.status, r.body)
	}
	return officer
}

func num(m map[string]any, path ...string) float64 {
	var cur any = m
	for _, p := range path {
		mm, _ := cur.(map[string]any)
		cur = mm[p]
	}
	f, _ := cur.(float64)
	return f
}

func byCode(t *testing.T, m map[string]any, list string) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	for _, x := range m["applications"].(map[string]any)[list].([]any) {
		c := x.(map[string]any)
		out[c["code"].(string)] = c["count"].(float64)
	}
	return out
}

func TestDashboardCityOfficial(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	dashFixture(t, e)
	city := e.login("cityofficial")
	r := e.do("GET", "/api/v1/dashboard", "", as(city)...)
	if r.status != 200 {
		t.Fatalf("dashboard = %d %s", r.status, r.body)
	}
	v := r.json(t)
	if v["region"] != "3607" || num(v, "applications", "total") != 3 {
		t.Fatalf("city dashboard region %v total %v, want 3607 and 3 (Nanchang's not counted)", v["region"], num(v, "applications", "total"))
	}
	st := byCode(t, v, "by_state")
	if st["closed"] != 2 || st["draft"] != 1 || st["submitted"] != 0 {
		t.Errorf("by state = %v", st)
	}
	if ind := byCode(t, v, "by_industry"); ind["semiconductors"] != 3 {
		t.Errorf("by industry = %v", ind)
	}
	if age := byCode(t, v, "by_age_group"); age["startup"] != 1 || age["mature"] != 2 {
		t.Errorf("by age = %v", age)
	}
	if got := num(v, "startups_among_reviewed", "share"); got != 0.5 {
		t.Errorf("start-ups among reviewed = %v, want 0.5", got)
	}
	if got := num(v, "startups_among_supported", "share"); got != 1 {
		t.Errorf("start-ups among supported = %v, want 1", got)
	}
	if got := num(v, "reports", "median_days"); got != 15 {
		t.Errorf("median days = %v, want 15 (10 and 20)", got)
	}
	if num(v, "whitelisted") != 1 || num(v, "loans", "granted") != 1 || num(v, "loans", "granted_amount") != 2000000 {
		t.Errorf("whitelisted %v granted %v amount %v", num(v, "whitelisted"), num(v, "loans", "granted"), num(v, "loans", "granted_amount"))
	}
	kids := v["children"].([]any)
	if len(kids) != 2 || kids[0].(map[string]any)["region"] != "360702" || kids[0].(map[string]any)["applications"].(float64) != 2 {
		t.Errorf("children = %v", kids)
	}
	if v["parent"] != nil {
		t.Errorf("a city official sees no parent link: %v", v["parent"])
	}
	// drill-down into a county, and never out of the city
	r = e.do("GET", "/api/v1/dashboard?region=360702", "", as(city)...)
	if r.status != 200 || num(r.json(t), "applications", "total") != 2 || r.json(t)["parent"] != "3607" {
		t.Fatalf("county drill-down = %d %s", r.status, r.body)
	}
	for _, reg := range []string{"36", "3601", "360102"} {
		r = e.do("GET", "/api/v1/dashboard?region="+reg, "", as(city)...)
		if r.status != http.StatusNotFound || r.errorCode(t) != "not_found" {
			t.Errorf("region %s for a city official = %d %s, want 404", reg, r.status, r.body)
		}
	}
	for _, reg := range []string{"99", "3612", "360700", "abc"} {
		r = e.do("GET", "/api/v1/dashboard?region="+reg, "", as(city)...)
		if r.status != http.StatusBadRequest || r.errorCode(t) != "invalid_input" {
			t.Errorf("region %q = %d %s, want 400", reg, r.status, r.body)
		}
	}
	// the province sees both cities
	r = e.do("GET", "/api/v1/dashboard", "", as(e.login("official"))...)
	v = r.json(t)
	if num(v, "applications", "total") != 4 || len(v["children"].([]any)) != 2 {
		t.Fatalf("province = %s", r.body)
	}
	if got := num(v, "startups_among_reviewed", "share"); got != 0.5 {
		t.Errorf("province start-ups among reviewed = %v", got)
	}
	// counters kept on write equal a rebuild from the documents
	before := e.do("GET", "/api/v1/dashboard?region=3607", "", as(city)...).body
	d, err := dashboard.Open(context.Background(), e.app.Store, e.app.Review, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	rebuilt, err := d.Get(context.Background(), e.users["cityofficial"], "3607")
	if err != nil {
		t.Fatal(err)
	}
	if after, _ := json.Marshal(rebuilt); !bytes.Equal(before, after) {
		t.Errorf("counters on write differ from a rebuild:\n%s\n%s", before, after)
	}
}

func TestDashboardForbidden(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	for _, u := range []string{"officer", "manager", "expert", "analyst"} {
		sec := e.login(u)
		for _, p := range []string{"/api/v1/dashboard", "/api/v1/dashboard/export"} {
			if r := e.do("GET", p, "", as(sec)...); r.status != http.StatusForbidden || r.errorCode(t) != "forbidden" {
				t.Errorf("%s %s = %d %s, want 403", u, p, r.status, r.body)
			}
		}
		if r := e.do("GET", "/dashboard", "", as(sec)...); r.status != http.StatusForbidden {
			t.Errorf("%s page = %d, want 403", u, r.status)
		}
	}
	if r := e.do("GET", "/api/v1/dashboard", ""); r.status != http.StatusUnauthorized {
		t.Errorf("anonymous = %d, want 401", r.status)
	}
}

func TestDashboardExport(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	dashFixture(t, e)
	city := e.login("cityofficial")
	for _, tc := range []struct{ lang, summary, drill, apps, startups string }{
		{"en", "Summary", "Drill-down", "Applications", "Start-ups among reviewed"},
		{"zh-CN", "概览", "下级区划", "申请总数", "初创企业占已评审比例"},
	} {
		r := e.do("GET", "/api/v1/dashboard/export?lang="+tc.lang, "", as(city)...)
		if r.status != 200 {
			t.Fatalf("export = %d %s", r.status, r.body)
		}
		x, err := excelize.OpenReader(bytes.NewReader(r.body))
		if err != nil {
			t.Fatalf("the export does not open: %v", err)
		}
		rows, err := x.GetRows(tc.summary)
		if err != nil {
			t.Fatalf("%s: no sheet %q: %v (sheets %v)", tc.lang, tc.summary, err, x.GetSheetList())
		}
		got := map[string]string{}
		for _, row := range rows {
			if len(row) >= 2 {
				got[row[0]] = row[1]
			}
		}
		if got[tc.apps] != "3" || got[tc.startups] != "50.00%" {
			t.Errorf("%s summary = %v", tc.lang, got)
		}
		drill, err := x.GetRows(tc.drill)
		if err != nil || len(drill) != 3 || drill[1][0] != "360702" || drill[1][2] != "2" || drill[2][0] != "360781" {
			t.Errorf("%s drill-down = %v %v", tc.lang, drill, err)
		}
		x.Close()
	}
	if r := e.do("GET", "/api/v1/dashboard/export?region=3601", "", as(city)...); r.status != http.StatusNotFound {
		t.Errorf("export of another city = %d", r.status)
	}
}
