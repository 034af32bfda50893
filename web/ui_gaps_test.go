package web_test

import (
	"bytes"
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"kedaitong/banks"
)

// visible is a page's visible text: no tags, attributes, scripts or the
// text of a form being edited.
func visible(body []byte) string {
	t := scriptRE.ReplaceAll(body, []byte(" "))
	t = tagRE.ReplaceAll(t, []byte(" "))
	return html.UnescapeString(string(t))
}

// moneyText is the page's text as the amounts read: tags dropped (the
// 万元 figure and the yuan beside it are two elements).
func moneyText(body []byte) string {
	return html.UnescapeString(string(tagRE.ReplaceAll(scriptRE.ReplaceAll(body, nil), nil)))
}

// TestReviewPagesShowWan: amounts on the review pages read in 万元 with the
// exact yuan beside (the list, the application, the scoring dossier), in
// both languages; the list's export counts 万元 too. Other banks and other
// roles do not open the application.
func TestReviewPagesShowWan(t *testing.T) {
	s := newScoringEnv(t)
	for u := range s.seat {
		s.accept(t, u)
	}
	app := "/applications/" + s.appID
	for _, c := range []struct{ path, lang, want string }{
		{app, "zh-CN", "300 万元（3,000,000 元）"},
		{app, "en", "300 ×10k yuan (3,000,000 yuan)"},
		{"/applications", "zh-CN", "300 万元（3,000,000 元）"},
		{"/applications", "en", "300 ×10k yuan (3,000,000 yuan)"},
	} {
		r := s.do("GET", c.path, "", as(s.sec["officer"], "Accept-Language", c.lang)...)
		if r.status != 200 || !strings.Contains(moneyText(r.body), c.want) {
			t.Errorf("%s (%s) = %d, lacks %q", c.path, c.lang, r.status, c.want)
		}
	}
	if r := s.do("GET", "/applications", "", as(s.sec["officer"], "Accept-Language", "zh-CN")...); !strings.Contains(string(r.body), "贷款金额（万元）") {
		t.Errorf("the list's amount column does not say 万元")
	}
	score := "/assignments/" + s.seat["expert"] + "/score"
	if r := s.do("GET", score, "", as(s.sec["expert"], "Accept-Language", "zh-CN")...); r.status != 200 || !strings.Contains(moneyText(r.body), "300 万元（3,000,000 元）") {
		t.Errorf("scoring dossier = %d, no amount in 万元", r.status)
	}
	if r := s.do("GET", app, "", as(s.login("officer2"))...); r.status != 404 {
		t.Errorf("another bank's officer opens the application: %d", r.status)
	}
	if r := s.do("GET", app, "", as(s.sec["analyst"])...); r.status != 403 {
		t.Errorf("an analyst opens the application: %d", r.status)
	}
	if r := s.do("GET", "/applications/app-nope", "", as(s.sec["officer"])...); r.status != 404 {
		t.Errorf("a missing application: %d", r.status)
	}
}

// TestScoringPageFileSizes: the scoring dossier lists attachments with
// their size in KB, as the application page does, never in bytes.
func TestScoringPageFileSizes(t *testing.T) {
	pdf := append([]byte("%PDF-1.5\n% 技术方案\n"), bytes.Repeat([]byte("x"), 3000)...)
	s := scoringEnvOn(t, newPanelEnvWith(t, func(e *env, off, id string) {
		if r := e.upload(t, off, id, "技术方案.pdf", pdf); r.status != 201 {
			t.Fatalf("upload = %d %s", r.status, r.body)
		}
	}))
	s.accept(t, "expert")
	r := s.do("GET", "/assignments/"+s.seat["expert"]+"/score", "", as(s.sec["expert"])...)
	text := visible(r.body)
	if r.status != 200 || !strings.Contains(text, "技术方案.pdf") || !strings.Contains(text, "3 KB") || regexp.MustCompile(`\d+ B\b`).MatchString(text) {
		t.Errorf("scoring page = %d, attachment size not in KB: %s", r.status, text)
	}
	if r := s.do("GET", "/assignments/"+s.seat["expert"]+"/score", "", as(s.sec["officer"])...); r.status != 403 {
		t.Errorf("a bank on the scoring page: %d", r.status)
	}
}

