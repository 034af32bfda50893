package web_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"kedaitong/identity"
	"kedaitong/notify"
)

var (
	dashRegionRE  = regexp.MustCompile(`id="dash-region" data-region="(\d+)"`)
	dashAccountRE = regexp.MustCompile(`id="nav-account"[^>]*>([^<]+)</a>`)
	dashAppsRE    = regexp.MustCompile(`id="card-apps">.*?data-count="(\d+)"`)
	dashUnreadRE  = regexp.MustCompile(`id="nav-unread">(\d+)<`)
	dashLangRE    = regexp.MustCompile(`<html lang="([^"]+)"`)
)

// TestDashboardPageCacheScope: the dashboard page is assembled from parts
// cached across readers (the content by view and language, the layout by
// session); whatever order officials of different regions, two sessions of
// one official and a bank officer read it in, each page shows its reader's
// region, numbers, name, form token and unread count — never another's —
// the bank is refused whatever the cache holds, a write shows at once in
// the regions it touches, and a page's ETag is answered 304 for the same
// session only.
func TestDashboardPageCacheScope(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	ctx := context.Background()
	if _, err := e.ids.CreateUser(ctx, nil, identity.NewUser{Username: "ncofficial", Role: "official", Region: "3601", Password: testPW}); err != nil {
		t.Fatal(err)
	}
	officer := dashFixture(t, e) // Ganzhou 3 applications, Nanchang 1
	prov, city, city2, nc := e.login("official"), e.login("cityofficial"), e.login("cityofficial"), e.login("ncofficial")
	csrfOf := func(sec string) string {
		r := e.do("GET", "/account", "", as(sec)...)
		m := csrfRE.FindSubmatch(r.body)
		if r.status != 200 || m == nil {
			t.Fatalf("/account = %d, no form token", r.status)
		}
		return string(m[1])
	}
	tokens := map[string]string{prov: csrfOf(prov), city: csrfOf(city), city2: csrfOf(city2), nc: csrfOf(nc)}
	if tokens[city] == tokens[city2] {
		t.Fatal("two sessions share a form token")
	}
	type view struct {
		name, sec, path, region, user, lang string
		apps                                string
		up                                  bool // the link to the region above (the province official's view of a city)
	}
	views := []view{
		{"province on Ganzhou", prov, "/dashboard?region=3607", "3607", "official", "zh-CN", "3", true},
		{"Ganzhou", city, "/dashboard", "3607", "cityofficial", "zh-CN", "3", false},
		{"Ganzhou, second session", city2, "/dashboard", "3607", "cityofficial", "zh-CN", "3", false},
		{"Nanchang", nc, "/dashboard", "3601", "ncofficial", "zh-CN", "1", false},
		{"province", prov, "/dashboard", "36", "official", "zh-CN", "4", false},
		{"Ganzhou county", city, "/dashboard?region=360702", "360702", "cityofficial", "zh-CN", "2", true},
		{"Nanchang in English", nc, "/dashboard", "3601", "ncofficial", "en", "1", false},
		{"Ganzhou in English", city, "/dashboard", "3607", "cityofficial", "en", "3", false},
	}
	check := func(t *testing.T, v view, body []byte) {
		t.Helper()
		if m := dashRegionRE.FindSubmatch(body); m == nil || string(m[1]) != v.region {
			t.Errorf("region %q, want %s", m, v.region)
		}
		if m := dashAccountRE.FindSubmatch(body); m == nil || string(m[1]) != v.user {
			t.Errorf("header names %q, want %s", m, v.user)
		}
		if m := csrfRE.FindSubmatch(body); m == nil || string(m[1]) != tokens[v.sec] {
			t.Errorf("form token %q, want the session's %s", m, tokens[v.sec])
		}
		if m := dashAppsRE.FindSubmatch(body); m == nil || string(m[1]) != v.apps {
			t.Errorf("applications %q, want %s", m, v.apps)
		}
		if m := dashLangRE.FindSubmatch(body); m == nil || string(m[1]) != v.lang {
			t.Errorf("language %q, want %s", m, v.lang)
		}
		if got := strings.Contains(string(body), `id="dash-up"`); got != v.up {
			t.Errorf("link to the region above: %v, want %v", got, v.up)
		}
	}
	get := func(v view, more ...string) resp {
		return e.do("GET", v.path, "", as(v.sec, append([]string{"Accept-Language", v.lang}, more...)...)...)
	}
	etags := map[string]string{}
	for round := range 3 { // cold, warm, and warm in the reverse order
		order := views
		if round == 2 {
			order = nil
			for i := len(views) - 1; i >= 0; i-- {
				order = append(order, views[i])
			}
		}
		for _, v := range order {
			r := get(v)
			if r.status != 200 {
				t.Fatalf("round %d, %s = %d", round, v.name, r.status)
			}
			t.Run(v.name, func(t *testing.T) { check(t, v, r.body) })
			tag := r.header.Get("ETag")
			if tag == "" || !strings.Contains(r.header.Get("Vary"), "Cookie") || !strings.HasPrefix(r.header.Get("Cache-Control"), "private") {
				t.Fatalf("%s: ETag %q, Vary %q, Cache-Control %q", v.name, tag, r.header.Get("Vary"), r.header.Get("Cache-Control"))
			}
			if old := etags[v.name]; old != "" && old != tag {
				t.Errorf("%s: ETag changed without a write: %s, %s", v.name, old, tag)
			}
			etags[v.name] = tag
		}
	}
	// every page differs from every other: sessions, regions and languages each have their own
	seen := map[string]string{}
	for name, tag := range etags {
		if other, dup := seen[tag]; dup {
			t.Errorf("%s and %s share the ETag %s", name, other, tag)
		}
		seen[tag] = name
	}
	// 304 for the same session only
	if r := get(views[1], "If-None-Match", etags["Ganzhou"]); r.status != http.StatusNotModified || len(r.body) != 0 {
		t.Errorf("unchanged page = %d, want 304", r.status)
	}
	if r := get(views[2], "If-None-Match", etags["Ganzhou"]); r.status != 200 {
		t.Errorf("another session's ETag = %d, want 200", r.status)
	} else {
		check(t, views[2], r.body)
	}
	// Nanchang's official never reads Ganzhou, however warm the cache
	if r := e.do("GET", "/dashboard?region=3607", "", as(nc)...); r.status != http.StatusNotFound || dashRegionRE.Match(r.body) {
		t.Errorf("Nanchang reading Ganzhou = %d", r.status)
	}
	// a bank is refused, page and API, with nothing of the dashboard
	for _, p := range []string{"/dashboard", "/dashboard?region=3607", "/api/v1/dashboard", "/api/v1/dashboard?region=3607"} {
		if r := e.do("GET", p, "", as(officer)...); r.status != http.StatusForbidden || dashRegionRE.Match(r.body) || strings.Contains(string(r.body), `"region"`) {
			t.Errorf("bank officer %s = %d %.200s", p, r.status, r.body)
		}
	}
	// a notification for the Ganzhou official: its header shows it (both sessions), no one else's
	if _, err := e.app.Notify.Send(ctx, notify.Audience{UserIDs: []string{e.users["cityofficial"].ID}}, notify.Message{Kind: "test.note", Title: notify.Text{ZH: "测试", EN: "Test"}}); err != nil {
		t.Fatal(err)
	}
	for _, v := range views {
		r := get(v, "If-None-Match", etags[v.name])
		want := v.user == "cityofficial"
		if want != (r.status == 200) {
			t.Errorf("%s after a notification for cityofficial = %d", v.name, r.status)
			continue
		}
		if r.status == 200 {
			check(t, v, r.body)
			if m := dashUnreadRE.FindSubmatch(r.body); m == nil || string(m[1]) != "1" {
				t.Errorf("%s: unread badge %q, want 1", v.name, m)
			}
			etags[v.name] = r.header.Get("ETag")
		}
	}
	// a write in Ganzhou: its pages and the province's change at once, Nanchang's not
	e.createApp(t, officer, appBody("360702", 9))
	for _, v := range views {
		r := get(v, "If-None-Match", etags[v.name])
		changed := v.region != "3601"
		if changed != (r.status == 200) {
			t.Errorf("%s after a write in Ganzhou = %d", v.name, r.status)
			continue
		}
		if r.status == 200 {
			v.apps = map[string]string{"3": "4", "4": "5", "2": "3"}[v.apps]
			check(t, v, r.body)
		}
	}
}

