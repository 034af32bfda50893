package feed_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"kedaitong/intel/feed"
	"kedaitong/intel/fetch"
)

// FuzzParse feeds arbitrary bytes through charset decoding and Parse: no
// panic (Parse recovers gofeed's panics; the fuzzer fails on them too), and
// either a feed or an error, never both or neither.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*"))
	if dir := os.Getenv("KEDAI_FEED_CORPUS"); dir != "" {
		more, _ := filepath.Glob(filepath.Join(dir, "*", "*.xml"))
		seeds = append(seeds, more...)
	}
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b, "application/xml")
		}
	}
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1","items":[null]}`), "application/feed+json")
	f.Add([]byte("<rss><channel><item><title>x</title>"), "text/xml; charset=gbk")
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		sh = time.UTC
	}
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		d := fetch.Decode(body, contentType)
		fd, err := feed.Parse(d.Body, feed.Options{DefaultZone: sh, BaseURL: "https://example.com/feed"})
		if (fd == nil) == (err == nil) {
			t.Fatalf("Parse returned feed %v and error %v", fd != nil, err)
		}
		if err != nil && strings.Contains(err.Error(), "panic:") {
			t.Fatalf("the parser panicked: %v", err)
		}
		if fd != nil {
			for _, it := range fd.Items {
				if it.Title == "" && it.Link == "" && it.Summary == "" {
					t.Fatalf("empty item kept: %+v", it)
				}
				if len([]rune(it.Title)) > feed.MaxTitleRunes || len([]rune(it.Summary)) > feed.MaxSummaryRunes {
					t.Fatalf("caps exceeded: title %d, summary %d runes", len([]rune(it.Title)), len([]rune(it.Summary)))
				}
				if !it.Published.IsZero() && it.Published.Location() != time.UTC {
					t.Fatalf("Published not UTC: %v", it.Published)
				}
			}
		}
	})
}

func TestTestdataFeeds(t *testing.T) {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skip(err)
	}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// A GB2312 government feed: decoded, CST read as UTC+8, zoneless dates
	// in Shanghai time, relative links resolved against the feed's link.
	d := fetch.Decode(read("jiangxi_gb2312.xml"), "text/xml")
	f, err := feed.Parse(d.Body, feed.Options{DefaultZone: sh, BaseURL: "https://kjt.jiangxi.gov.cn/rss.xml"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Charset != "gb18030" || len(f.Items) != 2 {
		t.Fatalf("charset %q, %d items; want gb18030 and 2", d.Charset, len(f.Items))
	}
	tests := []struct{ field, got, want string }{
		{"title", f.Items[0].Title, "关于申报2024年度科技型中小企业的通知"},
		{"link", f.Items[0].Link, "http://kjt.jiangxi.gov.cn/art/2024/1/2/art_1.html"},
		{"summary", f.Items[0].Summary, "各设区市科技局："},
		{"CST date", f.Items[0].Published.Format(time.RFC3339), "2024-01-02T01:30:00Z"},
		{"zoneless date", f.Items[1].Published.Format(time.RFC3339), "2024-01-03T02:00:00Z"},
		{"language", f.Items[1].Language, "zh-cn"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %q, want %q", tt.field, tt.got, tt.want)
		}
	}
	// A truncated Atom document is closed and parsed.
	f, err = feed.Parse(read("truncated_atom.xml"), feed.Options{})
	if err != nil {
		t.Fatalf("truncated feed: %v", err)
	}
	if len(f.Items) < 1 || f.Items[0].Title != "Entry one" {
		t.Errorf("truncated feed items = %+v, want Entry one first", f.Items)
	}
	// A JSON feed with nulls, on which gofeed alone panics.
	if f, err = feed.Parse(read("json_nulls.json"), feed.Options{}); err != nil || len(f.Items) != 1 {
		t.Errorf("JSON with nulls: %v, want 1 item", err)
	}
}
