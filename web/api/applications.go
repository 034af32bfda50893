package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/review"
	"kedaitong/web"
)

func (s *api) registerApplicationsAPI(v1 *gin.RouterGroup) {
	const tag = "applications"
	s.API(v1, web.Route{Method: "POST", Path: "/applications", Summary: "Create a draft loan application for the caller's bank", Tag: tag, Obj: "application", Act: "create"}, s.apiCreateApplication)
	s.API(v1, web.Route{Method: "GET", Path: "/applications", Summary: "Loan applications the caller may see, newest first; filters state, route (a route or an industry), region, credit_code", Tag: tag, Obj: "application", Act: "read"}, s.apiApplications)
	s.API(v1, web.Route{Method: "GET", Path: "/applications/:id", Summary: "One loan application with its derived indicators, pre-screen flags and whitelist status", Tag: tag, Obj: "application", Act: "read"}, s.apiApplication)
	s.API(v1, web.Route{Method: "PATCH", Path: "/applications/:id", Summary: "Edit a draft (the owning bank; fields given replace the stored ones)", Tag: tag, Obj: "application", Act: "update"}, s.apiPatchApplication)
	s.API(v1, web.Route{Method: "POST", Path: "/applications/:id/submit", Summary: "Send a draft to technical review", Tag: tag, Obj: "application", Act: "submit"}, s.apiSubmitApplication)
	s.API(v1, web.Route{Method: "POST", Path: "/applications/:id/withdraw", Summary: "Withdraw an application that is not closed; optional {\"reason\"}", Tag: tag, Obj: "application", Act: "withdraw"}, s.apiWithdrawApplication)
	s.API(v1, web.Route{Method: "POST", Path: "/applications/:id/decision", Summary: "Record the bank's lending decision on a closed application, once", Tag: tag, Obj: "application", Act: "decide"}, s.apiDecideApplication)
	s.API(v1, web.Route{Method: "POST", Path: "/applications/:id/attachments", Summary: "Add a dossier file to a draft (multipart field file, or the raw body with ?filename=): PDF, PNG, JPEG, Word, Excel or PowerPoint, at most 20 MiB, 10 per application", Tag: tag, Obj: "application", Act: "update", Upload: true}, s.apiAddAttachment)
	s.API(v1, web.Route{Method: "GET", Path: "/applications/:id/attachments/:att", Summary: "Download a dossier file", Tag: tag, Obj: "application", Act: "read"}, s.apiAttachment)
	s.API(v1, web.Route{Method: "DELETE", Path: "/applications/:id/attachments/:att", Summary: "Remove a dossier file from a draft", Tag: tag, Obj: "application", Act: "update"}, s.apiDeleteAttachment)
	s.API(v1, web.Route{Method: "POST", Path: "/enterprises/:credit_code/whitelist", Summary: "Whitelist an enterprise of the official's region, with a reason", Tag: tag, Obj: "whitelist", Act: "create"}, s.apiWhitelist)
	s.API(v1, web.Route{Method: "DELETE", Path: "/enterprises/:credit_code/whitelist", Summary: "Lift an enterprise's whitelisting; optional {\"reason\"}", Tag: tag, Obj: "whitelist", Act: "delete"}, s.apiLiftWhitelist)
	s.API(v1, web.Route{Method: "GET", Path: "/whitelist", Summary: "Whitelisted enterprises of the official's region, most recently changed first", Tag: tag, Obj: "whitelist", Act: "read"}, s.apiWhitelisted)
}

func (s *api) apiCreateApplication(c *gin.Context) {
	var in review.Input
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	v, err := s.Deps.Review.Create(c.Request.Context(), web.MustCaller(c).User, in)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.Header("Location", "/api/v1/applications/"+v.ID)
	c.JSON(http.StatusCreated, v)
}

func (s *api) apiApplications(c *gin.Context) {
	limit, cur, err := web.PageParams(c)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	f := review.Filter{State: c.Query("state"), Route: c.Query("route"), Region: c.Query("region"),
		CreditCode: c.Query("credit_code"), Limit: limit, Cursor: cur}
	if ind := c.Query("industry"); ind != "" {
		if f.Route != "" && f.Route != ind {
			web.AbortWithError(c, kedaitong.Invalid("industry", "give either route or industry").ZHf("route 和 industry 只能给出其中一个"))
			return
		}
		f.Route = ind
	}
	vs, next, err := s.Deps.Review.List(c.Request.Context(), web.MustCaller(c).User, f)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	web.List(c, vs, next)
}

func (s *api) apiApplication(c *gin.Context) {
	v, err := s.Deps.Review.Get(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *api) apiPatchApplication(c *gin.Context) {
	ctx, u := c.Request.Context(), web.MustCaller(c).User
	v, err := s.Deps.Review.Get(ctx, u, c.Param("id"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	in := v.Input() // the body's fields replace these
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	out, err := s.Deps.Review.Update(ctx, u, v.ID, v.Version, in)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

func (s *api) apiSubmitApplication(c *gin.Context) {
	v, err := s.Deps.Review.Submit(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *api) apiWithdrawApplication(c *gin.Context) {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := web.BindOptionalJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	v, err := s.Deps.Review.Withdraw(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), strings.TrimSpace(in.Reason))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *api) apiDecideApplication(c *gin.Context) {
	var in review.DecisionInput
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	v, err := s.Deps.Review.Decide(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), in)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *api) apiAddAttachment(c *gin.Context) {
	name, r, err := web.DossierUpload(c)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	att, err := s.Deps.Review.AddAttachment(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), name, r)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusCreated, att)
}

func (s *api) apiAttachment(c *gin.Context) {
	rc, att, err := s.Deps.Review.OpenAttachment(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), c.Param("att"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	defer rc.Close()
	web.ServeAttachment(c, rc, att)
}

func (s *api) apiDeleteAttachment(c *gin.Context) {
	if err := s.Deps.Review.DeleteAttachment(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), c.Param("att")); err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "deleted"})
}

func (s *api) apiWhitelist(c *gin.Context) {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	w, err := s.Deps.Review.SetWhitelist(c.Request.Context(), web.MustCaller(c).User, c.Param("credit_code"), in.Reason)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, w)
}

func (s *api) apiLiftWhitelist(c *gin.Context) {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := web.BindOptionalJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	w, err := s.Deps.Review.LiftWhitelist(c.Request.Context(), web.MustCaller(c).User, c.Param("credit_code"), in.Reason)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, w)
}

func (s *api) apiWhitelisted(c *gin.Context) {
	limit, cur, err := web.PageParams(c)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	ws, next, err := s.Deps.Review.ListWhitelisted(c.Request.Context(), web.MustCaller(c).User, limit, cur)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	web.List(c, ws, next)
}
