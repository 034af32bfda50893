package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"kedaitong/internal/browsertest"
)

// navLinks lists the menu as "group:link,link" per group, in order.
const navLinksJS = `[...document.querySelectorAll("#nav-menu .grp")].map(g => g.id + ":" + [...g.querySelectorAll("a")].map(a => a.id).join(",")).join(" ")`

// TestBrowserNavigationByRole: a bank officer, an official and an analyst
// each log in and see only the link groups their role can use (评审, 专家,
// 情报, 咨询, 管理), every link visible and clickable, the current page
// marked, the menu reachable by keyboard, readable on a phone-width screen,
// and in English after the language switch; logged out, no menu at all.
func TestBrowserNavigationByRole(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	ctx := browsertest.New(t)
	eval := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return s
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	login := func(user string) {
		t.Helper()
		if err := chromedp.Do(ctx,
			chromedp.Navigate(e.ts.URL+"/login?lang=zh-CN"),
			chromedp.WaitVisible(chromedp.CSS("#login-form")),
			chromedp.SendKeys(chromedp.CSS("#username"), user),
			chromedp.SendKeys(chromedp.CSS("#password"), testPW),
			chromedp.Click(chromedp.CSS("#login-submit")),
			chromedp.WaitVisible(chromedp.CSS("#nav-menu")),
		); err != nil {
			t.Fatalf("log in %s: %v", user, err)
		}
	}
	logout := func() {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#login-form"))); err != nil {
			t.Fatal(err)
		}
	}

	cases := []struct {
		user, role string
		menu       string // the groups and their links, in order
		labels     map[string]string
	}{
		{"officer", "银行信贷员",
			"nav-group-review:nav-applications,nav-rereviews nav-group-intel:nav-items,nav-riskmap,nav-alerts nav-group-consult:nav-consultations",
			map[string]string{"#nav-label-review": "评审", "#nav-label-intel": "情报", "#nav-label-consult": "咨询"}},
		{"official", "主管部门",
			"nav-group-review:nav-applications,nav-assignments,nav-rubrics,nav-rereviews,nav-dashboard nav-group-experts:nav-experts,nav-committees nav-group-intel:nav-items,nav-riskmap,nav-alerts nav-group-consult:nav-consultations",
			map[string]string{"#nav-label-review": "评审", "#nav-label-experts": "专家"}},
		{"analyst", "情报分析员",
			"nav-group-intel:nav-items,nav-sources,nav-riskmap,nav-alerts",
			map[string]string{"#nav-label-intel": "情报"}},
	}
	for _, tc := range cases {
		login(tc.user)
		if got := eval(navLinksJS); got != tc.menu {
			t.Errorf("%s menu:\n got %s\nwant %s", tc.user, got, tc.menu)
		}
		for sel, want := range tc.labels {
			if got := text(sel); got != want {
				t.Errorf("%s: %s = %q, want %q", tc.user, sel, got, want)
			}
		}
		// The bar: account name, role, notifications, log-out, language.
		if got := text("#nav-account"); got != tc.user {
			t.Errorf("%s: account link %q", tc.user, got)
		}
		if got := text("#nav-role"); got != tc.role {
			t.Errorf("%s: role %q, want %q", tc.user, got, tc.role)
		}
		if got := text("#lang-switch"); got != "English" {
			t.Errorf("%s: language switch %q", tc.user, got)
		}
		// No admin group for any of these roles, and no link to a page the
		// role cannot open.
		if n := eval(`String(document.querySelectorAll("#nav-group-admin, #nav-users").length)`); n != "0" {
			t.Errorf("%s sees the administration group", tc.user)
		}
		// Every menu link is laid out (no hidden dropdown) and inside the window.
		if bad := eval(`[...document.querySelectorAll("#nav-menu a, #nav-util a, #logout")].filter(a => { const r = a.getBoundingClientRect(); return r.width === 0 || r.height === 0 || r.right > window.innerWidth; }).map(a => a.id).join(",")`); bad != "" {
			t.Errorf("%s: links not visible: %s", tc.user, bad)
		}
		browsertest.Screenshot(t, ctx, "nav-"+tc.user)
		logout()
	}

	// The officer opens applications from the menu; the link is marked current.
	login("officer")
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#nav-applications")), chromedp.WaitVisible(chromedp.CSS("#apps-filter"))); err != nil {
		t.Fatal(err)
	}
	if got := eval(`document.querySelector("#nav-applications").getAttribute("aria-current") || ""`); got != "page" {
		t.Errorf("applications link aria-current = %q", got)
	}
	if got := eval(`String(document.querySelectorAll('#nav-menu [aria-current="page"]').length)`); got != "1" {
		t.Errorf("%s links marked current", got)
	}
	logout()

	// The official reaches the menu by keyboard alone: Tab from the top of
	// the page to the dashboard link, Enter opens it.
	login("official")
	if err := chromedp.Do(ctx, chromedp.Navigate(e.ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#nav-menu"))); err != nil {
		t.Fatal(err)
	}
	var path []string
	for i := 0; i < 30; i++ {
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
			t.Fatal(err)
		}
		id := eval(`document.activeElement ? document.activeElement.id : ""`)
		path = append(path, id)
		if id == "nav-rereviews" {
			break
		}
	}
	if path[len(path)-1] != "nav-rereviews" {
		t.Fatalf("Tab never reached the re-review link: %v", path)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS(`#nav-rereviews[aria-current="page"]`))); err != nil {
		t.Fatal(err)
	}

	// A phone-width screen: the groups stack, nothing overflows sideways.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(375, 800), chromedp.Navigate(e.ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#nav-menu"))); err != nil {
		t.Fatal(err)
	}
	if got := eval(`String(document.documentElement.scrollWidth <= window.innerWidth)`); got != "true" {
		t.Errorf("the page overflows a 375px screen: scrollWidth %s", eval(`String(document.documentElement.scrollWidth)`))
	}
	if got := eval(`(() => { const g = [...document.querySelectorAll("#nav-menu .grp")]; return String(g.every((x, i) => i === 0 || x.getBoundingClientRect().top >= g[i-1].getBoundingClientRect().bottom - 1)); })()`); got != "true" {
		t.Errorf("groups do not stack on a narrow screen")
	}
	browsertest.Screenshot(t, ctx, "nav-official-narrow")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(e.ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#nav-menu"))); err != nil {
		t.Fatal(err)
	}
	// On a desktop screen the official's fourteen links fit in two lines at most.
	if got := eval(`String(document.querySelector("#nav-menu").getBoundingClientRect().height < 90)`); got != "true" {
		t.Errorf("the menu is %s px high", eval(`String(document.querySelector("#nav-menu").getBoundingClientRect().height)`))
	}

	// English: the switch relabels the groups.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#lang-switch")), chromedp.WaitVisible(chromedp.CSS("#nav-menu"))); err != nil {
		t.Fatal(err)
	}
	for sel, want := range map[string]string{"#nav-label-review": "Review", "#nav-label-experts": "Experts", "#nav-label-intel": "Intelligence", "#nav-committees": "Committees", "#nav-role": "Official", "#lang-switch": "中文"} {
		if got := text(sel); !strings.EqualFold(got, want) {
			t.Errorf("en: %s = %q, want %q", sel, got, want)
		}
	}
	browsertest.Screenshot(t, ctx, "nav-official-en")
	logout()

	// Logged out: the bar offers log-in and the language, and no menu.
	if n := eval(`String(document.querySelectorAll("#nav-menu, #nav-account").length)`); n != "0" {
		t.Errorf("logged out, %s menu/account elements", n)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#nav-login")), chromedp.WaitVisible(chromedp.CSS("#lang-switch"))); err != nil {
		t.Fatal(err)
	}
}
