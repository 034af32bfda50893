package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/review"
	"kedaitong/review/scoring"
	"kedaitong/taxonomy"
	"kedaitong/web"
)

// The scoring pages: the expert's scoring page (dossier, guideline, draft,
// submit, lock), the bank's report page (printable), the official's
// adjudication form on it, and the guidelines as data.

func (s *ui) registerScoringPages(e *gin.Engine) {
	s.page(e, web.UIRoute{Method: "GET", Path: "/assignments/:id/score", Obj: "assignment", Act: "score"}, s.pageScore)
	s.page(e, web.UIRoute{Method: "POST", Path: "/assignments/:id/score", Obj: "assignment", Act: "score"}, s.pagePostScore)
	s.page(e, web.UIRoute{Method: "GET", Path: "/assignments/:id/score/confirm", Obj: "assignment", Act: "score"}, s.pageConfirmScore)
	s.page(e, web.UIRoute{Method: "GET", Path: "/applications/:id/report", Obj: "report", Act: "read"}, s.pageReport)
	s.page(e, web.UIRoute{Method: "POST", Path: "/applications/:id/adjudicator", Obj: "panel", Act: "adjudicate"}, s.pageAddAdjudicator)
	s.page(e, web.UIRoute{Method: "GET", Path: "/rubrics", Obj: "rubric", Act: "read"}, s.pageRubrics)
	s.page(e, web.UIRoute{Method: "GET", Path: "/rubrics/:key", Obj: "rubric", Act: "read"}, s.pageRubric)
	s.page(e, web.UIRoute{Method: "POST", Path: "/rubrics/:key", Obj: "rubric", Act: "update"}, s.pagePutRubric)
}

func textIn(t scoring.Text, lang string) string { return t.In(lang) }

// guideNote is a guideline's change note; the built-in version's in the
// page's language.
func guideNote(tr *web.Tr, note string) string {
	if note == "built-in" {
		return tr.T("sc.rubric.builtin")
	}
	return note
}

// guideText names a guideline version ("key@3") by its field in the page's
// language: "半导体 · 集成电路设计 第 3 版" / "Semiconductors · IC design, v3".
func guideText(lang, keyAtVersion string) string {
	key, v, _ := strings.Cut(keyAtVersion, "@")
	name, _ := fieldName(taxonomy.Default(), key, lang)
	if v == "" {
		return name
	}
	if lang == "en" {
		return name + ", v" + v
	}
	return name + " 第 " + v + " 版"
}

// ---- the expert's scoring page ----

// anchorRow is one anchored point of a criterion's scale.
type anchorRow struct {
	Point string
	Text  string
}

// critForm is a criterion on the scoring form with its value and error.
type critForm struct {
	ID      string
	Name    string
	Weight  string
	Anchors []anchorRow
	Value   string
	Error   string
}

// riskChoice is one of the guideline's risk points, ticked or not.
type riskChoice struct {
	Text    string
	Checked bool
}

// formState is the scoring form's values as written.
type formState struct {
	Criteria                                   map[string]string
	Recommendation, Confidence, Comment, Stage string
	Risks                                      []string
}

func stateOf(c scoring.Content) formState {
	f := formState{Criteria: map[string]string{}, Recommendation: c.Recommendation, Comment: c.Comment, Stage: c.MaturityStage, Risks: c.RiskPoints}
	for id, v := range c.Criteria {
		f.Criteria[id] = strconv.Itoa(v)
	}
	if c.Confidence > 0 {
		f.Confidence = strconv.Itoa(c.Confidence)
	}
	return f
}

