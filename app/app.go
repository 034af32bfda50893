// Package app is the composition root: it opens every domain service on
// one store, wires their events together (the audit recorder and its
// observers), seeds an empty store once (bootstrap.go), builds the web
// server from the core and its parts (web/api, web/ui) and runs the
// background work. The kedaitong command and the end-to-end tests use the
// same wiring. Only cmd imports it.
package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"kedaitong/audit"
	"kedaitong/banks"
	"kedaitong/consult"
	"kedaitong/enterprises"
	"kedaitong/experts"
	"kedaitong/fund"
	"kedaitong/identity"
	"kedaitong/internal/config"
	"kedaitong/internal/store"
	"kedaitong/notify"
	"kedaitong/rbac"
	"kedaitong/review"
	"kedaitong/review/panel"
	"kedaitong/review/rereview"
	"kedaitong/review/scoring"
	"kedaitong/web"
	"kedaitong/web/api"
	"kedaitong/web/ui"
)

// App is the platform on one store.
type App struct {
	Config  config.Config
	Logger  *slog.Logger
	Out     io.Writer // operator-facing lines: demo log-ins, the first admin's password
	Version string

	Store    store.Store
	Audit    *audit.Log
	Recorder Recorder
	Identity *identity.Service
	RBAC     *rbac.Enforcer
	Banks    *banks.Service
	Experts  *experts.Service // the expert library, shared by every part that reads it
	Notify   *notify.Service  // in-app notifications, shared
	Scoring  *scoring.Service // rubric, scores and reports, shared
	Server   *web.Server
	Review   *review.Service   // loan applications and the whitelist
	Panel    *panel.Service    // panel assignment: runs, invitations, replacements
	Rereview *rereview.Service // re-review of loan holders ("dynamic exit")
	Fund     *fund.Service     // the risk-compensation fund
	// Enterprises is the data hub: portraits, endorsements, roadshows, docking.
	Enterprises *enterprises.Service

	parts   []part           // the domain parts beyond identity, in dependency order
	consult *consult.Service // the consultations (the demo states seed answers one)
}

// part is one domain's contribution to the wiring.
type part struct {
	name string
	seed func(ctx context.Context, env Env) error // demo or first-run data; nil for none
	run  func(ctx context.Context)                // background work until ctx ends; nil for none
	web  func(d *web.Deps)                        // adds the part's services to the server's dependencies
}

// Open opens the store the configuration names (failing fast when it is
// unreachable) and the platform on it.
func Open(ctx context.Context, cfg config.Config, logger *slog.Logger, out io.Writer) (*App, error) {
	octx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	st, err := store.Open(octx, cfg.DataDir, cfg.MongoURI)
	if err != nil {
		return nil, fmt.Errorf("cannot open the store: %w", err)
	}
	a, err := New(ctx, st, cfg, logger, out)
	if err != nil {
		st.Close()
		return nil, err
	}
	return a, nil
}

