package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestFundRoutesBadInputAndForbidden: every fund route answers bad input
// with 400 (or the contract's 409) and a caller who may not act with 403
// (a role without the right) or 404 (an object outside the caller's bank
// or region), in the contract's error body, and nothing changes.
func TestFundRoutesBadInputAndForbidden(t *testing.T) {
	f := newFundEnv(t)
	r := f.call("officer", "POST", "/api/v1/loans", loanBody(1, 1000000))
	if r.status != http.StatusCreated {
		t.Fatalf("loan: %d %s", r.status, r.body)
	}
	active := r.json(t)["id"].(string)
	r = f.call("officer", "POST", "/api/v1/loans", loanBody(2, 500000))
	if r.status != http.StatusCreated {
		t.Fatalf("loan: %d %s", r.status, r.body)
	}
	bad := r.json(t)["id"].(string)
	if r := f.call("officer", "POST", "/api/v1/loans/"+bad+"/default", `{"date":"2025-09-01","outstanding":500000}`); r.status != 200 {
		t.Fatalf("default: %d %s", r.status, r.body)
	}
	r = f.call("officer", "POST", "/api/v1/loans/"+bad+"/claims", `{"loss":400000,"cause":"ordinary"}`)
	if r.status != http.StatusCreated {
		t.Fatalf("claim: %d %s", r.status, r.body)
	}
	claim := r.json(t)["id"].(string)
	before := f.call("admin", "GET", "/api/v1/funds/fund-360321", "").json(t)

	for _, tc := range []struct {
		user, method, path, body string
		status                   int
		code                     string
	}{
		// Funds.
		{"lianhua", "POST", "/api/v1/funds", `{"region":"99"}`, 400, "invalid_input"},
		{"admin", "POST", "/api/v1/funds", `{"region":"360322","leverage":0}`, 400, "invalid_input"},
		{"admin", "POST", "/api/v1/funds", `{"region":"360322","suspend_npl_pct":101}`, 400, "invalid_input"},
		{"lianhua", "POST", "/api/v1/funds", `{"region":"3610"}`, 403, "forbidden"},
		{"officer", "POST", "/api/v1/funds", `{"region":"360322"}`, 403, "forbidden"},
		{"official", "GET", "/api/v1/funds?region=99", "", 400, "invalid_input"},
		{"expert", "GET", "/api/v1/funds", "", 403, "forbidden"},
		{"admin", "GET", "/api/v1/funds/fund-99", "", 404, "not_found"},
		{"officer2", "GET", "/api/v1/funds/fund-360321", "", 404, "not_found"},
		{"admin", "PATCH", "/api/v1/funds/fund-360321", `{"leverage":0}`, 400, "invalid_input"},
		{"admin", "PATCH", "/api/v1/funds/fund-360321", `{"region":"3610"}`, 400, "invalid_input"},
		{"lianhua", "PATCH", "/api/v1/funds/fund-360321", `{"leverage":5}`, 403, "forbidden"},
		{"fuzhou", "PATCH", "/api/v1/funds/fund-360321", `{"name":"x"}`, 404, "not_found"},
		{"officer", "PATCH", "/api/v1/funds/fund-360321", `{"name":"x"}`, 403, "forbidden"},
		{"lianhua", "POST", "/api/v1/funds/fund-360321/contributions", `{"year":2025,"paid_in":5,"by":"nation"}`, 400, "invalid_input"},
		{"lianhua", "POST", "/api/v1/funds/fund-360321/contributions", `{"year":1999,"paid_in":5,"by":"county"}`, 400, "invalid_input"},
		{"lianhua", "POST", "/api/v1/funds/fund-360321/contributions", `{"year":2025,"paid_in":1.5,"by":"county"}`, 400, "invalid_input"},
		{"fuzhou", "POST", "/api/v1/funds/fund-360321/contributions", `{"year":2025,"paid_in":5,"by":"county"}`, 404, "not_found"},
		{"officer", "POST", "/api/v1/funds/fund-360321/contributions", `{"year":2025,"paid_in":5,"by":"county"}`, 403, "forbidden"},
		{"admin", "PUT", "/api/v1/funds/fund-360321/targets", `{"year":1999,"loan_amount":1,"startup_share_pct":10}`, 400, "invalid_input"},
		{"admin", "PUT", "/api/v1/funds/fund-360321/targets", `{"year":2025,"loan_amount":1,"startup_share_pct":101}`, 400, "invalid_input"},
		{"lianhua", "PUT", "/api/v1/funds/fund-360321/targets", `{"year":2025,"loan_amount":1,"startup_share_pct":10}`, 403, "forbidden"},
		{"officer", "PUT", "/api/v1/funds/fund-360321/targets", `{"year":2025,"loan_amount":1,"startup_share_pct":10}`, 403, "forbidden"},
		{"lianhua", "POST", "/api/v1/funds/fund-360321/banks/nobank/resume", `{"reason":"整改"}`, 404, "not_found"},
		{"fuzhou", "POST", "/api/v1/funds/fund-360321/banks/gzb/resume", `{"reason":"整改"}`, 404, "not_found"},
		{"lianhua", "POST", "/api/v1/funds/fund-360321/banks/gzb/resume", `{"reason":"` + strings.Repeat("长", 1001) + `"}`, 400, "invalid_input"},
		{"officer", "POST", "/api/v1/funds/fund-360321/banks/gzb/resume", `{"reason":"整改"}`, 403, "forbidden"},
		{"official", "POST", "/api/v1/funds/transfers", `{"from":"360321","to":"36","amount":0,"reason":"x"}`, 400, "invalid_input"},
		{"official", "POST", "/api/v1/funds/transfers", `{"from":"360321","to":"360321","amount":1,"reason":"x"}`, 400, "invalid_input"},
		{"official", "POST", "/api/v1/funds/transfers", `{"from":"360321","to":"3610","amount":1}`, 400, "invalid_input"},
		{"lianhua", "POST", "/api/v1/funds/transfers", `{"from":"360321","to":"3610","amount":1,"reason":"x"}`, 403, "forbidden"},
		{"officer", "GET", "/api/v1/funds/transfers", "", 403, "forbidden"},
		{"official", "GET", "/api/v1/funds/kpis?year=abc", "", 400, "invalid_input"},
		{"officer", "GET", "/api/v1/funds/kpis", "", 403, "forbidden"},
		{"official", "GET", "/api/v1/funds/export?kind=nope", "", 400, "invalid_input"},
		{"officer", "GET", "/api/v1/funds/export?kind=loans", "", 403, "forbidden"},
		// Loans.
		{"officer", "POST", "/api/v1/loans", `{"enterprise":{"name":"x"},"amount":1}`, 400, "invalid_input"},
		{"officer", "POST", "/api/v1/loans", `{"amount":1}`, 400, "invalid_input"},
		{"officer", "POST", "/api/v1/loans", `{"nope":1}`, 400, "invalid_input"},
		{"lianhua", "POST", "/api/v1/loans", loanBody(3, 1000), 403, "forbidden"},
		{"officer", "GET", "/api/v1/loans?state=bogus", "", 400, "invalid_input"},
		{"expert", "GET", "/api/v1/loans", "", 403, "forbidden"},
		{"officer", "GET", "/api/v1/loans/loan-zz", "", 404, "not_found"},
		{"fuzhou", "GET", "/api/v1/loans/" + active, "", 404, "not_found"},
		{"officer", "POST", "/api/v1/loans/" + active + "/repayments", `{"amount":0,"date":"2025-04-01"}`, 400, "invalid_input"},
		{"officer", "POST", "/api/v1/loans/" + active + "/repayments", `{"amount":1,"date":"2025-02-30"}`, 400, "invalid_input"},
		{"officer", "POST", "/api/v1/loans/" + bad + "/repayments", `{"amount":1,"date":"2025-10-01"}`, 409, "conflict"},
		{"lianhua", "POST", "/api/v1/loans/" + active + "/repayments", `{"amount":1,"date":"2025-04-01"}`, 403, "forbidden"},
		{"officer", "POST", "/api/v1/loans/" + active + "/default", `{"date":"2025-09-01"}`, 400, "invalid_input"},
		{"officer", "POST", "/api/v1/loans/" + active + "/default", `{"date":"2025-09-01","outstanding":-1}`, 400, "invalid_input"},
		{"officer", "POST", "/api/v1/loans/" + active + "/default", `{"date":"2025-09-01","outstanding":1000001}`, 400, "invalid_input"},
		{"officer", "POST", "/api/v1/loans/" + bad + "/default", `{"date":"2025-10-01","outstanding":1}`, 409, "conflict"},
		{"officer2", "POST", "/api/v1/loans/" + active + "/default", `{"date":"2025-09-01","outstanding":1}`, 404, "not_found"},
		{"lianhua", "POST", "/api/v1/loans/" + active + "/default", `{"date":"2025-09-01","outstanding":1}`, 403, "forbidden"},
		{"lianhua", "POST", "/api/v1/loans/" + active + "/technical-evaluation", "", 409, "conflict"},
		{"lianhua", "POST", "/api/v1/loans/loan-0000000000000000/technical-evaluation", "", 404, "not_found"},
		{"fuzhou", "POST", "/api/v1/loans/" + bad + "/technical-evaluation", "", 404, "not_found"},
		{"officer", "POST", "/api/v1/loans/" + bad + "/technical-evaluation", "", 403, "forbidden"},
		{"officer", "POST", "/api/v1/loans/" + bad + "/claims", `{"loss":1,"cause":"fate"}`, 400, "invalid_input"},
		{"officer", "POST", "/api/v1/loans/" + bad + "/claims", `{"loss":0,"cause":"ordinary"}`, 400, "invalid_input"},
		{"officer", "POST", "/api/v1/loans/" + bad + "/claims", `{"loss":1,"cause":"tech_route_failure"}`, 400, "invalid_input"},
		{"officer", "POST", "/api/v1/loans/" + bad + "/claims", `{"loss":1,"cause":"ordinary"}`, 409, "conflict"},
		{"officer2", "POST", "/api/v1/loans/" + bad + "/claims", `{"loss":1,"cause":"ordinary"}`, 404, "not_found"},
		{"lianhua", "POST", "/api/v1/loans/" + bad + "/claims", `{"loss":1,"cause":"ordinary"}`, 403, "forbidden"},
		// Evaluations and claims.
		{"lianhua", "GET", "/api/v1/evaluations/evl-0000000000000000", "", 404, "not_found"},
		{"lianhua", "GET", "/api/v1/evaluations/nope", "", 404, "not_found"},
		{"expert", "GET", "/api/v1/evaluations/evl-0000000000000000", "", 403, "forbidden"},
		{"officer", "GET", "/api/v1/claims?state=bogus", "", 400, "invalid_input"},
		{"expert", "GET", "/api/v1/claims", "", 403, "forbidden"},
		{"officer", "GET", "/api/v1/claims/clm-0000000000000000", "", 404, "not_found"},
		{"fuzhou", "GET", "/api/v1/claims/" + claim, "", 404, "not_found"},
		{"officer2", "POST", "/api/v1/claims/" + claim + "/recovery-closed", "", 404, "not_found"},
		{"lianhua", "POST", "/api/v1/claims/" + claim + "/recovery-closed", "", 403, "forbidden"},
		{"officer", "POST", "/api/v1/claims/clm-0000000000000000/recovery-closed", "", 404, "not_found"},
		{"lianhua", "POST", "/api/v1/claims/" + claim + "/approve", "", 409, "conflict"},
		{"lianhua", "POST", "/api/v1/claims/clm-0000000000000000/approve", "", 404, "not_found"},
		{"fuzhou", "POST", "/api/v1/claims/" + claim + "/approve", "", 404, "not_found"},
		{"officer", "POST", "/api/v1/claims/" + claim + "/approve", "", 403, "forbidden"},
		{"lianhua", "POST", "/api/v1/claims/" + claim + "/reject", `{"reason":"  "}`, 400, "invalid_input"},
		{"lianhua", "POST", "/api/v1/claims/" + claim + "/reject", `{"reason":5}`, 400, "invalid_input"},
		{"fuzhou", "POST", "/api/v1/claims/" + claim + "/reject", `{"reason":"x"}`, 404, "not_found"},
		{"officer", "POST", "/api/v1/claims/" + claim + "/reject", `{"reason":"x"}`, 403, "forbidden"},
	} {
		got := f.call(tc.user, tc.method, tc.path, tc.body)
		if got.status != tc.status || got.errorCode(t) != tc.code {
			t.Errorf("%s %s %s as %s = %d %.200s, want %d %s", tc.method, tc.path, tc.body, tc.user, got.status, got.body, tc.status, tc.code)
		}
	}
	after := f.call("admin", "GET", "/api/v1/funds/fund-360321", "").json(t)
	for _, k := range []string{"cash", "outstanding", "paid_out", "open_claims", "leverage", "name", "version"} {
		if before[k] != after[k] {
			t.Errorf("refused requests changed the fund's %s: %v → %v", k, before[k], after[k])
		}
	}
	if c := f.call("officer", "GET", "/api/v1/claims/"+claim, "").json(t); c["state"] != "submitted" || c["recovery_closed"] != false {
		t.Errorf("refused requests changed the claim: %v", c)
	}
}
