package web_test

import (
	"testing"
)

// TestScoreHistoryOverHTTP (issue 19): GET .../score lists every revision
// (an empty list before the first save), kept outside the score document;
// a save answers the saved score without the history.
func TestScoreHistoryOverHTTP(t *testing.T) {
	s := newScoringEnv(t)
	u := "expert"
	s.accept(t, u)
	get := func() map[string]any {
		t.Helper()
		r := s.do("GET", "/api/v1/assignments/"+s.seat[u]+"/score", "", as(s.sec[u])...)
		if r.status != 200 {
			t.Fatalf("score = %d %s", r.status, r.body)
		}
		return r.json(t)
	}
	if h, ok := get()["history"].([]any); !ok || len(h) != 0 {
		t.Errorf("history before the first save = %#v, want []", get()["history"])
	}
	for i, v := range []int{3, 5, 7} {
		r := s.put(u, scoreJSON(v, "support"))
		if r.status != 200 {
			t.Fatalf("save %d = %d %s", i+1, r.status, r.body)
		}
		if m := r.json(t); m["revision"] != float64(i+1) || m["history"] != nil {
			t.Errorf("save %d answered revision %v with history %v", i+1, m["revision"], m["history"])
		}
	}
	h := get()["history"].([]any)
	if len(h) != 3 {
		t.Fatalf("%d revisions, want 3", len(h))
	}
	for i, v := range []float64{3, 5, 7} {
		rev := h[i].(map[string]any)
		if rev["revision"] != float64(i+1) || rev["content"].(map[string]any)["criteria"].(map[string]any)["originality"] != v {
			t.Errorf("history[%d] = %v", i, rev)
		}
	}
	// Another expert's score is not found, and neither is its history.
	if r := s.do("GET", "/api/v1/assignments/"+s.seat[u]+"/score", "", as(s.sec["e2"])...); r.status != 404 && r.status != 403 {
		t.Errorf("another expert reads the score: %d", r.status)
	}
}
