// Package classify labels technology news: the industries and technical
// routes an item concerns, the risk dimensions it speaks to, its polarity
// (risk, opportunity or neutral), its severity, the enterprises it names, and
// the dictionary cues behind each decision, so that the risk map can show why
// an item sits where it does.
//
// Industries and routes come from the keyword dictionaries of package
// taxonomy; dimensions, polarity and severity from the cue dictionary
// embedded here (cues.json). Both are matched in one pass by an Aho–Corasick
// automaton over case-folded text, with word-boundary checks for Latin terms,
// title matches weighted above summary matches, negative keywords, and
// negation, hedging and reversal of cues ("未出现违约", "rumours", "lifts an
// export ban").
package classify

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"kedaitong"
	"kedaitong/taxonomy"
)

// Tuning. A match in the title counts titleWeight times its weight.
const (
	titleWeight       = 2.0
	industryThreshold = 3.0  // an industry needs this much keyword weight
	industryRelative  = 0.25 // ... and this share of the best industry's
	routeThreshold    = 3.0  // a route needs this much route-keyword weight
	dimThreshold      = 3.0  // a dimension needs this much cue weight
	dimRelative       = 0.45 // ... and this share of the best dimension's
	polarityThreshold = 2.0  // |opportunity - risk| below this is neutral
	balanceRatio      = 0.75 // min/max above this is neutral
	negatedOppFactor  = 0.5  // a negated opportunity cue counts as this much risk
	eventFactor       = 0.15 // plain cues of an item whose title is an event frame count this much
	hedgeFactor       = 0.5  // hedged cues count half
	negWindow         = 36   // bytes before a cue a negator may stand
	negAfterWindow    = 36   // bytes after a cue a negator-after may stand
	revBefore         = 36   // bytes before a cue a reverser may stand
	revAfter          = 12   // bytes after a cue a reverser may stand
	composeWeight     = 3.0  // a subject × direction composite
)

// insideComposite reports whether cue h overlaps a composite's subject or
// direction, or lies between them: the composite speaks for it.
func insideComposite(h hit, comps []composite) bool {
	for _, cp := range comps {
		if h.start < cp.end && cp.start < h.end {
			return true
		}
	}
	return false
}

// Enterprise is an enterprise the classifier links items to.
type Enterprise struct {
	ID         string   // the platform's id, returned in Label.Enterprises
	Name       string   // the full name, e.g. 赣州芯研微电子有限公司
	ShortNames []string // other names used in news, e.g. 芯研微电子, Xinyan
}

// Cue is a dictionary term that fired, with what it supports.
type Cue struct {
	Term       string   `json:"term"`                 // as written in the dictionary
	Dimensions []string `json:"dimensions,omitempty"` // the dimensions it supports
	Polarity   string   `json:"polarity"`             // after negation or reversal
	Weight     float64  `json:"weight"`               // after title weighting and modifiers
	Modifier   string   `json:"modifier,omitempty"`   // "negated", "hedged", "reversed" or ""
	InTitle    bool     `json:"in_title,omitempty"`
	// The rule behind the cue, when one applied: its id ("input-cost.up",
	// "buyer-side") and its label in English (Rule, kept for clients that
	// read it) and Chinese (RuleZH). RuleIn picks the reader's language.
	Rule   string `json:"rule,omitempty"` // e.g. "input cost × rises → risk"
	RuleID string `json:"rule_id,omitempty"`
	RuleZH string `json:"rule_zh,omitempty"` // e.g. "投入成本 × 上升 → 风险"
}

// RuleIn returns the cue's rule label in lang ("en", else Chinese).
func (q Cue) RuleIn(lang string) string {
	if lang == "en" || q.RuleZH == "" {
		return q.Rule
	}
	return q.RuleZH
}

