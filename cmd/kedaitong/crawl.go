package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"
	"sync"
	"time"

	"kedaitong/app"
	"kedaitong/intel"
	"kedaitong/internal/config"
	"kedaitong/internal/store"
)

// runCrawl is `kedaitong crawl`: the crawler as a worker beside servers
// started with --crawl=false. Several workers (and servers) on one store
// share the sources through leases. With --once it fetches every due source
// (--all: every enabled source) once, shows its progress on standard error
// (a bar on a terminal, one line per source otherwise) and prints one JSON
// line {"sources","fetched","not_modified","failed","new_items","seconds"}
// on standard output; without it, it runs until SIGINT or SIGTERM.
func runCrawl(ctx context.Context, args []string, io stdio) int {
	fs := flag.NewFlagSet("crawl", flag.ContinueOnError)
	once := fs.Bool("once", false, "fetch every due source once, print a JSON summary and exit")
	all := fs.Bool("all", false, "with --once: fetch every enabled source, due or not")
	workers := fs.Int("workers", intel.DefaultWorkers, "concurrent fetches")
	lease := fs.Duration("lease", intel.DefaultLease, "how long a claim on a source lasts before another worker may take it over")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile (pprof) of the crawl to this file")
	config.Register(fs, "data", "mongodb-uri", "fetch-allow", "log-level")
	if code := parseFlags(fs, args, io, "crawl [--once] [--all] [--data DIR | --mongodb-uri URI]"); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(io.err, "kedaitong crawl: unexpected argument %q\n", fs.Arg(0))
		return exitBadInput
	}
	if *all && !*once {
		fmt.Fprintln(io.err, "kedaitong crawl: --all needs --once")
		return exitBadInput
	}
	if *workers < 1 || *workers > 256 {
		fmt.Fprintln(io.err, "kedaitong crawl: --workers must be from 1 to 256")
		return exitBadInput
	}
	if *lease < 5*time.Second {
		fmt.Fprintln(io.err, "kedaitong crawl: --lease must be at least 5s")
		return exitBadInput
	}
	cfg, err := config.Load(fs, nil)
	if err != nil {
		fmt.Fprintf(io.err, "kedaitong crawl: %v\n", err)
		return exitBadInput
	}
	log := newLogger(io.err, cfg.LogLevel)
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintf(io.err, "kedaitong crawl: %v\n", err)
			return exitBadInput
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(io.err, "kedaitong crawl: %v\n", err)
			return exitFailure
		}
		defer pprof.StopCPUProfile()
	}
	octx, cancel := context.WithTimeout(ctx, 10*time.Second)
	st, err := openCrawlStore(octx, cfg)
	cancel()
	if err != nil {
		fmt.Fprintf(io.err, "kedaitong crawl: cannot open the store: %v\n", err)
		return exitFailure
	}
	defer st.Close()
	// The same ingest as the server's: counters, alerts, enterprise links.
	cr, err := app.OpenCrawler(ctx, st, cfg, log, app.CrawlerOptions{Workers: *workers, Lease: *lease})
	if err != nil {
		fmt.Fprintf(io.err, "kedaitong crawl: %v\n", err)
		return exitFailure
	}
	if !*once {
		fmt.Fprintf(io.err, "kedaitong crawl: worker %s running until interrupted\n", cr.Intel.Worker())
		var mu sync.Mutex
		cr.Run(ctx, func(o intel.Outcome) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintln(io.err, outcomeLine(o))
		})
		return exitOK
	}
	p := newProgress(io.err)
	sum, err := cr.Once(ctx, *all, p.report)
	p.done()
	if sq, ok := st.(*store.SQLite); ok {
		ws := sq.WriteStats()
		log.Debug("crawl: store writes", "transactions", ws.Batches, "writes", ws.Ops)
	}
	enc := json.NewEncoder(io.out)
	if jerr := enc.Encode(sum); jerr != nil {
		return exitFailure
	}
	if err != nil && ctx.Err() == nil {
		fmt.Fprintf(io.err, "kedaitong crawl: %v\n", err)
		return exitFailure
	}
	return exitOK
}

// openCrawlStore opens the store for a crawl. The embedded store skips its
// integrity check at open when the file is exactly as a checked, cleanly
// closed process left it (store.SQLiteOptions.TrustCleanClose): the
// check reads every page, which would be most of an unchanged re-crawl.
func openCrawlStore(ctx context.Context, cfg config.Config) (store.Store, error) {
	if cfg.MongoURI != "" {
		return store.Open(ctx, cfg.DataDir, cfg.MongoURI)
	}
	s, err := store.OpenSQLiteWith(ctx, cfg.DataDir, store.SQLiteOptions{TrustCleanClose: true})
	if err != nil {
		return nil, err
	}
	return s, nil
}

func outcomeLine(o intel.Outcome) string {
	s := fmt.Sprintf("%-12s %s new=%d (%.2fs)", o.Status, o.URL, o.NewItems, o.DurationSec)
	if o.Error != "" {
		s += ": " + o.Error
	}
	return s
}

// progress draws a bar on a terminal and plain lines elsewhere.
type progress struct {
	mu   sync.Mutex
	w    io.Writer
	tty  bool
	last string
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) report(done, total int, o intel.Outcome) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.tty {
		fmt.Fprintf(p.w, "[%d/%d] %s\n", done, total, outcomeLine(o))
		return
	}
	const width = 30
	filled := width
	if total > 0 {
		filled = done * width / total
	}
	p.last = fmt.Sprintf("\r[%s%s] %d/%d  %s", strings.Repeat("#", filled), strings.Repeat(".", width-filled), done, total, truncate(o.URL, 40))
	fmt.Fprint(p.w, p.last+"\x1b[K")
}

func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty && p.last != "" {
		fmt.Fprintln(p.w)
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}
