package app

import (
	"context"
	"time"

	"kedaitong/banks"
	"kedaitong/web"
)

// openBanks opens the registry of lending banks — which the conflict checks
// of panels and consultations read — and adds it to a.parts: the demo banks
// when seeding demo data, and a reload every 30 s so a bank registered on
// another server is known here too.
func (a *App) openBanks(ctx context.Context) error {
	svc, err := banks.Open(ctx, a.Store, a.Recorder)
	if err != nil {
		return err
	}
	a.Banks = svc
	a.parts = append(a.parts, part{
		name: "banks",
		seed: func(ctx context.Context, env Env) error {
			if !env.Demo {
				return nil
			}
			return svc.SeedDemo(ctx)
		},
		run: func(ctx context.Context) { svc.Watch(ctx, 30*time.Second) },
		web: func(d *web.Deps) { d.Banks = svc },
	})
	return nil
}
