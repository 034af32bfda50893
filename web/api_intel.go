package web

import "github.com/gin-gonic/gin"

// registerIntelAPI registers the sources and items API routes.
func (s *Server) registerIntelAPI(v1 *gin.RouterGroup) {}

// registerIntelPages registers the analysts' pages.
func (s *Server) registerIntelPages(e *gin.Engine) {}
