package ui

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"kedaitong/identity"
	"kedaitong/web"
)

// claimStep is one event of a claim's history with the name of who acted.
type claimStep struct {
	Event  string
	ByName string
	At     time.Time
	Amount int64
	Reason string
}

// pageFundClaim is one claim: its figures, its history (who, when, how
// much, why; Beijing time) and what the caller may do next — the bank
// closes its recovery, the pool's officials approve or reject. The
// notifications of a claim link here.
func (s *ui) pageFundClaim(c *gin.Context) {
	ctx, u := c.Request.Context(), web.MustCaller(c).User
	cl, err := s.Deps.Fund.GetClaim(ctx, u, c.Param("id"))
	if err != nil {
		s.renderNotFound(c)
		return
	}
	data := flash(c)
	users, pools := map[string]string{}, map[string]string{}
	steps := make([]claimStep, 0, len(cl.History))
	for _, h := range cl.History {
		st := claimStep{Event: h.Event, At: h.At, Amount: h.Amount, Reason: h.Reason}
		if h.By != "" {
			st.ByName = s.userName(ctx, h.By, users)
		}
		steps = append(steps, st)
	}
	data["Claim"] = claimView{Claim: cl, BankName: s.bankName(c, cl.BankID),
		CanAct: u.Role == identity.RoleAdmin || u.Role == identity.RoleOfficial && identity.RegionCovers(u.Region, strings.TrimPrefix(cl.FundID, "fund-"))}
	data["Steps"] = steps
	data["FundName"] = s.poolName(c, cl.FundID, pools)
	data["Owner"] = identity.IsBankRole(u.Role) && u.BankID == cl.BankID
	s.render(c, http.StatusOK, "fund_claim", "fund.claim", data)
}

// claimBack is where a claim's form returns: the claim's page when the
// form was on it, else the list (or the loan, for a recovery).
func claimBack(c *gin.Context, id, fallback string) string {
	if c.PostForm("back") == "claim" {
		return "/fund/claims/" + url.PathEscape(id)
	}
	return fallback
}
