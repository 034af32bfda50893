package experts_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"kedaitong/experts"
	"kedaitong/internal/store"
	"kedaitong/internal/store/storetest"
	"kedaitong/taxonomy"
)

var (
	benchSurnames = []rune("李王张刘陈杨黄赵吴周徐孙胡朱高林何郭罗梁宋郑谢韩唐冯邓曹彭曾肖田袁邹熊钟万涂喻易")
	benchGiven    = []rune("建国志强海燕晓东文博立新红梅华明远静怡德振宇丽娟春生卫思玉兰永子涵俊杰秀英伟敏磊洋勇军涛超刚平辉鹏飞鑫波")
	benchOrgs     = []string{"南昌大学", "江西理工大学", "中国科学院赣江创新研究院", "江西师范大学", "华东交通大学", "南昌航空大学", "江西财经大学",
		"江西铜业股份有限公司", "江西赣锋锂业集团股份有限公司", "晶科能源股份有限公司", "江西银行", "赣州银行", "九江银行", "江中药业股份有限公司",
		"江西洪都航空工业集团有限责任公司", "江铃汽车股份有限公司", "泰豪科技股份有限公司", "孚能科技(赣州)股份有限公司", "景德镇陶瓷大学", "东华理工大学"}
	benchRegions = []string{"3601", "360102", "360111", "3607", "360702", "360703", "3609", "360902", "3611", "361102", "3604", "360402", "36"}
)

// benchRows makes n import rows (deterministic).
func benchRows(n int) [][]any {
	tax := taxonomy.Default()
	var routes []string
	for _, ind := range tax.Industries {
		for _, r := range ind.Routes {
			routes = append(routes, r.Code)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	rows := [][]any{{"id", "name", "tier", "fields", "organisations", "region", "capacity", "email"}}
	for i := 1; i <= n; i++ {
		name := string(benchSurnames[rng.IntN(len(benchSurnames))]) + string(benchGiven[rng.IntN(len(benchGiven))])
		if rng.IntN(2) == 0 {
			name += string(benchGiven[rng.IntN(len(benchGiven))])
		}
		fields := routes[rng.IntN(len(routes))]
		if rng.IntN(2) == 0 {
			fields += ";" + routes[rng.IntN(len(routes))]
		}
		orgs := benchOrgs[rng.IntN(len(benchOrgs))]
		if rng.IntN(3) == 0 {
			orgs += ";" + benchOrgs[rng.IntN(len(benchOrgs))]
		}
		tier := experts.Tiers[rng.IntN(3)]
		rows = append(rows, []any{fmt.Sprintf("exp-%05d", i), name, tier, fields, orgs, benchRegions[rng.IntN(len(benchRegions))],
			1 + rng.IntN(6), fmt.Sprintf("e%05d@example.cn", i)})
	}
	return rows
}

// benchXLSX writes rows as an XLSX workbook with excelize's stream writer.
func benchXLSX(b testing.TB, rows [][]any) []byte {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		b.Fatal(err)
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, r); err != nil {
			b.Fatal(err)
		}
	}
	sw.Flush()
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

func openBench(b *testing.B, sync bool) *experts.Service {
	var st store.Store
	if sync {
		s, err := store.OpenSQLite(context.Background(), b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { s.Close() })
		st = s
	} else {
		st = storetest.New(b)
	}
	s, err := experts.Open(context.Background(), st, nil)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkImportXLSX10k imports a 10,000-row XLSX into an empty library
// (target: under 5 s) — on the server's SQLite settings (fsync on every
// commit) and without fsync — and then re-imports it (all unchanged). Run:
//
//	go test ./experts/ -run '^$' -bench ImportXLSX10k -benchtime 1x
func BenchmarkImportXLSX10k(b *testing.B) {
	data := benchXLSX(b, benchRows(10_000))
	for _, sync := range []bool{true, false} {
		b.Run(fmt.Sprintf("fsync=%v", sync), func(b *testing.B) {
			var first, again time.Duration
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				s := openBench(b, sync)
				b.StartTimer()
				t0 := time.Now()
				res, err := s.Import(context.Background(), official, data)
				first += time.Since(t0)
				if err != nil || res.Imported != 10_000 {
					b.Fatalf("import: %v %d rejected %v", err, res.Imported, res.Rejected[:min(3, len(res.Rejected))])
				}
				t0 = time.Now()
				res, err = s.Import(context.Background(), official, data)
				again += time.Since(t0)
				if err != nil || res.Unchanged != 10_000 {
					b.Fatalf("re-import: %v %+v", err, res.Unchanged)
				}
			}
			b.ReportMetric(first.Seconds()/float64(b.N), "s/import")
			b.ReportMetric(again.Seconds()/float64(b.N), "s/reimport")
		})
	}
}

// BenchmarkSearch10k measures directory searches over 10,000 experts
// (target: p95 under 20 ms) with a mix of the filters officials use. Run:
//
//	go test ./experts/ -run '^$' -bench Search10k -benchtime 2000x
func BenchmarkSearch10k(b *testing.B) {
	s := openBench(b, true)
	if res, err := s.Import(context.Background(), official, benchXLSX(b, benchRows(10_000))); err != nil || res.Imported != 10_000 {
		b.Fatal(err)
	}
	filters := []experts.Filter{
		{},
		{Field: "lithium-battery"},
		{Field: "semiconductors.ic-design"},
		{Tier: "academician"},
		{Tier: "industry", Region: "3607"},
		{Region: "36"},
		{Field: "photovoltaics", Tier: "finance", Region: "3601"},
		{Q: "李"},
		{Q: "南昌大学"},
		{Q: "江西 铜业"},
		{Field: "nonferrous-rare-earth", Q: "理工"},
		{AvailableOn: "2026-07-01"},
		{Tier: "industry", AvailableOn: "2026-07-01", Status: "active"},
		{Q: "学大"}, // no match: every candidate re-checked
	}
	lat := make([]time.Duration, 0, b.N)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f := filters[i%len(filters)]
		t0 := time.Now()
		if _, _, err := s.Search(ctx, official, f); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
}
