package taxonomy

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"kedaitong"
)

// minimal is a small valid taxonomy the validation cases break one way each.
const minimal = `{
 "version": "t1",
 "industries": [
  {"code": "semiconductors", "name": {"zh-CN": "半导体", "en": "Semiconductors"},
   "description": {"zh-CN": "芯片", "en": "Chips"},
   "keywords": [{"weight": 2, "zh": ["半导体"], "en": ["semiconductor*"]}],
   "negative": [{"weight": 0, "zh": [], "en": ["blue chip"]}],
   "routes": [
    {"code": "semiconductors.ic-design", "name": {"zh-CN": "设计", "en": "Design"},
     "description": {"zh-CN": "设计", "en": "Design"}, "neighbours": ["photovoltaics.topcon"],
     "keywords": [{"weight": 3, "zh": ["芯片设计"], "en": []}], "negative": []}]},
  {"code": "photovoltaics", "name": {"zh-CN": "光伏", "en": "Photovoltaics"},
   "description": {"zh-CN": "光伏", "en": "Solar"},
   "keywords": [], "negative": [],
   "routes": [
    {"code": "photovoltaics.topcon", "name": {"zh-CN": "TOPCon", "en": "TOPCon"},
     "description": {"zh-CN": "电池", "en": "Cells"}, "neighbours": ["semiconductors.ic-design"],
     "keywords": [], "negative": []}]}
 ],
 "finance_specialities": [{"code": "venture-capital", "name": {"zh-CN": "创投", "en": "VC"},
   "description": {"zh-CN": "创投", "en": "VC"}}]
}`

func TestParseMinimal(t *testing.T) {
	tx, err := Parse([]byte(minimal))
	if err != nil {
		t.Fatalf("Parse(minimal) = %v, want nil", err)
	}
	if got, want := tx.IndustryOf("photovoltaics.topcon"), "photovoltaics"; got != want {
		t.Errorf("IndustryOf = %q, want %q", got, want)
	}
	if got, want := tx.Neighbours("semiconductors.ic-design"), []string{"photovoltaics.topcon"}; !slices.Equal(got, want) {
		t.Errorf("Neighbours = %v, want %v", got, want)
	}
}

func TestParseInvalid(t *testing.T) {
	tests := []struct {
		name      string
		old, new  string // replace the first old in minimal by new
		wantField string // substring of the error's field
	}{
		{"bad json", `"version": "t1",`, `"version": "t1"`, ""},
		{"unknown field", `"version": "t1",`, `"version": "t1", "colour": 1,`, ""},
		{"empty version", `"version": "t1"`, `"version": " "`, "version"},
		{"bad industry code", `"code": "semiconductors",`, `"code": "Semi Conductors",`, "industries[0].code"},
		{"duplicate industry", `"code": "photovoltaics",`, `"code": "semiconductors",`, "industries[1].code"},
		{"route prefix", `"code": "photovoltaics.topcon"`, `"code": "semiconductors.topcon"`, "industries[1].routes[0].code"},
		{"route without suffix", `"code": "photovoltaics.topcon"`, `"code": "photovoltaics."`, "industries[1].routes[0].code"},
		{"empty zh name", `"name": {"zh-CN": "半导体"`, `"name": {"zh-CN": ""`, "industries[0].name.zh-CN"},
		{"empty en description", `"en": "Cells"`, `"en": ""`, "industries[1].routes[0].description.en"},
		{"unknown neighbour", `"neighbours": ["photovoltaics.topcon"]`, `"neighbours": ["photovoltaics.hjt"]`, "neighbours"},
		{"self neighbour", `"neighbours": ["semiconductors.ic-design"]`, `"neighbours": ["semiconductors.ic-design", "photovoltaics.topcon"]`, "neighbours"},
		{"asymmetric neighbours", `"neighbours": ["semiconductors.ic-design"]`, `"neighbours": []`, "neighbours"},
		{"keyword weight zero", `{"weight": 3, "zh": ["芯片设计"]`, `{"weight": 0, "zh": ["芯片设计"]`, "keywords[0].weight"},
		{"negative weight below zero", `{"weight": 0, "zh": [], "en": ["blue chip"]}`, `{"weight": -1, "zh": [], "en": ["blue chip"]}`, "negative[0].weight"},
		{"group without terms", `{"weight": 2, "zh": ["半导体"], "en": ["semiconductor*"]}`, `{"weight": 2, "zh": [], "en": []}`, "keywords[0]"},
		{"blank term", `"en": ["semiconductor*"]`, `"en": ["*"]`, "keywords[0]"},
		{"no routes", `"routes": [
    {"code": "photovoltaics.topcon"`, `"routes": [], "x": [
    {"code": "photovoltaics.topcon"`, ""},
		{"no industries", `"industries": [`, `"industries": [], "old": [`, ""},
		{"duplicate speciality", `"code": "venture-capital"`, `"code": "semiconductors"`, "finance_specialities[0].code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := strings.Replace(minimal, tt.old, tt.new, 1)
			if data == minimal {
				t.Fatalf("test case does not change the input: %q not found", tt.old)
			}
			_, err := Parse([]byte(data))
			if err == nil {
				t.Fatalf("Parse = nil error, want an invalid_input error")
			}
			if got := kedaitong.ErrorCode(err); got != kedaitong.EInvalid {
				t.Errorf("ErrorCode = %q, want %q (err %v)", got, kedaitong.EInvalid, err)
			}
			var e *kedaitong.Error
			if tt.wantField != "" && (!asError(err, &e) || !strings.Contains(e.Field, tt.wantField)) {
				t.Errorf("error %v: want field containing %q", err, tt.wantField)
			}
		})
	}
}

