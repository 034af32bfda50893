package main

import (
	"bufio"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// launch starts `kedaitong serve` without waiting for it; wait returns the
// address it serves on, or what it printed before it died.
func launch(t *testing.T, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, done: make(chan error, 1)}
	p.cmd = exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0", "--rate-limit", "0", "--crawl=false"}, args...)...)
	p.cmd.Env = append(os.Environ(), "KEDAI_MONGODB_URI=")
	out, _ := p.cmd.StdoutPipe()
	errOut, _ := p.cmd.StderrPipe()
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urlc := make(chan string, 1)
	var wg sync.WaitGroup
	read := func(r io.Reader, prefix string) {
		defer wg.Done()
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.stdout.WriteString(prefix + line + "\n")
			p.mu.Unlock()
			if m := servingRE.FindStringSubmatch(line); m != nil {
				urlc <- m[1]
			}
		}
	}
	wg.Add(2)
	go read(out, "")
	go read(errOut, "stderr: ")
	go func() { wg.Wait(); p.done <- p.cmd.Wait() }()
	p.urlc = urlc
	t.Cleanup(func() { p.kill() })
	return p
}

// wait waits for the server to serve (or die) and returns "" or why not.
func (p *proc) wait(d time.Duration) string {
	select {
	case p.url = <-p.urlc:
		return ""
	case err := <-p.done:
		p.done <- err
		return "exited: " + errString(err) + "\n" + p.output()
	case <-time.After(d):
		return "not serving after " + d.String() + "\n" + p.output()
	}
}

func errString(err error) string {
	if err == nil {
		return "exit 0"
	}
	return err.Error()
}

func (p *proc) ready() int {
	res, err := http.Get(p.url + "/readyz")
	if err != nil {
		return 0
	}
	res.Body.Close()
	return res.StatusCode
}

// startTogether starts n servers on one fresh folder at the same instant
// and requires every one to come up and answer /readyz.
func startTogether(t *testing.T, n int, dir string, args ...string) []*proc {
	t.Helper()
	ps := make([]*proc, n)
	for i := range ps {
		ps[i] = launch(t, append([]string{"--data", dir}, args...)...)
	}
	var failed []string
	for i, p := range ps {
		if why := p.wait(120 * time.Second); why != "" {
			failed = append(failed, why)
			continue
		}
		ok := false
		for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			if p.ready() == 200 {
				ok = true
				break
			}
		}
		if !ok {
			failed = append(failed, "server "+string(rune('0'+i))+" never ready\n"+p.output())
		}
	}
	if len(failed) > 0 {
		t.Fatalf("%d of %d servers started together did not come up:\n%s", len(failed), n, strings.Join(failed, "\n----\n"))
	}
	return ps
}

// count reports how many of the servers printed s.
func count(ps []*proc, s string) int {
	n := 0
	for _, p := range ps {
		n += strings.Count(p.output(), s)
	}
	return n
}

// Ten servers started at the same instant on one fresh folder all come
// up; exactly one prepares the store (one first admin).
func TestDurabilityTenServersStartTogether(t *testing.T) {
	dir := t.TempDir()
	ps := startTogether(t, 10, dir)
	if got := count(ps, "password"); got != 1 {
		t.Errorf("the first admin's password was printed %d times, want once", got)
	}
	pw := ""
	for _, p := range ps {
		if m := adminPWRE.FindStringSubmatch(p.output()); m != nil {
			pw = m[1]
		}
	}
	if pw == "" {
		t.Fatal("no admin password printed")
	}
	// Every server knows the one admin.
	for _, p := range ps {
		tok := p.login("admin", pw)
		r := p.call("GET", "/api/v1/users?limit=500", tok, "")
		if r.status != 200 {
			t.Fatalf("users = %d %s", r.status, r.body)
		}
		if items := r.json(t)["items"].([]any); len(items) != 1 {
			t.Errorf("%d users on a fresh store, want the one admin", len(items))
		}
	}
}

