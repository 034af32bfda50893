package web_test

import (
	"net/http"
	"strings"
	"testing"

	"kedaitong/review"
)

// The data hub beside the review: the dishonest flag on applications (API
// and page), the differences between the bank's figures and the portrait
// on the report, and the portrait beside the dossier for assigned experts.

// TestApplicationAPIShowsDishonest: GET /api/v1/applications/{id} says
// "dishonest" (and carries the explained flag) while the enterprise is on
// a dishonesty list, and stops when the listing is lifted.
func TestApplicationAPIShowsDishonest(t *testing.T) {
	h := newHubEnv(t)
	id := h.createApp(t, h.officer, appBody("360702", 1))["id"].(string)
	get := func() map[string]any {
		t.Helper()
		r := h.do("GET", "/api/v1/applications/"+id, "", as(h.officer)...)
		if r.status != 200 {
			t.Fatalf("application = %d %s", r.status, r.body)
		}
		return r.json(t)
	}
	hasFlag := func(m map[string]any) bool {
		flags, _ := m["flags"].([]any)
		for _, f := range flags {
			if f.(map[string]any)["code"] == "dishonest" {
				return true
			}
		}
		return false
	}
	if m := get(); m["dishonest"] != false || hasFlag(m) {
		t.Fatalf("before listing: dishonest %v, flag %v", m["dishonest"], hasFlag(m))
	}
	h.importCSV(t, h.admin, "dishonesty", "credit_code,list,listed_on,lifted_on\n"+h.chip+",失信被执行人,2025-01-01,\n", 200)
	m := get()
	if m["dishonest"] != true || !hasFlag(m) {
		t.Fatalf("listed: dishonest %v, flag %v", m["dishonest"], hasFlag(m))
	}
	r := h.do("GET", "/api/v1/applications/"+id, "", as(h.officer)...)
	if !strings.Contains(string(r.body), "失信被执行人") || !strings.Contains(string(r.body), "2025-01-01") {
		t.Errorf("the flag does not name the list and date: %.400s", r.body)
	}
	// The list shows it too, for the region's official as well.
	r = h.do("GET", "/api/v1/applications?credit_code="+h.chip, "", as(h.city)...)
	if !strings.Contains(string(r.body), `"dishonest":true`) {
		t.Errorf("list: %.300s", r.body)
	}
	// Others still do not see the application at all.
	if r := h.do("GET", "/api/v1/applications/"+id, "", as(h.officer2)...); r.status != 404 {
		t.Errorf("another bank = %d", r.status)
	}
	// The page shows the explained flag (Chinese and English).
	for lang, want := range map[string]string{"zh-CN": "失信企业", "en": "Dishonest enterprise"} {
		r := h.do("GET", "/applications/"+id+"?lang="+lang, "", as(h.officer)...)
		if r.status != 200 || !strings.Contains(string(r.body), `data-flag="dishonest"`) || !strings.Contains(string(r.body), want) {
			t.Errorf("%s page: %d, flag missing", lang, r.status)
		}
	}
	// Lifted: no longer flagged.
	h.importCSV(t, h.admin, "dishonesty", "credit_code,list,listed_on,lifted_on\n"+h.chip+",失信被执行人,2025-01-01,2025-06-30\n", 200)
	if m := get(); m["dishonest"] != false || hasFlag(m) {
		t.Errorf("lifted: dishonest %v, flag %v", m["dishonest"], hasFlag(m))
	}
}

// hubScoringEnv is a scoring environment whose application's enterprise
// has a portrait in the data hub (revenue differing from the bank's), and
// another enterprise no expert is assigned.
func hubScoringEnv(t *testing.T) (s *scoringEnv, code, other string) {
	s = newScoringEnv(t)
	code, other = review.DemoCreditCode("360702", 7), review.DemoCreditCode("360702", 8)
	h := &hubEnv{env: s.env}
	h.importCSV(t, s.sec["admin"], "registration", "credit_code,name,region,founded,route\n"+
		code+",赣州芯研微电子有限公司,360702,2021-03-15,semiconductors.ic-design\n"+other+",赣州另一家科技有限公司,360702,2020-01-01,\n", 200)
	h.importCSV(t, s.sec["admin"], "tax", "credit_code,year,revenue,rd_spend\n"+code+",2025,15000000,6000000\n", 200)
	return s, code, other
}

