package panel_test

import (
	"context"
	"testing"

	"kedaitong"
	"kedaitong/experts"
	"kedaitong/review/panel"
)

// An expert who declares a conflict with an application it already holds
// loses the seat at once, and a replacement is invited; its record is not
// marked as a decline.
func TestDeclaredConflictEndsTheSeat(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.expert(t, "i1", "industry", []string{ic}, nil)
	f.expert(t, "i2", "industry", []string{ic}, nil)
	f.expert(t, "i3", "industry", []string{"semiconductors"}, nil)
	app := f.application(t, ic, nil)
	if _, err := f.ps.Run(ctx, province); err != nil {
		t.Fatal(err)
	}
	asg := assignmentOf(t, f, app.ID, "i1")
	if _, err := f.ps.Accept(ctx, expertUser("i1"), asg.ID); err != nil {
		t.Fatal(err)
	}
	// An unrelated declaration changes nothing.
	other := []experts.Conflict{{Name: "无关科技有限公司", Reason: "亲属任职"}}
	if _, err := f.es.Update(ctx, expertUser("i1"), "i1", experts.Patch{Conflicts: &other}); err != nil {
		t.Fatal(err)
	}
	if a, _ := f.ps.Get(ctx, admin, asg.ID); a.State != panel.StateAccepted {
		t.Fatalf("an unrelated conflict ended the seat: %s", a.State)
	}
	mine := []experts.Conflict{{Name: app.Enterprise.Name, CreditCode: app.CreditCode, Reason: "曾担任该企业技术顾问"}}
	if _, err := f.es.Update(ctx, expertUser("i1"), "i1", experts.Patch{Conflicts: &mine}); err != nil {
		t.Fatal(err)
	}
	a, err := f.ps.Get(ctx, admin, asg.ID)
	if err != nil || a.State != panel.StateDeclined || !panel.IsConflictEnded(a) {
		t.Fatalf("after the declaration = %s %q %v, want declined for a conflict", a.State, a.Reason, err)
	}
	got := seated(t, f, app.ID)["industry"]
	if len(got) != 2 || !contains(got, "i3") || contains(got, "i1") {
		t.Errorf("industry seats = %v, want i2 and the replacement i3", got)
	}
	if _, err := f.ps.Decline(ctx, expertUser("i1"), asg.ID, "x"); !kedaitong.Is(err, kedaitong.EConflict) {
		t.Errorf("declining an ended seat: %v", err)
	}
	rec, _ := f.es.Record(ctx, "i1")
	if rec.Declined != 0 || rec.OpenAssignments != 0 {
		t.Errorf("i1 record = %+v, want no decline and nothing open", rec)
	}
	if len(f.rec.find("assignment.conflict")) != 1 {
		t.Errorf("no audit entry for the ended seat")
	}
	// Never invited to the application again.
	r, err := f.ps.Run(ctx, province)
	if err != nil {
		t.Fatal(err)
	}
	for _, inv := range r.Invitations {
		if inv.ExpertID == "i1" {
			t.Errorf("re-invited after the conflict: %+v", inv)
		}
	}
}

// A conflict that reached the profile without the hook (another server,
// a crash) ends the seat at the expert's next answer.
func TestConflictCheckedOnAccept(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.expert(t, "i1", "industry", []string{ic}, nil)
	f.expert(t, "i2", "industry", []string{ic}, nil)
	f.expert(t, "i3", "industry", []string{"semiconductors"}, nil)
	app := f.application(t, ic, nil)
	if _, err := f.ps.Run(ctx, province); err != nil {
		t.Fatal(err)
	}
	asg := assignmentOf(t, f, app.ID, "i1")
	// A second expert library on the same store has no panel hook: its
	// write is what another server's, or one cut short, looks like.
	bare, err := experts.Open(ctx, f.st, nil)
	if err != nil {
		t.Fatal(err)
	}
	mine := []experts.Conflict{{Name: app.Enterprise.Name, Reason: "持股"}}
	if _, err := bare.Update(ctx, expertUser("i1"), "i1", experts.Patch{Conflicts: &mine}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ps.Accept(ctx, expertUser("i1"), asg.ID); !kedaitong.Is(err, kedaitong.EConflict) {
		t.Fatalf("accepting with a conflict: %v, want conflict", err)
	}
	if got := seated(t, f, app.ID)["industry"]; !contains(got, "i3") || contains(got, "i1") {
		t.Errorf("industry seats = %v, want the replacement i3", got)
	}
}
