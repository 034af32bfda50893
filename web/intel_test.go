package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"kedaitong/app"
	"kedaitong/identity"
	"kedaitong/intel/classify"
	"kedaitong/internal/config"
	"kedaitong/internal/store/storetest"
)

func init() {
	src := []string{"admin", "analyst"}
	items := []string{"admin", "analyst", "bank_officer", "bank_manager", "official"}
	for _, r := range []string{"GET /api/v1/sources", "POST /api/v1/sources", "POST /api/v1/sources/import", "GET /api/v1/sources/export",
		"GET /api/v1/sources/:id", "PATCH /api/v1/sources/:id", "DELETE /api/v1/sources/:id", "POST /api/v1/sources/:id/refresh"} {
		allowedRoles[r] = src
	}
	allowedRoles["GET /api/v1/items"] = items
	allowedRoles["GET /api/v1/items/:id"] = items
}

// newIntelEnv is newEnv with the crawler's allow list (and demo data when asked).
func newIntelEnv(t *testing.T, allow string, demo bool) *env {
	t.Helper()
	ctx := context.Background()
	st := storetest.New(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.New(ctx, st, config.Config{ShutdownGrace: time.Second, FetchAllow: allow, Demo: demo}, logger, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(a.Server.Handler())
	t.Cleanup(ts.Close)
	e := &env{t: t, app: a, srv: a.Server, ts: ts, ids: a.Identity, log: a.Audit, enf: a.RBAC, users: map[string]identity.User{}}
	e.seedUsers()
	return e
}

// loopbackFeed serves one RSS feed with n items and an ETag.
func loopbackFeed(t *testing.T, n int) *httptest.Server {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>赣江科技</title><language>zh-cn</language>`)
	for i := range n {
		fmt.Fprintf(&b, `<item><title>宜春锂电池企业价格战加剧 %d</title><link>http://example.com/%d</link><guid>g%d</guid><pubDate>Mon, 02 Mar 2026 10:%02d:00 CST</pubDate><description>碳酸锂价格下跌，产能过剩。第%d条</description></item>`, i, i, i, i, i)
	}
	b.WriteString(`</channel></rss>`)
	body := b.Bytes()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(body)
	}))
	t.Cleanup(ts.Close)
	return ts
}

const jsonCT = "application/json"

