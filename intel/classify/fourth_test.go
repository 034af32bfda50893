package classify

import (
	"slices"
	"strings"
	"testing"

	"kedaitong/taxonomy"
)

// lexScores returns the lexicon scores the classifier finds in an item.
func lexScores(c *Classifier, title, summary string) ruleScores {
	var f features
	c.label(title, summary, nil, &f)
	var rs ruleScores
	for k := range nLex {
		rs.lex[k] = float64(f.dense[fLex+k])
	}
	for i := range 16 {
		rs.indLex[i] = float64(f.dense[fIndLex+i])
	}
	return rs
}

// TestLexiconSizes: each dimension lexicon holds a broad list in both
// languages (written from the definitions), and every industry has one.
func TestLexiconSizes(t *testing.T) {
	for k := range lexGood {
		zh, en := len(dedupe(lexicons[k].ZH)), len(dedupe(lexicons[k].EN))
		if zh+en < 150 || zh < 50 || en < 50 {
			t.Errorf("lexicon %s: %d Chinese and %d English terms, want a broad list in both", lexNames[k][0], zh, en)
		}
	}
	c := newClassifier(t)
	for _, ind := range c.tax.Industries {
		if len(industryLexicons[ind.Code]) < 30 {
			t.Errorf("industry %s: %d lexicon terms", ind.Code, len(industryLexicons[ind.Code]))
		}
	}
}

// TestLexiconWorldKnowledge: words that name what an item is about, with
// no cue of the rules, reach the right dimension's lexicon — a strike and a
// customs seizure are the supply chain, receivables and a rights issue
// capital, a quota and a licence regime policy, a price war market, a
// generation change the technical route — and Latin prefixes do not match
// inside other words ("important" is no import, "renewable" no renewal,
// "Biden" no bid, "bank" no ban, "software" not soft, "plant" no plan).
func TestLexiconWorldKnowledge(t *testing.T) {
	c := newClassifier(t)
	dim := func(d string) int { return slices.Index(Dimensions, d) }
	for _, tt := range []struct {
		text string
		lex  int
	}{
		{"Dockworkers' strike leaves cargo stranded", dim("supply-chain")},
		{"海关查扣一批转口货物", dim("supply-chain")},
		{"红海航线绕行 运价上涨", dim("supply-chain")},
		{"公司应收账款大幅增加", dim("capital")},
		{"Company launches rights issue to shore up balance sheet", dim("capital")},
		{"大股东股权质押比例升至八成", dim("capital")},
		{"稀土开采总量控制指标下达", dim("policy")},
		{"New licensing regime for drone exports", dim("policy")},
		{"储能电芯价格战升级", dim("market")},
		{"Rivals gain market share", dim("market")},
		{"新一代架构量产 上一代产品面临淘汰", dim("tech-route")},
		{"Next-generation chips make legacy designs obsolete", dim("tech-route")},
		{"Profits slump as orders are cancelled", lexBad},
		{"订单饱满 业绩超预期", lexGood},
		{"行业论坛在南昌召开", lexFrame},
	} {
		if rs := lexScores(c, tt.text, ""); rs.lex[tt.lex] <= 0 {
			t.Errorf("%q: no word of the %s lexicon found", tt.text, lexNames[tt.lex][0])
		}
	}
	for _, tt := range []struct {
		text string
		lex  int
	}{
		{"An important milestone", dim("supply-chain")},
		{"Renewable energy", lexGood},
		{"Biden speaks", dim("market")},
		{"The bank reports", dim("policy")},
		{"Software update", dim("market")},
		{"Power plant opens", lexFrame},
		{"Regulators investigate the deal", dim("capital")},
	} {
		if rs := lexScores(c, tt.text, ""); rs.lex[tt.lex] > 0 {
			t.Errorf("%q: the %s lexicon matched inside another word", tt.text, lexNames[tt.lex][0])
		}
	}
	// Component vocabulary speaks for its industries.
	ind := func(code string) int {
		return slices.IndexFunc(c.tax.Industries, func(x taxonomy.Industry) bool { return x.Code == code })
	}
	for _, tt := range []struct{ text, industry string }{
		{"钕铁硼磁材企业扩产", "new-materials"},
		{"ArF photoresist passes qualification", "semiconductors"},
		{"湿法隔膜报价下调", "lithium-battery"},
		{"原料药出口下滑", "biomedicine"},
	} {
		if rs := lexScores(c, tt.text, ""); rs.indLex[ind(tt.industry)] <= 0 {
			t.Errorf("%q: no word of the %s industry lexicon found", tt.text, tt.industry)
		}
	}
}

