package api

import (
	"kedaitong"

	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"kedaitong/dashboard"
	"kedaitong/web"
)

func (s *api) registerDashboardAPI(v1 *gin.RouterGroup) {
	const tag = "dashboard"
	s.API(v1, web.Route{Method: "GET", Path: "/dashboard", Summary: "The officials' dashboard of a region (?region=36|city|county; default the caller's own, never wider): applications by state, industry and age group, start-up shares among reviewed and supported, median days to report, consultations answered on time, experts' workload and on-time rate, panels with disagreement, whitelisted enterprises, re-reviews due and exits recommended, the drill-down to the regions below, the fund's loans and claims (fund), and month-by-month trends (trends: ?from=YYYY-MM&to=YYYY-MM, Beijing-time months, default the last twelve, at most 60) of applications submitted, loans started with their amount and start-up share, and claims filed. Served from a short-lived cache invalidated on writes, with ETag (304 on If-None-Match)", Tag: tag, Obj: "dashboard", Act: "read"}, s.apiDashboard)
	s.API(v1, web.Route{Method: "GET", Path: "/dashboard/export", Summary: "The dashboard of a region as an XLSX workbook (?region=, ?from=, ?to=, ?lang=zh-CN|en): summary, by state, by industry, by enterprise age, drill-down, monthly trends", Tag: tag, Obj: "dashboard", Act: "export"}, s.apiDashboardExport)
	s.API(v1, web.Route{Method: "GET", Path: "/dashboard/list", Summary: "The objects behind one number of the dashboard, read from the documents (so the number and its list can be checked): ?of=applications|loans|claims|consultations|seats|whitelist|rereviews|disagreements (panels with disagreement: their reports), ?region=, ?month=YYYY-MM (submitted, started, filed), ?state=, ?industry=, ?age=startup|growth|mature|unknown, ?flag= (applications: submitted, reviewed, decided, granted; loans: startup; consultations: answered, on_time; seats: open, accepted, declined, expired, submitted, on_time; rereviews: due, running, concluded, exit); answers {of, region, total, amount, median_days, items, next_cursor} (applications: median_days of the listed ones with a report, each item with its days)", Tag: tag, Obj: "dashboard", Act: "read"}, s.apiDashboardList)
}

func (s *api) apiDashboard(c *gin.Context) {
	sn, err := s.Deps.Dashboard.Snapshot(c.Request.Context(), web.MustCaller(c).User, c.Query("region"), c.Query("from"), c.Query("to"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.Header("Vary", "Accept-Encoding")
	if !web.AcceptsGzip(c.GetHeader("Accept-Encoding")) {
		if web.NotModified(c, sn.ETag) {
			return
		}
		c.Data(http.StatusOK, "application/json; charset=utf-8", sn.JSON)
		return
	}
	// compressed once per view (and again with it after a write, before it is served)
	z, err := sn.Memo("json.gz", func(sn dashboard.Snapshot) (any, error) {
		var buf bytes.Buffer
		w, err := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
		if err == nil {
			_, err = w.Write(sn.JSON)
		}
		if err == nil {
			err = w.Close()
		}
		return buf.Bytes(), err
	})
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	if web.NotModified(c, strings.TrimSuffix(sn.ETag, `"`)+`-gz"`) { // a representation of its own
		return
	}
	c.Header("Content-Encoding", "gzip")
	c.Data(http.StatusOK, "application/json; charset=utf-8", z.([]byte))
}

func (s *api) apiDashboardExport(c *gin.Context) {
	sn, err := s.Deps.Dashboard.Snapshot(c.Request.Context(), web.MustCaller(c).User, c.Query("region"), c.Query("from"), c.Query("to"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	zh := web.PickLang(c) != "en"
	var buf bytes.Buffer
	if err := dashboard.Export(sn.View, zh, &buf); err != nil {
		web.AbortWithError(c, err)
		return
	}
	name := fmt.Sprintf("dashboard-%s-%s.xlsx", sn.View.Region, time.Now().In(kedaitong.Beijing).Format("20060102"))
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf.Bytes())
}

func (s *api) apiDashboardList(c *gin.Context) {
	limit, cur, err := web.PageParams(c)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	f := dashboard.ListFilter{Of: c.Query("of"), Region: c.Query("region"), Month: c.Query("month"), State: c.Query("state"),
		Industry: c.Query("industry"), Age: c.Query("age"), Flag: c.Query("flag"), Limit: limit, Cursor: cur}
	l, err := s.Deps.Dashboard.List(c.Request.Context(), web.MustCaller(c).User, f)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, l)
}
