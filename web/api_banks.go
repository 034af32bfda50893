package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"kedaitong/banks"
)

func (s *Server) registerBanksAPI(v1 *gin.RouterGroup) {
	const tag = "banks"
	s.api(v1, Route{Method: "GET", Path: "/banks", Summary: "The registry of lending banks (a bank user sees its own); used by the conflict checks", Tag: tag, Obj: "bank", Act: "read"}, s.apiBanks)
	s.api(v1, Route{Method: "POST", Path: "/banks", Summary: "Register a bank or change its details: {\"id\",\"name\",\"credit_code\"?,\"aliases\"?,\"region\"?}; id is its users' bank_id", Tag: tag, Obj: "bank", Act: "create"}, s.apiSaveBank)
	s.api(v1, Route{Method: "GET", Path: "/banks/:id", Summary: "One bank", Tag: tag, Obj: "bank", Act: "read"}, s.apiBank)
}

func (s *Server) apiBanks(c *gin.Context) {
	bs, err := s.deps.Banks.List(c.Request.Context(), mustCaller(c).User)
	if err != nil {
		abortWithError(c, err)
		return
	}
	listSlice(c, bs)
}

func (s *Server) apiBank(c *gin.Context) {
	b, err := s.deps.Banks.Get(c.Request.Context(), mustCaller(c).User, c.Param("id"))
	if err != nil {
		abortWithError(c, err)
		return
	}
	c.JSON(http.StatusOK, b)
}

func (s *Server) apiSaveBank(c *gin.Context) {
	var in banks.Input
	if err := bindJSON(c, &in); err != nil {
		abortWithError(c, err)
		return
	}
	u := mustCaller(c).User
	b, created, err := s.deps.Banks.Save(c.Request.Context(), &u, in)
	if err != nil {
		abortWithError(c, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.JSON(status, b)
}
