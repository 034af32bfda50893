// Command benchfund measures the risk-compensation fund on the real binary
// (issue 14): it seeds a data folder with 100 county pools, 10,000 loans of
// 20 banks and 500 defaults with claims (half approved) through the fund's
// own service (without fsync, for speed), starts `kedaitong serve` on it —
// the default durable store: SQLite WAL, synchronous=FULL, with the audit
// log — and, over HTTP as the users would:
//
//   - registers -n loans one after another (one bank officer at a time,
//     across the pools) and reports the latency percentiles;
//   - reads the province's KPI view (100 rows) -kpis times;
//   - has 16 officers race to register against one pool with room for 5,
//     -rounds times, and fails if a pool's outstanding ever exceeds its
//     capacity or more than 5 succeed.
//
// Run it as scripts/bench-fund.sh does:
//
//	go build -o bin/kedaitong ./cmd/kedaitong && go run ./scripts/benchfund -bin bin/kedaitong
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"kedaitong/fund"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/review"
)

const password = "Bench-fund-2026"

var profileDir string

func main() {
	bin := flag.String("bin", "bin/kedaitong", "the kedaitong binary")
	n := flag.Int("n", 1000, "loans registered one after another")
	kpis := flag.Int("kpis", 100, "reads of the province's KPI view")
	rounds := flag.Int("rounds", 20, "rounds of 16 concurrent registrations against a nearly full pool (at most 20)")
	seedOnly := flag.Bool("seed-only", false, "only seed the -data folder (to copy it for several runs)")
	keep := flag.String("data", "", "data folder to use (default: a fresh temporary one, removed after); an existing seeded folder is reused")
	flag.StringVar(&profileDir, "profile", "", "with a binary built with -tags pprof: write the server's CPU, block and mutex profiles of the register phase to this folder")
	flag.Parse()
	if err := run(*bin, *keep, *n, *kpis, min(*rounds, racePools), *seedOnly); err != nil {
		fmt.Fprintln(os.Stderr, "benchfund:", err)
		os.Exit(1)
	}
}

func counties() []string {
	var out []string
	for city := 1; city <= 10; city++ {
		for c := 21; c <= 30; c++ {
			out = append(out, fmt.Sprintf("36%02d%02d", city, c))
		}
	}
	return out
}

func bankID(i int) string { return fmt.Sprintf("bank-%02d", i%20) }

// racePools is how many pools with room for five loans the seed opens.
const racePools = 20

