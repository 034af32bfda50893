package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/review/rereview"
	"kedaitong/web"
)

func (s *api) registerRereviewAPI(v1 *gin.RouterGroup) {
	const tag = "rereviews"
	s.API(v1, web.Route{Method: "GET", Path: "/rereviews", Summary: "Re-reviews of granted loans the caller may see, newest first (banks: their own; officials: their region's); filters state (due_later, due, in_progress, concluded) and exit (true, false)", Tag: tag, Obj: "rereview", Act: "read"}, s.apiRereviews)
	s.API(v1, web.Route{Method: "GET", Path: "/rereviews/:id", Summary: "One re-review (its id is the granted application's id): due date, state, the round's application, the exit rule's outcome with its reasons", Tag: tag, Obj: "rereview", Act: "read"}, s.apiRereview)
	s.API(v1, web.Route{Method: "POST", Path: "/rereviews/:id/start", Summary: "Start a due re-review (the owning bank): a new application copying the granted one, linked by previous_application_id and submitted for a panel; 409 when not due or already started", Tag: tag, Obj: "rereview", Act: "start"}, s.apiStartRereview)
	s.API(v1, web.Route{Method: "GET", Path: "/assignments/:id/previous-report", Summary: "For a re-review round's panel: the previous round's report (scores, recommendations, seats by tier and field — never a name); 404 when the application was not re-reviewed", Tag: "assignments", Obj: "assignment", Act: "read"}, s.apiPreviousReport)
}

func (s *api) apiRereviews(c *gin.Context) {
	limit, cursor, err := web.PageParams(c)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	f := rereview.Filter{State: c.Query("state"), Limit: limit, Cursor: cursor}
	switch c.Query("exit") {
	case "":
	case "true":
		t := true
		f.Exit = &t
	case "false":
		t := false
		f.Exit = &t
	default:
		web.AbortWithError(c, kedaitong.Invalid("exit", "true or false").ZHf("参数 exit 只能是 true 或 false"))
		return
	}
	items, next, err := s.Deps.Rereview.List(c.Request.Context(), web.MustCaller(c).User, f)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	web.List(c, items, next)
}

func (s *api) apiRereview(c *gin.Context) {
	r, err := s.Deps.Rereview.Get(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

func (s *api) apiStartRereview(c *gin.Context) {
	r, err := s.Deps.Rereview.Start(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}

func (s *api) apiPreviousReport(c *gin.Context) {
	r, err := s.Deps.Rereview.Previous(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, r)
}
