package alerts_test

import (
	"context"
	"slices"
	"testing"

	"kedaitong/alerts"
	"kedaitong/intel"
)

// TestAlertsNameOnlyTheRecipientsOwnEnterprises: a story naming one bank's
// applicant and another bank's reaches every recipient, but each alert's
// "enterprises" lists only the recipient bank's own applicants; an
// analyst's rule shows none (issue 15.1: one bank never learns another's
// customers through alerts).
func TestAlertsNameOnlyTheRecipientsOwnEnterprises(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.al.CreateRule(ctx, f.users["analyst"], alerts.NewRule{Industries: []string{"semiconductors"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.al.CreateRule(ctx, f.users["manager2"], alerts.NewRule{Industries: []string{"semiconductors"}}); err != nil {
		t.Fatal(err)
	}
	gz, nc := "91360702MA38XXXXX1", "91360100MA35YYYYY2"
	f.ingest(t, []intel.Item{f.item(now, "semiconductors", "semiconductors.ic-design", "capital", "normal", gz, nc)})
	want := map[string][]string{"manager": {gz}, "officer": {gz}, "manager2": {nc}, "analyst": {}}
	for user, ents := range want {
		got := f.inbox(t, user)
		if len(got) != 1 {
			t.Fatalf("%s has %d alerts, want 1", user, len(got))
		}
		if !slices.Equal(got[0].Enterprise, ents) {
			t.Errorf("%s's alert names enterprises %v, want %v", user, got[0].Enterprise, ents)
		}
	}
}

// TestStoredAlertsScopedWhenRead: an alert stored before enterprises were
// scoped per recipient still shows the reader only their own bank's.
func TestStoredAlertsScopedWhenRead(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	inbox, err := f.st.Collection(ctx, alerts.InboxDef)
	if err != nil {
		t.Fatal(err)
	}
	gz, nc := "91360702MA38XXXXX1", "91360100MA35YYYYY2"
	for _, user := range []string{"manager2", "analyst"} {
		a := alerts.Alert{ID: "alr-old-" + user, UserID: f.users[user].ID, Kind: alerts.KindRule, Kinds: []string{alerts.KindRule},
			Enterprise: []string{gz, nc}, Routes: []string{}, Items: []alerts.ItemRef{}, RuleIDs: []string{}, Unread: true, CreatedAt: now, CreatedMS: now.UnixMilli()}
		if err := inbox.Insert(ctx, a.ID, a); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string][]string{"manager2": {nc}, "analyst": {}}
	for user, ents := range want {
		list := f.inbox(t, user)
		if len(list) != 1 || !slices.Equal(list[0].Enterprise, ents) {
			t.Errorf("%s lists %+v, want enterprises %v", user, list, ents)
		}
		a, _, err := f.al.Get(ctx, f.users[user], "alr-old-"+user)
		if err != nil || !slices.Equal(a.Enterprise, ents) {
			t.Errorf("%s gets enterprises %v (%v), want %v", user, a.Enterprise, err, ents)
		}
	}
}
