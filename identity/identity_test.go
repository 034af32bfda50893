package identity_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store/storetest"
)

type events struct {
	mu  sync.Mutex
	evs []identity.Event
}

func (e *events) Record(_ context.Context, ev identity.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.evs = append(e.evs, ev)
}

func (e *events) actions() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, ev := range e.evs {
		out = append(out, ev.Action+":"+ev.Outcome)
	}
	return out
}

func newService(t *testing.T) (*identity.Service, *events) {
	t.Helper()
	ev := &events{}
	s, err := identity.Open(context.Background(), storetest.New(t), ev)
	if err != nil {
		t.Fatal(err)
	}
	return s, ev
}

const goodPW = "Gan-zhou river 2026"

func mustCreate(t *testing.T, s *identity.Service, actor *identity.User, n identity.NewUser) identity.User {
	t.Helper()
	if n.Password == "" {
		n.Password = goodPW
	}
	u, err := s.CreateUser(context.Background(), actor, n)
	if err != nil {
		t.Fatalf("create %s: %v", n.Username, err)
	}
	return u
}

func TestValidateNewUser(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	tests := []struct {
		name  string
		in    identity.NewUser
		field string
	}{
		{"unknown role", identity.NewUser{Username: "x1", Role: "superuser"}, "role"},
		{"bank role without bank", identity.NewUser{Username: "x2", Role: "bank_officer"}, "bank_id"},
		{"official without region", identity.NewUser{Username: "x3", Role: "official"}, "region"},
		{"official with another province", identity.NewUser{Username: "x4", Role: "official", Region: "44"}, "region"},
		{"official with bad city", identity.NewUser{Username: "x5", Role: "official", Region: "3699"}, "region"},
		{"official with letters", identity.NewUser{Username: "x6", Role: "official", Region: "36ab"}, "region"},
		{"expert without profile", identity.NewUser{Username: "x7", Role: "expert"}, "expert_id"},
		{"analyst with bank", identity.NewUser{Username: "x8", Role: "analyst", BankID: "b1"}, "bank_id"},
		{"empty username", identity.NewUser{Username: " ", Role: "analyst"}, "username"},
		{"username with spaces", identity.NewUser{Username: "a b c", Role: "analyst"}, "username"},
		{"short password", identity.NewUser{Username: "x9", Role: "analyst", Password: "short1"}, "password"},
		{"long password", identity.NewUser{Username: "x10", Role: "analyst", Password: strings.Repeat("长", 257)}, "password"},
		{"common password", identity.NewUser{Username: "x11", Role: "analyst", Password: "password123"}, "password"},
		{"password contains username", identity.NewUser{Username: "wangfang", Role: "analyst", Password: "WangFang-is-great"}, "password"},
		{"keyboard run", identity.NewUser{Username: "x12", Role: "analyst", Password: "qwertyuiopas"}, "password"},
		{"one character", identity.NewUser{Username: "x13", Role: "analyst", Password: "aaaaaaaaaaaa"}, "password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.in.Password == "" {
				tt.in.Password = goodPW
			}
			_, err := s.CreateUser(ctx, nil, tt.in)
			var e *kedaitong.Error
			if !errors.As(err, &e) || e.Code != kedaitong.EInvalid || e.Field != tt.field {
				t.Fatalf("err = %v, want invalid %s", err, tt.field)
			}
		})
	}
	// Nothing was created.
	admin := mustCreate(t, s, nil, identity.NewUser{Username: "root", Role: "admin"})
	us, _, err := s.ListUsers(ctx, admin, identity.ListFilter{Limit: 100})
	if err != nil || len(us) != 1 {
		t.Fatalf("after refused creations: %d users, err %v; want only root", len(us), err)
	}
}

