package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"kedaitong/audit"
	"kedaitong/identity"
)

// allowedRoles is the authorization matrix, written out independently of
// the policy file: for each API route, the roles that get past the route's
// guard. Everyone else gets 403, and nobody logged in gets 401.
var allowedRoles = map[string][]string{
	"POST /api/v1/auth/logout":     {"*"},
	"GET /api/v1/me":               {"*"},
	"POST /api/v1/me/password":     {"*"},
	"GET /api/v1/me/tokens":        {"*"},
	"POST /api/v1/me/tokens":       {"*"},
	"DELETE /api/v1/me/tokens/:id": {"*"},
	"GET /api/v1/users":            {"admin", "bank_manager"},
	"POST /api/v1/users":           {"admin", "bank_manager"},
	"GET /api/v1/users/:id":        {"admin", "bank_manager"},
	"PATCH /api/v1/users/:id":      {"admin", "bank_manager"},
	"GET /api/v1/audit":            {"admin", "official"},
	"GET /api/v1/fields":           {"*"},
	"GET /api/v1/policies":         {"admin"},
	"POST /api/v1/policies":        {"admin"},
	"POST /api/v1/policies/remove": {"admin"},
}

// publicRoutes may be reached without logging in.
var publicRoutes = map[string]bool{
	"GET /api/v1/openapi.json": true,
	"POST /api/v1/auth/login":  true,
	"GET /":                    true,
	"GET /login":               true,
	"POST /login":              true,
	"GET /healthz":             true,
	"GET /readyz":              true,
	"GET /metrics":             true,
	"GET /static/*filepath":    true,
	"HEAD /static/*filepath":   true,
}

var roles = []string{"admin", "bank_officer", "bank_manager", "expert", "official", "analyst", "investor"}

var userOfRole = map[string]string{"admin": "admin", "bank_officer": "officer", "bank_manager": "manager",
	"expert": "expert", "official": "official", "analyst": "analyst", "investor": "investor"}

// TestDenyByDefault walks every registered route and fails if one has no
// access rule and is not on the short public list.
func TestDenyByDefault(t *testing.T) {
	e := newEnv(t)
	rules := map[string]bool{}
	for _, r := range e.srv.Routes() {
		if r.Public && !publicRoutes[r.Method+" "+r.Path] {
			t.Errorf("API route %s %s is public but not on the public list", r.Method, r.Path)
		}
		if !r.Public && (r.Obj == "" || r.Act == "") {
			t.Errorf("API route %s %s has no rule", r.Method, r.Path)
		}
		rules[r.Method+" "+r.Path] = r.Public || r.Obj != ""
	}
	for _, r := range e.srv.UIRoutes() {
		if r.Public && !publicRoutes[r.Method+" "+r.Path] {
			t.Errorf("page %s %s is public but not on the public list", r.Method, r.Path)
		}
		rules[r.Method+" "+r.Path] = r.Public || r.Obj != ""
	}
	for _, ri := range e.srv.EngineRoutes() {
		k := ri.Method + " " + ri.Path
		if !rules[k] && !publicRoutes[k] {
			t.Errorf("route %s has no access rule and is not public", k)
		}
		if strings.HasPrefix(ri.Path, "/api/v1/") && !publicRoutes[k] {
			if _, ok := allowedRoles[k]; !ok {
				t.Errorf("route %s is missing from the authorization matrix test", k)
			}
		}
	}
}

var paramRE = regexp.MustCompile(`:[a-z_]+|\*[a-z_]+`)

