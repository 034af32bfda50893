package ui

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/fund"
	"kedaitong/identity"
	"kedaitong/review"
	"kedaitong/taxonomy"
	"kedaitong/web"
)

func init() {
	funcs["fundbar"] = func(num, den int64) int64 { // of a 400-wide bar
		if den <= 0 {
			return 0
		}
		return min(400, 400*num/den)
	}
	funcs["firststep"] = func(steps []fund.Step) fund.Step {
		if len(steps) == 0 {
			return fund.Step{MinTermMonths: 36, HardTech: true}
		}
		return steps[0]
	}
	funcs["fundpct"] = func(num, den int64) int64 {
		if den <= 0 {
			return 0
		}
		return min(100, 100*num/den)
	}
}

func atoiForm(c *gin.Context, field string) (int, error) {
	v := strings.TrimSpace(c.PostForm(field))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, kedaitong.Invalid(field, "a whole number").ZHf("%s 应为整数", field)
	}
	return n, nil
}

func (s *ui) registerFundPages(e *gin.Engine) {
	s.page(e, web.UIRoute{Method: "GET", Path: "/fund", Obj: "fund", Act: "read"}, s.pageFunds)
	s.page(e, web.UIRoute{Method: "POST", Path: "/fund/pools", Obj: "fund", Act: "create"}, s.postFundPool)
	s.page(e, web.UIRoute{Method: "GET", Path: "/fund/pools/:id", Obj: "fund", Act: "read"}, s.pageFundPool)
	s.page(e, web.UIRoute{Method: "POST", Path: "/fund/pools/:id/contributions", Obj: "fund", Act: "contribute"}, s.postFundContribution)
	s.page(e, web.UIRoute{Method: "POST", Path: "/fund/pools/:id/targets", Obj: "fund", Act: "target"}, s.postFundTarget)
	s.page(e, web.UIRoute{Method: "POST", Path: "/fund/pools/:id/terms", Obj: "fund", Act: "update"}, s.postFundTerms)
	s.page(e, web.UIRoute{Method: "POST", Path: "/fund/pools/:id/banks/:bank/resume", Obj: "fund", Act: "resume"}, s.postFundResume)
	s.page(e, web.UIRoute{Method: "POST", Path: "/fund/transfers", Obj: "fund", Act: "transfer"}, s.postFundTransfer)
	s.page(e, web.UIRoute{Method: "GET", Path: "/fund/loans", Obj: "loan", Act: "read"}, s.pageFundLoans)
	s.page(e, web.UIRoute{Method: "GET", Path: "/fund/loans/new", Obj: "loan", Act: "create"}, s.pageFundLoanNew)
	s.page(e, web.UIRoute{Method: "POST", Path: "/fund/loans", Obj: "loan", Act: "create"}, s.postFundLoan)
	s.page(e, web.UIRoute{Method: "GET", Path: "/fund/loans/:id", Obj: "loan", Act: "read"}, s.pageFundLoan)
	s.page(e, web.UIRoute{Method: "POST", Path: "/fund/loans/:id/repayments", Obj: "loan", Act: "repay"}, s.postFundRepay)
	s.page(e, web.UIRoute{Method: "POST", Path: "/fund/loans/:id/default", Obj: "loan", Act: "default"}, s.postFundDefault)
	s.page(e, web.UIRoute{Method: "POST", Path: "/fund/loans/:id/claims", Obj: "claim", Act: "create"}, s.postFundClaim)
	s.page(e, web.UIRoute{Method: "POST", Path: "/fund/loans/:id/evaluation", Obj: "evaluation", Act: "create"}, s.postFundEvaluation)
	s.page(e, web.UIRoute{Method: "GET", Path: "/fund/claims", Obj: "claim", Act: "read"}, s.pageFundClaims)
	s.page(e, web.UIRoute{Method: "GET", Path: "/fund/claims/:id", Obj: "claim", Act: "read"}, s.pageFundClaim)
	s.page(e, web.UIRoute{Method: "POST", Path: "/fund/claims/:id/approve", Obj: "claim", Act: "decide"}, s.postFundApprove)
	s.page(e, web.UIRoute{Method: "POST", Path: "/fund/claims/:id/reject", Obj: "claim", Act: "decide"}, s.postFundReject)
	s.page(e, web.UIRoute{Method: "POST", Path: "/fund/claims/:id/recovery-closed", Obj: "claim", Act: "recover"}, s.postFundRecovery)
	s.page(e, web.UIRoute{Method: "GET", Path: "/fund/kpis", Obj: "fund_kpi", Act: "read"}, s.pageFundKPIs)
	s.page(e, web.UIRoute{Method: "GET", Path: "/fund/export", Obj: "fund_kpi", Act: "read"}, s.pageFundExport)
	s.registerFundSeatPages(e)
}

