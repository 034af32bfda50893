package audit

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
)

// BenchmarkAppend measures Append on SQLite: one writer, 8 goroutines on one
// Log (they queue on its mutex), and 8 goroutines on 8 Logs of one store
// (as 8 servers: they race for sequence numbers and retry).
func BenchmarkAppend(b *testing.B) {
	b.Run("sequential", func(b *testing.B) {
		_, l := newLog(b)
		ctx := context.Background()
		e := sample(3)
		b.ResetTimer()
		for range b.N {
			if _, err := l.Append(ctx, e); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		verifyBench(b, l, int64(b.N))
	})
	for _, logs := range []int{1, 8} {
		b.Run(map[int]string{1: "8goroutines-1log", 8: "8goroutines-8logs"}[logs], func(b *testing.B) {
			st, first := newLog(b)
			ctx := context.Background()
			ls := []*Log{first}
			for len(ls) < logs {
				l, err := Open(ctx, st)
				if err != nil {
					b.Fatal(err)
				}
				ls = append(ls, l)
			}
			var left atomic.Int64
			left.Store(int64(b.N))
			var wg sync.WaitGroup
			b.ResetTimer()
			for g := range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					l := ls[g%len(ls)]
					e := sample(g)
					for left.Add(-1) >= 0 {
						if _, err := l.Append(ctx, e); err != nil {
							b.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			verifyBench(b, first, int64(b.N))
		})
	}
}

func verifyBench(b *testing.B, l *Log, n int64) {
	b.Helper()
	rep, err := l.Verify(context.Background())
	if err != nil || !rep.Intact || rep.Entries != n {
		b.Fatalf("Verify = %+v, %v; want %d intact entries", rep, err, n)
	}
}