func TestChinesePasswordAndLogin(t *testing.T) {
	s, ev := newService(t)
	ctx := context.Background()
	pw := strings.Repeat("科技贷款专家评审平台赣江", 5) + "南昌赣州" // 64 characters
	if n := len([]rune(pw)); n != 64 {
		t.Fatalf("test password has %d characters", n)
	}
	mustCreate(t, s, nil, identity.NewUser{Username: "李明", Role: "analyst", Password: pw})
	u, secret, err := s.Login(ctx, "李明", pw, "10.0.0.1")
	if err != nil || secret == "" {
		t.Fatalf("login: %v", err)
	}
	cl, err := s.Authenticate(ctx, secret)
	if err != nil || cl.User.ID != u.ID {
		t.Fatalf("authenticate: %v", err)
	}
	if got := ev.actions(); !contains(got, "login:ok") || !contains(got, "user.create:ok") {
		t.Errorf("audit events = %v", got)
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

func TestDuplicateUsername(t *testing.T) {
	s, _ := newService(t)
	mustCreate(t, s, nil, identity.NewUser{Username: "Zhang.Wei", Role: "analyst"})
	_, err := s.CreateUser(context.Background(), nil, identity.NewUser{Username: "zhang.wei", Role: "analyst", Password: goodPW})
	if !kedaitong.Is(err, kedaitong.EConflict) {
		t.Fatalf("duplicate (case-folded) username: %v, want conflict", err)
	}
}

func TestLoginSameAnswer(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	mustCreate(t, s, nil, identity.NewUser{Username: "officer1", Role: "bank_officer", BankID: "gzb"})
	_, _, errUnknown := s.Login(ctx, "nobody", goodPW, "1.1.1.1")
	_, _, errWrong := s.Login(ctx, "officer1", "wrong password!!", "1.1.1.2")
	if !kedaitong.Is(errUnknown, kedaitong.EUnauthorized) || kedaitong.ErrorMessage(errUnknown) != kedaitong.ErrorMessage(errWrong) {
		t.Fatalf("unknown user %v vs wrong password %v: want the same 401", errUnknown, errWrong)
	}
}

func wantLimited(t *testing.T, what string, err error) {
	t.Helper()
	var rl *identity.RateLimitError
	if !kedaitong.Is(err, kedaitong.ERateLimited) || !errors.As(err, &rl) || rl.RetryAfter <= 0 || rl.RetryAfter > identity.AccountWindow {
		t.Fatalf("%s: %v, want rate limited with a retry-after", what, err)
	}
}

// Guessing at an account from one source stops that source, not the
// account's owner (issue 15: anyone could lock any account).
func TestThrottlePairNotVictim(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	mustCreate(t, s, nil, identity.NewUser{Username: "admin", Role: "admin"})
	for i := 0; i < identity.PairLimit; i++ {
		if _, _, err := s.Login(ctx, "admin", "wrong password!!", "6.6.6.6"); !kedaitong.Is(err, kedaitong.EUnauthorized) {
			t.Fatalf("guess %d: %v, want 401", i+1, err)
		}
	}
	// The guessing source is stopped even with the right password ...
	_, _, err := s.Login(ctx, "admin", goodPW, "6.6.6.6")
	wantLimited(t, "right password from the guessing source", err)
	// ... its further guesses cost no password check and count nothing ...
	for i := 0; i < 50; i++ {
		s.Login(ctx, "admin", "wrong password!!", "6.6.6.6")
	}
	// ... and the owner, from a source that has not been guessing, gets in.
	if _, _, err := s.Login(ctx, "ADMIN", goodPW, "10.1.2.3"); err != nil {
		t.Fatalf("owner from another source: %v", err)
	}
	// The same over IPv6: one /64 is one source.
	for i := 0; i < identity.PairLimit; i++ {
		s.Login(ctx, "admin", "wrong password!!", fmt.Sprintf("2001:db8:1:2::%x", i+1))
	}
	_, _, err = s.Login(ctx, "admin", goodPW, "2001:db8:1:2::ffff")
	wantLimited(t, "another address of the guessing /64", err)
	if _, _, err := s.Login(ctx, "admin", goodPW, "2001:db8:1:3::1"); err != nil {
		t.Fatalf("owner from another /64: %v", err)
	}
	// After the window the guessing source may try again.
	later := time.Now().UTC().Add(identity.ThrottleWindow + time.Minute)
	s.SetClock(func() time.Time { return later })
	if _, _, err := s.Login(ctx, "admin", goodPW, "6.6.6.6"); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

// A few typos followed by the right password are forgiven: the pair's count
// starts again.
func TestThrottleSuccessClearsPair(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	mustCreate(t, s, nil, identity.NewUser{Username: "typist", Role: "analyst"})
	for round := 0; round < 3; round++ {
		for i := 0; i < identity.PairLimit-1; i++ {
			s.Login(ctx, "typist", "wrong password!!", "7.7.7.7")
		}
		if _, _, err := s.Login(ctx, "typist", goodPW, "7.7.7.7"); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
}

// Spraying one password over many accounts from one source stops the source
// for every account.
func TestThrottleSource(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	mustCreate(t, s, nil, identity.NewUser{Username: "officer2", Role: "bank_officer", BankID: "gzb"})
	for i := 0; i < identity.SourceLimit; i++ {
		s.Login(ctx, fmt.Sprintf("user%02d", i), "wrong password!!", "5.5.5.5")
	}
	_, _, err := s.Login(ctx, "officer2", goodPW, "5.5.5.5")
	wantLimited(t, "source over its limit", err)
	if _, _, err := s.Login(ctx, "officer2", goodPW, "4.4.4.4"); err != nil {
		t.Fatalf("other source: %v", err)
	}
}

// A botnet guessing from many sources exhausts the account's hourly budget:
// new browsers are then refused, the owner's known browser is not, and
// nobody gets more than AccountLimit guesses an hour.
func TestThrottleAccountAndDevice(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	base := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	now := base
	s.SetClock(func() time.Time { return now })
	mustCreate(t, s, nil, identity.NewUser{Username: "mgr", Role: "bank_manager", BankID: "gzb"})
	first, err := s.LogIn(ctx, identity.LoginRequest{Username: "mgr", Password: goodPW, Source: "8.8.8.8"})
	if err != nil || !strings.HasPrefix(first.Device, identity.DevicePrefix) {
		t.Fatalf("first log-in: device %q, %v", first.Device, err)
	}
	refused := 0
	for i := 0; i < identity.AccountLimit+20; i++ {
		_, _, err := s.Login(ctx, "mgr", "wrong password!!", fmt.Sprintf("9.9.%d.%d", i/200, i%200))
		if kedaitong.Is(err, kedaitong.ERateLimited) {
			refused++
		}
	}
	if refused != 20 {
		t.Fatalf("%d of %d distributed guesses refused, want all past the %d allowed", refused, identity.AccountLimit+20, identity.AccountLimit)
	}
	// A new browser, even with the right password, must wait ...
	_, err = s.LogIn(ctx, identity.LoginRequest{Username: "mgr", Password: goodPW, Source: "1.2.3.4"})
	wantLimited(t, "new browser during the attack", err)
	// ... a device token of another account does not help ...
	mustCreate(t, s, nil, identity.NewUser{Username: "other", Role: "analyst"})
	o, err := s.LogIn(ctx, identity.LoginRequest{Username: "other", Password: goodPW, Source: "1.2.3.5"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.LogIn(ctx, identity.LoginRequest{Username: "mgr", Password: goodPW, Source: "1.2.3.5", Device: o.Device})
	wantLimited(t, "another account's device token", err)
	// ... but the owner's browser gets in, keeping its token.
	again, err := s.LogIn(ctx, identity.LoginRequest{Username: "mgr", Password: goodPW, Source: "1.2.3.4", Device: first.Device})
	if err != nil || again.Device != first.Device {
		t.Fatalf("known browser during the attack: %v (device %q)", err, again.Device)
	}
	// A stolen device token gives PairLimit guesses, no more.
	for i := 0; i < identity.PairLimit; i++ {
		s.LogIn(ctx, identity.LoginRequest{Username: "mgr", Password: "wrong password!!", Source: "6.6.6.6", Device: first.Device})
	}
	_, err = s.LogIn(ctx, identity.LoginRequest{Username: "mgr", Password: goodPW, Source: "1.2.3.4", Device: first.Device})
	wantLimited(t, "device over its limit", err)
	// An hour later the account is open to new browsers again.
	now = base.Add(identity.AccountWindow + 6*time.Minute)
	if _, err := s.LogIn(ctx, identity.LoginRequest{Username: "mgr", Password: goodPW, Source: "1.2.3.4"}); err != nil {
		t.Fatalf("after the hour: %v", err)
	}
}

// An administrator's password reset reopens the account to new browsers.
func TestThrottleResetByAdmin(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	admin := mustCreate(t, s, nil, identity.NewUser{Username: "root", Role: "admin"})
	u := mustCreate(t, s, nil, identity.NewUser{Username: "victim", Role: "analyst"})
	for i := 0; i < identity.AccountLimit; i++ {
		s.Login(ctx, "victim", "wrong password!!", fmt.Sprintf("9.8.%d.%d", i/200, i%200))
	}
	_, _, err := s.Login(ctx, "victim", goodPW, "1.1.1.1")
	wantLimited(t, "account over its budget", err)
	pw := "Reset by the admin 55"
	if _, err := s.UpdateUser(ctx, admin, u.ID, identity.Patch{Password: &pw}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Login(ctx, "victim", pw, "1.1.1.1"); err != nil {
		t.Fatalf("after the reset: %v", err)
	}
}

// Two replicas share the counters through the store.
func TestThrottleSharedByReplicas(t *testing.T) {
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
	mustCreate(t, a, nil, identity.NewUser{Username: "shared", Role: "analyst"})
	for i := 0; i < identity.PairLimit; i++ {
		r := a
		if i%2 == 1 {
			r = b
		}
		r.Login(ctx, "shared", "wrong password!!", "3.3.3.3")
	}
	_, _, err = b.Login(ctx, "shared", goodPW, "3.3.3.3")
	wantLimited(t, "replica b after guesses spread over a and b", err)
}

func TestSourceKey(t *testing.T) {
	for in, want := range map[string]string{
		"1.2.3.4": "1.2.3.4", "::ffff:1.2.3.4": "1.2.3.4", "2001:db8::1": "2001:db8::/64",
		"2001:db8:0:0:ffff::9": "2001:db8::/64", "": "unknown",
	} {
		if got := identity.SourceKey(in); got != want {
			t.Errorf("SourceKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSessionExpiryLogoutAndEpoch(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	base := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	now := base
	s.SetClock(func() time.Time { return now })
	admin := mustCreate(t, s, nil, identity.NewUser{Username: "root", Role: "admin"})
	_, sec, err := s.Login(ctx, "root", goodPW, "127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	// Activity every 20 minutes keeps it alive ...
	for i := 0; i < 5; i++ {
		now = now.Add(20 * time.Minute)
		if _, err := s.Authenticate(ctx, sec); err != nil {
			t.Fatalf("after %v of activity: %v", now.Sub(base), err)
		}
	}
	// ... but 31 idle minutes end it.
	now = now.Add(31 * time.Minute)
	if _, err := s.Authenticate(ctx, sec); !kedaitong.Is(err, kedaitong.EUnauthorized) {
		t.Fatalf("idle session: %v, want 401", err)
	}
	// Absolute expiry: 12 hours however active.
	_, sec, _ = s.Login(ctx, "root", goodPW, "127.0.0.1")
	start := now
	for now.Sub(start) < 12*time.Hour-10*time.Minute {
		now = now.Add(25 * time.Minute)
		s.Authenticate(ctx, sec)
	}
	now = start.Add(12*time.Hour + time.Minute)
	if _, err := s.Authenticate(ctx, sec); !kedaitong.Is(err, kedaitong.EUnauthorized) {
		t.Fatalf("12-hour-old session: %v, want 401", err)
	}
	// Logout ends it.
	_, sec, _ = s.Login(ctx, "root", goodPW, "127.0.0.1")
	cl, _ := s.Authenticate(ctx, sec)
	if err := s.Logout(ctx, cl); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, sec); !kedaitong.Is(err, kedaitong.EUnauthorized) {
		t.Fatalf("after logout: %v", err)
	}
	// A password reset ends the other sessions and tokens.
	_, sec, _ = s.Login(ctx, "root", goodPW, "127.0.0.1")
	tok, _, err := s.CreateToken(ctx, admin, "bank system", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.ChangePassword(ctx, admin, goodPW, "Another long pass 9"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, sec); err == nil {
		t.Error("session survived a password change")
	}
	if _, err := s.AuthenticateToken(ctx, tok); err == nil {
		t.Error("token survived a password change")
	}
	if err := s.ChangePassword(ctx, admin, "wrong current pw", "Yet another pass 77"); !kedaitong.Is(err, kedaitong.EInvalid) {
		t.Errorf("change with a wrong current password: %v", err)
	}
}

func TestTokens(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	s.SetClock(func() time.Time { return now })
	u := mustCreate(t, s, nil, identity.NewUser{Username: "mgr", Role: "bank_manager", BankID: "gzb"})
	exp := now.Add(time.Hour)
	tok, pub, err := s.CreateToken(ctx, u, "core banking", &exp)
	if err != nil || !strings.HasPrefix(tok, identity.TokenPrefix) {
		t.Fatalf("create token: %q %v", tok, err)
	}
	if cl, err := s.AuthenticateToken(ctx, tok); err != nil || cl.User.ID != u.ID {
		t.Fatalf("token auth: %v", err)
	}
	now = now.Add(2 * time.Hour)
	if _, err := s.AuthenticateToken(ctx, tok); !kedaitong.Is(err, kedaitong.EUnauthorized) {
		t.Fatalf("expired token: %v", err)
	}
	tok2, pub2, _ := s.CreateToken(ctx, u, "reports", nil)
	if err := s.RevokeToken(ctx, u, pub2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AuthenticateToken(ctx, tok2); !kedaitong.Is(err, kedaitong.EUnauthorized) {
		t.Fatalf("revoked token: %v", err)
	}
	other := mustCreate(t, s, nil, identity.NewUser{Username: "other", Role: "analyst"})
	if err := s.RevokeToken(ctx, other, pub.ID); !kedaitong.Is(err, kedaitong.ENotFound) {
		t.Fatalf("revoking another's token: %v, want not found", err)
	}
	past := now.Add(-time.Minute)
	if _, _, err := s.CreateToken(ctx, u, "old", &past); !kedaitong.Is(err, kedaitong.EInvalid) {
		t.Errorf("token expiring in the past: %v", err)
	}
	ts, _ := s.Tokens(ctx, u)
	if len(ts) != 2 {
		t.Errorf("tokens listed = %d, want 2", len(ts))
	}
}

func TestManagerScope(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	admin := mustCreate(t, s, nil, identity.NewUser{Username: "root", Role: "admin"})
	mgr := mustCreate(t, s, &admin, identity.NewUser{Username: "mgr-gz", Role: "bank_manager", BankID: "gzb"})
	mustCreate(t, s, &admin, identity.NewUser{Username: "off-nc", Role: "bank_officer", BankID: "ncb"})
	own := mustCreate(t, s, &mgr, identity.NewUser{Username: "off-gz", Role: "bank_officer", BankID: "gzb"})
	for _, n := range []identity.NewUser{
		{Username: "m2", Role: "bank_manager", BankID: "gzb", Password: goodPW},
		{Username: "o2", Role: "bank_officer", BankID: "ncb", Password: goodPW},
		{Username: "a2", Role: "admin", Password: goodPW},
	} {
		if _, err := s.CreateUser(ctx, &mgr, n); !kedaitong.Is(err, kedaitong.EForbidden) {
			t.Errorf("manager creating %s/%s: %v, want forbidden", n.Role, n.BankID, err)
		}
	}
	us, _, err := s.ListUsers(ctx, mgr, identity.ListFilter{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range us {
		names = append(names, u.Username)
		if u.BankID != "gzb" {
			t.Errorf("manager sees %s of bank %q", u.Username, u.BankID)
		}
	}
	if len(us) != 2 {
		t.Errorf("manager lists %v, want its bank's two users", names)
	}
	if us, _, _ := s.ListUsers(ctx, mgr, identity.ListFilter{BankID: "ncb", Limit: 50}); len(us) != 0 {
		t.Errorf("a bank filter widened the manager's view: %d users", len(us))
	}
	disabled := true
	if _, err := s.UpdateUser(ctx, mgr, own.ID, identity.Patch{Disabled: &disabled}); err != nil {
		t.Fatalf("manager disabling own officer: %v", err)
	}
	if _, _, err := s.Login(ctx, "off-gz", goodPW, "9.9.9.9"); !kedaitong.Is(err, kedaitong.EUnauthorized) {
		t.Errorf("disabled user logged in: %v", err)
	}
	other, _ := s.UserByName(ctx, "off-nc")
	if _, err := s.UpdateUser(ctx, mgr, other.ID, identity.Patch{Disabled: &disabled}); !kedaitong.Is(err, kedaitong.ENotFound) {
		t.Errorf("manager changing another bank's officer: %v, want not found", err)
	}
	// Paging through everything as admin loses nothing.
	for i := 0; i < 7; i++ {
		mustCreate(t, s, &admin, identity.NewUser{Username: "analyst" + string(rune('a'+i)), Role: "analyst"})
	}
	seen := map[string]bool{}
	cur := ""
	for {
		page, next, err := s.ListUsers(ctx, admin, identity.ListFilter{Limit: 3, Cursor: cur})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range page {
			if seen[u.ID] {
				t.Fatalf("user %s listed twice", u.Username)
			}
			seen[u.ID] = true
		}
		if next == "" {
			break
		}
		cur = next
	}
	if len(seen) != 11 {
		t.Errorf("paged %d users, want 11", len(seen))
	}
}

func TestEnsureAdmin(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	pw, err := s.EnsureAdmin(ctx)
	if err != nil || len(pw) < identity.MinPasswordLen {
		t.Fatalf("first admin: %q %v", pw, err)
	}
	if _, _, err := s.Login(ctx, "admin", pw, "127.0.0.1"); err != nil {
		t.Fatalf("log in with the printed password: %v", err)
	}
	if again, err := s.EnsureAdmin(ctx); err != nil || again != "" {
		t.Fatalf("second call: %q %v, want nothing", again, err)
	}
}

func TestRegionCovers(t *testing.T) {
	tests := []struct {
		scope, obj string
		want       bool
	}{
		{"36", "360702", true}, {"3607", "360702", true}, {"3607", "3607", true},
		{"3607", "360101", false}, {"360702", "360703", false}, {"360702", "360702", true}, {"", "360702", false},
	}
	for _, tt := range tests {
		if got := identity.RegionCovers(tt.scope, tt.obj); got != tt.want {
			t.Errorf("RegionCovers(%q, %q) = %v, want %v", tt.scope, tt.obj, got, tt.want)
		}
	}
}

func TestMaySee(t *testing.T) {
	tests := []struct {
		actor        identity.User
		bank, region string
		want         bool
	}{
		{identity.User{Role: identity.RoleAdmin}, "gzb", "360702", true},
		{identity.User{Role: identity.RoleBankOfficer, BankID: "gzb"}, "gzb", "360101", true},
		{identity.User{Role: identity.RoleBankManager, BankID: "gzb"}, "ncb", "360702", false},
		{identity.User{Role: identity.RoleBankOfficer}, "", "360702", false},
		{identity.User{Role: identity.RoleOfficial, Region: "3607"}, "ncb", "360702", true},
		{identity.User{Role: identity.RoleOfficial, Region: "3607"}, "gzb", "360101", false},
		{identity.User{Role: identity.RoleOfficial, Region: "36"}, "gzb", "360101", true},
		{identity.User{Role: identity.RoleExpert, ExpertID: "e1"}, "gzb", "360702", false},
		{identity.User{Role: identity.RoleAnalyst}, "gzb", "360702", false},
	}
	for _, tt := range tests {
		if got := identity.MaySee(tt.actor, tt.bank, tt.region); got != tt.want {
			t.Errorf("MaySee(%s %s%s, %s, %s) = %v, want %v", tt.actor.Role, tt.actor.BankID, tt.actor.Region, tt.bank, tt.region, got, tt.want)
		}
	}
}
