package web_test

import (
	"net/url"
	"strings"
	"testing"

	"kedaitong/review"
)

// Issue 15's class of defect in the data hub: that an investor endorsed an
// application tells whoever reads it that the enterprise is some bank's
// applicant. Another bank never learns it — neither through the portrait's
// flag, nor a list filtered by it, nor a portrait that exists only because
// of the endorsement.
func TestSecurityEndorsementStaysWithTheApplicantsBank(t *testing.T) {
	h := newHubEnv(t)
	// h.chip is in the data hub; the second enterprise is not.
	bare := review.DemoCreditCode("360702", 5)
	h.importCSV(t, h.admin, "investments", "credit_code,investor,amount,date\n"+
		h.chip+",赣江科创投资有限公司,5000000,2024-06-30\n", 200)
	body := `{"invested":5000000,"date":"2024-06-30","statement":"技术路线成熟"}`
	for _, code := range []string{h.chip, bare} {
		b := appBody("360702", 1)
		b["enterprise"].(map[string]any)["credit_code"] = code
		app := h.createApp(t, h.officer, b)
		id := app["id"].(string)
		if code == bare {
			// The register does not know the investment yet: import it.
			h.importCSV(t, h.admin, "investments", "credit_code,investor,amount,date\n"+bare+",赣江科创投资有限公司,3000000,2024-05-30\n", 200)
		}
		if r := h.do("POST", "/api/v1/applications/"+id+"/endorsements", body, as(h.investor, appCT...)...); r.status != 201 {
			t.Fatalf("endorse %s = %d %s", code, r.status, r.body)
		}
	}
	// The applicant's bank, officials and the investor see the flag.
	for who, sec := range map[string]string{"the applicant's bank": h.officer, "official": h.official, "investor": h.investor} {
		r := h.do("GET", "/api/v1/enterprises/"+h.chip, "", as(sec)...)
		if r.status != 200 || !strings.Contains(string(r.body), `"endorsed":true`) {
			t.Errorf("%s reads the endorsed portrait: %d %.200s", who, r.status, r.body)
		}
	}
	// Another bank: the hub's portrait without the flag.
	r := h.do("GET", "/api/v1/enterprises/"+h.chip, "", as(h.officer2)...)
	if r.status != 200 || strings.Contains(string(r.body), `"endorsed":true`) || strings.Contains(string(r.body), `"endorsed"]`) {
		t.Errorf("another bank reads the portrait: %d %s", r.status, r.body)
	}
	r = h.do("GET", "/api/v1/enterprises?flag=endorsed", "", as(h.officer2)...)
	if r.status != 200 || strings.Contains(string(r.body), h.chip) || strings.Contains(string(r.body), bare) {
		t.Errorf("another bank lists endorsed enterprises: %d %s", r.status, r.body)
	}
	r = h.do("GET", "/api/v1/enterprises?q="+url.QueryEscape(h.chip), "", as(h.officer2)...)
	if r.status != 200 || !strings.Contains(string(r.body), h.chip) || strings.Contains(string(r.body), `"endorsed":true`) {
		t.Errorf("another bank searches the hub's enterprise: %d %s", r.status, r.body)
	}
	// A portrait made only from the endorsed application is not found.
	if r := h.do("GET", "/api/v1/enterprises/"+bare, "", as(h.officer2)...); r.status != 404 {
		t.Errorf("another bank reads a portrait known only from an application: %d %s", r.status, r.body)
	}
	if r := h.do("GET", "/api/v1/enterprises/"+bare+"/draft", "", as(h.officer2)...); r.status != 404 {
		t.Errorf("another bank drafts from a portrait known only from an application: %d %s", r.status, r.body)
	}
	if r := h.do("GET", "/api/v1/enterprises?q="+bare, "", as(h.officer2)...); strings.Contains(string(r.body), bare) {
		t.Errorf("another bank finds a portrait known only from an application: %s", r.body)
	}
	if r := h.do("GET", "/enterprises/"+bare, "", as(h.officer2)...); r.status != 404 {
		t.Errorf("another bank opens the page of a portrait known only from an application: %d", r.status)
	}
	if r := h.do("GET", "/api/v1/enterprises/"+bare, "", as(h.officer)...); r.status != 200 {
		t.Errorf("the applicant's bank reads its applicant's portrait: %d %s", r.status, r.body)
	}
}
