package intel

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"sync"
	"time"

	"kedaitong"
	"kedaitong/intel/classify"
	"kedaitong/internal/store"
)

// Re-linking. SetEnterprises changes the enterprises new items are linked
// to; items stored before an enterprise became known are linked to it by a
// background pass (Relink): the items published in the last RelinkWindow
// are read newest first in pages, their title and summary matched against
// the names of the enterprises that are new (or renamed) since the last
// pass only, and the links added (the item's enterprises and its
// "e:<credit code>" term, so the enterprise filter finds it). The
// enterprises a finished pass covered are remembered in the store (one
// document of intel_buckets, id relinkStateID, name fingerprints by
// enterprise), so a restart does not repeat the work; a pass interrupted
// half-way is repeated (adding a link twice changes nothing).

// RelinkWindow is how far back a re-linking pass reads.
const RelinkWindow = 90 * 24 * time.Hour

const (
	relinkStateID = "relink:known"
	relinkPage    = 500
)

// relinkState is the stored fingerprints of the enterprises linked already.
type relinkState struct {
	Known map[string]string `json:"known"` // enterprise id → fingerprint of its names
}

// relinker holds the pending work.
type relinker struct {
	mu      sync.Mutex
	pending map[string]classify.Enterprise
	wake    chan struct{}
	running sync.Mutex // one pass at a time in this process

	hooksMu sync.Mutex
	hooks   []ItemsHook
}

// fingerprint identifies an enterprise's names.
func fingerprint(e classify.Enterprise) string {
	h := sha256.Sum256([]byte(e.Name + "\x00" + strings.Join(e.ShortNames, "\x00")))
	return hex.EncodeToString(h[:8])
}

// OnLinked subscribes h to stored items that a re-linking pass linked to
// enterprises; each item carries its enterprises after the pass, and
// NewEnterprises says which of them are new. (The alerts use it: a risk
// story naming an enterprise that was not known when it was stored.)
func (s *Service) OnLinked(h ItemsHook) {
	s.rl.hooksMu.Lock()
	defer s.rl.hooksMu.Unlock()
	s.rl.hooks = append(s.rl.hooks, h)
}

// queueRelink notes the enterprises of list whose names changed since the
// last pass and wakes the re-linker.
func (s *Service) queueRelink(list []classify.Enterprise) {
	s.rl.mu.Lock()
	if s.rl.pending == nil {
		s.rl.pending = map[string]classify.Enterprise{}
	}
	for _, e := range list {
		if e.ID != "" {
			s.rl.pending[e.ID] = e // compared with the known ones at pass time
		}
	}
	s.rl.mu.Unlock()
	select {
	case s.rl.wake <- struct{}{}:
	default:
	}
}

// RelinkResult is what a pass did.
type RelinkResult struct {
	Enterprises int `json:"enterprises"` // new or renamed enterprises matched
	Scanned     int `json:"scanned"`     // items read
	Linked      int `json:"linked"`      // items that gained a link
}

