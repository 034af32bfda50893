package api

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/fund"
	"kedaitong/web"
)

func (s *api) registerFundAPI(v1 *gin.RouterGroup) {
	const tag = "fund"
	r := func(method, path, summary, obj, act string, h gin.HandlerFunc) {
		s.API(v1, web.Route{Method: method, Path: path, Summary: summary, Tag: tag, Obj: obj, Act: act}, h)
	}
	r("POST", "/funds", "Open a region's risk-compensation fund: {\"region\",\"name\"?,\"leverage\":10,\"loss_share_pct\":80,\"province_share_pct\":50,\"steps\":[{\"min_term_months\":36,\"hard_tech\":true,\"loss_share_pct\":90}],\"warn_npl_pct\":3,\"suspend_npl_pct\":5}; one per region (409)", "fund", "create", s.apiCreateFund)
	r("GET", "/funds", "Funds the caller may read (officials: their region; banks: the funds their loans use), by region; filter region", "fund", "read", s.apiFunds)
	r("GET", "/funds/kpis", "KPIs: one row per fund within region (default the caller's) for year (default this year), best first", "fund_kpi", "read", s.apiFundKPIs)
	r("GET", "/funds/export", "XLSX export of loans, claims or KPIs: kind=loans|claims|kpis (region, year for KPIs); lang=en for English headers", "fund_kpi", "read", s.apiFundExport)
	r("POST", "/funds/transfers", "Cross-regional adjustment: {\"from\",\"to\",\"amount\",\"reason\"} (funds by id or region); 409 when from would fall below outstanding ÷ leverage", "fund", "transfer", s.apiFundTransfer)
	r("GET", "/funds/transfers", "Transfers between funds, newest first (officials: those touching their region)", "fund", "transfer", s.apiFundTransfers)
	r("GET", "/funds/:id", "One fund: cash, capacity, outstanding, available, paid_out, deferred, payment_warning, budgets, paid-in by year, per-bank NPL", "fund", "read", s.apiFund)
	r("PATCH", "/funds/:id", "Change a fund's name (officials of its region) or terms (officials above its region, admins)", "fund", "update", s.apiUpdateFund)
	r("POST", "/funds/:id/contributions", "Record a year's budget and money paid in: {\"year\",\"budgeted\",\"paid_in\",\"by\":\"province\"|\"city\"|\"county\"}; paid-in money pays deferred claims first", "fund", "contribute", s.apiContribute)
	r("PUT", "/funds/:id/targets", "Set a year's performance target: {\"year\",\"loan_amount\",\"startup_share_pct\"} (officials above the fund's region, admins)", "fund", "target", s.apiFundTarget)
	r("POST", "/funds/:id/banks/:bank_id/resume", "Lift a bank's suspension in the fund: {\"reason\"}", "fund", "resume", s.apiFundResume)

	r("POST", "/loans", "Register a loan: {\"application_id\"?,\"enterprise\"?,\"amount\",\"start\",\"term_months\"}; 409 capacity_exceeded, bank_suspended, enterprise_dishonest; 400 when no fund covers the region", "loan", "create", s.apiRegisterLoan)
	r("GET", "/loans", "Loans the caller may see, newest first; filters state, fund", "loan", "read", s.apiLoans)
	r("GET", "/loans/:id", "One loan", "loan", "read", s.apiLoan)
	r("POST", "/loans/:id/repayments", "Record a repayment of principal: {\"amount\",\"date\"}; at 0 outstanding the loan is repaid", "loan", "repay", s.apiRepay)
	r("POST", "/loans/:id/default", "Record a default: {\"date\",\"outstanding\"}; the loan becomes non_performing", "loan", "default", s.apiDefault)
	r("POST", "/loans/:id/technical-evaluation", "Order a technical evaluation of a non-performing loan: a panel of experts on its route", "evaluation", "create", s.apiOrderEvaluation)
	r("POST", "/loans/:id/claims", "File a claim: {\"loss\",\"cause\":\"ordinary\"|\"tech_route_failure\",\"evaluation_id\"?}", "claim", "create", s.apiFileClaim)
	s.registerEvaluationsAPI(v1)
	r("GET", "/evaluations/:id", "A technical evaluation: {\"id\",\"loan_id\",\"state\",\"finding\"}", "evaluation", "read", s.apiEvaluation)
	r("GET", "/claims", "Claims the caller may see, newest first; filters state (or open), fund", "claim", "read", s.apiClaims)
	r("GET", "/claims/:id", "One claim", "claim", "read", s.apiClaim)
	r("POST", "/claims/:id/recovery-closed", "The bank's recovery (collateral, courts) is finished", "claim", "recover", s.apiRecoveryClosed)
	r("POST", "/claims/:id/approve", "Approve a claim and pay it from the fund's cash; what cash cannot cover is deferred", "claim", "decide", s.apiApproveClaim)
	r("POST", "/claims/:id/reject", "Reject a claim: {\"reason\"}", "claim", "decide", s.apiRejectClaim)
}

