// Bootstrap prepares an empty store: it records, in one document, that the
// store was set up, and runs each part's seed hook once — the demo data
// with --demo, else the first admin account.

package app

import (
	"context"
	"fmt"
	"io"
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
	State string    `json:"state"` // "seeding" or "done"
	Demo  bool      `json:"demo"`
	At    time.Time `json:"at"`
}

// Run seeds the store when it is empty: the first server to claim the
// bootstrap marker runs every hook in order, then marks it done. It reports
// whether it seeded. A store whose seeding was interrupted is seeded again
// (hooks must tolerate data they wrote before: treat EConflict as done).
func Bootstrap(ctx context.Context, env Env, hooks ...Hook) (bool, error) {
	meta, err := env.Store.Collection(ctx, Meta)
	if err != nil {
		return false, err
	}
	if env.Now.IsZero() {
		env.Now = time.Now().UTC()
	}
	var m marker
	ver, err := meta.Get(ctx, "bootstrap", &m)
	switch {
	case kedaitong.Is(err, kedaitong.ENotFound):
		m = marker{State: "seeding", Demo: env.Demo, At: env.Now}
		if err := meta.Insert(ctx, "bootstrap", m); err != nil {
			if kedaitong.Is(err, kedaitong.EConflict) {
				return false, nil // another server is seeding it
			}
			return false, fmt.Errorf("bootstrap: claim: %w", err)
		}
		ver = 1
	case err != nil:
		return false, fmt.Errorf("bootstrap: %w", err)
	case m.State == "done":
		return false, nil
	default:
		env.Demo = m.Demo // finish what was started, as it was started
	}
	for _, h := range hooks {
		if err := h.Seed(ctx, env); err != nil {
			return false, fmt.Errorf("bootstrap: %s: %w", h.Name, err)
		}
	}
	m.State = "done"
	if _, err := meta.Replace(ctx, "bootstrap", ver, m); err != nil {
		return false, fmt.Errorf("bootstrap: mark done: %w", err)
	}
	return true, nil
}
