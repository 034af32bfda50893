package dashboard_test

import (
	"strings"
	"testing"
	"time"

	"kedaitong"
	"kedaitong/dashboard"
	"kedaitong/fund"
)

func TestParseRange(t *testing.T) {
	now := time.Date(2026, 5, 31, 17, 0, 0, 0, time.UTC) // 1 June in Beijing
	for _, tc := range []struct {
		from, to, wantFrom, wantTo string
		months                     int
	}{
		{"", "", "2025-07", "2026-06", 12},
		{"2026-01", "", "2026-01", "2026-06", 6},
		{"", "2025-03", "2024-04", "2025-03", 12},
		{"2026-09", "", "2026-09", "2026-09", 1},
		{"2022-01", "2026-12", "2022-01", "2026-12", 60},
	} {
		r, err := dashboard.ParseRange(tc.from, tc.to, now)
		if err != nil || r.From != tc.wantFrom || r.To != tc.wantTo || len(r.Months()) != tc.months {
			t.Errorf("ParseRange(%q, %q) = %+v (%d months), %v; want %s–%s (%d)", tc.from, tc.to, r, len(r.Months()), err, tc.wantFrom, tc.wantTo, tc.months)
		}
	}
	for _, bad := range [][2]string{{"2026-13", ""}, {"26-01", ""}, {"2026-05", "2026-01"}, {"2021-12", "2026-12"}, {"", "2026/01"}} {
		if _, err := dashboard.ParseRange(bad[0], bad[1], now); !kedaitong.Is(err, kedaitong.EInvalid) {
			t.Errorf("ParseRange(%q, %q) = %v, want invalid", bad[0], bad[1], err)
		}
	}
}

func TestFacetsMonths(t *testing.T) {
	l := fund.Loan{Amount: 2000000, Start: "2026-03-31", State: fund.LoanActive, Startup: true}
	f := dashboard.LoanFacets(&l)
	if f["lnm_202603"] != 1 || f["lnma_202603"] != 2000000 || f["lnms_202603"] != 1 || f["ln_su"] != 1 || f["lnst_active"] != 1 {
		t.Errorf("loan facets = %v", f)
	}
	// a claim filed at 16:30 UTC on 31 March is filed on 1 April in Beijing
	c := fund.Claim{Loss: 500000, State: fund.ClaimSubmitted, CreatedAt: time.Date(2026, 3, 31, 16, 30, 0, 0, time.UTC)}
	f = dashboard.ClaimFacets(&c)
	if f["clm_202604"] != 1 || f["clml_202604"] != 500000 || f["clm_202603"] != 0 {
		t.Errorf("claim facets = %v", f)
	}
}

func TestTrendChart(t *testing.T) {
	v1, v2 := 3.0, 12.0
	svg := dashboard.TrendChart("c1", `Apps <&>`, "件", []dashboard.Point{
		{Label: "26-01", Value: &v1, Text: "3", Link: "/dashboard/list?of=applications&month=2026-01"},
		{Label: "26-02", Value: &v2, Text: "12", Link: "/dashboard/list?of=applications&month=2026-02"},
		{Label: "26-03", Text: "—"},
	}, false)
	for _, want := range []string{`<title id="c1-title">Apps &lt;&amp;&gt;（件）</title>`, `class="dash-unit" text-anchor="end">件</text>`,
		`<a href="/dashboard/list?of=applications&amp;month=2026-02" class="dash-link">`, `>26-03</text>`, `class="dash-axis"`, `>20</text>`} {
		if !strings.Contains(svg, want) {
			t.Errorf("the chart lacks %s:\n%s", want, svg)
		}
	}
	if strings.Count(svg, "<rect") != 2 {
		t.Errorf("want two columns (a month without a value has none): %s", svg)
	}
	line := dashboard.TrendChart("c2", "Share", "%", []dashboard.Point{{Label: "a", Value: &v1, Text: "3%"}, {Label: "b", Value: &v2, Text: "12%"}}, true)
	if !strings.Contains(line, `<path d="M`) || strings.Count(line, "<circle") != 2 || !strings.Contains(line, `>100</text>`) {
		t.Errorf("the line chart: %s", line)
	}
}
