package app

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"kedaitong"
	"kedaitong/consult"
	"kedaitong/fund"
	"kedaitong/identity"
	"kedaitong/review"
	"kedaitong/review/panel"
	"kedaitong/review/rereview"
	"kedaitong/review/scoring"
)

// openDemo adds the last seed hook of a demo store: applications of each
// demo bank in every state the platform knows, brought there through the
// services (so that every screen has something to show and every count
// is kept on write): under review with a panel seated and some scores,
// closed with a report, decided granted (with a loan registered in a
// risk-compensation pool) and refused, and a loan under re-review; plus an
// answered consultation for each bank. It runs after every other part's
// seed (it needs the experts, the pools and the demo users).
//
// Idempotent: each application is found by its enterprise's credit code
// (a natural key) and moved on from the state it is in, so a seeding
// interrupted half-way and run again finishes without duplicating.
func (a *App) openDemo(context.Context) error {
	a.parts = append(a.parts, part{name: "demo-states", seed: func(ctx context.Context, env Env) error {
		if !env.Demo {
			return nil
		}
		n, err := a.SeedDemoStates(ctx)
		if err != nil {
			return fmt.Errorf("demo states: %w", err)
		}
		fmt.Fprintf(env.Out, "Seeded %d demo applications in every review state (under review, report issued, granted with a loan, refused, under re-review).\n", n)
		return nil
	}})
	return nil
}

// demoCase is one demo application and the state to bring it to.
type demoCase struct {
	serial  int    // the credit code's serial (the natural key)
	region  string // the enterprise's county: a pool's region where a loan follows
	name    string
	founded string
	route   string
	amount  int64
	term    int
	summary string
	target  string // "review" (panel seated, some scores), "report", "granted", "refused", "rereview"
}

var demoStateCases = map[string][]demoCase{
	"gzbank.officer": {
		{951, "360702", "赣州稀磁新材料科技有限公司", "2020-05-12", "nonferrous-rare-earth.permanent-magnets", 4000000, 36,
			"晶界扩散钕铁硼永磁材料，重稀土用量降低三成，已通过两家电机企业验证。", "review"},
		{952, "360703", "赣州芯联封测技术有限公司", "2019-08-20", "semiconductors.packaging-testing", 3000000, 24,
			"扇出型晶圆级封装工艺，服务本省芯片设计企业，良率稳定在 98% 以上。", "report"},
		{953, "361002", "抚州锂源新能源科技有限公司", "2024-02-18", "lithium-battery.sodium-ion", 2000000, 36,
			"钠离子电池层状氧化物正极材料，储能场景成本较磷酸铁锂低 15%，中试线已投产。", "granted"},
		{954, "360704", "赣州恒顺食品包装有限公司", "2011-03-01", "new-materials.advanced-ceramics", 5000000, 24,
			"传统食品包装材料生产，申报的陶瓷涂层工艺尚处于实验室阶段，技术来源不清晰。", "refused"},
		{955, "360321", "莲花县智感传感器有限公司", "2019-11-05", "electronic-information.optics", 1500000, 36,
			"车载激光雷达光学元件，非球面玻璃模造工艺，已进入两家整车厂供应链。", "rereview"},
	},
	"ncbank.officer": {
		{961, "360102", "南昌瑞光光电科技有限公司", "2021-06-30", "electronic-information.led-display", 3500000, 36,
			"Mini LED 背光模组，自主巨量转移工艺，已为笔记本电脑品牌供货。", "review"},
		{962, "360111", "南昌博创智能装备有限公司", "2018-04-16", "high-end-equipment.industrial-robots", 2500000, 24,
			"面向陶瓷行业的喷涂机器人，自研视觉轨迹规划算法，已交付 40 余台。", "report"},
		{963, "360321", "莲花县华科生物诊断有限公司", "2024-05-08", "biomedicine.ivd", 1800000, 36,
			"化学发光免疫诊断试剂，肿瘤标志物检测灵敏度达到进口同类水平。", "granted"},
		{964, "360112", "南昌宏达建材贸易有限公司", "2010-09-09", "new-materials.advanced-ceramics", 6000000, 24,
			"建材贸易为主，所称纳米陶瓷技术无专利与研发投入支撑。", "refused"},
		{965, "360321", "莲花县云途工业互联网有限公司", "2019-03-22", "digital-ai.industrial-internet", 2000000, 36,
			"面向有色冶炼的工业互联网平台，能耗优化模型为客户节电 8%。", "rereview"},
	},
}

