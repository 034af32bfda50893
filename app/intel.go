package app

import (
	"context"
	"fmt"

	"kedaitong/intel"
	"kedaitong/web"
)

// openIntel opens the technology-news intelligence (sources, items,
// crawler). The crawler runs inside the server when Config.Crawl is set;
// with --demo an empty store gets the bundled sample feeds, ingested
// through the crawler's own path without network.
//
// Note for the applications part: call Intel().SetEnterprises with the
// enterprises under review (name and short names) whenever they change, so
// new items are linked to them (and stored ones re-linked in the background).
func (a *App) openIntel(ctx context.Context) error {
	svc, err := intel.Open(ctx, a.Store, intel.Options{FetchAllow: a.Config.FetchAllow, Recorder: a.Recorder, Logger: a.Logger})
	if err != nil {
		return err
	}
	a.parts = append(a.parts, part{
		name: "intel",
		seed: func(ctx context.Context, env Env) error {
			if !env.Demo {
				return nil
			}
			sum, err := svc.SeedDemo(ctx)
			if err != nil {
				return fmt.Errorf("intel: demo feeds: %w", err)
			}
			fmt.Fprintf(env.Out, "demo news: %d sample items from %d bundled feeds\n", sum.NewItems, sum.Sources)
			return nil
		},
		run: func(ctx context.Context) {
			// The re-linker runs wherever the enterprise list is kept
			// (the server), with or without the crawler.
			if !a.Config.Crawl {
				svc.RunRelink(ctx)
				return
			}
			done := make(chan struct{})
			go func() { defer close(done); svc.RunRelink(ctx) }()
			svc.Run(ctx)
			<-done
		},
		web: func(d *web.Deps) { d.Intel = svc },
	})
	return nil
}

// Intel returns the intelligence service (nil before New has opened it).
func (a *App) Intel() *intel.Service {
	var d web.Deps
	for _, p := range a.parts {
		if p.name == "intel" && p.web != nil {
			p.web(&d)
		}
	}
	return d.Intel
}