// answer writes v or the error.
func answer[T any](c *gin.Context, status int, v T, err error) {
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	c.JSON(status, v)
}

func (s *api) apiCreateFund(c *gin.Context) {
	var in fund.PoolInput
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	v, err := s.Deps.Fund.CreatePool(c.Request.Context(), web.MustCaller(c).User, in)
	if err == nil {
		c.Header("Location", "/api/v1/funds/"+v.ID)
	}
	answer(c, http.StatusCreated, v, err)
}

func (s *api) apiFunds(c *gin.Context) {
	limit, cur, err := web.PageParams(c)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	vs, next, err := s.Deps.Fund.ListPools(c.Request.Context(), web.MustCaller(c).User, fund.PoolFilter{Region: c.Query("region"), Limit: limit, Cursor: cur})
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	web.List(c, vs, next)
}

func (s *api) apiFund(c *gin.Context) {
	v, err := s.Deps.Fund.GetPool(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	answer(c, http.StatusOK, v, err)
}

func (s *api) apiUpdateFund(c *gin.Context) {
	var in fund.PoolInput
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	v, err := s.Deps.Fund.UpdatePool(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), in)
	answer(c, http.StatusOK, v, err)
}

func (s *api) apiContribute(c *gin.Context) {
	var in fund.ContributionInput
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	v, _, err := s.Deps.Fund.Contribute(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), in)
	answer(c, http.StatusCreated, v, err)
}

func (s *api) apiFundTarget(c *gin.Context) {
	var in fund.TargetInput
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	v, err := s.Deps.Fund.SetTarget(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), in)
	answer(c, http.StatusOK, v, err)
}

func (s *api) apiFundResume(c *gin.Context) {
	var in fund.ResumeInput
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	v, err := s.Deps.Fund.Resume(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), c.Param("bank_id"), in)
	answer(c, http.StatusOK, v, err)
}

func (s *api) apiFundTransfer(c *gin.Context) {
	var in fund.TransferInput
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	v, err := s.Deps.Fund.TransferMoney(c.Request.Context(), web.MustCaller(c).User, in)
	answer(c, http.StatusCreated, v, err)
}

func (s *api) apiFundTransfers(c *gin.Context) {
	limit, cur, err := web.PageParams(c)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	vs, next, err := s.Deps.Fund.ListTransfers(c.Request.Context(), web.MustCaller(c).User, limit, cur)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	web.List(c, vs, next)
}

// yearParam reads ?year= (0 when absent).
func yearParam(c *gin.Context) (int, error) {
	y := c.Query("year")
	if y == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(y)
	if err != nil {
		return 0, kedaitong.Invalid("year", "a year such as 2025").ZHf("年份格式有误，例如 2025")
	}
	return n, nil
}

func (s *api) apiFundKPIs(c *gin.Context) {
	year, err := yearParam(c)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	rows, err := s.Deps.Fund.KPIs(c.Request.Context(), web.MustCaller(c).User, c.Query("region"), year)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	web.List(c, rows, "")
}