// Label is the classification of one news item. Slices are never nil, so
// that they encode as JSON arrays.
type Label struct {
	ID          string   `json:"id"`
	Industries  []string `json:"industries"` // industry codes, strongest first
	Dimensions  []string `json:"dimensions"` // dimension codes, strongest first
	Polarity    string   `json:"polarity"`   // risk, opportunity or neutral
	Routes      []string `json:"routes"`     // route codes of the chosen industries
	Severity    string   `json:"severity"`   // high or normal
	Enterprises []string `json:"enterprises"`
	Cues        []Cue    `json:"cues"`
	RiskScore   float64  `json:"risk_score"`        // summed risk weight of the cues
	OppScore    float64  `json:"opportunity_score"` // summed opportunity weight
	// Scores are the learned model's probabilities of the labels it chose.
	Scores map[string]float64 `json:"scores,omitempty"`
	// Changed lists what the model changed from the rules' decision:
	// "+market", "-policy", "risk→neutral".
	Changed []string `json:"model_changed,omitempty"`
}

// Classifier labels news items. It is immutable and safe for concurrent use.
type Classifier struct {
	tax         *taxonomy.Taxonomy
	cues        *cueFile
	base        *patternSet // taxonomy and cue terms
	enterprises []Enterprise
	patterns    []pattern
	ac          *automaton
	maxKeyLen   int32    // longest key in bytes
	routeInd    []int    // route index → industry index
	routeCodes  []string // route index → code
	scratch     sync.Pool
	moveCue     map[string]bool // market cues that are bare directions ("降价", "slides")
	model       *Model          // nil: rules only
}

// New returns a classifier over the taxonomy's keyword dictionaries and the
// embedded cue dictionary.
func New(t *taxonomy.Taxonomy) (*Classifier, error) {
	if t == nil {
		return nil, kedaitong.Errorf(kedaitong.EInvalid, "classify: no taxonomy")
	}
	cf, err := parseCues(embeddedCues)
	if err != nil {
		return nil, err
	}
	c := &Classifier{tax: t, cues: cf, base: newPatternSet()}
	add := func(groups []taxonomy.KeywordGroup, target int, route, negative bool) {
		for _, g := range groups {
			w := g.Weight
			if negative {
				w = -w
			}
			for _, term := range g.Terms() {
				c.base.add(term, entry{kind: kindKeyword, target: target, route: route, negative: negative, weight: w})
			}
		}
	}
	for i, ind := range t.Industries {
		add(ind.Keywords, i, false, false)
		add(ind.Negative, i, false, true)
		for _, r := range ind.Routes {
			ri := len(c.routeCodes)
			c.routeCodes = append(c.routeCodes, r.Code)
			c.routeInd = append(c.routeInd, i)
			add(r.Keywords, ri, true, false)
			add(r.Negative, ri, true, true)
		}
	}
	for _, h := range industryHints {
		for i, ind := range t.Industries {
			if ind.Code == h.industry {
				for _, term := range h.terms {
					c.base.add(term, entry{kind: kindKeyword, target: i, weight: h.weight})
				}
			}
		}
	}
	c.addIndustryTerms()
	for gi, g := range cf.Cues {
		for _, term := range append(append([]string{}, g.ZH...), g.EN...) {
			c.base.add(term, entry{kind: kindCue, target: gi})
		}
	}
	c.moveCue = map[string]bool{}
	dirTerm := map[string]bool{}
	for _, d := range directions {
		for _, term := range append(append([]string{}, d.zh...), d.en...) {
			dirTerm[term] = true
		}
	}
	for _, g := range cf.Cues {
		if len(g.Dimensions) == 1 && g.Dimensions[0] == "market" {
			for _, term := range append(append([]string{}, g.ZH...), g.EN...) {
				if dirTerm[term] || term == "降价" || term == "跌价" || term == "涨价" {
					c.moveCue[term] = true
				}
			}
		}
	}
	for si, sj := range subjects {
		for _, term := range append(append([]string{}, sj.zh...), sj.en...) {
			c.base.add(term, entry{kind: kindSubject, target: si})
		}
	}
	for di, d := range directions {
		for _, term := range append(append([]string{}, d.zh...), d.en...) {
			c.base.add(term, entry{kind: kindDirection, target: di})
		}
	}
	for _, term := range inputMarkers.all() {
		c.base.add(term, entry{kind: kindInputMark})
	}
	for _, m := range []struct {
		l    termList
		kind int
	}{{cf.Negators, kindNegator}, {cf.NegatorsAfter, kindNegAfter}, {cf.Hedges, kindHedge},
		{cf.Reversers, kindReverser}, {cf.Masks, kindMask}, {cf.Events, kindEvent}} {
		for _, term := range m.l.all() {
			c.base.add(term, entry{kind: m.kind})
		}
	}
	c.addLexicons()
	c.build()
	if len(embeddedModel) > 0 {
		m, err := parseModel(embeddedModel)
		if err != nil {
			return nil, err
		}
		c.model = c.fits(m)
	}
	return c, nil
}

