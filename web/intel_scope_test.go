package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"kedaitong/intel"
	"kedaitong/intel/classify"
	"kedaitong/review"
	"kedaitong/riskmap"
)

// TestItemsEnterprisesScopedToTheCallersBook (issue 15.1): a story naming
// one bank's applicant and another bank's shows each bank only its own,
// officials their region's, analysts none, admin all — in the list, with
// ?enterprise=, on the item, and on the items page.
func TestItemsEnterprisesScopedToTheCallersBook(t *testing.T) {
	e := newIntelEnv(t, "127.0.0.1", false)
	ctx := context.Background()
	const gz, nc = "91360702MA38XXXXX1", "91360100MA35YYYYY2"
	apps, err := e.app.Store.Collection(ctx, review.ApplicationsDef)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []review.Application{
		{ID: "app-g", BankID: "gzb", State: review.StateSubmitted, Route: "semiconductors.ic-design", Industry: "semiconductors", CreditCode: gz,
			Enterprise: review.Enterprise{Name: "赣州芯研微电子有限公司", Region: "360702"}, CreatedMS: 1},
		{ID: "app-n", BankID: "ncb", State: review.StateSubmitted, Route: "photovoltaics.perovskite", Industry: "photovoltaics", CreditCode: nc,
			Enterprise: review.Enterprise{Name: "南昌光谷新能源科技有限公司", Region: "360102"}, CreatedMS: 2},
	} {
		if err := apps.Insert(ctx, a.ID, a); err != nil {
			t.Fatal(err)
		}
	}
	feed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>快讯</title><item><title>芯研微电子与光谷新能源同日陷入资金困难</title><guid>x1</guid><pubDate>%s</pubDate><description>两家企业资金链紧张。</description></item></channel></rss>`, time.Now().Format(time.RFC1123Z))
	}))
	t.Cleanup(feed.Close)
	// The crawler links news to the enterprises of the banks' books.
	e.app.Intel().SetEnterprises([]classify.Enterprise{
		{ID: gz, Name: "赣州芯研微电子有限公司", ShortNames: riskmap.ShortNames("赣州芯研微电子有限公司")},
		{ID: nc, Name: "南昌光谷新能源科技有限公司", ShortNames: riskmap.ShortNames("南昌光谷新能源科技有限公司")},
	})
	an := e.login("analyst")
	r := e.do("POST", "/api/v1/sources", fmt.Sprintf(`{"url":%q}`, feed.URL+"/rss"), as(an, "Content-Type", jsonCT)...)
	if r.status != 201 && r.status != 200 {
		t.Fatalf("add source: %d %s", r.status, r.body)
	}
	id := r.json(t)["id"].(string)
	if r := e.do("POST", "/api/v1/sources/"+id+"/refresh", "", as(an)...); r.status != 200 {
		t.Fatalf("refresh: %d %s", r.status, r.body)
	}
	adm := e.login("admin")
	var list struct{ Items []intel.Item }
	json.Unmarshal(e.do("GET", "/api/v1/items", "", as(adm)...).body, &list)
	if len(list.Items) != 1 || len(list.Items[0].Enterprises) != 2 {
		t.Fatalf("admin sees %+v, want one item linked to both enterprises", list.Items)
	}
	itemID := list.Items[0].ID
	for _, c := range []struct {
		user string
		want []string
	}{
		{"admin", []string{gz, nc}},
		{"officer", []string{gz}},
		{"manager", []string{gz}},
		{"officer2", []string{nc}},
		{"official", []string{gz, nc}},
		{"cityofficial", []string{gz}},
		{"analyst", []string{}},
	} {
		tok := e.login(c.user)
		var l struct{ Items []intel.Item }
		r := e.do("GET", "/api/v1/items", "", as(tok)...)
		if err := json.Unmarshal(r.body, &l); err != nil || r.status != 200 || len(l.Items) != 1 {
			t.Fatalf("%s: items %d %s", c.user, r.status, r.body)
		}
		got := l.Items[0].Enterprises
		slices.Sort(got)
		want := slices.Sorted(slices.Values(c.want))
		if !slices.Equal(got, want) {
			t.Errorf("%s sees enterprises %v, want %v", c.user, got, want)
		}
		var it intel.Item
		r = e.do("GET", "/api/v1/items/"+itemID, "", as(tok)...)
		json.Unmarshal(r.body, &it)
		slices.Sort(it.Enterprises)
		if r.status != 200 || !slices.Equal(it.Enterprises, want) {
			t.Errorf("%s: the item shows %v (%d), want %v", c.user, it.Enterprises, r.status, want)
		}
		for _, ent := range []string{gz, nc} {
			var f struct{ Items []intel.Item }
			r := e.do("GET", "/api/v1/items?enterprise="+ent, "", as(tok)...)
			json.Unmarshal(r.body, &f)
			if visible := slices.Contains(want, ent); r.status != 200 || (len(f.Items) == 1) != visible {
				t.Errorf("%s: ?enterprise=%s gives %d items (%d), want visible=%v", c.user, ent, len(f.Items), r.status, visible)
			}
		}
		page := e.do("GET", "/intel/items?lang=zh-CN", "", as(tok)...)
		names := map[string]string{gz: "赣州芯研微电子有限公司", nc: "南昌光谷新能源科技有限公司"}
		for _, ent := range []string{gz, nc} {
			if strings.Contains(string(page.body), ent) != slices.Contains(want, ent) {
				t.Errorf("%s: the items page shows %s = %v, want %v", c.user, ent, !slices.Contains(want, ent), slices.Contains(want, ent))
			}
			// Shown by name where visible (the story's own text names
			// neither company in full).
			if strings.Contains(string(page.body), names[ent]) != slices.Contains(want, ent) {
				t.Errorf("%s: the items page names %s = %v, want %v", c.user, names[ent], !slices.Contains(want, ent), slices.Contains(want, ent))
			}
		}
	}
}
