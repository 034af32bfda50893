package experts

import (
	"context"
	"math"

	"kedaitong"
)

// Assignment events the review code reports with RecordAssignment.
const (
	AssignInvited  = "invited"  // a panel seat was offered: assigned+1, open+1
	AssignAccepted = "accepted" // the expert accepted it: accepted+1
	AssignDeclined = "declined" // the expert declined it: declined+1, open-1
	AssignExpired  = "expired"  // it lapsed unanswered: expired+1, open-1
	AssignReleased = "released" // withdrawn by the platform (application withdrawn): open-1
)

// stats is the stored track record: integer counters changed only by Incr.
// Real numbers are kept in milli-units.
type stats struct {
	Assigned        int64 `json:"assigned"`
	Accepted        int64 `json:"accepted"`
	Declined        int64 `json:"declined"`
	Expired         int64 `json:"expired"`
	Completed       int64 `json:"completed"`
	OnTime          int64 `json:"on_time"`
	DaysMilli       int64 `json:"days_milli"`
	Consultations   int64 `json:"consultations"`
	RatingSum       int64 `json:"rating_sum"`
	RatingCount     int64 `json:"rating_count"`
	DeviationMilli  int64 `json:"deviation_milli"`
	DeviationCount  int64 `json:"deviation_count"`
	OpenAssignments int64 `json:"open"`
}

// Record is an expert's track record as shown.
type Record struct {
	Assigned              int64    `json:"assigned"`
	Accepted              int64    `json:"accepted"`
	Declined              int64    `json:"declined"`
	Expired               int64    `json:"expired"`
	Completed             int64    `json:"completed"`
	CompletedOnTime       int64    `json:"completed_on_time"`
	MeanDaysToSubmit      *float64 `json:"mean_days_to_submit"` // null before the first submission
	ConsultationsAnswered int64    `json:"consultations_answered"`
	Ratings               int64    `json:"ratings"`
	MeanRating            *float64 `json:"mean_rating"`
	Deviations            int64    `json:"deviations"`
	MeanDeviation         *float64 `json:"mean_deviation"` // mean absolute deviation from panel consensus
	OpenAssignments       int64    `json:"open_assignments"`
}

func statsID(expertID string) string { return expertID }

func (s *Service) incr(ctx context.Context, expertID string, deltas map[string]int64) error {
	if !idRE.MatchString(expertID) {
		return notFound(expertID)
	}
	_, err := s.stats.Incr(ctx, statsID(expertID), map[string]any{"expert_id": expertID}, deltas)
	return err
}

// RecordAssignment counts an assignment event (Assign*) for the expert.
func (s *Service) RecordAssignment(ctx context.Context, expertID, event string) error {
	var d map[string]int64
	switch event {
	case AssignInvited:
		d = map[string]int64{"assigned": 1, "open": 1}
	case AssignAccepted:
		d = map[string]int64{"accepted": 1}
	case AssignDeclined:
		d = map[string]int64{"declined": 1, "open": -1}
	case AssignExpired:
		d = map[string]int64{"expired": 1, "open": -1}
	case AssignReleased:
		d = map[string]int64{"open": -1}
	default:
		return kedaitong.Invalid("event", "unknown assignment event %q", event).ZHf("未知的任务事件 %q", event)
	}
	return s.incr(ctx, expertID, d)
}

// RecordSubmission counts a submitted review: days from invitation to
// submission, and whether it met its due date. It closes one open
// assignment.
func (s *Service) RecordSubmission(ctx context.Context, expertID string, days float64, onTime bool) error {
	if days < 0 || math.IsNaN(days) || math.IsInf(days, 0) || days > 3650 {
		return kedaitong.Invalid("days", "must be from 0 to 3650").ZHf("天数应在 0 到 3650 之间")
	}
	d := map[string]int64{"completed": 1, "open": -1, "days_milli": int64(math.Round(days * 1000))}
	if onTime {
		d["on_time"] = 1
	}
	return s.incr(ctx, expertID, d)
}

// RecordConsultation counts an answered consultation.
func (s *Service) RecordConsultation(ctx context.Context, expertID string) error {
	return s.incr(ctx, expertID, map[string]int64{"consultations": 1})
}

// RecordRating counts a bank's rating (1–5 stars) of an answer.
func (s *Service) RecordRating(ctx context.Context, expertID string, stars int) error {
	if stars < 1 || stars > 5 {
		return kedaitong.Invalid("stars", "must be from 1 to 5").ZHf("评分应在 1 到 5 之间")
	}
	return s.incr(ctx, expertID, map[string]int64{"rating_sum": int64(stars), "rating_count": 1})
}

// RecordDeviation counts the expert's deviation from its panel's consensus
// on one review (the absolute difference of its overall score from the
// panel's, in score points).
func (s *Service) RecordDeviation(ctx context.Context, expertID string, dev float64) error {
	if math.IsNaN(dev) || math.IsInf(dev, 0) || math.Abs(dev) > 1000 {
		return kedaitong.Invalid("deviation", "must be a finite number of score points").ZHf("偏差必须是有限的分值")
	}
	return s.incr(ctx, expertID, map[string]int64{"deviation_milli": int64(math.Round(math.Abs(dev) * 1000)), "deviation_count": 1})
}

// Record returns the expert's track record (zero before any work).
func (s *Service) Record(ctx context.Context, expertID string) (Record, error) {
	var st stats
	if _, err := s.stats.Get(ctx, statsID(expertID), &st); err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
		return Record{}, err
	}
	return st.record(), nil
}

func (st stats) record() Record {
	r := Record{Assigned: st.Assigned, Accepted: st.Accepted, Declined: st.Declined, Expired: st.Expired,
		Completed: st.Completed, CompletedOnTime: st.OnTime, ConsultationsAnswered: st.Consultations,
		Ratings: st.RatingCount, Deviations: st.DeviationCount, OpenAssignments: max(st.OpenAssignments, 0)}
	mean := func(sum, n int64, scale float64) *float64 {
		if n == 0 {
			return nil
		}
		v := math.Round(float64(sum)/scale/float64(n)*100) / 100
		return &v
	}
	r.MeanDaysToSubmit = mean(st.DaysMilli, st.Completed, 1000)
	r.MeanRating = mean(st.RatingSum, st.RatingCount, 1)
	r.MeanDeviation = mean(st.DeviationMilli, st.DeviationCount, 1000)
	return r
}
