package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"kedaitong/review/panel"
	"kedaitong/web"
)

func (s *api) registerAssignmentsAPI(v1 *gin.RouterGroup) {
	const tag = "assignments"
	s.API(v1, web.Route{Method: "POST", Path: "/assignments/run", Summary: "Assign panels to every application waiting for one (an official: those of its region), keeping seats already held; answers the invitations sent and the shortfalls with their reasons", Tag: tag, Obj: "assignment", Act: "run"}, s.apiRunAssignments)
	s.API(v1, web.Route{Method: "GET", Path: "/assignments", Summary: "Panel assignments the caller may see, newest first (an expert: its own); filters application, state", Tag: tag, Obj: "assignment", Act: "read"}, s.apiAssignments)
	s.API(v1, web.Route{Method: "GET", Path: "/assignments/:id", Summary: "One panel assignment", Tag: tag, Obj: "assignment", Act: "read"}, s.apiAssignment)
	s.API(v1, web.Route{Method: "POST", Path: "/assignments/:id/accept", Summary: "Accept an invitation (the assigned expert); the due date becomes the review deadline", Tag: tag, Obj: "assignment", Act: "accept"}, s.apiAcceptAssignment)
	s.API(v1, web.Route{Method: "POST", Path: "/assignments/:id/decline", Summary: "Decline an invitation or an accepted assignment with {\"reason\"} (the assigned expert); a replacement is invited at once", Tag: tag, Obj: "assignment", Act: "decline"}, s.apiDeclineAssignment)
	s.API(v1, web.Route{Method: "GET", Path: "/applications/:id/panel", Summary: "An application's panel for officials: seat holders, refusals, who was considered and why each excluded expert was excluded, shortfalls", Tag: tag, Obj: "panel", Act: "read"}, s.apiPanel)
}

func (s *api) apiRunAssignments(c *gin.Context) {
	var in struct{}
	if err := web.BindOptionalJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	r, err := s.Deps.Panel.Run(c.Request.Context(), web.MustCaller(c).User)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

func (s *api) apiAssignments(c *gin.Context) {
	limit, cur, err := web.PageParams(c)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	as, next, err := s.Deps.Panel.List(c.Request.Context(), web.MustCaller(c).User,
		panel.Filter{Application: c.Query("application"), State: c.Query("state"), Limit: limit, Cursor: cur})
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	items, next, err := s.withEvaluationSeats(c, as, next)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	web.List(c, items, next)
}

func (s *api) apiAssignment(c *gin.Context) {
	if s.evaluationSeat(c, "get") {
		return
	}
	a, err := s.Deps.Panel.Get(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, a)
}

func (s *api) apiAcceptAssignment(c *gin.Context) {
	if s.evaluationSeat(c, "accept") {
		return
	}
	var in struct{}
	if err := web.BindOptionalJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	a, err := s.Deps.Panel.Accept(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, a)
}

func (s *api) apiDeclineAssignment(c *gin.Context) {
	if s.evaluationSeat(c, "decline") {
		return
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	a, err := s.Deps.Panel.Decline(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), in.Reason)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, a)
}

func (s *api) apiPanel(c *gin.Context) {
	v, err := s.Deps.Panel.Panel(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}
