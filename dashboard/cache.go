package dashboard

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"kedaitong/identity"
)

// CacheTTL bounds how long a computed view is served: writes in this
// process invalidate it at once (every counted event bumps a generation);
// writes by another server on the same store show after at most this long.
var CacheTTL = 2 * time.Second

type cacheKey struct {
	scope, parent string
	r             Range
}

type cached struct {
	sn   Snapshot
	gen  uint64
	at   time.Time
	done chan struct{} // closed once sn is filled (readers arriving meanwhile wait)
	err  error
}

// Snapshot is a computed view with its JSON and an entity tag, shared by
// every reader of the same region and range until a write.
type Snapshot struct {
	View View
	JSON []byte
	ETag string
}

// maxCached bounds the cache: a province has about 120 regions, times the
// ranges asked for.
const maxCached = 2048

// Snapshot returns the dashboard of region ("" for the caller's own) over
// the months from–to ("YYYY-MM"; empty: the last twelve), served from a
// short-lived cache keyed by (region, range) that every counted write
// invalidates, so 200 readers cost one computation.
func (s *Service) Snapshot(ctx context.Context, actor identity.User, region, from, to string) (Snapshot, error) {
	scope, err := Scope(actor, region)
	if err != nil {
		return Snapshot{}, err
	}
	r, err := ParseRange(from, to, s.now())
	if err != nil {
		return Snapshot{}, err
	}
	parent := ""
	own, _ := Scope(actor, "")
	if p := parentOf(scope); p != "-" && identity.RegionCovers(own, p) {
		parent = p
	}
	k := cacheKey{scope: scope, parent: parent, r: r}
	gen := s.gen.Load()
	now := time.Now()
	s.mu.Lock()
	c := s.cache[k]
	if c != nil && c.gen == gen && now.Sub(c.at) < CacheTTL {
		s.mu.Unlock()
		select {
		case <-c.done:
		case <-ctx.Done():
			return Snapshot{}, ctx.Err()
		}
		if c.err == nil {
			return c.sn, nil
		}
		s.mu.Lock()
		if s.cache[k] == c {
			delete(s.cache, k)
		}
		s.mu.Unlock()
		return s.fill(ctx, k, &cached{gen: gen, at: now, done: make(chan struct{})}, false)
	}
	if len(s.cache) >= maxCached {
		clear(s.cache)
	}
	c = &cached{gen: gen, at: now, done: make(chan struct{})}
	s.cache[k] = c
	s.mu.Unlock()
	return s.fill(ctx, k, c, true)
}

func (s *Service) fill(ctx context.Context, k cacheKey, c *cached, shared bool) (Snapshot, error) {
	defer close(c.done)
	v, err := s.compute(context.WithoutCancel(ctx), k.scope, k.parent, k.r)
	if err == nil {
		c.sn.View = v
		c.sn.JSON, err = json.Marshal(v)
	}
	if err != nil {
		c.err = err
		if shared {
			s.mu.Lock()
			if s.cache[k] == c {
				delete(s.cache, k)
			}
			s.mu.Unlock()
		}
		return Snapshot{}, err
	}
	sum := sha256.Sum256(c.sn.JSON)
	c.sn.ETag = `"d` + hex.EncodeToString(sum[:12]) + `"`
	return c.sn, nil
}