// TestAuthorizationMatrix drives every API route with every role and with
// no session, and asserts the status each must get from the guard.
func TestAuthorizationMatrix(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	secrets := map[string]string{}
	for role, u := range userOfRole {
		secrets[role] = e.login(u)
	}
	for _, r := range e.srv.Routes() {
		key := r.Method + " " + r.Path
		if r.Public {
			continue
		}
		allowed, ok := allowedRoles[key]
		if !ok {
			t.Errorf("%s: no row in the matrix", key)
			continue
		}
		path := paramRE.ReplaceAllString(r.Path, "x-unknown")
		body := ""
		hdr := []string{}
		if r.Method != "GET" && r.Method != "DELETE" {
			body, hdr = "{}", []string{"Content-Type", "application/json"}
		}
		// No session: 401.
		if got := e.do(r.Method, path, body, hdr...); got.status != http.StatusUnauthorized || got.errorCode(t) != "unauthorized" {
			t.Errorf("%s without a session = %d, want 401", key, got.status)
		}
		for _, role := range roles {
			sec := secrets[role]
			if strings.HasSuffix(key, "/auth/logout") {
				sec = e.login(userOfRole[role]) // a session of its own to end
			}
			got := e.do(r.Method, path, body, as(sec, hdr...)...)
			want403 := !contains(allowed, "*") && !contains(allowed, role)
			switch {
			case want403 && got.status != http.StatusForbidden:
				t.Errorf("%s as %s = %d %s, want 403", key, role, got.status, got.body)
			case !want403 && (got.status == http.StatusForbidden || got.status == http.StatusUnauthorized):
				t.Errorf("%s as %s = %d %s, want past the guard", key, role, got.status, got.body)
			}
		}
	}
	// Denied requests are in the audit log.
	es, _, err := e.log.List(context.Background(), audit.Filter{Outcome: audit.Denied, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) == 0 {
		t.Fatal("no denied request was audited")
	}
	if es[0].UserID == "" || es[0].RequestID == "" || es[0].Role == "" {
		t.Errorf("denied entry lacks who or request id: %+v", es[0])
	}
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func TestLoginLogoutAndMe(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	r := e.do("POST", "/api/v1/auth/login", `{"username":"officer","password":"`+testPW+`"}`, "Content-Type", "application/json")
	if r.status != 200 {
		t.Fatalf("login = %d %s", r.status, r.body)
	}
	ck := r.header.Get("Set-Cookie")
	for _, want := range []string{"kedai_session=", "HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(ck, want) {
			t.Errorf("cookie %q lacks %s", ck, want)
		}
	}
	m := r.json(t)
	tok := m["token"].(string)
	user := m["user"].(map[string]any)
	if user["role"] != "bank_officer" || user["bank_id"] != "gzb" {
		t.Errorf("login user = %v", user)
	}
	if _, leaked := user["password_hash"]; leaked {
		t.Error("login answer leaks the password hash")
	}
	me := e.do("GET", "/api/v1/me", "", as(tok)...)
	mm := me.json(t)
	for _, k := range []string{"id", "username", "role", "bank_id", "region", "expert_id"} {
		if _, ok := mm[k]; !ok {
			t.Errorf("/me lacks %q: %s", k, me.body)
		}
	}
	// The same secret works as a bearer token.
	if r := e.do("GET", "/api/v1/me", "", "Authorization", "Bearer "+tok); r.status != 401 {
		// Session secrets are cookies; bearer tokens are personal API tokens.
		t.Logf("session secret as bearer = %d", r.status)
	}
	if r := e.do("POST", "/api/v1/auth/logout", "", as(tok)...); r.status != 200 {
		t.Fatalf("logout = %d", r.status)
	}
	if r := e.do("GET", "/api/v1/me", "", as(tok)...); r.status != 401 {
		t.Errorf("cookie after logout = %d, want 401", r.status)
	}
}

func TestLoginBadInput(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	tests := []struct {
		name, body, ctype string
		status            int
	}{
		{"wrong password", `{"username":"officer","password":"wrong-password-1"}`, "application/json", 401},
		{"unknown user", `{"username":"ghost","password":"wrong-password-1"}`, "application/json", 401},
		{"malformed JSON", `{"username":`, "application/json", 400},
		{"unknown field", `{"username":"officer","password":"x","role":"admin"}`, "application/json", 400},
		{"missing password", `{"username":"officer"}`, "application/json", 400},
		{"wrong content type", `username=officer&password=x`, "application/x-www-form-urlencoded", 415},
		{"no content type", `{"username":"officer","password":"x"}`, "", 415},
		{"array body", `[]`, "application/json", 400},
		{"trailing data", `{"username":"officer","password":"x"} {}`, "application/json", 400},
		{"too large", `{"username":"officer","password":"` + strings.Repeat("x", 1<<20) + `"}`, "application/json", 413},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := []string{}
			if tt.ctype != "" {
				h = []string{"Content-Type", tt.ctype}
			}
			r := e.do("POST", "/api/v1/auth/login", tt.body, h...)
			if r.status != tt.status {
				t.Fatalf("status = %d %s, want %d", r.status, r.body, tt.status)
			}
			r.errorCode(t)
		})
	}
}

