package fund_test

import (
	"context"
	"fmt"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kedaitong/audit"
	"kedaitong/fund"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/review"
)

// auditRec records into the hash-chained audit log as the server does.
type auditRec struct{ log *audit.Log }

func (r auditRec) Record(ctx context.Context, ev identity.Event) {
	e := audit.Entry{Action: ev.Action, ObjectKind: ev.ObjectKind, ObjectID: ev.ObjectID, Outcome: audit.OK, Region: ev.Region, BankID: ev.BankID, Detail: ev.Detail}
	if ev.Actor != nil {
		e.UserID, e.Username, e.Role = ev.Actor.ID, ev.Actor.Username, ev.Actor.Role
	}
	_, _ = r.log.Append(ctx, e)
}

// openDurable opens the fund on the embedded store in dir as the server
// does (synchronous=FULL when durable), with the audit log.
func openDurable(b *testing.B, dir string, durable bool) (*fund.Service, func()) {
	ctx := context.Background()
	st, err := store.OpenSQLiteWith(ctx, dir, store.SQLiteOptions{NoSync: !durable})
	if err != nil {
		b.Fatal(err)
	}
	log, err := audit.Open(ctx, st)
	if err != nil {
		b.Fatal(err)
	}
	apps, err := review.Open(ctx, st, nil)
	if err != nil {
		b.Fatal(err)
	}
	f, err := fund.Open(ctx, st, apps, nil, auditRec{log})
	if err != nil {
		b.Fatal(err)
	}
	return f, func() { st.Close() }
}

var (
	concurrentRegion atomic.Int64 // counties 31–99 of each city: unused by benchStore
	benchOnce        sync.Once
	benchDir         string
)

// countyCodes are 100 Jiangxi county codes (cities 01–10, ten counties each).
func countyCodes() []string {
	var out []string
	for city := 1; city <= 10; city++ {
		for c := 21; c <= 30; c++ {
			out = append(out, fmt.Sprintf("36%02d%02d", city, c))
		}
	}
	return out
}

// benchStore builds once: 100 county pools, 10,000 loans of 20 banks, 500
// of them defaulted with a claim each (half approved), on a store without
// fsync for speed; the benchmarks then reopen it durable.
func benchStore(b *testing.B) string {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kedai-fund-bench-")
		if err != nil {
			b.Fatal(err)
		}
		f, closeFn := openDurable(b, dir, false)
		defer closeFn()
		ctx := context.Background()
		official := identity.User{ID: "u-prov", Role: identity.RoleOfficial, Region: "36"}
		counties := countyCodes()
		for i, r := range counties {
			if _, err := f.CreatePool(ctx, official, fund.PoolInput{Region: r}); err != nil {
				b.Fatal(err)
			}
			// Large enough that the benchmark's registrations fit; pool 0 is nearly full later.
			if _, _, err := f.Contribute(ctx, official, "fund-"+r, fund.ContributionInput{Year: 2025, Budgeted: 20000000, PaidIn: 20000000, By: "county"}); err != nil {
				b.Fatal(err)
			}
			if _, err := f.SetTarget(ctx, official, "fund-"+r, fund.TargetInput{Year: 2025, LoanAmount: int64(50000000 + i*100000), StartupSharePct: 30}); err != nil {
				b.Fatal(err)
			}
		}
		var loans []fund.Loan
		for i := range 10000 {
			r := counties[i%100]
			bank := identity.User{ID: "u-b", Role: identity.RoleBankOfficer, BankID: fmt.Sprintf("bank-%02d", i%20)}
			l, err := f.RegisterLoan(ctx, bank, fund.LoanInput{Enterprise: &fund.Enterprise{Name: fmt.Sprintf("企业%d", i), CreditCode: review.DemoCreditCode(r, i%100000),
				Region: r, Founded: "2020-01-01", Route: "biomedicine.tcm"}, Amount: 100000, Start: "2025-03-01", TermMonths: 24})
			if err != nil {
				b.Fatal(err)
			}
			loans = append(loans, l)
		}
		for i := range 500 {
			l := loans[i*20]
			bank := identity.User{ID: "u-b", Role: identity.RoleBankOfficer, BankID: l.BankID}
			if _, err := f.MarkDefault(ctx, bank, l.ID, fund.DefaultInput{Date: "2025-09-01", Outstanding: ptr(int64(80000))}); err != nil {
				b.Fatal(err)
			}
			c, err := f.FileClaim(ctx, bank, l.ID, fund.ClaimInput{Loss: 80000})
			if err != nil {
				b.Fatal(err)
			}
			if i%2 == 0 {
				if _, err := f.CloseRecovery(ctx, bank, c.ID); err != nil {
					b.Fatal(err)
				}
				if _, err := f.ApproveClaim(ctx, official, c.ID); err != nil {
					b.Fatal(err)
				}
			}
		}
		benchDir = dir
	})
	return benchDir
}

func percentile(ds []time.Duration, p float64) time.Duration {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[min(len(ds)-1, int(float64(len(ds))*p))]
}

