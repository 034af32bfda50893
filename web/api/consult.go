package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/consult"
	"kedaitong/notify"
	"kedaitong/review"
	"kedaitong/web"
)

func (s *api) registerConsultAPI(v1 *gin.RouterGroup) {
	const tag = "consultations"
	s.API(v1, web.Route{Method: "POST", Path: "/consultations", Summary: "Ask the think tank a question on a technical route: {\"route\",\"question\",\"urgency\":\"normal\"|\"urgent\",\"application_id\"?,\"credit_code\"?}; routed to up to three experts", Tag: tag, Obj: "consultation", Act: "create"}, s.apiAskConsultation)
	s.API(v1, web.Route{Method: "GET", Path: "/consultations", Summary: "Consultations the caller may see, newest first; filters state, route (a route or an industry), urgency, rerouted=true", Tag: tag, Obj: "consultation", Act: "read"}, s.apiConsultations)
	s.API(v1, web.Route{Method: "GET", Path: "/consultations/:id", Summary: "One consultation; banks see the expert only as tier and field", Tag: tag, Obj: "consultation", Act: "read"}, s.apiConsultation)
	s.API(v1, web.Route{Method: "POST", Path: "/consultations/:id/decline", Summary: "Decline a consultation offered to the calling expert: {\"reason\"}; it is passed on and never offered to that expert again", Tag: tag, Obj: "consultation", Act: "decline"}, s.apiDeclineConsultation)
	s.API(v1, web.Route{Method: "POST", Path: "/consultations/:id/accept", Summary: "Accept a consultation offered to the calling expert; the first to accept owns it (409 for the others)", Tag: tag, Obj: "consultation", Act: "accept"}, s.apiAcceptConsultation)
	s.API(v1, web.Route{Method: "POST", Path: "/consultations/:id/answer", Summary: "Answer an accepted consultation, or its pending follow-up: {\"text\"} (1 to 20,000 characters)", Tag: tag, Obj: "consultation", Act: "answer"}, s.apiAnswerConsultation)
	s.API(v1, web.Route{Method: "POST", Path: "/consultations/:id/attachments", Summary: "Attach a file to the answer in preparation (multipart field file, or the raw body with ?filename=): PDF, PNG, JPEG or Office, at most 20 MiB, 5 per answer", Tag: tag, Obj: "consultation", Act: "answer", Upload: true}, s.apiAttachConsultation)
	s.API(v1, web.Route{Method: "GET", Path: "/consultations/:id/attachments/:att", Summary: "Download a file of an answer", Tag: tag, Obj: "consultation", Act: "read"}, s.apiConsultationAttachment)
	s.API(v1, web.Route{Method: "POST", Path: "/consultations/:id/followup", Summary: "The asking bank's one follow-up question on the answer: {\"question\"}", Tag: tag, Obj: "consultation", Act: "followup"}, s.apiFollowUpConsultation)
	s.API(v1, web.Route{Method: "POST", Path: "/consultations/:id/rate", Summary: "The asking bank rates the answer once: {\"stars\": 1-5}", Tag: tag, Obj: "consultation", Act: "rate"}, s.apiRateConsultation)
}

func (s *api) registerNotifyAPI(v1 *gin.RouterGroup) {
	const tag = "notifications"
	s.API(v1, web.Route{Method: "GET", Path: "/notifications", Summary: "The caller's in-app notifications, newest first; unread=true for the unread ones", Tag: tag, Obj: "notification", Act: "read"}, s.apiNotifications)
	s.API(v1, web.Route{Method: "GET", Path: "/notifications/unread", Summary: "The caller's unread count: {\"unread\": n}", Tag: tag, Obj: "notification", Act: "read"}, s.apiUnread)
	s.API(v1, web.Route{Method: "POST", Path: "/notifications/:id/read", Summary: "Mark one notification read", Tag: tag, Obj: "notification", Act: "update"}, s.apiMarkRead)
	s.API(v1, web.Route{Method: "POST", Path: "/notifications/read-all", Summary: "Mark every notification read: {\"marked\": n}", Tag: tag, Obj: "notification", Act: "update"}, s.apiMarkAllRead)
}

