package rbac

import (
	"context"
	"fmt"
	"testing"

	"kedaitong/internal/store/storetest"
)

// benchEnforcer returns an enforcer on the default policy with n users
// spread over the roles (bank staff over 50 banks).
func benchEnforcer(b *testing.B, n int) *Enforcer {
	b.Helper()
	ctx := context.Background()
	e, err := New(ctx, storetest.New(b))
	if err != nil {
		b.Fatal(err)
	}
	roles := Roles()
	rules := make([][]string, 0, n)
	for i := range n {
		role := roles[i%len(roles)]
		dom := PlatformDomain
		if IsBankRole(role) {
			dom = BankDomain(fmt.Sprint(i % 50))
		}
		rules = append(rules, []string{fmt.Sprintf("user%d", i), role, dom})
	}
	if err := e.ad.addRules(ctx, "g", rules); err != nil {
		b.Fatal(err)
	}
	if err := e.Reload(ctx); err != nil {
		b.Fatal(err)
	}
	return e
}

func BenchmarkRoleAllowed(b *testing.B) {
	e := benchEnforcer(b, 1000)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			if !e.RoleAllowed(RoleBankOfficer, "application", "submit") {
				b.Fatal("denied, want allowed")
			}
		} else if e.RoleAllowed(RoleAnalyst, "exposure", "read") {
			b.Fatal("allowed, want denied")
		}
	}
}

func BenchmarkAllowed(b *testing.B) {
	e := benchEnforcer(b, 1000)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		// user1 is a bank_officer of bank 1; user4 an official.
		user, dom := "user1", "bank:1"
		if i%2 == 1 {
			user, dom = "user4", "bank:1"
		}
		ok, err := e.Allowed(user, dom, "application", "read")
		if err != nil || !ok {
			b.Fatalf("Allowed(%s) = (%v, %v), want true", user, ok, err)
		}
	}
}

func BenchmarkAllowedParallel(b *testing.B) {
	e := benchEnforcer(b, 1000)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if ok, err := e.Allowed("user7", "bank:7", "exposure", "read"); err != nil || !ok {
				b.Fatalf("Allowed = (%v, %v), want true", ok, err)
			}
		}
	})
}

// BenchmarkCasbinEnforce is the same question as BenchmarkAllowed asked of
// Casbin's SyncedEnforcer directly, for comparison with the table.
func BenchmarkCasbinEnforce(b *testing.B) {
	e := benchEnforcer(b, 1000)
	b.ResetTimer()
	for b.Loop() {
		if ok, err := e.ce.Enforce("user1", "bank:1", "application", "read"); err != nil || !ok {
			b.Fatalf("Enforce = (%v, %v), want true", ok, err)
		}
	}
}
