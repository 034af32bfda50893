package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// The same class of defect as issue 15.1/15.2, looked for everywhere: one
// bank's application, reached through every GET route and page that takes
// an id, by every caller who may not know of it — another bank, an expert
// not assigned to it, an official of another region, an analyst, an
// investor — is never answered with 200. Routes with a second parameter
// (a dossier file) are probed with a real one.
func TestSecurityScopeProbeEveryIDRoute(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	gz := e.login("officer")
	app := e.createApp(t, gz, appBody("360702", 21))
	id := app["id"].(string)
	up := e.upload(t, gz, id, "技术方案.pdf", []byte("%PDF-1.5\n% 技术方案\n1 0 obj <<>> endobj\n"))
	if up.status != http.StatusCreated {
		t.Fatalf("upload = %d %s", up.status, up.body)
	}
	att := up.json(t)["id"].(string)
	if r := e.do("POST", "/api/v1/applications/"+id+"/submit", "", as(gz)...); r.status != 200 {
		t.Fatalf("submit = %d %s", r.status, r.body)
	}
	admin := e.login("admin")
	if r := e.do("POST", "/api/v1/users", `{"username":"ncofficial","password":"`+testPW+`","role":"official","region":"3601"}`, as(admin, appCT...)...); r.status != http.StatusCreated {
		t.Fatalf("create official = %d %s", r.status, r.body)
	}
	outsiders := map[string]string{}
	for _, u := range []string{"officer2", "manager2", "expert", "ncofficial", "analyst", "investor"} {
		if _, ok := e.users[u]; !ok && u != "ncofficial" {
			continue // a role this build does not have
		}
		outsiders[u] = e.login(u)
	}
	var paths []string
	for _, r := range e.srv.Routes() {
		if r.Method == "GET" && strings.Contains(r.Path, "/:id") {
			paths = append(paths, r.Path)
		}
	}
	for _, r := range e.srv.UIRoutes() {
		if r.Method == "GET" && strings.Contains(r.Path, "/:id") {
			paths = append(paths, r.Path)
		}
	}
	if len(paths) < 5 {
		t.Fatalf("only %d id routes found", len(paths))
	}
	for _, p := range paths {
		path := strings.ReplaceAll(strings.ReplaceAll(p, ":id", id), ":att", att)
		if strings.Contains(path, "/:") {
			t.Errorf("%s: a parameter this probe does not fill; teach it one of its values", p)
			continue
		}
		for u, sec := range outsiders {
			if r := e.do("GET", path, "", as(sec)...); r.status == http.StatusOK {
				t.Errorf("%s reads %s (another bank's application %s): 200 %.200s", u, p, id, r.body)
			}
		}
	}
}

// A bank manager manages its own bank's officers only: another bank's user
// is 404 (read or change), as a user that does not exist.
func TestSecurityScopeUsers(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	nc := e.login("manager2")
	gzOfficer := e.users["officer"].ID
	for _, r := range []resp{
		e.do("GET", "/api/v1/users/"+gzOfficer, "", as(nc)...),
		e.do("PATCH", "/api/v1/users/"+gzOfficer, `{"disabled":true}`, as(nc, appCT...)...),
		e.do("PATCH", "/api/v1/users/"+gzOfficer, `{"password":"Taken-over 2026!"}`, as(nc, appCT...)...),
	} {
		if r.status != http.StatusNotFound {
			t.Errorf("another bank's manager on its officer = %d %s, want 404", r.status, r.body)
		}
	}
	if r := e.do("GET", "/api/v1/users?limit=500", "", as(nc)...); r.status == 200 {
		for _, it := range r.json(t)["items"].([]any) {
			if b := it.(map[string]any)["bank_id"]; b != "ncb" {
				t.Errorf("manager of ncb lists a user of %v", b)
			}
		}
	}
	if _, _, err := e.ids.Login(t.Context(), "officer", testPW, "10.9.9.9"); err != nil {
		t.Fatalf("the officer still logs in with its password: %v", err)
	}
}
