package main

import (
	"context"
	"flag"

	"kedaitong/review/match"
)

func runMatch(ctx context.Context, args []string, io stdio) int {
	fs := flag.NewFlagSet("match", flag.ContinueOnError)
	if code := parseFlags(fs, args, io, "match < instance.json > result.json\n\nReads a panel-assignment instance (see API.md) and writes the exact optimum; exit 2 on bad input"); code >= 0 {
		return code
	}
	return match.Main(ctx, io.in, io.out, io.err)
}
