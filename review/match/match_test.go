package match

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// randomInstance builds a small random instance. With list, it carries an
// affinity list (scores drawn from a few values so that ties are common).
func randomInstance(rng *rand.Rand, nA, nE int, list bool) *Instance {
	orgs := []string{"org:a", "org:b", "org:c", "org:d", "org:e"}
	fields := []string{"semiconductors", "semiconductors.ic-design", "semiconductors.packaging", "photovoltaics.perc", "photovoltaics", "biomedicine.vaccines"}
	in := &Instance{}
	for i := range nE {
		e := Expert{ID: fmt.Sprintf("e%d", i), Tier: Tiers[rng.IntN(3)], Capacity: rng.IntN(4)}
		for range rng.IntN(3) {
			e.Fields = append(e.Fields, fields[rng.IntN(len(fields))])
		}
		for range rng.IntN(2) {
			e.Affiliations = append(e.Affiliations, orgs[rng.IntN(len(orgs))])
		}
		in.Experts = append(in.Experts, e)
	}
	for i := range nA {
		a := Application{ID: fmt.Sprintf("a%d", i), Field: fields[1+rng.IntN(len(fields)-1)], Panel: map[string]int{}}
		for _, t := range Tiers {
			if n := rng.IntN(3); n > 0 || rng.IntN(2) == 0 {
				a.Panel[t] = n
			}
		}
		for range rng.IntN(3) {
			a.Parties = append(a.Parties, orgs[rng.IntN(len(orgs))])
		}
		in.Applications = append(in.Applications, a)
	}
	if list {
		in.Affinity = []Pair{}
		scores := []float64{0, 0.1, 0.25, 0.5, 0.5, 0.75, 1}
		for _, a := range in.Applications {
			for _, e := range in.Experts {
				if rng.IntN(3) == 0 {
					continue
				}
				s := scores[rng.IntN(len(scores))]
				if rng.IntN(4) == 0 {
					s = math.Round(rng.Float64()*1e4) / 1e4
				}
				in.Affinity = append(in.Affinity, Pair{Expert: e.ID, Application: a.ID, Score: s})
			}
		}
		rng.Shuffle(len(in.Affinity), func(i, j int) { in.Affinity[i], in.Affinity[j] = in.Affinity[j], in.Affinity[i] })
	}
	return in
}

// refPair is an eligible pair found by the reference code.
type refPair struct {
	a, e int
	w    int64
}

// referencePairs lists the eligible pairs straight from the rules,
// skipping forbidden ones.
func referencePairs(in *Instance, forbidden map[[2]int]bool) []refPair {
	var out []refPair
	score := map[[2]int]float64{}
	eIdx, aIdx := map[string]int{}, map[string]int{}
	for i, e := range in.Experts {
		eIdx[e.ID] = i
	}
	for i, a := range in.Applications {
		aIdx[a.ID] = i
	}
	for _, q := range in.Affinity {
		score[[2]int{aIdx[q.Application], eIdx[q.Expert]}] = q.Score
	}
	for ai, a := range in.Applications {
		for ei, e := range in.Experts {
			if a.Panel[e.Tier] == 0 || forbidden[[2]int{ai, ei}] {
				continue
			}
			conflict := false
			for _, o := range e.Affiliations {
				conflict = conflict || slices.Contains(a.Parties, o)
			}
			if conflict {
				continue
			}
			var s float64
			var ok bool
			if in.Affinity != nil {
				s, ok = score[[2]int{ai, ei}]
			} else {
				s, ok = DefaultAffinity(e, a)
			}
			if ok {
				out = append(out, refPair{ai, ei, int64(math.Round(s * 1e6))})
			}
		}
	}
	return out
}

// bruteForce returns the best (seats, weight) by exhaustive search.
func bruteForce(in *Instance, forbidden map[[2]int]bool) (int, int64) {
	pairs := referencePairs(in, forbidden)
	seats := map[[2]int]int{}
	for ai, a := range in.Applications {
		for k, t := range Tiers {
			seats[[2]int{ai, k}] = a.Panel[t]
		}
	}
	load := make([]int, len(in.Experts))
	bestN, bestW := 0, int64(0)
	var rec func(j, n int, w int64)
	rec = func(j, n int, w int64) {
		if n+len(pairs)-j < bestN {
			return
		}
		if j == len(pairs) {
			if n > bestN || n == bestN && w > bestW {
				bestN, bestW = n, w
			}
			return
		}
		q := pairs[j]
		key := [2]int{q.a, tierIndex(in.Experts[q.e].Tier)}
		if seats[key] > 0 && load[q.e] < in.Experts[q.e].Capacity {
			seats[key]--
			load[q.e]++
			rec(j+1, n+1, w+q.w)
			seats[key]++
			load[q.e]--
		}
		rec(j+1, n, w)
	}
	rec(0, 0, 0)
	return bestN, bestW
}

