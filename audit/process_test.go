package audit

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"kedaitong/internal/store"
)

// childEnv names the data folder of the child process in TestTwoProcesses.
const childEnv = "KEDAI_AUDIT_TEST_CHILD_DIR"

const perProcess = 150

// appendAs appends perProcess entries by user who to the log in dir, after
// creating ready in dir and waiting for go to appear there.
func appendAs(ctx context.Context, dir, who string) error {
	st, err := store.Open(ctx, dir, "")
	if err != nil {
		return err
	}
	defer st.Close()
	l, err := Open(ctx, st)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "ready-"+who), nil, 0o600); err != nil {
		return err
	}
	for deadline := time.Now().Add(20 * time.Second); ; {
		if _, err := os.Stat(filepath.Join(dir, "go")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			return errors.New("no go signal")
		}
		time.Sleep(2 * time.Millisecond)
	}
	for i := range perProcess {
		// Servers append as requests come, not in a tight loop; a tight loop
		// would hold SQLite's write lock while the other process backs off.
		time.Sleep(time.Duration(rand.IntN(1500)) * time.Microsecond)
		if _, err := l.Append(ctx, Entry{UserID: who, Action: "test.append", Outcome: OK, RequestID: fmt.Sprintf("%s-%d", who, i)}); err != nil {
			return fmt.Errorf("append %d: %w", i, err)
		}
	}
	return nil
}

// TestTwoProcesses runs this test binary a second time as a child; both
// processes append to one SQLite folder at the same time.
func TestTwoProcesses(t *testing.T) {
	ctx := context.Background()
	if dir := os.Getenv(childEnv); dir != "" {
		if err := appendAs(ctx, dir, "child"); err != nil {
			t.Fatalf("child: %v", err)
		}
		return
	}
	if testing.Short() {
		t.Skip("starts a second process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestTwoProcesses$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+dir)
	out := make(chan []byte, 1)
	errc := make(chan error, 1)
	go func() {
		b, err := cmd.CombinedOutput()
		out <- b
		errc <- err
	}()
	parentErr := make(chan error, 1)
	go func() { parentErr <- appendAs(ctx, dir, "parent") }()
	// Start both at once when both are ready.
	for deadline := time.Now().Add(30 * time.Second); ; {
		_, e1 := os.Stat(filepath.Join(dir, "ready-child"))
		_, e2 := os.Stat(filepath.Join(dir, "ready-parent"))
		if e1 == nil && e2 == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the processes did not get ready")
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := os.WriteFile(filepath.Join(dir, "go"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := <-parentErr; err != nil {
		t.Fatalf("parent: %v", err)
	}
	b, err := <-out, <-errc
	if err != nil {
		t.Fatalf("child: %v\n%s", err, b)
	}

	st, err := store.Open(ctx, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	l, err := Open(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := l.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Intact || rep.Entries != 2*perProcess {
		t.Fatalf("Verify = %+v, want %d intact entries", rep, 2*perProcess)
	}
	seen := allRequestIDs(t, l)
	for _, who := range []string{"parent", "child"} {
		for i := range perProcess {
			if id := fmt.Sprintf("%s-%d", who, i); seen[id] != 1 {
				t.Errorf("request %s is in the log %d times, want once", id, seen[id])
			}
		}
	}
	// The writers really overlapped: the chain switches between them often.
	switches, prev := 0, ""
	page, err := l.coll.Find(ctx, store.Query{})
	if err != nil {
		t.Fatal(err)
	}
	recs, err := store.DecodeAll[record](page.Docs)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.UserID != prev {
			switches++
			prev = r.UserID
		}
	}
	t.Logf("the chain switches between the processes %d times", switches)
	if switches < 3 {
		t.Errorf("the chain switches between the processes %d times; the appends did not overlap", switches)
	}
}
