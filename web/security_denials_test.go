package web_test

import (
	"context"
	"net/http"
	"testing"

	"kedaitong/audit"
)

func (e *env) denials(t *testing.T) []audit.Entry {
	t.Helper()
	es, _, err := e.log.List(context.Background(), audit.Filter{Outcome: audit.Denied, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// deniedFor returns the denial entries of a user about an object id.
func deniedFor(es []audit.Entry, username, objectID string) []audit.Entry {
	var out []audit.Entry
	for _, x := range es {
		if x.Username == username && x.ObjectID == objectID {
			out = append(out, x)
		}
	}
	return out
}

// Issue 15.6: a 404 for an object outside the caller's scope is a denial in
// the audit log, recorded exactly as the 404 for an object that does not
// exist; only administrators read denials.
func TestSecurityDenialsAudited(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	gz := e.login("officer")
	nc := e.login("officer2")
	id := e.createApp(t, gz, appBody("360702", 11))["id"].(string)
	const missing = "app-does-not-exist-0001"

	for _, x := range []string{id, missing} {
		if r := e.do("GET", "/api/v1/applications/"+x, "", as(nc)...); r.status != http.StatusNotFound {
			t.Fatalf("other bank reading %s = %d, want 404", x, r.status)
		}
	}
	es := e.denials(t)
	theirs, none := deniedFor(es, "officer2", id), deniedFor(es, "officer2", missing)
	if len(theirs) != 1 || len(none) != 1 {
		t.Fatalf("denials: %d for the other bank's application, %d for a missing one; want 1 and 1 (all: %+v)", len(theirs), len(none), es)
	}
	a, b := theirs[0], none[0]
	if a.ObjectKind != "application" || a.Action != "application.read" || a.UserID != e.users["officer2"].ID || a.Detail["route"] != "GET /api/v1/applications/:id" {
		t.Errorf("denial entry = %+v", a)
	}
	// The same entry whether or not the object exists: nothing of the
	// object (its bank, its region) is in it.
	if a.Action != b.Action || a.ObjectKind != b.ObjectKind || a.Region != b.Region || a.BankID != b.BankID ||
		a.Detail["reason"] != b.Detail["reason"] || a.Detail["route"] != b.Detail["route"] || a.Region != "" || a.BankID != "" {
		t.Errorf("existing %+v and missing %+v differ", a, b)
	}
	// The owner's own reads are not denials.
	if r := e.do("GET", "/api/v1/applications/"+id, "", as(gz)...); r.status != 200 {
		t.Fatalf("owner = %d", r.status)
	}
	if n := len(deniedFor(e.denials(t), "officer", id)); n != 0 {
		t.Errorf("the owner's read was audited as denied %d times", n)
	}

	// A page's 404 is a denial too.
	if r := e.do("GET", "/applications/"+id, "", as(nc)...); r.status != http.StatusNotFound {
		t.Fatalf("other bank's page = %d, want 404", r.status)
	}
	if n := len(deniedFor(e.denials(t), "officer2", id)); n != 2 {
		t.Errorf("after the page: %d denials of the application, want 2", n)
	}
	// A role Casbin refuses: 403, audited once.
	an := e.login("analyst")
	before := len(e.denials(t))
	if r := e.do("POST", "/api/v1/applications", mustJSON(t, appBody("360702", 12)), as(an, appCT...)...); r.status != http.StatusForbidden {
		t.Fatalf("analyst creating = %d, want 403", r.status)
	}
	if got := len(e.denials(t)) - before; got != 1 {
		t.Errorf("a 403 made %d denial entries, want 1", got)
	}

	// Only administrators read denials.
	official := e.login("official")
	for _, q := range []string{"", "?outcome=denied"} {
		r := e.do("GET", "/api/v1/audit"+q, "", as(official)...)
		if r.status != 200 {
			t.Fatalf("official audit%s = %d %s", q, r.status, r.body)
		}
		for _, it := range r.json(t)["items"].([]any) {
			if it.(map[string]any)["outcome"] == "denied" {
				t.Fatalf("an official reads a denial: %v", it)
			}
		}
	}
	r := e.do("GET", "/api/v1/audit?outcome=denied", "", as(e.login("admin"))...)
	if r.status != 200 || len(r.json(t)["items"].([]any)) < 4 {
		t.Fatalf("admin reads denials = %d %s", r.status, r.body)
	}
}
