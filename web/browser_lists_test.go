package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserUsersListOnAPhone: on a 390 px screen the administrator
// searches the users, sorts them by name both ways with a click on the
// column header, changes the page size and pages through, in Chinese and
// in English; the list names banks, never their ids, and the export link
// carries the search.
func TestBrowserUsersListOnAPhone(t *testing.T) {
	e, _ := listEnv(t)
	b := newBrowser(t, e)
	b.run("a phone-sized screen", chromedp.EmulateViewport(390, 844))
	for _, lang := range []string{"zh-CN", "en"} {
		b.loginAt("/login?lang="+lang, "admin", "#nav-menu")
		b.run("open the users", chromedp.Navigate(b.url("/admin/users")), chromedp.WaitVisible(chromedp.CSS("#users-table")))
		b.fitsWidth("users " + lang)
		head, count := "用户名", "共 40 条"
		if lang == "en" {
			head, count = "Username", "40 in all"
		}
		if got := b.text(`#users-table th a[data-sort="username"]`); !strings.Contains(got, head) {
			t.Errorf("%s: the name header reads %q", lang, got)
		}
		if got := b.text("#users-count"); !strings.Contains(got, count) {
			t.Errorf("%s: the count reads %q, want %q", lang, got, count)
		}

		b.run("search list-2",
			chromedp.SendKeys(chromedp.CSS("#users-q"), "list-2"),
			chromedp.Click(chromedp.CSS("#users-search-go")),
			chromedp.WaitVisible(chromedp.CSS("#users-search-clear")))
		if n := b.count("#users-table tbody tr[data-username]"); n != 10 {
			t.Errorf("%s: the search shows %d rows, want 10", lang, n)
		}
		if href := b.eval(`document.querySelector("#users-export").getAttribute("href")`); !strings.Contains(href, "export=xlsx") || !strings.Contains(href, "q=list-2") {
			t.Errorf("%s: the export link %q does not carry the search", lang, href)
		}
		b.run("sort by name", chromedp.Click(chromedp.CSS(`#users-table th a[data-sort="username"]`)), chromedp.WaitVisible(chromedp.CSS(`#users-table th[aria-sort="descending"]`)))
		if first := b.eval(`document.querySelector("#users-table tbody tr").dataset.username`); first != "list-29" {
			t.Errorf("%s: descending starts with %q, want list-29", lang, first)
		}
		if q := b.eval(`location.search`); !strings.Contains(q, "dir=desc") || !strings.Contains(q, "q=list-2") || !strings.Contains(q, "sort=username") {
			t.Errorf("%s: the order is not kept in the address: %q", lang, q)
		}
		b.run("sort back", chromedp.Click(chromedp.CSS(`#users-table th a[data-sort="username"]`)), chromedp.WaitVisible(chromedp.CSS(`#users-table th[aria-sort="ascending"]`)))
		if first := b.eval(`document.querySelector("#users-table tbody tr").dataset.username`); first != "list-20" {
			t.Errorf("%s: ascending starts with %q, want list-20", lang, first)
		}

		b.run("clear the search, ten a page", chromedp.Click(chromedp.CSS("#users-search-clear")), chromedp.WaitNotPresent(chromedp.CSS("#users-search-clear")),
			chromedp.Click(chromedp.CSS(`#users-pager a[data-size="10"]`)), chromedp.WaitVisible(chromedp.CSS("#users-next")))
		if n := b.count("#users-table tbody tr[data-username]"); n != 10 {
			t.Errorf("%s: ten a page shows %d", lang, n)
		}
		b.run("the next page", chromedp.Click(chromedp.CSS("#users-next")), chromedp.WaitVisible(chromedp.CSS("#users-prev")))
		if got := b.text(`#users-pager [aria-current="page"]`); got != "2" {
			t.Errorf("%s: the pager marks page %q, want 2", lang, got)
		}
		if got := b.text("#users-table"); strings.Contains(got, "gzb\t") || strings.Contains(got, "\tncb") || !strings.Contains(got, "赣州银行股份有限公司") {
			t.Errorf("%s: the table shows bank ids, not names: %q", lang, got)
		}
		b.fitsWidth("users page 2 " + lang)
		if small := b.eval(smallTextJS); small != "" {
			t.Errorf("%s: text under 12 px: %s", lang, small)
		}
		b.screenshot("users-list-" + lang)
		b.logout()
	}
}

