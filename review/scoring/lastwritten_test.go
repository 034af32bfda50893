package scoring_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"kedaitong"
	"kedaitong/experts"
	"kedaitong/review"
	"kedaitong/review/panel"
	"kedaitong/review/scoring"
)

// otherServer opens a second scoring stack (review, experts, panel,
// scoring) on the fixture's store, as another server on the same data.
func otherServer(t *testing.T, f *fixture) *fixture {
	t.Helper()
	ctx := context.Background()
	g := &fixture{st: f.st}
	var err error
	if g.rs, err = review.Open(ctx, g.st, nil); err != nil {
		t.Fatal(err)
	}
	if g.es, err = experts.Open(ctx, g.st, nil); err != nil {
		t.Fatal(err)
	}
	if g.ps, err = panel.Open(ctx, g.st, g.rs, g.es, nil, panel.Options{}); err != nil {
		t.Fatal(err)
	}
	if g.sc, err = scoring.Open(ctx, g.st, g.rs, g.ps, g.es, nil, scoring.Options{}); err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return start.Add(time.Duration(f.off.Load())) }
	g.rs.SetClock(clock)
	g.es.SetClock(clock)
	g.ps.SetClock(clock)
	g.sc.SetClock(clock)
	return g
}

// A draft save takes the score this process wrote last instead of reading
// it; when another server wrote it since, the save notices (its write is
// guarded by the remembered version) and starts again from the store:
// every revision is kept, numbered 1..n, and a score submitted elsewhere
// stays locked.
func TestDraftSaveTakesTheScoreItWrote(t *testing.T) {
	ctx := context.Background()
	f, rc := newCountingFixture(t, scoring.ScoresDef.Name)
	f.panelOf4(t, 3)
	a := f.seats(t, f.application(t))[0]
	other := otherServer(t, f)
	gets := rc.gets[scoring.ScoresDef.Name]

	save := func(on *fixture, comment string, wantRev int, wantReads bool) {
		t.Helper()
		gets.Store(0)
		sc := saveComment(t, on, a, comment)
		if sc.Revision != wantRev || sc.Comment != comment {
			t.Fatalf("save %q: revision %d %q, want %d", comment, sc.Revision, sc.Comment, wantRev)
		}
		if n := gets.Load(); wantReads != (n > 0) {
			t.Errorf("save %q read the score %d times (want reads: %v)", comment, n, wantReads)
		}
	}
	save(f, "第1稿", 1, true) // nothing remembered yet
	save(f, "第2稿", 2, false)
	save(f, "第3稿", 3, false)
	save(other, "第4稿", 4, true) // another server
	save(f, "第5稿", 5, true)     // the remembered revision 3 is stale: read again
	save(f, "第6稿", 6, false)
	if got := fmt.Sprint(history(t, f, a)); got != "[第1稿 第2稿 第3稿 第4稿 第5稿 第6稿]" {
		t.Errorf("history %s", got)
	}

	// Submitted on the other server: locked here too.
	if _, err := other.sc.Submit(ctx, expertUser(a.ExpertID), a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.sc.Save(ctx, expertUser(a.ExpertID), a.ID, input(3, "support")); !kedaitong.Is(err, kedaitong.EConflict) {
		t.Errorf("save after the submission elsewhere: %v, want conflict", err)
	}
	sc, _, err := f.sc.MyScore(ctx, expertUser(a.ExpertID), a.ID)
	if err != nil || sc.State != scoring.StateSubmitted || sc.Revision != 7 {
		t.Errorf("score after: %s revision %d (%v), want submitted at 7", sc.State, sc.Revision, err)
	}
}
