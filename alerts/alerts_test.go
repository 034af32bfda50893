package alerts_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"kedaitong"
	"kedaitong/alerts"
	"kedaitong/identity"
	"kedaitong/intel"
	"kedaitong/intel/fetch"
	"kedaitong/internal/store"
	"kedaitong/internal/store/storetest"
	"kedaitong/notify"
	"kedaitong/review"
	"kedaitong/riskmap"
)

// The clock: 2026-03-10 12:00 in Jiangxi.
var now = time.Date(2026, 3, 10, 12, 0, 0, 0, riskmap.Zone)

type fixture struct {
	st    store.Store
	rm    *riskmap.Service
	al    *alerts.Service
	users map[string]identity.User
	seq   int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st := storetest.New(t)
	clock := func() time.Time { return now }
	rm, err := riskmap.Open(ctx, st, nil, riskmap.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	nt, err := notify.Open(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	g, err := fetch.NewGuard("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	al, err := alerts.Open(ctx, st, rm, alerts.Options{Notify: nt, Guard: g, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	ids, err := identity.Open(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: st, rm: rm, al: al, users: map[string]identity.User{}}
	for _, n := range []identity.NewUser{
		{Username: "manager", Role: "bank_manager", BankID: "gzb"},
		{Username: "officer", Role: "bank_officer", BankID: "gzb"},
		{Username: "manager2", Role: "bank_manager", BankID: "ncb"},
		{Username: "analyst", Role: "analyst"},
	} {
		n.Password = "Test-password 2026"
		u, err := ids.CreateUser(ctx, nil, n)
		if err != nil {
			t.Fatal(err)
		}
		f.users[n.Username] = u
	}
	// gzb lent to a chip designer (semiconductors.ic-design); ncb has an
	// open application in photovoltaics.
	apps, err := st.Collection(ctx, review.ApplicationsDef)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []review.Application{
		{ID: "app-1", BankID: "gzb", State: review.StateClosed, Route: "semiconductors.ic-design", Industry: "semiconductors", CreditCode: "91360702MA38XXXXX1",
			Enterprise: review.Enterprise{Name: "赣州芯研微电子有限公司", CreditCode: "91360702MA38XXXXX1", Route: "semiconductors.ic-design"},
			Loan:       review.Loan{Amount: 3000000}, Decision: &review.Decision{Granted: true, Amount: 3000000, Date: "2026-01-10"}, CreatedMS: 1},
		{ID: "app-2", BankID: "ncb", State: review.StateSubmitted, Route: "photovoltaics.perovskite", Industry: "photovoltaics", CreditCode: "91360100MA35YYYYY2",
			Enterprise: review.Enterprise{Name: "南昌光谷新能源科技有限公司", CreditCode: "91360100MA35YYYYY2"}, Loan: review.Loan{Amount: 1000000}, CreatedMS: 2},
	} {
		if err := apps.Insert(ctx, a.ID, a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := rm.RefreshBook(ctx); err != nil {
		t.Fatal(err)
	}
	return f
}

// item is a synthetic classified story.
func (f *fixture) item(day time.Time, industry, route, dim, severity string, ents ...string) intel.Item {
	f.seq++
	id := fmt.Sprintf("it_%06d", f.seq)
	routes := []string{}
	if route != "" {
		routes = []string{route}
	}
	if ents == nil {
		ents = []string{}
	}
	return intel.Item{ID: id, Title: "story " + id, Link: "https://news.example/" + id, Published: day, Industries: []string{industry},
		Routes: routes, Dimensions: []string{dim}, Polarity: "risk", Severity: severity, ClusterID: id, ClusterFirst: true, Enterprises: ents}
}

// history writes steady counters for the 60 days before today, as ingest
// would: perDay risk stories a day in the cell.
func (f *fixture) history(t *testing.T, industry, dim string, every, perDay int) {
	t.Helper()
	for d := 1; d <= 60; d++ {
		if d%every != 0 {
			continue
		}
		var items []intel.Item
		for range perDay {
			items = append(items, f.item(now.AddDate(0, 0, -d), industry, "", dim, "normal"))
		}
		if err := f.rm.Count(context.Background(), items); err != nil {
			t.Fatal(err)
		}
	}
}

func (f *fixture) ingest(t *testing.T, items []intel.Item) int {
	t.Helper()
	if err := f.rm.Count(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	n, err := f.al.Evaluate(context.Background(), items)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fixture) inbox(t *testing.T, user string) []alerts.Alert {
	t.Helper()
	out, _, err := f.al.List(context.Background(), f.users[user], alerts.Filter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSteadyStreamRaisesNothing(t *testing.T) {
	f := newFixture(t)
	f.history(t, "semiconductors", "market", 1, 3)
	f.history(t, "photovoltaics", "policy", 1, 2)
	var today []intel.Item
	for range 3 {
		today = append(today, f.item(now.Add(-time.Hour), "semiconductors", "", "market", "normal"))
	}
	for range 2 {
		today = append(today, f.item(now.Add(-time.Hour), "photovoltaics", "", "policy", "normal"))
	}
	if n := f.ingest(t, today); n != 0 {
		t.Fatalf("a steady stream raised %d alerts: %+v", n, f.inbox(t, "manager"))
	}
	for _, u := range []string{"manager", "officer", "manager2", "analyst"} {
		if got := f.inbox(t, u); len(got) != 0 {
			t.Errorf("%s got %d alerts from a steady stream", u, len(got))
		}
	}
}

func TestPlantedSpikesRaiseExactlyTheExpectedAlerts(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.history(t, "semiconductors", "market", 1, 3)  // noisy cell, gzb exposed
	f.history(t, "photovoltaics", "capital", 10, 1) // quiet cell, ncb exposed
	f.history(t, "biomedicine", "policy", 1, 2)     // nobody exposed, nobody subscribed
	if _, err := f.al.CreateRule(ctx, f.users["analyst"], alerts.NewRule{Industries: []string{"photovoltaics"}, Dimensions: []string{"capital"}, Severity: "high"}); err != nil {
		t.Fatal(err)
	}
	// A spike of the noisy cell (15 stories against 3 a day), a spike of
	// the quiet one (5 against one every ten days), a spike nobody follows.
	var today []intel.Item
	for range 15 {
		today = append(today, f.item(now.Add(-time.Hour), "semiconductors", "", "market", "normal"))
	}
	for range 5 {
		today = append(today, f.item(now.Add(-2*time.Hour), "photovoltaics", "", "capital", "normal"))
	}
	for range 15 {
		today = append(today, f.item(now.Add(-time.Hour), "biomedicine", "", "policy", "normal"))
	}
	f.ingest(t, today)
	want := map[string]string{"manager": "semiconductors", "officer": "semiconductors", "manager2": "photovoltaics"}
	for u, ind := range want {
		got := f.inbox(t, u)
		if len(got) != 1 || got[0].Kind != alerts.KindSpike || got[0].Industry != ind {
			t.Fatalf("%s: want one spike alert on %s, got %+v", u, ind, got)
		}
		a := got[0]
		if len(a.Reasons) == 0 || a.Reasons[0].EN == "" || a.Reasons[0].ZH == "" || len(a.Items) == 0 || a.Score < 3 || a.Link == "" {
			t.Errorf("%s: the alert does not say why or link its items: %+v", u, a)
		}
	}
	if got := f.inbox(t, "analyst"); len(got) != 0 {
		t.Errorf("a high-severity-only rule got a spike alert: %+v", got)
	}
	if n, _ := f.al.Unread(ctx, f.users["manager"]); n != 1 {
		t.Errorf("unread = %d, want 1", n)
	}
	// More of the same today: at most one alert per cell per day.
	var more []intel.Item
	for range 10 {
		more = append(more, f.item(now.Add(-time.Minute), "semiconductors", "", "market", "normal"))
	}
	f.ingest(t, more)
	if got := f.inbox(t, "manager"); len(got) != 1 {
		t.Errorf("a second spike the same day alerted again: %d alerts", len(got))
	}
}

func TestItemTriggers(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rule, err := f.al.CreateRule(ctx, f.users["analyst"], alerts.NewRule{Routes: []string{"photovoltaics.perovskite"}, Severity: "high"})
	if err != nil {
		t.Fatal(err)
	}
	items := []intel.Item{
		f.item(now, "semiconductors", "semiconductors.ic-design", "policy", "high"),    // export control on gzb's route
		f.item(now, "photovoltaics", "", "capital", "normal", "91360100MA35YYYYY2"),    // names ncb's applicant
		f.item(now, "photovoltaics", "photovoltaics.perovskite", "tech-route", "high"), // the analyst's rule; ncb exposed on the route
		f.item(now, "semiconductors", "semiconductors.ic-design", "market", "normal"),  // normal severity, no name: nothing
	}
	items = append(items, intel.Item{ID: "it_opp", Industries: []string{"semiconductors"}, Routes: []string{"semiconductors.ic-design"}, Dimensions: []string{"policy"},
		Polarity: "opportunity", Severity: "normal", ClusterID: "it_opp", ClusterFirst: true, Enterprises: []string{"91360702MA38XXXXX1"}}) // not a risk
	f.ingest(t, items)
	kinds := func(u string) map[string]string {
		out := map[string]string{}
		for _, a := range f.inbox(t, u) {
			out[a.Items[0].ID] = a.Kind
		}
		return out
	}
	if got := kinds("manager"); len(got) != 1 || got[items[0].ID] != alerts.KindHigh {
		t.Errorf("gzb manager: %v", got)
	}
	if got := kinds("manager2"); len(got) != 2 || got[items[1].ID] != alerts.KindEnterprise || got[items[2].ID] != alerts.KindHigh {
		t.Errorf("ncb manager: %v", got)
	}
	an := f.inbox(t, "analyst")
	if len(an) != 1 || an[0].Kind != alerts.KindRule || an[0].Items[0].ID != items[2].ID || an[0].RuleIDs[0] != rule.ID {
		t.Errorf("analyst: %+v", an)
	}
	// The same story again (a re-run): nothing new.
	f.ingest(t, items[:3])
	if got := f.inbox(t, "manager2"); len(got) != 2 {
		t.Errorf("re-evaluating alerted twice: %d", len(got))
	}
	// Mark read.
	if _, err := f.al.MarkRead(ctx, f.users["manager2"], f.inbox(t, "manager2")[0].ID); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.al.Unread(ctx, f.users["manager2"]); n != 1 {
		t.Errorf("unread after one read = %d, want 1", n)
	}
	if _, err := f.al.MarkRead(ctx, f.users["manager"], f.inbox(t, "manager2")[0].ID); !kedaitong.Is(err, kedaitong.ENotFound) {
		t.Errorf("marking another's alert: %v, want not found", err)
	}
}

func TestRuleValidation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, tt := range []struct {
		name  string
		in    alerts.NewRule
		field string
	}{
		{"empty", alerts.NewRule{}, "industries"},
		{"unknown industry", alerts.NewRule{Industries: []string{"steel"}}, "industries"},
		{"unknown route", alerts.NewRule{Routes: []string{"semiconductors.nothing"}}, "routes"},
		{"industry as route", alerts.NewRule{Routes: []string{"semiconductors"}}, "routes"},
		{"unknown dimension", alerts.NewRule{Dimensions: []string{"weather"}}, "dimensions"},
		{"bad severity", alerts.NewRule{Industries: []string{"semiconductors"}, Severity: "urgent"}, "severity"},
		{"high market only", alerts.NewRule{Dimensions: []string{"market"}, Severity: "high"}, "severity"},
	} {
		_, err := f.al.CreateRule(ctx, f.users["analyst"], tt.in)
		var e *kedaitong.Error
		if !kedaitong.Is(err, kedaitong.EInvalid) || !errorsAs(err, &e) || e.Field != tt.field {
			t.Errorf("%s: %v, want invalid %s", tt.name, err, tt.field)
		}
	}
	if rs, _, _ := f.al.Rules(ctx, f.users["analyst"], 50, ""); len(rs) != 0 {
		t.Errorf("refused rules were stored: %v", rs)
	}
}

func errorsAs(err error, e **kedaitong.Error) bool {
	x, ok := err.(*kedaitong.Error)
	if ok {
		*e = x
	}
	return ok
}

// receiver is an independent webhook receiver: its own HMAC check, a
// 5-minute window and a memory of delivery ids.
type receiver struct {
	secret string
	mu     sync.Mutex
	seen   map[string]bool
	got    []map[string]any
	codes  []int
	fail   int // answer 500 to this many requests first
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	code := rc.verify(r, body)
	if code == 200 && rc.fail > 0 {
		rc.fail--
		code = 500
	}
	if code == 200 {
		rc.seen[r.Header.Get("X-Kedai-Delivery")] = true
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		rc.got = append(rc.got, m)
	}
	rc.codes = append(rc.codes, code)
	w.WriteHeader(code)
}

func (rc *receiver) verify(r *http.Request, body []byte) int {
	ts, err := strconv.ParseInt(r.Header.Get("X-Kedai-Timestamp"), 10, 64)
	if err != nil || time.Since(time.Unix(ts, 0)).Abs() > 5*time.Minute {
		return 401
	}
	mac := hmac.New(sha256.New, []byte(rc.secret))
	fmt.Fprintf(mac, "%d.", ts)
	mac.Write(body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(r.Header.Get("X-Kedai-Signature"))) {
		return 401
	}
	if rc.seen[r.Header.Get("X-Kedai-Delivery")] {
		return 409 // a replay
	}
	return 200
}

func TestWebhookSignedRetriedAndVerified(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rc := &receiver{seen: map[string]bool{}, fail: 1}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	// SSRF: a loopback URL is refused without the allow list.
	g0, _ := fetch.NewGuard("")
	strict, _ := alerts.Open(ctx, f.st, f.rm, alerts.Options{Guard: g0})
	if _, err := strict.CreateWebhook(ctx, f.users["manager"], alerts.NewWebhook{URL: srv.URL + "/hook"}); !kedaitong.Is(err, kedaitong.EInvalid) {
		t.Fatalf("loopback webhook without allow list: %v", err)
	}
	if _, err := f.al.CreateWebhook(ctx, f.users["officer"], alerts.NewWebhook{URL: srv.URL}); !kedaitong.Is(err, kedaitong.EForbidden) {
		t.Fatalf("an officer registered a webhook: %v", err)
	}
	w, err := f.al.CreateWebhook(ctx, f.users["manager"], alerts.NewWebhook{URL: srv.URL + "/hook"})
	if err != nil || w.Secret == "" {
		t.Fatalf("create webhook: %+v %v", w, err)
	}
	rc.secret = w.Secret
	f.ingest(t, []intel.Item{f.item(now, "semiconductors", "semiconductors.ic-design", "capital", "high")})
	client := &http.Client{Timeout: 5 * time.Second}
	if n := f.al.DeliverDue(ctx, client); n != 1 {
		t.Fatalf("delivered %d, want 1 attempt", n)
	}
	st, err := f.al.Webhook(ctx, f.users["officer"], w.ID)
	if err != nil || len(st.Deliveries) != 1 || st.Deliveries[0].State != alerts.StatePending || st.LastStatus != "retrying" || st.Deliveries[0].Attempts[0].Status != 500 {
		t.Fatalf("after a failed attempt: %+v %v", st, err)
	}
	if st.Secret != "" {
		t.Error("the status shows the secret")
	}
	if n := f.al.DeliverDue(ctx, client); n != 0 {
		t.Fatalf("retried before its backoff: %d", n)
	}
	// Past the backoff: the retry is delivered.
	later := now.Add(alerts.Backoff[0] + time.Second)
	al2, _ := alerts.Open(ctx, f.st, f.rm, alerts.Options{Guard: mustGuard(t), Now: func() time.Time { return later }})
	if n := al2.DeliverDue(ctx, client); n != 1 {
		t.Fatalf("retry: %d", n)
	}
	st, _ = f.al.Webhook(ctx, f.users["manager"], w.ID)
	if st.Deliveries[0].State != alerts.StateDelivered || st.Delivered != 1 || len(rc.got) != 1 {
		t.Fatalf("after the retry: %+v, received %d", st, len(rc.got))
	}
	if a := rc.got[0]["alert"].(map[string]any); a["kind"] != alerts.KindHigh || len(a["reasons"].([]any)) == 0 {
		t.Errorf("payload: %v", rc.got[0])
	}
	// The receiver rejects a replay and a bad signature.
	replay := func(sig string, ts int64, id string) int {
		body := []byte(`{"type":"alert"}`)
		req, _ := http.NewRequest("POST", srv.URL+"/hook", bytesReader(body))
		req.Header.Set("X-Kedai-Timestamp", strconv.FormatInt(ts, 10))
		req.Header.Set("X-Kedai-Delivery", id)
		if sig == "" {
			sig = alerts.Sign(w.Secret, ts, body)
		}
		req.Header.Set("X-Kedai-Signature", sig)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := replay("", time.Now().Unix(), st.Deliveries[0].ID); c != 409 {
		t.Errorf("replayed delivery id: %d", c)
	}
	if c := replay("", time.Now().Add(-10*time.Minute).Unix(), "dlv-new"); c != 401 {
		t.Errorf("stale timestamp: %d", c)
	}
	if c := replay("sha256=00", time.Now().Unix(), "dlv-new2"); c != 401 {
		t.Errorf("bad signature: %d", c)
	}
	// Another bank cannot see the webhook.
	if _, err := f.al.Webhook(ctx, f.users["manager2"], w.ID); !kedaitong.Is(err, kedaitong.ENotFound) {
		t.Errorf("another bank's webhook: %v", err)
	}
}

func mustGuard(t *testing.T) *fetch.Guard {
	g, err := fetch.NewGuard("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func bytesReader(b []byte) io.Reader { return &byteReader{b: b} }

type byteReader struct{ b []byte }

func (r *byteReader) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}
