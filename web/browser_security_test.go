package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Under the Content-Security-Policy (no inline code), the pages' behaviour
// still works from /static/app.js: the rubric list's "refine for a route"
// form goes to the chosen route's rubric, at phone width too.
func TestBrowserSecurityScriptsUnderCSP(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	b := newBrowser(t, e)
	b.run("phone width", chromedp.EmulateViewport(390, 844))
	b.login("official")
	b.run("open the rubrics", chromedp.Navigate(b.url("/rubrics")), chromedp.WaitVisible(chromedp.CSS("#refine-form")))
	if n := b.count("[onclick],[onsubmit],[onchange],[onload]"); n != 0 {
		t.Fatalf("%d elements with inline handlers", n)
	}
	route := b.eval(`(() => { const s = document.querySelector("#refine-route"); s.selectedIndex = 1; return s.value; })()`)
	if route == "" {
		t.Fatal("no route to choose")
	}
	b.run("refine", chromedp.Click(chromedp.CSS("#refine-open")))
	deadline := time.Now().Add(10 * time.Second)
	for {
		path := b.eval(`location.pathname`)
		if path == "/rubrics/"+route {
			break
		}
		if time.Now().After(deadline) {
			b.screenshot("refine")
			t.Fatalf("after refining, at %q, want /rubrics/%s (app.js did not run under the CSP?)", path, route)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if title := b.eval(`document.title`); strings.TrimSpace(title) == "" {
		t.Error("the route's rubric page has no title")
	}
	b.screenshot("rubric-refined")
}
