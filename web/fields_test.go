package web_test

import (
	"testing"
)

func TestFields(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	sec := e.login("officer")
	r := e.do("GET", "/api/v1/fields", "", as(sec)...)
	if r.status != 200 {
		t.Fatalf("fields = %d", r.status)
	}
	m := r.json(t)
	inds := m["industries"].([]any)
	want := map[string]bool{"electronic-information": true, "semiconductors": true, "new-materials": true, "nonferrous-rare-earth": true,
		"lithium-battery": true, "photovoltaics": true, "biomedicine": true, "aviation": true, "high-end-equipment": true, "digital-ai": true, "energy-saving": true}
	if len(inds) != len(want) {
		t.Errorf("%d industries, want %d", len(inds), len(want))
	}
	for _, x := range inds {
		ind := x.(map[string]any)
		if !want[ind["code"].(string)] {
			t.Errorf("unexpected industry %v", ind["code"])
		}
		name := ind["name"].(map[string]any)
		if name["zh-CN"] == "" || name["en"] == "" {
			t.Errorf("industry %v lacks a name: %v", ind["code"], name)
		}
		if rs := ind["routes"].([]any); len(rs) < 3 || len(rs) > 8 {
			t.Errorf("industry %v has %d routes", ind["code"], len(rs))
		}
	}
	if _, leaks := m["keywords"]; leaks {
		t.Error("fields leak the keyword dictionaries")
	}
	etag := r.header.Get("ETag")
	if r2 := e.do("GET", "/api/v1/fields", "", as(sec, "If-None-Match", etag)...); r2.status != 304 {
		t.Errorf("conditional GET = %d, want 304", r2.status)
	}
	if r := e.do("GET", "/api/v1/fields", ""); r.status != 401 {
		t.Errorf("anonymous = %d, want 401", r.status)
	}
}
