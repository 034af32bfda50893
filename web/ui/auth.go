package ui

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/web"
)

// page registers a UI route: public ones run for everyone, the others need
// a session (redirect to the log-in page), a role Casbin allows (403 page)
// and, for POSTs, the session's form token.
func (s *ui) page(e *gin.Engine, r web.UIRoute, h gin.HandlerFunc) {
	if !r.Public && (r.Obj == "" || r.Act == "") {
		panic("web: page " + r.Method + " " + r.Path + " has no access rule")
	}
	s.AddUIRoute(r)
	limit := int64(web.MaxJSONBody)
	if r.Upload {
		limit = web.MaxUploadBody + 64<<10
	}
	e.Handle(r.Method, r.Path, web.LimitBody(limit), s.pageGuard(r), h)
}

func (s *ui) pageGuard(r web.UIRoute) gin.HandlerFunc {
	return func(c *gin.Context) {
		var cl identity.Caller
		ok := false
		if v, err := c.Cookie(s.SessionCookieName(c)); err == nil && v != "" {
			if got, err := s.Deps.Identity.Authenticate(c.Request.Context(), v); err == nil {
				cl, ok = got, true
				c.Set(web.CtxCallerKey, cl)
				c.Set(web.CtxUserIDKey, cl.User.ID)
			}
		}
		if !web.SafeMethod(c.Request.Method) {
			if err := web.SameOrigin(c); err != nil {
				s.renderError(c, http.StatusForbidden, "error.forbidden")
				c.Abort()
				return
			}
			if ok && subtle.ConstantTimeCompare([]byte(c.PostForm("csrf")), []byte(cl.CSRF)) != 1 {
				s.renderError(c, http.StatusForbidden, "error.csrf")
				c.Abort()
				return
			}
		}
		if r.Public {
			c.Next()
			return
		}
		if !ok {
			c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
			c.Abort()
			return
		}
		if !s.Deps.RBAC.RoleAllowed(cl.User.Role, r.Obj, r.Act) {
			s.Deny(c, cl, web.Route{Method: r.Method, Path: r.Path, Obj: r.Obj, Act: r.Act}, "role not allowed")
			s.renderError(c, http.StatusForbidden, "error.forbidden")
			c.Abort()
			return
		}
		c.Next()
	}
}

func (s *ui) renderError(c *gin.Context, status int, msgID string) {
	s.render(c, status, "error", "error.title", gin.H{"Message": msgID})
}

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

func (s *ui) registerAuthPages(e *gin.Engine) {
	s.page(e, web.UIRoute{Method: "GET", Path: "/login", Public: true}, func(c *gin.Context) {
		s.render(c, http.StatusOK, "login", "login.title", gin.H{"Next": safeNext(c.Query("next"))})
	})
	s.page(e, web.UIRoute{Method: "POST", Path: "/login", Public: true}, s.pageLogin)
	s.page(e, web.UIRoute{Method: "POST", Path: "/logout", Obj: "me", Act: "read"}, func(c *gin.Context) {
		_ = s.Deps.Identity.Logout(c.Request.Context(), web.MustCaller(c))
		s.SetSessionCookie(c, "", -1)
		c.Redirect(http.StatusSeeOther, "/login")
	})
	s.page(e, web.UIRoute{Method: "GET", Path: "/account", Obj: "me", Act: "read"}, func(c *gin.Context) {
		s.render(c, http.StatusOK, "account", "account.title", gin.H{"Done": c.Query("done") != "", "Bank": s.accountBank(c)})
	})
	s.page(e, web.UIRoute{Method: "POST", Path: "/account/password", Obj: "me", Act: "update"}, s.pageChangePassword)
	s.page(e, web.UIRoute{Method: "GET", Path: "/admin/users", Obj: "user", Act: "read"}, s.pageUsers)
	s.page(e, web.UIRoute{Method: "POST", Path: "/admin/users", Obj: "user", Act: "create"}, s.pageCreateUser)
	s.page(e, web.UIRoute{Method: "POST", Path: "/admin/users/:id/disabled", Obj: "user", Act: "update"}, s.pageToggleUser)
}

func (s *ui) pageLogin(c *gin.Context) {
	next := safeNext(c.PostForm("next"))
	_, _, err := s.LogIn(c, c.PostForm("username"), c.PostForm("password")) // sets the session and device cookies
	if err != nil {
		status := web.StatusOf(err)
		msg := "login.failed"
		if kedaitong.Is(err, kedaitong.ERateLimited) {
			msg = "login.limited"
		} else if !kedaitong.Is(err, kedaitong.EUnauthorized) {
			msg = "error.internal"
		}
		s.render(c, status, "login", "login.title", gin.H{"Next": next, "Error": msg, "Username": c.PostForm("username")})
		return
	}
	c.Redirect(http.StatusSeeOther, next)
}

func (s *ui) pageChangePassword(c *gin.Context) {
	cl := web.MustCaller(c)
	cur, next, again := c.PostForm("current_password"), c.PostForm("new_password"), c.PostForm("new_password_again")
	var err error
	if next != again {
		err = kedaitong.Invalid("new_password", "the two new passwords differ").ZHf("两次输入的新密码不一致")
	} else {
		err = s.Deps.Identity.ChangePassword(c.Request.Context(), cl.User, cur, next)
	}
	if err != nil {
		s.render(c, web.StatusOf(err), "account", "account.title", gin.H{"Error": web.ErrText(c, err), "Bank": s.accountBank(c)})
		return
	}
	s.SetSessionCookie(c, "", -1)
	c.Redirect(http.StatusSeeOther, "/login?changed=1")
}

