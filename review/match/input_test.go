package match

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func TestMainBadInput(t *testing.T) {
	const e1 = `{"id":"e1","tier":"industry","capacity":1}`
	const a1 = `{"id":"a1","field":"x.y","panel":{"industry":1}}`
	tests := []struct {
		name, in, want string
	}{
		{"malformed", `{"experts": [`, "malformed JSON"},
		{"not an object", `[1,2]`, "instance"},
		{"trailing", `{"experts":[],"applications":[]} {}`, "trailing data"},
		{"unknown top field", `{"experts":[],"applications":[],"extra":1}`, `extra: unknown top-level field`},
		{"unknown expert field", `{"experts":[` + e1 + `,{"id":"e2","tier":"industry","capacity":1,"age":3}],"applications":[]}`, `experts[1]: json: unknown field "age"`},
		{"unknown application field", `{"experts":[],"applications":[{"id":"a1","panel":{},"budget":1}]}`, `applications[0]: json: unknown field "budget"`},
		{"unknown pair field", `{"experts":[` + e1 + `],"applications":[` + a1 + `],"affinity":[{"expert":"e1","application":"a1","score":1,"x":2}]}`, `affinity[0]: json: unknown field "x"`},
		{"wrong type", `{"experts":[{"id":"e1","tier":"industry","capacity":"3"}],"applications":[]}`, `experts[0]`},
		{"duplicate expert", `{"experts":[` + e1 + `,` + e1 + `],"applications":[]}`, `experts[1].id: duplicate expert id "e1" (also experts[0])`},
		{"duplicate application", `{"experts":[],"applications":[` + a1 + `,` + a1 + `]}`, `applications[1].id: duplicate application id "a1"`},
		{"missing expert id", `{"experts":[{"tier":"industry","capacity":1}],"applications":[]}`, `experts[0].id: is missing`},
		{"missing application id", `{"experts":[],"applications":[{"panel":{}}]}`, `applications[0].id: is missing`},
		{"missing capacity", `{"experts":[{"id":"e1","tier":"industry"}],"applications":[]}`, `experts[0].capacity: is required`},
		{"unknown tier", `{"experts":[{"id":"e1","tier":"professor","capacity":1}],"applications":[]}`, `experts[0].tier: unknown tier "professor"`},
		{"unknown panel tier", `{"experts":[],"applications":[{"id":"a1","panel":{"judge":1}}]}`, `applications[0].panel.judge: unknown tier "judge"`},
		{"negative capacity", `{"experts":[{"id":"e1","tier":"industry","capacity":-1}],"applications":[]}`, `experts[0].capacity: capacity -1`},
		{"huge capacity", `{"experts":[{"id":"e1","tier":"industry","capacity":1001}],"applications":[]}`, `experts[0].capacity: capacity 1001`},
		{"negative seats", `{"experts":[],"applications":[{"id":"a1","panel":{"finance":-2}}]}`, `applications[0].panel.finance: -2 seats`},
		{"too many seats", `{"experts":[],"applications":[{"id":"a1","panel":{"finance":51}}]}`, `applications[0].panel.finance: 51 seats`},
		{"pair unknown expert", `{"experts":[` + e1 + `],"applications":[` + a1 + `],"affinity":[{"expert":"e9","application":"a1","score":1}]}`, `affinity[0].expert: unknown expert "e9"`},
		{"pair unknown application", `{"experts":[` + e1 + `],"applications":[` + a1 + `],"affinity":[{"expert":"e1","application":"a9","score":1}]}`, `affinity[0].application: unknown application "a9"`},
		{"duplicate pair", `{"experts":[` + e1 + `],"applications":[` + a1 + `],"affinity":[{"expert":"e1","application":"a1","score":1},{"expert":"e1","application":"a1","score":0.5}]}`, `affinity[1]: duplicate pair (expert "e1", application "a1"), also affinity[0]`},
		{"negative score", `{"experts":[` + e1 + `],"applications":[` + a1 + `],"affinity":[{"expert":"e1","application":"a1","score":-0.1}]}`, `affinity[0].score: score -0.1 out of range`},
		{"huge score", `{"experts":[` + e1 + `],"applications":[` + a1 + `],"affinity":[{"expert":"e1","application":"a1","score":1e300}]}`, `affinity[0].score`},
		{"infinite score", `{"experts":[` + e1 + `],"applications":[` + a1 + `],"affinity":[{"expert":"e1","application":"a1","score":1e999}]}`, `affinity[0]`},
		{"NaN score", `{"experts":[` + e1 + `],"applications":[` + a1 + `],"affinity":[{"expert":"e1","application":"a1","score":NaN}]}`, `malformed JSON`},
		{"long id", `{"experts":[{"id":"` + strings.Repeat("x", 300) + `","tier":"industry","capacity":1}],"applications":[]}`, `experts[0].id: longer than 256 bytes`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := Main(context.Background(), strings.NewReader(tt.in), &out, &errb)
			if code != 2 {
				t.Fatalf("exit code = %d, want 2 (stderr %q)", code, errb.String())
			}
			if !strings.Contains(errb.String(), tt.want) {
				t.Errorf("stderr = %q, want it to contain %q", errb.String(), tt.want)
			}
			if out.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", out.String())
			}
		})
	}
}

