package ui

import (
	"errors"
	"fmt"
	"net/url"
	"testing"
)

func TestParseListParamsClamps(t *testing.T) {
	spec := listSpec[int]{Sort: "name", Desc: true, Cols: []col[int]{{Key: "name"}, {Key: "amount"}, {Key: "act", Fixed: true}}}
	for _, tc := range []struct {
		query      string
		sort, dir  string
		page, size int
		q          string
		export     bool
	}{
		{"", "name", "desc", 1, 25, "", false},
		{"sort=amount", "amount", "asc", 1, 25, "", false},
		{"sort=amount&dir=desc&page=3&size=50", "amount", "desc", 3, 50, "", false},
		{"sort=act&dir=asc", "name", "desc", 1, 25, "", false},           // a fixed column is no sort key: the default order
		{"sort=password&dir=sideways", "name", "desc", 1, 25, "", false}, // unknown: the default
		{"page=-4&size=0", "name", "desc", 1, 10, "", false},             // the smallest size
		{"page=abc&size=7", "name", "desc", 1, 10, "", false},            // up to the next offered size
		{"size=99999", "name", "desc", 1, 200, "", false},                // the largest size
		{"size=x", "name", "desc", 1, 25, "", false},                     // the default size
		{"page=99999999999999999999999", "name", "desc", int(^uint(0) >> 1), 25, "", false},
		{"q=++%E8%B5%A3%E5%B7%9E++&export=xlsx", "name", "desc", 1, 25, "赣州", true},
	} {
		q, _ := url.ParseQuery(tc.query)
		p := parseListParams(q, spec)
		if p.sort != tc.sort || p.dir != tc.dir || p.page != tc.page || p.size != tc.size || p.q != tc.q || p.export != tc.export {
			t.Errorf("%q: got %+v", tc.query, p)
		}
	}
}

func TestReadUpTo(t *testing.T) {
	pages := func(n, per int) func(string) ([]int, string, error) {
		return func(cur string) ([]int, string, error) {
			start := 0
			fmt.Sscan(cur, &start)
			var out []int
			for i := start; i < min(n, start+per); i++ {
				out = append(out, i)
			}
			next := ""
			if start+per < n {
				next = fmt.Sprint(start + per)
			}
			return out, next, nil
		}
	}
	if rows, more, err := readUpTo(100, pages(42, 10)); len(rows) != 42 || more || err != nil || rows[41] != 41 {
		t.Errorf("42 rows in pages of 10: %d, truncated %v, %v", len(rows), more, err)
	}
	if rows, more, _ := readUpTo(30, pages(42, 10)); len(rows) != 30 || !more {
		t.Errorf("bounded at 30: %d rows, truncated %v", len(rows), more)
	}
	if rows, more, _ := readUpTo(40, pages(40, 10)); len(rows) != 40 || more {
		t.Errorf("exactly the bound: %d rows, truncated %v", len(rows), more)
	}
	boom := errors.New("store down")
	if _, _, err := readUpTo(10, func(string) ([]int, string, error) { return nil, "", boom }); !errors.Is(err, boom) {
		t.Errorf("the store's error is lost: %v", err)
	}
}

func TestFileSizeAndSheetName(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1 KB", 1536: "1.5 KB", 5 << 20: "5 MB", 1572864: "1.5 MB"} {
		if got := fileSize(n); got != want {
			t.Errorf("fileSize(%d) = %q, want %q", n, got, want)
		}
	}
	if got := sheetName("a/b:c?[d]*e\\f 一二三四五六七八九十一二三四五六七八九十一二三"); len([]rune(got)) != 31 || got[:11] != "a b c  d  e" {
		t.Errorf("sheetName = %q", got)
	}
	if got := sheetName(" "); got != "Sheet1" {
		t.Errorf("a blank sheet name = %q", got)
	}
}

func TestRegionText(t *testing.T) {
	for _, tc := range []struct{ lang, code, want string }{
		{"zh-CN", "36", "江西省"}, {"en", "3607", "Ganzhou"}, {"zh-CN", "3607", "赣州市"}, {"zh-CN", "", "—"},
	} {
		if got := regionText(tc.lang, tc.code); got != tc.want {
			t.Errorf("regionText(%s, %s) = %q, want %q", tc.lang, tc.code, got, tc.want)
		}
	}
}
