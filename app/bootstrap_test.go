package app

import (
	"context"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kedaitong/internal/store"
	"kedaitong/internal/store/ferrettest"
)

// replicas opens n stores on one backend, as n servers would.
func replicas(t *testing.T, n int, dir, uri string) []store.Store {
	t.Helper()
	var sts []store.Store
	for range n {
		st, err := store.Open(context.Background(), dir, uri)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		sts = append(sts, st)
	}
	return sts
}

// Ten servers bootstrapping one fresh store at the same instant: every
// one succeeds, exactly one seeds, each hook runs once.
func testBootstrapTogether(t *testing.T, sts []store.Store) {
	var runs [2]atomic.Int32
	hooks := []Hook{
		{Name: "a", Seed: func(ctx context.Context, env Env) error {
			runs[0].Add(1)
			time.Sleep(50 * time.Millisecond)
			return nil
		}},
		{Name: "b", Seed: func(ctx context.Context, env Env) error { runs[1].Add(1); return nil }},
	}
	var wg sync.WaitGroup
	var seeded atomic.Int32
	errs := make([]error, len(sts))
	start := make(chan struct{})
	for i, st := range sts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			ok, err := Bootstrap(context.Background(), Env{Store: st, Demo: true, Out: io.Discard}, hooks...)
			errs[i] = err
			if ok {
				seeded.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("server %d: %v", i, err)
		}
	}
	if seeded.Load() != 1 || runs[0].Load() != 1 || runs[1].Load() != 1 {
		t.Errorf("seeded by %d servers, hooks ran %d and %d times; want 1, 1, 1", seeded.Load(), runs[0].Load(), runs[1].Load())
	}
	// A later start finds it done.
	if ok, err := Bootstrap(context.Background(), Env{Store: sts[0], Out: io.Discard}, hooks...); ok || err != nil {
		t.Errorf("bootstrap of a prepared store = %v %v", ok, err)
	}
}

func TestBootstrapTogetherSQLite(t *testing.T) {
	testBootstrapTogether(t, replicas(t, 10, t.TempDir(), ""))
}

func TestBootstrapTogetherMongo(t *testing.T) {
	if testing.Short() {
		t.Skip("FerretDB stand-in")
	}
	f := ferrettest.Start(t, t.TempDir(), "")
	testBootstrapTogether(t, replicas(t, 10, "", f.URI("kedai_boot")))
}

// A seeder that died mid-way (its lease lapsed) is taken over: the hooks
// it finished are skipped, the rest run, as it was started (demo).
func TestBootstrapTakesOverADeadSeeder(t *testing.T) {
	st := replicas(t, 1, t.TempDir(), "")[0]
	ctx := context.Background()
	meta, err := st.Collection(ctx, Meta)
	if err != nil {
		t.Fatal(err)
	}
	dead := marker{State: "seeding", Demo: true, Holder: "srv-dead", ExpiresMS: time.Now().Add(-time.Second).UnixMilli(), Attempts: 1, Done: []string{"a"}}
	if err := meta.Insert(ctx, bootstrapID, dead); err != nil {
		t.Fatal(err)
	}
	var ran []string
	var demo bool
	hooks := []Hook{
		{Name: "a", Seed: func(ctx context.Context, env Env) error { ran = append(ran, "a"); return nil }},
		{Name: "b", Seed: func(ctx context.Context, env Env) error { ran = append(ran, "b"); demo = env.Demo; return nil }},
	}
	ok, err := Bootstrap(ctx, Env{Store: st, Out: io.Discard}, hooks...)
	if err != nil || !ok {
		t.Fatalf("take-over = %v %v", ok, err)
	}
	if len(ran) != 1 || ran[0] != "b" || !demo {
		t.Errorf("ran %v (demo %v), want only b, as a demo seeding", ran, demo)
	}
	var m marker
	if _, err := meta.Get(ctx, bootstrapID, &m); err != nil || m.State != "done" || m.Attempts != 2 {
		t.Errorf("marker = %+v %v", m, err)
	}
}

// A live seeder is waited for, not raced.
func TestBootstrapWaitsForALiveSeeder(t *testing.T) {
	st := replicas(t, 1, t.TempDir(), "")[0]
	ctx := context.Background()
	meta, err := st.Collection(ctx, Meta)
	if err != nil {
		t.Fatal(err)
	}
	live := marker{State: "seeding", Holder: "srv-live", ExpiresMS: time.Now().Add(time.Minute).UnixMilli(), Attempts: 1}
	if err := meta.Insert(ctx, bootstrapID, live); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(300 * time.Millisecond)
		var m marker
		ver, _ := meta.Get(ctx, bootstrapID, &m)
		m.State = "done"
		_, _ = meta.Replace(ctx, bootstrapID, ver, m)
	}()
	ran := false
	began := time.Now()
	ok, err := Bootstrap(ctx, Env{Store: st, Out: io.Discard}, Hook{Name: "a", Seed: func(context.Context, Env) error { ran = true; return nil }})
	if ok || err != nil || ran {
		t.Fatalf("waiting server: seeded %v, err %v, ran %v", ok, err, ran)
	}
	if time.Since(began) < 250*time.Millisecond {
		t.Error("did not wait for the live seeder")
	}
}
