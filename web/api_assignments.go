package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"kedaitong/review/panel"
)

func (s *Server) registerAssignmentsAPI(v1 *gin.RouterGroup) {
	const tag = "assignments"
	s.api(v1, Route{Method: "POST", Path: "/assignments/run", Summary: "Assign panels to every application waiting for one (an official: those of its region), keeping seats already held; answers the invitations sent and the shortfalls with their reasons", Tag: tag, Obj: "assignment", Act: "run"}, s.apiRunAssignments)
	s.api(v1, Route{Method: "GET", Path: "/assignments", Summary: "Panel assignments the caller may see, newest first (an expert: its own); filters application, state", Tag: tag, Obj: "assignment", Act: "read"}, s.apiAssignments)
	s.api(v1, Route{Method: "GET", Path: "/assignments/:id", Summary: "One panel assignment", Tag: tag, Obj: "assignment", Act: "read"}, s.apiAssignment)
	s.api(v1, Route{Method: "POST", Path: "/assignments/:id/accept", Summary: "Accept an invitation (the assigned expert); the due date becomes the review deadline", Tag: tag, Obj: "assignment", Act: "accept"}, s.apiAcceptAssignment)
	s.api(v1, Route{Method: "POST", Path: "/assignments/:id/decline", Summary: "Decline an invitation or an accepted assignment with {\"reason\"} (the assigned expert); a replacement is invited at once", Tag: tag, Obj: "assignment", Act: "decline"}, s.apiDeclineAssignment)
	s.api(v1, Route{Method: "GET", Path: "/applications/:id/panel", Summary: "An application's panel for officials: seat holders, refusals, who was considered and why each excluded expert was excluded, shortfalls", Tag: tag, Obj: "panel", Act: "read"}, s.apiPanel)
}

func (s *Server) apiRunAssignments(c *gin.Context) {
	var in struct{}
	if err := bindOptionalJSON(c, &in); err != nil {
		abortWithError(c, err)
		return
	}
	r, err := s.deps.Panel.Run(c.Request.Context(), mustCaller(c).User)
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

func (s *Server) apiAssignments(c *gin.Context) {
	limit, cur, err := pageParams(c)
	if err != nil {
		abortWithError(c, err)
		return
	}
	as, next, err := s.deps.Panel.List(c.Request.Context(), mustCaller(c).User,
		panel.Filter{Application: c.Query("application"), State: c.Query("state"), Limit: limit, Cursor: cur})
	if err != nil {
		abortWithError(c, err)
		return
	}
	list(c, as, next)
}

func (s *Server) apiAssignment(c *gin.Context) {
	a, err := s.deps.Panel.Get(c.Request.Context(), mustCaller(c).User, c.Param("id"))
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, a)
}

func (s *Server) apiAcceptAssignment(c *gin.Context) {
	var in struct{}
	if err := bindOptionalJSON(c, &in); err != nil {
		abortWithError(c, err)
		return
	}
	a, err := s.deps.Panel.Accept(c.Request.Context(), mustCaller(c).User, c.Param("id"))
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, a)
}

func (s *Server) apiDeclineAssignment(c *gin.Context) {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := bindJSON(c, &in); err != nil {
		abortWithError(c, err)
		return
	}
	a, err := s.deps.Panel.Decline(c.Request.Context(), mustCaller(c).User, c.Param("id"), in.Reason)
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, a)
}

func (s *Server) apiPanel(c *gin.Context) {
	v, err := s.deps.Panel.Panel(c.Request.Context(), mustCaller(c).User, c.Param("id"))
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}
