package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kedaitong"
	"kedaitong/internal/store"
)

// damagedCopy fills a store with documents, closes it (checkpointing the
// WAL into the file) and overwrites one page in the middle of the file
// with garbage. It returns the folder.
func damagedCopy(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	s, err := store.OpenSQLiteWith(ctx, dir, store.SQLiteOptions{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Collection(ctx, store.CollectionDef{Name: "things", Indexes: []store.Index{{Fields: []string{"owner", "n"}}}})
	if err != nil {
		t.Fatal(err)
	}
	docs := make([]store.NewDoc, 0, store.MaxBatch)
	for i := range 3000 {
		docs = append(docs, store.NewDoc{ID: fmt.Sprintf("t%05d", i), Doc: map[string]any{"owner": fmt.Sprintf("o%03d", i%100), "n": i, "text": strings.Repeat("赣", 40)}})
		if len(docs) == store.MaxBatch {
			if _, err := c.InsertMany(ctx, docs); err != nil {
				t.Fatal(err)
			}
			docs = docs[:0]
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, store.SQLiteFile)
	if _, err := os.Stat(file + "-wal"); err == nil {
		t.Fatalf("the WAL was not checkpointed at close")
	}
	f, err := os.OpenFile(file, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	pages := fi.Size() / 4096
	if pages < 10 {
		t.Fatalf("only %d pages", pages)
	}
	garbage := []byte(strings.Repeat("\xde\xad\xbe\xef", 1024))
	if _, err := f.WriteAt(garbage, (pages/2)*4096); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestSQLiteDamagedPage: a store with a corrupted page is refused at open
// with a message that says to restore the backup; the full check names the
// damage; an intact store passes both.
func TestSQLiteDamagedPage(t *testing.T) {
	ctx := context.Background()
	dir := damagedCopy(t)
	_, err := store.OpenSQLite(ctx, dir)
	if err == nil {
		t.Fatal("a store with a corrupted page opened")
	}
	if !store.IsDamaged(err) || kedaitong.ErrorCode(err) != kedaitong.EUnavailable ||
		!strings.Contains(kedaitong.ErrorMessage(err), "restore the latest backup") ||
		!strings.Contains(kedaitong.MessageIn(err, "zh-CN"), "恢复最近的备份") {
		t.Errorf("open of a damaged store: %v; want a damaged-store error saying to restore the backup, in English and Chinese", err)
	}

	s, err := store.OpenSQLiteWith(ctx, dir, store.SQLiteOptions{SkipQuickCheck: true})
	if err != nil {
		if !store.IsDamaged(err) {
			t.Fatalf("open without the check: %v", err)
		}
		return // cannot even be opened: that is damage named too
	}
	defer s.Close()
	rep, err := s.Check(ctx)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	if len(rep.Problems) == 0 {
		t.Errorf("Check of a store with a corrupted page found nothing")
	}
	t.Logf("problems: %q", rep.Problems)

	good, err := store.OpenSQLite(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer good.Close()
	if rep, err := good.Check(ctx); err != nil || len(rep.Problems) != 0 {
		t.Errorf("Check of an intact store: %+v %v", rep, err)
	}
}