// TestLexiconCuesExplain: a dimension the shipped classifier gives shows the
// lexicon words behind it on the item page (modifier "lexicon", a rule id
// and labels in both languages); the rules alone show none.
func TestLexiconCuesExplain(t *testing.T) {
	c := newClassifier(t)
	title, summary := "某锂电企业应收账款逾期 银行收紧授信", "公司半年报显示，应收账款较年初增加45%，部分银行已下调授信额度。"
	l := c.Classify(title, summary)
	if !slices.Contains(l.Dimensions, "capital") {
		t.Fatalf("dimensions %v, want capital", l.Dimensions)
	}
	found := false
	for _, q := range l.Cues {
		if q.Modifier != "lexicon" {
			continue
		}
		if !strings.HasPrefix(q.RuleID, "lexicon.") || q.Rule == "" || q.RuleZH == "" || len(q.Dimensions) != 1 || q.Polarity != Neutral {
			t.Errorf("lexicon cue %+v: want a rule id, both labels, one dimension, neutral", q)
		}
		if !slices.Contains(l.Dimensions, q.Dimensions[0]) {
			t.Errorf("lexicon cue %q for %s, a dimension not given (%v)", q.Term, q.Dimensions[0], l.Dimensions)
		}
		if q.Dimensions[0] == "capital" {
			found = true
		}
	}
	if !found {
		t.Errorf("no capital lexicon word shown among %+v", l.Cues)
	}
	for _, q := range c.Rules(title, summary).Cues {
		if q.Modifier == "lexicon" {
			t.Errorf("rules alone show lexicon cue %+v", q)
		}
	}
}

// TestModelNamesNoIndustryWithoutKeyword: the model weighs industries but
// never names one no keyword of the item speaks of.
func TestModelNamesNoIndustryWithoutKeyword(t *testing.T) {
	c := newClassifier(t)
	for _, text := range []string{"The team led the market", "Rain forecast for the weekend", "市政府召开常务会议"} {
		if l := c.Classify(text, ""); len(l.Industries) != 0 {
			t.Errorf("%q: industries %v, want none", text, l.Industries)
		}
	}
	for _, g := range loadGold(t) {
		l, r := c.Classify(g.Title, g.Summary), c.Rules(g.Title, g.Summary)
		var f features
		c.label(g.Title, g.Summary, nil, &f)
		for _, code := range l.Industries {
			i := slices.IndexFunc(c.tax.Industries, func(x taxonomy.Industry) bool { return x.Code == code })
			if !slices.Contains(r.Industries, code) && f.dense[fIndScore+i] <= 0 {
				t.Fatalf("%s: industry %s named without a keyword", g.ID, code)
			}
		}
	}
}

