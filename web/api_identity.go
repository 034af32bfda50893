package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/identity"
)

func (s *Server) registerIdentityAPI(v1 *gin.RouterGroup) {
	s.api(v1, Route{Method: "POST", Path: "/auth/login", Summary: "Log in; answers a token and sets the session cookie", Tag: "auth", Public: true}, s.apiLogin)
	s.api(v1, Route{Method: "POST", Path: "/auth/logout", Summary: "End the session on every server", Tag: "auth", Obj: "me", Act: "read"}, s.apiLogout)
	s.api(v1, Route{Method: "GET", Path: "/me", Summary: "The caller", Tag: "auth", Obj: "me", Act: "read"}, s.apiMe)
	s.api(v1, Route{Method: "POST", Path: "/me/password", Summary: "Change the caller's own password (needs the current one)", Tag: "auth", Obj: "me", Act: "update"}, s.apiChangePassword)
	s.api(v1, Route{Method: "GET", Path: "/me/tokens", Summary: "The caller's personal API tokens", Tag: "auth", Obj: "token", Act: "read"}, s.apiTokens)
	s.api(v1, Route{Method: "POST", Path: "/me/tokens", Summary: "Create a personal API token (shown once)", Tag: "auth", Obj: "token", Act: "create"}, s.apiCreateToken)
	s.api(v1, Route{Method: "DELETE", Path: "/me/tokens/:id", Summary: "Revoke a personal API token", Tag: "auth", Obj: "token", Act: "delete"}, s.apiRevokeToken)
	s.api(v1, Route{Method: "GET", Path: "/users", Summary: "List users (admin: all; bank manager: its bank's)", Tag: "users", Obj: "user", Act: "read"}, s.apiUsers)
	s.api(v1, Route{Method: "POST", Path: "/users", Summary: "Create a user", Tag: "users", Obj: "user", Act: "create"}, s.apiCreateUser)
	s.api(v1, Route{Method: "GET", Path: "/users/:id", Summary: "One user", Tag: "users", Obj: "user", Act: "read"}, s.apiUser)
	s.api(v1, Route{Method: "PATCH", Path: "/users/:id", Summary: "Disable, enable or reset the password of a user", Tag: "users", Obj: "user", Act: "update"}, s.apiPatchUser)
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

func (s *Server) apiLogin(c *gin.Context) {
	var in struct {
		Username string `json:"username"`
		Password string `json:"password"`
	}
	if err := bindJSON(c, &in); err != nil {
		abortWithError(c, err)
		return
	}
	if in.Username == "" || in.Password == "" {
		abortWithError(c, kedaitong.Errorf(kedaitong.EInvalid, "send username and password").ZHf("请提供用户名和密码"))
		return
	}
	u, secret, err := s.deps.Identity.Login(c.Request.Context(), in.Username, in.Password, c.ClientIP())
	if err != nil {
		var rl *identity.RateLimitError
		if errors.As(err, &rl) {
			c.Header("Retry-After", strconv.Itoa(int(rl.RetryAfter.Seconds()+0.999)))
		}
		abortWithError(c, err)
		return
	}
	s.setSessionCookie(c, secret, int(identity.SessionAbsolute.Seconds()))
	c.JSON(http.StatusOK, gin.H{"token": secret, "user": me(u)})
}

func (s *Server) apiLogout(c *gin.Context) {
	if err := s.deps.Identity.Logout(c.Request.Context(), mustCaller(c)); err != nil {
		abortWithError(c, err)
		return
	}
	s.setSessionCookie(c, "", -1)
	c.JSON(http.StatusOK, gin.H{"status": "logged out"})
}

func (s *Server) apiMe(c *gin.Context) { c.JSON(http.StatusOK, me(mustCaller(c).User)) }

func (s *Server) apiChangePassword(c *gin.Context) {
	var in struct {
		Current string `json:"current_password"`
		New     string `json:"new_password"`
	}
	if err := bindJSON(c, &in); err != nil {
		abortWithError(c, err)
		return
	}
	cl := mustCaller(c)
	if err := s.deps.Identity.ChangePassword(c.Request.Context(), cl.User, in.Current, in.New); err != nil {
		abortWithError(c, err)
		return
	}
	s.setSessionCookie(c, "", -1)
	c.JSON(http.StatusOK, gin.H{"status": "password changed; log in again"})
}

func (s *Server) apiTokens(c *gin.Context) {
	ts, err := s.deps.Identity.Tokens(c.Request.Context(), mustCaller(c).User)
	if err != nil {
		abortWithError(c, err)
		return
	}
	listSlice(c, ts)
}

func (s *Server) apiCreateToken(c *gin.Context) {
	var in struct {
		Name      string     `json:"name"`
		ExpiresAt *time.Time `json:"expires_at"`
	}
	if err := bindJSON(c, &in); err != nil {
		abortWithError(c, err)
		return
	}
	plain, t, err := s.deps.Identity.CreateToken(c.Request.Context(), mustCaller(c).User, in.Name, in.ExpiresAt)
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"token": plain, "id": t.ID, "name": t.Name, "created_at": t.CreatedAt, "expires_at": t.ExpiresAt})
}

func (s *Server) apiRevokeToken(c *gin.Context) {
	if err := s.deps.Identity.RevokeToken(c.Request.Context(), mustCaller(c).User, c.Param("id")); err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "revoked"})
}

func (s *Server) apiUsers(c *gin.Context) {
	limit, cur, err := pageParams(c)
	if err != nil {
		abortWithError(c, err)
		return
	}
	us, next, err := s.deps.Identity.ListUsers(c.Request.Context(), mustCaller(c).User, identity.ListFilter{BankID: c.Query("bank_id"), Limit: limit, Cursor: cur})
	if err != nil {
		abortWithError(c, err)
		return
	}
	out := make([]identity.PublicUser, len(us))
	for i, u := range us {
		out[i] = u.Public()
	}
	list(c, out, next)
}

func (s *Server) apiCreateUser(c *gin.Context) {
	var in identity.NewUser
	if err := bindJSON(c, &in); err != nil {
		abortWithError(c, err)
		return
	}
	actor := mustCaller(c).User
	u, err := s.deps.Identity.CreateUser(c.Request.Context(), &actor, in)
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusCreated, u.Public())
}

// visibleUser loads a user the caller may manage; others are 404.
func (s *Server) visibleUser(c *gin.Context) (identity.User, bool) {
	u, _, err := s.deps.Identity.User(c.Request.Context(), c.Param("id"))
	if err == nil && !identity.CanManage(mustCaller(c).User, u.Role, u.BankID) {
		err = kedaitong.Errorf(kedaitong.ENotFound, "no such user").ZHf("没有这个用户")
	}
	if err != nil {
		abortWithError(c, err)
		return identity.User{}, false
	}
	return u, true
}

func (s *Server) apiUser(c *gin.Context) {
	if u, ok := s.visibleUser(c); ok {
		c.JSON(http.StatusOK, u.Public())
	}
}

func (s *Server) apiPatchUser(c *gin.Context) {
	var p identity.Patch
	if err := bindJSON(c, &p); err != nil {
		abortWithError(c, err)
		return
	}
	u, err := s.deps.Identity.UpdateUser(c.Request.Context(), mustCaller(c).User, c.Param("id"), p)
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, u.Public())
}
