package store_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"kedaitong/internal/store"
)

const killChildEnv = "KEDAI_STORE_KILL_CHILD_DIR"

// TestSQLiteKill9LosesNothingAcknowledged: a child process (this test
// binary) writes from 32 goroutines through the group commit — inserts and
// version-guarded replaces — and prints each write once it is
// acknowledged; it is killed with SIGKILL mid-stream. Every acknowledged
// write must be in the store afterwards, at least at the acknowledged
// version.
func TestSQLiteKill9LosesNothingAcknowledged(t *testing.T) {
	if dir := os.Getenv(killChildEnv); dir != "" {
		killChild(dir)
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSQLiteKill9LosesNothingAcknowledged$", "-test.count=1")
	cmd.Env = append(os.Environ(), killChildEnv+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := map[string]int64{} // id → highest acknowledged version
	sc := bufio.NewScanner(out)
	deadline := time.Now().Add(20 * time.Second)
	for sc.Scan() {
		var id string
		var v int64
		if _, err := fmt.Sscanf(sc.Text(), "ack %s %d", &id, &v); err != nil {
			continue
		}
		acked[id] = max(acked[id], v)
		if len(acked) >= 400 || time.Now().After(deadline) {
			break
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	for sc.Scan() { // what was printed before the kill was acknowledged too
		var id string
		var v int64
		if _, err := fmt.Sscanf(sc.Text(), "ack %s %d", &id, &v); err == nil {
			acked[id] = max(acked[id], v)
		}
	}
	cmd.Wait()
	if len(acked) < 50 {
		t.Fatalf("only %d writes were acknowledged before the kill", len(acked))
	}
	s, c := openAt(t, dir)
	defer s.Close()
	lost := 0
	for id, want := range acked {
		v, err := c.Get(context.Background(), id, nil)
		if err != nil || v < want {
			lost++
			if lost <= 5 {
				t.Errorf("acknowledged %s v%d: after kill -9 got v%d %v", id, want, v, err)
			}
		}
	}
	if lost > 0 {
		t.Errorf("%d of %d acknowledged documents lost", lost, len(acked))
	}
	t.Logf("%d documents acknowledged before kill -9, none lost; batches %+v", len(acked), s.WriteStats())
}

func killChild(dir string) {
	ctx := context.Background()
	s, err := store.OpenSQLite(ctx, dir)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	c, err := s.Collection(ctx, countersDef)
	if err != nil {
		fmt.Println("collection:", err)
		os.Exit(1)
	}
	var mu sync.Mutex
	w := bufio.NewWriter(os.Stdout)
	ack := func(id string, v int64) {
		mu.Lock()
		fmt.Fprintf(w, "ack %s %d\n", id, v)
		w.Flush()
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for g := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				id := fmt.Sprintf("g%02d-%05d", g, i)
				if err := c.Insert(ctx, id, counter{Name: strings.Repeat("赣", 10), N: int64(i)}); err != nil {
					fmt.Fprintln(os.Stderr, "insert:", err)
					return
				}
				ack(id, 1)
				if v, err := c.Replace(ctx, id, 1, counter{Name: "南昌", N: int64(i + 1)}); err == nil {
					ack(id, v)
				}
			}
		}()
	}
	wg.Wait()
}
