package main

// Black-box contract checks: the built binary, started as ../shared/API.md
// says (`serve --demo` on a temporary data folder), driven over HTTP as
// every demo role. One server per top-level test; each area a subtest.
// Problems found and not fixed here are t.Skip("FINDING: ...") tests, listed
// in CONTRACT-FINDINGS.md.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

const demoPW = "Kedai-demo-2026"

// demoRoles are the demo log-ins `serve --demo` prints.
var demoRoles = []string{"admin", "gzbank.officer", "gzbank.manager", "ncbank.officer", "expert.li",
	"official.jiangxi", "official.ganzhou", "analyst.wu"}

// kclient drives one running server with the demo log-ins.
type kclient struct {
	p    *proc
	mu   sync.Mutex
	toks map[string]string
}

type kreply struct {
	status int
	header http.Header
	body   []byte
}

func (r kreply) obj(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("not a JSON object (%d): %.300s", r.status, r.body)
	}
	return m
}

// items decodes a list answer, checking the contract's list shape.
func (r kreply) items(t *testing.T) ([]map[string]any, string) {
	t.Helper()
	if r.status != 200 {
		t.Fatalf("list = %d %.300s", r.status, r.body)
	}
	var l struct {
		Items      []map[string]any `json:"items"`
		NextCursor *string          `json:"next_cursor"`
	}
	if err := json.Unmarshal(r.body, &l); err != nil || l.Items == nil || l.NextCursor == nil {
		t.Fatalf("not the contract's list body {items, next_cursor}: %.300s", r.body)
	}
	return l.Items, *l.NextCursor
}

// errCode checks the contract's error body and returns its code.
func (r kreply) errCode(t *testing.T) string {
	t.Helper()
	var e struct {
		Error *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(r.body, &e); err != nil || e.Error == nil || e.Error.Code == "" || e.Error.Message == "" {
		t.Errorf("status %d without the contract's error body: %.300s", r.status, r.body)
		return ""
	}
	return e.Error.Code
}

func newKClient(p *proc) *kclient { return &kclient{p: p, toks: map[string]string{}} }

// tok logs user in once (demo password) and returns the session token.
func (k *kclient) tok(t *testing.T, user string) string {
	t.Helper()
	k.mu.Lock()
	defer k.mu.Unlock()
	if tk, ok := k.toks[user]; ok {
		return tk
	}
	pw := demoPW
	if strings.HasPrefix(user, "x.") {
		pw = "Contract pass 2026 ok"
	}
	r := k.raw(t, "POST", "/api/v1/auth/login", "application/json", fmt.Sprintf(`{"username":%q,"password":%q}`, user, pw))
	if r.status != 200 {
		t.Fatalf("login %s = %d %s", user, r.status, r.body)
	}
	tk, _ := r.obj(t)["token"].(string)
	k.toks[user] = tk
	return tk
}

// raw sends one request; hdr are name, value pairs.
func (k *kclient) raw(t *testing.T, method, path, ctype, body string, hdr ...string) kreply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, k.p.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return kreply{res.StatusCode, res.Header, b}
}

// as sends a request as user (cookie session; "" for nobody) with a JSON body.
func (k *kclient) as(t *testing.T, user, method, path, body string) kreply {
	t.Helper()
	var hdr []string
	if user != "" {
		hdr = []string{"Cookie", "kedai_session=" + k.tok(t, user)}
	}
	ct := ""
	if body != "" {
		ct = "application/json"
	}
	return k.raw(t, method, path, ct, body, hdr...)
}

// want checks a status and, for errors, the contract's error body.
func want(t *testing.T, what string, r kreply, status int) {
	t.Helper()
	if r.status != status {
		t.Errorf("%s = %d, want %d: %.300s", what, r.status, status, r.body)
		return
	}
	if status >= 400 {
		r.errCode(t)
	}
}

// creditCode makes a valid GB 32100-2015 code for a county and a serial.
func creditCode(region string, serial int) string {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	weights := []int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	s := fmt.Sprintf("91%sMA%07d", region, serial)
	sum := 0
	for i := 0; i < 17; i++ {
		sum += strings.IndexByte(alphabet, s[i]) * weights[i]
	}
	c := 31 - sum%31
	if c == 31 {
		c = 0
	}
	return s + string(alphabet[c])
}

func applicationBody(region string, serial int) string {
	return fmt.Sprintf(`{"enterprise": {"name": "赣州芯研微电子有限公司", "credit_code": %q,
  "region": %q, "founded": "2021-03-15", "route": "semiconductors.ic-design",
  "staff": 60, "rd_staff": 25, "revenue": [12000000, 9000000],
  "net_profit": [-3000000, -4500000], "rd_spend": 6000000,
  "invention_patents": 5, "pending_patents": 3, "maturity": "pilot"},
 "loan": {"amount": 3000000, "term_months": 24, "purpose": "流片与量产验证"},
 "summary": "自主设计的射频前端芯片，已完成两轮流片。"}`, creditCode(region, serial), region)
}

// startContractServer starts the demo server the outside suites start; the
// per-address rate limit is lifted so that this suite's burst of requests
// measures the contract, not the limiter (see TestContractRateLimitDefault).
func startContractServer(t *testing.T) *kclient {
	p := startServer(t, nil, "--data", t.TempDir(), "--demo", "--rate-limit", "0")
	return newKClient(p)
}

