package panel

import (
	"context"
	"time"

	"kedaitong"
)

// A submission is two writes: the score is locked (package review/scoring,
// the submission's commit point), then the assignment is marked submitted.
// A crash between them leaves a locked score on an accepted assignment.
// Every read of an accepted assignment settles it: when the scoring reports
// the review submitted, the assignment is marked submitted there and then
// (one version-guarded write, idempotent), before anything — a decline, a
// release at the panel's close, the close itself, a list — acts on it.

// SubmittedFunc reports whether the review of an assignment was submitted
// (its score locked) and when.
type SubmittedFunc func(ctx context.Context, assignmentID string) (at time.Time, ok bool, err error)

// SetSubmitted installs the scoring's answer to "was this review
// submitted?" (scoring.Open does it). Without it nothing is settled.
func (s *Service) SetSubmitted(f SubmittedFunc) { s.submitted = f }

// settle marks an accepted assignment whose review was submitted as
// submitted. It returns the assignment as it now stands and its version.
func (s *Service) settle(ctx context.Context, a Assignment, ver int64) (Assignment, int64, error) {
	if a.State != StateAccepted || s.submitted == nil {
		return a, ver, nil
	}
	at, ok, err := s.submitted(ctx, a.ID)
	if err != nil || !ok {
		return a, ver, err
	}
	for range 5 {
		a.State, a.UpdatedAt = StateSubmitted, at
		nver, err := s.assignments.Replace(context.WithoutCancel(ctx), a.ID, ver, a)
		if err == nil {
			s.record(ctx, nil, "assignment.settle", "assignment", a.ID, "", a.Region, map[string]any{
				"application_id": a.ApplicationID, "expert_id": a.ExpertID, "state": StateSubmitted})
			return a, nver, nil
		}
		if !kedaitong.Is(err, kedaitong.EConflict) {
			return a, ver, err
		}
		var cur Assignment
		if ver, err = s.assignments.Get(ctx, a.ID, &cur); err != nil {
			return cur, ver, err
		}
		if cur.State != StateAccepted {
			return cur, ver, nil
		}
		a = cur
	}
	return a, ver, nil
}
