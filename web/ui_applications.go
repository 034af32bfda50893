package web

import "github.com/gin-gonic/gin"

func (s *Server) registerApplicationsPages(e *gin.Engine) {}