func TestContractHTTP(t *testing.T) {
	k := startContractServer(t)

	// Fixture: an application of each demo bank, one in Ganzhou (3607)
	// and one in Nanchang (3601).
	gzApp := k.as(t, "gzbank.officer", "POST", "/api/v1/applications", applicationBody("360702", 8800001))
	if gzApp.status != 201 {
		t.Fatalf("create application = %d %s", gzApp.status, gzApp.body)
	}
	gzID := gzApp.obj(t)["id"].(string)
	gzCode := creditCode("360702", 8800001)
	ncApp := k.as(t, "ncbank.officer", "POST", "/api/v1/applications", applicationBody("360102", 8800002))
	if ncApp.status != 201 {
		t.Fatalf("create application = %d %s", ncApp.status, ncApp.body)
	}
	ncID := ncApp.obj(t)["id"].(string)
	ncCode := creditCode("360102", 8800002)

	t.Run("routes exist", func(t *testing.T) {
		// Each contract route, as a role the contract allows: never a
		// missing route (404 "no such route") nor 405.
		routes := []struct{ user, method, path, body string }{
			{"", "GET", "/healthz", ""},
			{"", "GET", "/readyz", ""},
			{"", "GET", "/metrics", ""},
			{"admin", "GET", "/api/v1/me", ""},
			{"admin", "GET", "/api/v1/users", ""},
			{"admin", "POST", "/api/v1/users", `{}`},
			{"admin", "PATCH", "/api/v1/users/nobody", `{}`},
			{"admin", "GET", "/api/v1/fields", ""},
			{"admin", "GET", "/api/v1/experts", ""},
			{"admin", "POST", "/api/v1/experts", `{}`},
			{"admin", "GET", "/api/v1/experts/exp-0001", ""},
			{"admin", "PATCH", "/api/v1/experts/exp-0001", `{}`},
			{"admin", "POST", "/api/v1/experts/import", ""},
			{"gzbank.officer", "POST", "/api/v1/applications", `{}`},
			{"gzbank.officer", "GET", "/api/v1/applications", ""},
			{"gzbank.officer", "GET", "/api/v1/applications/" + gzID, ""},
			{"gzbank.officer", "POST", "/api/v1/applications/nope/submit", ""},
			{"gzbank.officer", "POST", "/api/v1/applications/nope/decision", `{"granted":true}`},
			{"official.ganzhou", "POST", "/api/v1/enterprises/nope/whitelist", `{"reason":"x"}`},
			{"official.ganzhou", "DELETE", "/api/v1/enterprises/nope/whitelist", `{"reason":"x"}`},
			{"gzbank.officer", "GET", "/api/v1/applications/" + gzID + "/report", ""},
			{"official.jiangxi", "POST", "/api/v1/assignments/run", ""},
			{"official.jiangxi", "GET", "/api/v1/assignments?application=" + gzID + "&state=invited", ""},
			{"expert.li", "POST", "/api/v1/assignments/nope/accept", ""},
			{"expert.li", "POST", "/api/v1/assignments/nope/decline", `{"reason":"busy"}`},
			{"expert.li", "PUT", "/api/v1/assignments/nope/score", `{"criteria":{"team":5},"recommendation":"support","confidence":2,"comment":"x"}`},
			{"expert.li", "POST", "/api/v1/assignments/nope/submit", ""},
			{"gzbank.officer", "POST", "/api/v1/consultations", `{}`},
			{"gzbank.officer", "GET", "/api/v1/consultations", ""},
			{"gzbank.officer", "GET", "/api/v1/consultations/nope", ""},
			{"expert.li", "POST", "/api/v1/consultations/nope/accept", ""},
			{"expert.li", "POST", "/api/v1/consultations/nope/answer", `{"text":"x"}`},
			{"gzbank.officer", "POST", "/api/v1/consultations/nope/rate", `{"stars":5}`},
			{"analyst.wu", "GET", "/api/v1/sources", ""},
			{"analyst.wu", "POST", "/api/v1/sources", `{}`},
			{"analyst.wu", "POST", "/api/v1/sources/import", ""},
			{"analyst.wu", "GET", "/api/v1/sources/export", ""},
			{"analyst.wu", "POST", "/api/v1/sources/nope/refresh", ""},
			{"analyst.wu", "GET", "/api/v1/items?industry=semiconductors&dimension=market&q=x&since=2026-01-01", ""},
			{"analyst.wu", "GET", "/api/v1/riskmap", ""},
			{"analyst.wu", "GET", "/riskmap.svg", ""},
			{"analyst.wu", "GET", "/api/v1/alerts/rules", ""},
			{"analyst.wu", "POST", "/api/v1/alerts/rules", `{}`},
			{"analyst.wu", "GET", "/api/v1/alerts", ""},
			{"admin", "GET", "/api/v1/audit", ""},
		}
		for _, rt := range routes {
			var r kreply
			if rt.user == "" {
				r = k.raw(t, rt.method, rt.path, "", "")
			} else {
				r = k.as(t, rt.user, rt.method, rt.path, rt.body)
			}
			what := rt.method + " " + rt.path + " as " + rt.user
			if r.status == 405 || r.status == 403 || r.status == 401 || r.status >= 500 ||
				(r.status == 404 && strings.Contains(string(r.body), "no such route")) {
				t.Errorf("%s = %d: %.200s", what, r.status, r.body)
			}
			if strings.HasPrefix(rt.path, "/api/") && r.status >= 400 {
				r.errCode(t)
			}
		}
	})

	t.Run("shapes", func(t *testing.T) {
		// Login: {"token","user"} and a session cookie; 401 on bad credentials.
		r := k.raw(t, "POST", "/api/v1/auth/login", "application/json", `{"username":"analyst.wu","password":"Kedai-demo-2026"}`)
		m := r.obj(t)
		if r.status != 200 || m["token"] == "" || m["user"] == nil {
			t.Fatalf("login = %d %s", r.status, r.body)
		}
		if !strings.Contains(r.header.Get("Set-Cookie"), "kedai_session=") {
			t.Errorf("login sets no session cookie: %q", r.header.Get("Set-Cookie"))
		}
		tok := m["token"].(string)
		want(t, "login with a wrong password", k.raw(t, "POST", "/api/v1/auth/login", "application/json", `{"username":"analyst.wu","password":"wrong"}`), 401)
		want(t, "login as nobody", k.raw(t, "POST", "/api/v1/auth/login", "application/json", `{"username":"nobody","password":"Kedai-demo-2026"}`), 401)
		// The login token is a bearer token too (the contract: "or
		// Authorization: Bearer <token>").
		if r := k.raw(t, "GET", "/api/v1/me", "", "", "Authorization", "Bearer "+tok); r.status != 200 {
			t.Errorf("GET /me with the login token as bearer = %d %s", r.status, r.body)
		}
		want(t, "a made-up bearer", k.raw(t, "GET", "/api/v1/me", "", "", "Authorization", "Bearer 0123456789abcdef"), 401)
		want(t, "no credentials", k.raw(t, "GET", "/api/v1/me", "", ""), 401)
		// Logout ends that session (and only that one).
		if r := k.raw(t, "POST", "/api/v1/auth/logout", "", "", "Cookie", "kedai_session="+tok); r.status != 200 {
			t.Errorf("logout = %d %s", r.status, r.body)
		}
		want(t, "/me after logout", k.raw(t, "GET", "/api/v1/me", "", "", "Cookie", "kedai_session="+tok), 401)
		if r := k.as(t, "analyst.wu", "GET", "/api/v1/me", ""); r.status != 200 {
			t.Errorf("logout ended another session of the same user: %d", r.status)
		}
		want(t, "logout, not logged in", k.raw(t, "POST", "/api/v1/auth/logout", "", ""), 401)

		// /me has exactly the documented keys, for every role.
		for _, u := range demoRoles {
			m := k.as(t, u, "GET", "/api/v1/me", "").obj(t)
			var keys []string
			for key := range m {
				keys = append(keys, key)
			}
			sort.Strings(keys)
			if got := strings.Join(keys, ","); got != "bank_id,expert_id,id,region,role,username" {
				t.Errorf("/me as %s has keys %s", u, got)
			}
		}
		if m := k.as(t, "gzbank.officer", "GET", "/api/v1/me", "").obj(t); m["bank_id"] != "ganzhou-bank" || m["role"] != "bank_officer" {
			t.Errorf("/me as gzbank.officer = %v", m)
		}
		if m := k.as(t, "official.ganzhou", "GET", "/api/v1/me", "").obj(t); m["region"] != "3607" {
			t.Errorf("/me as official.ganzhou = %v", m)
		}
		if m := k.as(t, "expert.li", "GET", "/api/v1/me", "").obj(t); m["expert_id"] != "exp-0001" {
			t.Errorf("/me as expert.li = %v", m)
		}

		// Unknown routes and wrong methods.
		r = k.as(t, "admin", "GET", "/api/v1/no-such-thing", "")
		if want(t, "unknown route", r, 404); r.errCode(t) != "not_found" {
			t.Errorf("unknown route code = %s", r.body)
		}
		want(t, "unknown route, not logged in", k.raw(t, "GET", "/api/v1/no-such-thing", "", ""), 404)
		for _, mp := range [][2]string{{"DELETE", "/api/v1/me"}, {"PUT", "/api/v1/applications"}, {"GET", "/api/v1/auth/login"}, {"DELETE", "/api/v1/assignments/run"}} {
			want(t, mp[0]+" "+mp[1], k.as(t, "admin", mp[0], mp[1], ""), 405)
		}

		// Health, readiness, metrics.
		if r := k.raw(t, "GET", "/readyz", "", ""); r.status != 200 {
			t.Errorf("readyz = %d", r.status)
		}
		if r := k.raw(t, "GET", "/metrics", "", ""); r.status != 200 || !bytes.Contains(r.body, []byte("# TYPE ")) {
			t.Errorf("metrics = %d, not Prometheus text", r.status)
		}

		// Risk map shape.
		rm := k.as(t, "analyst.wu", "GET", "/api/v1/riskmap", "").obj(t)
		for _, key := range []string{"industries", "dimensions", "cells"} {
			if _, ok := rm[key].([]any); !ok {
				t.Errorf("riskmap lacks the list %q", key)
			}
		}
		if cells, _ := rm["cells"].([]any); len(cells) > 0 {
			c := cells[0].(map[string]any)
			for _, key := range []string{"industry", "dimension", "score", "count", "trend"} {
				if _, ok := c[key]; !ok {
					t.Errorf("riskmap cell lacks %q: %v", key, c)
				}
			}
		}
		want(t, "riskmap from after to", k.as(t, "analyst.wu", "GET", "/api/v1/riskmap?from=2026-05-01&to=2026-01-01", ""), 400)
		want(t, "riskmap from garbage", k.as(t, "analyst.wu", "GET", "/api/v1/riskmap?from=yesterday", ""), 400)
		if r := k.as(t, "analyst.wu", "GET", "/riskmap.svg", ""); r.status != 200 || !strings.Contains(r.header.Get("Content-Type"), "svg") {
			t.Errorf("riskmap.svg = %d %s", r.status, r.header.Get("Content-Type"))
		}
		// Items carry the contract's keys.
		its, _ := k.as(t, "analyst.wu", "GET", "/api/v1/items?limit=5", "").items(t)
		for _, it := range its {
			for _, key := range []string{"id", "source_id", "title", "link", "published", "industries", "dimensions", "polarity", "cluster_id", "enterprises"} {
				if _, ok := it[key]; !ok {
					t.Errorf("item lacks %q: %v", key, it)
				}
			}
		}
	})

	t.Run("list parameters", func(t *testing.T) {
		lists := []struct{ user, path string }{
			{"admin", "/api/v1/users"},
			{"admin", "/api/v1/experts"},
			{"gzbank.officer", "/api/v1/applications"},
			{"official.jiangxi", "/api/v1/applications"},
			{"official.jiangxi", "/api/v1/assignments"},
			{"gzbank.officer", "/api/v1/consultations"},
			{"analyst.wu", "/api/v1/sources"},
			{"analyst.wu", "/api/v1/items"},
			{"analyst.wu", "/api/v1/alerts/rules"},
			{"gzbank.officer", "/api/v1/alerts"},
			{"admin", "/api/v1/audit"},
			// Not in the contract's table, but "every list" takes limit and cursor.
			{"admin", "/api/v1/banks"},
			{"admin", "/api/v1/committees"},
			{"admin", "/api/v1/policies"},
			{"admin", "/api/v1/me/tokens"},
			{"gzbank.manager", "/api/v1/alerts/webhooks"},
			{"admin", "/api/v1/whitelist"},
			{"admin", "/api/v1/notifications"},
		}
		for _, l := range lists {
			items, next := k.as(t, l.user, "GET", l.path, "").items(t)
			if len(items) > 50 {
				t.Errorf("%s: %d items by default, want at most 50", l.path, len(items))
			}
			if len(items) == 50 && next == "" {
				t.Errorf("%s: a full default page without next_cursor", l.path)
			}
			sep := "?"
			for _, bad := range []string{"limit=0", "limit=501", "limit=-1", "limit=x", "limit=1.5", "cursor=not-a-cursor!", "cursor=eyJ4IjoxfQ"} {
				want(t, l.path+"?"+bad+" as "+l.user, k.as(t, l.user, "GET", l.path+sep+bad, ""), 400)
			}
			all, _ := k.as(t, l.user, "GET", l.path+"?limit=500", "").items(t)
			if len(all) > 500 {
				t.Errorf("%s?limit=500: %d items", l.path, len(all))
			}
			// Paging with limit=1 walks the same items without repeats.
			one, next := k.as(t, l.user, "GET", l.path+"?limit=1", "").items(t)
			if len(one) > 1 {
				t.Errorf("%s?limit=1: %d items", l.path, len(one))
			}
			if len(all) > 1 && next == "" {
				t.Errorf("%s?limit=1 of %d gives no next_cursor", l.path, len(all))
			}
			if next != "" {
				two, _ := k.as(t, l.user, "GET", l.path+"?limit=1&cursor="+next, "").items(t)
				if len(two) == 1 && len(one) == 1 && fmt.Sprint(two[0]["id"]) == fmt.Sprint(one[0]["id"]) && one[0]["id"] != nil {
					t.Errorf("%s: the second page repeats the first item", l.path)
				}
			}
		}
	})

	t.Run("cross-bank isolation", func(t *testing.T) {
		app := "/api/v1/applications/" + gzID
		for _, c := range []struct{ method, path, body string }{
			{"GET", app, ""},
			{"PATCH", app, `{"summary":"hijacked"}`},
			{"POST", app + "/submit", ""},
			{"POST", app + "/decision", `{"granted":true,"amount":1000000,"date":"2026-11-01"}`},
			{"POST", app + "/withdraw", ""},
			{"GET", app + "/report", ""},
			{"GET", app + "/attachments/nope", ""},
			{"POST", "/api/v1/consultations", `{"route":"semiconductors.ic-design","question":"流片良率如何评估？请专家指导。","urgency":"normal","application_id":"` + gzID + `"}`},
		} {
			want(t, "ncbank.officer "+c.method+" "+c.path, k.as(t, "ncbank.officer", c.method, c.path, c.body), 404)
		}
		r := k.raw(t, "POST", app+"/attachments", "text/plain", "secret", "Cookie", "kedai_session="+k.tok(t, "ncbank.officer"))
		want(t, "ncbank.officer attaches to gzbank's application", r, 404)
		// Nothing changed.
		got := k.as(t, "gzbank.officer", "GET", app, "").obj(t)
		if got["state"] != "draft" || got["summary"] == "hijacked" {
			t.Errorf("another bank changed the application: state %v summary %v", got["state"], got["summary"])
		}
		// Not in the other bank's lists, whatever the filter.
		for _, q := range []string{"", "credit_code=" + gzCode, "region=360702", "region=3607", "region=36", "state=draft", "bank_id=ganzhou-bank", "bank=ganzhou-bank"} {
			for _, u := range []string{"ncbank.officer"} {
				r := k.as(t, u, "GET", "/api/v1/applications?limit=500&"+q, "")
				if r.status == 400 {
					continue // an unknown filter refused is fine
				}
				items, _ := r.items(t)
				for _, it := range items {
					if it["bank_id"] != "nanchang-bank" || it["id"] == gzID {
						t.Errorf("ncbank.officer lists %v (bank %v) with ?%s", it["id"], it["bank_id"], q)
					}
				}
			}
		}
		// The manager of the same bank sees it.
		if r := k.as(t, "gzbank.manager", "GET", app, ""); r.status != 200 {
			t.Errorf("gzbank.manager GET own bank's application = %d", r.status)
		}

		// Consultations.
		cr := k.as(t, "gzbank.officer", "POST", "/api/v1/consultations", `{"route":"semiconductors.ic-design","question":"流片良率如何评估？请专家指导。","urgency":"normal","application_id":"`+gzID+`"}`)
		if cr.status != 201 {
			t.Fatalf("ask = %d %s", cr.status, cr.body)
		}
		cid := cr.obj(t)["id"].(string)
		want(t, "ncbank GET gzbank's consultation", k.as(t, "ncbank.officer", "GET", "/api/v1/consultations/"+cid, ""), 404)
		want(t, "ncbank rates gzbank's consultation", k.as(t, "ncbank.officer", "POST", "/api/v1/consultations/"+cid+"/rate", `{"stars":1}`), 404)
		for _, q := range []string{"", "state=open", "route=semiconductors.ic-design", "application_id=" + gzID, "bank_id=ganzhou-bank"} {
			r := k.as(t, "ncbank.officer", "GET", "/api/v1/consultations?limit=500&"+q, "")
			if r.status == 400 {
				continue
			}
			items, _ := r.items(t)
			for _, it := range items {
				if it["bank_id"] != "nanchang-bank" || it["id"] == cid {
					t.Errorf("ncbank.officer lists consultation %v of %v with ?%s", it["id"], it["bank_id"], q)
				}
			}
		}
		// A bank sees no expert names in its consultation.
		expertNames := k.expertNames(t)
		body := string(k.as(t, "gzbank.officer", "GET", "/api/v1/consultations/"+cid, "").body)
		for id, name := range expertNames {
			if strings.Contains(body, name) || strings.Contains(body, `"`+id+`"`) {
				t.Errorf("the bank's consultation names expert %s (%s)", id, name)
			}
		}

		// Alert rules.
		rr := k.as(t, "gzbank.officer", "POST", "/api/v1/alerts/rules", `{"name":"半导体","industries":["semiconductors"],"dimensions":[],"severity":"any"}`)
		if rr.status != 201 {
			t.Fatalf("alert rule = %d %s", rr.status, rr.body)
		}
		rid := rr.obj(t)["id"].(string)
		rules, _ := k.as(t, "ncbank.officer", "GET", "/api/v1/alerts/rules?limit=500", "").items(t)
		for _, it := range rules {
			if it["id"] == rid {
				t.Errorf("ncbank.officer lists gzbank's alert rule")
			}
		}
		want(t, "ncbank deletes gzbank's alert rule", k.as(t, "ncbank.officer", "DELETE", "/api/v1/alerts/rules/"+rid, ""), 404)
		alerts, _ := k.as(t, "ncbank.officer", "GET", "/api/v1/alerts?limit=500", "").items(t)
		for _, it := range alerts {
			if b, ok := it["bank_id"]; ok && b != "" && b != "nanchang-bank" {
				t.Errorf("ncbank.officer sees an alert of %v", b)
			}
		}

		// Exposure: only one's own bank, whatever is asked.
		for _, q := range []string{"", "?bank_id=ganzhou-bank", "?bank=ganzhou-bank"} {
			r := k.as(t, "ncbank.officer", "GET", "/api/v1/riskmap/exposure"+q, "")
			if r.status == 400 {
				continue
			}
			if m := r.obj(t); r.status != 200 || m["bank_id"] != "nanchang-bank" {
				t.Errorf("ncbank exposure%s = %d bank %v", q, r.status, m["bank_id"])
			}
		}

		// Users: a bank manager sees and changes only its bank's officers.
		users, _ := k.as(t, "gzbank.manager", "GET", "/api/v1/users?limit=500", "").items(t)
		if len(users) == 0 {
			t.Error("gzbank.manager sees no users")
		}
		for _, u := range users {
			if u["bank_id"] != "ganzhou-bank" {
				t.Errorf("gzbank.manager lists user %v of bank %v", u["username"], u["bank_id"])
			}
			if _, ok := u["password_hash"]; ok {
				t.Errorf("a user listing shows a password hash")
			}
		}
		ids := k.userIDs(t)
		for _, other := range []string{"ncbank.officer", "admin", "analyst.wu", "official.jiangxi"} {
			want(t, "gzbank.manager disables "+other, k.as(t, "gzbank.manager", "PATCH", "/api/v1/users/"+ids[other], `{"disabled":true}`), 404)
			want(t, "gzbank.manager resets the password of "+other, k.as(t, "gzbank.manager", "PATCH", "/api/v1/users/"+ids[other], `{"password":"Taken over 2026 pass"}`), 404)
		}
		if r := k.as(t, "ncbank.officer", "GET", "/api/v1/me", ""); r.status != 200 {
			t.Errorf("ncbank.officer was locked out by another bank's manager: %d", r.status)
		}
		for _, body := range []string{
			`{"username":"x.evil1","password":"Contract pass 2026 ok","role":"admin"}`,
			`{"username":"x.evil2","password":"Contract pass 2026 ok","role":"bank_officer","bank_id":"nanchang-bank"}`,
			`{"username":"x.evil3","password":"Contract pass 2026 ok","role":"bank_manager","bank_id":"ganzhou-bank"}`,
			`{"username":"x.evil4","password":"Contract pass 2026 ok","role":"official","region":"36"}`,
		} {
			r := k.as(t, "gzbank.manager", "POST", "/api/v1/users", body)
			if r.status != 403 && r.status != 400 {
				t.Errorf("gzbank.manager POST /users %s = %d %s", body, r.status, r.body)
			}
		}
		want(t, "bank officer lists users", k.as(t, "gzbank.officer", "GET", "/api/v1/users", ""), 403)
	})

	t.Run("roles", func(t *testing.T) {
		for _, u := range []string{"gzbank.officer", "gzbank.manager", "ncbank.officer"} {
			for _, mp := range [][3]string{
				{"GET", "/api/v1/experts", ""}, {"POST", "/api/v1/experts", `{}`}, {"GET", "/api/v1/experts/exp-0001", ""},
				{"PATCH", "/api/v1/experts/exp-0001", `{}`}, {"POST", "/api/v1/experts/import", ""},
				{"GET", "/api/v1/sources", ""}, {"POST", "/api/v1/sources", `{}`}, {"GET", "/api/v1/sources/export", ""},
				{"GET", "/api/v1/audit", ""}, {"GET", "/api/v1/dashboard", ""}, {"POST", "/api/v1/assignments/run", ""},
				{"GET", "/api/v1/assignments", ""}, {"POST", "/api/v1/enterprises/" + gzCode + "/whitelist", `{"reason":"x"}`},
			} {
				want(t, u+" "+mp[0]+" "+mp[1], k.as(t, u, mp[0], mp[1], mp[2]), 403)
			}
		}
		for _, mp := range [][3]string{
			{"GET", "/api/v1/riskmap/exposure", ""}, {"GET", "/api/v1/applications", ""}, {"POST", "/api/v1/applications", applicationBody("360702", 8800009)},
			{"GET", "/api/v1/applications/" + gzID, ""}, {"GET", "/api/v1/applications/" + gzID + "/report", ""},
			{"GET", "/api/v1/consultations", ""}, {"POST", "/api/v1/assignments/run", ""}, {"GET", "/api/v1/users", ""},
			{"GET", "/api/v1/audit", ""}, {"GET", "/api/v1/experts", ""},
		} {
			want(t, "analyst.wu "+mp[0]+" "+mp[1], k.as(t, "analyst.wu", mp[0], mp[1], mp[2]), 403)
		}
		for _, mp := range [][3]string{
			{"GET", "/api/v1/applications", ""}, {"POST", "/api/v1/assignments/run", ""}, {"GET", "/api/v1/users", ""},
			{"GET", "/api/v1/sources", ""}, {"POST", "/api/v1/experts", `{}`}, {"GET", "/api/v1/audit", ""},
		} {
			want(t, "expert.li "+mp[0]+" "+mp[1], k.as(t, "expert.li", mp[0], mp[1], mp[2]), 403)
		}
		// An expert reads its own profile and no other.
		if r := k.as(t, "expert.li", "GET", "/api/v1/experts/exp-0001", ""); r.status != 200 {
			t.Errorf("expert.li reads its own profile = %d", r.status)
		}
		want(t, "expert.li reads exp-0002", k.as(t, "expert.li", "GET", "/api/v1/experts/exp-0002", ""), 404)
		want(t, "expert.li edits exp-0002", k.as(t, "expert.li", "PATCH", "/api/v1/experts/exp-0002", `{"capacity":9}`), 404)
		if r := k.as(t, "expert.li", "GET", "/api/v1/experts?limit=500", ""); r.status == 200 {
			items, _ := r.items(t)
			for _, it := range items {
				if it["id"] != "exp-0001" {
					t.Errorf("expert.li lists expert %v", it["id"])
				}
			}
		} else if r.status != 403 {
			t.Errorf("expert.li lists experts = %d", r.status)
		}
		// An expert's assignments are its own.
		items, _ := k.as(t, "expert.li", "GET", "/api/v1/assignments?limit=500", "").items(t)
		for _, it := range items {
			if it["expert_id"] != "exp-0001" {
				t.Errorf("expert.li lists assignment %v of %v", it["id"], it["expert_id"])
			}
		}

		// A city official (3607) sees only its city.
		want(t, "official.ganzhou GET a Nanchang application", k.as(t, "official.ganzhou", "GET", "/api/v1/applications/"+ncID, ""), 404)
		want(t, "official.ganzhou report of a Nanchang application", k.as(t, "official.ganzhou", "GET", "/api/v1/applications/"+ncID+"/report", ""), 404)
		if r := k.as(t, "official.ganzhou", "GET", "/api/v1/applications/"+gzID, ""); r.status != 200 {
			t.Errorf("official.ganzhou GET a Ganzhou application = %d", r.status)
		}
		for _, q := range []string{"", "region=3601", "region=360102", "region=36", "credit_code=" + ncCode} {
			items, _ := k.as(t, "official.ganzhou", "GET", "/api/v1/applications?limit=500&"+q, "").items(t)
			for _, it := range items {
				if reg, _ := it["region"].(string); !strings.HasPrefix(reg, "3607") {
					t.Errorf("official.ganzhou lists application %v in %v with ?%s", it["id"], reg, q)
				}
			}
		}
		for _, kind := range []string{"assignments", "consultations", "audit", "whitelist"} {
			r := k.as(t, "official.ganzhou", "GET", "/api/v1/"+kind+"?limit=500&region=3601", "")
			if r.status == 400 {
				continue
			}
			items, _ := r.items(t)
			for _, it := range items {
				if reg, _ := it["region"].(string); reg != "" && !strings.HasPrefix(reg, "3607") {
					t.Errorf("official.ganzhou lists %s %v in %v", kind, it["id"], reg)
				}
			}
		}
		// Whitelisting outside one's region: 404; the provincial official may.
		want(t, "official.ganzhou whitelists a Nanchang enterprise", k.as(t, "official.ganzhou", "POST", "/api/v1/enterprises/"+ncCode+"/whitelist", `{"reason":"test"}`), 404)
		if r := k.as(t, "official.jiangxi", "GET", "/api/v1/applications/"+ncID, ""); r.obj(t)["whitelisted"] == true {
			t.Errorf("a refused whitelist still took effect")
		}
		if r := k.as(t, "official.ganzhou", "POST", "/api/v1/enterprises/"+gzCode+"/whitelist", `{"reason":"本地重点科技企业"}`); r.status != 200 && r.status != 201 {
			t.Errorf("official.ganzhou whitelists a Ganzhou enterprise = %d %s", r.status, r.body)
		}
		want(t, "official.ganzhou lifts a Nanchang whitelist", k.as(t, "official.ganzhou", "DELETE", "/api/v1/enterprises/"+ncCode+"/whitelist", `{"reason":"x"}`), 404)
		want(t, "whitelist of an unknown enterprise", k.as(t, "official.jiangxi", "POST", "/api/v1/enterprises/"+creditCode("360702", 8800077)+"/whitelist", `{"reason":"x"}`), 404)
	})

	t.Run("bad input", func(t *testing.T) {
		ids := k.userIDs(t)
		big := `{"summary":"` + strings.Repeat("x", 1<<20+10) + `"}`
		routes := []struct{ user, method, path string }{
			{"", "POST", "/api/v1/auth/login"},
			{"admin", "POST", "/api/v1/users"},
			{"admin", "PATCH", "/api/v1/users/" + ids["analyst.wu"]},
			{"admin", "POST", "/api/v1/experts"},
			{"admin", "PATCH", "/api/v1/experts/exp-0002"},
			{"gzbank.officer", "POST", "/api/v1/applications"},
			{"gzbank.officer", "PATCH", "/api/v1/applications/" + gzID},
			{"gzbank.officer", "POST", "/api/v1/applications/" + gzID + "/decision"},
			{"official.ganzhou", "POST", "/api/v1/enterprises/" + gzCode + "/whitelist"},
			{"expert.li", "POST", "/api/v1/assignments/nope/decline"},
			{"expert.li", "PUT", "/api/v1/assignments/nope/score"},
			{"gzbank.officer", "POST", "/api/v1/consultations"},
			{"expert.li", "POST", "/api/v1/consultations/nope/answer"},
			{"gzbank.officer", "POST", "/api/v1/consultations/nope/rate"},
			{"analyst.wu", "POST", "/api/v1/sources"},
			{"analyst.wu", "POST", "/api/v1/alerts/rules"},
		}
		cases := []struct {
			name, ctype, body string
			status            []int
		}{
			{"malformed JSON", "application/json", `{"a":`, []int{400}},
			{"unknown field", "application/json", `{"zzz_unknown":1}`, []int{400, 404}},
			{"an array", "application/json", `[1,2]`, []int{400, 404}},
			{"wrong types", "application/json", `{"username":5,"password":5,"url":5,"route":5,"granted":"yes","reason":5,"stars":"x","text":5,"disabled":"x","criteria":5,"name":5,"enterprise":5,"question":5}`, []int{400, 404}},
			{"two values", "application/json", `{} {}`, []int{400, 404}},
			{"text/plain", "text/plain", `{}`, []int{415}},
			{"form", "application/x-www-form-urlencoded", `a=1`, []int{415}},
			{"no content type", "", `{}`, []int{415}},
			{"over 1 MiB", "application/json", big, []int{413}},
			{"empty body", "application/json", ``, []int{400, 404}},
		}
		before := k.as(t, "gzbank.officer", "GET", "/api/v1/applications/"+gzID, "").obj(t)
		usersBefore, _ := k.as(t, "admin", "GET", "/api/v1/users?limit=500", "").items(t)
		for _, rt := range routes {
			for _, c := range cases {
				var hdr []string
				if rt.user != "" {
					hdr = []string{"Cookie", "kedai_session=" + k.tok(t, rt.user)}
				}
				r := k.raw(t, rt.method, rt.path, c.ctype, c.body, hdr...)
				ok := false
				for _, s := range c.status {
					ok = ok || r.status == s
				}
				if !ok {
					t.Errorf("%s %s as %s, %s = %d, want %v: %.200s", rt.method, rt.path, rt.user, c.name, r.status, c.status, r.body)
					continue
				}
				r.errCode(t)
			}
		}
		// Missing required fields, bad values.
		for _, c := range []struct{ user, method, path, body string }{
			{"admin", "POST", "/api/v1/users", `{"username":"x.a1","role":"analyst"}`},
			{"admin", "POST", "/api/v1/users", `{"username":"x.a2","password":"Contract pass 2026 ok","role":"boss"}`},
			{"admin", "POST", "/api/v1/users", `{"username":"x.a3","password":"Contract pass 2026 ok","role":"bank_officer"}`},
			{"admin", "POST", "/api/v1/users", `{"username":"x.a4","password":"short","role":"analyst"}`},
			{"admin", "POST", "/api/v1/users", `{"password":"Contract pass 2026 ok","role":"analyst"}`},
			{"admin", "POST", "/api/v1/users", `{"username":"x.a5","password":"Contract pass 2026 ok","role":"official","region":"99"}`},
			{"gzbank.officer", "POST", "/api/v1/applications", `{"loan":{"amount":3000000,"term_months":24,"purpose":"x"}}`},
			{"gzbank.officer", "POST", "/api/v1/applications", strings.Replace(applicationBody("360702", 8800011), creditCode("360702", 8800011), "91360702MA88000110", 1)},
			{"gzbank.officer", "POST", "/api/v1/applications", strings.Replace(applicationBody("360702", 8800012), `"amount": 3000000`, `"amount": -5`, 1)},
			{"gzbank.officer", "POST", "/api/v1/applications", strings.Replace(applicationBody("360702", 8800013), `"amount": 3000000`, `"amount": 3000000.5`, 1)},
			{"gzbank.officer", "POST", "/api/v1/applications", strings.Replace(applicationBody("360702", 8800014), `semiconductors.ic-design`, `semiconductors.nonsense`, 1)},
			{"gzbank.officer", "POST", "/api/v1/applications", strings.Replace(applicationBody("360702", 8800015), `"founded": "2021-03-15"`, `"founded": "2099-01-01"`, 1)},
			{"gzbank.officer", "POST", "/api/v1/applications", strings.Replace(applicationBody("360702", 8800016), `"region": "360702"`, `"region": "110101"`, 1)},
			{"gzbank.officer", "POST", "/api/v1/consultations", `{"route":"semiconductors.ic-design","urgency":"normal"}`},
			{"gzbank.officer", "POST", "/api/v1/consultations", `{"route":"nope","question":"流片良率如何评估？请专家指导。","urgency":"normal"}`},
			{"gzbank.officer", "POST", "/api/v1/consultations", `{"route":"semiconductors.ic-design","question":"流片良率如何评估？请专家指导。","urgency":"yesterday"}`},
			{"analyst.wu", "POST", "/api/v1/sources", `{"title":"no url"}`},
			{"analyst.wu", "POST", "/api/v1/sources", `{"url":"ftp://example.com/feed"}`},
			{"analyst.wu", "POST", "/api/v1/sources", `{"url":"http://127.0.0.1:9/feed.xml"}`},
			{"analyst.wu", "POST", "/api/v1/sources", `{"url":"http://169.254.169.254/latest/meta-data"}`},
			{"analyst.wu", "POST", "/api/v1/sources", `{"url":"http://10.0.0.1/feed.xml"}`},
			{"analyst.wu", "POST", "/api/v1/sources", `{"url":"http://[::1]/feed.xml"}`},
			{"analyst.wu", "POST", "/api/v1/sources", `{"url":"http://localhost/feed.xml"}`},
			{"analyst.wu", "POST", "/api/v1/sources", `{"url":"https://example.com/feed.xml","language":"fr"}`},
			{"analyst.wu", "POST", "/api/v1/sources", `{"url":"https://example.com/feed.xml","interval_minutes":-3}`},
			{"official.ganzhou", "POST", "/api/v1/enterprises/" + gzCode + "/whitelist", `{}`},
			{"gzbank.officer", "GET", "/api/v1/items?since=notadate", ""},
		} {
			r := k.as(t, c.user, c.method, c.path, c.body)
			want(t, c.method+" "+c.path+" "+c.body, r, 400)
		}
		// Nothing changed.
		after := k.as(t, "gzbank.officer", "GET", "/api/v1/applications/"+gzID, "").obj(t)
		if fmt.Sprint(before["version"], before["summary"], before["state"]) != fmt.Sprint(after["version"], after["summary"], after["state"]) {
			t.Errorf("refused requests changed the application: %v/%v -> %v/%v", before["version"], before["state"], after["version"], after["state"])
		}
		usersAfter, _ := k.as(t, "admin", "GET", "/api/v1/users?limit=500", "").items(t)
		if len(usersAfter) != len(usersBefore) {
			t.Errorf("refused requests created users: %d -> %d", len(usersBefore), len(usersAfter))
		}
		srcs, _ := k.as(t, "analyst.wu", "GET", "/api/v1/sources?limit=500", "").items(t)
		for _, s := range srcs {
			if u, _ := s["url"].(string); strings.Contains(u, "127.0.0.1") || strings.Contains(u, "169.254") || strings.Contains(u, "localhost") || strings.Contains(u, "10.0.0.1") {
				t.Errorf("a refused source was stored: %s", u)
			}
		}
	})

	t.Run("review journey without names", func(t *testing.T) {
		k.reviewJourney(t, gzID)
	})
}

