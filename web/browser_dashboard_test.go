package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserDashboardJourney: a city official opens the dashboard from the
// navigation in Chinese, sees its city's figures and charts, drills down to
// a county, goes back up, and exports the workbook; then the same in
// English.
func TestBrowserDashboardJourney(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	dashFixture(t, e)
	b := newBrowser(t, e)
	b.loginAt("/login?lang=zh-CN", "cityofficial", "#nav-dashboard")
	b.run("open the dashboard page from the menu", chromedp.Click(chromedp.CSS("#nav-dashboard")), chromedp.WaitVisible(chromedp.CSS("#dash-summary")))
	for _, lang := range []struct{ code, region, total, state, export, days string }{
		{"zh-CN", "赣州市", "申请总数", "已出报告", "导出 Excel", "提交至出报告天数"},
		{"en", "Ganzhou", "Applications", "Report issued", "Export to Excel", "Days from submission to report"},
	} {
		if lang.code == "en" {
			b.run("open the dashboard in English", chromedp.Navigate(b.url("/dashboard?lang=en")), chromedp.WaitVisible(chromedp.CSS("#dash-summary")))
		}
		if got := b.text("#dash-region"); got != lang.region {
			t.Errorf("%s: region %q, want %q", lang.code, got, lang.region)
		}
		if s := b.text("#dash-summary"); !strings.Contains(s, lang.total) || !strings.Contains(s, "50.0%") {
			t.Errorf("%s: summary lacks %q or the 50.0%% start-up share: %q", lang.code, lang.total, s)
		}
		if s := b.eval(`document.querySelector("#chart-state").textContent`); !strings.Contains(s, lang.state) {
			t.Errorf("%s: state chart lacks %q: %q", lang.code, lang.state, s)
		}
		n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll("svg.dash-chart").length + document.querySelectorAll("script[src]").length * 100`))
		if err != nil || n < 4 || n >= 100 {
			t.Errorf("%s: %d charts (and no external scripts), %v", lang.code, n, err)
		}
		b.screenshot("dashboard-" + lang.code)
		// drill down to a county and back up
		b.run(lang.code+": drill-down",
			chromedp.Click(chromedp.CSS(`#dash-children tr[data-region="360702"] a`)),
			chromedp.WaitVisible(chromedp.CSS(`#dash-region[data-region="360702"]`)),
		)
		if s := b.text("#dash-summary"); !strings.Contains(s, "2") {
			t.Errorf("%s: county summary %q", lang.code, s)
		}
		b.run(lang.code+": back up", chromedp.Click(chromedp.CSS("#dash-up")), chromedp.WaitVisible(chromedp.CSS(`#dash-region[data-region="3607"]`)))
		// the median is a link to the reviewed applications with their days and median
		if got := b.text("#sum-median_days a"); got != "15" {
			t.Errorf("%s: median %q, want 15 (10 and 20 days)", lang.code, got)
		}
		b.run(lang.code+": the median's list", chromedp.Click(chromedp.CSS("#sum-median_days a")), chromedp.WaitVisible(chromedp.CSS("#dl-median")))
		if got := b.eval(`document.querySelector("#dl-median").dataset.median + "/" + document.querySelector("#dl-total").dataset.total`); got != "15/2" {
			t.Errorf("%s: the list's median/count %q, want 15/2", lang.code, got)
		}
		if s := b.text("#dl-table"); !strings.Contains(s, lang.days) || !strings.Contains(s, "10") || !strings.Contains(s, "20") {
			t.Errorf("%s: the list lacks its days column %q: %q", lang.code, lang.days, s)
		}
		b.run(lang.code+": back to the dashboard", chromedp.Click(chromedp.CSS("#dl-back")), chromedp.WaitVisible(chromedp.CSS(`#dash-region[data-region="3607"]`)))
		if got := b.text("#dash-export"); got != lang.export {
			t.Errorf("%s: export link %q", lang.code, got)
		}
		// the export link answers with a workbook for this session
		size, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`(() => {
			const x = new XMLHttpRequest();
			x.open("GET", document.querySelector("#dash-export").href, false);
			x.overrideMimeType("text/plain; charset=x-user-defined");
			x.send();
			if (x.status !== 200 || !x.getResponseHeader("content-type").includes("spreadsheetml")) return -x.status;
			const b = x.responseText;
			return ((b.charCodeAt(0) & 0xff) === 0x50 && (b.charCodeAt(1) & 0xff) === 0x4b) ? b.length : -1; })()`))
		if err != nil || size <= 0 {
			t.Errorf("%s: export download = %d, %v", lang.code, size, err)
		}
	}
}

