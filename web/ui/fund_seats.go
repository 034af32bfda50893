package ui

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/fund"
	"kedaitong/identity"
	"kedaitong/taxonomy"
	"kedaitong/web"
)

// The fund's pages beyond pools, loans and claims: an expert's evaluation
// seats (accept, decline, answer and — after a confirmation — submit), the
// officials' transfers between funds, and the technical evaluations with
// their seats by expert name.
func (s *ui) registerFundSeatPages(e *gin.Engine) {
	s.page(e, web.UIRoute{Method: "GET", Path: "/fund/seats", Obj: "assignment", Act: "read"}, s.pageFundSeats)
	s.page(e, web.UIRoute{Method: "POST", Path: "/fund/seats/:id/accept", Obj: "assignment", Act: "accept"}, s.postFundSeatAccept)
	s.page(e, web.UIRoute{Method: "POST", Path: "/fund/seats/:id/decline", Obj: "assignment", Act: "decline"}, s.postFundSeatDecline)
	s.page(e, web.UIRoute{Method: "POST", Path: "/fund/seats/:id/answer", Obj: "assignment", Act: "score"}, s.postFundSeatAnswer)
	s.page(e, web.UIRoute{Method: "GET", Path: "/fund/seats/:id/confirm", Obj: "assignment", Act: "submit"}, s.pageFundSeatConfirm)
	s.page(e, web.UIRoute{Method: "POST", Path: "/fund/seats/:id/submit", Obj: "assignment", Act: "submit"}, s.postFundSeatSubmit)
	s.page(e, web.UIRoute{Method: "GET", Path: "/fund/transfers", Obj: "fund", Act: "transfer"}, s.pageFundTransfers)
	s.page(e, web.UIRoute{Method: "GET", Path: "/fund/evaluations", Obj: "evaluation", Act: "read"}, s.pageFundEvaluations)
	s.page(e, web.UIRoute{Method: "GET", Path: "/fund/evaluations/:id", Obj: "evaluation", Act: "read"}, s.pageFundEvaluation)
}

// seatRow is an evaluation seat as its expert reads it.
type seatRow struct {
	fund.Seat
	RouteName string
	BankName  string
	Open      bool // invited or accepted: the expert still acts on it
	Answered  bool // a draft answer is saved
}

// Yes and No say what the seat's saved answer is (neither before one is saved).
func (r seatRow) Yes() bool     { return r.RouteFailure != nil && *r.RouteFailure }
func (r seatRow) No() bool      { return r.RouteFailure != nil && !*r.RouteFailure }
func (r evalSeatRow) Yes() bool { return r.RouteFailure != nil && *r.RouteFailure }
func (r evalSeatRow) No() bool  { return r.RouteFailure != nil && !*r.RouteFailure }

func (s *ui) seatRow(c *gin.Context, x fund.Seat) seatRow {
	r := seatRow{Seat: x, RouteName: pageField(web.PickLang(c), x.Route),
		Open: x.State == fund.SeatInvited || x.State == fund.SeatAccepted, Answered: x.RouteFailure != nil}
	if x.BankID != "" {
		r.BankName = s.bankName(c, x.BankID)
	}
	return r
}

func (s *ui) pageFundSeats(c *gin.Context) {
	u := web.MustCaller(c).User
	_, cur, _ := web.PageParams(c)
	state := c.Query("state")
	seats, next, err := s.Deps.Fund.SeatsPage(c.Request.Context(), u, state, 50, cur)
	data := flash(c)
	if err != nil {
		data["Error"] = web.ErrText(c, err)
	}
	rows := make([]seatRow, 0, len(seats))
	for _, x := range seats {
		rows = append(rows, s.seatRow(c, x))
	}
	data["Seats"] = rows
	data["State"] = state
	data["Expert"] = u.Role == identity.RoleExpert
	if next != "" {
		data["Next"] = "/fund/seats?" + url.Values{"cursor": {next}, "state": {state}}.Encode()
	}
	s.render(c, http.StatusOK, "fund_seats", "fund.seats.title", data)
}

