package rbac

import (
	"context"
	"fmt"
	"testing"

	"kedaitong/internal/store/storetest"
)

// TestTableMatchesCasbin checks the lookup table against Casbin's own
// Enforce on the model, for every subject, domain, object and action in
// play: the default policy plus domains, wildcards, users named in
// policies, role chains (longer than Casbin follows, and cyclic).
func TestTableMatchesCasbin(t *testing.T) {
	ctx := context.Background()
	e := newEnforcer(t, storetest.New(t))
	extraP := [][]string{
		{RoleBankOfficer, "bank:1", "audit", "read"},
		{"superrole", "*", "*", "*"},
		{"readall", "*", "*", "read"},
		{"exportall", "bank:2", "source", "*"},
		{"u_direct", "*", "dashboard", "read"},
		{"deep10", "*", "deep", "ten"},
		{"deep11", "*", "deep", "eleven"},
	}
	extraG := [][]string{
		{"u_off1", RoleBankOfficer, "bank:1"},
		{"u_mgr2", RoleBankManager, "bank:2"},
		{"u_off", RoleOfficial, "*"},
		{"u_ana", RoleAnalyst, "*"},
		{"u_two", RoleExpert, "*"},
		{"u_two", RoleBankOfficer, "bank:2"},
		{"teamlead", RoleAnalyst, "*"},
		{"u_lead", "teamlead", "*"},
		{"u_super", "superrole", "bank:1"},
		{"u_read", "readall", "*"},
		{"u_exp", "exportall", "bank:2"},
		{"cyc_a", "cyc_b", "*"},
		{"cyc_b", "cyc_a", "*"},
		{"cyc_b", RoleExpert, "*"},
	}
	// A chain c0 -> c1 -> ... -> c11: deep10 hangs at 10 hops, deep11 at 11.
	for i := range 11 {
		extraG = append(extraG, []string{fmt.Sprintf("c%d", i), fmt.Sprintf("c%d", i+1), "*"})
	}
	extraG = append(extraG, []string{"c9", "deep10", "*"}, []string{"c10", "deep11", "*"})
	if err := e.ad.addRules(ctx, "p", extraP); err != nil {
		t.Fatal(err)
	}
	if err := e.ad.addRules(ctx, "g", extraG); err != nil {
		t.Fatal(err)
	}
	if err := e.Reload(ctx); err != nil {
		t.Fatal(err)
	}

	policy, err := e.Policy()
	if err != nil {
		t.Fatal(err)
	}
	subs := map[string]bool{"nobody": true, "c0": true, "c1": true}
	objs := map[string]bool{"*": true, "nothing": true}
	acts := map[string]bool{"*": true, "nothing": true}
	for _, p := range policy {
		subs[p[0]], objs[p[2]], acts[p[3]] = true, true, true
	}
	for _, g := range extraG {
		subs[g[0]], subs[g[1]] = true, true
	}
	doms := []string{"*", "bank:1", "bank:2", "bank:3"}
	tab := e.tab.Load()
	var yes, no int
	for sub := range subs {
		for _, dom := range doms {
			for obj := range objs {
				for act := range acts {
					want, err := e.ce.Enforce(sub, dom, obj, act)
					if err != nil {
						t.Fatalf("casbin Enforce(%q, %q, %q, %q): %v", sub, dom, obj, act, err)
					}
					if got := tab.allowed(sub, dom, obj, act); got != want {
						t.Errorf("table(%q, %q, %q, %q) = %v, casbin says %v", sub, dom, obj, act, got, want)
					}
					if want {
						yes++
					} else {
						no++
					}
				}
			}
		}
	}
	t.Logf("compared %d allowed and %d denied requests", yes, no)
	if yes < 100 || no < 100 {
		t.Errorf("only %d allowed and %d denied requests compared; the grid is too thin", yes, no)
	}
	// Spot checks that the grid covered what it should.
	for _, c := range []struct {
		sub, dom, obj, act string
		want               bool
	}{
		{"c0", "*", "deep", "ten", true},
		{"c0", "*", "deep", "eleven", false},
		{"u_lead", "*", "source", "refresh", true},
		{"u_super", "bank:1", "anything", "goes", true},
		{"u_super", "bank:2", "anything", "goes", false},
		{"u_exp", "bank:2", "source", "export", true},
		{"u_exp", "bank:1", "source", "export", false},
		{"cyc_a", "*", "assignment", "score", true},
	} {
		if got := tab.allowed(c.sub, c.dom, c.obj, c.act); got != c.want {
			t.Errorf("table(%q, %q, %q, %q) = %v, want %v", c.sub, c.dom, c.obj, c.act, got, c.want)
		}
	}
}