// SeedDemoStates brings the demo banks' state cases to their states and
// returns how many there are. It is safe to run again.
func (a *App) SeedDemoStates(ctx context.Context) (int, error) {
	n := 0
	for _, bank := range []string{"gzbank.officer", "ncbank.officer"} {
		officer, err := a.Identity.UserByName(ctx, bank)
		if err != nil {
			return n, err
		}
		for _, dc := range demoStateCases[bank] {
			if err := a.demoCase(ctx, officer, dc); err != nil {
				if !demoRule(err) {
					return n, fmt.Errorf("%s: %w", dc.name, err)
				}
				// a rule of a domain refused a step: the demo starts without
				// this one case rather than not at all
				a.Logger.Warn("demo states: a case stopped short of its state", "enterprise", dc.name, "target", dc.target, "err", err)
				continue
			}
			n++
		}
		if err := a.demoAnsweredConsultation(ctx, officer); err != nil {
			if !demoRule(err) {
				return n, fmt.Errorf("answered consultation: %w", err)
			}
			a.Logger.Warn("demo states: no answered consultation", "bank", officer.BankID, "err", err)
		}
	}
	return n, nil
}

// demoRule reports whether err is a domain's refusal (invalid, conflict,
// forbidden, not found, or a domain's own code) rather than a failure of
// the store.
func demoRule(err error) bool {
	switch kedaitong.ErrorCode(err) {
	case kedaitong.EInternal, kedaitong.EUnavailable, "":
		return false
	}
	return true
}

var demoSystem = identity.User{ID: "system", Username: "system", Role: identity.RoleAdmin}

