package web_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"kedaitong/app"
	"kedaitong/identity"
	"kedaitong/internal/config"
	"kedaitong/internal/store/storetest"
)

var (
	hrefRE = regexp.MustCompile(`(?i)<a\b[^>]*\bhref="([^"#]*)`)
	langRE = regexp.MustCompile(`(?i)<html[^>]*\blang="(zh-CN|en)"`)
)

// TestPageCrawl logs in as every demo user on a --demo store and follows
// every link the pages show (same site, GET, not the API), in Chinese and
// in English: no page answers 404 or 5xx, and every page names its
// language. A link that the role may not open is a defect too (403). No
// page shows an internal identifier in its visible text (record ids such
// as app-… or exp-…, bank ids, a region code standing alone, a UTC time).
func TestPageCrawl(t *testing.T) {
	if testing.Short() {
		t.Skip("crawls every page as every role")
	}
	ctx := context.Background()
	st := storetest.New(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.New(ctx, st, config.Config{Demo: true, ShutdownGrace: time.Second}, logger, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(a.Server.Handler())
	t.Cleanup(ts.Close)

	users := []string{"admin", "gzbank.officer", "gzbank.manager", "ncbank.officer", "expert.li", "official.jiangxi", "official.ganzhou", "analyst.wu", "investor.demo"}
	for _, user := range users {
		for _, lang := range []string{"zh-CN", "en"} {
			t.Run(user+"/"+lang, func(t *testing.T) {
				crawlAs(t, ts.URL, user, lang)
			})
		}
	}
}

func crawlAs(t *testing.T, base, user, lang string) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	u, _ := url.Parse(base)
	jar.SetCookies(u, []*http.Cookie{{Name: "lang", Value: lang, Path: "/"}})
	r, err := c.Post(base+"/api/v1/auth/login", "application/json", strings.NewReader(`{"username":"`+user+`","password":"`+identity.DemoPassword+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != 200 {
		t.Fatalf("log-in as %s: %d", user, r.StatusCode)
	}
	seen := map[string]string{"/": "(start)"}
	listed := map[string]bool{} // a list page's sort, page and size links: one of each list is followed
	queue := []string{"/"}
	var bad []string
	const maxPages = 400
	for len(queue) > 0 && len(seen) <= maxPages {
		p := queue[0]
		queue = queue[1:]
		resp, err := c.Get(base + p)
		if err != nil {
			t.Fatalf("GET %s: %v", p, err)
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
		resp.Body.Close()
		switch {
		case resp.StatusCode >= 300 && resp.StatusCode < 400:
			loc := resp.Header.Get("Location")
			if strings.HasPrefix(loc, "/login") {
				bad = append(bad, p+" (linked from "+seen[p]+") sends a logged-in user to log in")
			}
			continue
		case resp.StatusCode != http.StatusOK:
			bad = append(bad, p+" (linked from "+seen[p]+"): "+resp.Status)
			continue
		}
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			continue // a download (CSV, XLSX, SVG)
		}
		if !langRE.Match(body) {
			bad = append(bad, p+": the page does not name its language")
		}
		for _, leak := range internalIDs(p, body) {
			bad = append(bad, p+" shows "+leak)
		}
		for _, m := range hrefRE.FindAllSubmatch(body, -1) {
			link := strings.ReplaceAll(string(m[1]), "&amp;", "&")
			if link == "" || strings.HasPrefix(link, "mailto:") {
				continue
			}
			lu, err := url.Parse(link)
			if err != nil {
				bad = append(bad, p+": a malformed link "+link)
				continue
			}
			if lu.Host != "" && lu.Host != u.Host || lu.Scheme != "" && lu.Scheme != "http" {
				continue // an outside link (a news item's source)
			}
			path := lu.Path
			if !strings.HasPrefix(path, "/") || strings.HasPrefix(path, "/api/") || path == "/logout" || strings.HasPrefix(path, "/static/") {
				continue
			}
			if q := lu.Query(); q.Has("sort") || q.Has("page") || q.Has("size") {
				if listed[path] {
					continue
				}
				listed[path] = true
			}
			if lu.RawQuery != "" {
				path += "?" + lu.RawQuery
			}
			if _, ok := seen[path]; !ok {
				seen[path] = p
				queue = append(queue, path)
			}
		}
	}
	sort.Strings(bad)
	for _, b := range bad {
		t.Error(b)
	}
	if len(seen) < 3 {
		t.Errorf("only %d pages reached as %s", len(seen), user)
	}
	t.Logf("%s (%s): %d pages", user, lang, len(seen))
}

var (
	// Internal identifiers users must not read on a page: record ids,
	// bank ids, region codes standing alone, instants in UTC.
	idLeakRE = regexp.MustCompile(`\b(?:app|exp|asg|con|loan|clm|evl|ntf|rr|u)-[0-9a-z]{4,}\b|\b(?:ganzhou|nanchang)-bank\b|\bUTC(?:$|[^+])|\d{4}-\d{2}-\d{2}T\d{2}:\d{2}`)
	// A region code standing alone (a county unknown to the taxonomy shows
	// as "赣州市（360799）": its city named, the code beside).
	regionLeakRE = regexp.MustCompile(`(?:^|[^\d.,（(])36\d{2}(?:\d{2})?(?:$|[^\d.,%）)])`)
	scriptRE     = regexp.MustCompile(`(?is)<(script|style|textarea)\b.*?</(?:script|style|textarea)>`)
	refRE        = regexp.MustCompile(`(?is)<(code|kbd)\b[^>]*>.*?</(?:code|kbd)>|<[^>]*\bclass="[^"]*\bref\b[^"]*"[^>]*>[^<]*`)
	tagRE        = regexp.MustCompile(`(?s)<[^>]*>`)
)

// internalIDs lists the internal identifiers in a page's visible text (not
// in links, attributes, scripts, form data being edited, or a reference
// number shown to be copied: <code>, class="ref").
//
// Region codes are looked for outside news text (/intel/items: numbers in
// articles).
func internalIDs(path string, body []byte) []string {
	text := scriptRE.ReplaceAll(body, []byte(" "))
	text = refRE.ReplaceAll(text, []byte(" "))
	text = tagRE.ReplaceAll(text, []byte("\n"))
	var out []string
	seen := map[string]bool{}
	for _, line := range strings.Split(html.UnescapeString(string(text)), "\n") {
		ms := idLeakRE.FindAllString(line, -1)
		if !strings.HasPrefix(path, "/intel/items") {
			ms = append(ms, regionLeakRE.FindAllString(line, -1)...)
		}
		for _, m := range ms {
			m = strings.Trim(m, " ()（）:：,，、·")
			if !seen[m] && len(out) < 5 {
				seen[m] = true
				out = append(out, fmt.Sprintf("%q in %q", m, clipLine(strings.TrimSpace(line))))
			}
		}
	}
	return out
}

func clipLine(s string) string {
	if r := []rune(s); len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return s
}
