package store

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"
)

// BenchmarkSQLiteGroupCommit64: 64 goroutines each replace their own
// document (version-guarded) on a durable store (synchronous=FULL), as 64
// experts saving drafts do; it reports writes/s, p50/p99 and how many
// writes shared a commit.
func BenchmarkSQLiteGroupCommit64(b *testing.B) {
	ctx := context.Background()
	s, err := OpenSQLite(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	c, err := s.Collection(ctx, CollectionDef{Name: "drafts", Indexes: []Index{{Fields: []string{"owner", "updated"}}, {Fields: []string{"state"}}}})
	if err != nil {
		b.Fatal(err)
	}
	const writers = 64
	type draft struct {
		Owner   string `json:"owner"`
		Updated int64  `json:"updated"`
		State   string `json:"state"`
		Text    string `json:"text"`
	}
	for i := range writers {
		if err := c.Insert(ctx, fmt.Sprintf("d%02d", i), draft{Owner: fmt.Sprintf("e%02d", i), State: "draft"}); err != nil {
			b.Fatal(err)
		}
	}
	before := s.WriteStats()
	var mu sync.Mutex
	var lat []time.Duration
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprintf("d%02d", i)
			v := int64(1)
			var mine []time.Duration
			for k := i; k < b.N; k += writers {
				t := time.Now()
				nv, err := c.Replace(ctx, id, v, draft{Owner: fmt.Sprintf("e%02d", i), Updated: int64(k), State: "draft", Text: "技术路线可行，量产良率待验证。"})
				if err != nil {
					b.Error(err)
					return
				}
				mine = append(mine, time.Since(t))
				v = nv
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	el := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) > 0 {
		b.ReportMetric(float64(len(lat))/el.Seconds(), "writes/s")
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	}
	st := s.WriteStats()
	if n := st.Batches - before.Batches; n > 0 {
		b.ReportMetric(float64(st.Ops-before.Ops)/float64(n), "writes/commit")
	}
}