func (s *api) apiAskConsultation(c *gin.Context) {
	var in consult.Input
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	v, err := s.Deps.Consult.Ask(c.Request.Context(), web.MustCaller(c).User, in)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.Header("Location", "/api/v1/consultations/"+v.ID)
	c.JSON(http.StatusCreated, v)
}

func (s *api) apiConsultations(c *gin.Context) {
	limit, cur, err := web.PageParams(c)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	f := consult.Filter{State: c.Query("state"), Route: c.Query("route"), Urgency: c.Query("urgency"), Limit: limit, Cursor: cur}
	switch c.Query("rerouted") {
	case "", "false", "0":
	case "true", "1":
		f.Rerouted = true
	default:
		web.AbortWithError(c, kedaitong.Invalid("rerouted", "true or false").ZHf("参数 rerouted 只能是 true 或 false"))
		return
	}
	vs, next, err := s.Deps.Consult.List(c.Request.Context(), web.MustCaller(c).User, f)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	web.List(c, vs, next)
}

func (s *api) apiConsultation(c *gin.Context) {
	v, err := s.Deps.Consult.Get(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *api) apiAcceptConsultation(c *gin.Context) {
	var in struct{}
	if err := web.BindOptionalJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	v, err := s.Deps.Consult.Accept(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *api) apiAnswerConsultation(c *gin.Context) {
	var in consult.AnswerInput
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	v, err := s.Deps.Consult.Answer(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), in)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *api) apiAttachConsultation(c *gin.Context) {
	name, r, err := web.DossierUpload(c)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	att, err := s.Deps.Consult.AddAttachment(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), name, r)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusCreated, att)
}

func (s *api) apiConsultationAttachment(c *gin.Context) {
	rc, att, err := s.Deps.Consult.OpenAttachment(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), c.Param("att"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	defer rc.Close()
	web.ServeAttachment(c, rc, review.Attachment{Name: att.Name, ContentType: att.ContentType, Size: att.Size})
}

func (s *api) apiFollowUpConsultation(c *gin.Context) {
	var in consult.FollowUpInput
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	v, err := s.Deps.Consult.AskFollowUp(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), in)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *api) apiRateConsultation(c *gin.Context) {
	var in consult.RateInput
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	v, err := s.Deps.Consult.Rate(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), in)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *api) apiNotifications(c *gin.Context) {
	limit, cur, err := web.PageParams(c)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	f := notify.Filter{Limit: limit, Cursor: cur}
	switch c.Query("unread") {
	case "", "false", "0":
	case "true", "1":
		f.UnreadOnly = true
	default:
		web.AbortWithError(c, kedaitong.Invalid("unread", "true or false").ZHf("参数 unread 只能是 true 或 false"))
		return
	}
	ns, next, err := s.Deps.Notify.List(c.Request.Context(), web.MustCaller(c).User.ID, f)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	web.List(c, ns, next)
}

func (s *api) apiUnread(c *gin.Context) {
	n, err := s.Deps.Notify.Unread(c.Request.Context(), web.MustCaller(c).User.ID)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"unread": n})
}

func (s *api) apiMarkRead(c *gin.Context) {
	n, err := s.Deps.Notify.MarkRead(c.Request.Context(), web.MustCaller(c).User.ID, c.Param("id"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, n)
}

func (s *api) apiMarkAllRead(c *gin.Context) {
	n, err := s.Deps.Notify.MarkAllRead(c.Request.Context(), web.MustCaller(c).User.ID)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"marked": n})
}

func (s *api) apiDeclineConsultation(c *gin.Context) {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	v, err := s.Deps.Consult.Decline(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), in.Reason)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"id": v.ID, "status": "declined"})
}