func TestIntelSourcesAPI(t *testing.T) {
	e := newIntelEnv(t, "127.0.0.1", false)
	feed := loopbackFeed(t, 12)
	an := e.login("analyst")
	r := e.do("POST", "/api/v1/sources", `{"url":"`+feed.URL+`/rss","interval_minutes":15,"tags":["锂电"]}`, as(an, "Content-Type", jsonCT)...)
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	src := r.json(t)
	id := src["id"].(string)
	if src["interval_minutes"].(float64) != 15 || src["time_zone"] != "Asia/Shanghai" || src["enabled"] != true {
		t.Errorf("created %s", r.body)
	}
	// The same feed again, spelled differently: 409.
	r = e.do("POST", "/api/v1/sources", `{"url":"`+strings.Replace(feed.URL, "http://", "HTTP://", 1)+`/rss#x"}`, as(an, "Content-Type", jsonCT)...)
	if r.status != 409 || r.errorCode(t) != "conflict" {
		t.Errorf("duplicate: %d %s", r.status, r.body)
	}
	// Refresh: fetched now, items stored; again: not modified.
	r = e.do("POST", "/api/v1/sources/"+id+"/refresh", "", as(an)...)
	if r.status != 200 {
		t.Fatalf("refresh: %d %s", r.status, r.body)
	}
	out := r.json(t)
	if out["status"] != "ok" || out["new_items"].(float64) != 12 {
		t.Errorf("refresh: %s", r.body)
	}
	r = e.do("POST", "/api/v1/sources/"+id+"/refresh", "", as(an)...)
	if out := r.json(t); out["status"] != "not_modified" || out["new_items"].(float64) != 0 {
		t.Errorf("second refresh: %s", r.body)
	}
	health := out["source"].(map[string]any)["health"].(map[string]any)
	if health["last_status"] != "ok" || health["items"].(float64) != 12 || health["next_due"] == nil {
		t.Errorf("health after refresh: %v", health)
	}
	// Items carry the contract's fields; a bank officer reads them.
	off := e.login("officer")
	r = e.do("GET", "/api/v1/items?industry=lithium-battery&dimension=market&limit=5", "", as(off)...)
	if r.status != 200 {
		t.Fatalf("items: %d %s", r.status, r.body)
	}
	body := r.json(t)
	list := body["items"].([]any)
	if len(list) != 5 || body["next_cursor"] == "" {
		t.Fatalf("items page: %s", r.body)
	}
	first := list[0].(map[string]any)
	for _, k := range []string{"id", "source_id", "title", "link", "published", "industries", "dimensions", "polarity", "cluster_id", "enterprises"} {
		if _, ok := first[k]; !ok {
			t.Errorf("item lacks %q: %v", k, first)
		}
	}
	if first["polarity"] != "risk" || first["source_id"] != id || first["published"] != "2026-03-02T02:11:00Z" {
		t.Errorf("item %v", first)
	}
	r = e.do("GET", "/api/v1/items?cursor="+url.QueryEscape(body["next_cursor"].(string))+"&industry=lithium-battery&dimension=market&limit=5", "", as(off)...)
	if n := len(r.json(t)["items"].([]any)); n != 5 {
		t.Errorf("second page: %d items", n)
	}
	r = e.do("GET", "/api/v1/items/"+first["id"].(string), "", as(off)...)
	if r.status != 200 || r.json(t)["title"] != first["title"] {
		t.Errorf("one item: %d %s", r.status, r.body)
	}
	r = e.do("GET", "/api/v1/items?q="+url.QueryEscape("价格战 11")+"&since=2026-03-01", "", as(off)...)
	if l := r.json(t)["items"].([]any); len(l) != 1 {
		t.Errorf("text search: %s", r.body)
	}
	// PATCH, export, delete.
	r = e.do("PATCH", "/api/v1/sources/"+id, `{"enabled":false,"interval_minutes":60}`, as(an, "Content-Type", jsonCT)...)
	if r.status != 200 || r.json(t)["enabled"] != false {
		t.Errorf("patch: %d %s", r.status, r.body)
	}
	r = e.do("GET", "/api/v1/sources/export", "", as(an)...)
	if r.status != 200 || !strings.Contains(r.header.Get("Content-Type"), "opml") || !bytes.Contains(r.body, []byte(feed.URL)) {
		t.Errorf("export: %d %s %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	r = e.do("DELETE", "/api/v1/sources/"+id, "", as(an)...)
	if r.status != 200 {
		t.Errorf("delete: %d %s", r.status, r.body)
	}
	if r = e.do("GET", "/api/v1/sources/"+id, "", as(an)...); r.status != 404 {
		t.Errorf("deleted source: %d", r.status)
	}
	// Every change is in the audit log.
	adm := e.login("admin")
	r = e.do("GET", "/api/v1/audit?limit=100", "", as(adm)...)
	for _, a := range []string{"source.create", "source.refresh", "source.update", "source.delete"} {
		if !bytes.Contains(r.body, []byte(a)) {
			t.Errorf("audit lacks %s", a)
		}
	}
}

func TestIntelSourcesBadInput(t *testing.T) {
	e := newIntelEnv(t, "", false)
	an := e.login("analyst")
	for _, c := range []struct{ body, field, want string }{
		{`{"url":"http://127.0.0.1/feed"}`, "url", "not allowed"},
		{`{"url":"http://10.1.2.3/feed"}`, "url", "not allowed"},
		{`{"url":"http://169.254.169.254/latest/meta-data/"}`, "url", "not allowed"},
		{`{"url":"http://[fd00::1]/feed"}`, "url", ""},
		{`{"url":"gopher://example.com/"}`, "url", "gopher"},
		{`{"url":"http://93.184.215.14:2375/feed"}`, "url", "port"},
		{`{"url":"https://example.com/feed","interval_minutes":4}`, "interval_minutes", "5"},
		{`{"url":"https://example.com/feed","language":"de"}`, "language", ""},
		{`{"url":"https://example.com/feed","colour":"red"}`, "", "colour"},
		{`{"url":42}`, "", ""},
		{`not json`, "", ""},
	} {
		r := e.do("POST", "/api/v1/sources", c.body, as(an, "Content-Type", jsonCT)...)
		if r.status != 400 || r.errorCode(t) != "invalid_input" {
			t.Errorf("%s: %d %s, want 400", c.body, r.status, r.body)
			continue
		}
		msg := r.json(t)["error"].(map[string]any)["message"].(string)
		if !strings.Contains(msg, c.field) || !strings.Contains(strings.ToLower(msg), c.want) {
			t.Errorf("%s: message %q should name %q and say %q", c.body, msg, c.field, c.want)
		}
	}
	if r := e.do("POST", "/api/v1/sources", `{"url":"https://example.com/feed"}`, as(an, "Content-Type", "text/plain")...); r.status != 415 {
		t.Errorf("text/plain: %d", r.status)
	}
	// Forbidden callers; nothing logged in.
	for _, u := range []string{"officer", "manager", "official", "expert"} {
		tok := e.login(u)
		if r := e.do("POST", "/api/v1/sources", `{"url":"https://example.com/feed"}`, as(tok, "Content-Type", jsonCT)...); r.status != 403 {
			t.Errorf("%s creating a source: %d", u, r.status)
		}
	}
	if r := e.do("GET", "/api/v1/items", "", as(e.login("expert"))...); r.status != 403 {
		t.Errorf("expert reading items: %d", r.status)
	}
	if r := e.do("GET", "/api/v1/items", ""); r.status != 401 {
		t.Errorf("anonymous items: %d", r.status)
	}
	// Items: unknown codes and bad dates are 400.
	for _, q := range []string{"industry=bananas", "dimension=weather", "polarity=good", "since=yesterday", "limit=0", "first=maybe"} {
		r := e.do("GET", "/api/v1/items?"+q, "", as(an)...)
		if r.status != 400 || r.errorCode(t) != "invalid_input" {
			t.Errorf("items?%s: %d %s", q, r.status, r.body)
		}
	}
	if r := e.do("GET", "/api/v1/items/it_nope", "", as(an)...); r.status != 404 {
		t.Errorf("missing item: %d", r.status)
	}
	if r := e.do("POST", "/api/v1/sources/src_nope/refresh", "", as(an)...); r.status != 404 {
		t.Errorf("refresh missing: %d", r.status)
	}
	// Nothing was stored.
	r := e.do("GET", "/api/v1/sources", "", as(an)...)
	if n := len(r.json(t)["items"].([]any)); n != 0 {
		t.Errorf("%d sources after refused input", n)
	}
}

func TestIntelOPMLAPI(t *testing.T) {
	e := newIntelEnv(t, "127.0.0.1", false)
	an := e.login("analyst")
	doc := `<?xml version="1.0"?><opml version="2.0"><body>
<outline text="A" type="rss" xmlUrl="http://127.0.0.1:9/a.xml"/>
<outline text="Private" type="rss" xmlUrl="http://172.16.0.9/b.xml"/>
</body></opml>`
	r := e.do("POST", "/api/v1/sources/import", doc, as(an, "Content-Type", "text/x-opml")...)
	if r.status != 200 {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	res := r.json(t)
	if res["imported"].(float64) != 1 || res["refused"].(float64) != 1 {
		t.Errorf("import: %s", r.body)
	}
	reason := res["results"].([]any)[1].(map[string]any)["reason"].(string)
	if !strings.Contains(reason, "not allowed") || strings.Contains(reason, "private") {
		t.Errorf("refusal reason %q: want \"not allowed\", not the kind of address", reason)
	}
	// Multipart upload of the same file: both refused now (one duplicate).
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "subs.opml")
	fw.Write([]byte(doc))
	mw.Close()
	r = e.do("POST", "/api/v1/sources/import", buf.String(), as(an, "Content-Type", mw.FormDataContentType())...)
	if r.status != 200 || r.json(t)["refused"].(float64) != 2 {
		t.Errorf("multipart import: %d %s", r.status, r.body)
	}
	for _, bad := range []string{"<opml><body><outline", "<rss/>", ""} {
		if r := e.do("POST", "/api/v1/sources/import", bad, as(an, "Content-Type", "text/xml")...); r.status != 400 {
			t.Errorf("malformed %q: %d %s", bad, r.status, r.body)
		}
	}
	if r := e.do("POST", "/api/v1/sources/import", doc, as(an, "Content-Type", "image/png")...); r.status != 415 {
		t.Errorf("png: %d", r.status)
	}
	if r := e.do("POST", "/api/v1/sources/import", doc, as(e.login("manager"), "Content-Type", "text/xml")...); r.status != 403 {
		t.Errorf("bank manager import: %d", r.status)
	}
}

func TestIntelDemoAndEnterprises(t *testing.T) {
	e := newIntelEnv(t, "", true)
	e.app.Intel().SetEnterprises([]classify.Enterprise{{ID: "ent-1", Name: "南昌芯研微电子有限公司", ShortNames: []string{"南昌芯研微电子"}}})
	off := e.login("official")
	r := e.do("GET", "/api/v1/items?limit=500", "", as(off)...)
	if n := len(r.json(t)["items"].([]any)); n < 250 {
		t.Errorf("demo items: %d", n)
	}
	an := e.login("analyst")
	r = e.do("GET", "/api/v1/sources", "", as(an)...)
	if n := len(r.json(t)["items"].([]any)); n != 4 {
		t.Errorf("demo sources: %d", n)
	}
	// A refresh of a demo source reads the binary, not the network, and adds nothing.
	r = e.do("POST", "/api/v1/sources/src_demo_jx-tech-zh/refresh", "", as(an)...)
	if out := r.json(t); r.status != 200 || out["status"] == "failed" || out["new_items"].(float64) != 0 {
		t.Errorf("demo refresh: %d %s", r.status, r.body)
	}
}
