package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/alerts"
	"kedaitong/web"
)

func (s *api) registerAlertsAPI(v1 *gin.RouterGroup) {
	s.API(v1, web.Route{Method: "GET", Path: "/alerts", Summary: "The caller's alerts, newest first (unread=true for unread only); each says why it fired and links its items; header X-Unread-Count", Tag: "alerts", Obj: "alert", Act: "read"}, s.apiAlerts)
	s.API(v1, web.Route{Method: "GET", Path: "/alerts/unread", Summary: "The caller's unread alert count", Tag: "alerts", Obj: "alert", Act: "read"}, s.apiAlertsUnread)
	s.API(v1, web.Route{Method: "POST", Path: "/alerts/read", Summary: "Mark every alert of the caller read", Tag: "alerts", Obj: "alert", Act: "read"}, s.apiAlertsReadAll)
	s.API(v1, web.Route{Method: "GET", Path: "/alerts/rules", Summary: "The caller's alert rules", Tag: "alerts", Obj: "alert_rule", Act: "read"}, s.apiAlertRules)
	s.API(v1, web.Route{Method: "POST", Path: "/alerts/rules", Summary: "Subscribe: {industries, routes, dimensions, severity: any|high, name}; a rule that matches nothing or names unknown codes is refused", Tag: "alerts", Obj: "alert_rule", Act: "create"}, s.apiCreateAlertRule)
	s.API(v1, web.Route{Method: "DELETE", Path: "/alerts/rules/:id", Summary: "Delete one of the caller's rules", Tag: "alerts", Obj: "alert_rule", Act: "delete"}, s.apiDeleteAlertRule)
	s.API(v1, web.Route{Method: "GET", Path: "/alerts/webhooks", Summary: "The bank's webhooks with their delivery status", Tag: "alerts", Obj: "alert_webhook", Act: "read"}, s.apiWebhooks)
	s.API(v1, web.Route{Method: "POST", Path: "/alerts/webhooks", Summary: "Register a webhook {url} for the bank's alerts; the answer shows the signing secret once. Requests carry X-Kedai-Timestamp and X-Kedai-Signature: sha256=HMAC-SHA256(secret, timestamp.body); reject timestamps over 5 minutes old and repeated X-Kedai-Delivery ids", Tag: "alerts", Obj: "alert_webhook", Act: "create"}, s.apiCreateWebhook)
	s.API(v1, web.Route{Method: "GET", Path: "/alerts/webhooks/:id", Summary: "One webhook with its latest deliveries and their attempts", Tag: "alerts", Obj: "alert_webhook", Act: "read"}, s.apiWebhook)
	s.API(v1, web.Route{Method: "DELETE", Path: "/alerts/webhooks/:id", Summary: "Remove a webhook", Tag: "alerts", Obj: "alert_webhook", Act: "delete"}, s.apiDeleteWebhook)
	s.API(v1, web.Route{Method: "POST", Path: "/alerts/:id/read", Summary: "Mark one of the caller's alerts read", Tag: "alerts", Obj: "alert", Act: "read"}, s.apiAlertRead)
}

func (s *api) apiAlerts(c *gin.Context) {
	limit, cur, err := web.PageParams(c)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	f := alerts.Filter{Limit: limit, Cursor: cur}
	switch c.Query("unread") {
	case "", "false":
	case "true", "1":
		f.UnreadOnly = true
	default:
		web.AbortWithError(c, kedaitong.Invalid("unread", "true or false").ZHf("参数 unread 只能是 true 或 false"))
		return
	}
	u := web.MustCaller(c).User
	out, next, err := s.Deps.Alerts.List(c.Request.Context(), u, f)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	if n, err := s.Deps.Alerts.Unread(c.Request.Context(), u); err == nil {
		c.Header("X-Unread-Count", strconv.FormatInt(n, 10))
	}
	web.List(c, out, next)
}

func (s *api) apiAlertsUnread(c *gin.Context) {
	n, err := s.Deps.Alerts.Unread(c.Request.Context(), web.MustCaller(c).User)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"unread": n})
}

func (s *api) apiAlertRead(c *gin.Context) {
	a, err := s.Deps.Alerts.MarkRead(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, a)
}

func (s *api) apiAlertsReadAll(c *gin.Context) {
	n, err := s.Deps.Alerts.MarkAllRead(c.Request.Context(), web.MustCaller(c).User)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"marked": n})
}

func (s *api) apiAlertRules(c *gin.Context) {
	limit, cur, err := web.PageParams(c)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	out, next, err := s.Deps.Alerts.Rules(c.Request.Context(), web.MustCaller(c).User, limit, cur)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	web.List(c, out, next)
}

func (s *api) apiCreateAlertRule(c *gin.Context) {
	var in alerts.NewRule
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	r, err := s.Deps.Alerts.CreateRule(c.Request.Context(), web.MustCaller(c).User, in)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.Header("Location", "/api/v1/alerts/rules/"+r.ID)
	c.JSON(http.StatusCreated, r)
}

func (s *api) apiDeleteAlertRule(c *gin.Context) {
	if err := s.Deps.Alerts.DeleteRule(c.Request.Context(), web.MustCaller(c).User, c.Param("id")); err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

func (s *api) apiWebhooks(c *gin.Context) {
	out, err := s.Deps.Alerts.Webhooks(c.Request.Context(), web.MustCaller(c).User)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	web.ListSlice(c, out)
}

func (s *api) apiCreateWebhook(c *gin.Context) {
	var in alerts.NewWebhook
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	w, err := s.Deps.Alerts.CreateWebhook(c.Request.Context(), web.MustCaller(c).User, in)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.Header("Location", "/api/v1/alerts/webhooks/"+w.ID)
	c.JSON(http.StatusCreated, w)
}

func (s *api) apiWebhook(c *gin.Context) {
	w, err := s.Deps.Alerts.Webhook(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, w)
}

func (s *api) apiDeleteWebhook(c *gin.Context) {
	if err := s.Deps.Alerts.DeleteWebhook(c.Request.Context(), web.MustCaller(c).User, c.Param("id")); err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
