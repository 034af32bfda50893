package riskmap

import (
	"context"
	"sync"
	"time"
)

// SpikeWindow is the window (days, ending on the day evaluated) of the
// spike trigger's index; DefaultThreshold its default threshold in
// standard deviations above the cell's baseline.
const (
	SpikeWindow      = 7
	DefaultThreshold = 3.0
	historyTTL       = time.Minute
)

// spikeCache keeps the counters of the days before the evaluated one, so
// evaluating a crawled feed reads only the day's own counter document.
type spikeCache struct {
	mu    sync.Mutex
	day   Day
	at    time.Time
	days  map[Day]dayDoc
	stale bool
}

// Invalidate drops the cached history (a backfill changed past days).
func (s *Service) Invalidate() {
	s.cache.mu.Lock()
	s.cache.stale = true
	s.cache.mu.Unlock()
}

// Spikes returns the confident cells whose index over the SpikeWindow days
// ending on day stands at or above threshold standard deviations, among
// the cells (industry → dimensions) given; nil cells means every cell. A
// store younger than MinBaselineDays has no baseline to judge by and
// reports none.
func (s *Service) Spikes(ctx context.Context, day Day, threshold float64, cells map[string][]string) ([]Cell, error) {
	r := Range{From: day.Add(-(SpikeWindow - 1)), To: day}
	days, err := s.history(ctx, r)
	if err != nil {
		return nil, err
	}
	m, err := s.compute(ctx, r, days)
	if err != nil {
		return nil, err
	}
	var out []Cell
	for _, c := range m.Cells {
		if cells != nil && !contains(cells[c.Industry], c.Dimension) {
			continue
		}
		if !c.LowConfidence && c.BaselineDays >= MinBaselineDays && c.Score >= threshold {
			out = append(out, c)
		}
	}
	return out, nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// history returns the counters for r and its baseline: the days before r.To
// from the cache (re-read when the day changes, a minute passes or a
// backfill invalidated them), the last day fresh from the store.
func (s *Service) history(ctx context.Context, r Range) (map[Day]dayDoc, error) {
	from := r.From.Add(-max(BaselineDays, r.Days()))
	s.cache.mu.Lock()
	defer s.cache.mu.Unlock()
	if s.cache.days == nil || s.cache.stale || s.cache.day != r.To || time.Since(s.cache.at) > historyTTL {
		days, err := s.load(ctx, from, r.To.Add(-1))
		if err != nil {
			return nil, err
		}
		s.cache.days, s.cache.day, s.cache.at, s.cache.stale = days, r.To, time.Now(), false
	}
	out := make(map[Day]dayDoc, len(s.cache.days)+1)
	for d, doc := range s.cache.days {
		out[d] = doc
	}
	var today dayDoc
	if _, err := s.days.Get(ctx, dayID(r.To), &today); err == nil {
		out[r.To] = today
	} else if !isNotFound(err) {
		return nil, err
	}
	return out, nil
}
