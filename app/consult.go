package app

import (
	"context"
	"fmt"
	"time"

	"kedaitong/consult"
	"kedaitong/web"
)

// openConsult opens the in-app notifications and the consultations (after
// the expert library and the applications) and adds them to a.parts: demo
// consultations on a demo store, re-routing every minute, the API and pages.
func (a *App) openConsult(ctx context.Context) error {
	notes, ex := a.Notify, a.Experts
	svc, err := consult.Open(ctx, a.Store, ex, a.Review, notes, a.Recorder)
	if err == nil {
		svc.SetBankOrgIDs(a.Banks.OrgIDs)
	}
	if err != nil {
		return err
	}
	a.consult = svc
	a.parts = append(a.parts, part{
		name: "consult",
		seed: func(ctx context.Context, env Env) error {
			if !env.Demo {
				return nil
			}
			gz, err := a.Identity.UserByName(ctx, "gzbank.officer")
			if err != nil {
				return fmt.Errorf("demo consultations: %w", err)
			}
			nc, err := a.Identity.UserByName(ctx, "ncbank.officer")
			if err != nil {
				return fmt.Errorf("demo consultations: %w", err)
			}
			n, err := svc.SeedDemo(ctx, gz, nc)
			if err != nil {
				return fmt.Errorf("demo consultations: %w", err)
			}
			fmt.Fprintf(env.Out, "Seeded %d demo consultations.\n", n)
			return nil
		},
		run: func(ctx context.Context) {
			a.every(ctx, time.Minute, "consultations: re-routed", svc.Reroute)
		},
		web: func(d *web.Deps) { d.Consult, d.Notify = svc, notes },
	})
	return nil
}