// TestExpertReadsAssignedPortrait: an expert holding a seat on the panel
// reads the portrait of the application's enterprise (API, scoring page
// beside the dossier); an unassigned expert, or one who declined, gets 404.
func TestExpertReadsAssignedPortrait(t *testing.T) {
	s, code, other := hubScoringEnv(t)
	var seated []string
	unseated := ""
	for u := range seatUsers {
		if _, ok := s.seat[u]; ok {
			seated = append(seated, u)
		} else {
			unseated = u
		}
	}
	if unseated == "" || len(seated) < 2 {
		t.Fatalf("seats %v: want one expert without a seat", s.seat)
	}
	for _, u := range seated {
		if r := s.do("GET", "/api/v1/enterprises/"+code, "", as(s.sec[u])...); r.status != 200 || r.json(t)["name"] != "赣州芯研微电子有限公司" {
			t.Errorf("assigned %s: %d %.200s", u, r.status, r.body)
		}
		if r := s.do("GET", "/api/v1/enterprises/"+other, "", as(s.sec[u])...); r.status != 404 {
			t.Errorf("assigned %s reads an enterprise of no assignment: %d", u, r.status)
		}
	}
	if r := s.do("GET", "/api/v1/enterprises/"+code, "", as(s.sec[unseated])...); r.status != 404 {
		t.Errorf("unassigned %s: %d %.200s, want 404", unseated, r.status, r.body)
	}
	r := s.do("GET", "/api/v1/enterprises", "", as(s.sec[seated[0]])...)
	if items, _ := r.json(t)["items"].([]any); len(items) != 1 || !strings.Contains(string(r.body), code) {
		t.Errorf("assigned expert's list: %.300s", r.body)
	}
	if r := s.do("GET", "/api/v1/enterprises", "", as(s.sec[unseated])...); !strings.Contains(string(r.body), `"items":[]`) {
		t.Errorf("unassigned expert's list: %.300s", r.body)
	}
	// The scoring page shows the portrait inline beside the dossier, with
	// where the bank's figures differ, in both languages.
	u := seated[0]
	s.accept(t, u)
	for lang, want := range map[string]string{"zh-CN": "最近一年营业收入", "en": "Latest revenue"} {
		r := s.do("GET", "/assignments/"+s.seat[u]+"/score?lang="+lang, "", as(s.sec[u])...)
		body := string(r.body)
		if r.status != 200 || !strings.Contains(body, `id="hub-portrait"`) || !strings.Contains(body, `id="hub-maturity"`) ||
			!strings.Contains(body, "赣州芯研微电子有限公司") || !strings.Contains(body, want) || !strings.Contains(body, "15,000,000") {
			t.Errorf("%s scoring page: %d, portrait or differences missing", lang, r.status)
		}
	}
	// Another expert's seat: not found, and no portrait leaks.
	if r := s.do("GET", "/assignments/"+s.seat[seated[1]]+"/score", "", as(s.sec[unseated])...); r.status != 404 || strings.Contains(string(r.body), "hub-portrait") {
		t.Errorf("someone else's scoring page = %d", r.status)
	}
	// A seat declined: the portrait is gone for that expert.
	d := seated[1]
	if r := s.do("POST", "/api/v1/assignments/"+s.seat[d]+"/decline", `{"reason":"出差"}`, as(s.sec[d], appCT...)...); r.status != 200 {
		t.Fatalf("decline = %d %s", r.status, r.body)
	}
	if r := s.do("GET", "/api/v1/enterprises/"+code, "", as(s.sec[d])...); r.status != 404 {
		t.Errorf("after declining: %d, want 404", r.status)
	}
}

// TestReportShowsPortraitDifferences: the report (API and page) shows
// where the bank's figures differ from the portrait: field, bank's value,
// portrait's value.
func TestReportShowsPortraitDifferences(t *testing.T) {
	s, _, _ := hubScoringEnv(t)
	s.closePanel(t, nil, nil)
	r := s.report(t, "officer")
	m := r.json(t)
	if r.status != 200 || m["portrait_found"] != true || m["application_id"] != s.appID {
		t.Fatalf("report = %d %.300s", r.status, r.body)
	}
	var revenue map[string]any
	diffs, _ := m["portrait_differences"].([]any)
	for _, d := range diffs {
		if d := d.(map[string]any); d["field"] == "revenue" {
			revenue = d
		}
	}
	if revenue == nil || revenue["application"] != float64(12000000) || revenue["portrait"] != float64(15000000) {
		t.Errorf("revenue difference = %v (all: %v)", revenue, diffs)
	}
	for _, d := range diffs {
		if d.(map[string]any)["field"] == "rd_spend" || d.(map[string]any)["field"] == "name" {
			t.Errorf("equal figure listed as a difference: %v", d)
		}
	}
	// The region's official reads the same report with the differences.
	if r := s.report(t, "cityofficial"); r.status != 200 || !strings.Contains(string(r.body), `"portrait_differences":[{`) {
		t.Errorf("official's report = %d %.200s", r.status, r.body)
	}
	for lang, want := range map[string]string{"zh-CN": "银行填报与数据中心的差异", "en": "Latest revenue"} {
		r := s.do("GET", "/applications/"+s.appID+"/report?lang="+lang, "", as(s.sec["officer"])...)
		body := string(r.body)
		if r.status != http.StatusOK || !strings.Contains(body, `id="hub-diff-table"`) || !strings.Contains(body, want) ||
			!strings.Contains(body, "12,000,000") || !strings.Contains(body, "15,000,000") {
			t.Errorf("%s report page: %d, differences missing", lang, r.status)
		}
	}
}
