package api

import (
	"net/http"
	"sort"

	"github.com/gin-gonic/gin"

	"kedaitong/web"
)

// policyRule is one row of the access policy.
type policyRule struct {
	Role   string `json:"role"`
	Domain string `json:"domain"`
	Obj    string `json:"obj"`
	Act    string `json:"act"`
}

func (s *api) registerPolicyAPI(v1 *gin.RouterGroup) {
	s.API(v1, web.Route{Method: "GET", Path: "/policies", Summary: "The access policy: which role may do which action on which kind of object", Tag: "access", Obj: "policy", Act: "read"}, s.apiPolicies)
	s.API(v1, web.Route{Method: "POST", Path: "/policies", Summary: "Allow a role an action (takes effect on every server within seconds)", Tag: "access", Obj: "policy", Act: "create"}, s.apiChangePolicy(true))
	s.API(v1, web.Route{Method: "POST", Path: "/policies/remove", Summary: "Withdraw a role's action", Tag: "access", Obj: "policy", Act: "delete"}, s.apiChangePolicy(false))
}

func (s *api) apiPolicies(c *gin.Context) {
	rows, err := s.Deps.Policy.Policy()
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	out := make([]policyRule, 0, len(rows))
	for _, r := range rows {
		if len(r) >= 4 {
			out = append(out, policyRule{Role: r[0], Domain: r[1], Obj: r[2], Act: r[3]})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Role != b.Role {
			return a.Role < b.Role
		}
		if a.Obj != b.Obj {
			return a.Obj < b.Obj
		}
		return a.Act < b.Act
	})
	web.ListSlice(c, out)
}

func (s *api) apiChangePolicy(add bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		var in policyRule
		if err := web.BindJSON(c, &in); err != nil {
			web.AbortWithError(c, err)
			return
		}
		if in.Domain == "" {
			in.Domain = "*"
		}
		if err := s.ChangePolicy(c.Request.Context(), web.MustCaller(c).User, in.Role, in.Domain, in.Obj, in.Act, add); err != nil {
			web.AbortWithError(c, err)
			return
		}
		status := http.StatusOK
		if add {
			status = http.StatusCreated
		}
		c.JSON(status, in)
	}
}
