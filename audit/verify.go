package audit

import (
	"context"
	"fmt"
	"io"

	"kedaitong/internal/store"
)

// Problems Verify reports.
const (
	ProblemAltered  = "altered"   // the content does not hash to the stored hash, or cannot be read
	ProblemMissing  = "missing"   // the sequence number is absent: an entry was removed
	ProblemMisplace = "misplaced" // the entry stored under this sequence number claims another
	ProblemRelinked = "relinked"  // prev_hash is not the previous entry's hash
)

// verifyPage is how many entries Verify reads at a time (a variable so that
// tests can make the walk cross many pages).
var verifyPage = 500

// Report is the outcome of Verify.
type Report struct {
	Entries int64  `json:"entries"` // entries read before the first broken one (all of them when intact)
	Head    string `json:"head"`    // hash of the last intact entry (ZeroHash for an empty log); keep it elsewhere to detect truncation
	Intact  bool   `json:"intact"`

	// When the chain is broken: the first broken sequence number, what is
	// wrong with it and a sentence naming it.
	BrokenSeq int64  `json:"broken_seq,omitempty"`
	Problem   string `json:"problem,omitempty"`
	Message   string `json:"message,omitempty"`
}

// String is the one-line summary the command prints.
func (r Report) String() string {
	if r.Intact {
		return fmt.Sprintf("audit log intact: %d entries", r.Entries)
	}
	return fmt.Sprintf("audit log broken at entry %d: %s", r.BrokenSeq, r.Message)
}

// Verify walks the chain from entry 1 in sequence order, a page at a time,
// and reports the first broken entry: content that does not match its hash
// (altered), a gap in the sequence (missing), an entry stored under the
// sequence number of another (misplaced), or a prev_hash that is not the
// previous entry's hash (relinked). The error is for a store that fails,
// not for a broken chain.
func (l *Log) Verify(ctx context.Context) (Report, error) {
	rep := Report{Head: ZeroHash}
	broken := func(seq int64, problem, format string, args ...any) (Report, error) {
		rep.BrokenSeq, rep.Problem = seq, problem
		rep.Message = fmt.Sprintf("entry %d ", seq) + fmt.Sprintf(format, args...)
		return rep, nil
	}
	want := int64(1)
	after := ""
	for {
		page, err := l.coll.Find(ctx, store.Query{Limit: verifyPage, After: after})
		if err != nil {
			return Report{}, fmt.Errorf("audit: verify: %w", err)
		}
		for _, d := range page.Docs {
			seq, ok := seqOfID(d.ID)
			if !ok {
				return broken(want, ProblemMisplace, "is followed by a document with the id %q, which is no sequence number", d.ID)
			}
			if seq != want {
				if seq < want { // only ids like "-000…" could sort before; be safe
					return broken(want, ProblemMisplace, "is stored under the id %q", d.ID)
				}
				if seq == want+1 {
					return broken(want, ProblemMissing, "is missing (removed): entry %d follows entry %d", seq, want-1)
				}
				return broken(want, ProblemMissing, "is missing (removed), with %d entries in all: entry %d follows entry %d", seq-want, seq, want-1)
			}
			var r record
			if err := d.Decode(&r); err != nil {
				return broken(seq, ProblemAltered, "cannot be read: %v", err)
			}
			if r.Seq != seq {
				return broken(seq, ProblemMisplace, "holds the content of entry %d (reordered)", r.Seq)
			}
			if got := hashHex(r.canonical()); got != r.Hash {
				return broken(seq, ProblemAltered, "was altered: its content hashes to %.12s…, not to its stored hash %.12s…", got, r.Hash)
			}
			if p, c, k := regionPrefixes(r.Region); p != r.RegionP || c != r.RegionC || k != r.RegionK {
				return broken(seq, ProblemAltered, "was altered: its region prefixes %q/%q/%q do not match its region %q", r.RegionP, r.RegionC, r.RegionK, r.Region)
			}
			if r.PrevHash != rep.Head {
				return broken(seq, ProblemRelinked, "was re-linked: its prev_hash %.12s… is not the hash %.12s… of entry %d", r.PrevHash, rep.Head, seq-1)
			}
			rep.Head = r.Hash
			rep.Entries++
			want++
		}
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	rep.Intact = true
	return rep, nil
}

// VerifyMain is `kedaitong audit verify` on an open store: it prints
// "audit log intact: N entries" (and the head hash) to stdout and returns 0,
// or prints the first broken entry to stderr and returns 1, or returns 2
// when the store fails.
func VerifyMain(ctx context.Context, st store.Store, stdout, stderr io.Writer) int {
	l, err := Open(ctx, st)
	if err != nil {
		fmt.Fprintf(stderr, "audit verify: %v\n", err)
		return 2
	}
	rep, err := l.Verify(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "audit verify: %v\n", err)
		return 2
	}
	if !rep.Intact {
		fmt.Fprintln(stderr, rep.String())
		if rep.Entries > 0 {
			fmt.Fprintf(stderr, "entries 1–%d are intact; the hash of entry %d is %s\n", rep.Entries, rep.Entries, rep.Head)
		}
		return 1
	}
	fmt.Fprintln(stdout, rep.String())
	fmt.Fprintf(stdout, "head hash: %s\n", rep.Head)
	return 0
}
