package scoring_test

import (
	"context"
	"testing"

	"kedaitong"
	"kedaitong/review/scoring"
)

// TestSubmitShown: the confirmation's submission locks the score only
// while it is the revision shown; a save after it was shown is refused
// (ChangedSinceShown, with Chinese), the score stays a draft, and the
// newer revision, once shown, is locked.
func TestSubmitShown(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.panelOf4(t, 5)
	as := f.seats(t, f.application(t))
	a := as[0]
	u := expertUser(a.ExpertID)
	first, err := f.sc.Save(ctx, u, a.ID, input(6, "support"))
	if err != nil {
		t.Fatal(err)
	}
	shown := first.Revision
	if _, err := f.sc.Save(ctx, u, a.ID, input(3, "do_not_support")); err != nil { // another tab
		t.Fatal(err)
	}
	_, err = f.sc.SubmitShown(ctx, u, a.ID, shown)
	if !scoring.ChangedSinceShown(err) || !kedaitong.Is(err, kedaitong.EConflict) {
		t.Fatalf("submitting revision %d after a save: %v, want changed since shown", shown, err)
	}
	if e, _ := err.(*kedaitong.Error); e == nil || e.ZH == "" {
		t.Errorf("no Chinese message: %#v", err)
	}
	sc, _, err := f.sc.MyScore(ctx, u, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sc.State == scoring.StateSubmitted {
		t.Fatal("a score changed after it was shown was locked")
	}
	if scoring.ChangedSinceShown(kedaitong.Errorf(kedaitong.EConflict, "other")) {
		t.Error("any conflict reads as changed since shown")
	}
	got, err := f.sc.SubmitShown(ctx, u, a.ID, sc.Revision)
	if err != nil {
		t.Fatalf("submitting the revision shown: %v", err)
	}
	if got.State != scoring.StateSubmitted || got.Content.Recommendation != "do_not_support" {
		t.Errorf("locked %s %q, want the shown draft (do_not_support) submitted", got.State, got.Content.Recommendation)
	}
}
