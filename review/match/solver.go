package match

import (
	"context"
	"errors"
	"fmt"
	"math"

	"kedaitong"
)

// costScalingAlpha is the factor by which ε shrinks between refinements.
var costScalingAlpha int64 = 16

// Solver holds a solved instance: the flow network with its optimal flow
// and potentials, so that declined invitations can be repaired locally.
// A Solver is not safe for concurrent use.
type Solver struct {
	p        *problem
	g        *graph
	affinity AffinityFunc // nil when the instance has an affinity list
	nE       int32
	seatNode []int32 // node of seat (application i, tier k) at i*3+k, or -1
	pairArc  []int32 // forward arc of each pair
	declined map[[2]int32]bool
	declCnt  []int32 // declined pairs per application*3+tier

	// scratch for Dijkstra
	dist   []int64
	parent []int32
	done   []bool
	heap   distHeap
}

// Solve finds an optimal assignment and returns it with the Solver that
// keeps it for Decline. Bad input gives an invalid-input error; a failed
// self-check gives an internal error.
func Solve(ctx context.Context, in *Instance, opts Options) (*Solver, *Result, error) {
	ix, err := validate(in)
	if err != nil {
		return nil, nil, err
	}
	return solve(ctx, ix, opts)
}

// solve solves a validated instance.
func solve(ctx context.Context, ix *indexed, opts Options) (*Solver, *Result, error) {
	p, err := newProblem(ctx, ix, opts.Affinity)
	if err != nil {
		return nil, nil, err
	}
	s := &Solver{p: p, declined: map[[2]int32]bool{}, declCnt: make([]int32, len(p.seats))}
	if !ix.list {
		s.affinity = opts.Affinity
		if s.affinity == nil {
			s.affinity = DefaultAffinity
		}
	}
	if err := s.build(); err != nil {
		return nil, nil, err
	}
	if err := s.g.maxFlow(ctx); err != nil {
		return nil, nil, err
	}
	// On a large instance the cheapest flow is found on the pairs likely to
	// be chosen and proved optimal on all of them (sparse.go); when that
	// does not converge, on the whole network.
	solved, err := s.solveSparse(ctx)
	if err != nil {
		return nil, nil, err
	}
	if !solved {
		if err := s.g.minCost(ctx); err != nil {
			return nil, nil, err
		}
	}
	r, err := s.result()
	if err != nil {
		return nil, nil, err
	}
	return s, r, nil
}

// minCost turns the maximum flow into a cheapest maximum flow with exact
// potentials: cost scaling, started again with a smaller factor when
// prices would leave exact arithmetic, then label correction.
func (g *graph) minCost(ctx context.Context) error {
	for {
		err := g.costScaling(ctx, costScalingAlpha)
		if errors.Is(err, errPriceOverflow) && g.k > 1 {
			// Start again from no flow with a smaller factor: exactPotentials
			// then cancels whatever negative cycles cost scaling leaves.
			if debugRetry != nil {
				debugRetry()
			}
			for a := range g.arcs {
				g.arcs[a].rcap = g.ucap[a]
			}
			clear(g.pot)
			g.k, g.eps0 = max(1, g.k/16), 0
			if err := g.maxFlow(ctx); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return kedaitong.Wrap(codeOf(ctx, err), err, "min-cost flow failed").ZHf("最小费用流求解失败")
		}
		break
	}
	if err := g.exactPotentials(ctx); err != nil {
		return kedaitong.Wrap(codeOf(ctx, err), err, "min-cost flow failed").ZHf("最小费用流求解失败")
	}
	return nil
}

// codeOf is EUnavailable for a cancelled context and EInternal otherwise.
func codeOf(ctx context.Context, _ error) string {
	if ctx.Err() != nil {
		return kedaitong.EUnavailable
	}
	return kedaitong.EInternal
}

// build lays out the flow network.
func (s *Solver) build() error {
	p := s.p
	nE := int32(len(p.in.Experts))
	s.nE = nE
	s.seatNode = make([]int32, len(p.seats))
	n := 2 + nE
	for i, c := range p.seats {
		s.seatNode[i] = -1
		if c > 0 {
			s.seatNode[i] = n
			n++
		}
	}
	deg := make([]int32, n)
	for i, c := range p.seats {
		if c > 0 {
			deg[source]++
			deg[s.seatNode[i]]++
		}
	}
	for j := range p.pApp {
		deg[s.seatNode[p.pApp[j]*3+int32(p.expTier[p.pExp[j]])]]++
		deg[2+p.pExp[j]]++
	}
	for e := range nE {
		deg[2+e]++
		deg[sink]++
	}
	b := newGraph(n, deg)
	b.g.k = costFactor(n-2-nE, nE, p.maxW)
	for i, c := range p.seats {
		if c > 0 {
			b.add(source, s.seatNode[i], c, 0)
		}
	}
	// an expert's arc to the sink comes first among its arcs: it is where
	// an expert with excess most often sends it
	for e := range nE {
		b.add(2+e, sink, int32(p.in.Experts[e].Capacity), 0)
	}
	s.pairArc = make([]int32, len(p.pApp))
	for j := range p.pApp {
		sn := s.seatNode[p.pApp[j]*3+int32(p.expTier[p.pExp[j]])]
		s.pairArc[j] = b.add(sn, 2+p.pExp[j], 1, -int32(p.pW[j])) // |w| ≤ MaxScore × ScoreScale < 2^31
	}
	s.g = b.g
	return nil
}

