package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"kedaitong/alerts"
	"kedaitong/audit"
	"kedaitong/experts"
	"kedaitong/intel"
	"kedaitong/internal/config"
	"kedaitong/internal/store"
	"kedaitong/notify"
	"kedaitong/riskmap"
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

// CrawlerOptions tune the crawler worker.
type CrawlerOptions struct {
	Workers int           // concurrent fetches; 0: intel.DefaultWorkers
	Lease   time.Duration // a claim's length; 0: intel.DefaultLease
}

// Crawler is the news crawler as a worker (`kedaitong crawl`), beside
// servers started with --crawl=false. It opens what ingest needs — the
// intelligence, the risk map's counters, the alert triggers and the
// inboxes they fill — and wires them with openIngest, exactly as the
// server does, so whatever happens on ingest happens whichever process
// crawls.
type Crawler struct {
	Intel   *intel.Service
	Riskmap *riskmap.Service
	Alerts  *alerts.Service
	log     *slog.Logger
}

// OpenCrawler opens the crawler worker on an open store.
func OpenCrawler(ctx context.Context, st store.Store, cfg config.Config, logger *slog.Logger, opts CrawlerOptions) (*Crawler, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	log, err := audit.Open(ctx, st)
	if err != nil {
		return nil, err
	}
	rec := Recorder{Log: log, Logger: logger, Observers: &Observers{}}
	nt, err := notify.Open(ctx, st)
	if err != nil {
		return nil, err
	}
	ex, err := experts.Open(ctx, st, rec)
	if err != nil {
		return nil, err
	}
	in, err := intel.Open(ctx, st, intel.Options{FetchAllow: cfg.FetchAllow, Recorder: rec, Logger: logger, Workers: opts.Workers, Lease: opts.Lease})
	if err != nil {
		return nil, err
	}
	rm, al, err := openIngest(ctx, st, in, nt, ex, rec, logger, cfg.FetchAllow)
	if err != nil {
		return nil, err
	}
	return &Crawler{Intel: in, Riskmap: rm, Alerts: al, log: logger}, nil
}

// Once reads the banks' books (the enterprises news is linked to and the
// alerts' recipients) and crawls every due source (all: every enabled
// source) once.
func (c *Crawler) Once(ctx context.Context, all bool, progress intel.Progress) (intel.Summary, error) {
	if _, err := c.Riskmap.RefreshBook(ctx); err != nil {
		return intel.Summary{}, err
	}
	return c.Intel.CrawlOnce(ctx, all, progress)
}

// Run crawls until ctx ends, re-reading the banks' books every half
// minute; after is told of each fetch (it may be nil).
func (c *Crawler) Run(ctx context.Context, after func(intel.Outcome)) {
	if _, err := c.Riskmap.RefreshBook(ctx); err != nil && ctx.Err() == nil {
		c.log.Warn("riskmap: read the banks' books", "err", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(30 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if _, err := c.Riskmap.RefreshBook(ctx); err != nil && ctx.Err() == nil {
					c.log.Warn("riskmap: read the banks' books", "err", err)
				}
			}
		}
	}()
	c.Intel.RunWith(ctx, 2*time.Second, after)
	<-done
}
