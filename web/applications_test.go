package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"kedaitong/audit"
	"kedaitong/review"
)

func init() {
	banks := []string{"bank_officer", "bank_manager"}
	readers := []string{"bank_officer", "bank_manager", "official", "admin"}
	for k, v := range map[string][]string{
		"POST /api/v1/applications":                         banks,
		"GET /api/v1/applications":                          readers,
		"GET /api/v1/applications/:id":                      readers,
		"PATCH /api/v1/applications/:id":                    banks,
		"POST /api/v1/applications/:id/submit":              banks,
		"POST /api/v1/applications/:id/withdraw":            banks,
		"POST /api/v1/applications/:id/decision":            banks,
		"POST /api/v1/applications/:id/attachments":         banks,
		"GET /api/v1/applications/:id/attachments/:att":     readers,
		"DELETE /api/v1/applications/:id/attachments/:att":  banks,
		"POST /api/v1/enterprises/:credit_code/whitelist":   {"official"},
		"DELETE /api/v1/enterprises/:credit_code/whitelist": {"official"},
		"GET /api/v1/whitelist":                             {"official", "admin"},
	} {
		allowedRoles[k] = v
	}
}

var appCT = []string{"Content-Type", "application/json"}

// appBody is the contract's example application, with a valid credit code
// of the county and serial given.
func appBody(region string, serial int) map[string]any {
	return map[string]any{
		"enterprise": map[string]any{"name": "赣州芯研微电子有限公司", "credit_code": review.DemoCreditCode(region, serial),
			"region": region, "founded": "2021-03-15", "route": "semiconductors.ic-design",
			"staff": 60, "rd_staff": 25, "revenue": []int64{12000000, 9000000},
			"net_profit": []int64{-3000000, -4500000}, "rd_spend": 6000000,
			"invention_patents": 5, "pending_patents": 3, "maturity": "pilot"},
		"loan":    map[string]any{"amount": 3000000, "term_months": 24, "purpose": "流片与量产验证"},
		"summary": "28nm 低功耗电源管理芯片设计，两次流片。",
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// createApp creates an application as the session and returns its id.
func (e *env) createApp(t *testing.T, sec string, body map[string]any) map[string]any {
	t.Helper()
	r := e.do("POST", "/api/v1/applications", mustJSON(t, body), as(sec, appCT...)...)
	if r.status != http.StatusCreated {
		t.Fatalf("create application = %d %s", r.status, r.body)
	}
	return r.json(t)
}

func (e *env) countApps(t *testing.T, sec string) int {
	t.Helper()
	r := e.do("GET", "/api/v1/applications?limit=500", "", as(sec)...)
	if r.status != 200 {
		t.Fatalf("list = %d %s", r.status, r.body)
	}
	return len(r.json(t)["items"].([]any))
}

func TestApplicationsAPIJourney(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	off, off2, mgr := e.login("officer"), e.login("officer2"), e.login("manager")
	prov, city, adm := e.login("official"), e.login("cityofficial"), e.login("admin")

	a := e.createApp(t, off, appBody("360702", 1))
	id := a["id"].(string)
	if a["state"] != "draft" || a["bank_id"] != "gzb" || a["whitelisted"] != false {
		t.Errorf("created: %v", a)
	}
	ind := a["indicators"].(map[string]any)
	if ind["rd_intensity"] != 0.5 || ind["loss_years"] != 2.0 || ind["age_group"] == "" {
		t.Errorf("indicators %v", ind)
	}
	flags := a["flags"].([]any)
	if len(flags) != 1 || flags[0].(map[string]any)["code"] != review.FlagStrongTech {
		t.Errorf("flags %v", flags)
	}
	en := a["enterprise"].(map[string]any)
	if en["revenue"].([]any)[0] != 12000000.0 || en["net_profit"].([]any)[1] != -4500000.0 {
		t.Errorf("series %v %v", en["revenue"], en["net_profit"])
	}

	// Who sees it.
	for name, sec := range map[string]string{"officer": off, "manager": mgr, "official": prov, "cityofficial": city, "admin": adm} {
		if r := e.do("GET", "/api/v1/applications/"+id, "", as(sec)...); r.status != 200 {
			t.Errorf("%s reading = %d", name, r.status)
		}
	}
	if r := e.do("GET", "/api/v1/applications/"+id, "", as(off2)...); r.status != 404 || r.errorCode(t) != "not_found" {
		t.Errorf("another bank reading = %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/api/v1/applications/app-0000000000000000", "", as(off)...); r.status != 404 {
		t.Errorf("missing = %d", r.status)
	}
	if r := e.do("GET", "/api/v1/applications", "", as(e.login("expert"))...); r.status != 403 {
		t.Errorf("expert listing = %d", r.status)
	}
	if n := e.countApps(t, off2); n != 0 {
		t.Errorf("another bank lists %d", n)
	}
	if r := e.do("GET", "/api/v1/applications?state=draft&route=semiconductors&region=3607", "", as(city)...); r.status != 200 || len(r.json(t)["items"].([]any)) != 1 {
		t.Errorf("filtered list = %d %s", r.status, r.body)
	}
	for _, q := range []string{"state=open", "route=quantum", "region=3507", "limit=0", "cursor=zzz"} {
		if r := e.do("GET", "/api/v1/applications?"+q, "", as(prov)...); r.status != 400 || r.errorCode(t) != "invalid_input" {
			t.Errorf("list ?%s = %d %s", q, r.status, r.body)
		}
	}

	// Edit the draft: fields given replace the stored ones.
	r := e.do("PATCH", "/api/v1/applications/"+id, `{"loan":{"amount":3500000}}`, as(off, appCT...)...)
	if r.status != 200 {
		t.Fatalf("patch = %d %s", r.status, r.body)
	}
	if l := r.json(t)["loan"].(map[string]any); l["amount"] != 3500000.0 || l["term_months"] != 24.0 {
		t.Errorf("patched loan %v", l)
	}
	if r := e.do("PATCH", "/api/v1/applications/"+id, `{"loan":{"amount":-1}}`, as(off, appCT...)...); r.status != 400 {
		t.Errorf("bad patch = %d", r.status)
	}
	if r := e.do("PATCH", "/api/v1/applications/"+id, `{"loan":{"amount":1}}`, as(off2, appCT...)...); r.status != 404 {
		t.Errorf("patch by another bank = %d", r.status)
	}
	if r := e.do("POST", "/api/v1/applications/"+id+"/submit", "", as(off2)...); r.status != 404 {
		t.Errorf("submit by another bank = %d", r.status)
	}

	// Submit; then edits are conflicts.
	r = e.do("POST", "/api/v1/applications/"+id+"/submit", "", as(off)...)
	if r.status != 200 || r.json(t)["state"] != "submitted" {
		t.Fatalf("submit = %d %s", r.status, r.body)
	}
	if r := e.do("PATCH", "/api/v1/applications/"+id, `{"summary":"changed"}`, as(off, appCT...)...); r.status != 409 || r.errorCode(t) != "conflict" {
		t.Errorf("editing a submitted application = %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/applications/"+id+"/decision", `{"granted":true,"amount":3000000}`, as(off, appCT...)...); r.status != 409 {
		t.Errorf("decision before the report = %d %s", r.status, r.body)
	}

	// The review process closes it; the bank records its decision once.
	ctx := context.Background()
	if _, err := e.app.Review.MarkInReview(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Review.Close(ctx, id, "report-1"); err != nil {
		t.Fatal(err)
	}
	if r := e.do("POST", "/api/v1/applications/"+id+"/withdraw", `{"reason":"x"}`, as(off, appCT...)...); r.status != 409 {
		t.Errorf("withdrawing a closed application = %d", r.status)
	}
	for _, bad := range []string{`{}`, `{"granted":true}`, `{"granted":true,"amount":999999999}`, `{"granted":true,"amount":100,"date":"2999-01-01"}`, `{"granted":"yes"}`, `{"granted":true,"amount":1,"extra":1}`} {
		if r := e.do("POST", "/api/v1/applications/"+id+"/decision", bad, as(off, appCT...)...); r.status != 400 {
			t.Errorf("decision %s = %d %s", bad, r.status, r.body)
		}
	}
	if r := e.do("POST", "/api/v1/applications/"+id+"/decision", `{"granted":true,"amount":3000000}`, as(off2, appCT...)...); r.status != 404 {
		t.Errorf("decision by another bank = %d", r.status)
	}
	r = e.do("POST", "/api/v1/applications/"+id+"/decision", `{"granted":true,"amount":3000000}`, as(mgr, appCT...)...)
	if r.status != 200 || r.json(t)["decision"].(map[string]any)["amount"] != 3000000.0 {
		t.Fatalf("decision = %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/applications/"+id+"/decision", `{"granted":false}`, as(off, appCT...)...); r.status != 409 {
		t.Errorf("second decision = %d", r.status)
	}

	// Withdraw a draft.
	b := e.createApp(t, off, appBody("360111", 2))
	r = e.do("POST", "/api/v1/applications/"+b["id"].(string)+"/withdraw", "", as(off)...)
	if r.status != 200 || r.json(t)["state"] != "withdrawn" {
		t.Errorf("withdraw = %d %s", r.status, r.body)
	}

	// Every change is audited.
	for _, action := range []string{"application.create", "application.update", "application.submit", "application.in_review", "application.close", "application.decide", "application.withdraw"} {
		es, _, err := e.log.List(ctx, audit.Filter{Action: action, Limit: 10})
		if err != nil || len(es) == 0 {
			t.Errorf("no audit entry %s (%v)", action, err)
		}
	}
}

func TestApplicationsBadInput(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	off := e.login("officer")
	set := func(path string, v any) map[string]any {
		b := appBody("360702", 1)
		parts := strings.Split(path, ".")
		m := b
		for _, p := range parts[:len(parts)-1] {
			m = m[p].(map[string]any)
		}
		m[parts[len(parts)-1]] = v
		return b
	}
	tests := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"credit code length", set("enterprise.credit_code", "91360702MA38XXXX"), "enterprise.credit_code"},
		{"credit code alphabet", set("enterprise.credit_code", "91360702MA38XXXXXI"), "enterprise.credit_code"},
		{"credit code check digit", set("enterprise.credit_code", review.DemoCreditCode("360702", 1)[:17]+"Y"), "enterprise.credit_code"},
		{"founded in the future", set("enterprise.founded", "2999-01-01"), "enterprise.founded"},
		{"negative revenue", set("enterprise.revenue", []int64{-1, 5}), "enterprise.revenue[0]"},
		{"negative rd spend", set("enterprise.rd_spend", -1), "enterprise.rd_spend"},
		{"negative staff", set("enterprise.staff", -5), "enterprise.staff"},
		{"rd staff above staff", set("enterprise.rd_staff", 61), "enterprise.rd_staff"},
		{"unknown route", set("enterprise.route", "semiconductors.teleportation"), "enterprise.route"},
		{"wrong maturity", set("enterprise.maturity", "mature"), "enterprise.maturity"},
		{"negative loan", set("loan.amount", -100), "loan.amount"},
		{"term over ten years", set("loan.term_months", 121), "loan.term_months"},
		{"fractional amount", set("loan.amount", 1.5), ""},
		{"unknown field", set("enterprise.ceo", "x"), ""},
		{"revenue as text", set("enterprise.revenue", "12000000"), ""},
	}
	for _, tc := range tests {
		r := e.do("POST", "/api/v1/applications", mustJSON(t, tc.body), as(off, appCT...)...)
		if r.status != 400 || r.errorCode(t) != "invalid_input" {
			t.Errorf("%s: %d %s, want 400", tc.name, r.status, r.body)
			continue
		}
		if tc.field != "" {
			if f, _ := r.json(t)["error"].(map[string]any)["field"].(string); f != tc.field {
				t.Errorf("%s: field %q, want %q (%s)", tc.name, f, tc.field, r.body)
			}
		}
	}
	if r := e.do("POST", "/api/v1/applications", mustJSON(t, appBody("360702", 1)), as(off)...); r.status != 415 {
		t.Errorf("no content type = %d", r.status)
	}
	if r := e.do("POST", "/api/v1/applications", `{"enterprise":`, as(off, appCT...)...); r.status != 400 {
		t.Errorf("malformed = %d", r.status)
	}
	if n := e.countApps(t, off); n != 0 {
		t.Errorf("%d applications stored by bad requests", n)
	}
	// A net loss is not an error.
	e.createApp(t, off, set("enterprise.net_profit", []int64{-1, -2}))
}

// upload posts a dossier file as multipart field "file".
func (e *env) upload(t *testing.T, sec, id, name string, data []byte) resp {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	w, _ := mw.CreateFormFile("file", name)
	w.Write(data)
	mw.Close()
	return e.do("POST", "/api/v1/applications/"+id+"/attachments", buf.String(), as(sec, "Content-Type", mw.FormDataContentType())...)
}

func TestApplicationAttachmentsAPI(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	off, off2, city := e.login("officer"), e.login("officer2"), e.login("cityofficial")
	id := e.createApp(t, off, appBody("360702", 1))["id"].(string)
	pdf := []byte("%PDF-1.5\n% 技术方案\n1 0 obj <<>> endobj\n")

	r := e.upload(t, off, id, "技术方案.pdf", pdf)
	if r.status != 201 {
		t.Fatalf("upload = %d %s", r.status, r.body)
	}
	att := r.json(t)
	if att["kind"] != "pdf" || att["content_type"] != "application/pdf" || att["name"] != "技术方案.pdf" {
		t.Errorf("attachment %v", att)
	}
	// Raw body with the name in the query.
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)
	if r := e.do("POST", "/api/v1/applications/"+id+"/attachments?filename=chart.png", string(png), as(off, "Content-Type", "application/octet-stream")...); r.status != 201 {
		t.Errorf("raw upload = %d %s", r.status, r.body)
	}
	// Bad content, whatever the name.
	if r := e.upload(t, off, id, "dossier.pdf", []byte("plain text, not a PDF")); r.status != 400 || r.errorCode(t) != "invalid_input" {
		t.Errorf("text named .pdf = %d %s", r.status, r.body)
	}
	if r := e.upload(t, off, id, "page.pdf", []byte("<html><script>alert(1)</script>")); r.status != 400 {
		t.Errorf("html = %d", r.status)
	}
	// Too large.
	big := append(append([]byte{}, pdf...), make([]byte, 20<<20)...)
	if r := e.upload(t, off, id, "big.pdf", big); r.status != 413 || r.errorCode(t) != "too_large" {
		t.Errorf("over 20 MiB = %d %s", r.status, r.body)
	}
	// Others.
	if r := e.upload(t, off2, id, "x.pdf", pdf); r.status != 404 {
		t.Errorf("another bank uploading = %d", r.status)
	}
	// Download.
	dl := e.do("GET", "/api/v1/applications/"+id+"/attachments/"+att["id"].(string), "", as(city)...)
	if dl.status != 200 || !bytes.Equal(dl.body, pdf) {
		t.Fatalf("download = %d %q", dl.status, dl.body)
	}
	if dl.header.Get("Content-Type") != "application/pdf" || dl.header.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.HasPrefix(dl.header.Get("Content-Disposition"), "attachment;") {
		t.Errorf("download headers %v", dl.header)
	}
	if r := e.do("GET", "/api/v1/applications/"+id+"/attachments/"+att["id"].(string), "", as(off2)...); r.status != 404 {
		t.Errorf("another bank downloading = %d", r.status)
	}
	if r := e.do("GET", "/api/v1/applications/"+id+"/attachments/att-nope", "", as(off)...); r.status != 404 {
		t.Errorf("missing attachment = %d", r.status)
	}
	// Up to ten, then a conflict.
	for i := 2; i < 10; i++ {
		if r := e.upload(t, off, id, fmt.Sprintf("p%d.pdf", i), pdf); r.status != 201 {
			t.Fatalf("upload %d = %d %s", i, r.status, r.body)
		}
	}
	if r := e.upload(t, off, id, "p11.pdf", pdf); r.status != 409 || r.errorCode(t) != "conflict" {
		t.Errorf("11th attachment = %d %s", r.status, r.body)
	}
	if r := e.do("DELETE", "/api/v1/applications/"+id+"/attachments/"+att["id"].(string), "", as(off)...); r.status != 200 {
		t.Errorf("delete = %d %s", r.status, r.body)
	}
	got := e.do("GET", "/api/v1/applications/"+id, "", as(off)...).json(t)
	if n := len(got["attachments"].([]any)); n != 9 {
		t.Errorf("attachments after delete = %d", n)
	}
}

func TestWhitelistAPI(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	off, off2, prov, city := e.login("officer"), e.login("officer2"), e.login("official"), e.login("cityofficial")
	gz := e.createApp(t, off, appBody("360702", 1))  // Ganzhou
	nc := e.createApp(t, off2, appBody("360111", 2)) // Nanchang
	gzCode, ncCode := gz["credit_code"].(string), nc["credit_code"].(string)

	if r := e.do("POST", "/api/v1/enterprises/"+gzCode+"/whitelist", `{"reason":""}`, as(city, appCT...)...); r.status != 400 {
		t.Errorf("empty reason = %d", r.status)
	}
	if r := e.do("POST", "/api/v1/enterprises/"+gzCode+"/whitelist", `{}`, as(city, appCT...)...); r.status != 400 {
		t.Errorf("no reason = %d", r.status)
	}
	if r := e.do("POST", "/api/v1/enterprises/"+gzCode+"/whitelist", mustJSON(t, map[string]string{"reason": strings.Repeat("x", 1001)}), as(city, appCT...)...); r.status != 400 {
		t.Errorf("long reason = %d", r.status)
	}
	if r := e.do("POST", "/api/v1/enterprises/"+ncCode+"/whitelist", `{"reason":"技术领先"}`, as(city, appCT...)...); r.status != 404 || r.errorCode(t) != "not_found" {
		t.Errorf("Ganzhou official whitelisting a Nanchang enterprise = %d %s", r.status, r.body)
	}
	if r := e.do("POST", "/api/v1/enterprises/"+review.DemoCreditCode("360702", 55)+"/whitelist", `{"reason":"x"}`, as(prov, appCT...)...); r.status != 404 {
		t.Errorf("unknown enterprise = %d", r.status)
	}
	if r := e.do("POST", "/api/v1/enterprises/"+gzCode+"/whitelist", `{"reason":"x"}`, as(off, appCT...)...); r.status != 403 {
		t.Errorf("bank whitelisting = %d", r.status)
	}
	r := e.do("POST", "/api/v1/enterprises/"+gzCode+"/whitelist", `{"reason":"亏损源于流片投入，技术国内领先"}`, as(city, appCT...)...)
	if r.status != 200 || r.json(t)["whitelisted"] != true {
		t.Fatalf("whitelist = %d %s", r.status, r.body)
	}
	// The status on the application: banks see it, officials also the reason.
	bv := e.do("GET", "/api/v1/applications/"+gz["id"].(string), "", as(off)...).json(t)
	ov := e.do("GET", "/api/v1/applications/"+gz["id"].(string), "", as(prov)...).json(t)
	if bv["whitelisted"] != true || bv["whitelist_reason"] != nil || ov["whitelist_reason"] != "亏损源于流片投入，技术国内领先" {
		t.Errorf("bank sees %v %v; official %v", bv["whitelisted"], bv["whitelist_reason"], ov["whitelist_reason"])
	}
	if r := e.do("GET", "/api/v1/whitelist", "", as(city)...); r.status != 200 || len(r.json(t)["items"].([]any)) != 1 {
		t.Errorf("whitelist list = %d %s", r.status, r.body)
	}
	// Lift it, once.
	if r := e.do("DELETE", "/api/v1/enterprises/"+gzCode+"/whitelist", "", as(prov)...); r.status != 200 || r.json(t)["whitelisted"] != false {
		t.Errorf("lift = %d %s", r.status, r.body)
	}
	if r := e.do("DELETE", "/api/v1/enterprises/"+gzCode+"/whitelist", "", as(prov)...); r.status != 409 {
		t.Errorf("lift again = %d", r.status)
	}
	for _, action := range []string{"whitelist.add", "whitelist.lift"} {
		es, _, err := e.log.List(context.Background(), audit.Filter{Action: action, Limit: 10})
		if err != nil || len(es) != 1 || es[0].ObjectID != gzCode {
			t.Errorf("audit %s: %v %v", action, es, err)
		}
	}
}
