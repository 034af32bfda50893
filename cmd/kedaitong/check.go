package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"kedaitong"
	"kedaitong/audit"
	"kedaitong/internal/config"
	"kedaitong/internal/store"
)

// runCheck verifies the embedded store: SQLite's full integrity_check
// (every page, every b-tree, every index entry against its row), then the
// audit log's hash chain. It prints one line per part and exits 0 when all
// are intact, 1 naming what is damaged, 2 on bad flags.
func runCheck(ctx context.Context, args []string, io stdio) int {
	const synopsis = "check [--data DIR]"
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	config.Register(fs, "data")
	if code := parseFlags(fs, args, io, synopsis); code >= 0 {
		return code
	}
	cfg, err := config.Load(fs, func(k string) string {
		if k == "KEDAI_MONGODB_URI" {
			return "" // check verifies the embedded store
		}
		return os.Getenv(k)
	})
	if err != nil {
		fmt.Fprintf(io.err, "kedaitong check: %v\n", err)
		return exitBadInput
	}
	file := filepath.Join(cfg.DataDir, store.SQLiteFile)
	if _, err := os.Stat(file); err != nil {
		fmt.Fprintf(io.err, "kedaitong check: no database at %s\n", file)
		return exitFailure
	}
	st, err := store.OpenSQLiteWith(ctx, cfg.DataDir, store.SQLiteOptions{SkipQuickCheck: true})
	if err != nil {
		if store.IsDamaged(err) {
			fmt.Fprintf(io.out, "pages and indexes: DAMAGED: the file cannot be opened\n")
			fmt.Fprintf(io.err, "kedaitong check: %s\n", kedaitong.ErrorMessage(err))
			return exitFailure
		}
		fmt.Fprintf(io.err, "kedaitong check: %v\n", err)
		return exitFailure
	}
	defer st.Close()
	var damaged []string
	rep, err := st.Check(ctx)
	switch {
	case err != nil:
		fmt.Fprintf(io.err, "kedaitong check: pages and indexes: %v\n", err)
		return exitFailure
	case len(rep.Problems) > 0:
		fmt.Fprintf(io.out, "pages and indexes: DAMAGED (%d problems)\n", len(rep.Problems))
		for _, p := range rep.Problems {
			fmt.Fprintf(io.out, "  %s\n", p)
		}
		damaged = append(damaged, "pages and indexes")
	default:
		fmt.Fprintf(io.out, "pages and indexes: ok (%s)\n", file)
	}
	if line, ok := checkAudit(ctx, st); ok {
		fmt.Fprintf(io.out, "audit chain: %s\n", line)
	} else {
		fmt.Fprintf(io.out, "audit chain: DAMAGED: %s\n", line)
		damaged = append(damaged, "audit chain")
	}
	if len(damaged) > 0 {
		fmt.Fprintf(io.err, "kedaitong check: damaged: %v. Stop every server on %s, restore the latest backup (README, \"Backup and restore\") and run `kedaitong check` again.\n", damaged, cfg.DataDir)
		return exitFailure
	}
	fmt.Fprintln(io.out, "the store is intact")
	return exitOK
}

// checkAudit verifies the audit chain and describes the result.
func checkAudit(ctx context.Context, st store.Store) (string, bool) {
	l, err := audit.Open(ctx, st)
	if err != nil {
		return err.Error(), false
	}
	rep, err := l.Verify(ctx)
	if err != nil {
		var ke *kedaitong.Error
		if errors.As(err, &ke) {
			return ke.Error(), false
		}
		return err.Error(), false
	}
	if !rep.Intact {
		return rep.String(), false
	}
	return rep.String(), true
}
