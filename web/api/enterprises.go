package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"kedaitong/enterprises"
	"kedaitong/review/scoring"
	"kedaitong/web"
)

// registerEnterprisesAPI registers the data hub's routes: imports,
// portraits, endorsements, roadshows and docking.
func (s *api) registerEnterprisesAPI(v1 *gin.RouterGroup) {
	s.API(v1, web.Route{Method: "POST", Path: "/datahub/import", Summary: "Import one source into the data hub (source=registration|ip|projects|tax|contracts|dishonesty|investments; CSV or XLSX, body or multipart field file); answers the row report", Tag: "enterprises", Obj: "datahub", Act: "import", Upload: true}, s.apiDatahubImport)
	s.API(v1, web.Route{Method: "GET", Path: "/datahub/imports", Summary: "The data-hub import log, newest first", Tag: "enterprises", Obj: "datahub", Act: "read"}, s.apiDatahubImports)
	s.API(v1, web.Route{Method: "GET", Path: "/enterprises", Summary: "Search enterprise portraits (q, region, route, flag; officials: their region; experts: their assignments' enterprises)", Tag: "enterprises", Obj: "enterprise", Act: "read"}, s.apiEnterprises)
	s.API(v1, web.Route{Method: "GET", Path: "/enterprises/:credit_code", Summary: "An enterprise's portrait", Tag: "enterprises", Obj: "enterprise", Act: "read"}, s.apiEnterprise)
	s.API(v1, web.Route{Method: "GET", Path: "/enterprises/:credit_code/draft", Summary: "An application's enterprise part filled from the portrait (banks starting an application)", Tag: "enterprises", Obj: "enterprise", Act: "draft"}, s.apiEnterpriseDraft)
	s.API(v1, web.Route{Method: "GET", Path: "/applications/:id/portrait", Summary: "The portrait beside an application, with where the bank's figures differ and the endorsements", Tag: "enterprises", Obj: "enterprise", Act: "read"}, s.apiApplicationPortrait)
	s.API(v1, web.Route{Method: "POST", Path: "/applications/:id/endorsements", Summary: "An investor endorses an application of an enterprise it invested in", Tag: "enterprises", Obj: "endorsement", Act: "create"}, s.apiEndorse)
	s.API(v1, web.Route{Method: "GET", Path: "/applications/:id/endorsements", Summary: "An application's endorsements", Tag: "enterprises", Obj: "endorsement", Act: "read"}, s.apiEndorsements)
	s.API(v1, web.Route{Method: "GET", Path: "/endorsements/candidates", Summary: "Applications of the enterprises the investor's institution invested in", Tag: "enterprises", Obj: "endorsement", Act: "create"}, s.apiCandidates)
	s.API(v1, web.Route{Method: "POST", Path: "/roadshows", Summary: "Schedule a roadshow", Tag: "enterprises", Obj: "roadshow", Act: "create"}, s.apiCreateRoadshow)
	s.API(v1, web.Route{Method: "GET", Path: "/roadshows", Summary: "Roadshows, latest date first (filter chain)", Tag: "enterprises", Obj: "roadshow", Act: "read"}, s.apiRoadshows)
	s.API(v1, web.Route{Method: "GET", Path: "/roadshows/:id", Summary: "A roadshow with its projects, attendees and ranking", Tag: "enterprises", Obj: "roadshow", Act: "read"}, s.apiRoadshow)
	s.API(v1, web.Route{Method: "POST", Path: "/roadshows/:id/projects", Summary: "Register an enterprise's project for a roadshow", Tag: "enterprises", Obj: "roadshow", Act: "register"}, s.apiRoadshowProject)
	s.API(v1, web.Route{Method: "POST", Path: "/roadshows/:id/attend", Summary: "Attend a roadshow (409 when its seats are taken)", Tag: "enterprises", Obj: "roadshow", Act: "rate"}, s.apiAttend)
	s.API(v1, web.Route{Method: "POST", Path: "/roadshows/:id/ratings", Summary: "Rate a project 1-9 on feasibility, commercial value and team (once per rater and project)", Tag: "enterprises", Obj: "roadshow", Act: "rate"}, s.apiRate)
	s.API(v1, web.Route{Method: "POST", Path: "/docking", Summary: "Express interest in an enterprise (loan or investment)", Tag: "enterprises", Obj: "docking", Act: "create"}, s.apiDock)
	s.API(v1, web.Route{Method: "GET", Path: "/docking", Summary: "Docking: own institution's (banks, investors), the region's (officials)", Tag: "enterprises", Obj: "docking", Act: "read"}, s.apiDockingList)
	s.API(v1, web.Route{Method: "GET", Path: "/docking/:id", Summary: "One docking with its follow-up", Tag: "enterprises", Obj: "docking", Act: "read"}, s.apiDocking)
	s.API(v1, web.Route{Method: "POST", Path: "/docking/:id/follow-up", Summary: "An official of the enterprise's region follows a docking up (contacted, converted, closed)", Tag: "enterprises", Obj: "docking", Act: "follow_up"}, s.apiFollowUp)
}

func (s *api) apiDatahubImport(c *gin.Context) {
	data, err := web.UploadedFile(c)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	name := ""
	if fh, err := c.FormFile("file"); err == nil {
		name = fh.Filename
	}
	rep, err := s.Deps.Enterprises.Import(c.Request.Context(), web.MustCaller(c).User, c.Query("source"), data, enterprises.ImportOptions{FileName: name})
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, rep)
}

