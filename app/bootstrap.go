// Bootstrap prepares an empty store: it records, in one document, that the
// store was set up, and runs each part's seed hook once — the demo data
// with --demo, else the first admin account.
//
// Any number of servers may start together on one fresh store (SQLite
// folder or MongoDB). The bootstrap document is a lease: the server whose
// claim is written first (one version-guarded write; the others' claims
// conflict) seeds, renewing the lease while it works; every other server
// waits until the document says done, then starts. A seeder that dies
// mid-way lets its lease lapse and the next server to start takes over: it
// skips the hooks its predecessor finished (recorded in the document) and
// runs the rest (the interrupted one tolerates data it wrote before:
// EConflict is done).

package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"kedaitong"
	"kedaitong/internal/store"
)

// Env is what a hook gets.
type Env struct {
	Store store.Store
	Demo  bool      // seed demo data (else only what a production store needs)
	Out   io.Writer // where to print what the operator must see once (passwords)
	Now   time.Time
}

// Hook seeds one package's data into an empty store.
type Hook struct {
	Name string
	Seed func(ctx context.Context, env Env) error
}

// Meta is the collection of store-wide single documents.
var Meta = store.CollectionDef{Name: "meta"}

type marker struct {
	State     string    `json:"state"` // "seeding" or "done"
	Demo      bool      `json:"demo"`
	At        time.Time `json:"at"`
	Holder    string    `json:"holder,omitempty"`     // the seeding server
	ExpiresMS int64     `json:"expires_ms,omitempty"` // its lease, renewed while it seeds
	Attempts  int       `json:"attempts,omitempty"`   // seedings begun (more than 1: one was interrupted)
	Done      []string  `json:"done,omitempty"`       // hooks finished: a seeder taking over skips them
}

// Timing of the bootstrap lease.
var (
	SeedLease = 30 * time.Second // a seeder silent this long is taken over
	SeedWait  = 10 * time.Minute // how long a server waits for another's seeding
	seedPoll  = 100 * time.Millisecond
)

const bootstrapID = "bootstrap"

// Bootstrap seeds the store when it is empty: the one server whose claim
// is written first runs every hook in order, then marks the store done;
// the others wait for that. It reports whether this server seeded.
func Bootstrap(ctx context.Context, env Env, hooks ...Hook) (bool, error) {
	meta, err := env.Store.Collection(ctx, Meta)
	if err != nil {
		return false, err
	}
	if env.Now.IsZero() {
		env.Now = time.Now().UTC()
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	self := "srv-" + hex.EncodeToString(b)
	deadline := time.Now().Add(SeedWait)
	for {
		var m marker
		ver, err := meta.Get(ctx, bootstrapID, &m)
		now := time.Now()
		lease := now.Add(SeedLease).UnixMilli()
		switch {
		case kedaitong.Is(err, kedaitong.ENotFound):
			m = marker{State: "seeding", Demo: env.Demo, At: env.Now, Holder: self, ExpiresMS: lease, Attempts: 1}
			if err := meta.Insert(ctx, bootstrapID, m); kedaitong.Is(err, kedaitong.EConflict) {
				continue // another server claimed it first
			} else if err != nil {
				return false, fmt.Errorf("bootstrap: claim: %w", err)
			}
			if ver, err = meta.Get(ctx, bootstrapID, &m); err != nil {
				return false, fmt.Errorf("bootstrap: %w", err)
			}
			if m.Holder != self {
				continue
			}
			return true, seed(ctx, meta, ver, m, env, hooks)
		case err != nil:
			return false, fmt.Errorf("bootstrap: %w", err)
		case m.State == "done":
			return false, nil
		case m.ExpiresMS <= now.UnixMilli():
			// The seeder stopped (a crash): finish what was started, as it
			// was started.
			env.Demo = m.Demo
			m.Holder, m.ExpiresMS, m.Attempts = self, lease, m.Attempts+1
			nver, err := meta.Replace(ctx, bootstrapID, ver, m)
			if kedaitong.Is(err, kedaitong.EConflict) {
				continue
			} else if err != nil {
				return false, fmt.Errorf("bootstrap: take over: %w", err)
			}
			return true, seed(ctx, meta, nver, m, env, hooks)
		}
		if now.After(deadline) {
			return false, fmt.Errorf("bootstrap: another server (%s) has been preparing the empty store for more than %s; start again once it is done", m.Holder, SeedWait)
		}
		select {
		case <-ctx.Done():
			return false, fmt.Errorf("bootstrap: %w", ctx.Err())
		case <-time.After(seedPoll):
		}
	}
}

// seed runs the hooks under the lease held at version ver and marks the
// store done.
func seed(ctx context.Context, meta store.Collection, ver int64, m marker, env Env, hooks []Hook) error {
	var mu sync.Mutex // guards ver and m between the renewals and the end
	lost := false
	stop := make(chan struct{})
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		t := time.NewTicker(SeedLease / 3)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			mu.Lock()
			next := m
			next.ExpiresMS = time.Now().Add(SeedLease).UnixMilli()
			if nver, err := meta.Replace(context.WithoutCancel(ctx), bootstrapID, ver, next); err == nil {
				ver, m = nver, next
			} else if kedaitong.Is(err, kedaitong.EConflict) {
				lost = true // taken over: this server stalled too long
			}
			mu.Unlock()
		}
	}()
	var err error
	for _, h := range hooks {
		mu.Lock()
		done := slices.Contains(m.Done, h.Name)
		mu.Unlock()
		if done {
			continue // finished by the seeder this one took over from
		}
		if err = h.Seed(ctx, env); err != nil {
			err = fmt.Errorf("bootstrap: %s: %w", h.Name, err)
			break
		}
		mu.Lock()
		next := m
		next.Done = append(slices.Clip(m.Done), h.Name)
		if nver, rerr := meta.Replace(context.WithoutCancel(ctx), bootstrapID, ver, next); rerr == nil {
			ver, m = nver, next
		} else if kedaitong.Is(rerr, kedaitong.EConflict) {
			lost = true
		}
		mu.Unlock()
		if lost {
			break
		}
	}
	close(stop)
	<-renewed
	if err != nil {
		return err
	}
	if lost {
		return fmt.Errorf("bootstrap: another server took the seeding over while this one stalled")
	}
	m.State, m.Holder, m.ExpiresMS = "done", "", 0
	if _, err := meta.Replace(context.WithoutCancel(ctx), bootstrapID, ver, m); err != nil {
		return fmt.Errorf("bootstrap: mark done: %w", err)
	}
	return nil
}
