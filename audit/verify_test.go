package audit

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"kedaitong/internal/store"
	"kedaitong/internal/store/storetest"
)

// rawColl is a handle on the log's collection that bypasses the package, as
// someone with access to the database would.
func rawColl(t *testing.T, st store.Store) store.Collection {
	t.Helper()
	c, err := st.Collection(context.Background(), store.CollectionDef{Name: CollectionName})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func getRec(t *testing.T, c store.Collection, seq int64) (record, int64) {
	t.Helper()
	var r record
	v, err := c.Get(context.Background(), docID(seq), &r)
	if err != nil {
		t.Fatalf("get entry %d: %v", seq, err)
	}
	return r, v
}

func putRec(t *testing.T, c store.Collection, seq int64, r any) {
	t.Helper()
	var old map[string]any
	v, err := c.Get(context.Background(), docID(seq), &old)
	if err != nil {
		t.Fatalf("get entry %d: %v", seq, err)
	}
	if _, err := c.Replace(context.Background(), docID(seq), v, r); err != nil {
		t.Fatalf("replace entry %d: %v", seq, err)
	}
}

func TestVerifyFindsTampering(t *testing.T) {
	const n = 20
	tests := []struct {
		name        string
		tamper      func(t *testing.T, c store.Collection)
		wantSeq     int64
		wantProblem string
	}{
		{"action changed", func(t *testing.T, c store.Collection) {
			r, _ := getRec(t, c, 7)
			r.Action = "user.delete"
			putRec(t, c, 7, r)
		}, 7, ProblemAltered},
		{"outcome changed in the newest entry", func(t *testing.T, c store.Collection) {
			r, _ := getRec(t, c, n)
			r.Outcome = OK
			if r.Outcome == sample(n-1).Outcome {
				r.Outcome = Denied
			}
			putRec(t, c, n, r)
		}, n, ProblemAltered},
		{"detail changed", func(t *testing.T, c store.Collection) {
			r, _ := getRec(t, c, 4) // sample(3) has a detail
			r.DetailJSON = strings.Replace(r.DetailJSON, "submitted", "approved", 1)
			putRec(t, c, 4, r)
		}, 4, ProblemAltered},
		{"time changed", func(t *testing.T, c store.Collection) {
			r, _ := getRec(t, c, 2)
			r.Time = "2001-01-01T00:00:00.000000Z"
			putRec(t, c, 2, r)
		}, 2, ProblemAltered},
		{"region scope field moved to another city", func(t *testing.T, c store.Collection) {
			r, _ := getRec(t, c, 5) // sample(4): region 360702
			r.RegionC = "3609"
			putRec(t, c, 5, r)
		}, 5, ProblemAltered},
		{"altered and rehashed", func(t *testing.T, c store.Collection) {
			r, _ := getRec(t, c, 9)
			r.Username = "someone-else"
			r.Hash = hashHex(r.canonical())
			putRec(t, c, 9, r)
		}, 10, ProblemRelinked},
		{"not an entry any more", func(t *testing.T, c store.Collection) {
			putRec(t, c, 3, map[string]any{"seq": "three"})
		}, 3, ProblemAltered},
		{"middle entry deleted", func(t *testing.T, c store.Collection) {
			if err := c.Delete(context.Background(), docID(9)); err != nil {
				t.Fatal(err)
			}
		}, 9, ProblemMissing},
		{"first entry deleted", func(t *testing.T, c store.Collection) {
			if err := c.Delete(context.Background(), docID(1)); err != nil {
				t.Fatal(err)
			}
		}, 1, ProblemMissing},
		{"two entries deleted", func(t *testing.T, c store.Collection) {
			for _, s := range []int64{15, 12} {
				if err := c.Delete(context.Background(), docID(s)); err != nil {
					t.Fatal(err)
				}
			}
		}, 12, ProblemMissing},
		{"two entries swapped", func(t *testing.T, c store.Collection) {
			a, _ := getRec(t, c, 5)
			b, _ := getRec(t, c, 12)
			putRec(t, c, 5, b)
			putRec(t, c, 12, a)
		}, 5, ProblemMisplace},
		{"two entries' contents swapped, seq and hashes recomputed", func(t *testing.T, c store.Collection) {
			a, _ := getRec(t, c, 6)
			b, _ := getRec(t, c, 11)
			a.Seq, b.Seq = b.Seq, a.Seq
			a.PrevHash, b.PrevHash = b.PrevHash, a.PrevHash
			a.Hash, b.Hash = hashHex(a.canonical()), hashHex(b.canonical())
			putRec(t, c, 6, b)
			putRec(t, c, 11, a)
		}, 7, ProblemRelinked},
		{"prev_hash changed and hash recomputed", func(t *testing.T, c store.Collection) {
			r, _ := getRec(t, c, 11)
			r.PrevHash = strings.Repeat("ab", 32)
			r.Hash = hashHex(r.canonical())
			putRec(t, c, 11, r)
		}, 11, ProblemRelinked},
		{"entry renumbered into a gap", func(t *testing.T, c store.Collection) {
			r, _ := getRec(t, c, 14)
			if err := c.Delete(context.Background(), docID(13)); err != nil {
				t.Fatal(err)
			}
			if err := c.Delete(context.Background(), docID(14)); err != nil {
				t.Fatal(err)
			}
			if err := c.Insert(context.Background(), docID(13), r); err != nil {
				t.Fatal(err)
			}
		}, 13, ProblemMisplace},
		{"foreign document among the entries", func(t *testing.T, c store.Collection) {
			if err := c.Insert(context.Background(), "00000000000000000016x", map[string]any{"seq": 16}); err != nil {
				t.Fatal(err)
			}
		}, 17, ProblemMisplace},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			st, l := newLog(t)
			appendN(t, l, n)
			tt.tamper(t, rawColl(t, st))
			rep, err := l.Verify(ctx)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if rep.Intact || rep.BrokenSeq != tt.wantSeq || rep.Problem != tt.wantProblem {
				t.Fatalf("Verify = %+v, want entry %d %s", rep, tt.wantSeq, tt.wantProblem)
			}
			if want := fmt.Sprintf("entry %d ", tt.wantSeq); !strings.HasPrefix(rep.Message, want) {
				t.Errorf("message %q does not start with %q", rep.Message, want)
			}
			if rep.Entries != tt.wantSeq-1 {
				t.Errorf("Entries = %d, want the %d before the broken one", rep.Entries, tt.wantSeq-1)
			}

			var out, errOut bytes.Buffer
			if code := VerifyMain(ctx, st, &out, &errOut); code != 1 {
				t.Errorf("VerifyMain = %d, want 1; stderr %q", code, errOut.String())
			}
			if want := fmt.Sprintf("audit log broken at entry %d: ", tt.wantSeq); !strings.HasPrefix(errOut.String(), want) {
				t.Errorf("VerifyMain stderr = %q, want it to start with %q", errOut.String(), want)
			}
		})
	}
}