func asError(err error, target **kedaitong.Error) bool {
	e, ok := err.(*kedaitong.Error)
	if ok {
		*target = e
	}
	return ok
}

// contractIndustries are the eleven codes fixed by API.md.
var contractIndustries = []string{"electronic-information", "semiconductors", "new-materials",
	"nonferrous-rare-earth", "lithium-battery", "photovoltaics", "biomedicine", "aviation",
	"high-end-equipment", "digital-ai", "energy-saving"}

func TestDefault(t *testing.T) {
	tx := Default() // panics if the embedded file is broken
	var got []string
	for _, ind := range tx.Industries {
		got = append(got, ind.Code)
		if n := len(ind.Routes); n < 3 || n > 8 {
			t.Errorf("industry %s has %d routes, want 3..8", ind.Code, n)
		}
		if len(ind.Keywords) == 0 {
			t.Errorf("industry %s has no keywords", ind.Code)
		}
		for _, r := range ind.Routes {
			if len(r.Keywords) == 0 {
				t.Errorf("route %s has no keywords", r.Code)
			}
			if len(r.Neighbours) == 0 {
				t.Errorf("route %s has no neighbours", r.Code)
			}
		}
	}
	if !slices.Equal(got, contractIndustries) {
		t.Errorf("industries = %v, want %v", got, contractIndustries)
	}
	if tx.Version == "" {
		t.Error("Version is empty")
	}
	for _, code := range []string{"semiconductors.ic-design", "semiconductors.packaging-testing",
		"lithium-battery.solid-state", "photovoltaics.perovskite", "photovoltaics.topcon",
		"nonferrous-rare-earth.permanent-magnets"} {
		if !tx.IsRoute(code) {
			t.Errorf("IsRoute(%q) = false, want true", code)
		}
	}
	if len(tx.Specialities) == 0 {
		t.Error("no finance specialities")
	}
}

