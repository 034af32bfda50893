package audit_test

import (
	"testing"

	"kedaitong/audit"
	"kedaitong/identity"
)

func TestScope(t *testing.T) {
	admin := identity.User{Role: identity.RoleAdmin}
	city := identity.User{Role: identity.RoleOfficial, Region: "3607"}
	bank := identity.User{Role: identity.RoleBankManager, BankID: "gzb"}
	if f, ok := audit.Scope(admin, audit.Filter{Outcome: audit.Denied}); !ok || f.Region != "" {
		t.Errorf("admin: %+v %v", f, ok)
	}
	if f, ok := audit.Scope(city, audit.Filter{}); !ok || f.Region != "3607" {
		t.Errorf("official, no region asked: %+v %v", f, ok)
	}
	if f, ok := audit.Scope(city, audit.Filter{Region: "360702"}); !ok || f.Region != "360702" {
		t.Errorf("official, a county inside: %+v %v", f, ok)
	}
	for _, c := range []struct {
		u identity.User
		f audit.Filter
	}{{city, audit.Filter{Region: "3601"}}, {city, audit.Filter{Outcome: audit.Denied}}, {bank, audit.Filter{}}} {
		if _, ok := audit.Scope(c.u, c.f); ok {
			t.Errorf("%s asking %+v is let through", c.u.Role, c.f)
		}
	}
	es := []audit.Entry{{Outcome: audit.OK}, {Outcome: audit.Denied}}
	if got := audit.Visible(city, append([]audit.Entry(nil), es...)); len(got) != 1 || got[0].Outcome != audit.OK {
		t.Errorf("official sees %+v", got)
	}
	if got := audit.Visible(admin, es); len(got) != 2 {
		t.Errorf("admin sees %+v", got)
	}
}
