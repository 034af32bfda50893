package app

import (
	"context"

	"kedaitong"

	"kedaitong/dashboard"
	"kedaitong/web"
)

// openDashboard opens the officials' dashboard and adds it to a.parts. Its
// counters are kept on write from the audit events every service records
// (an observer of a.Recorder); on a store that holds data from before the
// dashboard existed they are rebuilt once, here, by one scan.
func (a *App) openDashboard(ctx context.Context) error {
	svc, err := dashboard.Open(ctx, a.Store, a.Review, a.Logger)
	if err != nil {
		return err
	}
	if err := a.buildDashboard(ctx, svc); err != nil {
		return err
	}
	if a.Recorder.Observers != nil {
		a.Recorder.Observers.Add(svc.Observe)
	}
	a.parts = append(a.parts, part{
		name: "dashboard",
		// The demo seeds before it write some documents directly (demo
		// applications, consultations) without the events counting
		// follows: count them once from the documents. Later seeds go
		// through the services and are counted on write.
		seed: func(ctx context.Context, env Env) error {
			if !env.Demo {
				return nil
			}
			_, err := svc.Rebuild(ctx)
			return err
		},
		web: func(d *web.Deps) { d.Dashboard = svc },
	})
	return nil
}

// buildDashboard makes sure the dashboard's counters exist, safe for
// servers starting together: a fresh store (not yet bootstrapped: every
// object will be counted on write) is only marked built; a store with data
// from before the dashboard is rebuilt once (a racing server's marker
// makes the loser's rebuild a no-op).
func (a *App) buildDashboard(ctx context.Context, svc *dashboard.Service) error {
	built, err := svc.Built(ctx)
	if err != nil || built {
		return err
	}
	meta, err := a.Store.Collection(ctx, Meta)
	if err != nil {
		return err
	}
	if _, err := meta.Get(ctx, bootstrapID, nil); kedaitong.Is(err, kedaitong.ENotFound) {
		return svc.MarkBuilt(ctx)
	} else if err != nil {
		return err
	}
	// The store was bootstrapped by an earlier version: rebuild, unless
	// a server marked it built meanwhile.
	if built, err = svc.Built(ctx); err != nil || built {
		return err
	}
	n, err := svc.Rebuild(ctx)
	if kedaitong.Is(err, kedaitong.EConflict) {
		if built, berr := svc.Built(ctx); berr == nil && built {
			return nil
		}
	}
	if err != nil {
		return err
	}
	if n > 0 {
		a.Logger.Info("dashboard: counters rebuilt", "applications", n)
	}
	return nil
}