// TestDashboardPageConcurrentReaders: officials of two regions (two
// sessions each) and the province read their pages at once while a bank
// writes; every answer is its reader's page (region, name, form token).
func TestDashboardPageConcurrentReaders(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	ctx := context.Background()
	if _, err := e.ids.CreateUser(ctx, nil, identity.NewUser{Username: "ncofficial", Role: "official", Region: "3601", Password: testPW}); err != nil {
		t.Fatal(err)
	}
	officer := dashFixture(t, e)
	type reader struct{ sec, region, user, csrf, lang string }
	var readers []reader
	for _, r := range []struct{ user, region, lang string }{
		{"cityofficial", "3607", "zh-CN"}, {"cityofficial", "3607", "en"}, {"ncofficial", "3601", "zh-CN"}, {"ncofficial", "3601", "en"}, {"official", "36", "zh-CN"},
	} {
		sec := e.login(r.user)
		m := csrfRE.FindSubmatch(e.do("GET", "/account", "", as(sec)...).body)
		if m == nil {
			t.Fatal("no form token")
		}
		readers = append(readers, reader{sec, r.region, r.user, string(m[1]), r.lang})
	}
	errs := make(chan string, 1000)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 5 {
			if r := e.do("POST", "/api/v1/applications", mustJSON(t, appBody("360702", 20+i)), as(officer, appCT...)...); r.status != http.StatusCreated {
				errs <- fmt.Sprintf("write = %d %s", r.status, r.body)
			}
		}
	}()
	var wg sync.WaitGroup
	for i := range 20 {
		rd := readers[i%len(readers)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				r := e.do("GET", "/dashboard", "", as(rd.sec, "Accept-Language", rd.lang)...)
				region, user, csrf := dashRegionRE.FindSubmatch(r.body), dashAccountRE.FindSubmatch(r.body), csrfRE.FindSubmatch(r.body)
				if r.status != 200 || region == nil || string(region[1]) != rd.region || user == nil || string(user[1]) != rd.user || csrf == nil || string(csrf[1]) != rd.csrf {
					errs <- fmt.Sprintf("%s (%s): %d, region %q, user %q, token %q", rd.user, rd.lang, r.status, region, user, csrf)
					return
				}
			}
		}()
	}
	wg.Wait()
	<-done
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
