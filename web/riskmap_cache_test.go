package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"kedaitong/intel"
)

// TestRiskmapETag: the map and its SVG carry a private, revalidated ETag;
// If-None-Match answers 304 with no body until ingestion changes the
// counters, and a different ETag after.
func TestRiskmapETag(t *testing.T) {
	e := riskmapEnv(t)
	an := e.login("analyst")
	for _, path := range []string{"/api/v1/riskmap", "/riskmap.svg?lang=en", "/riskmap.svg?lang=zh-CN"} {
		r := e.do("GET", path, "", as(an)...)
		tag := r.header.Get("ETag")
		if r.status != 200 || tag == "" || r.header.Get("Cache-Control") != "private, no-cache" {
			t.Fatalf("%s: %d, ETag %q, Cache-Control %q", path, r.status, tag, r.header.Get("Cache-Control"))
		}
		r2 := e.do("GET", path, "", as(an, "If-None-Match", tag)...)
		if r2.status != 304 || len(r2.body) != 0 {
			t.Errorf("%s with If-None-Match: %d (%d bytes), want 304 and no body", path, r2.status, len(r2.body))
		}
		if r3 := e.do("GET", path, "", as(an, "If-None-Match", `"stale"`)...); r3.status != 200 {
			t.Errorf("%s with a stale ETag: %d", path, r3.status)
		}
		// A forbidden caller learns nothing, ETag or not.
		if r4 := e.do("GET", path, "", as(e.login("expert"), "If-None-Match", tag)...); r4.status != 403 {
			t.Errorf("%s for an expert with the ETag: %d", path, r4.status)
		}
	}
	if tags := []string{e.do("GET", "/riskmap.svg?lang=en", "", as(an)...).header.Get("ETag"), e.do("GET", "/riskmap.svg?lang=zh-CN", "", as(an)...).header.Get("ETag")}; tags[0] == tags[1] {
		t.Errorf("the SVG's ETag does not depend on its language: %v", tags)
	}
	before := e.do("GET", "/api/v1/riskmap", "", as(an)...).header.Get("ETag")
	// Ingestion through the app's pipeline changes the map.
	rm := e.app.Riskmap()
	if err := rm.Count(context.Background(), []intel.Item{{ID: "it-1", Published: time.Now(), Industries: []string{"photovoltaics"},
		Dimensions: []string{"market"}, Polarity: "risk", ClusterFirst: true}}); err != nil {
		t.Fatal(err)
	}
	r := e.do("GET", "/api/v1/riskmap", "", as(an, "If-None-Match", before)...)
	if r.status != 200 || r.header.Get("ETag") == before {
		t.Errorf("after ingest: %d, ETag %q (was %q); want 200 and a new ETag", r.status, r.header.Get("ETag"), before)
	}
}

// TestRiskmapCacheScope: the cached map is keyed by scope as well as range,
// so nothing one reader may see reaches another. Every reader of the map
// (analyst, banks, officials, admin) reads the public map: one view, one
// ETag, naming no enterprise and no bank. What is a bank's own — its
// exposure, shown with the map on the page — is computed per caller and
// never leaves its bank, whichever bank warmed the cache first.
func TestRiskmapCacheScope(t *testing.T) {
	e := riskmapEnv(t)
	var tag, body string
	for _, u := range []string{"officer", "officer2", "manager2", "official", "cityofficial", "analyst", "admin"} {
		r := e.do("GET", "/api/v1/riskmap", "", as(e.login(u))...)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", u, r.status, r.body)
		}
		if !strings.Contains(r.header.Get("ETag"), "public") {
			t.Errorf("%s: ETag %q does not name the public scope", u, r.header.Get("ETag"))
		}
		if tag == "" {
			tag, body = r.header.Get("ETag"), string(r.body)
		} else if r.header.Get("ETag") != tag || string(r.body) != body {
			t.Errorf("%s read another map (ETag %q, first %q)", u, r.header.Get("ETag"), tag)
		}
		for _, private := range []string{"赣州芯研", "南昌光谷", "91360702MA38XXXXX1", "app-g", `"gzb"`, `"ncb"`} {
			if strings.Contains(string(r.body), private) {
				t.Errorf("%s: the cached map holds %q", u, private)
			}
		}
	}
	// The page: the cached map with each bank's own exposure.
	for _, c := range []struct{ user, own, other string }{
		{"manager", "赣州芯研微电子有限公司", "南昌光谷新能源科技有限公司"},
		{"manager2", "南昌光谷新能源科技有限公司", "赣州芯研微电子有限公司"},
		{"officer", "赣州芯研微电子有限公司", "南昌光谷新能源科技有限公司"},
	} {
		r := e.do("GET", "/riskmap", "", as(e.login(c.user))...)
		if r.status != 200 {
			t.Fatalf("%s page: %d", c.user, r.status)
		}
		if strings.Contains(string(r.body), c.other) {
			t.Errorf("%s's risk map page names another bank's applicant %s", c.user, c.other)
		}
		if c.user != "manager2" && !strings.Contains(string(r.body), c.own) {
			t.Errorf("%s's risk map page lacks its own exposure (%s)", c.user, c.own)
		}
	}
	// The warm cache serves no one who may not read the map.
	for _, u := range []string{"expert", "investor"} {
		if r := e.do("GET", "/api/v1/riskmap", "", as(e.login(u), "If-None-Match", tag)...); r.status != 403 {
			t.Errorf("%s with the cached ETag: %d", u, r.status)
		}
	}
}
