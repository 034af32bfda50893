package web_test

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"kedaitong/alerts"
	"kedaitong/consult"
	"kedaitong/experts"
	"kedaitong/identity"
	"kedaitong/intel"
	"kedaitong/review"
	"kedaitong/review/scoring"
	"kedaitong/web"
)

// wantField asserts a 400 in the contract's format naming the field.
func wantField(t *testing.T, what string, r resp, field string) {
	t.Helper()
	if r.status != http.StatusBadRequest {
		t.Fatalf("%s: status %d %s, want 400", what, r.status, r.body)
	}
	if code := r.errorCode(t); code != "invalid_input" {
		t.Fatalf("%s: code %q, want invalid_input", what, code)
	}
	e := r.json(t)["error"].(map[string]any)
	if got, _ := e["field"].(string); got != field {
		t.Fatalf("%s: field %q (%s), want %q", what, got, r.body, field)
	}
	if msg, _ := e["message"].(string); !strings.Contains(msg, field) {
		t.Fatalf("%s: message %q does not name %q", what, msg, field)
	}
}

// Issue 15.3: scores and money are JSON numbers, keys are exact and once.
func TestSecurityStrictJSONScores(t *testing.T) {
	s := newScoringEnv(t)
	s.accept(t, "expert")
	good := scoreJSON(7, "support")
	quoted := strings.Replace(good, `"originality":7`, `"originality":"9"`, 1)
	wantField(t, "quoted score", s.put("expert", quoted), "criteria.originality")
	quotedConf := strings.Replace(good, `"confidence":2`, `"confidence":"2"`, 1)
	wantField(t, "quoted confidence", s.put("expert", quotedConf), "confidence")
	dup := strings.Replace(good, `"originality":7`, `"originality":1,"originality":9`, 1)
	wantField(t, "duplicate criterion", s.put("expert", dup), "criteria.originality")
	dupTop := strings.Replace(good, `"recommendation":`, `"recommendation":"do_not_support","recommendation":`, 1)
	wantField(t, "duplicate recommendation", s.put("expert", dupTop), "recommendation")
	upper := strings.Replace(good, `"recommendation":`, `"Recommendation":`, 1)
	wantField(t, "case variant", s.put("expert", upper), "Recommendation")
	unknown := strings.Replace(good, `"comment":`, `"score_override":9,"comment":`, 1)
	wantField(t, "unknown field", s.put("expert", unknown), "score_override")
	// Nothing of the refused bodies was kept; the good one is.
	if r := s.put("expert", good); r.status != http.StatusOK {
		t.Fatalf("good score = %d %s", r.status, r.body)
	}
}

func TestSecurityStrictJSONBodies(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	sec := e.login("officer")
	login := func(body string) resp {
		return e.do("POST", "/api/v1/auth/login", body, appCT...)
	}
	wantField(t, "duplicate username", login(`{"username":"analyst","username":"admin","password":"`+testPW+`"}`), "username")
	wantField(t, "case variant", login(`{"Username":"admin","password":"`+testPW+`"}`), "Username")
	wantField(t, "unknown field", login(`{"username":"admin","password":"`+testPW+`","admin":true}`), "admin")
	wantField(t, "number for a string", login(`{"username":123,"password":"`+testPW+`"}`), "username")
	if r := login(`{"username":"admin","password":"` + testPW + `"} {"x":1}`); r.status != http.StatusBadRequest {
		t.Fatalf("trailing data: %d %s", r.status, r.body)
	}
	if r := login("{\"username\":\"adm\xffin\",\"password\":\"" + testPW + "\"}"); r.status != http.StatusBadRequest {
		t.Fatalf("invalid UTF-8: %d %s", r.status, r.body)
	}

	post := func(body map[string]any) resp {
		return e.do("POST", "/api/v1/applications", mustJSON(t, body), as(sec, appCT...)...)
	}
	b := appBody("360702", 3)
	b["loan"].(map[string]any)["amount"] = "3000000"
	wantField(t, "quoted money", post(b), "loan.amount")
	b = appBody("360702", 3)
	b["loan"].(map[string]any)["amount"] = 3000000.5
	wantField(t, "fractional money", post(b), "loan.amount")
	b = appBody("360702", 3)
	b["enterprise"].(map[string]any)["revenue"] = []any{"12000000", 9000000}
	wantField(t, "quoted series", post(b), "enterprise.revenue.0")
	b = appBody("360702", 3)
	b["enterprise"].(map[string]any)["Name"] = "大写"
	wantField(t, "case variant nested", post(b), "enterprise.Name")
	raw := mustJSON(t, appBody("360702", 3))
	raw = strings.Replace(raw, `"amount":3000000`, `"amount":3000000,"amount":1`, 1)
	wantField(t, "duplicate money", e.do("POST", "/api/v1/applications", raw, as(sec, appCT...)...), "loan.amount")
	if n := e.countApps(t, sec); n != 0 {
		t.Fatalf("refused bodies created %d applications", n)
	}
	if r := post(appBody("360702", 3)); r.status != http.StatusCreated {
		t.Fatalf("the good body = %d %s", r.status, r.body)
	}
}

