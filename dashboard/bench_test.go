package dashboard_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"kedaitong/consult"
	"kedaitong/dashboard"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/internal/store/storetest"
	"kedaitong/review"
)

// BenchmarkDashboardProvince measures the province's dashboard (model,
// five SVG charts, JSON) over 20,000 applications and 2,000 consultations
// on the embedded store. Target: under 200 ms.
func BenchmarkDashboardProvince(b *testing.B) {
	ctx := context.Background()
	st := storetest.New(b)
	apps, err := review.Open(ctx, st, nil)
	if err != nil {
		b.Fatal(err)
	}
	d, err := dashboard.Open(ctx, st, apps, nil)
	if err != nil {
		b.Fatal(err)
	}
	appsColl, _ := st.Collection(ctx, review.ApplicationsDef)
	consColl, _ := st.Collection(ctx, consult.ConsultationsDef)
	counties := []string{"360102", "360111", "360702", "360781", "360902", "360321", "361102", "360402"}
	routes := []string{"semiconductors.ic-design", "lithium-battery.cathode", "biomedicine.innovative-drugs", "new-materials.advanced-ceramics"}
	states := review.States
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var batch []store.NewDoc
	flush := func(c store.Collection) {
		if len(batch) == 0 {
			return
		}
		if _, err := c.InsertMany(ctx, batch); err != nil {
			b.Fatal(err)
		}
		batch = batch[:0]
	}
	for i := range 20000 {
		reg := counties[i%len(counties)]
		sub := base.Add(time.Duration(i) * time.Minute)
		closed := sub.Add(time.Duration(5+i%40) * 24 * time.Hour)
		a := review.Application{ID: fmt.Sprintf("app-%016x", i), BankID: "gzb", State: states[i%len(states)],
			Region: reg, City: reg[:4], Route: routes[i%len(routes)], CreditCode: fmt.Sprintf("cc%d", i),
			CreatedMS: sub.UnixMilli(), SubmittedMS: sub.UnixMilli(), SubmittedAt: &sub, ClosedAt: &closed}
		a.Industry, _, _ = strings.Cut(a.Route, ".")
		a.Indicators.AgeGroup = []string{review.AgeStartup, review.AgeGrowth, review.AgeMature}[i%3]
		if a.State == review.StateClosed && i%2 == 0 {
			a.Decision = &review.Decision{Granted: true, Amount: 1000000, Date: "2025-06-01"}
		}
		batch = append(batch, store.NewDoc{ID: a.ID, Doc: a})
		if len(batch) == store.MaxBatch {
			flush(appsColl)
		}
	}
	flush(appsColl)
	for i := range 2000 {
		reg := counties[i%len(counties)]
		on := i%4 != 0
		c := consult.Consultation{ID: fmt.Sprintf("con-%016x", i), State: consult.StateClosed, Region: reg, City: reg[:4],
			CreatedMS: base.UnixMilli() + int64(i), Answer: &consult.Reply{Text: "x"}, AnsweredOnTime: &on}
		batch = append(batch, store.NewDoc{ID: c.ID, Doc: c})
		if len(batch) == store.MaxBatch {
			flush(consColl)
		}
	}
	flush(consColl)
	if n, err := d.Rebuild(ctx); err != nil || n != 20000 {
		b.Fatalf("rebuild = %d, %v", n, err)
	}
	admin := identity.User{ID: "u1", Role: identity.RoleOfficial, Region: "36"}
	b.ResetTimer()
	for b.Loop() {
		v, err := d.Get(ctx, admin, "")
		if err != nil {
			b.Fatal(err)
		}
		if v.Applications.Total != 20000 || v.Consultations.Asked != 2000 {
			b.Fatalf("total %d, consultations %d", v.Applications.Total, v.Consultations.Asked)
		}
		for _, cs := range [][]dashboard.Count{v.Applications.ByState, v.Applications.ByIndustry, v.Applications.ByAgeGroup} {
			bars := make([]dashboard.Bar, 0, len(cs))
			for _, c := range cs {
				bars = append(bars, dashboard.Bar{Label: c.Name.ZH, Value: c.Count})
			}
			_ = dashboard.BarChart("c", "t", bars)
		}
		if _, err := json.Marshal(v); err != nil {
			b.Fatal(err)
		}
	}
}