func TestLoginThrottleHTTP(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	bad := `{"username":"analyst","password":"wrong-password-1"}`
	for i := 0; i < identity.PairLimit; i++ {
		e.do("POST", "/api/v1/auth/login", bad, "Content-Type", "application/json", "X-Forwarded-For", "203.0.113."+string(rune('0'+i)))
	}
	// The spoofed X-Forwarded-For (no trusted proxy) did not spread the
	// failures over addresses: this client is stopped for that account.
	r := e.do("POST", "/api/v1/auth/login", `{"username":"analyst","password":"`+testPW+`"}`, "Content-Type", "application/json", "X-Forwarded-For", "198.51.100.7")
	if r.status != 429 || r.header.Get("Retry-After") == "" {
		t.Fatalf("after %d failures = %d (Retry-After %q), want 429 with Retry-After", identity.PairLimit, r.status, r.header.Get("Retry-After"))
	}
	if r.errorCode(t) != "rate_limited" {
		t.Error("wrong code")
	}
	// Guessing at one account does not lock the client out of others
	// (issue 15.4; more in security_login_test.go).
	r = e.do("POST", "/api/v1/auth/login", `{"username":"expert","password":"`+testPW+`"}`, "Content-Type", "application/json", "X-Forwarded-For", "192.0.2.1")
	if r.status != 200 {
		t.Errorf("another account from the guessing client: %d, want 200", r.status)
	}
}