// TestBrowserDashboardTrendsOnAPhone: on a 390 px screen a city official
// reads the month-by-month trend charts (each with its title, axes and
// unit, labels legible), opens the list behind a number and finds the
// same count there, and nothing scrolls sideways — in Chinese and English.
func TestBrowserDashboardTrendsOnAPhone(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	dashFixture(t, e)
	b := newBrowser(t, e)
	b.run("a phone-sized screen", chromedp.EmulateViewport(390, 844))
	for _, lang := range []struct{ code, appsTitle, unit, list string }{
		{"zh-CN", "每月提交的贷款申请", "件", "贷款申请"},
		{"en", "Applications submitted per month", "applications", "Loan applications"},
	} {
		b.loginAt("/login?lang="+lang.code, "cityofficial", "#nav-menu")
		b.run("open the dashboard", chromedp.Navigate(b.url("/dashboard?lang="+lang.code)), chromedp.WaitVisible(chromedp.CSS("#trend-apps")))
		if n := b.count("svg.dash-trend"); n != 4 {
			t.Errorf("%s: %d trend charts, want 4 (applications, loans, start-up share, claims)", lang.code, n)
		}
		if s := b.eval(`document.querySelector("#trend-apps .dash-title").textContent + "|" + document.querySelector("#trend-apps .dash-unit").textContent`); s != lang.appsTitle+"|"+lang.unit {
			t.Errorf("%s: the applications chart's title and unit = %q", lang.code, s)
		}
		if s := b.eval(`document.querySelector("#trend-loans .dash-unit").textContent + "|" + document.querySelector("#trend-startup .dash-unit").textContent`); !strings.Contains(s, "|%") {
			t.Errorf("%s: units of the loans and start-up charts = %q", lang.code, s)
		}
		if n := b.count("#trend-apps line.dash-axis"); n != 2 {
			t.Errorf("%s: the applications chart has %d axes", lang.code, n)
		}
		if n := b.count("#trend-apps a.dash-link"); n == 0 {
			t.Errorf("%s: the applications chart's columns link nowhere", lang.code)
		}
		if h := b.eval(`(() => { const h = document.querySelector("#trend-apps .dash-tick").getBoundingClientRect().height; return h >= 9 ? "ok" : String(h); })()`); h != "ok" {
			t.Errorf("%s: axis labels %s px high on a phone (at least 9)", lang.code, h)
		}
		b.fitsWidth("dashboard " + lang.code)
		b.screenshot("dashboard-phone-" + lang.code)
		want := b.text("#card-apps a.dash-num")
		b.run("open the list behind the applications", chromedp.Click(chromedp.CSS("#card-apps a.dash-num")), chromedp.WaitVisible(chromedp.CSS("#dl-total")))
		if got := b.eval(`document.querySelector("#dl-total").dataset.total`); got != want || want != "3" {
			t.Errorf("%s: the list shows %s, the dashboard %s (want 3)", lang.code, got, want)
		}
		if n := b.count("#dl-table tbody tr"); n != 3 {
			t.Errorf("%s: %d rows listed", lang.code, n)
		}
		if s := b.text("#dl-title"); !strings.Contains(s, lang.list) {
			t.Errorf("%s: list title %q", lang.code, s)
		}
		b.fitsWidth("dashboard list " + lang.code)
		b.screenshot("dashboard-list-phone-" + lang.code)
		b.logout()
	}
}
