package web_test

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"kedaitong/internal/browsertest"
)

// browser is a headless Chromium tab on the test server, with the steps
// every browser journey repeats: log in and out, run a few actions, read a
// text, count the matches of a selector, keep a screenshot. Each step
// fails the test with a message naming it.
type browser struct {
	t    testing.TB
	ctx  context.Context
	base string
}

// newBrowser starts a browser for the test (logged out) on e's server.
func newBrowser(t testing.TB, e *env) *browser {
	t.Helper()
	return &browser{t: t, ctx: browsertest.New(t), base: e.ts.URL}
}

// url is path on the test server.
func (b *browser) url(path string) string { return b.base + path }

// run runs actions in order; step says what they do, for the failure.
func (b *browser) run(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatalf("%s: %v", step, err)
	}
}

// open navigates to path without waiting for anything on the page.
func (b *browser) open(path string) {
	b.t.Helper()
	b.run("open "+path, chromedp.Navigate(b.url(path)))
}

// submitLogin opens the log-in page at path (e.g. "/login?lang=en"), fills
// in user and pw and submits, without waiting for the outcome.
func (b *browser) submitLogin(path, user, pw string) {
	b.t.Helper()
	b.run("log in "+user+" at "+path,
		chromedp.Navigate(b.url(path)),
		chromedp.WaitVisible(chromedp.CSS("#login-form")),
		chromedp.SendKeys(chromedp.CSS("#username"), user),
		chromedp.SendKeys(chromedp.CSS("#password"), pw),
		chromedp.Click(chromedp.CSS("#login-submit")),
	)
}

// loginAt logs user in (password testPW) from the log-in page at path and
// waits until ready is visible on the page that follows.
func (b *browser) loginAt(path, user, ready string) {
	b.t.Helper()
	b.submitLogin(path, user, testPW)
	b.run("log in "+user+": wait for "+ready, chromedp.WaitVisible(chromedp.CSS(ready)))
}

// login logs user in from /login and waits for the account link.
func (b *browser) login(user string) {
	b.t.Helper()
	b.loginAt("/login", user, "#nav-account")
}

// logout clicks the log-out button and waits for the log-in form.
func (b *browser) logout() {
	b.t.Helper()
	b.run("log out", chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#login-form")))
}

// text is the visible text of the first element matching sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// eval evaluates js, whose value is a string, in the page.
func (b *browser) eval(js string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](js))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", js, err)
	}
	return s
}

// count is how many elements match sel.
func (b *browser) count(sel string) int {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+"`"+sel+"`"+`).length`))
	if err != nil {
		b.t.Fatalf("count %s: %v", sel, err)
	}
	return n
}

// screenshot keeps a full-page screenshot named name and returns its path.
func (b *browser) screenshot(name string) string {
	b.t.Helper()
	return browsertest.Screenshot(b.t, b.ctx, name)
}

// fitsWidth fails when the page scrolls sideways at the current viewport
// (tables scroll inside their own box).
func (b *browser) fitsWidth(step string) {
	b.t.Helper()
	if w := b.eval(`String(document.documentElement.scrollWidth <= window.innerWidth + 1)`); w != "true" {
		b.t.Errorf("%s: the page is wider than the screen (%s; widest: %s)", step, b.eval(`document.documentElement.scrollWidth + "px"`),
			b.eval(`Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest(".fund-wrap, .table-wrap")).slice(0, 4).map(e => e.tagName + "#" + e.id + "." + e.className + " " + Math.round(e.getBoundingClientRect().right)).join(", ")`))
	}
}
