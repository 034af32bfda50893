package classify

import (
	"fmt"
	"slices"
)

// Measurement is how labels compare with a labelled set: micro-averaged
// precision, recall and F1 for industries and dimensions, and polarity
// accuracy.
type Measurement struct {
	N                   int
	Industries          PRF
	Dimensions          PRF
	PolarityCorrect     int
	PolarityConfusion   map[string]map[string]int // want → got → count
	DimensionConfusions map[string][2]int         // dimension → {false positives, false negatives}
}

// PRF counts set-label agreement.
type PRF struct{ TP, FP, FN int }

// Add counts one item.
func (s *PRF) Add(got, want []string) {
	for _, g := range got {
		if slices.Contains(want, g) {
			s.TP++
		} else {
			s.FP++
		}
	}
	for _, w := range want {
		if !slices.Contains(got, w) {
			s.FN++
		}
	}
}

// Scores returns precision, recall and F1.
func (s PRF) Scores() (p, r, f1 float64) {
	if s.TP+s.FP > 0 {
		p = float64(s.TP) / float64(s.TP+s.FP)
	}
	if s.TP+s.FN > 0 {
		r = float64(s.TP) / float64(s.TP+s.FN)
	}
	if p+r > 0 {
		f1 = 2 * p * r / (p + r)
	}
	return p, r, f1
}

// PolarityAccuracy is the share of items with the right polarity.
func (m Measurement) PolarityAccuracy() float64 {
	if m.N == 0 {
		return 0
	}
	return float64(m.PolarityCorrect) / float64(m.N)
}

func (m Measurement) String() string {
	ip, ir, if1 := m.Industries.Scores()
	dp, dr, df1 := m.Dimensions.Scores()
	return fmt.Sprintf("n=%4d  industries P=%.3f R=%.3f F1=%.3f  dimensions P=%.3f R=%.3f F1=%.3f  polarity acc=%.3f",
		m.N, ip, ir, if1, dp, dr, df1, m.PolarityAccuracy())
}

// Add counts label l against the wanted labels.
func (m *Measurement) Add(l Label, e Example) {
	if m.PolarityConfusion == nil {
		m.PolarityConfusion = map[string]map[string]int{}
		m.DimensionConfusions = map[string][2]int{}
	}
	m.N++
	m.Industries.Add(l.Industries, e.Industries)
	m.Dimensions.Add(l.Dimensions, e.Dimensions)
	if l.Polarity == e.Polarity {
		m.PolarityCorrect++
	}
	if m.PolarityConfusion[e.Polarity] == nil {
		m.PolarityConfusion[e.Polarity] = map[string]int{}
	}
	m.PolarityConfusion[e.Polarity][l.Polarity]++
	for _, d := range Dimensions {
		got, want := slices.Contains(l.Dimensions, d), slices.Contains(e.Dimensions, d)
		c := m.DimensionConfusions[d]
		switch {
		case got && !want:
			c[0]++
		case want && !got:
			c[1]++
		}
		m.DimensionConfusions[d] = c
	}
}

// Measure labels the examples with c and compares.
func Measure(c *Classifier, examples []Example) Measurement {
	var m Measurement
	for _, e := range examples {
		m.Add(c.Classify(e.Title, e.Summary), e)
	}
	return m
}
