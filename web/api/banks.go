package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"kedaitong/banks"
	"kedaitong/web"
)

func (s *api) registerBanksAPI(v1 *gin.RouterGroup) {
	const tag = "banks"
	s.API(v1, web.Route{Method: "GET", Path: "/banks", Summary: "The registry of lending banks (a bank user sees its own); used by the conflict checks", Tag: tag, Obj: "bank", Act: "read"}, s.apiBanks)
	s.API(v1, web.Route{Method: "POST", Path: "/banks", Summary: "Register a bank or change its details: {\"id\",\"name\",\"credit_code\"?,\"aliases\"?,\"region\"?}; id is its users' bank_id", Tag: tag, Obj: "bank", Act: "create"}, s.apiSaveBank)
	s.API(v1, web.Route{Method: "GET", Path: "/banks/:id", Summary: "One bank", Tag: tag, Obj: "bank", Act: "read"}, s.apiBank)
}

func (s *api) apiBanks(c *gin.Context) {
	bs, err := s.Deps.Banks.List(c.Request.Context(), web.MustCaller(c).User)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	web.ListSlice(c, bs)
}

func (s *api) apiBank(c *gin.Context) {
	b, err := s.Deps.Banks.Get(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, b)
}

func (s *api) apiSaveBank(c *gin.Context) {
	var in banks.Input
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	u := web.MustCaller(c).User
	b, created, err := s.Deps.Banks.Save(c.Request.Context(), &u, in)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, b)
}
