package alerts_test

import (
	"context"
	"testing"
	"time"

	"kedaitong/alerts"
	"kedaitong/identity"
	"kedaitong/intel"
	"kedaitong/notify"
)

// withExperts adds expert accounts and a service that subscribes them to
// the fields of their profiles (chip: a semiconductor route; pv: the
// photovoltaics industry; idle: no field).
func (f *fixture) withExperts(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	ids, err := identity.Open(ctx, f.st, nil)
	if err != nil {
		t.Fatal(err)
	}
	fields := map[string][]string{}
	for _, x := range []struct {
		name, expert string
		fields       []string
	}{{"chip", "exp-1", []string{"semiconductors.ic-design"}}, {"pv", "exp-2", []string{"photovoltaics", "not-a-field"}}, {"idle", "exp-3", nil}} {
		u, err := ids.CreateUser(ctx, nil, identity.NewUser{Username: x.name, Role: "expert", ExpertID: x.expert, Password: "Test-password 2026"})
		if err != nil {
			t.Fatal(err)
		}
		f.users[x.name] = u
		fields[u.ID] = x.fields
	}
	nt, err := notify.Open(ctx, f.st)
	if err != nil {
		t.Fatal(err)
	}
	f.al, err = alerts.Open(ctx, f.st, f.rm, alerts.Options{Notify: nt, Guard: mustGuard(t), Now: func() time.Time { return now },
		ExpertFields: func(context.Context) (map[string][]string, error) { return fields, nil }})
	if err != nil {
		t.Fatal(err)
	}
}

// TestExpertsAreSubscribedToTheirFields: with no rule of their own,
// experts get high-severity risk stories in their fields and spikes in
// their industries; nothing else.
func TestExpertsAreSubscribedToTheirFields(t *testing.T) {
	f := newFixture(t)
	f.withExperts(t)
	ctx := context.Background()
	f.history(t, "photovoltaics", "capital", 10, 1) // a quiet cell
	items := []intel.Item{
		f.item(now, "semiconductors", "semiconductors.ic-design", "policy", "high"),    // chip's route
		f.item(now, "semiconductors", "semiconductors.equipment", "policy", "high"),    // another route of the industry: not chip's field
		f.item(now, "photovoltaics", "photovoltaics.perovskite", "tech-route", "high"), // pv's industry
		f.item(now, "semiconductors", "semiconductors.ic-design", "market", "normal"),  // not high severity
	}
	for range 5 { // a spike of the quiet photovoltaics cell
		items = append(items, f.item(now.Add(-2*time.Hour), "photovoltaics", "", "capital", "normal"))
	}
	f.ingest(t, items)
	got := func(u string) map[string]alerts.Alert {
		out := map[string]alerts.Alert{}
		for _, a := range f.inbox(t, u) {
			if a.Kind == alerts.KindSpike {
				out["spike:"+a.Industry] = a
			} else {
				out[a.Items[0].ID] = a
			}
		}
		return out
	}
	chip := got("chip")
	if len(chip) != 1 || chip[items[0].ID].Kind != alerts.KindField {
		t.Errorf("chip expert: %+v", chip)
	} else if r := chip[items[0].ID].Reasons; len(r) != 1 || r[0].ZH == "" || r[0].EN == "" {
		t.Errorf("chip expert's reasons: %+v", r)
	}
	pv := got("pv")
	if len(pv) != 2 || pv[items[2].ID].Kind != alerts.KindField || pv["spike:photovoltaics"].Kind != alerts.KindSpike {
		t.Errorf("pv expert: %+v", pv)
	}
	if idle := got("idle"); len(idle) != 0 {
		t.Errorf("an expert without fields: %+v", idle)
	}
	if n, err := f.al.Unread(ctx, f.users["pv"]); err != nil || n != 2 {
		t.Errorf("pv unread: %d %v", n, err)
	}
	// Experts keep rules of their own too.
	if _, err := f.al.CreateRule(ctx, f.users["idle"], alerts.NewRule{Industries: []string{"aviation"}}); err != nil {
		t.Errorf("an expert's rule: %v", err)
	}
}

// TestLinkedLaterAlertsTheBank: a stored risk story linked afterwards to
// an enterprise with an open application alerts that bank once; an old
// story or an opportunity does not.
func TestLinkedLaterAlertsTheBank(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	fresh := f.item(now.Add(-time.Hour), "photovoltaics", "", "capital", "normal", "91360100MA35YYYYY2")
	old := f.item(now.AddDate(0, 0, -20), "photovoltaics", "", "capital", "normal", "91360100MA35YYYYY2")
	opp := f.item(now.Add(-time.Hour), "photovoltaics", "", "capital", "normal", "91360100MA35YYYYY2")
	opp.Polarity = "opportunity"
	f.al.OnLinked(ctx, []intel.Item{fresh, old, opp})
	f.al.OnLinked(ctx, []intel.Item{fresh}) // again: once
	got := f.inbox(t, "manager2")
	if len(got) != 1 || got[0].Kind != alerts.KindEnterprise || got[0].Items[0].ID != fresh.ID {
		t.Errorf("ncb manager: %+v", got)
	}
	if got := f.inbox(t, "manager"); len(got) != 0 {
		t.Errorf("gzb got another bank's enterprise alert: %+v", got)
	}
}
