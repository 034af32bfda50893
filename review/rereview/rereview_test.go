package rereview

import "testing"

func TestDecide(t *testing.T) {
	rec := func(s, c, n int) map[string]int {
		return map[string]int{"support": s, "support_with_conditions": c, "do_not_support": n}
	}
	for _, tc := range []struct {
		name      string
		prev, now Summary
		exit      bool
		reasons   int
	}{
		{"stable", Summary{7.2, rec(3, 1, 0)}, Summary{6.9, rec(2, 2, 0)}, false, 0},
		{"drop just under the threshold", Summary{7.0, rec(4, 0, 0)}, Summary{5.51, rec(2, 1, 1)}, false, 0},
		{"drop of exactly 1.5", Summary{7.0, rec(4, 0, 0)}, Summary{5.5, rec(2, 1, 1)}, true, 1},
		{"large drop", Summary{8.0, rec(4, 0, 0)}, Summary{4.0, rec(1, 1, 2)}, true, 1},
		{"half do_not_support is no majority", Summary{6.0, rec(4, 0, 0)}, Summary{6.0, rec(1, 1, 2)}, false, 0},
		{"do_not_support majority", Summary{6.0, rec(4, 0, 0)}, Summary{5.8, rec(1, 0, 3)}, true, 1},
		{"both", Summary{7.5, rec(4, 0, 0)}, Summary{3.0, rec(0, 1, 3)}, true, 2},
		{"score rose", Summary{5.0, rec(1, 1, 2)}, Summary{7.0, rec(3, 1, 0)}, false, 0},
		{"no recommendations", Summary{5.0, nil}, Summary{5.0, nil}, false, 0},
	} {
		o := Decide(tc.prev, tc.now)
		if o.Exit != tc.exit || len(o.Reasons) != tc.reasons {
			t.Errorf("%s: exit %v with %d reasons (%v), want %v with %d", tc.name, o.Exit, len(o.Reasons), o.Reasons, tc.exit, tc.reasons)
		}
		for _, r := range o.Reasons {
			if r.ZH == "" || r.EN == "" {
				t.Errorf("%s: a reason lacks a language: %+v", tc.name, r)
			}
		}
	}
}

func TestDueDate(t *testing.T) {
	for _, tc := range []struct {
		date   string
		months int
		want   string
	}{
		{"2025-03-15", 12, "2026-03-15"},
		{"2024-02-29", 12, "2025-02-28"},
		{"2025-01-31", 1, "2025-02-28"},
		{"2025-08-31", 6, "2026-02-28"},
		{"2025-12-01", 3, "2026-03-01"},
	} {
		got, err := DueDate(tc.date, tc.months)
		if err != nil || got != tc.want {
			t.Errorf("DueDate(%s, %d) = %s, %v; want %s", tc.date, tc.months, got, err, tc.want)
		}
	}
	if _, err := DueDate("2025-13-01", 12); err == nil {
		t.Error("a bad date is accepted")
	}
}
