package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/consult"
	"kedaitong/notify"
	"kedaitong/review"
)

func (s *Server) registerConsultAPI(v1 *gin.RouterGroup) {
	const tag = "consultations"
	s.api(v1, Route{Method: "POST", Path: "/consultations", Summary: "Ask the think tank a question on a technical route: {\"route\",\"question\",\"urgency\":\"normal\"|\"urgent\",\"application_id\"?,\"credit_code\"?}; routed to up to three experts", Tag: tag, Obj: "consultation", Act: "create"}, s.apiAskConsultation)
	s.api(v1, Route{Method: "GET", Path: "/consultations", Summary: "Consultations the caller may see, newest first; filters state, route (a route or an industry), urgency, rerouted=true", Tag: tag, Obj: "consultation", Act: "read"}, s.apiConsultations)
	s.api(v1, Route{Method: "GET", Path: "/consultations/:id", Summary: "One consultation; banks see the expert only as tier and field", Tag: tag, Obj: "consultation", Act: "read"}, s.apiConsultation)
	s.api(v1, Route{Method: "POST", Path: "/consultations/:id/decline", Summary: "Decline a consultation offered to the calling expert: {\"reason\"}; it is passed on and never offered to that expert again", Tag: tag, Obj: "consultation", Act: "decline"}, s.apiDeclineConsultation)
	s.api(v1, Route{Method: "POST", Path: "/consultations/:id/accept", Summary: "Accept a consultation offered to the calling expert; the first to accept owns it (409 for the others)", Tag: tag, Obj: "consultation", Act: "accept"}, s.apiAcceptConsultation)
	s.api(v1, Route{Method: "POST", Path: "/consultations/:id/answer", Summary: "Answer an accepted consultation, or its pending follow-up: {\"text\"} (1 to 20,000 characters)", Tag: tag, Obj: "consultation", Act: "answer"}, s.apiAnswerConsultation)
	s.api(v1, Route{Method: "POST", Path: "/consultations/:id/attachments", Summary: "Attach a file to the answer in preparation (multipart field file, or the raw body with ?filename=): PDF, PNG, JPEG or Office, at most 20 MiB, 5 per answer", Tag: tag, Obj: "consultation", Act: "answer", Upload: true}, s.apiAttachConsultation)
	s.api(v1, Route{Method: "GET", Path: "/consultations/:id/attachments/:att", Summary: "Download a file of an answer", Tag: tag, Obj: "consultation", Act: "read"}, s.apiConsultationAttachment)
	s.api(v1, Route{Method: "POST", Path: "/consultations/:id/followup", Summary: "The asking bank's one follow-up question on the answer: {\"question\"}", Tag: tag, Obj: "consultation", Act: "followup"}, s.apiFollowUpConsultation)
	s.api(v1, Route{Method: "POST", Path: "/consultations/:id/rate", Summary: "The asking bank rates the answer once: {\"stars\": 1-5}", Tag: tag, Obj: "consultation", Act: "rate"}, s.apiRateConsultation)
}

func (s *Server) registerNotifyAPI(v1 *gin.RouterGroup) {
	const tag = "notifications"
	s.api(v1, Route{Method: "GET", Path: "/notifications", Summary: "The caller's in-app notifications, newest first; unread=true for the unread ones", Tag: tag, Obj: "notification", Act: "read"}, s.apiNotifications)
	s.api(v1, Route{Method: "GET", Path: "/notifications/unread", Summary: "The caller's unread count: {\"unread\": n}", Tag: tag, Obj: "notification", Act: "read"}, s.apiUnread)
	s.api(v1, Route{Method: "POST", Path: "/notifications/:id/read", Summary: "Mark one notification read", Tag: tag, Obj: "notification", Act: "update"}, s.apiMarkRead)
	s.api(v1, Route{Method: "POST", Path: "/notifications/read-all", Summary: "Mark every notification read: {\"marked\": n}", Tag: tag, Obj: "notification", Act: "update"}, s.apiMarkAllRead)
}

func (s *Server) apiAskConsultation(c *gin.Context) {
	var in consult.Input
	if err := bindJSON(c, &in); err != nil {
		abortWithError(c, err)
		return
	}
	v, err := s.deps.Consult.Ask(c.Request.Context(), mustCaller(c).User, in)
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.Header("Location", "/api/v1/consultations/"+v.ID)
	c.JSON(http.StatusCreated, v)
}

