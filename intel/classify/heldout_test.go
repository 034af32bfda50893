package classify

import (
	"bufio"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"slices"
	"strings"
	"testing"

	"kedaitong/taxonomy"
)

// TestHeldOut measures the classifier on the held-out split of the corpus
// (items with "split":"test": hand-written news and composed items whose
// phrasings were never used to tune the dictionaries or train the model),
// logs per-field scores, the polarity confusion table and the dimensions'
// false positives and negatives, and fails below the regression floors
// (industries 0.93, dimensions 0.89, polarity 0.88). The targets
// (0.90 each) are reported in BENCHMARKS.md with these figures:
//
//	go test ./intel/classify -run TestHeldOut -v
func TestHeldOut(t *testing.T) {
	c := newClassifier(t)
	var all, hand, composed, rules Measurement
	for _, g := range loadGold(t) {
		if g.Split != "test" {
			continue
		}
		e := Example{Title: g.Title, Summary: g.Summary, Industries: g.Industries, Dimensions: g.Dimensions, Polarity: g.Polarity}
		l := c.Classify(g.Title, g.Summary)
		all.Add(l, e)
		if g.Source == "" {
			hand.Add(l, e)
		} else {
			composed.Add(l, e)
		}
		rules.Add(c.Rules(g.Title, g.Summary), e)
	}
	t.Logf("held out, all       %s", all)
	t.Logf("held out, hand      %s", hand)
	t.Logf("held out, composed  %s", composed)
	t.Logf("held out, rules only %s", rules)
	t.Logf("polarity confusion (rows: wanted, columns: got):\n%s", confusion(all))
	var b strings.Builder
	for _, d := range Dimensions {
		fp := all.DimensionConfusions[d]
		fmt.Fprintf(&b, "  %-13s false positives %3d  false negatives %3d\n", d, fp[0], fp[1])
	}
	t.Logf("dimensions:\n%s", b.String())
	_, _, indF1 := all.Industries.Scores()
	_, _, dimF1 := all.Dimensions.Scores()
	if indF1 < 0.93 || dimF1 < 0.89 || all.PolarityAccuracy() < 0.88 {
		t.Errorf("held-out scores fell below the floors: %s", all)
	}
}

// confusion renders the polarity confusion table of m.
func confusion(m Measurement) string {
	pols := []string{Risk, Opportunity, Neutral}
	var b strings.Builder
	fmt.Fprintf(&b, "  %-12s", "")
	for _, p := range pols {
		fmt.Fprintf(&b, "%12s", p)
	}
	b.WriteString("\n")
	for _, w := range pols {
		fmt.Fprintf(&b, "  %-12s", w)
		for _, g := range pols {
			fmt.Fprintf(&b, "%12d", m.PolarityConfusion[w][g])
		}
		b.WriteString("\n")
	}
	return b.String()
}

// TestSecondLabeller compares the corpus's labels with the second labelling
// pass (testdata/second_pass.jsonl: 300 items drawn at random and labelled
// blind by `go run ./intel/classify/internal/blind`, a program that reads
// only the title and summary and shares no rule with the first labeller or
// the classifier) and logs the agreement, per field as for the classifier.
func TestSecondLabeller(t *testing.T) {
	first := map[string]gold{}
	for _, g := range loadGold(t) {
		first[g.ID] = g
	}
	f, err := os.Open("testdata/second_pass.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var m Measurement
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var s gold
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatal(err)
		}
		g, ok := first[s.ID]
		if !ok {
			t.Fatalf("second pass names %s, not in the corpus", s.ID)
		}
		for _, x := range s.Industries {
			if _, ok := taxonomy.Default().Industry(x); !ok {
				t.Fatalf("%s: unknown industry %q", s.ID, x)
			}
		}
		m.Add(Label{Industries: s.Industries, Dimensions: s.Dimensions, Polarity: s.Polarity},
			Example{Industries: g.Industries, Dimensions: g.Dimensions, Polarity: g.Polarity})
	}
	if m.N < 100 {
		t.Fatalf("second pass has %d items, want at least 100", m.N)
	}
	t.Logf("second labeller against the corpus: %s", m)
	t.Logf("polarity confusion (rows: corpus, columns: second pass):\n%s", confusion(m))
}

// TestBlindLabellerIsBlind keeps the second labeller (internal/blind) blind:
// it imports nothing of this module, and the only corpus fields it decodes
// are the id, the title and the summary.
func TestBlindLabellerIsBlind(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "internal/blind/main.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, im := range f.Imports {
		if p := strings.Trim(im.Path.Value, `"`); p == "kedaitong" || strings.HasPrefix(p, "kedaitong/") {
			t.Errorf("the blind labeller imports %s", p)
		}
	}
	var fields []string
	ast.Inspect(f, func(n ast.Node) bool {
		if ts, ok := n.(*ast.TypeSpec); ok && ts.Name.Name == "item" {
			for _, fl := range ts.Type.(*ast.StructType).Fields.List {
				fields = append(fields, fl.Tag.Value)
			}
		}
		return true
	})
	if want := []string{"`json:\"id\"`", "`json:\"title\"`", "`json:\"summary\"`"}; !slices.Equal(fields, want) {
		t.Errorf("the blind labeller reads %v of a corpus line, want only %v", fields, want)
	}
}
