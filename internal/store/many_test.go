package store

import (
	"context"
	"fmt"
	"sort"
	"testing"

	"kedaitong"
)

// TestGetManyReplaceManyConformance: GetMany returns the documents that
// exist; each replacement of a ReplaceMany is stored or refused on its own
// (stale version, missing document, broken unique key, bad id), indexes
// follow, on every backend.
func TestGetManyReplaceManyConformance(t *testing.T) {
	for _, b := range conformanceBackends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			st := b.open(t)
			c, err := st.Collection(ctx, CollectionDef{Name: "many", Indexes: []Index{{Fields: []string{"key"}, Unique: true}, {Fields: []string{"owner"}}}})
			if err != nil {
				t.Fatal(err)
			}
			for i := 1; i <= 5; i++ {
				if err := c.Insert(ctx, fmt.Sprintf("m%d", i), map[string]any{"key": fmt.Sprintf("k%d", i), "owner": "a", "n": i}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := c.Replace(ctx, "m2", 1, map[string]any{"key": "k2", "owner": "a", "n": 20}); err != nil {
				t.Fatal(err)
			}
			docs, err := c.GetMany(ctx, []string{"m1", "m2", "none", "m5"})
			if err != nil {
				t.Fatal(err)
			}
			sort.Slice(docs, func(i, j int) bool { return docs[i].ID < docs[j].ID })
			if len(docs) != 3 || docs[0].ID != "m1" || docs[1].ID != "m2" || docs[1].Version != 2 || docs[2].ID != "m5" {
				t.Fatalf("GetMany = %+v", docs)
			}
			var m2 map[string]any
			if err := docs[1].Decode(&m2); err != nil || m2["n"] != float64(20) {
				t.Errorf("m2 = %v %v", m2, err)
			}
			if docs, err := c.GetMany(ctx, nil); err != nil || len(docs) != 0 {
				t.Errorf("GetMany(nil) = %v %v", docs, err)
			}
			if _, err := c.GetMany(ctx, make([]string, MaxBatch+1)); !kedaitong.Is(err, kedaitong.EInvalid) {
				t.Errorf("oversized GetMany: %v", err)
			}
			reps := []Replacement{
				{ID: "m1", Version: 1, Doc: map[string]any{"key": "k1", "owner": "b", "n": 10}},   // ok
				{ID: "m2", Version: 1, Doc: map[string]any{"key": "k2", "owner": "b", "n": 21}},   // stale
				{ID: "none", Version: 1, Doc: map[string]any{"key": "kx", "owner": "b"}},          // missing
				{ID: "m3", Version: 1, Doc: map[string]any{"key": "k4", "owner": "b", "n": 30}},   // k4 is m4's
				{ID: "", Version: 1, Doc: map[string]any{"key": "ky"}},                            // bad id
				{ID: "m5", Version: 1, Doc: map[string]any{"key": "k5", "owner": "b", "t": "中文"}}, // ok
			}
			errs, err := c.ReplaceMany(ctx, reps)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"", kedaitong.EConflict, kedaitong.ENotFound, kedaitong.EConflict, kedaitong.EInvalid, ""}
			for i, w := range want {
				if got := kedaitong.ErrorCode(errs[i]); got != w {
					t.Errorf("replacement %d (%s): %v, want %q", i, reps[i].ID, errs[i], w)
				}
			}
			var got map[string]any
			if v, err := c.Get(ctx, "m1", &got); err != nil || v != 2 || got["owner"] != "b" {
				t.Errorf("m1 = %v v%d %v", got, v, err)
			}
			if v, err := c.Get(ctx, "m5", &got); err != nil || v != 2 || got["t"] != "中文" {
				t.Errorf("m5 = %v v%d %v", got, v, err)
			}
			if v, _ := c.Get(ctx, "m2", &got); v != 2 || got["n"] != float64(20) {
				t.Errorf("stale replacement changed m2: %v v%d", got, v)
			}
			if v, _ := c.Get(ctx, "m3", &got); v != 1 || got["key"] != "k3" {
				t.Errorf("refused replacement changed m3: %v v%d", got, v)
			}
			// Indexes follow the replaced documents.
			if n, err := c.Count(ctx, Query{Eq: map[string]any{"owner": "b"}}); err != nil || n != 2 {
				t.Errorf("owner b = %d %v, want 2", n, err)
			}
			// A batch of many, then the same versions again: all stale.
			var big []Replacement
			for i := 0; i < 300; i++ {
				id := fmt.Sprintf("big%03d", i)
				if err := c.Insert(ctx, id, map[string]any{"key": id, "owner": "c"}); err != nil {
					t.Fatal(err)
				}
				big = append(big, Replacement{ID: id, Version: 1, Doc: map[string]any{"key": id, "owner": "d"}})
			}
			for round, code := range []string{"", kedaitong.EConflict} {
				errs, err := c.ReplaceMany(ctx, big)
				if err != nil {
					t.Fatal(err)
				}
				for i, e := range errs {
					if kedaitong.ErrorCode(e) != code {
						t.Fatalf("round %d big[%d]: %v, want %q", round, i, e, code)
					}
				}
			}
			if n, _ := c.Count(ctx, Query{Eq: map[string]any{"owner": "d"}}); n != 300 {
				t.Errorf("owner d = %d, want 300", n)
			}
			if _, err := c.ReplaceMany(ctx, make([]Replacement, MaxBatch+1)); !kedaitong.Is(err, kedaitong.EInvalid) {
				t.Errorf("oversized ReplaceMany: %v", err)
			}
			if errs, err := c.ReplaceMany(ctx, nil); err != nil || len(errs) != 0 {
				t.Errorf("empty ReplaceMany: %v %v", errs, err)
			}
		})
	}
}
