package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"kedaitong/internal/config"
	"kedaitong/internal/store"
)

func runBackup(ctx context.Context, args []string, io stdio) int {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	out := fs.String("out", "", "the file to write the copy to (must not exist)")
	config.Register(fs, "data")
	if code := parseFlags(fs, args, io, "backup --out FILE [--data DIR]"); code >= 0 {
		return code
	}
	if *out == "" {
		fmt.Fprintln(io.err, "kedaitong backup: --out FILE is required")
		return exitBadInput
	}
	cfg, err := config.Load(fs, func(k string) string {
		if k == "KEDAI_MONGODB_URI" {
			return "" // backup copies the embedded store; MongoDB has its own tools
		}
		return os.Getenv(k)
	})
	if err != nil {
		fmt.Fprintf(io.err, "kedaitong backup: %v\n", err)
		return exitBadInput
	}
	if _, err := os.Stat(cfg.DataDir); err != nil {
		fmt.Fprintf(io.err, "kedaitong backup: no data folder at %s\n", cfg.DataDir)
		return exitFailure
	}
	st, err := store.OpenSQLite(ctx, cfg.DataDir)
	if err != nil {
		fmt.Fprintf(io.err, "kedaitong backup: %v\n", err)
		return exitFailure
	}
	defer st.Close()
	if err := st.Backup(ctx, *out); err != nil {
		fmt.Fprintf(io.err, "kedaitong backup: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(io.out, "backup written to %s\n", *out)
	return exitOK
}
