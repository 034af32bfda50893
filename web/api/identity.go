package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/web"
)

func (s *api) registerIdentityAPI(v1 *gin.RouterGroup) {
	s.API(v1, web.Route{Method: "POST", Path: "/auth/login", Summary: "Log in; answers a token and sets the session cookie", Tag: "auth", Public: true}, s.apiLogin)
	s.API(v1, web.Route{Method: "POST", Path: "/auth/logout", Summary: "End the session on every server", Tag: "auth", Obj: "me", Act: "read"}, s.apiLogout)
	s.API(v1, web.Route{Method: "GET", Path: "/me", Summary: "The caller", Tag: "auth", Obj: "me", Act: "read"}, s.apiMe)
	s.API(v1, web.Route{Method: "POST", Path: "/me/password", Summary: "Change the caller's own password (needs the current one)", Tag: "auth", Obj: "me", Act: "update"}, s.apiChangePassword)
	s.API(v1, web.Route{Method: "GET", Path: "/me/tokens", Summary: "The caller's personal API tokens", Tag: "auth", Obj: "token", Act: "read"}, s.apiTokens)
	s.API(v1, web.Route{Method: "POST", Path: "/me/tokens", Summary: "Create a personal API token (shown once)", Tag: "auth", Obj: "token", Act: "create"}, s.apiCreateToken)
	s.API(v1, web.Route{Method: "DELETE", Path: "/me/tokens/:id", Summary: "Revoke a personal API token", Tag: "auth", Obj: "token", Act: "delete"}, s.apiRevokeToken)
	s.API(v1, web.Route{Method: "GET", Path: "/users", Summary: "List users (admin: all; bank manager: its bank's)", Tag: "users", Obj: "user", Act: "read"}, s.apiUsers)
	s.API(v1, web.Route{Method: "POST", Path: "/users", Summary: "Create a user", Tag: "users", Obj: "user", Act: "create"}, s.apiCreateUser)
	s.API(v1, web.Route{Method: "GET", Path: "/users/:id", Summary: "One user", Tag: "users", Obj: "user", Act: "read"}, s.apiUser)
	s.API(v1, web.Route{Method: "PATCH", Path: "/users/:id", Summary: "Disable, enable or reset the password of a user", Tag: "users", Obj: "user", Act: "update"}, s.apiPatchUser)
}

// meBody is the contract's shape of /me and of the user in the login answer.
type meBody struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Role     string `json:"role"`
	BankID   string `json:"bank_id"`
	Region   string `json:"region"`
	ExpertID string `json:"expert_id"`
}

func me(u identity.User) meBody {
	return meBody{ID: u.ID, Username: u.Username, Role: u.Role, BankID: u.BankID, Region: u.Region, ExpertID: u.ExpertID}
}

func (s *api) apiLogin(c *gin.Context) {
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	if in.Username == "" || in.Password == "" {
		web.AbortWithError(c, kedaitong.Errorf(kedaitong.EInvalid, "send username and password").ZHf("请提供用户名和密码"))
		return
	}
	u, secret, err := s.LogIn(c, in.Username, in.Password) // sets the session and device cookies
	if err != nil {
		var rl *identity.RateLimitError
		if errors.As(err, &rl) {
			c.Header("Retry-After", strconv.Itoa(int(rl.RetryAfter.Seconds()+0.999)))
		}
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"token": secret, "user": me(u)})
}

func (s *api) apiLogout(c *gin.Context) {
	if err := s.Deps.Identity.Logout(c.Request.Context(), web.MustCaller(c)); err != nil {
		web.AbortWithError(c, err)
		return
	}
	s.SetSessionCookie(c, "", -1)
	c.JSON(http.StatusOK, gin.H{"status": "logged out"})
}

func (s *api) apiMe(c *gin.Context) { c.JSON(http.StatusOK, me(web.MustCaller(c).User)) }

func (s *api) apiChangePassword(c *gin.Context) {
	var in struct {
		Current string `json:"current_password"`
		New     string `json:"new_password"`
	}
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	cl := web.MustCaller(c)
	if err := s.Deps.Identity.ChangePassword(c.Request.Context(), cl.User, in.Current, in.New); err != nil {
		web.AbortWithError(c, err)
		return
	}
	s.SetSessionCookie(c, "", -1)
	c.JSON(http.StatusOK, gin.H{"status": "password changed; log in again"})
}

func (s *api) apiTokens(c *gin.Context) {
	ts, err := s.Deps.Identity.Tokens(c.Request.Context(), web.MustCaller(c).User)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	web.ListSlice(c, ts)
}

func (s *api) apiCreateToken(c *gin.Context) {
	var in struct {
		Name      string     `json:"name"`
		ExpiresAt *time.Time `json:"expires_at"`
	}
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	plain, t, err := s.Deps.Identity.CreateToken(c.Request.Context(), web.MustCaller(c).User, in.Name, in.ExpiresAt)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"token": plain, "id": t.ID, "name": t.Name, "created_at": t.CreatedAt, "expires_at": t.ExpiresAt})
}

func (s *api) apiRevokeToken(c *gin.Context) {
	if err := s.Deps.Identity.RevokeToken(c.Request.Context(), web.MustCaller(c).User, c.Param("id")); err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "revoked"})
}

func (s *api) apiUsers(c *gin.Context) {
	limit, cur, err := web.PageParams(c)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	us, next, err := s.Deps.Identity.ListUsers(c.Request.Context(), web.MustCaller(c).User, identity.ListFilter{BankID: c.Query("bank_id"), Limit: limit, Cursor: cur})
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	out := make([]identity.PublicUser, len(us))
	for i, u := range us {
		out[i] = u.Public()
	}
	web.List(c, out, next)
}

func (s *api) apiCreateUser(c *gin.Context) {
	var in identity.NewUser
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	actor := web.MustCaller(c).User
	u, err := s.Deps.Identity.CreateUser(c.Request.Context(), &actor, in)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusCreated, u.Public())
}

// visibleUser loads a user the caller may manage; others are 404.
func (s *api) visibleUser(c *gin.Context) (identity.User, bool) {
	u, _, err := s.Deps.Identity.User(c.Request.Context(), c.Param("id"))
	if err == nil && !identity.CanManage(web.MustCaller(c).User, u.Role, u.BankID) {
		err = kedaitong.Errorf(kedaitong.ENotFound, "no such user").ZHf("没有这个用户")
	}
	if err != nil {
		web.AbortWithError(c, err)
		return identity.User{}, false
	}
	return u, true
}

func (s *api) apiUser(c *gin.Context) {
	if u, ok := s.visibleUser(c); ok {
		c.JSON(http.StatusOK, u.Public())
	}
}

func (s *api) apiPatchUser(c *gin.Context) {
	var p identity.Patch
	if err := web.BindJSON(c, &p); err != nil {
		web.AbortWithError(c, err)
		return
	}
	u, err := s.Deps.Identity.UpdateUser(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), p)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, u.Public())
}
