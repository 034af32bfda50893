package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"kedaitong/identity"
	"kedaitong/review"
)

func init() {
	bank := []string{"bank_officer", "bank_manager"}
	offAdmin := []string{"official", "admin"}
	readers := []string{"bank_officer", "bank_manager", "official", "admin"}
	for k, v := range map[string][]string{
		"POST /api/v1/funds":                           offAdmin,
		"GET /api/v1/funds":                            readers,
		"GET /api/v1/funds/kpis":                       offAdmin,
		"GET /api/v1/funds/export":                     offAdmin,
		"POST /api/v1/funds/transfers":                 offAdmin,
		"GET /api/v1/funds/transfers":                  offAdmin,
		"GET /api/v1/funds/:id":                        readers,
		"PATCH /api/v1/funds/:id":                      offAdmin,
		"POST /api/v1/funds/:id/contributions":         offAdmin,
		"PUT /api/v1/funds/:id/targets":                offAdmin,
		"POST /api/v1/funds/:id/banks/:bank_id/resume": offAdmin,
		"POST /api/v1/loans":                           bank,
		"GET /api/v1/loans":                            readers,
		"GET /api/v1/loans/:id":                        readers,
		"POST /api/v1/loans/:id/repayments":            bank,
		"POST /api/v1/loans/:id/default":               bank,
		"POST /api/v1/loans/:id/technical-evaluation":  offAdmin,
		"POST /api/v1/loans/:id/claims":                bank,
		"GET /api/v1/evaluations/:id":                  readers,
		"GET /api/v1/claims":                           readers,
		"GET /api/v1/claims/:id":                       readers,
		"POST /api/v1/claims/:id/recovery-closed":      bank,
		"POST /api/v1/claims/:id/approve":              offAdmin,
		"POST /api/v1/claims/:id/reject":               offAdmin,
	} {
		allowedRoles[k] = v
	}
}

// fundEnv is a server with the test users, a Lianhua County official and
// the Lianhua pool of the seed (2,545,000 paid in at 1:10).
type fundEnv struct {
	*env
	sec map[string]string
}

func newFundEnv(t *testing.T) *fundEnv {
	e := newEnv(t)
	e.seedUsers()
	for _, n := range []identity.NewUser{
		{Username: "lianhua", Role: "official", Region: "360321", Password: testPW},
		{Username: "fuzhou", Role: "official", Region: "3610", Password: testPW},
	} {
		u, err := e.ids.CreateUser(context.Background(), nil, n)
		if err != nil {
			t.Fatal(err)
		}
		e.users[n.Username] = u
	}
	f := &fundEnv{env: e, sec: map[string]string{}}
	for _, u := range []string{"admin", "officer", "manager", "officer2", "official", "cityofficial", "lianhua", "fuzhou", "expert"} {
		f.sec[u] = e.login(u)
	}
	r := f.call("lianhua", "POST", "/api/v1/funds", `{"region":"360321","name":"莲花县风险补偿资金池"}`)
	if r.status != http.StatusCreated {
		t.Fatalf("create pool: %d %s", r.status, r.body)
	}
	r = f.call("lianhua", "POST", "/api/v1/funds/fund-360321/contributions", `{"year":2024,"budgeted":2545000,"paid_in":2545000,"by":"county"}`)
	if r.status != http.StatusCreated {
		t.Fatalf("contribution: %d %s", r.status, r.body)
	}
	return f
}

func (f *fundEnv) call(user, method, path, body string) resp {
	f.t.Helper()
	h := as(f.sec[user])
	if body != "" {
		h = append(h, "Content-Type", "application/json")
	}
	return f.do(method, path, body, h...)
}

func loanBody(n int, amount any) string {
	return fmt.Sprintf(`{"enterprise":{"name":"莲花测试企业%d","credit_code":"%s","region":"360321","founded":"2022-01-10","route":"semiconductors.ic-design"},"amount":%v,"start":"2025-03-01","term_months":36}`,
		n, review.DemoCreditCode("360321", n), amount)
}

func TestFundAPIFlow(t *testing.T) {
	f := newFundEnv(t)
	p := f.call("lianhua", "GET", "/api/v1/funds/fund-360321", "").json(t)
	if p["cash"].(float64) != 2545000 || p["capacity"].(float64) != 25450000 || p["available"].(float64) != 25450000 || p["payment_warning"].(bool) {
		t.Fatalf("seed pool: %v", p)
	}
	// Registration, then the bad inputs: each a clear error and nothing changed.
	r := f.call("officer", "POST", "/api/v1/loans", loanBody(1, 20000000))
	if r.status != http.StatusCreated {
		t.Fatalf("register: %d %s", r.status, r.body)
	}
	loan := r.json(t)
	if loan["fund_id"] != "fund-360321" || loan["state"] != "active" || loan["hard_tech"] != true || loan["outstanding"].(float64) != 20000000 || loan["bank_id"] != "gzb" {
		t.Fatalf("loan %v", loan)
	}
	id := loan["id"].(string)
	for _, tc := range []struct {
		user, method, path, body string
		status                   int
		code                     string
	}{
		{"officer2", "POST", "/api/v1/loans", loanBody(2, 5450001), 409, "capacity_exceeded"},
		{"officer2", "POST", "/api/v1/loans", loanBody(2, -5), 400, "invalid_input"},
		{"officer2", "POST", "/api/v1/loans", loanBody(2, 1.5), 400, "invalid_input"},
		{"officer2", "POST", "/api/v1/loans", strings.Replace(loanBody(2, 100), `"360321","founded"`, `"360702","founded"`, 1), 400, "invalid_input"},
		{"officer2", "POST", "/api/v1/loans", `{"application_id":"app-0000000000000000"}`, 404, "not_found"},
		{"officer2", "GET", "/api/v1/loans/" + id, "", 404, "not_found"},
		{"officer2", "POST", "/api/v1/loans/" + id + "/repayments", `{"amount":1,"date":"2025-04-01"}`, 404, "not_found"},
		{"officer", "POST", "/api/v1/loans/" + id + "/repayments", `{"amount":20000001,"date":"2025-04-01"}`, 400, "invalid_input"},
		{"officer", "POST", "/api/v1/loans/" + id + "/repayments", `{"amount":"5","date":"2025-04-01"}`, 400, "invalid_input"},
		{"officer", "POST", "/api/v1/loans/" + id + "/claims", `{"loss":1,"cause":"ordinary"}`, 409, "conflict"},
		{"cityofficial", "POST", "/api/v1/funds/fund-360321/contributions", `{"year":2025,"paid_in":5,"by":"county"}`, 404, "not_found"},
		{"cityofficial", "GET", "/api/v1/funds/fund-360321", "", 404, "not_found"},
		{"lianhua", "POST", "/api/v1/funds/fund-360321/contributions", `{"year":2025,"paid_in":-5,"by":"county"}`, 400, "invalid_input"},
		{"lianhua", "POST", "/api/v1/funds", `{"region":"360321"}`, 409, "conflict"},
		{"official", "POST", "/api/v1/funds/transfers", `{"from":"360321","to":"3610","amount":1,"reason":"x"}`, 400, "invalid_input"},
	} {
		got := f.call(tc.user, tc.method, tc.path, tc.body)
		if got.status != tc.status || got.errorCode(t) != tc.code {
			t.Errorf("%s %s %s as %s = %d %s, want %d %s", tc.method, tc.path, tc.body, tc.user, got.status, got.body, tc.status, tc.code)
		}
	}
	p = f.call("lianhua", "GET", "/api/v1/funds/fund-360321", "").json(t)
	if p["outstanding"].(float64) != 20000000 || p["cash"].(float64) != 2545000 {
		t.Fatalf("bad input changed the pool: %v", p)
	}
	// Default, claim, recovery, approval.
	if r := f.call("officer", "POST", "/api/v1/loans/"+id+"/default", `{"date":"2025-09-01","outstanding":1500000}`); r.status != 200 || r.json(t)["state"] != "non_performing" {
		t.Fatalf("default: %d %s", r.status, r.body)
	}
	if r := f.call("officer", "POST", "/api/v1/loans/"+id+"/claims", `{"loss":1500001,"cause":"ordinary"}`); r.status != 400 {
		t.Errorf("claim above outstanding at default: %d %s", r.status, r.body)
	}
	r = f.call("officer", "POST", "/api/v1/loans/"+id+"/claims", `{"loss":1000000,"cause":"ordinary"}`)
	if r.status != http.StatusCreated {
		t.Fatalf("claim: %d %s", r.status, r.body)
	}
	claim := r.json(t)
	cid := claim["id"].(string)
	if claim["share_pct"].(float64) != 90 || claim["compensation"].(float64) != 900000 || claim["province_part"].(float64) != 450000 || claim["local_part"].(float64) != 450000 || claim["state"] != "submitted" {
		t.Fatalf("claim %v", claim)
	}
	if r := f.call("officer", "POST", "/api/v1/loans/"+id+"/claims", `{"loss":1,"cause":"ordinary"}`); r.status != 409 {
		t.Errorf("second open claim: %d", r.status)
	}
	if r := f.call("lianhua", "POST", "/api/v1/claims/"+cid+"/approve", ""); r.status != 409 {
		t.Errorf("approve before recovery closed: %d %s", r.status, r.body)
	}
	if r := f.call("cityofficial", "POST", "/api/v1/claims/"+cid+"/approve", ""); r.status != 404 {
		t.Errorf("approve by another region: %d %s", r.status, r.body)
	}
	if r := f.call("officer2", "GET", "/api/v1/claims/"+cid, ""); r.status != 404 {
		t.Errorf("another bank reads the claim: %d", r.status)
	}
	if r := f.call("officer", "POST", "/api/v1/claims/"+cid+"/recovery-closed", ""); r.status != 200 {
		t.Fatalf("recovery closed: %d %s", r.status, r.body)
	}
	r = f.call("lianhua", "POST", "/api/v1/claims/"+cid+"/approve", "")
	if r.status != 200 || r.json(t)["state"] != "paid" {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	p = f.call("lianhua", "GET", "/api/v1/funds/fund-360321", "").json(t)
	if p["cash"].(float64) != 1645000 || p["paid_out"].(float64) != 900000 {
		t.Errorf("pool after paying: %v", p)
	}
	banks := p["banks"].([]any)
	if len(banks) != 1 || banks[0].(map[string]any)["bank_id"] != "gzb" {
		t.Errorf("bank rows %v", banks)
	}
	// KPIs and the export.
	k := f.call("official", "GET", "/api/v1/funds/kpis?region=36&year=2025", "")
	if k.status != 200 || !strings.Contains(string(k.body), `"region":"360321"`) || !strings.Contains(string(k.body), `"leverage_used_pct"`) {
		t.Errorf("kpis: %d %s", k.status, k.body)
	}
	if k := f.call("official", "GET", "/api/v1/funds/kpis?year=abc", ""); k.status != 400 {
		t.Errorf("bad year: %d", k.status)
	}
	x := f.call("official", "GET", "/api/v1/funds/export?kind=loans", "")
	if x.status != 200 || !strings.HasPrefix(string(x.body), "PK") {
		t.Errorf("export: %d %.100s", x.status, x.body)
	}
	if x := f.call("official", "GET", "/api/v1/funds/export?kind=nope", ""); x.status != 400 {
		t.Errorf("bad export kind: %d", x.status)
	}
	// The audit log shows who moved money.
	a := f.call("admin", "GET", "/api/v1/audit?limit=200", "")
	for _, act := range []string{"fund.contribution", "loan.register", "claim.approve"} {
		if !strings.Contains(string(a.body), act) {
			t.Errorf("audit lacks %s", act)
		}
	}
	// The OpenAPI document lists the fund's routes.
	o := f.do("GET", "/api/v1/openapi.json", "")
	for _, path := range []string{"/api/v1/funds/{id}/contributions", "/api/v1/loans/{id}/claims", "/api/v1/claims/{id}/approve", "/api/v1/funds/kpis"} {
		if !strings.Contains(string(o.body), path) {
			t.Errorf("OpenAPI lacks %s", path)
		}
	}
	// The fields mark hard-tech routes.
	if fl := f.call("officer", "GET", "/api/v1/fields", ""); !strings.Contains(string(fl.body), `"hard_tech":true`) {
		t.Error("GET /api/v1/fields lacks hard_tech marks")
	}
}

func TestFundSuspensionOverHTTP(t *testing.T) {
	f := newFundEnv(t)
	var ids []string
	for i, amount := range []int{9500000, 600000} {
		r := f.call("officer", "POST", "/api/v1/loans", loanBody(10+i, amount))
		if r.status != 201 {
			t.Fatalf("loan: %d %s", r.status, r.body)
		}
		ids = append(ids, r.json(t)["id"].(string))
	}
	if r := f.call("officer", "POST", "/api/v1/loans/"+ids[1]+"/default", `{"date":"2025-09-01","outstanding":600000}`); r.status != 200 {
		t.Fatalf("default: %d %s", r.status, r.body)
	}
	r := f.call("officer", "POST", "/api/v1/loans", loanBody(20, 1000))
	if r.status != 409 || r.errorCode(t) != "bank_suspended" {
		t.Fatalf("loan while suspended: %d %s", r.status, r.body)
	}
	// The bank's manager was notified.
	n := f.call("manager", "GET", "/api/v1/notifications", "")
	if !strings.Contains(string(n.body), "fund.npl_suspended") {
		t.Errorf("manager's notifications: %s", n.body)
	}
	if r := f.call("lianhua", "POST", "/api/v1/funds/fund-360321/banks/gzb/resume", `{"reason":""}`); r.status != 400 {
		t.Errorf("resume without reason: %d", r.status)
	}
	if r := f.call("cityofficial", "POST", "/api/v1/funds/fund-360321/banks/gzb/resume", `{"reason":"x"}`); r.status != 404 {
		t.Errorf("resume by another region: %d", r.status)
	}
	if r := f.call("lianhua", "POST", "/api/v1/funds/fund-360321/banks/gzb/resume", `{"reason":"整改到位"}`); r.status != 200 {
		t.Fatalf("resume: %d %s", r.status, r.body)
	}
	if r := f.call("officer", "POST", "/api/v1/loans", loanBody(21, 1000)); r.status != 201 {
		t.Errorf("loan after resume: %d %s", r.status, r.body)
	}
}

// TestFundEvaluationOverHTTP: an official orders a technical evaluation;
// the seat appears in the expert's assignments with kind evaluation and the
// loan id; the expert accepts, answers route failure and submits; the
// evaluation closes with that finding and the bank's claim is accelerated.
func TestFundEvaluationOverHTTP(t *testing.T) {
	f := newFundEnv(t)
	if r := f.call("admin", "POST", "/api/v1/experts", `{"id":"exp-1","name":"李芯","tier":"industry","fields":["semiconductors.ic-design"],"organisations":["南昌大学"],"region":"3601","capacity":3,"email":"li@example.cn"}`); r.status != http.StatusCreated {
		t.Fatalf("expert: %d %s", r.status, r.body)
	}
	id := f.call("officer", "POST", "/api/v1/loans", loanBody(30, 1000000)).json(t)["id"].(string)
	if r := f.call("lianhua", "POST", "/api/v1/loans/"+id+"/technical-evaluation", ""); r.status != 409 {
		t.Errorf("evaluation of an active loan: %d %s", r.status, r.body)
	}
	f.call("officer", "POST", "/api/v1/loans/"+id+"/default", `{"date":"2025-09-01","outstanding":800000}`)
	if r := f.call("cityofficial", "POST", "/api/v1/loans/"+id+"/technical-evaluation", ""); r.status != 404 {
		t.Errorf("evaluation by another region: %d %s", r.status, r.body)
	}
	r := f.call("lianhua", "POST", "/api/v1/loans/"+id+"/technical-evaluation", "")
	if r.status != http.StatusCreated {
		t.Fatalf("order: %d %s", r.status, r.body)
	}
	evID := r.json(t)["id"].(string)
	list := f.call("expert", "GET", "/api/v1/assignments", "").json(t)["items"].([]any)
	if len(list) != 1 {
		t.Fatalf("expert's assignments: %v", list)
	}
	seat := list[0].(map[string]any)
	if seat["kind"] != "evaluation" || seat["loan_id"] != id || seat["state"] != "invited" {
		t.Fatalf("seat %v", seat)
	}
	sid := seat["id"].(string)
	if r := f.call("officer", "POST", "/api/v1/assignments/"+sid+"/accept", ""); r.status != 403 {
		t.Errorf("a bank accepting: %d", r.status)
	}
	if r := f.call("expert", "POST", "/api/v1/assignments/"+sid+"/accept", ""); r.status != 200 {
		t.Fatalf("accept: %d %s", r.status, r.body)
	}
	if r := f.call("expert", "PUT", "/api/v1/assignments/"+sid+"/score", `{"comment":"x"}`); r.status != 400 {
		t.Errorf("answer without route_failure: %d %s", r.status, r.body)
	}
	if r := f.call("expert", "PUT", "/api/v1/assignments/"+sid+"/score", `{"route_failure":true,"comment":"28nm 路线被替代"}`); r.status != 200 {
		t.Fatalf("score: %d %s", r.status, r.body)
	}
	if r := f.call("expert", "POST", "/api/v1/assignments/"+sid+"/submit", ""); r.status != 200 {
		t.Fatalf("submit: %d %s", r.status, r.body)
	}
	ev := f.call("officer", "GET", "/api/v1/evaluations/"+evID, "").json(t)
	if ev["state"] != "closed" || ev["finding"] != "route_failure" || ev["loan_id"] != id {
		t.Fatalf("evaluation %v", ev)
	}
	if r := f.call("officer2", "GET", "/api/v1/evaluations/"+evID, ""); r.status != 404 {
		t.Errorf("another bank reads the evaluation: %d", r.status)
	}
	c := f.call("officer", "POST", "/api/v1/loans/"+id+"/claims", `{"loss":800000,"cause":"tech_route_failure","evaluation_id":"`+evID+`"}`).json(t)
	if c["accelerated"] != true {
		t.Fatalf("claim %v", c)
	}
	if r := f.call("lianhua", "POST", "/api/v1/claims/"+c["id"].(string)+"/approve", ""); r.status != 200 || r.json(t)["state"] != "paid" {
		t.Errorf("accelerated approval: %d %s", r.status, r.body)
	}
}
