package web_test

import (
	"strings"
	"testing"
)

// TestRiskmapLinksKeepTheRange: the drill-down, CSV and SVG links of the
// risk map carry the chosen date range as a query string (not escaped into
// one opaque value), so opening a cell keeps the range.
func TestRiskmapLinksKeepTheRange(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	tok := e.login("analyst")
	r := e.do("GET", "/riskmap?from=2026-01-01&to=2026-03-31", "", as(tok)...)
	if r.status != 200 {
		t.Fatalf("riskmap page = %d", r.status)
	}
	body := string(r.body)
	for _, want := range []string{`href="/riskmap.csv?from=2026-01-01&amp;to=2026-03-31"`, `href="/riskmap.svg?from=2026-01-01&amp;to=2026-03-31"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the page has no link %s", want)
		}
	}
	if strings.Contains(body, "from%3d") || strings.Contains(body, "from%3D") {
		t.Errorf("the range is escaped into the links: %s", body)
	}
	// The range the links carry is the one the page answers for.
	r = e.do("GET", "/riskmap.csv?from=2026-01-01&to=2026-03-31", "", as(tok)...)
	if r.status != 200 {
		t.Errorf("riskmap.csv with the range = %d", r.status)
	}
}
