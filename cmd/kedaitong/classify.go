package main

import (
	"context"
	"flag"
	"fmt"

	"kedaitong/intel/classify"
)

// runClassify is `kedaitong classify < items.jsonl > labels.jsonl`.
func runClassify(_ context.Context, args []string, io stdio) int {
	fs := flag.NewFlagSet("classify", flag.ContinueOnError)
	if code := parseFlags(fs, args, io, "classify < items.jsonl > labels.jsonl"); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(io.err, "kedaitong classify: unexpected argument %q\n", fs.Arg(0))
		return exitBadInput
	}
	return classify.Main(io.in, io.out, io.err)
}
