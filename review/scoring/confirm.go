package scoring

import "kedaitong"

// What an expert is shown before the irreversible submission: every
// problem that still keeps the draft from being submitted (all at once,
// each naming its field), and the weighted overall score the submission
// would lock.

// Missing returns every problem that keeps the content from being
// submitted under g, in the order of the scoring form: unscored criteria,
// then the recommendation, the confidence, the comment, the risk points
// and the maturity stage. None means Submit accepts it (as far as the
// content goes).
func (c Content) Missing(g Guideline) []*kedaitong.Error {
	var out []*kedaitong.Error
	for _, x := range g.Criteria {
		if _, ok := c.Criteria[x.ID]; !ok {
			out = append(out, kedaitong.Invalid("criteria."+x.ID, "score every criterion before submitting: %s (%s) is missing", x.ID, x.Name.EN).ZHf("提交前请为每项指标评分：缺少 %s（%s）", x.ID, x.Name.ZH))
		}
	}
	if c.Recommendation == "" {
		out = append(out, kedaitong.Invalid("recommendation", "choose a recommendation before submitting").ZHf("提交前请选择评审建议"))
	}
	if c.Confidence == 0 {
		out = append(out, kedaitong.Invalid("confidence", "give your confidence (1–3) before submitting").ZHf("提交前请给出您的把握程度（1–3）"))
	}
	if c.Comment == "" {
		out = append(out, kedaitong.Invalid("comment", "write a comment before submitting").ZHf("提交前请填写评审意见"))
	}
	if len(c.RiskPoints) == 0 {
		out = append(out, kedaitong.Invalid("risk_points", "name the risk points you see before submitting").ZHf("提交前请列出您看到的风险点"))
	}
	if c.MaturityStage == "" {
		out = append(out, kedaitong.Invalid("maturity_stage", "judge the maturity stage (lab, pilot, industrial) before submitting").ZHf("提交前请判断技术成熟度（实验室、中试、产业化）"))
	}
	return out
}

// Overall is the content's weighted overall score under g (the weighted
// mean of the scored criteria, 0 when none is scored), as the panel's
// report counts it for this expert.
func Overall(g Guideline, c Content) float64 {
	return overallOf(g, Score{Content: c})
}