func TestSolveNaNFromAffinityFunc(t *testing.T) {
	in := &Instance{
		Experts:      []Expert{{ID: "e1", Tier: TierFinance, Capacity: 1}},
		Applications: []Application{{ID: "a1", Panel: map[string]int{TierFinance: 1}}},
	}
	f := func(Expert, Application) (float64, bool) { return 0 / func() float64 { return 0 }(), true }
	if _, _, err := Solve(context.Background(), in, Options{Affinity: f}); err == nil || !strings.Contains(err.Error(), "NaN") {
		t.Errorf("Solve with a NaN score = %v, want an error naming NaN", err)
	}
}

// TestExampleFile runs the contract's example (testdata/example.json).
func TestExampleFile(t *testing.T) {
	data, err := os.ReadFile("testdata/example.json")
	if err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := Main(context.Background(), bytes.NewReader(data), &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	want, err := os.ReadFile("testdata/example.out.json")
	if err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != string(want) {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestUnfilledReasons(t *testing.T) {
	// a1 has: no academician at all; industry seats whose only candidates
	// are conflicted; finance seat whose candidate is taken by a2 (which
	// pays more). a2's academician e5 has capacity 0. a3 wants 2 industry seats but only e4 fits.
	in := &Instance{
		Experts: []Expert{
			{ID: "e1", Tier: TierIndustry, Fields: []string{"semiconductors.ic-design"}, Affiliations: []string{"org:bank"}, Capacity: 2},
			{ID: "e2", Tier: TierIndustry, Fields: []string{"semiconductors"}, Affiliations: []string{"org:acme"}, Capacity: 2},
			{ID: "e3", Tier: TierFinance, Capacity: 1},
			{ID: "e4", Tier: TierIndustry, Fields: []string{"photovoltaics.perc"}, Capacity: 5},
			{ID: "e5", Tier: TierAcademician, Fields: []string{"biomedicine"}, Capacity: 0},
		},
		Applications: []Application{
			{ID: "a1", Field: "semiconductors.ic-design", Parties: []string{"org:bank", "org:acme"}, Panel: map[string]int{TierAcademician: 1, TierIndustry: 2, TierFinance: 1}},
			{ID: "a2", Field: "biomedicine.vaccines", Panel: map[string]int{TierFinance: 1, TierAcademician: 1}},
			{ID: "a3", Field: "photovoltaics.perc", Panel: map[string]int{TierIndustry: 2}},
		},
		Affinity: nil,
	}
	// e3 is finance: 0.5 for every application; make a2 win it by a
	// custom affinity that keeps the default otherwise.
	f := func(e Expert, a Application) (float64, bool) {
		s, ok := DefaultAffinity(e, a)
		if e.ID == "e3" && a.ID == "a2" {
			s += 0.1
		}
		return s, ok
	}
	_, r, err := Solve(context.Background(), in, Options{Affinity: f})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(r.Unfilled)
	want := `[{"application":"a1","tier":"academician","seats":1,"reason":"no eligible expert of that tier for the field","eligible":0,"conflicted":0,"at_capacity":0},` +
		`{"application":"a1","tier":"industry","seats":2,"reason":"all eligible experts conflicted","eligible":2,"conflicted":2,"at_capacity":0},` +
		`{"application":"a1","tier":"finance","seats":1,"reason":"all eligible experts at capacity","eligible":1,"conflicted":0,"at_capacity":1},` +
		`{"application":"a2","tier":"academician","seats":1,"reason":"all eligible experts at capacity","eligible":1,"conflicted":0,"at_capacity":1},` +
		`{"application":"a3","tier":"industry","seats":1,"reason":"too few eligible experts","eligible":1,"conflicted":0,"at_capacity":0}]`
	if string(got) != want {
		t.Errorf("unfilled =\n%s\nwant\n%s", got, want)
	}
	if r.SeatsFilled != 2 || r.TotalAffinity != 1.6 {
		t.Errorf("seats %d, affinity %v; want 2, 1.6", r.SeatsFilled, r.TotalAffinity)
	}
}

func TestDefaultAffinity(t *testing.T) {
	app := Application{ID: "a", Field: "semiconductors.ic-design"}
	tests := []struct {
		e      Expert
		want   float64
		wantOK bool
	}{
		{Expert{Tier: TierIndustry, Fields: []string{"semiconductors.ic-design"}}, 1, true},
		{Expert{Tier: TierAcademician, Fields: []string{"semiconductors.packaging", "semiconductors.ic-design"}}, 1, true},
		{Expert{Tier: TierIndustry, Fields: []string{"semiconductors.packaging"}}, 0.6, true},
		{Expert{Tier: TierIndustry, Fields: []string{"semiconductors"}}, 0.6, true},
		{Expert{Tier: TierIndustry, Fields: []string{"photovoltaics.perc"}}, 0, false},
		{Expert{Tier: TierFinance}, 0.5, true},
		{Expert{Tier: TierFinance, Fields: []string{"semiconductors"}}, 0.8, true},
		{Expert{Tier: TierFinance, Fields: []string{"photovoltaics"}}, 0.5, true},
	}
	for _, tt := range tests {
		got, ok := DefaultAffinity(tt.e, app)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("DefaultAffinity(%v) = %v, %v; want %v, %v", tt.e, got, ok, tt.want, tt.wantOK)
		}
	}
}
