package match

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// scaled copies an instance with every listed score multiplied by f.
func scaled(in *Instance, f float64) *Instance {
	out := *in
	if in.Affinity != nil {
		out.Affinity = make([]Pair, len(in.Affinity))
		for i, q := range in.Affinity {
			q.Score = math.Min(MaxScore, q.Score*f)
			out.Affinity[i] = q
		}
	}
	return &out
}

// checkBrute solves in and compares with brute force.
func checkBrute(t *testing.T, iter int, in *Instance) {
	t.Helper()
	_, r, err := Solve(context.Background(), in, Options{})
	if err != nil {
		t.Fatalf("instance %d: Solve: %v", iter, err)
	}
	wantN, wantW := bruteForce(in, nil)
	if gotW := weightOf(t, in, r, nil); r.SeatsFilled != wantN || gotW != wantW {
		b, _ := json.Marshal(in)
		t.Fatalf("instance %d: got seats %d weight %d, want %d, %d\n%s", iter, r.SeatsFilled, gotW, wantN, wantW, b)
	}
}

// TestSmallFactorCancelsCycles: with cost scaling's factor forced too small
// to guarantee optimality, the negative cycles it leaves are cancelled and
// the result is still the exact optimum (brute force), scores up to 1000
// included.
func TestSmallFactorCancelsCycles(t *testing.T) {
	defer func() { forceFactor = 0 }()
	rng := rand.New(rand.NewPCG(21, 22))
	for iter := range 1500 {
		forceFactor = int64(1 + iter%3)
		in := randomInstance(rng, 1+rng.IntN(4), 1+rng.IntN(6), iter%4 != 0)
		switch iter % 3 {
		case 0:
			in = scaled(in, 1000)
		case 1:
			// weights 0..4: near-ties that ε = 1 cannot tell apart
			for i := range in.Affinity {
				in.Affinity[i].Score = float64(rng.IntN(5)) / ScoreScale
			}
		}
		checkBrute(t, iter, in)
	}
}

// TestPriceOverflowStartsAgain: when prices would leave the range of exact
// arithmetic, cost scaling starts again with a smaller factor and the
// result is still exact.
func TestPriceOverflowStartsAgain(t *testing.T) {
	retries := 0
	debugRetry = func() { retries++ }
	priceLimit = 1 << 26
	defer func() { debugRetry, priceLimit = nil, 1<<61 }()
	rng := rand.New(rand.NewPCG(23, 24))
	for iter := range 600 {
		in := randomInstance(rng, 1+rng.IntN(4), 1+rng.IntN(6), true)
		checkBrute(t, iter, scaled(in, 3))
	}
	if retries == 0 {
		t.Fatal("no run needed a smaller factor: the test does not test")
	}
	t.Logf("%d runs started again", retries)
}

// largeScoreInstance has 16,000 experts and 3,000 applications (25,000
// nodes) and integer scores up to 1000: an instance that used to be refused
// as "too large for exact arithmetic".
func largeScoreInstance(div float64) *Instance {
	rng := rand.New(rand.NewPCG(25, 26))
	in := &Instance{Affinity: []Pair{}}
	for i := range 16000 {
		in.Experts = append(in.Experts, Expert{ID: fmt.Sprintf("e%d", i), Tier: Tiers[i%3], Capacity: rng.IntN(2)})
	}
	for i := range 3000 {
		a := Application{ID: fmt.Sprintf("a%d", i), Panel: map[string]int{TierAcademician: 1, TierIndustry: 2, TierFinance: 1}}
		in.Applications = append(in.Applications, a)
		for _, e := range rng.Perm(16000)[:12] {
			in.Affinity = append(in.Affinity, Pair{Expert: in.Experts[e].ID, Application: a.ID, Score: float64(rng.IntN(1001)) / div})
		}
	}
	return in
}

// TestLargeScoresExact: scores up to 1000 are solved at sizes where they
// used to be refused, and the optimum is the one of the same instance with
// every score divided by 1000 (weights exactly 1000 times smaller).
func TestLargeScoresExact(t *testing.T) {
	if testing.Short() {
		t.Skip("a 25,000-node instance")
	}
	weight := func(in *Instance, r *Result) int64 {
		score := map[[2]string]float64{}
		for _, q := range in.Affinity {
			score[[2]string{q.Application, q.Expert}] = q.Score
		}
		var w int64
		for _, as := range r.Assignments {
			for _, e := range as.Experts {
				w += int64(math.Round(score[[2]string{as.Application, e}] * ScoreScale))
			}
		}
		return w
	}
	big, small := largeScoreInstance(1), largeScoreInstance(1000)
	s, rb, err := Solve(context.Background(), big, Options{})
	if err != nil {
		t.Fatalf("scores up to 1000: %v", err)
	}
	if v, err := s.g.certify(); err != nil || v != int64(rb.SeatsFilled) {
		t.Fatalf("certify = %d, %v", v, err)
	}
	if want := float64(weight(big, rb)) / ScoreScale; rb.TotalAffinity != want {
		t.Errorf("total affinity %v, want the exact sum %v", rb.TotalAffinity, want)
	}
	_, rs, err := Solve(context.Background(), small, Options{})
	if err != nil {
		t.Fatalf("scores up to 1: %v", err)
	}
	if rb.SeatsFilled != rs.SeatsFilled || weight(big, rb) != 1000*weight(small, rs) {
		t.Fatalf("scores up to 1000: %d seats, weight %d; up to 1: %d seats, weight %d ×1000", rb.SeatsFilled, weight(big, rb), rs.SeatsFilled, weight(small, rs))
	}
	// the same with cost scaling stopped far from optimal: cycle
	// cancelling finishes the job
	forceFactor = 1
	defer func() { forceFactor = 0 }()
	_, rf, err := Solve(context.Background(), big, Options{})
	if err != nil {
		t.Fatalf("factor 1: %v", err)
	}
	if rf.SeatsFilled != rb.SeatsFilled || weight(big, rf) != weight(big, rb) {
		t.Fatalf("factor 1: %d seats, weight %d; want %d, %d", rf.SeatsFilled, weight(big, rf), rb.SeatsFilled, weight(big, rb))
	}
	t.Logf("%d seats, total affinity %v", rb.SeatsFilled, rb.TotalAffinity)
}
