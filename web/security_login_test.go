package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"kedaitong/app"
	"kedaitong/identity"
	"kedaitong/internal/config"
	"kedaitong/internal/store/storetest"
)

// newEnvWith is newEnv with a configuration (trusted proxies, secure
// cookies) and the users seeded.
func newEnvWith(t *testing.T, cfg config.Config) *env {
	t.Helper()
	st := storetest.New(t)
	cfg.ShutdownGrace = time.Second
	a, err := app.New(context.Background(), st, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(a.Server.Handler())
	t.Cleanup(ts.Close)
	e := &env{t: t, app: a, srv: a.Server, ts: ts, ids: a.Identity, log: a.Audit, enf: a.RBAC, users: map[string]identity.User{}}
	e.seedUsers()
	return e
}

func loginBody(user, pw string) string {
	return fmt.Sprintf(`{"username":%q,"password":%q}`, user, pw)
}

// Issue 15.4: forty wrong passwords for the admin from one address do not
// lock the admin out: the guessing address is stopped, the admin logging in
// from elsewhere is not.
func TestSecurityLoginLockoutIsNotDoS(t *testing.T) {
	e := newEnvWith(t, config.Config{TrustedProxies: "127.0.0.1"})
	from := func(ip string, more ...string) []string {
		return append([]string{"Content-Type", "application/json", "X-Forwarded-For", ip}, more...)
	}
	limited := 0
	for i := 0; i < 40; i++ {
		r := e.do("POST", "/api/v1/auth/login", loginBody("admin", fmt.Sprintf("guess-number-%02d", i)), from("203.0.113.66")...)
		switch r.status {
		case http.StatusUnauthorized:
		case http.StatusTooManyRequests:
			limited++
			if r.header.Get("Retry-After") == "" || r.errorCode(t) != "rate_limited" {
				t.Fatalf("429 without Retry-After or code: %v %s", r.header, r.body)
			}
		default:
			t.Fatalf("guess %d = %d %s", i, r.status, r.body)
		}
	}
	if limited != 40-identity.PairLimit {
		t.Fatalf("%d of 40 guesses refused, want all after the first %d", limited, identity.PairLimit)
	}
	// The attacker's right password is refused too (no oracle) ...
	if r := e.do("POST", "/api/v1/auth/login", loginBody("admin", testPW), from("203.0.113.66")...); r.status != http.StatusTooManyRequests {
		t.Fatalf("right password from the guessing address = %d, want 429", r.status)
	}
	// ... while the admin, elsewhere, logs in.
	if r := e.do("POST", "/api/v1/auth/login", loginBody("admin", testPW), from("198.51.100.20")...); r.status != http.StatusOK {
		t.Fatalf("admin from another address = %d %s", r.status, r.body)
	}
	// Spraying: the guessing address is stopped for every account after
	// SourceLimit failures, other addresses are not.
	for i := 0; i < identity.SourceLimit; i++ {
		e.do("POST", "/api/v1/auth/login", loginBody(fmt.Sprintf("nobody%02d", i), "Spring-2026!"), from("203.0.113.99")...)
	}
	if r := e.do("POST", "/api/v1/auth/login", loginBody("analyst", testPW), from("203.0.113.99")...); r.status != http.StatusTooManyRequests {
		t.Fatalf("sprayer logging in = %d, want 429", r.status)
	}
	if r := e.do("POST", "/api/v1/auth/login", loginBody("analyst", testPW), from("198.51.100.21")...); r.status != http.StatusOK {
		t.Fatalf("analyst from elsewhere = %d %s", r.status, r.body)
	}
}

// Without trusted proxies X-Forwarded-For is ignored: it does not spread
// one client's guesses over made-up addresses.
func TestSecurityLoginSpoofedForwardedFor(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	for i := 0; i < identity.PairLimit; i++ {
		e.do("POST", "/api/v1/auth/login", loginBody("analyst", "wrong-password-1"), "Content-Type", "application/json", "X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i+1))
	}
	r := e.do("POST", "/api/v1/auth/login", loginBody("analyst", testPW), "Content-Type", "application/json", "X-Forwarded-For", "192.0.2.1")
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("after guesses under spoofed addresses = %d, want 429", r.status)
	}
	// Another account from the same client is not locked by them.
	if r := e.do("POST", "/api/v1/auth/login", loginBody("expert", testPW), "Content-Type", "application/json"); r.status != http.StatusOK {
		t.Fatalf("another account = %d %s", r.status, r.body)
	}
}

func cookieOf(r resp, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: r.header}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// The browser the owner used before gets in while a botnet has used up the
// account's hourly budget and while its own network guesses.
func TestSecurityLoginKnownDevice(t *testing.T) {
	e := newEnvWith(t, config.Config{TrustedProxies: "127.0.0.1"})
	ct := []string{"Content-Type", "application/json"}
	first := e.do("POST", "/api/v1/auth/login", loginBody("manager", testPW), append(ct, "X-Forwarded-For", "198.51.100.5")...)
	dev := cookieOf(first, "kedai_device")
	if first.status != 200 || dev == nil || !dev.HttpOnly || dev.SameSite != http.SameSiteStrictMode || dev.Path != "/" {
		t.Fatalf("first log-in = %d, device cookie %+v", first.status, dev)
	}
	for i := 0; i < identity.AccountLimit; i++ {
		e.do("POST", "/api/v1/auth/login", loginBody("manager", "botnet-guess-1"), append(ct, "X-Forwarded-For", fmt.Sprintf("192.0.2.%d", i+1))...)
	}
	if r := e.do("POST", "/api/v1/auth/login", loginBody("manager", testPW), append(ct, "X-Forwarded-For", "198.51.100.6")...); r.status != http.StatusTooManyRequests {
		t.Fatalf("new browser during the attack = %d, want 429", r.status)
	}
	r := e.do("POST", "/api/v1/auth/login", loginBody("manager", testPW), append(ct, "X-Forwarded-For", "192.0.2.1", "Cookie", "kedai_device="+dev.Value)...)
	if r.status != http.StatusOK {
		t.Fatalf("known browser during the attack = %d %s", r.status, r.body)
	}
	// The page form uses the same cookie.
	req, _ := http.NewRequest("POST", e.ts.URL+"/login", strings.NewReader("username=manager&password="+strings.ReplaceAll(testPW, " ", "+")))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", "192.0.2.2")
	req.Header.Set("Cookie", "kedai_device="+dev.Value)
	cl := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login page with the known browser = %d, want 303", res.StatusCode)
	}
}
