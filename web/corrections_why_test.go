package web_test

import (
	"strings"
	"testing"
)

// TestItemWhyRulesLocalized: the item page's "why" names each rule that
// decided the labels in the reader's language (issue 20): Chinese on the
// Chinese page, English on the English one, with the rule's id for tools.
func TestItemWhyRulesLocalized(t *testing.T) {
	e := newIntelEnv(t, "127.0.0.1", false)
	feed := loopbackFeed(t, 1) // "…价格战加剧" / "碳酸锂价格下跌，产能过剩。"
	an := e.login("analyst")
	r := e.do("POST", "/api/v1/sources", `{"url":"`+feed.URL+`/rss"}`, as(an, "Content-Type", jsonCT)...)
	if r.status != 201 {
		t.Fatalf("create source: %d %s", r.status, r.body)
	}
	e.do("POST", "/api/v1/sources/"+r.json(t)["id"].(string)+"/refresh", "", as(an)...)
	r = e.do("GET", "/api/v1/items", "", as(an)...)
	items := r.json(t)["items"].([]any)
	if len(items) != 1 {
		t.Fatalf("items: %s", r.body)
	}
	id := items[0].(map[string]any)["id"].(string)

	zh := e.do("GET", "/intel/items/"+id+"?lang=zh-CN", "", as(an)...)
	if zh.status != 200 {
		t.Fatalf("item page: %d", zh.status)
	}
	body := string(zh.body)
	if !strings.Contains(body, `data-rule="price.down"`) || !strings.Contains(body, "价格 × 下降 → 风险") {
		t.Errorf("the Chinese page does not name the rule in Chinese: %s", body)
	}
	if strings.Contains(body, "price × falls") {
		t.Errorf("the Chinese page shows the English rule label")
	}
	en := e.do("GET", "/intel/items/"+id+"?lang=en", "", as(an)...)
	if body := string(en.body); !strings.Contains(body, "price × falls → risk") || strings.Contains(body, "价格 × 下降") {
		t.Errorf("the English page does not name the rule in English: %s", body)
	}
	// Without a session there is no page; an unknown item is not found.
	if r := e.do("GET", "/intel/items/"+id+"?lang=zh-CN", ""); strings.Contains(string(r.body), `id="why-cues"`) {
		t.Errorf("the item page without a session shows the why: %d", r.status)
	}
	// A bank officer reads items but may not correct them: the why is
	// there, the form is not.
	off := e.do("GET", "/intel/items/"+id+"?lang=en", "", as(e.login("officer"))...)
	if b := string(off.body); off.status != 200 || !strings.Contains(b, "price × falls → risk") || strings.Contains(b, `id="correction-form"`) {
		t.Errorf("officer's item page: %d", off.status)
	}
	if r := e.do("GET", "/intel/items/no-such-item?lang=zh-CN", "", as(an)...); r.status != 404 {
		t.Errorf("an unknown item: %d, want 404", r.status)
	}
}
