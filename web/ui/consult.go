package ui

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/consult"
	"kedaitong/identity"
	"kedaitong/notify"
	"kedaitong/web"
)

func (s *ui) registerConsultPages(e *gin.Engine) {
	s.page(e, web.UIRoute{Method: "GET", Path: "/consultations", Obj: "consultation", Act: "read"}, s.pageConsultations)
	s.page(e, web.UIRoute{Method: "GET", Path: "/consultations/new", Obj: "consultation", Act: "create"}, s.pageNewConsultation)
	s.page(e, web.UIRoute{Method: "POST", Path: "/consultations/new", Obj: "consultation", Act: "create"}, s.pageAskConsultation)
	s.page(e, web.UIRoute{Method: "GET", Path: "/consultations/:id", Obj: "consultation", Act: "read"}, s.pageConsultation)
	s.page(e, web.UIRoute{Method: "POST", Path: "/consultations/:id/accept", Obj: "consultation", Act: "accept"}, s.pageAcceptConsultation)
	s.page(e, web.UIRoute{Method: "POST", Path: "/consultations/:id/decline", Obj: "consultation", Act: "decline"}, s.pageDeclineConsultation)
	s.page(e, web.UIRoute{Method: "POST", Path: "/consultations/:id/answer", Obj: "consultation", Act: "answer"}, s.pageAnswerConsultation)
	s.page(e, web.UIRoute{Method: "POST", Path: "/consultations/:id/followup", Obj: "consultation", Act: "followup"}, s.pageFollowUpConsultation)
	s.page(e, web.UIRoute{Method: "POST", Path: "/consultations/:id/rate", Obj: "consultation", Act: "rate"}, s.pageRateConsultation)
	s.page(e, web.UIRoute{Method: "POST", Path: "/consultations/:id/attachments", Obj: "consultation", Act: "answer", Upload: true}, s.pageAttachConsultation)
	if s.Deps.Notify != nil {
		s.page(e, web.UIRoute{Method: "GET", Path: "/notifications", Obj: "notification", Act: "read"}, s.pageNotifications)
		s.page(e, web.UIRoute{Method: "POST", Path: "/notifications/read-all", Obj: "notification", Act: "update"}, s.pageMarkAllRead)
		s.page(e, web.UIRoute{Method: "POST", Path: "/notifications/:id/read", Obj: "notification", Act: "update"}, s.pageMarkRead)
	}
}

// conRow is a consultation as the pages show it.
type conRow struct {
	consult.View
	Route       string
	ExpertLabel string
	Created     string
	DueText     string
	Can         map[string]bool
	Steps       []stepRow
}

type stepRow struct {
	Event, When string
	Experts     []string
}

// fmtTime is a moment to the minute in Beijing time (fmtBeijing).
func fmtTime(t time.Time) string { return fmtBeijing(t, "2006-01-02 15:04") }

func toConRow(v consult.View, lang string) conRow {
	r := conRow{View: v, Route: notify.Text(v.RouteName).In(lang), Created: fmtTime(v.CreatedAt), DueText: fmtTime(v.Due), Can: map[string]bool{}}
	if v.Expert != nil {
		r.ExpertLabel = v.Expert.Label.In(lang)
	}
	for _, a := range v.Actions {
		r.Can[a] = true
	}
	for _, st := range v.History {
		r.Steps = append(r.Steps, stepRow{Event: st.Event, When: fmtTime(st.At), Experts: st.Experts})
	}
	return r
}

func (s *ui) pageConsultations(c *gin.Context) {
	cl := web.MustCaller(c)
	lang := web.PickLang(c)
	ctx := c.Request.Context()
	f := consult.Filter{State: c.Query("state"), Limit: 500}
	vs, truncated, err := readAll(func(cur string) ([]consult.View, string, error) {
		f.Cursor = cur
		return s.Deps.Consult.List(ctx, cl.User, f)
	})
	errMsg := ""
	if err != nil {
		errMsg = web.ErrText(c, err)
	}
	all := make([]conRow, 0, len(vs))
	for _, v := range vs {
		all = append(all, toConRow(v, lang))
	}
	tr := web.NewTr(s.bundle, lang)
	banks := s.bankNames(c, cl.User)
	spec := listSpec[conRow]{ID: "con", Sheet: "consult.list.title", Sort: "created", Desc: true, Cols: []col[conRow]{
		textCol("question", "consult.question", func(r conRow) string { return r.Question }),
		textCol("enterprise", "app.enterprise", func(r conRow) string { return nameOr(r.Enterprise, "") }),
		textCol("route", "consult.route", func(r conRow) string { return r.Route }),
		textCol("bank", "lists.bank", func(r conRow) string { return nameOr(banks[r.BankID], r.BankID) }),
		textCol("urgency", "consult.urgency", func(r conRow) string { return tr.T("consult.urgency." + r.Urgency) }),
		textCol("state", "consult.state", func(r conRow) string { return tr.T("consult.state." + r.State) }),
		textCol("expert", "consult.expert", func(r conRow) string { return nameOr(r.ExpertLabel, "") }),
		timeCol("created", "lists.created", func(r conRow) time.Time { return r.CreatedAt }),
		timeCol("due", "lists.due", func(r conRow) time.Time { return r.Due }),
	}, Search: func(r conRow) string { return r.CreditCode + " " + r.ID }}
	rows, list, done := listRows(s, c, spec, all, truncated)
	if done {
		return
	}
	notice := ""
	if c.Query("done") == "declined" {
		notice = "consult.declined"
	}
	s.render(c, web.StatusOf(err), "consult_list", "consult.list.title", gin.H{"Rows": rows, "List": list, "Error": errMsg,
		"States": consult.States, "State": f.State, "Bank": identity.IsBankRole(cl.User.Role), "Notice": notice, "Banks": banks})
}