// expertNames maps every expert's id to its name (read as admin).
func (k *kclient) expertNames(t *testing.T) map[string]string {
	t.Helper()
	names := map[string]string{}
	cur := ""
	for {
		items, next := k.as(t, "admin", "GET", "/api/v1/experts?limit=500&cursor="+cur, "").items(t)
		for _, it := range items {
			if n, _ := it["name"].(string); n != "" {
				names[it["id"].(string)] = n
			}
		}
		if next == "" {
			return names
		}
		cur = next
	}
}

func (k *kclient) userIDs(t *testing.T) map[string]string {
	t.Helper()
	ids := map[string]string{}
	items, _ := k.as(t, "admin", "GET", "/api/v1/users?limit=500", "").items(t)
	for _, it := range items {
		ids[it["username"].(string)] = it["id"].(string)
	}
	return ids
}

// reviewJourney submits gzID, runs the assignment, lets each panel expert
// (with an account made for the test) accept, score and submit, and reads the
// report as the bank: it closes, has the contract's keys and names nobody.
func (k *kclient) reviewJourney(t *testing.T, appID string) {
	if r := k.as(t, "gzbank.officer", "POST", "/api/v1/applications/"+appID+"/submit", ""); r.status != 200 {
		t.Fatalf("submit = %d %s", r.status, r.body)
	}
	want(t, "report before the panel closed", k.as(t, "gzbank.officer", "GET", "/api/v1/applications/"+appID+"/report", ""), 409)
	want(t, "decision before the report", k.as(t, "gzbank.officer", "POST", "/api/v1/applications/"+appID+"/decision", `{"granted":true,"amount":3000000}`), 409)
	if r := k.as(t, "official.jiangxi", "POST", "/api/v1/assignments/run", ""); r.status != 200 {
		t.Fatalf("run = %d %.300s", r.status, r.body)
	}
	asg, _ := k.as(t, "official.jiangxi", "GET", "/api/v1/assignments?limit=500&application="+appID, "").items(t)
	if len(asg) == 0 {
		t.Fatal("no assignments for the submitted application")
	}
	ids := k.userIDs(t)
	today := time.Now().Format("2006-01-02")
	criteria := `{"originality":6,"barriers":7,"industrialisation":5,"team":6,"maturity":6,"rd_ip":7,"market":5}`
	for i, a := range asg {
		for _, key := range []string{"id", "application_id", "expert_id", "tier", "state", "due"} {
			if _, ok := a[key]; !ok {
				t.Errorf("assignment lacks %q: %v", key, a)
			}
		}
		id, exp := a["id"].(string), a["expert_id"].(string)
		user := "x.expert." + exp
		if _, ok := ids[user]; !ok {
			r := k.as(t, "admin", "POST", "/api/v1/users", fmt.Sprintf(`{"username":%q,"password":"Contract pass 2026 ok","role":"expert","expert_id":%q}`, user, exp))
			if r.status != 201 {
				t.Fatalf("create expert user = %d %s", r.status, r.body)
			}
		}
		base := "/api/v1/assignments/" + id
		if i == 0 {
			// Another expert cannot touch it; the bank cannot either.
			want(t, "expert.li accepts another's assignment", k.as(t, "expert.li", "POST", base+"/accept", ""), 404)
			want(t, "expert.li scores another's assignment", k.as(t, "expert.li", "PUT", base+"/score", `{"criteria":`+criteria+`,"recommendation":"support","confidence":2,"comment":"x"}`), 404)
			want(t, "the bank accepts an assignment", k.as(t, "gzbank.officer", "POST", base+"/accept", ""), 403)
		}
		if r := k.as(t, user, "POST", base+"/accept", ""); r.status != 200 {
			t.Fatalf("accept = %d %s", r.status, r.body)
		}
		for _, bad := range []string{
			`{"criteria":{"originality":10,"barriers":7,"industrialisation":5,"team":6,"maturity":6,"rd_ip":7,"market":5},"recommendation":"support","confidence":2,"comment":"x"}`,
			`{"criteria":{"originality":0,"barriers":7,"industrialisation":5,"team":6,"maturity":6,"rd_ip":7,"market":5},"recommendation":"support","confidence":2,"comment":"x"}`,
			`{"criteria":{"originality":5.5,"barriers":7,"industrialisation":5,"team":6,"maturity":6,"rd_ip":7,"market":5},"recommendation":"support","confidence":2,"comment":"x"}`,
			`{"criteria":{"charisma":5},"recommendation":"support","confidence":2,"comment":"x"}`,
			`{"criteria":` + criteria + `,"recommendation":"maybe","confidence":2,"comment":"x"}`,
			`{"criteria":` + criteria + `,"recommendation":"support","confidence":4,"comment":"x"}`,
			`{"criteria":` + criteria + `,"recommendation":"support","confidence":2,"comment":"x","maturity_stage":"mass"}`,
		} {
			want(t, "score "+bad, k.as(t, user, "PUT", base+"/score", bad), 400)
		}
		good := `{"criteria":` + criteria + `,"recommendation":"support","confidence":2,"comment":"工艺成熟度有待验证","risk_points":["量产良率"],"maturity_stage":"pilot"}`
		if r := k.as(t, user, "PUT", base+"/score", good); r.status != 200 {
			t.Fatalf("score = %d %s", r.status, r.body)
		}
		if r := k.as(t, user, "POST", base+"/submit", ""); r.status != 200 {
			t.Fatalf("submit score = %d %s", r.status, r.body)
		}
		want(t, "score after submit", k.as(t, user, "PUT", base+"/score", good), 409)
	}
	var rep kreply
	waitFor(t, 10*time.Second, "the panel to close", func() bool {
		rep = k.as(t, "gzbank.officer", "GET", "/api/v1/applications/"+appID+"/report", "")
		return rep.status == 200
	})
	m := rep.obj(t)
	for _, key := range []string{"overall", "criteria", "recommendations", "maturity_stage", "disagreement", "whitelisted", "panel"} {
		if _, ok := m[key]; !ok {
			t.Errorf("report lacks %q", key)
		}
	}
	if o, _ := m["overall"].(map[string]any); o == nil || o["mean"] == nil || o["median"] == nil || o["calibrated"] == nil {
		t.Errorf("report overall = %v", m["overall"])
	}
	if r, _ := m["recommendations"].(map[string]any); r == nil || r["support"] == nil || r["support_with_conditions"] == nil || r["do_not_support"] == nil {
		t.Errorf("report recommendations = %v", m["recommendations"])
	}
	if p, _ := m["panel"].([]any); len(p) != len(asg) {
		t.Errorf("report panel has %d members, the panel %d", len(p), len(asg))
	}
	names := k.expertNames(t)
	for _, who := range []string{"gzbank.officer", "gzbank.manager", "official.ganzhou"} {
		r := k.as(t, who, "GET", "/api/v1/applications/"+appID+"/report", "")
		if r.status != 200 {
			t.Errorf("report as %s = %d", who, r.status)
			continue
		}
		if who == "official.ganzhou" {
			continue
		}
		for _, a := range asg {
			exp := a["expert_id"].(string)
			if strings.Contains(string(r.body), names[exp]) || strings.Contains(string(r.body), exp) {
				t.Errorf("the report %s reads names expert %s (%s)", who, exp, names[exp])
			}
		}
		app := string(k.as(t, who, "GET", "/api/v1/applications/"+appID, "").body)
		for _, a := range asg {
			exp := a["expert_id"].(string)
			if strings.Contains(app, names[exp]) || strings.Contains(app, `"`+exp+`"`) {
				t.Errorf("the application %s reads names expert %s", who, exp)
			}
		}
	}
	want(t, "ncbank reads the report", k.as(t, "ncbank.officer", "GET", "/api/v1/applications/"+appID+"/report", ""), 404)
	want(t, "ncbank decides", k.as(t, "ncbank.officer", "POST", "/api/v1/applications/"+appID+"/decision", `{"granted":true,"amount":3000000,"date":"2026-11-01"}`), 404)
	want(t, "decision without granted", k.as(t, "gzbank.officer", "POST", "/api/v1/applications/"+appID+"/decision", `{"amount":3000000}`), 400)
	want(t, "decision with a bad date", k.as(t, "gzbank.officer", "POST", "/api/v1/applications/"+appID+"/decision", `{"granted":true,"amount":3000000,"date":"31/12/2026"}`), 400)
	if r := k.as(t, "gzbank.officer", "POST", "/api/v1/applications/"+appID+"/decision", `{"granted":true,"amount":3000000,"date":"`+today+`"}`); r.status != 200 {
		t.Errorf("decision = %d %s", r.status, r.body)
	}
	want(t, "a second decision", k.as(t, "gzbank.officer", "POST", "/api/v1/applications/"+appID+"/decision", `{"granted":false}`), 409)
}

