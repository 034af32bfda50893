package api

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/audit"
	"kedaitong/identity"
	"kedaitong/web"
)

// apiAudit lists audit entries: an admin sees all, an official only the
// entries about objects in its region (a region filter narrows within it)
// and never denials.
func (s *api) apiAudit(c *gin.Context) {
	limit, cur, err := web.PageParams(c)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	f := audit.Filter{UserID: c.Query("user_id"), Action: c.Query("action"), ObjectKind: c.Query("object_kind"),
		Outcome: c.Query("outcome"), Region: c.Query("region"), Limit: limit, Cursor: cur}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := c.Query(p.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				web.AbortWithError(c, kedaitong.Invalid(p.name, "use an RFC 3339 time such as 2026-11-25T08:00:00Z").ZHf("%s 请使用 RFC 3339 时间，如 2026-11-25T08:00:00Z", p.name))
				return
			}
			*p.dst = t
		}
	}
	if f.Region != "" && !identity.ValidRegion(f.Region) {
		web.AbortWithError(c, kedaitong.Invalid("region", "use a Jiangxi GB/T 2260 code: 36, a city such as 3607, or a county such as 360702").ZHf("请使用江西省的 GB/T 2260 行政区划代码：36（全省）、地市（如 3607）或区县（如 360702）"))
		return
	}
	u := web.MustCaller(c).User
	f, ok := audit.Scope(u, f)
	if !ok {
		web.List(c, []audit.Entry{}, "") // a filter narrows, never widens
		return
	}
	es, next, err := s.Deps.AuditLog.List(c.Request.Context(), f)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	es = audit.Visible(u, es)
	web.List(c, es, next)
}

// apiAuditVerify walks the audit log's hash chain and reports whether it is
// intact, naming the first broken entry when it is not.
func (s *api) apiAuditVerify(c *gin.Context) {
	rep, err := s.Deps.AuditLog.Verify(c.Request.Context())
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}
