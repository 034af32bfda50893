package panel

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"kedaitong"
	"kedaitong/experts"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/review"
)

// load reads an assignment with its version.
func (s *Service) load(ctx context.Context, id string) (Assignment, int64, error) {
	var a Assignment
	if !strings.HasPrefix(id, "asg-") || len(id) > 40 {
		return a, 0, notFound(id)
	}
	ver, err := s.assignments.Get(ctx, id, &a)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		return a, 0, notFound(id)
	}
	if err != nil {
		return a, ver, err
	}
	return s.settle(ctx, a, ver)
}

// own reads an assignment of the calling expert; anyone else's is not found.
func (s *Service) own(ctx context.Context, actor identity.User, id string) (Assignment, int64, error) {
	if actor.Role != identity.RoleExpert || actor.ExpertID == "" {
		return Assignment{}, 0, kedaitong.Errorf(kedaitong.EForbidden, "only the assigned expert answers an invitation").ZHf("只有被指派的评审专家可以答复邀请")
	}
	a, ver, err := s.load(ctx, id)
	if err != nil {
		return a, 0, err
	}
	if a.ExpertID != actor.ExpertID {
		return Assignment{}, 0, notFound(id)
	}
	return a, ver, nil
}

// Accept accepts an invitation: invited → accepted, due ReviewWindow later.
// Of two racing answers exactly one wins; the other is a conflict.
func (s *Service) Accept(ctx context.Context, actor identity.User, id string) (Assignment, error) {
	a, ver, err := s.own(ctx, actor, id)
	if err != nil {
		return Assignment{}, err
	}
	if a, err = s.endIfConflicted(ctx, a, ver, true); err != nil {
		return Assignment{}, err
	}
	if IsConflictEnded(a) {
		return Assignment{}, kedaitong.Errorf(kedaitong.EConflict, "the invitation ended: you have a conflict of interest with this application").ZHf("邀请已终止：您与该贷款申请存在利益冲突")
	}
	now := s.now()
	if a.State != StateInvited {
		return Assignment{}, kedaitong.Errorf(kedaitong.EConflict, "the assignment is %s: only an invitation can be accepted", a.State).ZHf("评审任务当前状态为 %s：只有邀请可以接受", a.State)
	}
	if !now.Before(a.Due) {
		return Assignment{}, kedaitong.Errorf(kedaitong.EConflict, "the invitation expired on %s", a.Due.Format(time.RFC3339)).ZHf("邀请已于 %s 过期", a.Due.Format(time.RFC3339))
	}
	a.State, a.RespondedAt, a.UpdatedAt = StateAccepted, &now, now
	a.Due = now.Add(ReviewWindow)
	a.DueMS = a.Due.UnixMilli()
	if _, err := s.assignments.Replace(ctx, a.ID, ver, a); err != nil {
		if kedaitong.Is(err, kedaitong.EConflict) {
			return Assignment{}, kedaitong.Wrap(kedaitong.EConflict, err, "the assignment was answered at the same time; read it again").ZHf("评审任务同时被答复了，请重新读取")
		}
		return Assignment{}, err
	}
	if err := s.experts.RecordAssignment(ctx, a.ExpertID, experts.AssignAccepted); err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
		return Assignment{}, err
	}
	s.record(ctx, &actor, "assignment.accept", "assignment", a.ID, "", a.Region, map[string]any{
		"application_id": a.ApplicationID, "tier": a.Tier, "due": a.Due.Format(time.RFC3339)})
	return a, nil
}

