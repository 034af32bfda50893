package ui

import "testing"

func TestParseWan(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"254.5", 2545000, true}, {"1,000", 10000000, true}, {"0.0001", 1, true}, {"", 0, true}, {" 3 ", 30000, true},
		{"-5", 0, false}, {"+5", 0, false}, {"1.23456", 0, false}, {"abc", 0, false}, {"1e3", 0, false}, {"9999999999", 0, false},
	} {
		got, err := parseWan("amount", c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("parseWan(%q) = %d, %v; want %d (ok %v)", c.in, got, err, c.want, c.ok)
		}
	}
	if got := wanText(2545000); got != "254.5" {
		t.Errorf("wanText = %q", got)
	}
	if got := yuan(-25450000); got != "-25,450,000" {
		t.Errorf("yuan = %q", got)
	}
}