// conForm is the ask form's values and errors by input name.
type conForm struct {
	V      map[string]string
	Errors map[string]string
}

func (s *ui) renderConsultForm(c *gin.Context, status int, f conForm) {
	s.render(c, status, "consult_new", "consult.new.title", gin.H{"F": f, "Routes": routeGroups(web.PickLang(c)), "Max": consult.MaxQuestion,
		"Apps": s.applicationChoices(c, f.V["application_id"])})
}

func (s *ui) pageNewConsultation(c *gin.Context) {
	s.renderConsultForm(c, http.StatusOK, conForm{V: map[string]string{"urgency": consult.UrgencyNormal, "application_id": c.Query("application")}, Errors: map[string]string{}})
}

func (s *ui) pageAskConsultation(c *gin.Context) {
	f := conForm{V: map[string]string{}, Errors: map[string]string{}}
	for _, k := range []string{"route", "question", "urgency", "application_id", "credit_code"} {
		f.V[k] = c.PostForm(k)
	}
	in := consult.Input{Route: f.V["route"], Question: f.V["question"], Urgency: f.V["urgency"], ApplicationID: f.V["application_id"], CreditCode: f.V["credit_code"]}
	v, err := s.Deps.Consult.Ask(c.Request.Context(), web.MustCaller(c).User, in)
	if err != nil {
		var field string
		if e, ok := err.(*kedaitong.Error); ok {
			field = e.Field
		}
		msg := web.ErrText(c, err)
		if e, ok := err.(*kedaitong.Error); ok && field != "" {
			msg = web.FieldText(web.PickLang(c), e)
			if tr := s.tr(c); tr.Lang != "en" {
				if m := tr.T("consult.err." + field); m != "consult.err."+field {
					msg = m
				}
			}
		}
		if field == "" {
			field = "_"
		}
		f.Errors[field] = msg
		s.renderConsultForm(c, web.StatusOf(err), f)
		return
	}
	c.Redirect(http.StatusSeeOther, "/consultations/"+v.ID+"?done=asked")
}

func (s *ui) pageConsultation(c *gin.Context) {
	if s.Deps.Notify != nil {
		// Opening the consultation reads its notifications.
		_, _ = s.Deps.Notify.MarkObjectRead(c.Request.Context(), web.MustCaller(c).User.ID, "consultation", c.Param("id"))
	}
	s.renderConsultation(c, http.StatusOK, "", "")
}

// renderConsultation shows one consultation with a notice or an error.
func (s *ui) renderConsultation(c *gin.Context, status int, notice, errMsg string) {
	cl := web.MustCaller(c)
	v, err := s.Deps.Consult.Get(c.Request.Context(), cl.User, c.Param("id"))
	if err != nil {
		if kedaitong.Is(err, kedaitong.ENotFound) {
			s.renderNotFound(c)
			return
		}
		s.renderError(c, web.StatusOf(err), "error.internal")
		return
	}
	if d := c.Query("done"); notice == "" && slices.Contains([]string{"asked", "accepted", "answered", "followup", "rated", "attached"}, d) {
		notice = "consult.done." + d
	}
	oversees := cl.User.Role == identity.RoleOfficial || cl.User.Role == identity.RoleAdmin
	var names map[string]expertName
	if oversees {
		ids := append([]string{v.ExpertID}, v.Offered...)
		for _, st := range v.History {
			ids = append(ids, st.Experts...)
		}
		names = s.expertNames(c, ids)
	}
	s.render(c, status, "consult_detail", "consult.detail.title", gin.H{"C": toConRow(v, web.PickLang(c)), "Notice": notice, "Error": errMsg,
		"Oversees": oversees, "MaxAnswer": consult.MaxAnswer, "Names": names})
}

// afterConsultAction redirects after a successful form, or re-renders the
// consultation with the error.
func (s *ui) afterConsultAction(c *gin.Context, err error, done string) {
	if err != nil {
		if kedaitong.Is(err, kedaitong.ENotFound) {
			s.renderNotFound(c)
			return
		}
		s.renderConsultation(c, web.StatusOf(err), "", web.ErrText(c, err))
		return
	}
	c.Redirect(http.StatusSeeOther, "/consultations/"+url.PathEscape(c.Param("id"))+"?done="+done)
}