// New opens the platform on an open store: services, seeding of an empty
// store, and the web server. Close closes the store.
func New(ctx context.Context, st store.Store, cfg config.Config, logger *slog.Logger, out io.Writer) (*App, error) {
	if logger == nil {
		logger = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	if out == nil {
		out = io.Discard
	}
	a := &App{Config: cfg, Logger: logger, Out: out, Store: st, Version: "dev"}
	var err error
	if a.Audit, err = audit.Open(ctx, st); err != nil {
		return nil, err
	}
	a.Recorder = Recorder{Log: a.Audit, Logger: logger, Observers: &Observers{}, Health: &AuditHealth{}}
	if a.Identity, err = identity.Open(ctx, st, a.Recorder); err != nil {
		return nil, err
	}
	if a.RBAC, err = rbac.New(ctx, st); err != nil {
		return nil, err
	}
	a.Identity.BindRoles(a.RBAC)
	for _, open := range []func(context.Context) error{a.openBanks, a.openExperts, a.openIntel, a.openReview, a.openPanel, a.openScoring, a.openConsult, a.openRiskmap, a.openCorrections, a.openDashboard, a.openRereview, a.openEnterprises, a.openFund, a.openDemo} {
		if err := open(ctx); err != nil {
			return nil, err
		}
	}
	hooks := []Hook{{Name: "identity", Seed: func(ctx context.Context, env Env) error {
		return a.Identity.Seed(ctx, env.Demo, env.Out)
	}}}
	for _, p := range a.parts {
		if p.seed != nil {
			hooks = append(hooks, Hook{Name: p.name, Seed: p.seed})
		}
	}
	seeded, err := Bootstrap(ctx, Env{Store: st, Demo: cfg.Demo, Out: out}, hooks...)
	if err != nil {
		return nil, err
	}
	if seeded {
		logger.Info("seeded an empty store", "demo", cfg.Demo)
	}
	deps := web.Deps{Store: st, Logger: logger, Version: a.Version, Identity: a.Identity, RBAC: a.RBAC, Policy: a.RBAC,
		Audit: a.Recorder, AuditLog: a.Audit, SecureCookies: cfg.SecureCookies, TrustedProxies: cfg.TrustedProxyList(), RateLimit: cfg.RateLimit, RateLimitLoopback: cfg.RateLimitLoopback,
		ReadyChecks: []func(context.Context) error{a.Recorder.Health.Check}}
	for _, p := range a.parts {
		if p.web != nil {
			p.web(&deps)
		}
	}
	if a.Server, err = web.New(deps, api.Register, ui.Register); err != nil {
		return nil, err
	}
	return a, nil
}

// Run serves on ln until ctx ends, with the background work beside it;
// then the server drains its requests and the background work stops.
func (a *App) Run(ctx context.Context, ln net.Listener) error {
	bg, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	work := []func(context.Context){func(ctx context.Context) { a.RBAC.Watch(ctx, time.Second) }, a.sweep}
	for _, p := range a.parts {
		if p.run != nil {
			work = append(work, p.run)
		}
	}
	for _, w := range work {
		wg.Add(1)
		go func() { defer wg.Done(); w(bg) }()
	}
	a.Logger.Info("serving", "addr", ln.Addr().String(), "store", a.Store.Backend(), "version", a.Version)
	err := a.Server.Serve(ctx, ln, a.Config.ShutdownGrace)
	// The background work stops at its next step; a step that hangs (a
	// feed that does not answer) does not hold the exit past the grace.
	stop()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	grace := a.Config.ShutdownGrace
	if grace <= 0 {
		grace = 15 * time.Second
	}
	select {
	case <-done:
	case <-time.After(grace):
		a.Logger.Warn("background work still running after the shutdown grace: leaving it")
	}
	a.Logger.Info("stopped serving")
	return err
}

// RunBackground runs only the background work until ctx ends (tests).
func (a *App) RunBackground(ctx context.Context) {
	var wg sync.WaitGroup
	for _, p := range a.parts {
		if p.run != nil {
			wg.Add(1)
			go func() { defer wg.Done(); p.run(ctx) }()
		}
	}
	wg.Wait()
}

// sweep removes expired sessions and stale counters every few minutes.
func (a *App) sweep(ctx context.Context) {
	a.every(ctx, 5*time.Minute, "swept expired sessions and counters", a.Identity.Sweep)
}

// every runs job each interval until ctx ends, logging a failure as a
// warning and, when the job did something, how much (what names it).
func (a *App) every(ctx context.Context, interval time.Duration, what string, job func(context.Context) (int, error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := job(ctx); err != nil {
				if ctx.Err() == nil {
					a.Logger.Warn(what, "err", err)
				}
			} else if n > 0 {
				a.Logger.Info(what, "count", n)
			}
		}
	}
}

// Close releases the store.
func (a *App) Close() error { return a.Store.Close() }
