package ui

import (
	"errors"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/review/scoring"
)

// The guideline editor as a form: one block per criterion (code, names in
// both languages, weight in per cent, what 2, 5 and 8 points mean in both
// languages, a "remove" box), then the risk points and the monitoring
// indicators as rows of zh/en pairs. Blank rows are offered to add to each
// list and are ignored when left empty. The JSON editor stays beside it for
// whoever prefers to paste a whole guideline.

// rubricBlankRows is how many empty rows each list offers for additions.
const rubricBlankRows = 2

// maxFormRows bounds the rows a posted form is read for (criteria, risk
// points, indicators): beyond the guideline's own limits plus the blank
// rows nothing is read, so a forged form cannot make the server loop long.
const maxFormRows = scoring.MaxPoints + rubricBlankRows + 8

type editAnchor struct {
	Point  string
	ZH, EN string
}

type editCrit struct {
	N       int // row number shown to the user (1-based)
	Row     int // the form's index
	ID      string
	ZH, EN  string
	Weight  string // per cent as shown or typed
	Anchors []editAnchor
	Remove  bool
	Err     string
}

type editText struct {
	N      int
	Row    int
	ZH, EN string
	Err    string
}

// rubricEdit is the editor's state: the guideline shown, or what the user
// posted (kept on an error so nothing typed is lost).
type rubricEdit struct {
	Criteria   []editCrit
	Risks      []editText
	Indicators []editText
}

// percent shows a stored weight (a share of 1) in per cent.
func percent(w float64) string {
	return strconv.FormatFloat(math.Round(w*10000)/100, 'f', -1, 64)
}

// editFromGuideline fills the editor from a guideline and adds blank rows.
func editFromGuideline(criteria []scoring.Criterion, risks, indicators []scoring.Text) rubricEdit {
	var e rubricEdit
	for _, c := range criteria {
		ec := editCrit{ID: c.ID, ZH: c.Name.ZH, EN: c.Name.EN, Weight: percent(c.Weight)}
		for _, p := range scoring.Anchors {
			a := c.Anchors[p]
			ec.Anchors = append(ec.Anchors, editAnchor{Point: p, ZH: a.ZH, EN: a.EN})
		}
		e.Criteria = append(e.Criteria, ec)
	}
	for _, t := range risks {
		e.Risks = append(e.Risks, editText{ZH: t.ZH, EN: t.EN})
	}
	for _, t := range indicators {
		e.Indicators = append(e.Indicators, editText{ZH: t.ZH, EN: t.EN})
	}
	e.pad()
	return e
}

// pad adds the blank rows and numbers every row.
func (e *rubricEdit) pad() {
	for i := 0; i < rubricBlankRows && len(e.Criteria) < scoring.MaxCriteria; i++ {
		ec := editCrit{}
		for _, p := range scoring.Anchors {
			ec.Anchors = append(ec.Anchors, editAnchor{Point: p})
		}
		e.Criteria = append(e.Criteria, ec)
	}
	for i := 0; i < rubricBlankRows && len(e.Risks) < scoring.MaxPoints; i++ {
		e.Risks = append(e.Risks, editText{})
	}
	for i := 0; i < rubricBlankRows && len(e.Indicators) < scoring.MaxPoints; i++ {
		e.Indicators = append(e.Indicators, editText{})
	}
	e.number()
}

// number numbers every row (the posted form keeps its own rows).
func (e *rubricEdit) number() {
	for i := range e.Criteria {
		e.Criteria[i].N, e.Criteria[i].Row = i+1, i
	}
	for i := range e.Risks {
		e.Risks[i].N, e.Risks[i].Row = i+1, i
	}
	for i := range e.Indicators {
		e.Indicators[i].N, e.Indicators[i].Row = i+1, i
	}
}

func (c editCrit) blank() bool {
	if c.ID != "" || c.ZH != "" || c.EN != "" || c.Weight != "" {
		return false
	}
	for _, a := range c.Anchors {
		if a.ZH != "" || a.EN != "" {
			return false
		}
	}
	return true
}

