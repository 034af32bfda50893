package match

import (
	"context"
	"fmt"
	"math"
	"slices"

	"kedaitong"
)

// problem is an instance in index form: experts, applications and the
// eligible pairs sorted by application, then expert input order.
type problem struct {
	in      *Instance
	ix      *indexed
	expTier []int8  // tier of each expert
	seats   []int32 // seats of application i, tier k at i*3+k
	// eligible pairs, sorted by (application, expert)
	pApp, pExp []int32
	pW         []int64   // integer weight round(score × ScoreScale)
	pScore     []float64 // original score
	maxW       int64
	// per application i, tier k (index i*3+k): experts of the tier that the
	// affinity accepts, and how many of those are conflicted.
	eligible, conflicted []int32
	appIndex, expIndex   map[string]int32
}

// newProblem turns a validated instance into index form, computing the
// eligible pairs from the affinity list or from f.
func newProblem(ctx context.Context, ix *indexed, f AffinityFunc) (*problem, error) {
	in := ix.in
	nE, nA := len(in.Experts), len(in.Applications)
	p := &problem{
		in:         in,
		ix:         ix,
		expTier:    make([]int8, nE),
		seats:      make([]int32, nA*3),
		eligible:   make([]int32, nA*3),
		conflicted: make([]int32, nA*3),
		appIndex:   ix.appIndex,
		expIndex:   ix.expIndex,
	}
	if ix.list {
		n := len(ix.pApp)
		p.pApp, p.pExp, p.pW, p.pScore = make([]int32, 0, n), make([]int32, 0, n), make([]int64, 0, n), make([]float64, 0, n)
	}
	orgs := map[string]int32{}
	affil := make([][]int32, nE)
	for i, e := range in.Experts {
		p.expTier[i] = int8(tierIndex(e.Tier))
		for _, o := range e.Affiliations {
			id, ok := orgs[o]
			if !ok {
				id = int32(len(orgs))
				orgs[o] = id
			}
			affil[i] = append(affil[i], id)
		}
	}
	parties := make([][]int32, nA)
	for i, a := range in.Applications {
		for k, t := range Tiers {
			p.seats[i*3+k] = int32(a.Panel[t])
		}
		for _, o := range a.Parties {
			if id, ok := orgs[o]; ok {
				parties[i] = append(parties[i], id)
			}
		}
	}
	conflict := func(e, a int32) bool {
		for _, x := range affil[e] {
			if slices.Contains(parties[a], x) {
				return true
			}
		}
		return false
	}
	// add records a pair whose tier has seats; conflicted pairs are counted
	// and dropped.
	add := func(a, e int32, score float64) {
		k := int(a)*3 + int(p.expTier[e])
		p.eligible[k]++
		if conflict(e, a) {
			p.conflicted[k]++
			return
		}
		w := int64(math.Round(score * ScoreScale))
		p.pApp = append(p.pApp, a)
		p.pExp = append(p.pExp, e)
		p.pW = append(p.pW, w)
		p.pScore = append(p.pScore, score)
		p.maxW = max(p.maxW, w)
	}

	if ix.list {
		if err := p.sortedAffinity(ctx, add); err != nil {
			return nil, err
		}
		return p, nil
	}
	if f == nil {
		f = DefaultAffinity
	}
	byTier := [3][]int32{}
	for i := range in.Experts {
		byTier[p.expTier[i]] = append(byTier[p.expTier[i]], int32(i))
	}
	evals := 0
	for i := range nA {
		for k := range 3 {
			if p.seats[i*3+k] > 0 {
				evals += len(byTier[k])
			}
		}
	}
	if evals > MaxFieldEvaluations {
		return nil, kedaitong.Invalid("affinity", "absent, and %d expert-application pairs are too many to score (at most %d): pass an affinity list", evals, MaxFieldEvaluations).ZHf("未提供匹配分列表，而需要计算的专家—申请组合有 %d 个，超过上限 %d：请提供匹配分列表", evals, MaxFieldEvaluations)
	}
	for i := range nA {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("scoring pairs: %w", err)
			}
		}
		app := in.Applications[i]
		// experts in input order: merge the tiers back by index
		var cand []int32
		for k := range 3 {
			if p.seats[i*3+k] > 0 {
				cand = append(cand, byTier[k]...)
			}
		}
		slices.Sort(cand)
		for _, e := range cand {
			s, ok := f(in.Experts[e], app)
			if !ok {
				continue
			}
			if math.IsNaN(s) || math.IsInf(s, 0) || s < 0 || s > MaxScore {
				return nil, kedaitong.Errorf(kedaitong.EInternal, "affinity function gave score %v for expert %q, application %q", s, in.Experts[e].ID, app.ID)
			}
			add(int32(i), e, s)
			if len(p.pApp) > MaxPairs {
				return nil, kedaitong.Invalid("affinity", "absent, and more than %d pairs are eligible: pass an affinity list", MaxPairs).ZHf("未提供匹配分列表，而符合条件的组合超过 %d 个：请提供匹配分列表", MaxPairs)
			}
		}
	}
	return p, nil
}

// sortedAffinity feeds the affinity list to add in (application, expert)
// order and rejects duplicate pairs.
func (p *problem) sortedAffinity(ctx context.Context, add func(a, e int32, score float64)) error {
	ix := p.ix
	nA := len(p.in.Applications)
	aOf, eOf := ix.pApp, ix.pExp
	start := make([]int32, nA+1)
	for _, a := range aOf {
		start[a+1]++
	}
	for i := range nA {
		start[i+1] += start[i]
	}
	// Two stable counting sorts, by expert and then by application, leave
	// each application's entries in expert order, a repeated pair's entries
	// next to each other in input order.
	nE := len(p.in.Experts)
	byExp := make([]int32, len(eOf))
	{
		pos := make([]int32, nE+1)
		for _, e := range eOf {
			pos[e+1]++
		}
		for e := range nE {
			pos[e+1] += pos[e]
		}
		for j, e := range eOf {
			byExp[pos[e]] = int32(j)
			pos[e]++
		}
	}
	order := make([]int32, len(aOf)) // affinity entries bucketed by application
	pos := slices.Clone(start[:nA])
	for _, j := range byExp {
		a := aOf[j]
		order[pos[a]] = j
		pos[a]++
	}
	for i := range nA {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("sorting pairs: %w", err)
			}
		}
		b := order[start[i]:start[i+1]]
		for k, j := range b {
			e := eOf[j]
			if k > 0 && eOf[b[k-1]] == e {
				exp, app := p.in.Experts[e].ID, p.in.Applications[i].ID
				return kedaitong.Invalid(fmt.Sprintf("affinity[%d]", j), "duplicate pair (expert %q, application %q), also affinity[%d]", exp, app, b[k-1]).ZHf("组合（评审专家 %q，贷款申请 %q）重复，与 affinity[%d] 相同", exp, app, b[k-1])
			}
			if p.seats[i*3+int(p.expTier[e])] == 0 {
				continue // no seat of the expert's tier on this panel
			}
			add(int32(i), e, ix.pScore[j])
		}
	}
	return nil
}
