package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binary is the kedaitong binary built once for the end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "kedaitong-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "kedaitong")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// proc is a running `kedaitong serve`.
type proc struct {
	t      *testing.T
	cmd    *exec.Cmd
	url    string
	mu     sync.Mutex
	stdout bytes.Buffer
	done   chan error
	urlc   chan string // launch: where it serves
}

var servingRE = regexp.MustCompile(`serving on (http://\S+)`)

// startServer runs `kedaitong serve` on a free loopback port and waits until
// it says where it serves.
func startServer(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, done: make(chan error, 1)}
	p.cmd = exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Env = append(p.cmd.Env, "KEDAI_MONGODB_URI=")
	out, _ := p.cmd.StdoutPipe()
	p.cmd.Stderr = io.Discard
	if testing.Verbose() {
		p.cmd.Stderr = os.Stderr
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.stdout.WriteString(line + "\n")
			p.mu.Unlock()
			if m := servingRE.FindStringSubmatch(line); m != nil {
				urlc <- m[1]
			}
		}
	}()
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() { p.kill() })
	select {
	case p.url = <-urlc:
	case err := <-p.done:
		t.Fatalf("server exited before serving: %v\n%s", err, p.output())
	case <-time.After(60 * time.Second):
		t.Fatalf("server did not start\n%s", p.output())
	}
	return p
}

func (p *proc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stdout.String()
}

func (p *proc) kill() {
	if p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Kill()
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
		}
	}
}

type reply struct {
	status int
	body   []byte
}

func (r reply) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("not JSON: %s", r.body)
	}
	return m
}

func (p *proc) call(method, path, token, body string) reply {
	p.t.Helper()
	req, _ := http.NewRequest(method, p.url+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Cookie", "kedai_session="+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return reply{res.StatusCode, b}
}

func (p *proc) login(user, pw string) string {
	p.t.Helper()
	r := p.call("POST", "/api/v1/auth/login", "", fmt.Sprintf(`{"username":%q,"password":%q}`, user, pw))
	if r.status != 200 {
		p.t.Fatalf("login %s: %d %s", user, r.status, r.body)
	}
	return r.json(p.t)["token"].(string)
}

var adminPWRE = regexp.MustCompile(`(?m)^\s{4}(\S{20,})\s*$`)

// adminPassword reads the first admin's password the server printed once.
func (p *proc) adminPassword() string {
	p.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if m := adminPWRE.FindStringSubmatch(p.output()); m != nil {
			return m[1]
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.t.Fatalf("no admin password printed:\n%s", p.output())
	return ""
}

func TestServeFreshStorePrintsAdminOnce(t *testing.T) {
	dir := t.TempDir()
	p := startServer(t, nil, "--data", dir)
	pw := p.adminPassword()
	tok := p.login("admin", pw)
	if r := p.call("GET", "/api/v1/me", tok, ""); r.status != 200 || r.json(t)["role"] != "admin" {
		t.Fatalf("/me = %d %s", r.status, r.body)
	}
	if r := p.call("GET", "/readyz", "", ""); r.status != 200 {
		t.Fatalf("readyz = %d", r.status)
	}
	p.kill()
	// A restart on the same folder prints no new password.
	p2 := startServer(t, nil, "--data", dir)
	time.Sleep(200 * time.Millisecond)
	if strings.Contains(p2.output(), "shown once") {
		t.Errorf("restart printed a new admin password:\n%s", p2.output())
	}
	p2.login("admin", pw)
}

func TestServeDemo(t *testing.T) {
	p := startServer(t, nil, "--data", t.TempDir(), "--demo")
	out := p.output()
	for _, want := range []string{"Demo log-ins", "gzbank.officer", "official.ganzhou"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	p.login("gzbank.officer", "Kedai-demo-2026")
}

// TestKill9KeepsAcknowledgedWrites writes through the API, kills the server
// with SIGKILL, restarts it, and finds every acknowledged write.
func TestKill9KeepsAcknowledgedWrites(t *testing.T) {
	dir := t.TempDir()
	p := startServer(t, nil, "--data", dir)
	tok := p.login("admin", p.adminPassword())
	var acked []string
	var wg sync.WaitGroup
	var mu sync.Mutex
	stop := make(chan struct{})
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				name := fmt.Sprintf("analyst-%d-%d", w, i)
				req, _ := http.NewRequest("POST", p.url+"/api/v1/users", strings.NewReader(fmt.Sprintf(`{"username":%q,"password":"Durable pass 2026","role":"analyst"}`, name)))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Cookie", "kedai_session="+tok)
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					return // the server is gone
				}
				res.Body.Close()
				if res.StatusCode == 201 {
					mu.Lock()
					acked = append(acked, name)
					mu.Unlock()
				}
			}
		}(w)
	}
	// Kill once enough writes are acknowledged (password hashing makes each
	// one slow on a loaded CI machine), mid-stream of the next ones.
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 8 {
			break
		}
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done
	close(stop)
	wg.Wait()
	if len(acked) < 5 {
		t.Fatalf("only %d writes acknowledged before the kill", len(acked))
	}
	p2 := startServer(t, nil, "--data", dir)
	tok = p2.login("admin", p.adminPassword())
	have := map[string]bool{}
	cur := ""
	for {
		r := p2.call("GET", "/api/v1/users?limit=500&cursor="+cur, tok, "")
		m := r.json(t)
		for _, it := range m["items"].([]any) {
			have[it.(map[string]any)["username"].(string)] = true
		}
		cur, _ = m["next_cursor"].(string)
		if cur == "" {
			break
		}
	}
	for _, n := range acked {
		if !have[n] {
			t.Errorf("acknowledged user %s lost after kill -9", n)
		}
	}
	t.Logf("%d acknowledged writes, all present after kill -9", len(acked))
	// The audit chain survived too.
	out, err := exec.Command(binary, "audit", "verify", "--data", dir).CombinedOutput()
	if err != nil {
		t.Errorf("audit verify after kill -9: %v\n%s", err, out)
	}
}

