package app

import (
	"context"
	"time"

	"kedaitong/review/scoring"
	"kedaitong/web"
)

// openScoring opens the rubric, the experts' scores and the panels'
// reports and adds them to a.parts: the service for the web server, and
// the closer: each submission signals it and it closes the panel at once
// when that was the last seat; every minute it also closes the panels
// whose deadline passed with a quorum and, as a safety net for signals
// lost (a crash, a full buffer, another server's submissions), those with
// a score submitted in the last hour (at start, the last week).
func (a *App) openScoring(ctx context.Context) error {
	svc, err := scoring.Open(ctx, a.Store, a.Review, a.Panel, a.Experts, a.Recorder, scoring.Options{})
	if err != nil {
		return err
	}
	a.Scoring = svc
	a.parts = append(a.parts, part{
		name: "scoring",
		run:  func(ctx context.Context) { a.runCloser(ctx, svc) },
		web:  func(d *web.Deps) { d.Scoring = svc },
	})
	return nil
}

func (a *App) runCloser(ctx context.Context, svc *scoring.Service) {
	sweep := func(lookback time.Duration) {
		if n, err := svc.CloseDue(ctx); err != nil {
			a.Logger.Warn("closing panels at their deadline", "err", err)
		} else if n > 0 {
			a.Logger.Info("closed panels at their deadline", "closed", n)
		}
		if n, err := svc.CloseSubmitted(ctx, time.Now().Add(-lookback)); err != nil {
			a.Logger.Warn("closing submitted panels", "err", err)
		} else if n > 0 {
			a.Logger.Info("closed submitted panels missed by the closer", "closed", n)
		}
	}
	sweep(7 * 24 * time.Hour)
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			sweep(time.Hour)
		case id := <-svc.Closing():
			if _, err := svc.TryClose(ctx, id); err != nil && ctx.Err() == nil {
				a.Logger.Warn("closing a panel", "application", id, "err", err)
			}
		}
	}
}
