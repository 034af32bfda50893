package panel

import (
	"context"
	"strings"

	"kedaitong"
	"kedaitong/experts"
	"kedaitong/internal/store"
	"kedaitong/review"
)

// A conflict of interest that appears after an expert was seated — the
// expert declares it, or an official records an organisation that ties the
// expert to the enterprise or the bank — ends the seat at once: the
// assignment becomes declined with a ConflictReason, the seat is freed
// (the expert is never invited to the application again) and a
// replacement is invited. Two paths lead there, so that neither a crash
// nor another server can leave the seat in place: every stored profile
// change (experts.OnChange) ends the expert's conflicted seats, and every
// scoring access of an assignment checks the expert's current profile
// first (EndIfConflicted) — dossier, attachments, reading a score and
// submissions every time; a draft save relies on such a check made on its
// seat less than scoring.ConflictRecheck (1 s) before.
// A review already submitted on a panel still open no longer counts; once
// the panel has closed, the report stands.

// ConflictReason starts the reason of an assignment ended by a conflict of
// interest.
const ConflictReason = "conflict of interest"

// expertChanged is the experts.OnChange hook: it ends the changed expert's
// seats that now conflict with their application.
func (s *Service) expertChanged(ctx context.Context, e experts.Expert) {
	if _, err := s.EndConflicts(ctx, e.ID); err != nil && s.onError != nil {
		s.onError("ending conflicted assignments", e.ID, err)
	}
}

// EndConflicts ends the expert's seats on open panels (invited, accepted,
// or submitted before the panel closed) whose application the expert now
// has a conflict with, frees them and invites replacements. It returns the
// ended assignments.
func (s *Service) EndConflicts(ctx context.Context, expertID string) ([]Assignment, error) {
	var ended []Assignment
	for _, st := range []string{StateInvited, StateAccepted, StateSubmitted} {
		q := store.Query{Eq: map[string]any{"expert_id": expertID, "state": st}, Sort: "created_ms", Desc: true, Limit: 500}
		page, err := s.assignments.Find(ctx, q)
		if err != nil {
			return ended, err
		}
		for _, d := range page.Docs {
			var a Assignment
			if err := d.Decode(&a); err != nil {
				return ended, err
			}
			got, err := s.endIfConflicted(ctx, a, d.Version, false)
			if err != nil {
				return ended, err
			}
			if got.State != a.State {
				ended = append(ended, got)
			}
		}
	}
	if len(ended) > 0 {
		var apps []string
		for _, a := range ended {
			apps = append(apps, a.ApplicationID)
		}
		if _, err := s.Refill(context.WithoutCancel(ctx), apps); err != nil && !kedaitong.Is(err, kedaitong.EConflict) {
			return ended, err
		}
	}
	return ended, nil
}

// EndIfConflicted checks an assignment against its expert's current
// profile: when the expert has a conflict with the application and the
// panel is still open, the assignment ends (declined with ConflictReason)
// and a replacement is invited. It returns the assignment as it now
// stands.
func (s *Service) EndIfConflicted(ctx context.Context, a Assignment) (Assignment, error) {
	if a.State != StateInvited && a.State != StateAccepted && a.State != StateSubmitted {
		return a, nil
	}
	cur, ver, err := s.load(ctx, a.ID)
	if err != nil {
		return a, err
	}
	return s.endIfConflicted(ctx, cur, ver, true)
}

// IsConflictEnded reports whether an assignment was ended by a conflict of
// interest.
func IsConflictEnded(a Assignment) bool { return a.ConflictCode() != "" }

func (s *Service) endIfConflicted(ctx context.Context, a Assignment, ver int64, refill bool) (Assignment, error) {
	if a.State != StateInvited && a.State != StateAccepted && a.State != StateSubmitted {
		return a, nil
	}
	app, err := s.review.Load(ctx, a.ApplicationID)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		return a, nil // not a loan application's panel
	}
	if err != nil {
		return a, err
	}
	if app.State != review.StateSubmitted && app.State != review.StateInReview {
		return a, nil // the panel closed: the report stands
	}
	e, err := s.experts.Profile(ctx, a.ExpertID)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		return a, nil
	}
	if err != nil {
		return a, err
	}
	code, detail := conflict(e, s.partiesOf(&app), s.now())
	if code == "" {
		return a, nil
	}
	reason := ConflictReason + " (" + code + ")"
	if detail != "" {
		reason += ": " + detail
	}
	reason = clip(reason, MaxReasonLen)
	wctx := context.WithoutCancel(ctx) // once begun, finish: the seat must not stay half ended
	for range 5 {
		was := a.State
		now := s.now()
		a.State, a.UpdatedAt, a.Reason = StateDeclined, now, reason
		if a.RespondedAt == nil {
			a.RespondedAt = &now
		}
		_, err := s.assignments.Replace(wctx, a.ID, ver, a)
		if kedaitong.Is(err, kedaitong.EConflict) {
			if a, ver, err = s.load(wctx, a.ID); err != nil {
				return a, err
			}
			if a.State != StateInvited && a.State != StateAccepted && a.State != StateSubmitted {
				return a, nil
			}
			continue
		}
		if err != nil {
			return a, err
		}
		if err := s.free(wctx, a, reason, now); err != nil {
			return a, err
		}
		if err := s.experts.RecordAssignment(wctx, a.ExpertID, experts.AssignReleased); err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
			return a, err
		}
		s.record(wctx, nil, "assignment.conflict", "assignment", a.ID, app.BankID, a.Region, map[string]any{
			"application_id": a.ApplicationID, "expert_id": a.ExpertID, "tier": a.Tier, "was": was, "reason": code})
		if refill {
			if _, err := s.Refill(wctx, []string{a.ApplicationID}); err != nil && !kedaitong.Is(err, kedaitong.EConflict) {
				return a, err
			}
		}
		return a, nil
	}
	return a, kedaitong.Errorf(kedaitong.EConflict, "the assignment keeps changing; try again").ZHf("评审任务一直在变化，请重试")
}

// ConflictCode is the exclusion code (Excl*) of an assignment ended by a
// conflict of interest, "" for any other.
func (a Assignment) ConflictCode() string { return conflictCode(a.State, a.Reason) }

// ConflictCode is the exclusion code (Excl*) of a refusal that is a seat
// ended by a conflict of interest, "" for any other.
func (r Refusal) ConflictCode() string { return conflictCode(r.State, r.Reason) }

func conflictCode(state, reason string) string {
	if state != StateDeclined || !strings.HasPrefix(reason, ConflictReason+" (") {
		return ""
	}
	code, _, ok := strings.Cut(reason[len(ConflictReason)+2:], ")")
	if !ok {
		return ""
	}
	return code
}