// Relink runs one re-linking pass for the enterprises that became known
// since the last one (none: it returns at once).
func (s *Service) Relink(ctx context.Context) (RelinkResult, error) {
	s.rl.running.Lock()
	defer s.rl.running.Unlock()
	var res RelinkResult
	known, ver, err := s.loadKnown(ctx)
	if err != nil {
		return res, err
	}
	s.rl.mu.Lock()
	var todo []classify.Enterprise
	for id, e := range s.rl.pending {
		if known[id] != fingerprint(e) {
			todo = append(todo, e)
		}
	}
	s.rl.pending = nil
	s.rl.mu.Unlock()
	if len(todo) == 0 {
		return res, nil
	}
	slices.SortFunc(todo, func(a, b classify.Enterprise) int { return strings.Compare(a.ID, b.ID) })
	res.Enterprises = len(todo)
	requeue := func() {
		s.rl.mu.Lock()
		if s.rl.pending == nil {
			s.rl.pending = map[string]classify.Enterprise{}
		}
		for _, e := range todo {
			if _, newer := s.rl.pending[e.ID]; !newer {
				s.rl.pending[e.ID] = e
			}
		}
		s.rl.mu.Unlock()
	}
	base, err := s.base()
	if err != nil {
		requeue()
		return res, err
	}
	cls := base.WithEnterprises(todo)
	q := store.Query{Range: &store.Range{Field: "published_ms", Gte: s.now().Add(-RelinkWindow).UnixMilli()}, Sort: "published_ms", Desc: true, Limit: relinkPage}
	for {
		p, err := s.items.Find(ctx, q)
		if err != nil {
			requeue()
			return res, err
		}
		var linked []Item
		for _, doc := range p.Docs {
			res.Scanned++
			var it itemDoc
			if err := doc.Decode(&it); err != nil {
				continue
			}
			l := cls.Classify(it.Title, it.Summary)
			var add []string
			for _, id := range l.Enterprises {
				if !slices.Contains(it.Enterprises, id) {
					add = append(add, id)
				}
			}
			if len(add) == 0 {
				continue
			}
			got, err := s.addLinks(ctx, doc.ID, doc.Version, &it, add)
			if err != nil {
				requeue()
				return res, err
			}
			if got != nil {
				linked = append(linked, got.normal())
			}
		}
		res.Linked += len(linked)
		if len(linked) > 0 {
			s.rl.hooksMu.Lock()
			hs := slices.Clone(s.rl.hooks)
			s.rl.hooksMu.Unlock()
			for _, h := range hs {
				h(ctx, linked)
			}
		}
		if p.Next == "" {
			break
		}
		q.After = p.Next
	}
	for _, e := range todo {
		known[e.ID] = fingerprint(e)
	}
	if err := s.saveKnown(ctx, known, ver); err != nil {
		// Another process finished a pass meanwhile: merge on the next one.
		if !kedaitong.Is(err, kedaitong.EConflict) {
			return res, err
		}
	}
	if res.Linked > 0 {
		s.log.Info("intel: re-linked stored items to new enterprises", "enterprises", res.Enterprises, "scanned", res.Scanned, "linked", res.Linked)
	}
	return res, nil
}

// addLinks adds enterprise links to a stored item: the term documents
// first (the filter's index; a term without its link is skipped by the
// reader), then the item, version-guarded (re-read on a race). It returns
// the item as stored now, or nil when nothing was left to add.
func (s *Service) addLinks(ctx context.Context, id string, v int64, it *itemDoc, add []string) (*Item, error) {
	terms := make([]store.NewDoc, 0, len(add))
	for _, e := range add {
		terms = append(terms, store.NewDoc{ID: "e:" + e + "|" + id, Doc: termDoc{Term: "e:" + e, TS: it.PublishedMS, Item: id}})
	}
	if err := s.insertAll(ctx, s.terms, terms, nil); err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		changed := false
		for _, e := range add {
			if !slices.Contains(it.Enterprises, e) {
				it.Enterprises = append(it.Enterprises, e)
				changed = true
			}
		}
		if !changed {
			return nil, nil
		}
		_, err := s.items.Replace(ctx, id, v, it)
		if err == nil {
			out := it.Item
			return &out, nil
		}
		if !kedaitong.Is(err, kedaitong.EConflict) || attempt >= 5 {
			return nil, err
		}
		*it = itemDoc{}
		if v, err = s.items.Get(ctx, id, it); err != nil {
			return nil, err
		}
	}
}

func (s *Service) loadKnown(ctx context.Context) (map[string]string, int64, error) {
	var st relinkState
	v, err := s.buckets.Get(ctx, relinkStateID, &st)
	if err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
		return nil, 0, err
	}
	if st.Known == nil {
		st.Known = map[string]string{}
	}
	return st.Known, v, nil
}

func (s *Service) saveKnown(ctx context.Context, known map[string]string, v int64) error {
	if v == 0 {
		return s.buckets.Insert(ctx, relinkStateID, relinkState{Known: known})
	}
	_, err := s.buckets.Replace(ctx, relinkStateID, v, relinkState{Known: known})
	return err
}

// RunRelink re-links stored items until ctx ends: at once when
// SetEnterprises learns of new enterprises, and every minute for work a
// failed pass left.
func (s *Service) RunRelink(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.rl.wake:
		case <-t.C:
		}
		if _, err := s.Relink(ctx); err != nil && ctx.Err() == nil {
			s.log.Warn("intel: re-link stored items", "err", err)
		}
	}
}