// formInput reads the scoring form: c_<criterion> radios, recommendation,
// confidence, comment, maturity_stage, the ticked risk points (risk) and
// others, one per line (risk_other).
func formInput(c *gin.Context) (scoring.Input, formState) {
	in := scoring.Input{Criteria: map[string]json.Number{}}
	f := formState{Criteria: map[string]string{}}
	_ = c.Request.ParseForm()
	for k, vs := range c.Request.PostForm {
		if id, ok := strings.CutPrefix(k, "c_"); ok && len(vs) > 0 && strings.TrimSpace(vs[0]) != "" {
			v := strings.TrimSpace(vs[0])
			f.Criteria[id] = v
			in.Criteria[id] = json.Number(v)
		}
	}
	f.Recommendation = strings.TrimSpace(c.PostForm("recommendation"))
	f.Confidence = strings.TrimSpace(c.PostForm("confidence"))
	f.Comment = c.PostForm("comment")
	f.Stage = strings.TrimSpace(c.PostForm("maturity_stage"))
	for _, r := range c.PostFormArray("risk") {
		if r = strings.TrimSpace(r); r != "" && !slices.Contains(f.Risks, r) {
			f.Risks = append(f.Risks, r)
		}
	}
	for _, r := range strings.Split(c.PostForm("risk_other"), "\n") {
		if r = strings.TrimSpace(r); r != "" && !slices.Contains(f.Risks, r) {
			f.Risks = append(f.Risks, r)
		}
	}
	in.Recommendation, in.Comment, in.MaturityStage, in.RiskPoints = f.Recommendation, f.Comment, f.Stage, f.Risks
	if in.RiskPoints == nil {
		in.RiskPoints = []string{}
	}
	if f.Confidence != "" {
		if _, err := strconv.ParseFloat(f.Confidence, 64); err == nil {
			in.Confidence = json.Number(f.Confidence)
		} else {
			in.Confidence = json.Number("0.5") // refused by the rubric check with its message
		}
	}
	for id, v := range in.Criteria {
		if _, err := strconv.ParseFloat(string(v), 64); err != nil {
			in.Criteria[id] = json.Number("0.5")
		}
	}
	return in, f
}

// fieldError places an error at its form field: the field's own message in
// the page language where there is one.
func fieldError(tr *web.Tr, err error) (field, msg string) {
	var e *kedaitong.Error
	if errors.As(err, &e) && e.Field != "" {
		switch {
		case strings.HasPrefix(e.Field, "criteria."):
			return e.Field, tr.T("sc.err.criterion")
		case slices.Contains([]string{"recommendation", "confidence", "comment", "risk_points", "maturity_stage"}, e.Field):
			return e.Field, tr.T("sc.err." + e.Field)
		}
	}
	if kedaitong.Is(err, kedaitong.EConflict) && strings.Contains(kedaitong.ErrorMessage(err), "locked") {
		return "", tr.T("sc.locked.error")
	}
	return "", kedaitong.MessageIn(err, tr.Lang)
}

