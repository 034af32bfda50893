package web_test

import (
	"context"
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
