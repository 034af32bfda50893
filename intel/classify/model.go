package classify

import (
	"bytes"
	_ "embed"
	"encoding/binary"
	"encoding/json"
	"math"
	"slices"
	"sort"
	"unicode/utf8"

	"kedaitong"
)

// The learned component: a linear model (logistic regression, one output
// per industry and dimension, a softmax over the three polarities) on hashed
// character n-grams of the text (Chinese characters and their pairs, Latin
// words and their pairs, numbers folded to 0, the title apart from the
// summary) and on the rule layer's decisions and scores. It is trained
// offline by `go run ./intel/classify/internal/train` on the corpus's train
// split and shipped in the binary (model.bin); nothing is fetched at run
// time. It decides the final labels; the rules' cues and what the model
// changed are kept in the label, so the item page can show why.

//go:embed model.bin
var embeddedModel []byte

const (
	hashBits  = 15
	nBuckets  = 1 << hashBits
	modelMark = "KDTM1\n"
)

// dense feature layout: rule decisions and scores.
const (
	fIndChosen = 0
	fIndScore  = fIndChosen + 16
	fDimChosen = fIndScore + 16
	fDimScore  = fDimChosen + 5
	fPolarity  = fDimScore + 5
	fRisk      = fPolarity + 3
	fOpp       = fRisk + 1
	fNegated   = fOpp + 1
	fComposed  = fNegated + 1
	fLex       = fComposed + 1 // lexicon classes (lexicon.go)
	fIndLex    = fLex + nLex   // industry lexicons
	fBias      = fIndLex + 16
	// The domain block: a copy of the rule and lexicon features and the
	// bias (fIndChosen … fBias) that is on for news labelled by people
	// other than the corpus's writers (the studied blind batches) and for
	// every item the shipped classifier meets, off for the corpus's own
	// items in training. The model learns there how other people's
	// labelling differs from the corpus's (fewer second dimensions, an
	// approval not a policy change) while the shared block keeps what both
	// agree on ("frustratingly easy domain adaptation", Daumé 2007).
	fDomain = fBias + 1
	nDense  = fDomain + fBias + 1
)

// keepRuleProb is the model probability below which a code the rules chose
// is dropped.
var keepRuleProb = 0.25

// polarities in model output order.
var polarities = []string{Risk, Opportunity, Neutral}

// modelHeader is the JSON line after modelMark in model.bin.
type modelHeader struct {
	Industries []string `json:"industries"`
	Dimensions []string `json:"dimensions"`
	Buckets    int      `json:"buckets"`
	Dense      int      `json:"dense"`
	Trained    string   `json:"trained"` // what it was trained on
	// PolarityKeep: the rules' polarity stands unless the model gives
	// another one at least this probability (chosen by cross-validation).
	PolarityKeep float64 `json:"polarity_keep,omitempty"`
	// Decision holds the thresholds chosen by cross-validation (nil: the
	// defaults, 0.5 and keepRuleProb, no polarity bias).
	Decision *Decision `json:"decision,omitempty"`
}

// Decision turns the model's probabilities into labels. Each threshold was
// chosen by cross-validation on the train split's hand-written items (the
// news the classifier meets is written by people, not rendered from
// phrasings): a code needs probability Threshold, or Keep when the rules
// chose it; the polarity is the one with the largest log-probability plus
// its bias.
type Decision struct {
	IndThreshold float64    `json:"ind_threshold"`
	IndKeep      float64    `json:"ind_keep"`
	DimThreshold []float64  `json:"dim_threshold"` // per dimension, in Dimensions order
	DimKeep      []float64  `json:"dim_keep"`
	PolarityBias [3]float64 `json:"polarity_bias"` // risk, opportunity, neutral
	// A code after the most probable one also needs this probability
	// (most items speak of one industry and one dimension); 0: no bar.
	SecondInd float64 `json:"second_ind,omitempty"`
	SecondDim float64 `json:"second_dim,omitempty"`
}

// DefaultDecision is the decision without calibration.
func DefaultDecision() *Decision {
	d := &Decision{IndThreshold: 0.5, IndKeep: keepRuleProb}
	for range Dimensions {
		d.DimThreshold = append(d.DimThreshold, 0.5)
		d.DimKeep = append(d.DimKeep, keepRuleProb)
	}
	return d
}

// decision returns the model's decision thresholds.
func (m *Model) decision() *Decision {
	if d := m.Header.Decision; d != nil && len(d.DimThreshold) == len(Dimensions) && len(d.DimKeep) == len(Dimensions) {
		return d
	}
	return DefaultDecision()
}