func TestStartupFailsFast(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
		max  time.Duration
	}{
		{"data folder under a file", []string{"--data", filepath.Join(writeFile(t), "sub")}, "store", 5 * time.Second},
		{"MongoDB that does not answer", []string{"--mongodb-uri", "mongodb://127.0.0.1:1/kedai?serverSelectionTimeoutMS=60000"}, "store", 14 * time.Second},
		{"bad flag value", []string{"--crawl=maybe"}, "crawl", 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			cmd := exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0"}, tt.args...)...)
			cmd.Env = append(os.Environ(), "KEDAI_MONGODB_URI=")
			out, err := cmd.CombinedOutput()
			took := time.Since(start)
			if err == nil {
				t.Fatalf("serve started:\n%s", out)
			}
			if took > tt.max {
				t.Errorf("took %v to fail, want under %v", took, tt.max)
			}
			if !strings.Contains(strings.ToLower(string(out)), tt.want) {
				t.Errorf("message does not mention %q:\n%s", tt.want, out)
			}
		})
	}
}

func writeFile(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "afile")
	os.WriteFile(p, []byte("x"), 0o644)
	return p
}

func TestGracefulShutdown(t *testing.T) {
	p := startServer(t, nil, "--data", t.TempDir())
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no exit 10 s after SIGTERM")
	}
}

