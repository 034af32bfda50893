package api

import (
	"bytes"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/review/scoring"
	"kedaitong/web"
)

func (s *api) registerScoringAPI(v1 *gin.RouterGroup) {
	const tag = "scoring"
	s.API(v1, web.Route{Method: "GET", Path: "/rubrics", Summary: "The review guidelines in force: per industry (and route refinements), criteria with weights and anchored 1–9 scales in zh and en, risk points and monitoring indicators", Tag: tag, Obj: "rubric", Act: "read"}, s.apiRubrics)
	s.API(v1, web.Route{Method: "GET", Path: "/rubrics/:key", Summary: "The guideline in force for an industry or a route (a route without its own: its industry's); ?version=n for an earlier version", Tag: tag, Obj: "rubric", Act: "read"}, s.apiRubric)
	s.API(v1, web.Route{Method: "PUT", Path: "/rubrics/:key", Summary: "A new version of the guideline of an industry or a route (officials): {\"criteria\":[{\"id\",\"name\":{\"zh\",\"en\"},\"weight\",\"anchors\":{\"2\",\"5\",\"8\"}}],\"risk_points\",\"indicators\",\"note\"}", Tag: tag, Obj: "rubric", Act: "update"}, s.apiPutRubric)
	s.API(v1, web.Route{Method: "GET", Path: "/assignments/:id/dossier", Summary: "The dossier of an accepted assignment for its expert: the application with derived indicators and attachments, the guideline, the expert's own score", Tag: tag, Obj: "assignment", Act: "score"}, s.apiDossier)
	s.API(v1, web.Route{Method: "GET", Path: "/assignments/:id/dossier/attachments/:att", Summary: "A dossier file, for the assigned expert", Tag: tag, Obj: "assignment", Act: "score"}, s.apiDossierAttachment)
	s.API(v1, web.Route{Method: "GET", Path: "/assignments/:id/score", Summary: "The expert's own score of the assignment with every earlier revision", Tag: tag, Obj: "assignment", Act: "score"}, s.apiScore)
	s.API(v1, web.Route{Method: "PUT", Path: "/assignments/:id/score", Summary: "Save a draft score: {\"criteria\":{\"<criterion>\":1-9},\"recommendation\",\"confidence\":1-3,\"comment\",\"risk_points\",\"maturity_stage\"}; every value must be within the rubric; every revision is kept (GET .../score lists them); the answer is the saved score without its history", Tag: tag, Obj: "assignment", Act: "score"}, s.apiSaveScore)
	s.API(v1, web.Route{Method: "POST", Path: "/assignments/:id/submit", Summary: "Submit the score (complete: every criterion, recommendation, confidence, comment, risk points, maturity stage); locked after; an optional body saves it first", Tag: tag, Obj: "assignment", Act: "submit"}, s.apiSubmitScore)
	s.API(v1, web.Route{Method: "GET", Path: "/applications/:id/report", Summary: "The panel's report (the owning bank, officials of the region): scores, recommendations, maturity, risks, indicators, comments by tier and field, never names; 409 until the panel has closed", Tag: tag, Obj: "report", Act: "read"}, s.apiReport)
	s.API(v1, web.Route{Method: "GET", Path: "/reports", Summary: "The reports the caller may see, newest first (a bank: its own; an official: its region)", Tag: tag, Obj: "report", Act: "read"}, s.apiReports)
	s.API(v1, web.Route{Method: "GET", Path: "/reports/export", Summary: "The reports the caller may see as an XLSX workbook (?lang=en for English headers)", Tag: tag, Obj: "report", Act: "export"}, s.apiExportReports)
	s.API(v1, web.Route{Method: "POST", Path: "/applications/:id/adjudicator", Summary: "Add one adjudicating expert to the panel (officials of the region): {\"expert_id\"?}; without an id the best candidate not chosen is invited; the report is revised when the adjudicator submits", Tag: tag, Obj: "panel", Act: "adjudicate"}, s.apiAddAdjudicator)
}

