package dashboard

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sync"
	"sync/atomic"
	"time"

	"kedaitong/identity"
)

// CacheTTL bounds how long a computed view is served when nothing was
// counted in this process: writes in this process make the views of the
// regions they touch stale at once (each region has its own generation);
// writes by another server on the same store show after at most this long.
var CacheTTL = 2 * time.Second

// MaxStale bounds what a reader may be served while the view it asks for
// is being recomputed after a write by someone else: the previous view,
// when that was computed less than MaxStale ago and after the reader's own
// last counted write. Every write older than MaxStale, and every write of
// the reader's own, is therefore in what the reader sees; a reader that
// finds no refresh running (the first after a write) starts one and waits
// for it, so a write is visible to the next reader when nobody else reads.
// Without it 200 concurrent readers queue behind every recomputation (a
// write every 200 ms kept them waiting up to 100 ms, see BENCHMARKS.md).
var MaxStale = time.Second

type cacheKey struct {
	scope, parent string
	r             Range
}

// slot holds a view's latest computation and the refresh in flight.
type slot struct {
	cur  atomic.Pointer[cached] // the latest successful computation (nil before the first); read without s.mu
	next *cached                // the recomputation in flight, if any (s.mu)
}

type cached struct {
	sn   Snapshot
	ver  uint64    // the region's version when the computation started
	seq  uint64    // the write sequence when it started
	at   time.Time // when it started
	done chan struct{}
	err  error
}

// Snapshot is a computed view with its JSON and an entity tag, shared by
// every reader of the same region and range until a write.
type Snapshot struct {
	View View
	JSON []byte
	ETag string
	memo *memo
}

// memo holds what readers derive from one snapshot (a rendered page, a
// compressed body), built once per snapshot.
type memo struct {
	mu sync.Mutex
	m  map[string]*memoEntry
}

type memoEntry struct {
	once  sync.Once
	build func(Snapshot) (any, error)
	v     any
	err   error
	used  atomic.Bool // asked for by a reader (prewarm carries only these on)
}

// Memo returns what build makes of this snapshot under key, built once per
// snapshot whoever asks first (concurrent askers wait for that build).
// When the view is recomputed after a write, the builders readers asked
// for on the previous snapshot run on the new one before it is served, so
// readers do not wait for them; a recomputation that changes nothing (the same ETag)
// keeps what was built. build must depend on the snapshot and key only.
func (sn Snapshot) Memo(key string, build func(Snapshot) (any, error)) (any, error) {
	if sn.memo == nil {
		return build(sn)
	}
	sn.memo.mu.Lock()
	e := sn.memo.m[key]
	if e == nil {
		e = &memoEntry{build: build}
		sn.memo.m[key] = e
	}
	sn.memo.mu.Unlock()
	if !e.used.Load() {
		e.used.Store(true)
	}
	e.once.Do(func() { e.v, e.err = e.build(sn) })
	if e.err != nil {
		sn.memo.mu.Lock()
		if sn.memo.m[key] == e {
			delete(sn.memo.m, key) // the next reader tries again
		}
		sn.memo.mu.Unlock()
	}
	return e.v, e.err
}

// prewarm builds on sn what readers asked for on prev.
func (sn Snapshot) prewarm(prev *memo) {
	if prev == nil || sn.memo == nil {
		return
	}
	prev.mu.Lock()
	var es []*memoEntry
	for k, e := range prev.m {
		if e.used.Load() {
			ne := &memoEntry{build: e.build}
			sn.memo.m[k] = ne // not yet used: carried on again only if asked for
			es = append(es, ne)
		}
	}
	prev.mu.Unlock()
	for _, e := range es {
		e.once.Do(func() { e.v, e.err = e.build(sn) })
	}
}

// testHookFill, when set (tests), runs at the start of every computation.
var testHookFill func(scope string)

// maxCached bounds the cache: a province has about 120 regions, times the
// ranges asked for.
const maxCached = 2048

// version is the version of scope's views: the global generation (bumped
// by what may touch every region) plus the region's own (bumped by every
// counted write in it or below it). Lock-free: every read calls it.
func (s *Service) version(scope string) uint64 {
	v := s.gen.Load()
	if g, ok := s.scopeGen.Load(scope); ok {
		v += g.(*atomic.Uint64).Load()
	}
	return v
}

// touched records counted writes in the scopes of region: their views are
// stale from now on.
func (s *Service) touched(scopes []string) {
	for _, sc := range scopes {
		g, ok := s.scopeGen.Load(sc)
		if !ok {
			g, _ = s.scopeGen.LoadOrStore(sc, new(atomic.Uint64))
		}
		g.(*atomic.Uint64).Add(1)
	}
	s.seq.Add(1)
}

