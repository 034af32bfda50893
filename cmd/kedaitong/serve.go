package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"kedaitong/audit"
	"kedaitong/identity"
	"kedaitong/internal/auditlink"
	"kedaitong/internal/bootstrap"
	"kedaitong/internal/config"
	"kedaitong/internal/store"
	"kedaitong/rbac"
	"kedaitong/web"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// Main is the server as a value, so that end-to-end tests run the same
// wiring with a temporary data folder and address 127.0.0.1:0.
type Main struct {
	Config config.Config
	Out    io.Writer // where the operator-facing lines go (demo log-ins, the first admin password)
	Logger *slog.Logger

	Store    store.Store
	Server   *web.Server
	Listener net.Listener
	Identity *identity.Service
	RBAC     *rbac.Enforcer
	Audit    *audit.Log
}

// Open opens the store (failing fast when it is unreachable or the folder
// is not writable), seeds an empty store, builds the server and listens.
func (m *Main) Open(ctx context.Context) error {
	if m.Logger == nil {
		m.Logger = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	octx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	st, err := store.Open(octx, m.Config.DataDir, m.Config.MongoURI)
	if err != nil {
		return fmt.Errorf("cannot open the store: %w", err)
	}
	m.Store = st
	if m.Audit, err = audit.Open(ctx, st); err != nil {
		return err
	}
	rec := auditlink.Recorder{Log: m.Audit, Logger: m.Logger}
	if m.Identity, err = identity.Open(ctx, st, rec); err != nil {
		return err
	}
	if m.RBAC, err = rbac.New(ctx, st); err != nil {
		return err
	}
	m.Identity.BindRoles(m.RBAC)
	seeded, err := bootstrap.Run(ctx, bootstrap.Env{Store: st, Demo: m.Config.Demo, Out: m.Out}, m.hooks()...)
	if err != nil {
		return err
	}
	if seeded {
		m.Logger.Info("seeded an empty store", "demo", m.Config.Demo)
	}
	srv, err := web.New(web.Deps{Store: st, Logger: m.Logger, Version: version, Identity: m.Identity, RBAC: m.RBAC, Policy: m.RBAC,
		Audit: rec, AuditLog: m.Audit, SecureCookies: m.Config.SecureCookies, TrustedProxies: m.Config.TrustedProxyList()})
	if err != nil {
		return err
	}
	m.Server = srv
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", m.Config.Addr, err)
	}
	m.Listener = ln
	return nil
}

// hooks are the seed hooks of every package, in dependency order.
func (m *Main) hooks() []bootstrap.Hook {
	return []bootstrap.Hook{
		{Name: "identity", Seed: func(ctx context.Context, env bootstrap.Env) error {
			return m.Identity.Seed(ctx, env.Demo, env.Out)
		}},
	}
}

// Run serves until ctx ends, then shuts down gracefully: the server drains
// its requests, the background work stops, and only then does Close release
// the store.
func (m *Main) Run(ctx context.Context) error {
	bg, stopBG := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); m.RBAC.Watch(bg, time.Second) }()
	go func() { defer wg.Done(); m.sweep(bg) }()
	m.Logger.Info("serving", "addr", m.Listener.Addr().String(), "store", m.Store.Backend(), "version", version)
	err := m.Server.Serve(ctx, m.Listener, m.Config.ShutdownGrace)
	stopBG()
	wg.Wait()
	m.Logger.Info("stopped serving")
	return err
}

// sweep removes expired sessions and stale counters every few minutes.
func (m *Main) sweep(ctx context.Context) {
	t := time.NewTicker(5 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := m.Identity.Sweep(ctx); err != nil {
				m.Logger.Warn("sweep", "err", err)
			} else if n > 0 {
				m.Logger.Info("swept expired sessions and counters", "deleted", n)
			}
		}
	}
}

// Close releases the store.
func (m *Main) Close() error {
	if m.Store != nil {
		return m.Store.Close()
	}
	return nil
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

func runServe(ctx context.Context, args []string, io stdio) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	config.Register(fs)
	if code := parseFlags(fs, args, io, "serve [--addr :8080] [--data DIR] [--mongodb-uri URI] [--demo] [--crawl=false]"); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(io.err, "kedaitong serve: unexpected argument %q\n", fs.Arg(0))
		return exitBadInput
	}
	cfg, err := config.Load(fs, nil)
	if err != nil {
		fmt.Fprintf(io.err, "kedaitong serve: %v\n", err)
		return exitBadInput
	}
	log := newLogger(io.err, cfg.LogLevel)
	slog.SetDefault(log)
	m := &Main{Config: cfg, Out: io.out, Logger: log}
	if err := m.Open(ctx); err != nil {
		fmt.Fprintf(io.err, "kedaitong serve: %v\n", err)
		m.Close()
		return exitFailure
	}
	fmt.Fprintf(io.out, "Kedai Tong is serving on http://%s (store: %s)\n", displayAddr(m.Listener.Addr()), m.Store.Backend())
	err = m.Run(ctx)
	if cerr := m.Close(); cerr != nil && err == nil {
		err = cerr
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(io.err, "kedaitong serve: %v\n", err)
		return exitFailure
	}
	return exitOK
}

func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if ok && (tcp.IP == nil || tcp.IP.IsUnspecified()) {
		return fmt.Sprintf("localhost:%d", tcp.Port)
	}
	return a.String()
}
