package web

import "github.com/gin-gonic/gin"

// registerExpertsAPI registers the expert library's API routes.
func (s *Server) registerExpertsAPI(v1 *gin.RouterGroup) {}

// registerExpertsPages registers the expert library's pages.
func (s *Server) registerExpertsPages(e *gin.Engine) {}
