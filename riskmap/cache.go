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
// maps keyed by (scope, range), so that many readers cost one computation.
// The scope (scopeOf) names the data a reader's map is made of, so that a
// view computed for one scope is never served to a reader of another; today
// the map is built from public news counters alone, the same for every
// reader who may read it (analysts, banks, officials, administrators: scope
// "public"). What depends on the reader — a bank's exposure, the enterprises
// it may see named in news — is not in the map and never cached here. Ingestion invalidates it: every flush of counters bumps a
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
	Map   *Map
	Scope string // the data it is made of (ScopePublic)
	ETag  string // a strong validator, quoted, naming the scope

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
	views   map[viewKey]*View
	flight  map[viewKey]*sync.WaitGroup
}

// viewKey is what a cached view is computed for.
type viewKey struct {
	scope string
	r     Range
}

// ScopePublic is the scope of the map built from public news alone.
const ScopePublic = "public"

// scopeOf names the scope of the map u reads (u may read the map). Every
// role that reads the map reads the public one; a map with data of a bank
// or region must get its own scope here (e.g. "bank:"+u.BankID).
func scopeOf(u identity.User) string {
	_ = u
	return ScopePublic
}

// View returns the map of r for u from the cache (computing it once for
// concurrent readers when it is missing or stale).
func (s *Service) View(ctx context.Context, u identity.User, r Range) (*View, error) {
	if err := MayRead(u); err != nil {
		return nil, err
	}
	c := &s.views
	k := viewKey{scope: scopeOf(u), r: r}
	for {
		if err := s.checkGen(ctx); err != nil {
			return nil, err
		}
		c.mu.Lock()
		if v := c.views[k]; v != nil && time.Since(v.at) < mapTTL {
			c.mu.Unlock()
			return v, nil
		}
		if wg := c.flight[k]; wg != nil {
			c.mu.Unlock()
			wg.Wait() // another reader computes it
			continue
		}
		if c.flight == nil {
			c.flight = map[viewKey]*sync.WaitGroup{}
		}
		wg := &sync.WaitGroup{}
		wg.Add(1)
		c.flight[k] = wg
		gen := c.gen
		c.mu.Unlock()

		m, err := s.compute(ctx, r, nil)
		c.mu.Lock()
		delete(c.flight, k)
		wg.Done()
		if err != nil {
			c.mu.Unlock()
			return nil, err
		}
		v := &View{Map: m, Scope: k.scope, ETag: fmt.Sprintf(`"rm-%s-%d-%d-%d"`, k.scope, gen, r.From, r.To), s: s, at: time.Now()}
		if c.gen == gen { // not invalidated while computing
			if c.views == nil || len(c.views) >= maxViews {
				c.views = map[viewKey]*View{}
			}
			c.views[k] = v
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
