package main

import (
	"testing"
	"time"

	"kedaitong/internal/store/ferrettest"
)

// Ten servers started at the same instant on one fresh MongoDB (the
// FerretDB stand-in): all come up and answer /readyz, and exactly one
// prepares the store (one first admin). (Without --demo: the demo data
// hub does not store on MongoDB yet — see the report of issue 16.)
func TestDurabilityTenServersStartTogetherOnMongoDB(t *testing.T) {
	f := ferrettest.Start(t, t.TempDir(), "")
	ps := make([]*proc, 10)
	for i := range ps {
		ps[i] = launch(t, "--mongodb-uri", f.URI("kedai_ten"))
	}
	for i, p := range ps {
		if why := p.wait(180 * time.Second); why != "" {
			t.Fatalf("server %d: %s", i, why)
		}
	}
	if got := count(ps, "shown once"); got != 1 {
		t.Errorf("the first admin's password was printed %d times, want once", got)
	}
	pw := ""
	for _, p := range ps {
		if m := adminPWRE.FindStringSubmatch(p.output()); m != nil {
			pw = m[1]
		}
	}
	for i, p := range ps {
		if p.ready() != 200 {
			t.Errorf("server %d is not ready", i)
		}
		r := p.call("GET", "/api/v1/users?limit=500", p.login("admin", pw), "")
		if r.status != 200 || len(r.json(t)["items"].([]any)) != 1 {
			t.Errorf("server %d: users = %d %s, want the one admin", i, r.status, r.body)
		}
	}
}
