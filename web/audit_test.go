package web_test

import (
	"strings"
	"testing"
)

// TestAuditAPI: an admin sees every entry; a city official only entries
// about objects in its city; filters narrow and never widen; bad input is 400.
func TestAuditAPI(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	admin := e.login("admin")
	for _, body := range []string{
		`{"username":"gz.county","password":"` + testPW + `","role":"official","region":"360702"}`,
		`{"username":"nc.city","password":"` + testPW + `","role":"official","region":"3601"}`,
	} {
		if r := e.do("POST", "/api/v1/users", body, as(admin, "Content-Type", "application/json")...); r.status != 201 {
			t.Fatalf("create official: %d %s", r.status, r.body)
		}
	}
	all := e.do("GET", "/api/v1/audit?limit=500", "", as(admin)...)
	if all.status != 200 {
		t.Fatalf("admin audit = %d", all.status)
	}
	items := all.json(t)["items"].([]any)
	if len(items) < 5 {
		t.Fatalf("admin sees %d entries", len(items))
	}
	for _, k := range []string{"seq", "time", "user_id", "action", "object_kind", "outcome", "request_id", "prev_hash", "hash"} {
		if _, ok := items[0].(map[string]any)[k]; !ok {
			t.Errorf("entry lacks %q", k)
		}
	}
	city := e.login("cityofficial") // 3607, Ganzhou
	r := e.do("GET", "/api/v1/audit?limit=500", "", as(city)...)
	if r.status != 200 {
		t.Fatalf("city official audit = %d %s", r.status, r.body)
	}
	seen := r.json(t)["items"].([]any)
	found := false
	for _, it := range seen {
		reg, _ := it.(map[string]any)["region"].(string)
		if !strings.HasPrefix(reg, "3607") {
			t.Errorf("Ganzhou official sees an entry of region %q", reg)
		}
		if reg == "360702" {
			found = true
		}
	}
	if !found {
		t.Error("Ganzhou official does not see the entry about its county")
	}
	// A region filter outside its scope narrows to nothing.
	if r := e.do("GET", "/api/v1/audit?region=3601", "", as(city)...); len(r.json(t)["items"].([]any)) != 0 {
		t.Error("a region filter widened the official's view")
	}
	for _, q := range []string{"from=yesterday", "limit=9999", "region=99", "outcome=maybe"} {
		if r := e.do("GET", "/api/v1/audit?"+q, "", as(admin)...); r.status != 400 {
			t.Errorf("GET /audit?%s = %d, want 400", q, r.status)
		}
	}
}