func (a *App) demoCase(ctx context.Context, officer identity.User, dc demoCase) error {
	code := review.DemoCreditCode(dc.region, dc.serial)
	now := time.Now()
	// The re-reviewed loan was granted more than a year ago: its
	// application is made and decided on a clock set back.
	past := now.AddDate(0, -14, 0)
	if dc.target == "rereview" {
		a.Review.SetClock(func() time.Time { return past.UTC() })
		defer a.Review.SetClock(func() time.Time { return time.Now().UTC() })
	}
	vs, _, err := a.Review.List(ctx, officer, review.Filter{CreditCode: code, Limit: 10})
	if err != nil {
		return err
	}
	var app review.View
	for _, v := range vs {
		if v.PreviousApplicationID == "" { // not a re-review round of it
			app = v
		}
	}
	if app.ID == "" {
		in := review.Input{
			Enterprise: review.Enterprise{Name: dc.name, CreditCode: code, Region: dc.region, Founded: dc.founded, Route: dc.route,
				Staff: 85, RDStaff: 30, Revenue: []int64{36000000, 28000000}, NetProfit: []int64{2100000, -800000}, RDSpend: 4200000,
				InventionPatents: 6, PendingPatents: 4, UtilityModels: 9, SoftwareCopyrights: 3, TechContractIncome: 1200000,
				Team: []review.Person{{Name: "周明远", Title: "技术负责人", Note: "从事本领域研发十五年"}}, Maturity: review.MaturityPilot},
			Loan:    review.Loan{Amount: dc.amount, TermMonths: dc.term, Purpose: "产线建设与研发投入"},
			Summary: dc.summary,
		}
		if app, err = a.Review.Create(ctx, officer, in); err != nil {
			return fmt.Errorf("create: %w", err)
		}
	}
	if app.State == review.StateDraft {
		if app, err = a.Review.Submit(ctx, officer, app.ID); err != nil {
			return fmt.Errorf("submit: %w", err)
		}
	}
	if app.State == review.StateSubmitted || app.State == review.StateInReview {
		if err := a.demoPanel(ctx, app.ID, dc.target, dc.target == "refused"); err != nil {
			return err
		}
		if dc.target == "review" {
			return nil
		}
		if dc.target == "rereview" {
			a.Review.SetClock(func() time.Time { return past.AddDate(0, 0, 20).UTC() })
		}
		if _, err := a.Scoring.TryClose(ctx, app.ID); err != nil {
			return fmt.Errorf("close: %w", err)
		}
		if app, err = a.Review.Get(ctx, officer, app.ID); err != nil {
			return err
		}
	}
	if app.State != review.StateClosed || dc.target == "report" {
		return nil
	}
	if app.Decision == nil {
		granted := dc.target != "refused"
		in := review.DecisionInput{Granted: &granted}
		if granted {
			in.Amount = app.Loan.Amount
		}
		if dc.target == "rereview" {
			in.Date = past.AddDate(0, 0, 20).In(beijing).Format(review.DateLayout)
		}
		if app, err = a.Review.Decide(ctx, officer, app.ID, in); err != nil {
			return fmt.Errorf("decide: %w", err)
		}
	}
	a.Review.SetClock(func() time.Time { return time.Now().UTC() })
	if !app.Decision.Granted {
		return nil
	}
	if a.Fund != nil {
		_, err := a.Fund.RegisterLoan(ctx, officer, fund.LoanInput{ApplicationID: app.ID, Amount: app.Decision.Amount, Start: app.Decision.Date, TermMonths: app.Loan.TermMonths})
		if err != nil && !kedaitong.Is(err, kedaitong.EConflict) {
			return fmt.Errorf("loan: %w", err)
		}
		a.Fund.Flush()
	}
	if dc.target != "rereview" || a.Rereview == nil {
		return nil
	}
	r, err := a.Rereview.Get(ctx, officer, app.ID)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		if _, err = a.Rereview.Schedule(ctx, app.ID); err != nil {
			return fmt.Errorf("schedule the re-review: %w", err)
		}
		r, err = a.Rereview.Get(ctx, officer, app.ID)
	}
	if err != nil {
		return err
	}
	if r.State == rereview.StateDueLater {
		if _, err := a.Rereview.MarkDue(ctx); err != nil {
			return err
		}
		if r, err = a.Rereview.Get(ctx, officer, app.ID); err != nil {
			return err
		}
	}
	if r.State == rereview.StateDue {
		if r, err = a.Rereview.Start(ctx, officer, app.ID); err != nil {
			return fmt.Errorf("start the re-review: %w", err)
		}
	}
	if r.NewApplicationID != "" {
		// the round's panel is invited (its experts see the invitations)
		if _, seats, err := a.Panel.Seats(ctx, r.NewApplicationID); err != nil || len(seats) == 0 {
			if _, err := a.Panel.Refill(ctx, []string{r.NewApplicationID}); err != nil {
				return fmt.Errorf("invite the re-review panel: %w", err)
			}
		}
	}
	return nil
}

