package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"kedaitong/app"
	"kedaitong/identity"
	"kedaitong/internal/config"
	"kedaitong/internal/store/storetest"
	"kedaitong/review"
)

// Enterprises of the tests' applications.
const (
	xinyanCode = "91360702MA38XXXXX1" // gzb's open application: 赣州芯研微电子有限公司
	guangCode  = "91360100MA35YYYYY2" // ncb's, added later in the re-linking test
)

// newLiveEnv is a server with its background work running (the crawler,
// the exposure book, the webhook worker) and loopback allow-listed for
// feeds and webhooks.
func newLiveEnv(t *testing.T) *env {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	st := storetest.New(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.New(ctx, st, config.Config{ShutdownGrace: time.Second, FetchAllow: "127.0.0.1", Crawl: true}, logger, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(a.Server.Handler())
	e := &env{t: t, app: a, srv: a.Server, ts: ts, ids: a.Identity, log: a.Audit, enf: a.RBAC, users: map[string]identity.User{}}
	e.seedUsers()
	insertApplication(t, e, review.Application{ID: "app-x", BankID: "gzb", State: review.StateSubmitted, Route: "semiconductors.ic-design", Industry: "semiconductors",
		CreditCode: xinyanCode, Enterprise: review.Enterprise{Name: "赣州芯研微电子有限公司", CreditCode: xinyanCode}, Loan: review.Loan{Amount: 2000000}, CreatedMS: 1})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); a.RunBackground(ctx) }()
	t.Cleanup(func() { cancel(); wg.Wait(); ts.Close() })
	return e
}

func insertApplication(t *testing.T, e *env, a review.Application) {
	t.Helper()
	apps, err := e.app.Store.Collection(context.Background(), review.ApplicationsDef)
	if err != nil {
		t.Fatal(err)
	}
	if err := apps.Insert(context.Background(), a.ID, a); err != nil {
		t.Fatal(err)
	}
}

// newsFeed serves an RSS feed of the given items (title, summary), each
// published at its time.
type newsItem struct {
	title, summary string
	at             time.Time
}

func newsFeed(t *testing.T, items ...newsItem) *httptest.Server {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>赣江财经</title><language>zh-cn</language>`)
	for i, it := range items {
		fmt.Fprintf(&b, `<item><title>%s</title><link>http://news.example/%d</link><guid>n%d</guid><pubDate>%s</pubDate><description>%s</description></item>`,
			it.title, i, i, it.at.Format(time.RFC1123Z), it.summary)
	}
	b.WriteString(`</channel></rss>`)
	body := b.String()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		io.WriteString(w, body)
	}))
	t.Cleanup(ts.Close)
	return ts
}

type alertBody struct {
	ID          string   `json:"id"`
	Kind        string   `json:"kind"`
	Kinds       []string `json:"kinds"`
	Enterprises []string `json:"enterprises"`
	Reasons     []struct {
		ZH string `json:"zh-CN"`
		EN string `json:"en"`
	}
	Items []struct {
		ID   string `json:"id"`
		Cues []struct {
			Term string `json:"term"`
		} `json:"cues"`
	} `json:"items"`
}

func (e *env) alerts(t *testing.T, secret string) []alertBody {
	t.Helper()
	r := e.do("GET", "/api/v1/alerts", "", as(secret)...)
	if r.status != 200 {
		t.Fatalf("alerts: %d %s", r.status, r.body)
	}
	var out struct{ Items []alertBody }
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatal(err)
	}
	return out.Items
}

