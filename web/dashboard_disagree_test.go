package web_test

import (
	"context"
	"html"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"kedaitong/identity"
	"kedaitong/review/scoring"
)

var (
	dashNumCellRE  = regexp.MustCompile(`<td class="num">(.*?)</td>`)
	dashCardCellRE = regexp.MustCompile(`<div class="dash-card-value">(.*?)</div>`)
	dashCardSubRE  = regexp.MustCompile(`<div class="hint dash-card-sub">[^<]*(.*?)</div>`)
	dashDisagreeRE = regexp.MustCompile(`id="sum-disagreement"><td>[^<]*</td><td class="num"><a href="([^"]+)" class="dash-num" data-count="(\d+)">`)
)

// TestDashboardDisagreementLinksToItsList: "panels with disagreement" is
// a link to the reports behind it, in both languages, counted from the
// reports as they stand (issued with disagreement: counted once; revised
// without it: no longer counted; issued without it: not counted), in the
// regions the reports lie in and no other; and every number of the page
// (cards and the amounts under them, summary, trends, regions below) is a
// link to its list.
func TestDashboardDisagreementLinksToItsList(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	ctx := context.Background()
	if _, err := e.ids.CreateUser(ctx, nil, identity.NewUser{Username: "ncofficial", Role: "official", Region: "3601", Password: testPW}); err != nil {
		t.Fatal(err)
	}
	officer := dashFixture(t, e)
	reports, err := e.app.Store.Collection(ctx, scoring.ReportsDef)
	if err != nil {
		t.Fatal(err)
	}
	closed := time.Date(2026, 3, 2, 20, 0, 0, 0, time.UTC) // 3 March in Beijing
	report := func(app, name, region string, disagree bool, revise bool) {
		t.Helper()
		r := scoring.Report{ApplicationID: app, Enterprise: name, Region: region, City: region[:4], BankID: "gzb", Disagreement: disagree, ClosedAt: closed, ClosedMS: closed.UnixMilli()}
		action := "report.issue"
		if revise {
			action = "report.revise"
			var old map[string]any
			ver, err := reports.Get(ctx, app, &old)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := reports.Replace(ctx, app, ver, r); err != nil {
				t.Fatal(err)
			}
		} else if err := reports.Insert(ctx, app, r); err != nil {
			t.Fatal(err)
		}
		e.app.Recorder.Record(ctx, identity.Event{Action: action, ObjectKind: "application", ObjectID: app, BankID: "gzb", Region: region, Outcome: "ok",
			Detail: map[string]any{"disagreement": disagree}})
	}
	report("app-d1", "赣州分歧科技有限公司", "360702", true, false)
	report("app-d2", "瑞金分歧材料有限公司", "360781", true, false)
	report("app-d3", "赣州一致科技有限公司", "360702", false, false)
	report("app-d4", "南昌分歧电子有限公司", "360102", true, false)
	report("app-d1", "赣州分歧科技有限公司", "360702", true, true)  // a revision counts the panel once
	report("app-d4", "南昌分歧电子有限公司", "360102", false, true) // revised without disagreement: no longer counted

	prov, city, nc := e.login("official"), e.login("cityofficial"), e.login("ncofficial")
	for _, c := range []struct {
		name, sec, path string
		want            int
		names           []string
	}{
		{"province", prov, "/dashboard", 2, []string{"赣州分歧科技有限公司", "瑞金分歧材料有限公司"}},
		{"Ganzhou", city, "/dashboard", 2, []string{"赣州分歧科技有限公司", "瑞金分歧材料有限公司"}},
		{"Zhanggong county", city, "/dashboard?region=360702", 1, []string{"赣州分歧科技有限公司"}},
		{"Nanchang", nc, "/dashboard", 0, nil},
	} {
		for _, lang := range []string{"zh-CN", "en"} {
			t.Run(c.name+" "+lang, func(t *testing.T) {
				page := e.do("GET", c.path, "", as(c.sec, "Accept-Language", lang)...)
				if page.status != 200 {
					t.Fatalf("page = %d", page.status)
				}
				m := dashDisagreeRE.FindStringSubmatch(string(page.body))
				if m == nil {
					t.Fatal("panels with disagreement is not a link to its list")
				}
				if m[2] != strconv.Itoa(c.want) {
					t.Errorf("panels with disagreement = %s, want %d", m[2], c.want)
				}
				href := html.UnescapeString(m[1])
				if !strings.Contains(href, "of=disagreements") {
					t.Errorf("links to %s", href)
				}
				lp := e.do("GET", href, "", as(c.sec, "Accept-Language", lang)...)
				got := dlTotalRE.FindStringSubmatch(string(lp.body))
				if lp.status != 200 || got == nil || got[1] != m[2] {
					t.Fatalf("%s = %d, total %v, want %s", href, lp.status, got, m[2])
				}
				for _, n := range c.names {
					if !strings.Contains(string(lp.body), n) {
						t.Errorf("the list lacks %s", n)
					}
				}
				for _, n := range []string{"赣州一致科技有限公司", "南昌分歧电子有限公司"} {
					if strings.Contains(string(lp.body), n) {
						t.Errorf("the list shows %s", n)
					}
				}
				if c.want > 0 && !strings.Contains(string(lp.body), "2026-03-03") {
					t.Errorf("the list does not date the reports in Beijing time")
				}
				// every number of the page is a link to its list
				cells := append(dashNumCellRE.FindAllStringSubmatch(string(page.body), -1), dashCardCellRE.FindAllStringSubmatch(string(page.body), -1)...)
				subs := dashCardSubRE.FindAllStringSubmatch(string(page.body), -1)
				if len(subs) != 3 {
					t.Errorf("%d amounts under the cards, want 3 (granted, principal, losses)", len(subs))
				}
				cells = append(cells, subs...)
				if len(cells) < 30 {
					t.Fatalf("only %d number cells", len(cells))
				}
				for _, cell := range cells {
					if !strings.HasPrefix(cell[1], `<a href="/dashboard/list?`) {
						t.Errorf("a number that is not a link: %.120s", cell[1])
					}
				}
			})
		}
	}
	// the API agrees, and the list is the official's region only
	v := e.do("GET", "/api/v1/dashboard", "", as(city)...).json(t)
	if got := num(v, "panels_with_disagreement"); got != 2 {
		t.Errorf("API panels_with_disagreement = %v, want 2", got)
	}
	if n := listTotal(t, e, city, "/api/v1/dashboard/list?of=disagreements"); n != 2 {
		t.Errorf("API list = %d items, want 2", n)
	}
	if r := e.do("GET", "/api/v1/dashboard/list?of=disagreements&region=3601", "", as(city)...); r.status != 404 {
		t.Errorf("Ganzhou reading Nanchang's disagreements = %d, want 404", r.status)
	}
	if r := e.do("GET", "/api/v1/dashboard/list?of=disagreements&flag=open", "", as(city)...); r.status != 400 {
		t.Errorf("a flag that does not narrow disagreements = %d, want 400", r.status)
	}
	if r := e.do("GET", "/api/v1/dashboard/list?of=disagreements", "", as(officer)...); r.status != 403 {
		t.Errorf("a bank officer = %d, want 403", r.status)
	}
}
