// Command train fits the classifier's learned model on the train split of
// the labelled corpus and writes it where package classify embeds it:
//
//	go run ./intel/classify/internal/train   (from the module root)
//
// Items with "split":"test" are never read. The model is deterministic for
// the corpus and the seed. Other modes write nothing:
//
//	-cv 5 [-show]          k-fold cross-validation on the train split (folds by phrasing)
//	-dev [-show]           one fifth of the train split held back
//	-eval FILE [-show]     the shipped classifier on a file of labelled items
//	                       (a fresh batch is scored so before anything is tuned on it)
//	-explain "title|summary"  one item's cues and rules, rules alone and with the model
//
// Training and -cv choose the model's decision thresholds (Decision: one
// per dimension, the industries', a bias per polarity) by k-fold
// cross-validation on the hand-written train items (-calibrate k; 0 keeps
// the defaults). The blind batches named in studiedBatches (the blind
// labeller's, testdata/blind/) join the train split as hand-written items;
// later batches are never read here except by -eval.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"kedaitong/intel/classify"
	"kedaitong/taxonomy"
)

var (
	show        bool
	handWeight  *int
	calibrateK  int
	showBlind   bool
	dumpOOF     string
	calPolarity bool
	reconciled  int // train items whose dimensions reconcile changed
	conventions bool
	calTarget   bool
	useFourth   bool
	// fourthTarget: the fourth pass's items (written to the definitions as
	// the studied blind batches read them) count as the target domain.
	fourthTarget bool
	// blindWeight: times a studied blind item counts in training;
	// calBlind: in choosing the decision.
	blindWeight, calBlind int
)

// secondInd and secondDim are the bars for a second industry and a second
// dimension in the shipped decision (see classify.Decision).
var secondInd, secondDim float64

// decision returns the default decision with the bars for second codes.
func decision() *classify.Decision {
	d := classify.DefaultDecision()
	d.SecondInd, d.SecondDim = secondInd, secondDim
	return d
}

// trained fits a model to ex with the decision of the flags.
func trained(c *classify.Classifier, ex []classify.Example, opt classify.TrainOptions) *classify.Classifier {
	m := c.Train(ex, opt)
	m.Header.Decision = decision()
	return c.WithModel(m)
}

// corpusFiles are the corpus's files whose train split trains the model.
var corpusFiles = []string{"labelled.jsonl", "composed.jsonl", "fourth_pass.jsonl"}

// studiedBatches are the blind labeller's batches studied this session
// (scored once first, as they landed): they train the model. Later batches
// stay an honest measurement and are read only by -eval.
var studiedBatches = []string{"b1.jsonl", "b2.jsonl"}

// weighted repeats the hand-written examples -hand times.
func weighted(ex []keyed) []classify.Example {
	var out []classify.Example
	for _, e := range ex {
		n := 1
		if e.hand {
			n = max(1, *handWeight)
		}
		if e.blind {
			n = max(1, blindWeight)
		}
		for range n {
			out = append(out, e.Example)
		}
	}
	return out
}

