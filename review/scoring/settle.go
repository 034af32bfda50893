package scoring

import (
	"context"
	"time"

	"kedaitong"
	"kedaitong/review/panel"
)

// A submission is two writes: the score is locked (the commit point), then
// the assignment is marked submitted. The panel settles an accepted
// assignment on every read by asking submittedAt; an assignment declined
// or released before its submission could be marked leaves a locked score
// that never counted, and unlock gives it back its draft state.

// testHookAfterLock, when set (tests), runs between a submission's two
// writes: a crash there is what settling repairs.
var testHookAfterLock func()

// testHookAfterReport, when set (tests), runs just after a new report is
// stored, before the rest of closing.
var testHookAfterReport func()

// submittedAt reports whether the score of an assignment is locked, and
// since when (panel.SubmittedFunc).
func (s *Service) submittedAt(ctx context.Context, assignmentID string) (time.Time, bool, error) {
	// A save reads the whole score here, once (readonce.go).
	if m, ok, err := s.readScoreInto(ctx, assignmentID); ok {
		if err != nil || m.missing || m.sc.State != StateSubmitted {
			return time.Time{}, false, err
		}
		at := m.sc.UpdatedAt
		if m.sc.SubmittedAt != nil {
			at = *m.sc.SubmittedAt
		}
		return at, true, nil
	}
	var sc struct { // only what is needed (a draft's content is not decoded)
		State       string     `json:"state"`
		UpdatedAt   time.Time  `json:"updated_at"`
		SubmittedAt *time.Time `json:"submitted_at"`
	}
	_, err := s.scores.Get(ctx, assignmentID, &sc)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		return time.Time{}, false, nil
	}
	if err != nil || sc.State != StateSubmitted {
		return time.Time{}, false, err
	}
	at := sc.UpdatedAt
	if sc.SubmittedAt != nil {
		at = *sc.SubmittedAt
	}
	return at, true, nil
}

// unlock gives a locked score back its draft state when its assignment
// ended (declined, expired, released) without the submission: the lock
// never counted. Its history keeps the attempt.
func (s *Service) unlock(ctx context.Context, a panel.Assignment) error {
	if a.State != panel.StateDeclined && a.State != panel.StateExpired {
		return nil
	}
	for range 5 {
		var sc Score
		ver, err := s.scores.Get(ctx, a.ID, &sc)
		if kedaitong.Is(err, kedaitong.ENotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if sc.State != StateSubmitted {
			return nil
		}
		wctx := context.WithoutCancel(ctx)
		if err := s.keepRevision(wctx, &sc); err != nil {
			return err
		}
		now := s.now()
		sc.State, sc.SubmittedAt, sc.Revision, sc.UpdatedAt, sc.UpdatedMS = StateDraft, nil, sc.Revision+1, now, now.UnixMilli()
		s.last.drop(a.ID)
		if _, err = s.scores.Replace(wctx, a.ID, ver, sc); !kedaitong.Is(err, kedaitong.EConflict) {
			if err == nil {
				_ = s.logRevision(wctx, sc)
			}
			return err
		}
	}
	return nil
}