func TestUsersAPI(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	admin := e.login("admin")
	mgr := e.login("manager")
	post := func(secret, body string) resp {
		return e.do("POST", "/api/v1/users", body, as(secret, "Content-Type", "application/json")...)
	}
	// Bad input: clear error, nothing created.
	bad := []struct{ name, body, field string }{
		{"unknown role", `{"username":"u1","password":"` + testPW + `","role":"root"}`, "role"},
		{"bank role without bank", `{"username":"u2","password":"` + testPW + `","role":"bank_officer"}`, "bank_id"},
		{"official without region", `{"username":"u3","password":"` + testPW + `","role":"official"}`, "region"},
		{"official bad region", `{"username":"u4","password":"` + testPW + `","role":"official","region":"3612"}`, "region"},
		{"duplicate username", `{"username":"officer","password":"` + testPW + `","role":"analyst"}`, "username"},
		{"weak password", `{"username":"u5","password":"1234567890","role":"analyst"}`, "password"},
		{"over-long password", `{"username":"u6","password":"` + strings.Repeat("密", 257) + `","role":"analyst"}`, "password"},
		{"unknown field", `{"username":"u7","password":"` + testPW + `","role":"analyst","is_admin":true}`, ""},
	}
	for _, b := range bad {
		r := post(admin, b.body)
		if r.status != 400 && r.status != 409 {
			t.Errorf("%s: %d %s, want 400/409", b.name, r.status, r.body)
			continue
		}
		if b.field != "" {
			if f, _ := r.json(t)["error"].(map[string]any)["field"].(string); f != b.field {
				t.Errorf("%s: field %q, want %q", b.name, f, b.field)
			}
		}
	}
	all := e.do("GET", "/api/v1/users?limit=500", "", as(admin)...).json(t)["items"].([]any)
	if len(all) != len(e.users) {
		t.Fatalf("after refused creations there are %d users, want the %d seeded", len(all), len(e.users))
	}
	// A bank manager creates its own officers only.
	if r := post(mgr, `{"username":"newofficer","password":"`+testPW+`","role":"bank_officer","bank_id":"gzb"}`); r.status != 201 {
		t.Fatalf("manager creates own officer: %d %s", r.status, r.body)
	}
	if r := post(mgr, `{"username":"x1","password":"`+testPW+`","role":"bank_officer","bank_id":"ncb"}`); r.status != 403 {
		t.Errorf("manager creates another bank's officer: %d, want 403", r.status)
	}
	if r := post(mgr, `{"username":"x2","password":"`+testPW+`","role":"admin"}`); r.status != 403 {
		t.Errorf("manager creates an admin: %d, want 403", r.status)
	}
	// The manager cannot see or change another bank's user: 404 like a missing one.
	other := e.users["officer2"].ID
	if r := e.do("GET", "/api/v1/users/"+other, "", as(mgr)...); r.status != 404 {
		t.Errorf("manager reads another bank's user: %d, want 404", r.status)
	}
	if r := e.do("PATCH", "/api/v1/users/"+other, `{"disabled":true}`, as(mgr, "Content-Type", "application/json")...); r.status != 404 {
		t.Errorf("manager disables another bank's user: %d, want 404", r.status)
	}
	// Mass assignment through PATCH is refused.
	own := e.users["officer"].ID
	if r := e.do("PATCH", "/api/v1/users/"+own, `{"role":"admin"}`, as(mgr, "Content-Type", "application/json")...); r.status != 400 {
		t.Errorf("PATCH role: %d, want 400", r.status)
	}
	if r := e.do("PATCH", "/api/v1/users/"+own, `{"disabled":true}`, as(mgr, "Content-Type", "application/json")...); r.status != 200 {
		t.Fatalf("manager disables own officer: %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/auth/login", `{"username":"officer","password":"`+testPW+`"}`, "Content-Type", "application/json"); r.status != 401 {
		t.Errorf("disabled user logs in: %d", r.status)
	}
	// The changes are audited with who did them.
	es, _, _ := e.log.List(context.Background(), audit.Filter{UserID: e.users["manager"].ID, Limit: 10})
	if len(es) == 0 || es[0].Action != "user.update" || es[0].Username != "manager" || es[0].RequestID == "" {
		t.Errorf("audit of user.update = %+v", es)
	}
	// Limit bounds.
	for _, q := range []string{"limit=0", "limit=501", "limit=abc", "cursor=garbage"} {
		if r := e.do("GET", "/api/v1/users?"+q, "", as(admin)...); r.status != 400 {
			t.Errorf("GET /users?%s = %d, want 400", q, r.status)
		}
	}
}

func TestSelfServiceAndTokens(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	sec := e.login("analyst")
	// Mass-assignment through the self-service route is refused.
	r := e.do("POST", "/api/v1/me/password", `{"current_password":"`+testPW+`","new_password":"Brand new pass 42","role":"admin"}`, as(sec, "Content-Type", "application/json")...)
	if r.status != 400 {
		t.Fatalf("self-service with role = %d, want 400", r.status)
	}
	r = e.do("POST", "/api/v1/me/tokens", `{"name":"bank core system"}`, as(sec, "Content-Type", "application/json")...)
	if r.status != 201 {
		t.Fatalf("create token = %d %s", r.status, r.body)
	}
	m := r.json(t)
	tok, id := m["token"].(string), m["id"].(string)
	if r := e.do("GET", "/api/v1/me", "", "Authorization", "Bearer "+tok); r.status != 200 {
		t.Fatalf("bearer token = %d", r.status)
	}
	if l := e.do("GET", "/api/v1/me/tokens", "", as(sec)...); strings.Contains(string(l.body), tok) {
		t.Error("token list shows the secret")
	}
	if r := e.do("DELETE", "/api/v1/me/tokens/"+id, "", as(sec)...); r.status != 200 {
		t.Fatalf("revoke = %d", r.status)
	}
	if r := e.do("GET", "/api/v1/me", "", "Authorization", "Bearer "+tok); r.status != 401 {
		t.Errorf("revoked token = %d, want 401", r.status)
	}
	if r := e.do("GET", "/api/v1/me", "", "Authorization", "Basic abc"); r.status != 401 {
		t.Errorf("basic auth = %d, want 401", r.status)
	}
	// Changing the password ends the session.
	r = e.do("POST", "/api/v1/me/password", `{"current_password":"`+testPW+`","new_password":"Brand new pass 42"}`, as(sec, "Content-Type", "application/json")...)
	if r.status != 200 {
		t.Fatalf("change password = %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/api/v1/me", "", as(sec)...); r.status != 401 {
		t.Errorf("session after password change = %d", r.status)
	}
}

func TestCSRF(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	sec := e.login("admin")
	body := `{"name":"t1"}`
	if r := e.do("POST", "/api/v1/me/tokens", body, as(sec, "Content-Type", "application/json", "Origin", "https://evil.example")...); r.status != 403 {
		t.Errorf("cross-origin cookie POST = %d, want 403", r.status)
	}
	if r := e.do("POST", "/api/v1/me/tokens", body, as(sec, "Content-Type", "application/json", "Sec-Fetch-Site", "cross-site")...); r.status != 403 {
		t.Errorf("cross-site cookie POST = %d, want 403", r.status)
	}
	if r := e.do("POST", "/api/v1/me/tokens", body, as(sec, "Content-Type", "application/json", "Origin", e.ts.URL)...); r.status != 201 {
		t.Errorf("same-origin cookie POST = %d, want 201", r.status)
	}
	// Forms carry the session's token.
	r := e.do("POST", "/admin/users", "username=z1&password=Abc-def-123456&role=analyst", as(sec, "Content-Type", "application/x-www-form-urlencoded")...)
	if r.status != 403 {
		t.Errorf("form without CSRF token = %d, want 403", r.status)
	}
	// State never changes on GET.
	for _, ri := range e.srv.EngineRoutes() {
		if ri.Method == "GET" && (strings.Contains(ri.Path, "logout") || strings.Contains(ri.Path, "delete")) {
			t.Errorf("GET route %s looks state-changing", ri.Path)
		}
	}
}