// fundBack redirects to back with a notice (done) or an error message.
func (s *ui) fundBack(c *gin.Context, back, done string, err error) {
	q := url.Values{}
	if err != nil {
		q.Set("err", web.ErrText(c, err))
		var ke *kedaitong.Error
		if errors.As(err, &ke) && ke.Field != "" {
			q.Set("field", ke.Field)
		}
	} else {
		q.Set("done", done)
	}
	sep := "?"
	if strings.Contains(back, "?") {
		sep = "&"
	}
	c.Redirect(http.StatusSeeOther, back+sep+q.Encode())
}

// flash is what a page shows after a redirect from a form.
func flash(c *gin.Context) gin.H {
	return gin.H{"Error": c.Query("err"), "Notice": c.Query("done")}
}

// bankName is the bank's registered name; a bank the registry does not
// know is labelled as such with its id (the one thing to copy to ask).
func (s *ui) bankName(c *gin.Context, id string) string {
	if id == "" {
		return ""
	}
	if s.Deps.Banks != nil {
		if b, err := s.Deps.Banks.Get(c.Request.Context(), web.MustCaller(c).User, id); err == nil && b.Name != "" {
			return b.Name
		}
	}
	return web.NewTr(s.bundle, web.PickLang(c)).T("fund.bank.unregistered", "ID", id)
}

// fundRegionGroups lists the regions within `within` ("" for all of
// Jiangxi) by name for a select: the province and its cities first, then
// each city's counties.
func fundRegionGroups(lang, within string) []countyGroup {
	name := func(t taxonomy.Text) string { return pick(t, lang) }
	top := countyGroup{Name: name(taxonomy.Province().Name)}
	if within == "" || within == "36" {
		top.Counties = append(top.Counties, routeOption{Code: "36", Name: name(taxonomy.Province().Name)})
	}
	var out []countyGroup
	for _, c := range taxonomy.Cities() {
		if within != "" && !identity.RegionCovers(within, c.Code) && !identity.RegionCovers(c.Code, within) {
			continue
		}
		if within == "" || identity.RegionCovers(within, c.Code) {
			top.Counties = append(top.Counties, routeOption{Code: c.Code, Name: name(c.Name)})
		}
		g := countyGroup{City: c.Code, Name: name(c.Name)}
		for _, r := range taxonomy.Counties(c.Code) {
			if within == "" || identity.RegionCovers(within, r.Code) {
				g.Counties = append(g.Counties, routeOption{Code: r.Code, Name: name(r.Name)})
			}
		}
		if len(g.Counties) > 0 {
			out = append(out, g)
		}
	}
	if len(top.Counties) > 0 {
		out = append([]countyGroup{top}, out...)
	}
	return out
}

func (s *ui) pageFunds(c *gin.Context) {
	u := web.MustCaller(c).User
	ctx := c.Request.Context()
	pools, _, err := s.Deps.Fund.ListPools(ctx, u, fund.PoolFilter{Limit: 500})
	data := flash(c)
	if err != nil {
		data["Error"] = web.ErrText(c, err)
	}
	data["Pools"] = pools
	data["Official"] = u.Role == identity.RoleOfficial || u.Role == identity.RoleAdmin
	data["Provincial"] = u.Role == identity.RoleAdmin || u.Role == identity.RoleOfficial && u.Region == "36"
	data["Region"] = u.Region
	data["Regions"] = fundRegionGroups(web.PickLang(c), u.Region)
	var warn int
	for _, p := range pools {
		if p.PaymentWarning {
			warn++
		}
	}
	data["Warnings"] = warn
	s.render(c, http.StatusOK, "fund_pools", "fund.pools.title", data)
}