// renderScore shows the scoring page; errs are messages by field
// ("criteria.<id>", "recommendation", ...), general one above the form.
func (s *ui) renderScore(c *gin.Context, status int, id string, f *formState, errs map[string]string, general, notice string) {
	cl := web.MustCaller(c)
	lang := web.PickLang(c)
	d, err := s.Deps.Scoring.Dossier(c.Request.Context(), cl.User, id)
	if err != nil {
		if kedaitong.Is(err, kedaitong.ENotFound) {
			s.renderNotFound(c)
			return
		}
		s.render(c, web.StatusOf(err), "scoring", "sc.title", gin.H{"Fatal": web.ErrText(c, err)})
		return
	}
	locked := d.Score.State == scoring.StateSubmitted
	st := stateOf(d.Score.Content)
	if f != nil && !locked {
		st = *f
	}
	var crits []critForm
	for _, cr := range d.Guideline.Criteria {
		cf := critForm{ID: cr.ID, Name: textIn(cr.Name, lang), Weight: fmt.Sprintf("%.0f%%", cr.Weight*100), Value: st.Criteria[cr.ID]}
		for _, p := range scoring.Anchors {
			cf.Anchors = append(cf.Anchors, anchorRow{Point: p, Text: textIn(cr.Anchors[p], lang)})
		}
		cf.Error = errs["criteria."+cr.ID]
		crits = append(crits, cf)
	}
	var choices []riskChoice
	offered := map[string]bool{}
	for _, r := range d.Guideline.RiskPoints {
		t := textIn(r, lang)
		offered[t] = true
		choices = append(choices, riskChoice{Text: t, Checked: slices.Contains(st.Risks, t)})
	}
	var others []string
	for _, r := range st.Risks {
		if !offered[r] {
			others = append(others, r)
		}
	}
	var indicators []string
	for _, x := range d.Guideline.Indicators {
		indicators = append(indicators, textIn(x, lang))
	}
	if errs == nil {
		errs = map[string]string{}
	}
	submitted := ""
	if d.Score.SubmittedAt != nil {
		submitted = d.Score.SubmittedAt.In(web.BeijingTime()).Format("2006-01-02 15:04")
	}
	s.render(c, status, "scoring", "sc.title", gin.H{
		"ID": id, "D": d, "App": toRow(review.View{Application: d.Application}, lang, cl.User),
		"Criteria": crits, "Scale": []int{1, 2, 3, 4, 5, 6, 7, 8, 9}, "Risks": choices, "OtherRisks": strings.Join(others, "\n"),
		"Indicators": indicators, "F": st, "Locked": locked, "Errors": errs, "Error": general, "Notice": notice,
		"Recommendations": scoring.Recommendations, "Stages": review.Maturities, "Submitted": submitted,
		"Guideline": guideText(lang, fmt.Sprintf("%s@%d", d.Guideline.Key, d.Guideline.Version)), "GuidelineKey": d.Guideline.Key, "Due": d.Assignment.Due.In(web.BeijingTime()).Format("2006-01-02 15:04"),
	})
}

func (s *ui) pageScore(c *gin.Context) {
	notice := ""
	switch c.Query("done") {
	case "saved":
		notice = "sc.done.saved"
	case "submitted":
		notice = "sc.done.submitted"
	}
	s.renderScore(c, http.StatusOK, c.Param("id"), nil, nil, "", notice)
}

func (s *ui) pagePostScore(c *gin.Context) {
	ctx, actor, id := c.Request.Context(), web.MustCaller(c).User, c.Param("id")
	lang := web.PickLang(c)
	tr := web.NewTr(s.bundle, lang)
	in, f := formInput(c)
	fail := func(err error) {
		if kedaitong.Is(err, kedaitong.ENotFound) {
			s.renderNotFound(c)
			return
		}
		field, msg := fieldError(tr, err)
		if field == "" {
			s.renderScore(c, web.StatusOf(err), id, &f, nil, msg, "")
			return
		}
		s.renderScore(c, web.StatusOf(err), id, &f, map[string]string{field: msg}, "", "")
	}
	action := c.PostForm("action")
	if action == "confirm" { // the confirmation step's button: lock the score as it was shown
		s.confirmScore(c)
		return
	}
	if _, err := s.Deps.Scoring.Save(ctx, actor, id, in); err != nil {
		fail(err)
		return
	}
	if action != "submit" {
		c.Redirect(http.StatusSeeOther, "/assignments/"+url.PathEscape(id)+"/score?done=saved")
		return
	}
	// Submitting: the draft is saved; every missing part is shown at once,
	// else the confirmation step, before anything is locked.
	sc, g, err := s.Deps.Scoring.MyScore(ctx, actor, id)
	if err != nil {
		fail(err)
		return
	}
	if missing := sc.Content.Missing(g); len(missing) > 0 {
		errs := map[string]string{}
		for _, e := range missing {
			field, msg := fieldError(tr, e)
			errs[field] = msg
		}
		s.renderScore(c, http.StatusBadRequest, id, &f, errs, tr.T("sc.missing", "N", len(missing)), "")
		return
	}
	c.Redirect(http.StatusSeeOther, "/assignments/"+url.PathEscape(id)+"/score/confirm")
}

// confirmRow is a criterion's score on the confirmation step.
type confirmRow struct {
	Name, Weight string
	Value        int
}

