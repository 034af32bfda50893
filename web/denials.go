package web

import (
	"net/http"
	"sort"

	"github.com/gin-gonic/gin"

	"kedaitong/identity"
)

// Denials are audited in one place, after the handler (auditDenials, one
// of the server's middleware), whatever refused the request: the guard (a
// role Casbin does not allow, a cross-origin request), a page's CSRF check,
// or a domain service that answered EForbidden, or ENotFound for an object
// that does not exist or that the caller may not know of.
//
// A 404 entry is made from the request alone — actor, the route's kind of
// object, the ids as requested, the route — and never from the object, so
// it reads the same whether or not the object exists: the audit log does
// not become a way to learn that it does. Denial entries carry no region,
// so only administrators read them (officials see the entries of their
// region; the audit API hides denials from everyone but admins).

const ctxDeniedKey = "kedai.denied" // the request's denial is already recorded

// denialReason404 is the one reason of every audited 404.
const denialReason404 = "not found or outside the caller's scope"

func (s *Server) auditDenials() gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Next()
		st := c.Writer.Status()
		if st != http.StatusForbidden && st != http.StatusNotFound {
			return
		}
		if c.GetBool(ctxDeniedKey) || c.FullPath() == "" { // recorded already, or no route at all
			return
		}
		cl, ok := CallerOf(c)
		if !ok {
			return
		}
		obj, act, guarded := s.routeAccess(c.Request.Method, c.FullPath())
		if !guarded { // a public route (static files, the log-in page): nothing is denied there
			return
		}
		why := denialReason404
		if st == http.StatusForbidden {
			why = "forbidden"
		}
		s.recordDenial(c, cl, obj, act, why)
	}
}

// routeAccess returns the Casbin object and action of a registered route
// that is not public.
func (s *Server) routeAccess(method, path string) (obj, act string, guarded bool) {
	for _, r := range s.routes {
		if r.Method == method && r.Path == path {
			return r.Obj, r.Act, !r.Public
		}
	}
	for _, r := range s.uiRoutes {
		if r.Method == method && r.Path == path {
			return r.Obj, r.Act, !r.Public
		}
	}
	return "", "", false
}

// recordDenial appends the denial to the audit log, once per request.
func (s *Server) recordDenial(c *gin.Context, cl identity.Caller, obj, act, why string) {
	if s.Deps.Audit == nil || c.GetBool(ctxDeniedKey) {
		return
	}
	c.Set(ctxDeniedKey, true)
	if obj == "" {
		obj = "page"
	}
	if act == "" {
		act = "read"
	}
	u := cl.User
	detail := map[string]any{"route": c.Request.Method + " " + c.FullPath(), "reason": why,
		"status": c.Writer.Status(), "request_id": requestID(c)}
	id := ""
	if len(c.Params) > 0 {
		ids := map[string]any{}
		keys := make([]string, 0, len(c.Params))
		for _, p := range c.Params {
			ids[p.Key] = clip(p.Value, 128)
			keys = append(keys, p.Key)
		}
		sort.Strings(keys)
		id = clip(c.Param("id"), 128)
		if id == "" {
			id = clip(c.Param(keys[0]), 128)
		}
		detail["ids"] = ids
	}
	if c.Writer.Status() == http.StatusOK || c.Writer.Status() == 0 { // recorded before the answer is written
		delete(detail, "status")
	}
	s.Deps.Audit.Record(c.Request.Context(), identity.Event{Actor: &u, Action: obj + "." + act, ObjectKind: obj,
		ObjectID: id, Outcome: "denied", Detail: detail}) // no bank or region: nothing of the object, and for admins only
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