func (s *ui) postFundPool(c *gin.Context) {
	name := strings.TrimSpace(c.PostForm("name"))
	in := fund.PoolInput{Region: strings.TrimSpace(c.PostForm("region"))}
	if name != "" {
		in.Name = &name
	}
	v, err := s.Deps.Fund.CreatePool(c.Request.Context(), web.MustCaller(c).User, in)
	if err != nil {
		s.fundBack(c, "/fund", "", err)
		return
	}
	s.fundBack(c, "/fund/pools/"+v.ID, "fund.done.created", nil)
}

type bankView struct {
	fund.BankRow
	Name string
}

func (s *ui) pageFundPool(c *gin.Context) {
	u := web.MustCaller(c).User
	p, err := s.Deps.Fund.GetPool(c.Request.Context(), u, c.Param("id"))
	if err != nil {
		if kedaitong.Is(err, kedaitong.ENotFound) {
			s.renderNotFound(c)
			return
		}
		s.renderError(c, web.StatusOf(err), "error.forbidden")
		return
	}
	data := flash(c)
	data["Pool"] = p
	banks := make([]bankView, 0, len(p.Banks))
	for _, b := range p.Banks {
		banks = append(banks, bankView{BankRow: b, Name: s.bankName(c, b.BankID)})
	}
	data["Banks"] = banks
	years := make([]string, 0, len(p.Budgeted))
	seen := map[string]bool{}
	for y := range p.Budgeted {
		seen[y] = true
	}
	for y := range p.PaidInByYear {
		seen[y] = true
	}
	for y := range seen {
		years = append(years, y)
	}
	sortStrings(years)
	data["Years"] = years
	official := u.Role == identity.RoleAdmin || u.Role == identity.RoleOfficial && identity.RegionCovers(u.Region, p.Region)
	data["Official"] = official
	data["Above"] = u.Role == identity.RoleAdmin || u.Role == identity.RoleOfficial && len(u.Region) < len(p.Region) && identity.RegionCovers(u.Region, p.Region)
	data["Year"] = s.Deps.Fund.Year()
	data["Level"] = fund.Level(p.Region)
	s.render(c, http.StatusOK, "fund_pool", "fund.pool.title", data)
}

func sortStrings(xs []string) {
	for i := 1; i < len(xs); i++ {
		for j := i; j > 0 && xs[j] < xs[j-1]; j-- {
			xs[j], xs[j-1] = xs[j-1], xs[j]
		}
	}
}

func (s *ui) postFundContribution(c *gin.Context) {
	id := c.Param("id")
	back := "/fund/pools/" + id
	year, err := atoiForm(c, "year")
	var budget, paid int64
	if err == nil {
		budget, err = parseWan("budgeted", c.PostForm("budgeted_wan"))
	}
	if err == nil {
		paid, err = parseWan("paid_in", c.PostForm("paid_in_wan"))
	}
	if err == nil {
		_, _, err = s.Deps.Fund.Contribute(c.Request.Context(), web.MustCaller(c).User, id, fund.ContributionInput{Year: year, Budgeted: budget, PaidIn: paid, By: c.PostForm("by"), Note: c.PostForm("note")})
	}
	s.fundBack(c, back, "fund.done.contribution", err)
}

func (s *ui) postFundTarget(c *gin.Context) {
	id := c.Param("id")
	year, err := atoiForm(c, "year")
	var amount int64
	var share int
	if err == nil {
		amount, err = parseWan("loan_amount", c.PostForm("loan_amount_wan"))
	}
	if err == nil {
		share, err = atoiForm(c, "startup_share_pct")
	}
	if err == nil {
		_, err = s.Deps.Fund.SetTarget(c.Request.Context(), web.MustCaller(c).User, id, fund.TargetInput{Year: year, LoanAmount: amount, StartupSharePct: int64(share)})
	}
	s.fundBack(c, "/fund/pools/"+id, "fund.done.target", err)
}

