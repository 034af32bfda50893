package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"kedaitong/identity"
)

func init() {
	bank := []string{"bank_officer", "bank_manager"}
	allowedRoles["POST /api/v1/consultations"] = bank
	allowedRoles["GET /api/v1/consultations"] = []string{"bank_officer", "bank_manager", "expert", "official", "admin"}
	allowedRoles["GET /api/v1/consultations/:id"] = []string{"bank_officer", "bank_manager", "expert", "official", "admin"}
	allowedRoles["GET /api/v1/consultations/:id/attachments/:att"] = []string{"bank_officer", "bank_manager", "expert", "official", "admin"}
	allowedRoles["POST /api/v1/consultations/:id/accept"] = []string{"expert"}
	allowedRoles["POST /api/v1/consultations/:id/answer"] = []string{"expert"}
	allowedRoles["POST /api/v1/consultations/:id/attachments"] = []string{"expert"}
	allowedRoles["POST /api/v1/consultations/:id/followup"] = bank
	allowedRoles["POST /api/v1/consultations/:id/rate"] = bank
	for _, r := range []string{"GET /api/v1/notifications", "GET /api/v1/notifications/unread", "POST /api/v1/notifications/:id/read", "POST /api/v1/notifications/read-all"} {
		allowedRoles[r] = []string{"*"}
	}
}

var conCT = []string{"Content-Type", "application/json"}

// consultEnv is a server with the test users, two experts of the solid-state
// route (exp-1 is user "expert", exp-2 user "expert2") and sessions.
type consultEnv struct {
	*env
	sec map[string]string
}

func newConsultEnv(t *testing.T) *consultEnv {
	t.Helper()
	e := newEnv(t)
	e.seedUsers()
	x := &consultEnv{env: e, sec: map[string]string{}}
	for _, u := range []string{"officer", "officer2", "manager", "expert", "official", "cityofficial", "analyst", "admin"} {
		x.sec[u] = e.login(u)
	}
	for _, b := range []string{
		`{"id":"exp-1","name":"李建国","tier":"industry","fields":["lithium-battery.solid-state"],"region":"3601"}`,
		`{"id":"exp-2","name":"王海燕","tier":"industry","fields":["lithium-battery.solid-state"],"region":"3607"}`,
	} {
		if r := e.do("POST", "/api/v1/experts", b, as(x.sec["official"], conCT...)...); r.status != http.StatusCreated {
			t.Fatalf("create expert: %d %s", r.status, r.body)
		}
	}
	if _, err := e.ids.CreateUser(context.Background(), nil, identity.NewUser{Username: "expert2", Role: "expert", ExpertID: "exp-2", Password: testPW}); err != nil {
		t.Fatal(err)
	}
	x.sec["expert2"] = e.login("expert2")
	return x
}

func (x *consultEnv) post(who, path, body string) resp {
	return x.do("POST", path, body, as(x.sec[who], conCT...)...)
}

func (x *consultEnv) get(who, path string) resp { return x.do("GET", path, "", as(x.sec[who])...) }

func (x *consultEnv) ask(t *testing.T, who, body string) string {
	t.Helper()
	r := x.post(who, "/api/v1/consultations", body)
	if r.status != http.StatusCreated {
		t.Fatalf("ask: %d %s", r.status, r.body)
	}
	return r.json(t)["id"].(string)
}

