package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/review/rereview"
)

func (s *Server) registerRereviewPages(e *gin.Engine) {
	s.page(e, uiRoute{Method: "GET", Path: "/rereviews", Obj: "rereview", Act: "read"}, s.pageRereviews)
	s.page(e, uiRoute{Method: "GET", Path: "/rereviews/:id", Obj: "rereview", Act: "read"}, s.pageRereview)
	s.page(e, uiRoute{Method: "POST", Path: "/rereviews/:id/start", Obj: "rereview", Act: "start"}, s.pageStartRereview)
}

// rrRow is a re-review as the page shows it.
type rrRow struct {
	rereview.Rereview
	Reasons  []string
	CanStart bool
}

func toRRRow(r rereview.Rereview, u identity.User, lang string) rrRow {
	row := rrRow{Rereview: r, CanStart: identity.IsBankRole(u.Role) && r.State == rereview.StateDue}
	if r.Outcome != nil {
		for _, t := range r.Outcome.Reasons {
			if lang == "en" {
				row.Reasons = append(row.Reasons, t.EN)
			} else {
				row.Reasons = append(row.Reasons, t.ZH)
			}
		}
	}
	return row
}

func (s *Server) pageRereviews(c *gin.Context) {
	s.renderRereviews(c, http.StatusOK, "", nil)
}

func (s *Server) renderRereviews(c *gin.Context, status int, notice string, failure error) {
	u := mustCaller(c).User
	lang := pickLang(c)
	_, cur, _ := pageParams(c)
	f := rereview.Filter{State: c.Query("state"), Limit: 50, Cursor: cur}
	if c.Query("exit") == "true" {
		t := true
		f.Exit = &t
	}
	items, next, err := s.deps.Rereview.List(c.Request.Context(), u, f)
	errMsg := ""
	if failure != nil {
		errMsg = errText(c, failure)
	} else if err != nil {
		errMsg, status = errText(c, err), StatusOf(err)
	}
	rows := make([]rrRow, 0, len(items))
	for _, r := range items {
		rows = append(rows, toRRRow(r, u, lang))
	}
	nextURL := ""
	if next != "" {
		q := url.Values{"cursor": {next}}
		if f.State != "" {
			q.Set("state", f.State)
		}
		if f.Exit != nil {
			q.Set("exit", "true")
		}
		nextURL = "/rereviews?" + q.Encode()
	}
	if notice == "" && c.Query("done") == "started" {
		notice = "rereview.started"
	}
	s.render(c, status, "rereviews", "rereview.list.title", gin.H{"Rows": rows, "Next": nextURL, "Error": errMsg, "Notice": notice,
		"States": rereview.States, "State": f.State, "ExitOnly": f.Exit != nil, "Months": s.deps.Rereview.Months()})
}

func (s *Server) pageRereview(c *gin.Context) {
	u := mustCaller(c).User
	r, err := s.deps.Rereview.Get(c.Request.Context(), u, c.Param("id"))
	if err != nil {
		if kedaitong.Is(err, kedaitong.ENotFound) {
			s.renderNotFound(c)
			return
		}
		s.render(c, StatusOf(err), "rereviews", "rereview.list.title", gin.H{"Error": errText(c, err), "Single": true})
		return
	}
	s.render(c, http.StatusOK, "rereviews", "rereview.list.title", gin.H{"Rows": []rrRow{toRRRow(r, u, pickLang(c))}, "Single": true,
		"Months": s.deps.Rereview.Months()})
}

func (s *Server) pageStartRereview(c *gin.Context) {
	_, err := s.deps.Rereview.Start(c.Request.Context(), mustCaller(c).User, c.Param("id"))
	if err != nil {
		s.renderRereviews(c, StatusOf(err), "", err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/rereviews?done=started")
}
