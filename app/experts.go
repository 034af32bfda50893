package app

import (
	"context"
	"fmt"

	"kedaitong/experts"
	"kedaitong/notify"
	"kedaitong/web"
)

// openExperts opens the expert library and adds it to a.parts: demo
// experts and committees on a demo store, the service for the web server.
func (a *App) openExperts(ctx context.Context) error {
	svc, err := experts.Open(ctx, a.Store, a.Recorder)
	if err != nil {
		return err
	}
	a.Experts = svc
	if a.Notify, err = notify.Open(ctx, a.Store); err != nil {
		return err
	}
	a.parts = append(a.parts, part{
		name: "experts",
		seed: func(ctx context.Context, env Env) error {
			if !env.Demo {
				return nil
			}
			n, err := svc.SeedDemo(ctx)
			if err != nil {
				return fmt.Errorf("demo experts: %w", err)
			}
			fmt.Fprintf(env.Out, "Seeded %d demo experts and a review committee per industry.\n", n)
			return nil
		},
		web: func(d *web.Deps) { d.Experts = svc },
	})
	return nil
}
