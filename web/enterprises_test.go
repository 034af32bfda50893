package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"kedaitong/review"
)

func init() {
	bank := []string{"bank_officer", "bank_manager"}
	for k, v := range map[string][]string{
		"POST /api/v1/datahub/import":                {"admin", "official"},
		"GET /api/v1/datahub/imports":                {"admin", "official"},
		"GET /api/v1/enterprises":                    {"admin", "official", "bank_officer", "bank_manager", "investor", "expert"},
		"GET /api/v1/enterprises/:credit_code":       {"admin", "official", "bank_officer", "bank_manager", "investor", "expert"},
		"GET /api/v1/enterprises/:credit_code/draft": {"admin", "bank_officer", "bank_manager"},
		"GET /api/v1/applications/:id/portrait":      {"admin", "official", "bank_officer", "bank_manager", "investor", "expert"},
		"POST /api/v1/applications/:id/endorsements": {"investor"},
		"GET /api/v1/applications/:id/endorsements":  {"admin", "official", "bank_officer", "bank_manager", "investor"},
		"GET /api/v1/endorsements/candidates":        {"investor"},
		"POST /api/v1/roadshows":                     {"admin", "official"},
		"GET /api/v1/roadshows":                      {"admin", "official", "bank_officer", "bank_manager", "investor", "expert", "analyst"},
		"GET /api/v1/roadshows/:id":                  {"admin", "official", "bank_officer", "bank_manager", "investor", "expert", "analyst"},
		"POST /api/v1/roadshows/:id/projects":        {"admin", "official", "bank_officer", "bank_manager"},
		"POST /api/v1/roadshows/:id/attend":          append([]string{"investor", "expert"}, bank...),
		"POST /api/v1/roadshows/:id/ratings":         append([]string{"investor", "expert"}, bank...),
		"POST /api/v1/docking":                       append([]string{"investor"}, bank...),
		"GET /api/v1/docking":                        {"admin", "official", "bank_officer", "bank_manager", "investor"},
		"GET /api/v1/docking/:id":                    {"admin", "official", "bank_officer", "bank_manager", "investor"},
		"POST /api/v1/docking/:id/follow-up":         {"admin", "official"},
	} {
		allowedRoles[k] = v
	}
}

// hubEnv is a server with users logged in and a few portraits imported.
type hubEnv struct {
	*env
	admin, official, city, officer, officer2, investor, expert, analyst string
	chip, lab                                                           string // credit codes
}

func newHubEnv(t *testing.T) *hubEnv {
	e := newEnv(t)
	e.seedUsers()
	h := &hubEnv{env: e, admin: e.login("admin"), official: e.login("official"), city: e.login("cityofficial"),
		officer: e.login("officer"), officer2: e.login("officer2"), investor: e.login("investor"), expert: e.login("expert"),
		analyst: e.login("analyst"), chip: review.DemoCreditCode("360702", 1), lab: review.DemoCreditCode("360102", 7)}
	h.importCSV(t, h.official, "registration", "统一社会信用代码,企业名称,行政区划代码,成立日期,注册资本,登记状态,技术路线\n"+
		h.chip+",赣州芯研微电子有限公司,360702,2021-03-15,20000000,存续,semiconductors.ic-design\n"+
		h.lab+",南昌量子光谷科技有限公司,360102,2023-09-01,5000000,存续,\n", 200)
	h.importCSV(t, h.official, "tax", "credit_code,year,revenue,rd_spend,tax_paid\n"+h.chip+",2025,15000000,6000000,180000\n", 200)
	return h
}

// importCSV posts a CSV to the import route as multipart and checks the status.
func (h *hubEnv) importCSV(t *testing.T, sec, source, data string, want int) resp {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", source+".csv")
	fw.Write([]byte(data))
	mw.Close()
	r := h.do("POST", "/api/v1/datahub/import?source="+source, buf.String(), as(sec, "Content-Type", mw.FormDataContentType())...)
	if r.status != want {
		t.Fatalf("import %s = %d %s, want %d", source, r.status, r.body, want)
	}
	return r
}