// fits returns m when it was trained for c's taxonomy, else nil (rules only).
func (c *Classifier) fits(m *Model) *Model {
	if m == nil || len(m.Header.Industries) != len(c.tax.Industries) {
		return nil
	}
	for i, ind := range c.tax.Industries {
		if m.Header.Industries[i] != ind.Code {
			return nil
		}
	}
	return m
}

// WithModel returns a copy of c that decides with model m (nil: rules
// only). A model trained for another taxonomy is ignored.
func (c *Classifier) WithModel(m *Model) *Classifier {
	n := &Classifier{tax: c.tax, cues: c.cues, base: c.base, routeInd: c.routeInd, routeCodes: c.routeCodes, moveCue: c.moveCue,
		enterprises: c.enterprises, model: c.fits(m)}
	n.build()
	return n
}

// WithEnterprises returns a copy of c that also links items to the
// enterprises by their names and short names. Short names of fewer than two
// Chinese characters or three Latin letters are ignored, as they would match
// inside other words.
func (c *Classifier) WithEnterprises(list []Enterprise) *Classifier {
	n := &Classifier{tax: c.tax, cues: c.cues, base: c.base, routeInd: c.routeInd, routeCodes: c.routeCodes, moveCue: c.moveCue,
		enterprises: append([]Enterprise(nil), list...), model: c.model}
	n.build()
	return n
}

// build compiles the base patterns and the enterprise names.
func (c *Classifier) build() {
	ps := &patternSet{patterns: make([]pattern, len(c.base.patterns)), index: map[string]int{}}
	for i, p := range c.base.patterns {
		p.entries = slices.Clone(p.entries)
		ps.patterns[i] = p
	}
	for k, v := range c.base.index {
		ps.index[k] = v
	}
	for ei, e := range c.enterprises {
		for _, name := range append([]string{e.Name}, e.ShortNames...) {
			if usableName(name) {
				ps.add(name, entry{kind: kindEnterprise, target: ei})
			}
		}
	}
	c.patterns = ps.patterns
	c.ac = buildAutomaton(ps.keys())
	c.maxKeyLen = 0
	for _, p := range ps.patterns {
		c.maxKeyLen = max(c.maxKeyLen, int32(len(p.key)))
	}
	c.scratch.New = func() any { return &scratch{} }
}

// usableName reports whether an enterprise name is long enough to link by:
// at least two Chinese characters or three Latin letters or digits.
func usableName(name string) bool {
	name = strings.TrimSpace(strings.TrimSuffix(name, "*"))
	han, latin := 0, 0
	for _, r := range name {
		switch {
		case r >= 0x4E00 && r <= 0x9FFF || r >= 0x3400 && r <= 0x4DBF:
			han++
		case r < 0x80 && isWordByte(byte(r)):
			latin++
		}
	}
	return han >= 2 || latin >= 3
}

// scratch holds per-call buffers.
type scratch struct {
	norm    normalised
	matches []match
	kept    []match
	feat    features
	z       []float64
}

// hit is an accepted match with its region.
type hit struct {
	match
	title bool
}

// Classify labels one item from its title and summary (either may be empty).
func (c *Classifier) Classify(title, summary string) Label {
	return c.label(title, summary, c.model, nil)
}

// Rules labels one item by the rule layer alone (dictionaries and
// composition), without the learned model.
func (c *Classifier) Rules(title, summary string) Label {
	return c.label(title, summary, nil, nil)
}