// weightOf recomputes the integer weight of a result and checks the rules
// independently of the package's own check.
func weightOf(t *testing.T, in *Instance, r *Result, forbidden map[[2]int]bool) int64 {
	t.Helper()
	ok := map[[2]int]int64{}
	for _, q := range referencePairs(in, forbidden) {
		ok[[2]int{q.a, q.e}] = q.w
	}
	eIdx := map[string]int{}
	for i, e := range in.Experts {
		eIdx[e.ID] = i
	}
	load := make([]int, len(in.Experts))
	var w int64
	n := 0
	for ai, as := range r.Assignments {
		count := map[string]int{}
		seen := map[string]bool{}
		for _, id := range as.Experts {
			ei := eIdx[id]
			pw, eligible := ok[[2]int{ai, ei}]
			if !eligible || seen[id] {
				t.Fatalf("application %s: expert %s not eligible or twice", as.Application, id)
			}
			seen[id] = true
			count[in.Experts[ei].Tier]++
			load[ei]++
			w += pw
			n++
		}
		for tier, c := range count {
			if c > in.Applications[ai].Panel[tier] {
				t.Fatalf("application %s: %d %s experts, %d seats", as.Application, c, tier, in.Applications[ai].Panel[tier])
			}
		}
	}
	for ei, l := range load {
		if l > in.Experts[ei].Capacity {
			t.Fatalf("expert %s on %d panels, capacity %d", in.Experts[ei].ID, l, in.Experts[ei].Capacity)
		}
	}
	if n != r.SeatsFilled {
		t.Fatalf("seats_filled = %d, counted %d", r.SeatsFilled, n)
	}
	return w
}

func TestSolveMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	ctx := context.Background()
	for iter := range 3000 {
		in := randomInstance(rng, 1+rng.IntN(4), 1+rng.IntN(6), iter%2 == 0)
		_, r, err := Solve(ctx, in, Options{})
		if err != nil {
			t.Fatalf("instance %d: Solve: %v", iter, err)
		}
		wantN, wantW := bruteForce(in, nil)
		gotW := weightOf(t, in, r, nil)
		if r.SeatsFilled != wantN || gotW != wantW {
			b, _ := json.Marshal(in)
			t.Fatalf("instance %d: got seats %d weight %d, want %d, %d\n%s", iter, r.SeatsFilled, gotW, wantN, wantW, b)
		}
	}
}

func TestDeclineMatchesResolve(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	ctx := context.Background()
	for iter := range 1500 {
		nA, nE := 1+rng.IntN(4), 1+rng.IntN(6)
		if iter%5 == 0 {
			nA, nE = 30+rng.IntN(30), 20+rng.IntN(30)
		}
		in := randomInstance(rng, nA, nE, iter%2 == 0)
		if iter%4 == 2 {
			in = scaled(in, 1000) // scores up to 1000: weights up to 10⁹
		}
		s, r, err := Solve(ctx, in, Options{})
		if err != nil {
			t.Fatalf("instance %d: Solve: %v", iter, err)
		}
		forbidden := map[[2]int]bool{}
		for step := 0; step < 4 && r.SeatsFilled > 0; step++ {
			var cand [][2]int
			for ai, as := range r.Assignments {
				for _, id := range as.Experts {
					ei := slices.IndexFunc(in.Experts, func(e Expert) bool { return e.ID == id })
					cand = append(cand, [2]int{ai, ei})
				}
			}
			c := cand[rng.IntN(len(cand))]
			app, exp := in.Applications[c[0]].ID, in.Experts[c[1]].ID
			forbidden[c] = true
			r, err = s.Decline(app, exp)
			if err != nil {
				t.Fatalf("instance %d step %d: Decline(%s, %s): %v", iter, step, app, exp, err)
			}
			for ai, as := range r.Assignments {
				for _, id := range as.Experts {
					ei := slices.IndexFunc(in.Experts, func(e Expert) bool { return e.ID == id })
					if forbidden[[2]int{ai, ei}] {
						t.Fatalf("instance %d step %d: decliner %s re-invited to %s", iter, step, id, as.Application)
					}
				}
			}
			gotW := weightOf(t, in, r, forbidden)
			// a fresh solve of the instance without the declined pairs
			_, fresh, err := Solve(ctx, without(in, forbidden), Options{Affinity: func(e Expert, a Application) (float64, bool) {
				if forbidden[[2]int{indexOf(in, a.ID), slices.IndexFunc(in.Experts, func(x Expert) bool { return x.ID == e.ID })}] {
					return 0, false
				}
				return DefaultAffinity(e, a)
			}})
			if err != nil {
				t.Fatalf("instance %d step %d: fresh Solve: %v", iter, step, err)
			}
			freshW := weightOf(t, in, fresh, forbidden)
			if r.SeatsFilled != fresh.SeatsFilled || gotW != freshW {
				t.Fatalf("instance %d step %d: after decline seats %d weight %d, fresh solve %d, %d", iter, step, r.SeatsFilled, gotW, fresh.SeatsFilled, freshW)
			}
			if nA <= 4 {
				wantN, wantW := bruteForce(in, forbidden)
				if r.SeatsFilled != wantN || gotW != wantW {
					t.Fatalf("instance %d step %d: after decline seats %d weight %d, brute force %d, %d", iter, step, r.SeatsFilled, gotW, wantN, wantW)
				}
			}
		}
	}
}

