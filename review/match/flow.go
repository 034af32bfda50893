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
// rev of the other. Costs are scaled: cost = K × (integer cost).
type graph struct {
	n     int32
	first []int32 // arcs of node u are first[u] .. first[u+1]-1
	to    []int32
	rev   []int32
	rcap  []int32 // residual capacity
	ucap  []int32 // capacity when the flow is zero
	tcap  []int32 // rcap of an arc plus rcap of its reverse (constant)
	cost  []int64 // scaled cost
	pot   []int64 // node potentials (scaled units)
	k     int64   // cost scale: n+1
}

// edgeBuilder fills a graph whose degrees are known.
type edgeBuilder struct {
	g   *graph
	pos []int32
}

func newGraph(n int32, deg []int32) *edgeBuilder {
	g := &graph{n: n, first: make([]int32, n+1), k: int64(n) + 1}
	for u := range n {
		g.first[u+1] = g.first[u] + deg[u]
	}
	m := g.first[n]
	g.to = make([]int32, m)
	g.rev = make([]int32, m)
	g.rcap = make([]int32, m)
	g.ucap = make([]int32, m)
	g.tcap = make([]int32, m)
	g.cost = make([]int64, m)
	g.pot = make([]int64, n)
	pos := make([]int32, n)
	copy(pos, g.first[:n])
	return &edgeBuilder{g: g, pos: pos}
}

// add adds the edge u→v and returns its forward arc.
func (b *edgeBuilder) add(u, v, capacity int32, cost int64) int32 {
	g := b.g
	a, r := b.pos[u], b.pos[v]
	b.pos[u]++
	b.pos[v]++
	g.to[a], g.to[r] = v, u
	g.rev[a], g.rev[r] = r, a
	g.rcap[a], g.ucap[a] = capacity, capacity
	g.tcap[a], g.tcap[r] = capacity, capacity
	g.cost[a], g.cost[r] = cost, -cost
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
				if v := g.to[a]; g.rcap[a] > 0 && level[v] < 0 {
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
					bott = min(bott, g.rcap[a])
				}
				cut := -1
				for i, a := range path {
					g.rcap[a] -= bott
					g.rcap[g.rev[a]] += bott
					if g.rcap[a] == 0 && cut < 0 {
						cut = i
					}
				}
				path = path[:cut]
				u = source
				if cut > 0 {
					u = g.to[path[cut-1]]
				}
				continue
			}
			advanced := false
			for ; cur[u] < g.first[u+1]; cur[u]++ {
				a := cur[u]
				if v := g.to[a]; g.rcap[a] > 0 && level[v] == level[u]+1 {
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
			u = g.to[g.rev[a]]
			cur[u]++
		}
	}
}

// costScaling turns the current flow into a cheapest flow of the same
// value (a min-cost circulation on the residual network) by Goldberg and
// Tarjan's cost scaling push-relabel. On return the prices in g.pot make
// every residual arc's reduced cost at least −1, which with costs scaled
// by n+1 means the flow is optimal.
func (g *graph) costScaling(ctx context.Context, alpha int64) error {
	var eps int64
	for _, c := range g.cost {
		eps = max(eps, c, -c)
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
				if r := g.rcap[a]; r > 0 && g.cost[a]+pu-p[g.to[a]] < 0 {
					g.rcap[a] = 0
					g.rcap[g.rev[a]] += r
					excess[u] -= int64(r)
					excess[g.to[a]] += int64(r)
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
		g.priceUpdate(eps, excess, &upd)
		copy(cur, g.first[:n])
		sinceUpdate := 0
		for head != tail {
			u := ring[head]
			head++
			if head == len(ring) {
				head = 0
			}
			// discharge u
			for excess[u] > 0 {
				end := g.first[u+1]
				a := cur[u]
				for ; a < end; a++ {
					r := g.rcap[a]
					if r == 0 {
						continue
					}
					v := g.to[a]
					if g.cost[a]+p[u]-p[v] >= 0 {
						continue
					}
					d := min(excess[u], int64(r))
					g.rcap[a] -= int32(d)
					g.rcap[g.rev[a]] += int32(d)
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
				// relabel: the highest price that keeps eps-optimality
				best := int64(math.MinInt64)
				for a := g.first[u]; a < end; a++ {
					if g.rcap[a] > 0 {
						best = max(best, p[g.to[a]]-g.cost[a])
					}
				}
				if best == math.MinInt64 {
					return errors.New("cost scaling: node with excess and no residual arc")
				}
				p[u] = best - eps
				cur[u] = g.first[u]
				work++
				if sinceUpdate++; sinceUpdate >= updateEvery {
					g.priceUpdate(eps, excess, &upd)
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
// reached; nodes not reached are lowered by the last distance.
func (g *graph) priceUpdate(eps int64, excess []int64, sc *updateScratch) {
	n := g.n
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
			if g.tcap[b] == g.rcap[b] {
				continue
			}
			u := g.to[b]
			if done[u] {
				continue
			}
			nd := dv
			if rc := p[u] - pv - g.cost[b]; rc >= 0 {
				nd += rc/eps + 1
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
	}
}

// debugPhase, when set by a test, is called at the start of every
// refinement.
var debugPhase func(eps int64, relabels int)

// exactPotentials replaces the prices (which leave reduced costs ≥ −1)
// with potentials under which every residual arc has reduced cost ≥ 0:
// shortest distances from a virtual root, by label correction started
// from the prices.
func (g *graph) exactPotentials(ctx context.Context) error {
	n := g.n
	d := make([]int64, n)
	inq := make([]bool, n)
	ring := make([]int32, n+1)
	head, tail := 0, 0
	for u := range n {
		ring[tail] = u
		tail++
		inq[u] = true
	}
	p := g.pot
	budget := int64(g.first[n])*64 + 1<<20
	for head != tail {
		u := ring[head]
		head++
		if head == len(ring) {
			head = 0
		}
		inq[u] = false
		du := d[u] + p[u]
		for a := g.first[u]; a < g.first[u+1]; a++ {
			if g.rcap[a] == 0 {
				continue
			}
			v := g.to[a]
			if nd := du + g.cost[a] - p[v]; nd < d[v] {
				d[v] = nd
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
		budget -= int64(g.first[u+1] - g.first[u])
		if budget < 0 {
			return errors.New("exact potentials: label correction does not converge (negative cycle?)")
		}
		if budget&0xfffff == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("exact potentials: %w", err)
			}
		}
	}
	for u := range n {
		p[u] += d[u]
	}
	return nil
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
			r, b := g.rcap[a], g.rev[a]
			if r < 0 || g.to[b] != u || g.rev[b] != a || r+g.rcap[b] != g.ucap[a]+g.ucap[b] || g.tcap[a] != g.tcap[b] || g.tcap[a] != g.ucap[a]+g.ucap[b] || g.cost[a] != -g.cost[b] {
				return 0, fmt.Errorf("certificate: arc %d of node %d is inconsistent", a, u)
			}
			net += int64(g.ucap[a] - r) // flow out along a (negative on reverse arcs)
			if r > 0 && g.cost[a]+g.pot[u]-g.pot[g.to[a]] < 0 {
				return 0, fmt.Errorf("certificate: residual arc %d→%d has negative reduced cost %d", u, g.to[a], g.cost[a]+g.pot[u]-g.pot[g.to[a]])
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
			if v := g.to[a]; g.rcap[a] > 0 && !seen[v] {
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
