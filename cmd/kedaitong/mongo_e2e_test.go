package main

import (
	"strings"
	"testing"

	"kedaitong/internal/store/ferrettest"
)

// TestServeOnMongoDB runs the whole platform with --demo on the MongoDB
// backend (the FerretDB stand-in): the demo seeds, the main reads answer,
// an assignment run fills panels, and a restart finds the data.
func TestServeOnMongoDB(t *testing.T) {
	f := ferrettest.Start(t, t.TempDir(), "")
	uri := f.URI("kedai_e2e")
	p := startServer(t, nil, "--mongodb-uri", uri, "--demo")
	if !strings.Contains(p.output(), "store: mongodb") {
		t.Fatalf("not on MongoDB:\n%s", p.output())
	}
	tok := p.login("official.jiangxi", "Kedai-demo-2026")
	for _, path := range []string{"/api/v1/experts?limit=5", "/api/v1/applications?limit=5", "/api/v1/items?limit=5",
		"/api/v1/riskmap", "/api/v1/dashboard", "/api/v1/consultations?limit=5", "/api/v1/audit?limit=5"} {
		r := p.call("GET", path, tok, "")
		if r.status != 200 {
			t.Errorf("%s = %d %s", path, r.status, r.body)
			continue
		}
		if strings.Contains(path, "limit=5") {
			if items, _ := r.json(t)["items"].([]any); len(items) == 0 {
				t.Errorf("%s: no demo data", path)
			}
		}
	}
	r := p.call("POST", "/api/v1/assignments/run", tok, "")
	if r.status != 200 {
		t.Fatalf("assignment run = %d %s", r.status, r.body)
	}
	if n, _ := r.json(t)["seats_filled"].(float64); n < 10 {
		t.Errorf("assignment run filled %v seats on the demo data", n)
	}
	p.kill()
	p2 := startServer(t, nil, "--mongodb-uri", uri)
	if strings.Contains(p2.output(), "Demo log-ins") || strings.Contains(p2.output(), "shown once") {
		t.Errorf("a restart on a seeded MongoDB seeded again:\n%s", p2.output())
	}
	tok = p2.login("official.jiangxi", "Kedai-demo-2026")
	if r := p2.call("GET", "/api/v1/assignments?limit=5", tok, ""); r.status != 200 || len(r.json(t)["items"].([]any)) == 0 {
		t.Errorf("assignments after a restart = %d %s", r.status, r.body)
	}
}
