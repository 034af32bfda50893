package web

import (
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/intel"
)

// registerIntelAPI registers the sources and items API routes.
func (s *Server) registerIntelAPI(v1 *gin.RouterGroup) {
	s.api(v1, Route{Method: "GET", Path: "/sources", Summary: "The news sources with their health", Tag: "intel", Obj: "source", Act: "read"}, s.apiSources)
	s.api(v1, Route{Method: "POST", Path: "/sources", Summary: "Add a news source (refused when its URL is not public, unless allow-listed)", Tag: "intel", Obj: "source", Act: "create"}, s.apiCreateSource)
	s.api(v1, Route{Method: "POST", Path: "/sources/import", Summary: "Import sources from OPML (body or multipart field file); answers per outline", Tag: "intel", Obj: "source", Act: "import", Upload: true}, s.apiImportSources)
	s.api(v1, Route{Method: "GET", Path: "/sources/export", Summary: "The sources as OPML", Tag: "intel", Obj: "source", Act: "export"}, s.apiExportSources)
	s.api(v1, Route{Method: "GET", Path: "/sources/:id", Summary: "One source with its health", Tag: "intel", Obj: "source", Act: "read"}, s.apiSource)
	s.api(v1, Route{Method: "PATCH", Path: "/sources/:id", Summary: "Change a source's title, language, interval, tags, time zone or enabled flag", Tag: "intel", Obj: "source", Act: "update"}, s.apiPatchSource)
	s.api(v1, Route{Method: "DELETE", Path: "/sources/:id", Summary: "Remove a source (its items stay)", Tag: "intel", Obj: "source", Act: "delete"}, s.apiDeleteSource)
	s.api(v1, Route{Method: "POST", Path: "/sources/:id/refresh", Summary: "Fetch a source now and answer the outcome", Tag: "intel", Obj: "source", Act: "refresh"}, s.apiRefreshSource)
	s.api(v1, Route{Method: "GET", Path: "/items", Summary: "Classified news items, newest first; filters industry, dimension, polarity, source, enterprise, q, since, until, first", Tag: "intel", Obj: "item", Act: "read"}, s.apiItems)
	s.api(v1, Route{Method: "GET", Path: "/items/:id", Summary: "One news item", Tag: "intel", Obj: "item", Act: "read"}, s.apiItem)
}

func (s *Server) apiSources(c *gin.Context) {
	limit, cur, err := pageParams(c)
	if err != nil {
		abortWithError(c, err)
		return
	}
	out, next, err := s.deps.Intel.Sources(c.Request.Context(), mustCaller(c).User, limit, cur)
	if err != nil {
		abortWithError(c, err)
		return
	}
	list(c, out, next)
}

func (s *Server) apiCreateSource(c *gin.Context) {
	var in intel.NewSource
	if err := bindJSON(c, &in); err != nil {
		abortWithError(c, err)
		return
	}
	src, err := s.deps.Intel.CreateSource(c.Request.Context(), mustCaller(c).User, in)
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.Header("Location", "/api/v1/sources/"+src.ID)
	c.JSON(http.StatusCreated, src)
}

func (s *Server) apiSource(c *gin.Context) {
	src, err := s.deps.Intel.Source(c.Request.Context(), mustCaller(c).User, c.Param("id"))
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, src)
}

func (s *Server) apiPatchSource(c *gin.Context) {
	var in intel.SourcePatch
	if err := bindJSON(c, &in); err != nil {
		abortWithError(c, err)
		return
	}
	src, err := s.deps.Intel.UpdateSource(c.Request.Context(), mustCaller(c).User, c.Param("id"), in)
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, src)
}

func (s *Server) apiDeleteSource(c *gin.Context) {
	if err := s.deps.Intel.DeleteSource(c.Request.Context(), mustCaller(c).User, c.Param("id")); err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "deleted"})
}

func (s *Server) apiRefreshSource(c *gin.Context) {
	ctx := c.Request.Context()
	u := mustCaller(c).User
	out, err := s.deps.Intel.Refresh(ctx, u, c.Param("id"))
	if err != nil {
		abortWithError(c, err)
		return
	}
	src, err := s.deps.Intel.Source(ctx, u, c.Param("id"))
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"source_id": out.SourceID, "url": out.URL, "status": out.Status, "http_status": out.HTTPStatus,
		"items": out.Items, "new_items": out.NewItems, "error": out.Error, "error_kind": out.ErrorKind,
		"next_due": out.NextDue, "seconds": out.DurationSec, "source": src})
}

