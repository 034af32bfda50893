package store

import (
	"context"
	"fmt"
	"testing"

	"kedaitong"
)

// TestInsertManyConformance: each document of a batch is stored or refused
// on its own, on every backend.
func TestInsertManyConformance(t *testing.T) {
	for _, b := range conformanceBackends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			st := b.open(t)
			c, err := st.Collection(ctx, CollectionDef{Name: "batch", Indexes: []Index{{Fields: []string{"key"}, Unique: true}, {Fields: []string{"owner", "n"}}}})
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Insert(ctx, "d1", map[string]any{"key": "k1", "owner": "a", "n": 1}); err != nil {
				t.Fatal(err)
			}
			docs := []NewDoc{
				{ID: "d2", Doc: map[string]any{"key": "k2", "owner": "a", "n": 2}},
				{ID: "d1", Doc: map[string]any{"key": "k-dup-id", "owner": "a", "n": 3}}, // taken id
				{ID: "d3", Doc: map[string]any{"key": "k1", "owner": "a", "n": 4}},       // taken unique key
				{ID: "", Doc: map[string]any{"key": "k-empty", "owner": "a", "n": 5}},    // bad id
				{ID: "d4", Doc: map[string]any{"key": "k4", "owner": "b", "n": 6, "t": "中文"}},
				{ID: "d5", Doc: map[string]any{"key": "k2", "owner": "b", "n": 7}}, // unique key taken within the batch
			}
			errs, err := c.InsertMany(ctx, docs)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"", kedaitong.EConflict, kedaitong.EConflict, kedaitong.EInvalid, "", kedaitong.EConflict}
			for i, w := range want {
				if got := kedaitong.ErrorCode(errs[i]); got != w {
					t.Errorf("doc %d (%s): %v, want %q", i, docs[i].ID, errs[i], w)
				}
			}
			n, err := c.Count(ctx, Query{})
			if err != nil || n != 3 {
				t.Errorf("count = %d %v, want 3 (d1, d2, d4)", n, err)
			}
			var got map[string]any
			if v, err := c.Get(ctx, "d4", &got); err != nil || v != 1 || got["t"] != "中文" {
				t.Errorf("d4 = %v v%d %v", got, v, err)
			}
			var d1 map[string]any
			c.Get(ctx, "d1", &d1)
			if d1["key"] != "k1" {
				t.Errorf("a refused batch entry changed d1: %v", d1)
			}
			big := make([]NewDoc, 300)
			for i := range big {
				big[i] = NewDoc{ID: fmt.Sprintf("big%03d", i), Doc: map[string]any{"key": fmt.Sprintf("bk%03d", i), "owner": "c", "n": i}}
			}
			if errs, err := c.InsertMany(ctx, big); err != nil {
				t.Fatal(err)
			} else {
				for i, e := range errs {
					if e != nil {
						t.Fatalf("big[%d]: %v", i, e)
					}
				}
			}
			if n, _ := c.Count(ctx, Query{Eq: map[string]any{"owner": "c"}}); n != 300 {
				t.Errorf("owner c count = %d, want 300", n)
			}
			if _, err := c.InsertMany(ctx, make([]NewDoc, MaxBatch+1)); !kedaitong.Is(err, kedaitong.EInvalid) {
				t.Errorf("oversized batch: %v", err)
			}
			if errs, err := c.InsertMany(ctx, nil); err != nil || len(errs) != 0 {
				t.Errorf("empty batch: %v %v", errs, err)
			}
		})
	}
}

// TestInsertChainConformance: a chain is stored up to its first refused
// document and no further, on every backend.
func TestInsertChainConformance(t *testing.T) {
	for _, b := range conformanceBackends {
		t.Run(b.name, func(t *testing.T) {
			ctx := context.Background()
			st := b.open(t)
			c, err := st.Collection(ctx, CollectionDef{Name: "chain", Indexes: []Index{{Fields: []string{"key"}, Unique: true}}})
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Insert(ctx, "c3", map[string]any{"key": "taken"}); err != nil {
				t.Fatal(err)
			}
			doc := func(id, key string) NewDoc { return NewDoc{ID: id, Doc: map[string]any{"key": key}} }
			n, err := c.InsertChain(ctx, []NewDoc{doc("c1", "k1"), doc("c2", "k2"), doc("c3", "k3"), doc("c4", "k4")})
			if n != 2 || !kedaitong.Is(err, kedaitong.EConflict) {
				t.Errorf("chain over a taken id: stored %d, %v; want 2 and %s", n, err, kedaitong.EConflict)
			}
			n, err = c.InsertChain(ctx, []NewDoc{doc("c5", "k5"), doc("c6", "taken"), doc("c7", "k7")})
			if n != 1 || !kedaitong.Is(err, kedaitong.EConflict) {
				t.Errorf("chain over a taken unique key: stored %d, %v; want 1 and %s", n, err, kedaitong.EConflict)
			}
			n, err = c.InsertChain(ctx, []NewDoc{doc("c8", "k8"), doc("", "k-empty"), doc("c9", "k9")})
			if n != 1 || !kedaitong.Is(err, kedaitong.EInvalid) {
				t.Errorf("chain over a bad id: stored %d, %v; want 1 and %s", n, err, kedaitong.EInvalid)
			}
			for id, want := range map[string]bool{"c1": true, "c2": true, "c4": false, "c5": true, "c6": false, "c7": false, "c8": true, "c9": false} {
				_, err := c.Get(ctx, id, nil)
				if have := err == nil; have != want {
					t.Errorf("%s stored = %v, want %v (%v)", id, have, want, err)
				}
			}
			n, err = c.InsertChain(ctx, []NewDoc{doc("d1", "dk1"), doc("d2", "dk2")})
			if n != 2 || err != nil {
				t.Errorf("clean chain: stored %d, %v", n, err)
			}
		})
	}
}
