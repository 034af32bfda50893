package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"kedaitong/identity"
	"kedaitong/intel"
	"kedaitong/internal/store"
)

// crawlFeeds serves n small RSS feeds on loopback, each answer delayed,
// and records who fetched what (the crawler's User-Agent names its worker).
type crawlFeeds struct {
	*httptest.Server
	mu   sync.Mutex
	hits map[string][]string // path → user agents
}

func newCrawlFeeds(t *testing.T, delay time.Duration) *crawlFeeds {
	cf := &crawlFeeds{hits: map[string][]string{}}
	cf.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cf.mu.Lock()
		cf.hits[r.URL.Path] = append(cf.hits[r.URL.Path], r.UserAgent())
		cf.mu.Unlock()
		time.Sleep(delay)
		name := strings.TrimPrefix(r.URL.Path, "/")
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>%s</title><item><title>光伏组件价格战加剧 %s</title><guid>%s-1</guid><pubDate>Mon, 02 Mar 2026 10:00:00 +0800</pubDate></item><item><title>锂电企业融资 %s</title><guid>%s-2</guid></item></channel></rss>`, name, name, name, name, name)
	}))
	t.Cleanup(cf.Close)
	return cf
}

func (cf *crawlFeeds) total() int {
	cf.mu.Lock()
	defer cf.mu.Unlock()
	n := 0
	for _, v := range cf.hits {
		n += len(v)
	}
	return n
}

// addFeeds opens the store in dir and adds n sources on the feed server.
func addFeeds(t *testing.T, dir, base string, n int, interval int) {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc, err := intel.Open(ctx, st, intel.Options{FetchAllow: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	an := identity.User{ID: "t", Username: "t", Role: "analyst"}
	for i := range n {
		if _, err := svc.CreateSource(ctx, an, intel.NewSource{URL: fmt.Sprintf("%s/f%03d", base, i), IntervalMinutes: &interval}); err != nil {
			t.Fatal(err)
		}
	}
}

// sourcesHealth reads every source of the store in dir.
func sourcesHealth(t *testing.T, dir string) []intel.Source {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	svc, err := intel.Open(ctx, st, intel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	list, _, err := svc.Sources(ctx, identity.User{Role: "analyst"}, 500, "")
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func crawlCmd(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command(binary, append([]string{"crawl", "--data", dir, "--fetch-allow", "127.0.0.1"}, args...)...)
	cmd.Env = append(os.Environ(), "KEDAI_MONGODB_URI=")
	return cmd
}

func TestCrawlOnceCommand(t *testing.T) {
	dir := t.TempDir()
	feeds := newCrawlFeeds(t, 0)
	addFeeds(t, dir, feeds.URL, 6, 30)
	run := func(args ...string) map[string]float64 {
		t.Helper()
		var out, errb bytes.Buffer
		cmd := crawlCmd(dir, args...)
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("crawl %v: %v\n%s", args, err, errb.String())
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if len(lines) != 1 {
			t.Fatalf("stdout has %d lines, want one JSON line: %q", len(lines), out.String())
		}
		var m map[string]float64
		if err := json.Unmarshal([]byte(lines[0]), &m); err != nil {
			t.Fatalf("not JSON: %q", lines[0])
		}
		for _, k := range []string{"sources", "fetched", "not_modified", "failed", "new_items", "seconds"} {
			if _, ok := m[k]; !ok {
				t.Errorf("summary lacks %q: %s", k, lines[0])
			}
		}
		if strings.Count(errb.String(), "\n") < int(m["sources"]) {
			t.Errorf("progress in a pipe should be one plain line per source: %q", errb.String())
		}
		return m
	}
	m := run("--once")
	if m["sources"] != 6 || m["fetched"] != 6 || m["new_items"] != 12 || m["failed"] != 0 {
		t.Errorf("first --once: %v", m)
	}
	if m = run("--once"); m["sources"] != 0 {
		t.Errorf("second --once (nothing due): %v", m)
	}
	if m = run("--once", "--all"); m["sources"] != 6 || m["new_items"] != 0 || m["not_modified"] != 6 {
		t.Errorf("--once --all: %v", m)
	}
	var errb bytes.Buffer
	cmd := crawlCmd(dir, "--all")
	cmd.Stderr = &errb
	if err := cmd.Run(); err == nil || !strings.Contains(errb.String(), "--all needs --once") {
		t.Errorf("--all without --once: %v %s", err, errb.String())
	}
}

// TestCrawlWorkersShareAndTakeOver runs three crawler processes on one
// SQLite folder and kills one mid-crawl: every feed is fetched and stored,
// the survivors never fetch a feed twice, and a feed the killed worker
// held is fetched again only after its lease expired.
func TestCrawlWorkersShareAndTakeOver(t *testing.T) {
	dir := t.TempDir()
	feeds := newCrawlFeeds(t, 150*time.Millisecond)
	const n = 40
	addFeeds(t, dir, feeds.URL, n, 60)
	var procs []*exec.Cmd
	for range 3 {
		cmd := crawlCmd(dir, "--lease", "5s", "--workers", "4")
		if testing.Verbose() {
			cmd.Stderr = os.Stderr
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		procs = append(procs, cmd)
	}
	defer func() {
		for _, p := range procs {
			p.Process.Kill()
			p.Wait()
		}
	}()
	// Kill the first worker once the crawl is under way.
	deadline := time.Now().Add(20 * time.Second)
	for feeds.total() < 6 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	victim := procs[0].Process.Pid
	procs[0].Process.Signal(syscall.SIGKILL)
	procs[0].Wait()
	killedAt := time.Now()
	// Wait until every source has been fetched successfully.
	deadline = time.Now().Add(40 * time.Second)
	for {
		ok := 0
		for _, s := range sourcesHealth(t, dir) {
			if s.Health.LastStatus == intel.StatusOK {
				ok++
			}
		}
		if ok == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d sources fetched", ok, n)
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, p := range procs[1:] {
		p.Process.Signal(syscall.SIGTERM)
	}
	for _, p := range procs[1:] {
		if err := p.Wait(); err != nil {
			t.Errorf("worker stopped with %v", err)
		}
	}
	tookOver := 0
	feeds.mu.Lock()
	defer feeds.mu.Unlock()
	for i := range n {
		path := fmt.Sprintf("/f%03d", i)
		uas := feeds.hits[path]
		byVictim, byOthers := 0, 0
		for _, ua := range uas {
			if strings.Contains(ua, "-"+strconv.Itoa(victim)+"-") {
				byVictim++
			} else {
				byOthers++
			}
		}
		if byOthers > 1 || byVictim > 1 || byOthers+byVictim == 0 {
			t.Errorf("%s fetched by survivors %d times and by the killed worker %d times, want once (plus at most one lost fetch)", path, byOthers, byVictim)
		}
		if byVictim == 1 && byOthers == 1 {
			tookOver++
		}
	}
	t.Logf("killed worker %d after %s; %d feeds it was fetching were taken over", victim, time.Since(killedAt).Round(time.Millisecond), tookOver)
}
