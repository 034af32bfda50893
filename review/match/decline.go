package match

import (
	"errors"
	"fmt"
	"math"

	"kedaitong"
)

// Decline records that expert declined to sit on application's panel: the
// pair is forbidden for the life of the Solver and the seat is refilled
// optimally by one shortest-path augmentation in the residual network from
// the current potentials. The returned result is optimal for the instance
// with every declined pair removed, and certified like Solve's.
//
// The repair: the declined unit of flow is taken off its arc, leaving one
// unit of excess at the seat node σ and one of deficit at the expert e.
// A shortest σ→e path (Dijkstra on reduced costs, all ≥ 0) moves the
// excess: through other experts and seats when the number of filled seats
// can be kept, otherwise back to the source and, by a virtual source→sink
// arc used only when no other path exists, from the sink to e (one seat
// fewer). Updating the potentials by the distances keeps every residual
// reduced cost ≥ 0, so the new flow is again certified optimal.
func (s *Solver) Decline(application, expert string) (*Result, error) {
	p := s.p
	ai, ok := p.appIndex[application]
	if !ok {
		return nil, kedaitong.Errorf(kedaitong.ENotFound, "no application %q", application).ZHf("没有贷款申请 %q", application)
	}
	ei, ok := p.expIndex[expert]
	if !ok {
		return nil, kedaitong.Errorf(kedaitong.ENotFound, "no expert %q", expert).ZHf("没有评审专家 %q", expert)
	}
	g := s.g
	t := int(p.expTier[ei])
	sn := s.seatNode[int(ai)*3+t]
	arc := int32(-1)
	if sn >= 0 {
		for a := g.first[sn]; a < g.first[sn+1]; a++ {
			if g.arcs[a].to == 2+ei && g.ucap[a] == 1 {
				arc = a
				break
			}
		}
	}
	if arc < 0 || g.arcs[arc].rcap != 0 {
		return nil, kedaitong.Invalid("expert", "expert %q is not on the panel of application %q", expert, application).ZHf("评审专家 %q 不在贷款申请 %q 的评审组中", expert, application)
	}
	// Take the unit off and forbid the pair for good.
	g.ucap[arc], g.arcs[arc].rcap, g.arcs[g.rev[arc]].rcap = 0, 0, 0
	g.arcs[arc].tcap, g.arcs[g.rev[arc]].tcap = 0, 0
	s.declined[[2]int32{ai, ei}] = true
	s.declCnt[int(ai)*3+t]++

	if err := s.repair(sn, 2+ei); err != nil {
		return nil, kedaitong.Wrap(kedaitong.EInternal, err, "repairing the declined seat failed")
	}
	return s.result()
}

// repair sends one unit from from to target along a shortest residual path
// and updates the potentials.
func (s *Solver) repair(from, target int32) error {
	g := s.g
	n := g.n
	if s.dist == nil {
		s.dist = make([]int64, n)
		s.parent = make([]int32, n)
		s.done = make([]bool, n)
		for i := range s.dist {
			s.dist[i] = math.MaxInt64
		}
	}
	dist, parent, done := s.dist, s.parent, s.done
	var touched []int32
	defer func() {
		for _, v := range touched {
			dist[v] = math.MaxInt64
			done[v] = false
		}
	}()
	h := &s.heap
	h.items = h.items[:0]
	dist[from], parent[from] = 0, -1
	touched = append(touched, from)
	h.push(0, from)
	var maxSettled int64
	virtual := false
	for {
		if len(h.items) == 0 {
			if virtual || !done[source] {
				return errors.New("no path for the declined unit")
			}
			// No path keeps the seat count: give the unit back to the source
			// and take it from the sink (virtual arc source→sink).
			virtual = true
			dist[sink], parent[sink] = maxSettled, -2
			touched = append(touched, sink)
			h.push(maxSettled, sink)
			continue
		}
		d, u := h.pop()
		if done[u] || d > dist[u] {
			continue
		}
		done[u] = true
		maxSettled = max(maxSettled, d)
		if u == target {
			break
		}
		pu := g.pot[u]
		for a := g.first[u]; a < g.first[u+1]; a++ {
			if g.arcs[a].rcap == 0 {
				continue
			}
			v := g.arcs[a].to
			if done[v] {
				continue
			}
			rc := int64(g.arcs[a].cost) + pu - g.pot[v]
			if rc < 0 {
				return fmt.Errorf("residual arc %d→%d has negative reduced cost %d", u, v, rc)
			}
			if nd := d + rc; nd < dist[v] {
				if dist[v] == math.MaxInt64 {
					touched = append(touched, v)
				}
				dist[v], parent[v] = nd, a
				h.push(nd, v)
			}
		}
	}
	// augment
	for v := target; v != from; {
		a := parent[v]
		if a == -2 { // virtual arc from the source
			v = source
			continue
		}
		g.arcs[a].rcap--
		g.arcs[g.rev[a]].rcap++
		v = g.arcs[g.rev[a]].to
	}
	// potentials: π ← π + min(d, D) − D
	dt := dist[target]
	for _, v := range touched {
		if done[v] && dist[v] < dt {
			g.pot[v] += dist[v] - dt
		}
	}
	return nil
}

// distHeap is a binary min-heap of (distance, node).
type distHeap struct {
	items []heapItem
}

type heapItem struct {
	d int64
	v int32
}

func (h *distHeap) push(d int64, v int32) {
	h.items = append(h.items, heapItem{d, v})
	i := len(h.items) - 1
	for i > 0 {
		p := (i - 1) / 2
		if h.items[p].d <= h.items[i].d {
			break
		}
		h.items[p], h.items[i] = h.items[i], h.items[p]
		i = p
	}
}

func (h *distHeap) pop() (int64, int32) {
	top := h.items[0]
	last := len(h.items) - 1
	h.items[0] = h.items[last]
	h.items = h.items[:last]
	i := 0
	for {
		l := 2*i + 1
		if l >= last {
			break
		}
		if r := l + 1; r < last && h.items[r].d < h.items[l].d {
			l = r
		}
		if h.items[i].d <= h.items[l].d {
			break
		}
		h.items[i], h.items[l] = h.items[l], h.items[i]
		i = l
	}
	return top.d, top.v
}
