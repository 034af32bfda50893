package app

import (
	"context"

	"kedaitong/review/rereview"
	"kedaitong/web"
)

// openRereview opens the re-review of loan holders and adds it to a.parts.
// It learns of granted lending decisions and issued reports as an observer
// of a.Recorder (application.decide, report.issue); its run func marks due
// re-reviews at start and daily, and concludes rounds a missed event left
// open. It reads reports through a scoring.Service of its own on the same
// store (the scoring part keeps no state beyond the store).
func (a *App) openRereview(ctx context.Context) error {
	svc, err := rereview.Open(ctx, a.Store, a.Review, a.Panel, a.Scoring, a.Notify, a.Recorder, a.Logger, rereview.Options{Months: a.Config.RereviewMonths})
	if err != nil {
		return err
	}
	a.Rereview = svc
	if a.Recorder.Observers != nil {
		a.Recorder.Observers.Add(svc.Observe)
	}
	a.parts = append(a.parts, part{
		name: "rereview",
		run:  svc.Run,
		web:  func(d *web.Deps) { d.Rereview = svc },
	})
	return nil
}
