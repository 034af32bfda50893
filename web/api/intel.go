package api

import (
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/intel"
	"kedaitong/web"
)

// registerIntelAPI registers the sources and items API routes.
func (s *api) registerIntelAPI(v1 *gin.RouterGroup) {
	s.API(v1, web.Route{Method: "GET", Path: "/sources", Summary: "The news sources with their health", Tag: "intel", Obj: "source", Act: "read"}, s.apiSources)
	s.API(v1, web.Route{Method: "POST", Path: "/sources", Summary: "Add a news source (refused when its URL is not public, unless allow-listed)", Tag: "intel", Obj: "source", Act: "create"}, s.apiCreateSource)
	s.API(v1, web.Route{Method: "POST", Path: "/sources/import", Summary: "Import sources from OPML (body or multipart field file); answers per outline", Tag: "intel", Obj: "source", Act: "import", Upload: true}, s.apiImportSources)
	s.API(v1, web.Route{Method: "GET", Path: "/sources/export", Summary: "The sources as OPML", Tag: "intel", Obj: "source", Act: "export"}, s.apiExportSources)
	s.API(v1, web.Route{Method: "GET", Path: "/sources/:id", Summary: "One source with its health", Tag: "intel", Obj: "source", Act: "read"}, s.apiSource)
	s.API(v1, web.Route{Method: "PATCH", Path: "/sources/:id", Summary: "Change a source's title, language, interval, tags, time zone or enabled flag", Tag: "intel", Obj: "source", Act: "update"}, s.apiPatchSource)
	s.API(v1, web.Route{Method: "DELETE", Path: "/sources/:id", Summary: "Remove a source (its items stay)", Tag: "intel", Obj: "source", Act: "delete"}, s.apiDeleteSource)
	s.API(v1, web.Route{Method: "POST", Path: "/sources/:id/refresh", Summary: "Fetch a source now and answer the outcome", Tag: "intel", Obj: "source", Act: "refresh"}, s.apiRefreshSource)
	s.API(v1, web.Route{Method: "GET", Path: "/items", Summary: "Classified news items, newest first; filters industry, dimension, polarity, source, enterprise, q, since, until, first", Tag: "intel", Obj: "item", Act: "read"}, s.apiItems)
	s.API(v1, web.Route{Method: "GET", Path: "/items/:id", Summary: "One news item", Tag: "intel", Obj: "item", Act: "read"}, s.apiItem)
}

func (s *api) apiSources(c *gin.Context) {
	limit, cur, err := web.PageParams(c)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	out, next, err := s.Deps.Intel.Sources(c.Request.Context(), web.MustCaller(c).User, limit, cur)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	web.List(c, out, next)
}

func (s *api) apiCreateSource(c *gin.Context) {
	var in intel.NewSource
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	src, err := s.Deps.Intel.CreateSource(c.Request.Context(), web.MustCaller(c).User, in)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.Header("Location", "/api/v1/sources/"+src.ID)
	c.JSON(http.StatusCreated, src)
}

func (s *api) apiSource(c *gin.Context) {
	src, err := s.Deps.Intel.Source(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, src)
}

func (s *api) apiPatchSource(c *gin.Context) {
	var in intel.SourcePatch
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	src, err := s.Deps.Intel.UpdateSource(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), in)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, src)
}

func (s *api) apiDeleteSource(c *gin.Context) {
	if err := s.Deps.Intel.DeleteSource(c.Request.Context(), web.MustCaller(c).User, c.Param("id")); err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "deleted"})
}

func (s *api) apiRefreshSource(c *gin.Context) {
	ctx := c.Request.Context()
	u := web.MustCaller(c).User
	out, err := s.Deps.Intel.Refresh(ctx, u, c.Param("id"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	src, err := s.Deps.Intel.Source(ctx, u, c.Param("id"))
	if err != nil {
		web.AbortWithError(c, err)
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
				return nil, kedaitong.Errorf(kedaitong.ETooLarge, "the upload is over %d bytes", web.MaxUploadBody).ZHf("上传内容超过 %d 字节", web.MaxUploadBody)
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
		return web.ReadBody(c)
	}
	return nil, kedaitong.Errorf(kedaitong.EUnsupported, "send the OPML file as text/xml, text/x-opml or in the multipart field \"file\"").ZHf("请以 text/xml、text/x-opml 或 multipart 字段 \"file\" 发送 OPML 文件")
}

func (s *api) apiImportSources(c *gin.Context) {
	body, err := opmlBody(c)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	res, err := s.Deps.Intel.ImportOPML(c.Request.Context(), web.MustCaller(c).User, body)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

func (s *api) apiExportSources(c *gin.Context) {
	b, err := s.Deps.Intel.ExportOPML(c.Request.Context(), web.MustCaller(c).User)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="kedaitong-sources.opml"`)
	c.Data(http.StatusOK, "text/x-opml; charset=utf-8", b)
}

func (s *api) apiItems(c *gin.Context) {
	f, err := web.ItemFilter(c)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	items, next, err := s.Deps.Intel.Items(c.Request.Context(), web.MustCaller(c).User, f)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	web.List(c, items, next)
}

func (s *api) apiItem(c *gin.Context) {
	it, err := s.Deps.Intel.Item(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, it)
}
