package scoring

import "testing"

func TestLowerFirstWord(t *testing.T) {
	for in, want := range map[string]string{
		"Solid-state batteries": "solid-state batteries",
		"IC design":             "IC design",
		"AI chips":              "AI chips",
		"Perovskite":            "perovskite",
		"":                      "",
		"X":                     "x",
	} {
		if got := lowerFirstWord(in); got != want {
			t.Errorf("lowerFirstWord(%q) = %q, want %q", in, got, want)
		}
	}
}
