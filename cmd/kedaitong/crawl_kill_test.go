package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"kedaitong/identity"
	"kedaitong/intel"
	"kedaitong/internal/store"
	"kedaitong/riskmap"
)

// TestCrawlKill9KeepsRiskmapExact kills `kedaitong crawl --once` with
// SIGKILL in the middle of a first crawl, twice, then lets a crawler finish:
// every item of every feed is stored once, no ingest journal is left, and
// the risk map's day counters equal exactly the counts of the stored
// items — no batch lost between its items and its counters, none counted
// twice by the repair.
func TestCrawlKill9KeepsRiskmapExact(t *testing.T) {
	const feeds, items = 120, 40
	bodies := make([][]byte, feeds)
	for f := range bodies {
		bodies[f] = benchFeed(f, items)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var f int
		fmt.Sscanf(r.URL.Path, "/f/%d", &f)
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(bodies[f%feeds])
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	dir := t.TempDir()
	ctx := context.Background()
	func() {
		st, err := store.OpenSQLite(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		svc, err := intel.Open(ctx, st, intel.Options{FetchAllow: "127.0.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		for f := range feeds {
			if _, err := svc.CreateSource(ctx, identity.User{ID: "t", Role: "analyst"}, intel.NewSource{URL: fmt.Sprintf("http://%s/f/%d", ln.Addr(), f)}); err != nil {
				t.Fatal(err)
			}
		}
	}()
	var logs strings.Builder
	// Killed when the first source is done: with four fetch slots, sixteen
	// sources are being stored at once, so batches are caught at every
	// step (journal written, items stored, counted, settled).
	for round, after := range []int{1, 1} {
		cmd := crawlCmd(dir, "--once", "--lease", "5s", "--workers", "4")
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stderr)
		seen := 0
		for sc.Scan() {
			logs.WriteString(sc.Text() + "\n")
			if strings.HasPrefix(sc.Text(), "[") {
				if seen++; seen == after {
					cmd.Process.Signal(syscall.SIGKILL)
					break
				}
			}
		}
		go func() { // drain, so a process not yet dead is not blocked
			for sc.Scan() {
			}
		}()
		cmd.Wait()
		if seen < after {
			t.Fatalf("round %d: the crawl ended after %d sources, before the kill:\n%s", round, seen, logs.String())
		}
		time.Sleep(5500 * time.Millisecond) // the dead crawler's leases run out
	}
	var out, errb bytes.Buffer
	cmd := crawlCmd(dir, "--once", "--lease", "5s")
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("the crawl after the kills: %v\n%s", err, errb.String())
	}
	var sum intel.Summary
	if err := json.Unmarshal(out.Bytes(), &sum); err != nil || sum.Failed != 0 {
		t.Fatalf("summary %q (%v)\n%s", out.String(), err, errb.String())
	}
	repaired := strings.Count(logs.String()+errb.String(), "completed interrupted ingest batches")
	t.Logf("after the kills: %+v; crawls that started by repairing batches: %d", sum, repaired)
	if sum.NewItems == 0 {
		t.Fatal("the kills came after the crawls had ended: the test proves nothing")
	}

	st, err := store.OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	in, err := intel.Open(ctx, st, intel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var stored []intel.Item
	f := intel.ItemFilter{Limit: 500}
	for {
		page, next, err := in.Items(ctx, identity.User{ID: "adm", Role: identity.RoleAdmin}, f)
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, page...)
		if next == "" {
			break
		}
		f.Cursor = next
	}
	if len(stored) != feeds*items {
		t.Errorf("%d items stored, want %d", len(stored), feeds*items)
	}
	journals, err := st.Collection(ctx, intel.JournalDef)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := journals.Count(ctx, store.Query{}); err != nil || n != 0 {
		t.Errorf("%d ingest journals left (%v), want none", n, err)
	}
	want := riskmap.Deltas(stored)
	days, err := st.Collection(ctx, riskmap.DaysDef)
	if err != nil {
		t.Fatal(err)
	}
	p, err := days.Find(ctx, store.Query{Range: &store.Range{Field: "day", Gt: int64(0)}, Sort: "day"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[riskmap.Day]map[string]int64{}
	for _, d := range p.Docs {
		var m map[string]int64
		if err := d.Decode(&m); err != nil {
			t.Fatal(err)
		}
		day := riskmap.Day(m["day"])
		got[day] = map[string]int64{}
		for k, v := range m {
			if (strings.HasPrefix(k, "c__") || strings.HasPrefix(k, "w__")) && v != 0 {
				got[day][k] = v
			}
		}
	}
	cells, bad := 0, 0
	for d, m := range want {
		for k, v := range m {
			cells++
			if got[d][k] != v {
				bad++
				if bad <= 10 {
					t.Errorf("%s %s: counter %d, the stored items count %d", d, k, got[d][k], v)
				}
			}
		}
	}
	for d, m := range got {
		for k, v := range m {
			if _, ok := want[d][k]; !ok {
				t.Errorf("%s %s: counter %d, no stored item counts there", d, k, v)
			}
		}
	}
	if cells == 0 {
		t.Fatal("the stored items count nowhere: the test proves nothing")
	}
	if bad > 0 {
		t.Errorf("%d of %d counters differ from the stored items", bad, cells)
	}
}
