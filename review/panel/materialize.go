package panel

import (
	"context"
	"slices"
	"time"

	"kedaitong"
	"kedaitong/experts"
	"kedaitong/identity"
	"kedaitong/internal/store"
)

// Giving seats is two steps: the panel document takes the seat holders and
// the invitations' assignment documents in one version-guarded write (the
// commit point), then each assignment document is stored. A crash between
// them leaves seats whose assignments do not exist yet; whoever meets one
// first — the next read of the panel's seats, or the sweep — stores it from
// the panel's copy (an insert: of two, one wins), so every invitation is
// stored exactly once and counted at most once.

// testHookAfterSeats, when set (tests), runs just after seats are given,
// before their assignments are stored.
var testHookAfterSeats func()

// invite stores one invitation's assignment, counts it and audits it; an
// assignment stored already (by a reader finishing a crash) is left alone.
func (s *Service) invite(ctx context.Context, actor *identity.User, a Assignment, bank string, more map[string]any) error {
	ctx = context.WithoutCancel(ctx) // the seat is given: store it
	err := s.assignments.Insert(ctx, a.ID, a)
	if kedaitong.Is(err, kedaitong.EConflict) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := s.experts.RecordAssignment(ctx, a.ExpertID, experts.AssignInvited); err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
		return err
	}
	detail := map[string]any{"application_id": a.ApplicationID, "expert_id": a.ExpertID, "tier": a.Tier, "affinity": a.Affinity,
		"due": a.Due.Format(time.RFC3339), "run_id": a.RunID}
	for k, v := range more {
		detail[k] = v
	}
	s.record(ctx, actor, "assignment.invite", "assignment", a.ID, bank, a.Region, detail)
	return nil
}

// invited drops the stored invitations from the panel's copy.
func (s *Service) invited(ctx context.Context, applicationID string, invs []Assignment) error {
	if len(invs) == 0 {
		return nil
	}
	err := s.updatePanel(context.WithoutCancel(ctx), applicationID, func(p *Panel) error {
		p.Invitations = slices.DeleteFunc(p.Invitations, func(a Assignment) bool {
			return slices.ContainsFunc(invs, func(b Assignment) bool { return a.ID == b.ID })
		})
		if len(p.Invitations) == 0 {
			p.Invitations = nil
		}
		p.Inviting = len(p.Invitations) > 0
		return nil
	})
	if kedaitong.Is(err, kedaitong.ENotFound) {
		return nil
	}
	return err
}

// materialize stores the invitations a panel still holds (a crash cut
// their storing short) and drops them from the panel. It returns how many
// it stored.
func (s *Service) materialize(ctx context.Context, p Panel) (int, error) {
	if len(p.Invitations) == 0 {
		return 0, nil
	}
	n := 0
	for _, a := range p.Invitations {
		if _, err := s.assignments.Get(ctx, a.ID, nil); err == nil {
			continue
		} else if !kedaitong.Is(err, kedaitong.ENotFound) {
			return n, err
		}
		if err := s.invite(ctx, nil, a, p.BankID, map[string]any{"recovered": true}); err != nil {
			return n, err
		}
		n++
	}
	return n, s.invited(ctx, p.ApplicationID, p.Invitations)
}

// Recover stores the invitations of panels whose storing was cut short
// more than a minute ago (the sweep's part; reads of a panel's seats do it
// at once). It returns how many it stored.
func (s *Service) Recover(ctx context.Context) (int, error) {
	cut := s.now().Add(-time.Minute).UnixMilli()
	q := store.Query{Eq: map[string]any{"inviting": true}, Range: &store.Range{Field: "updated_ms", Lte: cut}, Sort: "updated_ms", Limit: 200}
	page, err := s.panels.Find(ctx, q)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range page.Docs {
		var p Panel
		if err := d.Decode(&p); err != nil {
			return n, err
		}
		m, err := s.materialize(ctx, p)
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