// demoPanel seats the application's panel and has its experts accept and
// score: all of them (target past review), or about half (under review).
func (a *App) demoPanel(ctx context.Context, appID, target string, refuse bool) error {
	_, seats, err := a.Panel.Seats(ctx, appID)
	if err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
		return err
	}
	if len(seats) == 0 {
		if _, err := a.Panel.Refill(ctx, []string{appID}); err != nil {
			return fmt.Errorf("panel: %w", err)
		}
		if _, seats, err = a.Panel.Seats(ctx, appID); err != nil {
			return fmt.Errorf("panel: %w", err)
		}
	}
	if len(seats) == 0 {
		return kedaitong.Errorf(kedaitong.EConflict, "panel: no expert could be seated").ZHf("评审组：没有可安排的专家")
	}
	for i, s := range seats {
		if target == "review" && i%2 == 1 {
			continue // the other half are still to answer or to score
		}
		expert := a.demoExpert(ctx, s.ExpertID)
		if s.State == panel.StateInvited {
			if s, err = a.Panel.Accept(ctx, expert, s.ID); err != nil {
				return fmt.Errorf("accept: %w", err)
			}
		}
		if s.State != panel.StateAccepted {
			continue
		}
		if err := a.demoScore(ctx, expert, s.ID, refuse, i); err != nil {
			return err
		}
	}
	return nil
}

func (a *App) demoExpert(ctx context.Context, expertID string) identity.User {
	if expertID == "exp-0001" {
		if u, err := a.Identity.UserByName(ctx, "expert.li"); err == nil {
			return u
		}
	}
	return identity.User{ID: "demo-" + expertID, Username: expertID, Role: identity.RoleExpert, ExpertID: expertID}
}

func (a *App) demoScore(ctx context.Context, expert identity.User, seatID string, refuse bool, i int) error {
	_, g, err := a.Scoring.MyScore(ctx, expert, seatID)
	if err != nil {
		return fmt.Errorf("rubric: %w", err)
	}
	in := scoring.Input{Criteria: map[string]json.Number{}, Recommendation: "support", Confidence: "2", MaturityStage: review.MaturityPilot,
		Comment:    "技术路线清晰，核心团队稳定，知识产权与研发投入匹配；建议关注量产良率与客户集中度。",
		RiskPoints: []string{"量产爬坡期现金流压力", "下游客户集中"}}
	base := 7
	if refuse {
		base, in.Recommendation, in.MaturityStage = 3, "do_not_support", review.MaturityLab
		in.Comment = "所称技术缺少专利与研发投入支撑，与主营业务关联弱，不建议作为科技贷款支持。"
	} else if i%3 == 2 {
		in.Recommendation = "support_with_conditions"
	}
	for j, c := range g.Criteria {
		in.Criteria[c.ID] = json.Number(fmt.Sprint(base + (i+j)%3 - 1))
	}
	if _, err := a.Scoring.Save(ctx, expert, seatID, in); err != nil {
		return fmt.Errorf("score: %w", err)
	}
	if _, err := a.Scoring.Submit(ctx, expert, seatID); err != nil {
		return fmt.Errorf("submit the score: %w", err)
	}
	return nil
}

// demoAnsweredConsultation makes sure the bank has a consultation with an
// expert's answer waiting for it (asked once: found again by its state).
func (a *App) demoAnsweredConsultation(ctx context.Context, officer identity.User) error {
	svc := a.consult
	if svc == nil {
		return nil
	}
	vs, _, err := svc.List(ctx, officer, consult.Filter{State: consult.StateAnswered, Limit: 1})
	if err != nil || len(vs) > 0 {
		return err
	}
	v, err := svc.Ask(ctx, officer, consult.Input{Route: "electronic-information.led-display", Urgency: consult.UrgencyNormal,
		Question: "Mini LED 巨量转移工艺的良率一般能达到多少？授信时应核查哪些检测报告？"})
	if err != nil {
		return err
	}
	full, err := svc.Get(ctx, demoSystem, v.ID)
	if err != nil {
		return err
	}
	if len(full.Offered) == 0 {
		return nil // nobody to answer it: it stays open
	}
	expert := a.demoExpert(ctx, full.Offered[0])
	if _, err := svc.Accept(ctx, expert, v.ID); err != nil {
		return err
	}
	_, err = svc.Answer(ctx, expert, v.ID, consult.AnswerInput{Text: "成熟产线的巨量转移良率通常在 99.99% 以上（按芯片计）。建议核查第三方可靠性检测报告、主要客户的来料检验记录及近一年的返修率统计。"})
	return err
}