func (s *ui) pageUsers(c *gin.Context) {
	s.renderUsers(c, http.StatusOK, "", nil, "")
}

func (s *ui) renderUsers(c *gin.Context, status int, errMsg string, form *identity.NewUser, created string) {
	cl := web.MustCaller(c)
	ctx := c.Request.Context()
	lang := web.PickLang(c)
	us, truncated, err := readAll(func(cur string) ([]identity.User, string, error) {
		return s.Deps.Identity.ListUsers(ctx, cl.User, identity.ListFilter{Limit: 500, Cursor: cur})
	})
	if err != nil && errMsg == "" {
		errMsg = web.ErrText(c, err)
	}
	banks := s.bankNames(c, cl.User)
	tr := web.NewTr(s.bundle, lang)
	orgOf := func(u identity.User) string {
		switch {
		case u.BankID != "":
			return nameOr(banks[u.BankID], u.BankID)
		case u.Org != "":
			return u.Org
		}
		return "—"
	}
	spec := listSpec[identity.User]{ID: "users", Sheet: "users.title", Sort: "username", Cols: []col[identity.User]{
		textCol("username", "users.username", func(u identity.User) string { return u.Username }),
		textCol("role", "users.role", func(u identity.User) string { return tr.T("role." + u.Role) }),
		textCol("org", "users.org_col", orgOf),
		textCol("region", "users.region_col", func(u identity.User) string { return regionText(lang, u.Region) }),
		textCol("state", "users.state", func(u identity.User) string {
			if u.Disabled {
				return tr.T("users.disabled")
			}
			return tr.T("users.active")
		}),
		timeCol("created", "users.created_col", func(u identity.User) time.Time { return u.CreatedAt }),
		{Label: "users.actions", Fixed: true, Skip: true},
	}, Search: func(u identity.User) string { return u.BankID + " " + u.Region + " " + u.ExpertID }}
	page, list, done := listRows(s, c, spec, us, truncated)
	if done {
		return
	}
	type userRow struct {
		identity.User
		OrgName, RegionName, Created string
	}
	rows := make([]userRow, len(page))
	for i, u := range page {
		rows[i] = userRow{User: u, OrgName: orgOf(u), RegionName: regionText(lang, u.Region), Created: fmtBeijing(u.CreatedAt, "2006-01-02 15:04")}
	}
	if form == nil {
		form = &identity.NewUser{}
		if cl.User.Role == identity.RoleBankManager {
			form.Role, form.BankID = identity.RoleBankOfficer, cl.User.BankID
		}
	}
	roles := identity.Roles
	if cl.User.Role == identity.RoleBankManager {
		roles = []string{identity.RoleBankOfficer}
	}
	s.render(c, status, "users", "users.title", gin.H{"Users": rows, "List": list, "Error": errMsg, "Form": form,
		"Roles": roles, "Created": created, "Manager": cl.User.Role == identity.RoleBankManager,
		"Banks": s.bankOptions(c, cl.User), "Regions": regionOptions(lang), "Experts": s.expertChoices(c, cl.User, us, lang)})
}

func (s *ui) pageCreateUser(c *gin.Context) {
	cl := web.MustCaller(c)
	in := identity.NewUser{Username: c.PostForm("username"), Password: c.PostForm("password"), Role: c.PostForm("role"),
		BankID: strings.TrimSpace(c.PostForm("bank_id")), Region: strings.TrimSpace(c.PostForm("region")), ExpertID: strings.TrimSpace(c.PostForm("expert_id")),
		Org: strings.TrimSpace(c.PostForm("org"))}
	if cl.User.Role == identity.RoleBankManager {
		in.BankID = cl.User.BankID
	}
	u, err := s.Deps.Identity.CreateUser(c.Request.Context(), &cl.User, in)
	if err != nil {
		in.Password = ""
		s.renderUsers(c, web.StatusOf(err), web.ErrText(c, err), &in, "")
		return
	}
	s.renderUsers(c, http.StatusOK, "", nil, u.Username)
}

func (s *ui) pageToggleUser(c *gin.Context) {
	cl := web.MustCaller(c)
	disabled := c.PostForm("disabled") == "true"
	if _, err := s.Deps.Identity.UpdateUser(c.Request.Context(), cl.User, c.Param("id"), identity.Patch{Disabled: &disabled}); err != nil {
		s.renderUsers(c, web.StatusOf(err), web.ErrText(c, err), nil, "")
		return
	}
	c.Redirect(http.StatusSeeOther, "/admin/users")
}

// accountBank names the caller's bank (its id when it is not registered).
func (s *ui) accountBank(c *gin.Context) string {
	cl, ok := web.CallerOf(c)
	if !ok || cl.User.BankID == "" {
		return ""
	}
	return nameOr(s.bankNames(c, cl.User)[cl.User.BankID], cl.User.BankID)
}
