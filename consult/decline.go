package consult

import (
	"context"
	"slices"
	"strings"

	"kedaitong"
	"kedaitong/identity"
)

// MaxDeclineReason bounds a decline's reason.
const MaxDeclineReason = 1000

// Decline withdraws the calling expert from an open consultation offered to
// it, with a reason. It is never offered to that expert again; when nobody
// is left on offer it is routed to the next candidates at once. An expert
// it was never offered to gets not found; one no longer on offer a conflict.
func (s *Service) Decline(ctx context.Context, u identity.User, id, reason string) (View, error) {
	if u.Role != identity.RoleExpert || u.ExpertID == "" {
		return View{}, kedaitong.Errorf(kedaitong.EForbidden, "only experts decline consultations").ZHf("只有评审专家可以谢绝咨询")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return View{}, kedaitong.Invalid("reason", "say why you decline").ZHf("请说明谢绝的理由")
	}
	if runeCount(reason) > MaxDeclineReason {
		return View{}, kedaitong.Invalid("reason", "use at most %d characters", MaxDeclineReason).ZHf("理由最多 %d 个字符", MaxDeclineReason)
	}
	c, ver, err := s.load(ctx, id)
	if err != nil {
		return View{}, err
	}
	if !slices.Contains(c.Tried, u.ExpertID) && c.ExpertID != u.ExpertID {
		return View{}, notFound(id)
	}
	if c.State != StateOpen || !slices.Contains(c.Offered, u.ExpertID) {
		return View{}, kedaitong.Errorf(kedaitong.EConflict, "this consultation is no longer on offer to you").ZHf("这条咨询已不再向您开放")
	}
	now := s.now()
	c.Offered = slices.DeleteFunc(slices.Clone(c.Offered), func(x string) bool { return x == u.ExpertID })
	c.History = append(c.History, Step{Event: "declined", At: now, Experts: []string{u.ExpertID}, Reason: reason})
	nv, err := s.cons.Replace(ctx, c.ID, ver, c)
	if kedaitong.Is(err, kedaitong.EConflict) {
		return View{}, kedaitong.Wrap(kedaitong.EConflict, err, "the consultation changed meanwhile; look again").ZHf("咨询刚刚发生了变化，请重新查看")
	}
	if err != nil {
		return View{}, err
	}
	s.dropLinks(ctx, &c, []string{u.ExpertID})
	s.record(ctx, &u, "consultation.decline", &c, map[string]any{"reason": reason})
	if len(c.Offered) == 0 {
		// Nobody is left on offer: pass it on now rather than at the re-route time.
		if _, err := s.reroute(ctx, c, nv, now); err != nil {
			return View{}, err
		}
	}
	return View{ID: c.ID, State: c.State}, nil
}

func runeCount(s string) int { return len([]rune(s)) }
