package dashboard

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kedaitong/identity"
	"kedaitong/internal/store/storetest"
	"kedaitong/review"
)

type cacheFixture struct {
	t    *testing.T
	ctx  context.Context
	d    *Service
	n    int
	apps interface {
		Insert(context.Context, string, any) error
	}
}

func newCacheFixture(t *testing.T) *cacheFixture {
	t.Helper()
	ctx := context.Background()
	st := storetest.New(t)
	apps, err := review.Open(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Open(ctx, st, apps, nil)
	if err != nil {
		t.Fatal(err)
	}
	coll, err := st.Collection(ctx, review.ApplicationsDef)
	if err != nil {
		t.Fatal(err)
	}
	return &cacheFixture{t: t, ctx: ctx, d: d, apps: coll}
}

// write stores a draft application in region and counts it as by's write.
func (f *cacheFixture) write(by identity.User, region string) {
	f.t.Helper()
	f.n++
	a := review.Application{ID: fmt.Sprintf("app-%016x", f.n), BankID: "gzb", State: review.StateDraft, Region: region, City: region[:4],
		Route: "semiconductors.ic-design", Industry: "semiconductors", CreatedMS: int64(f.n)}
	if err := f.apps.Insert(f.ctx, a.ID, a); err != nil {
		f.t.Fatal(err)
	}
	f.d.Observe(f.ctx, identity.Event{Actor: &by, Action: "application.create", ObjectKind: "application", ObjectID: a.ID, Region: region, Outcome: "ok"})
}

func (f *cacheFixture) snap(u identity.User, region string) Snapshot {
	f.t.Helper()
	sn, err := f.d.Snapshot(f.ctx, u, region, "", "")
	if err != nil {
		f.t.Fatal(err)
	}
	return sn
}

var (
	cacheAdmin  = identity.User{ID: "u-admin", Role: identity.RoleAdmin}
	cacheProv   = identity.User{ID: "u-prov", Role: identity.RoleOfficial, Region: "36"}
	cacheWriter = identity.User{ID: "u-writer", Role: identity.RoleOfficial, Region: "36"}
)

// TestSnapshotPerRegion: a write makes the views of the regions it touches
// (the county, its city, the province) stale at once, and only those: an
// unrelated city's view is not recomputed and keeps what was built on it.
func TestSnapshotPerRegion(t *testing.T) {
	f := newCacheFixture(t)
	var fills sync.Map
	testHookFill = func(scope string) {
		n, _ := fills.LoadOrStore(scope, new(atomic.Int64))
		n.(*atomic.Int64).Add(1)
	}
	t.Cleanup(func() { testHookFill = nil })
	count := func(scope string) int64 {
		n, ok := fills.Load(scope)
		if !ok {
			return 0
		}
		return n.(*atomic.Int64).Load()
	}
	f.write(cacheAdmin, "360702")
	f.write(cacheAdmin, "361002")
	for _, r := range []string{"36", "3607", "360702", "3610"} {
		f.snap(cacheProv, r)
	}
	built := 0
	fz := f.snap(cacheProv, "3610")
	if _, err := fz.Memo("k", func(Snapshot) (any, error) { built++; return built, nil }); err != nil {
		t.Fatal(err)
	}
	f.write(cacheAdmin, "360702")
	for _, c := range []struct {
		region string
		apps   int64
		fills  int64
	}{{"36", 3, 2}, {"3607", 2, 2}, {"360702", 2, 2}, {"3610", 1, 1}} {
		sn := f.snap(cacheProv, c.region)
		if sn.View.Applications.Total != c.apps || count(c.region) != c.fills {
			t.Errorf("%s after a write in 360702: %d applications, %d computations; want %d, %d", c.region, sn.View.Applications.Total, count(c.region), c.apps, c.fills)
		}
	}
	if v, _ := f.snap(cacheProv, "3610").Memo("k", func(Snapshot) (any, error) { return -1, nil }); v != 1 || built != 1 {
		t.Errorf("an untouched region's memo = %v (built %d times), want 1 built once", v, built)
	}
	// an event that counts nothing changes nothing
	f.d.Observe(f.ctx, identity.Event{Actor: &cacheAdmin, Action: "user.login", Outcome: "ok"})
	f.snap(cacheProv, "36")
	if count("36") != 2 {
		t.Errorf("a login recomputed the province's view (%d computations)", count("36"))
	}
}

// TestSnapshotStaleWhileRefreshing: while the view is recomputed after a
// write, other readers are served the previous view (computed under
// MaxStale ago) at once; the writer waits for the new one; and what was
// built on the previous view is built on the new one before it is served.
func TestSnapshotStaleWhileRefreshing(t *testing.T) {
	f := newCacheFixture(t)
	f.write(cacheAdmin, "360702")
	old := f.snap(cacheProv, "3607")
	builds := atomic.Int64{}
	page := func(sn Snapshot) (any, error) {
		builds.Add(1)
		return fmt.Sprintf("page of %d", sn.View.Applications.Total), nil
	}
	if v, _ := old.Memo("page", page); v != "page of 1" {
		t.Fatalf("memo = %v", v)
	}
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	testHookFill = func(scope string) {
		if scope == "3607" {
			entered <- struct{}{}
			<-release
		}
	}
	t.Cleanup(func() { testHookFill = nil })
	f.write(cacheWriter, "360702")
	first := make(chan Snapshot)
	go func() { first <- f.snap(cacheAdmin, "3607") }() // the first reader: recomputes and waits
	<-entered
	other := make(chan Snapshot, 1)
	go func() { other <- f.snap(cacheProv, "3607") }()
	select {
	case sn := <-other:
		if sn.View.Applications.Total != 1 || sn.ETag != old.ETag {
			t.Errorf("a reader during the refresh got %d applications, want the previous view (1)", sn.View.Applications.Total)
		}
	case <-time.After(2 * time.Second):
		close(release)
		t.Fatal("a reader during the refresh waited for it")
	}
	mine := make(chan Snapshot)
	go func() { mine <- f.snap(cacheWriter, "3607") }()
	select {
	case sn := <-mine:
		t.Fatalf("the writer was served %d applications before the refresh ended", sn.View.Applications.Total)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	for name, ch := range map[string]chan Snapshot{"first reader": first, "writer": mine} {
		if sn := <-ch; sn.View.Applications.Total != 2 {
			t.Errorf("%s: %d applications, want 2", name, sn.View.Applications.Total)
		}
	}
	n := builds.Load()
	if v, _ := f.snap(cacheProv, "3607").Memo("page", page); v != "page of 2" || builds.Load() != n || n != 2 {
		t.Errorf("memo after the refresh = %v, builds %d then %d; want built once per view before it was served", v, n, builds.Load())
	}
}

// TestSnapshotStaleBound: no reader is served a view computed MaxStale ago
// or earlier: past it, readers wait for the refresh.
func TestSnapshotStaleBound(t *testing.T) {
	f := newCacheFixture(t)
	defer func(m time.Duration) { MaxStale = m }(MaxStale)
	MaxStale = 30 * time.Millisecond
	f.write(cacheAdmin, "360702")
	f.snap(cacheProv, "3607")
	time.Sleep(2 * MaxStale)
	release := make(chan struct{})
	entered := make(chan struct{}, 1)
	testHookFill = func(scope string) {
		if scope == "3607" {
			entered <- struct{}{}
			<-release
		}
	}
	t.Cleanup(func() { testHookFill = nil })
	f.write(cacheAdmin, "360702")
	go func() { f.snap(cacheAdmin, "3607") }()
	<-entered
	got := make(chan Snapshot)
	go func() { got <- f.snap(cacheProv, "3607") }()
	select {
	case sn := <-got:
		t.Fatalf("served a view older than MaxStale: %d applications", sn.View.Applications.Total)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if sn := <-got; sn.View.Applications.Total != 2 {
		t.Errorf("after the refresh: %d applications, want 2", sn.View.Applications.Total)
	}
}