// TestRubricPageReadable: a guideline reads as a table of criteria by name
// (in the page's language) with weights and anchors, its risk points and
// indicators as lists; no criterion id or guideline key shows. Banks may
// not open it; an unknown field is not found.
func TestRubricPageReadable(t *testing.T) {
	p := newPanelEnv(t)
	g := p.do("GET", "/api/v1/rubrics/semiconductors", "", as(p.sec["official"])...).json(t)
	crits := g["criteria"].([]any)
	for _, lang := range []string{"zh-CN", "en"} {
		r := p.do("GET", "/rubrics/semiconductors", "", as(p.sec["official"], "Accept-Language", lang)...)
		text := visible(r.body)
		if r.status != 200 || !strings.Contains(string(r.body), `id="rubric-criteria"`) || !strings.Contains(string(r.body), `id="rubric-risks"`) {
			t.Fatalf("%s: rubric page = %d", lang, r.status)
		}
		for _, c := range crits {
			c := c.(map[string]any)
			name := c["name"].(map[string]any)["zh"].(string)
			if lang == "en" {
				name = c["name"].(map[string]any)["en"].(string)
			}
			if !strings.Contains(text, name) {
				t.Errorf("%s: criterion %v not named %q", lang, c["id"], name)
			}
		}
		for _, id := range []string{"rd_ip", "semiconductors@", "<code>semiconductors"} {
			if strings.Contains(text, id) || strings.Contains(string(r.body), `<code>semiconductors</code>`) {
				t.Errorf("%s: the rubric page shows %q", lang, id)
			}
		}
		list := visible(p.do("GET", "/rubrics", "", as(p.sec["official"], "Accept-Language", lang)...).body)
		if m := regexp.MustCompile(`.{0,40}\bsemiconductors(?:[.@]|\s*$).{0,40}`).FindString(list); m != "" {
			t.Errorf("%s: the rubrics list shows guideline keys: %q", lang, m)
		}
	}
	if r := p.do("GET", "/rubrics/semiconductors", "", as(p.sec["officer"])...); r.status != 403 {
		t.Errorf("a bank on the rubric page: %d", r.status)
	}
	if r := p.do("GET", "/rubrics/no-such-field", "", as(p.sec["official"])...); r.status != 404 {
		t.Errorf("an unknown field: %d", r.status)
	}
}