func indexOf(in *Instance, app string) int {
	return slices.IndexFunc(in.Applications, func(a Application) bool { return a.ID == app })
}

// without copies an instance, dropping forbidden pairs from its affinity list.
func without(in *Instance, forbidden map[[2]int]bool) *Instance {
	out := *in
	if in.Affinity == nil {
		return &out
	}
	out.Affinity = []Pair{}
	for _, q := range in.Affinity {
		ai := indexOf(in, q.Application)
		ei := slices.IndexFunc(in.Experts, func(e Expert) bool { return e.ID == q.Expert })
		if !forbidden[[2]int{ai, ei}] {
			out.Affinity = append(out.Affinity, q)
		}
	}
	return &out
}

func TestDeclineErrors(t *testing.T) {
	in := &Instance{
		Experts:      []Expert{{ID: "e1", Tier: TierIndustry, Fields: []string{"photovoltaics.perc"}, Capacity: 1}, {ID: "e2", Tier: TierIndustry, Capacity: 1}},
		Applications: []Application{{ID: "a1", Field: "photovoltaics.perc", Panel: map[string]int{"industry": 1}}},
	}
	s, _, err := Solve(context.Background(), in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ app, exp, want string }{
		{"a9", "e1", "not_found"},
		{"a1", "e9", "not_found"},
		{"a1", "e2", "invalid_input"},
	}
	for _, tt := range tests {
		_, err := s.Decline(tt.app, tt.exp)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Decline(%s, %s) = %v, want %s", tt.app, tt.exp, err, tt.want)
		}
	}
	r, err := s.Decline("a1", "e1")
	if err != nil {
		t.Fatal(err)
	}
	if r.SeatsFilled != 0 || len(r.Unfilled) != 1 || r.Unfilled[0].Reason != ReasonDeclined {
		t.Errorf("after the only expert declined: %+v, want one seat unfilled, reason %q", r, ReasonDeclined)
	}
	if _, err := s.Decline("a1", "e1"); err == nil {
		t.Errorf("declining twice: no error")
	}
}

// TestLargerRandomCertified solves medium random instances and checks the
// rules independently and the certificate explicitly.
func TestLargerRandomCertified(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for iter := range 20 {
		in := randomInstance(rng, 100+rng.IntN(200), 50+rng.IntN(150), iter%2 == 0)
		s, r, err := Solve(context.Background(), in, Options{})
		if err != nil {
			t.Fatalf("instance %d: %v", iter, err)
		}
		weightOf(t, in, r, nil)
		if v, err := s.g.certify(); err != nil || v != int64(r.SeatsFilled) {
			t.Fatalf("instance %d: certify = %d, %v; want %d, nil", iter, v, err, r.SeatsFilled)
		}
	}
}

// TestCertificateCatchesErrors shows the self-checks can fail: a spoiled
// flow or spoiled potentials are reported.
func TestCertificateCatchesErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	in := randomInstance(rng, 40, 30, true)
	s, r, err := Solve(context.Background(), in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.SeatsFilled == 0 {
		t.Fatal("no seat filled; pick another seed")
	}
	// potentials: make some residual arc negative
	g := s.g
	spoiled := false
	for u := int32(2); u < g.n && !spoiled; u++ {
		for a := g.first[u]; a < g.first[u+1]; a++ {
			if g.arcs[a].rcap > 0 {
				g.pot[u] -= int64(g.arcs[a].cost) + g.pot[u] - g.pot[g.arcs[a].to] + 1
				spoiled = true
				break
			}
		}
	}
	if _, err := g.certify(); err == nil || !strings.Contains(err.Error(), "negative reduced cost") {
		t.Errorf("certify with spoiled potentials = %v, want a negative reduced cost", err)
	}
	// result: an expert twice over capacity
	bad := *r
	bad.Assignments = slices.Clone(r.Assignments)
	for i, as := range bad.Assignments {
		if len(as.Experts) > 0 {
			bad.Assignments[i].Experts = append(slices.Clone(as.Experts), as.Experts[0])
			break
		}
	}
	if err := s.check(&bad); err == nil {
		t.Errorf("check of a panel with an expert twice: no error")
	}
}

func TestDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for iter := range 10 {
		in := randomInstance(rng, 60, 40, iter%2 == 0)
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		var out [2]bytes.Buffer
		for k := range out {
			var errb bytes.Buffer
			if code := Main(context.Background(), bytes.NewReader(b), &out[k], &errb); code != 0 {
				t.Fatalf("Main = %d: %s", code, errb.String())
			}
		}
		if !bytes.Equal(out[0].Bytes(), out[1].Bytes()) {
			t.Fatalf("instance %d: two runs differ:\n%s\n%s", iter, out[0].String(), out[1].String())
		}
	}
}
