// Command benchscores measures score-draft saves on the real binary: it
// seeds a fresh data folder with 64 experts who have each accepted one seat
// of 16 panels (on the default durable store: SQLite WAL, synchronous=FULL),
// starts `kedaitong serve` on it, logs the experts in and has all 64 save
// drafts (PUT /api/v1/assignments/{id}/score) as fast as the server answers,
// one request in flight per expert, for a fixed time. It prints saves/s and
// the latency percentiles seen by the clients.
//
//	go build -o bin/kedaitong ./cmd/kedaitong && go run ./scripts/benchscores -bin bin/kedaitong
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
	"syscall"
	"time"

	"kedaitong/experts"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/review"
	"kedaitong/review/panel"
)

const password = "Bench-scores-2026"

var profileDir string

func main() {
	bin := flag.String("bin", "bin/kedaitong", "the kedaitong binary")
	dur := flag.Duration("duration", 10*time.Second, "how long the 64 experts save")
	clients := flag.Int("experts", 64, "concurrent experts (a multiple of 4)")
	keep := flag.String("data", "", "data folder to use (default: a fresh temporary one, removed after)")
	flag.StringVar(&profileDir, "profile", "", "with a binary built with -tags pprof: write the server's CPU, block and mutex profiles of the saving phase to this folder")
	flag.Parse()
	if err := run(*bin, *dur, *clients, *keep); err != nil {
		fmt.Fprintln(os.Stderr, "benchscores:", err)
		os.Exit(1)
	}
}

type seat struct {
	user, assignment string
}

