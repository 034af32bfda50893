package scoring_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"kedaitong"
	"kedaitong/experts"
	"kedaitong/internal/store"
	"kedaitong/internal/store/storetest"
	"kedaitong/review"
	"kedaitong/review/panel"
	"kedaitong/review/scoring"
)

// readCounts is the real test store, counting the Gets of some collections.
type readCounts struct {
	store.Store
	gets map[string]*atomic.Int64
}

func (s readCounts) Collection(ctx context.Context, def store.CollectionDef) (store.Collection, error) {
	c, err := s.Store.Collection(ctx, def)
	if n, ok := s.gets[def.Name]; ok && err == nil {
		return countingColl{Collection: c, gets: n}, nil
	}
	return c, err
}

func (s readCounts) reset() {
	for _, n := range s.gets {
		n.Store(0)
	}
}

func newCountingFixture(t *testing.T, names ...string) (*fixture, readCounts) {
	t.Helper()
	ctx := context.Background()
	rc := readCounts{Store: storetest.New(t), gets: map[string]*atomic.Int64{}}
	for _, n := range names {
		rc.gets[n] = &atomic.Int64{}
	}
	f := &fixture{st: rc}
	var err error
	if f.rs, err = review.Open(ctx, f.st, nil); err != nil {
		t.Fatal(err)
	}
	if f.es, err = experts.Open(ctx, f.st, nil); err != nil {
		t.Fatal(err)
	}
	if f.ps, err = panel.Open(ctx, f.st, f.rs, f.es, nil, panel.Options{}); err != nil {
		t.Fatal(err)
	}
	if f.sc, err = scoring.Open(ctx, f.st, f.rs, f.ps, f.es, nil, scoring.Options{}); err != nil {
		t.Fatal(err)
	}
	clock := func() time.Time { return start.Add(time.Duration(f.off.Load())) }
	f.rs.SetClock(clock)
	f.es.SetClock(clock)
	f.ps.SetClock(clock)
	f.sc.SetClock(clock)
	return f, rc
}

// Draft saves rely on a conflict check made less than ConflictRecheck ago
// (no read of the application or the expert); a profile change made in
// this process makes the next save check again; a change whose hook never
// ran (another server crashed after storing it) is caught at once by the
// dossier and the submission, and by draft saves once the check is due.
func TestDraftSavesRelyOnARecentConflictCheck(t *testing.T) {
	ctx := context.Background()
	apps, exps := review.ApplicationsDef.Name, experts.ExpertsDef.Name
	f, rc := newCountingFixture(t, apps, exps)
	f.sc.SetConflictRecheck(time.Hour)
	f.panelOf4(t, 3)
	appID := f.application(t)
	as := f.seats(t, appID)
	a, b := as[0], as[1]
	u := expertUser(a.ExpertID)

	reads := func() (int64, int64) { return rc.gets[apps].Load(), rc.gets[exps].Load() }
	rc.reset()
	saveComment(t, f, a, "第1稿")
	if na, ne := reads(); na == 0 || ne == 0 {
		t.Errorf("first save read the application %d and the expert %d times: it must check for conflicts", na, ne)
	}
	for i := 2; i <= 4; i++ {
		rc.reset()
		saveComment(t, f, a, "稿")
		if na, ne := reads(); na != 0 || ne != 0 {
			t.Errorf("save %d read the application %d and the expert %d times, want 0 (checked just before)", i, na, ne)
		}
	}
	// Each assignment has its own check.
	rc.reset()
	saveComment(t, f, b, "另一席位")
	if na, ne := reads(); na == 0 || ne == 0 {
		t.Errorf("another seat's first save read the application %d and the expert %d times", na, ne)
	}

	// A profile change here (no conflict) makes the expert's next save check again.
	title := "研究员"
	if _, err := f.es.Update(ctx, admin, a.ExpertID, experts.Patch{Title: &title}); err != nil {
		t.Fatal(err)
	}
	rc.reset()
	saveComment(t, f, a, "改资料后")
	if na, ne := reads(); na == 0 || ne == 0 {
		t.Errorf("save after a profile change read the application %d and the expert %d times: it must check again", na, ne)
	}

	// A conflict stored without its hook (another server crashed just
	// after storing it): the dossier ends the seat at once; the draft
	// save within the recheck time was only a draft, and none after counts.
	appl, err := f.rs.Load(ctx, appID)
	if err != nil {
		t.Fatal(err)
	}
	declareBehindTheHook(t, f, a.ExpertID, appl.Enterprise.Name)
	if _, err := f.sc.Save(ctx, u, a.ID, input(5, "support")); err != nil {
		t.Errorf("draft save within the recheck time: %v", err)
	}
	if _, err := f.sc.Dossier(ctx, u, a.ID); !kedaitong.Is(err, kedaitong.EConflict) {
		t.Errorf("dossier after the conflict: %v, want conflict", err)
	}
	if _, err := f.sc.Save(ctx, u, a.ID, input(5, "support")); !kedaitong.Is(err, kedaitong.EConflict) {
		t.Errorf("save after the dossier ended the seat: %v, want conflict", err)
	}
	if got, _ := f.ps.Load(ctx, a.ID); !panel.IsConflictEnded(got) {
		t.Errorf("seat after the conflict = %s %q, want ended by the conflict", got.State, got.Reason)
	}

	// Once the check is due, the draft save itself ends the seat.
	f.sc.SetConflictRecheck(20 * time.Millisecond)
	saveComment(t, f, b, "再存")
	declareBehindTheHook(t, f, b.ExpertID, appl.Enterprise.Name)
	time.Sleep(30 * time.Millisecond)
	if _, err := f.sc.Save(ctx, expertUser(b.ExpertID), b.ID, input(5, "support")); !kedaitong.Is(err, kedaitong.EConflict) {
		t.Errorf("save once the check is due: %v, want conflict", err)
	}
	if got, _ := f.ps.Load(ctx, b.ID); !panel.IsConflictEnded(got) {
		t.Errorf("seat after the due check = %s %q, want ended by the conflict", got.State, got.Reason)
	}
}

// With no recheck time every draft save checks.
func TestDraftSavesCheckEveryTimeWithoutRecheck(t *testing.T) {
	apps, exps := review.ApplicationsDef.Name, experts.ExpertsDef.Name
	f, rc := newCountingFixture(t, apps, exps)
	f.sc.SetConflictRecheck(0)
	f.panelOf4(t, 3)
	a := f.seats(t, f.application(t))[0]
	for i := range 3 {
		rc.reset()
		saveComment(t, f, a, "稿")
		if na, ne := rc.gets[apps].Load(), rc.gets[exps].Load(); na == 0 || ne == 0 {
			t.Errorf("save %d read the application %d and the expert %d times", i+1, na, ne)
		}
	}
}

// declareBehindTheHook stores a declared conflict in the expert's profile
// directly, as a server that crashed before its OnChange hook ran leaves it.
func declareBehindTheHook(t *testing.T, f *fixture, expertID, enterprise string) {
	t.Helper()
	ctx := context.Background()
	c, err := f.st.Collection(ctx, experts.ExpertsDef)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	ver, err := c.Get(ctx, expertID, &doc)
	if err != nil {
		t.Fatal(err)
	}
	doc["conflicts"] = []map[string]any{{"name": enterprise, "reason": "亲属在该企业任职"}}
	if _, err := c.Replace(ctx, expertID, ver, doc); err != nil {
		t.Fatal(err)
	}
}
