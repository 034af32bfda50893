package scoring_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"kedaitong/internal/store"
	"kedaitong/review/panel"
	"kedaitong/review/scoring"
)

// revisionFixture is one accepted seat.
func revisionFixture(t *testing.T) (*fixture, panel.Assignment) {
	t.Helper()
	f := newFixture(t)
	f.panelOf4(t, 3)
	return f, f.seats(t, f.application(t))[0]
}

func (f *fixture) coll(t *testing.T, def store.CollectionDef) store.Collection {
	t.Helper()
	c, err := f.st.Collection(context.Background(), def)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// restart opens the scoring service afresh on the same store, as after a
// restart of the server (nothing remembered in memory).
func (f *fixture) restart(t *testing.T) {
	t.Helper()
	sc, err := scoring.Open(context.Background(), f.st, f.rs, f.ps, f.es, nil, scoring.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sc.SetClock(func() time.Time { return start.Add(time.Duration(f.off.Load())) })
	f.sc = sc
}

func saveComment(t *testing.T, f *fixture, a panel.Assignment, comment string) scoring.Score {
	t.Helper()
	in := input(5, "support")
	in.Comment = comment
	sc, err := f.sc.Save(context.Background(), expertUser(a.ExpertID), a.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

// history reads the expert's score and returns the comments of its
// revisions, checking that they are numbered 1..n.
func history(t *testing.T, f *fixture, a panel.Assignment) []string {
	t.Helper()
	sc, _, err := f.sc.MyScore(context.Background(), expertUser(a.ExpertID), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i, r := range sc.History {
		if r.Revision != i+1 {
			t.Fatalf("history[%d] is revision %d: %+v", i, r.Revision, sc.History)
		}
		out = append(out, r.Content.Comment)
	}
	if len(out) != sc.Revision {
		t.Fatalf("%d revisions in the history of revision %d", len(out), sc.Revision)
	}
	return out
}

// The score document holds only the current revision however often it was
// saved; every revision is in score_revisions and read back in order, the
// submission last.
func TestRevisionsKeptOutsideTheScore(t *testing.T) {
	f, a := revisionFixture(t)
	ctx := context.Background()
	for i := 1; i <= 5; i++ {
		sc := saveComment(t, f, a, fmt.Sprintf("第%d稿", i))
		if sc.Revision != i || sc.History != nil {
			t.Fatalf("save %d answered revision %d with %d history entries", i, sc.Revision, len(sc.History))
		}
	}
	var raw map[string]json.RawMessage
	if _, err := f.coll(t, scoring.ScoresDef).Get(ctx, a.ID, &raw); err != nil {
		t.Fatal(err)
	}
	if _, ok := raw["history"]; ok {
		t.Errorf("the stored score carries its history: %s", raw["history"])
	}
	if n, err := f.coll(t, scoring.RevisionsDef).Count(ctx, store.Query{Eq: map[string]any{"assignment_id": a.ID}}); err != nil || n != 5 {
		t.Errorf("%d stored revisions (%v), want 5", n, err)
	}
	if got := fmt.Sprint(history(t, f, a)); got != "[第1稿 第2稿 第3稿 第4稿 第5稿]" {
		t.Errorf("history %s", got)
	}
	if _, err := f.sc.Submit(ctx, expertUser(a.ExpertID), a.ID); err != nil {
		t.Fatal(err)
	}
	sc, _, err := f.sc.MyScore(ctx, expertUser(a.ExpertID), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(sc.History); n != 6 || sc.History[5].State != scoring.StateSubmitted || sc.History[4].State != scoring.StateDraft {
		t.Errorf("after submit: %d revisions, last %+v", n, sc.History[n-1])
	}
}

// A revision whose logging was cut short (a crash just after the score's
// write) is still the score's current revision, and is logged before the
// next save replaces it: nothing is lost.
func TestUnloggedRevisionKeptBeforeTheNextSave(t *testing.T) {
	f, a := revisionFixture(t)
	ctx := context.Background()
	saveComment(t, f, a, "第1稿")
	saveComment(t, f, a, "第2稿")
	if err := f.coll(t, scoring.RevisionsDef).Delete(ctx, a.ID+"@000002"); err != nil {
		t.Fatal(err)
	}
	f.restart(t) // the process that wrote revision 2 is gone
	if got := fmt.Sprint(history(t, f, a)); got != "[第1稿 第2稿]" {
		t.Errorf("history before the next save %s", got)
	}
	saveComment(t, f, a, "第3稿")
	if got := fmt.Sprint(history(t, f, a)); got != "[第1稿 第2稿 第3稿]" {
		t.Errorf("history after the next save %s", got)
	}
	var r map[string]any
	if _, err := f.coll(t, scoring.RevisionsDef).Get(ctx, a.ID+"@000002", &r); err != nil {
		t.Errorf("revision 2 was not logged before it was replaced: %v", err)
	}
}

// A score stored before score_revisions existed carries its history in the
// document: it is read as before, and moved out at the next save.
func TestLegacyHistoryMovedOut(t *testing.T) {
	f, a := revisionFixture(t)
	ctx := context.Background()
	first := saveComment(t, f, a, "第1稿")
	scores, revs := f.coll(t, scoring.ScoresDef), f.coll(t, scoring.RevisionsDef)
	// Rewrite it as the old code stored it: two revisions in the document,
	// none in score_revisions.
	var sc scoring.Score
	ver, err := scores.Get(ctx, a.ID, &sc)
	if err != nil {
		t.Fatal(err)
	}
	r1 := scoring.Revision{Revision: 1, Content: first.Content, GuidelineVersion: sc.GuidelineVersion, State: scoring.StateDraft, At: sc.UpdatedAt}
	r2 := r1
	r2.Revision, r2.Content.Comment = 2, "旧稿二"
	sc.Revision, sc.Content, sc.History = 2, r2.Content, []scoring.Revision{r1, r2}
	if _, err := scores.Replace(ctx, a.ID, ver, sc); err != nil {
		t.Fatal(err)
	}
	if err := revs.Delete(ctx, a.ID+"@000001"); err != nil {
		t.Fatal(err)
	}
	f.restart(t)
	if got := fmt.Sprint(history(t, f, a)); got != "[第1稿 旧稿二]" {
		t.Errorf("legacy history %s", got)
	}
	saveComment(t, f, a, "第3稿")
	if got := fmt.Sprint(history(t, f, a)); got != "[第1稿 旧稿二 第3稿]" {
		t.Errorf("history after the save %s", got)
	}
	var raw map[string]json.RawMessage
	if _, err := scores.Get(ctx, a.ID, &raw); err != nil {
		t.Fatal(err)
	}
	if _, ok := raw["history"]; ok {
		t.Error("the legacy history stayed in the document")
	}
	if n, _ := revs.Count(ctx, store.Query{Eq: map[string]any{"assignment_id": a.ID}}); n != 3 {
		t.Errorf("%d stored revisions, want 3", n)
	}
}

// At MaxRevisions drafts the expert is asked to submit; the submission
// still goes through.
func TestRevisionLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("500 saves")
	}
	f, a := revisionFixture(t)
	ctx := context.Background()
	u := expertUser(a.ExpertID)
	for i := range scoring.MaxRevisions {
		if _, err := f.sc.Save(ctx, u, a.ID, input(1+i%9, "support")); err != nil {
			t.Fatalf("save %d: %v", i+1, err)
		}
	}
	if _, err := f.sc.Save(ctx, u, a.ID, input(5, "support")); err == nil {
		t.Fatal("a save beyond the limit was taken")
	}
	if _, err := f.sc.Submit(ctx, u, a.ID); err != nil {
		t.Fatal(err)
	}
	sc, _, err := f.sc.MyScore(ctx, u, a.ID)
	if err != nil || len(sc.History) != scoring.MaxRevisions+1 {
		t.Errorf("%d revisions read back (%v), want %d", len(sc.History), err, scoring.MaxRevisions+1)
	}
}

// Two servers on one store saving the same score in turn keep one complete
// history (what one remembers of the logged revisions never hides the
// other's).
func TestTwoProcessesShareRevisions(t *testing.T) {
	f, a := revisionFixture(t)
	one := f.sc
	f.restart(t)
	two := f.sc
	for i := 1; i <= 6; i++ {
		f.sc = one
		if i%2 == 0 {
			f.sc = two
		}
		saveComment(t, f, a, fmt.Sprintf("第%d稿", i))
	}
	if got := fmt.Sprint(history(t, f, a)); got != "[第1稿 第2稿 第3稿 第4稿 第5稿 第6稿]" {
		t.Errorf("history %s", got)
	}
}