func (s *ui) postFundTerms(c *gin.Context) {
	id := c.Param("id")
	in := fund.PoolInput{}
	var err error
	for _, x := range []struct {
		f string
		p **int64
	}{{"leverage", &in.Leverage}, {"loss_share_pct", &in.LossSharePct}, {"province_share_pct", &in.ProvinceSharePct},
		{"warn_npl_pct", &in.WarnNPLPct}, {"suspend_npl_pct", &in.SuspendNPLPct}} {
		if strings.TrimSpace(c.PostForm(x.f)) == "" {
			continue
		}
		n, e := atoiForm(c, x.f)
		if e != nil {
			err = e
			break
		}
		v := int64(n)
		*x.p = &v
	}
	if err == nil && strings.TrimSpace(c.PostForm("step_share")) != "" {
		months, e1 := atoiForm(c, "step_months")
		share, e2 := atoiForm(c, "step_share")
		if e1 != nil || e2 != nil {
			err = kedaitong.Invalid("steps", "whole numbers").ZHf("阶梯补偿应填写整数")
		} else {
			steps := []fund.Step{{MinTermMonths: months, HardTech: c.PostForm("step_hard_tech") != "", LossSharePct: int64(share)}}
			in.Steps = &steps
		}
	}
	if err == nil {
		_, err = s.Deps.Fund.UpdatePool(c.Request.Context(), web.MustCaller(c).User, id, in)
	}
	s.fundBack(c, "/fund/pools/"+id, "fund.done.terms", err)
}

func (s *ui) postFundResume(c *gin.Context) {
	id := c.Param("id")
	_, err := s.Deps.Fund.Resume(c.Request.Context(), web.MustCaller(c).User, id, c.Param("bank"), fund.ResumeInput{Reason: c.PostForm("reason")})
	s.fundBack(c, "/fund/pools/"+id, "fund.done.resumed", err)
}

func (s *ui) postFundTransfer(c *gin.Context) {
	amount, err := parseWan("amount", c.PostForm("amount_wan"))
	if err == nil {
		_, err = s.Deps.Fund.TransferMoney(c.Request.Context(), web.MustCaller(c).User, fund.TransferInput{From: c.PostForm("from"), To: c.PostForm("to"), Amount: amount, Reason: c.PostForm("reason")})
	}
	s.fundBack(c, "/fund", "fund.done.transfer", err)
}

type loanView struct {
	fund.Loan
	BankName string
	PoolName string
}

func (s *ui) pageFundLoans(c *gin.Context) {
	u := web.MustCaller(c).User
	ctx := c.Request.Context()
	_, cur, _ := web.PageParams(c)
	f := fund.LoanFilter{State: c.Query("state"), FundID: c.Query("fund"), Limit: 50, Cursor: cur}
	loans, next, err := s.Deps.Fund.ListLoans(ctx, u, f)
	data := flash(c)
	if err != nil {
		data["Error"] = web.ErrText(c, err)
	}
	pools, _, _ := s.Deps.Fund.ListPools(ctx, u, fund.PoolFilter{Limit: 500})
	names := map[string]string{}
	for _, p := range pools {
		names[p.ID] = p.Name
	}
	rows := make([]loanView, 0, len(loans))
	for _, l := range loans {
		pn := names[l.FundID]
		if pn == "" {
			pn = taxonomy.RegionNameOf(strings.TrimPrefix(l.FundID, "fund-"), web.PickLang(c))
		}
		rows = append(rows, loanView{Loan: l, BankName: s.bankName(c, l.BankID), PoolName: pn})
	}
	data["Loans"] = rows
	data["Pools"] = pools
	data["States"] = fund.LoanStates
	data["State"] = f.State
	data["Bank"] = identity.IsBankRole(u.Role)
	if next != "" {
		q := url.Values{"cursor": {next}}
		if f.State != "" {
			q.Set("state", f.State)
		}
		data["Next"] = "/fund/loans?" + q.Encode()
	}
	s.render(c, http.StatusOK, "fund_loans", "fund.loans.title", data)
}

type grantedApp struct {
	ID, Name, Route, Date string
	Amount                int64
	Term                  int
}

