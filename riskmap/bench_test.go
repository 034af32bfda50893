package riskmap_test

import (
	"context"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"kedaitong/identity"
	"kedaitong/intel"
	"kedaitong/internal/store/storetest"
	"kedaitong/riskmap"
)

// benchMap builds the counters of 1,000,000 stories over two years, written
// as ingest writes them (one Incr per day with the day's deltas).
func benchMap(b *testing.B) (*riskmap.Service, riskmap.Range) {
	b.Helper()
	ctx := context.Background()
	st := storetest.New(b)
	end := time.Date(2026, 3, 10, 12, 0, 0, 0, riskmap.Zone)
	rm, err := riskmap.Open(ctx, st, nil, riskmap.Options{Now: func() time.Time { return end }})
	if err != nil {
		b.Fatal(err)
	}
	inds := rm.Industries()
	pols := []string{"risk", "opportunity", "neutral"}
	rng := rand.New(rand.NewPCG(1, 2))
	const total, days = 1_000_000, 730
	items := make([]intel.Item, 0, total/days+1)
	for d := range days {
		day := end.AddDate(0, 0, -d)
		items = items[:0]
		for range total / days {
			it := intel.Item{Published: day, ClusterFirst: true, Industries: []string{inds[rng.IntN(len(inds))]},
				Dimensions: []string{riskmap.Dimensions[rng.IntN(len(riskmap.Dimensions))]}, Polarity: pols[rng.IntN(3)], Severity: "normal"}
			if rng.IntN(10) == 0 {
				it.Severity = "high"
			}
			items = append(items, it)
		}
		for day, deltas := range riskmap.Deltas(items) {
			if err := rm.Add(ctx, day, deltas); err != nil {
				b.Fatal(err)
			}
		}
	}
	r, err := rm.ParseRange("", "")
	if err != nil {
		b.Fatal(err)
	}
	return rm, r
}

func p95(ds []time.Duration) time.Duration {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)*95/100]
}

var analyst = identity.User{ID: "u-an", Role: identity.RoleAnalyst}

// BenchmarkMap90Days: the 90-day map over 1,000,000 stories in two years.
// Target: p95 under 50 ms.
func BenchmarkMap90Days(b *testing.B) {
	rm, r := benchMap(b)
	ctx := context.Background()
	var ds []time.Duration
	for b.Loop() {
		start := time.Now()
		m, err := rm.Compute(ctx, analyst, r) // a cache miss
		ds = append(ds, time.Since(start))
		if err != nil || len(m.Cells) != 55 || m.Cells[0].Count == 0 {
			b.Fatalf("map: %v", err)
		}
	}
	b.ReportMetric(float64(p95(ds).Microseconds())/1000, "p95-ms")
}

// BenchmarkSVG90Days: the 90-day SVG (map and drawing) over the same data.
// Target: under 30 ms.
func BenchmarkSVG90Days(b *testing.B) {
	rm, r := benchMap(b)
	ctx := context.Background()
	var ds []time.Duration
	for b.Loop() {
		start := time.Now()
		m, err := rm.Compute(ctx, analyst, r) // a cache miss
		if err != nil {
			b.Fatal(err)
		}
		svg := rm.SVG(m, "zh-CN")
		ds = append(ds, time.Since(start))
		if len(svg) < 1000 {
			b.Fatal("short svg")
		}
	}
	b.ReportMetric(float64(p95(ds).Microseconds())/1000, "p95-ms")
}