// opmlBody reads an OPML upload: the multipart field "file" or the raw body.
func opmlBody(c *gin.Context) ([]byte, error) {
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	switch mt {
	case "multipart/form-data":
		fh, err := c.FormFile("file")
		if err != nil {
			if strings.Contains(err.Error(), "too large") {
				return nil, kedaitong.Errorf(kedaitong.ETooLarge, "the upload is over %d bytes", maxUploadBody).ZHf("上传内容超过 %d 字节", maxUploadBody)
			}
			return nil, kedaitong.Errorf(kedaitong.EInvalid, "send the OPML file in the multipart field \"file\"").ZHf("请将 OPML 文件放在 multipart 字段 \"file\" 中发送")
		}
		f, err := fh.Open()
		if err != nil {
			return nil, kedaitong.Wrap(kedaitong.EInvalid, err, "the uploaded file cannot be read").ZHf("无法读取上传的文件")
		}
		defer f.Close()
		return io.ReadAll(io.LimitReader(f, intel.MaxOPMLBytes+1))
	case "", "text/xml", "application/xml", "text/x-opml", "application/x-opml", "application/octet-stream", "text/plain":
		return readBody(c)
	}
	return nil, kedaitong.Errorf(kedaitong.EUnsupported, "send the OPML file as text/xml, text/x-opml or in the multipart field \"file\"").ZHf("请以 text/xml、text/x-opml 或 multipart 字段 \"file\" 发送 OPML 文件")
}

func (s *Server) apiImportSources(c *gin.Context) {
	body, err := opmlBody(c)
	if err != nil {
		abortWithError(c, err)
		return
	}
	res, err := s.deps.Intel.ImportOPML(c.Request.Context(), mustCaller(c).User, body)
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

func (s *Server) apiExportSources(c *gin.Context) {
	b, err := s.deps.Intel.ExportOPML(c.Request.Context(), mustCaller(c).User)
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="kedaitong-sources.opml"`)
	c.Data(http.StatusOK, "text/x-opml; charset=utf-8", b)
}

// itemFilter reads the item stream's query parameters.
func itemFilter(c *gin.Context) (intel.ItemFilter, error) {
	limit, cur, err := pageParams(c)
	if err != nil {
		return intel.ItemFilter{}, err
	}
	f := intel.ItemFilter{Industry: c.Query("industry"), Dimension: c.Query("dimension"), Polarity: c.Query("polarity"),
		Source: c.Query("source"), Enterprise: c.Query("enterprise"), Q: strings.TrimSpace(c.Query("q")), Limit: limit, Cursor: cur}
	for _, p := range []struct {
		name string
		dst  **time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		if v := strings.TrimSpace(c.Query(p.name)); v != "" {
			t, err := parseWhen(v)
			if err != nil {
				return f, kedaitong.Invalid(p.name, "%q is not a date (2026-01-31) or an RFC 3339 time", v).ZHf("%q 不是日期（2026-01-31）或 RFC 3339 时间", v)
			}
			*p.dst = &t
		}
	}
	if v := c.Query("first"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return f, kedaitong.Invalid("first", "must be true or false").ZHf("参数 first 只能是 true 或 false")
		}
		f.FirstOnly = b
	}
	return f, nil
}

var chinaTime = time.FixedZone("CST", 8*3600)

// parseWhen reads an RFC 3339 time or a date (midnight China time).
func parseWhen(v string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	return time.ParseInLocation("2006-01-02", v, chinaTime)
}

func (s *Server) apiItems(c *gin.Context) {
	f, err := itemFilter(c)
	if err != nil {
		abortWithError(c, err)
		return
	}
	items, next, err := s.deps.Intel.Items(c.Request.Context(), mustCaller(c).User, f)
	if err != nil {
		abortWithError(c, err)
		return
	}
	list(c, items, next)
}

func (s *Server) apiItem(c *gin.Context) {
	it, err := s.deps.Intel.Item(c.Request.Context(), mustCaller(c).User, c.Param("id"))
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, it)
}
