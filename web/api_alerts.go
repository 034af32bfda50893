package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/alerts"
)

func (s *Server) registerAlertsAPI(v1 *gin.RouterGroup) {
	s.api(v1, Route{Method: "GET", Path: "/alerts", Summary: "The caller's alerts, newest first (unread=true for unread only); each says why it fired and links its items; header X-Unread-Count", Tag: "alerts", Obj: "alert", Act: "read"}, s.apiAlerts)
	s.api(v1, Route{Method: "GET", Path: "/alerts/unread", Summary: "The caller's unread alert count", Tag: "alerts", Obj: "alert", Act: "read"}, s.apiAlertsUnread)
	s.api(v1, Route{Method: "POST", Path: "/alerts/read", Summary: "Mark every alert of the caller read", Tag: "alerts", Obj: "alert", Act: "read"}, s.apiAlertsReadAll)
	s.api(v1, Route{Method: "GET", Path: "/alerts/rules", Summary: "The caller's alert rules", Tag: "alerts", Obj: "alert_rule", Act: "read"}, s.apiAlertRules)
	s.api(v1, Route{Method: "POST", Path: "/alerts/rules", Summary: "Subscribe: {industries, routes, dimensions, severity: any|high, name}; a rule that matches nothing or names unknown codes is refused", Tag: "alerts", Obj: "alert_rule", Act: "create"}, s.apiCreateAlertRule)
	s.api(v1, Route{Method: "DELETE", Path: "/alerts/rules/:id", Summary: "Delete one of the caller's rules", Tag: "alerts", Obj: "alert_rule", Act: "delete"}, s.apiDeleteAlertRule)
	s.api(v1, Route{Method: "GET", Path: "/alerts/webhooks", Summary: "The bank's webhooks with their delivery status", Tag: "alerts", Obj: "alert_webhook", Act: "read"}, s.apiWebhooks)
	s.api(v1, Route{Method: "POST", Path: "/alerts/webhooks", Summary: "Register a webhook {url} for the bank's alerts; the answer shows the signing secret once. Requests carry X-Kedai-Timestamp and X-Kedai-Signature: sha256=HMAC-SHA256(secret, timestamp.body); reject timestamps over 5 minutes old and repeated X-Kedai-Delivery ids", Tag: "alerts", Obj: "alert_webhook", Act: "create"}, s.apiCreateWebhook)
	s.api(v1, Route{Method: "GET", Path: "/alerts/webhooks/:id", Summary: "One webhook with its latest deliveries and their attempts", Tag: "alerts", Obj: "alert_webhook", Act: "read"}, s.apiWebhook)
	s.api(v1, Route{Method: "DELETE", Path: "/alerts/webhooks/:id", Summary: "Remove a webhook", Tag: "alerts", Obj: "alert_webhook", Act: "delete"}, s.apiDeleteWebhook)
	s.api(v1, Route{Method: "POST", Path: "/alerts/:id/read", Summary: "Mark one of the caller's alerts read", Tag: "alerts", Obj: "alert", Act: "read"}, s.apiAlertRead)
}

func (s *Server) apiAlerts(c *gin.Context) {
	limit, cur, err := pageParams(c)
	if err != nil {
		abortWithError(c, err)
		return
	}
	f := alerts.Filter{Limit: limit, Cursor: cur}
	switch c.Query("unread") {
	case "", "false":
	case "true", "1":
		f.UnreadOnly = true
	default:
		abortWithError(c, kedaitong.Invalid("unread", "true or false").ZHf("参数 unread 只能是 true 或 false"))
		return
	}
	u := mustCaller(c).User
	out, next, err := s.deps.Alerts.List(c.Request.Context(), u, f)
	if err != nil {
		abortWithError(c, err)
		return
	}
	if n, err := s.deps.Alerts.Unread(c.Request.Context(), u); err == nil {
		c.Header("X-Unread-Count", strconv.FormatInt(n, 10))
	}
	list(c, out, next)
}

func (s *Server) apiAlertsUnread(c *gin.Context) {
	n, err := s.deps.Alerts.Unread(c.Request.Context(), mustCaller(c).User)
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"unread": n})
}

func (s *Server) apiAlertRead(c *gin.Context) {
	a, err := s.deps.Alerts.MarkRead(c.Request.Context(), mustCaller(c).User, c.Param("id"))
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, a)
}

func (s *Server) apiAlertsReadAll(c *gin.Context) {
	n, err := s.deps.Alerts.MarkAllRead(c.Request.Context(), mustCaller(c).User)
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"marked": n})
}

func (s *Server) apiAlertRules(c *gin.Context) {
	limit, cur, err := pageParams(c)
	if err != nil {
		abortWithError(c, err)
		return
	}
	out, next, err := s.deps.Alerts.Rules(c.Request.Context(), mustCaller(c).User, limit, cur)
	if err != nil {
		abortWithError(c, err)
		return
	}
	list(c, out, next)
}

func (s *Server) apiCreateAlertRule(c *gin.Context) {
	var in alerts.NewRule
	if err := bindJSON(c, &in); err != nil {
		abortWithError(c, err)
		return
	}
	r, err := s.deps.Alerts.CreateRule(c.Request.Context(), mustCaller(c).User, in)
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.Header("Location", "/api/v1/alerts/rules/"+r.ID)
	c.JSON(http.StatusCreated, r)
}

func (s *Server) apiDeleteAlertRule(c *gin.Context) {
	if err := s.deps.Alerts.DeleteRule(c.Request.Context(), mustCaller(c).User, c.Param("id")); err != nil {
		abortWithError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *Server) apiWebhooks(c *gin.Context) {
	out, err := s.deps.Alerts.Webhooks(c.Request.Context(), mustCaller(c).User)
	if err != nil {
		abortWithError(c, err)
		return
	}
	listSlice(c, out)
}

func (s *Server) apiCreateWebhook(c *gin.Context) {
	var in alerts.NewWebhook
	if err := bindJSON(c, &in); err != nil {
		abortWithError(c, err)
		return
	}
	w, err := s.deps.Alerts.CreateWebhook(c.Request.Context(), mustCaller(c).User, in)
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.Header("Location", "/api/v1/alerts/webhooks/"+w.ID)
	c.JSON(http.StatusCreated, w)
}

func (s *Server) apiWebhook(c *gin.Context) {
	w, err := s.deps.Alerts.Webhook(c.Request.Context(), mustCaller(c).User, c.Param("id"))
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, w)
}

func (s *Server) apiDeleteWebhook(c *gin.Context) {
	if err := s.deps.Alerts.DeleteWebhook(c.Request.Context(), mustCaller(c).User, c.Param("id")); err != nil {
		abortWithError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