// TestTwoServersShareChanges: two servers on one SQLite folder; a policy
// change and a disabled account made on one take effect on the other within 5 s.
func TestTwoServersShareChanges(t *testing.T) {
	dir := t.TempDir()
	a := startServer(t, nil, "--data", dir)
	pw := a.adminPassword()
	b := startServer(t, nil, "--data", dir)
	adminA := a.login("admin", pw)
	if r := a.call("POST", "/api/v1/users", adminA, `{"username":"wu.analyst","password":"Analyst pass 2026","role":"analyst"}`); r.status != 201 {
		t.Fatalf("create analyst: %d %s", r.status, r.body)
	}
	analystB := b.login("wu.analyst", "Analyst pass 2026")
	if r := b.call("GET", "/api/v1/audit", analystB, ""); r.status != 403 {
		t.Fatalf("analyst reads audit on B before the change = %d, want 403", r.status)
	}
	// Allow analysts to read the audit log, on A.
	if r := a.call("POST", "/api/v1/policies", adminA, `{"role":"analyst","obj":"audit","act":"read"}`); r.status != 201 {
		t.Fatalf("add policy: %d %s", r.status, r.body)
	}
	waitFor(t, 5*time.Second, "B to allow the analyst", func() bool { return b.call("GET", "/api/v1/audit", analystB, "").status == 200 })
	if r := a.call("POST", "/api/v1/policies/remove", adminA, `{"role":"analyst","obj":"audit","act":"read"}`); r.status != 200 {
		t.Fatalf("remove policy: %d %s", r.status, r.body)
	}
	waitFor(t, 5*time.Second, "B to deny the analyst again", func() bool { return b.call("GET", "/api/v1/audit", analystB, "").status == 403 })
	// Disabling the account on A ends its session on B.
	r := a.call("GET", "/api/v1/users?limit=500", adminA, "")
	var id string
	for _, it := range r.json(t)["items"].([]any) {
		if u := it.(map[string]any); u["username"] == "wu.analyst" {
			id = u["id"].(string)
		}
	}
	if r := a.call("PATCH", "/api/v1/users/"+id, adminA, `{"disabled":true}`); r.status != 200 {
		t.Fatalf("disable: %d %s", r.status, r.body)
	}
	waitFor(t, 5*time.Second, "B to end the disabled user's session", func() bool { return b.call("GET", "/api/v1/me", analystB, "").status == 401 })
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("waited %v for %s", d, what)
}

func TestCommandsHelpAndErrors(t *testing.T) {
	for _, c := range []string{"serve", "match", "classify", "crawl", "backup", "user", "audit"} {
		cmd := exec.Command(binary, c, "--help")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("%s --help: %v\n%s", c, err, out)
		}
		if !strings.Contains(string(out), "Usage: kedaitong "+c) {
			t.Errorf("%s --help lacks its usage:\n%s", c, out)
		}
	}
	out, err := exec.Command(binary, "nonsense").CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Errorf("unknown command: %v %s", err, out)
	}
}

func TestUserAddAndBackup(t *testing.T) {
	dir := t.TempDir()
	run := func(stdin string, args ...string) (string, int) {
		cmd := exec.Command(binary, args...)
		cmd.Env = append(os.Environ(), "KEDAI_MONGODB_URI=")
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), code
	}
	if out, code := run("Officer pass 2026\n", "user", "add", "--username", "zhao", "--role", "bank_officer", "--bank", "gzb", "--data", dir); code != 0 {
		t.Fatalf("user add: %d %s", code, out)
	}
	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
	}{
		{"duplicate", "Officer pass 2026\n", []string{"--username", "zhao", "--role", "analyst"}},
		{"unknown role", "Officer pass 2026\n", []string{"--username", "a1", "--role", "boss"}},
		{"bank role without bank", "Officer pass 2026\n", []string{"--username", "a2", "--role", "bank_manager"}},
		{"weak password", "1234567890\n", []string{"--username", "a3", "--role", "analyst"}},
		{"no password", "", []string{"--username", "a4", "--role", "analyst"}},
	} {
		out, code := run(tc.stdin, append(append([]string{"user", "add"}, tc.args...), "--data", dir)...)
		if code == 0 {
			t.Errorf("%s: accepted: %s", tc.name, out)
		}
		if !strings.Contains(out, "kedaitong user add") {
			t.Errorf("%s: unclear message %q", tc.name, out)
		}
	}
	// A backup taken while a server runs holds the user, and opens as a store.
	p := startServer(t, nil, "--data", dir)
	_ = p
	bk := filepath.Join(t.TempDir(), "backup.db")
	if out, code := run("", "backup", "--out", bk, "--data", dir); code != 0 {
		t.Fatalf("backup: %d %s", code, out)
	}
	if out, code := run("", "backup", "--out", bk, "--data", dir); code == 0 {
		t.Errorf("backup overwrote an existing file: %s", out)
	}
	restored := t.TempDir()
	if err := os.Rename(bk, filepath.Join(restored, "kedaitong.db")); err != nil {
		t.Fatal(err)
	}
	p2 := startServer(t, nil, "--data", restored)
	p2.login("zhao", "Officer pass 2026")
	if out, code := run("", "audit", "verify", "--data", restored); code != 0 || !strings.Contains(out, "intact") {
		t.Errorf("audit verify on the restored copy: %d %s", code, out)
	}
	_ = context.Background
}