// TestBrowserAlertsListOnAPhone: an analyst subscribes to semiconductors
// news; a dozen crawled stories each raise an alert; on a 390 px screen
// the analyst finds them by a word, sorts them by time both ways and pages
// through ten at a time, in Chinese and in English, with the industry
// named and the time column saying it is Beijing time.
func TestBrowserAlertsListOnAPhone(t *testing.T) {
	e := newIntelEnv(t, "127.0.0.1", false)
	an := e.login("analyst")
	if r := e.do("POST", "/api/v1/alerts/rules", `{"name":"芯片","industries":["semiconductors"]}`, as(an, "Content-Type", jsonCT)...); r.status != 201 {
		t.Fatalf("rule: %d %s", r.status, r.body)
	}
	now := time.Now()
	var items []newsItem
	topics := []string{"光刻胶", "封装测试", "晶圆代工", "芯片设计", "功率半导体", "存储芯片", "模拟芯片", "射频芯片", "碳化硅", "氮化镓", "传感器芯片", "车规芯片"}
	for i, topic := range topics {
		items = append(items, newsItem{fmt.Sprintf("%s企业出口管制风险加剧（第%d期）", topic, i+1), fmt.Sprintf("半导体%s领域受出口管制影响，芯片供应链承压。", topic), now.Add(-time.Duration(i+1) * time.Hour)})
	}
	feed := newsFeed(t, items...)
	ingestFeed(t, e, feed.URL, len(items))
	var total int
	deadline := time.Now().Add(10 * time.Second)
	for {
		if total = len(e.alerts(t, an)); total >= 11 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if total < 11 {
		t.Fatalf("the analyst has %d alerts, want at least 11 for two pages of ten", total)
	}
	b := newBrowser(t, e)
	b.run("a phone-sized screen", chromedp.EmulateViewport(390, 844))
	for _, lang := range []string{"zh-CN", "en"} {
		b.loginAt("/login?lang="+lang, "analyst", "#nav-alerts")
		b.run("open the alerts ten a page", chromedp.Navigate(b.url("/alerts?size=10")), chromedp.WaitVisible(chromedp.CSS("#alerts-list")))
		b.fitsWidth("alerts " + lang)
		if n := b.count("#alerts-list tbody tr.alert"); n != 10 {
			t.Errorf("%s: the first page shows %d alerts, want 10", lang, n)
		}
		if got := b.text("#alerts-count"); !strings.Contains(got, fmt.Sprint(total)) {
			t.Errorf("%s: the count %q does not say %d", lang, got, total)
		}
		timeHead, industry := "北京时间", "半导体"
		if lang == "en" {
			timeHead, industry = "Beijing time", "Semiconductor"
		}
		if got := b.text(`#alerts-list th a[data-sort="time"]`); !strings.Contains(got, timeHead) {
			t.Errorf("%s: the time header %q does not name the zone", lang, got)
		}
		if got := b.text("#alerts-list tbody"); !strings.Contains(got, industry) || strings.Contains(got, "semiconductors") {
			t.Errorf("%s: the industry is not named: %q", lang, got[:min(200, len(got))])
		}
		b.run("the next page", chromedp.Click(chromedp.CSS("#alerts-next")), chromedp.WaitVisible(chromedp.CSS("#alerts-prev")))
		if n := b.count("#alerts-list tbody tr.alert"); n != total-10 {
			t.Errorf("%s: the second page shows %d, want %d", lang, n, total-10)
		}
		// oldest first, then newest first: the two orders are each other's reverse
		order := func() string {
			return b.eval(`Array.from(document.querySelectorAll("#alerts-list tbody tr.alert")).map(r => r.dataset.id).join(",")`)
		}
		b.run("all on one page, oldest first", chromedp.Navigate(b.url("/alerts?size=50")), chromedp.WaitVisible(chromedp.CSS("#alerts-list")),
			chromedp.Click(chromedp.CSS(`#alerts-list th a[data-sort="time"]`)), chromedp.WaitVisible(chromedp.CSS(`#alerts-list th[aria-sort="ascending"]`)))
		asc := strings.Split(order(), ",")
		b.run("newest first", chromedp.Click(chromedp.CSS(`#alerts-list th a[data-sort="time"]`)), chromedp.WaitVisible(chromedp.CSS(`#alerts-list th[aria-sort="descending"]`)))
		desc := strings.Split(order(), ",")
		if len(asc) != total || len(desc) != total || asc[0] != desc[len(desc)-1] || asc[len(asc)-1] != desc[0] {
			t.Errorf("%s: oldest first %v is not newest first %v reversed", lang, asc, desc)
		}
		b.run("search 碳化硅", chromedp.SendKeys(chromedp.CSS("#alerts-q"), "碳化硅"), chromedp.Click(chromedp.CSS("#alerts-search-go")),
			chromedp.WaitVisible(chromedp.CSS("#alerts-search-clear")))
		if n := b.count("#alerts-list tbody tr.alert"); n != 1 {
			t.Errorf("%s: the search finds %d alerts, want 1", lang, n)
		}
		b.fitsWidth("alerts search " + lang)
		if small := b.eval(smallTextJS); small != "" {
			t.Errorf("%s: text under 12 px: %s", lang, small)
		}
		b.screenshot("alerts-list-" + lang)
		b.logout()
	}
}
