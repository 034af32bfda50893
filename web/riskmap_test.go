package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"kedaitong/internal/store"
	"kedaitong/review"
	"kedaitong/riskmap"
)

func init() {
	for k, v := range map[string][]string{
		"GET /api/v1/riskmap":                {"analyst", "bank_officer", "bank_manager", "official", "admin"},
		"GET /api/v1/riskmap/exposure":       {"bank_officer", "bank_manager"},
		"GET /api/v1/alerts":                 {"analyst", "bank_officer", "bank_manager", "official", "expert"},
		"GET /api/v1/alerts/unread":          {"analyst", "bank_officer", "bank_manager", "official", "expert"},
		"POST /api/v1/alerts/read":           {"analyst", "bank_officer", "bank_manager", "official", "expert"},
		"POST /api/v1/alerts/:id/read":       {"analyst", "bank_officer", "bank_manager", "official", "expert"},
		"GET /api/v1/alerts/rules":           {"analyst", "bank_officer", "bank_manager", "official", "expert"},
		"POST /api/v1/alerts/rules":          {"analyst", "bank_officer", "bank_manager", "official", "expert"},
		"DELETE /api/v1/alerts/rules/:id":    {"analyst", "bank_officer", "bank_manager", "official", "expert"},
		"GET /api/v1/alerts/webhooks":        {"bank_officer", "bank_manager"},
		"POST /api/v1/alerts/webhooks":       {"bank_manager"},
		"GET /api/v1/alerts/webhooks/:id":    {"bank_officer", "bank_manager"},
		"DELETE /api/v1/alerts/webhooks/:id": {"bank_manager"},
	} {
		allowedRoles[k] = v
	}
}

