package consult

import (
	"context"
	"fmt"
	"slices"

	"kedaitong/identity"
	"kedaitong/review"
)

// SeedDemo adds a handful of consultations in different states between
// the demo banks' officers (gz, nc) and the demo experts, preferring
// exp-0001 (the demo expert user's profile) as the answering expert. It
// does nothing when there are consultations already.
func (s *Service) SeedDemo(ctx context.Context, gz, nc identity.User) (int, error) {
	if p, err := s.cons.Find(ctx, storeFirst()); err != nil || len(p.Docs) > 0 {
		return 0, err
	}
	route := "lithium-battery.solid-state"
	if e, err := s.experts.Profile(ctx, "exp-0001"); err == nil && s.tax.IsRoute(e.PrimaryField) {
		route = e.PrimaryField
	}
	appID := ""
	if vs, _, err := s.apps.List(ctx, gz, review.Filter{Limit: 5}); err == nil && len(vs) > 0 {
		appID = vs[len(vs)-1].ID
	}
	steps := []struct {
		who      identity.User
		in       Input
		upTo     string // the state to bring it to
		answer   string
		followup string
		stars    int
	}{
		{gz, Input{Route: route, Urgency: UrgencyNormal, Question: "我行拟向一家固态电池企业授信，其硫化物电解质路线目前的量产成熟度如何？主要技术风险点有哪些？"}, StateOpen, "", "", 0},
		{gz, Input{Route: route, Urgency: UrgencyUrgent, Question: "客户称其正极材料循环寿命达到 3000 次，这一指标在行业内处于什么水平？需要哪些检测报告佐证？"}, StateAccepted, "", "", 0},
		{gz, Input{Route: route, Urgency: UrgencyNormal, Question: "锂价大幅波动对中游电池材料企业的技术路线选择有何影响？"}, StateAnswered,
			"锂价波动主要影响材料成本结构；技术路线方面，磷酸锰铁锂与钠离子电池的替代性值得关注。建议核查企业的原料长协与技术储备。", "钠离子电池对该企业现有产线的替代风险有多大？", 0},
		{nc, Input{Route: route, Urgency: UrgencyNormal, Question: "电池回收企业的湿法冶金工艺，金属回收率一般能达到多少？"}, StateClosed,
			"成熟的湿法工艺对镍、钴的回收率通常在 98% 以上，锂约 85%–90%。建议查验第三方检测报告及环评批复。", "", 5},
		{nc, Input{Route: "semiconductors.ic-design", Urgency: UrgencyUrgent, Question: "28nm 电源管理芯片流片两次仍未量产，这种情况常见吗？", ApplicationID: ""}, StateOpen, "", "", 0},
	}
	if appID != "" {
		steps[1].in.ApplicationID = appID
		if a, err := s.apps.Load(ctx, appID); err == nil {
			steps[1].in.Route = a.Route
		}
	}
	n := 0
	for i, st := range steps {
		c, err := s.ask(ctx, st.who, st.in, s.now())
		if err != nil {
			return n, fmt.Errorf("demo consultation %d: %w", i, err)
		}
		n++
		if st.upTo == StateOpen || len(c.Offered) == 0 {
			continue
		}
		ex := c.Offered[0]
		if slices.Contains(c.Offered, "exp-0001") {
			ex = "exp-0001"
		}
		expert := identity.User{ID: "demo-" + ex, Username: ex, Role: identity.RoleExpert, ExpertID: ex}
		if _, err := s.Accept(ctx, expert, c.ID); err != nil {
			return n, fmt.Errorf("demo consultation %d: accept: %w", i, err)
		}
		if st.answer == "" {
			continue
		}
		if _, err := s.Answer(ctx, expert, c.ID, AnswerInput{Text: st.answer}); err != nil {
			return n, fmt.Errorf("demo consultation %d: answer: %w", i, err)
		}
		if st.followup != "" {
			if _, err := s.AskFollowUp(ctx, st.who, c.ID, FollowUpInput{Question: st.followup}); err != nil {
				return n, fmt.Errorf("demo consultation %d: follow-up: %w", i, err)
			}
			if _, err := s.Answer(ctx, expert, c.ID, AnswerInput{Text: "该企业产线以三元材料为主，钠电池在储能领域替代较快，动力领域短期影响有限；建议关注其储能客户占比。"}); err != nil {
				return n, fmt.Errorf("demo consultation %d: follow-up answer: %w", i, err)
			}
		}
		if st.stars > 0 {
			if _, err := s.Rate(ctx, st.who, c.ID, RateInput{Stars: st.stars}); err != nil {
				return n, fmt.Errorf("demo consultation %d: rate: %w", i, err)
			}
		}
	}
	return n, nil
}
