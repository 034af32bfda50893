package classify

import (
	"math"
	"math/rand/v2"
	"slices"
)

// Example is one labelled item to train the model on.
type Example struct {
	Title, Summary string
	Industries     []string
	Dimensions     []string
	Polarity       string
	// Target marks an item labelled by people other than the corpus's
	// writers: its domain features are on in training (see fDomain).
	Target bool
}

// TrainOptions tune Train.
type TrainOptions struct {
	Epochs   int     // passes over the examples (default 30)
	Rate     float64 // AdaGrad learning rate (default 0.3)
	L2Hashed float64 // L2 penalty on n-gram weights (default 3e-2)
	L2Dense  float64 // L2 penalty on rule-feature weights (default 1e-6)
	L2Domain float64 // L2 penalty on the domain block's weights (default 0.03)
	Seed     uint64
	// PolarityKeep is the model probability another polarity needs to
	// overrule the rules' (0: the model always decides).
	PolarityKeep float64
	// DropRules is the chance that an example is seen, in an epoch,
	// without the rule layer's decisions and scores (its text, lexicon and
	// bias features only): the model then learns what the words and the
	// lexicons say where the rules are silent, instead of leaning on rules
	// that were written for the train split (0: never).
	DropRules float64
}

// Train fits a model to the examples on top of c's rules (c's own model, if
// any, plays no part). Training is deterministic for a seed.
func (c *Classifier) Train(examples []Example, o TrainOptions) *Model {
	if o.Epochs == 0 {
		o.Epochs = 30
	}
	if o.Rate == 0 {
		o.Rate = 0.3
	}
	if o.L2Hashed == 0 {
		o.L2Hashed = 3e-2
	}
	if o.L2Domain == 0 {
		o.L2Domain = 0.03
	}
	if o.L2Dense == 0 {
		o.L2Dense = 1e-6
	}
	codes := make([]string, len(c.tax.Industries))
	for i, ind := range c.tax.Industries {
		codes[i] = ind.Code
	}
	m := NewModel(codes)
	m.Header.PolarityKeep = o.PolarityKeep
	ni, nd := len(codes), len(Dimensions)
	feats := make([]features, len(examples))
	ys := make([][]float64, len(examples))
	for i, e := range examples {
		c.label(e.Title, e.Summary, nil, &feats[i])
		feats[i].buckets = slices.Clone(feats[i].buckets)
		if !e.Target {
			clear(feats[i].dense[fDomain:])
		}
		y := make([]float64, m.nOut)
		for j, code := range codes {
			if slices.Contains(e.Industries, code) {
				y[j] = 1
			}
		}
		for j, d := range Dimensions {
			if slices.Contains(e.Dimensions, d) {
				y[ni+j] = 1
			}
		}
		if k := slices.Index(polarities, e.Polarity); k >= 0 {
			y[ni+nd+k] = 1
		}
		ys[i] = y
	}
	gh := make([]float32, len(m.hashed))
	gd := make([]float32, len(m.dense))
	rng := rand.New(rand.NewPCG(o.Seed, 20))
	order := make([]int, len(examples))
	for i := range order {
		order[i] = i
	}
	z := make([]float64, m.nOut)
	g := make([]float64, m.nOut)
	var dropped features
	for range o.Epochs {
		rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
		for _, i := range order {
			f := &feats[i]
			if o.DropRules > 0 && rng.Float64() < o.DropRules {
				dropped = *f
				clear(dropped.dense[:fLex])
				clear(dropped.dense[fDomain : fDomain+fLex])
				f = &dropped
			}
			m.scores(f, z)
			m.probabilities(z)
			for k := range g {
				g[k] = z[k] - ys[i][k]
			}
			update := func(w, acc []float32, x float64, l2 float64) {
				for k := range w {
					gr := g[k]*x + l2*float64(w[k])
					acc[k] += float32(gr * gr)
					w[k] -= float32(o.Rate * gr / math.Sqrt(float64(acc[k])+1e-8))
				}
			}
			for _, b := range f.buckets {
				lo, hi := int(b)*m.nOut, int(b+1)*m.nOut
				update(m.hashed[lo:hi], gh[lo:hi], float64(f.hashValue), o.L2Hashed)
			}
			for fi, v := range f.dense {
				if v != 0 {
					lo, hi := fi*m.nOut, (fi+1)*m.nOut
					l2 := o.L2Dense
					if fi >= fDomain {
						l2 = o.L2Domain
					}
					update(m.dense[lo:hi], gd[lo:hi], float64(v), l2)
				}
			}
		}
	}
	return m
}
