package api

import (
	"bytes"
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"kedaitong/dashboard"
	"kedaitong/web"
)

func (s *api) registerDashboardAPI(v1 *gin.RouterGroup) {
	const tag = "dashboard"
	s.API(v1, web.Route{Method: "GET", Path: "/dashboard", Summary: "The officials' dashboard of a region (?region=36|city|county; default the caller's own, never wider): applications by state, industry and age group, start-up shares among reviewed and supported, median days to report, consultations answered on time, experts' workload and on-time rate, panels with disagreement, whitelisted enterprises, re-reviews due and exits recommended, and the drill-down to the regions below", Tag: tag, Obj: "dashboard", Act: "read"}, s.apiDashboard)
	s.API(v1, web.Route{Method: "GET", Path: "/dashboard/export", Summary: "The dashboard of a region as an XLSX workbook (?region=, ?lang=zh-CN|en): summary, by state, by industry, by enterprise age, drill-down", Tag: tag, Obj: "dashboard", Act: "export"}, s.apiDashboardExport)
}

func (s *api) apiDashboard(c *gin.Context) {
	v, err := s.Deps.Dashboard.Get(c.Request.Context(), web.MustCaller(c).User, c.Query("region"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *api) apiDashboardExport(c *gin.Context) {
	v, err := s.Deps.Dashboard.Get(c.Request.Context(), web.MustCaller(c).User, c.Query("region"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	zh := web.PickLang(c) != "en"
	var buf bytes.Buffer
	if err := dashboard.Export(v, zh, &buf); err != nil {
		web.AbortWithError(c, err)
		return
	}
	name := fmt.Sprintf("dashboard-%s-%s.xlsx", v.Region, time.Now().UTC().Format("20060102"))
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf.Bytes())
}
