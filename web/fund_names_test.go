package web_test

import (
	"regexp"
	"strings"
	"testing"
)

// TestFundSeatPageNamesTheBank: the expert's evaluation seat names the
// bank by its registered name, or — for a bank the registry does not
// know — labels it "未登记银行（id）" / "Unregistered bank (id)", never
// the bare id; the loan's county is named, not coded.
func TestFundSeatPageNamesTheBank(t *testing.T) {
	p, _ := newEvalEnv(t, 1)
	for _, lang := range []string{"zh-CN", "en"} {
		r := p.do("GET", "/fund/seats?lang="+lang, "", as(p.sec["expert"])...)
		if r.status != 200 {
			t.Fatalf("seats page: %d", r.status)
		}
		m := regexp.MustCompile(`(?s)class="fund-seat-bank">([^<]*)<`).FindStringSubmatch(string(r.body))
		if m == nil {
			t.Fatalf("%s: no bank on the seat: %s", lang, r.body)
		}
		bank := strings.TrimSpace(m[1])
		t.Logf("%s: bank shown as %q", lang, bank)
		label := map[string]string{"zh-CN": "未登记银行（gzb）", "en": "Unregistered bank (gzb)"}[lang]
		if bank == "gzb" || bank == "" || strings.Contains(bank, "gzb") && bank != label {
			t.Errorf("%s: the seat shows the bank as %q", lang, bank)
		}
	}
}
