package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func (s *Server) apiDeclineConsultation(c *gin.Context) {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := bindJSON(c, &in); err != nil {
		abortWithError(c, err)
		return
	}
	v, err := s.deps.Consult.Decline(c.Request.Context(), mustCaller(c).User, c.Param("id"), in.Reason)
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": v.ID, "status": "declined"})
}

func (s *Server) pageDeclineConsultation(c *gin.Context) {
	_, err := s.deps.Consult.Decline(c.Request.Context(), mustCaller(c).User, c.Param("id"), c.PostForm("reason"))
	if err != nil {
		s.afterConsultAction(c, err, "declined")
		return
	}
	c.Redirect(http.StatusSeeOther, "/consultations?done=declined")
}