// TestCrawledItemAlertsWithin10s: end to end, with the server's background
// work running: an analyst adds a feed; the crawler fetches it, stores a
// story that names the enterprise of gzb's open application with a
// default (a high-severity capital risk on the bank's route); the alert is
// in the bank users' inbox, saying why and linking the story with its
// cues, within 10 s of the feed being added. The expert whose profile
// lists the route gets it too (subscribed to the fields by default); a
// bank without exposure does not.
func TestCrawledItemAlertsWithin10s(t *testing.T) {
	e := newLiveEnv(t)
	off := e.login("official")
	if r := e.do("POST", "/api/v1/experts", `{"id":"exp-1","name":"李芯","tier":"industry","fields":["semiconductors.ic-design"],"organisations":["南昌大学"],"region":"3601","capacity":3,"email":"li@example.cn"}`,
		as(off, "Content-Type", jsonCT)...); r.status != 201 {
		t.Fatalf("expert profile: %d %s", r.status, r.body)
	}
	mg, ex, m2 := e.login("manager"), e.login("expert"), e.login("manager2")
	feed := newsFeed(t, newsItem{"赣州芯研微电子贷款违约 芯片设计企业资金链断裂", "赣州芯研微电子有限公司未能按期偿还银行贷款，出现债务违约。", time.Now().Add(-time.Hour)})
	start := time.Now()
	if r := e.do("POST", "/api/v1/sources", `{"url":"`+feed.URL+`/rss"}`, as(e.login("analyst"), "Content-Type", jsonCT)...); r.status != 201 {
		t.Fatalf("source: %d %s", r.status, r.body)
	}
	var got []alertBody
	for {
		if got = e.alerts(t, mg); len(got) > 0 {
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("no alert in the manager's inbox 10 s after the feed was added")
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("feed added → alert in the inbox: %v", time.Since(start).Round(time.Millisecond))
	a := got[0]
	if len(got) != 1 || !contains(a.Kinds, "enterprise") || !contains(a.Kinds, "high_severity") || !contains(a.Enterprises, xinyanCode) ||
		len(a.Reasons) < 2 || !strings.Contains(a.Reasons[0].ZH+a.Reasons[1].ZH, "赣州芯研微电子有限公司") || len(a.Items) != 1 || len(a.Items[0].Cues) == 0 {
		t.Errorf("the manager's alert: %+v", got)
	}
	if r := e.do("GET", "/api/v1/alerts/unread", "", as(mg)...); r.status != 200 || r.json(t)["unread"].(float64) != 1 {
		t.Errorf("unread: %s", r.body)
	}
	if got := e.alerts(t, e.login("officer")); len(got) != 1 {
		t.Errorf("the officer of the same bank: %d alerts", len(got))
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := e.alerts(t, ex)
		if len(got) == 1 && got[0].Kind == "field" && strings.Contains(got[0].Reasons[0].EN, "your field") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the expert's inbox: %+v", got)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got := e.alerts(t, m2); len(got) != 0 {
		t.Errorf("ncb, not exposed, got %+v", got)
	}
	if got := e.alerts(t, e.login("analyst")); len(got) != 0 {
		t.Errorf("an analyst without rules got %+v", got)
	}
}

// TestEnterpriseAddedLaterFindsOlderNews: news naming an enterprise is
// stored before any application names it; once the application exists
// and the book is refreshed, the stored news is re-linked, so the
// enterprise filter finds it, and a recent risk story alerts the bank.
func TestEnterpriseAddedLaterFindsOlderNews(t *testing.T) {
	e := newIntelEnv(t, "127.0.0.1", false)
	ctx := context.Background()
	an := e.login("analyst")
	feed := newsFeed(t,
		newsItem{"南昌光谷新能源破产重整 钙钛矿组件产线停工", "南昌光谷新能源科技有限公司申请破产重整，钙钛矿光伏组件产线停工。", time.Now().Add(-2 * time.Hour)},
		newsItem{"光谷新能源钙钛矿电池效率创新高", "南昌光谷新能源发布钙钛矿太阳能电池效率突破。", time.Now().AddDate(0, 0, -30)},
		newsItem{"光谷新能源旧闻", "南昌光谷新能源十年前的报道。", time.Now().AddDate(0, 0, -120)},
	)
	r := e.do("POST", "/api/v1/sources", `{"url":"`+feed.URL+`/rss"}`, as(an, "Content-Type", jsonCT)...)
	if r.status != 201 {
		t.Fatalf("source: %d %s", r.status, r.body)
	}
	id := r.json(t)["id"].(string)
	if r := e.do("POST", "/api/v1/sources/"+id+"/refresh", "", as(an)...); r.status != 200 || r.json(t)["new_items"].(float64) != 3 {
		t.Fatalf("refresh: %d %s", r.status, r.body)
	}
	q := "/api/v1/items?enterprise=" + url.QueryEscape(guangCode)
	if r := e.do("GET", q, "", as(an)...); len(r.json(t)["items"].([]any)) != 0 {
		t.Fatalf("linked before the enterprise was known: %s", r.body)
	}
	insertApplication(t, e, review.Application{ID: "app-g", BankID: "ncb", State: review.StateSubmitted, Route: "photovoltaics.perovskite", Industry: "photovoltaics",
		CreditCode: guangCode, Enterprise: review.Enterprise{Name: "南昌光谷新能源科技有限公司", CreditCode: guangCode}, Loan: review.Loan{Amount: 1000000}, CreatedMS: 2})
	m2 := e.login("manager2")
	// The bank's exposure page refreshes the book, which tells the crawler.
	if r := e.do("GET", "/api/v1/riskmap/exposure", "", as(m2)...); r.status != 200 {
		t.Fatalf("exposure: %d %s", r.status, r.body)
	}
	res, err := e.app.Intel().Relink(ctx)
	if err != nil || res.Linked != 2 {
		t.Fatalf("relink: %+v %v", res, err)
	}
	// Another bank never learns of ncb's applicant (issue 15.1).
	if r := e.do("GET", q, "", as(e.login("officer"))...); len(r.json(t)["items"].([]any)) != 0 {
		t.Errorf("another bank's officer finds ncb's applicant in the news: %s", r.body)
	}
	r = e.do("GET", q, "", as(e.login("officer2"))...)
	items := r.json(t)["items"].([]any)
	if r.status != 200 || len(items) != 2 {
		t.Fatalf("after re-linking, the filter finds %d items: %s", len(items), r.body)
	}
	for _, it := range items {
		if !contains(anyStrings(it.(map[string]any)["enterprises"]), guangCode) || strings.Contains(it.(map[string]any)["title"].(string), "旧闻") {
			t.Errorf("item %v", it)
		}
	}
	got := e.alerts(t, m2)
	if len(got) != 1 || got[0].Kind != "enterprise" || !strings.Contains(got[0].Reasons[0].ZH, "南昌光谷新能源科技有限公司") {
		t.Errorf("ncb's alert for the re-linked risk story: %+v", got)
	}
	if got := e.alerts(t, e.login("manager")); len(got) != 0 {
		t.Errorf("gzb got %+v", got)
	}
	// A second pass finds nothing new.
	if res, err := e.app.Intel().Relink(ctx); err != nil || res.Linked != 0 {
		t.Errorf("second pass: %+v %v", res, err)
	}
}

// TestWebhookPageForms: a bank manager adds a webhook from the alerts page
// (the secret is shown on that answer only), bad URLs are refused with the
// reason and nothing stored, an officer sees the status but may not add or
// delete, and the manager deletes it.
func TestWebhookPageForms(t *testing.T) {
	e := newIntelEnv(t, "127.0.0.1", false)
	mg := e.browser("manager")
	for _, bad := range []string{"http://10.0.0.5/x", "ftp://example.com/x", ""} {
		r := mg.post("/alerts/webhooks", url.Values{"url": {bad}})
		if r.status != 400 || !strings.Contains(r.body, `id="webhook-error"`) {
			t.Errorf("%q: %d", bad, r.status)
		}
	}
	if r := e.do("GET", "/api/v1/alerts/webhooks", "", as(e.login("manager"))...); len(r.json(t)["items"].([]any)) != 0 {
		t.Fatalf("refused webhooks stored: %s", r.body)
	}
	r := mg.post("/alerts/webhooks", url.Values{"url": {"http://127.0.0.1:9/hook"}})
	if r.status != 201 || !strings.Contains(r.body, `id="webhook-secret"`) || !strings.Contains(r.body, "whsec_") {
		t.Fatalf("create: %d", r.status)
	}
	page := mg.get("/alerts")
	if strings.Contains(page.body, "whsec_") || !strings.Contains(page.body, "http://127.0.0.1:9/hook") {
		t.Errorf("the secret shown again, or the webhook missing")
	}
	ob := e.browser("officer")
	if p := ob.get("/alerts"); !strings.Contains(p.body, "http://127.0.0.1:9/hook") || strings.Contains(p.body, `id="webhook-form"`) || strings.Contains(p.body, "wh-delete") {
		t.Errorf("the officer's page: status shown, no form, no delete")
	}
	if r := ob.post("/alerts/webhooks", url.Values{"url": {"http://127.0.0.1:9/other"}}); r.status != 403 {
		t.Errorf("an officer adds a webhook: %d", r.status)
	}
	hooks := e.do("GET", "/api/v1/alerts/webhooks", "", as(e.login("manager"))...).json(t)["items"].([]any)
	if len(hooks) != 1 {
		t.Fatalf("webhooks: %v", hooks)
	}
	hid := hooks[0].(map[string]any)["id"].(string)
	if r := ob.post("/alerts/webhooks/"+hid+"/delete", nil); r.status != 403 {
		t.Errorf("an officer deletes it: %d", r.status)
	}
	if r := e.browser("manager2").post("/alerts/webhooks/"+hid+"/delete", nil); r.status != 404 {
		t.Errorf("another bank's manager deletes it: %d", r.status)
	}
	if r := e.browser("analyst").get("/alerts"); strings.Contains(r.body, `id="webhooks"`) {
		t.Errorf("an analyst sees the webhooks section")
	}
	if r := mg.post("/alerts/webhooks/"+hid+"/delete", nil); r.status != 200 || !strings.Contains(r.body, `id="alerts-notice"`) {
		t.Errorf("delete (after its redirect): %d", r.status)
	}
	if r := e.do("GET", "/api/v1/alerts/webhooks", "", as(e.login("manager"))...); len(r.json(t)["items"].([]any)) != 0 {
		t.Errorf("deleted webhook still listed: %s", r.body)
	}
}

// pageUser is a logged-in browser session posting the pages' forms.
type pageUser struct {
	e      *env
	secret string
}

type pageResp struct {
	status int
	body   string
}

func (e *env) browser(username string) pageUser { return pageUser{e: e, secret: e.login(username)} }

func (p pageUser) get(path string) pageResp {
	r := p.e.do("GET", path, "", as(p.secret)...)
	return pageResp{r.status, string(r.body)}
}

// post sends a form with the session's form token (read from /alerts);
// redirects are followed.
func (p pageUser) post(path string, v url.Values) pageResp {
	p.e.t.Helper()
	m := csrfRE.FindStringSubmatch(p.get("/alerts").body)
	if m == nil {
		p.e.t.Fatalf("no form token on /alerts")
	}
	if v == nil {
		v = url.Values{}
	}
	v.Set("csrf", m[1])
	r := p.e.do("POST", path, v.Encode(), as(p.secret, "Content-Type", "application/x-www-form-urlencoded")...)
	return pageResp{r.status, string(r.body)}
}

func anyStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}