func (s *ui) pageFundLoanNew(c *gin.Context) {
	u := web.MustCaller(c).User
	ctx := c.Request.Context()
	data := flash(c)
	var apps []grantedApp
	if s.Deps.Review != nil {
		vs, _, err := s.Deps.Review.List(ctx, u, review.Filter{State: review.StateClosed, Limit: 200})
		if err == nil {
			for _, v := range vs {
				if v.Decision == nil || !v.Decision.Granted || v.BankID != u.BankID {
					continue
				}
				if _, err := s.Deps.Fund.GetLoan(ctx, u, "loan-"+strings.TrimPrefix(v.ID, "app-")); err == nil {
					continue // registered already
				}
				apps = append(apps, grantedApp{ID: v.ID, Name: v.Enterprise.Name, Route: v.Route, Date: v.Decision.Date, Amount: v.Decision.Amount, Term: v.Loan.TermMonths})
			}
		}
	}
	data["Apps"] = apps
	data["Today"] = time.Now().In(web.BeijingTime()).Format("2006-01-02")
	data["Form"] = gin.H{"name": c.Query("name"), "credit_code": c.Query("credit_code"), "region": c.Query("region"), "route": c.Query("route")}
	data["Counties"] = newRegionPicker(web.PickLang(c), c.Query("region"), "").Groups
	data["Routes"] = routeGroups(web.PickLang(c))
	s.render(c, http.StatusOK, "fund_loan_new", "fund.loan.new.title", data)
}

func (s *ui) postFundLoan(c *gin.Context) {
	u := web.MustCaller(c).User
	in := fund.LoanInput{ApplicationID: strings.TrimSpace(c.PostForm("application_id")), Start: strings.TrimSpace(c.PostForm("start"))}
	var err error
	if in.ApplicationID == "" {
		in.Enterprise = &fund.Enterprise{Name: c.PostForm("name"), CreditCode: c.PostForm("credit_code"), Region: strings.TrimSpace(c.PostForm("region")),
			Founded: strings.TrimSpace(c.PostForm("founded")), Route: strings.TrimSpace(c.PostForm("route"))}
	}
	if v := c.PostForm("amount_wan"); v != "" {
		in.Amount, err = parseWan("amount", v)
	}
	if err == nil {
		in.TermMonths, err = atoiForm(c, "term_months")
	}
	var l fund.Loan
	if err == nil {
		l, err = s.Deps.Fund.RegisterLoan(c.Request.Context(), u, in)
	}
	if err != nil {
		s.fundBack(c, "/fund/loans/new", "", err)
		return
	}
	s.fundBack(c, "/fund/loans/"+l.ID, "fund.done.registered", nil)
}

func (s *ui) pageFundLoan(c *gin.Context) {
	u := web.MustCaller(c).User
	ctx := c.Request.Context()
	l, err := s.Deps.Fund.GetLoan(ctx, u, c.Param("id"))
	if err != nil {
		s.renderNotFound(c)
		return
	}
	data := flash(c)
	p, _ := s.Deps.Fund.GetPool(ctx, u, l.FundID)
	data["Loan"] = loanView{Loan: l, BankName: s.bankName(c, l.BankID), PoolName: p.Name}
	data["Pool"] = p
	data["Owner"] = identity.IsBankRole(u.Role) && u.BankID == l.BankID
	data["Official"] = u.Role == identity.RoleAdmin || u.Role == identity.RoleOfficial && identity.RegionCovers(u.Region, p.Region)
	data["Today"] = time.Now().In(web.BeijingTime()).Format("2006-01-02")
	data["SharePct"] = p.LossSharePct
	if l.EvaluationID != "" {
		if ev, err := s.Deps.Fund.GetEvaluation(ctx, u, l.EvaluationID); err == nil {
			data["Evaluation"] = ev
		}
	}
	if l.OpenClaimID != "" {
		if cl, err := s.Deps.Fund.GetClaim(ctx, u, l.OpenClaimID); err == nil {
			data["Claim"] = cl
		}
	}
	if cls, err := s.Deps.Fund.LoanClaims(ctx, u, l.ID); err == nil {
		var past []fund.Claim
		for _, cl := range cls {
			if cl.ID != l.OpenClaimID {
				past = append(past, cl)
			}
		}
		data["PastClaims"] = past
	}
	s.render(c, http.StatusOK, "fund_loan", "fund.loan.title", data)
}