// TestScoreConfirmGuardedByVersion: the confirmation submits only the
// revision it showed: a save in between (another tab) is refused with the
// page's message and nothing is locked; a forged revision is refused too;
// confirming the newer revision locks it.
func TestScoreConfirmGuardedByVersion(t *testing.T) {
	s := newScoringEnv(t)
	for u := range s.seat {
		s.accept(t, u)
	}
	u := "expert"
	page := "/assignments/" + s.seat[u] + "/score"
	r := s.pageForm(t, u, page, page, scoreForm(6, "submit"))
	rev := regexp.MustCompile(`name="revision" value="(\d+)"`).FindStringSubmatch(string(r.body))
	if r.status != 200 || rev == nil {
		t.Fatalf("confirmation step = %d", r.status)
	}
	// Another tab saves a different score after the confirmation was shown.
	if r := s.put(u, scoreJSON(3, "do_not_support")); r.status != 200 {
		t.Fatalf("save from another tab = %d %s", r.status, r.body)
	}
	r = s.pageForm(t, u, page+"/confirm", page, url.Values{"action": {"confirm"}, "revision": {rev[1]}})
	if r.status != http.StatusConflict || !strings.Contains(string(r.body), `id="scc-error"`) || !strings.Contains(string(r.body), "评分在您打开确认页后已被修改") ||
		!strings.Contains(string(r.body), `id="scc-total">3.00<`) {
		t.Fatalf("confirming a changed score = %d %s", r.status, r.body)
	}
	if sc := s.do("GET", "/api/v1/assignments/"+s.seat[u]+"/score", "", as(s.sec[u])...).json(t); sc["state"] != "draft" {
		t.Fatalf("a score changed after it was shown was locked: %v", sc["state"])
	}
	for _, bad := range []string{"", "x", "-1"} {
		if r := s.pageForm(t, u, page+"/confirm", page, url.Values{"action": {"confirm"}, "revision": {bad}}); r.status != http.StatusBadRequest {
			t.Errorf("revision %q = %d", bad, r.status)
		}
	}
	if r := s.pageForm(t, u, page+"/confirm", page, url.Values{"action": {"confirm"}, "revision": {"999"}}); r.status != http.StatusConflict {
		t.Errorf("a forged revision = %d", r.status)
	}
	// The page now shows the newer revision; confirming it locks it.
	r = s.do("GET", page+"/confirm", "", as(s.sec[u])...)
	rev = regexp.MustCompile(`name="revision" value="(\d+)"`).FindStringSubmatch(string(r.body))
	if rev == nil {
		t.Fatal("no revision on the confirmation page")
	}
	r = s.pageForm(t, u, page+"/confirm", page, url.Values{"action": {"confirm"}, "revision": {rev[1]}})
	if r.status != 200 || !strings.Contains(string(r.body), `id="sc-locked"`) {
		t.Fatalf("confirming the shown revision = %d", r.status)
	}
	if sc := s.do("GET", "/api/v1/assignments/"+s.seat[u]+"/score", "", as(s.sec[u])...).json(t); sc["state"] != "submitted" || sc["recommendation"] != "do_not_support" {
		t.Errorf("locked score = %v %v", sc["state"], sc["recommendation"])
	}
	// Another expert cannot confirm this seat.
	if r := s.pageForm(t, "e3", "/assignments/"+s.seat["e3"]+"/score", page, url.Values{"action": {"confirm"}, "revision": {rev[1]}}); r.status != 404 {
		t.Errorf("another expert confirms the seat: %d", r.status)
	}
}

// TestConsultationNamesExperts: officials read the expert who answers and
// those offered by name with their organisation, never by id; the bank
// sees neither; other roles do not open it.
func TestConsultationNamesExperts(t *testing.T) {
	x := newConsultEnv(t)
	id := x.ask(t, "officer", `{"route":"lithium-battery.solid-state","question":"硫化物固态电解质路线的量产成熟度如何？","urgency":"urgent"}`)
	page := "/consultations/" + id
	r := x.get("official", page)
	text := visible(r.body)
	if r.status != 200 || !strings.Contains(text, "李建国") || !strings.Contains(text, "王海燕") || strings.Contains(text, "exp-1") || strings.Contains(text, "exp-2") {
		t.Errorf("official's consultation page = %d: %s", r.status, text)
	}
	if r := x.post("expert", "/api/v1/consultations/"+id+"/accept", ""); r.status != 200 {
		t.Fatalf("accept = %d", r.status)
	}
	for _, lang := range []string{"zh-CN", "en"} {
		r = x.do("GET", page, "", as(x.sec["official"], "Accept-Language", lang)...)
		who := regexp.MustCompile(`(?s)id="con-expert-who">(.*?)</dd>`).FindSubmatch(r.body)
		if who == nil || !strings.Contains(visible(who[1]), "李建国") || strings.Contains(visible(r.body), "exp-1") {
			t.Errorf("%s: the accepting expert is not named: %s", lang, visible(r.body))
		}
	}
	if r := x.get("officer", page); r.status != 200 || bytes.Contains(r.body, []byte("李建国")) || bytes.Contains(r.body, []byte("exp-1")) {
		t.Errorf("the bank reads who the expert is: %d", r.status)
	}
	if r := x.get("analyst", page); r.status != 403 {
		t.Errorf("an analyst opens a consultation: %d", r.status)
	}
	if r := x.get("official", "/consultations/con-nope"); r.status != 404 {
		t.Errorf("a missing consultation: %d", r.status)
	}
}

