package scoring_test

import (
	"context"
	"testing"
	"time"

	"kedaitong"
	"kedaitong/internal/store"
	"kedaitong/review/panel"
	"kedaitong/review/scoring"
)

// crashAfterLock submits a's score and stops the submission between its
// two writes, as a kill -9 there would: the score is locked, the
// assignment document still says accepted.
func (f *fixture) crashAfterLock(t *testing.T, a panel.Assignment, v int) {
	t.Helper()
	ctx := context.Background()
	u := expertUser(a.ExpertID)
	if _, err := f.sc.Save(ctx, u, a.ID, input(v, "support")); err != nil {
		t.Fatal(err)
	}
	type crash struct{}
	scoring.SetAfterLock(func() { panic(crash{}) })
	defer scoring.SetAfterLock(nil)
	func() {
		defer func() {
			if r := recover(); r == nil {
				t.Fatal("the submission did not reach its second write")
			} else if _, ok := r.(crash); !ok {
				panic(r)
			}
		}()
		_, _ = f.sc.Submit(ctx, u, a.ID)
	}()
	coll, err := f.st.Collection(ctx, panel.AssignmentsDef)
	if err != nil {
		t.Fatal(err)
	}
	var raw panel.Assignment
	if _, err := coll.Get(ctx, a.ID, &raw); err != nil || raw.State != panel.StateAccepted {
		t.Fatalf("the crash state is not the one to repair: %s %v", raw.State, err)
	}
}

func rawState(t *testing.T, st store.Store, id string) string {
	t.Helper()
	coll, err := st.Collection(context.Background(), panel.AssignmentsDef)
	if err != nil {
		t.Fatal(err)
	}
	var raw panel.Assignment
	if _, err := coll.Get(context.Background(), id, &raw); err != nil {
		t.Fatal(err)
	}
	return raw.State
}

// A submission interrupted after the score was locked is finished by the
// next read of the assignment: the expert's list shows it submitted, a
// decline is refused, and the panel closes with every score.
func TestInterruptedSubmissionIsSettledOnRead(t *testing.T) {
	f := newFixture(t)
	f.panelOf4(t, 3)
	app := f.application(t)
	as := f.seats(t, app)
	ctx := context.Background()
	for _, a := range as[:3] {
		f.score(t, a, 6)
	}
	last := as[3]
	f.crashAfterLock(t, last, 8)
	u := expertUser(last.ExpertID)
	list, _, err := f.ps.List(ctx, u, panel.Filter{})
	if err != nil || len(list) != 1 || list[0].State != panel.StateSubmitted {
		t.Fatalf("the expert's list after the crash = %+v %v, want submitted", list, err)
	}
	if got := rawState(t, f.st, last.ID); got != panel.StateSubmitted {
		t.Errorf("stored state after the read = %s", got)
	}
	if _, err := f.ps.Decline(ctx, u, last.ID, "no time"); !kedaitong.Is(err, kedaitong.EConflict) {
		t.Errorf("decline of a submitted review: %v", err)
	}
	if _, err := f.sc.Submit(ctx, u, last.ID); !kedaitong.Is(err, kedaitong.EConflict) {
		t.Errorf("second submit: %v", err)
	}
	if ok, err := f.sc.TryClose(ctx, app); err != nil || !ok {
		t.Fatalf("close: %v %v", ok, err)
	}
	r, err := f.sc.Get(ctx, gzbank, app)
	if err != nil || r.Submitted != 4 || r.Released != 0 {
		t.Fatalf("report submitted %d released %d: %v, want 4 and 0", r.Submitted, r.Released, err)
	}
}

