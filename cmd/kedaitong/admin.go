package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"kedaitong"
	"kedaitong/app"
	"kedaitong/audit"
	"kedaitong/identity"
	"kedaitong/internal/config"
	"kedaitong/internal/store"
)

// openStore opens the store named by the --data / --mongodb-uri flags (or
// their environment variables) for an operator's command.
func openStore(ctx context.Context, fs *flag.FlagSet) (store.Store, error) {
	cfg, err := config.Load(fs, nil)
	if err != nil {
		return nil, err
	}
	octx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return store.Open(octx, cfg.DataDir, cfg.MongoURI)
}

func runAudit(ctx context.Context, args []string, io stdio) int {
	if len(args) == 0 || (args[0] != "verify" && !strings.HasPrefix(args[0], "-")) {
		fmt.Fprintln(io.err, "Usage: kedaitong audit verify [--data DIR | --mongodb-uri URI]")
		return exitBadInput
	}
	if args[0] == "verify" {
		args = args[1:]
	}
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	config.Register(fs, "data", "mongodb-uri")
	if code := parseFlags(fs, args, io, "audit verify [--data DIR | --mongodb-uri URI]"); code >= 0 {
		return code
	}
	st, err := openStore(ctx, fs)
	if err != nil {
		fmt.Fprintf(io.err, "kedaitong audit verify: %v\n", err)
		return exitFailure
	}
	defer st.Close()
	return audit.VerifyMain(ctx, st, io.out, io.err)
}

func runUser(ctx context.Context, args []string, io stdio) int {
	const synopsis = "user add --username NAME --role ROLE [--bank ID] [--region CODE] [--expert ID] [--data DIR | --mongodb-uri URI]  (password on standard input)"
	if len(args) == 0 || args[0] != "add" {
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			fmt.Fprintln(io.out, "Usage: kedaitong "+synopsis)
			return exitOK
		}
		fmt.Fprintln(io.err, "Usage: kedaitong "+synopsis)
		return exitBadInput
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	var n identity.NewUser
	fs.StringVar(&n.Username, "username", "", "the new user's name")
	fs.StringVar(&n.Role, "role", "", "one of "+strings.Join(identity.Roles, ", "))
	fs.StringVar(&n.BankID, "bank", "", "the bank id (bank roles)")
	fs.StringVar(&n.Region, "region", "", "GB/T 2260 region code (officials): 36, 3607, 360702")
	fs.StringVar(&n.ExpertID, "expert", "", "the expert profile id (experts)")
	config.Register(fs, "data", "mongodb-uri")
	if code := parseFlags(fs, args[1:], io, synopsis); code >= 0 {
		return code
	}
	if err := n.Validate(); err != nil {
		fmt.Fprintf(io.err, "kedaitong user add: %s\n", kedaitong.ErrorMessage(err))
		return exitBadInput
	}
	sc := bufio.NewScanner(io.in)
	sc.Buffer(make([]byte, 4096), 4096)
	if !sc.Scan() {
		fmt.Fprintln(io.err, "kedaitong user add: give the password on standard input (one line)")
		return exitBadInput
	}
	n.Password = strings.TrimRight(sc.Text(), "\r\n")
	st, err := openStore(ctx, fs)
	if err != nil {
		fmt.Fprintf(io.err, "kedaitong user add: %v\n", err)
		return exitFailure
	}
	defer st.Close()
	log, err := audit.Open(ctx, st)
	if err != nil {
		fmt.Fprintf(io.err, "kedaitong user add: %v\n", err)
		return exitFailure
	}
	ids, err := identity.Open(ctx, st, app.Recorder{Log: log, Logger: slog.New(slog.NewTextHandler(os.Stderr, nil))})
	if err != nil {
		fmt.Fprintf(io.err, "kedaitong user add: %v\n", err)
		return exitFailure
	}
	u, err := ids.CreateUser(ctx, nil, n)
	if err != nil {
		fmt.Fprintf(io.err, "kedaitong user add: refused: %s\n", kedaitong.ErrorMessage(err))
		if kedaitong.Is(err, kedaitong.EInvalid) || kedaitong.Is(err, kedaitong.EConflict) {
			return exitBadInput
		}
		return exitFailure
	}
	fmt.Fprintf(io.out, "created user %s (%s, id %s)\n", u.Username, u.Role, u.ID)
	return exitOK
}
