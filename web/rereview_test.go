package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"kedaitong/experts"
	"kedaitong/review"
	"kedaitong/review/rereview"
	"kedaitong/review/scoring"
)

func init() {
	allowedRoles["GET /api/v1/rereviews"] = []string{"bank_officer", "bank_manager", "official", "admin"}
	allowedRoles["GET /api/v1/rereviews/:id"] = []string{"bank_officer", "bank_manager", "official", "admin"}
	allowedRoles["POST /api/v1/rereviews/:id/start"] = []string{"bank_officer", "bank_manager"}
	allowedRoles["GET /api/v1/assignments/:id/previous-report"] = []string{"expert", "official", "admin"}
}

// rrEnv is a scoringEnv with a closer (the background closer does not run
// in tests) and the helpers of a re-review journey.
type rrEnv struct {
	*scoringEnv
	closer *scoring.Service
}

func newRREnv(t *testing.T) *rrEnv {
	s := newScoringEnv(t)
	ctx := context.Background()
	es, err := experts.Open(ctx, s.app.Store, s.app.Recorder)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := scoring.Open(ctx, s.app.Store, s.app.Review, s.app.Panel, es, s.app.Recorder, scoring.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return &rrEnv{scoringEnv: s, closer: cl}
}

// score has every seat of the application accept, score v (the first n
// seats with recommendation rec, the others "support") and submit, then
// closes the panel.
func (r *rrEnv) score(t *testing.T, appID string, v, n int, rec string) {
	t.Helper()
	i := 0
	for u := range seatUsers {
		for _, a := range r.items(t, u, "/api/v1/assignments?application="+appID) {
			id := a["id"].(string)
			if a["state"] == "invited" {
				if x := r.do("POST", "/api/v1/assignments/"+id+"/accept", "", as(r.sec[u])...); x.status != 200 {
					t.Fatalf("accept = %d %s", x.status, x.body)
				}
			}
			rc := "support"
			if i < n {
				rc = rec
			}
			i++
			if x := r.do("PUT", "/api/v1/assignments/"+id+"/score", scoreJSON(v, rc), as(r.sec[u], appCT...)...); x.status != 200 {
				t.Fatalf("score = %d %s", x.status, x.body)
			}
			if x := r.do("POST", "/api/v1/assignments/"+id+"/submit", "", as(r.sec[u])...); x.status != 200 {
				t.Fatalf("submit = %d %s", x.status, x.body)
			}
		}
	}
	if i != 4 {
		t.Fatalf("%d seats scored on %s, want 4", i, appID)
	}
	if ok, err := r.closer.TryClose(context.Background(), appID); err != nil || !ok {
		t.Fatalf("closing %s: %v, %v", appID, ok, err)
	}
}

// grant records a granted loan on the closed application.
func (r *rrEnv) grant(t *testing.T, appID string) {
	t.Helper()
	if x := r.do("POST", "/api/v1/applications/"+appID+"/decision", `{"granted":true,"amount":2500000}`, as(r.sec["officer"], appCT...)...); x.status != 200 {
		t.Fatalf("decision = %d %s", x.status, x.body)
	}
}

// dueLater moves the re-review service's clock past the due date and runs
// the daily job.
func (r *rrEnv) makeDue(t *testing.T) {
	t.Helper()
	later := time.Now().UTC().AddDate(1, 0, 2)
	r.app.Rereview.SetClock(func() time.Time { return later })
	t.Cleanup(func() { r.app.Rereview.SetClock(func() time.Time { return time.Now().UTC() }) })
	if due, _, err := r.app.Rereview.Sweep(context.Background()); err != nil || due != 1 {
		t.Fatalf("sweep: %d due, %v; want 1", due, err)
	}
}

// start starts the re-review and has the next assignment run give the new
// application its panel; it returns the new application's id.
func (r *rrEnv) start(t *testing.T, id string) string {
	t.Helper()
	x := r.do("POST", "/api/v1/rereviews/"+id+"/start", "", as(r.sec["officer"])...)
	if x.status != 200 {
		t.Fatalf("start = %d %s", x.status, x.body)
	}
	nid := x.json(t)["new_application_id"].(string)
	if x := r.do("POST", "/api/v1/assignments/run", "", as(r.sec["official"])...); x.status != 200 {
		t.Fatalf("run = %d %s", x.status, x.body)
	}
	return nid
}

func (r *rrEnv) rereview(t *testing.T, who, id string) map[string]any {
	t.Helper()
	x := r.do("GET", "/api/v1/rereviews/"+id, "", as(r.sec[who])...)
	if x.status != 200 {
		t.Fatalf("GET rereview as %s = %d %s", who, x.status, x.body)
	}
	return x.json(t)
}

func TestRereviewJourney(t *testing.T) {
	r := newRREnv(t)
	ctx := context.Background()
	for _, u := range []string{"officer2", "manager"} {
		r.sec[u] = r.login(u)
	}
	r.score(t, r.appID, 7, 0, "support")

	// A refused loan has no re-review.
	other := r.createApp(t, r.sec["officer"], appBody("360702", 8))["id"].(string)
	if x := r.do("POST", "/api/v1/applications/"+other+"/submit", "", as(r.sec["officer"])...); x.status != 200 {
		t.Fatalf("submit = %d %s", x.status, x.body)
	}
	if _, err := r.app.Review.MarkInReview(ctx, other); err != nil {
		t.Fatal(err)
	}
	if _, err := r.app.Review.Close(ctx, other, "x"); err != nil {
		t.Fatal(err)
	}
	if x := r.do("POST", "/api/v1/applications/"+other+"/decision", `{"granted":false}`, as(r.sec["officer"], appCT...)...); x.status != 200 {
		t.Fatalf("refusal = %d %s", x.status, x.body)
	}
	if x := r.do("GET", "/api/v1/rereviews/"+other, "", as(r.sec["officer"])...); x.status != 404 {
		t.Errorf("re-review of a refused loan = %d %s", x.status, x.body)
	}

	// A granted loan is due 12 months after the decision.
	r.grant(t, r.appID)
	rr := r.rereview(t, "officer", r.appID)
	want, _ := rereview.DueDate(time.Now().UTC().Format(review.DateLayout), 12)
	if rr["state"] != "due_later" || rr["due_date"] != want || rr["bank_id"] != "gzb" {
		t.Fatalf("re-review = %v; want due_later on %s", rr, want)
	}
	if got := r.items(t, "officer", "/api/v1/rereviews"); len(got) != 1 {
		t.Errorf("the bank lists %d re-reviews, want 1", len(got))
	}

	// Scope: another bank and a bad filter.
	if got := r.items(t, "officer2", "/api/v1/rereviews"); len(got) != 0 {
		t.Errorf("another bank lists %v", got)
	}
	if x := r.do("GET", "/api/v1/rereviews/"+r.appID, "", as(r.sec["officer2"])...); x.status != 404 {
		t.Errorf("another bank reads it: %d", x.status)
	}
	if got := r.items(t, "cityofficial", "/api/v1/rereviews?state=due_later"); len(got) != 1 {
		t.Errorf("the city official lists %d, want 1", len(got))
	}
	for _, q := range []string{"state=open", "exit=maybe", "limit=0"} {
		if x := r.do("GET", "/api/v1/rereviews?"+q, "", as(r.sec["officer"])...); x.status != 400 || x.errorCode(t) == "" {
			t.Errorf("?%s = %d %s", q, x.status, x.body)
		}
	}

	// Not due yet: 409, nothing changes.
	before := r.countApps(t, r.sec["officer"])
	if x := r.do("POST", "/api/v1/rereviews/"+r.appID+"/start", "", as(r.sec["officer"])...); x.status != 409 {
		t.Errorf("start before due = %d %s", x.status, x.body)
	}

	// Due after 12 months: marked by the daily job, the bank is notified.
	r.makeDue(t)
	if rr := r.rereview(t, "official", r.appID); rr["state"] != "due" {
		t.Fatalf("after the sweep: %v", rr)
	}
	if x := r.do("GET", "/api/v1/notifications", "", as(r.sec["officer"])...); !strings.Contains(string(x.body), "rereview.due") {
		t.Errorf("the bank was not notified: %s", x.body)
	}
	if x := r.do("GET", "/api/v1/notifications", "", as(r.sec["cityofficial"])...); !strings.Contains(string(x.body), "rereview.due") {
		t.Errorf("the city official was not notified: %s", x.body)
	}

	// Forbidden and unknown callers.
	if x := r.do("POST", "/api/v1/rereviews/"+r.appID+"/start", "", as(r.sec["officer2"])...); x.status != 404 {
		t.Errorf("another bank starts it: %d %s", x.status, x.body)
	}
	if x := r.do("POST", "/api/v1/rereviews/"+r.appID+"/start", "", as(r.sec["official"])...); x.status != 403 {
		t.Errorf("an official starts it: %d %s", x.status, x.body)
	}
	if x := r.do("POST", "/api/v1/rereviews/app-0000000000000000/start", "", as(r.sec["officer"])...); x.status != 404 {
		t.Errorf("unknown = %d %s", x.status, x.body)
	}
	if got := r.countApps(t, r.sec["officer"]); got != before {
		t.Fatalf("refused starts created applications: %d → %d", before, got)
	}

	// The bank starts it: a submitted application linked to the previous.
	nid := r.start(t, r.appID)
	if x := r.do("POST", "/api/v1/rereviews/"+r.appID+"/start", "", as(r.sec["manager"])...); x.status != 409 {
		t.Errorf("second start = %d %s", x.status, x.body)
	}
	x := r.do("GET", "/api/v1/applications/"+nid, "", as(r.sec["officer"])...)
	na := x.json(t)
	if x.status != 200 || na["previous_application_id"] != r.appID || na["credit_code"] != rr["credit_code"] {
		t.Fatalf("new application = %d %s", x.status, x.body)
	}
	if na["state"] != "in_review" {
		t.Errorf("the new application is %v, want in_review after the run", na["state"])
	}
	if rr := r.rereview(t, "officer", r.appID); rr["state"] != "in_progress" || rr["new_application_id"] != nid {
		t.Errorf("after start: %v", rr)
	}

	// The new panel sees the previous report; others do not.
	var seat, seatUser string
	for u := range seatUsers {
		for _, a := range r.items(t, u, "/api/v1/assignments?application="+nid) {
			seat, seatUser = a["id"].(string), u
		}
	}
	if seat == "" {
		t.Fatal("the re-review round got no panel")
	}
	x = r.do("GET", "/api/v1/assignments/"+seat+"/previous-report", "", as(r.sec[seatUser])...)
	if x.status != 200 || x.json(t)["application_id"] != r.appID || x.json(t)["overall"].(map[string]any)["calibrated"].(float64) < 6.9 {
		t.Fatalf("previous report = %d %s", x.status, x.body)
	}
	for _, name := range []string{"李院士", "王院士", "张工", "刘工", "赵教授", "exp-"} {
		if strings.Contains(string(x.body), name) {
			t.Errorf("the previous report names %q", name)
		}
	}
	if x := r.do("GET", "/api/v1/assignments/"+seat+"/previous-report", "", as(r.sec["official"])...); x.status != 200 {
		t.Errorf("official = %d", x.status)
	}
	for u := range seatUsers {
		if u != seatUser && r.sec[u] != "" {
			if x := r.do("GET", "/api/v1/assignments/"+seat+"/previous-report", "", as(r.sec[u])...); x.status != 404 {
				t.Errorf("another expert (%s) = %d", u, x.status)
			}
			break
		}
	}
	if x := r.do("GET", "/api/v1/assignments/"+r.seat[seatUser]+"/previous-report", "", as(r.sec[seatUser])...); x.status != 404 {
		t.Errorf("a first round's previous report = %d %s", x.status, x.body)
	}

	// The round's report: a clear fall recommends exit, with reasons.
	r.score(t, nid, 4, 0, "support")
	rr = r.rereview(t, "cityofficial", r.appID)
	if rr["state"] != "concluded" || rr["exit"] != true || len(rr["outcome"].(map[string]any)["reasons"].([]any)) != 1 {
		t.Fatalf("concluded = %v", rr)
	}
	for _, who := range []string{"officer", "cityofficial"} {
		x := r.do("GET", "/api/v1/applications/"+r.appID, "", as(r.sec[who])...)
		if m, _ := x.json(t)["exit_recommended"].(map[string]any); m == nil || m["recommended"] != true {
			t.Errorf("%s does not see the exit on the application: %s", who, x.body)
		}
	}
	if got := r.items(t, "official", "/api/v1/rereviews?exit=true"); len(got) != 1 {
		t.Errorf("exit=true lists %d", len(got))
	}
	if got := r.items(t, "official", "/api/v1/rereviews?exit=false"); len(got) != 0 {
		t.Errorf("exit=false lists %d", len(got))
	}
	if x := r.do("GET", "/api/v1/notifications", "", as(r.sec["officer"])...); !strings.Contains(string(x.body), "rereview.conclude") {
		t.Errorf("the bank was not told of the conclusion: %s", x.body)
	}
	// The dashboard counts it.
	if x := r.do("GET", "/api/v1/dashboard", "", as(r.sec["official"])...); num(x.json(t), "rereviews", "exit_recommended") != 1 {
		t.Errorf("dashboard = %s", x.body)
	}
}

// TestRereviewExitRule walks a round per case through the API: a
// do_not_support majority recommends exit, a stable round does not.
func TestRereviewExitRule(t *testing.T) {
	for _, tc := range []struct {
		name    string
		v, n    int
		exit    bool
		reasons int
	}{
		{"do_not_support majority", 7, 3, true, 1},
		{"stable", 6, 2, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRREnv(t)
			r.score(t, r.appID, 7, 0, "support")
			r.grant(t, r.appID)
			r.makeDue(t)
			nid := r.start(t, r.appID)
			r.score(t, nid, tc.v, tc.n, "do_not_support")
			rr := r.rereview(t, "official", r.appID)
			o := rr["outcome"].(map[string]any)
			if rr["state"] != "concluded" || rr["exit"] != tc.exit || len(o["reasons"].([]any)) != tc.reasons {
				t.Fatalf("outcome = %v", rr)
			}
			x := r.do("GET", "/api/v1/applications/"+r.appID, "", as(r.sec["officer"])...)
			if _, has := x.json(t)["exit_recommended"]; has != tc.exit {
				t.Errorf("exit on the application = %v: %s", has, x.body)
			}
			if !tc.exit {
				return
			}
			if !strings.Contains(fmt.Sprint(o["reasons"]), "do_not_support") {
				t.Errorf("reasons = %v", o["reasons"])
			}
			if x := r.do("GET", "/rereviews?exit=true&lang=en", "", as(r.sec["official"])...); x.status != http.StatusOK || !strings.Contains(string(x.body), "rr-exit") {
				t.Errorf("page = %d", x.status)
			}
		})
	}
}