// label labels an item by the rules, then by model m when given; with f, it
// also leaves the model's features there.
func (c *Classifier) label(title, summary string, m *Model, f *features) Label {
	sc := c.scratch.Get().(*scratch)
	defer c.scratch.Put(sc)
	sc.norm.reset()
	sc.norm.add(title)
	titleEnd := int32(len(sc.norm.text))
	sc.norm.add(" 。 ")
	sc.norm.add(summary)

	// Find, keep those at word boundaries, then drop matches inside a
	// longer match of the same domain.
	sc.matches = c.ac.find(sc.norm.text, sc.matches[:0])
	sc.kept = sc.kept[:0]
	for _, m := range sc.matches {
		p := &c.patterns[m.key]
		if p.accept(&sc.norm, int(m.start), int(m.end)) {
			sc.kept = append(sc.kept, m)
		}
	}
	slices.SortFunc(sc.kept, func(a, b match) int {
		if a.start != b.start {
			return int(a.start - b.start)
		}
		return int(b.end - a.end)
	})
	var hits [5][]hit
	var maxEnd, maxStart [5]int32
	for d := range maxEnd {
		maxEnd[d] = -1
	}
	for _, m := range sc.kept {
		d := c.patterns[m.key].domain
		if d == 0 || d == 3 {
			hits[d] = append(hits[d], hit{match: m, title: m.end <= titleEnd})
			continue // keywords: see industries; composition words: see compose
		}
		if m.end < maxEnd[d] || m.end == maxEnd[d] && m.start > maxStart[d] {
			continue // inside a longer match (equal spans are all kept)
		}
		maxEnd[d], maxStart[d] = m.end, m.start
		hits[d] = append(hits[d], hit{match: m, title: m.end <= titleEnd})
	}

	l := Label{Industries: []string{}, Dimensions: []string{}, Routes: []string{}, Enterprises: []string{},
		Cues: []Cue{}, Polarity: Neutral, Severity: SeverityNormal}
	var rs ruleScores
	c.industries(&l, hits[0], &rs)
	comps, side := c.compose(hits[3], hits[1], sc.norm.text)
	rs.event = c.eventTitle(hits[3])
	c.dimensions(&l, hits[1], comps, side, sc.norm.text, &rs)
	c.lexiconScores(hits[4], &rs)
	if m != nil || f != nil {
		if f == nil {
			f = &sc.feat
		}
		c.extract(f, sc.norm.text, int(titleEnd), &l, &rs)
	}
	if m != nil {
		z := sc.z[:0]
		for range m.nOut {
			z = append(z, 0)
		}
		sc.z = z
		m.scores(f, z)
		m.probabilities(z)
		ruled := slices.Clone(l.Industries)
		m.decide(&l, z)
		// The model may weigh industries, not name one no keyword of the
		// item speaks of (every industry shown has its matched words).
		l.Industries = slices.DeleteFunc(l.Industries, func(code string) bool {
			i := slices.IndexFunc(c.tax.Industries, func(ind taxonomy.Industry) bool { return ind.Code == code })
			return i < 0 || rs.ind[i] <= 0
		})
		c.lexiconCues(&l, hits[4])
		if len(l.Industries) == 0 && len(ruled) > 0 {
			// The model may weigh industries, not erase every one the
			// dictionaries found (an item mixing two industries' words).
			l.Industries = ruled
		}
		routes := l.Routes[:0]
		for _, r := range l.Routes {
			ind, _, _ := strings.Cut(r, ".")
			if slices.Contains(l.Industries, ind) {
				routes = append(routes, r)
			}
		}
		l.Routes = routes
	}
	for _, h := range hits[2] {
		for _, e := range c.patterns[h.key].entries {
			id := c.enterprises[e.target].ID
			if !slices.Contains(l.Enterprises, id) {
				l.Enterprises = append(l.Enterprises, id)
			}
		}
	}
	return l
}

// seenKey identifies a pattern in a region: each counts once per region.
type seenKey struct {
	key   int32
	title bool
}

// industryOf returns the industry index an entry speaks of.
func (c *Classifier) industryOf(e entry) int {
	if e.route {
		return c.routeInd[e.target]
	}
	return e.target
}

