package web_test

import (
	"net/url"
	"strings"
	"testing"
)

func init() {
	allowedRoles["POST /api/v1/audit/verify"] = []string{"admin"}
}

// TestAuditPages: the administrator searches the audit log by actor, by
// outcome and by dates (Beijing time), verifies the chain from the page and
// over the API; an official sees its region's entries without denials; a
// bank officer may not open the page; a bad date is a clear error.
func TestAuditPages(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	admin, official, officer := e.login("admin"), e.login("official"), e.login("officer")
	// A denial to find: the officer asks for the users list.
	if r := e.do("GET", "/api/v1/users", "", as(officer)...); r.status != 403 {
		t.Fatalf("officer lists users = %d", r.status)
	}
	r := e.do("GET", "/audit?actor=officer", "", as(admin)...)
	if r.status != 200 || !strings.Contains(string(r.body), `id="audit-table"`) {
		t.Fatalf("audit page = %d", r.status)
	}
	if !strings.Contains(string(r.body), "<code>login</code>") {
		t.Errorf("the officer's log-in is not listed")
	}
	if r := e.do("GET", "/audit?outcome=denied", "", as(admin)...); !strings.Contains(string(r.body), `data-outcome="denied"`) {
		t.Errorf("the admin does not see the denial")
	}
	if r := e.do("GET", "/audit?outcome=denied", "", as(official)...); r.status != 200 || strings.Contains(string(r.body), `data-outcome="denied"`) {
		t.Errorf("an official sees denials (%d)", r.status)
	}
	if r := e.do("GET", "/audit?from=2026-13-01", "", as(admin)...); r.status != 400 || !strings.Contains(string(r.body), `id="audit-error"`) {
		t.Errorf("a bad date = %d", r.status)
	}
	if r := e.do("GET", "/audit?actor=nobody-at-all", "", as(admin)...); r.status != 400 {
		t.Errorf("an unknown actor = %d", r.status)
	}
	if r := e.do("GET", "/audit", "", as(officer)...); r.status != 403 {
		t.Errorf("a bank officer opens the audit page: %d", r.status)
	}
	// Verify from the page and over the API.
	page := e.do("GET", "/audit", "", as(admin)...)
	m := csrfRE.FindSubmatch(page.body)
	if m == nil {
		t.Fatal("no form token on the audit page")
	}
	v := url.Values{"csrf": {string(m[1])}}
	r = e.do("POST", "/audit/verify", v.Encode(), as(admin, "Content-Type", "application/x-www-form-urlencoded")...)
	if r.status != 200 || !strings.Contains(string(r.body), `data-intact="true"`) {
		t.Errorf("verify from the page = %d, intact shown: %v", r.status, strings.Contains(string(r.body), `data-intact="true"`))
	}
	r = e.do("POST", "/api/v1/audit/verify", "", as(admin)...)
	if r.status != 200 || r.json(t)["intact"] != true {
		t.Errorf("verify over the API = %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/audit/verify", "", as(official)...); r.status != 403 {
		t.Errorf("an official verifies the chain: %d", r.status)
	}
}

// TestPolicyPage: the administrator reads the policy by role, allows an
// action and withdraws it again (each change audited); others may not.
func TestPolicyPage(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	admin := e.login("admin")
	r := e.do("GET", "/admin/policy", "", as(admin)...)
	if r.status != 200 || !strings.Contains(string(r.body), `data-rule="analyst:source:create"`) {
		t.Fatalf("policy page = %d", r.status)
	}
	m := csrfRE.FindSubmatch(r.body)
	form := func(path string, v url.Values) resp {
		v.Set("csrf", string(m[1]))
		return e.do("POST", path, v.Encode(), as(admin, "Content-Type", "application/x-www-form-urlencoded")...)
	}
	if r := form("/admin/policy", url.Values{"role": {"analyst"}, "obj": {"report"}, "act": {"read"}}); r.status != 200 || !strings.Contains(string(r.body), `data-rule="analyst:report:read"`) {
		t.Fatalf("allow = %d", r.status)
	}
	if r := form("/admin/policy", url.Values{"role": {"analyst"}, "obj": {""}, "act": {"read"}}); r.status != 400 {
		t.Errorf("a rule without an object = %d", r.status)
	}
	if r := form("/admin/policy/remove", url.Values{"role": {"analyst"}, "domain": {"*"}, "obj": {"report"}, "act": {"read"}}); r.status != 200 || strings.Contains(string(r.body), `data-rule="analyst:report:read"`) {
		t.Errorf("withdraw = %d", r.status)
	}
	if r := e.do("GET", "/api/v1/audit?action=policy.add", "", as(admin)...); len(r.json(t)["items"].([]any)) != 1 {
		t.Errorf("the policy change is not audited: %s", r.body)
	}
	for _, u := range []string{"official", "manager", "analyst"} {
		if r := e.do("GET", "/admin/policy", "", as(e.login(u))...); r.status != 403 {
			t.Errorf("%s opens the policy page: %d", u, r.status)
		}
	}
}
