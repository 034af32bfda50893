package web_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// demoApp finds a demo bank's application by its enterprise's name.
func demoApp(t *testing.T, e *env, sec, name string) map[string]any {
	t.Helper()
	r := e.do("GET", "/api/v1/applications?limit=500", "", as(sec)...)
	if r.status != 200 {
		t.Fatalf("applications = %d %s", r.status, r.body)
	}
	for _, x := range r.json(t)["items"].([]any) {
		a := x.(map[string]any)
		if a["enterprise"].(map[string]any)["name"] == name && a["previous_application_id"] == nil {
			return a
		}
	}
	t.Fatalf("no application of %s", name)
	return nil
}

func pageShows(t *testing.T, e *env, sec, path string, texts ...string) {
	t.Helper()
	r := e.do("GET", path, "", as(sec)...)
	if r.status != 200 {
		t.Errorf("%s = %d", path, r.status)
		return
	}
	for _, s := range texts {
		if !strings.Contains(string(r.body), s) {
			t.Errorf("%s does not show %q", path, s)
		}
	}
}

// TestDemoStates: `serve --demo` leaves each demo bank an application in
// every state — drafts, under review with a panel seated and some scores,
// closed with a report, granted with a loan in a pool, refused, a loan
// under re-review — and an answered consultation, each reachable by the
// right demo user on its pages; the officials see them on the dashboard;
// seeding again changes nothing.
func TestDemoStates(t *testing.T) {
	e := newDemoEnv(t)
	official := e.demoLogin("official.jiangxi")
	for _, bank := range []struct {
		user                                       string
		review, report, granted, refused, rereview string
		loanOfficial                               string
	}{
		{"gzbank.officer", "赣州稀磁新材料科技有限公司", "赣州芯联封测技术有限公司", "抚州锂源新能源科技有限公司", "赣州恒顺食品包装有限公司", "莲花县智感传感器有限公司", "official.fuzhou"},
		{"ncbank.officer", "南昌瑞光光电科技有限公司", "南昌博创智能装备有限公司", "莲花县华科生物诊断有限公司", "南昌宏达建材贸易有限公司", "莲花县云途工业互联网有限公司", "official.lianhua"},
	} {
		t.Run(bank.user, func(t *testing.T) {
			sec := e.demoLogin(bank.user)
			if n := listTotal(t, e, sec, "/api/v1/applications?state=draft"); n == 0 {
				t.Errorf("no drafts")
			}
			// under review: a panel seated, some scores in, some not
			a := demoApp(t, e, sec, bank.review)
			if a["state"] != "in_review" {
				t.Errorf("%s is %v, want in_review", bank.review, a["state"])
			}
			r := e.do("GET", "/api/v1/assignments?application="+a["id"].(string), "", as(official)...)
			states := map[string]int{}
			for _, x := range r.json(t)["items"].([]any) {
				states[x.(map[string]any)["state"].(string)]++
			}
			if states["submitted"] == 0 || states["submitted"] == len(r.json(t)["items"].([]any)) {
				t.Errorf("%s's seats %v: want some scores submitted and some not", bank.review, states)
			}
			pageShows(t, e, sec, "/applications/"+a["id"].(string), bank.review)
			pageShows(t, e, official, "/applications/"+a["id"].(string)+"/panel")
			// closed with its report, waiting for the bank's decision
			a = demoApp(t, e, sec, bank.report)
			if a["state"] != "closed" || a["decision"] != nil {
				t.Errorf("%s: state %v decision %v, want closed without a decision", bank.report, a["state"], a["decision"])
			}
			if r := e.do("GET", "/api/v1/applications/"+a["id"].(string)+"/report", "", as(sec)...); r.status != 200 {
				t.Errorf("report = %d %s", r.status, r.body)
			}
			pageShows(t, e, sec, "/applications/"+a["id"].(string)+"/report")
			pageShows(t, e, sec, "/", bank.report) // the home's "reports ready"
			// granted, with its loan registered in a pool
			a = demoApp(t, e, sec, bank.granted)
			if d, _ := a["decision"].(map[string]any); d == nil || d["granted"] != true {
				t.Errorf("%s: decision %v, want granted", bank.granted, a["decision"])
			}
			loans := e.do("GET", "/api/v1/loans?limit=500", "", as(sec)...).json(t)["items"].([]any)
			loanID := ""
			for _, x := range loans {
				if l := x.(map[string]any); l["application_id"] == a["id"] {
					loanID = l["id"].(string)
				}
			}
			if loanID == "" {
				t.Errorf("%s has no loan", bank.granted)
			} else {
				pageShows(t, e, sec, "/fund/loans/"+loanID, bank.granted)
				pageShows(t, e, e.demoLogin(bank.loanOfficial), "/fund/loans/"+loanID, bank.granted)
			}
			// refused
			a = demoApp(t, e, sec, bank.refused)
			if d, _ := a["decision"].(map[string]any); d == nil || d["granted"] != false {
				t.Errorf("%s: decision %v, want refused", bank.refused, a["decision"])
			}
			pageShows(t, e, sec, "/applications/"+a["id"].(string), bank.refused)
			// a loan under re-review
			a = demoApp(t, e, sec, bank.rereview)
			r = e.do("GET", "/api/v1/rereviews/"+a["id"].(string), "", as(sec)...)
			if r.status != 200 || r.json(t)["state"] != "in_progress" {
				t.Errorf("%s's re-review = %d %s, want in_progress", bank.rereview, r.status, r.body)
			}
			pageShows(t, e, sec, "/rereviews", bank.rereview)
			// an answered consultation
			if n := listTotal(t, e, sec, "/api/v1/consultations?state=answered"); n == 0 {
				t.Errorf("no answered consultation")
			}
		})
	}
	// the officials' dashboard shows them
	v := e.do("GET", "/api/v1/dashboard", "", as(official)...).json(t)
	if num(v, "loans", "granted") < 4 || num(v, "reports", "count") < 6 || num(v, "fund", "loans") < 4 || num(v, "rereviews", "running") < 2 {
		t.Errorf("dashboard: granted %v, reports %v, loans %v, re-reviews running %v", num(v, "loans", "granted"), num(v, "reports", "count"), num(v, "fund", "loans"), num(v, "rereviews", "running"))
	}
	// seeding again (as after a crash mid-way) changes nothing
	admin := e.demoLogin("admin")
	count := func() map[string]int {
		out := map[string]int{}
		for _, p := range []string{"/api/v1/applications", "/api/v1/loans", "/api/v1/rereviews", "/api/v1/assignments", "/api/v1/reports", "/api/v1/claims"} {
			out[p] = listTotal(t, e, admin, p)
		}
		out["consultations"] = listTotal(t, e, official, "/api/v1/consultations")
		return out
	}
	before := count()
	dashBefore := e.do("GET", "/api/v1/dashboard?"+url.Values{"region": {"36"}}.Encode(), "", as(admin)...).body
	n, err := e.app.SeedDemoStates(context.Background())
	if err != nil || n != 10 {
		t.Fatalf("seeding again = %d, %v", n, err)
	}
	after := count()
	for k, v := range before {
		if after[k] != v {
			t.Errorf("seeding again: %s %d → %d", k, v, after[k])
		}
	}
	dashAfter := e.do("GET", "/api/v1/dashboard?"+url.Values{"region": {"36"}}.Encode(), "", as(admin)...).body
	var x, y map[string]any
	_ = json.Unmarshal(dashBefore, &x)
	_ = json.Unmarshal(dashAfter, &y)
	bx, _ := json.Marshal(x)
	by, _ := json.Marshal(y)
	if string(bx) != string(by) {
		t.Errorf("seeding again changed the dashboard:\n%s\n%s", bx, by)
	}
}