func (s *ui) pageAcceptConsultation(c *gin.Context) {
	_, err := s.Deps.Consult.Accept(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	s.afterConsultAction(c, err, "accepted")
}

func (s *ui) pageAnswerConsultation(c *gin.Context) {
	_, err := s.Deps.Consult.Answer(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), consult.AnswerInput{Text: c.PostForm("text")})
	s.afterConsultAction(c, err, "answered")
}

func (s *ui) pageFollowUpConsultation(c *gin.Context) {
	_, err := s.Deps.Consult.AskFollowUp(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), consult.FollowUpInput{Question: c.PostForm("question")})
	s.afterConsultAction(c, err, "followup")
}

func (s *ui) pageRateConsultation(c *gin.Context) {
	stars, err := strconv.Atoi(strings.TrimSpace(c.PostForm("stars")))
	if err != nil {
		s.afterConsultAction(c, kedaitong.Invalid("stars", "choose 1 to 5 stars").ZHf("请选择 1 到 5 星"), "")
		return
	}
	_, err = s.Deps.Consult.Rate(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), consult.RateInput{Stars: stars})
	s.afterConsultAction(c, err, "rated")
}

func (s *ui) pageAttachConsultation(c *gin.Context) {
	name, r, err := web.DossierUpload(c)
	if err == nil {
		_, err = s.Deps.Consult.AddAttachment(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), name, r)
	}
	s.afterConsultAction(c, err, "attached")
}

// noteRow is a notification as the inbox shows it.
type noteRow struct {
	notify.Notification
	TitleText, BodyText, When string
	ObjText                   string // what it is about, named
}

func (s *ui) pageNotifications(c *gin.Context) {
	cl := web.MustCaller(c)
	lang := web.PickLang(c)
	ctx := c.Request.Context()
	unread := c.Query("unread") == "true"
	ns, truncated, err := readAll(func(cur string) ([]notify.Notification, string, error) {
		return s.Deps.Notify.List(ctx, cl.User.ID, notify.Filter{UnreadOnly: unread, Limit: 500, Cursor: cur})
	})
	errMsg := ""
	if err != nil {
		errMsg = web.ErrText(c, err)
	}
	all := make([]noteRow, 0, len(ns))
	named := s.bankNamer(c, cl.User)
	for _, n := range ns {
		all = append(all, noteRow{Notification: n, TitleText: named(n.Title.In(lang)), BodyText: named(n.Body.In(lang)), When: fmtTime(n.CreatedAt)})
	}
	tr := web.NewTr(s.bundle, lang)
	spec := listSpec[noteRow]{ID: "notes", Sheet: "notify.title", Sort: "time", Desc: true, Cols: []col[noteRow]{
		textCol("title", "notify.col.title", func(r noteRow) string { return r.TitleText }),
		textCol("body", "notify.col.body", func(r noteRow) string { return r.BodyText }),
		textCol("kind", "notify.col.kind", func(r noteRow) string { return objText(tr, r.ObjectKind) }),
		timeCol("time", "lists.time", func(r noteRow) time.Time { return r.CreatedAt }),
		textCol("state", "notify.col.state", func(r noteRow) string {
			if r.Unread {
				return tr.T("notify.unread")
			}
			return tr.T("notify.read")
		}),
	}}
	rows, list, done := listRows(s, c, spec, all, truncated)
	if done {
		return
	}
	for i := range rows {
		rows[i].ObjText = nameOr(objText(tr, rows[i].ObjectKind), "")
	}
	s.render(c, web.StatusOf(err), "notifications", "notify.title", gin.H{"Rows": rows, "List": list, "Error": errMsg, "UnreadOnly": unread})
}

// pageMarkRead marks a notification read and follows its link.
func (s *ui) pageMarkRead(c *gin.Context) {
	n, err := s.Deps.Notify.MarkRead(c.Request.Context(), web.MustCaller(c).User.ID, c.Param("id"))
	if err != nil {
		if kedaitong.Is(err, kedaitong.ENotFound) {
			s.renderNotFound(c)
			return
		}
		s.renderError(c, web.StatusOf(err), "error.internal")
		return
	}
	to := safeNext(n.Link)
	if n.Link == "" || c.PostForm("stay") != "" {
		to = "/notifications"
	}
	c.Redirect(http.StatusSeeOther, to)
}

func (s *ui) pageMarkAllRead(c *gin.Context) {
	if _, err := s.Deps.Notify.MarkAllRead(c.Request.Context(), web.MustCaller(c).User.ID); err != nil {
		s.renderError(c, web.StatusOf(err), "error.internal")
		return
	}
	c.Redirect(http.StatusSeeOther, "/notifications")
}
func (s *ui) pageDeclineConsultation(c *gin.Context) {
	_, err := s.Deps.Consult.Decline(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), c.PostForm("reason"))
	if err != nil {
		s.afterConsultAction(c, err, "declined")
		return
	}
	c.Redirect(http.StatusSeeOther, "/consultations?done=declined")
}
