package match

import (
	"context"
	"errors"
	"fmt"
	"math"
)

// Node numbers of the flow network.
const (
	source = 0
	sink   = 1
)

// graph is a flow network in compressed sparse row form. Every edge is a
// pair of arcs, forward (ucap = capacity) and reverse (ucap = 0), each the
// rev of the other. Costs are the integer costs −round(score × ScoreScale);
// cost scaling multiplies them by k as it reads them.
type graph struct {
	n     int32
	first []int32 // arcs of node u are first[u] .. first[u+1]-1
	arcs  []arc   // what the hot loops read, together
	rev   []int32
	ucap  []int32 // capacity when the flow is zero
	pot   []int64 // node potentials (in cost units once solved)
	k     int64   // the factor of costs during cost scaling (see Solver.build)
	// eps0, when positive, is where cost scaling starts instead of the
	// largest scaled cost: a warm start from prices that are already
	// ε-optimal for ε = eps0/alpha (sparse.go).
	eps0 int64
}

// arc is one arc of the network: 16 bytes, so that a scan of a node's arcs
// reads one array. Costs fit 32 bits: |cost| ≤ MaxScore × ScoreScale < 2^31.
type arc struct {
	to   int32
	rcap int32 // residual capacity
	tcap int32 // rcap of the arc plus rcap of its reverse (constant)
	cost int32
}

// edgeBuilder fills a graph whose degrees are known.
type edgeBuilder struct {
	g   *graph
	pos []int32
}

func newGraph(n int32, deg []int32) *edgeBuilder {
	g := &graph{n: n, first: make([]int32, n+1), k: 1}
	for u := range n {
		g.first[u+1] = g.first[u] + deg[u]
	}
	m := g.first[n]
	g.arcs = make([]arc, m)
	g.rev = make([]int32, m)
	g.ucap = make([]int32, m)
	g.pot = make([]int64, n)
	pos := make([]int32, n)
	copy(pos, g.first[:n])
	return &edgeBuilder{g: g, pos: pos}
}

// add adds the edge u→v and returns its forward arc.
func (b *edgeBuilder) add(u, v, capacity, cost int32) int32 {
	g := b.g
	a, r := b.pos[u], b.pos[v]
	b.pos[u]++
	b.pos[v]++
	g.arcs[a].to, g.arcs[r].to = v, u
	g.rev[a], g.rev[r] = r, a
	g.arcs[a].rcap, g.ucap[a] = capacity, capacity
	g.arcs[a].tcap, g.arcs[r].tcap = capacity, capacity
	g.arcs[a].cost, g.arcs[r].cost = cost, -cost
	return a
}

// maxFlow raises the flow from source to sink to a maximum (Dinic).
func (g *graph) maxFlow(ctx context.Context) error {
	n := g.n
	level := make([]int32, n)
	cur := make([]int32, n)
	queue := make([]int32, 0, n)
	path := make([]int32, 0, 64) // arcs from the source
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("max flow: %w", err)
		}
		for i := range level {
			level[i] = -1
		}
		level[source] = 0
		queue = append(queue[:0], source)
		for h := 0; h < len(queue); h++ {
			u := queue[h]
			for a := g.first[u]; a < g.first[u+1]; a++ {
				if v := g.arcs[a].to; g.arcs[a].rcap > 0 && level[v] < 0 {
					level[v] = level[u] + 1
					queue = append(queue, v)
				}
			}
		}
		if level[sink] < 0 {
			return nil
		}
		copy(cur, g.first[:n])
		u := int32(source)
		path = path[:0]
		for {
			if u == sink {
				bott := int32(math.MaxInt32)
				for _, a := range path {
					bott = min(bott, g.arcs[a].rcap)
				}
				cut := -1
				for i, a := range path {
					g.arcs[a].rcap -= bott
					g.arcs[g.rev[a]].rcap += bott
					if g.arcs[a].rcap == 0 && cut < 0 {
						cut = i
					}
				}
				path = path[:cut]
				u = source
				if cut > 0 {
					u = g.arcs[path[cut-1]].to
				}
				continue
			}
			advanced := false
			for ; cur[u] < g.first[u+1]; cur[u]++ {
				a := cur[u]
				if v := g.arcs[a].to; g.arcs[a].rcap > 0 && level[v] == level[u]+1 {
					path = append(path, a)
					u = v
					advanced = true
					break
				}
			}
			if advanced {
				continue
			}
			level[u] = -1 // dead end
			if len(path) == 0 {
				break
			}
			a := path[len(path)-1]
			path = path[:len(path)-1]
			u = g.arcs[g.rev[a]].to
			cur[u]++
		}
	}
}

