package match

import (
	"context"
)

// The sparse solve. On a large instance most pairs are never chosen: a
// seat of an application goes to one of its best-scored candidates unless
// those are wanted elsewhere. solveSparse finds the cheapest maximum flow on
// a core network — per seat node its sparseKeep(seats) best pairs, plus the
// pairs of the maximum flow already found on the whole network, so that the
// core holds a maximum flow of the whole — and then prices every pair left
// out with the core's exact potentials. A left-out pair of negative reduced
// cost could improve the flow: such pairs join the core and it is solved
// again. When none is left, the potentials certify the flow on the whole
// network (every residual arc there has reduced cost ≥ 0, and the flow is
// maximum), so it is copied into the whole network and the solve goes on
// exactly as after a solve of the whole (result() certifies it there
// again). The answer is the same optimum; only the work differs.

// sparseMinPairs is the size below which the whole network is solved.
var sparseMinPairs = 200_000

// sparseRounds bounds the core's growth before the whole network is solved.
const sparseRounds = 10

// sparseKeep is how many of its best pairs a seat node with c seats keeps
// in the first core. On the benchmark instances (20,000 × 10,000 × 200)
// 3c + 10 leaves no pair to add (one round, 1.9 M arcs of 8.2 M); 2c + 6
// needed a second round and c + 3 six, each costing more than the larger
// core saves.
func sparseKeep(c int32) int { return int(3*c + 10) }

// solveSparse solves the cheapest maximum flow on a core network and copies
// it, with exact potentials, into s.g. It reports false (leaving s.g with
// its maximum flow untouched) when the instance is small or the core did
// not converge.
func (s *Solver) solveSparse(ctx context.Context) (bool, error) {
	p, g := s.p, s.g
	m := len(p.pApp)
	if m < sparseMinPairs {
		return false, nil
	}
	in := make([]bool, m) // pair j is in the core
	// The best pairs of each seat node: pairs come by application, so
	// keep the running top of each of its three tiers.
	type top struct {
		w []int64
		j []int32
	}
	var tops [3]top
	for j := 0; j < m; {
		a := p.pApp[j]
		for k := range tops {
			tops[k].w, tops[k].j = tops[k].w[:0], tops[k].j[:0]
		}
		for ; j < m && p.pApp[j] == a; j++ {
			if arc := s.pairArc[j]; g.ucap[arc]-g.arcs[arc].rcap == 1 {
				in[j] = true // carries the maximum flow
			}
			t := p.expTier[p.pExp[j]]
			keep := sparseKeep(p.seats[int(a)*3+int(t)])
			tp := &tops[t]
			w := p.pW[j]
			if len(tp.w) == keep && w <= tp.w[keep-1] {
				continue
			}
			// insert in descending order, dropping the last when full
			i := len(tp.w)
			if i < keep {
				tp.w, tp.j = append(tp.w, 0), append(tp.j, 0)
			} else {
				i = keep - 1
			}
			for i > 0 && tp.w[i-1] < w {
				tp.w[i], tp.j[i] = tp.w[i-1], tp.j[i-1]
				i--
			}
			tp.w[i], tp.j[i] = w, int32(j)
		}
		for k := range tops {
			for _, jj := range tops[k].j {
				in[jj] = true
			}
		}
	}
	// flow of each pair: the whole network's maximum flow to start with
	flow := make([]bool, m)
	for j := range m {
		a := s.pairArc[j]
		flow[j] = g.ucap[a]-g.arcs[a].rcap == 1
	}
	var warm []int64 // the last core's exact potentials
	var worst int64  // the most negative reduced cost of the pairs that joined
	for round := 0; round < sparseRounds; round++ {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		core, arcOf := s.coreGraph(in, flow)
		if warm != nil {
			// Warm start: the last core's potentials, scaled, leave every
			// arc of the new core ε-optimal for ε = k × worst (the pairs
			// that joined) unless a price would leave exact arithmetic.
			k := core.k
			safe := worst <= maxScaledCost/k
			for _, x := range warm {
				safe = safe && x <= priceLimit/(2*k) && -x <= priceLimit/(2*k)
			}
			if safe {
				for u, x := range warm {
					core.pot[u] = x * k
				}
				core.eps0 = k * worst * costScalingAlpha
			}
		}
		if err := core.minCost(ctx); err != nil {
			return false, err
		}
		for j, a := range arcOf {
			if a >= 0 {
				flow[j] = core.ucap[a]-core.arcs[a].rcap == 1
			}
		}
		// price the pairs left out
		added := 0
		pot := core.pot
		worst = 0
		for j := range m {
			if in[j] {
				continue
			}
			sn := s.seatNode[p.pApp[j]*3+int32(p.expTier[p.pExp[j]])]
			if rc := -p.pW[j] + pot[sn] - pot[2+p.pExp[j]]; rc < 0 {
				in[j] = true
				added++
				worst = max(worst, -rc)
			}
		}
		warm = pot
		if debugSparse != nil {
			debugSparse(round, core.first[core.n], added)
		}
		if added == 0 {
			s.adopt(flow, pot)
			return true, nil
		}
	}
	return false, nil
}