func run(bin string, dur time.Duration, n int, dir string) error {
	ctx := context.Background()
	if dir == "" {
		d, err := os.MkdirTemp("", "benchscores-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	t0 := time.Now()
	seats, err := seed(ctx, dir, n)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	fmt.Printf("seeded %d accepted seats in %s\n", len(seats), time.Since(t0).Round(time.Millisecond))

	addr, err := freeAddr()
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, "serve", "--addr", addr, "--data", dir, "--crawl=false", "--log-level", "warn")
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
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2 * n, MaxConnsPerHost: 2 * n}, Timeout: 30 * time.Second}
	if err := waitReady(client, base); err != nil {
		return err
	}
	tokens := make([]string, len(seats))
	var wg sync.WaitGroup
	errs := make(chan error, len(seats))
	gate := make(chan struct{}, 2) // log-ins are argon2id: two at a time
	for i, s := range seats {
		wg.Add(1)
		go func() {
			defer wg.Done()
			gate <- struct{}{}
			defer func() { <-gate }()
			tok, err := login(client, base, s.user)
			tokens[i] = tok
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}

	var saves, failures atomic.Int64
	lat := make([][]time.Duration, len(seats))
	cpu0, cpuErr := procCPU(cmd.Process.Pid)
	self0 := selfCPU()
	io0, ioErr := procWritten(cmd.Process.Pid)
	ws0, wsErr := writeStats(client, base)
	deadline := time.Now().Add(dur)
	start := time.Now()
	profiled := make(chan error, 1)
	if profileDir != "" {
		go func() { profiled <- profile(client, pprofAddr, dur-time.Second) }()
	} else {
		profiled <- nil
	}
	for i, s := range seats {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; time.Now().Before(deadline) && k < 480; k++ {
				body := fmt.Sprintf(`{"criteria":{"originality":%d,"barriers":6,"industrialisation":7,"team":5,"maturity":6,"rd_ip":7,"market":%d},"recommendation":"support","confidence":2,"comment":"第%d稿：技术路线可行，量产良率待验证。"}`, 1+k%9, 1+(k+i)%9, k)
				t := time.Now()
				code, msg, err := do(client, "PUT", base+"/api/v1/assignments/"+s.assignment+"/score", tokens[i], body)
				d := time.Since(t)
				if err != nil || code != 200 {
					if failures.Add(1) <= 5 {
						fmt.Fprintf(os.Stderr, "save failed: %d %s %v\n", code, msg, err)
					}
					continue
				}
				lat[i] = append(lat[i], d)
				saves.Add(1)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu1, cpuErr1 := procCPU(cmd.Process.Pid)
	self1 := selfCPU()
	io1, ioErr1 := procWritten(cmd.Process.Pid)
	ws1, wsErr1 := writeStats(client, base)
	if err := <-profiled; err != nil {
		fmt.Fprintln(os.Stderr, "profile:", err)
	}
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	pct := func(p float64) time.Duration {
		if len(all) == 0 {
			return 0
		}
		return all[min(len(all)-1, int(p*float64(len(all))))]
	}
	fmt.Printf("%d experts, %d saves in %s: %.0f saves/s, p50 %s, p95 %s, p99 %s, max %s, %d failed\n",
		len(seats), saves.Load(), elapsed.Round(time.Millisecond), float64(saves.Load())/elapsed.Seconds(),
		pct(0.50).Round(10*time.Microsecond), pct(0.95).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond),
		pct(1).Round(10*time.Microsecond), failures.Load())
	if n := saves.Load(); n > 0 && cpuErr == nil && cpuErr1 == nil {
		srv, cli := cpu1-cpu0, self1-self0
		fmt.Printf("CPU: server %.3f ms per save (%.2f cores), these clients %.3f ms per save (%.2f cores)\n",
			float64(srv.Microseconds())/1000/float64(n), srv.Seconds()/elapsed.Seconds(),
			float64(cli.Microseconds())/1000/float64(n), cli.Seconds()/elapsed.Seconds())
	}
	if n := saves.Load(); n > 0 && ioErr == nil && ioErr1 == nil {
		fmt.Printf("I/O: server wrote %.1f KB per save (write and pwrite calls: WAL frames, checkpoints, answers)\n",
			float64(io1-io0)/1024/float64(n))
	}
	if n := saves.Load(); n > 0 && wsErr == nil && wsErr1 == nil && ws1[0] > ws0[0] {
		b, o := ws1[0]-ws0[0], ws1[1]-ws0[1]
		fmt.Printf("store: %d commits (%.0f/s), %d writes (%.1f a save, %.1f a commit)\n",
			b, float64(b)/elapsed.Seconds(), o, float64(o)/float64(n), float64(o)/float64(b))
	}
	if failures.Load() > 0 {
		return errors.New("some saves failed")
	}
	return nil
}

// procCPU is the user + system CPU time the process has used so far
// (Linux: /proc/PID/stat, in clock ticks of 1/100 s).
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces: count fields after its ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("unexpected /proc stat")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("unexpected /proc stat")
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64) // field 14: utime
	st, err2 := strconv.ParseInt(f[12], 10, 64) // field 15: stime
	if err1 != nil || err2 != nil {
		return 0, errors.New("unexpected /proc stat")
	}
	return time.Duration(ut+st) * 10 * time.Millisecond, nil
}

// procWritten is the bytes the process has passed to write calls so far
// (Linux: wchar of /proc/PID/io).
func procWritten(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "wchar: "); ok {
			return strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		}
	}
	return 0, errors.New("no wchar in /proc/PID/io")
}

// writeStats reads the store's group-commit counters from /metrics:
// transactions committed and the writes they held.
func writeStats(c *http.Client, base string) ([2]int64, error) {
	var out [2]int64
	r, err := c.Get(base + "/metrics")
	if err != nil {
		return out, err
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		return out, err
	}
	found := 0
	for _, l := range strings.Split(string(b), "\n") {
		for i, name := range []string{"kedai_store_write_batches_total ", "kedai_store_write_ops_total "} {
			if v, ok := strings.CutPrefix(l, name); ok {
				f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil {
					return out, err
				}
				out[i] = int64(f)
				found++
			}
		}
	}
	if found != 2 {
		return out, errors.New("no store write counters in /metrics")
	}
	return out, nil
}