func run(bin, dir string, n, kpis, rounds int, seedOnly bool) error {
	ctx := context.Background()
	if dir == "" {
		d, err := os.MkdirTemp("", "benchfund-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	if _, err := os.Stat(dir + "/seeded"); err != nil {
		t0 := time.Now()
		if err := seed(ctx, dir); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		if err := os.WriteFile(dir+"/seeded", nil, 0o644); err != nil {
			return err
		}
		fmt.Printf("seeded 100 county pools, 10,000 loans, 500 claims in %s\n", time.Since(t0).Round(time.Millisecond))
	}
	if seedOnly {
		return nil
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, "serve", "--addr", addr, "--data", dir, "--crawl=false", "--log-level", "warn", "--rate-limit", "0")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	pprofAddr := ""
	if profileDir != "" {
		if pprofAddr, err = freeAddr(); err != nil {
			return err
		}
		cmd.Env = append(os.Environ(), "KEDAI_PPROF_ADDR="+pprofAddr)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	}()
	base := "http://" + addr
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}, Timeout: 30 * time.Second}
	if err := waitReady(client, base); err != nil {
		return err
	}
	tokens := make([]string, 20)
	for i := range tokens {
		if tokens[i], err = login(client, base, "bench-officer-"+bankID(i)); err != nil {
			return err
		}
	}
	prov, err := login(client, base, "bench-province")
	if err != nil {
		return err
	}

	// 1. Registrations one after another, as bank officers work.
	cs := counties()
	profiled := make(chan error, 1)
	if profileDir != "" {
		go func() { profiled <- profile(client, pprofAddr, 10*time.Second) }()
	} else {
		profiled <- nil
	}
	stamp := time.Now().UnixNano() % 1000000
	var lat []time.Duration
	cpu0 := cpuTime(cmd.Process.Pid)
	start := time.Now()
	for i := range n {
		r := cs[(i*7)%100]
		body := fmt.Sprintf(`{"enterprise":{"name":"压测企业%d-%d","credit_code":"%s","region":"%s","founded":"2021-06-01","route":"biomedicine.tcm"},"amount":100000,"start":"2025-06-01","term_months":24}`,
			stamp, i, review.DemoCreditCode(r, int(20000+(stamp+int64(i))%70000)), r)
		t := time.Now()
		code, msg, err := do(client, "POST", base+"/api/v1/loans", tokens[10+i%10], body) // banks without defaults
		if err != nil || code != http.StatusCreated {
			return fmt.Errorf("register %d: %d %s %v", i, code, msg, err)
		}
		lat = append(lat, time.Since(t))
	}
	elapsed := time.Since(start)
	if err := <-profiled; err != nil {
		fmt.Fprintln(os.Stderr, "profile:", err)
	}
	cpu := cpuTime(cmd.Process.Pid) - cpu0
	fmt.Printf("register a loan (sequential, %d): %.0f/s, %s; server CPU %.2f ms a loan\n", n, float64(n)/elapsed.Seconds(), pcts(lat),
		float64(cpu.Microseconds())/1000/float64(max(n, 1)))

	// 2. The province's KPI view.
	lat = lat[:0]
	for range kpis {
		t := time.Now()
		code, msg, err := do(client, "GET", base+"/api/v1/funds/kpis", prov, "")
		if err != nil || code != 200 {
			return fmt.Errorf("kpis: %d %s %v", code, msg, err)
		}
		lat = append(lat, time.Since(t))
	}
	fmt.Printf("province KPI view (100 rows, %d reads): %s\n", kpis, pcts(lat))

	// 3. Sixteen officers race for a pool with room for five.
	var walls []time.Duration
	for round := range rounds {
		region := fmt.Sprintf("36%02d%02d", 1+round%10, 31+round/10)
		var ok, full atomic.Int64
		var wg sync.WaitGroup
		t := time.Now()
		for k := range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				body := fmt.Sprintf(`{"enterprise":{"name":"抢额度企业%d","credit_code":"%s","region":"%s","founded":"2021-06-01","route":"biomedicine.tcm"},"amount":100000,"start":"2025-06-01","term_months":24}`,
					k, review.DemoCreditCode(region, 90000+k), region)
				code, msg, err := do(client, "POST", base+"/api/v1/loans", tokens[k], body)
				switch {
				case err == nil && code == http.StatusCreated:
					ok.Add(1)
				case err == nil && code == http.StatusConflict && bytes.Contains([]byte(msg), []byte("capacity_exceeded")):
					full.Add(1)
				default:
					fmt.Fprintf(os.Stderr, "race: %d %s %v\n", code, msg, err)
				}
			}()
		}
		wg.Wait()
		walls = append(walls, time.Since(t))
		code, body, err := do(client, "GET", base+"/api/v1/funds/fund-"+region, prov, "")
		if err != nil || code != 200 {
			return fmt.Errorf("pool %s: %d %s %v", region, code, body, err)
		}
		var p struct{ Capacity, Outstanding int64 }
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			return err
		}
		if ok.Load() != 5 || full.Load() != 11 || p.Outstanding > p.Capacity {
			return fmt.Errorf("round %d: %d registered, %d refused, outstanding %d of capacity %d", round, ok.Load(), full.Load(), p.Outstanding, p.Capacity)
		}
	}
	fmt.Printf("16 concurrent registrations against a pool with room for 5 (%d rounds): exactly 5 each time; wall %s\n", rounds, pcts(walls))
	return nil
}

// cpuTime is the user and system CPU time a process has used (Linux; 0 elsewhere).
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name (which may hold spaces) in parentheses.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * (time.Second / 100) // USER_HZ
}

func pcts(xs []time.Duration) string {
	s := slices.Clone(xs)
	slices.Sort(s)
	at := func(p float64) time.Duration {
		if len(s) == 0 {
			return 0
		}
		return s[min(len(s)-1, int(p*float64(len(s))))].Round(10 * time.Microsecond)
	}
	return fmt.Sprintf("p50 %s, p95 %s, p99 %s, max %s", at(0.5), at(0.95), at(0.99), at(1))
}

