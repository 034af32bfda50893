package enterprises_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"kedaitong/enterprises"
	"kedaitong/internal/store"
)

// BenchmarkImportTax100k imports 100,000 tax rows (25,000 enterprises x 4
// years, registrations imported first) into the durable embedded store, as
// `kedaitong datahub import` does (scripts/bench-datahub.sh runs the binary).
func BenchmarkImportTax100k(b *testing.B) {
	ctx := context.Background()
	var reg, tax strings.Builder
	reg.WriteString("credit_code,name,region\n")
	tax.WriteString("credit_code,year,revenue,rd_spend,tax_paid\n")
	for i := 0; i < 25000; i++ {
		c := code(100000 + i)
		fmt.Fprintf(&reg, "%s,测试企业%d,360702\n", c, i)
		for y := 0; y < 4; y++ {
			fmt.Fprintf(&tax, "%s,%d,%d,%d,%d\n", c, 2025-y, 1000000+i, 100000+y, 1000)
		}
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st, err := store.Open(ctx, b.TempDir(), "")
		if err != nil {
			b.Fatal(err)
		}
		s, err := enterprises.Open(ctx, st, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Import(ctx, admin, "registration", []byte(reg.String()), enterprises.ImportOptions{}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		rep, err := s.Import(ctx, admin, "tax", []byte(tax.String()), enterprises.ImportOptions{})
		if err != nil || rep.Imported != 100000 {
			b.Fatalf("%+v %v", rep.Imported, err)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/import")
		b.StopTimer()
		st.Close()
	}
}
