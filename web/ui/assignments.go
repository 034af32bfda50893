package ui

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/review/panel"
	"kedaitong/taxonomy"
	"kedaitong/web"
)

func (s *ui) registerAssignmentsPages(e *gin.Engine) {
	s.page(e, web.UIRoute{Method: "GET", Path: "/assignments", Obj: "assignment", Act: "read"}, s.pageAssignments)
	s.page(e, web.UIRoute{Method: "POST", Path: "/assignments/run", Obj: "assignment", Act: "run"}, s.pageRunAssignments)
	s.page(e, web.UIRoute{Method: "POST", Path: "/assignments/:id/accept", Obj: "assignment", Act: "accept"}, s.pageAcceptAssignment)
	s.page(e, web.UIRoute{Method: "POST", Path: "/assignments/:id/decline", Obj: "assignment", Act: "decline"}, s.pageDeclineAssignment)
	s.page(e, web.UIRoute{Method: "GET", Path: "/applications/:id/panel", Obj: "panel", Act: "read"}, s.pagePanel)
}

// asgRow is an assignment as the pages show it.
type asgRow struct {
	panel.Assignment
	Enterprise string // the application's enterprise (from the brief)
	Bank       string // the asking bank's name
	Summary    string // what the expert reads before answering an invitation
	Amount     int64
	TermMonths int
	Region     string // the enterprise's county and city, by name
	ExpertName string // for officials
	RouteName  string
	Due        string
	Open       bool // the expert may still answer or decline
	Invited    bool
}

// asgRows names each assignment's application (enterprise, bank, summary:
// what an invited expert needs to recognise a conflict of interest) and,
// for officials, its expert.
func (s *ui) asgRows(ctx context.Context, u identity.User, as []panel.Assignment, lang string) []asgRow {
	rows := asgRows(as, lang)
	for i := range rows {
		r := &rows[i]
		if b, err := s.Deps.Panel.Brief(ctx, u, r.ID); err == nil {
			r.Enterprise, r.Summary, r.Amount, r.TermMonths = b.Enterprise, b.Summary, b.Amount, b.TermMonths
			r.Region = taxonomy.RegionNameOf(b.Region, lang)
			if s.Deps.Banks != nil {
				if bk, err := s.Deps.Banks.Get(ctx, u, b.BankID); err == nil {
					r.Bank = bk.Name
				}
			}
		}
		if u.Role != identity.RoleExpert && s.Deps.Experts != nil {
			if x, err := s.Deps.Experts.Get(ctx, u, r.ExpertID); err == nil {
				r.ExpertName = x.Name
			}
		}
	}
	return rows
}

func asgRows(as []panel.Assignment, lang string) []asgRow {
	tax := taxonomy.Default()
	rows := make([]asgRow, 0, len(as))
	for _, a := range as {
		r := asgRow{Assignment: a, RouteName: a.Route, Due: fmtTime(a.Due),
			Open: a.State == panel.StateInvited || a.State == panel.StateAccepted, Invited: a.State == panel.StateInvited}
		if rt, ok := tax.Route(a.Route); ok {
			r.RouteName = pick(rt.Name, lang)
		}
		rows = append(rows, r)
	}
	return rows
}

// shortRow is a shortfall with its application's name.
type shortRow struct {
	panel.Shortfall
	Enterprise string
}

func (s *ui) renderAssignments(c *gin.Context, status int, run *panel.RunResult, errMsg string) {
	cl := web.MustCaller(c)
	lang := web.PickLang(c)
	f := panel.Filter{State: c.Query("state"), Application: c.Query("application")}
	rows, list, done, err := s.assignmentList(c, cl.User, f, lang)
	if done {
		return
	}
	if err != nil && errMsg == "" {
		errMsg, status = web.ErrText(c, err), web.StatusOf(err)
	}
	var shorts []shortRow
	var invited []asgRow
	if run != nil {
		names := map[string]string{}
		for _, sf := range run.Shortfalls {
			if _, ok := names[sf.ApplicationID]; !ok {
				names[sf.ApplicationID] = sf.ApplicationID
				if v, err := s.Deps.Review.Get(c.Request.Context(), cl.User, sf.ApplicationID); err == nil {
					names[sf.ApplicationID] = v.Enterprise.Name
				}
			}
			shorts = append(shorts, shortRow{Shortfall: sf, Enterprise: names[sf.ApplicationID]})
		}
		invited = s.asgRows(c.Request.Context(), cl.User, run.Invitations, lang)
	}
	s.render(c, status, "assignments", "asg.title", gin.H{
		"Rows": rows, "List": list, "Error": errMsg, "Done": c.Query("done"),
		"States": panel.States, "State": f.State, "Application": f.Application, "Expert": cl.User.Role == identity.RoleExpert,
		"Run": run, "Shortfalls": shorts, "Invited": invited, "Unnamed": s.tr(c).T("asg.unnamed"),
	})
}

func (s *ui) pageAssignments(c *gin.Context) {
	s.renderAssignments(c, http.StatusOK, nil, "")
}

func (s *ui) pageRunAssignments(c *gin.Context) {
	r, err := s.Deps.Panel.Run(c.Request.Context(), web.MustCaller(c).User)
	if err != nil {
		s.renderAssignments(c, web.StatusOf(err), nil, web.ErrText(c, err))
		return
	}
	s.renderAssignments(c, http.StatusOK, &r, "")
}

func (s *ui) afterAnswer(c *gin.Context, err error, notice string) {
	if err != nil {
		if kedaitong.Is(err, kedaitong.ENotFound) {
			s.renderNotFound(c)
			return
		}
		s.renderAssignments(c, web.StatusOf(err), nil, web.ErrText(c, err))
		return
	}
	c.Redirect(http.StatusSeeOther, "/assignments?done="+url.QueryEscape(notice))
}

func (s *ui) pageAcceptAssignment(c *gin.Context) {
	_, err := s.Deps.Panel.Accept(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	s.afterAnswer(c, err, "accepted")
}

func (s *ui) pageDeclineAssignment(c *gin.Context) {
	_, err := s.Deps.Panel.Decline(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), strings.TrimSpace(c.PostForm("reason")))
	s.afterAnswer(c, err, "declined")
}

func (s *ui) pagePanel(c *gin.Context) {
	cl := web.MustCaller(c)
	ctx := c.Request.Context()
	v, err := s.Deps.Panel.Panel(ctx, cl.User, c.Param("id"))
	if err != nil {
		if kedaitong.Is(err, kedaitong.ENotFound) {
			s.renderNotFound(c)
			return
		}
		s.render(c, web.StatusOf(err), "assignments_panel", "asg.panel.title", gin.H{"Error": web.ErrText(c, err)})
		return
	}
	app, err := s.Deps.Review.Get(ctx, cl.User, v.ApplicationID)
	if err != nil {
		s.renderNotFound(c)
		return
	}
	var excluded, others []panel.Candidate
	for _, cd := range v.Considered {
		if cd.Outcome == panel.OutcomeExcluded {
			excluded = append(excluded, cd)
		} else {
			others = append(others, cd)
		}
	}
	s.render(c, http.StatusOK, "assignments_panel", "asg.panel.title", gin.H{
		"Panel": v, "App": toRow(app, web.PickLang(c), cl.User), "Excluded": excluded, "Others": others,
	})
}
