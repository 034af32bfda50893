// Command train fits the classifier's learned model on the train split of
// the labelled corpus and writes it where package classify embeds it:
//
//	go run ./intel/classify/internal/train   (from the module root)
//
// Items with "split":"test" are never read. The model is deterministic for
// the corpus and the seed.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"os"

	"kedaitong/intel/classify"
	"kedaitong/taxonomy"
)

func hash(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

func main() {
	dir := flag.String("dir", "intel/classify", "the classify package folder")
	epochs := flag.Int("epochs", 30, "passes over the train split")
	dev := flag.Bool("dev", false, "hold out a fifth of the train split (by phrasing), report on it, write nothing")
	l2 := flag.Float64("l2", 0, "L2 penalty on n-gram weights (0: the default)")
	rate := flag.Float64("rate", 0, "learning rate (0: the default)")
	flag.Parse()
	opt := classify.TrainOptions{Epochs: *epochs, Seed: 1, L2Hashed: *l2, Rate: *rate}
	if err := run(*dir, opt, *dev); err != nil {
		fmt.Fprintln(os.Stderr, "train:", err)
		os.Exit(1)
	}
}

func run(dir string, opt classify.TrainOptions, dev bool) error {
	var ex, held []classify.Example
	for _, name := range []string{"labelled.jsonl", "composed.jsonl"} {
		f, err := os.Open(dir + "/testdata/" + name)
		if err != nil {
			return err
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var g struct {
				Split, Title, Summary, Polarity, Source, ID string
				Industries, Dimensions                      []string
			}
			if err := json.Unmarshal(sc.Bytes(), &g); err != nil {
				f.Close()
				return fmt.Errorf("%s: %w", name, err)
			}
			if g.Split != "train" {
				continue
			}
			e := classify.Example{Title: g.Title, Summary: g.Summary, Industries: g.Industries,
				Dimensions: g.Dimensions, Polarity: g.Polarity}
			key := g.Source
			if key == "" {
				key = g.ID
			}
			if dev && hash(key)%5 == 0 {
				held = append(held, e)
				continue
			}
			ex = append(ex, e)
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return err
		}
	}
	c, err := classify.New(taxonomy.Default())
	if err != nil {
		return err
	}
	m := c.Train(ex, opt)
	if dev {
		fmt.Printf("trained on %d, dev %d\n", len(ex), len(held))
		fmt.Println("rules only:", classify.Measure(c.WithModel(nil), held))
		fmt.Println("with model:", classify.Measure(c.WithModel(m), held))
		return nil
	}
	m.Header.Trained = fmt.Sprintf("%d train items of testdata/labelled.jsonl and testdata/composed.jsonl, %d epochs", len(ex), opt.Epochs)
	b, err := m.MarshalBinary()
	if err != nil {
		return err
	}
	if err := os.WriteFile(dir+"/model.bin", b, 0o644); err != nil {
		return err
	}
	fmt.Printf("trained on %d items; wrote %s/model.bin (%d bytes)\n", len(ex), dir, len(b))
	return nil
}
