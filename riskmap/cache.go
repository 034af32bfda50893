package riskmap

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"kedaitong/identity"
)

// The map served to readers comes from a short-lived cache of computed
// maps keyed by range (the map is the same for every reader who may read
// it: public news, no bank data), so that many readers cost one
// computation. Ingestion invalidates it: every flush of counters bumps a
// generation counter kept in the store ("rm:gen", changed by Incr only),
// which this process learns at once for its own flushes and within
// genCheck for another process's (a `kedaitong crawl` worker). A cached
// map also expires after mapTTL whatever happens (the day rolls over,
// the baseline's first day moves).
const (
	genID    = "rm:gen"
	genCheck = time.Second
	mapTTL   = time.Minute
	maxViews = 64 // ranges cached at once
)

// View is a computed map with its validator: ETag changes whenever the
// counters behind the map may have changed. Its Map is shared between
// readers and must not be changed.
type View struct {
	Map  *Map
	ETag string // a strong validator, quoted

	s     *Service
	at    time.Time
	svgMu sync.Mutex
	svg   map[string][]byte // by language
	json  []byte
}

// JSON is the map encoded as JSON (encoded once per view).
func (v *View) JSON() ([]byte, error) {
	v.svgMu.Lock()
	defer v.svgMu.Unlock()
	if v.json == nil {
		b, err := json.Marshal(v.Map)
		if err != nil {
			return nil, err
		}
		v.json = b
	}
	return v.json, nil
}

// SVG is the heatmap of the view in the language (rendered once per
// language).
func (v *View) SVG(lang string) []byte {
	if lang != "en" {
		lang = "zh-CN"
	}
	v.svgMu.Lock()
	defer v.svgMu.Unlock()
	if b, ok := v.svg[lang]; ok {
		return b
	}
	b := v.s.SVG(v.Map, lang)
	if v.svg == nil {
		v.svg = map[string][]byte{}
	}
	v.svg[lang] = b
	return b
}

// viewCache holds the computed views of the current generation.
type viewCache struct {
	mu      sync.Mutex
	gen     int64     // the store's generation the views were computed at
	checked time.Time // when gen was last read from the store
	views   map[Range]*View
	flight  map[Range]*sync.WaitGroup
}

// View returns the map of r for u from the cache (computing it once for
// concurrent readers when it is missing or stale).
func (s *Service) View(ctx context.Context, u identity.User, r Range) (*View, error) {
	if err := MayRead(u); err != nil {
		return nil, err
	}
	c := &s.views
	for {
		if err := s.checkGen(ctx); err != nil {
			return nil, err
		}
		c.mu.Lock()
		if v := c.views[r]; v != nil && time.Since(v.at) < mapTTL {
			c.mu.Unlock()
			return v, nil
		}
		if wg := c.flight[r]; wg != nil {
			c.mu.Unlock()
			wg.Wait() // another reader computes it
			continue
		}
		if c.flight == nil {
			c.flight = map[Range]*sync.WaitGroup{}
		}
		wg := &sync.WaitGroup{}
		wg.Add(1)
		c.flight[r] = wg
		gen := c.gen
		c.mu.Unlock()

		m, err := s.compute(ctx, r, nil)
		c.mu.Lock()
		delete(c.flight, r)
		wg.Done()
		if err != nil {
			c.mu.Unlock()
			return nil, err
		}
		v := &View{Map: m, ETag: fmt.Sprintf(`"rm-%d-%d-%d"`, gen, r.From, r.To), s: s, at: time.Now()}
		if c.gen == gen { // not invalidated while computing
			if c.views == nil || len(c.views) >= maxViews {
				c.views = map[Range]*View{}
			}
			c.views[r] = v
		}
		c.mu.Unlock()
		return v, nil
	}
}

// checkGen re-reads the store's generation when it was last read more than
// genCheck ago, dropping the views when it moved.
func (s *Service) checkGen(ctx context.Context) error {
	c := &s.views
	c.mu.Lock()
	fresh := time.Since(c.checked) < genCheck
	c.mu.Unlock()
	if fresh {
		return nil
	}
	var doc struct {
		Gen int64 `json:"gen"`
	}
	if _, err := s.days.Get(ctx, genID, &doc); err != nil && !isNotFound(err) {
		return err
	}
	s.setGen(doc.Gen)
	return nil
}

// setGen records the store's generation.
func (s *Service) setGen(gen int64) {
	c := &s.views
	c.mu.Lock()
	defer c.mu.Unlock()
	c.checked = time.Now()
	if gen != c.gen {
		c.gen = gen
		c.views = nil
	}
}

// bumpGen tells every process that counters changed (after a flush).
func (s *Service) bumpGen(ctx context.Context) error {
	doc, err := s.days.Incr(ctx, genID, map[string]any{"day": int64(0)}, map[string]int64{"gen": 1})
	if err != nil {
		return err
	}
	var g struct {
		Gen int64 `json:"gen"`
	}
	if err := doc.Decode(&g); err != nil {
		return err
	}
	s.setGen(g.Gen)
	return nil
}
