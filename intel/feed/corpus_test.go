package feed_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"kedaitong"
	"kedaitong/intel/feed"
	"kedaitong/intel/fetch"
)

// corpusDir finds the feedparser corpus: $KEDAI_FEED_CORPUS, else shared/
// beside the repository.
func corpusDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("KEDAI_FEED_CORPUS")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "corpora", "feedparser")
	}
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("feedparser corpus not found at %s (set KEDAI_FEED_CORPUS): %v", dir, err)
	}
	return dir
}

var headerRe = regexp.MustCompile(`(?m)^Header:\s+([^:\r\n]+):([^\r\n]*)$`)

// corpusServer serves the corpus the way feedparser's own test server does:
// the "Header:" lines of a file's leading comment become response headers,
// and Content-Type defaults to the type of the file name.
func corpusServer(dir string) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(r.URL.Path, "/")))
		body, err := os.ReadFile(p)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		status := http.StatusOK
		head := body
		if len(head) > 2048 {
			head = head[:2048]
		}
		for _, m := range headerRe.FindAllSubmatch(head, -1) {
			k, v := strings.TrimSpace(string(m[1])), strings.TrimSpace(string(m[2]))
			if strings.EqualFold(k, "Status") {
				if n, err := strconv.Atoi(v); err == nil {
					status = n
				}
				continue
			}
			w.Header().Set(k, v)
		}
		if w.Header().Get("Content-Type") == "" {
			if strings.HasSuffix(p, ".json") {
				w.Header().Set("Content-Type", "application/json")
			} else {
				w.Header().Set("Content-Type", "application/xml")
			}
		}
		w.WriteHeader(status)
		w.Write(body)
	}))
}

type corpusResult struct {
	path    string
	resp    *fetch.Response
	feed    *feed.Feed
	err     error
	elapsed time.Duration
	panic   any
}

func runCorpus(t *testing.T) (map[string]*corpusResult, string) {
	dir := corpusDir(t)
	var files []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && d.Name() != "LICENSE" {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := corpusServer(dir)
	t.Cleanup(srv.Close)
	g, err := fetch.NewGuard("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	c := fetch.New(g, fetch.Options{Timeout: 5 * time.Second})
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		sh = time.UTC
	}

	results := make(map[string]*corpusResult, len(files))
	var mu sync.Mutex
	work := make(chan string)
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range work {
				r := &corpusResult{path: f}
				func() {
					defer func() { r.panic = recover() }()
					start := time.Now()
					defer func() { r.elapsed = time.Since(start) }()
					resp, err := c.Fetch(context.Background(), srv.URL+"/"+f, fetch.Conditional{})
					r.resp, r.err = resp, err
					if err != nil {
						return
					}
					r.feed, r.err = feed.Parse(resp.Body, feed.Options{DefaultZone: sh, BaseURL: resp.FinalURL})
				}()
				mu.Lock()
				results[f] = r
				mu.Unlock()
			}
		}()
	}
	for _, f := range files {
		work <- f
	}
	close(work)
	wg.Wait()
	return results, srv.URL
}

// TestCorpus runs every feedparser test file through the real fetcher and
// parser: none may panic or take a second, every one yields a feed or a
// clear error. Run with -v to see the summary.
func TestCorpus(t *testing.T) {
	start := time.Now()
	results, srvURL := runCorpus(t)
	var withItems, empty, failed, items int
	var slowest []*corpusResult
	errKinds := map[string]int{}
	for _, r := range results {
		slowest = append(slowest, r)
		switch {
		case r.panic != nil:
			t.Errorf("%s: panic: %v", r.path, r.panic)
		case r.err != nil:
			failed++
			msg := kedaitong.ErrorMessage(r.err)
			if k := fetch.KindOf(r.err); k != "" {
				t.Errorf("%s: fetch failed (%s): %v", r.path, k, r.err)
			} else if kedaitong.ErrorCode(r.err) != kedaitong.EInvalid || msg == "" {
				t.Errorf("%s: unclear error %v", r.path, r.err)
			}
			errKinds[msg]++
			if testing.Verbose() {
				t.Logf("  refused %s: %v", r.path, r.err)
			}
		case len(r.feed.Items) > 0:
			withItems++
			items += len(r.feed.Items)
		default:
			empty++
		}
		if r.elapsed > time.Second {
			t.Errorf("%s took %v, want under a second", r.path, r.elapsed)
		}
	}
	sort.Slice(slowest, func(i, j int) bool { return slowest[i].elapsed > slowest[j].elapsed })
	t.Logf("corpus: %d files in %v: %d with items (%d items), %d feeds without items, %d refused with an error",
		len(results), time.Since(start).Round(time.Millisecond), withItems, items, empty, failed)
	for msg, n := range errKinds {
		t.Logf("  error %q: %d files", msg, n)
	}
	for _, r := range slowest[:min(3, len(slowest))] {
		t.Logf("  slowest: %s %v", r.path, r.elapsed)
	}
	if len(results) < 2000 {
		t.Errorf("only %d corpus files, want about 2,100", len(results))
	}
	if withItems < 400 {
		t.Errorf("only %d of %d files yielded items, want at least 400", withItems, len(results))
	}
	checkExplicitHints(t, results)
	checkHints(t, results, srvURL)
}

