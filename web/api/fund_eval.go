package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"kedaitong/fund"
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

// withEvaluationSeats adds the calling expert's evaluation seats to the
// first page of its assignments.
func (s *api) withEvaluationSeats(c *gin.Context, as []panel.Assignment, first bool) ([]any, error) {
	out := make([]any, 0, len(as))
	if first && s.Deps.Fund != nil && c.Query("application") == "" {
		seats, err := s.Deps.Fund.Seats(c.Request.Context(), web.MustCaller(c).User, c.Query("state"))
		if err != nil {
			return nil, err
		}
		for _, x := range seats {
			out = append(out, x)
		}
	}
	for _, a := range as {
		out = append(out, reviewSeat{Assignment: a, Kind: "review"})
	}
	return out, nil
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
