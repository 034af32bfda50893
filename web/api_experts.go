package web

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/experts"
)

// registerExpertsAPI registers the expert library's API routes. The static
// /experts/export and /experts/import sit beside /experts/:id (gin serves
// static segments first).
func (s *Server) registerExpertsAPI(v1 *gin.RouterGroup) {
	s.api(v1, Route{Method: "GET", Path: "/experts", Summary: "Search the expert directory (filters field, tier, region, available_on, q, committee, status; experts: themselves only)", Tag: "experts", Obj: "expert", Act: "read"}, s.apiExperts)
	s.api(v1, Route{Method: "POST", Path: "/experts", Summary: "Add an expert", Tag: "experts", Obj: "expert", Act: "create"}, s.apiCreateExpert)
	s.api(v1, Route{Method: "GET", Path: "/experts/export", Summary: "The filtered directory as an XLSX workbook (the import's format)", Tag: "experts", Obj: "expert", Act: "export"}, s.apiExportExperts)
	s.api(v1, Route{Method: "POST", Path: "/experts/import", Summary: "Import experts from CSV or XLSX (body or multipart field file); upserts on id", Tag: "experts", Obj: "expert", Act: "import", Upload: true}, s.apiImportExperts)
	s.api(v1, Route{Method: "GET", Path: "/experts/:id", Summary: "One expert's profile with its track record (experts: their own)", Tag: "experts", Obj: "expert", Act: "read"}, s.apiExpert)
	s.api(v1, Route{Method: "PATCH", Path: "/experts/:id", Summary: "Change a profile (experts: their own unavailable periods and declared conflicts only)", Tag: "experts", Obj: "expert", Act: "update"}, s.apiPatchExpert)
	s.api(v1, Route{Method: "GET", Path: "/committees", Summary: "The technical review committees (filter field: an industry or route)", Tag: "experts", Obj: "committee", Act: "read"}, s.apiCommittees)
	s.api(v1, Route{Method: "POST", Path: "/committees", Summary: "Create the committee of an industry or route", Tag: "experts", Obj: "committee", Act: "create"}, s.apiCreateCommittee)
	s.api(v1, Route{Method: "GET", Path: "/committees/:id", Summary: "One committee", Tag: "experts", Obj: "committee", Act: "read"}, s.apiCommittee)
	s.api(v1, Route{Method: "PATCH", Path: "/committees/:id", Summary: "Change a committee's name, members or chair", Tag: "experts", Obj: "committee", Act: "update"}, s.apiPatchCommittee)
}

// expertFilter reads the directory filters of the query string.
func expertFilter(c *gin.Context) (experts.Filter, error) {
	limit, cur, err := pageParams(c)
	if err != nil {
		return experts.Filter{}, err
	}
	return experts.Filter{Field: c.Query("field"), Tier: c.Query("tier"), Region: c.Query("region"), AvailableOn: c.Query("available_on"),
		Q: c.Query("q"), Committee: c.Query("committee"), Status: c.Query("status"), Limit: limit, Cursor: cur}, nil
}

func (s *Server) apiExperts(c *gin.Context) {
	f, err := expertFilter(c)
	if err != nil {
		abortWithError(c, err)
		return
	}
	es, next, err := s.deps.Experts.Search(c.Request.Context(), mustCaller(c).User, f)
	if err != nil {
		abortWithError(c, err)
		return
	}
	list(c, es, next)
}

func (s *Server) apiCreateExpert(c *gin.Context) {
	var in experts.Input
	if err := bindJSON(c, &in); err != nil {
		abortWithError(c, err)
		return
	}
	e, err := s.deps.Experts.Create(c.Request.Context(), mustCaller(c).User, in)
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.Header("Location", "/api/v1/experts/"+e.ID)
	v, err := s.deps.Experts.Get(c.Request.Context(), mustCaller(c).User, e.ID)
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusCreated, v)
}

