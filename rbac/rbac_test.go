package rbac

import (
	"context"
	"testing"
	"time"

	"kedaitong"
	"kedaitong/internal/store"
	"kedaitong/internal/store/storetest"
)

func newEnforcer(t *testing.T, st store.Store) *Enforcer {
	t.Helper()
	e, err := New(context.Background(), st)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e
}

func TestDefaultPolicy(t *testing.T) {
	e := newEnforcer(t, storetest.New(t))
	tests := []struct {
		role, obj, act string
		want           bool
	}{
		// users
		{RoleAdmin, "user", "create", true},
		{RoleBankManager, "user", "update", true},
		{RoleBankOfficer, "user", "create", false},
		{RoleExpert, "user", "read", false},
		{RoleOfficial, "user", "create", false},
		{RoleAnalyst, "user", "read", false},
		// everyone: own profile, tokens, fields
		{RoleAdmin, "me", "update", true},
		{RoleBankOfficer, "me", "read", true},
		{RoleBankManager, "token", "create", true},
		{RoleExpert, "token", "delete", true},
		{RoleOfficial, "field", "read", true},
		{RoleAnalyst, "token", "read", true},
		{RoleAnalyst, "field", "create", false},
		{RoleAnalyst, "me", "delete", false},
		// experts and committees
		{RoleOfficial, "expert", "import", true},
		{RoleAdmin, "expert", "export", true},
		{RoleExpert, "expert", "read", true},
		{RoleExpert, "expert", "update", true},
		{RoleExpert, "expert", "create", false},
		{RoleExpert, "expert", "import", false},
		{RoleBankOfficer, "expert", "read", false},
		{RoleOfficial, "committee", "create", true},
		{RoleExpert, "committee", "read", true},
		{RoleExpert, "committee", "update", false},
		// applications
		{RoleBankOfficer, "application", "create", true},
		{RoleBankManager, "application", "decide", true},
		{RoleBankOfficer, "application", "withdraw", true},
		{RoleOfficial, "application", "read", true},
		{RoleAdmin, "application", "read", true},
		{RoleExpert, "application", "create", false},
		{RoleExpert, "application", "read", false},
		{RoleOfficial, "application", "create", false},
		{RoleOfficial, "application", "decide", false},
		{RoleAdmin, "application", "submit", false},
		{RoleAnalyst, "application", "read", false},
		// reports and whitelist
		{RoleBankManager, "report", "read", true},
		{RoleOfficial, "report", "read", true},
		{RoleExpert, "report", "read", false},
		{RoleOfficial, "whitelist", "create", true},
		{RoleOfficial, "whitelist", "delete", true},
		{RoleAdmin, "whitelist", "create", false},
		// assignments
		{RoleExpert, "assignment", "score", true},
		{RoleExpert, "assignment", "accept", true},
		{RoleExpert, "assignment", "run", false},
		{RoleOfficial, "assignment", "run", true},
		{RoleAdmin, "assignment", "read", true},
		{RoleOfficial, "assignment", "score", false},
		{RoleBankOfficer, "assignment", "read", false},
		// consultations
		{RoleBankOfficer, "consultation", "create", true},
		{RoleBankManager, "consultation", "rate", true},
		{RoleExpert, "consultation", "answer", true},
		{RoleOfficial, "consultation", "read", true},
		{RoleExpert, "consultation", "create", false},
		{RoleBankOfficer, "consultation", "answer", false},
		{RoleAnalyst, "consultation", "read", false},
		{RoleAdmin, "consultation", "read", true}, // the admin sees every consultation
		// intelligence
		{RoleAnalyst, "source", "refresh", true},
		{RoleAdmin, "source", "import", true},
		{RoleOfficial, "source", "create", false},
		{RoleOfficial, "source", "read", false},
		{RoleBankManager, "source", "read", false},
		{RoleAnalyst, "item", "read", true},
		{RoleBankOfficer, "riskmap", "read", true},
		{RoleExpert, "riskmap", "read", false},
		{RoleAnalyst, "alert_rule", "delete", true},
		{RoleBankManager, "alert_rule", "create", true},
		{RoleOfficial, "alert", "read", true},
		{RoleAdmin, "alert", "read", false},
		{RoleExpert, "alert", "read", true}, // experts get alerts on their fields
		// exposure: banks only, never analysts
		{RoleBankManager, "exposure", "read", true},
		{RoleBankOfficer, "exposure", "read", true},
		{RoleAnalyst, "exposure", "read", false},
		{RoleOfficial, "exposure", "read", false},
		{RoleAdmin, "exposure", "read", false},
		// audit and dashboard
		{RoleAdmin, "audit", "read", true},
		{RoleOfficial, "audit", "read", true},
		{RoleBankManager, "audit", "read", false},
		{RoleBankOfficer, "audit", "read", false},
		{RoleAnalyst, "audit", "read", false},
		{RoleOfficial, "dashboard", "read", true},
		{RoleAdmin, "dashboard", "read", true},
		{RoleBankManager, "dashboard", "read", false},
		// nobody and nothing else
		{"", "me", "read", false},
		{"guest", "me", "read", false},
		{RoleAdmin, "", "read", false},
		{RoleAdmin, "user", "", false},
		{RoleAdmin, "*", "*", false},
		{RoleAdmin, "user", "delete", false},
	}
	for _, tt := range tests {
		if got := e.RoleAllowed(tt.role, tt.obj, tt.act); got != tt.want {
			t.Errorf("RoleAllowed(%q, %q, %q) = %v, want %v", tt.role, tt.obj, tt.act, got, tt.want)
		}
	}
}

