package audit

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"kedaitong"
	"kedaitong/internal/store/storetest"
)

// matches is the test's own model of what a filter selects.
func matches(f Filter, e Entry) bool {
	if f.UserID != "" && e.UserID != f.UserID || f.Action != "" && e.Action != f.Action ||
		f.ObjectKind != "" && e.ObjectKind != f.ObjectKind || f.Outcome != "" && e.Outcome != f.Outcome {
		return false
	}
	if f.Region != "" && (e.Region == "" || !strings.HasPrefix(e.Region, strings.TrimRight(f.Region, "0"))) {
		return false
	}
	if !f.From.IsZero() && e.Time.Before(f.From) || !f.To.IsZero() && !e.Time.Before(f.To) {
		return false
	}
	return true
}

// listAll pages through List with f and returns the seqs in order.
func listAll(t *testing.T, l *Log, f Filter, during func(page int)) []int64 {
	t.Helper()
	var seqs []int64
	for page := 0; ; page++ {
		es, next, err := l.List(context.Background(), f)
		if err != nil {
			t.Fatalf("List(%+v): %v", f, err)
		}
		if f.Limit > 0 && len(es) > f.Limit {
			t.Fatalf("List(%+v) gave %d entries, more than the limit", f, len(es))
		}
		for _, e := range es {
			seqs = append(seqs, e.Seq)
		}
		if next == "" {
			return seqs
		}
		if during != nil {
			during(page)
		}
		f.Cursor = next
	}
}

func TestList(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	l, err := Open(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	l.SetClock(func() time.Time { clock = clock.Add(time.Minute); return clock })
	// Two entries per minute share a time, so ties are broken by seq.
	var all []Entry
	for i := range 90 {
		e := sample(i)
		if i%2 == 1 {
			e.Time = all[i-1].Time
		}
		got, err := l.Append(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, got)
	}
	from, to := all[20].Time, all[61].Time

	tests := []struct {
		name string
		f    Filter
	}{
		{"everything", Filter{}},
		{"user", Filter{UserID: "u3"}},
		{"action", Filter{Action: "user.submit"}},
		{"object kind", Filter{ObjectKind: "expert"}},
		{"outcome denied", Filter{Outcome: Denied}},
		{"province", Filter{Region: "36"}},
		{"province long form", Filter{Region: "360000"}},
		{"city", Filter{Region: "3607"}},
		{"city long form", Filter{Region: "360700"}},
		{"county", Filter{Region: "360702"}},
		{"other province", Filter{Region: "44"}},
		{"city of Yichun", Filter{Region: "3609"}},
		{"county with no entries", Filter{Region: "360781"}},
		{"city and outcome", Filter{Region: "3607", Outcome: OK}},
		{"province and user", Filter{Region: "36", UserID: "u1"}},
		{"county and action", Filter{Region: "360702", Action: "expert.create"}},
		{"province and kind", Filter{Region: "36", ObjectKind: "application"}},
		{"time range", Filter{From: from, To: to}},
		{"from only", Filter{From: from}},
		{"to only", Filter{To: to}},
		{"time range, city, denied", Filter{From: from, To: to, Region: "3607", Outcome: Denied}},
		{"time range and user", Filter{From: from, UserID: "u2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []int64
			for i := len(all) - 1; i >= 0; i-- {
				if matches(tt.f, all[i]) {
					want = append(want, all[i].Seq)
				}
			}
			for _, limit := range []int{0, 1, 4} {
				f := tt.f
				f.Limit = limit
				got := listAll(t, l, f, nil)
				if !slices.Equal(got, want) {
					t.Errorf("limit %d: got seqs %v, want %v", limit, got, want)
				}
			}
			q, err := tt.f.query()
			if err != nil {
				t.Fatal(err)
			}
			storetest.AssertIndexed(t, st, CollectionName, q)
		})
	}

	// The scopes see exactly their regions.
	scopes := map[string][]string{
		"36":     {"36", "3601", "360102", "3607", "360702", "360703", "3609"},
		"3607":   {"3607", "360702", "360703"},
		"360702": {"360702"},
		"3601":   {"3601", "360102"},
	}
	for scope, want := range scopes {
		es, _, err := l.List(ctx, Filter{Region: scope, Limit: MaxLimit})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range es {
			if !slices.Contains(got, e.Region) {
				got = append(got, e.Region)
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("scope %s sees regions %v, want %v", scope, got, want)
		}
	}
}

// TestListPagingWhileAppending pages through the log while new entries
// arrive: the pages lose and repeat nothing of what was there at the start.
func TestListPagingWhileAppending(t *testing.T) {
	ctx := context.Background()
	_, l := newLog(t)
	before := appendN(t, l, 37)
	var want []int64
	for i := len(before) - 1; i >= 0; i-- {
		want = append(want, before[i].Seq)
	}
	got := listAll(t, l, Filter{Limit: 5}, func(page int) {
		for range 3 {
			if _, err := l.Append(ctx, sample(page)); err != nil {
				t.Fatal(err)
			}
		}
	})
	if !slices.Equal(got, want) {
		t.Errorf("paging while appending: got %v, want %v", got, want)
	}
}

func TestListRefuses(t *testing.T) {
	_, l := newLog(t)
	appendN(t, l, 3)
	now := time.Now()
	tests := []struct {
		name string
		f    Filter
	}{
		{"two attributes", Filter{UserID: "u1", Action: "user.create"}},
		{"three attributes", Filter{UserID: "u1", Outcome: OK, ObjectKind: "user"}},
		{"bad outcome", Filter{Outcome: "fine"}},
		{"bad region", Filter{Region: "3x"}},
		{"negative limit", Filter{Limit: -1}},
		{"empty time range", Filter{From: now, To: now}},
		{"foreign cursor", Filter{Cursor: "not-a-cursor"}},
	}
	for _, tt := range tests {
		_, _, err := l.List(context.Background(), tt.f)
		if kedaitong.ErrorCode(err) != kedaitong.EInvalid {
			t.Errorf("%s: List = %v, want EInvalid", tt.name, err)
		}
	}
}

func TestListLimits(t *testing.T) {
	tests := []struct{ in, want int }{{0, DefaultLimit}, {1, 1}, {MaxLimit, MaxLimit}, {MaxLimit + 1, MaxLimit}, {1 << 20, MaxLimit}}
	for _, tt := range tests {
		q, err := Filter{Limit: tt.in}.query()
		if err != nil || q.Limit != tt.want {
			t.Errorf("limit %d: query limit %d, %v; want %d", tt.in, q.Limit, err, tt.want)
		}
	}
}

func ExampleNormalizeRegion() {
	for _, code := range []string{"36", "360700", "360702", "360000"} {
		short, _ := NormalizeRegion(code)
		fmt.Println(code, "→", short)
	}
	// Output:
	// 36 → 36
	// 360700 → 3607
	// 360702 → 360702
	// 360000 → 36
}
