package web

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/review"
)

func (s *Server) registerApplicationsAPI(v1 *gin.RouterGroup) {
	const tag = "applications"
	s.api(v1, Route{Method: "POST", Path: "/applications", Summary: "Create a draft loan application for the caller's bank", Tag: tag, Obj: "application", Act: "create"}, s.apiCreateApplication)
	s.api(v1, Route{Method: "GET", Path: "/applications", Summary: "Loan applications the caller may see, newest first; filters state, route (a route or an industry), region, credit_code", Tag: tag, Obj: "application", Act: "read"}, s.apiApplications)
	s.api(v1, Route{Method: "GET", Path: "/applications/:id", Summary: "One loan application with its derived indicators, pre-screen flags and whitelist status", Tag: tag, Obj: "application", Act: "read"}, s.apiApplication)
	s.api(v1, Route{Method: "PATCH", Path: "/applications/:id", Summary: "Edit a draft (the owning bank; fields given replace the stored ones)", Tag: tag, Obj: "application", Act: "update"}, s.apiPatchApplication)
	s.api(v1, Route{Method: "POST", Path: "/applications/:id/submit", Summary: "Send a draft to technical review", Tag: tag, Obj: "application", Act: "submit"}, s.apiSubmitApplication)
	s.api(v1, Route{Method: "POST", Path: "/applications/:id/withdraw", Summary: "Withdraw an application that is not closed; optional {\"reason\"}", Tag: tag, Obj: "application", Act: "withdraw"}, s.apiWithdrawApplication)
	s.api(v1, Route{Method: "POST", Path: "/applications/:id/decision", Summary: "Record the bank's lending decision on a closed application, once", Tag: tag, Obj: "application", Act: "decide"}, s.apiDecideApplication)
	s.api(v1, Route{Method: "POST", Path: "/applications/:id/attachments", Summary: "Add a dossier file to a draft (multipart field file, or the raw body with ?filename=): PDF, PNG, JPEG, Word, Excel or PowerPoint, at most 20 MiB, 10 per application", Tag: tag, Obj: "application", Act: "update", Upload: true}, s.apiAddAttachment)
	s.api(v1, Route{Method: "GET", Path: "/applications/:id/attachments/:att", Summary: "Download a dossier file", Tag: tag, Obj: "application", Act: "read"}, s.apiAttachment)
	s.api(v1, Route{Method: "DELETE", Path: "/applications/:id/attachments/:att", Summary: "Remove a dossier file from a draft", Tag: tag, Obj: "application", Act: "update"}, s.apiDeleteAttachment)
	s.api(v1, Route{Method: "POST", Path: "/enterprises/:credit_code/whitelist", Summary: "Whitelist an enterprise of the official's region, with a reason", Tag: tag, Obj: "whitelist", Act: "create"}, s.apiWhitelist)
	s.api(v1, Route{Method: "DELETE", Path: "/enterprises/:credit_code/whitelist", Summary: "Lift an enterprise's whitelisting; optional {\"reason\"}", Tag: tag, Obj: "whitelist", Act: "delete"}, s.apiLiftWhitelist)
	s.api(v1, Route{Method: "GET", Path: "/whitelist", Summary: "Whitelisted enterprises of the official's region, most recently changed first", Tag: tag, Obj: "whitelist", Act: "read"}, s.apiWhitelisted)
}

func (s *Server) apiCreateApplication(c *gin.Context) {
	var in review.Input
	if err := bindJSON(c, &in); err != nil {
		abortWithError(c, err)
		return
	}
	v, err := s.deps.Review.Create(c.Request.Context(), mustCaller(c).User, in)
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.Header("Location", "/api/v1/applications/"+v.ID)
	c.JSON(http.StatusCreated, v)
}

func (s *Server) apiApplications(c *gin.Context) {
	limit, cur, err := pageParams(c)
	if err != nil {
		abortWithError(c, err)
		return
	}
	f := review.Filter{State: c.Query("state"), Route: c.Query("route"), Region: c.Query("region"),
		CreditCode: c.Query("credit_code"), Limit: limit, Cursor: cur}
	if ind := c.Query("industry"); ind != "" {
		if f.Route != "" && f.Route != ind {
			abortWithError(c, kedaitong.Invalid("industry", "give either route or industry").ZHf("route 和 industry 只能给出其中一个"))
			return
		}
		f.Route = ind
	}
	vs, next, err := s.deps.Review.List(c.Request.Context(), mustCaller(c).User, f)
	if err != nil {
		abortWithError(c, err)
		return
	}
	list(c, vs, next)
}

func (s *Server) apiApplication(c *gin.Context) {
	v, err := s.deps.Review.Get(c.Request.Context(), mustCaller(c).User, c.Param("id"))
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) apiPatchApplication(c *gin.Context) {
	ctx, u := c.Request.Context(), mustCaller(c).User
	v, err := s.deps.Review.Get(ctx, u, c.Param("id"))
	if err != nil {
		abortWithError(c, err)
		return
	}
	in := v.Input() // the body's fields replace these
	if err := bindJSON(c, &in); err != nil {
		abortWithError(c, err)
		return
	}
	out, err := s.deps.Review.Update(ctx, u, v.ID, v.Version, in)
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) apiSubmitApplication(c *gin.Context) {
	v, err := s.deps.Review.Submit(c.Request.Context(), mustCaller(c).User, c.Param("id"))
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// bindOptionalJSON is bindJSON for bodies that may be left out entirely.
func bindOptionalJSON(c *gin.Context, v any) error {
	b, err := readBody(c)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return kedaitong.Errorf(kedaitong.EUnsupported, "send the body as application/json").ZHf("请求体应以 application/json 发送")
	}
	return decodeStrict(b, v)
}