// Model holds the learned weights. Output o of feature f is at f*nOut+o.
type Model struct {
	Header modelHeader
	nOut   int
	hashed []float32 // nBuckets × nOut
	dense  []float32 // nDense × nOut
	// nUse is how many dense features scores reads: a shipped model has
	// its domain block folded into the shared one (every item it meets is
	// of the target domain), so it reads only up to fDomain.
	nUse int
}

// NewModel returns a zero model for the industries and dimensions.
func NewModel(industries []string) *Model {
	m := &Model{Header: modelHeader{Industries: industries, Dimensions: Dimensions, Buckets: nBuckets, Dense: nDense}}
	m.nOut = len(industries) + len(Dimensions) + len(polarities)
	m.hashed = make([]float32, nBuckets*m.nOut)
	m.dense = make([]float32, nDense*m.nOut)
	m.nUse = nDense
	return m
}

// fold adds the domain block's weights to the shared ones: for an item of
// the target domain the scores are the same, at half the dense work.
func (m *Model) fold() {
	for fi := 0; fi <= fBias; fi++ {
		for o := range m.nOut {
			m.dense[fi*m.nOut+o] += m.dense[(fDomain+fi)*m.nOut+o]
			m.dense[(fDomain+fi)*m.nOut+o] = 0
		}
	}
	m.nUse = fDomain
}

// MarshalBinary encodes the model: the mark, a JSON header line, then one
// float32 scale per output, the hashed weights as int16 (scaled) and the
// dense weights as float32, little-endian.
func (m *Model) MarshalBinary() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(modelMark)
	h, err := json.Marshal(m.Header)
	if err != nil {
		return nil, err
	}
	b.Write(h)
	b.WriteByte('\n')
	scale := make([]float32, m.nOut)
	for i, w := range m.hashed {
		o := i % m.nOut
		scale[o] = max(scale[o], float32(math.Abs(float64(w))))
	}
	for o := range scale {
		if scale[o] == 0 {
			scale[o] = 1
		}
		scale[o] /= 32767
	}
	binary.Write(&b, binary.LittleEndian, scale)
	q := make([]int16, len(m.hashed))
	for i, w := range m.hashed {
		q[i] = int16(math.Round(float64(w / scale[i%m.nOut])))
	}
	binary.Write(&b, binary.LittleEndian, q)
	binary.Write(&b, binary.LittleEndian, m.dense)
	return b.Bytes(), nil
}

// parseModel decodes what MarshalBinary wrote.
func parseModel(data []byte) (*Model, error) {
	bad := func(what string) error {
		return kedaitong.Errorf(kedaitong.EInvalid, "classify: model: %s", what).ZHf("分类模型文件损坏：%s", what)
	}
	rest, ok := bytes.CutPrefix(data, []byte(modelMark))
	if !ok {
		return nil, bad("no mark")
	}
	line, rest, ok := bytes.Cut(rest, []byte("\n"))
	if !ok {
		return nil, bad("no header")
	}
	var h modelHeader
	if err := json.Unmarshal(line, &h); err != nil {
		return nil, bad("bad header")
	}
	if h.Buckets != nBuckets || h.Dense != nDense || !slices.Equal(h.Dimensions, Dimensions) {
		return nil, bad("shape differs from this build")
	}
	m := NewModel(h.Industries)
	m.Header = h
	// Decoded by hand, straight into the weights (start-up cost).
	need := 4*m.nOut + 2*len(m.hashed) + 4*len(m.dense)
	if len(rest) < need {
		return nil, bad("truncated")
	}
	if len(rest) > need {
		return nil, bad("trailing bytes")
	}
	le := binary.LittleEndian
	scale := make([]float32, m.nOut)
	for i := range scale {
		scale[i] = math.Float32frombits(le.Uint32(rest[4*i:]))
	}
	rest = rest[4*m.nOut:]
	for i := range m.hashed {
		m.hashed[i] = float32(int16(le.Uint16(rest[2*i:]))) * scale[i%m.nOut]
	}
	rest = rest[2*len(m.hashed):]
	for i := range m.dense {
		m.dense[i] = math.Float32frombits(le.Uint32(rest[4*i:]))
	}
	m.fold()
	return m, nil
}

// features are one item's model inputs: hashed buckets (each with value
// hashValue) and the dense vector.
type features struct {
	buckets   []uint32
	hashValue float32
	dense     [nDense]float32
}

func fnv(seed uint32, parts ...[]byte) uint32 {
	h := uint32(2166136261) ^ seed*16777619
	for pi, p := range parts {
		if pi > 0 {
			h = (h ^ ' ') * 16777619
		}
		for _, c := range p {
			h = (h ^ uint32(c)) * 16777619
		}
	}
	return h
}

