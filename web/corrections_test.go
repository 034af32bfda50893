package web_test

import (
	"net/http"
	"strings"
	"testing"
)

func init() {
	for _, r := range []string{"POST /api/v1/items/:id/correction", "GET /api/v1/items/:id/correction",
		"GET /api/v1/corrections", "GET /api/v1/corrections/export"} {
		allowedRoles[r] = []string{"admin", "analyst"}
	}
}

// cellCounts reads the risk map's risk and opportunity counts of a cell.
func cellCounts(t *testing.T, e *env, sec, q, industry, dimension string) (risk, opp float64) {
	t.Helper()
	r := e.do("GET", "/api/v1/riskmap?"+q, "", as(sec)...)
	if r.status != 200 {
		t.Fatalf("riskmap: %d %s", r.status, r.body)
	}
	for _, c := range r.json(t)["cells"].([]any) {
		c := c.(map[string]any)
		if c["industry"] == industry && c["dimension"] == dimension {
			return c["risk_count"].(float64), c["opportunity_count"].(float64)
		}
	}
	return 0, 0
}

// TestCorrectionsAPI: an analyst corrects an item's labels; the item, its
// filters and the risk map change at once; the correction is kept, audited
// and exported as training data.
func TestCorrectionsAPI(t *testing.T) {
	e := newIntelEnv(t, "127.0.0.1", false)
	feed := loopbackFeed(t, 3)
	an := e.login("analyst")
	r := e.do("POST", "/api/v1/sources", `{"url":"`+feed.URL+`/rss"}`, as(an, "Content-Type", jsonCT)...)
	if r.status != 201 {
		t.Fatalf("create source: %d %s", r.status, r.body)
	}
	if r = e.do("POST", "/api/v1/sources/"+r.json(t)["id"].(string)+"/refresh", "", as(an)...); r.status != 200 {
		t.Fatalf("refresh: %d %s", r.status, r.body)
	}
	r = e.do("GET", "/api/v1/items?industry=lithium-battery", "", as(an)...)
	var item map[string]any
	for _, x := range r.json(t)["items"].([]any) {
		if x := x.(map[string]any); x["cluster_first"] == true {
			item = x // the risk map counts each cluster once, by its first item
		}
	}
	if item == nil {
		t.Fatalf("no cluster's first item among %s", r.body)
	}
	id := item["id"].(string)
	const window = "from=2026-03-01&to=2026-03-03"
	liRisk, _ := cellCounts(t, e, an, window, "lithium-battery", "market")
	if liRisk == 0 || item["polarity"] != "risk" {
		t.Fatalf("before the correction: lithium-battery/market risk %v, item %v", liRisk, item)
	}

	r = e.do("POST", "/api/v1/items/"+id+"/correction", `{"industries":["photovoltaics"],"dimensions":["policy"],"polarity":"opportunity","note":"示例更正"}`, as(an, "Content-Type", jsonCT)...)
	if r.status != 200 {
		t.Fatalf("correct: %d %s", r.status, r.body)
	}
	if got := r.json(t); got["polarity"] != "opportunity" || got["industries"].([]any)[0] != "photovoltaics" {
		t.Errorf("corrected item = %s", r.body)
	}
	if risk, _ := cellCounts(t, e, an, window, "lithium-battery", "market"); risk != liRisk-1 {
		t.Errorf("lithium-battery/market risk after the correction = %v, want %v", risk, liRisk-1)
	}
	if _, opp := cellCounts(t, e, an, window, "photovoltaics", "policy"); opp != 1 {
		t.Errorf("photovoltaics/policy opportunity after the correction = %v, want 1", opp)
	}
	off := e.login("officer")
	r = e.do("GET", "/api/v1/items?industry=photovoltaics&dimension=policy", "", as(off)...)
	if l := r.json(t)["items"].([]any); len(l) != 1 || l[0].(map[string]any)["id"] != id {
		t.Errorf("items?industry=photovoltaics: %s", r.body)
	}
	r = e.do("GET", "/api/v1/items/"+id+"/correction", "", as(an)...)
	rec := r.json(t)
	if r.status != 200 || rec["classifier"].(map[string]any)["polarity"] != "risk" || rec["by_name"] != "analyst" || rec["note"] != "示例更正" {
		t.Errorf("correction record: %d %s", r.status, r.body)
	}
	r = e.do("GET", "/api/v1/corrections", "", as(an)...)
	if l := r.json(t)["items"].([]any); len(l) != 1 {
		t.Errorf("corrections list: %s", r.body)
	}
	r = e.do("GET", "/api/v1/corrections/export", "", as(e.login("admin"))...)
	lines := strings.Split(strings.TrimSpace(string(r.body)), "\n")
	if r.status != 200 || len(lines) != 1 || !strings.Contains(lines[0], `"polarity":"opportunity"`) || !strings.Contains(lines[0], `"split":"train"`) {
		t.Errorf("export: %d %s", r.status, r.body)
	}
	r = e.do("GET", "/api/v1/audit?limit=20", "", as(e.login("admin"))...)
	if !strings.Contains(string(r.body), "item.correct") {
		t.Errorf("the correction is not in the audit log: %s", r.body)
	}
}