func (s *Server) apiConsultations(c *gin.Context) {
	limit, cur, err := pageParams(c)
	if err != nil {
		abortWithError(c, err)
		return
	}
	f := consult.Filter{State: c.Query("state"), Route: c.Query("route"), Urgency: c.Query("urgency"), Limit: limit, Cursor: cur}
	switch c.Query("rerouted") {
	case "", "false", "0":
	case "true", "1":
		f.Rerouted = true
	default:
		abortWithError(c, kedaitong.Invalid("rerouted", "true or false").ZHf("参数 rerouted 只能是 true 或 false"))
		return
	}
	vs, next, err := s.deps.Consult.List(c.Request.Context(), mustCaller(c).User, f)
	if err != nil {
		abortWithError(c, err)
		return
	}
	list(c, vs, next)
}

func (s *Server) apiConsultation(c *gin.Context) {
	v, err := s.deps.Consult.Get(c.Request.Context(), mustCaller(c).User, c.Param("id"))
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) apiAcceptConsultation(c *gin.Context) {
	var in struct{}
	if err := bindOptionalJSON(c, &in); err != nil {
		abortWithError(c, err)
		return
	}
	v, err := s.deps.Consult.Accept(c.Request.Context(), mustCaller(c).User, c.Param("id"))
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) apiAnswerConsultation(c *gin.Context) {
	var in consult.AnswerInput
	if err := bindJSON(c, &in); err != nil {
		abortWithError(c, err)
		return
	}
	v, err := s.deps.Consult.Answer(c.Request.Context(), mustCaller(c).User, c.Param("id"), in)
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) apiAttachConsultation(c *gin.Context) {
	name, r, err := dossierUpload(c)
	if err != nil {
		abortWithError(c, err)
		return
	}
	att, err := s.deps.Consult.AddAttachment(c.Request.Context(), mustCaller(c).User, c.Param("id"), name, r)
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusCreated, att)
}

func (s *Server) apiConsultationAttachment(c *gin.Context) {
	rc, att, err := s.deps.Consult.OpenAttachment(c.Request.Context(), mustCaller(c).User, c.Param("id"), c.Param("att"))
	if err != nil {
		abortWithError(c, err)
		return
	}
	defer rc.Close()
	serveAttachment(c, rc, review.Attachment{Name: att.Name, ContentType: att.ContentType, Size: att.Size})
}

func (s *Server) apiFollowUpConsultation(c *gin.Context) {
	var in consult.FollowUpInput
	if err := bindJSON(c, &in); err != nil {
		abortWithError(c, err)
		return
	}
	v, err := s.deps.Consult.AskFollowUp(c.Request.Context(), mustCaller(c).User, c.Param("id"), in)
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) apiRateConsultation(c *gin.Context) {
	var in consult.RateInput
	if err := bindJSON(c, &in); err != nil {
		abortWithError(c, err)
		return
	}
	v, err := s.deps.Consult.Rate(c.Request.Context(), mustCaller(c).User, c.Param("id"), in)
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) apiNotifications(c *gin.Context) {
	limit, cur, err := pageParams(c)
	if err != nil {
		abortWithError(c, err)
		return
	}
	f := notify.Filter{Limit: limit, Cursor: cur}
	switch c.Query("unread") {
	case "", "false", "0":
	case "true", "1":
		f.UnreadOnly = true
	default:
		abortWithError(c, kedaitong.Invalid("unread", "true or false").ZHf("参数 unread 只能是 true 或 false"))
		return
	}
	ns, next, err := s.deps.Notify.List(c.Request.Context(), mustCaller(c).User.ID, f)
	if err != nil {
		abortWithError(c, err)
		return
	}
	list(c, ns, next)
}

func (s *Server) apiUnread(c *gin.Context) {
	n, err := s.deps.Notify.Unread(c.Request.Context(), mustCaller(c).User.ID)
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"unread": n})
}

func (s *Server) apiMarkRead(c *gin.Context) {
	n, err := s.deps.Notify.MarkRead(c.Request.Context(), mustCaller(c).User.ID, c.Param("id"))
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, n)
}

func (s *Server) apiMarkAllRead(c *gin.Context) {
	n, err := s.deps.Notify.MarkAllRead(c.Request.Context(), mustCaller(c).User.ID)
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"marked": n})
}
