// Command matchgen writes a synthetic instance for `kedaitong match` to
// standard output (see package instgen), for scripts/bench-match.sh:
//
//	go run ./review/match/internal/matchgen -applications 5000 -experts 3000 -candidates 100 > inst.json
package main

import (
	"flag"
	"fmt"
	"os"

	"kedaitong/review/match/internal/instgen"
)

func main() {
	nA := flag.Int("applications", 5000, "applications")
	nE := flag.Int("experts", 3000, "experts")
	cand := flag.Int("candidates", 100, "candidate experts (affinity pairs) per application")
	seed := flag.Uint64("seed", 1, "random seed")
	scale := flag.Float64("scale", 1, "scores are drawn in [0, scale]")
	flag.Parse()
	if *nA < 1 || *nE < 1 || *cand < 0 || *cand > *nE || *scale < 0 || *scale > 1000 {
		fmt.Fprintln(os.Stderr, "matchgen: need applications ≥ 1, experts ≥ 1, 0 ≤ candidates ≤ experts, 0 ≤ scale ≤ 1000")
		os.Exit(2)
	}
	if err := instgen.Write(os.Stdout, *seed, *nA, *nE, *cand, *scale); err != nil {
		fmt.Fprintln(os.Stderr, "matchgen:", err)
		os.Exit(1)
	}
}