// priceLimit bounds how low cost scaling may take a price (prices only
// fall, from 0). With |k × cost| ≤ 2^50 every reduced cost and every sum
// the algorithm forms stays within ±2^63: a price about to go lower ends
// the run with errPriceOverflow rather than wrap around. A variable so
// that tests can make it trip.
var priceLimit int64 = 1 << 61

// maxScaledCost bounds k × |cost| (see priceLimit).
const maxScaledCost = 1 << 50

// errPriceOverflow reports that cost scaling would take a price below
// −priceLimit.
var errPriceOverflow = errors.New("cost scaling: prices out of the range of exact arithmetic")

// costScaling turns the current flow into a cheapest flow of the same
// value (a min-cost circulation on the residual network) by Goldberg and
// Tarjan's cost scaling push-relabel, on the costs multiplied by g.k. On
// return the prices in g.pot make every residual arc's reduced cost (in
// those scaled units) at least −1; when g.k exceeds the number of arcs of
// every simple cycle, the flow is then optimal (a negative cycle would cost
// at most −g.k, but at least −1 per arc). It returns errPriceOverflow,
// leaving a pseudo-flow, when prices would leave the range of exact
// arithmetic.
func (g *graph) costScaling(ctx context.Context, alpha int64) error {
	k := g.k
	var eps int64
	for i := range g.arcs {
		c := int64(g.arcs[i].cost)
		eps = max(eps, k*c, -k*c)
	}
	if g.eps0 > 0 {
		eps = min(eps, g.eps0)
	}
	if eps == 0 {
		return nil
	}
	n := g.n
	excess := make([]int64, n)
	cur := make([]int32, n)
	ring := make([]int32, n+1)
	p := g.pot
	work := 0
	upd := updateScratch{dist: make([]int64, n), done: make([]bool, n)}
	updateEvery := int(float64(n) * updateFactor)
	for eps > 1 {
		if debugPhase != nil {
			debugPhase(eps, work)
		}
		eps = max(1, eps/alpha)
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("cost scaling: %w", err)
		}
		// Saturate arcs of negative reduced cost: the pseudo-flow is 0-optimal.
		for u := range n {
			pu := p[u]
			for a := g.first[u]; a < g.first[u+1]; a++ {
				if r := g.arcs[a].rcap; r > 0 && k*int64(g.arcs[a].cost)+pu-p[g.arcs[a].to] < 0 {
					g.arcs[a].rcap = 0
					g.arcs[g.rev[a]].rcap += r
					excess[u] -= int64(r)
					excess[g.arcs[a].to] += int64(r)
				}
			}
		}
		head, tail := 0, 0
		push := func(v int32) {
			ring[tail] = v
			tail++
			if tail == len(ring) {
				tail = 0
			}
		}
		for u := range n {
			if excess[u] > 0 {
				push(u)
			}
		}
		if err := g.priceUpdate(eps, excess, &upd); err != nil {
			return err
		}
		copy(cur, g.first[:n])
		sinceUpdate := 0
		for head != tail {
			u := ring[head]
			head++
			if head == len(ring) {
				head = 0
			}
			// discharge u: push along admissible arcs from the current
			// one; the arcs passed over give the relabel's maximum
			for excess[u] > 0 {
				end := g.first[u+1]
				start := cur[u]
				a := start
				pu := p[u]
				best := int64(math.MinInt64) // max of p[v] − k·cost over residual arcs seen
				for ; a < end; a++ {
					r := g.arcs[a].rcap
					if r == 0 {
						continue
					}
					v := g.arcs[a].to
					q := p[v] - k*int64(g.arcs[a].cost) // the reduced cost is pu − q
					if pu >= q {
						best = max(best, q)
						continue
					}
					d := min(excess[u], int64(r))
					g.arcs[a].rcap -= int32(d)
					g.arcs[g.rev[a]].rcap += int32(d)
					excess[u] -= d
					if excess[v] <= 0 && excess[v]+d > 0 {
						push(v)
					}
					excess[v] += d
					if excess[u] == 0 {
						break
					}
				}
				cur[u] = a
				if excess[u] == 0 {
					break
				}
				// relabel: the highest price that keeps eps-optimality; arcs
				// before start may have become residual since they were passed
				for a := g.first[u]; a < start; a++ {
					if g.arcs[a].rcap > 0 {
						best = max(best, p[g.arcs[a].to]-k*int64(g.arcs[a].cost))
					}
				}
				if best == math.MinInt64 {
					return errors.New("cost scaling: node with excess and no residual arc")
				}
				if best-eps < -priceLimit {
					return errPriceOverflow
				}
				p[u] = best - eps
				cur[u] = g.first[u]
				work++
				if sinceUpdate++; sinceUpdate >= updateEvery {
					if err := g.priceUpdate(eps, excess, &upd); err != nil {
						return err
					}
					copy(cur, g.first[:n])
					sinceUpdate = 0
				}
				if work&0xffff == 0 {
					if err := ctx.Err(); err != nil {
						return fmt.Errorf("cost scaling: %w", err)
					}
				}
			}
		}
	}
	return nil
}