func TestLookups(t *testing.T) {
	tx := Default()
	tests := []struct {
		code                string
		isIndustry, isRoute bool
		industryOf          string
	}{
		{"semiconductors", true, false, "semiconductors"},
		{"semiconductors.ic-design", false, true, "semiconductors"},
		{"lithium-battery.solid-state", false, true, "lithium-battery"},
		{"semiconductors.nope", false, false, ""},
		{"", false, false, ""},
		{"venture-capital", false, false, ""},
	}
	for _, tt := range tests {
		if got := tx.IsIndustry(tt.code); got != tt.isIndustry {
			t.Errorf("IsIndustry(%q) = %v, want %v", tt.code, got, tt.isIndustry)
		}
		if got := tx.IsRoute(tt.code); got != tt.isRoute {
			t.Errorf("IsRoute(%q) = %v, want %v", tt.code, got, tt.isRoute)
		}
		if got := tx.IndustryOf(tt.code); got != tt.industryOf {
			t.Errorf("IndustryOf(%q) = %q, want %q", tt.code, got, tt.industryOf)
		}
	}
	if ind, ok := tx.Industry("photovoltaics"); !ok || ind.Name.ZH != "光伏" {
		t.Errorf("Industry(photovoltaics) = %q, %v; want 光伏, true", ind.Name.ZH, ok)
	}
	if r, ok := tx.Route("photovoltaics.perovskite"); !ok || r.Name.EN == "" {
		t.Errorf("Route(photovoltaics.perovskite) = %+v, %v", r, ok)
	}
	if _, ok := tx.Industry("pv"); ok {
		t.Error("Industry(pv) found, want not found")
	}
	if got := tx.Neighbours("nope"); got != nil {
		t.Errorf("Neighbours(nope) = %v, want nil", got)
	}
}

func TestAffinity(t *testing.T) {
	tx := Default()
	tests := []struct {
		a, b string
		want float64
	}{
		{"semiconductors.ic-design", "semiconductors.ic-design", 1},
		{"semiconductors", "semiconductors.ic-design", 1},
		{"semiconductors.ic-design", "semiconductors.packaging-testing", 0.7},
		{"semiconductors.ic-design", "semiconductors.power-devices", 0.4},
		{"lithium-battery.power-batteries", "high-end-equipment.new-energy-vehicles", 0.7},
		{"high-end-equipment", "lithium-battery.power-batteries", 0.5},
		{"biomedicine.tcm", "aviation.uav", 0},
		{"unknown", "aviation.uav", 0},
	}
	for _, tt := range tests {
		if got := tx.Affinity(tt.a, tt.b); got != tt.want {
			t.Errorf("Affinity(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := tx.Affinity(tt.b, tt.a); got != tt.want {
			t.Errorf("Affinity(%q, %q) = %v, want %v (symmetric)", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestJSON(t *testing.T) {
	tx := Default()
	var f struct {
		Version    string `json:"version"`
		Industries []struct {
			Code   string            `json:"code"`
			Name   map[string]string `json:"name"`
			Routes []struct {
				Code       string            `json:"code"`
				Name       map[string]string `json:"name"`
				Neighbours []string          `json:"neighbours"`
				Keywords   any               `json:"keywords"`
			} `json:"routes"`
		} `json:"industries"`
	}
	if err := json.Unmarshal(tx.JSON(), &f); err != nil {
		t.Fatalf("JSON() does not decode: %v", err)
	}
	if f.Version != tx.Version || len(f.Industries) != len(contractIndustries) {
		t.Fatalf("JSON() version %q with %d industries, want %q with %d", f.Version, len(f.Industries), tx.Version, len(contractIndustries))
	}
	for _, ind := range f.Industries {
		if ind.Name["zh-CN"] == "" || ind.Name["en"] == "" {
			t.Errorf("industry %s lacks a name: %v", ind.Code, ind.Name)
		}
		for _, r := range ind.Routes {
			if r.Name["zh-CN"] == "" || r.Name["en"] == "" || r.Neighbours == nil {
				t.Errorf("route %s lacks a name or neighbours", r.Code)
			}
			if r.Keywords != nil {
				t.Errorf("route %s: keywords served publicly", r.Code)
			}
		}
	}
}

// TestHardTechRoutes: routes carry the hard_tech mark into GET /api/v1/fields
// (the fund's step compensation reads it).
func TestHardTechRoutes(t *testing.T) {
	tax := Default()
	if !tax.IsHardTech("semiconductors.ic-design") {
		t.Error("semiconductors.ic-design should be hard tech")
	}
	if tax.IsHardTech("biomedicine.tcm") || tax.IsHardTech("no.such") {
		t.Error("biomedicine.tcm and unknown routes are not hard tech")
	}
	if !strings.Contains(string(tax.JSON()), `"code":"semiconductors.ic-design","industry":"semiconductors"`) ||
		!strings.Contains(string(tax.JSON()), `"hard_tech":true`) || !strings.Contains(string(tax.JSON()), `"hard_tech":false`) {
		t.Error("fields JSON lacks the hard_tech marks")
	}
}
