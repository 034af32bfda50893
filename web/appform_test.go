package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"kedaitong/review"
)

// formPost posts a page form as the session sec, with the form token read
// from page, in lang ("zh-CN" or "en"), without following redirects.
func (e *env) formPost(t *testing.T, sec, lang, page, path string, v url.Values) resp {
	t.Helper()
	cookie := "kedai_session=" + sec + "; kedai_lang=" + lang
	r := e.do("GET", page, "", "Cookie", cookie)
	m := csrfRE.FindSubmatch(r.body)
	if m == nil {
		t.Fatalf("no form token on %s (%d)", page, r.status)
	}
	v.Set("csrf", string(m[1]))
	req, err := http.NewRequest("POST", e.ts.URL+path, strings.NewReader(v.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Cookie", cookie)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	cl := *e.ts.Client()
	cl.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := cl.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp{status: res.StatusCode, header: res.Header, body: []byte(b.String())}
}

// goodAppForm is a complete form in the page's terms: amounts in 万元.
func goodAppForm(code string) url.Values {
	return url.Values{"name": {"赣州芯研微电子有限公司"}, "credit_code": {code}, "city": {"3607"}, "region": {"360702"},
		"founded": {"2021-03-15"}, "route": {"semiconductors.ic-design"}, "maturity": {"pilot"}, "staff": {"60"}, "rd_staff": {"25"},
		"revenue0": {"1,200.0001"}, "revenue1": {"900"}, "net_profit0": {"-300"}, "net_profit1": {"－450.5"}, "rd_spend": {"600"},
		"tech_contract_income": {"12.34"}, "invention_patents": {"5"}, "pending_patents": {"3"}, "team": {"陈志远, 首席技术官, 微电子博士\n李敏，工艺总监"},
		"amount": {"150.5"}, "term_months": {"24"}, "purpose": {"流片与量产验证"}, "summary": {"28nm 低功耗电源管理芯片设计，两次流片。"}}
}

var fieldErrRE = regexp.MustCompile(`<span class="field-error" id="err-([a-z_0-9]+)">([^<]*)</span>`)

// fieldErrors are the messages shown beside the form's inputs, by input.
func fieldErrors(body []byte) map[string]string {
	out := map[string]string{}
	for _, m := range fieldErrRE.FindAllSubmatch(body, -1) {
		out[string(m[1])] = string(m[2])
	}
	return out
}

// TestAppFormAllErrorsAtOnce: a form with many mistakes is refused (400)
// with every problem shown at once beside its own input, in plain words of
// the page's language (no field paths, codes or API wording), the typed
// values kept, and nothing stored.
func TestAppFormAllErrorsAtOnce(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	sec := e.login("officer")
	bad := goodAppForm(review.DemoCreditCode("360702", 1)[:17] + "0") // a mistyped check character
	bad.Set("name", "")
	bad.Set("region", "")
	bad.Set("founded", "2999-01-01")
	bad.Set("rd_staff", "75")      // more than the staff
	bad.Set("revenue1", "九百")      // not a number
	bad.Set("rd_spend", "-5")      // negative
	bad.Set("amount", "150.12345") // five decimals of 万元
	bad.Set("term_months", "200")  // too long
	bad.Set("route", "")           // not chosen
	bad.Set("summary", "")         // required
	bad.Set("purpose", "流片与量产验证")  // kept
	want := []string{"name", "credit_code", "region", "founded", "route", "rd_staff", "revenue1", "rd_spend", "amount", "term_months", "summary"}
	for _, lang := range []string{"zh-CN", "en"} {
		r := e.formPost(t, sec, lang, "/applications/new", "/applications/new", bad)
		if r.status != http.StatusBadRequest {
			t.Fatalf("%s: bad form = %d, want 400", lang, r.status)
		}
		errs := fieldErrors(r.body)
		for _, k := range want {
			if errs[k] == "" {
				t.Errorf("%s: no error beside %s (errors: %v)", lang, k, errs)
			}
		}
		if len(errs) != len(want) {
			t.Errorf("%s: errors at %d inputs, want %d: %v", lang, len(errs), len(want), errs)
		}
		for k, m := range errs {
			for _, jargon := range []string{"/api/v1", "enterprise.", "loan.", "GB/T", "invalid", "amounts are in yuan", "元数", "industry.route"} {
				if strings.Contains(m, jargon) {
					t.Errorf("%s: the error of %s reads like the API (%q): %q", lang, k, jargon, m)
				}
			}
		}
		body := string(r.body)
		if !strings.Contains(body, `id="form-error-list"`) || strings.Count(body, `<li><a href="#f-`) != len(want) {
			t.Errorf("%s: the summary above the form does not list every problem", lang)
		}
		for _, kept := range []string{`value="流片与量产验证"`, `value="150.12345"`, `value="九百"`, `value="-5"`, `value="2999-01-01"`} {
			if !strings.Contains(body, kept) {
				t.Errorf("%s: the form lost what was typed: %s", lang, kept)
			}
		}
		if !regexp.MustCompile(`id="f-rd_staff"[^>]*aria-invalid="true"`).MatchString(body) {
			t.Errorf("%s: the R&D staff input is not marked invalid", lang)
		}
		switch lang {
		case "zh-CN":
			for k, sub := range map[string]string{"rd_staff": "研发人员不能多于员工人数", "revenue1": "万元", "rd_spend": "不能为负数", "founded": "不能晚于今天",
				"region": "区县", "credit_code": "校验位", "amount": "四位小数", "term_months": "120"} {
				if !strings.Contains(errs[k], sub) {
					t.Errorf("zh: error of %s = %q, want it to say %q", k, errs[k], sub)
				}
			}
		case "en":
			for k, sub := range map[string]string{"rd_staff": "R&amp;D staff cannot outnumber", "region": "county", "founded": "later than today",
				"credit_code": "check character", "amount": "four decimals"} {
				if !strings.Contains(errs[k], sub) {
					t.Errorf("en: error of %s = %q, want it to say %q", k, errs[k], sub)
				}
			}
			if regexp.MustCompile(`[\p{Han}]{2,}`).MatchString(errs["name"] + errs["rd_spend"] + errs["summary"]) {
				t.Errorf("en: Chinese in English errors: %v", errs)
			}
		}
	}
	if n := len(mustList(t, e, "officer")); n != 0 {
		t.Fatalf("a refused form stored %d applications", n)
	}
}

// TestAppFormWanExact: amounts typed in 万元 (decimals, thousands
// separators, a full-width minus) are stored as exact whole yuan; the
// region is the county chosen by name.
func TestAppFormWanExact(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	sec := e.login("officer")
	r := e.formPost(t, sec, "zh-CN", "/applications/new", "/applications/new", goodAppForm(review.DemoCreditCode("360702", 1)))
	if r.status != http.StatusSeeOther {
		t.Fatalf("good form = %d %v", r.status, fieldErrors(r.body))
	}
	vs := mustList(t, e, "officer")
	if len(vs) != 1 {
		t.Fatalf("%d applications stored", len(vs))
	}
	v := vs[0]
	en := v.Enterprise
	for name, got := range map[string][2]int64{
		"amount": {v.Loan.Amount, 1505000}, "revenue[0]": {en.Revenue[0], 12000001}, "revenue[1]": {en.Revenue[1], 9000000},
		"net_profit[0]": {en.NetProfit[0], -3000000}, "net_profit[1]": {en.NetProfit[1], -4505000}, "rd_spend": {en.RDSpend, 6000000},
		"tech_contract_income": {en.TechContractIncome, 123400},
	} {
		if got[0] != got[1] {
			t.Errorf("%s = %d yuan, want %d", name, got[0], got[1])
		}
	}
	if en.Region != "360702" || len(en.Team) != 2 || en.Team[1].Title != "工艺总监" {
		t.Errorf("region %q, team %+v", en.Region, en.Team)
	}
	// Its page names the county, the bank's reference number is labelled.
	page := string(e.do("GET", "/applications/"+v.ID, "", as(sec)...).body)
	if !strings.Contains(page, `id="app-region">赣州市章贡区<`) || !strings.Contains(page, `id="app-ref-id">`+v.ID+`<`) {
		t.Errorf("the application's page does not name its region or label its reference")
	}
	list := string(e.do("GET", "/applications", "", as(sec)...).body)
	if !strings.Contains(list, "赣州市章贡区") || strings.Contains(list, "<td>360702</td>") {
		t.Errorf("the list shows the region's code instead of its name")
	}
}

// TestAppFormRegionPicker: the new-application form picks the region by
// name: Jiangxi, its cities, each city's counties; a refused form keeps
// the city and county chosen.
func TestAppFormRegionPicker(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	sec := e.login("officer")
	for lang, want := range map[string][]string{
		"zh-CN": {`<option value="36" selected>江西省</option>`, `<option value="3603">萍乡市</option>`, `<optgroup label="萍乡市" data-city="3603">`, `<option value="360321">莲花县</option>`},
		"en":    {`>Jiangxi</option>`, `<option value="3607">Ganzhou</option>`, `<option value="360702">Zhanggong District</option>`},
	} {
		r := e.do("GET", "/applications/new", "", "Cookie", "kedai_session="+sec+"; kedai_lang="+lang)
		for _, w := range want {
			if !strings.Contains(string(r.body), w) {
				t.Errorf("%s: the form lacks %s", lang, w)
			}
		}
		if strings.Contains(string(r.body), `placeholder="360702"`) {
			t.Errorf("%s: the county is still typed as a code", lang)
		}
	}
	f := goodAppForm(review.DemoCreditCode("360321", 1))
	f.Set("city", "3603")
	f.Set("region", "360321")
	f.Set("name", "")
	r := e.formPost(t, sec, "zh-CN", "/applications/new", "/applications/new", f)
	if r.status != 400 || !strings.Contains(string(r.body), `<option value="3603" selected>萍乡市`) || !strings.Contains(string(r.body), `<option value="360321" selected>莲花县`) {
		t.Errorf("a refused form lost the region chosen (%d)", r.status)
	}
}

// TestAppFormEditDraft: the owning bank opens its draft in the same form,
// prefilled (amounts in 万元), saves changes and can submit later; a stale
// save is refused with the form kept; other banks, officials and experts
// cannot edit; a submitted application is no longer editable.
func TestAppFormEditDraft(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	sec := e.login("officer")
	id := e.createApp(t, sec, appBody("360702", 1))["id"].(string)
	edit := "/applications/" + id + "/edit"

	r := e.do("GET", edit, "", as(sec)...)
	body := string(r.body)
	if r.status != 200 {
		t.Fatalf("edit page = %d", r.status)
	}
	for _, w := range []string{`id="f-amount" inputmode="decimal" autocomplete="off" value="300"`, `value="1200"`, `value="-450"`,
		`<option value="360702" selected>`, `<option value="3607" selected>`, `name="version" value="1"`, `action="` + edit + `"`, "赣州芯研微电子有限公司", "= 3,000,000 元"} {
		if !strings.Contains(body, w) {
			t.Errorf("the edit form lacks %s", w)
		}
	}
	if d := string(e.do("GET", "/applications/"+id, "", as(sec)...).body); !strings.Contains(d, `href="`+edit+`" id="app-edit"`) {
		t.Errorf("the draft's page does not link to its edit form")
	}
	if l := string(e.do("GET", "/applications", "", as(sec)...).body); !strings.Contains(l, `href="`+edit+`" class="edit-draft"`) {
		t.Errorf("the drafts list does not link to the edit form")
	}
	if l := string(e.do("GET", "/applications", "", as(e.login("cityofficial"))...).body); strings.Contains(l, edit) {
		t.Errorf("an official's list offers to edit the bank's draft")
	}

	f := goodAppForm(review.DemoCreditCode("360702", 1))
	f.Set("version", "1")
	f.Set("amount", "280.25")
	f.Set("city", "3601")
	f.Set("region", "360111")
	f.Set("purpose", "量产验证与设备购置")
	r = e.formPost(t, sec, "zh-CN", edit, edit, f)
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/applications/"+id+"?done=updated" {
		t.Fatalf("save = %d %s %v", r.status, r.header.Get("Location"), fieldErrors(r.body))
	}
	v, err := e.app.Review.Get(context.Background(), e.users["officer"], id)
	if err != nil {
		t.Fatal(err)
	}
	if v.Loan.Amount != 2802500 || v.Region != "360111" || v.Loan.Purpose != "量产验证与设备购置" || v.State != review.StateDraft || v.Version != 2 {
		t.Errorf("after the edit: amount %d, region %s, purpose %q, state %s, version %d", v.Loan.Amount, v.Region, v.Loan.Purpose, v.State, v.Version)
	}
	// A save from a page read before that change: refused, the form kept.
	f.Set("amount", "100")
	r = e.formPost(t, sec, "zh-CN", edit, edit, f) // version 1 again
	if r.status != http.StatusConflict || !strings.Contains(string(r.body), "已被他人修改") || !strings.Contains(string(r.body), `value="100"`) ||
		!strings.Contains(string(r.body), `name="version" value="2"`) {
		t.Errorf("stale save = %d", r.status)
	}
	// Errors on the edit form are beside the inputs too.
	f.Set("version", "2")
	f.Set("staff", "0")
	r = e.formPost(t, sec, "en", edit, edit, f)
	if errs := fieldErrors(r.body); r.status != 400 || !strings.Contains(errs["staff"], "at least one") {
		t.Errorf("bad edit = %d %v", r.status, errs)
	}

	// Who may not edit.
	for _, tc := range []struct {
		user   string
		status int
	}{{"officer2", 404}, {"cityofficial", 403}, {"official", 403}, {"expert", 403}, {"analyst", 403}, {"investor", 403}} {
		s := e.login(tc.user)
		if r := e.do("GET", edit, "", as(s)...); r.status != tc.status {
			t.Errorf("%s opening the edit form = %d, want %d", tc.user, r.status, tc.status)
		}
		if tc.status == 404 { // a bank that could post the form at all
			if r := e.formPost(t, s, "zh-CN", "/applications/new", edit, goodAppForm(review.DemoCreditCode("360702", 1))); r.status != 404 {
				t.Errorf("%s saving another bank's draft = %d, want 404", tc.user, r.status)
			}
		}
	}
	// The manager of the owning bank may edit it too.
	if r := e.do("GET", edit, "", as(e.login("manager"))...); r.status != 200 {
		t.Errorf("the bank's manager opening the edit form = %d", r.status)
	}
	if r := e.do("GET", "/applications/app-0000000000000000/edit", "", as(sec)...); r.status != 404 {
		t.Errorf("an unknown draft = %d", r.status)
	}

	// Submitted: no longer editable, and the page says why.
	if _, err := e.app.Review.Submit(context.Background(), e.users["officer"], id); err != nil {
		t.Fatal(err)
	}
	r = e.do("GET", edit, "", as(sec)...)
	if r.status != http.StatusConflict || !strings.Contains(string(r.body), "只有草稿可以编辑") {
		t.Errorf("editing a submitted application = %d", r.status)
	}
	f.Set("staff", "60")
	if r := e.formPost(t, sec, "zh-CN", "/applications/"+id, edit, f); r.status != http.StatusConflict {
		t.Errorf("saving a submitted application = %d", r.status)
	}
	if v, _ := e.app.Review.Get(context.Background(), e.users["officer"], id); v.Loan.Amount != 2802500 {
		t.Errorf("a refused save changed the application: %d", v.Loan.Amount)
	}
}
