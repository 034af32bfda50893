package classify

import (
	"slices"
	"testing"

	"kedaitong/taxonomy"
)

// TestCompanyGazetteer checks the gazetteer's codes and names: every
// industry exists, no name is listed twice, every name is long enough to
// link by, and every mask names a listed name or term and another industry.
func TestCompanyGazetteer(t *testing.T) {
	tax := taxonomy.Default()
	seen := map[string]string{}
	for _, g := range industryCompanies {
		if !tax.IsIndustry(g.industry) {
			t.Errorf("gazetteer: %q is no industry", g.industry)
		}
		for _, name := range g.names {
			if prev, ok := seen[name]; ok {
				t.Errorf("gazetteer: %q listed under %s and %s", name, prev, g.industry)
			}
			seen[name] = g.industry
			if !usableName(name) {
				t.Errorf("gazetteer: %q is too short to match safely", name)
			}
		}
	}
	for _, g := range industryTerms {
		if !tax.IsIndustry(g.industry) {
			t.Errorf("terms: %q is no industry", g.industry)
		}
	}
	for _, g := range industryTerms {
		for _, term := range g.terms {
			seen[term] = g.industry
		}
	}
	for name, code := range termMasks {
		if !tax.IsIndustry(code) || seen[name] == "" || seen[name] == code {
			t.Errorf("mask %q → %q: no listed name or no other industry", name, code)
		}
	}
}

// TestCompanyIndustries checks that a company alone names its industry,
// that a name holding another industry's keyword hides it, and that names
// do not fire inside ordinary words.
func TestCompanyIndustries(t *testing.T) {
	c := newClassifier(t)
	cases := []struct {
		title, summary string
		want, not      []string
	}{
		{"海优新材可转债信用评级被下调", "", []string{"photovoltaics"}, nil},
		{"Safran expands sourcing in China", "", []string{"aviation"}, nil},
		{"Micron cuts capex", "", []string{"semiconductors"}, nil},
		{"药明康德前三季度收入增长", "", []string{"biomedicine"}, nil},
		{"长效生长激素快速放量", "", []string{"biomedicine"}, nil},
		{"比亚迪电子获平板电脑组装订单", "", []string{"electronic-information"}, []string{"lithium-battery"}},
		{"欧普照明拓展东南亚市场", "", []string{"energy-saving"}, []string{"electronic-information"}},
		{"有机载板仍为主流", "", []string{"semiconductors"}, []string{"aviation"}},
		// Ordinary words around short names: 其中车主 (not 中车), 欧美光伏
		// (not 美光), 博士和硕士 (not 和硕), 普惠金融 (not 普惠).
		{"其中车主占比三成", "", nil, []string{"high-end-equipment"}},
		{"欧美光伏市场需求回暖", "", []string{"photovoltaics"}, []string{"semiconductors"}},
		{"科技企业引进博士和硕士人才", "普惠金融支持科技型中小企业。", nil, []string{"electronic-information", "aviation"}},
		// Latin names keep their capitals: micron the unit is no company.
		{"New coating", "Its thickness is 5 micron.", nil, []string{"semiconductors"}},
	}
	for _, tc := range cases {
		l := c.Rules(tc.title, tc.summary)
		for _, w := range tc.want {
			if !slices.Contains(l.Industries, w) {
				t.Errorf("%q: industries %v, want %s", tc.title, l.Industries, w)
			}
		}
		for _, n := range tc.not {
			if slices.Contains(l.Industries, n) {
				t.Errorf("%q: industries %v, not %s", tc.title, l.Industries, n)
			}
		}
	}
}