// industries scores industry and route keywords. A keyword inside a longer
// keyword counts only for industries the longer one does not speak of: in
// 太阳能电池 the 电池 does not count for batteries, but in TOPCon电池 (a
// battery-negative term) TOPCon still counts for photovoltaics.
func (c *Classifier) industries(l *Label, hits []hit, rs *ruleScores) {
	nInd := len(c.tax.Industries)
	ind := make([]float64, nInd)
	route := make([]float64, len(c.routeCodes))
	var seen []seenKey
	var hidden []int
	for hi, h := range hits {
		sk := seenKey{h.key, h.title}
		if slices.Contains(seen, sk) {
			continue
		}
		seen = append(seen, sk)
		hidden = hidden[:0]
		// hits are sorted by start, longer first: containers come before h
		// and start at most maxKeyLen bytes earlier.
		for gi := hi - 1; gi >= 0 && hits[gi].start >= h.start-c.maxKeyLen; gi-- {
			if g := hits[gi]; g.end >= h.end && g.end-g.start > h.end-h.start {
				for _, e := range c.patterns[g.key].entries {
					hidden = append(hidden, c.industryOf(e))
				}
			}
		}
		rw := 1.0
		if h.title {
			rw = titleWeight
		}
		for _, e := range c.patterns[h.key].entries {
			if slices.Contains(hidden, c.industryOf(e)) {
				continue
			}
			w := e.weight * rw
			switch {
			case e.route:
				route[e.target] += w
				if !e.negative {
					ind[c.routeInd[e.target]] += w
				}
			default:
				ind[e.target] += w
			}
		}
	}
	rs.ind = ind
	best := 0.0
	for _, s := range ind {
		best = max(best, s)
	}
	order := make([]int, 0, nInd)
	for i, s := range ind {
		if s >= industryThreshold && s >= industryRelative*best {
			order = append(order, i)
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return ind[order[a]] > ind[order[b]] })
	chosen := map[int]bool{}
	for _, i := range order {
		l.Industries = append(l.Industries, c.tax.Industries[i].Code)
		chosen[i] = true
	}
	routes := make([]int, 0, 4)
	for ri, s := range route {
		if s >= routeThreshold && chosen[c.routeInd[ri]] {
			routes = append(routes, ri)
		}
	}
	sort.SliceStable(routes, func(a, b int) bool { return route[routes[a]] > route[routes[b]] })
	for _, ri := range routes {
		l.Routes = append(l.Routes, c.routeCodes[ri])
	}
}

// modifier kinds found around a cue.
const (
	modNone = iota
	modNegated
	modReversed
)