// riskmapEnv is a server with users, a day of counters and two banks'
// applications.
func riskmapEnv(t *testing.T) *env {
	e := newEnv(t)
	e.seedUsers()
	ctx := context.Background()
	rm, err := riskmap.Open(ctx, e.app.Store, nil, riskmap.Options{})
	if err != nil {
		t.Fatal(err)
	}
	today := riskmap.DayOf(time.Now())
	if err := rm.Add(ctx, today, map[string]int64{
		riskmap.CountField("semiconductors", "policy", "risk"):        4,
		riskmap.WeightField("semiconductors", "policy"):               6000,
		riskmap.CountField("semiconductors", "policy", "opportunity"): 1,
	}); err != nil {
		t.Fatal(err)
	}
	apps, err := e.app.Store.Collection(ctx, review.ApplicationsDef)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []review.Application{
		{ID: "app-g", BankID: "gzb", State: review.StateClosed, Route: "semiconductors.ic-design", Industry: "semiconductors", CreditCode: "91360702MA38XXXXX1",
			Enterprise: review.Enterprise{Name: "赣州芯研微电子有限公司"}, Loan: review.Loan{Amount: 3000000}, Decision: &review.Decision{Granted: true, Amount: 2500000, Date: "2026-01-10"}, CreatedMS: 1},
		{ID: "app-n", BankID: "ncb", State: review.StateSubmitted, Route: "photovoltaics.perovskite", Industry: "photovoltaics", CreditCode: "91360100MA35YYYYY2",
			Enterprise: review.Enterprise{Name: "南昌光谷新能源科技有限公司"}, Loan: review.Loan{Amount: 1000000}, CreatedMS: 2},
	} {
		if err := apps.Insert(ctx, a.ID, a); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func TestRiskmapAPI(t *testing.T) {
	e := riskmapEnv(t)
	an := as(e.login("analyst"))
	r := e.do("GET", "/api/v1/riskmap", "", an...)
	if r.status != 200 {
		t.Fatalf("riskmap: %d %s", r.status, r.body)
	}
	var m struct {
		Industries []string `json:"industries"`
		Dimensions []string `json:"dimensions"`
		Cells      []map[string]any
	}
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Industries) != 11 || len(m.Dimensions) != 5 || len(m.Cells) != 55 {
		t.Fatalf("shape: %d industries, %d dimensions, %d cells", len(m.Industries), len(m.Dimensions), len(m.Cells))
	}
	for _, c := range m.Cells {
		for _, k := range []string{"industry", "dimension", "score", "count", "trend", "low_confidence"} {
			if _, ok := c[k]; !ok {
				t.Fatalf("cell lacks %s: %v", k, c)
			}
		}
		if c["industry"] == "semiconductors" && c["dimension"] == "policy" {
			if c["count"].(float64) != 5 || c["risk_count"].(float64) != 4 || c["low_confidence"] != false || c["score"].(float64) <= 3 {
				t.Errorf("semiconductors/policy: %v", c)
			}
		} else if c["count"].(float64) != 0 || c["low_confidence"] != true {
			t.Errorf("an empty cell: %v", c)
		}
	}
	for _, tt := range []struct{ q, field string }{
		{"from=2026-03-10&to=2026-03-01", "from"},
		{"from=2023-01-01&to=2026-01-02", "to"},
		{"from=yesterday", "from"},
		{"to=2026-02-30", "to"},
	} {
		r := e.do("GET", "/api/v1/riskmap?"+tt.q, "", an...)
		if r.status != 400 || r.errorCode(t) != "invalid_input" {
			t.Errorf("%s: %d %s", tt.q, r.status, r.body)
		}
	}
	if r := e.do("GET", "/api/v1/riskmap", "", as(e.login("expert"))...); r.status != 403 {
		t.Errorf("expert: %d", r.status)
	}
	if r := e.do("GET", "/api/v1/riskmap", ""); r.status != 401 {
		t.Errorf("anonymous: %d", r.status)
	}
}

func TestRiskmapSVGAndCSV(t *testing.T) {
	e := riskmapEnv(t)
	an := as(e.login("analyst"))
	r := e.do("GET", "/riskmap.svg", "", an...)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "image/svg+xml") {
		t.Fatalf("svg: %d %s", r.status, r.header.Get("Content-Type"))
	}
	svg := string(r.body)
	for _, want := range []string{"<svg", "半导体", "政策", "url(#hatch)", "样本不足"} {
		if !strings.Contains(svg, want) {
			t.Errorf("the zh SVG lacks %q", want)
		}
	}
	if strings.Contains(svg, "<script") || strings.Contains(svg, "http://fonts") || strings.Contains(svg, "href=\"http") {
		t.Error("the SVG refers to scripts or external resources")
	}
	r = e.do("GET", "/riskmap.svg?from=2026-01-01&to=2026-01-31", "", append(an, "Accept-Language", "en")...)
	if r.status != 200 || !strings.Contains(string(r.body), "Semiconductors") || !strings.Contains(string(r.body), "Supply chain") {
		t.Errorf("en SVG: %d", r.status)
	}
	if r := e.do("GET", "/riskmap.svg?from=2026-03-10&to=2026-01-01", "", an...); r.status != 400 {
		t.Errorf("inverted SVG range: %d", r.status)
	}
	if r := e.do("GET", "/riskmap.svg", "", as(e.login("expert"))...); r.status != 403 {
		t.Errorf("expert SVG: %d", r.status)
	}
	if r := e.do("GET", "/riskmap.svg", ""); strings.HasPrefix(r.header.Get("Content-Type"), "image/svg") || strings.Contains(string(r.body), "<svg") {
		t.Errorf("an anonymous caller got the SVG: %d", r.status)
	}
	if r := e.do("GET", "/riskmap.svg", "", "Authorization", "Bearer kdt_nonsense"); r.status != http.StatusUnauthorized {
		t.Errorf("a bad token: %d", r.status)
	}
	r = e.do("GET", "/riskmap.csv", "", an...)
	lines := strings.Split(strings.TrimSpace(string(r.body)), "\n")
	if r.status != 200 || len(lines) != 56 || !strings.Contains(lines[0], "industry,industry_name,dimension") {
		t.Errorf("csv: %d, %d lines", r.status, len(lines))
	}
}

func TestExposureIsTheBanksOwn(t *testing.T) {
	e := riskmapEnv(t)
	r := e.do("GET", "/api/v1/riskmap/exposure", "", as(e.login("manager"))...)
	if r.status != 200 {
		t.Fatalf("exposure: %d %s", r.status, r.body)
	}
	var ex struct {
		BankID     string `json:"bank_id"`
		Industries []struct {
			Code   string
			Loans  int
			Amount int64
		}
		Enterprises []struct {
			CreditCode string  `json:"credit_code"`
			RouteScore float64 `json:"route_score"`
		}
	}
	json.Unmarshal(r.body, &ex)
	if ex.BankID != "gzb" || len(ex.Industries) != 1 || ex.Industries[0].Code != "semiconductors" || ex.Industries[0].Amount != 2500000 ||
		len(ex.Enterprises) != 1 || ex.Enterprises[0].CreditCode != "91360702MA38XXXXX1" || ex.Enterprises[0].RouteScore <= 3 {
		t.Errorf("gzb's exposure: %s", r.body)
	}
	r = e.do("GET", "/api/v1/riskmap/exposure", "", as(e.login("officer2"))...)
	if r.status != 200 || strings.Contains(string(r.body), "91360702MA38XXXXX1") || !strings.Contains(string(r.body), "91360100MA35YYYYY2") {
		t.Errorf("ncb sees: %d %s", r.status, r.body)
	}
	for _, u := range []string{"analyst", "official", "admin", "expert"} {
		if r := e.do("GET", "/api/v1/riskmap/exposure", "", as(e.login(u))...); r.status != 403 {
			t.Errorf("%s reads exposure: %d", u, r.status)
		}
	}
}