// The case: the crash leaves the assignment accepted and the
// panel then closes at its deadline. The interrupted score counts; it is
// not released.
func TestInterruptedSubmissionCountsAtTheDeadline(t *testing.T) {
	f := newFixture(t)
	f.panelOf4(t, 3)
	app := f.application(t)
	as := f.seats(t, app)
	ctx := context.Background()
	for _, a := range as[:2] {
		f.score(t, a, 6)
	}
	f.crashAfterLock(t, as[2], 6)
	f.advance(panel.ReviewWindow + time.Minute)
	if n, err := f.sc.CloseDue(ctx); err != nil || n != 1 {
		t.Fatalf("at the deadline: %d %v", n, err)
	}
	r, err := f.sc.Get(ctx, gzbank, app)
	if err != nil || r.Submitted != 3 || r.Released != 1 {
		t.Fatalf("report submitted %d released %d: %v, want 3 and 1", r.Submitted, r.Released, err)
	}
	if got := rawState(t, f.st, as[2].ID); got != panel.StateSubmitted {
		t.Errorf("interrupted seat = %s, want submitted", got)
	}
	if got := rawState(t, f.st, as[3].ID); got != panel.StateExpired {
		t.Errorf("late seat = %s, want expired", got)
	}
}

// A reader settling the assignment while the submission is between its
// writes does not make the submission fail or unlock the score.
func TestSubmissionRacingASettlingRead(t *testing.T) {
	f := newFixture(t)
	f.panelOf4(t, 3)
	app := f.application(t)
	as := f.seats(t, app)
	ctx := context.Background()
	a := as[0]
	u := expertUser(a.ExpertID)
	if _, err := f.sc.Save(ctx, u, a.ID, input(7, "support")); err != nil {
		t.Fatal(err)
	}
	scoring.SetAfterLock(func() {
		if got, err := f.ps.Load(ctx, a.ID); err != nil || got.State != panel.StateSubmitted {
			t.Errorf("read between the writes = %s %v", got.State, err)
		}
	})
	defer scoring.SetAfterLock(nil)
	sub, err := f.sc.Submit(ctx, u, a.ID)
	if err != nil || sub.State != scoring.StateSubmitted {
		t.Fatalf("submit = %s %v", sub.State, err)
	}
	sc, _, err := f.sc.MyScore(ctx, u, a.ID)
	if err != nil || sc.State != scoring.StateSubmitted {
		t.Fatalf("score after = %s %v", sc.State, err)
	}
}

// A close cut short just after the report was stored (kill -9) is
// finished by the next TryClose: the late seat released, the application
// closed, every expert's history and track record written once.
func TestInterruptedCloseIsFinished(t *testing.T) {
	f := newFixture(t)
	f.panelOf4(t, 3)
	app := f.application(t)
	as := f.seats(t, app)
	ctx := context.Background()
	for _, a := range as[:3] {
		f.score(t, a, 6)
	}
	f.advance(panel.ReviewWindow + time.Minute)
	type crash struct{}
	scoring.SetAfterReport(func() { panic(crash{}) })
	func() {
		defer func() {
			if r := recover(); r == nil {
				t.Fatal("the close did not store its report")
			}
		}()
		_, _ = f.sc.CloseDue(ctx)
	}()
	scoring.SetAfterReport(nil)
	if a, _ := f.rs.Load(ctx, app); a.State == "closed" {
		t.Fatal("the crash state is not the one to repair")
	}
	for range 2 { // the closer's sweep and a second server: finished once
		if _, err := f.sc.TryClose(ctx, app); err != nil {
			t.Fatal(err)
		}
	}
	if a, _ := f.rs.Load(ctx, app); a.State != "closed" {
		t.Errorf("application = %s, want closed", a.State)
	}
	if got := rawState(t, f.st, as[3].ID); got != panel.StateExpired {
		t.Errorf("late seat = %s, want released", got)
	}
	for _, a := range as[:3] {
		rec, err := f.es.Record(ctx, a.ExpertID)
		if err != nil || rec.Completed != 1 || rec.Deviations != 1 || rec.OpenAssignments != 0 {
			t.Errorf("%s record = %+v %v, want one completed review and its deviation", a.ExpertID, rec, err)
		}
	}
	if rec, _ := f.es.Record(ctx, as[3].ExpertID); rec.OpenAssignments != 0 {
		t.Errorf("released expert still has %d open", rec.OpenAssignments)
	}
}
