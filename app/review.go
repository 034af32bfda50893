package app

import (
	"context"

	"kedaitong/review"
	"kedaitong/web"
)

// openReview opens the loan applications (and the whitelist) and adds them
// to a.parts: demo applications on a demo store, the API and pages.
func (a *App) openReview(ctx context.Context) error {
	svc, err := review.Open(ctx, a.Store, a.Recorder)
	if err != nil {
		return err
	}
	a.Review = svc
	a.parts = append(a.parts, part{
		name: "review",
		seed: func(ctx context.Context, env Env) error { return svc.Seed(ctx, env.Demo) },
		web:  func(d *web.Deps) { d.Review = svc },
	})
	return nil
}
