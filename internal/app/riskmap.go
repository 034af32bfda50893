package app

import (
	"context"
	"time"

	"kedaitong/alerts"
	"kedaitong/intel"
	"kedaitong/intel/fetch"
	"kedaitong/notify"
	"kedaitong/riskmap"
	"kedaitong/web"
)

// openRiskmap opens the industry risk map and the alerts over the
// intelligence and the applications: the crawler's hook keeps the map's
// day counters and evaluates the alert triggers on every stored feed (an
// item reaches the inbox within the crawl that stored it); the background
// work refreshes the banks' exposure (and the enterprises the crawler
// links news to) every half minute and delivers webhooks.
func (a *App) openRiskmap(ctx context.Context) error {
	in := a.Intel()
	rm, err := riskmap.Open(ctx, a.Store, in, riskmap.Options{})
	if err != nil {
		return err
	}
	nt, err := notify.Open(ctx, a.Store)
	if err != nil {
		return err
	}
	guard, err := fetch.NewGuard(a.Config.FetchAllow)
	if err != nil {
		return err
	}
	al, err := alerts.Open(ctx, a.Store, rm, alerts.Options{Guard: guard, Notify: nt, Recorder: a.Recorder, Logger: a.Logger})
	if err != nil {
		return err
	}
	if in != nil {
		in.OnItems(func(ctx context.Context, items []intel.Item) {
			if err := rm.Count(ctx, items); err != nil {
				a.Logger.Warn("riskmap: count items", "err", err)
			}
			al.OnItems(ctx, items)
		})
	}
	a.parts = append(a.parts, part{
		name: "riskmap",
		run: func(ctx context.Context) {
			go al.Run(ctx)
			t := time.NewTicker(30 * time.Second)
			defer t.Stop()
			for {
				if _, err := rm.RefreshBook(ctx); err != nil && ctx.Err() == nil {
					a.Logger.Warn("riskmap: refresh exposure", "err", err)
				}
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		},
		web: func(d *web.Deps) { d.Riskmap, d.Alerts = rm, al },
	})
	return nil
}
