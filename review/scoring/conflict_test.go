package scoring_test

import (
	"context"
	"testing"

	"kedaitong"
	"kedaitong/experts"
	"kedaitong/review/panel"
)

// A conflict declared after the seat was accepted ends dossier access and
// scoring at once; a review already submitted on the open panel no longer
// counts.
func TestConflictEndsDossierAndScoring(t *testing.T) {
	f := newFixture(t)
	f.panelOf4(t, 3)
	f.expert(t, "i3", "industry", 3) // the replacements
	f.expert(t, "i4", "industry", 3)
	app := f.application(t)
	as := f.seats(t, app)
	ctx := context.Background()
	appl, err := f.rs.Load(ctx, app)
	if err != nil {
		t.Fatal(err)
	}
	declare := func(id string) {
		t.Helper()
		c := []experts.Conflict{{Name: appl.Enterprise.Name, Reason: "亲属在该企业任职"}}
		if _, err := f.es.Update(ctx, expertUser(id), id, experts.Patch{Conflicts: &c}); err != nil {
			t.Fatal(err)
		}
	}
	var drafted, submitted panel.Assignment
	for _, a := range as {
		if a.Tier == "industry" && drafted.ID == "" {
			drafted = a
		} else if a.Tier == "industry" {
			submitted = a
		}
	}
	u := expertUser(drafted.ExpertID)
	if _, err := f.sc.Dossier(ctx, u, drafted.ID); err != nil {
		t.Fatalf("dossier before: %v", err)
	}
	if _, err := f.sc.Save(ctx, u, drafted.ID, input(5, "support")); err != nil {
		t.Fatal(err)
	}
	declare(drafted.ExpertID)
	if _, err := f.sc.Dossier(ctx, u, drafted.ID); !kedaitong.Is(err, kedaitong.EConflict) {
		t.Errorf("dossier after the declaration: %v, want conflict", err)
	}
	if _, err := f.sc.Save(ctx, u, drafted.ID, input(5, "support")); !kedaitong.Is(err, kedaitong.EConflict) {
		t.Errorf("save after the declaration: %v, want conflict", err)
	}
	if _, err := f.sc.Submit(ctx, u, drafted.ID); !kedaitong.Is(err, kedaitong.EConflict) {
		t.Errorf("submit after the declaration: %v, want conflict", err)
	}

	f.score(t, submitted, 9)
	declare(submitted.ExpertID)
	if a, _ := f.ps.Load(ctx, submitted.ID); !panel.IsConflictEnded(a) {
		t.Fatalf("submitted seat after the declaration = %s", a.State)
	}
	// The replacement takes a seat; everyone else submits; the report has
	// no score of the conflicted experts.
	_, seats, err := f.ps.Seats(ctx, app)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range seats {
		if a.ExpertID == drafted.ExpertID || a.ExpertID == submitted.ExpertID {
			t.Fatalf("conflicted expert %s still seated", a.ExpertID)
		}
		if a.State == panel.StateInvited {
			if a, err = f.ps.Accept(ctx, expertUser(a.ExpertID), a.ID); err != nil {
				t.Fatal(err)
			}
		}
		if a.State == panel.StateAccepted {
			f.score(t, a, 6)
		}
	}
	if ok, err := f.sc.TryClose(ctx, app); err != nil || !ok {
		t.Fatalf("close: %v %v", ok, err)
	}
	r, err := f.sc.Get(ctx, gzbank, app)
	if err != nil || r.Overall.Mean != 6 {
		t.Errorf("report mean %v (%d submitted): %v, want 6 without the conflicted 9", r.Overall.Mean, r.Submitted, err)
	}
}
