package riskmap

import (
	"context"

	"kedaitong/intel"
)

// Recount moves a corrected item's counts from the cells of its old labels
// to those of its new ones, at once (intel.Corrections.OnCorrected). The
// change is one atomic increment per day touched; the spike trigger's
// cached history is invalidated.
func (s *Service) Recount(ctx context.Context, before, after intel.Item) error {
	deltas := map[Day]map[string]int64{}
	add := func(it intel.Item, sign int64) {
		for d, m := range Deltas([]intel.Item{it}) {
			if deltas[d] == nil {
				deltas[d] = map[string]int64{}
			}
			for f, n := range m {
				deltas[d][f] += sign * n
			}
		}
	}
	add(before, -1)
	add(after, +1)
	var first error
	for d, m := range deltas {
		for f, n := range m {
			if n == 0 {
				delete(m, f)
			}
		}
		if len(m) == 0 {
			continue
		}
		if err := s.Add(ctx, d, m); err != nil && first == nil {
			first = err
		}
	}
	s.Invalidate()
	return first
}
