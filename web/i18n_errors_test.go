package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// A weak password: the identity service refuses it with a message that has
// an English and a Chinese text.
const (
	weakPW        = "short-1"
	weakPWEnglish = "password: use at least 10 characters"
	weakPWChinese = "密码至少需要 10 个字符"
)

// TestPageShowsValidationErrorInPageLanguage: the users page shows the
// domain's validation message in the page's language, and nothing is created.
func TestPageShowsValidationErrorInPageLanguage(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	sec := e.login("admin")
	post := func(lang, username string) resp {
		t.Helper()
		cookie := "kedai_session=" + sec + "; kedai_lang=" + lang
		page := e.do("GET", "/admin/users", "", "Cookie", cookie)
		m := csrfRE.FindSubmatch(page.body)
		if m == nil {
			t.Fatalf("no form token on /admin/users (%d)", page.status)
		}
		v := url.Values{"csrf": {string(m[1])}, "username": {username}, "password": {weakPW}, "role": {"analyst"}}
		return e.do("POST", "/admin/users", v.Encode(), "Cookie", cookie, "Content-Type", "application/x-www-form-urlencoded")
	}

	zh := post("zh-CN", "weak-zh")
	if zh.status != http.StatusBadRequest {
		t.Fatalf("zh-CN weak password: %d, want 400", zh.status)
	}
	if body := string(zh.body); !strings.Contains(body, weakPWChinese) || strings.Contains(body, "use at least") {
		t.Errorf("zh-CN page does not show the Chinese message %q alone:\n%s", weakPWChinese, errorExcerpt(body))
	}

	en := post("en", "weak-en")
	if en.status != http.StatusBadRequest {
		t.Fatalf("en weak password: %d, want 400", en.status)
	}
	if body := string(en.body); !strings.Contains(body, weakPWEnglish) || strings.Contains(body, weakPWChinese) {
		t.Errorf("English page does not show %q alone:\n%s", weakPWEnglish, errorExcerpt(body))
	}

	list := e.do("GET", "/api/v1/users?limit=100", "", as(sec)...)
	if strings.Contains(string(list.body), "weak-zh") || strings.Contains(string(list.body), "weak-en") {
		t.Errorf("a refused user was created: %s", list.body)
	}
}

// TestExpertFormFieldErrorInPageLanguage: an error placed beside its input
// (not in the summary) is Chinese on a Chinese page and English on an
// English one.
func TestExpertFormFieldErrorInPageLanguage(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	sec := e.login("official")
	post := func(lang string) string {
		t.Helper()
		cookie := "kedai_session=" + sec + "; kedai_lang=" + lang
		page := e.do("GET", "/experts/new", "", "Cookie", cookie)
		m := csrfRE.FindSubmatch(page.body)
		if m == nil {
			t.Fatalf("no form token on /experts/new (%d)", page.status)
		}
		v := newExpertForm()
		v.Set("email", "not-an-address")
		v.Set("csrf", string(m[1]))
		r := e.do("POST", "/experts/new", v.Encode(), "Cookie", cookie, "Content-Type", "application/x-www-form-urlencoded")
		if r.status != http.StatusBadRequest {
			t.Fatalf("%s: bad e-mail: %d, want 400", lang, r.status)
		}
		return string(r.body)
	}
	if body := post("zh-CN"); !strings.Contains(body, "&#34;not-an-address&#34; 不是电子邮箱地址") {
		t.Errorf("zh-CN expert form lacks the Chinese e-mail message:\n%s", errorExcerpt(body))
	}
	if body := post("en"); !strings.Contains(body, "&#34;not-an-address&#34; is not an e-mail address") || strings.Contains(body, "电子邮箱地址") {
		t.Errorf("English expert form lacks the English e-mail message:\n%s", errorExcerpt(body))
	}
}

// TestAPIErrorMessageLanguage: the API's error message is Chinese only when
// the request asks for Chinese; the code and field never change.
func TestAPIErrorMessageLanguage(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	sec := e.login("admin")
	body := `{"username":"weak-api","password":"` + weakPW + `","role":"analyst"}`
	tests := []struct {
		name   string
		path   string
		header []string
		want   string
	}{
		{"no language asked", "/api/v1/users", nil, weakPWEnglish},
		{"Accept-Language zh-CN", "/api/v1/users", []string{"Accept-Language", "zh-CN,zh;q=0.9"}, weakPWChinese},
		{"Accept-Language prefers zh", "/api/v1/users", []string{"Accept-Language", "zh;q=0.9,en;q=0.5"}, weakPWChinese},
		{"Accept-Language prefers en", "/api/v1/users", []string{"Accept-Language", "en-US,en;q=0.9,zh-CN;q=0.8"}, weakPWEnglish},
		{"Accept-Language unknown", "/api/v1/users", []string{"Accept-Language", "fr-FR"}, weakPWEnglish},
		{"?lang=zh-CN", "/api/v1/users?lang=zh-CN", nil, weakPWChinese},
		{"?lang=en beats the header", "/api/v1/users?lang=en", []string{"Accept-Language", "zh-CN"}, weakPWEnglish},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := append(as(sec, "Content-Type", "application/json"), tt.header...)
			r := e.do("POST", tt.path, body, h...)
			if r.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400: %s", r.status, r.body)
			}
			if code := r.errorCode(t); code != "invalid_input" {
				t.Errorf("code %q, want invalid_input", code)
			}
			got := r.json(t)["error"].(map[string]any)
			if got["message"] != tt.want || got["field"] != "password" {
				t.Errorf("error = %v, want message %q, field password", got, tt.want)
			}
			if r.header.Get("Set-Cookie") != "" {
				t.Errorf("the API set a cookie: %s", r.header.Get("Set-Cookie"))
			}
		})
	}
	// The language cookie of an earlier choice on the pages counts as asking.
	r := e.do("POST", "/api/v1/users", body, "Cookie", "kedai_session="+sec+"; kedai_lang=zh-CN", "Content-Type", "application/json")
	if got := r.json(t)["error"].(map[string]any); got["message"] != weakPWChinese || got["code"] != "invalid_input" {
		t.Errorf("with kedai_lang=zh-CN: %v", got)
	}
	// A 403 and a 404 from other layers are translated too.
	officer := e.login("officer")
	r = e.do("POST", "/api/v1/users", body, as(officer, "Content-Type", "application/json", "Accept-Language", "zh-CN")...)
	if got := r.json(t)["error"].(map[string]any); r.status != http.StatusForbidden || !hasHan(got["message"]) {
		t.Errorf("forbidden in Chinese: %d %v", r.status, got)
	}
	r = e.do("GET", "/api/v1/no-such-route", "", as(sec, "Accept-Language", "zh-CN")...)
	if got := r.json(t)["error"].(map[string]any); r.status != http.StatusNotFound || got["code"] != "not_found" || !hasHan(got["message"]) {
		t.Errorf("unknown route in Chinese: %d %v", r.status, got)
	}
	list := e.do("GET", "/api/v1/users?limit=100", "", as(sec)...)
	if strings.Contains(string(list.body), "weak-api") {
		t.Errorf("a refused user was created: %s", list.body)
	}
}

func hasHan(v any) bool {
	s, _ := v.(string)
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			return true
		}
	}
	return false
}

// errorExcerpt is the part of a page around its error, for failure output.
func errorExcerpt(body string) string {
	if i := strings.Index(body, "error"); i >= 0 {
		return body[i:min(len(body), i+600)]
	}
	return body[:min(len(body), 600)]
}