// TestContractRateLimitDefault: the contract starts `serve` with no
// rate-limit flag; a test suite on loopback drives hundreds of requests a
// second from one address.
func TestContractRateLimitDefault(t *testing.T) {
	p := startServer(t, nil, "--data", t.TempDir(), "--demo")
	k := newKClient(p)
	for i := 0; i < 600; i++ {
		if r := k.as(t, "analyst.wu", "GET", "/api/v1/fields", ""); r.status == 429 {
			t.Fatalf("request %d from loopback = 429", i)
		}
	}
}

// TestContractReportsPaging: GET /api/v1/reports answers only the first
// `limit` reports with next_cursor "" and ignores cursor, so a client cannot
// page past them and a garbage cursor is not refused.
func TestContractReportsPaging(t *testing.T) {
	k := startContractServer(t)
	want(t, "reports with a garbage cursor", k.as(t, "admin", "GET", "/api/v1/reports?cursor=not-a-cursor!", ""), 400)
}

// run executes the binary with stdin and returns stdout, stderr and the exit code.
func runBinary(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "KEDAI_MONGODB_URI=")
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

func TestContractCommands(t *testing.T) {
	t.Run("match", func(t *testing.T) {
		in := `{"experts":[
  {"id":"e1","tier":"industry","fields":["semiconductors.ic-design"],"affiliations":["org:ganzhou-bank"],"capacity":3},
  {"id":"e2","tier":"industry","fields":["semiconductors.ic-design"],"affiliations":["org:x"],"capacity":1},
  {"id":"e3","tier":"academician","fields":["semiconductors.ic-design"],"affiliations":[],"capacity":1}],
 "applications":[{"id":"a1","field":"semiconductors.ic-design","parties":["org:ganzhou-bank","org:acme-ic"],"panel":{"academician":1,"industry":2}}],
 "affinity":[{"expert":"e1","application":"a1","score":0.9},{"expert":"e2","application":"a1","score":0.8},{"expert":"e3","application":"a1","score":0.5}]}`
		out, errOut, code := runBinary(t, in, "match")
		if code != 0 {
			t.Fatalf("match = %d %s", code, errOut)
		}
		var res struct {
			Assignments []struct {
				Application string   `json:"application"`
				Experts     []string `json:"experts"`
			} `json:"assignments"`
			Unfilled []struct {
				Application string `json:"application"`
				Tier        string `json:"tier"`
				Seats       int    `json:"seats"`
			} `json:"unfilled"`
			SeatsFilled   *int     `json:"seats_filled"`
			TotalAffinity *float64 `json:"total_affinity"`
		}
		if err := json.Unmarshal([]byte(out), &res); err != nil || res.SeatsFilled == nil || res.TotalAffinity == nil {
			t.Fatalf("match output: %v %s", err, out)
		}
		// e1 conflicts (its bank is a party): e2 and e3 fill 2 seats, one industry seat open.
		if *res.SeatsFilled != 2 || len(res.Unfilled) != 1 || res.Unfilled[0].Tier != "industry" || res.Unfilled[0].Seats != 1 {
			t.Errorf("match result: %s", out)
		}
		if d := *res.TotalAffinity - 1.3; d > 1e-6 || d < -1e-6 {
			t.Errorf("total_affinity = %v, want 1.3", *res.TotalAffinity)
		}
		for _, a := range res.Assignments {
			for _, e := range a.Experts {
				if e == "e1" {
					t.Errorf("a conflicted expert sits on the panel: %s", out)
				}
			}
		}
		for _, bad := range []string{
			``, `{"experts":[`, `not json`, `{"experts":[],"applications":[],"bogus":1}`,
			`{"experts":[{"id":"e1","tier":"wizard","fields":[],"capacity":1}],"applications":[]}`,
			`{"experts":[{"id":"e1","tier":"industry","fields":[],"capacity":-1}],"applications":[]}`,
			`{"experts":[{"id":"e1","tier":"industry","fields":[],"capacity":1},{"id":"e1","tier":"industry","fields":[],"capacity":1}],"applications":[]}`,
			`{"experts":[],"applications":[{"id":"a1","field":"x","parties":[],"panel":{"industry":-1}}]}`,
			`{"experts":[{"id":"e1","tier":"industry","fields":[],"capacity":1}],"applications":[{"id":"a1","field":"x","parties":[],"panel":{"industry":1}}],"affinity":[{"expert":"e9","application":"a1","score":1}]}`,
		} {
			out, errOut, code := runBinary(t, bad, "match")
			if code != 2 || strings.TrimSpace(errOut) == "" || out != "" {
				t.Errorf("match %q: exit %d, stdout %q, stderr %q; want exit 2, a message, no output", bad, code, out, errOut)
			}
		}
	})

	t.Run("classify", func(t *testing.T) {
		in := `{"id":"1","title":"碳酸锂价格暴跌，锂电池企业面临产能过剩","summary":"宜春锂矿减产"}
{"id":"2","title":"New EU export controls on gallium hit semiconductor supply chain","summary":""}
{"id":"3","title":"天气晴朗","summary":""}
`
		out, errOut, code := runBinary(t, in, "classify")
		if code != 0 {
			t.Fatalf("classify = %d %s", code, errOut)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 3 {
			t.Fatalf("classify wrote %d lines for 3: %s", len(lines), out)
		}
		labels := map[string]struct {
			Industries []string `json:"industries"`
			Dimensions []string `json:"dimensions"`
			Polarity   string   `json:"polarity"`
		}{}
		for _, l := range lines {
			var v struct {
				ID         string   `json:"id"`
				Industries []string `json:"industries"`
				Dimensions []string `json:"dimensions"`
				Polarity   string   `json:"polarity"`
			}
			if err := json.Unmarshal([]byte(l), &v); err != nil || v.Industries == nil || v.Dimensions == nil {
				t.Fatalf("classify line %q: %v", l, err)
			}
			labels[v.ID] = struct {
				Industries []string `json:"industries"`
				Dimensions []string `json:"dimensions"`
				Polarity   string   `json:"polarity"`
			}{v.Industries, v.Dimensions, v.Polarity}
		}
		if l := labels["1"]; !contains(l.Industries, "lithium-battery") || !contains(l.Dimensions, "market") || l.Polarity != "risk" {
			t.Errorf("classify 1 = %+v", l)
		}
		if l := labels["2"]; !contains(l.Industries, "semiconductors") || !contains(l.Dimensions, "supply-chain") || l.Polarity != "risk" {
			t.Errorf("classify 2 = %+v", l)
		}
		if l := labels["3"]; len(l.Industries) != 0 || l.Polarity != "neutral" {
			t.Errorf("classify 3 = %+v", l)
		}
		for _, bad := range []string{"not json\n", `{"title":"no id"}` + "\n"} {
			_, errOut, code := runBinary(t, bad, "classify")
			if code != 2 || strings.TrimSpace(errOut) == "" {
				t.Errorf("classify %q: exit %d stderr %q; want exit 2 and a message", bad, code, errOut)
			}
		}
	})

	t.Run("user add, audit verify, crawl, backup", func(t *testing.T) {
		dir := t.TempDir()
		if out, errOut, code := runBinary(t, "Contract pass 2026 ok\n", "user", "add", "--username", "x.official", "--role", "official", "--region", "3607", "--data", dir); code != 0 {
			t.Fatalf("user add = %d %s %s", code, out, errOut)
		}
		for _, args := range [][]string{
			{"--username", "x.o2", "--role", "official", "--region", "nowhere"},
			{"--username", "x.o3", "--role", "official"},
			{"--username", "x.e1", "--role", "expert"},
			{"--role", "analyst"},
			{"--username", "x.official", "--role", "analyst"},
		} {
			out, errOut, code := runBinary(t, "Contract pass 2026 ok\n", append(append([]string{"user", "add"}, args...), "--data", dir)...)
			if code == 0 || strings.TrimSpace(out+errOut) == "" {
				t.Errorf("user add %v: exit %d, %q %q", args, code, out, errOut)
			}
		}
		p := startServer(t, nil, "--data", dir, "--demo", "--crawl=false", "--rate-limit", "0")
		k := newKClient(p)
		r := k.raw(t, "POST", "/api/v1/auth/login", "application/json", `{"username":"x.official","password":"Contract pass 2026 ok"}`)
		if r.status != 200 {
			t.Fatalf("log in as the added user = %d %s", r.status, r.body)
		}
		if u := r.obj(t)["user"].(map[string]any); u["role"] != "official" || u["region"] != "3607" {
			t.Errorf("added user = %v", u)
		}
		out, errOut, code := runBinary(t, "", "crawl", "--once", "--all", "--data", dir)
		if code != 0 {
			t.Fatalf("crawl = %d %s", code, errOut)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		var sum map[string]any
		if len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &sum) != nil {
			t.Fatalf("crawl --once stdout is not one JSON line: %q", out)
		}
		for _, key := range []string{"sources", "fetched", "not_modified", "failed", "new_items", "seconds"} {
			if _, ok := sum[key].(float64); !ok {
				t.Errorf("crawl summary lacks the number %q: %s", key, out)
			}
		}
		if out, errOut, code := runBinary(t, "", "audit", "verify", "--data", dir); code != 0 || !strings.Contains(out+errOut, "intact") {
			t.Errorf("audit verify = %d %s %s", code, out, errOut)
		}
		bk := filepath.Join(t.TempDir(), "copy.db")
		if out, errOut, code := runBinary(t, "", "backup", "--out", bk, "--data", dir); code != 0 {
			t.Fatalf("backup = %d %s %s", code, out, errOut)
		}
		if fi, err := os.Stat(bk); err != nil || fi.Size() == 0 {
			t.Errorf("backup file: %v", err)
		}
		if _, _, code := runBinary(t, "", "backup", "--data", dir); code == 0 {
			t.Errorf("backup without --out succeeded")
		}
	})
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