func TestCorrectionsAPIRefused(t *testing.T) {
	e := newIntelEnv(t, "127.0.0.1", false)
	feed := loopbackFeed(t, 1)
	an := e.login("analyst")
	r := e.do("POST", "/api/v1/sources", `{"url":"`+feed.URL+`/rss"}`, as(an, "Content-Type", jsonCT)...)
	e.do("POST", "/api/v1/sources/"+r.json(t)["id"].(string)+"/refresh", "", as(an)...)
	id := e.do("GET", "/api/v1/items", "", as(an)...).json(t)["items"].([]any)[0].(map[string]any)["id"].(string)
	good := `{"industries":["photovoltaics"],"dimensions":["policy"],"polarity":"risk"}`
	cases := []struct {
		name, who, id, body string
		status              int
		code                string
	}{
		{"bad JSON", "analyst", id, `{"industries":`, 400, "invalid_input"},
		{"unknown field", "analyst", id, `{"industries":[],"polarity":"risk","labels":1}`, 400, "invalid_input"},
		{"unknown industry", "analyst", id, `{"industries":["steel"],"dimensions":[],"polarity":"risk"}`, 400, "invalid_input"},
		{"unknown dimension", "analyst", id, `{"industries":[],"dimensions":["weather"],"polarity":"risk"}`, 400, "invalid_input"},
		{"no polarity", "analyst", id, `{"industries":[],"dimensions":[]}`, 400, "invalid_input"},
		{"long note", "analyst", id, `{"industries":[],"polarity":"risk","note":"` + strings.Repeat("长", 501) + `"}`, 400, "invalid_input"},
		{"no such item", "analyst", "nope", good, 404, "not_found"},
		{"bank officer", "officer", id, good, 403, "forbidden"},
		{"official", "official", id, good, 403, "forbidden"},
		{"expert", "expert", id, good, 403, "forbidden"},
	}
	for _, c := range cases {
		r := e.do("POST", "/api/v1/items/"+c.id+"/correction", c.body, as(e.login(c.who), "Content-Type", jsonCT)...)
		if r.status != c.status || r.errorCode(t) != c.code {
			t.Errorf("%s: %d %s, want %d %s", c.name, r.status, r.body, c.status, c.code)
		}
	}
	if r := e.do("GET", "/api/v1/items/"+id+"/correction", "", as(an)...); r.status != http.StatusNotFound {
		t.Errorf("an uncorrected item's correction: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/api/v1/corrections/export", "", as(e.login("officer"))...); r.status != http.StatusForbidden {
		t.Errorf("officer export: %d", r.status)
	}
	if r := e.do("GET", "/api/v1/corrections?cursor=not*a*cursor", "", as(an)...); r.status != http.StatusBadRequest {
		t.Errorf("bad cursor: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/api/v1/items/"+id, "", as(an)...); r.json(t)["polarity"] != "risk" || !strings.Contains(string(r.body), "lithium-battery") {
		t.Errorf("refused corrections changed the item: %s", r.body)
	}
}