func (s *Server) apiWithdrawApplication(c *gin.Context) {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := bindOptionalJSON(c, &in); err != nil {
		abortWithError(c, err)
		return
	}
	v, err := s.deps.Review.Withdraw(c.Request.Context(), mustCaller(c).User, c.Param("id"), strings.TrimSpace(in.Reason))
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

func (s *Server) apiDecideApplication(c *gin.Context) {
	var in review.DecisionInput
	if err := bindJSON(c, &in); err != nil {
		abortWithError(c, err)
		return
	}
	v, err := s.deps.Review.Decide(c.Request.Context(), mustCaller(c).User, c.Param("id"), in)
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// dossierUpload returns the uploaded file's name and content: the multipart
// part named "file", or else the raw body named by ?filename= or the
// Content-Disposition header.
func dossierUpload(c *gin.Context) (string, io.Reader, error) {
	mt, params, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt == "multipart/form-data" {
		if params["boundary"] == "" {
			return "", nil, kedaitong.Invalid("file", "the multipart body has no boundary").ZHf("multipart 请求体没有 boundary")
		}
		mr, err := c.Request.MultipartReader()
		if err != nil {
			return "", nil, kedaitong.Wrap(kedaitong.EInvalid, err, "the multipart body could not be read").ZHf("无法读取 multipart 请求体")
		}
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return "", nil, kedaitong.Invalid("file", "send the file as the multipart field \"file\"").ZHf("请将文件放在 multipart 字段 \"file\" 中发送")
			}
			if err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					return "", nil, kedaitong.Errorf(kedaitong.ETooLarge, "the upload is over %d bytes", mbe.Limit).ZHf("上传内容超过 %d 字节", mbe.Limit)
				}
				return "", nil, kedaitong.Wrap(kedaitong.EInvalid, err, "the multipart body could not be read").ZHf("无法读取 multipart 请求体")
			}
			if p.FormName() == "file" {
				return p.FileName(), p, nil
			}
		}
	}
	name := c.Query("filename")
	if name == "" {
		if _, ps, err := mime.ParseMediaType(c.GetHeader("Content-Disposition")); err == nil {
			name = ps["filename"]
		}
	}
	return name, c.Request.Body, nil
}

func (s *Server) apiAddAttachment(c *gin.Context) {
	name, r, err := dossierUpload(c)
	if err != nil {
		abortWithError(c, err)
		return
	}
	att, err := s.deps.Review.AddAttachment(c.Request.Context(), mustCaller(c).User, c.Param("id"), name, r)
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusCreated, att)
}

func (s *Server) apiAttachment(c *gin.Context) {
	rc, att, err := s.deps.Review.OpenAttachment(c.Request.Context(), mustCaller(c).User, c.Param("id"), c.Param("att"))
	if err != nil {
		abortWithError(c, err)
		return
	}
	defer rc.Close()
	serveAttachment(c, rc, att)
}

// serveAttachment sends a dossier file as a download with the type
// detected at upload, never to be sniffed or shown inline.
func serveAttachment(c *gin.Context, r io.Reader, att review.Attachment) {
	h := c.Writer.Header()
	h.Set("Content-Type", att.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": att.Name}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Length", strconv.FormatInt(att.Size, 10))
	c.Status(http.StatusOK)
	_, _ = io.Copy(c.Writer, r)
}

func (s *Server) apiDeleteAttachment(c *gin.Context) {
	if err := s.deps.Review.DeleteAttachment(c.Request.Context(), mustCaller(c).User, c.Param("id"), c.Param("att")); err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "deleted"})
}

func (s *Server) apiWhitelist(c *gin.Context) {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := bindJSON(c, &in); err != nil {
		abortWithError(c, err)
		return
	}
	w, err := s.deps.Review.SetWhitelist(c.Request.Context(), mustCaller(c).User, c.Param("credit_code"), in.Reason)
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, w)
}

func (s *Server) apiLiftWhitelist(c *gin.Context) {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := bindOptionalJSON(c, &in); err != nil {
		abortWithError(c, err)
		return
	}
	w, err := s.deps.Review.LiftWhitelist(c.Request.Context(), mustCaller(c).User, c.Param("credit_code"), in.Reason)
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, w)
}

func (s *Server) apiWhitelisted(c *gin.Context) {
	limit, cur, err := pageParams(c)
	if err != nil {
		abortWithError(c, err)
		return
	}
	ws, next, err := s.deps.Review.ListWhitelisted(c.Request.Context(), mustCaller(c).User, limit, cur)
	if err != nil {
		abortWithError(c, err)
		return
	}
	list(c, ws, next)
}