func TestAlertRulesAPI(t *testing.T) {
	e := riskmapEnv(t)
	an := as(e.login("analyst"), "Content-Type", "application/json")
	for _, body := range []string{
		`{}`,
		`{"industries":[],"routes":[],"dimensions":[]}`,
		`{"industries":["steel"]}`,
		`{"routes":["semiconductors.unknown"]}`,
		`{"dimensions":["weather"]}`,
		`{"dimensions":["market"],"severity":"high"}`,
		`{"industries":["semiconductors"],"severity":"extreme"}`,
		`{"industries":"semiconductors"}`,
		`not json`,
	} {
		r := e.do("POST", "/api/v1/alerts/rules", body, an...)
		if r.status != 400 {
			t.Errorf("%s: %d %s", body, r.status, r.body)
		}
	}
	if r := e.do("GET", "/api/v1/alerts/rules", "", an...); len(r.json(t)["items"].([]any)) != 0 {
		t.Errorf("refused rules stored: %s", r.body)
	}
	r := e.do("POST", "/api/v1/alerts/rules", `{"industries":["semiconductors"],"dimensions":["policy","supply-chain"],"severity":"high"}`, an...)
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	id := r.json(t)["id"].(string)
	if r := e.do("GET", "/api/v1/alerts/rules", "", as(e.login("official"))...); len(r.json(t)["items"].([]any)) != 0 {
		t.Errorf("another user sees the analyst's rule: %s", r.body)
	}
	if r := e.do("DELETE", "/api/v1/alerts/rules/"+id, "", as(e.login("official"))...); r.status != 404 {
		t.Errorf("another user deletes it: %d", r.status)
	}
	if r := e.do("POST", "/api/v1/alerts/rules", `{"industries":["semiconductors"]}`, as(e.login("admin"), "Content-Type", "application/json")...); r.status != 403 {
		t.Errorf("admin creates a rule: %d", r.status)
	}
	if r := e.do("DELETE", "/api/v1/alerts/rules/"+id, "", an...); r.status != 204 {
		t.Errorf("delete: %d", r.status)
	}
	r = e.do("GET", "/api/v1/alerts", "", an...)
	if r.status != 200 || r.header.Get("X-Unread-Count") != "0" {
		t.Errorf("inbox: %d %s", r.status, r.header.Get("X-Unread-Count"))
	}
	if r := e.do("GET", "/api/v1/alerts?unread=maybe", "", an...); r.status != 400 {
		t.Errorf("unread=maybe: %d", r.status)
	}
	if r := e.do("POST", "/api/v1/alerts/alr-0000000000000000/read", "", an...); r.status != 404 {
		t.Errorf("mark a missing alert: %d", r.status)
	}
}

func TestWebhookAPIRefusesUnsafeURLs(t *testing.T) {
	e := riskmapEnv(t)
	mg := as(e.login("manager"), "Content-Type", "application/json")
	for _, u := range []string{"http://127.0.0.1:9/hook", "http://169.254.169.254/latest", "http://10.0.0.5/x", "ftp://example.com/x", "", "not a url", "http://localhost/x"} {
		r := e.do("POST", "/api/v1/alerts/webhooks", `{"url":"`+u+`"}`, mg...)
		if r.status != 400 {
			t.Errorf("%q: %d %s", u, r.status, r.body)
		}
	}
	if r := e.do("GET", "/api/v1/alerts/webhooks", "", mg...); r.status != 200 || len(r.json(t)["items"].([]any)) != 0 {
		t.Errorf("refused webhooks stored: %s", r.body)
	}
	for _, who := range []string{"officer", "analyst", "official"} {
		if r := e.do("POST", "/api/v1/alerts/webhooks", `{"url":"https://example.com/hook"}`, as(e.login(who), "Content-Type", "application/json")...); r.status != 403 {
			t.Errorf("%s registers a webhook: %d", who, r.status)
		}
	}
	if r := e.do("GET", "/api/v1/alerts/webhooks/whk-0000000000000000", "", mg...); r.status != 404 {
		t.Errorf("missing webhook: %d", r.status)
	}
}

var _ = store.MaxBatch
