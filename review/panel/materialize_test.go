package panel_test

import (
	"context"
	"testing"
	"time"

	"kedaitong/review/panel"
)

// A run cut short (kill -9) after the panel took its seat holders but
// before their assignments were stored: the next read of the seats stores
// them, the sweep stores those nobody read, each counted once.
func TestInterruptedInvitationsAreStored(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.expert(t, "a1", "academician", []string{ic}, nil)
	f.expert(t, "i1", "industry", []string{ic}, nil)
	f.expert(t, "i2", "industry", []string{ic}, nil)
	f.expert(t, "f1", "finance", []string{"semiconductors"}, nil)
	app1 := f.application(t, ic, nil)
	type crash struct{}
	crashRun := func() {
		t.Helper()
		panel.SetAfterSeats(func() { panic(crash{}) })
		defer panel.SetAfterSeats(nil)
		defer func() {
			if r := recover(); r == nil {
				t.Fatal("the run did not give seats")
			}
		}()
		_, _ = f.ps.Run(ctx, province)
	}
	crashRun()
	p, as, err := f.ps.Seats(ctx, app1.ID)
	if err != nil {
		t.Fatalf("seats after the crash: %v", err)
	}
	if len(as) != 4 || len(p.Members) != 4 {
		t.Fatalf("seats = %d (members %d), want 4", len(as), len(p.Members))
	}
	for _, a := range as {
		if a.State != panel.StateInvited {
			t.Errorf("%s = %s, want invited", a.ExpertID, a.State)
		}
		if _, err := f.ps.Accept(ctx, expertUser(a.ExpertID), a.ID); err != nil {
			t.Errorf("accept a recovered invitation: %v", err)
		}
	}
	if p, _, _ := f.ps.Seats(ctx, app1.ID); p.Inviting || len(p.Invitations) != 0 {
		t.Errorf("the panel still holds %d invitations", len(p.Invitations))
	}
	// Nobody reads the second application's seats: the sweep stores them
	// once the crash is a minute old.
	f.application(t, ic, nil)
	crashRun()
	f.advance(2 * time.Minute)
	if _, err := f.ps.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ps.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	mine, _, err := f.ps.List(ctx, expertUser("i1"), panel.Filter{})
	if err != nil || len(mine) != 2 {
		t.Fatalf("i1's assignments = %d %v, want 2", len(mine), err)
	}
	for _, id := range []string{"a1", "i1", "i2", "f1"} {
		rec, _ := f.es.Record(ctx, id)
		if rec.Assigned != 2 {
			t.Errorf("%s counted %d invitations, want 2", id, rec.Assigned)
		}
	}
}

// A decline cut short after the assignment was written, before its seat
// was freed: the next read of the seats frees it and the sweep invites the
// replacement.
func TestInterruptedDeclineIsFreed(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.expert(t, "i1", "industry", []string{ic}, nil)
	f.expert(t, "i2", "industry", []string{ic}, nil)
	f.expert(t, "i3", "industry", []string{"semiconductors"}, nil)
	app := f.application(t, ic, nil)
	if _, err := f.ps.Run(ctx, province); err != nil {
		t.Fatal(err)
	}
	a := assignmentOf(t, f, app.ID, "i1")
	coll, err := f.st.Collection(ctx, panel.AssignmentsDef)
	if err != nil {
		t.Fatal(err)
	}
	ver, err := coll.Get(ctx, a.ID, &a)
	if err != nil {
		t.Fatal(err)
	}
	a.State, a.Reason = panel.StateDeclined, "没有时间"
	if _, err := coll.Replace(ctx, a.ID, ver, a); err != nil { // the decline's first write, alone
		t.Fatal(err)
	}
	p, seats, err := f.ps.Seats(ctx, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range seats {
		if s.ExpertID == "i1" {
			t.Error("the declined expert still holds a seat")
		}
	}
	if !p.Pending || len(p.Refused) != 1 {
		t.Errorf("panel pending %v refused %d, want a replacement owed and one refusal", p.Pending, len(p.Refused))
	}
	if _, err := f.ps.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if got := seated(t, f, app.ID)["industry"]; len(got) != 2 || !contains(got, "i3") {
		t.Errorf("industry seats = %v, want i2 and the replacement i3", got)
	}
	if _, _, err := f.ps.Seats(ctx, app.ID); err != nil {
		t.Fatal(err)
	}
	if p, _, _ := f.ps.Seats(ctx, app.ID); len(p.Refused) != 1 {
		t.Errorf("refusals = %d after more reads, want 1", len(p.Refused))
	}
}
