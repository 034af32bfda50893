package app

import (
	"context"
	"time"

	"kedaitong/experts"
	"kedaitong/review/scoring"
	"kedaitong/web"
)

// openScoring opens the rubric, the experts' scores and the panels'
// reports and adds them to a.parts: the service for the web server, and
// every minute the closing of panels whose deadline passed with a quorum.
func (a *App) openScoring(ctx context.Context) error {
	es, err := experts.Open(ctx, a.Store, a.Recorder)
	if err != nil {
		return err
	}
	svc, err := scoring.Open(ctx, a.Store, a.Review, a.Panel, es, a.Recorder, scoring.Options{})
	if err != nil {
		return err
	}
	a.parts = append(a.parts, part{
		name: "scoring",
		run: func(ctx context.Context) {
			t := time.NewTicker(time.Minute)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					if n, err := svc.CloseDue(ctx); err != nil {
						a.Logger.Warn("closing panels at their deadline", "err", err)
					} else if n > 0 {
						a.Logger.Info("closed panels at their deadline", "closed", n)
					}
				}
			}
		},
		web: func(d *web.Deps) { d.Scoring = svc },
	})
	return nil
}
