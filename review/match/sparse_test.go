package match

import (
	"context"
	"reflect"
	"slices"
	"testing"
)

// TestSparseSameOptimum solves instances with the sparse core and on the
// whole network and wants the same seats and total (the optimum is unique
// in value; both results are certified on the whole network).
func TestSparseSameOptimum(t *testing.T) {
	defer func(n int) { sparseMinPairs = n }(sparseMinPairs)
	for _, sz := range []struct{ nA, nE, cand int }{{300, 200, 40}, {1000, 400, 60}, {2000, 500, 100}} {
		for seed := uint64(1); seed <= 3; seed++ {
			in := benchInstance(seed, sz.nA, sz.nE, sz.cand)
			if seed == 3 {
				for i := range in.Affinity {
					in.Affinity[i].Score *= MaxScore // the largest scores the contract allows
				}
			}
			sparseMinPairs = 1 << 62
			ws, whole, err := Solve(context.Background(), in, Options{})
			if err != nil {
				t.Fatal(err)
			}
			sparseMinPairs = 0
			rounds := 0
			debugSparse = func(round int, arcs int32, added int) { rounds++ }
			ss, sparse, err := Solve(context.Background(), in, Options{})
			debugSparse = nil
			if err != nil {
				t.Fatal(err)
			}
			if rounds == 0 {
				t.Fatalf("%v seed %d: the sparse solve did not run", sz, seed)
			}
			if sparse.SeatsFilled != whole.SeatsFilled || sparse.TotalAffinity != whole.TotalAffinity {
				t.Fatalf("%v seed %d: sparse %d seats, %v; whole %d seats, %v", sz, seed, sparse.SeatsFilled, sparse.TotalAffinity, whole.SeatsFilled, whole.TotalAffinity)
			}
			if len(sparse.Unfilled) != len(whole.Unfilled) {
				t.Fatalf("%v seed %d: %d unfilled entries, whole %d", sz, seed, len(sparse.Unfilled), len(whole.Unfilled))
			}
			// The network the sparse solve leaves behind repairs declines
			// as the whole network's does (Decline certifies each repair).
			for k := 0; k < 5; k++ {
				as := sparse.Assignments[k*37%len(sparse.Assignments)]
				if len(as.Experts) == 0 {
					continue
				}
				rs, err := ss.Decline(as.Application, as.Experts[0])
				if err != nil {
					t.Fatal(err)
				}
				sparse = rs
				if !slices.Contains(whole.Assignments[k*37%len(whole.Assignments)].Experts, as.Experts[0]) {
					break // a tie chosen differently: the repair is certified, nothing more to compare
				}
				rw, err := ws.Decline(as.Application, as.Experts[0])
				if err != nil {
					t.Fatal(err)
				}
				whole = rw
				if rs.SeatsFilled != rw.SeatsFilled || !reflect.DeepEqual(rs.TotalAffinity, rw.TotalAffinity) {
					// the whole solver's panels may differ at ties: compare the optimum only
					t.Fatalf("%v seed %d: after a decline sparse %d seats, %v; whole %d seats, %v", sz, seed, rs.SeatsFilled, rs.TotalAffinity, rw.SeatsFilled, rw.TotalAffinity)
				}
			}
		}
	}
}