func (s *api) apiFundExport(c *gin.Context) {
	year, err := yearParam(c)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	kind := c.Query("kind")
	var buf bytes.Buffer
	if err := s.Deps.Fund.Export(c.Request.Context(), web.MustCaller(c).User, kind, c.Query("region"), year, web.PickLang(c) != "en", &buf); err != nil {
		web.AbortWithError(c, err)
		return
	}
	name := fmt.Sprintf("fund-%s-%s.xlsx", kind, time.Now().In(kedaitong.Beijing).Format("20060102"))
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buf.Bytes())
}

func (s *api) apiRegisterLoan(c *gin.Context) {
	var in fund.LoanInput
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	v, err := s.Deps.Fund.RegisterLoan(c.Request.Context(), web.MustCaller(c).User, in)
	if err == nil {
		c.Header("Location", "/api/v1/loans/"+v.ID)
	}
	answer(c, http.StatusCreated, v, err)
}

func (s *api) apiLoans(c *gin.Context) {
	limit, cur, err := web.PageParams(c)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	vs, next, err := s.Deps.Fund.ListLoans(c.Request.Context(), web.MustCaller(c).User, fund.LoanFilter{State: c.Query("state"), FundID: c.Query("fund"), Limit: limit, Cursor: cur})
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	web.List(c, vs, next)
}

func (s *api) apiLoan(c *gin.Context) {
	v, err := s.Deps.Fund.GetLoan(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	answer(c, http.StatusOK, v, err)
}

func (s *api) apiRepay(c *gin.Context) {
	var in fund.RepaymentInput
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	v, err := s.Deps.Fund.Repay(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), in)
	answer(c, http.StatusOK, v, err)
}

func (s *api) apiDefault(c *gin.Context) {
	var in fund.DefaultInput
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	v, err := s.Deps.Fund.MarkDefault(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), in)
	answer(c, http.StatusOK, v, err)
}

func (s *api) apiOrderEvaluation(c *gin.Context) {
	var in struct{}
	if err := web.BindOptionalJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	v, err := s.Deps.Fund.OrderEvaluation(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	answer(c, http.StatusCreated, v, err)
}

func (s *api) apiEvaluation(c *gin.Context) {
	v, err := s.Deps.Fund.GetEvaluation(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	answer(c, http.StatusOK, v, err)
}

func (s *api) apiFileClaim(c *gin.Context) {
	var in fund.ClaimInput
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	v, err := s.Deps.Fund.FileClaim(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), in)
	if err == nil {
		c.Header("Location", "/api/v1/claims/"+v.ID)
	}
	answer(c, http.StatusCreated, v, err)
}

func (s *api) apiClaims(c *gin.Context) {
	limit, cur, err := web.PageParams(c)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	vs, next, err := s.Deps.Fund.ListClaims(c.Request.Context(), web.MustCaller(c).User, fund.ClaimFilter{State: c.Query("state"), FundID: c.Query("fund"), Limit: limit, Cursor: cur})
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	web.List(c, vs, next)
}

func (s *api) apiClaim(c *gin.Context) {
	v, err := s.Deps.Fund.GetClaim(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	answer(c, http.StatusOK, v, err)
}

func (s *api) apiRecoveryClosed(c *gin.Context) {
	var in struct{}
	if err := web.BindOptionalJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	v, err := s.Deps.Fund.CloseRecovery(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	answer(c, http.StatusOK, v, err)
}

func (s *api) apiApproveClaim(c *gin.Context) {
	var in struct{}
	if err := web.BindOptionalJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	v, err := s.Deps.Fund.ApproveClaim(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	answer(c, http.StatusOK, v, err)
}

func (s *api) apiRejectClaim(c *gin.Context) {
	var in fund.RejectInput
	if err := web.BindJSON(c, &in); err != nil {
		web.AbortWithError(c, err)
		return
	}
	v, err := s.Deps.Fund.RejectClaim(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), in)
	answer(c, http.StatusOK, v, err)
}
