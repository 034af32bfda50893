package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserScoringJourney: an expert (Chinese) accepts the invitation on
// the assignments page, opens the scoring page with the dossier and the
// guideline, saves a partial draft (the form keeps it), tries to submit
// it (errors in place), completes and submits it, and sees the score
// locked; the locked page in English; a second submit from a stale page
// is answered with the lock message.
func TestBrowserScoringJourney(t *testing.T) {
	s := newScoringEnv(t)
	id := s.seat["expert"]
	b := newBrowser(t, s.env)
	b.loginAt("/login?lang=zh-CN", "expert", "#nav-account")
	b.run("accept the invitation and open the scoring page", chromedp.Click(chromedp.CSS("#nav-assignments")),
		chromedp.WaitVisible(chromedp.CSS(`#asg-table tr[data-id="`+id+`"] button.accept`)),
		chromedp.Click(chromedp.CSS(`#asg-table tr[data-id="`+id+`"] button.accept`)),
		chromedp.WaitVisible(chromedp.CSS("#score-"+id)),
		chromedp.Click(chromedp.CSS("#score-"+id)),
		chromedp.WaitVisible(chromedp.CSS("#score-form")))
	if g := b.text("#crit-originality"); !strings.Contains(g, "原创") || b.count("#crit-originality .sc-anchors dd") != 3 {
		t.Errorf("criterion = %q", g)
	}
	if d := b.text("#sc-dossier"); !strings.Contains(d, "研发投入强度") && !strings.Contains(d, "%") {
		t.Errorf("dossier = %q", d)
	}
	// A partial draft: two criteria and a comment.
	b.run("save a partial draft", chromedp.Click(chromedp.CSS("#c-originality-7")), chromedp.Click(chromedp.CSS("#c-barriers-6")),
		chromedp.SendKeys(chromedp.CSS("#comment"), "流片验证已完成，团队完整。"),
		chromedp.Click(chromedp.CSS("#sc-save")), chromedp.WaitVisible(chromedp.CSS("#sc-notice")))
	if n := b.count("#c-originality-7:checked, #c-barriers-6:checked"); n != 2 {
		t.Errorf("the saved draft's values are not shown back (%d)", n)
	}
	if c := b.eval(`document.querySelector("#comment").value`); !strings.Contains(c, "流片验证") {
		t.Errorf("comment after save = %q", c)
	}
	// Submitting the partial draft: the first missing criterion is flagged in place.
	b.run("submit the partial draft", chromedp.Click(chromedp.CSS("#sc-submit")), chromedp.WaitVisible(chromedp.CSS(".sc-criterion.has-error .field-error")))
	if n := b.count("#c-originality-7:checked"); n != 1 {
		t.Errorf("values lost after a refused submit")
	}
	b.screenshot("scoring-error-zh")
	for _, c := range []string{"industrialisation", "team", "maturity", "rd_ip", "market"} {
		b.run("score "+c, chromedp.Click(chromedp.CSS("#c-"+c+"-6")))
	}
	b.run("complete the form", chromedp.Click(chromedp.CSS("#rec-support_with_conditions")),
		chromedp.SetValue(chromedp.CSS("#confidence"), "2"),
		chromedp.SetValue(chromedp.CSS("#maturity_stage"), "pilot"),
		chromedp.Click(chromedp.CSS("#risk-0")),
		chromedp.SendKeys(chromedp.CSS("#risk_other"), "核心人员流失"))
	b.run("submit the score: the confirmation step", chromedp.Click(chromedp.CSS("#sc-submit")), chromedp.WaitVisible(chromedp.CSS("#sc-confirm")))
	if w := b.text("#scc-warning"); !strings.Contains(w, "不能再修改") {
		t.Errorf("confirmation warning = %q", w)
	}
	b.run("confirm the submission", chromedp.Click(chromedp.CSS("#sc-confirm-submit")), chromedp.WaitVisible(chromedp.CSS("#sc-locked")))
	if n := b.count("#sc-submit"); n != 0 {
		t.Errorf("the locked page still offers submit")
	}
	if n := b.count("#sc-fieldset[disabled]"); n != 1 {
		t.Errorf("the locked form is not read-only")
	}
	if n := b.count("#c-team-6:checked"); n != 1 {
		t.Errorf("the locked page does not show the submitted values")
	}
	b.screenshot("scoring-locked-zh")
	// A second submit (a stale tab posting the form again): the lock message.
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`(() => { const f = document.getElementById("score-form"); f.querySelector("#sc-fieldset").disabled = false;
		const a = document.createElement("input"); a.type = "hidden"; a.name = "action"; a.value = "submit"; f.appendChild(a); f.submit(); return true; })()`)); err != nil {
		t.Fatal(err)
	}
	b.run("second submit", chromedp.WaitVisible(chromedp.CSS("#sc-error")))
	if e := b.text("#sc-error"); !strings.Contains(e, "锁定") {
		t.Errorf("second submit = %q", e)
	}
	// English.
	b.run("open the locked page in English", chromedp.Navigate(b.url("/assignments/"+id+"/score?lang=en")), chromedp.WaitVisible(chromedp.CSS("#sc-locked")))
	if l := b.text("#sc-locked"); !strings.Contains(l, "locked") {
		t.Errorf("locked (en) = %q", l)
	}
	if g := b.text("#crit-originality"); !strings.Contains(strings.ToLower(g), "originality") {
		t.Errorf("criterion (en) = %q", g)
	}
	b.screenshot("scoring-locked-en")
	if r := s.do("GET", "/api/v1/assignments/"+id+"/score", "", as(s.sec["expert"])...).json(t); r["state"] != "submitted" || r["recommendation"] != "support_with_conditions" {
		t.Errorf("stored score = %v %v", r["state"], r["recommendation"])
	}
}

