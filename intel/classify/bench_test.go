package classify

import "testing"

// BenchmarkClassify measures throughput over the labelled set's titles and
// summaries (MB/s of input text): go test -bench Classify -run ^$ ./intel/classify/
func BenchmarkClassify(b *testing.B) {
	c := newClassifier(b)
	items := loadGold(b)
	size := 0
	for _, g := range items {
		size += len(g.Title) + len(g.Summary)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, g := range items {
			c.Classify(g.Title, g.Summary)
		}
	}
}

// BenchmarkClassifyParallel is BenchmarkClassify on all cores.
func BenchmarkClassifyParallel(b *testing.B) {
	c := newClassifier(b)
	items := loadGold(b)
	size := 0
	for _, g := range items {
		size += len(g.Title) + len(g.Summary)
	}
	b.SetBytes(int64(size))
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			for _, g := range items {
				c.Classify(g.Title, g.Summary)
			}
		}
	})
}

// BenchmarkNew measures start-up: building the classifier with its
// dictionaries, automaton and embedded model.
func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		newClassifier(b)
	}
}

// BenchmarkParseModel measures decoding the embedded model alone.
func BenchmarkParseModel(b *testing.B) {
	for b.Loop() {
		if _, err := parseModel(embeddedModel); err != nil {
			b.Fatal(err)
		}
	}
}