// ngrams appends the hashed n-grams of normalised text: Chinese characters
// and adjacent pairs, Latin words and adjacent pairs (numbers folded to
// "0"), seeded by region.
func ngrams(dst []uint32, text []byte, seed uint32) []uint32 {
	var prev []byte // previous token, when adjacent
	zero := []byte("0")
	for i := 0; i < len(text); {
		c := text[i]
		switch {
		case c >= utf8.RuneSelf:
			_, size := utf8.DecodeRune(text[i:])
			tok := text[i : i+size]
			i += size
			if size < 3 { // Latin-1 letters and such: skip
				prev = nil
				continue
			}
			if tok[0] == 0xE3 && tok[1] == 0x80 { // CJK punctuation
				prev = nil
				continue
			}
			dst = append(dst, fnv(seed, tok)&(nBuckets-1))
			if prev != nil && prev[0] >= utf8.RuneSelf {
				dst = append(dst, fnv(seed+1, prev, tok)&(nBuckets-1))
			}
			prev = tok
		case isWordByte(c):
			j := i
			for j < len(text) && (isWordByte(text[j]) || text[j] == '\'' || text[j] == '-' && j+1 < len(text) && isWordByte(text[j+1])) {
				j++
			}
			tok := text[i:j]
			if isDigit(c) {
				tok = zero
			}
			i = j
			dst = append(dst, fnv(seed+2, tok)&(nBuckets-1))
			if prev != nil && prev[0] < utf8.RuneSelf {
				dst = append(dst, fnv(seed+3, prev, tok)&(nBuckets-1))
			}
			prev = tok
		case c == ' ':
			i++
		default:
			i++
			prev = nil
		}
	}
	return dst
}

// ruleScores are the rule layer's scores behind a label.
type ruleScores struct {
	ind      []float64 // per industry
	dim      map[string]float64
	negated  int
	composed int
	event    bool // the title is an event frame (eventTitle)
	lex      [nLex]float64
	indLex   [16]float64
}

// extract builds the features of normalised text (the title ends at
// titleEnd) and the rule label l.
func (c *Classifier) extract(f *features, text []byte, titleEnd int, l *Label, rs *ruleScores) {
	f.buckets = ngrams(f.buckets[:0], text[:titleEnd], 1)
	f.buckets = ngrams(f.buckets, text[titleEnd:], 11)
	f.hashValue = 0
	if n := len(f.buckets); n > 0 {
		f.hashValue = float32(1 / math.Sqrt(float64(n)))
	}
	f.dense = [nDense]float32{}
	best := 0.0
	for _, s := range rs.ind {
		best = max(best, s)
	}
	for i, ind := range c.tax.Industries {
		if i >= 16 {
			break
		}
		if slices.Contains(l.Industries, ind.Code) {
			f.dense[fIndChosen+i] = 1
		}
		if best > 0 && rs.ind[i] > 0 {
			f.dense[fIndScore+i] = float32(rs.ind[i] / best)
		}
	}
	for i, d := range Dimensions {
		if slices.Contains(l.Dimensions, d) {
			f.dense[fDimChosen+i] = 1
		}
		f.dense[fDimScore+i] = float32(min(rs.dim[d]/10, 1))
	}
	f.dense[fPolarity+slices.Index(polarities, l.Polarity)] = 1
	f.dense[fRisk] = float32(min(l.RiskScore/10, 1))
	f.dense[fOpp] = float32(min(l.OppScore/10, 1))
	f.dense[fNegated] = float32(min(rs.negated, 3)) / 3
	f.dense[fComposed] = float32(min(rs.composed, 3)) / 3
	for i, w := range rs.lex {
		f.dense[fLex+i] = float32(1 - math.Exp(-w/lexScale))
	}
	for i, w := range rs.indLex {
		f.dense[fIndLex+i] = float32(1 - math.Exp(-w/lexScale))
	}
	f.dense[fBias] = 1
	copy(f.dense[fDomain:], f.dense[:fBias+1])
}

// scores returns the model's raw outputs for f into z (len nOut).
func (m *Model) scores(f *features, z []float64) {
	for o := range z {
		z[o] = 0
	}
	for _, b := range f.buckets {
		w := m.hashed[int(b)*m.nOut : int(b+1)*m.nOut]
		for o := range z {
			z[o] += float64(w[o] * f.hashValue)
		}
	}
	for fi, v := range f.dense[:m.nUse] {
		if v == 0 {
			continue
		}
		w := m.dense[fi*m.nOut : (fi+1)*m.nOut]
		for o := range z {
			z[o] += float64(w[o] * v)
		}
	}
}