// debugRetry, when set by a test, is called when cost scaling starts again
// with a smaller factor.
var debugRetry func()

// Integer weights, and so arc costs, fit 32 bits (this fails to compile
// otherwise).
const _ = uint32(math.MaxInt32 - MaxScore*ScoreScale)

// forceFactor, when set by a test, replaces the factor of costScaling.
var forceFactor int64

// costFactor is the factor by which cost scaling multiplies the integer
// costs so that its last refinement (ε = 1) leaves an optimal flow: one
// more than the number of arcs of the longest simple cycle of the residual
// network. Such a cycle alternates between the side of the source and seat
// nodes and the side of the sink and experts; it crosses by pair arcs, each
// crossing meets a distinct seat node and a distinct expert, and it passes
// at most once through the source and once through the sink (two arcs
// each): at most 2·min(seat nodes, experts) + 4 arcs. The factor is capped
// so that factor × cost stays within maxScaledCost; a capped factor, or
// one lowered after errPriceOverflow, leaves exactPotentials to cancel any
// negative cycle that remains, so the result is exact either way.
func costFactor(seatNodes, experts int32, maxW int64) int64 {
	if forceFactor > 0 {
		return forceFactor
	}
	k := 2*int64(min(seatNodes, experts)) + 5
	if maxW > 0 {
		k = min(k, maxScaledCost/maxW)
	}
	return max(k, 1)
}

// result certifies the flow, reads the assignment off it and checks the
// assignment against the instance.
func (s *Solver) result() (*Result, error) {
	// The certificate only reads the network: it runs on the other core
	// while the assignment is read off and checked.
	type certified struct {
		value int64
		err   error
	}
	cert := make(chan certified, 1)
	go func() {
		v, err := s.g.certify()
		cert <- certified{v, err}
	}()
	r, err := s.read()
	c := <-cert
	if c.err != nil {
		return nil, kedaitong.Wrap(kedaitong.EInternal, c.err, "the solution failed its optimality check")
	}
	if err != nil {
		return nil, err
	}
	if int64(r.SeatsFilled) != c.value {
		return nil, kedaitong.Errorf(kedaitong.EInternal, "the solution failed its check: %d seats filled but flow %d", r.SeatsFilled, c.value)
	}
	return r, nil
}

// read reads the assignment off the flow, checks it against the instance
// and explains the empty seats.
func (s *Solver) read() (*Result, error) {
	p, in := s.p, s.p.in
	nA := len(in.Applications)
	r := &Result{Assignments: make([]Assignment, nA), Unfilled: []Unfilled{}}
	filled := make([]int32, len(p.seats))
	total := 0.0
	var weight int64
	exact := true // every chosen score is its weight / ScoreScale
	// pairs are sorted by application then expert: collect per tier
	j := 0
	for i := range nA {
		var byTier [3][]string
		for ; j < len(p.pApp) && p.pApp[j] == int32(i); j++ {
			a := s.pairArc[j]
			if s.g.ucap[a]-s.g.arcs[a].rcap == 1 {
				t := p.expTier[p.pExp[j]]
				byTier[t] = append(byTier[t], in.Experts[p.pExp[j]].ID)
				filled[i*3+int(t)]++
				total += p.pScore[j]
				weight += p.pW[j]
				exact = exact && float64(p.pW[j])/ScoreScale == p.pScore[j]
			}
		}
		experts := make([]string, 0, len(byTier[0])+len(byTier[1])+len(byTier[2]))
		for _, l := range byTier {
			experts = append(experts, l...)
		}
		r.Assignments[i] = Assignment{Application: in.Applications[i].ID, Experts: experts}
		r.SeatsFilled += len(experts)
	}
	r.TotalAffinity = roundScore(total)
	if exact {
		// the exact sum, free of the float noise that large totals show
		r.TotalAffinity = float64(weight) / ScoreScale
	}
	if err := s.check(r); err != nil {
		return nil, kedaitong.Wrap(kedaitong.EInternal, err, "the solution failed its check")
	}
	// reasons for the shortfall
	used := make([]int32, len(in.Experts))
	for j := range p.pApp {
		if a := s.pairArc[j]; s.g.ucap[a]-s.g.arcs[a].rcap == 1 {
			used[p.pExp[j]]++
		}
	}
	j = 0
	for i := range nA {
		var atCap, seated [3]int32
		for ; j < len(p.pApp) && p.pApp[j] == int32(i); j++ {
			e := p.pExp[j]
			t := p.expTier[e]
			if s.g.ucap[s.pairArc[j]] == 0 {
				continue // declined
			}
			if s.g.ucap[s.pairArc[j]]-s.g.arcs[s.pairArc[j]].rcap == 1 {
				seated[t]++
			} else if used[e] >= int32(in.Experts[e].Capacity) {
				atCap[t]++
			}
		}
		for k, tier := range Tiers {
			missing := p.seats[i*3+k] - filled[i*3+k]
			if missing <= 0 {
				continue
			}
			u := Unfilled{
				Application: in.Applications[i].ID, Tier: tier, Seats: int(missing),
				Eligible: int(p.eligible[i*3+k]), Conflicted: int(p.conflicted[i*3+k]),
				AtCapacity: int(atCap[k]), Declined: int(s.declCnt[i*3+k]),
			}
			switch {
			case u.Eligible == 0:
				u.Reason = ReasonNoEligible
			case u.Eligible == u.Conflicted:
				u.Reason = ReasonConflicted
			case u.Eligible == u.Conflicted+u.Declined:
				u.Reason = ReasonDeclined
			case u.AtCapacity > 0:
				u.Reason = ReasonCapacity
			default:
				u.Reason = ReasonTooFew
			}
			r.Unfilled = append(r.Unfilled, u)
		}
	}
	return r, nil
}

