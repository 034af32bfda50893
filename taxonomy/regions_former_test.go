package taxonomy

import "testing"

// TestFormerCountyCodes: a retired county code (still on older records) is
// named by the district that took it over and its former name, in both
// languages; every successor is a listed division of the same city.
func TestFormerCountyCodes(t *testing.T) {
	if got := RegionNameOf("360782", "zh-CN"); got != "赣州市南康区（原南康市）" {
		t.Errorf("zh: %q", got)
	}
	if got := RegionNameOf("360782", "en"); got != "Nankang District, Ganzhou (formerly Nankang City)" {
		t.Errorf("en: %q", got)
	}
	for code, f := range formerCodes {
		if _, listed := regionIndex[code]; listed {
			t.Errorf("%s is retired but listed", code)
		}
		if _, ok := regionIndex[f.successor]; !ok || f.successor[:4] != code[:4] {
			t.Errorf("%s: successor %s is not a listed division of its city", code, f.successor)
		}
	}
	// An unknown county still shows its city and its code.
	if got := RegionNameOf("360799", "zh-CN"); got != "赣州市（360799）" {
		t.Errorf("unknown county: %q", got)
	}
}
