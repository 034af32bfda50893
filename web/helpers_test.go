package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"kedaitong/app"
	"kedaitong/audit"
	"kedaitong/identity"
	"kedaitong/internal/config"
	"kedaitong/internal/store/storetest"
	"kedaitong/rbac"
	"kedaitong/web"
	"time"
)

// env is a server on a fresh embedded store, reached over real HTTP.
type env struct {
	t     testing.TB
	app   *app.App
	srv   *web.Server
	ts    *httptest.Server
	ids   *identity.Service
	log   *audit.Log
	enf   *rbac.Enforcer
	users map[string]identity.User
}

func newEnv(t *testing.T) *env { return newEnvTB(t) }

// newEnvB is newEnv for benchmarks, with the demo users seeded.
func newEnvB(b *testing.B) *env {
	e := newEnvTB(b)
	e.seedUsers()
	return e
}

func newEnvTB(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	st := storetest.New(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.New(ctx, st, config.Config{ShutdownGrace: time.Second}, logger, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(a.Server.Handler())
	t.Cleanup(ts.Close)
	return &env{t: t, app: a, srv: a.Server, ts: ts, ids: a.Identity, log: a.Audit, enf: a.RBAC, users: map[string]identity.User{}}
}

// seedUsers creates one user per role (and a second bank and city) with password testPW.
func (e *env) seedUsers() {
	e.t.Helper()
	for _, n := range []identity.NewUser{
		{Username: "admin", Role: "admin"},
		{Username: "officer", Role: "bank_officer", BankID: "gzb"},
		{Username: "manager", Role: "bank_manager", BankID: "gzb"},
		{Username: "officer2", Role: "bank_officer", BankID: "ncb"},
		{Username: "manager2", Role: "bank_manager", BankID: "ncb"},
		{Username: "expert", Role: "expert", ExpertID: "exp-1"},
		{Username: "official", Role: "official", Region: "36"},
		{Username: "cityofficial", Role: "official", Region: "3607"},
		{Username: "analyst", Role: "analyst"},
		{Username: "investor", Role: "investor", Org: "赣江科创投资有限公司"},
	} {
		n.Password = testPW
		if n.Username == "admin" { // the first admin exists already: set its password
			a, err := e.ids.UserByName(context.Background(), "admin")
			if err != nil {
				e.t.Fatal(err)
			}
			pw := testPW
			if a, err = e.ids.UpdateUser(context.Background(), a, a.ID, identity.Patch{Password: &pw}); err != nil {
				e.t.Fatal(err)
			}
			e.users["admin"] = a
			continue
		}
		u, err := e.ids.CreateUser(context.Background(), nil, n)
		if err != nil {
			e.t.Fatal(err)
		}
		e.users[n.Username] = u
	}
}

const testPW = "Test-password 2026"

// login logs in over HTTP and returns the bearer-equivalent session secret.
func (e *env) login(username string) string {
	e.t.Helper()
	r := e.do("POST", "/api/v1/auth/login", `{"username":"`+username+`","password":"`+testPW+`"}`, "Content-Type", "application/json")
	if r.status != 200 {
		e.t.Fatalf("login %s: %d %s", username, r.status, r.body)
	}
	tok, _ := r.json(e.t)["token"].(string)
	return tok
}

// as returns header arguments that authenticate with the session cookie.
func as(secret string, more ...string) []string {
	return append([]string{"Cookie", "kedai_session=" + secret}, more...)
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, r.body)
	}
	return m
}

// errorCode returns the contract's error code, failing when the body is not the contract's error body.
func (r resp) errorCode(t *testing.T) string {
	t.Helper()
	m := r.json(t)
	e, ok := m["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error object in %s", r.body)
	}
	code, _ := e["code"].(string)
	msg, _ := e["message"].(string)
	if code == "" || msg == "" {
		t.Fatalf("error body lacks code or message: %s", r.body)
	}
	return code
}

func (e *env) do(method, path string, body string, header ...string) resp {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.ts.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := e.ts.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, header: res.Header, body: b}
}
