package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"kedaitong/app"
	"kedaitong/identity"
	"kedaitong/internal/config"
	"kedaitong/internal/store/storetest"
)

// TestBrowserEveryPageOnAPhone logs in as every demo user on a --demo
// store, in Chinese and in English, and opens every kind of page that
// user can reach by following links (the page crawl's links, one page per
// route: /applications/app-1 stands for every application) on a 390 px
// wide screen: no page scrolls sideways (wide tables scroll inside their
// own box) and no text is smaller than 12 px.
func TestBrowserEveryPageOnAPhone(t *testing.T) {
	if testing.Short() {
		t.Skip("opens every page as every role in a browser")
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
	e := &env{t: t, app: a, srv: a.Server, ts: ts}

	users := []string{"admin", "gzbank.officer", "gzbank.manager", "expert.li", "official.jiangxi", "official.ganzhou", "analyst.wu", "investor.demo"}
	for _, user := range users {
		for _, lang := range []string{"zh-CN", "en"} {
			t.Run(user+"/"+lang, func(t *testing.T) {
				t.Parallel() // a browser each, as many at once as -parallel allows: the server is shared and read-only here
				pages := phonePages(t, ts.URL, user, lang)
				b := newBrowser(t, e)
				b.run("a phone-sized screen", chromedp.EmulateViewport(390, 844))
				b.run("log in "+user,
					chromedp.Navigate(b.url("/login?lang="+lang)),
					chromedp.WaitVisible(chromedp.CSS("#login-form")),
					chromedp.SendKeys(chromedp.CSS("#username"), user),
					chromedp.SendKeys(chromedp.CSS("#password"), identity.DemoPassword),
					chromedp.Click(chromedp.CSS("#login-submit")),
					chromedp.WaitVisible(chromedp.CSS("#nav-account")))
				for _, p := range pages {
					b.run("open "+p, chromedp.Navigate(b.url(p)), chromedp.WaitReady(chromedp.CSS("footer.foot")))
					b.fitsWidth(user + " " + lang + " " + p)
					if small := b.eval(smallTextJS); small != "" {
						t.Errorf("%s: text smaller than 12 px: %s", p, small)
					}
				}
				b.screenshot("last-page")
				t.Logf("%s (%s): %d kinds of page at 390 px", user, lang, len(pages))
			})
		}
	}
}

// smallTextJS names up to five visible texts set in less than 12 px (SVG
// text scales with its drawing and is left out).
const smallTextJS = `(() => {
  const bad = new Set();
  const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (w.nextNode()) {
    const n = w.currentNode, el = n.parentElement;
    if (!el || !n.textContent.trim() || el.closest("svg")) continue;
    if (!el.getClientRects().length) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === "hidden" || cs.display === "none") continue;
    const fs = parseFloat(cs.fontSize);
    if (fs < 12) bad.add(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (typeof el.className === "string" && el.className ? "." + el.className.split(" ")[0] : "") + " " + fs + "px «" + n.textContent.trim().slice(0, 24) + "»");
    if (bad.size >= 5) break;
  }
  return [...bad].join(" | ");
})()`

// idSegment is a path segment that names one object (an id, a credit
// code, a date): pages that differ only there are one kind of page.
var idSegment = regexp.MustCompile(`\d`)

// phonePages follows the links user sees from the home page, as the page
// crawl does, and returns one page per route (query strings dropped, ids
// folded), at most 80.
func phonePages(t *testing.T, base, user, lang string) []string {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	u, _ := url.Parse(base)
	jar.SetCookies(u, []*http.Cookie{{Name: "kedai_lang", Value: lang, Path: "/"}})
	r, err := c.Post(base+"/api/v1/auth/login", "application/json", strings.NewReader(`{"username":"`+user+`","password":"`+identity.DemoPassword+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != 200 {
		t.Fatalf("log-in as %s: %d", user, r.StatusCode)
	}
	kind := func(p string) string {
		segs := strings.Split(p, "/")
		for i, s := range segs {
			if idSegment.MatchString(s) || len(s) > 24 {
				segs[i] = ":id"
			}
		}
		return strings.Join(segs, "/")
	}
	seen := map[string]bool{kind("/"): true}
	queue, out := []string{"/"}, []string{}
	for len(queue) > 0 && len(out) < 80 {
		p := queue[0]
		queue = queue[1:]
		resp, err := c.Get(base + p)
		if err != nil {
			t.Fatalf("GET %s: %v", p, err)
		}
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			continue // the page crawl reports bad statuses; downloads are no pages
		}
		out = append(out, p)
		for _, m := range hrefRE.FindAllSubmatch(body, -1) {
			lu, err := url.Parse(strings.ReplaceAll(string(m[1]), "&amp;", "&"))
			if err != nil || lu.Host != "" && lu.Host != u.Host || lu.Scheme != "" && lu.Scheme != "http" {
				continue
			}
			path := lu.Path
			if !strings.HasPrefix(path, "/") || strings.HasPrefix(path, "/api/") || path == "/logout" || strings.HasPrefix(path, "/static/") ||
				strings.HasSuffix(path, ".svg") || strings.HasSuffix(path, ".csv") {
				continue
			}
			if k := kind(path); !seen[k] {
				seen[k] = true
				queue = append(queue, path)
			}
		}
	}
	return out
}
