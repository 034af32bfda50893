package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"kedaitong/taxonomy"
	"kedaitong/web"
)

func (s *api) registerFieldsAPI(v1 *gin.RouterGroup) {
	tax := taxonomy.Default()
	body := tax.JSON()
	etag := `"` + tax.Version + `"`
	s.API(v1, web.Route{Method: "GET", Path: "/fields", Summary: "The industry / technical-route taxonomy with zh-CN and en names", Tag: "fields", Obj: "field", Act: "read"}, func(c *gin.Context) {
		c.Header("ETag", etag)
		c.Header("Cache-Control", "private, max-age=300")
		if c.GetHeader("If-None-Match") == etag {
			c.Status(http.StatusNotModified)
			return
		}
		c.Data(http.StatusOK, "application/json; charset=utf-8", body)
	})
}