func (s *ui) postFundRepay(c *gin.Context) {
	id := c.Param("id")
	amount, err := parseWan("amount", c.PostForm("amount_wan"))
	if err == nil {
		_, err = s.Deps.Fund.Repay(c.Request.Context(), web.MustCaller(c).User, id, fund.RepaymentInput{Amount: amount, Date: strings.TrimSpace(c.PostForm("date"))})
	}
	s.fundBack(c, "/fund/loans/"+id, "fund.done.repaid", err)
}

func (s *ui) postFundDefault(c *gin.Context) {
	id := c.Param("id")
	out, err := parseWan("outstanding", c.PostForm("outstanding_wan"))
	if err == nil {
		_, err = s.Deps.Fund.MarkDefault(c.Request.Context(), web.MustCaller(c).User, id, fund.DefaultInput{Date: strings.TrimSpace(c.PostForm("date")), Outstanding: &out})
	}
	s.fundBack(c, "/fund/loans/"+id, "fund.done.default", err)
}

func (s *ui) postFundClaim(c *gin.Context) {
	id := c.Param("id")
	loss, err := parseWan("loss", c.PostForm("loss_wan"))
	if err == nil {
		_, err = s.Deps.Fund.FileClaim(c.Request.Context(), web.MustCaller(c).User, id, fund.ClaimInput{Loss: loss, Cause: c.PostForm("cause"), EvaluationID: strings.TrimSpace(c.PostForm("evaluation_id"))})
	}
	s.fundBack(c, "/fund/loans/"+id, "fund.done.claimed", err)
}

func (s *ui) postFundEvaluation(c *gin.Context) {
	id := c.Param("id")
	_, err := s.Deps.Fund.OrderEvaluation(c.Request.Context(), web.MustCaller(c).User, id)
	s.fundBack(c, "/fund/loans/"+id, "fund.done.evaluation", err)
}

type claimView struct {
	fund.Claim
	BankName string
	CanAct   bool
}

func (s *ui) pageFundClaims(c *gin.Context) {
	u := web.MustCaller(c).User
	ctx := c.Request.Context()
	_, cur, _ := web.PageParams(c)
	state := c.Query("state")
	if state == "" && !identity.IsBankRole(u.Role) && c.Query("all") == "" {
		state = "open"
	}
	claims, next, err := s.Deps.Fund.ListClaims(ctx, u, fund.ClaimFilter{State: state, Limit: 50, Cursor: cur})
	data := flash(c)
	if err != nil {
		data["Error"] = web.ErrText(c, err)
	}
	rows := make([]claimView, 0, len(claims))
	for _, cl := range claims {
		rows = append(rows, claimView{Claim: cl, BankName: s.bankName(c, cl.BankID),
			CanAct: u.Role == identity.RoleAdmin || u.Role == identity.RoleOfficial && identity.RegionCovers(u.Region, strings.TrimPrefix(cl.FundID, "fund-"))})
	}
	data["Claims"] = rows
	data["State"] = state
	data["Bank"] = identity.IsBankRole(u.Role)
	if next != "" {
		data["Next"] = "/fund/claims?" + url.Values{"cursor": {next}, "state": {state}, "all": {c.Query("all")}}.Encode()
	}
	s.render(c, http.StatusOK, "fund_claims", "fund.claims.title", data)
}

func (s *ui) postFundApprove(c *gin.Context) {
	_, err := s.Deps.Fund.ApproveClaim(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	s.fundBack(c, claimBack(c, c.Param("id"), "/fund/claims"), "fund.done.approved", err)
}

func (s *ui) postFundReject(c *gin.Context) {
	_, err := s.Deps.Fund.RejectClaim(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), fund.RejectInput{Reason: c.PostForm("reason")})
	s.fundBack(c, claimBack(c, c.Param("id"), "/fund/claims"), "fund.done.rejected", err)
}