// TestDemoHomeTodo: on the demo data each role lands on what waits for it
// (named, with links), and an official's menu leads to the audit log.
func TestDemoHomeTodo(t *testing.T) {
	e := newDemoEnv(t)
	for _, c := range []struct {
		user     string
		sections []string          // present
		shows    map[string]string // section → text it lists
	}{
		{"gzbank.officer", []string{"drafts", "reports", "answered", "rereviews", "loan_warnings"}, map[string]string{"reports": "赣州芯联封测技术有限公司"}},
		{"ncbank.officer", []string{"drafts", "reports", "answered", "loan_warnings"}, map[string]string{"reports": "南昌博创智能装备有限公司", "loan_warnings": "/fund/"}},
		{"expert.li", []string{"invitations", "scores", "eval_seats", "consult_open"}, nil},
		{"official.jiangxi", []string{"waiting_panel", "stalled_panels", "npl_warnings", "claims", "alerts"}, map[string]string{"npl_warnings": "NPL"}},
		{"official.fuzhou", []string{"npl_warnings", "claims"}, map[string]string{"claims": "<li>"}},
		{"analyst.wu", []string{"alerts", "risk_items"}, nil},
		{"admin", []string{"pending_invitations", "integrity"}, map[string]string{"pending_invitations": "/panel"}},
	} {
		t.Run(c.user, func(t *testing.T) {
			sec := e.demoLogin(c.user)
			for _, lang := range []string{"zh-CN", "en"} {
				r := e.do("GET", "/?lang="+lang, "", as(sec)...)
				if r.status != 200 {
					t.Fatalf("home = %d", r.status)
				}
				for _, id := range c.sections {
					s := todoSection(t, r.body, id)
					if strings.Contains(s, "home.todo.") || strings.Contains(s, ">app-") {
						t.Errorf("%s %s: a message key or an internal id shows: %s", lang, id, s)
					}
				}
				for id, want := range c.shows {
					if s := todoSection(t, r.body, id); !strings.Contains(s, want) {
						t.Errorf("%s %s does not list %q: %s", lang, id, want, s)
					}
				}
			}
		})
	}
	sec := e.demoLogin("official.ganzhou")
	r := e.do("GET", "/", "", as(sec)...)
	if !strings.Contains(string(r.body), `href="/audit" id="nav-audit"`) {
		t.Errorf("an official's menu has no link to the audit log")
	}
	if r := e.do("GET", "/audit", "", as(sec)...); r.status != 200 {
		t.Errorf("official's /audit = %d", r.status)
	}
	r = e.do("GET", "/", "", as(e.demoLogin("gzbank.officer"))...)
	if strings.Contains(string(r.body), `id="nav-audit"`) {
		t.Errorf("a bank officer's menu links to the audit log")
	}
}