// updateScratch holds the arrays of priceUpdate.
type updateScratch struct {
	dist []int64
	done []bool
	heap distHeap
}

// priceUpdate is the global price update of cost scaling: it lowers every
// price by ε times the node's distance to the nearest node with a
// deficit, where an arc of reduced cost rc counts rc/ε+1 (0 when rc < 0).
// The prices stay ε-optimal and every node with excess gets an admissible
// path to a deficit. The search stops once every node with excess is
// reached; nodes not reached are lowered by the last distance. Distances
// beyond priceLimit/ε are not followed (a node only they reach counts as
// not reached, which keeps ε-optimality since they exceed the last
// distance), and a price that would fall below −priceLimit gives
// errPriceOverflow.
func (g *graph) priceUpdate(eps int64, excess []int64, sc *updateScratch) error {
	n := g.n
	k := g.k
	p := g.pot
	d, done := sc.dist, sc.done
	h := &sc.heap
	h.items = h.items[:0]
	active := 0
	for v := range n {
		d[v] = math.MaxInt64
		done[v] = false
		if excess[v] < 0 {
			d[v] = 0
			h.push(0, v)
		} else if excess[v] > 0 {
			active++
		}
	}
	dmax := priceLimit / eps
	var level int64
	for len(h.items) > 0 && active > 0 {
		dv, v := h.pop()
		if done[v] || dv > d[v] {
			continue
		}
		done[v] = true
		level = dv
		if excess[v] > 0 {
			active--
		}
		pv := p[v]
		for b := g.first[v]; b < g.first[v+1]; b++ {
			// the reverse of b is the arc u→v: its residual capacity is
			// tcap−rcap of b and its cost −cost of b
			if g.arcs[b].tcap == g.arcs[b].rcap {
				continue
			}
			u := g.arcs[b].to
			if done[u] {
				continue
			}
			nd := dv
			if rc := p[u] - pv - k*int64(g.arcs[b].cost); rc >= 0 {
				step := rc/eps + 1
				if step > dmax-dv {
					continue
				}
				nd += step
			}
			if nd < d[u] {
				d[u] = nd
				h.push(nd, u)
			}
		}
	}
	for v := range n {
		if done[v] {
			p[v] -= eps * d[v]
		} else {
			p[v] -= eps * level
		}
		if p[v] < -priceLimit {
			return errPriceOverflow
		}
	}
	return nil
}

// debugPhase, when set by a test, is called at the start of every
// refinement.
var debugPhase func(eps int64, relabels int)

// exactPotentials turns the prices of cost scaling into potentials under
// which every residual arc has reduced cost ≥ 0 in the integer costs:
// shortest distances from a virtual root, by label correction started from
// the prices divided by g.k (which leave reduced costs ≥ −1). When cost
// scaling ran with g.k too small to guarantee optimality, a negative cycle
// may be left: label correction finds it (a cycle in its parent pointers,
// looked for after every n scans), sends flow around it, which lowers the
// total cost and keeps the flow's value, and starts again. It ends with
// exact potentials, which certify the flow as a cheapest maximum flow.
func (g *graph) exactPotentials(ctx context.Context) error {
	n := g.n
	p := g.pot
	for u := range n {
		p[u] = floorDiv(p[u], g.k)
	}
	g.k = 1
	d := make([]int64, n)
	parent := make([]int32, n)
	stamp := make([]int32, n)
	inq := make([]bool, n)
	ring := make([]int32, n+1)
	for {
		head, tail := 0, 0
		for u := range n {
			d[u], parent[u], inq[u] = 0, -1, true
			ring[tail] = u
			tail++
		}
		scans := 0
		cancelled := false
		for head != tail {
			u := ring[head]
			head++
			if head == len(ring) {
				head = 0
			}
			inq[u] = false
			du := d[u] + p[u]
			for a := g.first[u]; a < g.first[u+1]; a++ {
				if g.arcs[a].rcap == 0 {
					continue
				}
				v := g.arcs[a].to
				if nd := du + int64(g.arcs[a].cost) - p[v]; nd < d[v] {
					d[v], parent[v] = nd, a
					if !inq[v] {
						inq[v] = true
						ring[tail] = v
						tail++
						if tail == len(ring) {
							tail = 0
						}
					}
				}
			}
			if scans++; scans%int(n) == 0 {
				if err := ctx.Err(); err != nil {
					return fmt.Errorf("exact potentials: %w", err)
				}
				if c := g.parentCycle(parent, stamp); c >= 0 {
					if err := g.cancelCycle(c, parent); err != nil {
						return err
					}
					cancelled = true
					break
				}
			}
		}
		if !cancelled {
			for u := range n {
				p[u] += d[u]
			}
			return nil
		}
	}
}

