package panel

import (
	"context"
	"slices"
	"strings"
	"time"

	"kedaitong"
	"kedaitong/experts"
	"kedaitong/identity"
	"kedaitong/internal/store"
)

// What the scoring of reviews (package review/scoring) needs from panels:
// marking an assignment submitted, reading a panel's seats, releasing the
// seats still open when a panel closes, and adding an adjudicator.

// MarkSubmitted moves an accepted assignment to submitted in one
// version-guarded write: of two racing submits exactly one wins, and a
// submit racing a decline or a release has one winner.
func (s *Service) MarkSubmitted(ctx context.Context, id string, at time.Time) (Assignment, error) {
	a, ver, err := s.load(ctx, id)
	if err != nil {
		return a, err
	}
	return s.MarkSubmittedAt(ctx, a, ver, at)
}

// MarkSubmittedAt is MarkSubmitted of an assignment the caller has just
// read at version ver (LoadVersion), saving a read: a change since that
// read is a conflict.
func (s *Service) MarkSubmittedAt(ctx context.Context, a Assignment, ver int64, at time.Time) (Assignment, error) {
	if a.State != StateAccepted {
		return Assignment{}, kedaitong.Errorf(kedaitong.EConflict, "the assignment is %s: only an accepted assignment can be submitted", a.State).ZHf("评审任务当前状态为 %s：只有已接受的任务可以提交", a.State)
	}
	a.State, a.UpdatedAt = StateSubmitted, at
	if _, err := s.assignments.Replace(ctx, a.ID, ver, a); err != nil {
		if kedaitong.Is(err, kedaitong.EConflict) {
			return Assignment{}, kedaitong.Wrap(kedaitong.EConflict, err, "the assignment changed at the same time; read it again").ZHf("评审任务同时被修改了，请重新读取")
		}
		return Assignment{}, err
	}
	return a, nil
}

// Load returns an assignment without access checks, for other domain
// services that check access themselves.
func (s *Service) Load(ctx context.Context, id string) (Assignment, error) {
	a, _, err := s.load(ctx, id)
	return a, err
}

// LoadVersion is Load with the assignment's version (for MarkSubmittedAt).
func (s *Service) LoadVersion(ctx context.Context, id string) (Assignment, int64, error) {
	return s.load(ctx, id)
}

// Seats returns an application's panel document and the assignments of
// its seat holders (in the order of the members).
func (s *Service) Seats(ctx context.Context, applicationID string) (Panel, []Assignment, error) {
	var p Panel
	if _, err := s.panels.Get(ctx, applicationID, &p); err != nil {
		return p, nil, err
	}
	out := make([]Assignment, 0, len(p.Members))
	freed := false
	for _, m := range p.Members {
		a, _, err := s.load(ctx, m.AssignmentID)
		if kedaitong.Is(err, kedaitong.ENotFound) && slices.ContainsFunc(p.Invitations, func(x Assignment) bool { return x.ID == m.AssignmentID }) {
			// An invitation whose storing was cut short: store it now.
			if _, err := s.materialize(ctx, p); err != nil {
				return p, nil, err
			}
			a, _, err = s.load(ctx, m.AssignmentID)
		}
		if err != nil {
			return p, nil, err
		}
		if (a.State == StateDeclined || a.State == StateExpired) && !p.Closed {
			// A decline, expiry or conflict cut short before its seat was
			// freed: free it now (the sweep invites the replacement).
			if err := s.free(ctx, a, a.Reason, a.UpdatedAt); err != nil {
				return p, nil, err
			}
			freed = true
			continue
		}
		out = append(out, a)
	}
	if freed {
		var np Panel
		if _, err := s.panels.Get(ctx, applicationID, &np); err != nil {
			return p, nil, err
		}
		p = np
	}
	return p, out, nil
}

// ReleasedReason is the reason on an assignment released when its panel
// closed without it.
const ReleasedReason = "released: the panel closed without this review"