func (s *api) apiRubrics(c *gin.Context) {
	gs, err := s.Deps.Scoring.Guidelines(c.Request.Context())
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	web.List(c, gs, "")
}

func (s *api) apiRubric(c *gin.Context) {
	ctx := c.Request.Context()
	var (
		g   scoring.Guideline
		err error
	)
	if v := c.Query("version"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 1 {
			web.AbortWithError(c, kedaitong.Invalid("version", "a positive integer").ZHf("版本号应为正整数"))
			return
		}
		g, err = s.Deps.Scoring.GuidelineVersion(ctx, c.Param("key"), n)
	} else {
		g, err = s.Deps.Scoring.Guideline(ctx, c.Param("key"))
	}
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, g)
}

func (s *api) apiPutRubric(c *gin.Context) {
	var in scoring.Guideline
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	g, err := s.Deps.Scoring.PutGuideline(c.Request.Context(), web.MustCaller(c).User, c.Param("key"), in)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, g)
}

func (s *api) apiDossier(c *gin.Context) {
	d, err := s.Deps.Scoring.Dossier(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

func (s *api) apiDossierAttachment(c *gin.Context) {
	rc, att, err := s.Deps.Scoring.OpenAttachment(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), c.Param("att"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	defer rc.Close()
	web.ServeAttachment(c, rc, att)
}

type scoreBody struct {
	scoring.Score
	History   []scoring.Revision `json:"history"` // always a list, [] before the first save
	Guideline scoring.Guideline  `json:"guideline"`
}

func (s *api) apiScore(c *gin.Context) {
	if s.evaluationSeat(c, "get") {
		return
	}
	sc, g, err := s.Deps.Scoring.MyScore(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	h := sc.History
	if h == nil {
		h = []scoring.Revision{}
	}
	c.JSON(http.StatusOK, scoreBody{Score: sc, History: h, Guideline: g})
}

func (s *api) apiSaveScore(c *gin.Context) {
	if s.evaluationSeat(c, "score") {
		return
	}
	var in scoring.Input
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	sc, err := s.Deps.Scoring.Save(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), in)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, sc)
}

func (s *api) apiSubmitScore(c *gin.Context) {
	if s.evaluationSeat(c, "submit") {
		return
	}
	ctx, actor := c.Request.Context(), web.MustCaller(c).User
	b, err := web.ReadBody(c)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	if len(bytes.TrimSpace(b)) > 0 && string(bytes.TrimSpace(b)) != "{}" {
		c.Request.Body = io.NopCloser(bytes.NewReader(b))
		var in scoring.Input
		if err := web.BindOptionalJSON(c, &in); err != nil {
			web.AbortWithError(c, err)
			return
		}
		if _, err := s.Deps.Scoring.Save(ctx, actor, c.Param("id"), in); err != nil {
			web.AbortWithError(c, err)
			return
		}
	}
	sub, err := s.Deps.Scoring.Submit(ctx, actor, c.Param("id"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, sub)
}

func (s *api) apiReport(c *gin.Context) {
	r, err := s.Deps.Scoring.Get(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, s.reportWithHub(c, r)) // the data hub's differences and endorsements (enterprises.go)
}

func (s *api) apiReports(c *gin.Context) {
	limit, cur, err := web.PageParams(c)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	rs, next, err := s.Deps.Scoring.ReportsPage(c.Request.Context(), web.MustCaller(c).User, limit, cur)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	web.List(c, rs, next)
}

func (s *api) apiExportReports(c *gin.Context) {
	lang := "zh"
	if c.Query("lang") == "en" {
		lang = "en"
	}
	var buf bytes.Buffer
	if _, err := s.Deps.Scoring.Export(c.Request.Context(), web.MustCaller(c).User, lang, &buf); err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="reports.xlsx"`)
	c.Data(http.StatusOK, xlsxType, buf.Bytes())
}

func (s *api) apiAddAdjudicator(c *gin.Context) {
	var in struct {
		ExpertID string `json:"expert_id"`
	}
	if err := web.BindOptionalJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	a, err := s.Deps.Panel.AddAdjudicator(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), in.ExpertID)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusCreated, a)
}
