package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"kedaitong/audit"
	"kedaitong/internal/store"
)

// checkStore makes a data folder with documents and an audit chain, closed.
func checkStore(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	log, err := audit.Open(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.Collection(ctx, store.CollectionDef{Name: "things", Indexes: []store.Index{{Fields: []string{"owner"}}}})
	if err != nil {
		t.Fatal(err)
	}
	docs := make([]store.NewDoc, 0, 1000)
	for i := range 2000 {
		docs = append(docs, store.NewDoc{ID: fmt.Sprintf("t%05d", i), Doc: map[string]any{"owner": fmt.Sprintf("o%d", i%50), "text": strings.Repeat("赣", 60)}})
		if len(docs) == cap(docs) {
			if _, err := c.InsertMany(ctx, docs); err != nil {
				t.Fatal(err)
			}
			docs = docs[:0]
		}
	}
	for i := range 20 {
		if _, err := log.Append(ctx, audit.Entry{Action: "thing.create", ObjectKind: "thing", ObjectID: fmt.Sprint(i), Outcome: audit.OK}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

func runCheckBinary(t *testing.T, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "KEDAI_MONGODB_URI=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return string(out), ee.ExitCode()
		}
		t.Fatalf("run %v: %v", args, err)
	}
	return string(out), 0
}

// TestCheckAndDamagedStart: `kedaitong check` passes an intact store; after
// a page of a copy of the file is overwritten, check exits non-zero naming
// the pages, and `serve` refuses to start saying to restore the backup. A
// tampered audit entry is named too.
func TestCheckAndDamagedStart(t *testing.T) {
	dir := checkStore(t)
	out, code := runCheckBinary(t, "check", "--data", dir)
	if code != 0 || !strings.Contains(out, "pages and indexes: ok") || !strings.Contains(out, "audit chain: ") || !strings.Contains(out, "intact") {
		t.Fatalf("check of an intact store: exit %d\n%s", code, out)
	}

	// A copy with one damaged page.
	bad := t.TempDir()
	data, err := os.ReadFile(filepath.Join(dir, store.SQLiteFile))
	if err != nil {
		t.Fatal(err)
	}
	pages := len(data) / 4096
	copy(data[(pages/2)*4096:], strings.Repeat("\xde\xad\xbe\xef", 1024))
	if err := os.WriteFile(filepath.Join(bad, store.SQLiteFile), data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, code = runCheckBinary(t, "check", "--data", bad)
	if code == 0 || !strings.Contains(out, "pages and indexes: DAMAGED") {
		t.Errorf("check of a damaged store: exit %d, want non-zero naming the pages\n%s", code, out)
	}
	out, code = runCheckBinary(t, "serve", "--addr", "127.0.0.1:0", "--data", bad, "--crawl=false")
	if code == 0 || !strings.Contains(out, "is damaged") || !strings.Contains(out, "restore the latest backup") {
		t.Errorf("serve on a damaged store: exit %d, want a refusal saying to restore the backup\n%s", code, out)
	}

	// An edited audit entry.
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.Collection(ctx, audit.CollectionDef())
	if err != nil {
		t.Fatal(err)
	}
	var rec map[string]any
	id := fmt.Sprintf("%020d", 7)
	v, err := c.Get(ctx, id, &rec)
	if err != nil {
		t.Fatal(err)
	}
	rec["username"] = "someone-else"
	if _, err := c.Replace(ctx, id, v, rec); err != nil {
		t.Fatal(err)
	}
	st.Close()
	out, code = runCheckBinary(t, "check", "--data", dir)
	if code == 0 || !strings.Contains(out, "audit chain: DAMAGED") || !strings.Contains(out, "7") {
		t.Errorf("check with an edited audit entry: exit %d, want non-zero naming entry 7\n%s", code, out)
	}
}
