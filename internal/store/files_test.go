package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"strings"
	"testing"

	"kedaitong"
)

// TestFilesConformance runs the file area's contract on every backend.
func TestFilesConformance(t *testing.T) {
	for _, b := range conformanceBackends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			fs := b.open(t).Files()
			big := make([]byte, 3<<20+17) // several GridFS chunks
			rand.Read(big)
			meta, err := fs.PutFile(ctx, "dossier/1", FileMeta{Name: "技术资料.pdf", ContentType: "application/pdf"}, bytes.NewReader(big), 20<<20)
			if err != nil {
				t.Fatal(err)
			}
			if meta.Size != int64(len(big)) || len(meta.SHA256) != 64 || meta.Created.IsZero() {
				t.Errorf("meta = %+v", meta)
			}
			rc, got, err := fs.OpenFile(ctx, "dossier/1")
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(rc)
			rc.Close()
			if !bytes.Equal(data, big) {
				t.Fatalf("content differs: %d bytes read, %d stored", len(data), len(big))
			}
			if got.Name != "技术资料.pdf" || got.ContentType != "application/pdf" || got.SHA256 != meta.SHA256 || got.Size != meta.Size {
				t.Errorf("read meta = %+v, want %+v", got, meta)
			}
			// A taken id is a conflict and changes nothing.
			if _, err := fs.PutFile(ctx, "dossier/1", FileMeta{Name: "x"}, strings.NewReader("other"), 100); !kedaitong.Is(err, kedaitong.EConflict) {
				t.Errorf("duplicate id: %v, want conflict", err)
			}
			rc, _, _ = fs.OpenFile(ctx, "dossier/1")
			data, _ = io.ReadAll(rc)
			rc.Close()
			if !bytes.Equal(data, big) {
				t.Error("a refused duplicate changed the file")
			}
			// Over the limit: ETooLarge, nothing stored.
			if _, err := fs.PutFile(ctx, "big", FileMeta{}, bytes.NewReader(make([]byte, 101)), 100); !kedaitong.Is(err, kedaitong.ETooLarge) {
				t.Errorf("over the limit: %v", err)
			}
			if _, _, err := fs.OpenFile(ctx, "big"); !kedaitong.Is(err, kedaitong.ENotFound) {
				t.Errorf("refused file exists: %v", err)
			}
			// Exactly the limit is fine; empty files too.
			if _, err := fs.PutFile(ctx, "exact", FileMeta{}, bytes.NewReader(make([]byte, 100)), 100); err != nil {
				t.Errorf("file at the limit: %v", err)
			}
			if m, err := fs.PutFile(ctx, "empty", FileMeta{}, strings.NewReader(""), 100); err != nil || m.Size != 0 {
				t.Errorf("empty file: %+v %v", m, err)
			}
			if err := fs.DeleteFile(ctx, "dossier/1"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := fs.OpenFile(ctx, "dossier/1"); !kedaitong.Is(err, kedaitong.ENotFound) {
				t.Errorf("deleted file: %v", err)
			}
			if err := fs.DeleteFile(ctx, "dossier/1"); !kedaitong.Is(err, kedaitong.ENotFound) {
				t.Errorf("delete twice: %v", err)
			}
			if _, err := fs.PutFile(ctx, "", FileMeta{}, strings.NewReader("x"), 10); !kedaitong.Is(err, kedaitong.EInvalid) {
				t.Errorf("empty id: %v", err)
			}
		})
	}
}
