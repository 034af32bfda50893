package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

func init() {
	allowedRoles["POST /api/v1/assignments/run"] = []string{"official", "admin"}
	allowedRoles["GET /api/v1/assignments"] = []string{"expert", "official", "admin"}
	allowedRoles["GET /api/v1/assignments/:id"] = []string{"expert", "official", "admin"}
	allowedRoles["POST /api/v1/assignments/:id/accept"] = []string{"expert"}
	allowedRoles["POST /api/v1/assignments/:id/decline"] = []string{"expert"}
	allowedRoles["GET /api/v1/applications/:id/panel"] = []string{"official", "admin"}
}

// panelEnv is a server with users, experts and one submitted application
// of bank gzb in Ganzhou (360702).
type panelEnv struct {
	*env
	sec   map[string]string
	appID string
}

func newPanelEnv(t *testing.T) *panelEnv { return newPanelEnvWith(t, nil) }

// newPanelEnvWith is newPanelEnv with draft run on the application before
// it is submitted (as the officer: add an attachment, ...).
func newPanelEnvWith(t *testing.T, draft func(e *env, officer, appID string)) *panelEnv {
	e := newEnv(t)
	e.seedUsers()
	p := &panelEnv{env: e, sec: map[string]string{}}
	for _, u := range []string{"admin", "officer", "expert", "official", "cityofficial", "analyst"} {
		p.sec[u] = e.login(u)
	}
	for _, x := range []string{
		`{"id":"exp-1","name":"李院士","tier":"academician","fields":["semiconductors.ic-design"],"capacity":3}`,
		`{"id":"exp-2","name":"王院士","tier":"academician","fields":["semiconductors"],"capacity":3}`,
		`{"id":"exp-3","name":"张工","tier":"industry","fields":["semiconductors.ic-design"]}`,
		`{"id":"exp-4","name":"刘工","tier":"industry","fields":["semiconductors.power-devices"]}`,
		`{"id":"exp-5","name":"陈工","tier":"industry","fields":["semiconductors.ic-design"],"organisations":[{"name":"gzb","from":"2020-01-01"}]}`,
		`{"id":"exp-6","name":"赵教授","tier":"finance","fields":["semiconductors"],"specialities":["sci-tech-credit"]}`,
	} {
		if r := e.do("POST", "/api/v1/experts", x, as(p.sec["admin"], appCT...)...); r.status != http.StatusCreated {
			t.Fatalf("create expert = %d %s", r.status, r.body)
		}
	}
	app := e.createApp(t, p.sec["officer"], appBody("360702", 7))
	p.appID = app["id"].(string)
	if draft != nil {
		draft(e, p.sec["officer"], p.appID)
	}
	if r := e.do("POST", "/api/v1/applications/"+p.appID+"/submit", "", as(p.sec["officer"])...); r.status != 200 {
		t.Fatalf("submit = %d %s", r.status, r.body)
	}
	return p
}