func hash(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

func same(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

func main() {
	dir := flag.String("dir", "intel/classify", "the classify package folder")
	epochs := flag.Int("epochs", 30, "passes over the train split")
	dev := flag.Bool("dev", false, "hold out a fifth of the train split (by phrasing), report on it, write nothing")
	handWeight = flag.Int("hand", 1, "times each hand-written item (no source) counts in training")
	cv := flag.Int("cv", 0, "k-fold cross-validation on the train split (folds by phrasing): report the pooled scores, write nothing")
	l2 := flag.Float64("l2", 0, "L2 penalty on n-gram weights (0: the default)")
	rate := flag.Float64("rate", 0, "learning rate (0: the default)")
	l2dom := flag.Float64("l2domain", 0, "L2 penalty on the domain block (0: the default)")
	dropRules := flag.Float64("droprules", 0, "chance an example is seen in an epoch without the rule features")
	calibrate := flag.Int("calibrate", 0, "choose the decision thresholds by k-fold cross-validation on the hand-written train items (0: defaults)")
	flag.IntVar(&blindWeight, "blindw", 6, "times each studied blind item counts in training")
	flag.IntVar(&calBlind, "calblind", 1, "times each studied blind item counts in choosing the decision")
	polKeep := flag.Float64("polkeep", 0, "the model probability another polarity needs to overrule the rules' (0: the model always decides)")
	flag.BoolVar(&fourthTarget, "f4target", true, "the fourth pass's items are of the target domain")
	flag.BoolVar(&useFourth, "fourth", true, "train on testdata/fourth_pass.jsonl")
	flag.BoolVar(&calTarget, "caltarget", false, "choose the decision on the target-domain items only (the studied blind batches and the fourth pass)")
	flag.BoolVar(&conventions, "conventions", true, "read the corpus's own train items as the blind labelling guide does (conventions.go)")
	flag.BoolVar(&calPolarity, "calpol", false, "also choose a polarity bias in calibration (nested cross-validation showed no gain)")
	flag.StringVar(&dumpOOF, "dumpoof", "", "with -cv: write the hand-written items' out-of-fold probabilities to this JSON-lines file")
	flag.BoolVar(&showBlind, "showblind", false, "with -cv -show: only the studied blind batches' items")
	flag.BoolVar(&show, "show", false, "with -dev, -cv or -eval: list the items the classifier gets wrong")
	eval := flag.String("eval", "", "score the shipped classifier (rules and embedded model) on a JSON-lines file of labelled items, write nothing: a fresh batch is scored so before anything is tuned on it")
	studied := flag.String("studied", "", "comma-separated blind batches (paths under testdata/blind/) that train the model instead of the default studiedBatches")
	corpus := flag.String("corpus", "", "comma-separated corpus files under testdata/ whose train split trains the model (default: labelled, composed and fourth_pass)")
	flag.Float64Var(&secondInd, "secondind", secondInd, "the probability an industry after the most probable one needs (0: no bar); written in the model's decision")
	flag.Float64Var(&secondDim, "seconddim", secondDim, "the probability a dimension after the most probable one needs (0: no bar)")
	lowoOnly := flag.String("lowoonly", "", "with -lowo: score only these comma-separated writers (others still train)")
	lowo := flag.Bool("lowo", false, "leave one writer out: for each blind writer (testdata/blind/bN.jsonl is one, each folder under it another), train with every other writer's batches and score that writer's; write nothing")
	testFiles := flag.String("test", "", "train as usual, then score the trained model on these comma-separated JSON-lines files and write nothing")
	explain := flag.String("explain", "", `label one item given as "title|summary" with the shipped classifier and print its cues and rules, write nothing`)
	flag.Parse()
	if *explain != "" {
		c, err := classify.New(taxonomy.Default())
		if err != nil {
			fmt.Fprintln(os.Stderr, "train:", err)
			os.Exit(1)
		}
		title, summary, _ := strings.Cut(*explain, "|")
		for _, l := range []classify.Label{c.Rules(title, summary), c.Classify(title, summary)} {
			fmt.Printf("%v %v %s changed %v\n", l.Industries, l.Dimensions, l.Polarity, l.Changed)
			for _, q := range l.Cues {
				fmt.Printf("   %s %v %s %v %s %s\n", q.Term, q.Dimensions, q.Polarity, q.Weight, q.Modifier, q.Rule)
			}
		}
		return
	}
	if *eval != "" {
		if err := evaluate(*eval); err != nil {
			fmt.Fprintln(os.Stderr, "train:", err)
			os.Exit(1)
		}
		return
	}
	if *corpus != "" {
		corpusFiles = strings.Split(*corpus, ",")
	}
	if *studied != "" {
		studiedBatches = strings.Split(*studied, ",")
	}
	opt := classify.TrainOptions{Epochs: *epochs, Seed: 1, L2Hashed: *l2, Rate: *rate, PolarityKeep: *polKeep, DropRules: *dropRules, L2Domain: *l2dom}
	calibrateK = *calibrate
	if *cv > 1 {
		if err := crossValidate(*dir, opt, *cv); err != nil {
			fmt.Fprintln(os.Stderr, "train:", err)
			os.Exit(1)
		}
		return
	}
	if *lowo {
		var only []string
		if *lowoOnly != "" {
			only = strings.Split(*lowoOnly, ",")
		}
		if err := leaveOneWriterOut(*dir, opt, only); err != nil {
			fmt.Fprintln(os.Stderr, "train:", err)
			os.Exit(1)
		}
		return
	}
	if *testFiles != "" {
		if err := trainAndTest(*dir, opt, *testFiles); err != nil {
			fmt.Fprintln(os.Stderr, "train:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(*dir, opt, *dev); err != nil {
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(1)
	}
}

func run(dir string, opt classify.TrainOptions, dev bool) error {
	all, err := loadTrain(dir)
	if err != nil {
		return err
	}
	var tr []keyed
	var held []classify.Example
	for _, e := range all {
		if dev && hash(e.key)%5 == 0 {
			held = append(held, e.Example)
			continue
		}
		tr = append(tr, e)
	}
	ex := weighted(tr)
	c, err := classify.New(taxonomy.Default())
	if err != nil {
		return err
	}
	m := c.Train(ex, opt)
	if dev {
		fmt.Printf("trained on %d, dev %d\n", len(ex), len(held))
		fmt.Println("rules only:", classify.Measure(c.WithModel(nil), held))
		cm := c.WithModel(m)
		fmt.Println("with model:", classify.Measure(cm, held))
		if show {
			for _, e := range held {
				l := cm.Classify(e.Title, e.Summary)
				if !same(l.Industries, e.Industries) || !same(l.Dimensions, e.Dimensions) || l.Polarity != e.Polarity {
					var cues []string
					for _, q := range l.Cues {
						cues = append(cues, fmt.Sprintf("%s/%s/%v%s", q.Term, q.Polarity, q.Weight, q.Modifier))
					}
					fmt.Printf("%s | %s\n   got  %v %v %s %v\n   want %v %v %s\n   cues %v\n", e.Title, e.Summary, l.Industries, l.Dimensions, l.Polarity, l.Changed,
						e.Industries, e.Dimensions, e.Polarity, cues)
				}
			}
		}
		return nil
	}
	// Without -calibrate the decision is the default one, written out so
	// the header says what decides: nested cross-validation showed the
	// calibrated thresholds no better on the studied blind batches
	// (dimensions 0.798 default, 0.767–0.794 calibrated) nor on the
	// hand-written items.
	m.Header.Decision = decision()
	if calibrateK > 1 {
		items, _ := outOfFold(c, tr, opt, calibrateK)
		d := chooseDecision(items, industryCodes())
		round2(d)
		m.Header.Decision = d
		fmt.Printf("decision chosen by %d-fold cross-validation on %d hand-written items: %+v\n", calibrateK, len(items), *d)
	}
	m.Header.Trained = fmt.Sprintf("%d train items of testdata/labelled.jsonl, testdata/composed.jsonl and the studied blind batches %v (hand-written ×%d), %d epochs, rule features dropped %.2f, conventions %v", len(tr), studiedBatches, *handWeight, opt.Epochs, opt.DropRules, conventions)
	b, err := m.MarshalBinary()
	if err != nil {
		return err
	}
	if err := os.WriteFile(dir+"/model.bin", b, 0o644); err != nil {
		return err
	}
	fmt.Printf("trained on %d items (%d examples, %d read by the blind guide's conventions); wrote %s/model.bin (%d bytes)\n", len(tr), len(ex), reconciled, dir, len(b))
	return nil
}

// trainAndTest trains on the train split and the studied batches, then
// scores the trained model (not the shipped one) on each of files and on
// them pooled; nothing is written.
func trainAndTest(dir string, opt classify.TrainOptions, files string) error {
	all, err := loadTrain(dir)
	if err != nil {
		return err
	}
	c, err := classify.New(taxonomy.Default())
	if err != nil {
		return err
	}
	return score(trained(c, weighted(all), opt), files)
}

// writers returns the blind batches under dir/testdata/blind by writer:
// "b" for the first labeller's bN.jsonl, and each folder's name for the
// batches in it (paths relative to testdata/blind, sorted).
func writers(dir string) (map[string][]string, []string, error) {
	root := dir + "/testdata/blind/"
	out := map[string][]string{}
	first, err := filepath.Glob(root + "b*.jsonl")
	if err != nil {
		return nil, nil, err
	}
	for _, f := range first {
		out["b"] = append(out["b"], strings.TrimPrefix(f, root))
	}
	rest, err := filepath.Glob(root + "*/*.jsonl")
	if err != nil {
		return nil, nil, err
	}
	for _, f := range rest {
		rel := strings.TrimPrefix(f, root)
		w, _, _ := strings.Cut(rel, "/")
		out[w] = append(out[w], rel)
	}
	var names []string
	for w, fs := range out {
		slices.Sort(fs)
		names = append(names, w)
	}
	slices.Sort(names)
	return out, names, nil
}

// leaveOneWriterOut scores, for each blind writer, a model trained on the
// corpus and every other writer's batches on that writer's batches: how the
// classifier does on people it has never read.
func leaveOneWriterOut(dir string, opt classify.TrainOptions, only []string) error {
	byWriter, names, err := writers(dir)
	if err != nil {
		return err
	}
	c, err := classify.New(taxonomy.Default())
	if err != nil {
		return err
	}
	var pooled classify.Measurement
	for _, w := range names {
		if only != nil && !slices.Contains(only, w) {
			continue
		}
		studiedBatches = nil
		for _, o := range names {
			if o != w {
				studiedBatches = append(studiedBatches, byWriter[o]...)
			}
		}
		all, err := loadTrain(dir)
		if err != nil {
			return err
		}
		cm := trained(c, weighted(all), opt)
		var m classify.Measurement
		for _, f := range byWriter[w] {
			ex, err := loadFile(dir+"/testdata/blind/"+f, "")
			if err != nil {
				return err
			}
			for _, ke := range ex {
				l := cm.Classify(ke.Title, ke.Summary)
				m.Add(l, ke.Example)
				pooled.Add(l, ke.Example)
				if show {
					report(l, ke.Example, "")
				}
			}
		}
		fmt.Printf("writer %-3s (%d batches), trained without it: %v\n", w, len(byWriter[w]), m)
	}
	fmt.Printf("pooled, each writer unseen:        %v\n", pooled)
	for _, d := range classify.Dimensions {
		fp := pooled.DimensionConfusions[d]
		fmt.Printf("  %-13s false positives %3d  false negatives %3d\n", d, fp[0], fp[1])
	}
	fmt.Println("polarity confusion, pooled (rows: label, columns: classifier: risk, opportunity, neutral):")
	for _, w := range []string{classify.Risk, classify.Opportunity, classify.Neutral} {
		fmt.Printf("  %-12s %4d %4d %4d\n", w, pooled.PolarityConfusion[w][classify.Risk], pooled.PolarityConfusion[w][classify.Opportunity], pooled.PolarityConfusion[w][classify.Neutral])
	}
	return nil
}

// evaluate scores the shipped classifier on the labelled items of each
// file (comma-separated), and, for several, on all of them pooled, with the
// polarity confusion.
func evaluate(files string) error {
	c, err := classify.New(taxonomy.Default())
	if err != nil {
		return err
	}
	return score(c, files)
}

// score measures c, and the rules alone, on each of files and pooled.
func score(c *classify.Classifier, files string) error {
	var pm, pr classify.Measurement
	names := strings.Split(files, ",")
	for _, file := range names {
		ex, err := loadFile(file, "")
		if err != nil {
			return err
		}
		var mm, mr classify.Measurement
		for _, ke := range ex {
			e := ke.Example
			r := c.Rules(e.Title, e.Summary)
			mr.Add(r, e)
			pr.Add(r, e)
			l := c.Classify(e.Title, e.Summary)
			mm.Add(l, e)
			pm.Add(l, e)
			if show {
				report(l, e, "")
			}
		}
		fmt.Printf("%s: %d items\n", file, len(ex))
		fmt.Println("rules only:", mr)
		fmt.Println("shipped:   ", mm)
		for _, d := range classify.Dimensions {
			fp := mm.DimensionConfusions[d]
			fmt.Printf("  %-13s false positives %3d  false negatives %3d\n", d, fp[0], fp[1])
		}
	}
	if len(names) > 1 {
		fmt.Printf("pooled, %d files\n", len(names))
		fmt.Println("rules only:", pr)
		fmt.Println("shipped:   ", pm)
		for _, d := range classify.Dimensions {
			fp := pm.DimensionConfusions[d]
			fmt.Printf("  %-13s false positives %3d  false negatives %3d\n", d, fp[0], fp[1])
		}
		fmt.Println("polarity confusion, pooled (rows: label, columns: classifier: risk, opportunity, neutral):")
		for _, w := range []string{classify.Risk, classify.Opportunity, classify.Neutral} {
			fmt.Printf("  %-12s %4d %4d %4d\n", w, pm.PolarityConfusion[w][classify.Risk], pm.PolarityConfusion[w][classify.Opportunity], pm.PolarityConfusion[w][classify.Neutral])
		}
	}
	return nil
}

// report prints l when it differs from e.
func report(l classify.Label, e classify.Example, rules string) {
	if same(l.Industries, e.Industries) && same(l.Dimensions, e.Dimensions) && l.Polarity == e.Polarity {
		return
	}
	var cues []string
	for _, q := range l.Cues {
		cues = append(cues, fmt.Sprintf("%s/%s/%v%s", q.Term, q.Polarity, q.Weight, q.Modifier))
	}
	if rules != "" {
		rules = " (rules " + rules + ")"
	}
	fmt.Printf("%s | %s\n   got  %v %v %s%s %v\n   want %v %v %s\n   cues %v\n", e.Title, e.Summary, l.Industries, l.Dimensions, l.Polarity, rules, l.Changed,
		e.Industries, e.Dimensions, e.Polarity, cues)
}

// keyed is a train-split example with its phrasing key (the fold unit).
type keyed struct {
	classify.Example
	key   string
	hand  bool // hand-written (labelled.jsonl), not composed
	blind bool // from a studied blind batch
}

// loadTrain reads the train split of the corpus; the test split is never read.
func loadTrain(dir string) ([]keyed, error) {
	var out []keyed
	for _, name := range corpusFiles {
		ex, err := loadFile(dir+"/testdata/"+name, "train")
		if err != nil {
			return nil, err
		}
		if name == "fourth_pass.jsonl" && !useFourth {
			continue
		}
		if name == "fourth_pass.jsonl" && fourthTarget {
			for i := range ex {
				ex[i].Target = true
			}
		}
		out = append(out, ex...)
	}
	for _, name := range studiedBatches {
		ex, err := loadFile(dir+"/testdata/blind/"+name, "blind")
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for i := range ex {
			ex[i].blind = true
			ex[i].Target = true
		}
		out = append(out, ex...)
	}
	if conventions {
		reconciled = reconcile(out)
	}
	return out, nil
}

// loadFile reads the labelled items of a JSON-lines file, only those of
// split when it is given.
func loadFile(name, split string) ([]keyed, error) {
	var out []keyed
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var g struct {
			Split, Title, Summary, Polarity, Source, ID string
			Industries, Dimensions                      []string
		}
		if err := json.Unmarshal(sc.Bytes(), &g); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if split != "" && g.Split != split {
			continue
		}
		key := g.Source
		if key == "" {
			key = g.ID
		}
		out = append(out, keyed{classify.Example{Title: g.Title, Summary: g.Summary, Industries: g.Industries,
			Dimensions: g.Dimensions, Polarity: g.Polarity}, key, g.Source == "", false})
	}
	return out, sc.Err()
}

// crossValidate trains k models, each without one fold of phrasings, and
// reports the pooled scores on the left-out folds (rules alone and with the
// model); with -show, the items the model gets wrong.
func crossValidate(dir string, opt classify.TrainOptions, k int) error {
	all, err := loadTrain(dir)
	if err != nil {
		return err
	}
	c, err := classify.New(taxonomy.Default())
	if err != nil {
		return err
	}
	rules := c.WithModel(nil)
	var mr, mm, mh classify.Measurement
	var oof []oofItem
	var cm *classify.Classifier
	for fold := range k {
		var tr []keyed
		var te []keyed
		for _, e := range all {
			if int(hash(e.key)%uint32(k)) == fold {
				te = append(te, e)
			} else {
				tr = append(tr, e)
			}
		}
		cm = c.WithModel(c.Train(weighted(tr), opt))
		for _, ke := range te {
			e := ke.Example
			if ke.hand {
				mh.Add(cm.Classify(e.Title, e.Summary), e)
				l, p := cm.Probabilities(e.Title, e.Summary)
				oof = append(oof, oofItem{l, p, e, fold, ke.blind})
			}
			r := rules.Classify(e.Title, e.Summary)
			mr.Add(r, e)
			l := cm.Classify(e.Title, e.Summary)
			mm.Add(l, e)
			if show && (!showBlind || ke.blind) {
				report(l, e, r.Polarity)
			}
		}
	}
	fmt.Printf("%d-fold cross-validation on %d train items\n", k, len(all))
	fmt.Println("rules only:", mr)
	fmt.Println("with model:", mm)
	fmt.Println("hand-written:", mh)
	for _, d := range classify.Dimensions {
		fp, hp := mm.DimensionConfusions[d], mh.DimensionConfusions[d]
		fmt.Printf("  %-13s false positives %3d  false negatives %3d  (hand-written %3d / %3d)\n", d, fp[0], fp[1], hp[0], hp[1])
	}
	fmt.Println("polarity confusion, all (rows: label, columns: classifier: risk, opportunity, neutral):")
	for _, w := range []string{classify.Risk, classify.Opportunity, classify.Neutral} {
		fmt.Printf("  %-12s %4d %4d %4d\n", w, mm.PolarityConfusion[w][classify.Risk], mm.PolarityConfusion[w][classify.Opportunity], mm.PolarityConfusion[w][classify.Neutral])
	}
	nestedReport(cm, oof, k)
	if dumpOOF != "" {
		f, err := os.Create(dumpOOF)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(f)
		for _, it := range oof {
			enc.Encode(map[string]any{"title": it.e.Title, "want_ind": it.e.Industries, "want_dim": it.e.Dimensions, "want_pol": it.e.Polarity,
				"rule_ind": it.rules.Industries, "rule_dim": it.rules.Dimensions, "rule_pol": it.rules.Polarity, "p": it.p, "blind": it.blind, "fold": it.fold})
		}
		f.Close()
	}
	return nil
}
