package scoring

import (
	"math"
	"testing"

	"kedaitong"
)

// TestMissingAgreesWithSubmit: Missing lists every problem at once, and is
// empty exactly when the content is complete; its first problem is the
// one Submit reports.
func TestMissingAgreesWithSubmit(t *testing.T) {
	ds, err := Defaults()
	if err != nil {
		t.Fatal(err)
	}
	var g Guideline
	for _, x := range ds {
		g = x
		break
	}
	full := Content{Criteria: map[string]int{}, Recommendation: "support", Confidence: 2, Comment: "ok", RiskPoints: []string{"r"}, MaturityStage: "pilot"}
	for _, c := range g.Criteria {
		full.Criteria[c.ID] = 6
	}
	if m := full.Missing(g); len(m) != 0 || full.complete(g) != nil {
		t.Fatalf("complete content: missing %v, complete %v", m, full.complete(g))
	}
	part := Content{Criteria: map[string]int{g.Criteria[0].ID: 7}, Comment: "x"}
	m := part.Missing(g)
	if want := len(g.Criteria) - 1 + 4; len(m) != want { // criteria, recommendation, confidence, risk points, stage
		t.Errorf("missing = %d problems, want %d: %v", len(m), want, m)
	}
	if err := part.complete(g); err == nil || m[0].Field != err.(*kedaitong.Error).Field {
		t.Errorf("first missing %v, complete %v", m[0], err)
	}
	if m[0].ZH == "" {
		t.Error("no Chinese message")
	}
	if o := Overall(g, full); math.Abs(o-6) > 1e-9 {
		t.Errorf("overall = %v, want 6", o)
	}
	if o := Overall(g, Content{}); o != 0 {
		t.Errorf("overall of nothing = %v", o)
	}
}