func (s *ui) postFundSeatAccept(c *gin.Context) {
	_, err := s.Deps.Fund.AcceptSeat(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	s.fundBack(c, "/fund/seats", "fund.done.seat_accepted", err)
}

func (s *ui) postFundSeatDecline(c *gin.Context) {
	_, err := s.Deps.Fund.DeclineSeat(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), c.PostForm("reason"))
	s.fundBack(c, "/fund/seats", "fund.done.seat_declined", err)
}

// postFundSeatAnswer saves the answer as a draft; "submit" leads on to the
// confirmation page (the submission itself is final).
func (s *ui) postFundSeatAnswer(c *gin.Context) {
	in := fund.SeatInput{Comment: c.PostForm("comment")}
	switch c.PostForm("route_failure") {
	case "true":
		in.RouteFailure = ptrBool(true)
	case "false":
		in.RouteFailure = ptrBool(false)
	}
	id := c.Param("id")
	_, err := s.Deps.Fund.ScoreSeat(c.Request.Context(), web.MustCaller(c).User, id, in)
	if err == nil && c.PostForm("then") == "submit" {
		c.Redirect(http.StatusSeeOther, "/fund/seats/"+url.PathEscape(id)+"/confirm")
		return
	}
	s.fundBack(c, "/fund/seats", "fund.done.seat_saved", err)
}

func ptrBool(v bool) *bool { return &v }