// dimensions scores cues, applying negators, reversers and hedges.
func (c *Classifier) dimensions(l *Label, hits []hit, comps []composite, side func(lo, hi int32) bool, text []byte, rs *ruleScores) {
	var mods, cues []hit
	for _, h := range hits {
		isCue, isMod := false, false
		for _, e := range c.patterns[h.key].entries {
			switch e.kind {
			case kindCue:
				isCue = true
			case kindNegator, kindNegAfter, kindHedge, kindReverser:
				isMod = true
			}
		}
		if isCue {
			cues = append(cues, h)
		}
		if isMod {
			mods = append(mods, h)
		}
	}
	dim := map[string]float64{}
	var seen []seenKey
	risk, opp, denied := 0.0, 0.0, 0.0
	for _, h := range cues {
		sk := seenKey{h.key, h.title}
		if slices.Contains(seen, sk) || insideComposite(h, comps) {
			continue
		}
		seen = append(seen, sk)
		mod, hedged := c.modifiers(h, mods, text)
		p := &c.patterns[h.key]
		for _, e := range p.entries {
			if e.kind != kindCue {
				continue
			}
			g := c.cues.Cues[e.target]
			w := g.Weight
			if h.title {
				w *= titleWeight
			}
			if hedged {
				w *= hedgeFactor
			}
			if rs.event && g.Polarity != Neutral {
				w *= eventFactor
			}
			pol, dw, pw := g.Polarity, w, w
			cue := Cue{Term: p.term, Dimensions: g.Dimensions, InTitle: h.title}
			// Whose side a replacement is told from: domestic goods
			// replacing imports are the industry's opportunity.
			subst := substitution[p.term] && pol == Risk && mod == modNone && c.importSide(h, text)
			if subst {
				pol = Opportunity
				cue.Dimensions = []string{"tech-route", "supply-chain"}
				cue.RuleID, cue.RuleZH, cue.Rule = substID, substZH, substEN
			}
			buyer := c.moveCue[p.term] && pol != Neutral && side(h.start, h.end)
			if buyer {
				// A price move told from the buyer's side: "降价利好下游厂商".
				pol = flip(pol)
			}
			switch mod {
			case modNegated:
				cue.Modifier = "negated"
				if pol == Opportunity {
					pol, pw = Risk, w*negatedOppFactor
				} else {
					pol, pw = Neutral, 0
					if g.Polarity == Risk {
						denied += w
					}
				}
			case modReversed:
				if pol != Neutral {
					cue.Modifier = "reversed"
				}
				switch pol {
				case Risk:
					pol = Opportunity
				case Opportunity:
					pol = Risk
				}
			default:
				if hedged {
					cue.Modifier = "hedged"
				}
				if g.Severity == SeverityHigh && pol == Risk {
					l.Severity = SeverityHigh
				}
			}
			switch pol {
			case Risk:
				risk += pw
			case Opportunity:
				opp += pw
			}
			for _, d := range cue.Dimensions {
				dim[d] += dw
			}
			if buyer {
				if cue.Modifier == "" {
					cue.Modifier = "reversed"
				}
				cue.RuleID = buyerID
				cue.RuleZH, cue.Rule = fmt.Sprintf(buyerZH, polZH[pol]), fmt.Sprintf(buyerEN, polEN[pol])
			}
			cue.Polarity, cue.Weight = pol, round2(pw)
			if pol == Neutral {
				cue.Weight = round2(dw)
			}
			l.Cues = append(l.Cues, cue)
		}
	}
	for _, cp := range comps {
		title := cp.end <= int32(len(text)) && cp.subj.title && cp.dirMatch.title
		w := composeWeight
		if cp.input || cp.s.input {
			w += 1 // the buyer's side outweighs the plain price move
		}
		if title {
			w *= titleWeight
		}
		span := hit{match: match{start: cp.start, end: cp.end}, title: title}
		pol := cp.polarity()
		// "Back to normal" after an improvement agrees with it
		// ("交付周期缩短至16周，排产恢复正常").
		mod, hedged := c.modifiersExcept(span, mods, text, pol == Opportunity)
		if mod != modNegated && c.negatedInside(cp, mods) {
			mod = modNegated // "补贴并未取消"
		}
		if hedged {
			w *= hedgeFactor
		}
		cue := Cue{Term: string(text[cp.subj.start:cp.subj.end]) + " … " + string(text[cp.dirMatch.start:cp.dirMatch.end]),
			Dimensions: cp.dims(), InTitle: title, Modifier: "composed"}
		pw := w
		switch {
		case mod == modNegated && cp.s.name == "subsidy" && cp.dir == dirBegin && renewal(text[cp.dirMatch.start:cp.dirMatch.end]):
			// A support not renewed, not extended, no longer granted
			// ("补贴不再延续", "not renewed") ends.
			cue.Modifier = "composed, negated"
			pol = Risk
		case mod == modNegated:
			cue.Modifier = "composed, negated"
			if pol == Risk {
				denied += w
			}
			pol, pw = Neutral, 0
		}
		cue.RuleID, cue.RuleZH, cue.Rule = cp.rule(cp.polarity(), mod == modNegated)
		if mod == modNegated && pol == Risk && cp.dir == dirBegin {
			cue.RuleID, cue.RuleZH, cue.Rule = cp.notRenewed()
		}
		if pol == Risk && cp.s.severe && !hedged {
			l.Severity = SeverityHigh
		}
		switch pol {
		case Risk:
			risk += pw
		case Opportunity:
			opp += pw
		}
		for _, d := range cue.Dimensions {
			dim[d] += w
		}
		cue.Polarity, cue.Weight = pol, round2(w)
		l.Cues = append(l.Cues, cue)
	}
	rs.dim = dim
	rs.composed = len(comps)
	for _, cue := range l.Cues {
		if strings.Contains(cue.Modifier, "negated") {
			rs.negated++
		}
	}
	best := 0.0
	for _, s := range dim {
		best = max(best, s)
	}
	for _, d := range Dimensions {
		if s := dim[d]; s >= dimThreshold && s >= dimRelative*best {
			l.Dimensions = append(l.Dimensions, d)
		}
	}
	sort.SliceStable(l.Dimensions, func(a, b int) bool { return dim[l.Dimensions[a]] > dim[l.Dimensions[b]] })
	l.RiskScore, l.OppScore = round2(risk), round2(opp)
	hi, lo := max(risk, opp), min(risk, opp)
	switch {
	case hi-lo < polarityThreshold+denied || lo > balanceRatio*hi:
		// A denied risk ("denies default rumours") leaves the item
		// neutral unless other cues clearly outweigh it.
		l.Polarity = Neutral
	case risk > opp:
		l.Polarity = Risk
	default:
		l.Polarity = Opportunity
	}
	if l.Polarity != Risk && l.Severity == SeverityHigh && risk < opp {
		l.Severity = SeverityNormal
	}
}

