package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// benchDoc is a loan-application-shaped document.
type benchDoc struct {
	Owner  string `json:"owner"`
	TS     int64  `json:"ts"`
	Status string `json:"status"`
	Title  string `json:"title"`
	Amount int64  `json:"amount"`
}

const (
	benchDocs     = 1_000_000
	benchPerOwner = 50
)

var benchDef = CollectionDef{Name: "apps", Indexes: []Index{
	{Fields: []string{"owner", "ts"}},
	{Fields: []string{"status", "ts"}},
}}

func benchID(i int) string { return fmt.Sprintf("app-%07d", i) }

func benchOwner(i int) string { return fmt.Sprintf("bank-%05d", i%(benchDocs/benchPerOwner)) }

// latencies records one duration per operation and reports the median and
// the 99th percentile.
type latencies []time.Duration

func (l latencies) report(b *testing.B) {
	if len(l) == 0 {
		return
	}
	slices.Sort(l)
	b.ReportMetric(float64(l[len(l)/2].Nanoseconds())/1e3, "p50-µs")
	b.ReportMetric(float64(l[len(l)*99/100].Nanoseconds())/1e3, "p99-µs")
}

// BenchmarkSQLite loads 1,000,000 documents once into a database in a
// temporary folder and measures single operations on it. Run it with
//
//	go test ./internal/store/ -run '^$' -bench BenchmarkSQLite -benchtime 2s
func BenchmarkSQLite(b *testing.B) {
	ctx := context.Background()
	s, err := OpenSQLite(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	// Load without indexes, then declare them: building an index once is
	// much faster than maintaining it row by row.
	coll, err := s.Collection(ctx, CollectionDef{Name: benchDef.Name})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	err = coll.(*sqliteColl).bulkInsert(ctx, benchDocs, 20000, func(i int) (string, any) {
		return benchID(i), benchDocAt(i, benchOwner)
	})
	if err != nil {
		b.Fatal(err)
	}
	loaded := time.Since(start)
	if coll, err = s.Collection(ctx, benchDef); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d documents in %v, indexed in %v", benchDocs, loaded.Round(time.Millisecond), (time.Since(start) - loaded).Round(time.Millisecond))
	if plan, err := s.ExplainFind(ctx, benchDef.Name, Query{Eq: map[string]any{"owner": "bank-00001"}, Sort: "ts", Desc: true, Limit: 50}); err != nil {
		b.Fatal(err)
	} else {
		b.Logf("plan: %s", plan)
	}
	benchOps(b, coll, benchDocs, benchOwner, "Find50of1M")
}

// benchOps measures the four operations the targets name on coll, which
// holds n documents made by benchDocAt with the owner function: get by id,
// version-guarded replace, an indexed find of one owner's 50 documents
// (sub-benchmark findName) and a counter increment, each reporting p50/p99.
func benchOps(b *testing.B, coll Collection, n int, owner func(int) string, findName string) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))

	b.Run("GetByID", func(b *testing.B) {
		var lat latencies
		var d benchDoc
		for b.Loop() {
			id := benchID(rng.IntN(n))
			t0 := time.Now()
			_, err := coll.Get(ctx, id, &d)
			lat = append(lat, time.Since(t0))
			if err != nil {
				b.Fatal(err)
			}
		}
		lat.report(b)
	})

	versions := map[int]int64{}
	b.Run("Replace", func(b *testing.B) {
		var lat latencies
		for b.Loop() {
			i := rng.IntN(n)
			v := versions[i]
			if v == 0 {
				v = 1
			}
			doc := benchDoc{Owner: owner(i), TS: 1700000000000 + int64(i)*1000, Status: "in_review", Title: "更新", Amount: v}
			t0 := time.Now()
			next, err := coll.Replace(ctx, benchID(i), v, doc)
			lat = append(lat, time.Since(t0))
			if err != nil {
				b.Fatal(err)
			}
			versions[i] = next
		}
		lat.report(b)
	})

	b.Run(findName, func(b *testing.B) {
		var lat latencies
		for b.Loop() {
			o := owner(rng.IntN(n))
			t0 := time.Now()
			p, err := coll.Find(ctx, Query{Eq: map[string]any{"owner": o}, Sort: "ts", Desc: true, Limit: 50})
			lat = append(lat, time.Since(t0))
			if err != nil {
				b.Fatal(err)
			}
			if len(p.Docs) != benchPerOwner {
				b.Fatalf("Find owner %s: got %d docs, want %d", o, len(p.Docs), benchPerOwner)
			}
		}
		lat.report(b)
	})

	b.Run("Incr", func(b *testing.B) {
		var lat latencies
		for b.Loop() {
			id := fmt.Sprintf("counter-%d", rng.IntN(100))
			t0 := time.Now()
			_, err := coll.Incr(ctx, id, map[string]any{"owner": "counters", "ts": 0}, map[string]int64{"count": 1, "amount": 5})
			lat = append(lat, time.Since(t0))
			if err != nil {
				b.Fatal(err)
			}
		}
		lat.report(b)
	})
}

// benchDocAt is the i-th document of the benchmarks' collection.
func benchDocAt(i int, owner func(int) string) benchDoc {
	return benchDoc{
		Owner:  owner(i),
		TS:     1700000000000 + int64(i)*1000,
		Status: []string{"submitted", "in_review", "approved", "rejected"}[i%4],
		Title:  fmt.Sprintf("江西科技型中小企业贷款申请 %d", i),
		Amount: int64(i%500) * 10000,
	}
}

// BenchmarkOpenSQLite measures what storetest.New costs a test: opening a
// fresh database, declaring a collection with two indexes and closing it.
func BenchmarkOpenSQLite(b *testing.B) {
	for _, nosync := range []bool{false, true} {
		b.Run(fmt.Sprintf("NoSync=%v", nosync), func(b *testing.B) { benchOpen(b, SQLiteOptions{NoSync: nosync}) })
	}
}

func benchOpen(b *testing.B, opt SQLiteOptions) {
	ctx := context.Background()
	var lat latencies
	for b.Loop() {
		dir := b.TempDir()
		t0 := time.Now()
		s, err := OpenSQLiteWith(ctx, dir, opt)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Collection(ctx, benchDef); err != nil {
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	lat.report(b)
}
