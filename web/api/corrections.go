package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"kedaitong/intel"
	"kedaitong/web"
)

// registerCorrectionsAPI registers the analysts' label corrections.
func (s *api) registerCorrectionsAPI(v1 *gin.RouterGroup) {
	s.API(v1, web.Route{Method: "POST", Path: "/items/:id/correction", Summary: "Correct an item's labels {industries, dimensions, polarity, note}: the item, its filters and the risk map change at once; audited", Tag: "intel", Obj: "item", Act: "correct"}, s.apiCorrectItem)
	s.API(v1, web.Route{Method: "GET", Path: "/items/:id/correction", Summary: "An item's correction: the classifier's labels, the corrected ones, who, when and why (404 when none)", Tag: "intel", Obj: "correction", Act: "read"}, s.apiItemCorrection)
	s.API(v1, web.Route{Method: "GET", Path: "/corrections", Summary: "The analysts' corrections, latest first", Tag: "intel", Obj: "correction", Act: "read"}, s.apiCorrections)
	s.API(v1, web.Route{Method: "GET", Path: "/corrections/export", Summary: "Every correction as training data: JSON lines in the classifier corpus's format", Tag: "intel", Obj: "correction", Act: "export"}, s.apiExportCorrections)
}

func (s *api) apiCorrectItem(c *gin.Context) {
	var in intel.CorrectionInput
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	it, err := s.Deps.Corrections.Correct(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), in)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, it)
}

func (s *api) apiItemCorrection(c *gin.Context) {
	rec, err := s.Deps.Corrections.Get(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, rec)
}

func (s *api) apiCorrections(c *gin.Context) {
	limit, cur, err := web.PageParams(c)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	out, next, err := s.Deps.Corrections.List(c.Request.Context(), web.MustCaller(c).User, limit, cur)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	web.List(c, out, next)
}

func (s *api) apiExportCorrections(c *gin.Context) {
	u := web.MustCaller(c).User
	if err := intel.MayCorrect(u); err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.Header("Content-Type", "application/x-ndjson; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="corrections.jsonl"`)
	c.Status(http.StatusOK)
	if _, err := s.Deps.Corrections.Export(c.Request.Context(), u, c.Writer); err != nil {
		s.Deps.Logger.Warn("corrections export", "err", err)
	}
}