// Release closes an application's panel (no more invitations) and releases
// the seats that have not submitted: their assignments become expired with
// ReleasedReason and the experts' open counts drop. It returns the released
// assignments.
func (s *Service) Release(ctx context.Context, applicationID string) ([]Assignment, error) {
	if err := s.closePanel(ctx, applicationID); err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
		return nil, err
	}
	_, as, err := s.Seats(ctx, applicationID)
	if err != nil {
		if kedaitong.Is(err, kedaitong.ENotFound) {
			return nil, nil
		}
		return nil, err
	}
	var out []Assignment
	for _, a := range as {
		for range 10 {
			if a.State != StateInvited && a.State != StateAccepted {
				break
			}
			cur, ver, err := s.load(ctx, a.ID)
			if err != nil {
				return out, err
			}
			if cur.State != StateInvited && cur.State != StateAccepted {
				break
			}
			now := s.now()
			cur.State, cur.UpdatedAt, cur.Reason = StateExpired, now, ReleasedReason
			if _, err := s.assignments.Replace(ctx, cur.ID, ver, cur); kedaitong.Is(err, kedaitong.EConflict) {
				a = cur
				continue
			} else if err != nil {
				return out, err
			}
			if err := s.experts.RecordAssignment(ctx, cur.ExpertID, experts.AssignReleased); err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
				return out, err
			}
			s.record(ctx, nil, "assignment.release", "assignment", cur.ID, "", cur.Region, map[string]any{
				"application_id": cur.ApplicationID, "expert_id": cur.ExpertID, "tier": cur.Tier})
			out = append(out, cur)
			break
		}
	}
	return out, nil
}

// Overdue returns the applications with an accepted assignment past its
// review deadline (at most 500), for closing panels at their deadline.
func (s *Service) Overdue(ctx context.Context, now time.Time) ([]string, error) {
	q := store.Query{Eq: map[string]any{"state": StateAccepted}, Range: &store.Range{Field: "due_ms", Lte: now.UnixMilli()}, Sort: "due_ms", Limit: 500}
	page, err := s.assignments.Find(ctx, q)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, d := range page.Docs {
		var a Assignment
		if err := d.Decode(&a); err != nil {
			return nil, err
		}
		if !slices.Contains(out, a.ApplicationID) {
			out = append(out, a.ApplicationID)
		}
	}
	return out, nil
}