func TestVerifyMain(t *testing.T) {
	ctx := context.Background()
	st, l := newLog(t)
	var out, errOut bytes.Buffer
	if code := VerifyMain(ctx, st, &out, &errOut); code != 0 || !strings.HasPrefix(out.String(), "audit log intact: 0 entries\n") {
		t.Fatalf("VerifyMain on an empty log = %d, stdout %q, stderr %q", code, out.String(), errOut.String())
	}
	es := appendN(t, l, 12)
	out.Reset()
	if code := VerifyMain(ctx, st, &out, &errOut); code != 0 {
		t.Fatalf("VerifyMain = %d, stderr %q; want 0", code, errOut.String())
	}
	want := "audit log intact: 12 entries\nhead hash: " + es[11].Hash + "\n"
	if out.String() != want {
		t.Errorf("VerifyMain stdout = %q, want %q", out.String(), want)
	}

	// A store that fails is exit code 2, not a verdict on the chain.
	closed := storetest.NewSQLite(t)
	if _, err := Open(ctx, closed); err != nil {
		t.Fatal(err)
	}
	closed.Close()
	out.Reset()
	errOut.Reset()
	if code := VerifyMain(ctx, closed, &out, &errOut); code != 2 || !strings.HasPrefix(errOut.String(), "audit verify: ") {
		t.Errorf("VerifyMain on a closed store = %d, stderr %q; want 2", code, errOut.String())
	}
}