// eventTitle reports whether the title holds an event frame: the item
// reports a meeting, a fair, an appointment or a draft out for comment.
func (c *Classifier) eventTitle(hits []hit) bool {
	for _, h := range hits {
		if !h.title {
			continue
		}
		for _, e := range c.patterns[h.key].entries {
			if e.kind == kindEvent {
				return true
			}
		}
	}
	return false
}

// substitution are the cues of a replacement; importSide tells whose.
var (
	substitution = map[string]bool{"替代": true, "取代": true, "replace*": true, "replacing": true}
	importWords  = [][]byte{[]byte("进口"), []byte("国外"), []byte("海外"), []byte("外资"), []byte("外国"), []byte("国产"), []byte("自主"),
		[]byte("imports"), []byte("imported"), []byte("foreign"), []byte("domestic"), []byte("home-grown"), []byte("locally made")}
	substID, substZH, substEN = "substitution", "国产替代进口 → 机会", "domestic goods replace imports → opportunity"
)

// importSide reports whether the sentence of cue h speaks of imports or
// domestic goods: the replacement is then domestic goods taking the
// imports' place.
func (c *Classifier) importSide(h hit, text []byte) bool {
	lo, hi := sentenceOf(text, h.start)
	for _, w := range importWords {
		if bytesIndexWord(text[lo:hi], w) >= 0 {
			return true
		}
	}
	return false
}

// recovery are the negators-after that say a disruption is over.
var recovery = map[string]bool{"恢复正常": true, "back to normal": true}

// renewal reports whether a beginning direction renews what was there
// ("延续", "extended"), so that its negation ends it.
func renewal(w []byte) bool {
	for _, r := range []string{"延续", "延长", "续", "extend", "renew", "prolong"} {
		if bytes.HasPrefix(w, []byte(r)) {
			return true
		}
	}
	return false
}

// modifiers finds what modifies cue h: a negator or reverser close before
// it or a reverser close after it, in the same clause; a negator-after close
// after it in the same sentence ("资金链断裂传闻 公司辟谣"); a hedge anywhere in
// its clause.
func (c *Classifier) modifiers(h hit, mods []hit, text []byte) (mod int, hedged bool) {
	return c.modifiersExcept(h, mods, text, false)
}

// modifiersExcept is modifiers, without the recovery negators when
// skipRecovery is set.
func (c *Classifier) modifiersExcept(h hit, mods []hit, text []byte, skipRecovery bool) (mod int, hedged bool) {
	for _, m := range mods {
		if skipRecovery && recovery[c.patterns[m.key].term] {
			continue
		}
		for _, e := range c.patterns[m.key].entries {
			if e.kind == kindReverser && c.negatedReverser(m, mods, text) {
				continue // "问题仍未解决", "has not been lifted": nothing reversed
			}
			c.modifier(e.kind, h, m, text, &mod, &hedged)
		}
	}
	return mod, hedged
}

// reverserNegWindow is how many bytes a negator may stand before a
// reverser it negates ("仍未解决", "未能解除", "has not been resolved").
const reverserNegWindow = 9

