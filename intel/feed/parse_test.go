package feed

import (
	"strings"
	"testing"
	"time"

	"kedaitong"
)

func shanghai(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skipf("no zone database: %v", err)
	}
	return loc
}

func rss(items string) []byte {
	return []byte(`<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>江西科技新闻</title><link>https://news.example.cn/</link><language>zh-CN</language>` + items + `</channel></rss>`)
}

func TestParseDates(t *testing.T) {
	sh := shanghai(t)
	tests := []struct {
		name string
		zone *time.Location
		item string
		want string // RFC 3339 UTC, "" = zero
	}{
		{"CST in Shanghai is UTC+8", sh, `<pubDate>Mon, 02 Jan 2006 15:04:05 CST</pubDate>`, "2006-01-02T07:04:05Z"},
		{"CST Java style", sh, `<pubDate>Mon Jan 02 15:04:05 CST 2006</pubDate>`, "2006-01-02T07:04:05Z"},
		{"CST without default zone stays US Central", nil, `<pubDate>Mon, 02 Jan 2006 15:04:05 CST</pubDate>`, "2006-01-02T21:04:05Z"},
		{"numeric offset untouched", sh, `<pubDate>Mon, 02 Jan 2006 15:04:05 +0800</pubDate>`, "2006-01-02T07:04:05Z"},
		{"GMT untouched", sh, `<pubDate>Mon, 02 Jan 2006 15:04:05 GMT</pubDate>`, "2006-01-02T15:04:05Z"},
		{"zoneless takes default zone", sh, `<pubDate>2006-01-02 15:04:05</pubDate>`, "2006-01-02T07:04:05Z"},
		{"zoneless RFC 822 takes default zone", sh, `<pubDate>Mon, 02 Jan 2006 15:04:05</pubDate>`, "2006-01-02T07:04:05Z"},
		{"zoneless without default zone is UTC", nil, `<pubDate>2006-01-02 15:04:05</pubDate>`, "2006-01-02T15:04:05Z"},
		{"Chinese date", sh, `<pubDate>2006年1月2日 15:04</pubDate>`, "2006-01-02T07:04:00Z"},
		{"slash date", sh, `<pubDate>2006/01/02 15:04:05</pubDate>`, "2006-01-02T07:04:05Z"},
		{"ISO with Z", sh, `<pubDate>2006-01-02T15:04:05Z</pubDate>`, "2006-01-02T15:04:05Z"},
		{"dc:date zoneless", sh, `<dc:date xmlns:dc="http://purl.org/dc/elements/1.1/">2006-01-02T15:04:05</dc:date>`, "2006-01-02T07:04:05Z"},
		{"falls back to updated", sh, `<atom:updated xmlns:atom="http://www.w3.org/2005/Atom">2006-01-02T15:04:05+08:00</atom:updated>`, "2006-01-02T07:04:05Z"},
		{"garbage is zero", sh, `<pubDate>yesterday-ish</pubDate>`, ""},
		{"no date is zero", sh, ``, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse(rss(`<item><title>标题</title>`+tt.item+`</item>`), Options{DefaultZone: tt.zone})
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Items) != 1 {
				t.Fatalf("got %d items, want 1", len(f.Items))
			}
			got := ""
			if p := f.Items[0].Published; !p.IsZero() {
				got = p.Format(time.RFC3339)
				if p.Location() != time.UTC {
					t.Errorf("Published location = %v, want UTC", p.Location())
				}
			}
			if got != tt.want {
				t.Errorf("Published = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseItemCleaning(t *testing.T) {
	long := strings.Repeat("长", 600)
	doc := rss(`
<item><guid>g1</guid><title>  A &amp;amp; B &lt;b&gt;bold&lt;/b&gt;
   line two  </title><link>/news/1.html</link>
  <description><![CDATA[<p>第一段</p><p>second&nbsp;para<script>alert('x')</script></p><a href="javascript:alert(1)" onclick="x()">click</a>]]></description>
  <author>editor@example.cn (编辑部)</author><category>新能源</category><category> 新能源 </category><category>芯片</category>
</item>
<item><title>` + long + `</title><link>https://other.example.com/a?b=1</link></item>
<item><title></title><description></description></item>
<item><description>only a summary don` + "\u0092" + `t</description></item>
<item><title>bad link</title><link>javascript:alert(1)</link></item>`)
	f, err := Parse(doc, Options{BaseURL: "https://feeds.example.cn/rss.xml"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(f.Items), 4; got != want {
		t.Fatalf("got %d items, want %d (the empty one dropped)", got, want)
	}
	a := f.Items[0]
	checks := []struct{ field, got, want string }{
		{"title", a.Title, "A & B bold line two"},
		{"link", a.Link, "https://news.example.cn/news/1.html"},
		{"summary", a.Summary, "第一段 second para click"},
		{"language", a.Language, "zh-cn"},
		{"feed title", f.Title, "江西科技新闻"},
		{"categories", strings.Join(a.Categories, "|"), "新能源|芯片"},
		{"long title runes", string([]rune(f.Items[1].Title)[:3]), "长长长"},
		{"absolute link", f.Items[1].Link, "https://other.example.com/a?b=1"},
		{"summary-only item", f.Items[2].Summary, "only a summary don’t"},
		{"javascript link dropped", f.Items[3].Link, ""},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
	if n := len([]rune(f.Items[1].Title)); n != MaxTitleRunes {
		t.Errorf("long title has %d runes, want %d", n, MaxTitleRunes)
	}
	if len(a.Authors) != 1 || !strings.Contains(a.Authors[0], "编辑部") && !strings.Contains(a.Authors[0], "editor@example.cn") {
		t.Errorf("authors = %q, want the editor", a.Authors)
	}
	for _, bad := range []string{"<script", "javascript:", "onclick", "alert('x')"} {
		if strings.Contains(a.SafeHTML, bad) {
			t.Errorf("SafeHTML %q contains %q", a.SafeHTML, bad)
		}
	}
	if !strings.Contains(a.SafeHTML, "<p>第一段</p>") {
		t.Errorf("SafeHTML = %q, want the paragraphs kept", a.SafeHTML)
	}
}

func TestParseJSONFeed(t *testing.T) {
	doc := []byte(`{"version":"https://jsonfeed.org/version/1.1","title":"T","home_page_url":"https://example.org/",
"items":[null,{"id":"1","url":"/p/1","title":"One","content_html":"<b>x</b>","date_published":"2024-05-01T10:00:00+08:00","tags":["a",null],"authors":[null,{"name":"Me"}]},null]}`)
	f, err := Parse(doc, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Items) != 1 {
		t.Fatalf("got %d items, want 1", len(f.Items))
	}
	it := f.Items[0]
	if it.Link != "https://example.org/p/1" || it.Title != "One" || it.Summary != "x" || it.GUID != "1" {
		t.Errorf("item = %+v", it)
	}
	if got, want := it.Published.Format(time.RFC3339), "2024-05-01T02:00:00Z"; got != want {
		t.Errorf("Published = %s, want %s", got, want)
	}
	if f.Type != "json" {
		t.Errorf("Type = %q, want json", f.Type)
	}
}

func TestParseRefusals(t *testing.T) {
	deepXML := "<rss><channel><item><description>" + strings.Repeat("<x>", 100) + strings.Repeat("</x>", 100) + "</description></item></channel></rss>"
	deepJSON := `{"version":"https://jsonfeed.org/version/1","items":[` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `]}`
	okXML := "<rss><channel><item><title>t</title><description>" + strings.Repeat("<x>", 50) + strings.Repeat("</x>", 50) + strings.Repeat("<br>", 200) + "</description></item></channel></rss>"
	tests := []struct {
		name string
		doc  string
		want string // "" = parses
	}{
		{"deep XML", deepXML, "nested more than 64"},
		{"deep JSON", deepJSON, "nested more than 64"},
		{"moderate XML with unclosed br", okXML, ""},
		{"empty", "   ", "empty"},
		{"HTML page", "<html><body>hi</body></html>", "not an RSS, Atom or JSON feed"},
		{"broken JSON", `{"items": [`, "cannot be parsed"},
		{"broken JSON with null", `{"items": [null`, "not valid JSON"},
		{"control characters", "<rss><channel><item><title>a\x00b\x08c</title></item></channel></rss>", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.doc), Options{})
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Parse = %v, want success", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse = %v, want an error containing %q", err, tt.want)
			}
			if kedaitong.ErrorCode(err) != kedaitong.EInvalid {
				t.Errorf("code = %q, want %q", kedaitong.ErrorCode(err), kedaitong.EInvalid)
			}
		})
	}
}

func TestItemKey(t *testing.T) {
	d := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	k1 := ItemKey(Item{Title: "Hello  World", Published: d})
	k2 := ItemKey(Item{Title: "hello world", Published: d.In(time.FixedZone("x", 3600))})
	k3 := ItemKey(Item{Title: "hello world", Published: d.Add(time.Second)})
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"guid first", ItemKey(Item{GUID: "g", Link: "https://a/"}), "g"},
		{"then link", ItemKey(Item{Link: "https://a/"}), "https://a/"},
		{"title hash is normalised", k1, k2},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	if k1 == k3 {
		t.Errorf("different dates gave the same key %q", k1)
	}
	if !strings.HasPrefix(k1, "sha256:") || len(k1) != len("sha256:")+64 {
		t.Errorf("hash key = %q, want sha256:<64 hex>", k1)
	}
	if ItemKey(Item{Summary: "a"}) == ItemKey(Item{Summary: "b"}) {
		t.Error("summary-only items with different summaries share a key")
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"a < b & c", "a < b & c"},
		{"AT&amp;T", "AT&T"},
		{"<p>one</p><p>two</p>", "one two"},
		{"x<style>p{}</style>y", "x y"},
		{"tab\tand\n\nnewline", "tab and newline"},
		{"&#8220;quoted&#8221;", "“quoted”"},
		{"\u0093smart\u0094", "“smart”"},
	}
	for _, tt := range tests {
		if got := PlainText(tt.in, 0); got != tt.want {
			t.Errorf("PlainText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := PlainText("abcdef", 3); got != "abc" {
		t.Errorf("PlainText cap = %q, want abc", got)
	}
}