func (s *ui) pageFundSeatConfirm(c *gin.Context) {
	x, err := s.Deps.Fund.GetSeat(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	if err != nil {
		if kedaitong.Is(err, kedaitong.ENotFound) {
			s.renderNotFound(c)
			return
		}
		s.renderError(c, web.StatusOf(err), "error.forbidden")
		return
	}
	if x.State != fund.SeatAccepted || x.RouteFailure == nil {
		c.Redirect(http.StatusSeeOther, "/fund/seats")
		return
	}
	data := flash(c)
	data["Seat"] = s.seatRow(c, x)
	s.render(c, http.StatusOK, "fund_seat_confirm", "fund.seats.confirm.title", data)
}

func (s *ui) postFundSeatSubmit(c *gin.Context) {
	_, err := s.Deps.Fund.SubmitSeat(c.Request.Context(), web.MustCaller(c).User, c.Param("id"))
	s.fundBack(c, "/fund/seats", "fund.done.seat_submitted", err)
}

// transferRow is a transfer with names for its funds and its author.
type transferRow struct {
	fund.Transfer
	FromName, ToName, ByName string
}

func (s *ui) poolName(c *gin.Context, id string, cache map[string]string) string {
	ctx := c.Request.Context()
	if n, ok := cache[id]; ok {
		return n
	}
	n := taxonomy.RegionNameOf(strings.TrimPrefix(id, "fund-"), web.PickLang(c))
	if p, err := s.Deps.Fund.PoolOf(ctx, id); err == nil && p.Name != "" && p.Name != p.Region {
		n = p.Name
	}
	cache[id] = n
	return n
}

func (s *ui) userName(ctx context.Context, id string, cache map[string]string) string {
	if n, ok := cache[id]; ok {
		return n
	}
	n := id
	if s.Deps.Identity != nil {
		if u, _, err := s.Deps.Identity.User(ctx, id); err == nil {
			n = u.Username
		}
	}
	cache[id] = n
	return n
}

func (s *ui) pageFundTransfers(c *gin.Context) {
	ctx, u := c.Request.Context(), web.MustCaller(c).User
	_, cur, _ := web.PageParams(c)
	ts, next, err := s.Deps.Fund.ListTransfers(ctx, u, 50, cur)
	data := flash(c)
	status := http.StatusOK
	if err != nil {
		data["Error"], status = web.ErrText(c, err), web.StatusOf(err)
	}
	pools, users := map[string]string{}, map[string]string{}
	rows := make([]transferRow, 0, len(ts))
	for _, t := range ts {
		rows = append(rows, transferRow{Transfer: t, FromName: s.poolName(c, t.From, pools), ToName: s.poolName(c, t.To, pools),
			ByName: s.userName(ctx, t.By, users)})
	}
	data["Transfers"] = rows
	if next != "" {
		data["Next"] = "/fund/transfers?" + url.Values{"cursor": {next}}.Encode()
	}
	s.render(c, status, "fund_transfers", "fund.transfers.title", data)
}

// evaluationRow is an evaluation with its fund's and bank's names.
type evaluationRow struct {
	fund.Evaluation
	FundName, BankName, RouteName, OrderedByName string
}

func (s *ui) evaluationRow(c *gin.Context, e fund.Evaluation, pools, users map[string]string) evaluationRow {
	ctx := c.Request.Context()
	return evaluationRow{Evaluation: e, FundName: s.poolName(c, e.FundID, pools), BankName: s.bankName(c, e.BankID),
		RouteName: pageField(web.PickLang(c), e.Route), OrderedByName: s.userName(ctx, e.OrderedBy, users)}
}

func (s *ui) pageFundEvaluations(c *gin.Context) {
	u := web.MustCaller(c).User
	_, cur, _ := web.PageParams(c)
	f := fund.EvaluationFilter{FundID: c.Query("fund"), State: c.Query("state"), Limit: 50, Cursor: cur}
	es, next, err := s.Deps.Fund.ListEvaluations(c.Request.Context(), u, f)
	data := flash(c)
	status := http.StatusOK
	if err != nil {
		data["Error"], status = web.ErrText(c, err), web.StatusOf(err)
	}
	pools, users := map[string]string{}, map[string]string{}
	rows := make([]evaluationRow, 0, len(es))
	for _, e := range es {
		rows = append(rows, s.evaluationRow(c, e, pools, users))
	}
	data["Evaluations"] = rows
	data["Fund"] = f.FundID
	if f.FundID != "" {
		data["FundName"] = s.poolName(c, f.FundID, pools)
	}
	if next != "" {
		data["Next"] = "/fund/evaluations?" + url.Values{"cursor": {next}, "fund": {f.FundID}, "state": {f.State}}.Encode()
	}
	s.render(c, status, "fund_evaluations", "fund.evaluations.title", data)
}

// evalSeatRow is a seat of an evaluation as officials read it.
type evalSeatRow struct {
	fund.Seat
	ExpertName string
}

func (s *ui) pageFundEvaluation(c *gin.Context) {
	ctx, u := c.Request.Context(), web.MustCaller(c).User
	e, err := s.Deps.Fund.GetEvaluation(ctx, u, c.Param("id"))
	if err != nil {
		if kedaitong.Is(err, kedaitong.ENotFound) {
			s.renderNotFound(c)
			return
		}
		s.renderError(c, web.StatusOf(err), "error.forbidden")
		return
	}
	data := flash(c)
	data["Evaluation"] = s.evaluationRow(c, e, map[string]string{}, map[string]string{})
	official := u.Role == identity.RoleAdmin || u.Role == identity.RoleOfficial
	data["Official"] = official
	if official {
		seats, err := s.Deps.Fund.EvaluationSeatsOf(ctx, u, e.ID)
		if err != nil {
			data["Error"] = web.ErrText(c, err)
		}
		rows := make([]evalSeatRow, 0, len(seats))
		for _, x := range seats {
			r := evalSeatRow{Seat: x, ExpertName: x.ExpertID}
			if s.Deps.Experts != nil {
				if v, err := s.Deps.Experts.Get(ctx, u, x.ExpertID); err == nil && v.Name != "" {
					r.ExpertName = v.Name
				}
			}
			rows = append(rows, r)
		}
		data["Seats"] = rows
	}
	s.render(c, http.StatusOK, "fund_evaluation", "fund.evaluation", data)
}

// evaluationTodo is an expert's to-do of technical evaluations: seats
// invited or accepted, with their due dates.
func (s *ui) evaluationTodo(ctx context.Context, u identity.User) todo {
	t := todo{ID: "evaluations", Link: "/fund/seats"}
	for _, st := range []string{fund.SeatInvited, fund.SeatAccepted} {
		seats, next, err := s.Deps.Fund.SeatsPage(ctx, u, st, todoLimit, "")
		if err != nil {
			continue
		}
		for _, x := range seats {
			t.Items = append(t.Items, todoItem{Label: x.Enterprise, Note: fmtBeijing(x.Due, "2006-01-02 15:04"), Link: "/fund/seats#seat-" + x.ID})
		}
		t.More = t.More || next != ""
	}
	return t
}
