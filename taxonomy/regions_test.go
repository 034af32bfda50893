package taxonomy

import (
	"regexp"
	"strings"
	"testing"
)

func TestRegions(t *testing.T) {
	if n := len(Cities()); n != 11 {
		t.Errorf("cities = %d, want 11", n)
	}
	if n := len(Counties("")); n != 100 {
		t.Errorf("county-level divisions = %d, want Jiangxi's 100", n)
	}
	code := regexp.MustCompile(`^36(0[1-9]|1[01])(0[1-9]|[1-9]\d)$`)
	seen := map[string]bool{}
	for _, c := range regionCodes() {
		if seen[c] {
			t.Errorf("%s listed twice", c)
		}
		seen[c] = true
		r, _ := RegionOf(c)
		if r.Name.ZH == "" || r.Name.EN == "" {
			t.Errorf("%s lacks a name: %+v", c, r.Name)
		}
		if len(c) == 6 && !code.MatchString(c) {
			t.Errorf("%s is not a county code", c)
		}
		if len(c) == 6 {
			if _, ok := RegionOf(c[:4]); !ok {
				t.Errorf("%s has no listed city", c)
			}
		}
	}
	for _, city := range Cities() {
		if len(Counties(city.Code)) == 0 {
			t.Errorf("%s has no counties", city.Name.ZH)
		}
	}
	for _, tc := range []struct{ code, lang, want string }{
		{"360702", "zh-CN", "赣州市章贡区"},
		{"360702", "en", "Zhanggong District, Ganzhou"},
		{"3601", "zh-CN", "南昌市"},
		{"36", "en", "Jiangxi"},
		{"360799", "zh-CN", "赣州市（360799）"},
		{"999999", "en", "999999"},
	} {
		if got := RegionNameOf(tc.code, tc.lang); got != tc.want {
			t.Errorf("RegionNameOf(%s, %s) = %q, want %q", tc.code, tc.lang, got, tc.want)
		}
	}
	p := RegionPath("360321")
	if len(p) != 3 || p[0].Name.ZH != "江西省" || p[1].Name.ZH != "萍乡市" || !strings.HasPrefix(p[2].Name.ZH, "莲花") {
		t.Errorf("path = %+v", p)
	}
}
