package ui

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"kedaitong/alerts"
	"kedaitong/consult"
	"kedaitong/fund"
	"kedaitong/identity"
	"kedaitong/review"
	"kedaitong/review/panel"
	"kedaitong/review/rereview"
	"kedaitong/web"
)

// todoLimit is how many items a to-do section lists before "more".
const todoLimit = 5

// todo is one section of a user's home page: what waits for them.
type todo struct {
	ID    string // the section's id, also its message key (home.todo.<ID>)
	Items []todoItem
	More  bool   // there are more than the section shows
	Link  string // the full list behind it
}

type todoItem struct {
	Label, Note, Link string
}

// pageHome is the landing page: for a visitor the platform's pitch, for a
// logged-in user the to-do list of their role (a bank: drafts, reports
// ready for a decision, answered consultations, re-reviews due; an expert:
// invitations and scores due; an official: applications waiting for a
// panel, claims to approve; an analyst: unread alerts).
func (s *ui) pageHome(c *gin.Context) {
	cl, ok := web.CallerOf(c)
	if !ok {
		s.render(c, http.StatusOK, "home", "app.name", nil)
		return
	}
	lang := web.PickLang(c)
	todos := s.todos(c.Request.Context(), cl.User, lang)
	empty := true
	for _, t := range todos {
		if len(t.Items) > 0 {
			empty = false
		}
	}
	s.render(c, http.StatusOK, "home", "home.todo.title", gin.H{"Todos": todos, "Empty": empty})
}

