package riskmap

import (
	"context"
	"strings"

	"kedaitong"
)

// Counting ingest batches exactly once. The crawler stores a batch of items
// under an ingest journal (intel/ingest.go) and then tells CountBatch its
// id; after a crash the batch is told again. Each day's document records,
// beside its counters and in the same version-guarded write, the ids of
// the batches counted into it (integer fields j__<id> = 1): a batch already
// marked adds nothing. A mark is dropped at a later write of the day once
// its journal is settled (deleted), since a settled batch is never told
// again.

// markPrefix starts the field that marks a batch as counted into a day.
const markPrefix = "j__"

// dayPending is what a group of CountBatch calls adds to one day.
type dayPending struct {
	plain   map[string]int64            // deltas of calls without a batch id
	batches map[string]map[string]int64 // batch id → its deltas
}

func (p *dayPending) add(batch string, deltas map[string]int64) {
	var m map[string]int64
	if batch == "" {
		if p.plain == nil {
			p.plain = map[string]int64{}
		}
		m = p.plain
	} else {
		if p.batches == nil {
			p.batches = map[string]map[string]int64{}
		}
		if m = p.batches[batch]; m == nil {
			m = map[string]int64{}
			p.batches[batch] = m
		}
	}
	for f, n := range deltas {
		m[f] += n
	}
}

// applyDay adds a group's deltas to a day's document with one
// version-guarded write (read again and retried when another writer came
// first), skipping batches already counted into it.
func (s *Service) applyDay(ctx context.Context, d Day, p *dayPending) error {
	id := dayID(d)
	var err error
	for attempt := 0; attempt < 64; attempt++ {
		var doc dayDoc
		var v int64
		v, err = s.days.Get(ctx, id, &doc)
		missing := isNotFound(err)
		if err != nil && !missing {
			return err
		}
		if doc == nil {
			doc = dayDoc{}
		}
		doc["day"] = int64(d)
		changed := false
		add := func(m map[string]int64) {
			for f, n := range m {
				if n != 0 {
					doc[f] += n
					changed = true
				}
			}
		}
		add(p.plain)
		for b, m := range p.batches {
			if doc[markPrefix+b] != 0 {
				continue // counted already (a repaired batch)
			}
			add(m)
			doc[markPrefix+b] = 1
			changed = true
		}
		// Forget the marks of batches that are settled.
		var marks []string
		for f := range doc {
			if b, ok := strings.CutPrefix(f, markPrefix); ok {
				if _, ours := p.batches[b]; !ours {
					marks = append(marks, b)
				}
			}
		}
		if len(marks) > 0 && s.intel != nil {
			live, lerr := s.intel.LiveJournals(ctx, marks)
			if lerr != nil {
				return lerr
			}
			for _, b := range marks {
				if !live[b] {
					delete(doc, markPrefix+b)
					changed = true
				}
			}
		}
		if !changed {
			return nil
		}
		if missing {
			err = s.days.Insert(ctx, id, doc)
		} else {
			_, err = s.days.Replace(ctx, id, v, doc)
		}
		if err == nil {
			s.counted(d)
			return nil
		}
		if !kedaitong.Is(err, kedaitong.EConflict) {
			return err
		}
	}
	return err
}

// counted updates what this process caches after a day's counters changed.
func (s *Service) counted(d Day) {
	s.views.mu.Lock()
	s.views.views = nil // this process's readers see it at once (others: the flush's generation)
	s.views.mu.Unlock()
	s.firstMu.Lock()
	if s.firstDay == 0 || int(d) < s.firstDay {
		s.firstDay = 0 // read again: another process may know an earlier one
	}
	s.firstMu.Unlock()
}