func TestDatahubImportAPI(t *testing.T) {
	h := newHubEnv(t)
	// Raw body, re-import: unchanged; the contract's report shape.
	file := "credit_code,year,revenue,rd_spend,tax_paid\n" + h.chip + ",2024,9000000,4000000,100000\n"
	r := h.do("POST", "/api/v1/datahub/import?source=tax", file, as(h.admin, "Content-Type", "text/csv")...)
	m := r.json(t)
	if r.status != 200 || m["imported"] != float64(1) || m["updated"] != float64(0) || m["unchanged"] != float64(0) {
		t.Fatalf("first import: %d %s", r.status, r.body)
	}
	if _, ok := m["rejected"].([]any); !ok {
		t.Errorf("rejected is not a list: %s", r.body)
	}
	r = h.do("POST", "/api/v1/datahub/import?source=tax", file, as(h.admin, "Content-Type", "text/csv")...)
	if m := r.json(t); m["unchanged"] != float64(1) || m["imported"] != float64(0) {
		t.Errorf("re-import: %s", r.body)
	}
	// Bad rows are reported, not refused.
	bad := "credit_code,year,revenue\n91360702MA38XXXXXX,2024,1\n" + h.chip[:17] + "Y,2024,1\n" + h.chip + ",2099,1\n" + h.chip + ",2023,-5\n" + h.chip + ",2022,1\n" + h.chip + ",2022,1\n"
	r = h.do("POST", "/api/v1/datahub/import?source=tax", bad, as(h.admin, "Content-Type", "text/csv")...)
	rej, _ := r.json(t)["rejected"].([]any)
	if r.status != 200 || len(rej) != 5 {
		t.Fatalf("bad rows: %d %s", r.status, r.body)
	}
	first := rej[0].(map[string]any)
	if first["row"] != float64(2) || first["column"] != "credit_code" || first["reason"] == "" {
		t.Errorf("first rejection: %v", first)
	}
	// Whole-file refusals.
	for _, tc := range []struct {
		name, query, body, sec string
		status                 int
	}{
		{"unknown source", "source=salaries", file, h.admin, 400},
		{"no source", "", file, h.admin, 400},
		{"wrong headers", "source=tax", "a,b\n1,2\n", h.admin, 400},
		{"city official", "source=tax", file, h.city, 403},
		{"bank", "source=tax", file, h.officer, 403},
		{"50 MB", "source=tax", strings.Repeat("x", 50<<20), h.admin, 413},
	} {
		r := h.do("POST", "/api/v1/datahub/import?"+tc.query, tc.body, as(tc.sec, "Content-Type", "text/csv")...)
		if r.status != tc.status {
			t.Errorf("%s: %d %.200s, want %d", tc.name, r.status, r.body, tc.status)
		}
		r.errorCode(t)
	}
	r = h.do("GET", "/api/v1/datahub/imports", "", as(h.official)...)
	if items, _ := r.json(t)["items"].([]any); r.status != 200 || len(items) < 4 {
		t.Errorf("import log: %d %s", r.status, r.body)
	}
	// Every import is audited with its source.
	r = h.do("GET", "/api/v1/audit?action=datahub.import", "", as(h.admin)...)
	if !strings.Contains(string(r.body), "datahub.import") || !strings.Contains(string(r.body), `"source":"tax"`) {
		t.Errorf("audit: %.300s", r.body)
	}
}

func TestPortraitAPI(t *testing.T) {
	h := newHubEnv(t)
	r := h.do("GET", "/api/v1/enterprises/"+h.chip, "", as(h.officer)...)
	m := r.json(t)
	if r.status != 200 || m["name"] != "赣州芯研微电子有限公司" || m["maturity"] == nil {
		t.Fatalf("portrait: %d %s", r.status, r.body)
	}
	ind := m["indicators"].(map[string]any)
	if ind["rd_intensity_pct"] != float64(40) {
		t.Errorf("rd_intensity_pct = %v", ind["rd_intensity_pct"])
	}
	for _, k := range []string{"invention_patents", "patent_quality", "tech_contract_fulfilment_pct", "revenue", "projects"} {
		if _, ok := ind[k]; !ok {
			t.Errorf("indicators lack %s", k)
		}
	}
	for _, k := range []string{"credit_code", "region", "founded", "route", "flags", "endorsed", "sources"} {
		if _, ok := m[k]; !ok {
			t.Errorf("portrait lacks %s", k)
		}
	}
	for _, tc := range []struct {
		name, path, sec string
		status          int
	}{
		{"malformed code", "/api/v1/enterprises/91360702MA38XXXXXX", h.officer, 400},
		{"check digit", "/api/v1/enterprises/" + h.chip[:17] + "Y", h.officer, 400},
		{"unknown", "/api/v1/enterprises/" + review.DemoCreditCode("360702", 99), h.officer, 404},
		{"another region", "/api/v1/enterprises/" + h.lab, h.city, 404},
		{"own region", "/api/v1/enterprises/" + h.chip, h.city, 200},
		{"unassigned expert", "/api/v1/enterprises/" + h.chip, h.expert, 404},
		{"investor", "/api/v1/enterprises/" + h.chip, h.investor, 200},
		{"analyst", "/api/v1/enterprises/" + h.chip, h.analyst, 403},
		{"bad flag", "/api/v1/enterprises?flag=rich", h.officer, 400},
		{"bad region", "/api/v1/enterprises?region=44", h.officer, 400},
	} {
		if r := h.do("GET", tc.path, "", as(tc.sec)...); r.status != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, r.status, r.body, tc.status)
		}
	}
	r = h.do("GET", "/api/v1/enterprises?region=3601", "", as(h.city)...)
	if items, _ := r.json(t)["items"].([]any); len(items) != 0 {
		t.Errorf("Ganzhou official listing Nanchang: %s", r.body)
	}
	r = h.do("GET", "/api/v1/enterprises?q=芯研", "", as(h.officer)...)
	if items, _ := r.json(t)["items"].([]any); len(items) != 1 {
		t.Errorf("search: %s", r.body)
	}
	r = h.do("GET", "/api/v1/enterprises/"+h.chip+"/draft", "", as(h.officer)...)
	if d := r.json(t); r.status != 200 || d["name"] != "赣州芯研微电子有限公司" || d["rd_spend"] != float64(6000000) {
		t.Errorf("draft: %d %s", r.status, r.body)
	}
}

func TestEndorsementsAndDockingAPI(t *testing.T) {
	h := newHubEnv(t)
	app := h.createApp(t, h.officer, appBody("360702", 1))
	id := app["id"].(string)
	body := `{"invested":5000000,"date":"2024-06-30","statement":"车规级芯片技术路线成熟","risk_share_pct":20}`
	// Not invested (per the register): 403.
	r := h.do("POST", "/api/v1/applications/"+id+"/endorsements", body, as(h.investor, appCT...)...)
	if r.status != 403 {
		t.Fatalf("endorse without investment = %d %s", r.status, r.body)
	}
	h.importCSV(t, h.admin, "investments", "credit_code,investor,amount,date\n"+h.chip+",赣江科创投资有限公司,5000000,2024-06-30\n", 200)
	for _, tc := range []struct {
		name, body string
		status     int
	}{
		{"negative", `{"invested":-1,"date":"2024-06-30","statement":"x"}`, 400},
		{"future", `{"invested":1,"date":"2099-06-30","statement":"x"}`, 400},
		{"share 101", `{"invested":1,"date":"2024-06-30","statement":"x","risk_share_pct":101}`, 400},
		{"unknown field", `{"invested":1,"date":"2024-06-30","statement":"x","bogus":1}`, 400},
	} {
		if r := h.do("POST", "/api/v1/applications/"+id+"/endorsements", tc.body, as(h.investor, appCT...)...); r.status != tc.status {
			t.Errorf("%s: %d %s", tc.name, r.status, r.body)
		}
	}
	if r := h.do("POST", "/api/v1/applications/"+id+"/endorsements", body, as(h.investor, appCT...)...); r.status != 201 {
		t.Fatalf("endorse = %d %s", r.status, r.body)
	}
	if r := h.do("POST", "/api/v1/applications/"+id+"/endorsements", body, as(h.investor, appCT...)...); r.status != 409 {
		t.Errorf("second endorsement = %d %s", r.status, r.body)
	}
	r = h.do("GET", "/api/v1/applications/"+id+"/endorsements", "", as(h.officer)...)
	if items, _ := r.json(t)["items"].([]any); r.status != 200 || len(items) != 1 {
		t.Errorf("bank reads endorsements: %d %s", r.status, r.body)
	}
	if r := h.do("GET", "/api/v1/applications/"+id+"/endorsements", "", as(h.officer2)...); r.status != 404 {
		t.Errorf("another bank reads endorsements: %d", r.status)
	}
	r = h.do("GET", "/api/v1/applications/"+id+"/portrait", "", as(h.officer)...)
	pm := r.json(t)
	if r.status != 200 || pm["found"] != true || !strings.Contains(string(r.body), `"field":"revenue"`) {
		t.Errorf("application portrait: %d %s", r.status, r.body)
	}
	if r := h.do("GET", "/api/v1/enterprises/"+h.chip, "", as(h.officer)...); !strings.Contains(string(r.body), `"endorsed":true`) {
		t.Errorf("portrait not endorsed: %s", r.body)
	}
	// Docking.
	r = h.do("POST", "/api/v1/docking", `{"credit_code":"`+h.chip+`","kind":"loan","note":"可提供信用贷款"}`, as(h.officer, appCT...)...)
	if r.status != 201 {
		t.Fatalf("dock = %d %s", r.status, r.body)
	}
	dockID := r.json(t)["id"].(string)
	for _, tc := range []struct {
		name, body, sec string
		status          int
	}{
		{"bad kind", `{"credit_code":"` + h.chip + `","kind":"gift","note":""}`, h.officer, 400},
		{"bad code", `{"credit_code":"123","kind":"loan","note":""}`, h.officer, 400},
		{"official", `{"credit_code":"` + h.chip + `","kind":"loan","note":""}`, h.official, 403},
	} {
		if r := h.do("POST", "/api/v1/docking", tc.body, as(tc.sec, appCT...)...); r.status != tc.status {
			t.Errorf("%s: %d %s", tc.name, r.status, r.body)
		}
	}
	if r := h.do("GET", "/api/v1/docking", "", as(h.officer2)...); !strings.Contains(string(r.body), `"items":[]`) {
		t.Errorf("another bank's docking list: %s", r.body)
	}
	if r := h.do("POST", "/api/v1/docking/"+dockID+"/follow-up", `{"state":"won"}`, as(h.city, appCT...)...); r.status != 400 {
		t.Errorf("bad follow-up: %d", r.status)
	}
	if r := h.do("POST", "/api/v1/docking/"+dockID+"/follow-up", `{"state":"converted","note":"已放款"}`, as(h.city, appCT...)...); r.status != 200 {
		t.Errorf("follow-up: %d %s", r.status, r.body)
	}
}

func TestRoadshowsAPI(t *testing.T) {
	h := newHubEnv(t)
	for _, tc := range []struct {
		name, body, sec string
		status          int
	}{
		{"bank creates", `{"title":"路演","chain":"semiconductors","date":"2026-12-20","region":"3607","capacity":10}`, h.officer, 403},
		{"bad chain", `{"title":"路演","chain":"fishing","date":"2026-12-20","region":"3607","capacity":10}`, h.city, 400},
		{"another region", `{"title":"路演","chain":"semiconductors","date":"2026-12-20","region":"3601","capacity":10}`, h.city, 403},
	} {
		if r := h.do("POST", "/api/v1/roadshows", tc.body, as(tc.sec, appCT...)...); r.status != tc.status {
			t.Errorf("%s: %d %s", tc.name, r.status, r.body)
		}
	}
	r := h.do("POST", "/api/v1/roadshows", `{"title":"半导体路演","chain":"semiconductors","date":"2026-12-20","region":"3607","capacity":10}`, as(h.city, appCT...)...)
	if r.status != 201 {
		t.Fatalf("create roadshow = %d %s", r.status, r.body)
	}
	id := r.json(t)["id"].(string)
	if r := h.do("POST", "/api/v1/roadshows/"+id+"/projects", `{"credit_code":"`+h.chip+`","pitch":"车规级MCU","media":["https://example.com/a.mp4"]}`, as(h.officer, appCT...)...); r.status != 201 {
		t.Fatalf("register project = %d %s", r.status, r.body)
	}
	rate := `{"credit_code":"` + h.chip + `","feasibility":8,"commercial":7,"team":9}`
	if r := h.do("POST", "/api/v1/roadshows/"+id+"/ratings", rate, as(h.investor, appCT...)...); r.status != 201 {
		t.Fatalf("rate = %d %s", r.status, r.body)
	}
	if r := h.do("POST", "/api/v1/roadshows/"+id+"/ratings", rate, as(h.investor, appCT...)...); r.status != 409 {
		t.Errorf("rate twice = %d %s", r.status, r.body)
	}
	for _, bad := range []string{`{"credit_code":"` + h.chip + `","feasibility":0,"commercial":7,"team":9}`, `{"credit_code":"` + h.chip + `","feasibility":10,"commercial":7,"team":9}`} {
		if r := h.do("POST", "/api/v1/roadshows/"+id+"/ratings", bad, as(h.officer, appCT...)...); r.status != 400 {
			t.Errorf("rating %s = %d", bad, r.status)
		}
	}
	r = h.do("GET", "/api/v1/roadshows/"+id, "", as(h.analyst)...)
	if r.status != 200 || !strings.Contains(string(r.body), `"overall":8`) {
		t.Errorf("roadshow: %d %s", r.status, r.body)
	}
	if r := h.do("GET", "/api/v1/roadshows/rs-none", "", as(h.analyst)...); r.status != 404 {
		t.Errorf("unknown roadshow: %d", r.status)
	}
	if r := h.do("GET", "/api/v1/roadshows", "", as(h.expert)...); r.status != 200 || !strings.Contains(string(r.body), id) {
		t.Errorf("list: %d %s", r.status, r.body)
	}
	_ = http.StatusOK
}