func (x *consultEnv) count(t *testing.T, who string) int {
	t.Helper()
	r := x.get(who, "/api/v1/consultations?limit=500")
	if r.status != 200 {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	return len(r.json(t)["items"].([]any))
}

func (x *consultEnv) unread(t *testing.T, who string) float64 {
	t.Helper()
	r := x.get(who, "/api/v1/notifications/unread")
	if r.status != 200 {
		t.Fatalf("unread: %d %s", r.status, r.body)
	}
	return r.json(t)["unread"].(float64)
}

// TestConsultationAPIJourney: a bank asks, both experts see it, the first
// to accept owns it, the other gets 409 then 404, the owner answers, the
// bank sees the answer attributed to tier and field only, asks its one
// follow-up, rates once; notifications for every step.
func TestConsultationAPIJourney(t *testing.T) {
	x := newConsultEnv(t)
	id := x.ask(t, "officer", `{"route":"lithium-battery.solid-state","question":"硫化物固态电解质路线的量产成熟度如何？","urgency":"urgent"}`)
	v := x.get("officer", "/api/v1/consultations/"+id)
	if v.status != 200 {
		t.Fatalf("get: %d %s", v.status, v.body)
	}
	m := v.json(t)
	if m["state"] != "open" || m["urgency"] != "urgent" || m["expert"] != nil {
		t.Errorf("new consultation: %s", v.body)
	}
	if bytes.Contains(v.body, []byte("exp-1")) || bytes.Contains(v.body, []byte("exp-2")) {
		t.Errorf("the bank sees the candidates: %s", v.body)
	}
	for _, who := range []string{"expert", "expert2"} {
		if n := x.count(t, who); n != 1 {
			t.Errorf("%s lists %d, want 1", who, n)
		}
		if n := x.unread(t, who); n != 1 {
			t.Errorf("%s has %v unread, want 1", who, n)
		}
	}
	if n := x.count(t, "officer2"); n != 0 {
		t.Errorf("another bank lists %d", n)
	}
	if r := x.get("officer2", "/api/v1/consultations/"+id); r.status != 404 || r.errorCode(t) != "not_found" {
		t.Errorf("another bank reads it: %d %s", r.status, r.body)
	}
	if r := x.post("officer", "/api/v1/consultations/"+id+"/rate", `{"stars":5}`); r.status != 409 {
		t.Errorf("rating before an answer: %d %s", r.status, r.body)
	}
	if r := x.post("expert", "/api/v1/consultations/"+id+"/answer", `{"text":"答复"}`); r.status != 409 {
		t.Errorf("answering before accepting: %d %s", r.status, r.body)
	}
	if r := x.post("expert", "/api/v1/consultations/"+id+"/accept", ""); r.status != 200 {
		t.Fatalf("accept: %d %s", r.status, r.body)
	}
	if r := x.post("expert2", "/api/v1/consultations/"+id+"/accept", ""); r.status != 409 || r.errorCode(t) != "conflict" {
		t.Errorf("second accept: %d %s", r.status, r.body)
	}
	if r := x.get("expert2", "/api/v1/consultations/"+id); r.status != 404 {
		t.Errorf("the other expert still reads it: %d", r.status)
	}
	if r := x.post("expert2", "/api/v1/consultations/"+id+"/answer", `{"text":"抢答"}`); r.status != 404 || r.errorCode(t) != "not_found" {
		t.Errorf("answering one routed to someone else: %d %s", r.status, r.body)
	}
	for _, body := range []string{`{"text":""}`, `{"text":"` + strings.Repeat("长", 20001) + `"}`, `{"text":5}`, `{"txt":"x"}`} {
		if r := x.post("expert", "/api/v1/consultations/"+id+"/answer", body); r.status != 400 || r.errorCode(t) != "invalid_input" {
			t.Errorf("answer %.20s: %d %s", body, r.status, r.body)
		}
	}
	// A file for the answer, checked by content.
	if r := x.upload(t, "expert", id, "notes.pdf", []byte("not a pdf")); r.status != 400 {
		t.Errorf("a fake PDF: %d %s", r.status, r.body)
	}
	up := x.upload(t, "expert", id, "固态电解质综述.pdf", []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"))
	if up.status != 201 {
		t.Fatalf("upload: %d %s", up.status, up.body)
	}
	if r := x.get("officer", "/api/v1/consultations/"+id); bytes.Contains(r.body, []byte("固态电解质综述")) {
		t.Errorf("the bank sees the files before the answer: %s", r.body)
	}
	ans := x.post("expert", "/api/v1/consultations/"+id+"/answer", `{"text":"实验室样品已达 400 Wh/kg，量产需解决界面稳定性；建议关注企业的中试线数据。"}`)
	if ans.status != 200 || ans.json(t)["state"] != "answered" {
		t.Fatalf("answer: %d %s", ans.status, ans.body)
	}
	bv := x.get("officer", "/api/v1/consultations/"+id)
	bm := bv.json(t)
	ex, _ := bm["expert"].(map[string]any)
	label, _ := ex["label"].(map[string]any)
	if ex["tier"] != "industry" || ex["field"] != "lithium-battery.solid-state" || label["en"] == "" || label["zh-CN"] == "" {
		t.Errorf("the bank's view of the expert: %v", bm["expert"])
	}
	for _, secret := range []string{"exp-1", "李建国", "expert_id"} {
		if bytes.Contains(bv.body, []byte(secret)) {
			t.Errorf("the bank's view names the expert (%s): %s", secret, bv.body)
		}
	}
	answer, _ := bm["answer"].(map[string]any)
	files, _ := answer["attachments"].([]any)
	if len(files) != 1 {
		t.Fatalf("answer attachments: %v", answer)
	}
	att := files[0].(map[string]any)["id"].(string)
	if r := x.get("officer", "/api/v1/consultations/"+id+"/attachments/"+att); r.status != 200 || !bytes.HasPrefix(r.body, []byte("%PDF")) {
		t.Errorf("download: %d", r.status)
	}
	if r := x.get("officer2", "/api/v1/consultations/"+id+"/attachments/"+att); r.status != 404 {
		t.Errorf("another bank downloads: %d", r.status)
	}
	// One follow-up, answered by the same expert.
	if r := x.post("officer", "/api/v1/consultations/"+id+"/followup", `{"question":"中试线良率多少算合格？"}`); r.status != 200 {
		t.Fatalf("follow-up: %d %s", r.status, r.body)
	}
	if r := x.post("officer", "/api/v1/consultations/"+id+"/followup", `{"question":"再问"}`); r.status != 409 {
		t.Errorf("second follow-up: %d %s", r.status, r.body)
	}
	if r := x.post("expert", "/api/v1/consultations/"+id+"/answer", `{"text":"一般 85% 以上。"}`); r.status != 200 {
		t.Fatalf("follow-up answer: %d %s", r.status, r.body)
	}
	for _, body := range []string{`{"stars":0}`, `{"stars":6}`, `{"stars":"5"}`, `{}`} {
		if r := x.post("officer", "/api/v1/consultations/"+id+"/rate", body); r.status != 400 {
			t.Errorf("rate %s: %d %s", body, r.status, r.body)
		}
	}
	if r := x.post("officer2", "/api/v1/consultations/"+id+"/rate", `{"stars":1}`); r.status != 404 {
		t.Errorf("another bank rates: %d", r.status)
	}
	if r := x.post("manager", "/api/v1/consultations/"+id+"/rate", `{"stars":4}`); r.status != 200 || r.json(t)["state"] != "closed" {
		t.Fatalf("rate: %d %s", r.status, r.body)
	}
	if r := x.post("officer", "/api/v1/consultations/"+id+"/rate", `{"stars":5}`); r.status != 409 || r.errorCode(t) != "conflict" {
		t.Errorf("rating twice: %d %s", r.status, r.body)
	}
	// The track record counts the answer and the rating.
	rec := x.get("official", "/api/v1/experts/exp-1").json(t)["record"].(map[string]any)
	if rec["consultations_answered"] != 1.0 || rec["ratings"] != 1.0 || rec["mean_rating"] != 4.0 {
		t.Errorf("track record: %v", rec)
	}
	// The officer had: accepted, answered, follow-up answered.
	if n := x.unread(t, "officer"); n != 3 {
		t.Errorf("officer has %v unread, want 3", n)
	}
	ns := x.get("officer", "/api/v1/notifications?unread=true&limit=2")
	items := ns.json(t)["items"].([]any)
	if len(items) != 2 || ns.json(t)["next_cursor"] == "" {
		t.Fatalf("notifications page: %s", ns.body)
	}
	first := items[0].(map[string]any)
	if first["link"] != "/consultations/"+id || first["kind"] == "" {
		t.Errorf("notification: %v", first)
	}
	if r := x.post("officer", "/api/v1/notifications/"+first["id"].(string)+"/read", ""); r.status != 200 || r.json(t)["unread"] != false {
		t.Errorf("mark read: %d %s", r.status, r.body)
	}
	if r := x.post("officer2", "/api/v1/notifications/"+first["id"].(string)+"/read", ""); r.status != 404 {
		t.Errorf("marking another's notification: %d", r.status)
	}
	if n := x.unread(t, "officer"); n != 2 {
		t.Errorf("after one read: %v unread", n)
	}
	if r := x.post("officer", "/api/v1/notifications/read-all", ""); r.status != 200 || r.json(t)["marked"] != 2.0 {
		t.Errorf("read-all: %d %s", r.status, r.body)
	}
	if n := x.unread(t, "officer"); n != 0 {
		t.Errorf("after read-all: %v unread", n)
	}
	if r := x.get("officer", "/api/v1/notifications?unread=maybe"); r.status != 400 {
		t.Errorf("bad unread filter: %d", r.status)
	}
	// Officials: untied consultations are the province's.
	if n := x.count(t, "official"); n != 1 {
		t.Errorf("province official lists %d", n)
	}
	if r := x.get("cityofficial", "/api/v1/consultations/"+id); r.status != 404 {
		t.Errorf("city official reads an untied consultation: %d", r.status)
	}
	if r := x.get("official", "/api/v1/consultations/"+id); r.status != 200 || !bytes.Contains(r.body, []byte(`"expert_id":"exp-1"`)) {
		t.Errorf("official's view: %d %s", r.status, r.body)
	}
}

func (x *consultEnv) upload(t *testing.T, who, id, name string, data []byte) resp {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	w, _ := mw.CreateFormFile("file", name)
	w.Write(data)
	mw.Close()
	return x.do("POST", "/api/v1/consultations/"+id+"/attachments", buf.String(), as(x.sec[who], "Content-Type", mw.FormDataContentType())...)
}

func TestConsultationBadInput(t *testing.T) {
	x := newConsultEnv(t)
	app := x.createApp(t, x.sec["officer2"], appBody("360702", 7))
	for _, tc := range []struct {
		name, body string
		status     int
	}{
		{"unknown route", `{"route":"lithium-battery.warp-drive","question":"q"}`, 400},
		{"no route", `{"question":"q"}`, 400},
		{"empty question", `{"route":"lithium-battery.solid-state","question":"   "}`, 400},
		{"100 KB question", `{"route":"lithium-battery.solid-state","question":"` + strings.Repeat("a", 100<<10) + `"}`, 400},
		{"bad urgency", `{"route":"lithium-battery.solid-state","question":"q","urgency":"yesterday"}`, 400},
		{"unknown field", `{"route":"lithium-battery.solid-state","question":"q","expert":"exp-1"}`, 400},
		{"malformed", `{"route":`, 400},
		{"another bank's application", `{"route":"lithium-battery.solid-state","question":"q","application_id":"` + app["id"].(string) + `"}`, 404},
	} {
		r := x.post("officer", "/api/v1/consultations", tc.body)
		if r.status != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, r.status, r.body, tc.status)
			continue
		}
		r.errorCode(t)
	}
	if r := x.do("POST", "/api/v1/consultations", "route=x", as(x.sec["officer"], "Content-Type", "application/x-www-form-urlencoded")...); r.status != 415 {
		t.Errorf("form body: %d", r.status)
	}
	if n := x.count(t, "officer"); n != 0 {
		t.Errorf("bad input stored %d consultations", n)
	}
	if r := x.get("officer", "/api/v1/consultations?state=bogus"); r.status != 400 {
		t.Errorf("bad state filter: %d", r.status)
	}
	if r := x.get("officer", "/api/v1/consultations/con-0000000000000000"); r.status != 404 {
		t.Errorf("missing: %d", r.status)
	}
}

