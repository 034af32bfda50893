package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
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
	b := newBrowser(t, e)
	text := func(sel string) string {
		t.Helper()
		return strings.TrimSpace(b.text(sel))
	}
	login := func(user string) {
		t.Helper()
		b.loginAt("/login?lang=zh-CN", user, "#nav-menu")
	}

	cases := []struct {
		user, role string
		menu       string // the groups and their links, in order
		labels     map[string]string
	}{
		{"officer", "银行信贷员",
			"nav-group-review:nav-applications,nav-rereviews nav-group-intel:nav-items,nav-riskmap,nav-alerts nav-group-enterprises:nav-enterprises,nav-roadshows,nav-docking nav-group-consult:nav-consultations nav-group-fund:nav-fund,nav-fund-loans,nav-fund-claims,nav-fund-evaluations",
			map[string]string{"#nav-label-review": "评审", "#nav-label-intel": "情报", "#nav-label-consult": "咨询"}},
		{"official", "主管部门",
			"nav-group-review:nav-applications,nav-assignments,nav-rubrics,nav-rereviews,nav-dashboard,nav-audit nav-group-experts:nav-experts,nav-committees nav-group-intel:nav-items,nav-riskmap,nav-alerts nav-group-enterprises:nav-enterprises,nav-datahub,nav-roadshows,nav-docking nav-group-consult:nav-consultations nav-group-fund:nav-fund,nav-fund-loans,nav-fund-claims,nav-fund-evaluations,nav-fund-kpis",
			map[string]string{"#nav-label-review": "评审", "#nav-label-experts": "专家"}},
		{"analyst", "情报分析员",
			"nav-group-intel:nav-items,nav-sources,nav-riskmap,nav-alerts nav-group-enterprises:nav-roadshows",
			map[string]string{"#nav-label-intel": "情报"}},
	}
	for _, tc := range cases {
		login(tc.user)
		if got := b.eval(navLinksJS); got != tc.menu {
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
		if n := b.eval(`String(document.querySelectorAll("#nav-group-admin, #nav-users").length)`); n != "0" {
			t.Errorf("%s sees the administration group", tc.user)
		}
		// Every menu link is laid out (no hidden dropdown) and inside the window.
		if bad := b.eval(`[...document.querySelectorAll("#nav-menu a, #nav-util a, #logout")].filter(a => { const r = a.getBoundingClientRect(); return r.width === 0 || r.height === 0 || r.right > window.innerWidth; }).map(a => a.id).join(",")`); bad != "" {
			t.Errorf("%s: links not visible: %s", tc.user, bad)
		}
		b.screenshot("nav-" + tc.user)
		b.logout()
	}

	// The officer opens applications from the menu; the link is marked current.
	login("officer")
	b.run("open the applications from the menu", chromedp.Click(chromedp.CSS("#nav-applications")), chromedp.WaitVisible(chromedp.CSS("#apps-filter")))
	if got := b.eval(`document.querySelector("#nav-applications").getAttribute("aria-current") || ""`); got != "page" {
		t.Errorf("applications link aria-current = %q", got)
	}
	if got := b.eval(`String(document.querySelectorAll('#nav-menu [aria-current="page"]').length)`); got != "1" {
		t.Errorf("%s links marked current", got)
	}
	b.logout()

	// The official reaches the menu by keyboard alone: Tab from the top of
	// the page to the dashboard link, Enter opens it.
	login("official")
	b.run("open the home page", chromedp.Navigate(b.url("/")), chromedp.WaitVisible(chromedp.CSS("#nav-menu")))
	var path []string
	for i := 0; i < 30; i++ {
		b.run("press Tab", chromedp.KeyEvent(kb.Tab))
		id := b.eval(`document.activeElement ? document.activeElement.id : ""`)
		path = append(path, id)
		if id == "nav-rereviews" {
			break
		}
	}
	if path[len(path)-1] != "nav-rereviews" {
		t.Fatalf("Tab never reached the re-review link: %v", path)
	}
	b.run("press Enter on the re-review link", chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS(`#nav-rereviews[aria-current="page"]`)))

	// A phone-width screen: the groups stack, nothing overflows sideways.
	b.run("open the home page 375px wide", chromedp.EmulateViewport(375, 800), chromedp.Navigate(b.url("/")), chromedp.WaitVisible(chromedp.CSS("#nav-menu")))
	if got := b.eval(`String(document.documentElement.scrollWidth <= window.innerWidth)`); got != "true" {
		t.Errorf("the page overflows a 375px screen: scrollWidth %s", b.eval(`String(document.documentElement.scrollWidth)`))
	}
	if got := b.eval(`(() => { const g = [...document.querySelectorAll("#nav-menu .grp")]; return String(g.every((x, i) => i === 0 || x.getBoundingClientRect().top >= g[i-1].getBoundingClientRect().bottom - 1)); })()`); got != "true" {
		t.Errorf("groups do not stack on a narrow screen")
	}
	b.screenshot("nav-official-narrow")
	b.run("open the home page 1280px wide", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(b.url("/")), chromedp.WaitVisible(chromedp.CSS("#nav-menu")))
	// On a desktop screen the official's fourteen links fit in two lines at most.
	if got := b.eval(`String(document.querySelector("#nav-menu").getBoundingClientRect().height < 90)`); got != "true" {
		t.Errorf("the menu is %s px high", b.eval(`String(document.querySelector("#nav-menu").getBoundingClientRect().height)`))
	}

	// English: the switch relabels the groups.
	b.run("switch to English", chromedp.Click(chromedp.CSS("#lang-switch")), chromedp.WaitVisible(chromedp.CSS("#nav-menu")))
	for sel, want := range map[string]string{"#nav-label-review": "Review", "#nav-label-experts": "Experts", "#nav-label-intel": "Intelligence", "#nav-committees": "Committees", "#nav-role": "Official", "#lang-switch": "中文"} {
		if got := text(sel); !strings.EqualFold(got, want) {
			t.Errorf("en: %s = %q, want %q", sel, got, want)
		}
	}
	b.screenshot("nav-official-en")
	b.logout()

	// Logged out: the bar offers log-in and the language, and no menu.
	if n := b.eval(`String(document.querySelectorAll("#nav-menu, #nav-account").length)`); n != "0" {
		t.Errorf("logged out, %s menu/account elements", n)
	}
	b.run("logged out: log-in link and language switch", chromedp.WaitVisible(chromedp.CSS("#nav-login")), chromedp.WaitVisible(chromedp.CSS("#lang-switch")))
}