// BenchmarkFundRegisterLoan: registering a loan (pool write with its
// capacity check, loan, enterprise marker, audit entry) on the durable
// store holding 10,000 loans and 500 claims in 100 county pools.
func BenchmarkFundRegisterLoan(b *testing.B) {
	dir := benchStore(b)
	f, closeFn := openDurable(b, dir, true)
	defer closeFn()
	ctx := context.Background()
	counties := countyCodes()
	var ds []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		r := counties[(i*7)%100]
		bank := identity.User{ID: "u-b", Role: identity.RoleBankOfficer, BankID: fmt.Sprintf("bank-x%02d", i%20)}
		t0 := time.Now()
		_, err := f.RegisterLoan(ctx, bank, fund.LoanInput{Enterprise: &fund.Enterprise{Name: "新企业", CreditCode: review.DemoCreditCode(r, 200000+i),
			Region: r, Founded: "2024-01-01", Route: "semiconductors.ic-design"}, Amount: 1000, Start: "2025-06-01", TermMonths: 36})
		ds = append(ds, time.Since(t0))
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(percentile(ds, 0.5).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(percentile(ds, 0.99).Microseconds())/1000, "p99-ms")
}

// BenchmarkFundProvinceKPIs: the province's KPI view (one row per pool,
// from the counters kept on write).
func BenchmarkFundProvinceKPIs(b *testing.B) {
	dir := benchStore(b)
	f, closeFn := openDurable(b, dir, true)
	defer closeFn()
	ctx := context.Background()
	official := identity.User{ID: "u-prov", Role: identity.RoleOfficial, Region: "36"}
	var ds []time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		rows, err := f.KPIs(ctx, official, "36", 2025)
		ds = append(ds, time.Since(t0))
		if err != nil || len(rows) != 100 {
			b.Fatalf("%d rows, %v", len(rows), err)
		}
	}
	b.ReportMetric(float64(percentile(ds, 0.5).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(percentile(ds, 0.99).Microseconds())/1000, "p99-ms")
}

// BenchmarkFundConcurrentNearlyFull: 16 registrations at once against a
// pool with room for 5 of them, on the durable store; fails if the pool's
// outstanding ever passes its capacity.
func BenchmarkFundConcurrentNearlyFull(b *testing.B) {
	dir := benchStore(b)
	f, closeFn := openDurable(b, dir, true)
	defer closeFn()
	ctx := context.Background()
	official := identity.User{ID: "u-prov", Role: identity.RoleOfficial, Region: "36"}
	var ds []time.Duration
	for n := 0; b.Loop(); n++ {
		k := int(concurrentRegion.Add(1))
		region := fmt.Sprintf("36%02d%02d", 1+k/69%11, 31+k%69)
		if _, err := f.CreatePool(ctx, official, fund.PoolInput{Region: region, Leverage: ptr(int64(1))}); err != nil {
			b.Fatal(err)
		}
		if _, _, err := f.Contribute(ctx, official, "fund-"+region, fund.ContributionInput{Year: 2025, PaidIn: 5000, By: "county"}); err != nil {
			b.Fatal(err)
		}
		var ok atomic.Int64
		var wg sync.WaitGroup
		t0 := time.Now()
		for i := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				bank := identity.User{ID: "u-b", Role: identity.RoleBankOfficer, BankID: "bank-c"}
				if _, err := f.RegisterLoan(ctx, bank, fund.LoanInput{Enterprise: &fund.Enterprise{Name: "并发企业", CreditCode: review.DemoCreditCode(region, 300000+i),
					Region: region, Founded: "2020-01-01", Route: "biomedicine.tcm"}, Amount: 1000, Start: "2025-06-01", TermMonths: 12}); err == nil {
					ok.Add(1)
				}
			}()
		}
		wg.Wait()
		ds = append(ds, time.Since(t0))
		p, err := f.PoolOf(ctx, "fund-"+region)
		if err != nil || ok.Load() != 5 || p.Outstanding != 5000 || p.Outstanding > p.Capacity() {
			b.Fatalf("%d registered, outstanding %d of capacity %d (%v)", ok.Load(), p.Outstanding, p.Capacity(), err)
		}
	}
	b.ReportMetric(float64(percentile(ds, 0.5).Microseconds())/1000, "p50-ms/16")
}

// BenchmarkFundRepair: one pass of the crash repair the server runs every
// ten seconds, on the store of 100 county pools, 10,000 loans and 500
// claims (250 still open) with nothing to repair: what the cadence costs.
func BenchmarkFundRepair(b *testing.B) {
	dir := benchStore(b)
	f, closeFn := openDurable(b, dir, true)
	defer closeFn()
	ctx := context.Background()
	var ds []time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		n, err := f.Repair(ctx, fund.RepairGrace)
		ds = append(ds, time.Since(t0))
		if err != nil || n != 0 {
			b.Fatalf("repaired %d, %v", n, err)
		}
	}
	b.ReportMetric(float64(percentile(ds, 0.5).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(percentile(ds, 0.99).Microseconds())/1000, "p99-ms")
}