func TestConsultationForbiddenCallers(t *testing.T) {
	x := newConsultEnv(t)
	id := x.ask(t, "officer", `{"route":"lithium-battery.solid-state","question":"问题"}`)
	for _, tc := range []struct{ who, method, path, body string }{
		{"analyst", "POST", "/api/v1/consultations", `{"route":"lithium-battery.solid-state","question":"q"}`},
		{"analyst", "GET", "/api/v1/consultations", ""},
		{"analyst", "GET", "/api/v1/consultations/" + id, ""},
		{"expert", "POST", "/api/v1/consultations", `{"route":"lithium-battery.solid-state","question":"q"}`},
		{"official", "POST", "/api/v1/consultations", `{"route":"lithium-battery.solid-state","question":"q"}`},
		{"officer", "POST", "/api/v1/consultations/" + id + "/accept", ""},
		{"officer", "POST", "/api/v1/consultations/" + id + "/answer", `{"text":"x"}`},
		{"expert", "POST", "/api/v1/consultations/" + id + "/rate", `{"stars":5}`},
		{"official", "POST", "/api/v1/consultations/" + id + "/rate", `{"stars":5}`},
		{"expert", "POST", "/api/v1/consultations/" + id + "/followup", `{"question":"q"}`},
	} {
		r := x.do(tc.method, tc.path, tc.body, as(x.sec[tc.who], conCT...)...)
		if r.status != 403 || r.errorCode(t) != "forbidden" {
			t.Errorf("%s %s %s: %d %s", tc.who, tc.method, tc.path, r.status, r.body)
		}
	}
	if r := x.do("GET", "/api/v1/consultations", ""); r.status != 401 {
		t.Errorf("anonymous: %d", r.status)
	}
	if r := x.get("officer", "/api/v1/consultations/"+id); r.json(t)["state"] != "open" {
		t.Errorf("the forbidden calls changed it: %s", r.body)
	}
}

func init() {
	allowedRoles["POST /api/v1/consultations/:id/decline"] = []string{"expert"}
}