// With --demo, ten servers started together seed the demo data exactly
// once: the same figures as one server alone.
func TestDurabilityTenDemoServersSeedOnce(t *testing.T) {
	base := launch(t, "--data", t.TempDir(), "--demo")
	if why := base.wait(120 * time.Second); why != "" {
		t.Fatal(why)
	}
	want := demoFigures(t, base)
	base.kill()

	ps := startTogether(t, 10, t.TempDir(), "--demo")
	if got := count(ps, "Demo log-ins"); got != 1 {
		t.Errorf("the demo log-ins were printed %d times, want once", got)
	}
	// Nothing about the start itself went wrong on any server: no raw
	// constraint failure, no lost race over the bootstrap or a singleton.
	for _, p := range ps {
		for _, line := range strings.Split(p.output(), "\n") {
			if !strings.HasPrefix(line, "stderr: ") || strings.Contains(line, `"level":"INFO"`) || strings.Contains(line, `"level":"DEBUG"`) {
				continue
			}
			for _, bad := range []string{"UNIQUE", "bootstrap", "conflict", "seed", "already exists"} {
				if strings.Contains(line, bad) {
					t.Errorf("a server complained: %s", line)
					break
				}
			}
		}
	}
	for i, p := range ps {
		if got := demoFigures(t, p); got != want {
			t.Errorf("server %d sees %+v, one server alone seeds %+v", i, got, want)
		}
	}
}

type figures struct{ users, experts, applications, consultations, sources int }

// demoFigures counts the demo data as the admin sees it.
func demoFigures(t *testing.T, p *proc) figures {
	t.Helper()
	tok := p.login("admin", demoPW)
	n := func(path string) int {
		total, cursor := 0, ""
		for {
			url := path + "?limit=500"
			if cursor != "" {
				url += "&cursor=" + cursor
			}
			r := p.call("GET", url, tok, "")
			if r.status != 200 {
				t.Fatalf("%s = %d %s", path, r.status, r.body)
			}
			m := r.json(t)
			total += len(m["items"].([]any))
			cursor, _ = m["next_cursor"].(string)
			if cursor == "" {
				return total
			}
		}
	}
	return figures{users: n("/api/v1/users"), experts: n("/api/v1/experts"), applications: n("/api/v1/applications"),
		consultations: n("/api/v1/consultations"), sources: n("/api/v1/sources")}
}

// SIGTERM: the server stops accepting, lets the request in flight finish,
// exits 0 within the grace; a second server on the same folder keeps
// serving meanwhile.
func TestDurabilityGracefulShutdown(t *testing.T) {
	dir := t.TempDir()
	ps := startTogether(t, 2, dir, "--shutdown-grace", "5s")
	a, b := ps[0], ps[1]
	// A request in flight when the signal comes: a large export is slow
	// enough on a fresh store? Use an upload body sent slowly instead: the
	// request is read while the server shuts down.
	pr, pw := io.Pipe()
	req, _ := http.NewRequest("POST", a.url+"/api/v1/auth/login", pr)
	req.Header.Set("Content-Type", "application/json")
	resc := make(chan int, 1)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			resc <- 0
			return
		}
		res.Body.Close()
		resc <- res.StatusCode
	}()
	io.WriteString(pw, `{"username":"admin",`)
	time.Sleep(200 * time.Millisecond) // the request is in flight
	start := time.Now()
	if err := a.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if _, err := http.Get(a.url + "/healthz"); err == nil {
		t.Error("the stopping server still accepts new connections")
	}
	if b.ready() != 200 {
		t.Error("the second server stopped answering while the first shut down")
	}
	io.WriteString(pw, `"password":"wrong password here"}`)
	pw.Close()
	if got := <-resc; got != 401 {
		t.Errorf("the request in flight got %d, want its answer (401)", got)
	}
	select {
	case err := <-a.done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v\n%s", err, a.output())
		}
		if d := time.Since(start); d > 6*time.Second {
			t.Errorf("took %v to stop, grace 5s", d)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no exit 10 s after SIGTERM\n%s", a.output())
	}
	if b.ready() != 200 {
		t.Error("the second server is not ready after the first stopped")
	}
	// A request that outlives the grace is cut and the exit is still 0
	// within the grace.
	pr2, pw2 := io.Pipe()
	defer pw2.Close()
	req2, _ := http.NewRequest("POST", b.url+"/api/v1/auth/login", pr2)
	req2.Header.Set("Content-Type", "application/json")
	go func() {
		if res, err := http.DefaultClient.Do(req2); err == nil {
			res.Body.Close()
		}
	}()
	io.WriteString(pw2, `{"username":`)
	time.Sleep(200 * time.Millisecond)
	start = time.Now()
	_ = b.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-b.done:
		if err != nil {
			t.Errorf("exit with a request outliving the grace: %v", err)
		}
		if d := time.Since(start); d > 8*time.Second {
			t.Errorf("took %v to stop, grace 5s", d)
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("no exit 15 s after SIGTERM with a stuck request\n%s", b.output())
	}
}

func tryDo(base, method, path, token string) (int, error) {
	req, _ := http.NewRequest(method, base+path, nil)
	if token != "" {
		req.Header.Set("Cookie", "kedai_session="+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	return res.StatusCode, nil
}