// pageConfirmScore is the step before the irreversible submission: the
// saved draft's scores, the weighted total and what can no longer be
// changed afterwards, with the button that submits it.
func (s *ui) pageConfirmScore(c *gin.Context) {
	s.renderConfirm(c, http.StatusOK, "")
}

func (s *ui) renderConfirm(c *gin.Context, status int, errMsg string) {
	ctx, actor, id, lang := c.Request.Context(), web.MustCaller(c).User, c.Param("id"), web.PickLang(c)
	d, err := s.Deps.Scoring.Dossier(ctx, actor, id)
	if err != nil {
		if kedaitong.Is(err, kedaitong.ENotFound) {
			s.renderNotFound(c)
			return
		}
		s.render(c, web.StatusOf(err), "scoring", "sc.title", gin.H{"Fatal": web.ErrText(c, err)})
		return
	}
	if d.Score.State == scoring.StateSubmitted {
		c.Redirect(http.StatusSeeOther, "/assignments/"+url.PathEscape(id)+"/score")
		return
	}
	tr := web.NewTr(s.bundle, lang)
	if missing := d.Score.Content.Missing(d.Guideline); len(missing) > 0 {
		errs := map[string]string{}
		for _, e := range missing {
			field, msg := fieldError(tr, e)
			errs[field] = msg
		}
		s.renderScore(c, http.StatusConflict, id, nil, errs, tr.T("sc.missing", "N", len(missing)), "")
		return
	}
	var rows []confirmRow
	for _, cr := range d.Guideline.Criteria {
		rows = append(rows, confirmRow{Name: textIn(cr.Name, lang), Weight: fmt.Sprintf("%.0f%%", cr.Weight*100), Value: d.Score.Criteria[cr.ID]})
	}
	s.render(c, status, "scoring_confirm", "sc.confirm.title", gin.H{
		"ID": id, "App": toRow(review.View{Application: d.Application}, lang, actor), "Rows": rows,
		"Total": fmt.Sprintf("%.2f", scoring.Overall(d.Guideline, d.Score.Content)), "S": d.Score, "Error": errMsg,
		"Due": d.Assignment.Due.In(web.BeijingTime()).Format("2006-01-02 15:04"),
	})
}

// confirmScore submits the score confirmed on the confirmation step, when
// it is still the revision shown there (a change from another tab since
// shows the step again with the new values).
func (s *ui) confirmScore(c *gin.Context) {
	ctx, actor, id := c.Request.Context(), web.MustCaller(c).User, c.Param("id")
	tr := s.tr(c)
	shown, perr := strconv.Atoi(strings.TrimSpace(c.PostForm("revision")))
	if perr != nil || shown < 0 {
		s.renderConfirm(c, http.StatusBadRequest, tr.T("sc.confirm.changed"))
		return
	}
	// One version-guarded write: the score is locked only while it is
	// still the revision this page showed.
	_, err := s.Deps.Scoring.SubmitShown(ctx, actor, id, shown)
	if scoring.ChangedSinceShown(err) {
		s.renderConfirm(c, http.StatusConflict, tr.T("sc.confirm.changed"))
		return
	}
	if err != nil {
		if kedaitong.Is(err, kedaitong.ENotFound) {
			s.renderNotFound(c)
			return
		}
		field, msg := fieldError(tr, err)
		if field != "" {
			s.renderScore(c, web.StatusOf(err), id, nil, map[string]string{field: msg}, "", "")
			return
		}
		s.renderScore(c, web.StatusOf(err), id, nil, nil, msg, "")
		return
	}
	c.Redirect(http.StatusSeeOther, "/assignments/"+url.PathEscape(id)+"/score?done=submitted")
}

// ---- the report page ----

// statRow is a score's statistics as the report shows them.
type statRow struct {
	Name, Weight, Mean, Median, Calibrated, Spread, Percentile string
	CalibratedDiffers                                          bool
}