// check verifies a result against the instance itself, independently of
// the flow network: ids, tiers, seat counts, once per panel, conflicts,
// capacities, eligibility and the total affinity.
func (s *Solver) check(r *Result) error {
	in := s.p.in
	if len(r.Assignments) != len(in.Applications) {
		return fmt.Errorf("%d assignments for %d applications", len(r.Assignments), len(in.Applications))
	}
	// with an affinity list, the scores of the chosen pairs come from the
	// list as given: the experts chosen for each application, then one pass
	// over the list
	var scores map[[2]int32]float64
	if ix := s.p.ix; ix.list {
		scores = make(map[[2]int32]float64, r.SeatsFilled)
		start := make([]int32, len(r.Assignments)+1)
		for i, as := range r.Assignments {
			start[i+1] = start[i] + int32(len(as.Experts))
		}
		chosen := make([]int32, start[len(r.Assignments)])
		for i, as := range r.Assignments {
			for k, id := range as.Experts {
				e, ok := s.p.expIndex[id]
				if !ok {
					e = -1
				}
				chosen[int(start[i])+k] = e
			}
		}
		for j, a := range ix.pApp {
			for _, e := range chosen[start[a]:start[a+1]] {
				if e == ix.pExp[j] {
					scores[[2]int32{a, e}] = ix.pScore[j]
				}
			}
		}
	}
	load := make([]int, len(in.Experts))
	seenOn := make([]int32, len(in.Experts)) // 1 + the last application an expert was seen on
	total := 0.0
	for i, as := range r.Assignments {
		app := in.Applications[i]
		if as.Application != app.ID {
			return fmt.Errorf("assignment %d is for %q, want %q", i, as.Application, app.ID)
		}
		var count [3]int
		for _, id := range as.Experts {
			ei, ok := s.p.expIndex[id]
			if !ok {
				return fmt.Errorf("application %q: unknown expert %q", app.ID, id)
			}
			e := in.Experts[ei]
			if seenOn[ei] == int32(i)+1 {
				return fmt.Errorf("application %q: expert %q twice", app.ID, id)
			}
			seenOn[ei] = int32(i) + 1
			count[tierIndex(e.Tier)]++
			load[ei]++
			for _, o := range e.Affiliations {
				for _, q := range app.Parties {
					if o == q {
						return fmt.Errorf("application %q: expert %q is affiliated with party %q", app.ID, id, o)
					}
				}
			}
			if s.declined[[2]int32{int32(i), ei}] {
				return fmt.Errorf("application %q: expert %q declined", app.ID, id)
			}
			var score float64
			if scores != nil {
				if score, ok = scores[[2]int32{int32(i), ei}]; !ok {
					return fmt.Errorf("application %q: expert %q not in the affinity list", app.ID, id)
				}
			} else if score, ok = s.affinity(e, app); !ok {
				return fmt.Errorf("application %q: expert %q not eligible", app.ID, id)
			}
			total += score
		}
		for k, t := range Tiers {
			if count[k] > app.Panel[t] {
				return fmt.Errorf("application %q: %d %s experts for %d seats", app.ID, count[k], t, app.Panel[t])
			}
		}
	}
	for ei, l := range load {
		if l > in.Experts[ei].Capacity {
			return fmt.Errorf("expert %q on %d panels, capacity %d", in.Experts[ei].ID, l, in.Experts[ei].Capacity)
		}
	}
	if d := math.Abs(roundScore(total) - r.TotalAffinity); d > 1e-6*math.Max(1, math.Abs(total)) {
		return fmt.Errorf("total affinity %v, recomputed %v", r.TotalAffinity, total)
	}
	return nil
}