// Strict decoding matches exact names: every field of a request body type
// must carry its JSON name (Go's case-insensitive match hid missing tags).
func TestSecurityBodyTypesNameEveryField(t *testing.T) {
	for _, v := range []any{
		identity.NewUser{}, identity.Patch{}, review.Input{}, review.DecisionInput{}, scoring.Input{}, scoring.Guideline{},
		experts.Input{}, consult.Input{}, consult.AnswerInput{}, consult.FollowUpInput{}, consult.RateInput{},
		intel.NewSource{}, intel.SourcePatch{}, alerts.NewRule{}, alerts.NewWebhook{},
	} {
		checkTags(t, reflect.TypeOf(v), reflect.TypeOf(v).String(), map[reflect.Type]bool{})
	}
}

func checkTags(t *testing.T, ty reflect.Type, path string, seen map[reflect.Type]bool) {
	for ty.Kind() == reflect.Pointer || ty.Kind() == reflect.Slice || ty.Kind() == reflect.Array || ty.Kind() == reflect.Map {
		ty = ty.Elem()
	}
	if ty.Kind() != reflect.Struct || seen[ty] || ty.PkgPath() == "time" {
		return
	}
	seen[ty] = true
	if reflect.PointerTo(ty).Implements(reflect.TypeFor[json.Unmarshaler]()) {
		return // decodes itself
	}
	for i := 0; i < ty.NumField(); i++ {
		f := ty.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		if name, _, _ := strings.Cut(tag, ","); name == "" && !f.Anonymous {
			t.Errorf("%s.%s has no JSON name", path, f.Name)
		}
		checkTags(t, f.Type, path+"."+f.Name, seen)
	}
}

func TestSecurityDecodeStrictMessages(t *testing.T) {
	type in struct {
		N     int            `json:"n"`
		M     map[string]int `json:"m"`
		Num   json.Number    `json:"num"`
		Names []string       `json:"names"`
		Sub   struct {
			A int `json:"a"`
		} `json:"sub"`
	}
	for _, tt := range []struct{ body, field, contains string }{
		{`{"n":"9"}`, "n", "not a string"},
		{`{"num":"9"}`, "num", "not a string"},
		{`{"m":{"a":1,"a":2}}`, "m.a", "twice"},
		{`{"sub":{"A":1}}`, "sub.A", "not a known field"},
		{`{"names":["x",1]}`, "names.1", "string"},
		{`{"n":1.5}`, "n", "whole number"},
	} {
		var v in
		err := web.DecodeStrict([]byte(tt.body), &v)
		if err == nil || !strings.Contains(err.Error(), tt.field+": ") || !strings.Contains(err.Error(), tt.contains) {
			t.Errorf("%s: %v, want the field %s and %q", tt.body, err, tt.field, tt.contains)
		}
	}
	var v in
	if err := web.DecodeStrict([]byte(`{"n":9,"num":12.5,"m":{"a":1},"names":["x"],"sub":{"a":2}}`), &v); err != nil || v.N != 9 || v.Num != "12.5" || v.Sub.A != 2 {
		t.Fatalf("a good body: %+v %v", v, err)
	}
}
