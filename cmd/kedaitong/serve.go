package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"

	"kedaitong/app"
	"kedaitong/internal/config"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

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
	// The access log (a line a request) is written in the background; a
	// warning or an error, and everything written here directly, flushes
	// what is buffered first and goes out at once.
	lw := newAsyncLog(io.err)
	defer lw.Close()
	io.err = lw
	log := newLogger(io.err, cfg.LogLevel)
	slog.SetDefault(log)
	a, err := app.Open(ctx, cfg, log, io.out)
	if err != nil {
		fmt.Fprintf(io.err, "kedaitong serve: %v\n", err)
		return exitFailure
	}
	a.Version = version
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		fmt.Fprintf(io.err, "kedaitong serve: cannot listen on %s: %v\n", cfg.Addr, err)
		a.Close()
		return exitFailure
	}
	fmt.Fprintf(io.out, "Kedai Tong is serving on http://%s (store: %s)\n", displayAddr(ln.Addr()), a.Store.Backend())
	err = a.Run(ctx, ln)
	if cerr := a.Close(); cerr != nil && err == nil {
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
