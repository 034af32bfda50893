package rbac

import (
	"context"
	"testing"

	"kedaitong/internal/store"
	"kedaitong/internal/store/storetest"
)

// TestSeedUpgrades: removals of default rules stick across restarts, and a
// default rule the store was never given (an upgrade's new policy.csv row)
// is added at the next start.
func TestSeedUpgrades(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	e, err := New(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if !e.RoleAllowed("admin", "policy", "read") || !e.RoleAllowed("analyst", "source", "create") {
		t.Fatal("defaults not seeded")
	}
	// An admin withdraws a default rule; a restart keeps it withdrawn.
	if err := e.RemovePolicy(ctx, "analyst", "*", "source", "create"); err != nil {
		t.Fatal(err)
	}
	if e2, err := New(ctx, st); err != nil || e2.RoleAllowed("analyst", "source", "create") {
		t.Fatalf("restart re-added a withdrawn default rule (err %v)", err)
	}
	// Pretend the store predates the rule "admin policy read": drop it from
	// the marker and the rules; the next start adds it.
	meta, _ := st.Collection(ctx, metaDef)
	var marker struct {
		Rules int      `json:"rules"`
		IDs   []string `json:"ids"`
	}
	ver, err := meta.Get(ctx, seededID, &marker)
	if err != nil {
		t.Fatal(err)
	}
	newRule := ruleID("p", []string{"admin", "*", "policy", "read"})
	kept := marker.IDs[:0]
	for _, id := range marker.IDs {
		if id != newRule {
			kept = append(kept, id)
		}
	}
	if len(kept) != len(marker.IDs)-1 {
		t.Fatal("rule not in the marker")
	}
	marker.IDs = kept
	if _, err := meta.Replace(ctx, seededID, ver, marker); err != nil {
		t.Fatal(err)
	}
	rules, _ := st.Collection(ctx, store.CollectionDef{Name: "casbin_rules"})
	if err := rules.Delete(ctx, newRule); err != nil {
		t.Fatal(err)
	}
	e3, err := New(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if !e3.RoleAllowed("admin", "policy", "read") {
		t.Error("upgrade did not add the new default rule")
	}
	if e3.RoleAllowed("analyst", "source", "create") {
		t.Error("upgrade re-added a withdrawn default rule")
	}
}