func (p *panelEnv) items(t *testing.T, who, path string) []map[string]any {
	t.Helper()
	r := p.do("GET", path, "", as(p.sec[who])...)
	if r.status != 200 {
		t.Fatalf("GET %s as %s = %d %s", path, who, r.status, r.body)
	}
	var out []map[string]any
	for _, it := range r.json(t)["items"].([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}

func TestAssignmentsAPIJourney(t *testing.T) {
	p := newPanelEnv(t)
	// Before a run the expert has nothing; the official sees an empty panel.
	if got := p.items(t, "expert", "/api/v1/assignments"); len(got) != 0 {
		t.Fatalf("before the run: %v", got)
	}
	r := p.do("POST", "/api/v1/assignments/run", "", as(p.sec["official"])...)
	if r.status != 200 {
		t.Fatalf("run = %d %s", r.status, r.body)
	}
	run := r.json(t)
	if run["seats_filled"].(float64) != 4 || run["seats_open"].(float64) != 0 {
		t.Fatalf("run = %s", r.body)
	}
	// The expert sees its own invitation, in the contract's shape.
	mine := p.items(t, "expert", "/api/v1/assignments")
	if len(mine) != 1 {
		t.Fatalf("expert sees %d assignments, want its one", len(mine))
	}
	a := mine[0]
	for _, k := range []string{"id", "application_id", "expert_id", "tier", "state", "due"} {
		if _, ok := a[k]; !ok {
			t.Errorf("assignment lacks %q: %v", k, a)
		}
	}
	if a["expert_id"] != "exp-1" || a["state"] != "invited" || a["application_id"] != p.appID || a["tier"] != "academician" {
		t.Errorf("assignment = %v", a)
	}
	due, err := time.Parse(time.RFC3339, a["due"].(string))
	if err != nil || due.Before(time.Now().Add(71*time.Hour)) {
		t.Errorf("due = %v (%v), want about three days ahead", a["due"], err)
	}
	// Filters narrow: state, application; an expert never sees others'.
	if got := p.items(t, "expert", "/api/v1/assignments?state=accepted"); len(got) != 0 {
		t.Errorf("state filter: %v", got)
	}
	if got := p.items(t, "official", "/api/v1/assignments?application="+p.appID); len(got) != 4 {
		t.Errorf("official by application: %d, want 4", len(got))
	}
	if got := p.items(t, "cityofficial", "/api/v1/assignments?state=invited"); len(got) != 4 {
		t.Errorf("Ganzhou official: %d, want 4", len(got))
	}
	// The panel: names and exclusion reasons for officials.
	r = p.do("GET", "/api/v1/applications/"+p.appID+"/panel", "", as(p.sec["cityofficial"])...)
	if r.status != 200 {
		t.Fatalf("panel = %d %s", r.status, r.body)
	}
	body := string(r.body)
	if !strings.Contains(body, `"reason":"bank_org"`) || !strings.Contains(body, "陈工") || !strings.Contains(body, "李院士") {
		t.Errorf("panel lacks the bank conflict or names: %s", body)
	}
	if v := r.json(t); v["application_state"] != "in_review" {
		t.Errorf("application state = %v", v["application_state"])
	}

	id := a["id"].(string)
	// Decline without a reason: 400, nothing changes.
	r = p.do("POST", "/api/v1/assignments/"+id+"/decline", `{"reason":""}`, as(p.sec["expert"], appCT...)...)
	if r.status != 400 || r.errorCode(t) != "invalid_input" {
		t.Errorf("decline without reason = %d %s", r.status, r.body)
	}
	r = p.do("POST", "/api/v1/assignments/"+id+"/decline", `{"reason":"x"}`, as(p.sec["expert"])...)
	if r.status != http.StatusUnsupportedMediaType {
		t.Errorf("decline without JSON = %d", r.status)
	}
	if got := p.items(t, "expert", "/api/v1/assignments?state=invited"); len(got) != 1 {
		t.Errorf("refused declines changed the state")
	}
	// Accept, then accept again: 409.
	r = p.do("POST", "/api/v1/assignments/"+id+"/accept", "", as(p.sec["expert"])...)
	if r.status != 200 || r.json(t)["state"] != "accepted" {
		t.Fatalf("accept = %d %s", r.status, r.body)
	}
	r = p.do("POST", "/api/v1/assignments/"+id+"/accept", "", as(p.sec["expert"])...)
	if r.status != 409 || r.errorCode(t) != "conflict" {
		t.Errorf("second accept = %d %s", r.status, r.body)
	}
	// Unknown ids are 404.
	for _, path := range []string{"/api/v1/assignments/asg-0000000000000000/accept", "/api/v1/assignments/nope/decline"} {
		body := `{"reason":"x"}`
		if strings.HasSuffix(path, "/accept") {
			body = ""
		}
		r = p.do("POST", path, body, as(p.sec["expert"], appCT...)...)
		if r.status != 404 {
			t.Errorf("%s = %d %s", path, r.status, r.body)
		}
	}
	if r = p.do("GET", "/api/v1/applications/app-0000000000000000/panel", "", as(p.sec["official"])...); r.status != 404 {
		t.Errorf("unknown panel = %d", r.status)
	}
	// Decline the accepted assignment: a replacement academician is invited.
	r = p.do("POST", "/api/v1/assignments/"+id+"/decline", `{"reason":"临时出国"}`, as(p.sec["expert"], appCT...)...)
	if r.status != 200 || r.json(t)["state"] != "declined" {
		t.Fatalf("decline = %d %s", r.status, r.body)
	}
	var aca []string
	for _, x := range p.items(t, "admin", "/api/v1/assignments?application="+p.appID+"&state=invited") {
		if x["tier"] == "academician" {
			aca = append(aca, x["expert_id"].(string))
		}
	}
	if len(aca) != 1 || aca[0] != "exp-2" {
		t.Errorf("replacement academician = %v, want exp-2", aca)
	}
	// The audit log has the decisions.
	r = p.do("GET", "/api/v1/audit?limit=500", "", as(p.sec["admin"])...)
	for _, action := range []string{"assignment.run", "assignment.invite", "panel.assign", "assignment.accept", "assignment.decline"} {
		if !strings.Contains(string(r.body), `"`+action+`"`) {
			t.Errorf("audit lacks %s", action)
		}
	}
}

func TestAssignmentsForbiddenAndBadInput(t *testing.T) {
	p := newPanelEnv(t)
	if r := p.do("POST", "/api/v1/assignments/run", "{}", as(p.sec["admin"], appCT...)...); r.status != 200 {
		t.Fatalf("run = %d %s", r.status, r.body)
	}
	for _, c := range []struct {
		who, method, path, body string
		status                  int
	}{
		{"officer", "POST", "/api/v1/assignments/run", "", 403},
		{"analyst", "GET", "/api/v1/assignments", "", 403},
		{"officer", "GET", "/api/v1/applications/" + p.appID + "/panel", "", 403},
		{"expert", "GET", "/api/v1/applications/" + p.appID + "/panel", "", 403},
		{"official", "POST", "/api/v1/assignments/asg-0000000000000000/accept", "", 403},
		{"admin", "GET", "/api/v1/assignments?state=bogus", "", 400},
		{"admin", "GET", "/api/v1/assignments?limit=0", "", 400},
		{"admin", "GET", "/api/v1/assignments?cursor=zzz", "", 400},
		{"admin", "POST", "/api/v1/assignments/run", "[1,2", 400},
	} {
		hdr := as(p.sec[c.who], appCT...)
		r := p.do(c.method, c.path, c.body, hdr...)
		if r.status != c.status {
			t.Errorf("%s %s as %s = %d %s, want %d", c.method, c.path, c.who, r.status, r.body, c.status)
			continue
		}
		r.errorCode(t)
	}
	// Another expert's assignment is not found, not forbidden.
	var other string
	for _, x := range p.items(t, "admin", "/api/v1/assignments") {
		if x["expert_id"] != "exp-1" {
			other = x["id"].(string)
		}
	}
	if r := p.do("POST", "/api/v1/assignments/"+other+"/accept", "", as(p.sec["expert"])...); r.status != 404 {
		t.Errorf("accepting another expert's = %d", r.status)
	}
	if r := p.do("GET", "/api/v1/assignments/"+other, "", as(p.sec["expert"])...); r.status != 404 {
		t.Errorf("reading another expert's = %d", r.status)
	}
	if r := p.do("POST", "/api/v1/assignments/"+other+"/decline", `{"reason":"x","extra":1}`, as(p.sec["expert"], appCT...)...); r.status != 400 {
		t.Errorf("unknown field = %d", r.status)
	}
}

func TestAssignmentExpiryOverHTTP(t *testing.T) {
	p := newPanelEnv(t)
	if r := p.do("POST", "/api/v1/assignments/run", "", as(p.sec["official"])...); r.status != 200 {
		t.Fatalf("run = %d %s", r.status, r.body)
	}
	later := time.Now().Add(73 * time.Hour)
	p.app.Panel.SetClock(func() time.Time { return later })
	n, err := p.app.Panel.Sweep(context.Background())
	if err != nil || n != 4 {
		t.Fatalf("sweep = %d, %v; want all four expired", n, err)
	}
	mine := p.items(t, "expert", "/api/v1/assignments")
	if len(mine) != 1 || mine[0]["state"] != "expired" {
		t.Errorf("expert's assignments after expiry = %v", mine)
	}
	// exp-2 replaced exp-1 as the academician; exp-1 is not invited again.
	var aca []string
	for _, x := range p.items(t, "admin", "/api/v1/assignments?state=invited") {
		if x["tier"] == "academician" {
			aca = append(aca, x["expert_id"].(string))
		}
	}
	if len(aca) != 1 || aca[0] != "exp-2" {
		t.Errorf("academician replacement = %v, want exp-2", aca)
	}
	r := p.do("POST", "/api/v1/assignments/"+mine[0]["id"].(string)+"/accept", "", as(p.sec["expert"])...)
	if r.status != 409 {
		t.Errorf("accepting an expired invitation = %d", r.status)
	}
}