// parentCycle returns a node on a cycle of the parent pointers, or -1.
func (g *graph) parentCycle(parent, stamp []int32) int32 {
	for i := range stamp {
		stamp[i] = -1
	}
	for v := range g.n {
		w := v
		for stamp[w] < 0 {
			stamp[w] = v
			a := parent[w]
			if a < 0 {
				break
			}
			w = g.arcs[g.rev[a]].to
		}
		if stamp[w] == v && parent[w] >= 0 {
			return w // the walk came back to a node of its own: a cycle
		}
	}
	return -1
}

// cancelCycle sends as much flow as fits around the cycle of parent
// pointers through c, which must have negative cost.
func (g *graph) cancelCycle(c int32, parent []int32) error {
	var cost int64
	push := int32(math.MaxInt32)
	for x := c; ; {
		a := parent[x]
		cost += int64(g.arcs[a].cost)
		push = min(push, g.arcs[a].rcap)
		if x = g.arcs[g.rev[a]].to; x == c {
			break
		}
	}
	if cost >= 0 || push <= 0 {
		return fmt.Errorf("exact potentials: cycle of parent pointers with cost %d, capacity %d", cost, push)
	}
	for x := c; ; {
		a := parent[x]
		g.arcs[a].rcap -= push
		g.arcs[g.rev[a]].rcap += push
		if x = g.arcs[g.rev[a]].to; x == c {
			break
		}
	}
	return nil
}

// floorDiv is ⌊a/b⌋ for b > 0.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// certify checks the flow and the potentials: capacities, conservation,
// no augmenting path from source to sink (the flow is maximum) and no
// residual arc of negative reduced cost (it is the cheapest maximum flow).
// It returns the flow value.
func (g *graph) certify() (int64, error) {
	n := g.n
	var value int64
	for u := range n {
		var net int64
		for a := g.first[u]; a < g.first[u+1]; a++ {
			r, b := g.arcs[a].rcap, g.rev[a]
			if r < 0 || g.arcs[b].to != u || g.rev[b] != a || r+g.arcs[b].rcap != g.ucap[a]+g.ucap[b] || g.arcs[a].tcap != g.arcs[b].tcap || g.arcs[a].tcap != g.ucap[a]+g.ucap[b] || g.arcs[a].cost != -g.arcs[b].cost {
				return 0, fmt.Errorf("certificate: arc %d of node %d is inconsistent", a, u)
			}
			net += int64(g.ucap[a] - r) // flow out along a (negative on reverse arcs)
			if r > 0 && int64(g.arcs[a].cost)+g.pot[u]-g.pot[g.arcs[a].to] < 0 {
				return 0, fmt.Errorf("certificate: residual arc %d→%d has negative reduced cost %d", u, g.arcs[a].to, int64(g.arcs[a].cost)+g.pot[u]-g.pot[g.arcs[a].to])
			}
		}
		switch u {
		case source:
			value = net
		case sink:
			if net != -value {
				return 0, fmt.Errorf("certificate: source sends %d, sink receives %d", value, -net)
			}
		default:
			if net != 0 {
				return 0, fmt.Errorf("certificate: flow not conserved at node %d (%+d)", u, net)
			}
		}
	}
	seen := make([]bool, n)
	queue := []int32{source}
	seen[source] = true
	for h := 0; h < len(queue); h++ {
		u := queue[h]
		for a := g.first[u]; a < g.first[u+1]; a++ {
			if v := g.arcs[a].to; g.arcs[a].rcap > 0 && !seen[v] {
				if v == sink {
					return 0, errors.New("certificate: an augmenting path is left, the flow is not maximum")
				}
				seen[v] = true
				queue = append(queue, v)
			}
		}
	}
	return value, nil
}

// updateFactor sets how often cost scaling runs a global price update:
// after updateFactor × n relabels.
var updateFactor = 1.0
