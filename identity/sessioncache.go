package identity

import (
	"sync"
	"time"
)

// SessionCacheTTL is how long an authenticated session is served from
// memory without reading the store (issue 19: the session and the user
// were two store reads on every request, a third of what a cached
// dashboard answer costs). Changes made through this process — log-out,
// a password change or reset, disabling, any update of the user — drop
// the entries at once; a change made by another server on the same store
// shows here within this time. Expiry and idle time are checked on every
// hit, and a hit whose last-seen time is due for a refresh goes to the
// store as before.
var SessionCacheTTL = time.Second

// sessionCacheMax bounds the entries (cleared when full).
const sessionCacheMax = 10000

type cachedSession struct {
	sess Session
	user User
	at   time.Time // when it was read (wall clock)
}

// sessionCache holds recently authenticated sessions by hashed id.
type sessionCache struct {
	mu  sync.Mutex
	m   map[string]cachedSession
	gen uint64 // bumped by every drop: a read that began before it is not kept
}

// generation is the current generation (taken before reading the store).
func (c *sessionCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// get returns the caller of session id when its entry is fresh, the
// session neither expired nor idle at now, and no refresh of its
// last-seen time is due.
func (c *sessionCache) get(id string, now time.Time) (Caller, bool) {
	if SessionCacheTTL <= 0 {
		return Caller{}, false
	}
	c.mu.Lock()
	e, ok := c.m[id]
	c.mu.Unlock()
	if !ok || time.Since(e.at) >= SessionCacheTTL || time.Since(e.at) < 0 {
		return Caller{}, false
	}
	t := ms(now)
	if t >= e.sess.ExpiresMS || t-e.sess.SeenMS >= touchEvery.Milliseconds() || t < e.sess.SeenMS {
		return Caller{}, false
	}
	return Caller{User: e.user, SessionID: id, CSRF: e.sess.CSRF}, true
}

// put keeps what a read begun at generation gen found, unless something
// was dropped meanwhile (a log-out or a user change racing the read).
func (c *sessionCache) put(id string, sess Session, u User, gen uint64) {
	if SessionCacheTTL <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if c.m == nil || len(c.m) >= sessionCacheMax {
		c.m = map[string]cachedSession{}
	}
	c.m[id] = cachedSession{sess: sess, user: u, at: time.Now()}
}

// drop forgets session id.
func (c *sessionCache) drop(id string) {
	c.mu.Lock()
	c.gen++
	delete(c.m, id)
	c.mu.Unlock()
}

// dropUser forgets every session of user id.
func (c *sessionCache) dropUser(userID string) {
	c.mu.Lock()
	c.gen++
	for k, e := range c.m {
		if e.user.ID == userID {
			delete(c.m, k)
		}
	}
	c.mu.Unlock()
}
