package web

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"kedaitong"
)

const ctxRequestIDKey = "kedai.request_id"

var requestIDRE = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// requestIDs gives every request an id: the caller's X-Request-ID when it is
// well formed, else a random one; echoed in the response header.
func requestIDs() gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-ID")
		if !requestIDRE.MatchString(id) {
			var b [12]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		c.Set(ctxRequestIDKey, id)
		c.Request = c.Request.WithContext(kedaitong.WithRequestID(c.Request.Context(), id))
		c.Header("X-Request-ID", id)
		c.Next()
	}
}

// requestID returns the request's id.
func requestID(c *gin.Context) string { return c.GetString(ctxRequestIDKey) }

// routeLabel is the route's pattern, never the raw path (which would let
// callers blow up label cardinality).
func routeLabel(c *gin.Context) string {
	if p := c.FullPath(); p != "" {
		return p
	}
	return "unmatched"
}

// accessLog writes one structured line per request.
func accessLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		status := c.Writer.Status()
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		if !log.Enabled(c.Request.Context(), level) { // nothing to build (--log-level warn and above)
			return
		}
		attrs := []any{
			"method", c.Request.Method, "route", routeLabel(c), "path", c.Request.URL.Path,
			"status", status, "duration_ms", float64(time.Since(start).Microseconds()) / 1000,
			"bytes", c.Writer.Size(), "request_id", requestID(c), "remote", c.ClientIP(),
		}
		if u := c.GetString(CtxUserIDKey); u != "" {
			attrs = append(attrs, "user", u)
		}
		if err, ok := c.Get(ctxErrorKey); ok {
			attrs = append(attrs, "error", fmt.Sprint(err))
		}
		log.Log(c.Request.Context(), level, "request", attrs...)
	}
}

const CtxUserIDKey = "kedai.user_id"

// recovery turns a panic into a logged 500 in the contract's body.
func recovery(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				log.Error("panic", "panic", fmt.Sprint(r), "request_id", requestID(c), "stack", string(debug.Stack()))
				if !c.Writer.Written() {
					AbortWithError(c, kedaitong.Errorf(kedaitong.EInternal, "panic: %v", r))
				} else {
					c.Abort()
				}
			}
		}()
		c.Next()
	}
}

// instrument records request counts and latencies by route and status.
func (m *metrics) instrument() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		route := routeLabel(c)
		status := strconv.Itoa(c.Writer.Status())
		m.requests.WithLabelValues(c.Request.Method, route, status).Inc()
		m.latency.WithLabelValues(c.Request.Method, route).Observe(time.Since(start).Seconds())
	}
}

// ContentSecurityPolicy is every response's policy: everything from this
// server only, no inline scripts or styles (nor on* attributes: page
// behaviour lives in /static/app.js), no plugins, no <base>, forms posting
// only here, and no framing by anyone.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the headers every response carries. Responses are
// not stored by caches (they hold one user's data) except the static
// files; over TLS — at this server, or at the proxy in front of it when the
// deployment says so (--secure-cookies) — browsers are told to keep to HTTPS.
func securityHeaders(behindTLS bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if !strings.HasPrefix(c.Request.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		if c.Request.TLS != nil || behindTLS {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		c.Next()
	}
}