func fmtStat(st scoring.Stat) statRow {
	r := statRow{Mean: fmt.Sprintf("%.2f", st.Mean), Median: fmt.Sprintf("%.2f", st.Median), Calibrated: fmt.Sprintf("%.2f", st.Calibrated),
		Spread: fmt.Sprintf("%.2f", st.Spread), Percentile: "—", CalibratedDiffers: st.Calibrated != st.Mean}
	if st.Percentile != nil {
		r.Percentile = fmt.Sprintf("%.1f", *st.Percentile)
	}
	return r
}

// commentRow is an expert's comment attributed to its seat, never a name.
type commentRow struct {
	Attribution, Recommendation, Stage, Text string
	Confidence                               int
	Adjudicator                              bool
}

func (s *ui) pageReport(c *gin.Context) {
	s.renderReport(c, http.StatusOK, "", c.Query("done"))
}

func (s *ui) renderReport(c *gin.Context, status int, errMsg, done string) {
	cl := web.MustCaller(c)
	ctx, lang, id := c.Request.Context(), web.PickLang(c), c.Param("id")
	rep, err := s.Deps.Scoring.Get(ctx, cl.User, id)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		s.renderNotFound(c)
		return
	}
	app, aerr := s.Deps.Review.Get(ctx, cl.User, id)
	if aerr != nil {
		s.renderNotFound(c)
		return
	}
	row := toRow(app, lang, cl.User)
	if err != nil {
		st := http.StatusConflict
		if !kedaitong.Is(err, kedaitong.EConflict) {
			st = web.StatusOf(err)
		}
		s.render(c, st, "report", "sc.report.title", gin.H{"Pending": true, "App": row, "Error": web.ErrText(c, err)})
		return
	}
	overall := fmtStat(rep.Overall)
	var crits []statRow
	for _, cid := range rep.CriteriaOrder {
		cs := rep.Criteria[cid]
		r := fmtStat(cs.Stat)
		r.Name, r.Weight, r.Percentile = textIn(cs.Name, lang), fmt.Sprintf("%.0f%%", cs.Weight*100), ""
		crits = append(crits, r)
	}
	var comments []commentRow
	for _, cm := range rep.Comments {
		comments = append(comments, commentRow{Attribution: textIn(cm.Attribution, lang), Recommendation: cm.Recommendation, Stage: cm.MaturityStage,
			Text: cm.Text, Confidence: cm.Confidence, Adjudicator: cm.Adjudicator})
	}
	var gRisks, indicators []string
	for _, r := range rep.GuidelineRisks {
		gRisks = append(gRisks, textIn(r, lang))
	}
	for _, x := range rep.Indicators {
		indicators = append(indicators, textIn(x, lang))
	}
	data := gin.H{"App": row, "R": rep, "Guideline": guideText(lang, rep.Guideline), "Overall": overall, "Criteria": crits, "Comments": comments, "GuidelineRisks": gRisks,
		"Indicators": indicators, "Recommendations": scoring.Recommendations, "Closed": rep.ClosedAt.In(web.BeijingTime()).Format("2006-01-02 15:04"),
		"ExportLang": map[string]string{"en": "en"}[lang], "Error": errMsg, "Done": done}
	if lang != "en" {
		data["ExportLang"] = "zh"
	}
	// Officials: the panel's adjudicator, and the form to add one.
	if cl.User.Role == identity.RoleOfficial || cl.User.Role == identity.RoleAdmin {
		if v, err := s.Deps.Panel.Panel(ctx, cl.User, id); err == nil {
			for _, m := range v.Members {
				if m.AssignmentID != "" && m.AssignmentID == v.Adjudicator {
					data["Adjudicator"] = m
				}
			}
			data["CanAdjudicate"] = rep.Disagreement && v.Adjudicator == ""
			if rep.Disagreement && v.Adjudicator == "" { // the experts to choose from, by name: not on the panel
				seated := map[string]bool{}
				for _, m := range v.Members {
					seated[m.ExpertID] = true
				}
				var free []expertChoice
				for _, e := range s.expertChoices(c, cl.User, nil, lang) {
					if !seated[e.ID] {
						free = append(free, e)
					}
				}
				data["Experts"] = free
			}
		}
	}
	s.render(c, status, "report", "sc.report.title", data)
}