func (s *api) apiDatahubImports(c *gin.Context) {
	limit, cur, err := web.PageParams(c)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	recs, next, err := s.Deps.Enterprises.Imports(c.Request.Context(), web.MustCaller(c).User, limit, cur)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	web.List(c, recs, next)
}

func (s *api) apiEnterprises(c *gin.Context) {
	limit, cur, err := web.PageParams(c)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	list, next, err := s.Deps.Enterprises.List(c.Request.Context(), web.MustCaller(c).User, enterprises.Filter{Q: c.Query("q"),
		Region: c.Query("region"), Route: c.Query("route"), Flag: c.Query("flag"), Limit: limit, Cursor: cur})
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	web.List(c, list, next)
}

func (s *api) apiEnterprise(c *gin.Context) {
	v, err := s.Deps.Enterprises.Get(c.Request.Context(), web.MustCaller(c).User, c.Param("credit_code"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *api) apiEnterpriseDraft(c *gin.Context) {
	d, err := s.Deps.Enterprises.Draft(c.Request.Context(), web.MustCaller(c).User, c.Param("credit_code"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

func (s *api) apiApplicationPortrait(c *gin.Context) {
	v, err := s.Deps.Enterprises.ForApplication(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *api) apiEndorse(c *gin.Context) {
	var in enterprises.EndorsementInput
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	e, err := s.Deps.Enterprises.Endorse(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), in)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusCreated, e)
}

func (s *api) apiEndorsements(c *gin.Context) {
	list, err := s.Deps.Enterprises.Endorsements(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	web.ListSlice(c, list)
}

func (s *api) apiCandidates(c *gin.Context) {
	list, err := s.Deps.Enterprises.Candidates(c.Request.Context(), web.MustCaller(c).User)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	web.ListSlice(c, list)
}

func (s *api) apiCreateRoadshow(c *gin.Context) {
	var in enterprises.RoadshowInput
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	r, err := s.Deps.Enterprises.CreateRoadshow(c.Request.Context(), web.MustCaller(c).User, in)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.Header("Location", "/api/v1/roadshows/"+r.ID)
	c.JSON(http.StatusCreated, r)
}

func (s *api) apiRoadshows(c *gin.Context) {
	limit, cur, err := web.PageParams(c)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	list, next, err := s.Deps.Enterprises.Roadshows(c.Request.Context(), web.MustCaller(c).User, enterprises.RoadshowFilter{Chain: c.Query("chain"), Limit: limit, Cursor: cur})
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	web.List(c, list, next)
}

func (s *api) apiRoadshow(c *gin.Context) {
	v, err := s.Deps.Enterprises.GetRoadshow(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *api) apiRoadshowProject(c *gin.Context) {
	var in enterprises.ProjectInput
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	p, err := s.Deps.Enterprises.RegisterProject(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), in)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusCreated, p)
}

func (s *api) apiAttend(c *gin.Context) {
	r, err := s.Deps.Enterprises.Attend(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

func (s *api) apiRate(c *gin.Context) {
	var in enterprises.RatingInput
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	r, err := s.Deps.Enterprises.Rate(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), in)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusCreated, r)
}

func (s *api) apiDock(c *gin.Context) {
	var in enterprises.DockingInput
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	d, err := s.Deps.Enterprises.Dock(c.Request.Context(), web.MustCaller(c).User, in)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusCreated, d)
}

func (s *api) apiDockingList(c *gin.Context) {
	limit, cur, err := web.PageParams(c)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	list, next, err := s.Deps.Enterprises.DockingList(c.Request.Context(), web.MustCaller(c).User, enterprises.DockingFilter{State: c.Query("state"), Limit: limit, Cursor: cur})
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	web.List(c, list, next)
}

func (s *api) apiDocking(c *gin.Context) {
	d, err := s.Deps.Enterprises.GetDocking(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

func (s *api) apiFollowUp(c *gin.Context) {
	var in enterprises.FollowUpInput
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	d, err := s.Deps.Enterprises.FollowUp(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), in)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, d)
}

// hubReport is a panel's report with what the data hub adds: where the
// bank's figures differ from the portrait, whether the enterprise is listed
// as dishonest, and investors' endorsements.
type hubReport struct {
	scoring.Report
	PortraitFound       bool                      `json:"portrait_found"`
	PortraitDifferences []enterprises.Difference  `json:"portrait_differences"`
	Dishonest           bool                      `json:"dishonest"`
	Endorsements        []enterprises.Endorsement `json:"endorsements"`
}

// reportWithHub adds the data hub's part to a report (the report alone
// when there is no data hub).
func (s *api) reportWithHub(c *gin.Context, r scoring.Report) any {
	if s.Deps.Enterprises == nil {
		return r
	}
	ap, err := s.Deps.Enterprises.ForApplication(c.Request.Context(), web.MustCaller(c).User, r.ApplicationID)
	if err != nil {
		return r
	}
	return hubReport{Report: r, PortraitFound: ap.Found, PortraitDifferences: ap.Differences, Dishonest: ap.Dishonest, Endorsements: ap.Endorsements}
}
