package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store"
)

// Authorizer answers whether a role may do an action on a kind of object
// (package rbac's enforcer).
type Authorizer interface {
	RoleAllowed(role, obj, act string) bool
}

// AuditRecorder records what the web layer itself sees: denied requests.
type AuditRecorder interface {
	Record(ctx context.Context, ev identity.Event)
}

const (
	cookieName       = "kedai_session"
	secureCookieName = "__Host-kedai_session"
	CtxCallerKey     = "kedai.caller"

	// The device cookie holds the device token of the browser's last
	// log-in (identity's throttle lets a known browser in while others
	// guess at the account).
	deviceCookie       = "kedai_device"
	secureDeviceCookie = "__Host-kedai_device"
)

// sessionCookie returns the cookie name for the request: the __Host- form
// when served over TLS (or configured as secure behind a proxy).
func (s *Server) SessionCookieName(c *gin.Context) string {
	if s.Secure(c) {
		return secureCookieName
	}
	return cookieName
}

func (s *Server) Secure(c *gin.Context) bool {
	return c.Request.TLS != nil || s.Deps.SecureCookies
}

func (s *Server) SetSessionCookie(c *gin.Context, value string, maxAge int) {
	ck := &http.Cookie{Name: s.SessionCookieName(c), Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.Secure(c), SameSite: http.SameSiteLaxMode}
	http.SetCookie(c.Writer, ck)
}

// LogIn checks the credentials of a log-in form or body, throttled by the
// client address (behind the trusted proxies, the address they name) and
// the browser's device cookie. On success it sets the session cookie and
// the device cookie and returns the user and the session secret.
func (s *Server) LogIn(c *gin.Context, username, password string) (identity.User, string, error) {
	devName := deviceCookie
	if s.Secure(c) {
		devName = secureDeviceCookie
	}
	dev, _ := c.Cookie(devName)
	r, err := s.Deps.Identity.LogIn(c.Request.Context(), identity.LoginRequest{Username: username, Password: password,
		Source: c.ClientIP(), Device: dev})
	if err != nil {
		return identity.User{}, "", err
	}
	s.SetSessionCookie(c, r.Session, int(identity.SessionAbsolute.Seconds()))
	if r.Device != "" {
		http.SetCookie(c.Writer, &http.Cookie{Name: devName, Value: r.Device, Path: "/", MaxAge: int(identity.DeviceLifetime.Seconds()),
			HttpOnly: true, Secure: s.Secure(c), SameSite: http.SameSiteStrictMode})
	}
	return r.User, r.Session, nil
}

// authenticate finds the caller from a bearer token or the session cookie;
// it sets nothing when there is none (routes decide whether that is allowed).
func (s *Server) Authenticate(c *gin.Context) (identity.Caller, bool, error) {
	ctx := c.Request.Context()
	if h := c.GetHeader("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			return identity.Caller{}, false, kedaitong.Errorf(kedaitong.EUnauthorized, "use Authorization: Bearer <token>").ZHf("请使用 Authorization: Bearer <token>")
		}
		tok = strings.TrimSpace(tok)
		if !strings.HasPrefix(tok, identity.TokenPrefix) {
			// The contract's login answers {"token"}: that session
			// secret works as a bearer token too.
			cl, err := s.Deps.Identity.Authenticate(ctx, tok)
			return cl, err == nil, err
		}
		cl, err := s.Deps.Identity.AuthenticateToken(ctx, tok)
		return cl, err == nil, err
	}
	v, err := c.Cookie(s.SessionCookieName(c))
	if err != nil || v == "" {
		return identity.Caller{}, false, nil
	}
	cl, err := s.Deps.Identity.Authenticate(ctx, v)
	if err != nil {
		return identity.Caller{}, false, err
	}
	return cl, true, nil
}

// caller returns the request's authenticated caller.
func CallerOf(c *gin.Context) (identity.Caller, bool) {
	v, ok := c.Get(CtxCallerKey)
	if !ok {
		return identity.Caller{}, false
	}
	cl, ok := v.(identity.Caller)
	return cl, ok
}

