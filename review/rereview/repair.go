package rereview

import (
	"context"
	"time"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/review"
)

// A start is three writes: the re-review is claimed (in_progress), the
// round's application is created and submitted, and the re-review is
// linked to it. A conclusion is the re-review's write (concluded, with
// Finishing) and then the enterprise's exit mark, the audit entry and the
// notices. Repair, run by the sweep at start and daily, finishes both when
// a crash cut them short: a claim older than RepairAfter without a link is
// linked to the round's application if it was created (and submitted if it
// stayed a draft), else given back to the bank (due again); a conclusion
// still Finishing is finished.

// RepairAfter is how old an unlinked claim must be before Repair takes it
// as cut short rather than in progress.
const RepairAfter = time.Minute

// Repair finishes starts and conclusions a crash cut short.
func (s *Service) Repair(ctx context.Context) error {
	q := store.Query{Eq: map[string]any{"finishing": true}, Sort: "created_ms", Limit: 200}
	page, err := s.coll.Find(ctx, q)
	if err != nil {
		return err
	}
	for _, d := range page.Docs {
		var r Rereview
		if err := d.Decode(&r); err != nil {
			return err
		}
		if err := s.finish(ctx, r, d.Version); err != nil {
			return err
		}
	}
	cut := s.now().Add(-RepairAfter)
	q = store.Query{Eq: map[string]any{"state": StateInProgress}, Sort: "created_ms", Limit: 200}
	for {
		page, err := s.coll.Find(ctx, q)
		if err != nil {
			return err
		}
		for _, d := range page.Docs {
			var r Rereview
			if err := d.Decode(&r); err != nil {
				return err
			}
			if r.NewApplicationID != "" || r.StartedAt == nil || r.StartedAt.After(cut) {
				continue
			}
			if err := s.repairStart(ctx, r, d.Version); err != nil {
				return err
			}
		}
		if page.Next == "" {
			return nil
		}
		q.After = page.Next
	}
}

// repairStart links a claimed re-review to the round's application a
// crash left unlinked, or gives the claim back.
func (s *Service) repairStart(ctx context.Context, r Rereview, ver int64) error {
	bank := identity.User{ID: r.StartedBy, Username: "system", Role: identity.RoleBankOfficer, BankID: r.BankID}
	var round *review.Application
	cursor := ""
	for {
		vs, next, err := s.review.List(ctx, system, review.Filter{CreditCode: r.CreditCode, Limit: 500, Cursor: cursor})
		if err != nil {
			return err
		}
		for i := range vs {
			a := vs[i].Application
			if a.PreviousApplicationID == r.ApplicationID && a.ID != r.ApplicationID && !a.CreatedAt.Before(r.StartedAt.Add(-time.Second)) &&
				(round == nil || a.CreatedAt.After(round.CreatedAt)) {
				round = &a
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	if round == nil {
		r.State, r.StartedAt, r.StartedBy, r.UpdatedAt = StateDue, nil, "", s.now()
		if _, err := s.coll.Replace(ctx, r.ID, ver, r); err != nil && !kedaitong.Is(err, kedaitong.EConflict) {
			return err
		}
		s.record(ctx, nil, "rereview.start_undone", &r, map[string]any{"reason": "the start was cut short before the round's application existed"})
		return nil
	}
	if round.State == review.StateDraft {
		if _, err := s.review.Submit(ctx, bank, round.ID); err != nil && !kedaitong.Is(err, kedaitong.EConflict) {
			return err
		}
	}
	r.NewApplicationID, r.UpdatedAt = round.ID, s.now()
	if _, err := s.coll.Replace(ctx, r.ID, ver, r); err != nil && !kedaitong.Is(err, kedaitong.EConflict) {
		return err
	}
	s.record(ctx, nil, "rereview.start", &r, map[string]any{"new_application_id": round.ID, "recovered": true})
	return nil
}