// TestDecisionThresholds: the shipped model carries the decision chosen by
// cross-validation, it survives encoding, and decide applies it: a
// dimension needs its threshold (or its keep threshold when the rules chose
// it), one after the most probable also the second bar, and the polarity
// is the largest log-probability plus its bias.
func TestDecisionThresholds(t *testing.T) {
	m, err := parseModel(embeddedModel)
	if err != nil {
		t.Fatal(err)
	}
	d := m.Header.Decision
	if d == nil || len(d.DimThreshold) != len(Dimensions) || len(d.DimKeep) != len(Dimensions) {
		t.Fatalf("shipped model has no decision: %+v", d)
	}
	for i := range Dimensions {
		if d.DimThreshold[i] <= 0 || d.DimThreshold[i] >= 1 || d.DimKeep[i] <= 0 || d.DimKeep[i] > d.DimThreshold[i]+0.5 {
			t.Errorf("%s: thresholds %v / %v", Dimensions[i], d.DimThreshold[i], d.DimKeep[i])
		}
	}
	b, _ := m.MarshalBinary()
	m2, err := parseModel(b)
	if err != nil || m2.Header.Decision == nil || !slices.Equal(m2.Header.Decision.DimThreshold, d.DimThreshold) {
		t.Fatalf("decision lost in encoding: %v", err)
	}

	mm := NewModel(m.Header.Industries)
	mm.Header.Decision = &Decision{IndThreshold: 0.5, IndKeep: 0.25,
		DimThreshold: []float64{0.6, 0.6, 0.3, 0.6, 0.6}, DimKeep: []float64{0.2, 0.2, 0.2, 0.2, 0.2}, SecondDim: 0.5,
		PolarityBias: [3]float64{0, 0, 1}}
	ni := len(m.Header.Industries)
	p := make([]float64, mm.nOut)
	p[0] = 0.9                                // the first industry
	p[ni+2] = 0.35                            // market: over its own threshold (0.3), under the second bar
	p[ni+0] = 0.55                            // tech-route: under 0.6, not chosen by the rules
	p[ni+1] = 0.45                            // policy: the rules chose it, over keep: the first dimension
	p[ni+4] = 0.3                             // capital: the rules chose it, over keep, under the second bar
	p[ni+5], p[ni+6], p[ni+7] = 0.5, 0.2, 0.3 // risk most probable; neutral's bias e^1 wins
	l := Label{Industries: []string{}, Dimensions: []string{"policy", "capital"}, Polarity: Risk}
	mm.decide(&l, p)
	if !slices.Equal(l.Dimensions, []string{"policy"}) {
		t.Errorf("dimensions %v, want [policy]", l.Dimensions)
	}
	if l.Polarity != Neutral {
		t.Errorf("polarity %s, want neutral (bias)", l.Polarity)
	}
	mm.Header.Decision.SecondDim = 0
	l = Label{Industries: []string{}, Dimensions: []string{"policy", "capital"}, Polarity: Risk}
	mm.decide(&l, p)
	if !slices.Equal(l.Dimensions, []string{"policy", "market", "capital"}) {
		t.Errorf("without the second bar: dimensions %v, want [policy market capital]", l.Dimensions)
	}
}

// TestDomainBlock: the domain block learns only from items of the target
// domain (Example.Target): trained on the corpus's own items alone it stays
// zero, so the shipped model's folded weights are the shared ones; one
// target item moves it. A shipped (folded) model scores an item as the
// unfolded one does.
func TestDomainBlock(t *testing.T) {
	c := newClassifier(t).WithModel(nil)
	var ex []Example
	for _, g := range loadGold(t)[:40] {
		ex = append(ex, Example{Title: g.Title, Summary: g.Summary, Industries: g.Industries, Dimensions: g.Dimensions, Polarity: g.Polarity})
	}
	nonzero := func(m *Model) int {
		n := 0
		for _, w := range m.dense[fDomain*m.nOut:] {
			if w != 0 {
				n++
			}
		}
		return n
	}
	m := c.Train(ex, TrainOptions{Epochs: 2, Seed: 1})
	if n := nonzero(m); n != 0 {
		t.Errorf("corpus items alone: %d domain weights moved, want none", n)
	}
	ex[0].Target = true
	m = c.Train(ex, TrainOptions{Epochs: 2, Seed: 1})
	if nonzero(m) == 0 {
		t.Fatal("a target item left the domain block untouched")
	}
	b, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	folded, err := parseModel(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range loadGold(t)[40:60] {
		_, p1 := c.WithModel(m).Probabilities(g.Title, g.Summary)
		var f features
		c.label(g.Title, g.Summary, nil, &f)
		p2 := make([]float64, folded.nOut)
		folded.scores(&f, p2)
		folded.probabilities(p2)
		for i := range p1 {
			if d := p1[i] - p2[i]; d > 1e-3 || d < -1e-3 {
				t.Fatalf("%s: output %d %.4f unfolded, %.4f folded", g.ID, i, p1[i], p2[i])
			}
		}
	}
}
