package api

import (
	"kedaitong/web"
	"net/http"

	"github.com/gin-gonic/gin"
)

// riskmapSummary documents the index in the OpenAPI document.
const riskmapSummary = "The industry risk map of a range (from, to: YYYY-MM-DD; default the last 90 days; at most two years). " +
	"Per industry × dimension: score = standard deviations by which the time-decayed weight of risk stories " +
	"(half-life 7 days; high severity weighs 3) stands above the cell's own trailing 90-day baseline; " +
	"count = stories (a near-duplicate cluster once); trend = relative change of risk stories against the previous window of equal length; " +
	"low_confidence when fewer than 3 risk stories"

func (s *api) registerRiskmapAPI(v1 *gin.RouterGroup) {
	s.API(v1, web.Route{Method: "GET", Path: "/riskmap", Summary: riskmapSummary, Tag: "riskmap", Obj: "riskmap", Act: "read"}, s.apiRiskmap)
	s.API(v1, web.Route{Method: "GET", Path: "/riskmap/exposure", Summary: "The caller's bank's supported loans by industry and route, and its enterprises ranked by route risk and by risk news naming them (banks only, their own)", Tag: "riskmap", Obj: "exposure", Act: "read"}, s.apiExposure)
}

func (s *api) apiRiskmap(c *gin.Context) {
	r, err := s.Deps.Riskmap.ParseRange(c.Query("from"), c.Query("to"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	v, err := s.Deps.Riskmap.View(c.Request.Context(), web.MustCaller(c).User, r)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	if web.NotModified(c, v.ETag) {
		return
	}
	b, err := v.JSON()
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", b)
}

func (s *api) apiExposure(c *gin.Context) {
	r, err := s.Deps.Riskmap.ParseRange(c.Query("from"), c.Query("to"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	ex, err := s.Deps.Riskmap.Exposure(c.Request.Context(), web.MustCaller(c).User, r)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, ex)
}
