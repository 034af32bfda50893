package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// Issue 15.2: an expert who declares a conflict of interest with an
// application it already holds loses the seat at once — no dossier, no
// scoring — and a replacement is invited.
func TestConflictDeclaredAfterAssignmentOverHTTP(t *testing.T) {
	s := newScoringEnv(t)
	seat := s.seat["expert"]
	if seat == "" {
		t.Fatalf("exp-1 was not seated: %v", s.seat)
	}
	s.accept(t, "expert")
	if r := s.put("expert", scoreJSON(6, "support")); r.status != 200 {
		t.Fatalf("draft = %d %s", r.status, r.body)
	}
	dossier := "/api/v1/assignments/" + seat + "/dossier"
	if r := s.do("GET", dossier, "", as(s.sec["expert"])...); r.status != 200 {
		t.Fatalf("dossier before = %d %s", r.status, r.body)
	}
	r := s.do("GET", "/api/v1/applications/"+s.appID, "", as(s.sec["officer"])...)
	if r.status != 200 {
		t.Fatalf("application = %d %s", r.status, r.body)
	}
	ent := r.json(t)["enterprise"].(map[string]any)
	declare := fmt.Sprintf(`{"conflicts":[{"name":%q,"reason":"曾任该企业技术顾问"}]}`, ent["name"])

	// Another expert cannot declare it for exp-1; bad input changes nothing.
	if r := s.do("PATCH", "/api/v1/experts/exp-1", declare, as(s.sec["e3"], appCT...)...); r.status != http.StatusNotFound && r.status != http.StatusForbidden {
		t.Errorf("another expert's declaration = %d, want 404 or 403", r.status)
	}
	if r := s.do("PATCH", "/api/v1/experts/exp-1", `{"conflicts":[{"name":""}]}`, as(s.sec["expert"], appCT...)...); r.status != http.StatusBadRequest {
		t.Errorf("a conflict without a name = %d, want 400", r.status)
	}
	if r := s.do("GET", dossier, "", as(s.sec["expert"])...); r.status != 200 {
		t.Fatalf("dossier after refused declarations = %d %s", r.status, r.body)
	}

	if r := s.do("PATCH", "/api/v1/experts/exp-1", declare, as(s.sec["expert"], appCT...)...); r.status != 200 {
		t.Fatalf("declaration = %d %s", r.status, r.body)
	}
	a := s.do("GET", "/api/v1/assignments/"+seat, "", as(s.sec["expert"])...)
	if a.status != 200 {
		t.Fatalf("assignment = %d %s", a.status, a.body)
	}
	if m := a.json(t); m["state"] != "declined" || !strings.HasPrefix(fmt.Sprint(m["reason"]), "conflict of interest") {
		t.Errorf("assignment after the declaration = %v %v, want declined for a conflict of interest", m["state"], m["reason"])
	}
	for _, c := range []struct{ what, method, path, body string }{
		{"dossier", "GET", dossier, ""},
		{"score", "PUT", "/api/v1/assignments/" + seat + "/score", scoreJSON(6, "support")},
		{"submit", "POST", "/api/v1/assignments/" + seat + "/submit", ""},
		{"accept", "POST", "/api/v1/assignments/" + seat + "/accept", ""},
	} {
		hdr := as(s.sec["expert"])
		if c.body != "" {
			hdr = as(s.sec["expert"], appCT...)
		}
		if r := s.do(c.method, c.path, c.body, hdr...); r.status != http.StatusConflict {
			t.Errorf("%s after the declaration = %d, want 409: %s", c.what, r.status, r.body)
		}
	}
	// The replacement: exp-2 is invited to the academician seat; exp-1 is
	// off the panel and among its refusals.
	replaced := false
	for _, x := range s.items(t, "official", "/api/v1/assignments?application="+s.appID) {
		if x["expert_id"] == "exp-2" && x["state"] == "invited" {
			replaced = true
		}
	}
	if !replaced {
		t.Errorf("no replacement invited: %v", s.items(t, "official", "/api/v1/assignments?application="+s.appID))
	}
	p := s.do("GET", "/api/v1/applications/"+s.appID+"/panel", "", as(s.sec["official"])...)
	if p.status != 200 {
		t.Fatalf("panel = %d %s", p.status, p.body)
	}
	for _, m := range p.json(t)["members"].([]any) {
		if m.(map[string]any)["expert_id"] == "exp-1" {
			t.Error("exp-1 still holds a seat")
		}
	}
	refused := false
	for _, m := range p.json(t)["refused"].([]any) {
		refused = refused || m.(map[string]any)["expert_id"] == "exp-1"
	}
	if !refused {
		t.Error("exp-1 is not among the panel's refusals")
	}
	// The pages say why, in the page's language: the expert's list and
	// the officials' panel page.
	for _, c := range []struct{ who, path, want string }{
		{"expert", "/assignments", "已终止：存在利益冲突"},
		{"expert", "/assignments?lang=en", "Ended: conflict of interest"},
		{"official", "/applications/" + s.appID + "/panel", "已终止：存在利益冲突（本人申报的利益冲突）"},
		{"official", "/applications/" + s.appID + "/panel?lang=en", "Ended: conflict of interest（Declared conflict）"},
	} {
		r := s.do("GET", c.path, "", as(s.sec[c.who])...)
		if r.status != 200 || !strings.Contains(string(r.body), c.want) {
			t.Errorf("%s %s = %d, want %q on the page", c.who, c.path, r.status, c.want)
		}
	}
}