// invalidate makes every view stale (a write whose effect is not known
// region by region).
func (s *Service) invalidate() {
	s.gen.Add(1)
	s.seq.Add(1)
}

// maxWriters bounds the writers remembered for read-your-writes.
const maxWriters = 4096

type wrote struct {
	seq uint64
	at  time.Time
}

// noteWrite remembers that user's write was counted: until MaxStale has
// passed, the user is served no view computed before it.
func (s *Service) noteWrite(user string) {
	if user == "" {
		return
	}
	now := time.Now()
	s.mu.Lock()
	if len(s.writers) >= maxWriters {
		for u, w := range s.writers {
			if now.Sub(w.at) >= MaxStale {
				delete(s.writers, u)
			}
		}
		if len(s.writers) >= maxWriters {
			clear(s.writers) // a flood of writers: nobody is served a stale view for a moment
			s.gen.Add(1)
		}
	}
	s.writers[user] = wrote{seq: s.seq.Load(), at: now}
	s.mu.Unlock()
}

// Snapshot returns the dashboard of region ("" for the caller's own) over
// the months from–to ("YYYY-MM"; empty: the last twelve), served from a
// cache keyed by (region, range) that every counted write in the region
// makes stale, so 200 readers cost one computation per write. The first
// reader after a write recomputes the view and waits for it; readers
// arriving meanwhile are served the previous view within the bounds of
// MaxStale.
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
	now := time.Now()
	// the common case, without a lock: the view is current
	seq := s.seq.Load()
	ver := s.version(scope)
	var sl *slot
	if x, ok := s.cache.Load(k); ok {
		sl = x.(*slot)
		if cur := sl.cur.Load(); cur != nil && cur.ver == ver && now.Sub(cur.at) < CacheTTL {
			return cur.sn, nil
		}
	}
	s.mu.Lock()
	if sl == nil {
		if s.cached.Load() >= maxCached {
			s.cache.Clear()
			s.cached.Store(0)
		}
		x, loaded := s.cache.LoadOrStore(k, &slot{})
		if !loaded {
			s.cached.Add(1)
		}
		sl = x.(*slot)
	}
	cur := sl.cur.Load()
	if cur != nil && cur.ver == ver && now.Sub(cur.at) < CacheTTL {
		s.mu.Unlock()
		return cur.sn, nil
	}
	nx, start := sl.next, false
	if nx == nil || nx.ver != ver {
		nx = &cached{ver: ver, seq: seq, at: now, done: make(chan struct{})}
		sl.next, start = nx, true
	}
	stale := false
	if !start && cur != nil && now.Sub(nx.at) < MaxStale {
		w, mine := s.writers[actor.ID]
		ownIn := !mine || cur.seq >= w.seq
		age := now.Sub(cur.at)
		stale = ownIn && (age < MaxStale || cur.ver == ver && age < CacheTTL+MaxStale)
	}
	s.mu.Unlock()
	if start {
		s.fill(ctx, k, sl, nx, cur)
	} else if stale {
		return cur.sn, nil
	}
	select {
	case <-nx.done:
	case <-ctx.Done():
		return Snapshot{}, ctx.Err()
	}
	if nx.err != nil {
		return Snapshot{}, nx.err
	}
	return nx.sn, nil
}

// fill computes c (the refresh of slot sl whose previous computation is
// prev) and publishes it.
func (s *Service) fill(ctx context.Context, k cacheKey, sl *slot, c, prev *cached) {
	defer close(c.done)
	if testHookFill != nil {
		testHookFill(k.scope)
	}
	v, err := s.compute(context.WithoutCancel(ctx), k.scope, k.parent, k.r)
	if err == nil {
		c.sn.View = v
		c.sn.JSON, err = json.Marshal(v)
	}
	if err == nil {
		sum := sha256.Sum256(c.sn.JSON)
		c.sn.ETag = `"d` + hex.EncodeToString(sum[:12]) + `"`
		if prev != nil && prev.sn.ETag == c.sn.ETag && prev.sn.memo != nil {
			c.sn.memo = prev.sn.memo // nothing changed: keep what was built
		} else {
			c.sn.memo = &memo{m: map[string]*memoEntry{}}
			if prev != nil {
				c.sn.prewarm(prev.sn.memo)
			}
		}
	}
	c.err = err
	s.mu.Lock()
	if sl.next == c {
		sl.next = nil
	}
	if cur := sl.cur.Load(); err == nil && (cur == nil || cur.seq <= c.seq) {
		sl.cur.Store(c)
	}
	s.mu.Unlock()
}