// probabilities turns raw outputs into probabilities in place: sigmoids for
// industries and dimensions, a softmax over the polarities.
func (m *Model) probabilities(z []float64) {
	np := len(polarities)
	for o := 0; o < m.nOut-np; o++ {
		z[o] = 1 / (1 + math.Exp(-z[o]))
	}
	p := z[m.nOut-np:]
	mx := slices.Max(p)
	sum := 0.0
	for i := range p {
		p[i] = math.Exp(p[i] - mx)
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
}

// DecidePolarity returns the index (in risk, opportunity, neutral order) of
// the polarity whose log-probability plus bias is largest.
func DecidePolarity(p []float64, bias [3]float64) int {
	best, bv := 0, math.Inf(-1)
	for i := range 3 {
		if v := math.Log(max(p[i], 1e-12)) + bias[i]; v > bv {
			best, bv = i, v
		}
	}
	return best
}

// decide replaces l's industries, dimensions and polarity with the model's,
// noting in l.Changed what differs from the rules.
func (m *Model) decide(l *Label, p []float64) {
	ni, nd := len(m.Header.Industries), len(m.Header.Dimensions)
	// A code the rules chose stays unless the model is fairly sure it is
	// wrong; one they did not choose needs the model's majority.
	dc := m.decision()
	pick := func(codes []string, probs []float64, rules []string, thr, keep func(i int) float64, second float64) []string {
		var out []string
		order := make([]int, len(codes))
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(a, b int) bool { return probs[order[a]] > probs[order[b]] })
		for _, i := range order {
			if (probs[i] >= thr(i) || slices.Contains(rules, codes[i]) && probs[i] >= keep(i)) && (len(out) == 0 || probs[i] >= second) {
				out = append(out, codes[i])
			}
		}
		if out == nil {
			out = []string{}
		}
		return out
	}
	ind := pick(m.Header.Industries, p[:ni], l.Industries,
		func(int) float64 { return dc.IndThreshold }, func(int) float64 { return dc.IndKeep }, dc.SecondInd)
	dim := pick(m.Header.Dimensions, p[ni:ni+nd], l.Dimensions,
		func(i int) float64 { return dc.DimThreshold[i] }, func(i int) float64 { return dc.DimKeep[i] }, dc.SecondDim)
	pp := p[ni+nd:]
	pol := polarities[DecidePolarity(pp, dc.PolarityBias)]
	if pol != l.Polarity && pp[slices.Index(polarities, pol)] < m.Header.PolarityKeep {
		pol = l.Polarity
	}
	l.Scores = map[string]float64{}
	for i, c := range m.Header.Industries {
		if slices.Contains(ind, c) {
			l.Scores[c] = round2(p[i])
		}
	}
	for i, d := range m.Header.Dimensions {
		if slices.Contains(dim, d) {
			l.Scores[d] = round2(p[ni+i])
		}
	}
	l.Scores[pol] = round2(pp[slices.Index(polarities, pol)])
	l.Changed = []string{}
	for _, c := range ind {
		if !slices.Contains(l.Industries, c) {
			l.Changed = append(l.Changed, "+"+c)
		}
	}
	for _, c := range l.Industries {
		if !slices.Contains(ind, c) {
			l.Changed = append(l.Changed, "-"+c)
		}
	}
	for _, d := range dim {
		if !slices.Contains(l.Dimensions, d) {
			l.Changed = append(l.Changed, "+"+d)
		}
	}
	for _, d := range l.Dimensions {
		if !slices.Contains(dim, d) {
			l.Changed = append(l.Changed, "-"+d)
		}
	}
	if pol != l.Polarity {
		l.Changed = append(l.Changed, l.Polarity+"→"+pol)
	}
	l.Industries, l.Dimensions, l.Polarity = ind, dim, pol
	if l.Polarity != Risk {
		l.Severity = SeverityNormal
	}
}

// Probabilities returns the rules' label of an item and the model's
// probabilities (industries in the model's order, then Dimensions, then
// risk, opportunity, neutral); nil without a model. The train command
// chooses the Decision from them.
func (c *Classifier) Probabilities(title, summary string) (Label, []float64) {
	if c.model == nil {
		return c.Rules(title, summary), nil
	}
	var f features
	l := c.label(title, summary, nil, &f)
	z := make([]float64, c.model.nOut)
	c.model.scores(&f, z)
	c.model.probabilities(z)
	return l, z
}

// Decide applies the model's decision d (nil: its own) to the rules'
// label l and the probabilities p of Probabilities.
func (c *Classifier) Decide(l Label, p []float64, d *Decision) Label {
	if c.model == nil || p == nil {
		return l
	}
	m := *c.model
	if d != nil {
		m.Header.Decision = d
	}
	l.Industries, l.Dimensions = slices.Clone(l.Industries), slices.Clone(l.Dimensions)
	ruled := slices.Clone(l.Industries)
	m.decide(&l, p)
	if len(l.Industries) == 0 && len(ruled) > 0 {
		l.Industries = ruled
	}
	return l
}
