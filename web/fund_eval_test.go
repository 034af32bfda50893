package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"kedaitong/review"
)

func init() {
	readers := []string{"bank_officer", "bank_manager", "official", "admin"}
	allowedRoles["GET /api/v1/evaluations"] = readers
	allowedRoles["GET /api/v1/evaluations/:id/seats"] = readers
}

// evalEnv is the panel environment (experts exp-1…exp-6 on semiconductors,
// the expert user is exp-1) with a Ganzhou County pool (360702) and n
// defaulted loans of bank gzb on semiconductors.ic-design, each with a
// technical evaluation ordered by the admin.
func newEvalEnv(t *testing.T, n int) (*panelEnv, []string) {
	p := newPanelEnv(t)
	for _, u := range []string{"manager", "officer2"} {
		p.sec[u] = p.login(u)
	}
	call := func(who, method, path, body string, want int) map[string]any {
		t.Helper()
		h := as(p.sec[who])
		if body != "" {
			h = append(h, "Content-Type", "application/json")
		}
		r := p.do(method, path, body, h...)
		if r.status != want {
			t.Fatalf("%s %s as %s = %d %s", method, path, who, r.status, r.body)
		}
		if len(r.body) == 0 {
			return nil
		}
		return r.json(t)
	}
	call("admin", "POST", "/api/v1/funds", `{"region":"360702","name":"章贡区风险补偿资金池"}`, http.StatusCreated)
	call("admin", "POST", "/api/v1/funds/fund-360702/contributions", `{"year":2025,"budgeted":5000000,"paid_in":5000000,"by":"county"}`, http.StatusCreated)
	var evals, loans []string
	for i := range n { // all registered before the defaults suspend the bank
		l := call("officer", "POST", "/api/v1/loans", fmt.Sprintf(`{"enterprise":{"name":"章贡芯片%d有限公司","credit_code":"%s","region":"360702","founded":"2021-01-10","route":"semiconductors.ic-design"},"amount":1000000,"start":"2025-02-01","term_months":36}`,
			i, review.DemoCreditCode("360702", 500+i)), http.StatusCreated)
		loans = append(loans, l["id"].(string))
	}
	for _, id := range loans {
		call("officer", "POST", "/api/v1/loans/"+id+"/default", `{"date":"2025-09-01","outstanding":800000}`, http.StatusOK)
		ev := call("admin", "POST", "/api/v1/loans/"+id+"/technical-evaluation", "", http.StatusCreated)
		evals = append(evals, ev["id"].(string))
	}
	return p, evals
}

// TestAssignmentsPageBothKinds: an expert's review assignments and
// evaluation seats page together: at every page size each appears exactly
// once, newest first, with its kind (evaluation seats carry loan_id).
func TestAssignmentsPageBothKinds(t *testing.T) {
	p, _ := newEvalEnv(t, 3)
	if r := p.do("POST", "/api/v1/assignments/run", "", as(p.sec["official"])...); r.status != 200 {
		t.Fatalf("run = %d %s", r.status, r.body)
	}
	all := p.items(t, "expert", "/api/v1/assignments?limit=500")
	kinds := map[string]int{}
	for _, it := range all {
		kinds[it["kind"].(string)]++
		if it["kind"] == "evaluation" && it["loan_id"] == "" {
			t.Errorf("evaluation seat without loan_id: %v", it)
		}
	}
	if kinds["review"] < 1 || kinds["evaluation"] != 3 {
		t.Fatalf("kinds = %v, want review seats and 3 evaluation seats", kinds)
	}
	for _, limit := range []int{1, 2, 3} {
		var got []string
		cursor := ""
		for page := 0; page < 20; page++ {
			q := url.Values{"limit": {fmt.Sprint(limit)}}
			if cursor != "" {
				q.Set("cursor", cursor)
			}
			r := p.do("GET", "/api/v1/assignments?"+q.Encode(), "", as(p.sec["expert"])...)
			if r.status != 200 {
				t.Fatalf("page: %d %s", r.status, r.body)
			}
			body := r.json(t)
			items := body["items"].([]any)
			if len(items) > limit {
				t.Fatalf("limit %d: page of %d", limit, len(items))
			}
			for _, it := range items {
				got = append(got, it.(map[string]any)["id"].(string))
			}
			cursor, _ = body["next_cursor"].(string)
			if cursor == "" {
				break
			}
		}
		var want []string
		for _, it := range all {
			want = append(want, it["id"].(string))
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("limit %d: paged %v, want %v", limit, got, want)
		}
	}
	// The state filter applies to both kinds.
	for _, it := range p.items(t, "expert", "/api/v1/assignments?state=invited") {
		if it["state"] != "invited" {
			t.Errorf("state filter: %v", it)
		}
	}
	// Another role's list has no evaluation seats in it.
	for _, it := range p.items(t, "official", "/api/v1/assignments") {
		if it["kind"] != "review" {
			t.Errorf("official's list: %v", it)
		}
	}
}

// TestEvaluationSeatAPI: the expert answers an evaluation seat through the
// assignment routes; bad answers and other callers are refused; officials
// read the evaluation list and its seats with expert names.
func TestEvaluationSeatAPI(t *testing.T) {
	p, evals := newEvalEnv(t, 1)
	var seat map[string]any
	for _, it := range p.items(t, "expert", "/api/v1/assignments") {
		if it["kind"] == "evaluation" {
			seat = it
		}
	}
	if seat == nil {
		t.Fatal("the expert has no evaluation seat")
	}
	id := seat["id"].(string)
	if seat["enterprise"] != "章贡芯片0有限公司" || seat["amount"].(float64) != 1000000 || seat["default_outstanding"].(float64) != 800000 || seat["bank_id"] != "gzb" || seat["due"] == "" {
		t.Errorf("seat facts: %v", seat)
	}
	h := func(who string) []string { return as(p.sec[who], "Content-Type", "application/json") }
	for _, tc := range []struct {
		who, method, path, body string
		status                  int
	}{
		{"expert", "PUT", "/api/v1/assignments/" + id + "/score", `{"route_failure":true}`, http.StatusConflict}, // not accepted yet
		{"officer", "POST", "/api/v1/assignments/" + id + "/accept", "", http.StatusForbidden},
		{"expert", "POST", "/api/v1/assignments/evs-0000000000000000/accept", "", http.StatusNotFound},
		{"expert", "POST", "/api/v1/assignments/" + id + "/accept", "", http.StatusOK},
		{"expert", "POST", "/api/v1/assignments/" + id + "/accept", "", http.StatusConflict},
		{"expert", "PUT", "/api/v1/assignments/" + id + "/score", `{"comment":"没有结论"}`, http.StatusBadRequest},
		{"expert", "PUT", "/api/v1/assignments/" + id + "/score", `{"route_failure":"yes"}`, http.StatusBadRequest},
		{"expert", "PUT", "/api/v1/assignments/" + id + "/score", `{"route_failure":true,"comment":"技术路线被替代","extra":1}`, http.StatusBadRequest},
		{"expert", "PUT", "/api/v1/assignments/" + id + "/score", `{"route_failure":true,"comment":"技术路线被替代"}`, http.StatusOK},
		{"officer", "GET", "/api/v1/evaluations/" + evals[0] + "/seats", "", http.StatusNotFound},
		{"expert", "GET", "/api/v1/evaluations", "", http.StatusForbidden},
		{"cityofficial", "GET", "/api/v1/evaluations?state=bogus", "", http.StatusBadRequest},
	} {
		r := p.do(tc.method, tc.path, tc.body, h(tc.who)...)
		if r.status != tc.status {
			t.Errorf("%s %s as %s = %d %s, want %d", tc.method, tc.path, tc.who, r.status, r.body, tc.status)
		}
	}
	// Officials of the region read the evaluation and its seats by name.
	list := p.do("GET", "/api/v1/evaluations", "", as(p.sec["cityofficial"])...).json(t)["items"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["id"] != evals[0] || list[0].(map[string]any)["state"] != "open" {
		t.Fatalf("evaluations: %v", list)
	}
	seats := p.do("GET", "/api/v1/evaluations/"+evals[0]+"/seats", "", as(p.sec["cityofficial"])...).json(t)["items"].([]any)
	names := map[string]bool{}
	for _, x := range seats {
		names[x.(map[string]any)["expert_name"].(string)] = true
	}
	if !names["李院士"] {
		t.Errorf("seats by name: %v", seats)
	}
	// The bank reads its loan's evaluation in the list, never the seats.
	if l := p.do("GET", "/api/v1/evaluations", "", as(p.sec["officer"])...).json(t)["items"].([]any); len(l) != 1 {
		t.Errorf("bank's evaluations: %v", l)
	}
	if l := p.do("GET", "/api/v1/evaluations", "", as(p.sec["officer2"])...).json(t)["items"].([]any); len(l) != 0 {
		t.Errorf("another bank sees %v", l)
	}
	r := p.do("POST", "/api/v1/assignments/"+id+"/submit", "", as(p.sec["expert"])...)
	if r.status != 200 || r.json(t)["state"] != "submitted" {
		t.Fatalf("submit: %d %s", r.status, r.body)
	}
}

// TestFundKPIKeyListAndDocking: the KPIs count the key-list enterprises of
// the pool's region (the data hub's provincial key projects), those reached
// by a loan of the pool, and the region's docking conversion.
func TestFundKPIKeyListAndDocking(t *testing.T) {
	f := newFundEnv(t)
	code1, code2 := review.DemoCreditCode("360321", 1), review.DemoCreditCode("360321", 2)
	csv := func(source, body string) {
		t.Helper()
		r := f.do("POST", "/api/v1/datahub/import?source="+source, body, as(f.sec["admin"], "Content-Type", "text/csv")...)
		if r.status != http.StatusOK && r.status != http.StatusCreated {
			t.Fatalf("import %s: %d %s", source, r.status, r.body)
		}
	}
	csv("registration", "credit_code,name,region,founded,registered_capital,status\n"+
		code1+",莲花测试企业1,360321,2022-01-10,1000000,active\n"+code2+",莲花测试企业2,360321,2020-05-01,2000000,active\n")
	csv("projects", "credit_code,project_id,level,title,amount,start,end\n"+
		code1+",P-1,provincial,固态电池中试,500000,2024-01-01,2026-12-31\n"+code2+",P-2,national,芯片设计,900000,2024-01-01,2026-12-31\n")
	kpi := func() map[string]any {
		t.Helper()
		r := f.call("lianhua", "GET", "/api/v1/funds/kpis", "")
		if r.status != 200 {
			t.Fatalf("kpis: %d %s", r.status, r.body)
		}
		items := r.json(t)["items"].([]any)
		if len(items) != 1 {
			t.Fatalf("kpi rows: %v", items)
		}
		return items[0].(map[string]any)
	}
	if k := kpi(); k["key_list_enterprises"].(float64) != 2 || k["key_list_reached"].(float64) != 0 || k["key_list_reached_pct"].(float64) != 0 {
		t.Fatalf("before loans: %v", k)
	}
	if r := f.call("officer", "POST", "/api/v1/loans", loanBody(1, 1000000)); r.status != http.StatusCreated {
		t.Fatalf("loan: %d %s", r.status, r.body)
	}
	if r := f.call("officer", "POST", "/api/v1/loans", loanBody(1, 500000)); r.status != http.StatusCreated { // the same enterprise again
		t.Fatalf("loan: %d %s", r.status, r.body)
	}
	r := f.call("officer", "POST", "/api/v1/docking", `{"credit_code":"`+code2+`","kind":"loan","note":"有意授信"}`)
	if r.status != http.StatusCreated {
		t.Fatalf("docking: %d %s", r.status, r.body)
	}
	dock := r.json(t)["id"].(string)
	k := kpi()
	if k["key_list_reached"].(float64) != 1 || k["key_list_reached_pct"].(float64) != 50 || k["dockings"].(float64) != 1 || k["docking_conversion_pct"].(float64) != 0 {
		t.Errorf("after a loan and a docking: %v", k)
	}
	if r := f.call("lianhua", "POST", "/api/v1/docking/"+dock+"/follow-up", `{"state":"converted","note":"已放款"}`); r.status != 200 {
		t.Fatalf("follow-up: %d %s", r.status, r.body)
	}
	if k := kpi(); k["dockings_converted"].(float64) != 1 || k["docking_conversion_pct"].(float64) != 100 {
		t.Errorf("after conversion: %v", k)
	}
}

// TestFundSeatPagesBadInputAndForbidden: the pages' forms refuse a decline
// without a reason, an answer without a conclusion and a submission before
// it, each with the message on the page and nothing changed; other roles
// cannot use the expert's forms, banks cannot read transfers, another
// bank cannot open the evaluation.
func TestFundSeatPagesBadInputAndForbidden(t *testing.T) {
	p, evals := newEvalEnv(t, 1)
	var seatID string
	for _, it := range p.items(t, "expert", "/api/v1/assignments") {
		if it["kind"] == "evaluation" {
			seatID = it["id"].(string)
		}
	}
	post := func(who, path string, v url.Values) resp {
		t.Helper()
		return p.formPost(t, p.sec[who], "zh-CN", "/fund/seats", path, v)
	}
	errOf := func(r resp) string {
		t.Helper()
		if r.status != http.StatusSeeOther {
			t.Fatalf("status %d %s", r.status, r.body)
		}
		u, _ := url.Parse(r.header.Get("Location"))
		return u.Query().Get("err")
	}
	if e := errOf(post("expert", "/fund/seats/"+seatID+"/decline", url.Values{"reason": {"  "}})); !strings.Contains(e, "原因") {
		t.Errorf("decline without a reason: %q", e)
	}
	if e := errOf(post("expert", "/fund/seats/"+seatID+"/answer", url.Values{"route_failure": {"true"}})); !strings.Contains(e, "接受") {
		t.Errorf("answer before accepting: %q", e)
	}
	if e := errOf(post("expert", "/fund/seats/"+seatID+"/accept", url.Values{})); e != "" {
		t.Fatalf("accept: %q", e)
	}
	if e := errOf(post("expert", "/fund/seats/"+seatID+"/answer", url.Values{"comment": {"无结论"}, "then": {"submit"}})); !strings.Contains(e, "技术路线") {
		t.Errorf("answer without a conclusion: %q", e)
	}
	if e := errOf(post("expert", "/fund/seats/"+seatID+"/submit", url.Values{})); !strings.Contains(e, "保存") {
		t.Errorf("submit before saving: %q", e)
	}
	// The confirmation page needs a saved answer: without one it sends back.
	if r := p.do("GET", "/fund/seats/"+seatID+"/confirm", "", as(p.sec["expert"])...); strings.Contains(string(r.body), "fund-confirm-submit") {
		t.Errorf("confirm without an answer: %d, the confirmation shown", r.status)
	}
	r := post("expert", "/fund/seats/"+seatID+"/answer", url.Values{"route_failure": {"false"}, "comment": {"市场原因"}, "then": {"submit"}})
	if r.status != http.StatusSeeOther || !strings.HasSuffix(r.header.Get("Location"), "/confirm") {
		t.Fatalf("answer then submit: %d %s", r.status, r.header.Get("Location"))
	}
	if r := p.do("GET", "/fund/seats/"+seatID+"/confirm?lang=en", "", as(p.sec["expert"])...); r.status != 200 || !strings.Contains(string(r.body), "No: not a route failure") || !strings.Contains(string(r.body), "fund-confirm-submit") {
		t.Errorf("confirmation page: %d", r.status)
	}
	// Nothing is submitted until the confirmation.
	if s := p.do("GET", "/api/v1/assignments/"+seatID, "", as(p.sec["expert"])...).json(t); s["state"] != "accepted" {
		t.Errorf("state before confirming: %v", s["state"])
	}
	// Forbidden callers.
	for _, tc := range []struct {
		who, method, path string
		status            int
	}{
		{"officer", "GET", "/fund/transfers", http.StatusForbidden},
		{"expert", "GET", "/fund/transfers", http.StatusForbidden},
		{"expert", "GET", "/fund/evaluations", http.StatusForbidden},
		{"officer2", "GET", "/fund/evaluations/" + evals[0], http.StatusNotFound},
		{"officer", "GET", "/fund/seats/" + seatID + "/confirm", http.StatusForbidden},
		{"cityofficial", "GET", "/fund/seats/" + seatID + "/confirm", http.StatusForbidden},
		{"officer", "GET", "/fund/evaluations/" + evals[0], http.StatusOK},
		{"cityofficial", "GET", "/fund/evaluations/" + evals[0], http.StatusOK},
		{"official", "GET", "/fund/transfers", http.StatusOK},
	} {
		if r := p.do(tc.method, tc.path, "", as(p.sec[tc.who])...); r.status != tc.status {
			t.Errorf("%s %s as %s = %d, want %d", tc.method, tc.path, tc.who, r.status, tc.status)
		}
	}
	// A bank officer posting the expert's form is refused by the guard.
	if r := p.formPost(t, p.sec["officer"], "zh-CN", "/fund/loans", "/fund/seats/"+seatID+"/submit", url.Values{}); r.status != http.StatusForbidden {
		t.Errorf("bank posting a seat submission: %d", r.status)
	}
	// The bank's evaluation page shows no panel names.
	if r := p.do("GET", "/fund/evaluations/"+evals[0], "", as(p.sec["officer"])...); strings.Contains(string(r.body), "李院士") {
		t.Error("the bank sees the panel's names")
	}
}