// negatedReverser reports whether reverser r is itself negated: a negator
// stands right before it in its clause, so what it would resolve, lift or
// end is still there ("补贴拖欠问题仍未解决" stays a risk).
func (c *Classifier) negatedReverser(r hit, mods []hit, text []byte) bool {
	for _, n := range mods {
		if n.end > r.start || r.start-n.end > reverserNegWindow || hasBreak(text, n.end, r.start, false) {
			continue
		}
		for _, e := range c.patterns[n.key].entries {
			if e.kind == kindNegator {
				return true
			}
		}
	}
	return false
}

// modifier applies modifier match m of the kind to cue h.
func (c *Classifier) modifier(kind int, h, m hit, text []byte, mod *int, hedged *bool) {
	if m.match == h.match {
		return
	}
	{
		switch kind {
		case kindHedge:
			lo, hi := m.end, h.start
			if m.start > h.end {
				lo, hi = h.end, m.start
			}
			if lo <= hi && !hasBreak(text, lo, hi, false) {
				*hedged = true
			}
		case kindNegator:
			// Before the cue, or overlapping its head ("不受" in "不受影响").
			if m.start < h.start && m.end > h.start && m.end < h.end ||
				m.end <= h.start && h.start-m.end <= negWindow && !hasBreak(text, m.end, h.start, false) {
				*mod = modNegated
			}
		case kindReverser:
			if m.end <= h.start && h.start-m.end <= revBefore && !hasBreak(text, m.end, h.start, false) ||
				m.start >= h.end && m.start-h.end <= revAfter && !hasBreak(text, h.end, m.start, false) {
				*mod = modReversed
			}
		case kindNegAfter:
			// After the cue, or starting inside it and reaching past it
			// ("出口许可审批恢复正常": the direction is 恢复).
			if m.start >= h.end && m.start-h.end <= negAfterWindow && !hasBreak(text, h.end, m.start, true) ||
				m.start > h.start && m.start < h.end && m.end > h.end {
				*mod = modNegated
			}
		}
	}
}

// negatedInside reports whether a negator stands between a composite's
// subject and its direction.
func (c *Classifier) negatedInside(cp composite, mods []hit) bool {
	lo, hi := min(cp.subj.end, cp.dirMatch.end), max(cp.subj.start, cp.dirMatch.start)
	for _, m := range mods {
		if m.start >= lo && m.end <= hi {
			for _, e := range c.patterns[m.key].entries {
				if e.kind == kindNegator {
					return true
				}
			}
		}
	}
	return false
}

// hasBreak reports whether text[lo:hi] crosses a clause boundary (or, with
// sentence, a sentence boundary). A full stop ends a sentence only before a
// space or at the end, so "35.3%" does not; a comma between digits does not
// break. A space between Chinese characters (how headlines separate their
// statements) and the English conjunctions as, after, amid, while, because
// and but end a clause.
func hasBreak(text []byte, lo, hi int32, sentence bool) bool {
	for i := lo; i < hi; i++ {
		switch text[i] {
		case ' ':
			if sentence {
				continue
			}
			if i > 0 && i+1 < int32(len(text)) && text[i-1] >= 0x80 && text[i+1] >= 0x80 {
				return true
			}
			for _, w := range conjunctions {
				if i+int32(len(w)) < hi && string(text[i+1:i+1+int32(len(w))]) == w && text[i+1+int32(len(w))] == ' ' {
					return true
				}
			}
		case '.':
			if i+1 >= int32(len(text)) || text[i+1] == ' ' {
				return true
			}
		case '!', '?':
			return true
		case ';', ':':
			if !sentence {
				return true
			}
		case ',':
			if !sentence && !(i > 0 && i+1 < int32(len(text)) && isDigit(text[i-1]) && isDigit(text[i+1])) {
				return true
			}
		case 0xE3: // 。 、 (U+3002, U+3001); full-width ，！？ are ASCII by now
			if i+2 < int32(len(text)) && text[i+1] == 0x80 && (text[i+2] == 0x82 || (!sentence && text[i+2] == 0x81)) {
				return true
			}
		}
	}
	return false
}

// conjunctions end a clause in English text.
var conjunctions = []string{"as", "after", "amid", "while", "because", "but", "although", "though"}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func flip(pol string) string {
	switch pol {
	case Risk:
		return Opportunity
	case Opportunity:
		return Risk
	}
	return pol
}

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }
