package web_test

import (
	"bytes"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

func init() {
	allowedRoles["GET /api/v1/rubrics"] = []string{"expert", "official", "admin"}
	allowedRoles["GET /api/v1/rubrics/:key"] = []string{"expert", "official", "admin"}
	allowedRoles["PUT /api/v1/rubrics/:key"] = []string{"official", "admin"}
	allowedRoles["GET /api/v1/assignments/:id/dossier"] = []string{"expert"}
	allowedRoles["GET /api/v1/assignments/:id/dossier/attachments/:att"] = []string{"expert"}
	allowedRoles["GET /api/v1/assignments/:id/score"] = []string{"expert"}
	allowedRoles["PUT /api/v1/assignments/:id/score"] = []string{"expert"}
	allowedRoles["POST /api/v1/assignments/:id/submit"] = []string{"expert"}
	allowedRoles["GET /api/v1/applications/:id/report"] = []string{"bank_officer", "bank_manager", "official", "admin"}
	allowedRoles["GET /api/v1/reports"] = []string{"bank_officer", "bank_manager", "official", "admin"}
	allowedRoles["GET /api/v1/reports/export"] = []string{"bank_officer", "bank_manager", "official", "admin"}
	allowedRoles["POST /api/v1/applications/:id/adjudicator"] = []string{"official", "admin"}
}

// scoringEnv is a panelEnv whose panel was assigned, with a logged-in
// user for each seat holder: seat[user] is that expert's assignment id.
type scoringEnv struct {
	*panelEnv
	seat map[string]string // username → assignment id
}

var seatUsers = map[string]string{"expert": "exp-1", "e2": "exp-2", "e3": "exp-3", "e4": "exp-4", "e6": "exp-6"}

func newScoringEnv(t *testing.T) *scoringEnv { return scoringEnvOn(t, newPanelEnv(t)) }

// scoringEnvOn gives p's experts their log-ins and runs the assignment.
func scoringEnvOn(t *testing.T, p *panelEnv) *scoringEnv {
	for u, id := range seatUsers {
		if u == "expert" {
			continue
		}
		body := fmt.Sprintf(`{"username":%q,"password":%q,"role":"expert","expert_id":%q}`, u, testPW, id)
		if r := p.do("POST", "/api/v1/users", body, as(p.sec["admin"], appCT...)...); r.status != http.StatusCreated {
			t.Fatalf("create user %s = %d %s", u, r.status, r.body)
		}
		p.sec[u] = p.login(u)
	}
	if r := p.do("POST", "/api/v1/assignments/run", "", as(p.sec["official"])...); r.status != 200 {
		t.Fatalf("run = %d %s", r.status, r.body)
	}
	s := &scoringEnv{panelEnv: p, seat: map[string]string{}}
	for u := range seatUsers {
		for _, a := range p.items(t, u, "/api/v1/assignments") {
			s.seat[u] = a["id"].(string)
		}
	}
	if len(s.seat) != 4 {
		t.Fatalf("seats = %v, want 4 experts", s.seat)
	}
	return s
}

func (s *scoringEnv) accept(t *testing.T, u string) {
	t.Helper()
	if r := s.do("POST", "/api/v1/assignments/"+s.seat[u]+"/accept", "", as(s.sec[u])...); r.status != 200 {
		t.Fatalf("accept %s = %d %s", u, r.status, r.body)
	}
}

// report reads the application's report as user u, waiting (at most 5 s)
// while it is 409: the panel closes just after the last submission.
func (s *scoringEnv) report(t *testing.T, u string) resp {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		r := s.do("GET", "/api/v1/applications/"+s.appID+"/report", "", as(s.sec[u])...)
		if r.status != http.StatusConflict || time.Now().After(deadline) {
			return r
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func scoreJSON(v int, rec string) string {
	return fmt.Sprintf(`{"criteria":{"originality":%d,"barriers":%d,"industrialisation":%d,"team":%d,"maturity":%d,"rd_ip":%d,"market":%d},
		"recommendation":%q,"confidence":2,"comment":"工艺路线可行","risk_points":["流片良率","人员流失"],"maturity_stage":"pilot"}`, v, v, v, v, v, v, v, rec)
}

func (s *scoringEnv) put(u, body string) resp {
	return s.do("PUT", "/api/v1/assignments/"+s.seat[u]+"/score", body, as(s.sec[u], appCT...)...)
}

func (s *scoringEnv) submit(u string) resp {
	return s.do("POST", "/api/v1/assignments/"+s.seat[u]+"/submit", "", as(s.sec[u])...)
}

func TestScoringJourney(t *testing.T) {
	s := newScoringEnv(t)
	var users []string
	for u := range s.seat {
		users = append(users, u)
		s.accept(t, u)
	}
	// The report is a conflict until the panel closes.
	if r := s.do("GET", "/api/v1/applications/"+s.appID+"/report", "", as(s.sec["officer"])...); r.status != 409 {
		t.Fatalf("report before closing = %d %s", r.status, r.body)
	}
	// Drafts: a partial draft saves; every save is a revision.
	u0 := users[0]
	if r := s.put(u0, `{"criteria":{"originality":7}}`); r.status != 200 || r.json(t)["revision"].(float64) != 1 {
		t.Fatalf("partial draft = %d %s", r.status, r.body)
	}
	// Submitting an incomplete draft: 400.
	if r := s.submit(u0); r.status != 400 || !strings.Contains(string(r.body), "criteria.") {
		t.Fatalf("incomplete submit = %d %s", r.status, r.body)
	}
	// Blind: the dossier of an expert holds its own score, never others'.
	scores := map[string]int{users[0]: 7, users[1]: 6, users[2]: 5, users[3]: 6}
	for i, u := range users {
		if r := s.put(u, scoreJSON(scores[u], "support")); r.status != 200 {
			t.Fatalf("draft %s = %d %s", u, r.status, r.body)
		}
		if i < 3 {
			if r := s.submit(u); r.status != 200 || r.json(t)["state"] != "submitted" {
				t.Fatalf("submit %s = %d %s", u, r.status, r.body)
			}
		}
	}
	r := s.do("GET", "/api/v1/assignments/"+s.seat[users[3]]+"/dossier", "", as(s.sec[users[3]])...)
	if r.status != 200 {
		t.Fatalf("dossier = %d %s", r.status, r.body)
	}
	d := r.json(t)
	if d["application"].(map[string]any)["indicators"] == nil || d["guideline"].(map[string]any)["criteria"] == nil {
		t.Errorf("dossier lacks indicators or guideline: %s", r.body)
	}
	for _, other := range []string{"李院士", "张工", "刘工", "赵教授", "mean", "median"} {
		if strings.Contains(string(r.body), other) {
			t.Errorf("the dossier shows %q before the panel closed", other)
		}
	}
	// Locked after submit: 409 on save and submit.
	if r := s.put(users[0], scoreJSON(3, "support")); r.status != 409 {
		t.Errorf("save after submit = %d %s", r.status, r.body)
	}
	if r := s.submit(users[0]); r.status != 409 {
		t.Errorf("second submit = %d %s", r.status, r.body)
	}
	// The history keeps every revision.
	r = s.do("GET", "/api/v1/assignments/"+s.seat[u0]+"/score", "", as(s.sec[u0])...)
	if h := r.json(t)["history"].([]any); r.status != 200 || len(h) != 3 || r.json(t)["state"] != "submitted" {
		t.Errorf("score = %d, history %d: %s", r.status, len(h), r.body)
	}
	// The last submit closes the panel (the closer, just after the answer).
	if r := s.submit(users[3]); r.status != 200 {
		t.Fatalf("last submit = %d %s", r.status, r.body)
	}
	r = s.report(t, "officer")
	if r.status != 200 {
		t.Fatalf("report = %d %s", r.status, r.body)
	}
	rep := r.json(t)
	ov := rep["overall"].(map[string]any)
	if ov["mean"].(float64) != 6 || ov["median"].(float64) != 6 || ov["calibrated"] == nil {
		t.Errorf("overall = %v", ov)
	}
	if c := rep["criteria"].(map[string]any)["originality"].(map[string]any); c["mean"].(float64) != 6 {
		t.Errorf("originality = %v", c)
	}
	if rc := rep["recommendations"].(map[string]any); rc["support"].(float64) != 4 || rc["do_not_support"].(float64) != 0 || rc["support_with_conditions"].(float64) != 0 {
		t.Errorf("recommendations = %v", rc)
	}
	if rep["maturity_stage"] != "pilot" || rep["disagreement"] != false || rep["whitelisted"] != false {
		t.Errorf("report = %s", r.body)
	}
	if p := rep["panel"].([]any); len(p) != 4 || p[0].(map[string]any)["tier"] == nil || p[0].(map[string]any)["field"] == nil {
		t.Errorf("panel = %v", p)
	}
	for _, name := range []string{"李院士", "王院士", "张工", "刘工", "赵教授", "exp-"} {
		if strings.Contains(string(r.body), name) {
			t.Errorf("the report names an expert: %q", name)
		}
	}
	if !strings.Contains(string(r.body), "industry expert, ") || !strings.Contains(string(r.body), "流片良率") {
		t.Errorf("report lacks attribution or risk points: %s", r.body)
	}
	// The application is closed; officials of the region read the report, another bank does not.
	if r := s.do("GET", "/api/v1/applications/"+s.appID, "", as(s.sec["officer"])...); r.json(t)["state"] != "closed" {
		t.Errorf("application state = %v", r.json(t)["state"])
	}
	if r := s.do("GET", "/api/v1/applications/"+s.appID+"/report", "", as(s.sec["cityofficial"])...); r.status != 200 {
		t.Errorf("official report = %d", r.status)
	}
	off2 := s.login("officer2")
	if r := s.do("GET", "/api/v1/applications/"+s.appID+"/report", "", as(off2)...); r.status != 404 {
		t.Errorf("another bank's report = %d", r.status)
	}
	if r := s.do("GET", "/api/v1/applications/"+s.appID+"/report", "", as(s.sec["expert"])...); r.status != 403 {
		t.Errorf("expert report = %d", r.status)
	}
	// The XLSX export of the bank's reports.
	r = s.do("GET", "/api/v1/reports/export?lang=en", "", as(s.sec["officer"])...)
	if r.status != 200 {
		t.Fatalf("export = %d %s", r.status, r.body)
	}
	f, err := excelize.OpenReader(bytes.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("Reports")
	if len(rows) != 2 || rows[1][0] != s.appID {
		t.Errorf("export rows = %v", rows)
	}
	r = s.do("GET", "/api/v1/reports/export", "", as(off2)...)
	f, _ = excelize.OpenReader(bytes.NewReader(r.body))
	if rows, _ := f.GetRows("评审报告"); len(rows) != 1 {
		t.Errorf("another bank's export = %v", rows)
	}
}

func TestScoringBadInput(t *testing.T) {
	s := newScoringEnv(t)
	u := "expert"
	// Before accepting: 409.
	if r := s.put(u, scoreJSON(5, "support")); r.status != 409 {
		t.Errorf("score before accept = %d %s", r.status, r.body)
	}
	s.accept(t, u)
	bad := map[string]string{
		"above 9":            `{"criteria":{"originality":10}}`,
		"below 1":            `{"criteria":{"originality":0}}`,
		"fractional":         `{"criteria":{"originality":5.5}}`,
		"unknown criterion":  `{"criteria":{"beauty":5}}`,
		"not a number":       `{"criteria":{"originality":"five"}}`,
		"bad recommendation": `{"recommendation":"maybe"}`,
		"confidence 4":       `{"confidence":4}`,
		"bad maturity":       `{"maturity_stage":"mass"}`,
		"unknown field":      `{"score":5}`,
		"malformed":          `{"criteria":`,
	}
	for name, body := range bad {
		r := s.put(u, body)
		if r.status != 400 || r.errorCode(t) != "invalid_input" {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	if r := s.do("PUT", "/api/v1/assignments/"+s.seat[u]+"/score", `{}`, as(s.sec[u])...); r.status != 415 {
		t.Errorf("no content type = %d", r.status)
	}
	// Nothing was saved.
	r := s.do("GET", "/api/v1/assignments/"+s.seat[u]+"/score", "", as(s.sec[u])...)
	if r.status != 200 || r.json(t)["revision"].(float64) != 0 {
		t.Errorf("after refused saves: %d %s", r.status, r.body)
	}
	// Submit without a comment: 400.
	noComment := strings.Replace(scoreJSON(5, "support"), `"工艺路线可行"`, `""`, 1)
	if r := s.put(u, noComment); r.status != 200 {
		t.Fatalf("draft = %d %s", r.status, r.body)
	}
	if r := s.submit(u); r.status != 400 || !strings.Contains(string(r.body), "comment") {
		t.Errorf("submit without comment = %d %s", r.status, r.body)
	}
	// Missing criterion at submit: 400.
	if r := s.put(u, `{"criteria":{"originality":5},"recommendation":"support","confidence":2,"comment":"x","risk_points":["a"],"maturity_stage":"lab"}`); r.status != 200 {
		t.Fatal(r.status)
	}
	if r := s.submit(u); r.status != 400 {
		t.Errorf("submit with missing criteria = %d %s", r.status, r.body)
	}
	// Another expert's assignment: 404; others' roles: 403; unknown: 404.
	other := s.seat["e3"]
	if r := s.do("PUT", "/api/v1/assignments/"+other+"/score", scoreJSON(5, "support"), as(s.sec[u], appCT...)...); r.status != 404 {
		t.Errorf("another expert's assignment = %d %s", r.status, r.body)
	}
	if r := s.do("POST", "/api/v1/assignments/"+other+"/submit", "", as(s.sec[u])...); r.status != 404 {
		t.Errorf("submit another's = %d", r.status)
	}
	if r := s.do("GET", "/api/v1/assignments/"+other+"/dossier", "", as(s.sec[u])...); r.status != 404 {
		t.Errorf("another's dossier = %d", r.status)
	}
	if r := s.do("PUT", "/api/v1/assignments/asg-nope/score", scoreJSON(5, "support"), as(s.sec[u], appCT...)...); r.status != 404 {
		t.Errorf("unknown assignment = %d", r.status)
	}
	for _, who := range []string{"officer", "official", "admin"} {
		if r := s.do("PUT", "/api/v1/assignments/"+s.seat[u]+"/score", scoreJSON(5, "support"), as(s.sec[who], appCT...)...); r.status != 403 {
			t.Errorf("%s scoring = %d", who, r.status)
		}
	}
	// Submit with a body: saved then submitted.
	if r := s.do("POST", "/api/v1/assignments/"+s.seat[u]+"/submit", scoreJSON(5, "support"), as(s.sec[u], appCT...)...); r.status != 200 {
		t.Errorf("submit with body = %d %s", r.status, r.body)
	}
}

func TestScoringSubmitRace(t *testing.T) {
	s := newScoringEnv(t)
	u := "expert"
	s.accept(t, u)
	if r := s.put(u, scoreJSON(6, "support")); r.status != 200 {
		t.Fatal(r.status)
	}
	var wg sync.WaitGroup
	codes := make([]int, 8)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = s.submit(u).status
		}()
	}
	wg.Wait()
	ok := 0
	for _, c := range codes {
		switch c {
		case 200:
			ok++
		case 409:
		default:
			t.Errorf("racing submit = %d", c)
		}
	}
	if ok != 1 {
		t.Errorf("%d submits won, want exactly 1 (%v)", ok, codes)
	}
}

func TestScoringDisagreementAdjudicator(t *testing.T) {
	s := newScoringEnv(t)
	recs := map[string]string{"expert": "support", "e3": "do_not_support", "e4": "support_with_conditions", "e6": "support"}
	vals := map[string]int{"expert": 8, "e3": 3, "e4": 5, "e6": 7}
	for u := range s.seat {
		s.accept(t, u)
		if r := s.put(u, scoreJSON(vals[u], recs[u])); r.status != 200 {
			t.Fatal(r.status, string(r.body))
		}
		if r := s.submit(u); r.status != 200 {
			t.Fatal(r.status, string(r.body))
		}
	}
	r := s.do("GET", "/api/v1/applications/"+s.appID+"/report", "", as(s.sec["official"])...)
	rep := r.json(t)
	if r.status != 200 || rep["disagreement"] != true {
		t.Fatalf("report = %d %s", r.status, r.body)
	}
	// Bad adjudicator requests: unknown expert 400; already on the panel 400; a bank 403.
	if r := s.do("POST", "/api/v1/applications/"+s.appID+"/adjudicator", `{"expert_id":"exp-99"}`, as(s.sec["official"], appCT...)...); r.status != 400 {
		t.Errorf("unknown adjudicator = %d %s", r.status, r.body)
	}
	if r := s.do("POST", "/api/v1/applications/"+s.appID+"/adjudicator", `{"expert_id":"exp-3"}`, as(s.sec["official"], appCT...)...); r.status != 400 {
		t.Errorf("member as adjudicator = %d %s", r.status, r.body)
	}
	if r := s.do("POST", "/api/v1/applications/"+s.appID+"/adjudicator", ``, as(s.sec["officer"])...); r.status != 403 {
		t.Errorf("bank adding adjudicator = %d", r.status)
	}
	r = s.do("POST", "/api/v1/applications/"+s.appID+"/adjudicator", ``, as(s.sec["official"])...)
	if r.status != 201 || r.json(t)["expert_id"] != "exp-2" {
		t.Fatalf("adjudicator = %d %s", r.status, r.body)
	}
	if r := s.do("POST", "/api/v1/applications/"+s.appID+"/adjudicator", ``, as(s.sec["official"])...); r.status != 409 {
		t.Errorf("second adjudicator = %d", r.status)
	}
	adj := r.json(t)["id"].(string)
	s.seat["e2"] = adj
	s.accept(t, "e2")
	if r := s.put("e2", scoreJSON(6, "support_with_conditions")); r.status != 200 {
		t.Fatal(r.status)
	}
	if r := s.submit("e2"); r.status != 200 {
		t.Fatalf("adjudicator submit = %d %s", r.status, r.body)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		r = s.report(t, "officer")
		if rep = r.json(t); rep["revision"].(float64) == 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if rep["adjudicated"] != true || rep["revision"].(float64) != 2 || len(rep["panel"].([]any)) != 5 {
		t.Errorf("revised report = %s", r.body)
	}
}

func TestRubricAPI(t *testing.T) {
	s := newPanelEnv(t)
	r := s.do("GET", "/api/v1/rubrics/semiconductors.ic-design", "", as(s.sec["expert"])...)
	if r.status != 200 {
		t.Fatalf("rubric = %d %s", r.status, r.body)
	}
	g := r.json(t)
	if g["key"] != "semiconductors" || g["version"].(float64) != 1 || len(g["criteria"].([]any)) != 7 {
		t.Fatalf("rubric = %s", r.body)
	}
	// An official refines the route: a new guideline of the route, version 1.
	body := strings.Replace(string(r.body), `"key":"semiconductors"`, `"key":"x"`, 1)
	body = strings.Replace(body, `"weight":0.18`, `"weight":0.30`, 1)
	in := mustParse(t, body)
	delete(in, "key")
	delete(in, "version")
	delete(in, "at")
	delete(in, "at_ms")
	delete(in, "by")
	in["note"] = "originality weighs more for IC design"
	r = s.do("PUT", "/api/v1/rubrics/semiconductors.ic-design", mustJSON(t, in), as(s.sec["official"], appCT...)...)
	if r.status != 200 || r.json(t)["version"].(float64) != 1 || r.json(t)["key"] != "semiconductors.ic-design" {
		t.Fatalf("put rubric = %d %s", r.status, r.body)
	}
	if r := s.do("GET", "/api/v1/rubrics/semiconductors.ic-design", "", as(s.sec["expert"])...); r.json(t)["key"] != "semiconductors.ic-design" {
		t.Errorf("the route's refinement is not in force: %s", r.body)
	}
	// Bad guidelines: 400, nothing stored.
	for name, mut := range map[string]func(m map[string]any){
		"no criteria": func(m map[string]any) { m["criteria"] = []any{} },
		"zero weight": func(m map[string]any) { m["criteria"].([]any)[0].(map[string]any)["weight"] = 0 },
		"missing 5": func(m map[string]any) {
			delete(m["criteria"].([]any)[0].(map[string]any)["anchors"].(map[string]any), "5")
		},
		"no english": func(m map[string]any) {
			m["criteria"].([]any)[0].(map[string]any)["name"] = map[string]any{"zh": "原创"}
		},
		"duplicate id": func(m map[string]any) { m["criteria"].([]any)[1].(map[string]any)["id"] = "originality" },
	} {
		m := mustParse(t, mustJSON(t, in))
		mut(m)
		if r := s.do("PUT", "/api/v1/rubrics/semiconductors.ic-design", mustJSON(t, m), as(s.sec["official"], appCT...)...); r.status != 400 {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	if r := s.do("PUT", "/api/v1/rubrics/not-a-field", mustJSON(t, in), as(s.sec["official"], appCT...)...); r.status != 400 {
		t.Errorf("unknown key = %d", r.status)
	}
	if r := s.do("PUT", "/api/v1/rubrics/semiconductors", mustJSON(t, in), as(s.sec["expert"], appCT...)...); r.status != 403 {
		t.Errorf("expert editing = %d", r.status)
	}
	if r := s.do("GET", "/api/v1/rubrics/semiconductors.ic-design", "", as(s.sec["expert"])...); r.json(t)["version"].(float64) != 1 {
		t.Errorf("refused edits changed the version")
	}
	if r := s.do("GET", "/api/v1/rubrics", "", as(s.sec["officer"])...); r.status != 403 {
		t.Errorf("bank reading rubrics = %d", r.status)
	}
}

func mustParse(t *testing.T, s string) map[string]any {
	t.Helper()
	return resp{body: []byte(s)}.json(t)
}

// pageForm posts a page form as the user u (with the form token read from
// page) and returns the answer after redirects.
func (s *scoringEnv) pageForm(t *testing.T, u, page, path string, v url.Values) resp {
	t.Helper()
	r := s.do("GET", page, "", as(s.sec[u])...)
	m := csrfRE.FindSubmatch(r.body)
	if m == nil {
		t.Fatalf("no form token on %s (%d)", page, r.status)
	}
	v.Set("csrf", string(m[1]))
	return s.do("POST", path, v.Encode(), as(s.sec[u], "Content-Type", "application/x-www-form-urlencoded")...)
}

func scoreForm(v int, action string) url.Values {
	f := url.Values{"recommendation": {"support"}, "confidence": {"2"}, "comment": {"工艺路线可行"}, "maturity_stage": {"pilot"},
		"risk_other": {"流片良率\n人员流失"}, "action": {action}}
	for _, c := range []string{"originality", "barriers", "industrialisation", "team", "maturity", "rd_ip", "market"} {
		f.Set("c_"+c, fmt.Sprint(v))
	}
	return f
}

func TestScoringPages(t *testing.T) {
	s := newScoringEnv(t)
	for u := range s.seat {
		s.accept(t, u)
	}
	u := "expert"
	page := "/assignments/" + s.seat[u] + "/score"
	r := s.do("GET", page, "", as(s.sec[u])...)
	if r.status != 200 || !strings.Contains(string(r.body), `id="score-form"`) || !strings.Contains(string(r.body), "c-originality-9") ||
		!strings.Contains(string(r.body), `class="anchor-8"`) || !strings.Contains(string(r.body), "sc-monitoring") {
		t.Fatalf("scoring page = %d %s", r.status, r.body)
	}
	// Another expert's assignment is not found; a bank may not open the page.
	if r := s.do("GET", "/assignments/"+s.seat["e3"]+"/score", "", as(s.sec[u])...); r.status != 404 {
		t.Errorf("another expert's scoring page = %d", r.status)
	}
	if r := s.do("GET", page, "", as(s.sec["officer"])...); r.status != 403 {
		t.Errorf("bank on the scoring page = %d", r.status)
	}
	// A partial draft saves and the form shows it back.
	f := url.Values{"c_originality": {"7"}, "comment": {"初步意见"}, "action": {"save"}}
	if r := s.pageForm(t, u, page, page, f); r.status != 200 || !strings.Contains(string(r.body), `id="sc-notice"`) ||
		!regexp.MustCompile(`id="c-originality-7" checked`).Match(r.body) || !strings.Contains(string(r.body), "初步意见") {
		t.Fatalf("draft = %d %s", r.status, r.body)
	}
	// Out of range: 400 in place, nothing saved, the values kept.
	f = scoreForm(6, "save")
	f.Set("c_team", "10")
	r = s.pageForm(t, u, page, page, f)
	if r.status != 400 || !strings.Contains(string(r.body), `id="err-criteria-team"`) || !regexp.MustCompile(`id="c-market-6" checked`).Match(r.body) {
		t.Errorf("out of range = %d %s", r.status, r.body)
	}
	if sc := s.do("GET", "/api/v1/assignments/"+s.seat[u]+"/score", "", as(s.sec[u])...).json(t); sc["revision"].(float64) != 1 {
		t.Errorf("a refused draft was saved: revision %v", sc["revision"])
	}
	// Submitting without a comment: the draft is kept, the error in place.
	f = scoreForm(6, "submit")
	f.Set("comment", "")
	r = s.pageForm(t, u, page, page, f)
	if r.status != 400 || !strings.Contains(string(r.body), `id="err-comment"`) || !regexp.MustCompile(`id="c-barriers-6" checked`).Match(r.body) {
		t.Errorf("submit without comment = %d %s", r.status, r.body)
	}
	// Submit: first the confirmation step (nothing locked yet), then the
	// confirmation locks it; a second submit gets the lock message.
	r = s.pageForm(t, u, page, page, scoreForm(6, "submit"))
	if r.status != 200 || !strings.Contains(string(r.body), `id="sc-confirm"`) || !strings.Contains(string(r.body), `id="scc-total">6.00<`) {
		t.Fatalf("confirmation step = %d %s", r.status, r.body)
	}
	if sc := s.do("GET", "/api/v1/assignments/"+s.seat[u]+"/score", "", as(s.sec[u])...).json(t); sc["state"] != "draft" {
		t.Fatalf("the score was locked before it was confirmed: %v", sc["state"])
	}
	rev := regexp.MustCompile(`name="revision" value="(\d+)"`).FindStringSubmatch(string(r.body))
	if rev == nil {
		t.Fatal("no revision on the confirmation step")
	}
	r = s.pageForm(t, u, page+"/confirm", page, url.Values{"action": {"confirm"}, "revision": {rev[1]}})
	if r.status != 200 || !strings.Contains(string(r.body), `id="sc-locked"`) || strings.Contains(string(r.body), `id="sc-submit"`) ||
		!strings.Contains(string(r.body), `<fieldset disabled`) {
		t.Fatalf("submitted page = %d %s", r.status, r.body)
	}
	r = s.pageForm(t, u, page, page, scoreForm(3, "submit"))
	if r.status != 409 || !strings.Contains(string(r.body), "锁定") {
		t.Errorf("second submit = %d %s", r.status, r.body)
	}
	// The report page: not ready (409) before the panel closes.
	rp := "/applications/" + s.appID + "/report"
	if r := s.do("GET", rp, "", as(s.sec["officer"])...); r.status != 409 || !strings.Contains(string(r.body), `id="rep-pending"`) {
		t.Errorf("report page before closing = %d %s", r.status, r.body)
	}
	for o := range s.seat {
		if o == u {
			continue
		}
		if r := s.put(o, scoreJSON(6, "support")); r.status != 200 {
			t.Fatal(r.status, string(r.body))
		}
		if r := s.submit(o); r.status != 200 {
			t.Fatal(r.status, string(r.body))
		}
	}
	s.report(t, "officer")
	r = s.do("GET", rp+"?lang=en", "", as(s.sec["officer"])...)
	body := string(r.body)
	if r.status != 200 || !strings.Contains(body, `id="rep-mean">6.00<`) || !strings.Contains(body, "industry expert, ") ||
		!strings.Contains(body, `href="/api/v1/reports/export?lang=en"`) || !strings.Contains(body, "/static/print.css") {
		t.Errorf("report page = %d %s", r.status, body)
	}
	for _, name := range []string{"李院士", "王院士", "张工", "刘工", "赵教授", "exp-"} {
		if strings.Contains(body, name) {
			t.Errorf("the bank's report page shows %q", name)
		}
	}
	if r := s.do("GET", "/applications/"+s.appID, "", as(s.sec["officer"])...); !strings.Contains(string(r.body), `id="app-report-link"`) {
		t.Errorf("the closed application does not link its report")
	}
	if r := s.do("GET", rp, "", as(s.sec["expert"])...); r.status != 403 {
		t.Errorf("expert on the report page = %d", r.status)
	}
	off2 := s.login("officer2")
	if r := s.do("GET", rp, "", as(off2)...); r.status != 404 {
		t.Errorf("another bank's report page = %d", r.status)
	}
}

func TestRubricPages(t *testing.T) {
	p := newPanelEnv(t)
	s := &scoringEnv{panelEnv: p, seat: map[string]string{}}
	if r := s.do("GET", "/rubrics", "", as(s.sec["official"])...); r.status != 200 || !strings.Contains(string(r.body), `data-key="semiconductors"`) {
		t.Fatalf("rubrics page = %d %s", r.status, r.body)
	}
	if r := s.do("GET", "/rubrics", "", as(s.sec["officer"])...); r.status != 403 {
		t.Errorf("bank on the rubrics page = %d", r.status)
	}
	page := "/rubrics/semiconductors"
	r := s.do("GET", page, "", as(s.sec["official"])...)
	m := regexp.MustCompile(`(?s)id="rubric-json"[^>]*>(.*?)</textarea>`).FindSubmatch(r.body)
	if r.status != 200 || m == nil {
		t.Fatalf("rubric page = %d %s", r.status, r.body)
	}
	text := html.UnescapeString(string(m[1]))
	// Bad JSON and a bad guideline: 400 with the error, the text kept, no new version.
	for name, bad := range map[string]string{
		"syntax":      text[:len(text)/2],
		"zero weight": strings.Replace(text, `"weight": 0.18`, `"weight": 0`, 1),
		"no criteria": `{"criteria":[],"risk_points":[],"indicators":[]}`,
	} {
		r := s.pageForm(t, "official", page, page, url.Values{"guideline": {bad}, "note": {"x"}})
		if r.status != 400 || !strings.Contains(string(r.body), `id="rubric-error"`) {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	if g := s.do("GET", "/api/v1/rubrics/semiconductors", "", as(s.sec["official"])...).json(t); g["version"].(float64) != 1 {
		t.Fatalf("refused edits made version %v", g["version"])
	}
	edited := strings.Replace(text, `"weight": 0.18`, `"weight": 0.25`, 1)
	r = s.pageForm(t, "official", page, page, url.Values{"guideline": {edited}, "note": {"原创性权重提高"}})
	if r.status != 200 || !strings.Contains(string(r.body), `id="rubric-done"`) || !strings.Contains(string(r.body), `href="/rubrics/semiconductors?version=2"`) {
		t.Fatalf("save = %d %s", r.status, r.body)
	}
	if g := s.do("GET", "/api/v1/rubrics/semiconductors", "", as(s.sec["official"])...).json(t); g["version"].(float64) != 2 || g["note"] != "原创性权重提高" {
		t.Errorf("guideline after save = %v %v", g["version"], g["note"])
	}
	// An expert reads the guideline but may not save one.
	if r := s.do("GET", page, "", as(s.sec["expert"])...); r.status != 200 || strings.Contains(string(r.body), `id="rubric-form"`) {
		t.Errorf("expert on the rubric page = %d", r.status)
	}
	if r := s.do("POST", page, url.Values{"guideline": {edited}}.Encode(), as(s.sec["expert"], "Content-Type", "application/x-www-form-urlencoded")...); r.status != 403 {
		t.Errorf("expert saving = %d", r.status)
	}
}
