package identity_test

import (
	"context"
	"testing"
	"time"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store/storetest"
)

// TestSessionCache: two servers on one store. A log-out, a password reset
// or a disabled account made on one server shows there at once, and on the
// other within identity.SessionCacheTTL.
func TestSessionCache(t *testing.T) {
	old := identity.SessionCacheTTL
	identity.SessionCacheTTL = 300 * time.Millisecond
	t.Cleanup(func() { identity.SessionCacheTTL = old })
	st := storetest.New(t)
	ctx := context.Background()
	a, err := identity.Open(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := identity.Open(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	admin := mustCreate(t, a, nil, identity.NewUser{Username: "root", Role: "admin"})
	u := mustCreate(t, a, &admin, identity.NewUser{Username: "city", Role: "official", Region: "3607"})
	refused := func(s *identity.Service, sec string) bool {
		_, err := s.Authenticate(ctx, sec)
		if err != nil && !kedaitong.Is(err, kedaitong.EUnauthorized) {
			t.Fatal(err)
		}
		return err != nil
	}
	// within the TTL after the other server's change, b may still answer
	// from memory; after it, never
	afterTTL := func(what string, check func() bool) {
		t.Helper()
		time.Sleep(identity.SessionCacheTTL + 50*time.Millisecond)
		if !check() {
			t.Errorf("%s: not seen by the other server after the cache's lifetime", what)
		}
	}

	// log-out
	_, sec, err := a.Login(ctx, "city", goodPW, "1.1.1.1")
	if err != nil {
		t.Fatal(err)
	}
	cl, err := a.Authenticate(ctx, sec)
	if err != nil || cl.User.Region != "3607" {
		t.Fatalf("authenticate: %v %+v", err, cl.User)
	}
	if refused(b, sec) || refused(a, sec) { // both have it cached now
		t.Fatal("a fresh session refused")
	}
	if err := a.Logout(ctx, cl); err != nil {
		t.Fatal(err)
	}
	if !refused(a, sec) {
		t.Error("the server that logged out still accepts the session")
	}
	afterTTL("log-out", func() bool { return refused(b, sec) })

	// a password reset by the administrator
	_, sec, _ = a.Login(ctx, "city", goodPW, "1.1.1.1")
	for _, s := range []*identity.Service{a, b} {
		if refused(s, sec) {
			t.Fatal("a fresh session refused")
		}
	}
	pw := "Reset by the admin 77"
	if _, err := a.UpdateUser(ctx, admin, u.ID, identity.Patch{Password: &pw}); err != nil {
		t.Fatal(err)
	}
	if !refused(a, sec) {
		t.Error("the server that reset the password still accepts the old session")
	}
	afterTTL("password reset", func() bool { return refused(b, sec) })

	// disabling
	_, sec, err = a.Login(ctx, "city", pw, "1.1.1.1")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*identity.Service{a, b} {
		if refused(s, sec) {
			t.Fatal("a fresh session refused")
		}
	}
	yes := true
	if _, err := a.UpdateUser(ctx, admin, u.ID, identity.Patch{Disabled: &yes}); err != nil {
		t.Fatal(err)
	}
	if !refused(a, sec) {
		t.Error("a disabled account's session still accepted by the server that disabled it")
	}
	afterTTL("disabling", func() bool { return refused(b, sec) })
}

// TestSessionCacheKeepsIdleAndExpiry: a cached session still ends after
// its idle time and at its absolute expiry, and activity keeps it alive.
func TestSessionCacheKeepsIdleAndExpiry(t *testing.T) {
	old := identity.SessionCacheTTL
	identity.SessionCacheTTL = time.Hour // everything from memory unless a rule says otherwise
	t.Cleanup(func() { identity.SessionCacheTTL = old })
	s, _ := newService(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	mustCreate(t, s, nil, identity.NewUser{Username: "root", Role: "admin"})
	_, sec, err := s.Login(ctx, "root", goodPW, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	for range 5 { // activity every 20 minutes for 100 minutes
		now = now.Add(20 * time.Minute)
		if _, err := s.Authenticate(ctx, sec); err != nil {
			t.Fatalf("active session refused: %v", err)
		}
	}
	now = now.Add(identity.SessionIdle + time.Minute)
	if _, err := s.Authenticate(ctx, sec); !kedaitong.Is(err, kedaitong.EUnauthorized) {
		t.Fatalf("idle session: %v, want 401", err)
	}
	_, sec, _ = s.Login(ctx, "root", goodPW, "127.0.0.1")
	if _, err := s.Authenticate(ctx, sec); err != nil {
		t.Fatal(err)
	}
	now = now.Add(identity.SessionAbsolute + time.Second)
	if _, err := s.Authenticate(ctx, sec); !kedaitong.Is(err, kedaitong.EUnauthorized) {
		t.Fatalf("expired session: %v, want 401", err)
	}
}