// closePanel accepts, scores and submits every seat through the API with
// the given scores and recommendations (default 6, support), and waits
// for the report.
func (s *scoringEnv) closePanel(t *testing.T, vals map[string]int, recs map[string]string) {
	t.Helper()
	for u := range s.seat {
		s.accept(t, u)
		v, rec := 6, "support"
		if x, ok := vals[u]; ok {
			v = x
		}
		if x, ok := recs[u]; ok {
			rec = x
		}
		if r := s.put(u, scoreJSON(v, rec)); r.status != 200 {
			t.Fatal(r.status, string(r.body))
		}
		if r := s.submit(u); r.status != 200 {
			t.Fatal(r.status, string(r.body))
		}
	}
	if r := s.report(t, "officer"); r.status != 200 {
		t.Fatalf("report = %d %s", r.status, r.body)
	}
}

// TestBrowserReportJourney: the bank officer opens the report page before
// the panel has closed (not ready), then after it closed (Chinese and
// English), with the scores, attribution without names and the export
// link; the page printed (print media) hides the navigation.
func TestBrowserReportJourney(t *testing.T) {
	s := newScoringEnv(t)
	b := newBrowser(t, s.env)
	b.loginAt("/login?lang=zh-CN", "officer", "#nav-account")
	b.run("open the report before the panel closed", chromedp.Navigate(b.url("/applications/"+s.appID+"/report")), chromedp.WaitVisible(chromedp.CSS("#rep-pending")))
	if p := b.text("#rep-pending"); !strings.Contains(p, "尚未") {
		t.Errorf("pending = %q", p)
	}
	s.closePanel(t, map[string]int{"expert": 7, "e3": 6}, nil)
	b.run("open the report from the application", chromedp.Navigate(b.url("/applications/"+s.appID)),
		chromedp.WaitVisible(chromedp.CSS("#app-report-link a")),
		chromedp.Click(chromedp.CSS("#app-report-link a")),
		chromedp.WaitVisible(chromedp.CSS("#report")))
	body := b.text("#report")
	for _, want := range []string{"综合得分", "产业技术专家", "中试", "未列入白名单"} {
		if !strings.Contains(body, want) {
			t.Errorf("report (zh) lacks %q", want)
		}
	}
	for _, name := range []string{"李院士", "王院士", "张工", "刘工", "赵教授"} {
		if strings.Contains(body, name) {
			t.Errorf("report shows %q", name)
		}
	}
	if n := b.count("#rep-criteria tbody tr"); n != 7 {
		t.Errorf("criteria rows = %d", n)
	}
	b.screenshot("report-zh")
	b.run("open the report in English", chromedp.Navigate(b.url("/applications/"+s.appID+"/report?lang=en")), chromedp.WaitVisible(chromedp.CSS("#report")))
	if c := b.text(".rep-comments"); !strings.Contains(c, "industry expert, ") {
		t.Errorf("comments (en) = %q", c)
	}
	if href := b.eval(`document.querySelector("#rep-export").getAttribute("href")`); href != "/api/v1/reports/export?lang=en" {
		t.Errorf("export link = %q", href)
	}
	b.screenshot("report-en")
	// The print stylesheet: no navigation, no forms, black on white.
	if n, _ := chromedp.Run(b.ctx, chromedp.Evaluate[int](`(() => { const l = document.querySelector('link[href="/static/print.css"]'); l.media = "all";
		return getComputedStyle(document.querySelector(".top nav")).display === "none" && getComputedStyle(document.querySelector("#rep-print")).display === "none" ? 1 : 0 })()`)); n != 1 {
		t.Errorf("printed report shows the navigation or buttons")
	}
}

