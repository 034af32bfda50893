package store

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// fillAndClose opens the store in dir (trusting a clean close), adds
// documents and closes it; it returns whether the open skipped the check.
func fillAndClose(t *testing.T, dir string, n int) bool {
	t.Helper()
	ctx := context.Background()
	s, err := OpenSQLiteWith(ctx, dir, SQLiteOptions{TrustCleanClose: true})
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Collection(ctx, CollectionDef{Name: "things", Indexes: []Index{{Fields: []string{"n"}}}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := c.Insert(ctx, fmt.Sprintf("t%d-%d", time.Now().UnixNano(), i), map[string]any{"n": i, "text": strings.Repeat("赣", 60)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return s.onMark
}

func TestCheckMarkSkipsTheCheckAfterACleanClose(t *testing.T) {
	dir := t.TempDir()
	if fillAndClose(t, dir, 20) {
		t.Fatal("a new store was trusted without a check")
	}
	path := dir + "/" + SQLiteFile
	if _, err := os.Stat(path + checkMarkSuffix); err != nil {
		t.Fatalf("no mark after a checked, clean close: %v", err)
	}
	if !fillAndClose(t, dir, 20) {
		t.Fatal("the check ran although the file was as the last clean close left it")
	}
	// The mark carried on: the close after a trusted open marks again.
	if !fillAndClose(t, dir, 0) {
		t.Fatal("the mark was not renewed by a trusted open's clean close")
	}
	// Without the option the check always runs.
	s, err := OpenSQLiteWith(context.Background(), dir, SQLiteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s.onMark {
		t.Fatal("the server's open trusted the mark")
	}
}

func TestCheckMarkIgnoredWhenTheFileChanged(t *testing.T) {
	dir := t.TempDir()
	fillAndClose(t, dir, 200)
	path := dir + "/" + SQLiteFile
	// A WAL left beside the file (a crash, or a writer in another
	// process) means the file is not as it was marked.
	if err := os.WriteFile(path+"-wal", []byte("not a wal"), 0o600); err != nil {
		t.Fatal(err)
	}
	if fillAndClose(t, dir, 1) {
		t.Fatal("trusted a file with a WAL beside it")
	}
	// Damage written from outside changes the file's times: the check
	// runs and refuses it.
	time.Sleep(30 * time.Millisecond) // past the file system's clock tick
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := f.Stat()
	garbage := []byte(strings.Repeat("\xde\xad\xbe\xef", 1024))
	if _, err := f.WriteAt(garbage, (fi.Size()/4096/2)*4096); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = OpenSQLiteWith(context.Background(), dir, SQLiteOptions{TrustCleanClose: true})
	if err == nil || !IsDamaged(err) {
		t.Fatalf("a damaged file with an old mark opened: %v", err)
	}
	// A mark that does not parse is no mark.
	dir2 := t.TempDir()
	fillAndClose(t, dir2, 5)
	os.WriteFile(dir2+"/"+SQLiteFile+checkMarkSuffix, []byte("{"), 0o600)
	if fillAndClose(t, dir2, 1) {
		t.Fatal("trusted a broken mark")
	}
}
