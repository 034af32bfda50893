package web_test

import "testing"

func init() {
	allowedRoles["GET /api/v1/banks"] = []string{"admin", "official", "bank_officer", "bank_manager"}
	allowedRoles["GET /api/v1/banks/:id"] = []string{"admin", "official", "bank_officer", "bank_manager"}
	allowedRoles["POST /api/v1/banks"] = []string{"admin"}
}

func TestBanksAPI(t *testing.T) {
	e := newEnv(t)
	e.seedUsers()
	admin := e.login("admin")
	post := func(sec, body string) resp {
		return e.do("POST", "/api/v1/banks", body, as(sec, "Content-Type", "application/json")...)
	}
	if r := post(admin, `{"id":"gzb","name":"赣州银行股份有限公司","aliases":["赣州银行"],"region":"3607"}`); r.status != 201 {
		t.Fatalf("register = %d %s", r.status, r.body)
	}
	if r := post(admin, `{"id":"gzb","name":"赣州银行股份有限公司","aliases":["赣州银行","Bank of Ganzhou"],"region":"3607"}`); r.status != 200 {
		t.Fatalf("update = %d %s", r.status, r.body)
	}
	post(admin, `{"id":"ncb","name":"江西银行股份有限公司"}`)
	for _, body := range []string{`{"id":"bad id","name":"x"}`, `{"id":"x","name":""}`, `{"id":"x","name":"y","credit_code":"123"}`, `{"id":"x","name":"y","extra":1}`} {
		if r := post(admin, body); r.status != 400 {
			t.Errorf("%s = %d, want 400", body, r.status)
		}
	}
	officer := e.login("officer") // bank gzb
	r := e.do("GET", "/api/v1/banks", "", as(officer)...)
	items := r.json(t)["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["id"] != "gzb" {
		t.Errorf("officer's banks = %s, want its own only", r.body)
	}
	if r := e.do("GET", "/api/v1/banks/ncb", "", as(officer)...); r.status != 404 {
		t.Errorf("officer reads another bank = %d, want 404", r.status)
	}
	if r := post(officer, `{"id":"gzb","name":"x"}`); r.status != 403 {
		t.Errorf("officer registers = %d, want 403", r.status)
	}
	if r := e.do("GET", "/api/v1/banks", "", as(admin)...); len(r.json(t)["items"].([]any)) != 2 {
		t.Errorf("admin's banks = %s", r.body)
	}
}
