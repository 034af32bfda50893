// Command kedaitong is the Kedai Tong platform: the server, the crawler
// worker, the panel optimiser, the news classifier and the operator's tools,
// in one binary. Run `kedaitong help` for the commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdio stdio) int
}

// stdio is a command's standard streams.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

// exit codes
const (
	exitOK       = 0
	exitFailure  = 1 // the command failed
	exitBadInput = 2 // the input or the flags were wrong
)

func commands() []command {
	return []command{
		{"serve", "run the server (API and web UI)", runServe},
		{"match", "assign panels: instance JSON on stdin, result JSON on stdout", runMatch},
		{"classify", "label news items: JSON lines on stdin, labels on stdout", runClassify},
		{"crawl", "run the news crawler as a worker", runCrawl},
		{"audit", "audit log tools: `audit verify` checks the hash chain", runAudit},
		{"backup", "copy the embedded store consistently, safe while the server runs", runBackup},
		{"check", "verify the embedded store: pages, indexes and the audit chain", runCheck},
		{"user", "user tools: `user add` creates a user", runUser},
		{"datahub", "enterprise data hub: `datahub import --source S FILE` imports a CSV or XLSX", runDatahub},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], stdio{in: os.Stdin, out: os.Stdout, err: os.Stderr})
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, io stdio) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		usage(io.out)
		if len(args) == 0 {
			return exitBadInput
		}
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], io)
		}
	}
	fmt.Fprintf(io.err, "kedaitong: unknown command %q\n\n", args[0])
	usage(io.err)
	return exitBadInput
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Usage: kedaitong <command> [flags]")
	fmt.Fprintln(w, "\nCommands:")
	cs := commands()
	sort.SliceStable(cs, func(i, j int) bool { return false })
	for _, c := range cs {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun `kedaitong <command> --help` for a command's flags.")
}

// parseFlags parses a command's flags, printing usage on --help (exit 0) and
// a message on bad flags (exit 2). It returns -1 when the command should go on.
func parseFlags(fs *flag.FlagSet, args []string, io stdio, synopsis string) int {
	fs.SetOutput(io.err)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: kedaitong %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitBadInput
	}
	return -1
}
