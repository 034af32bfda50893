package audit_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"kedaitong/audit"
	"kedaitong/internal/store"
)

// TestDiskFullKeepsActionsAudited fills a small tmpfs (Linux, as root;
// skipped where mounting is not permitted) with actions, each followed by
// its audit entry, as the services do. Once space runs short the actions
// are refused with "storage is full" — never an action stored whose entry
// then could not be written — the store reports itself not writable, and
// the chain verifies with one entry per stored action.
func TestDiskFullKeepsActionsAudited(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	log, err := audit.Open(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	acts, err := st.Collection(ctx, store.CollectionDef{Name: "actions", Indexes: []store.Index{{Fields: []string{"owner"}}}})
	if err != nil {
		t.Fatal(err)
	}
	stored, refused := 0, 0
	payload := strings.Repeat("科技贷款", 200)
	for i := 0; refused < 20 && i < 100000; i++ {
		id := fmt.Sprintf("act%06d", i)
		err := acts.Insert(ctx, id, map[string]any{"owner": fmt.Sprintf("o%d", i%7), "text": payload})
		if err != nil {
			if !store.IsStorageFull(err) {
				t.Fatalf("action %d: %v, want storage full", i, err)
			}
			refused++
			continue
		}
		stored++
		if _, err := log.Append(ctx, audit.Entry{Action: "thing.create", ObjectKind: "thing", ObjectID: id, Outcome: audit.OK}); err != nil {
			t.Fatalf("action %s was stored but its audit entry failed: %v", id, err)
		}
	}
	if refused == 0 {
		t.Fatalf("the disk never filled (%d actions)", stored)
	}
	if err := st.Writable(ctx); !store.IsStorageFull(err) {
		t.Errorf("Writable on a full disk: %v, want storage full", err)
	}
	rep, err := log.Verify(ctx)
	if err != nil || !rep.Intact || rep.Entries != int64(stored) {
		t.Errorf("verify: %+v %v; want intact with %d entries", rep, err, stored)
	}
	t.Logf("%d actions stored and audited, then refused", stored)
}