// rubricPosted is a posted editor form: its state (to show again) and the
// guideline it describes, with the form row of each item in the guideline
// so an error on criteria[k] can be shown beside its block.
type rubricPosted struct {
	edit    rubricEdit
	in      guideEdit
	critRow []int // criteria[k] is form row critRow[k]
	riskRow []int
	indRow  []int
	rowErr  int // a criterion row whose weight is not a number, or -1
}

func formText(c *gin.Context, name string) string { return strings.TrimSpace(c.PostForm(name)) }

// readRubricForm reads the editor's fields. Rows are read while any of
// their fields is present, up to maxFormRows.
func readRubricForm(c *gin.Context) rubricPosted {
	p := rubricPosted{rowErr: -1}
	p.in.RiskPoints, p.in.Indicators = []scoring.Text{}, []scoring.Text{}
	for i := 0; i < maxFormRows; i++ {
		k := "c" + strconv.Itoa(i) + "."
		if _, ok := c.GetPostForm(k + "id"); !ok {
			break
		}
		ec := editCrit{ID: formText(c, k+"id"), ZH: formText(c, k+"zh"), EN: formText(c, k+"en"),
			Weight: formText(c, k+"weight"), Remove: c.PostForm(k+"remove") != ""}
		for _, pt := range scoring.Anchors {
			ec.Anchors = append(ec.Anchors, editAnchor{Point: pt, ZH: formText(c, k+"a"+pt+".zh"), EN: formText(c, k+"a"+pt+".en")})
		}
		p.edit.Criteria = append(p.edit.Criteria, ec)
		if ec.Remove || ec.blank() {
			continue
		}
		w, err := strconv.ParseFloat(strings.TrimSuffix(ec.Weight, "%"), 64)
		if err != nil && p.rowErr < 0 {
			p.rowErr = i
		}
		cr := scoring.Criterion{ID: ec.ID, Name: scoring.Text{ZH: ec.ZH, EN: ec.EN}, Weight: w, Anchors: map[string]scoring.Text{}}
		for _, a := range ec.Anchors {
			cr.Anchors[a.Point] = scoring.Text{ZH: a.ZH, EN: a.EN}
		}
		p.in.Criteria = append(p.in.Criteria, cr)
		p.critRow = append(p.critRow, i)
	}
	readTexts := func(prefix string, rows *[]editText, list *[]scoring.Text, at *[]int) {
		for i := 0; i < maxFormRows; i++ {
			k := prefix + strconv.Itoa(i) + "."
			_, okZH := c.GetPostForm(k + "zh")
			_, okEN := c.GetPostForm(k + "en")
			if !okZH && !okEN {
				break
			}
			t := editText{ZH: formText(c, k+"zh"), EN: formText(c, k+"en")}
			*rows = append(*rows, t)
			if t.ZH == "" && t.EN == "" {
				continue
			}
			*list = append(*list, scoring.Text{ZH: t.ZH, EN: t.EN})
			*at = append(*at, i)
		}
	}
	readTexts("r", &p.edit.Risks, &p.in.RiskPoints, &p.riskRow)
	readTexts("x", &p.edit.Indicators, &p.in.Indicators, &p.indRow)
	if p.in.Criteria == nil {
		p.in.Criteria = []scoring.Criterion{}
	}
	p.edit.number()
	return p
}

var fieldIndexRE = regexp.MustCompile(`^(criteria|risk_points|indicators)\[(\d+)\]`)

// markError puts msg beside the row the domain error's field names
// (criteria[k].weight, risk_points[k], ...); it reports whether it found one.
func (p *rubricPosted) markError(err error, msg string) bool {
	var ke *kedaitong.Error
	if !errors.As(err, &ke) {
		return false
	}
	m := fieldIndexRE.FindStringSubmatch(ke.Field)
	if m == nil {
		return false
	}
	k, _ := strconv.Atoi(m[2])
	switch m[1] {
	case "criteria":
		if k < len(p.critRow) {
			p.edit.Criteria[p.critRow[k]].Err = msg
			return true
		}
	case "risk_points":
		if k < len(p.riskRow) {
			p.edit.Risks[p.riskRow[k]].Err = msg
			return true
		}
	case "indicators":
		if k < len(p.indRow) {
			p.edit.Indicators[p.indRow[k]].Err = msg
			return true
		}
	}
	return false
}