// selfCPU is the CPU time this process (the clients) has used so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// seed creates n experts (a quarter academicians, half industry, a quarter
// finance), their accounts, n/4 submitted applications, runs the panel
// assignment and accepts every invitation. It writes through the domain
// services on the durable store, then closes it.
func seed(ctx context.Context, dir string, n int) ([]seat, error) {
	st, err := store.OpenSQLite(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	ids, err := identity.Open(ctx, st, nil)
	if err != nil {
		return nil, err
	}
	rs, err := review.Open(ctx, st, nil)
	if err != nil {
		return nil, err
	}
	es, err := experts.Open(ctx, st, nil)
	if err != nil {
		return nil, err
	}
	ps, err := panel.Open(ctx, st, rs, es, nil, panel.Options{})
	if err != nil {
		return nil, err
	}
	admin := identity.User{ID: "u-bench-admin", Username: "bench-admin", Role: identity.RoleAdmin}
	users := map[string]identity.User{}
	one := 1
	for k := range n {
		tier := []string{"academician", "industry", "industry", "finance"}[k%4]
		id := fmt.Sprintf("bx%03d", k)
		if _, err := es.Create(ctx, admin, experts.Input{ID: id, Name: fmt.Sprintf("压测专家%03d", k), Tier: tier,
			Fields: []string{"semiconductors.ic-design"}, Capacity: &one}); err != nil {
			return nil, fmt.Errorf("expert %s: %w", id, err)
		}
		u, err := ids.CreateUser(ctx, nil, identity.NewUser{Username: "bench-" + id, Password: password, Role: identity.RoleExpert, ExpertID: id})
		if err != nil {
			return nil, fmt.Errorf("user of %s: %w", id, err)
		}
		users[id] = u
	}
	bank := identity.User{ID: "u-bench-officer", Username: "bench-officer", Role: identity.RoleBankOfficer, BankID: "ganzhou-bank"}
	var apps []string
	for k := range n / 4 {
		in := review.Input{
			Enterprise: review.Enterprise{Name: fmt.Sprintf("赣州压测%d科技有限公司", k+1), CreditCode: review.DemoCreditCode("360702", 9000+k), Region: "360702",
				Founded: "2021-03-15", Route: "semiconductors.ic-design", Staff: 60, RDStaff: 25,
				Revenue: []int64{12000000, 9000000}, NetProfit: []int64{-3000000, -4500000}, RDSpend: 6000000,
				InventionPatents: 5, PendingPatents: 3, Maturity: "pilot"},
			Loan:    review.Loan{Amount: 3000000, TermMonths: 24, Purpose: "流片与量产验证"},
			Summary: "28nm 低功耗电源管理芯片设计。",
		}
		v, err := rs.Create(ctx, bank, in)
		if err != nil {
			return nil, fmt.Errorf("application: %w", err)
		}
		if _, err := rs.Submit(ctx, bank, v.ID); err != nil {
			return nil, fmt.Errorf("submit: %w", err)
		}
		apps = append(apps, v.ID)
	}
	if _, err := ps.Run(ctx, admin); err != nil {
		return nil, fmt.Errorf("panel run: %w", err)
	}
	var seats []seat
	for _, app := range apps {
		_, as, err := ps.Seats(ctx, app)
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			u, ok := users[a.ExpertID]
			if !ok {
				continue
			}
			if _, err := ps.Accept(ctx, u, a.ID); err != nil {
				return nil, fmt.Errorf("accept %s: %w", a.ID, err)
			}
			seats = append(seats, seat{user: u.Username, assignment: a.ID})
		}
	}
	if len(seats) != n {
		return nil, fmt.Errorf("%d accepted seats, want %d", len(seats), n)
	}
	return seats, nil
}

// profile fetches the server's CPU profile over d, then its block, mutex
// and allocation profiles, into profileDir.
func profile(c *http.Client, addr string, d time.Duration) error {
	if err := os.MkdirAll(profileDir, 0o755); err != nil {
		return err
	}
	pc := &http.Client{Timeout: d + 30*time.Second}
	for _, p := range []struct{ name, path string }{
		{"cpu.prof", fmt.Sprintf("/debug/pprof/profile?seconds=%d", max(1, int(d.Seconds())))},
		{"block.prof", "/debug/pprof/block"},
		{"mutex.prof", "/debug/pprof/mutex"},
		{"allocs.prof", "/debug/pprof/allocs"}, // since the start (the seeding is another process)
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
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(50 * time.Millisecond) {
		if r, err := c.Get(base + "/readyz"); err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				return nil
			}
		}
	}
	return errors.New("the server did not become ready in 30 s")
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
