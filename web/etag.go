package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// NotModified sets ETag and Cache-Control (private: the answer depends on
// who asks; revalidated on every use) and answers 304 Not Modified when
// the request's If-None-Match names the ETag; it reports whether it did
// (the handler then writes nothing more).
func NotModified(c *gin.Context, etag string) bool {
	c.Header("ETag", etag)
	c.Header("Cache-Control", "private, no-cache")
	for _, t := range strings.Split(c.GetHeader("If-None-Match"), ",") {
		t = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t), "W/"))
		if t == etag || t == "*" {
			c.Status(http.StatusNotModified)
			c.Abort()
			return true
		}
	}
	return false
}