// debugSparse, when set by a test, is told of each round of the sparse
// solve: the core's arcs and the pairs that joined it.
var debugSparse func(round int, arcs int32, added int)

// coreGraph builds the network of the core's pairs (the same nodes as
// s.g) carrying the given flow, and returns it with each pair's arc (-1
// for pairs outside).
func (s *Solver) coreGraph(in, flow []bool) (*graph, []int32) {
	p, g := s.p, s.g
	n := g.n
	deg := make([]int32, n)
	for i, c := range p.seats {
		if c > 0 {
			deg[source]++
			deg[s.seatNode[i]]++
		}
	}
	for e := range s.nE {
		deg[2+e]++
		deg[sink]++
	}
	for j, ok := range in {
		if ok {
			deg[s.seatNode[p.pApp[j]*3+int32(p.expTier[p.pExp[j]])]]++
			deg[2+p.pExp[j]]++
		}
	}
	b := newGraph(n, deg)
	b.g.k = g.k
	seatFlow := make([]int32, len(p.seats))
	expFlow := make([]int32, s.nE)
	for j, f := range flow {
		if f {
			seatFlow[p.pApp[j]*3+int32(p.expTier[p.pExp[j]])]++
			expFlow[p.pExp[j]]++
		}
	}
	for i, c := range p.seats {
		if c > 0 {
			setFlow(b.g, b.add(source, s.seatNode[i], c, 0), seatFlow[i])
		}
	}
	for e := range s.nE {
		setFlow(b.g, b.add(2+e, sink, int32(p.in.Experts[e].Capacity), 0), expFlow[e])
	}
	arcOf := make([]int32, len(in))
	for j, ok := range in {
		arcOf[j] = -1
		if !ok {
			continue
		}
		sn := s.seatNode[p.pApp[j]*3+int32(p.expTier[p.pExp[j]])]
		a := b.add(sn, 2+p.pExp[j], g.ucap[s.pairArc[j]], -int32(p.pW[j]))
		if flow[j] {
			setFlow(b.g, a, 1)
		}
		arcOf[j] = a
	}
	return b.g, arcOf
}

// setFlow puts f units of flow on the forward arc a.
func setFlow(g *graph, a, f int32) {
	g.arcs[a].rcap = g.ucap[a] - f
	g.arcs[g.rev[a]].rcap = g.ucap[g.rev[a]] + f
}

// adopt puts the core's flow and potentials into the whole network.
func (s *Solver) adopt(flow []bool, pot []int64) {
	p, g := s.p, s.g
	seatFlow := make([]int32, len(p.seats))
	expFlow := make([]int32, s.nE)
	for j, f := range flow {
		var x int32
		if f {
			x = 1
			seatFlow[p.pApp[j]*3+int32(p.expTier[p.pExp[j]])]++
			expFlow[p.pExp[j]]++
		}
		setFlow(g, s.pairArc[j], x)
	}
	seatOf := make([]int32, g.n) // seat node → its index in p.seats
	for i, sn := range s.seatNode {
		if sn >= 0 {
			seatOf[sn] = int32(i)
		}
	}
	for a := g.first[source]; a < g.first[source+1]; a++ {
		setFlow(g, a, seatFlow[seatOf[g.arcs[a].to]])
	}
	for e := range s.nE {
		u := 2 + e
		for a := g.first[u]; a < g.first[u+1]; a++ {
			if g.arcs[a].to == sink {
				setFlow(g, a, expFlow[e])
			}
		}
	}
	copy(g.pot, pot)
	g.k = 1
}
