package api

import (
	"net/http"
	"sort"

	"github.com/gin-gonic/gin"

	"kedaitong/fund"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/review/panel"
	"kedaitong/web"
)

// Technical-evaluation seats of the fund share the assignment routes with
// review seats: an id "evs-…" is an evaluation seat, answered with
// {"route_failure", "comment"}; lists show both kinds ("kind").

// reviewSeat is a review assignment as lists show it beside evaluation seats.
type reviewSeat struct {
	panel.Assignment
	Kind string `json:"kind"`
}

// withEvaluationSeats merges the calling expert's evaluation seats into
// its review assignments: both are listed newest first (created_ms, then
// id, descending), so one cursor — the last item's — pages both lists
// together. as is the review page read with the same limit and cursor,
// next its cursor.
func (s *api) withEvaluationSeats(c *gin.Context, as []panel.Assignment, next string) ([]any, string, error) {
	u := web.MustCaller(c).User
	if s.Deps.Fund == nil || c.Query("application") != "" || u.Role != identity.RoleExpert {
		out := make([]any, 0, len(as))
		for _, a := range as {
			out = append(out, reviewSeat{Assignment: a, Kind: "review"})
		}
		return out, next, nil
	}
	limit, cur, err := web.PageParams(c)
	if err != nil {
		return nil, "", err
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	seats, snext, err := s.Deps.Fund.SeatsPage(c.Request.Context(), u, c.Query("state"), limit, cur)
	if err != nil {
		return nil, "", err
	}
	type item struct {
		v  any
		ms int64
		id string
	}
	all := make([]item, 0, len(as)+len(seats))
	for _, a := range as {
		all = append(all, item{reviewSeat{Assignment: a, Kind: "review"}, a.CreatedMS, a.ID})
	}
	for _, x := range seats {
		all = append(all, item{x, x.CreatedMS, x.ID})
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].ms != all[j].ms {
			return all[i].ms > all[j].ms
		}
		return all[i].id > all[j].id
	})
	more := next != "" || snext != ""
	if len(all) > limit {
		all, more = all[:limit], true
	}
	out := make([]any, 0, len(all))
	for _, x := range all {
		out = append(out, x.v)
	}
	if !more || len(all) == 0 {
		return out, "", nil
	}
	last := all[len(all)-1]
	cursor, err := store.EncodeCursor(last.ms, last.id)
	return out, cursor, err
}

// evaluationSeatView is an evaluation's seat as officials see it: with the
// expert's name.
type evaluationSeatView struct {
	fund.Seat
	ExpertName string `json:"expert_name"`
}

func (s *api) registerEvaluationsAPI(v1 *gin.RouterGroup) {
	const tag = "fund"
	s.API(v1, web.Route{Method: "GET", Path: "/evaluations", Summary: "Technical evaluations the caller may see (officials: their region's; banks: their loans'), newest first; filters state (open, closed), fund", Tag: tag, Obj: "evaluation", Act: "read"}, s.apiEvaluations)
	s.API(v1, web.Route{Method: "GET", Path: "/evaluations/:id/seats", Summary: "An evaluation's seats for officials: each expert (id and name), state, due date and answer {\"route_failure\",\"comment\"}", Tag: tag, Obj: "evaluation", Act: "read"}, s.apiEvaluationSeats)
}

func (s *api) apiEvaluations(c *gin.Context) {
	limit, cur, err := web.PageParams(c)
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	vs, next, err := s.Deps.Fund.ListEvaluations(c.Request.Context(), web.MustCaller(c).User,
		fund.EvaluationFilter{State: c.Query("state"), FundID: c.Query("fund"), Limit: limit, Cursor: cur})
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	web.List(c, vs, next)
}

func (s *api) apiEvaluationSeats(c *gin.Context) {
	ctx, u := c.Request.Context(), web.MustCaller(c).User
	seats, err := s.Deps.Fund.EvaluationSeatsOf(ctx, u, c.Param("id"))
	if err != nil {
		web.AbortWithError(c, err)
		return
	}
	out := make([]evaluationSeatView, 0, len(seats))
	for _, x := range seats {
		v := evaluationSeatView{Seat: x, ExpertName: x.ExpertID}
		if s.Deps.Experts != nil {
			if e, err := s.Deps.Experts.Get(ctx, u, x.ExpertID); err == nil && e.Name != "" {
				v.ExpertName = e.Name
			}
		}
		out = append(out, v)
	}
	web.List(c, out, "")
}

// evaluationSeat answers a request on an evaluation seat; it reports false
// when the id is a review assignment's.
func (s *api) evaluationSeat(c *gin.Context, op string) bool {
	id := c.Param("id")
	if s.Deps.Fund == nil || !fund.IsSeatID(id) {
		return false
	}
	ctx, actor := c.Request.Context(), web.MustCaller(c).User
	var x fund.Seat
	var err error
	switch op {
	case "get":
		x, err = s.Deps.Fund.GetSeat(ctx, actor, id)
	case "accept":
		var in struct{}
		if err = web.BindOptionalJSON(c, &in); err == nil {
			x, err = s.Deps.Fund.AcceptSeat(ctx, actor, id)
		}
	case "decline":
		var in struct {
			Reason string `json:"reason"`
		}
		if err = web.BindJSON(c, &in); err == nil {
			x, err = s.Deps.Fund.DeclineSeat(ctx, actor, id, in.Reason)
		}
	case "score":
		var in fund.SeatInput
		if err = web.BindJSON(c, &in); err == nil {
			x, err = s.Deps.Fund.ScoreSeat(ctx, actor, id, in)
		}
	case "submit":
		var in fund.SeatInput
		if err = web.BindOptionalJSON(c, &in); err == nil {
			if in.RouteFailure != nil {
				_, err = s.Deps.Fund.ScoreSeat(ctx, actor, id, in)
			}
			if err == nil {
				x, err = s.Deps.Fund.SubmitSeat(ctx, actor, id)
			}
		}
	}
	if err != nil {
		web.AbortWithError(c, err)
		return true
	}
	c.JSON(http.StatusOK, x)
	return true
}
