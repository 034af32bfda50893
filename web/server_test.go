package web_test

import (
	"net/http"
	"sort"
	"strings"
	"testing"

	"kedaitong/web"
)

func TestHealthAndReady(t *testing.T) {
	e := newEnv(t)
	if r := e.do("GET", "/healthz", ""); r.status != 200 {
		t.Fatalf("healthz = %d, want 200", r.status)
	}
	r := e.do("GET", "/readyz", "")
	if r.status != 200 || r.json(t)["store"] != "sqlite" {
		t.Fatalf("readyz = %d %s, want 200 on sqlite", r.status, r.body)
	}
	if id := r.header.Get("X-Request-ID"); len(id) < 8 {
		t.Errorf("X-Request-ID = %q, want a generated id", id)
	}
	if got := e.do("GET", "/healthz", "", "X-Request-ID", "abc-123").header.Get("X-Request-ID"); got != "abc-123" {
		t.Errorf("X-Request-ID echo = %q, want abc-123", got)
	}
	if got := e.do("GET", "/healthz", "", "X-Request-ID", "bad id with spaces").header.Get("X-Request-ID"); got == "bad id with spaces" || got == "" {
		t.Errorf("a malformed X-Request-ID was echoed: %q", got)
	}
}

func TestMetrics(t *testing.T) {
	e := newEnv(t)
	e.do("GET", "/healthz", "")
	e.do("GET", "/api/v1/nope/12345", "")
	r := e.do("GET", "/metrics", "")
	if r.status != 200 {
		t.Fatalf("metrics = %d", r.status)
	}
	body := string(r.body)
	for _, want := range []string{
		`kedai_http_requests_total{method="GET",route="/healthz",status="200"} 1`,
		`kedai_http_request_duration_seconds_bucket{method="GET",route="/healthz"`,
		`route="unmatched",status="404"`,
		"kedai_store_up 1",
		"kedai_store_ping_seconds_count",
		"go_goroutines",
		"process_resident_memory_bytes",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if strings.Contains(body, "/api/v1/nope/12345") {
		t.Error("metrics label a raw path; want the route pattern only")
	}
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		method, path string
		status       int
		code         string
	}{
		{"GET", "/api/v1/nothing-here", 404, "not_found"},
		{"GET", "/api/v2/openapi.json", 404, "not_found"},
		{"GET", "/api", 404, "not_found"},
		{"DELETE", "/api/v1/openapi.json", 405, "method_not_allowed"},
		{"POST", "/healthz", 405, "method_not_allowed"},
	}
	for _, tt := range tests {
		r := e.do(tt.method, tt.path, "")
		if r.status != tt.status {
			t.Errorf("%s %s = %d, want %d", tt.method, tt.path, r.status, tt.status)
			continue
		}
		if got := r.errorCode(t); got != tt.code {
			t.Errorf("%s %s code = %q, want %q", tt.method, tt.path, got, tt.code)
		}
	}
	// Outside the API an unknown page is an HTML 404.
	r := e.do("GET", "/no/such/page", "")
	if r.status != 404 || !strings.Contains(r.header.Get("Content-Type"), "text/html") {
		t.Errorf("unknown page = %d %s, want an HTML 404", r.status, r.header.Get("Content-Type"))
	}
}

// TestOpenAPICoversRoutes fails when a registered /api/v1 route is missing
// from the OpenAPI document or the document lists a route that does not exist.
func TestOpenAPICoversRoutes(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", "/api/v1/openapi.json", "")
	if r.status != 200 {
		t.Fatalf("openapi = %d", r.status)
	}
	doc := r.json(t)
	if doc["openapi"] != "3.0.3" {
		t.Errorf("openapi version = %v", doc["openapi"])
	}
	documented := map[string]bool{}
	for p, item := range doc["paths"].(map[string]any) {
		for m := range item.(map[string]any) {
			documented[strings.ToUpper(m)+" "+p] = true
		}
	}
	registered := map[string]bool{}
	for _, ri := range e.srv.EngineRoutes() {
		if strings.HasPrefix(ri.Path, "/api/v1/") {
			registered[ri.Method+" "+web.OpenAPIPath(ri.Path)] = true
		}
	}
	var missing, extra []string
	for k := range registered {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !registered[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Errorf("routes missing from the OpenAPI document: %v", missing)
	}
	if len(extra) > 0 {
		t.Errorf("OpenAPI document lists routes that do not exist: %v", extra)
	}
	if len(registered) == 0 {
		t.Fatal("no /api/v1 routes registered")
	}
}

func TestHomeLanguages(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name   string
		path   string
		header []string
		lang   string
		want   string
	}{
		{"default is Chinese", "/", nil, "zh-CN", "科技专家智库"},
		{"Accept-Language English", "/", []string{"Accept-Language", "en-GB,en;q=0.9"}, "en", "expert think tank"},
		{"Accept-Language Chinese", "/", []string{"Accept-Language", "zh-TW,zh;q=0.9"}, "zh-CN", "科技专家智库"},
		{"cookie beats Accept-Language", "/", []string{"Accept-Language", "zh-CN", "Cookie", "kedai_lang=en"}, "en", "expert think tank"},
		{"switch", "/?lang=en", []string{"Accept-Language", "zh-CN"}, "en", "expert think tank"},
		{"unknown language falls back", "/", []string{"Accept-Language", "fr-FR"}, "zh-CN", "科技专家智库"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do("GET", tt.path, "", tt.header...)
			if r.status != http.StatusOK {
				t.Fatalf("status %d", r.status)
			}
			body := string(r.body)
			if !strings.Contains(body, `<html lang="`+tt.lang+`">`) {
				t.Errorf("page language is not %s", tt.lang)
			}
			if !strings.Contains(body, tt.want) {
				t.Errorf("page lacks %q", tt.want)
			}
		})
	}
	if c := e.do("GET", "/?lang=en", "").header.Get("Set-Cookie"); !strings.Contains(c, "kedai_lang=en") {
		t.Errorf("the language switch sets no cookie: %q", c)
	}
}

func TestStaticAndHeaders(t *testing.T) {
	e := newEnv(t)
	r := e.do("GET", "/static/style.css", "")
	if r.status != 200 || !strings.Contains(string(r.body), "--brand") {
		t.Fatalf("style.css = %d", r.status)
	}
	if got := r.header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("nosniff header = %q", got)
	}
	if r := e.do("GET", "/static/print.css", ""); r.status != 200 {
		t.Errorf("print.css = %d", r.status)
	}
}