// TestUsersFormPickers: the administrator's users form offers banks,
// regions and experts by name (no typed codes), creates an official for a
// city and an expert account picked by name, marks an expert who has an
// account, and refuses a bank role without a bank in place. A bank officer
// does not open it.
func TestUsersFormPickers(t *testing.T) {
	p := newPanelEnv(t)
	if _, _, err := p.app.Banks.Save(context.Background(), nil, banks.Input{ID: "gzb", Name: "赣州银行股份有限公司", Region: "3607"}); err != nil {
		t.Fatal(err)
	}
	r := p.do("GET", "/admin/users", "", as(p.sec["admin"], "Accept-Language", "zh-CN")...)
	body := string(r.body)
	for _, want := range []string{`<select name="bank_id" id="new-bank">`, `<option value="gzb">赣州银行股份有限公司</option>`,
		`<select name="region" id="new-region"`, `>　赣州市</option>`, `>　　赣州市章贡区</option>`,
		`<select name="expert_id" id="new-expert">`, `<option value="exp-3">张工 · `, `data-for-roles="official"`} {
		if !strings.Contains(body, want) {
			t.Errorf("users form lacks %s", want)
		}
	}
	if regexp.MustCompile(`<option value="exp-1"[^>]* disabled>`).FindString(body) == "" {
		t.Errorf("exp-1 (user expert) is not marked as having an account")
	}
	if strings.Contains(body, `placeholder="36 / 3607 / 360702"`) || strings.Contains(body, `name="expert_id" id="new-expert" value=`) {
		t.Errorf("the form still asks for typed codes")
	}
	post := func(v url.Values) resp {
		return p.pageFormAs(t, "admin", "/admin/users", "/admin/users", v)
	}
	r = post(url.Values{"username": {"gz.city"}, "password": {"City-pass 2026"}, "role": {"official"}, "region": {"3607"}})
	if r.status != 200 || !strings.Contains(string(r.body), `id="user-created"`) {
		t.Fatalf("create a city official = %d %s", r.status, r.body)
	}
	row := regexp.MustCompile(`(?s)<tr data-username="gz.city">.*?</tr>`).Find(r.body)
	if !strings.Contains(visible(row), "赣州市") || strings.Contains(visible(row), "3607") {
		t.Errorf("official's row = %s", visible(row))
	}
	r = post(url.Values{"username": {"zhang.gong"}, "password": {"Zhang-pass 2026"}, "role": {"expert"}, "expert_id": {"exp-3"}})
	if r.status != 200 || regexp.MustCompile(`<option value="exp-3"[^>]* disabled>`).FindString(string(r.body)) == "" {
		t.Errorf("create an expert account = %d; exp-3 not marked taken", r.status)
	}
	r = post(url.Values{"username": {"no.bank"}, "password": {"Nobank-pass 2026"}, "role": {"bank_officer"}})
	if r.status != http.StatusBadRequest || !strings.Contains(string(r.body), `id="users-error"`) || !strings.Contains(string(r.body), `value="no.bank"`) {
		t.Errorf("a bank officer without a bank = %d", r.status)
	}
	if r := p.do("GET", "/admin/users", "", as(p.sec["officer"])...); r.status != 403 {
		t.Errorf("a bank officer opens the users form: %d", r.status)
	}
}

// pageFormAs posts a page form as u with the form token read from page.
func (p *panelEnv) pageFormAs(t *testing.T, u, page, path string, v url.Values) resp {
	t.Helper()
	r := p.do("GET", page, "", as(p.sec[u])...)
	m := csrfRE.FindSubmatch(r.body)
	if m == nil {
		t.Fatalf("no form token on %s (%d)", page, r.status)
	}
	v.Set("csrf", string(m[1]))
	return p.do("POST", path, v.Encode(), as(p.sec[u], "Content-Type", "application/x-www-form-urlencoded")...)
}

