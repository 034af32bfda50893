package store

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkSQLiteIndexedInsert inserts audit-like documents (about 600
// bytes) into a collection with 20 expression indexes, one writer, no
// fsync: the CPU a write costs the group-commit writer when SQLite keeps
// many indexes of one document (the audit log's shape, issue 19).
func BenchmarkSQLiteIndexedInsert(b *testing.B) {
	ctx := context.Background()
	s, err := OpenSQLiteWith(ctx, b.TempDir(), SQLiteOptions{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	c, err := s.Collection(ctx, indexedBenchDef())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := c.Insert(ctx, fmt.Sprintf("e%09d", i), indexedBenchDoc(i)); err != nil {
			b.Fatal(err)
		}
	}
}

func indexedBenchDef() CollectionDef {
	ix := []Index{{Fields: []string{"time"}}}
	attrs := []string{"user_id", "action", "object_kind", "outcome"}
	for _, a := range attrs {
		ix = append(ix, Index{Fields: []string{a, "time"}})
	}
	for _, p := range []string{"region_p", "region_c", "region_k"} {
		ix = append(ix, Index{Fields: []string{p, "time"}})
		for _, a := range attrs {
			ix = append(ix, Index{Fields: []string{p, a, "time"}})
		}
	}
	return CollectionDef{Name: "audit_bench", Indexes: ix}
}

func indexedBenchDoc(i int) map[string]any {
	return map[string]any{
		"seq": i, "time": 1764900000000 + int64(i), "user_id": fmt.Sprintf("u-expert-%03d", i%64), "username": "bench-expert",
		"role": "expert", "action": "score.save", "object_kind": "assignment", "object_id": fmt.Sprintf("asg-%012d", i%64),
		"outcome": "ok", "request_id": fmt.Sprintf("req-%016x", i), "region": "360702", "region_p": "36", "region_c": "3607", "region_k": "360702",
		"detail":    map[string]any{"application_id": "app-000000000001", "revision": i, "criteria": 7},
		"prev_hash": "3f5a9c1e0b7d2f4a6c8e0a2b4d6f8a0c2e4a6b8d0f2a4c6e8a0b2d4f6a8c0e2a",
		"hash":      "9a1c3e5f7b9d1f3a5c7e9b1d3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a",
	}
}

// BenchmarkSQLiteIndexedChain is BenchmarkSQLiteIndexedInsert with 100
// documents per write (InsertChain): the statements' cost without the
// commit's.
func BenchmarkSQLiteIndexedChain(b *testing.B) {
	ctx := context.Background()
	s, err := OpenSQLiteWith(ctx, b.TempDir(), SQLiteOptions{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	c, err := s.Collection(ctx, indexedBenchDef())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += 100 {
		docs := make([]NewDoc, 0, 100)
		for k := i; k < min(b.N, i+100); k++ {
			docs = append(docs, NewDoc{ID: fmt.Sprintf("e%09d", k), Doc: indexedBenchDoc(k)})
		}
		if n, err := c.InsertChain(ctx, docs); err != nil || n != len(docs) {
			b.Fatal(n, err)
		}
	}
}