func (s *ui) pageAddAdjudicator(c *gin.Context) {
	expert := strings.TrimSpace(c.PostForm("expert_id"))
	if expert == "" {
		err := kedaitong.Invalid("expert_id", "choose the expert who adjudicates").ZHf("请选择仲裁专家")
		s.renderReport(c, web.StatusOf(err), web.ErrText(c, err), "")
		return
	}
	_, err := s.Deps.Panel.AddAdjudicator(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), expert)
	if err != nil {
		if kedaitong.Is(err, kedaitong.ENotFound) {
			s.renderNotFound(c)
			return
		}
		s.renderReport(c, web.StatusOf(err), web.ErrText(c, err), "")
		return
	}
	c.Redirect(http.StatusSeeOther, "/applications/"+url.PathEscape(c.Param("id"))+"/report?done=adjudicator")
}

// ---- guidelines as data ----

// guideRow is a guideline in the list.
type guideRow struct {
	Key, Name string
	Version   int
	Criteria  int
	At, Note  string
	Route     bool
}

func fieldName(tax *taxonomy.Taxonomy, key, lang string) (string, bool) {
	if r, ok := tax.Route(key); ok {
		name := pick(r.Name, lang)
		if ind, ok := tax.Industry(tax.IndustryOf(key)); ok {
			name = pick(ind.Name, lang) + " · " + name
		}
		return name, true
	}
	if ind, ok := tax.Industry(key); ok {
		return pick(ind.Name, lang), false
	}
	return key, false
}

func (s *ui) pageRubrics(c *gin.Context) {
	lang := web.PickLang(c)
	gs, err := s.Deps.Scoring.Guidelines(c.Request.Context())
	errMsg := ""
	if err != nil {
		errMsg = web.ErrText(c, err)
	}
	tax := taxonomy.Default()
	var rows []guideRow
	for _, g := range gs {
		name, route := fieldName(tax, g.Key, lang)
		rows = append(rows, guideRow{Key: g.Key, Name: name, Version: g.Version, Criteria: len(g.Criteria), At: g.At.In(web.BeijingTime()).Format("2006-01-02"), Note: guideNote(s.tr(c), g.Note), Route: route})
	}
	type opt struct{ Code, Name string }
	var routes []opt
	for _, ind := range tax.Industries {
		for _, r := range ind.Routes {
			routes = append(routes, opt{Code: r.Code, Name: pick(ind.Name, lang) + " · " + pick(r.Name, lang)})
		}
	}
	s.render(c, http.StatusOK, "scoring_rubrics", "sc.rubrics.title", gin.H{"Rows": rows, "Routes": routes, "Error": errMsg})
}

// guideEdit is the editable part of a guideline, as the JSON textarea
// holds it.
type guideEdit struct {
	Criteria   []scoring.Criterion `json:"criteria"`
	RiskPoints []scoring.Text      `json:"risk_points"`
	Indicators []scoring.Text      `json:"indicators"`
}