func (s *ui) todos(ctx context.Context, u identity.User, lang string) []todo {
	var out []todo
	add := func(t todo) { out = append(out, t) }
	can := func(obj, act string) bool { return s.Deps.RBAC.RoleAllowed(u.Role, obj, act) }
	d := s.Deps
	isBank := u.Role == identity.RoleBankOfficer || u.Role == identity.RoleBankManager
	if d.Review != nil && isBank {
		t := todo{ID: "drafts", Link: "/applications?state=draft"}
		vs, next, err := d.Review.List(ctx, u, review.Filter{State: review.StateDraft, Limit: todoLimit})
		if err == nil {
			for _, v := range vs {
				t.Items = append(t.Items, todoItem{Label: v.Enterprise.Name, Note: yuan(v.Loan.Amount), Link: "/applications/" + v.ID})
			}
			t.More = next != ""
		}
		add(t)
		t = todo{ID: "reports", Link: "/applications?state=closed"}
		vs, next, err = d.Review.List(ctx, u, review.Filter{State: review.StateClosed, Limit: 50})
		if err == nil {
			for _, v := range vs {
				if v.Decision == nil && len(t.Items) < todoLimit {
					t.Items = append(t.Items, todoItem{Label: v.Enterprise.Name, Link: "/applications/" + v.ID + "/report"})
				}
			}
			t.More = next != ""
		}
		add(t)
	}
	if d.Consult != nil && isBank {
		t := todo{ID: "answered", Link: "/consultations?state=answered"}
		vs, next, err := d.Consult.List(ctx, u, consult.Filter{State: consult.StateAnswered, Limit: todoLimit})
		if err == nil {
			for _, v := range vs {
				t.Items = append(t.Items, todoItem{Label: v.RouteName.In(lang), Note: clip(v.Question, 40), Link: "/consultations/" + v.ID})
			}
			t.More = next != ""
		}
		add(t)
	}
	if d.Rereview != nil && isBank {
		t := todo{ID: "rereviews", Link: "/rereviews"}
		rs, next, err := d.Rereview.List(ctx, u, rereview.Filter{State: rereview.StateDue, Limit: todoLimit})
		if err == nil {
			for _, r := range rs {
				t.Items = append(t.Items, todoItem{Label: r.Enterprise, Note: r.DueDate, Link: "/rereviews/" + r.ID})
			}
			t.More = next != ""
		}
		add(t)
	}
	if d.Panel != nil && u.Role == identity.RoleExpert {
		for _, st := range []struct{ id, state string }{{"invitations", panel.StateInvited}, {"scores", panel.StateAccepted}} {
			t := todo{ID: st.id, Link: "/assignments"}
			as, next, err := d.Panel.List(ctx, u, panel.Filter{State: st.state, Limit: todoLimit})
			if err == nil {
				for _, a := range as {
					label := s.applicationName(ctx, u, a.ApplicationID, lang)
					if b, err := d.Panel.Brief(ctx, u, a.ID); err == nil {
						label = b.Enterprise
					}
					link := "/assignments"
					if st.state == panel.StateAccepted {
						link = "/assignments/" + a.ID + "/score"
					}
					t.Items = append(t.Items, todoItem{Label: label, Note: fmtBeijing(a.Due, "2006-01-02 15:04"), Link: link})
				}
				t.More = next != ""
			}
			add(t)
		}
	}
	if d.Fund != nil && u.Role == identity.RoleExpert {
		add(s.evaluationTodo(ctx, u))
	}
	if d.Consult != nil && u.Role == identity.RoleExpert {
		t := todo{ID: "consult_open", Link: "/consultations"}
		vs, next, err := d.Consult.List(ctx, u, consult.Filter{State: consult.StateOpen, Limit: todoLimit})
		if err == nil {
			for _, v := range vs {
				t.Items = append(t.Items, todoItem{Label: v.RouteName.In(lang), Note: fmtBeijing(v.Due, "2006-01-02 15:04"), Link: "/consultations/" + v.ID})
			}
			t.More = next != ""
		}
		add(t)
	}
	if d.Review != nil && u.Role == identity.RoleOfficial {
		t := todo{ID: "waiting_panel", Link: "/applications?state=submitted"}
		vs, next, err := d.Review.List(ctx, u, review.Filter{State: review.StateSubmitted, Limit: todoLimit})
		if err == nil {
			for _, v := range vs {
				t.Items = append(t.Items, todoItem{Label: v.Enterprise.Name, Note: pageField(lang, v.Enterprise.Route), Link: "/applications/" + v.ID})
			}
			t.More = next != ""
		}
		add(t)
	}
	if d.Fund != nil && can("claim", "decide") {
		t := todo{ID: "claims", Link: "/fund/claims?state=submitted"}
		cs, next, err := d.Fund.ListClaims(ctx, u, fund.ClaimFilter{State: fund.ClaimSubmitted, Limit: todoLimit})
		if err == nil {
			for _, c := range cs {
				t.Items = append(t.Items, todoItem{Label: c.Enterprise, Note: yuan(c.Loss), Link: "/fund/claims"})
			}
			t.More = next != ""
		}
		add(t)
	}
	if d.Alerts != nil && alerts.MayRead(u) == nil {
		t := todo{ID: "alerts", Link: "/alerts?unread=true"}
		as, next, err := d.Alerts.List(ctx, u, alerts.Filter{UnreadOnly: true, Limit: todoLimit})
		if err == nil {
			for _, a := range as {
				t.Items = append(t.Items, todoItem{Label: a.Title.In(lang), Link: "/alerts"})
			}
			t.More = next != ""
		}
		add(t)
	}
	return out
}

// applicationName names an application for the caller (its enterprise),
// or a neutral label when the caller may not read it.
func (s *ui) applicationName(ctx context.Context, u identity.User, id, lang string) string {
	if s.Deps.Review != nil {
		if v, err := s.Deps.Review.Get(ctx, u, id); err == nil {
			return v.Enterprise.Name
		}
	}
	if lang == "en" {
		return "An application for review"
	}
	return "待评审的贷款申请"
}

// clip shortens s to n runes with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// pageField names a route in the language (as Page.Field does).
func pageField(lang, code string) string { return Page{Lang: lang}.Field(code) }