// seed writes the scenario through the fund's service on the store in dir
// (without fsync: only the figures measured afterwards need the durable
// store), with the users the benchmark logs in as. Pools 3601–3610 × 31…
// get room for exactly five loans of 100,000 each, for the races.
func seed(ctx context.Context, dir string) error {
	st, err := store.OpenSQLiteWith(ctx, dir, store.SQLiteOptions{NoSync: true})
	if err != nil {
		return err
	}
	defer st.Close()
	ids, err := identity.Open(ctx, st, nil)
	if err != nil {
		return err
	}
	apps, err := review.Open(ctx, st, nil)
	if err != nil {
		return err
	}
	f, err := fund.Open(ctx, st, apps, nil, nil)
	if err != nil {
		return err
	}
	defer f.Flush()
	for i := range 20 {
		if _, err := ids.CreateUser(ctx, nil, identity.NewUser{Username: "bench-officer-" + bankID(i), Password: password, Role: identity.RoleBankOfficer, BankID: bankID(i)}); err != nil {
			return err
		}
	}
	if _, err := ids.CreateUser(ctx, nil, identity.NewUser{Username: "bench-province", Password: password, Role: identity.RoleOfficial, Region: "36"}); err != nil {
		return err
	}
	official := identity.User{ID: "u-bench-prov", Role: identity.RoleOfficial, Region: "36"}
	cs := counties()
	for i, r := range cs {
		if _, err := f.CreatePool(ctx, official, fund.PoolInput{Region: r}); err != nil {
			return err
		}
		if _, _, err := f.Contribute(ctx, official, "fund-"+r, fund.ContributionInput{Year: 2025, Budgeted: 30000000, PaidIn: 30000000, By: "county"}); err != nil {
			return err
		}
		if _, err := f.SetTarget(ctx, official, "fund-"+r, fund.TargetInput{Year: 2025, LoanAmount: int64(50000000 + i*100000), StartupSharePct: 30}); err != nil {
			return err
		}
	}
	for round := range racePools { // the race pools: capacity 500,000 at 1:10
		r := fmt.Sprintf("36%02d%02d", 1+round%10, 31+round/10)
		if _, err := f.CreatePool(ctx, official, fund.PoolInput{Region: r}); err != nil {
			return err
		}
		if _, _, err := f.Contribute(ctx, official, "fund-"+r, fund.ContributionInput{Year: 2025, PaidIn: 50000, By: "county"}); err != nil {
			return err
		}
	}
	var loans []fund.Loan
	for i := range 10000 {
		r := cs[i%100]
		b := bankID(i / 100) // every pool has five loans of each bank
		bank := identity.User{ID: "u-bench-" + b, Role: identity.RoleBankOfficer, BankID: b}
		l, err := f.RegisterLoan(ctx, bank, fund.LoanInput{Enterprise: &fund.Enterprise{Name: fmt.Sprintf("企业%d", i), CreditCode: review.DemoCreditCode(r, i%100000),
			Region: r, Founded: "2020-01-01", Route: "biomedicine.tcm"}, Amount: 100000, Start: "2025-03-01", TermMonths: 24})
		if err != nil {
			return err
		}
		loans = append(loans, l)
	}
	// The 500 defaults fall on banks 00–09 (their ratios pass the suspension
	// line in many pools, as a bad year would); banks 10–19 keep lending.
	var bad []fund.Loan
	for _, l := range loans {
		if l.BankID < bankID(10) {
			bad = append(bad, l)
		}
	}
	for i := range 500 {
		l := bad[i*len(bad)/500]
		bank := identity.User{ID: "u-bench-" + l.BankID, Role: identity.RoleBankOfficer, BankID: l.BankID}
		out := int64(80000)
		if _, err := f.MarkDefault(ctx, bank, l.ID, fund.DefaultInput{Date: "2025-09-01", Outstanding: &out}); err != nil {
			return err
		}
		c, err := f.FileClaim(ctx, bank, l.ID, fund.ClaimInput{Loss: 80000})
		if err != nil {
			return err
		}
		if i%2 == 0 {
			if _, err := f.CloseRecovery(ctx, bank, c.ID); err != nil {
				return err
			}
			if _, err := f.ApproveClaim(ctx, official, c.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// profile fetches the server's CPU profile over d, then its block and
// mutex profiles, into profileDir.
func profile(c *http.Client, addr string, d time.Duration) error {
	if err := os.MkdirAll(profileDir, 0o755); err != nil {
		return err
	}
	pc := &http.Client{Timeout: d + 30*time.Second}
	for _, p := range []struct{ name, path string }{
		{"cpu.prof", fmt.Sprintf("/debug/pprof/profile?seconds=%d", max(1, int(d.Seconds())))},
		{"block.prof", "/debug/pprof/block"},
		{"mutex.prof", "/debug/pprof/mutex"},
	} {
		r, err := pc.Get("http://" + addr + p.path)
		if err != nil {
			return err
		}
		b, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return err
		}
		if err := os.WriteFile(profileDir+"/"+p.name, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func waitReady(c *http.Client, base string) error {
	for end := time.Now().Add(60 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if r, err := c.Get(base + "/readyz"); err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				return nil
			}
		}
	}
	return errors.New("the server did not become ready in 60 s")
}

func login(c *http.Client, base, user string) (string, error) {
	b, _ := json.Marshal(map[string]string{"username": user, "password": password})
	code, body, err := do(c, "POST", base+"/api/v1/auth/login", "", string(b))
	if err != nil || code != 200 {
		return "", fmt.Errorf("log-in of %s: %d %s %v", user, code, body, err)
	}
	var out struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil || out.Token == "" {
		return "", fmt.Errorf("log-in of %s: no token in %s", user, body)
	}
	return out.Token, nil
}

func do(c *http.Client, method, url, token, body string) (int, string, error) {
	req, err := http.NewRequest(method, url, bytes.NewBufferString(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	r, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer r.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(r.Body, 4096))
	return r.StatusCode, string(b), nil
}
