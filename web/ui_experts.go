package web

import "github.com/gin-gonic/gin"

// registerExpertsPages registers the expert library's pages.
func (s *Server) registerExpertsPages(e *gin.Engine) {}