// AddAdjudicator adds one adjudicating expert to an application's panel
// (an official of its region, or an admin): a seat of the expert's tier
// beyond the panel's seats, invited like any other. expertID may be empty:
// the best candidate the last solve considered but did not choose is
// invited. A panel has at most one adjudicator; an expert already on the
// panel, one who declined it, an inactive one and one with a conflict are
// refused.
func (s *Service) AddAdjudicator(ctx context.Context, actor identity.User, applicationID, expertID string) (Assignment, error) {
	if !manages(actor) {
		return Assignment{}, kedaitong.Errorf(kedaitong.ENotFound, "no application %q", applicationID).ZHf("没有贷款申请 %q", applicationID)
	}
	v, err := s.review.Get(ctx, actor, applicationID)
	if err != nil {
		return Assignment{}, err
	}
	app := v.Application
	var p Panel
	if _, err := s.panels.Get(ctx, app.ID, &p); err != nil {
		if kedaitong.Is(err, kedaitong.ENotFound) {
			return Assignment{}, kedaitong.Errorf(kedaitong.EConflict, "the application has no panel yet").ZHf("该贷款申请还没有评审组")
		}
		return Assignment{}, err
	}
	if p.Adjudicator != "" {
		return Assignment{}, kedaitong.Errorf(kedaitong.EConflict, "the panel already has an adjudicator").ZHf("评审组已有仲裁专家")
	}
	busy := map[string]bool{}
	for _, m := range p.Members {
		busy[m.ExpertID] = true
	}
	for _, r := range p.Refused {
		busy[r.ExpertID] = true
	}
	expertID = strings.TrimSpace(expertID)
	if expertID == "" {
		best := -1.0
		for _, c := range p.Considered {
			if c.Outcome == OutcomeNotChosen && !busy[c.ExpertID] && c.Tier != "finance" && c.Affinity > best {
				expertID, best = c.ExpertID, c.Affinity
			}
		}
		if expertID == "" {
			for _, c := range p.Considered {
				if c.Outcome == OutcomeNotChosen && !busy[c.ExpertID] && c.Affinity > best {
					expertID, best = c.ExpertID, c.Affinity
				}
			}
		}
		if expertID == "" {
			return Assignment{}, kedaitong.Invalid("expert_id", "no candidate left for this panel: name an expert").ZHf("没有可补充的候选评审专家：请指定一位")
		}
	}
	if busy[expertID] {
		return Assignment{}, kedaitong.Invalid("expert_id", "the expert is already on this panel or declined it").ZHf("该评审专家已在评审组中或已谢绝")
	}
	e, err := s.experts.Profile(ctx, expertID)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		return Assignment{}, kedaitong.Invalid("expert_id", "no expert %q", expertID).ZHf("没有评审专家 %q", expertID)
	} else if err != nil {
		return Assignment{}, err
	}
	if e.Status != "" && e.Status != experts.StatusActive {
		return Assignment{}, kedaitong.Invalid("expert_id", "the expert is not active").ZHf("该评审专家不在活跃状态")
	}
	if reason, _ := conflict(e, s.partiesOf(&app), s.now()); reason != "" {
		return Assignment{}, kedaitong.Invalid("expert_id", "the expert has a conflict with this application (%s)", reason).ZHf("该评审专家与此贷款申请存在利益冲突（%s）", reason)
	}
	now := s.now()
	due := now.Add(ResponseWindow)
	a := Assignment{ID: newID("asg-"), ApplicationID: app.ID, ExpertID: e.ID, Tier: e.Tier, State: StateInvited, Due: due,
		RunID: "adjudication", Route: app.Route, InvitedAt: now, UpdatedAt: now, Region: app.Region,
		City: app.Region[:min(4, len(app.Region))], DueMS: due.UnixMilli(), CreatedMS: now.UnixMilli()}
	err = s.updatePanel(ctx, app.ID, func(p *Panel) error {
		if p.Adjudicator != "" {
			return kedaitong.Errorf(kedaitong.EConflict, "the panel already has an adjudicator").ZHf("评审组已有仲裁专家")
		}
		for _, m := range p.Members {
			if m.ExpertID == e.ID {
				return kedaitong.Invalid("expert_id", "the expert is already on this panel").ZHf("该评审专家已在评审组中")
			}
		}
		if p.Seats == nil {
			p.Seats = map[string]int{}
		}
		seats := make(map[string]int, len(p.Seats)+1)
		for k, n := range p.Seats {
			seats[k] = n
		}
		seats[e.Tier]++
		p.Seats = seats
		p.Members = append(p.Members, Member{AssignmentID: a.ID, ExpertID: e.ID, Tier: e.Tier})
		p.Adjudicator = a.ID
		p.Open = openSeats(*p)
		p.Invitations = append(p.Invitations, a)
		p.Inviting = true
		return nil
	})
	if err != nil {
		return Assignment{}, err
	}
	if err := s.invite(ctx, &actor, a, app.BankID, map[string]any{"adjudicator": true}); err != nil {
		return Assignment{}, err
	}
	if err := s.invited(ctx, app.ID, []Assignment{a}); err != nil {
		return Assignment{}, err
	}
	s.record(ctx, &actor, "panel.adjudicator", "application", app.ID, app.BankID, app.Region, map[string]any{
		"assignment_id": a.ID, "expert_id": e.ID, "tier": e.Tier})
	return a, nil
}