func TestDefaultPolicyRows(t *testing.T) {
	rows, err := DefaultPolicy()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	roles := map[string]int{}
	for _, r := range rows {
		k := r[0] + "," + r[1] + "," + r[2] + "," + r[3]
		if seen[k] {
			t.Errorf("row %q appears twice", r)
		}
		seen[k] = true
		roles[r[0]]++
		if r[1] != PlatformDomain {
			t.Errorf("row %q: default rows apply in every domain, want domain %q", r, PlatformDomain)
		}
		if r[2] == "*" || r[3] == "*" {
			t.Errorf("row %q: default rows name their object and action", r)
		}
	}
	for _, role := range Roles() {
		if roles[role] == 0 {
			t.Errorf("role %s has no default rows", role)
		}
	}
}

func TestAllowedByDomain(t *testing.T) {
	ctx := context.Background()
	e := newEnforcer(t, storetest.New(t))
	for _, u := range []struct{ user, role, dom string }{
		{"off1", RoleBankOfficer, "bank:1"},
		{"mgr2", RoleBankManager, "bank:2"},
		{"off9", RoleOfficial, "*"},
		{"ana1", RoleAnalyst, "*"},
	} {
		if err := e.SetUserRole(ctx, u.user, u.role, u.dom); err != nil {
			t.Fatalf("SetUserRole(%s): %v", u.user, err)
		}
	}
	tests := []struct {
		user, dom, obj, act string
		want                bool
	}{
		{"off1", "bank:1", "application", "create", true},
		{"off1", "bank:2", "application", "create", false}, // another bank
		{"off1", "*", "application", "create", false},      // not platform-wide
		{"mgr2", "bank:2", "user", "create", true},
		{"mgr2", "bank:1", "user", "create", false},
		{"off9", "*", "application", "read", true},
		{"off9", "bank:1", "application", "read", true}, // platform-wide holds everywhere
		{"off9", "bank:1", "application", "create", false},
		{"ana1", "*", "exposure", "read", false},
		{"ana1", "*", "source", "create", true},
		{"nobody", "*", "me", "read", false},
	}
	for _, tt := range tests {
		got, err := e.Allowed(tt.user, tt.dom, tt.obj, tt.act)
		if err != nil {
			t.Fatalf("Allowed(%q, %q, %q, %q): %v", tt.user, tt.dom, tt.obj, tt.act, err)
		}
		if got != tt.want {
			t.Errorf("Allowed(%q, %q, %q, %q) = %v, want %v", tt.user, tt.dom, tt.obj, tt.act, got, tt.want)
		}
	}

	// A policy in one bank's domain applies there only.
	if err := e.AddPolicy(ctx, RoleBankOfficer, "bank:1", "audit", "read"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := e.Allowed("off1", "bank:1", "audit", "read"); !ok {
		t.Error("bank:1 officer with a bank:1 audit policy: got denied, want allowed")
	}
	if e.RoleAllowed(RoleBankOfficer, "audit", "read") {
		t.Error("RoleAllowed follows a bank-domain policy; want only platform-wide policies")
	}

	for _, user := range []string{"", " ", "*", RoleAdmin} {
		_, err := e.Allowed(user, "*", "me", "read")
		wantCode(t, "Allowed for user "+user, err, kedaitong.EInvalid)
	}
}

func TestSetUserRole(t *testing.T) {
	ctx := context.Background()
	e := newEnforcer(t, storetest.New(t))
	if err := e.SetUserRole(ctx, "u1", RoleAnalyst, "*"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := e.Allowed("u1", "*", "source", "create"); !ok {
		t.Fatal("analyst: source create denied, want allowed")
	}
	// The new role replaces the old one, at once.
	if err := e.SetUserRole(ctx, "u1", RoleBankOfficer, "bank:7"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := e.Allowed("u1", "*", "source", "create"); ok {
		t.Error("after the change to bank_officer: source create allowed, want denied")
	}
	if ok, _ := e.Allowed("u1", "bank:7", "exposure", "read"); !ok {
		t.Error("after the change to bank_officer: exposure read denied, want allowed")
	}
	roles, err := e.UserRoles("u1")
	if err != nil {
		t.Fatal(err)
	}
	if len(roles) != 1 || roles[0] != [2]string{RoleBankOfficer, "bank:7"} {
		t.Errorf("UserRoles = %v, want [[bank_officer bank:7]]", roles)
	}
	// Setting the same role again changes nothing.
	v := e.Version()
	if err := e.SetUserRole(ctx, "u1", RoleBankOfficer, "bank:7"); err != nil {
		t.Fatal(err)
	}
	if e.Version() != v {
		t.Errorf("same role again moved the version from %d to %d", v, e.Version())
	}

	bad := []struct{ user, role, dom, why string }{
		{"u2", "superuser", "*", "unknown role"},
		{"u2", "", "*", "empty role"},
		{"u2", RoleBankOfficer, "*", "bank role platform-wide"},
		{"u2", RoleBankManager, "bank:", "bank role without a bank"},
		{"u2", RoleOfficial, "bank:1", "platform role in a bank"},
		{"u2", RoleAdmin, "", "empty domain"},
		{"", RoleAdmin, "*", "empty user"},
		{RoleAdmin, RoleAdmin, "*", "user named like a role"},
	}
	for _, b := range bad {
		wantCode(t, b.why, e.SetUserRole(ctx, b.user, b.role, b.dom), kedaitong.EInvalid)
	}
	if roles, _ := e.UserRoles("u2"); len(roles) != 0 {
		t.Errorf("refused SetUserRole left roles %v", roles)
	}
}

func TestRemoveUserLosesAccessAtOnce(t *testing.T) {
	ctx := context.Background()
	e := newEnforcer(t, storetest.New(t))
	if err := e.SetUserRole(ctx, "u1", RoleAdmin, "*"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := e.Allowed("u1", "*", "user", "create"); !ok {
		t.Fatal("admin: user create denied, want allowed")
	}
	if err := e.RemoveUser(ctx, "u1"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := e.Allowed("u1", "*", "user", "create"); ok {
		t.Error("removed user: user create still allowed")
	}
	if err := e.RemoveUser(ctx, "u1"); err != nil {
		t.Errorf("removing a user without roles: %v, want nil", err)
	}
}

func TestAddRemovePolicy(t *testing.T) {
	ctx := context.Background()
	e := newEnforcer(t, storetest.New(t))
	if e.RoleAllowed(RoleAnalyst, "dashboard", "read") {
		t.Fatal("analyst dashboard read allowed before the policy")
	}
	if err := e.AddPolicy(ctx, RoleAnalyst, "*", "dashboard", "read"); err != nil {
		t.Fatal(err)
	}
	if !e.RoleAllowed(RoleAnalyst, "dashboard", "read") {
		t.Error("analyst dashboard read denied after AddPolicy")
	}
	wantCode(t, "add twice", e.AddPolicy(ctx, RoleAnalyst, "*", "dashboard", "read"), kedaitong.EConflict)
	if err := e.RemovePolicy(ctx, RoleAnalyst, "*", "dashboard", "read"); err != nil {
		t.Fatal(err)
	}
	if e.RoleAllowed(RoleAnalyst, "dashboard", "read") {
		t.Error("analyst dashboard read allowed after RemovePolicy")
	}
	wantCode(t, "remove twice", e.RemovePolicy(ctx, RoleAnalyst, "*", "dashboard", "read"), kedaitong.ENotFound)

	// An explicit wildcard is honoured; an empty field is refused.
	if err := e.AddPolicy(ctx, RoleExpert, "*", "item", "*"); err != nil {
		t.Fatal(err)
	}
	if !e.RoleAllowed(RoleExpert, "item", "export") {
		t.Error(`expert item export denied under an "*" action policy`)
	}
	wantCode(t, "empty object", e.AddPolicy(ctx, RoleExpert, "*", "", "read"), kedaitong.EInvalid)
	wantCode(t, "empty action", e.AddPolicy(ctx, RoleExpert, "*", "item", ""), kedaitong.EInvalid)
	wantCode(t, "unknown role", e.AddPolicy(ctx, "root", "*", "item", "read"), kedaitong.EInvalid)
	wantCode(t, "bad domain", e.AddPolicy(ctx, RoleExpert, "bank1", "item", "read"), kedaitong.EInvalid)
	if e.RoleAllowed(RoleExpert, "riskmap", "read") {
		t.Error("a refused policy still grants access")
	}
}

func TestSeedOnce(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	rows, err := DefaultPolicy()
	if err != nil {
		t.Fatal(err)
	}
	e1 := newEnforcer(t, st)
	newEnforcer(t, st) // a second server starting on the same store
	count := func() int64 {
		ad := newAdapter(t, st)
		n, err := ad.rules.Count(ctx, store.Query{Eq: map[string]any{"ptype": "p"}})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if got := count(); got != int64(len(rows)) {
		t.Fatalf("policies after two starts: %d, want %d", got, len(rows))
	}
	if err := e1.RemovePolicy(ctx, RoleOfficial, "*", "dashboard", "read"); err != nil {
		t.Fatal(err)
	}
	e3 := newEnforcer(t, st)
	if e3.RoleAllowed(RoleOfficial, "dashboard", "read") {
		t.Error("a restart re-seeded a default policy the admin removed")
	}
	if got := count(); got != int64(len(rows))-1 {
		t.Errorf("policies after the removal and a restart: %d, want %d", got, len(rows)-1)
	}
}

// waitFor polls cond until it holds or 6 s pass.
func waitFor(t *testing.T, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < 6*time.Second {
		if cond() {
			return time.Since(start)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s: not seen within 6 s", what)
	return 0
}

func TestChangesPropagateBetweenServers(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := t.TempDir()
	open := func() store.Store {
		st, err := store.OpenSQLite(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	a := newEnforcer(t, open())
	b := newEnforcer(t, open())
	done := make(chan struct{})
	go func() { b.Watch(ctx, time.Second); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	if err := a.SetUserRole(ctx, "u1", RoleAnalyst, "*"); err != nil {
		t.Fatal(err)
	}
	d := waitFor(t, "role given on A allowed on B", func() bool {
		ok, err := b.Allowed("u1", "*", "source", "read")
		return err == nil && ok
	})
	t.Logf("role grant seen on B after %v", d)

	if err := a.SetUserRole(ctx, "u1", RoleExpert, "*"); err != nil {
		t.Fatal(err)
	}
	d = waitFor(t, "role change on A seen on B", func() bool {
		src, err1 := b.Allowed("u1", "*", "source", "read")
		asg, err2 := b.Allowed("u1", "*", "assignment", "score")
		return err1 == nil && err2 == nil && !src && asg
	})
	t.Logf("role change seen on B after %v", d)

	if err := a.RemovePolicy(ctx, RoleExpert, "*", "assignment", "score"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "policy removal on A seen on B", func() bool { return !b.RoleAllowed(RoleExpert, "assignment", "score") })

	if err := a.RemoveUser(ctx, "u1"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "user removal on A seen on B", func() bool {
		ok, err := b.Allowed("u1", "*", "me", "read")
		return err == nil && !ok
	})
}
