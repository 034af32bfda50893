package web_test

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"kedaitong/internal/config"
	"kedaitong/web"
)

func checkSecurityHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	for _, d := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, d) {
			t.Errorf("%s: CSP %q lacks %q", what, csp, d)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("%s: CSP allows inline code: %q", what, csp)
	}
	for k, v := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"} {
		if got := h.Get(k); got != v {
			t.Errorf("%s: %s = %q, want %q", what, k, got, v)
		}
	}
}

// Issue 15 "Also": every response carries the security headers: pages, API
// answers, errors, static files, health checks.
func TestSecurityHeadersEverywhere(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	sec := e.login("admin")
	for _, p := range []struct{ method, path string }{
		{"GET", "/"}, {"GET", "/login"}, {"GET", "/api/v1/me"}, {"GET", "/healthz"}, {"GET", "/static/style.css"},
		{"GET", "/static/app.js"}, {"GET", "/no/such/page"}, {"GET", "/api/v1/nothing"}, {"DELETE", "/api/v1/me"},
		{"GET", "/api/v1/applications/nope"}, {"GET", "/api/v1/openapi.json"},
	} {
		r := e.do(p.method, p.path, "", as(sec)...)
		checkSecurityHeaders(t, p.method+" "+p.path, r.header)
	}
	r := e.do("GET", "/api/v1/me", "")
	checkSecurityHeaders(t, "anonymous 401", r.header)
	if cc := e.do("GET", "/api/v1/me", "", as(sec)...).header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("API answer Cache-Control %q, want no-store", cc)
	}
}

// Cookies: HttpOnly and SameSite always; Secure with the __Host- prefix
// behind TLS (--secure-cookies).
func TestSecurityCookies(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	r := e.do("POST", "/api/v1/auth/login", loginBody("admin", testPW), appCT...)
	for _, name := range []string{"kedai_session", "kedai_device"} {
		c := cookieOf(r, name)
		if c == nil || !c.HttpOnly || c.SameSite == http.SameSiteNoneMode || c.SameSite == 0 || c.Path != "/" {
			t.Errorf("cookie %s = %+v, want HttpOnly, SameSite, path /", name, c)
		}
	}
	if c := cookieOf(e.do("GET", "/login?lang=en", ""), "kedai_lang"); c == nil || !c.HttpOnly {
		t.Errorf("language cookie = %+v, want HttpOnly", c)
	}

	s := newEnvWith(t, config.Config{SecureCookies: true})
	r = s.do("POST", "/api/v1/auth/login", loginBody("admin", testPW), appCT...)
	for _, name := range []string{"__Host-kedai_session", "__Host-kedai_device"} {
		c := cookieOf(r, name)
		if c == nil || !c.Secure || !c.HttpOnly || c.Path != "/" || c.Domain != "" {
			t.Errorf("behind TLS, cookie %s = %+v, want Secure, HttpOnly, path /, no domain", name, c)
		}
	}
	if cookieOf(r, "kedai_session") != nil {
		t.Error("behind TLS the plain session cookie is set too")
	}
	if h := r.header.Get("Strict-Transport-Security"); !strings.HasPrefix(h, "max-age=") {
		t.Errorf("behind a TLS proxy, Strict-Transport-Security = %q", h)
	}
	if h := e.do("GET", "/login", "").header.Get("Strict-Transport-Security"); h != "" {
		t.Errorf("over plain HTTP without a TLS proxy, Strict-Transport-Security = %q", h)
	}
	// The secure cookie is the one that authenticates.
	c := cookieOf(r, "__Host-kedai_session")
	if me := s.do("GET", "/api/v1/me", "", "Cookie", "__Host-kedai_session="+c.Value); me.status != 200 {
		t.Errorf("me with the __Host- cookie = %d", me.status)
	}
}

// No template has inline scripts, styles or event handlers: the CSP would
// block them, so they would silently not work.
func TestSecurityNoInlineCode(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("ui", "templates", "*.html"))
	if err != nil || len(files) == 0 {
		t.Fatalf("templates: %v %d", err, len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range inlineScript(string(b)) {
			t.Errorf("%s: inline code %q", f, m)
		}
	}
	if strings.Contains(web.ContentSecurityPolicy, "unsafe") {
		t.Errorf("CSP %q", web.ContentSecurityPolicy)
	}
}

// inlineScript finds inline scripts, style blocks and attributes, event
// handler attributes and javascript: URLs.
func inlineScript(html string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`).FindAllStringSubmatch(html, -1) {
		if !strings.Contains(m[1], "src=") || strings.TrimSpace(m[2]) != "" {
			out = append(out, m[0])
		}
	}
	for _, re := range []string{`(?i)<style\b`, `(?i)\son[a-z]+\s*=\s*["']`, `(?i)\sstyle\s*=\s*["']`, `(?i)javascript:`} {
		out = append(out, regexp.MustCompile(re).FindAllString(html, -1)...)
	}
	return out
}
