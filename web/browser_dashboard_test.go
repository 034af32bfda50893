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
	for _, lang := range []struct{ code, region, total, state, export string }{
		{"zh-CN", "赣州市", "申请总数", "已出报告", "导出 Excel"},
		{"en", "Ganzhou", "Applications", "Report issued", "Export to Excel"},
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
