package app

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"kedaitong/alerts"
	"kedaitong/experts"
	"kedaitong/identity"
	"kedaitong/intel"
	"kedaitong/intel/fetch"
	"kedaitong/internal/store"
	"kedaitong/notify"
	"kedaitong/riskmap"
	"kedaitong/web"
)

// openRiskmap opens the industry risk map and the alerts over the
// intelligence and the applications: the crawler's hook keeps the map's
// day counters and evaluates the alert triggers on every stored feed (an
// item reaches the inbox within the crawl that stored it); the background
// work refreshes the banks' exposure (and the enterprises the crawler
// links news to) at once when an application changes and every half
// minute, and delivers webhooks. Stored items the crawler re-links to an
// enterprise learnt later raise the enterprise alert (alerts.OnLinked).
// Experts are subscribed to the fields of their profiles.
func (a *App) openRiskmap(ctx context.Context) error {
	in := a.Intel()
	rm, al, err := openIngest(ctx, a.Store, in, a.Notify, a.expertsService(), a.Recorder, a.Logger, a.Config.FetchAllow)
	if err != nil {
		return err
	}
	refresh := make(chan struct{}, 1)
	if a.Recorder.Observers != nil {
		a.Recorder.Observers.Add(func(_ context.Context, ev identity.Event) {
			switch {
			case ev.ObjectKind == "application" || strings.HasPrefix(ev.Action, "application."):
				select { // the book (and the enterprises news is linked to) is refreshed at once
				case refresh <- struct{}{}:
				default:
				}
			case strings.HasPrefix(ev.Action, "expert.") || strings.HasPrefix(ev.Action, "user."):
				al.FieldsChanged()
			}
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
				case <-refresh:
				}
			}
		},
		web: func(d *web.Deps) { d.Riskmap, d.Alerts = rm, al },
	})
	return nil
}

// openIngest opens the risk map and the alerts over the intelligence and
// registers them as the consumers of intel's ingest pipeline: every batch
// of newly stored items is counted into the map's day counters (exactly
// once, through crashes) and run through the alert triggers, and items re-linked later to an enterprise
// raise the enterprise alert. It is the one place where what happens on
// ingest is wired: the server (openRiskmap) and the crawler worker
// (OpenCrawler) both call it, so news crawled by `kedaitong crawl` reaches
// the map and the inboxes exactly as news crawled by the server.
func openIngest(ctx context.Context, st store.Store, in *intel.Service, nt *notify.Service, ex *experts.Service, rec Recorder, log *slog.Logger, fetchAllow string) (*riskmap.Service, *alerts.Service, error) {
	rm, err := riskmap.Open(ctx, st, in, riskmap.Options{})
	if err != nil {
		return nil, nil, err
	}
	guard, err := fetch.NewGuard(fetchAllow)
	if err != nil {
		return nil, nil, err
	}
	users, err := st.Collection(ctx, identity.UsersDef)
	if err != nil {
		return nil, nil, err
	}
	al, err := alerts.Open(ctx, st, rm, alerts.Options{Guard: guard, Notify: nt, Recorder: rec, Logger: log,
		ExpertFields: func(ctx context.Context) (map[string][]string, error) { return expertFields(ctx, users, ex) }})
	if err != nil {
		return nil, nil, err
	}
	if in != nil {
		// A batch counted into the map is marked with its id, so a batch
		// repaired after a crash (intel.RepairIngest) is counted once; the
		// alerts are keyed by story and never raised twice. An error
		// leaves the batch for the repair.
		in.OnBatch(func(ctx context.Context, b intel.Batch) error {
			if err := rm.CountBatch(ctx, b.ID, b.Items); err != nil {
				log.Warn("riskmap: count items", "err", err)
				return err
			}
			al.OnItems(ctx, b.Items)
			return nil
		})
		in.OnLinked(al.OnLinked)
	}
	return rm, al, nil
}

// expertsService returns the experts service (nil before it is opened).
func (a *App) expertsService() *experts.Service {
	var d web.Deps
	for _, p := range a.parts {
		if p.web != nil && p.name == "experts" {
			p.web(&d)
		}
	}
	return d.Experts
}

// Riskmap returns the risk-map service (nil before New has opened it).
func (a *App) Riskmap() *riskmap.Service {
	var d web.Deps
	for _, p := range a.parts {
		if p.name == "riskmap" && p.web != nil {
			p.web(&d)
		}
	}
	return d.Riskmap
}

// Alerts returns the alerts service (nil before New has opened it).
func (a *App) Alerts() *alerts.Service {
	var d web.Deps
	for _, p := range a.parts {
		if p.name == "riskmap" && p.web != nil {
			p.web(&d)
		}
	}
	return d.Alerts
}

// expertFields lists the enabled expert accounts with the fields of their
// expert profiles (users outside banks are read by their scope index).
func expertFields(ctx context.Context, users store.Collection, ex *experts.Service) (map[string][]string, error) {
	out := map[string][]string{}
	if ex == nil {
		return out, nil
	}
	q := store.Query{Eq: map[string]any{"scope": "*"}, Sort: "username_key", Limit: 500}
	for {
		p, err := users.Find(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, d := range p.Docs {
			var u identity.User
			if err := d.Decode(&u); err != nil {
				return nil, err
			}
			if u.Role != identity.RoleExpert || u.ExpertID == "" || u.Disabled {
				continue
			}
			e, err := ex.Profile(ctx, u.ExpertID)
			if err != nil {
				continue // a profile removed or not yet imported
			}
			out[u.ID] = e.Fields
		}
		if p.Next == "" {
			return out, nil
		}
		q.After = p.Next
	}
}