// MustCaller returns the caller of a guarded route.
func MustCaller(c *gin.Context) identity.Caller {
	cl, _ := CallerOf(c)
	return cl
}

// guard is the per-route check: a caller must be logged in (401), pass the
// same-origin check for cookie-authenticated unsafe requests (403), and
// have a role that Casbin allows to do r.Act on r.Obj (403, audited).
func (s *Server) Guard(r Route) gin.HandlerFunc {
	return func(c *gin.Context) {
		cl, ok, err := s.Authenticate(c)
		if err != nil {
			if kedaitong.Is(err, kedaitong.EUnauthorized) && r.Public {
				c.Next()
				return
			}
			AbortWithError(c, err)
			return
		}
		if ok {
			c.Set(CtxCallerKey, cl)
			c.Set(CtxUserIDKey, cl.User.ID)
		}
		if r.Public {
			c.Next()
			return
		}
		if !ok {
			AbortWithError(c, kedaitong.Errorf(kedaitong.EUnauthorized, "log in first").ZHf("请先登录"))
			return
		}
		if cl.SessionID != "" && !SafeMethod(c.Request.Method) {
			if err := SameOrigin(c); err != nil {
				s.Deny(c, cl, r, "cross-origin request")
				AbortWithError(c, err)
				return
			}
		}
		if !s.Deps.RBAC.RoleAllowed(cl.User.Role, r.Obj, r.Act) {
			s.Deny(c, cl, r, "role not allowed")
			AbortWithError(c, kedaitong.Errorf(kedaitong.EForbidden, "your role (%s) may not do this", cl.User.Role).ZHf("您的角色（%s）无权执行此操作", cl.User.Role))
			return
		}
		c.Next()
	}
}

// Deny records the guard's refusal in the audit log (see denials.go).
func (s *Server) Deny(c *gin.Context, cl identity.Caller, r Route, why string) {
	s.recordDenial(c, cl, r.Obj, r.Act, why)
}

func SafeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// SameOrigin refuses a browser's cross-site request: the Origin must be this
// server's, or Sec-Fetch-Site must say same-origin. Clients that send
// neither header (scripts, not browsers) pass.
func SameOrigin(c *gin.Context) error {
	bad := kedaitong.Errorf(kedaitong.EForbidden, "cross-origin request refused").ZHf("已拒绝跨域请求")
	if o := c.GetHeader("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || o == "null" || !strings.EqualFold(u.Host, c.Request.Host) {
			return bad
		}
		return nil
	}
	switch c.GetHeader("Sec-Fetch-Site") {
	case "", "same-origin", "none":
		return nil
	}
	return bad
}

// page reads the contract's limit (default 50, 1 to 500) and cursor.
func PageParams(c *gin.Context) (int, string, error) {
	limit := 50
	if v := c.Query("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return 0, "", kedaitong.Invalid("limit", "must be a whole number from 1 to 500").ZHf("条数（limit）应为 1 到 500 的整数")
		}
		limit = n
	}
	cur := c.Query("cursor")
	if len(cur) > 2048 {
		return 0, "", store.BadCursor()
	}
	return limit, cur, nil
}

// ListSlice writes a list held whole in memory (a few dozen rows at most)
// as the contract's list body, paged by limit and an offset cursor.
func ListSlice[T any](c *gin.Context, items []T) {
	limit, cur, err := PageParams(c)
	if err != nil {
		AbortWithError(c, err)
		return
	}
	off := 0
	if cur != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(cur, "o"))
		if err != nil || n < 0 || !strings.HasPrefix(cur, "o") {
			AbortWithError(c, store.BadCursor())
			return
		}
		off = min(n, len(items))
	}
	end, next := off+limit, ""
	if end < len(items) {
		next = "o" + strconv.Itoa(end)
	} else {
		end = len(items)
	}
	List(c, items[off:end], next)
}

// list writes the contract's list body.
func List[T any](c *gin.Context, items []T, next string) {
	if items == nil {
		items = []T{}
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": next})
}
