package web_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"testing"
	"time"

	"kedaitong/app"
	"kedaitong/identity"
	"kedaitong/internal/config"
	"kedaitong/internal/store/storetest"
)

func init() {
	allowedRoles["GET /api/v1/dashboard/list"] = []string{"official", "admin"}
}

// newDemoEnv is a server on a fresh store seeded with the demo data, as
// `kedaitong serve --demo` seeds it.
func newDemoEnv(t *testing.T) *env {
	t.Helper()
	st := storetest.New(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.New(context.Background(), st, config.Config{Demo: true, ShutdownGrace: time.Second}, logger, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(a.Server.Handler())
	t.Cleanup(ts.Close)
	return &env{t: t, app: a, srv: a.Server, ts: ts, ids: a.Identity, log: a.Audit, enf: a.RBAC, users: map[string]identity.User{}}
}

// demoLogin logs a demo user in (the demo password).
func (e *env) demoLogin(username string) string {
	e.t.Helper()
	r := e.do("POST", "/api/v1/auth/login", `{"username":"`+username+`","password":"`+identity.DemoPassword+`"}`, "Content-Type", "application/json")
	if r.status != 200 {
		e.t.Fatalf("login %s: %d %s", username, r.status, r.body)
	}
	tok, _ := r.json(e.t)["token"].(string)
	return tok
}

// listTotal counts a contract list by following its cursors.
func listTotal(t *testing.T, e *env, sec, path string) int {
	t.Helper()
	n, cur := 0, ""
	for range 100 {
		u, _ := url.Parse(path)
		q := u.Query()
		q.Set("limit", "500")
		if cur != "" {
			q.Set("cursor", cur)
		}
		u.RawQuery = q.Encode()
		r := e.do("GET", u.String(), "", as(sec)...)
		if r.status != 200 {
			t.Fatalf("GET %s = %d %s", u, r.status, r.body)
		}
		var l struct {
			Items      []json.RawMessage `json:"items"`
			NextCursor string            `json:"next_cursor"`
		}
		if err := json.Unmarshal(r.body, &l); err != nil {
			t.Fatal(err)
		}
		n += len(l.Items)
		if l.NextCursor == "" {
			return n
		}
		cur = l.NextCursor
	}
	t.Fatalf("%s: too many pages", path)
	return 0
}

var dashNumRE = regexp.MustCompile(`<a href="([^"]+)" class="dash-num" data-count="(-?\d+)">`)
var dlTotalRE = regexp.MustCompile(`id="dl-total" data-total="(\d+)"`)

// TestDashboardNumbersMatchTheirLists: on the demo data, as every official
// and the administrator, every number of the dashboard page is a link to
// a list that shows the same count; the API's numbers equal the counts of
// the platform's own lists (applications by state, loans, claims) and of
// the drill-down lists; and the whole dashboard stays in the caller's
// region.
func TestDashboardNumbersMatchTheirLists(t *testing.T) {
	e := newDemoEnv(t)
	now := time.Now().In(time.FixedZone("CST", 8*3600))
	to := now.Format("2006-01")
	from := time.Date(now.Year(), now.Month()-59, 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
	for _, who := range []struct{ user, region string }{
		{"official.jiangxi", "36"}, {"official.ganzhou", "3607"}, {"official.fuzhou", "3610"}, {"official.lianhua", "360321"}, {"admin", "36"},
	} {
		t.Run(who.user, func(t *testing.T) {
			sec := e.demoLogin(who.user)
			r := e.do("GET", "/api/v1/dashboard?from="+from+"&to="+to, "", as(sec)...)
			if r.status != 200 {
				t.Fatalf("dashboard = %d %s", r.status, r.body)
			}
			v := r.json(t)
			if v["region"] != who.region {
				t.Fatalf("region %v, want %s", v["region"], who.region)
			}
			total := func(of string, kv ...string) int {
				q := url.Values{"of": {of}}
				for i := 0; i+1 < len(kv); i += 2 {
					q.Set(kv[i], kv[i+1])
				}
				rr := e.do("GET", "/api/v1/dashboard/list?"+q.Encode(), "", as(sec)...)
				if rr.status != 200 {
					t.Fatalf("list %v = %d %s", q, rr.status, rr.body)
				}
				n := listTotal(t, e, sec, "/api/v1/dashboard/list?"+q.Encode())
				if got := int(num(rr.json(t), "total")); got != n {
					t.Errorf("list %v: total %d but %d items", q, got, n)
				}
				return n
			}
			check := func(what string, got float64, want int) {
				t.Helper()
				if int(got) != want {
					t.Errorf("%s: dashboard %v, list %d", what, got, want)
				}
			}
			// the platform's own lists
			check("applications", num(v, "applications", "total"), listTotal(t, e, sec, "/api/v1/applications"))
			for st, n := range byCode(t, v, "by_state") {
				check("applications "+st, n, listTotal(t, e, sec, "/api/v1/applications?state="+st))
				check("drill "+st, n, total("applications", "state", st))
			}
			for ind, n := range byCode(t, v, "by_industry") {
				check("industry "+ind, n, listTotal(t, e, sec, "/api/v1/applications?industry="+ind))
			}
			fund := v["fund"].(map[string]any)
			check("loans", fund["loans"].(float64), listTotal(t, e, sec, "/api/v1/loans"))
			check("claims", fund["claims"].(float64), listTotal(t, e, sec, "/api/v1/claims"))
			check("drill loans", fund["loans"].(float64), total("loans"))
			check("drill claims", fund["claims"].(float64), total("claims"))
			// the trends add up to the loans and claims of the range
			var loans, claims float64
			for _, m := range v["trends"].(map[string]any)["months"].([]any) {
				row := m.(map[string]any)
				loans += row["loans"].(float64)
				claims += row["claims"].(float64)
				check("applications in "+row["month"].(string), row["applications"].(float64), total("applications", "month", row["month"].(string)))
				check("loans in "+row["month"].(string), row["loans"].(float64), total("loans", "month", row["month"].(string)))
			}
			check("loans over the months", loans, total("loans"))
			// the median and the ratios link to the lists behind them
			check("reports", num(v, "reports", "count"), total("applications", "flag", "reviewed"))
			rl := e.do("GET", "/api/v1/dashboard/list?of=applications&flag=reviewed", "", as(sec)...).json(t)
			if got, want := rl["median_days"], v["reports"].(map[string]any)["median_days"]; got != want {
				t.Errorf("median days: list %v, dashboard %v", got, want)
			}
			if who.user == "official.jiangxi" && (num(v, "reports", "count") == 0 || v["reports"].(map[string]any)["median_days"] == nil) {
				t.Errorf("the demo has no reports with days in the province: %v", v["reports"])
			}
			check("reviews on time", num(v, "experts", "reviews_on_time", "part"), total("seats", "flag", "on_time"))
			check("reviews submitted", num(v, "experts", "reviews_on_time", "whole"), total("seats", "flag", "submitted"))
			check("claims over the months", claims, total("claims"))
			if who.user == "official.lianhua" && fund["loans"].(float64) == 0 {
				t.Errorf("Lianhua's dashboard shows none of the demo loans: %v", fund)
			}
			// the page: every number links to a list showing it
			page := e.do("GET", "/dashboard?from="+from+"&to="+to, "", as(sec)...)
			if page.status != 200 {
				t.Fatalf("page = %d", page.status)
			}
			for _, id := range []string{"sum-median_days", "sum-on_time_reviews", "sum-startups_reviewed", "sum-on_time", "sum-acceptance"} {
				if !regexp.MustCompile(`id="` + id + `"><td>[^<]*</td><td class="num"><a href="[^"]+" class="dash-num"`).Match(page.body) {
					t.Errorf("%s is not a link to its list", id)
				}
			}
			links := dashNumRE.FindAllStringSubmatch(string(page.body), -1)
			if len(links) < 30 {
				t.Fatalf("only %d linked numbers on the page", len(links))
			}
			seen := map[string]bool{}
			for _, m := range links {
				href := html.UnescapeString(m[1])
				if seen[href+m[2]] {
					continue
				}
				seen[href+m[2]] = true
				want, _ := strconv.Atoi(m[2])
				lp := e.do("GET", href, "", as(sec)...)
				if lp.status != 200 {
					t.Errorf("%s = %d", href, lp.status)
					continue
				}
				got := dlTotalRE.FindStringSubmatch(string(lp.body))
				if got == nil {
					t.Errorf("%s shows no total", href)
					continue
				}
				if want >= 0 && got[1] != m[2] {
					t.Errorf("%s shows %s, the dashboard %s", href, got[1], m[2])
				}
			}
		})
	}
}

// TestDashboardListAccess: the drill-down lists refuse bad filters and
// regions outside the caller's, and other roles.
func TestDashboardListAccess(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	city := e.login("cityofficial")
	for _, q := range []string{"of=nope", "month=2026-13", "of=loans&industry=semiconductors", "of=claims&flag=granted", "state=paid", "age=old", "region=99"} {
		if r := e.do("GET", "/api/v1/dashboard/list?"+q, "", as(city)...); r.status != http.StatusBadRequest || r.errorCode(t) != "invalid_input" {
			t.Errorf("%s = %d %s, want 400", q, r.status, r.body)
		}
	}
	for _, q := range []string{"region=3601", "region=36", "of=loans&region=360102"} {
		if r := e.do("GET", "/api/v1/dashboard/list?"+q, "", as(city)...); r.status != http.StatusNotFound {
			t.Errorf("%s = %d, want 404", q, r.status)
		}
		if r := e.do("GET", "/dashboard/list?"+q, "", as(city)...); r.status != http.StatusNotFound {
			t.Errorf("page %s = %d, want 404", q, r.status)
		}
	}
	if r := e.do("GET", "/dashboard/list?month=bad", "", as(city)...); r.status != http.StatusBadRequest {
		t.Errorf("page with a bad month = %d, want 400", r.status)
	}
	for _, u := range []string{"officer", "expert", "analyst", "investor"} {
		sec := e.login(u)
		if r := e.do("GET", "/api/v1/dashboard/list", "", as(sec)...); r.status != http.StatusForbidden {
			t.Errorf("%s = %d, want 403", u, r.status)
		}
		if r := e.do("GET", "/dashboard/list", "", as(sec)...); r.status != http.StatusForbidden {
			t.Errorf("%s page = %d, want 403", u, r.status)
		}
	}
	for _, q := range []string{"from=2026-13", "from=2026-05&to=2026-01", "from=2010-01&to=2026-01"} {
		if r := e.do("GET", "/api/v1/dashboard?"+q, "", as(city)...); r.status != http.StatusBadRequest {
			t.Errorf("dashboard %s = %d, want 400", q, r.status)
		}
	}
}

// TestDashboardETag: the dashboard answers with an ETag, 304 when it is
// unchanged, and a new one after a write.
func TestDashboardETag(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	city := e.login("cityofficial")
	r := e.do("GET", "/api/v1/dashboard", "", as(city)...)
	tag := r.header.Get("ETag")
	if r.status != 200 || tag == "" || r.header.Get("Cache-Control") == "" {
		t.Fatalf("dashboard = %d, ETag %q, Cache-Control %q", r.status, tag, r.header.Get("Cache-Control"))
	}
	if r := e.do("GET", "/api/v1/dashboard", "", as(city, "If-None-Match", tag)...); r.status != http.StatusNotModified {
		t.Fatalf("unchanged = %d, want 304", r.status)
	}
	dashFixture(t, e) // writes in Ganzhou
	r = e.do("GET", "/api/v1/dashboard", "", as(city, "If-None-Match", tag)...)
	if r.status != 200 || r.header.Get("ETag") == tag || num(r.json(t), "applications", "total") != 3 {
		t.Fatalf("after writes = %d, ETag %q (was %q): %s", r.status, r.header.Get("ETag"), tag, r.body)
	}
}