// TestBrowserAdjudicationJourney: the official (Chinese) opens the report
// of a panel whose experts disagree, adds an adjudicating expert from the
// form and sees the invitation; once the adjudicator has submitted, the
// report (English) is revised and marked adjudicated.
func TestBrowserAdjudicationJourney(t *testing.T) {
	s := newScoringEnv(t)
	s.closePanel(t, map[string]int{"expert": 8, "e3": 3, "e4": 5, "e6": 7},
		map[string]string{"e3": "do_not_support", "e4": "support_with_conditions"})
	b := newBrowser(t, s.env)
	b.loginAt("/login?lang=zh-CN", "official", "#nav-account")
	b.run("open the disputed report", chromedp.Navigate(b.url("/applications/"+s.appID+"/report")), chromedp.WaitVisible(chromedp.CSS("#rep-disagreement")))
	if d := b.text("#rep-disagreement"); !strings.Contains(d, "分歧") || !strings.Contains(d, "推荐意见冲突") {
		t.Errorf("disagreement = %q", d)
	}
	// No expert chosen: the error on the page, nobody invited; panel
	// members are not offered.
	if n := b.count(`#adj-expert option[value="exp-1"]`); n != 0 {
		t.Errorf("a panel member is offered as adjudicator")
	}
	b.run("ask no adjudicator", chromedp.Click(chromedp.CSS("#adj-submit")),
		chromedp.WaitVisible(chromedp.CSS("#rep-error")))
	if b.count("#adj-invited") != 0 {
		t.Errorf("an adjudicator was invited on a refused request")
	}
	b.run("ask exp-2 to adjudicate", chromedp.WaitVisible(chromedp.CSS("#adj-expert")), choose("#adj-expert", "exp-2"),
		chromedp.Click(chromedp.CSS("#adj-submit")), chromedp.WaitVisible(chromedp.CSS("#adj-invited")))
	if a := b.text("#adj-invited"); strings.Contains(a, "exp-2") || !strings.Contains(a, "王院士") || b.eval(`document.querySelector("#adj-invited").dataset.expert`) != "exp-2" {
		t.Errorf("invited adjudicator = %q", a)
	}
	if b.count("#adj-form") != 0 {
		t.Errorf("the form still offers a second adjudicator")
	}
	b.screenshot("adjudication-zh")
	// The adjudicator accepts and submits (API); the report is revised.
	var adj string
	for _, a := range s.items(t, "e2", "/api/v1/assignments") {
		adj = a["id"].(string)
	}
	s.seat["e2"] = adj
	s.accept(t, "e2")
	if r := s.put("e2", scoreJSON(6, "support_with_conditions")); r.status != 200 {
		t.Fatal(r.status, string(r.body))
	}
	if r := s.submit("e2"); r.status != 200 {
		t.Fatal(r.status, string(r.body))
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		b.run("reload the report in English", chromedp.Navigate(b.url("/applications/"+s.appID+"/report?lang=en")), chromedp.WaitVisible(chromedp.CSS("#report")))
		if b.count("#rep-adjudicated") == 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if b.count("#rep-adjudicated") != 1 {
		t.Fatalf("the report was not revised after the adjudicator submitted")
	}
	if st := b.text("#adj-state"); !strings.Contains(st, "Submitted") {
		t.Errorf("adjudicator state = %q", st)
	}
	if c := b.text(".rep-comments"); !strings.Contains(c, "adjudicator") {
		t.Errorf("comments lack the adjudicator: %q", c)
	}
	b.screenshot("adjudication-revised-en")
}