func (s *ui) postFundRecovery(c *gin.Context) {
	cl, err := s.Deps.Fund.CloseRecovery(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	back := "/fund/claims"
	if err == nil {
		back = "/fund/loans/" + cl.LoanID
	}
	s.fundBack(c, claimBack(c, c.Param("id"), back), "fund.done.recovery", err)
}

// kpiChart draws the ranked leverage use and target progress as an inline SVG bar chart.
func kpiChart(rows []fund.KPI, lang string) template.HTML {
	if len(rows) == 0 {
		return ""
	}
	const rowH, left, width = 22, 150, 520
	h := rowH*len(rows) + 30
	var b strings.Builder
	title := "Leverage used and target progress by region"
	l1, l2 := "leverage used %", "target progress %"
	if lang != "en" {
		title, l1, l2 = "各地区放大倍数使用率与目标完成率", "放大倍数使用率 %", "目标完成率 %"
	}
	fmt.Fprintf(&b, `<svg id="fund-kpi-chart" role="img" aria-label="%s" viewBox="0 0 %d %d" width="100%%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">`, template.HTMLEscapeString(title), left+width+40, h)
	for i, r := range rows {
		y := 20 + i*rowH
		name := r.Name
		if len([]rune(name)) > 10 {
			name = string([]rune(name)[:10]) + "…"
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="12" text-anchor="end">%s</text>`, left-6, y+12, template.HTMLEscapeString(name))
		lw := int(min(r.LeverageUsedPct, 100)) * width / 100
		tw := int(min(r.TargetProgressPct, 100)) * width / 100
		fmt.Fprintf(&b, `<rect class="kpi-bar-lev" x="%d" y="%d" width="%d" height="8" fill="#2b6cb0"><title>%s %d</title></rect>`, left, y+2, lw, l1, r.LeverageUsedPct)
		fmt.Fprintf(&b, `<rect class="kpi-bar-target" x="%d" y="%d" width="%d" height="8" fill="#38a169"><title>%s %d</title></rect>`, left, y+11, tw, l2, r.TargetProgressPct)
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11">%d%% / %d%%</text>`, left+max(lw, tw)+4, y+12, r.LeverageUsedPct, r.TargetProgressPct)
	}
	fmt.Fprintf(&b, `<rect x="%d" y="4" width="10" height="8" fill="#2b6cb0"/><text x="%d" y="12" font-size="11">%s</text>`, left, left+14, l1)
	fmt.Fprintf(&b, `<rect x="%d" y="4" width="10" height="8" fill="#38a169"/><text x="%d" y="12" font-size="11">%s</text>`, left+180, left+194, l2)
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func (s *ui) pageFundKPIs(c *gin.Context) {
	u := web.MustCaller(c).User
	year := s.Deps.Fund.Year()
	if y, err := strconv.Atoi(c.Query("year")); err == nil {
		year = y
	}
	region := c.Query("region")
	rows, err := s.Deps.Fund.KPIs(c.Request.Context(), u, region, year)
	data := flash(c)
	status := http.StatusOK
	if err != nil {
		data["Error"], status = web.ErrText(c, err), web.StatusOf(err)
	}
	data["Rows"] = rows
	data["Year"] = year
	data["Region"] = region
	data["Regions"] = fundRegionGroups(web.PickLang(c), u.Region)
	data["Chart"] = kpiChart(rows, web.PickLang(c))
	q := url.Values{"year": {strconv.Itoa(year)}}
	if region != "" {
		q.Set("region", region)
	}
	data["Query"] = q.Encode()
	s.render(c, status, "fund_kpis", "fund.kpis.title", data)
}

func (s *ui) pageFundExport(c *gin.Context) {
	year, _ := strconv.Atoi(c.Query("year"))
	kind := c.Query("kind")
	w := &byteWriter{}
	err := s.Deps.Fund.Export(c.Request.Context(), web.MustCaller(c).User, kind, c.Query("region"), year, web.PickLang(c) != "en", w)
	if err != nil {
		s.fundBack(c, "/fund/kpis", "", err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="fund-`+url.PathEscape(kind)+`.xlsx"`)
	c.Data(http.StatusOK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", w.b)
}

type byteWriter struct{ b []byte }

func (w *byteWriter) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }
