package app

import (
	"context"

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
	built, err := svc.Built(ctx)
	if err != nil {
		return err
	}
	if !built {
		n, err := svc.Rebuild(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			a.Logger.Info("dashboard: counters rebuilt", "applications", n)
		}
	}
	if a.Recorder.Observers != nil {
		a.Recorder.Observers.Add(svc.Observe)
	}
	a.parts = append(a.parts, part{
		name: "dashboard",
		web:  func(d *web.Deps) { d.Dashboard = svc },
	})
	return nil
}