// checkExplicitHints checks a handful of feedparser expectations by hand.
func checkExplicitHints(t *testing.T, results map[string]*corpusResult) {
	item := func(path string) feed.Item {
		r := results[path]
		if r == nil || r.err != nil || r.feed == nil || len(r.feed.Items) == 0 {
			t.Errorf("%s: no items (%v)", path, r.err)
			return feed.Item{}
		}
		return r.feed.Items[0]
	}
	tests := []struct {
		path, field, got, want string
	}{
		{"encoding/euc-kr-item.xml", "description", item("encoding/euc-kr-item.xml").Summary, "\ub144"},
		{"encoding/demoronize-1.xml", "description", item("encoding/demoronize-1.xml").Summary, "don\u2019t"},
		{"encoding/http_text_xml_charset_2.xml", "description", item("encoding/http_text_xml_charset_2.xml").Summary, "This is a \u00a3\u201ctest.\u201d"},
		{"json/json_feed.json", "title", "", ""},
	}
	for _, tt := range tests[:3] {
		if tt.got != tt.want {
			t.Errorf("%s %s = %q, want %q", tt.path, tt.field, tt.got, tt.want)
		}
	}
	charsets := map[string]string{
		"encoding/http_application_atom_xml_gb2312_charset.xml":                    "gb18030",
		"encoding/http_application_atom_xml_gb2312_charset_overrides_encoding.xml": "gb18030",
		"encoding/http_application_atom_xml_gb2312_encoding.xml":                   "gb18030",
		"encoding/big5.xml":                "big5",
		"encoding/euc-kr.xml":              "euc-kr",
		"encoding/utf-16le.xml":            "utf-16le",
		"encoding/utf-16be-bom.xml":        "utf-16be",
		"encoding/utf-32be.xml":            "utf-32be",
		"encoding/utf-32le-autodetect.xml": "utf-32le",
		"encoding/utf-8-bom.xml":           "utf-8",
	}
	for path, want := range charsets {
		r := results[path]
		if r == nil || r.resp == nil {
			t.Errorf("%s: not fetched", path)
			continue
		}
		if r.resp.Charset != want {
			t.Errorf("%s: charset %q, want %q", path, r.resp.Charset, want)
		}
		if r.err != nil {
			t.Errorf("%s: %v", path, r.err)
		}
	}
	if r := results["encoding/http_i18n.xml"]; r == nil || r.feed == nil || r.feed.Title != "Iñtërnâtiônàlizætiøn" {
		t.Errorf("encoding/http_i18n.xml title = %+v, want Iñtërnâtiônàlizætiøn", r)
	}
	for path, r := range results {
		if !strings.HasPrefix(path, "json/") {
			continue
		}
		if r.err != nil || r.feed.Title != "My Example Feed" || len(r.feed.Items) != 2 {
			t.Errorf("%s: %v, want title My Example Feed and 2 items", path, r.err)
			continue
		}
		if strings.Contains(r.feed.Items[1].SafeHTML, "<script") || !strings.Contains(r.feed.Items[1].SafeHTML, "Hello, world!") {
			t.Errorf("%s: SafeHTML = %q, want the paragraph without the script", path, r.feed.Items[1].SafeHTML)
		}
	}
}

var expectRe = regexp.MustCompile(`(?m)^\s*Expect:\s*(?:not bozo and )?(feed\[?'?\.?title'?\]?|entries\[0\](?:\['(?:title|description|summary|link)'\]|\.(?:title|description|summary|link)))\s*==\s*u?('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\s*$`)

// checkHints compares our output with feedparser's simple expectations on
// titles, descriptions and links, compared as plain text (feedparser keeps
// markup in titles and descriptions; we strip it) with whitespace collapsed.
func checkHints(t *testing.T, results map[string]*corpusResult, srvURL string) {
	var agree, disagree int
	var samples []string
	for path, r := range results {
		if r.err != nil || r.feed == nil {
			continue
		}
		body, err := os.ReadFile(filepath.Join(corpusDir(t), path))
		if err != nil {
			continue
		}
		if len(body) > 2048 {
			body = body[:2048]
		}
		m := expectRe.FindSubmatch(body)
		if m == nil {
			continue
		}
		want, ok := pyString(string(m[2]))
		if !ok {
			continue
		}
		want = strings.ReplaceAll(want, "http://127.0.0.1:8097", srvURL)
		field := string(m[1])
		var got []string
		switch {
		case strings.HasPrefix(field, "feed"):
			got = []string{r.feed.Title}
		case len(r.feed.Items) == 0:
			got = []string{""}
		case strings.Contains(field, "title"):
			got = []string{r.feed.Items[0].Title}
		case strings.Contains(field, "link"):
			got = []string{r.feed.Items[0].Link}
		default:
			got = []string{r.feed.Items[0].Summary, r.feed.Items[0].SafeHTML}
		}
		match := false
		for _, g := range got {
			if norm(feed.PlainText(g, 0)) == norm(feed.PlainText(want, 0)) {
				match = true
			}
		}
		if match {
			agree++
		} else {
			disagree++
			samples = append(samples, fmt.Sprintf("%s %s: got %q, want %q", path, field, got[0], want))
		}
	}
	sort.Strings(samples)
	total := agree + disagree
	t.Logf("feedparser Expect hints on title/description/link: %d of %d agree", agree, total)
	for _, s := range samples[:min(len(samples), 15)] {
		t.Logf("  differs: %s", s)
	}
	if total < 100 || agree*100 < total*90 {
		t.Errorf("only %d of %d feedparser hints agree, want at least 90%%", agree, total)
	}
}

func norm(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\u00a0' }), " ")
}

// pyString decodes a Python string literal.
func pyString(lit string) (string, bool) {
	if len(lit) < 2 {
		return "", false
	}
	s := lit[1 : len(lit)-1]
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[s[i]]
			if i+n >= len(s)+0 && i+n > len(s)-1+1 {
				return "", false
			}
			v, err := strconv.ParseUint(s[i+1:i+1+n], 16, 32)
			if err != nil {
				return "", false
			}
			b.WriteRune(rune(v))
			i += n
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), true
}