func (s *ui) renderRubric(c *gin.Context, status int, text, note, errMsg string, edit *rubricEdit) {
	ctx, lang, key := c.Request.Context(), web.PickLang(c), c.Param("key")
	tax := taxonomy.Default()
	if !tax.IsField(key) {
		s.renderNotFound(c)
		return
	}
	g, err := s.Deps.Scoring.Guideline(ctx, key)
	if err != nil {
		if kedaitong.Is(err, kedaitong.ENotFound) {
			s.renderNotFound(c)
			return
		}
		s.render(c, web.StatusOf(err), "scoring_rubric", "sc.rubric.title", gin.H{"Error": web.ErrText(c, err)})
		return
	}
	view := g
	if v := c.Query("version"); v != "" && g.Key == key {
		if n, err := strconv.Atoi(v); err == nil && n >= 1 {
			if old, err := s.Deps.Scoring.GuidelineVersion(ctx, key, n); err == nil {
				view = old
			}
		}
	}
	inherited := g.Key != key // a route without its own guideline: its industry's applies
	if text == "" {
		b, _ := json.MarshalIndent(guideEdit{Criteria: view.Criteria, RiskPoints: view.RiskPoints, Indicators: view.Indicators}, "", "  ")
		text = string(b)
	}
	if edit == nil {
		e := editFromGuideline(view.Criteria, view.RiskPoints, view.Indicators)
		edit = &e
	}
	var versions []int
	if !inherited {
		for v := g.Version; v >= 1; v-- {
			versions = append(versions, v)
		}
	}
	var crits []critForm
	for _, cr := range view.Criteria {
		cf := critForm{ID: cr.ID, Name: textIn(cr.Name, lang), Weight: fmt.Sprintf("%.0f%%", cr.Weight*100)}
		for _, p := range scoring.Anchors {
			cf.Anchors = append(cf.Anchors, anchorRow{Point: p, Text: textIn(cr.Anchors[p], lang)})
		}
		crits = append(crits, cf)
	}
	name, _ := fieldName(tax, key, lang)
	from, _ := fieldName(tax, g.Key, lang)
	var risks, indicators []string
	for _, r := range view.RiskPoints {
		risks = append(risks, textIn(r, lang))
	}
	for _, x := range view.Indicators {
		indicators = append(indicators, textIn(x, lang))
	}
	s.render(c, status, "scoring_rubric", "sc.rubric.title", gin.H{
		"Key": key, "Name": name, "G": view, "Current": g.Version, "Inherited": inherited, "From": from, "Versions": versions,
		"Risks": risks, "Indicators": indicators, "GNote": guideNote(s.tr(c), view.Note), "At": fmtBeijing(view.At, "2006-01-02"), "Open": errMsg != "",
		"Criteria": crits, "JSON": text, "Note": note, "Error": errMsg, "Done": c.Query("done"),
		"Edit": edit, "JSONOpen": errMsg != "" && c.PostForm("mode") != "form",
	})
}

func (s *ui) pageRubric(c *gin.Context) { s.renderRubric(c, http.StatusOK, "", "", "", nil) }

// pagePutRubric saves a new version from the form editor (mode=form) or
// from the JSON editor; a refused edit shows the form again as typed, the
// error beside the row at fault, and saves nothing.
func (s *ui) pagePutRubric(c *gin.Context) {
	text, note := c.PostForm("guideline"), strings.TrimSpace(c.PostForm("note"))
	var in guideEdit
	var posted *rubricPosted
	if c.PostForm("mode") == "form" {
		p := readRubricForm(c)
		posted, in, text = &p, p.in, ""
		if p.rowErr >= 0 {
			msg := s.tr(c).T("sc.rubric.form.weight.bad")
			p.edit.Criteria[p.rowErr].Err = msg
			s.renderRubric(c, http.StatusBadRequest, text, note, msg, &p.edit)
			return
		}
	} else if err := web.DecodeStrict([]byte(text), &in); err != nil { // as strict as the API's bodies
		s.renderRubric(c, http.StatusBadRequest, text, note, "JSON: "+web.ErrText(c, err), nil)
		return
	}
	g := scoring.Guideline{Criteria: in.Criteria, RiskPoints: in.RiskPoints, Indicators: in.Indicators, Note: note}
	out, err := s.Deps.Scoring.PutGuideline(c.Request.Context(), web.MustCaller(c).User, c.Param("key"), g)
	if err != nil {
		msg := web.ErrText(c, err)
		if posted != nil {
			posted.markError(err, msg)
			s.renderRubric(c, web.StatusOf(err), text, note, msg, &posted.edit)
			return
		}
		s.renderRubric(c, web.StatusOf(err), text, note, msg, nil)
		return
	}
	c.Redirect(http.StatusSeeOther, "/rubrics/"+url.PathEscape(out.Key)+"?done="+strconv.Itoa(out.Version))
}
