package ui

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/intel"
	"kedaitong/intel/classify"
	"kedaitong/taxonomy"
	"kedaitong/web"
)

// registerCorrectionsPages registers the item page (the item, why the
// classifier labelled it so, its correction) and the analysts' correction
// form.
func (s *ui) registerCorrectionsPages(e *gin.Engine) {
	s.page(e, web.UIRoute{Method: "GET", Path: "/intel/items/:id", Obj: "item", Act: "read"}, s.pageItem)
	s.page(e, web.UIRoute{Method: "POST", Path: "/intel/items/:id/correction", Obj: "item", Act: "correct"}, s.pageCorrectItem)
}

// itemPage is the data of corrections_item.html.
type itemPage struct {
	Item          intel.Item
	Why           classify.Label    // the classifier's reading now, with its cues
	Rules         classify.Label    // what the rules alone say
	Correction    *intel.Correction // the item's correction, when it has one
	Form          intel.CorrectionInput
	Industries    []taxonomy.Industry
	Dimensions    []string
	Polarities    []string
	Names         map[string]string // industry codes → names in the page's language
	Error         string
	Notice        string
	Pct           map[string]string // the model's confidence per chosen code, "87%"
	IndustryOpts  []option
	DimensionOpts []option
	Cues          []cueView    // Why's cues, for display
	Changes       []changeView // what the learned model changed from the rules
}

// option is a checkbox of the correction form.
type option struct {
	Code, Name string
	Checked    bool
}

// cueView is one cue of the "why" table.
type cueView struct {
	classify.Cue
	Mods     []string // modifier keys: negated, hedged, reversed, composed
	RuleText string   // the rule's label in the page's language
}

// changeView is one change the model made: an industry or dimension added
// or removed, or the polarity changed.
type changeView struct {
	Added, Removed bool
	Industry       bool // Code is an industry (else a dimension)
	Code           string
	Polarity       bool
	FromPol, ToPol string
}

func changes(l classify.Label) []changeView {
	var out []changeView
	for _, ch := range l.Changed {
		if from, to, ok := strings.Cut(ch, "→"); ok {
			out = append(out, changeView{Polarity: true, FromPol: from, ToPol: to})
			continue
		}
		if len(ch) < 2 {
			continue
		}
		code := ch[1:]
		out = append(out, changeView{Added: ch[0] == '+', Removed: ch[0] == '-', Code: code, Industry: taxonomy.Default().IsIndustry(code)})
	}
	return out
}

var (
	whyOnce       sync.Once
	whyClassifier *classify.Classifier
)

// explainer is the classifier the item page explains with.
func explainer() *classify.Classifier {
	whyOnce.Do(func() { whyClassifier, _ = classify.New(taxonomy.Default()) })
	return whyClassifier
}

func (s *ui) renderItem(c *gin.Context, status int, p itemPage) {
	ctx := c.Request.Context()
	u := web.MustCaller(c).User
	it, err := s.Deps.Intel.Item(ctx, u, c.Param("id"))
	if err != nil {
		s.renderError(c, web.StatusOf(err), "error.title")
		return
	}
	p.Item = it
	tax := taxonomy.Default()
	p.Industries, p.Dimensions, p.Polarities = tax.Industries, classify.Dimensions, intel.Polarities
	p.Names = map[string]string{}
	en := web.PickLang(c) == "en"
	for _, ind := range tax.Industries {
		p.Names[ind.Code] = ind.Name.ZH
		if en {
			p.Names[ind.Code] = ind.Name.EN
		}
	}
	if cl := explainer(); cl != nil {
		p.Why = cl.Classify(it.Title, it.Summary)
		p.Rules = cl.Rules(it.Title, it.Summary)
		for _, cue := range p.Why.Cues {
			v := cueView{Cue: cue, RuleText: cue.RuleIn(web.PickLang(c))}
			if cue.Modifier != "" {
				v.Mods = strings.Split(cue.Modifier, ", ")
			}
			p.Cues = append(p.Cues, v)
		}
		p.Changes = changes(p.Why)
	}
	if s.Deps.Corrections != nil && intel.MayCorrect(u) == nil {
		if rec, err := s.Deps.Corrections.Get(ctx, u, it.ID); err == nil {
			p.Correction = &rec
		}
	}
	if p.Form.Polarity == "" { // the form starts from the item's labels
		p.Form = intel.CorrectionInput{Industries: it.Industries, Dimensions: it.Dimensions, Polarity: it.Polarity}
	}
	for _, ind := range tax.Industries {
		p.IndustryOpts = append(p.IndustryOpts, option{Code: ind.Code, Name: p.Names[ind.Code], Checked: slices.Contains(p.Form.Industries, ind.Code)})
	}
	for _, d := range classify.Dimensions {
		p.DimensionOpts = append(p.DimensionOpts, option{Code: d, Checked: slices.Contains(p.Form.Dimensions, d)})
	}
	p.Pct = map[string]string{}
	for k, v := range p.Why.Scores {
		p.Pct[k] = fmt.Sprintf("%.0f%%", v*100)
	}
	s.render(c, status, "corrections_item", "corrections.item.title", p)
}

func (s *ui) pageItem(c *gin.Context) {
	p := itemPage{}
	if c.Query("corrected") != "" {
		p.Notice = "corrections.saved"
	}
	s.renderItem(c, http.StatusOK, p)
}

func (s *ui) pageCorrectItem(c *gin.Context) {
	in := intel.CorrectionInput{Industries: c.PostFormArray("industries"), Dimensions: c.PostFormArray("dimensions"),
		Polarity: c.PostForm("polarity"), Note: c.PostForm("note")}
	if s.Deps.Corrections == nil {
		s.renderItem(c, http.StatusServiceUnavailable, itemPage{Form: in,
			Error: web.ErrText(c, kedaitong.Errorf(kedaitong.EUnavailable, "corrections are not available").ZHf("更正功能不可用"))})
		return
	}
	if _, err := s.Deps.Corrections.Correct(c.Request.Context(), web.MustCaller(c).User, c.Param("id"), in); err != nil {
		if kedaitong.Is(err, kedaitong.ENotFound) {
			s.renderError(c, http.StatusNotFound, "error.title")
			return
		}
		s.renderItem(c, web.StatusOf(err), itemPage{Form: in, Error: web.ErrText(c, err)})
		return
	}
	c.Redirect(http.StatusSeeOther, "/intel/items/"+c.Param("id")+"?corrected=1")
}