// Decline declines an invitation or an accepted assignment not yet
// submitted, with a reason. The seat is freed and a replacement invited at
// once (never an expert who declined the application); when none can be
// invited now, the seat stays open for the next run.
func (s *Service) Decline(ctx context.Context, actor identity.User, id, reason string) (Assignment, error) {
	reason = strings.TrimSpace(reason)
	a, ver, err := s.own(ctx, actor, id)
	if err != nil {
		return Assignment{}, err
	}
	if reason == "" {
		return Assignment{}, kedaitong.Invalid("reason", "say why you decline (e.g. a conflict of interest, no time)").ZHf("请说明谢绝的理由（如存在利益冲突、没有时间）")
	}
	if utf8.RuneCountInString(reason) > MaxReasonLen {
		return Assignment{}, kedaitong.Invalid("reason", "at most %d characters", MaxReasonLen).ZHf("理由最多 %d 个字符", MaxReasonLen)
	}
	if a.State != StateInvited && a.State != StateAccepted {
		return Assignment{}, kedaitong.Errorf(kedaitong.EConflict, "the assignment is %s: it can no longer be declined", a.State).ZHf("评审任务当前状态为 %s：已无法谢绝", a.State)
	}
	now := s.now()
	a.State, a.RespondedAt, a.UpdatedAt, a.Reason = StateDeclined, &now, now, reason
	if _, err := s.assignments.Replace(ctx, a.ID, ver, a); err != nil {
		if kedaitong.Is(err, kedaitong.EConflict) {
			return Assignment{}, kedaitong.Wrap(kedaitong.EConflict, err, "the assignment was answered at the same time; read it again").ZHf("评审任务同时被答复了，请重新读取")
		}
		return Assignment{}, err
	}
	if err := s.free(ctx, a, reason, now); err != nil {
		return Assignment{}, err
	}
	if err := s.experts.RecordAssignment(ctx, a.ExpertID, experts.AssignDeclined); err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
		return Assignment{}, err
	}
	s.record(ctx, &actor, "assignment.decline", "assignment", a.ID, "", a.Region, map[string]any{
		"application_id": a.ApplicationID, "tier": a.Tier, "reason": clip(reason, 300)})
	// The replacement: best effort now; the sweep retries pending panels.
	if _, err := s.Refill(ctx, []string{a.ApplicationID}); err != nil && !kedaitong.Is(err, kedaitong.EConflict) {
		return a, err
	}
	return a, nil
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// free takes the assignment's expert off its panel, remembers the refusal
// and marks a replacement owed, in one version-guarded write.
func (s *Service) free(ctx context.Context, a Assignment, reason string, now time.Time) error {
	err := s.updatePanel(context.WithoutCancel(ctx), a.ApplicationID, func(p *Panel) error {
		if !slices.ContainsFunc(p.Members, func(m Member) bool { return m.AssignmentID == a.ID }) {
			return errFreed // freed before (a repair ran, or a retry)
		}
		kept := p.Members[:0]
		for _, m := range p.Members {
			if m.AssignmentID != a.ID {
				kept = append(kept, m)
			}
		}
		p.Members = kept
		p.Refused = append(p.Refused, Refusal{ExpertID: a.ExpertID, AssignmentID: a.ID, State: a.State, Reason: reason, At: now})
		p.Open = openSeats(*p)
		p.Needs = p.Open > 0 && !p.Closed
		p.Pending = p.Needs
		return nil
	})
	if kedaitong.Is(err, kedaitong.ENotFound) || err == errFreed {
		return nil
	}
	return err
}

// errFreed tells free's edit that the seat was freed before.
var errFreed = errors.New("the seat was freed before")

// Refill re-solves the open seats of the applications' panels against the
// current loads and refusals and invites replacements. It is what a
// decline and an expiry trigger; it waits briefly for a run in progress.
func (s *Service) Refill(ctx context.Context, applicationIDs []string) (RunResult, error) {
	unlock, err := s.lock(ctx, 5*time.Second)
	if err != nil {
		return RunResult{}, err
	}
	defer unlock()
	var apps []review.Application
	for _, id := range applicationIDs {
		a, err := s.review.Load(ctx, id)
		if kedaitong.Is(err, kedaitong.ENotFound) {
			continue
		}
		if err != nil {
			return RunResult{}, err
		}
		if a.State != review.StateSubmitted && a.State != review.StateInReview {
			// The application left the review (withdrawn or closed): no more
			// invitations, and the seats not yet submitted are released.
			if _, err := s.Release(ctx, id); err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
				return RunResult{}, err
			}
			continue
		}
		apps = append(apps, a)
	}
	return s.assign(ctx, nil, apps, newID("rep-"))
}

// Sweep expires invitations past their due date, frees their seats and
// invites replacements, and retries replacements still owed. It returns
// how many invitations expired.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	if _, err := s.Recover(ctx); err != nil {
		return 0, err
	}
	now := s.now()
	q := store.Query{Eq: map[string]any{"state": StateInvited}, Range: &store.Range{Field: "due_ms", Lte: now.UnixMilli()}, Sort: "due_ms", Limit: 200}
	page, err := s.assignments.Find(ctx, q)
	if err != nil {
		return 0, err
	}
	expired := 0
	var apps []string
	seen := map[string]bool{}
	for _, d := range page.Docs {
		var a Assignment
		if err := d.Decode(&a); err != nil {
			return expired, err
		}
		a.State, a.UpdatedAt = StateExpired, now
		if _, err := s.assignments.Replace(ctx, a.ID, d.Version, a); kedaitong.Is(err, kedaitong.EConflict) {
			continue // answered meanwhile
		} else if err != nil {
			return expired, err
		}
		expired++
		if err := s.free(ctx, a, "", now); err != nil {
			return expired, err
		}
		if err := s.experts.RecordAssignment(ctx, a.ExpertID, experts.AssignExpired); err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
			return expired, err
		}
		s.record(ctx, nil, "assignment.expire", "assignment", a.ID, "", a.Region, map[string]any{
			"application_id": a.ApplicationID, "expert_id": a.ExpertID, "tier": a.Tier})
		if !seen[a.ApplicationID] {
			seen[a.ApplicationID] = true
			apps = append(apps, a.ApplicationID)
		}
	}
	pq := store.Query{Eq: map[string]any{"pending": true}, Sort: "updated_ms", Limit: 200}
	pp, err := s.panels.Find(ctx, pq)
	if err != nil {
		return expired, err
	}
	for _, d := range pp.Docs {
		if !seen[d.ID] {
			seen[d.ID] = true
			apps = append(apps, d.ID)
		}
	}
	if len(apps) > 0 {
		if _, err := s.Refill(ctx, apps); err != nil {
			return expired, err
		}
	}
	return expired, nil
}
