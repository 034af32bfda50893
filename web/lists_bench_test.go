package web_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"kedaitong/audit"
)

// BenchmarkListAudit5000: the administrator's audit log holding 5,000
// entries (the most a list reads) through the list component: a page
// sorted by actor (read every entry, sort, render 25 rows) and the export
// of all 5,000 as XLSX. Reports p50/p95 per request.
func BenchmarkListAudit5000(b *testing.B) {
	e := newEnvB(b)
	ctx := context.Background()
	for i := range 5000 {
		if _, err := e.log.Append(ctx, audit.Entry{UserID: "u", Username: fmt.Sprintf("user-%04d", i%97), Role: "bank_officer",
			Action: "application.submit", ObjectKind: "application", ObjectID: fmt.Sprintf("app-%05d", i), Outcome: audit.OK, Region: "3607"}); err != nil {
			b.Fatal(err)
		}
	}
	admin := e.login("admin")
	for _, sc := range []struct{ name, path string }{
		{"page", "/audit?sort=actor&dir=desc&page=7"},
		{"export", "/audit?export=xlsx"},
	} {
		b.Run(sc.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			for range b.N {
				start := time.Now()
				if r := e.do("GET", sc.path, "", as(admin)...); r.status != 200 {
					b.Fatalf("%s = %d", sc.path, r.status)
				}
				lat = append(lat, time.Since(start))
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.95), "p95-ms")
		})
	}
}