// TestEnterprisePagesAccess: pages answer the roles that may see them and
// refuse the others; a portrait of another region is not found.
func TestEnterprisePagesAccess(t *testing.T) {
	h := newHubEnv(t)
	for _, tc := range []struct {
		path, sec string
		status    int
	}{
		{"/datahub", h.official, 200}, {"/datahub", h.analyst, 403}, {"/datahub", h.officer, 403},
		{"/enterprises", h.officer, 200}, {"/enterprises", h.analyst, 403},
		{"/enterprises/" + h.chip, h.investor, 200}, {"/enterprises/" + h.lab, h.city, 404}, {"/enterprises/bogus", h.officer, 404},
		{"/endorsements", h.investor, 200}, {"/endorsements", h.officer, 403},
		{"/roadshows", h.analyst, 200}, {"/docking", h.city, 200}, {"/docking", h.analyst, 403},
		{"/applications/new?credit_code=" + h.chip, h.officer, 200},
	} {
		if r := h.do("GET", tc.path, "", as(tc.sec)...); r.status != tc.status {
			t.Errorf("GET %s = %d, want %d", tc.path, r.status, tc.status)
		}
	}
	r := h.do("GET", "/applications/new?credit_code="+h.chip, "", as(h.officer)...)
	if !strings.Contains(string(r.body), "赣州芯研微电子有限公司") || !strings.Contains(string(r.body), `value="1500"`) { // the portrait's 15,000,000 yuan, in 万元
		t.Errorf("the new-application form is not filled from the portrait")
	}
}

// TestApplicationPageShowsHubFlags: an application of a dishonest enterprise
// is flagged on its page, with the link to the portrait beside it.
func TestApplicationPageShowsHubFlags(t *testing.T) {
	h := newHubEnv(t)
	id := h.createApp(t, h.officer, appBody("360702", 1))["id"].(string)
	r := h.do("GET", "/applications/"+id, "", as(h.officer)...)
	if r.status != 200 || strings.Contains(string(r.body), `id="app-dishonest"`) || !strings.Contains(string(r.body), `id="app-portrait-link"`) {
		t.Fatalf("before listing: %d, dishonest flag or link wrong", r.status)
	}
	h.importCSV(t, h.admin, "dishonesty", "credit_code,list,listed_on,lifted_on\n"+h.chip+",失信被执行人,2025-01-01,\n", 200)
	r = h.do("GET", "/applications/"+id, "", as(h.officer)...)
	if !strings.Contains(string(r.body), `id="app-dishonest"`) {
		t.Errorf("the dishonest enterprise is not flagged on its application")
	}
	r = h.do("GET", "/api/v1/applications/"+id+"/portrait", "", as(h.city)...)
	if r.json(t)["dishonest"] != true {
		t.Errorf("application portrait: %s", r.body)
	}
	r = h.do("GET", "/api/v1/enterprises?flag=dishonest", "", as(h.officer)...)
	if items, _ := r.json(t)["items"].([]any); len(items) != 1 {
		t.Errorf("dishonest filter: %s", r.body)
	}
}
