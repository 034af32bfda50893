package panel_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"kedaitong/experts"
	"kedaitong/taxonomy"
)

// benchFixture is a store with nE experts (a quarter academicians, half
// industry experts, a quarter finance scholars; one or two routes each,
// capacity 2–8, some with organisations that conflict) and nA submitted
// applications on random routes.
func benchFixture(b *testing.B, nA, nE int) *fixture {
	f := newFixture(b)
	rng := rand.New(rand.NewPCG(5, 500))
	var routes []string
	for _, ind := range taxonomy.Default().Industries {
		for _, r := range ind.Routes {
			routes = append(routes, r.Code)
		}
	}
	ctx := context.Background()
	for i := range nE {
		tier := []string{"academician", "industry", "industry", "finance"}[i%4]
		c := 2 + rng.IntN(7)
		in := experts.Input{ID: fmt.Sprintf("e%04d", i), Name: fmt.Sprintf("专家%d", i), Tier: tier, Capacity: &c,
			Fields: []string{routes[rng.IntN(len(routes))]}}
		if rng.IntN(2) == 0 {
			in.Fields = append(in.Fields, routes[rng.IntN(len(routes))])
		}
		if rng.IntN(10) == 0 {
			in.Organisations = []experts.Org{{Name: fmt.Sprintf("赣州测试%d科技有限公司", 1+rng.IntN(nA)), From: "2022-01-01"}}
		}
		if _, err := f.es.Create(ctx, admin, in); err != nil {
			b.Fatal(err)
		}
	}
	for range nA {
		route := routes[rng.IntN(len(routes))]
		f.application(b, route, nil)
	}
	return f
}

// BenchmarkRun measures one assignment run over 500 waiting applications
// and 300 experts on SQLite: reading the library and the loads, scoring
// and excluding every pair, the exact solve, and writing about 2,000
// invitations with their panels, counters and audit entries.
func BenchmarkRun(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		f := benchFixture(b, 500, 300)
		b.StartTimer()
		r, err := f.ps.Run(context.Background(), province)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		b.ReportMetric(float64(r.SeatsFilled), "seats")
		b.ReportMetric(float64(r.SeatsOpen), "open")
		b.StartTimer()
	}
}

// BenchmarkDeclineReplacement measures a decline with its automatic
// replacement (a local re-solve of one application) after a run over 500
// applications and 300 experts.
func BenchmarkDeclineReplacement(b *testing.B) {
	f := benchFixture(b, 500, 300)
	ctx := context.Background()
	r, err := f.ps.Run(ctx, province)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a := r.Invitations[i%len(r.Invitations)]
		if _, err := f.ps.Decline(ctx, expertUser(a.ExpertID), a.ID, "bench"); err != nil {
			b.Fatal(err)
		}
	}
}
