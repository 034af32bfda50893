package match

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"kedaitong/review/match/internal/instgen"
)

// benchInstance generates nA applications with panel {academician: 1,
// industry: 2, finance: 1}, nE experts (a quarter academicians, half
// industry, a quarter finance) with capacities averaging a little under
// the seats per expert, and cand random candidate experts per application
// with random scores (6 decimals). Affiliations and parties are drawn from
// 500 organisations, so a few pairs are conflicted.
func benchInstance(seed uint64, nA, nE, cand int) *Instance {
	rng := rand.New(rand.NewPCG(seed, 42))
	in := &Instance{Affinity: make([]Pair, 0, nA*cand)}
	seatsPerExpert := float64(4*nA) / float64(nE)
	for i := range nE {
		t := TierIndustry
		switch i % 4 {
		case 0:
			t = TierAcademician
		case 3:
			t = TierFinance
		}
		c := int(seatsPerExpert*0.5) + rng.IntN(int(seatsPerExpert)+1)
		in.Experts = append(in.Experts, Expert{
			ID: fmt.Sprintf("e%05d", i), Tier: t, Capacity: c,
			Affiliations: []string{fmt.Sprintf("org:%d", rng.IntN(500))},
		})
	}
	for i := range nA {
		id := fmt.Sprintf("a%05d", i)
		in.Applications = append(in.Applications, Application{
			ID: id, Field: "semiconductors.ic-design",
			Parties: []string{fmt.Sprintf("org:%d", rng.IntN(500)), fmt.Sprintf("org:%d", rng.IntN(500))},
			Panel:   map[string]int{TierAcademician: 1, TierIndustry: 2, TierFinance: 1},
		})
		for _, e := range rng.Perm(nE)[:cand] {
			in.Affinity = append(in.Affinity, Pair{Expert: in.Experts[e].ID, Application: id, Score: math.Round(rng.Float64()*1e6) / 1e6})
		}
	}
	return in
}

// peakHeap samples the heap in use while f runs and returns the largest.
func peakHeap(f func()) uint64 {
	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	f()
	close(stop)
	<-done
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return max(peak.Load(), m.HeapInuse)
}

var benchSizes = []struct {
	name         string
	nA, nE, cand int
}{
	{"5000x3000x100", 5000, 3000, 100},
	{"20000x10000x200", 20000, 10000, 200},
}

// BenchmarkDecode measures the streaming decoder (into index form, as
// `kedaitong match` reads).
func BenchmarkDecode(b *testing.B) {
	for _, sz := range benchSizes {
		b.Run(sz.name, func(b *testing.B) {
			data, err := json.Marshal(benchInstance(1, sz.nA, sz.nE, sz.cand))
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			b.ResetTimer()
			for b.Loop() {
				if _, err := decode(bytes.NewReader(data)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSolve(b *testing.B) {
	for _, sz := range benchSizes {
		b.Run(sz.name, func(b *testing.B) {
			in := benchInstance(1, sz.nA, sz.nE, sz.cand)
			var r *Result
			var peak uint64
			b.ResetTimer()
			for b.Loop() {
				peak = max(peak, peakHeap(func() {
					var err error
					if _, r, err = Solve(context.Background(), in, Options{}); err != nil {
						b.Fatal(err)
					}
				}))
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(r.SeatsFilled), "seats")
		})
	}
}

// BenchmarkDecline measures one declined seat in a solved 5,000-application
// batch (the solve itself is outside the timer).
func BenchmarkDecline(b *testing.B) {
	in := benchInstance(1, 5000, 3000, 100)
	s, r, err := Solve(context.Background(), in, Options{})
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	b.ResetTimer()
	for b.Loop() {
		for len(r.Assignments[i%len(r.Assignments)].Experts) == 0 {
			i++
		}
		as := r.Assignments[i%len(r.Assignments)]
		if r, err = s.Decline(as.Application, as.Experts[0]); err != nil {
			b.Fatal(err)
		}
		i += 7
	}
}

// BenchmarkMain runs what `kedaitong match` runs, from the instance's bytes
// to the result's (decode, solve, check, encode), for profiling; the
// figures users see come from scripts/bench-match.sh on the real binary.
func BenchmarkMain(b *testing.B) {
	for _, sz := range benchSizes {
		b.Run(sz.name, func(b *testing.B) {
			var data bytes.Buffer
			if err := instgen.Write(&data, 1, sz.nA, sz.nE, sz.cand, 1); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(data.Len()))
			b.ResetTimer()
			for b.Loop() {
				var errb bytes.Buffer
				if code := Main(context.Background(), bytes.NewReader(data.Bytes()), io.Discard, &errb); code != 0 {
					b.Fatal(errb.String())
				}
			}
		})
	}
}