// TestListsOneSearchBox: the experts, enterprises and news lists search
// with the shared toolbar (one box), keep their own filters beside it, and
// keep the search when a filter changes; regions are picked by name.
func TestListsOneSearchBox(t *testing.T) {
	p := newPanelEnv(t)
	for _, c := range []struct{ path, user, box string }{
		{"/experts", "official", "experts-q"},
		{"/enterprises", "official", "ent-q"},
		{"/intel/items", "analyst", "items-q"},
	} {
		r := p.do("GET", c.path+"?q="+url.QueryEscape("李"), "", as(p.sec[c.user])...)
		body := string(r.body)
		if r.status != 200 {
			t.Errorf("%s = %d", c.path, r.status)
			continue
		}
		if n := strings.Count(body, `name="q"`); n != 2 { // the toolbar's box and the filter form's hidden copy
			t.Errorf("%s: %d q inputs, want the toolbar's and the filter's hidden one", c.path, n)
		}
		if !strings.Contains(body, `id="`+c.box+`" value="李"`) {
			t.Errorf("%s: the toolbar box does not hold the search", c.path)
		}
		if !strings.Contains(body, `<input type="hidden" name="q" value="李">`) {
			t.Errorf("%s: the filter form drops the search", c.path)
		}
	}
	// The experts list still finds by name and by organisation, and filters by field.
	for q, want := range map[string]string{"李": "exp-1", "张": "exp-3"} {
		r := p.do("GET", "/experts?q="+url.QueryEscape(q), "", as(p.sec["official"])...)
		if !strings.Contains(string(r.body), `data-id="`+want+`"`) {
			t.Errorf("experts?q=%s lacks %s", q, want)
		}
	}
	r := p.do("GET", "/experts?field=semiconductors.power-devices", "", as(p.sec["official"])...)
	if !strings.Contains(string(r.body), `data-id="exp-4"`) || strings.Contains(string(r.body), `data-id="exp-3"`) {
		t.Errorf("the experts list lost its field filter")
	}
	r = p.do("GET", "/experts?region=3607", "", as(p.sec["official"])...)
	if !strings.Contains(string(r.body), `<option value="3607" selected>`) {
		t.Errorf("the experts list's region is not a picker by name")
	}
	if r := p.do("GET", "/experts", "", as(p.sec["officer"])...); r.status != 403 {
		t.Errorf("a bank officer on the experts list: %d", r.status)
	}
	if r := p.do("GET", "/experts?size=abc&page=-3&sort=nope", "", as(p.sec["official"])...); r.status != 200 {
		t.Errorf("bad list parameters = %d", r.status)
	}
}

// TestFormsPickByName: the consultation form ties an application chosen by
// its enterprise's name, the expert form and the roadshow form pick the
// region by name; none asks for a typed code. Roles that may not use the
// forms do not open them.
func TestFormsPickByName(t *testing.T) {
	p := newPanelEnv(t)
	r := p.do("GET", "/consultations/new?application="+p.appID, "", as(p.sec["officer"], "Accept-Language", "zh-CN")...)
	body := string(r.body)
	if r.status != 200 || !strings.Contains(body, `<select name="application_id" id="c-application">`) || strings.Contains(body, `placeholder="app-…"`) ||
		!regexp.MustCompile(`<option value="`+p.appID+`" selected>[^<]*赣州芯研微电子有限公司 · 已提交</option>`).MatchString(body) {
		t.Errorf("consultation form = %d: the application is not picked by name", r.status)
	}
	r = p.do("GET", "/experts/new", "", as(p.sec["official"], "Accept-Language", "zh-CN")...)
	if r.status != 200 || !strings.Contains(string(r.body), `<select name="region" id="e-region"`) || strings.Contains(string(r.body), `placeholder="36 / 3607 / 360702"`) {
		t.Errorf("expert form = %d: the region is not a picker", r.status)
	}
	if r := p.do("GET", "/consultations/new", "", as(p.sec["expert"])...); r.status != 403 {
		t.Errorf("an expert opens the consultation form: %d", r.status)
	}
	if r := p.do("GET", "/experts/new", "", as(p.sec["officer"])...); r.status != 403 {
		t.Errorf("a bank opens the expert form: %d", r.status)
	}
}
