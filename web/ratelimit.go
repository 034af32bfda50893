package web

import (
	"math"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"kedaitong"
)

// rateLimiter is a token bucket per client address: rate tokens a second,
// up to burst. It protects the server from one client's flood; log-in has
// its own, stricter, shared limit in package identity.
type rateLimiter struct {
	rate, burst float64
	loopback    bool // limit loopback clients too
	mu          sync.Mutex
	buckets     map[string]*bucket
	lastSweep   time.Time
	now         func() time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newRateLimiter(perSecond float64, burst int) *rateLimiter {
	return &rateLimiter{rate: perSecond, burst: float64(burst), buckets: map[string]*bucket{}, now: time.Now}
}

// allow takes a token for key, or says how long until one is there.
func (l *rateLimiter) allow(key string) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) > time.Minute {
		// Forget clients whose bucket has long been full again.
		for k, b := range l.buckets {
			if now.Sub(b.last) > time.Duration(l.burst/l.rate*float64(time.Second))+time.Minute {
				delete(l.buckets, k)
			}
		}
		l.lastSweep = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	return false, wait
}

// rateLimit answers 429 with Retry-After to a client over its rate on the
// API. Health checks and metrics are not limited.
func (l *rateLimiter) middleware() gin.HandlerFunc {
	return func(c *gin.Context) {
		if !isAPI(c.Request.URL.Path) {
			c.Next()
			return
		}
		ip := c.ClientIP()
		if !l.loopback {
			if a, err := netip.ParseAddr(ip); err == nil && a.Unmap().IsLoopback() {
				c.Next()
				return
			}
		}
		ok, wait := l.allow(ip)
		if !ok {
			c.Header("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			AbortWithError(c, kedaitong.Errorf(kedaitong.ERateLimited, "too many requests; slow down").ZHf("请求过于频繁，请稍后再试"))
			return
		}
		c.Next()
	}
}