func (s *Server) apiExpert(c *gin.Context) {
	v, err := s.deps.Experts.Get(c.Request.Context(), mustCaller(c).User, c.Param("id"))
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) apiPatchExpert(c *gin.Context) {
	var p experts.Patch
	if err := bindJSON(c, &p); err != nil {
		abortWithError(c, err)
		return
	}
	u := mustCaller(c).User
	if _, err := s.deps.Experts.Update(c.Request.Context(), u, c.Param("id"), p); err != nil {
		abortWithError(c, err)
		return
	}
	v, err := s.deps.Experts.Get(c.Request.Context(), u, c.Param("id"))
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// uploadedFile returns the uploaded file: the multipart field "file", or
// the raw body.
func uploadedFile(c *gin.Context) ([]byte, error) {
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt == "multipart/form-data" {
		fh, err := c.FormFile("file")
		if err != nil {
			if strings.Contains(err.Error(), "too large") {
				return nil, kedaitong.Errorf(kedaitong.ETooLarge, "the upload is over %d bytes", maxUploadBody).ZHf("上传内容超过 %d 字节", maxUploadBody)
			}
			return nil, kedaitong.Errorf(kedaitong.EInvalid, "send the file in the multipart field \"file\"").ZHf("请将文件放在 multipart 字段 \"file\" 中发送")
		}
		if fh.Size > maxUploadBody {
			return nil, kedaitong.Errorf(kedaitong.ETooLarge, "the upload is over %d bytes", maxUploadBody).ZHf("上传内容超过 %d 字节", maxUploadBody)
		}
		f, err := fh.Open()
		if err != nil {
			return nil, kedaitong.Wrap(kedaitong.EInvalid, err, "the uploaded file cannot be read").ZHf("无法读取上传的文件")
		}
		defer f.Close()
		return io.ReadAll(io.LimitReader(f, maxUploadBody+1))
	}
	return readBody(c)
}

func (s *Server) apiImportExperts(c *gin.Context) {
	data, err := uploadedFile(c)
	if err != nil {
		abortWithError(c, err)
		return
	}
	res, err := s.deps.Experts.Import(c.Request.Context(), mustCaller(c).User, data)
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func (s *Server) apiExportExperts(c *gin.Context) {
	f, err := expertFilter(c)
	if err != nil {
		abortWithError(c, err)
		return
	}
	zh := strings.HasPrefix(c.Query("lang"), "zh")
	var buf bytes.Buffer
	if _, err := s.deps.Experts.Export(c.Request.Context(), mustCaller(c).User, f, zh, &buf); err != nil {
		abortWithError(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="experts.xlsx"`)
	c.Data(http.StatusOK, xlsxType, buf.Bytes())
}

func (s *Server) apiCommittees(c *gin.Context) {
	cs, err := s.deps.Experts.Committees(c.Request.Context(), mustCaller(c).User, c.Query("field"))
	if err != nil {
		abortWithError(c, err)
		return
	}
	listSlice(c, cs)
}

func (s *Server) apiCreateCommittee(c *gin.Context) {
	var in experts.CommitteeInput
	if err := bindJSON(c, &in); err != nil {
		abortWithError(c, err)
		return
	}
	cm, err := s.deps.Experts.CreateCommittee(c.Request.Context(), mustCaller(c).User, in)
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.Header("Location", "/api/v1/committees/"+cm.ID)
	c.JSON(http.StatusCreated, cm)
}

func (s *Server) apiCommittee(c *gin.Context) {
	cm, err := s.deps.Experts.Committee(c.Request.Context(), mustCaller(c).User, c.Param("id"))
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, cm)
}

func (s *Server) apiPatchCommittee(c *gin.Context) {
	var p experts.CommitteePatch
	if err := bindJSON(c, &p); err != nil {
		abortWithError(c, err)
		return
	}
	cm, err := s.deps.Experts.UpdateCommittee(c.Request.Context(), mustCaller(c).User, c.Param("id"), p)
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, cm)
}
