package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"kedaitong"
	"kedaitong/app"
	"kedaitong/audit"
	"kedaitong/enterprises"
	"kedaitong/internal/config"
	"kedaitong/internal/store"
)

// runDatahub is `kedaitong datahub import --source S FILE`: the data-hub
// import from the command line, with a progress bar on a terminal (plain
// lines elsewhere) on standard error and the row report as JSON on
// standard output. The import is audited as done by the command line.
func runDatahub(ctx context.Context, args []string, io stdio) int {
	if len(args) == 0 || args[0] != "import" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintln(io.out, "Usage: kedaitong datahub import --source registration|ip|projects|tax|contracts|dishonesty|investments FILE [--data DIR | --mongodb-uri URI]")
			return exitOK
		}
		fmt.Fprintln(io.err, "Usage: kedaitong datahub import --source registration|ip|projects|tax|contracts|dishonesty|investments FILE [--data DIR | --mongodb-uri URI]")
		return exitBadInput
	}
	fs := flag.NewFlagSet("datahub import", flag.ContinueOnError)
	source := fs.String("source", "", "the source: "+strings.Join(enterprises.AllSources, ", "))
	config.Register(fs, "data", "mongodb-uri", "log-level")
	// Flags may come after the file: parse, take the file, parse the rest.
	rest := args[1:]
	var file string
	for {
		if code := parseFlags(fs, rest, io, "datahub import --source SOURCE FILE [--data DIR | --mongodb-uri URI]"); code >= 0 {
			return code
		}
		if fs.NArg() == 0 {
			break
		}
		if file != "" {
			fmt.Fprintf(io.err, "kedaitong datahub import: unexpected argument %q\n", fs.Arg(0))
			return exitBadInput
		}
		file, rest = fs.Arg(0), fs.Args()[1:]
	}
	if file == "" {
		fmt.Fprintln(io.err, "kedaitong datahub import: name the CSV or XLSX file to import")
		return exitBadInput
	}
	if !enterprises.ValidSource(*source) {
		fmt.Fprintf(io.err, "kedaitong datahub import: unknown source %q: use one of %s\n", *source, strings.Join(enterprises.AllSources, ", "))
		return exitBadInput
	}
	fi, err := os.Stat(file)
	if err != nil {
		fmt.Fprintf(io.err, "kedaitong datahub import: %v\n", err)
		return exitBadInput
	}
	if fi.Size() > enterprises.MaxImportBytes {
		fmt.Fprintf(io.err, "kedaitong datahub import: %s is larger than %d MB: split it\n", file, enterprises.MaxImportBytes>>20)
		return exitBadInput
	}
	data, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintf(io.err, "kedaitong datahub import: %v\n", err)
		return exitBadInput
	}
	cfg, err := config.Load(fs, nil)
	if err != nil {
		fmt.Fprintf(io.err, "kedaitong datahub import: %v\n", err)
		return exitBadInput
	}
	octx, cancel := context.WithTimeout(ctx, 10*time.Second)
	st, err := store.Open(octx, cfg.DataDir, cfg.MongoURI)
	cancel()
	if err != nil {
		fmt.Fprintf(io.err, "kedaitong datahub import: cannot open the store: %v\n", err)
		return exitFailure
	}
	defer st.Close()
	log, err := audit.Open(ctx, st)
	if err != nil {
		fmt.Fprintf(io.err, "kedaitong datahub import: %v\n", err)
		return exitFailure
	}
	svc, err := enterprises.Open(ctx, st, app.Recorder{Log: log, Logger: slog.New(slog.NewTextHandler(io.err, nil))})
	if err != nil {
		fmt.Fprintf(io.err, "kedaitong datahub import: %v\n", err)
		return exitFailure
	}
	bar := newRowProgress(io.err)
	start := time.Now()
	stopProfile := datahubProfile()
	rep, err := svc.Import(ctx, enterprises.CLIUser, *source, data, enterprises.ImportOptions{FileName: filepath.Base(file), Progress: bar.report})
	stopProfile()
	bar.done(time.Since(start))
	if err != nil {
		fmt.Fprintf(io.err, "kedaitong datahub import: %s\n", kedaitong.ErrorMessage(err))
		if kedaitong.Is(err, kedaitong.EInvalid) || kedaitong.Is(err, kedaitong.ETooLarge) {
			return exitBadInput
		}
		return exitFailure
	}
	if err := json.NewEncoder(io.out).Encode(rep); err != nil {
		return exitFailure
	}
	return exitOK
}

// datahubProfile starts profiling an import and returns what stops it
// (a profiling build sets it: datahub_pprof.go).
var datahubProfile = func() func() { return func() {} }

// rowProgress shows an import's rows applied: a bar on a terminal, a line
// every tenth elsewhere.
type rowProgress struct {
	mu        sync.Mutex
	p         *progress
	lastTenth int
}

func newRowProgress(w interface{ Write([]byte) (int, error) }) *rowProgress {
	return &rowProgress{p: newProgress(w), lastTenth: -1}
}

func (r *rowProgress) report(done, total int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.p.tty {
		tenth := 10
		if total > 0 {
			tenth = done * 10 / total
		}
		if tenth != r.lastTenth {
			r.lastTenth = tenth
			fmt.Fprintf(r.p.w, "[%d/%d] rows applied\n", done, total)
		}
		return
	}
	const width = 30
	filled := width
	if total > 0 {
		filled = done * width / total
	}
	r.p.last = fmt.Sprintf("\r[%s%s] %d/%d rows", strings.Repeat("#", filled), strings.Repeat(".", width-filled), done, total)
	fmt.Fprint(r.p.w, r.p.last+"\x1b[K")
}

func (r *rowProgress) done(took time.Duration) {
	r.p.done()
	fmt.Fprintf(r.p.w, "imported in %.1fs\n", took.Seconds())
}
