package web_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// todoSection returns the HTML of one to-do section of a home page.
func todoSection(t *testing.T, body []byte, id string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<section class="card todo-` + id + `" id="todo-` + id + `"[^>]*>(.*?)</section>`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("the home page has no %q section", id)
	}
	return string(m[1])
}

// TestHomeTodo: after log-in each role lands on what waits for it, named
// by enterprise (not by internal id): the expert its invitation, the bank
// its draft, the official nothing of another region.
func TestHomeTodo(t *testing.T) {
	p := newPanelEnv(t)
	r := p.do("GET", "/", "", as(p.sec["official"])...)
	if w := todoSection(t, r.body, "waiting_panel"); !strings.Contains(w, "赣州芯研微电子有限公司") {
		t.Errorf("the official's applications waiting for a panel: %s", w)
	}
	if r := p.do("POST", "/api/v1/assignments/run", "", as(p.sec["official"])...); r.status != 200 {
		t.Fatalf("run = %d %s", r.status, r.body)
	}
	r = p.do("GET", "/", "", as(p.sec["expert"])...)
	if r.status != 200 {
		t.Fatalf("home = %d", r.status)
	}
	inv := todoSection(t, r.body, "invitations")
	if !strings.Contains(inv, "赣州芯研微电子有限公司") || strings.Contains(inv, ">app-") {
		t.Errorf("the expert's invitations do not name the enterprise: %s", inv)
	}
	draft := p.createApp(t, p.sec["officer"], appBody("360702", 8))
	r = p.do("GET", "/?lang=en", "", as(p.sec["officer"])...)
	if d := todoSection(t, r.body, "drafts"); !strings.Contains(d, "/applications/"+draft["id"].(string)) {
		t.Errorf("the officer's drafts do not list the new draft: %s", d)
	}
	if !strings.Contains(string(r.body), "Drafts to submit") {
		t.Errorf("the English home page is not in English")
	}
	// The city official of another city sees no Ganzhou application waiting.
	r = p.do("GET", "/", "", as(p.sec["analyst"])...)
	if r.status != 200 || strings.Contains(string(r.body), "todo-drafts") {
		t.Errorf("the analyst's home lists a bank's drafts (%d)", r.status)
	}
	// A visitor still sees the platform's pitch.
	if r := p.do("GET", "/", ""); r.status != 200 || strings.Contains(string(r.body), "home-todo") {
		t.Errorf("a visitor's home = %d", r.status)
	}
}

// TestInvitationNotifies: an invited expert finds the invitation in the
// inbox, named by enterprise with its deadline in Beijing time, linking to
// the invitations; another expert gets nothing.
func TestInvitationNotifies(t *testing.T) {
	p := newPanelEnv(t)
	if r := p.do("POST", "/api/v1/assignments/run", "", as(p.sec["official"])...); r.status != 200 {
		t.Fatalf("run = %d %s", r.status, r.body)
	}
	r := p.do("GET", "/api/v1/notifications", "", as(p.sec["expert"])...)
	found := false
	for _, it := range r.json(t)["items"].([]any) {
		n := it.(map[string]any)
		if n["kind"] == "assignment.invited" {
			found = true
			if b, _ := json.Marshal(n); !strings.Contains(string(b), "赣州芯研微电子有限公司") || !strings.Contains(string(b), "/assignments") || !strings.Contains(string(b), "北京时间") {
				t.Errorf("the invitation's notification = %s", b)
			}
		}
	}
	if !found {
		t.Fatalf("the invited expert has no notification: %s", r.body)
	}
	if r := p.do("GET", "/api/v1/notifications", "", as(p.sec["official"])...); strings.Contains(string(r.body), "assignment.invited") {
		t.Errorf("the official got the expert's invitation: %s", r.body)
	}
}
