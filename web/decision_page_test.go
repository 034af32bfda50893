package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestDecisionPage: after the report, the bank records its lending
// decision on the application's page (amount in 万元, read as whole yuan);
// the page then shows the decision and the way to register the loan. Bad
// input changes nothing; another bank cannot decide; a second decision is
// refused.
func TestDecisionPage(t *testing.T) {
	r := newRREnv(t)
	r.score(t, r.appID, 7, 0, "support")
	page := "/applications/" + r.appID
	if x := r.do("GET", page, "", as(r.sec["officer"])...); x.status != 200 || !strings.Contains(string(x.body), `id="decision-form"`) {
		t.Fatalf("the closed application's page = %d, decision form shown: %v", x.status, strings.Contains(string(x.body), `id="decision-form"`))
	}
	// Bad input: a negative amount, no outcome, a date in the future.
	for _, bad := range []url.Values{
		{"granted": {"true"}, "amount_wan": {"-5"}, "date": {"2026-01-05"}},
		{"amount_wan": {"300"}, "date": {"2026-01-05"}},
		{"granted": {"true"}, "amount_wan": {"300"}, "date": {"2999-01-01"}},
		{"granted": {"true"}, "amount_wan": {"3.123456"}, "date": {"2026-01-05"}},
	} {
		x := r.pageForm(t, "officer", page, page+"/decision", bad)
		if x.status != 400 {
			t.Errorf("decision %v = %d, want 400", bad, x.status)
		}
		if got := r.do("GET", "/api/v1/applications/"+r.appID, "", as(r.sec["officer"])...).json(t)["decision"]; got != nil {
			t.Fatalf("a refused form recorded a decision: %v", got)
		}
	}
	// Another bank's officer never sees the form's target.
	if x := r.do("GET", page, "", as(r.login("officer2"))...); x.status != 404 {
		t.Errorf("another bank opens the application: %d %s", x.status, x.body)
	}
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
	x := r.pageForm(t, "officer", page, page+"/decision", url.Values{"granted": {"true"}, "amount_wan": {"250.5"}, "date": {today}})
	if x.status != 200 || !strings.Contains(string(x.body), `id="app-decision-granted"`) {
		t.Fatalf("decision = %d, shown: %v\n%s", x.status, strings.Contains(string(x.body), `id="app-decision-granted"`), x.body)
	}
	d := r.do("GET", "/api/v1/applications/"+r.appID, "", as(r.sec["officer"])...).json(t)["decision"].(map[string]any)
	if d["granted"] != true || d["amount"] != float64(2505000) || d["date"] != today {
		t.Errorf("decision = %v, want granted 2,505,000 on %s", d, today)
	}
	if strings.Contains(string(x.body), `id="decision-form"`) {
		t.Errorf("the form is still offered after the decision")
	}
	if x := r.pageForm(t, "officer", "/applications", page+"/decision", url.Values{"granted": {"false"}, "date": {today}}); x.status != 409 {
		t.Errorf("a second decision = %d, want 409", x.status)
	}
}
