package api

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"kedaitong/experts"
	"kedaitong/web"
)

// registerExpertsAPI registers the expert library's API routes. The static
// /experts/export and /experts/import sit beside /experts/:id (gin serves
// static segments first).
func (s *api) registerExpertsAPI(v1 *gin.RouterGroup) {
	s.API(v1, web.Route{Method: "GET", Path: "/experts", Summary: "Search the expert directory (filters field, tier, region, available_on, q, committee, status; experts: themselves only)", Tag: "experts", Obj: "expert", Act: "read"}, s.apiExperts)
	s.API(v1, web.Route{Method: "POST", Path: "/experts", Summary: "Add an expert", Tag: "experts", Obj: "expert", Act: "create"}, s.apiCreateExpert)
	s.API(v1, web.Route{Method: "GET", Path: "/experts/export", Summary: "The filtered directory as an XLSX workbook (the import's format)", Tag: "experts", Obj: "expert", Act: "export"}, s.apiExportExperts)
	s.API(v1, web.Route{Method: "POST", Path: "/experts/import", Summary: "Import experts from CSV or XLSX (body or multipart field file); upserts on id", Tag: "experts", Obj: "expert", Act: "import", Upload: true}, s.apiImportExperts)
	s.API(v1, web.Route{Method: "GET", Path: "/experts/:id", Summary: "One expert's profile with its track record (experts: their own)", Tag: "experts", Obj: "expert", Act: "read"}, s.apiExpert)
	s.API(v1, web.Route{Method: "PATCH", Path: "/experts/:id", Summary: "Change a profile (experts: their own unavailable periods and declared conflicts only)", Tag: "experts", Obj: "expert", Act: "update"}, s.apiPatchExpert)
	s.API(v1, web.Route{Method: "GET", Path: "/committees", Summary: "The technical review committees (filter field: an industry or route)", Tag: "experts", Obj: "committee", Act: "read"}, s.apiCommittees)
	s.API(v1, web.Route{Method: "POST", Path: "/committees", Summary: "Create the committee of an industry or route", Tag: "experts", Obj: "committee", Act: "create"}, s.apiCreateCommittee)
	s.API(v1, web.Route{Method: "GET", Path: "/committees/:id", Summary: "One committee", Tag: "experts", Obj: "committee", Act: "read"}, s.apiCommittee)
	s.API(v1, web.Route{Method: "PATCH", Path: "/committees/:id", Summary: "Change a committee's name, members or chair", Tag: "experts", Obj: "committee", Act: "update"}, s.apiPatchCommittee)
}

// expertFilter reads the directory filters of the query string.
func expertFilter(c *gin.Context) (experts.Filter, error) {
	limit, cur, err := web.PageParams(c)
	if err != nil {
		return experts.Filter{}, err
	}
	return experts.Filter{Field: c.Query("field"), Tier: c.Query("tier"), Region: c.Query("region"), AvailableOn: c.Query("available_on"),
		Q: c.Query("q"), Committee: c.Query("committee"), Status: c.Query("status"), Limit: limit, Cursor: cur}, nil
}

func (s *api) apiExperts(c *gin.Context) {
	f, err := expertFilter(c)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	es, next, err := s.Deps.Experts.Search(c.Request.Context(), web.MustCaller(c).User, f)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	web.List(c, es, next)
}

func (s *api) apiCreateExpert(c *gin.Context) {
	var in experts.Input
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	e, err := s.Deps.Experts.Create(c.Request.Context(), web.MustCaller(c).User, in)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.Header("Location", "/api/v1/experts/"+e.ID)
	v, err := s.Deps.Experts.Get(c.Request.Context(), web.MustCaller(c).User, e.ID)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusCreated, v)
}

func (s *api) apiExpert(c *gin.Context) {
	v, err := s.Deps.Experts.Get(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *api) apiPatchExpert(c *gin.Context) {
	var p experts.Patch
	if err := web.BindJSON(c, &p); err != nil {
		web.AbortWithError(c, err)
		return
	}
	u := web.MustCaller(c).User
	if _, err := s.Deps.Experts.Update(c.Request.Context(), u, c.Param("id"), p); err != nil {
		web.AbortWithError(c, err)
		return
	}
	v, err := s.Deps.Experts.Get(c.Request.Context(), u, c.Param("id"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *api) apiImportExperts(c *gin.Context) {
	data, err := web.UploadedFile(c)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	res, err := s.Deps.Experts.Import(c.Request.Context(), web.MustCaller(c).User, data)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func (s *api) apiExportExperts(c *gin.Context) {
	f, err := expertFilter(c)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	zh := strings.HasPrefix(c.Query("lang"), "zh")
	var buf bytes.Buffer
	if _, err := s.Deps.Experts.Export(c.Request.Context(), web.MustCaller(c).User, f, zh, &buf); err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="experts.xlsx"`)
	c.Data(http.StatusOK, xlsxType, buf.Bytes())
}

func (s *api) apiCommittees(c *gin.Context) {
	cs, err := s.Deps.Experts.Committees(c.Request.Context(), web.MustCaller(c).User, c.Query("field"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	web.ListSlice(c, cs)
}

func (s *api) apiCreateCommittee(c *gin.Context) {
	var in experts.CommitteeInput
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	cm, err := s.Deps.Experts.CreateCommittee(c.Request.Context(), web.MustCaller(c).User, in)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.Header("Location", "/api/v1/committees/"+cm.ID)
	c.JSON(http.StatusCreated, cm)
}

func (s *api) apiCommittee(c *gin.Context) {
	cm, err := s.Deps.Experts.Committee(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, cm)
}

func (s *api) apiPatchCommittee(c *gin.Context) {
	var p experts.CommitteePatch
	if err := web.BindJSON(c, &p); err != nil {
		web.AbortWithError(c, err)
		return
	}
	cm, err := s.Deps.Experts.UpdateCommittee(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), p)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, cm)
}
