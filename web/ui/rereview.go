package ui

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/review/rereview"
	"kedaitong/web"
)

func (s *ui) registerRereviewPages(e *gin.Engine) {
	s.page(e, web.UIRoute{Method: "GET", Path: "/rereviews", Obj: "rereview", Act: "read"}, s.pageRereviews)
	s.page(e, web.UIRoute{Method: "GET", Path: "/rereviews/:id", Obj: "rereview", Act: "read"}, s.pageRereview)
	s.page(e, web.UIRoute{Method: "POST", Path: "/rereviews/:id/start", Obj: "rereview", Act: "start"}, s.pageStartRereview)
}

// rrRow is a re-review as the page shows it.
type rrRow struct {
	rereview.Rereview
	Reasons  []string
	CanStart bool
	BankName string
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

func (s *ui) pageRereviews(c *gin.Context) {
	s.renderRereviews(c, http.StatusOK, "", nil)
}

func (s *ui) renderRereviews(c *gin.Context, status int, notice string, failure error) {
	u := web.MustCaller(c).User
	lang := web.PickLang(c)
	ctx := c.Request.Context()
	f := rereview.Filter{State: c.Query("state"), Limit: 500}
	if c.Query("exit") == "true" {
		t := true
		f.Exit = &t
	}
	items, truncated, err := readAll(func(cur string) ([]rereview.Rereview, string, error) {
		f.Cursor = cur
		return s.Deps.Rereview.List(ctx, u, f)
	})
	errMsg := ""
	if failure != nil {
		errMsg = web.ErrText(c, failure)
	} else if err != nil {
		errMsg, status = web.ErrText(c, err), web.StatusOf(err)
	}
	all := make([]rrRow, 0, len(items))
	for _, r := range items {
		all = append(all, toRRRow(r, u, lang))
	}
	tr := web.NewTr(s.bundle, lang)
	banks := s.bankNames(c, u)
	spec := listSpec[rrRow]{ID: "rr", Sheet: "rereview.list.title", Sort: "due", Cols: []col[rrRow]{
		textCol("enterprise", "rereview.enterprise", func(r rrRow) string { return r.Enterprise }),
		textCol("region", "app.region", func(r rrRow) string { return regionText(lang, r.Region) }),
		textCol("bank", "lists.bank", func(r rrRow) string { return nameOr(banks[r.BankID], r.BankID) }),
		moneyCol("amount", "rereview.amount", func(r rrRow) int64 { return r.Amount }),
		textCol("decided", "rereview.decision_date", func(r rrRow) string { return r.DecisionDate }),
		textCol("due", "rereview.due_date", func(r rrRow) string { return r.DueDate }),
		textCol("state", "rereview.state", func(r rrRow) string { return tr.T("rereview.state." + r.State) }),
		textCol("outcome", "rereview.outcome", func(r rrRow) string {
			switch {
			case r.Exit:
				return tr.T("rereview.exit")
			case r.State == rereview.StateConcluded:
				return tr.T("rereview.no_exit")
			}
			return "—"
		}),
		{Label: "users.actions", Fixed: true, Skip: true},
	}, Search: func(r rrRow) string { return r.CreditCode + " " + r.ApplicationID }}
	rows, list, done := listRows(s, c, spec, all, truncated)
	if done {
		return
	}
	for i := range rows {
		rows[i].BankName = nameOr(banks[rows[i].BankID], rows[i].BankID)
	}
	if notice == "" && c.Query("done") == "started" {
		notice = "rereview.started"
	}
	s.render(c, status, "rereviews", "rereview.list.title", gin.H{"Rows": rows, "List": list, "Error": errMsg, "Notice": notice,
		"States": rereview.States, "State": f.State, "ExitOnly": f.Exit != nil, "Months": s.Deps.Rereview.Months()})
}

func (s *ui) pageRereview(c *gin.Context) {
	u := web.MustCaller(c).User
	r, err := s.Deps.Rereview.Get(c.Request.Context(), u, c.Param("id"))
	if err != nil {
		if kedaitong.Is(err, kedaitong.ENotFound) {
			s.renderNotFound(c)
			return
		}
		s.render(c, web.StatusOf(err), "rereviews", "rereview.list.title", gin.H{"Error": web.ErrText(c, err), "Single": true})
		return
	}
	s.render(c, http.StatusOK, "rereviews", "rereview.list.title", gin.H{"Rows": []rrRow{toRRRow(r, u, web.PickLang(c))}, "Single": true,
		"Months": s.Deps.Rereview.Months()})
}

func (s *ui) pageStartRereview(c *gin.Context) {
	_, err := s.Deps.Rereview.Start(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	if err != nil {
		s.renderRereviews(c, web.StatusOf(err), "", err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/rereviews?done=started")
}
