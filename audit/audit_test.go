package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"kedaitong"
	"kedaitong/internal/store"
	"kedaitong/internal/store/storetest"
)

// newLog opens a log on a fresh SQLite store.
func newLog(t testing.TB) (store.Store, *Log) {
	t.Helper()
	st := storetest.New(t)
	l, err := Open(context.Background(), st)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return st, l
}

// sample is the i-th entry of a varied test log.
func sample(i int) Entry {
	regions := []string{"36", "3601", "360102", "3607", "360702", "360703", "3609", "", "4403"}
	outcomes := []string{OK, OK, Denied, Failed}
	kinds := []string{"application", "user", "expert"}
	e := Entry{
		UserID:     fmt.Sprintf("u%d", i%5),
		Username:   fmt.Sprintf("user-%d", i%5),
		Role:       []string{"admin", "bank_officer", "official"}[i%3],
		Action:     fmt.Sprintf("%s.%s", kinds[i%3], []string{"create", "submit"}[i%2]),
		ObjectKind: kinds[i%3],
		ObjectID:   fmt.Sprintf("obj-%d", i),
		Outcome:    outcomes[i%4],
		RequestID:  fmt.Sprintf("req-%d", i),
		Region:     regions[i%len(regions)],
	}
	if i%2 == 0 {
		e.BankID = "bank-gz"
	}
	if i%3 == 0 {
		e.Detail = map[string]any{"from": "draft", "to": "submitted", "n": i, "note": "赣州 <芯片> & co"}
	}
	return e
}

func appendN(t testing.TB, l *Log, n int) []Entry {
	t.Helper()
	out := make([]Entry, 0, n)
	for i := range n {
		e, err := l.Append(context.Background(), sample(i))
		if err != nil {
			t.Fatalf("Append %d: %v", i, err)
		}
		out = append(out, e)
	}
	return out
}

func TestAppendChainVerifies(t *testing.T) {
	ctx := context.Background()
	st, l := newLog(t)
	defer func(old int) { verifyPage = old }(verifyPage)
	verifyPage = 7 // make the walk cross many pages

	got := appendN(t, l, 120)
	prev := ZeroHash
	for i, e := range got {
		if e.Seq != int64(i+1) {
			t.Fatalf("entry %d: seq = %d, want %d", i, e.Seq, i+1)
		}
		if e.PrevHash != prev {
			t.Fatalf("entry %d: prev_hash = %s, want %s", e.Seq, e.PrevHash, prev)
		}
		if h, err := e.ComputeHash(); err != nil || h != e.Hash {
			t.Fatalf("entry %d: ComputeHash = %s, %v; want the stored %s", e.Seq, h, err, e.Hash)
		}
		if e.Time.IsZero() || e.Time.Location() != time.UTC {
			t.Fatalf("entry %d: time %v, want a UTC time", e.Seq, e.Time)
		}
		prev = e.Hash
	}
	rep, err := l.Verify(ctx)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	// The walk and the read of the newest entry go by the primary key.
	storetest.AssertIndexed(t, st, CollectionName, store.Query{Limit: verifyPage, After: cursorAt(t, docID(3))})
	if !rep.Intact || rep.Entries != 120 || rep.Head != got[119].Hash {
		t.Fatalf("Verify = %+v, want intact with 120 entries and head %s", rep, got[119].Hash)
	}
	if s := rep.String(); s != "audit log intact: 120 entries" {
		t.Errorf("String() = %q", s)
	}

	// What List returns hashes to what was stored: an outside tool can check it.
	items, _, err := l.List(ctx, Filter{Limit: 500})
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	for _, e := range items {
		if h, err := e.ComputeHash(); err != nil || h != e.Hash {
			t.Errorf("listed entry %d: ComputeHash = %s, %v; want %s", e.Seq, h, err, e.Hash)
		}
	}
}

func TestEmptyLogVerifies(t *testing.T) {
	_, l := newLog(t)
	rep, err := l.Verify(context.Background())
	if err != nil || !rep.Intact || rep.Entries != 0 || rep.Head != ZeroHash {
		t.Fatalf("Verify on an empty log = %+v, %v; want intact, 0 entries, zero head", rep, err)
	}
}

func TestAppendRefuses(t *testing.T) {
	ok := func() Entry { return Entry{Action: "user.create", Outcome: OK} }
	big := map[string]any{"text": strings.Repeat("x", MaxDetailBytes)}
	justFits := map[string]any{"t": strings.Repeat("x", MaxDetailBytes-len(`{"t":""}`))}
	tests := []struct {
		name      string
		mod       func(*Entry)
		wantField string // "" when the entry is accepted
	}{
		{"valid", func(e *Entry) {}, ""},
		{"no action", func(e *Entry) { e.Action = " " }, "action"},
		{"bad outcome", func(e *Entry) { e.Outcome = "maybe" }, "outcome"},
		{"no outcome", func(e *Entry) { e.Outcome = "" }, "outcome"},
		{"long object id", func(e *Entry) { e.ObjectID = strings.Repeat("a", MaxFieldBytes+1) }, "object_id"},
		{"region of 3 digits", func(e *Entry) { e.Region = "360" }, "region"},
		{"region with letters", func(e *Entry) { e.Region = "36ab" }, "region"},
		{"detail over the cap", func(e *Entry) { e.Detail = big }, "detail"},
		{"detail at the cap", func(e *Entry) { e.Detail = justFits }, ""},
		{"detail not JSON", func(e *Entry) { e.Detail = map[string]any{"f": func() {}} }, "detail"},
		{"year 10000", func(e *Entry) { e.Time = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) }, "time"},
	}
	_, l := newLog(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ok()
			tt.mod(&e)
			_, err := l.Append(context.Background(), e)
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("Append = %v, want it accepted", err)
				}
				return
			}
			var ke *kedaitong.Error
			if kedaitong.ErrorCode(err) != kedaitong.EInvalid || !errors.As(err, &ke) || ke.Field != tt.wantField {
				t.Fatalf("Append = %v, want EInvalid on field %q", err, tt.wantField)
			}
		})
	}
	// Refused entries take no sequence number.
	rep, err := l.Verify(context.Background())
	if err != nil || !rep.Intact || rep.Entries != 2 {
		t.Fatalf("Verify = %+v, %v; want intact with the 2 accepted entries", rep, err)
	}
}

func TestNormalizeRegion(t *testing.T) {
	tests := []struct{ in, want, wantErr string }{
		{"", "", ""},
		{"36", "36", ""},
		{"3607", "3607", ""},
		{"360702", "360702", ""},
		{"360700", "3607", ""},
		{"360000", "36", ""},
		{"3600", "36", ""},
		{"00", "", kedaitong.EInvalid},
		{"3", "", kedaitong.EInvalid},
		{"36070", "", kedaitong.EInvalid},
		{"3607021", "", kedaitong.EInvalid},
		{"36-7", "", kedaitong.EInvalid},
		{"３６", "", kedaitong.EInvalid}, // full-width digits
	}
	for _, tt := range tests {
		got, err := NormalizeRegion(tt.in)
		if got != tt.want || kedaitong.ErrorCode(err) != tt.wantErr && !(tt.wantErr == "" && err == nil) {
			t.Errorf("NormalizeRegion(%q) = %q, %v; want %q, code %q", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestAppendTimes(t *testing.T) {
	ctx := context.Background()
	_, l := newLog(t)
	base := time.Date(2026, 3, 1, 8, 0, 0, 123456789, time.FixedZone("CST", 8*3600))
	clock := base
	l.SetClock(func() time.Time { return clock })

	e1, err := l.Append(ctx, Entry{Action: "a", Outcome: OK})
	if err != nil {
		t.Fatal(err)
	}
	if want := base.UTC().Truncate(time.Microsecond); !e1.Time.Equal(want) || e1.Time.Location() != time.UTC {
		t.Errorf("entry 1 time = %v, want %v in UTC at microseconds", e1.Time, want)
	}
	clock = base.Add(-time.Hour) // the clock goes back
	e2, err := l.Append(ctx, Entry{Action: "a", Outcome: OK})
	if err != nil {
		t.Fatal(err)
	}
	if !e2.Time.Equal(e1.Time) {
		t.Errorf("entry 2 time = %v after a clock step back, want entry 1's %v", e2.Time, e1.Time)
	}
	explicit := time.Date(2020, 1, 2, 3, 4, 5, 6000, time.UTC)
	e3, err := l.Append(ctx, Entry{Action: "a", Outcome: OK, Time: explicit})
	if err != nil {
		t.Fatal(err)
	}
	if !e3.Time.Equal(explicit) {
		t.Errorf("entry 3 time = %v, want the given %v", e3.Time, explicit)
	}
	if rep, err := l.Verify(ctx); err != nil || !rep.Intact {
		t.Fatalf("Verify = %+v, %v", rep, err)
	}
}

func TestCanonicalFormat(t *testing.T) {
	e := Entry{
		Seq: 7, Time: time.Date(2026, 3, 1, 0, 0, 0, 5000, time.UTC),
		UserID: "u1", Username: "李雷", Role: "official", Action: "whitelist.add",
		ObjectKind: "enterprise", ObjectID: "91360702MA38XXXXXX", Outcome: OK,
		RequestID: "r-9", Region: "360700", BankID: "",
		Detail:   map[string]any{"reason": "ok\nnext", "a": 1},
		PrevHash: ZeroHash,
	}
	b, err := e.Canonical()
	if err != nil {
		t.Fatal(err)
	}
	want := "kedaitong-audit-v1\n" +
		"seq 1 7\n" +
		"time 27 2026-03-01T00:00:00.000005Z\n" +
		"user_id 2 u1\n" +
		"username 6 李雷\n" +
		"role 8 official\n" +
		"action 13 whitelist.add\n" +
		"object_kind 10 enterprise\n" +
		"object_id 18 91360702MA38XXXXXX\n" +
		"outcome 2 ok\n" +
		"request_id 3 r-9\n" +
		"region 4 3607\n" +
		"bank_id 0 \n" +
		"detail 27 {\"a\":1,\"reason\":\"ok\\nnext\"}\n" +
		"prev_hash 64 " + ZeroHash + "\n"
	if string(b) != want {
		t.Errorf("Canonical() =\n%s\nwant\n%s", b, want)
	}
}

// TestStaleHead has two logs (two servers) on one store take turns: each
// one's idea of the newest entry goes stale, and the insert conflict makes
// it re-read instead of forking the chain.
func TestStaleHead(t *testing.T) {
	ctx := context.Background()
	st, a := newLog(t)
	b, err := Open(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range []*Log{a, b, a, a, b, a} {
		e, err := l.Append(ctx, sample(i))
		if err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
		if e.Seq != int64(i+1) {
			t.Fatalf("append %d: seq %d, want %d", i, e.Seq, i+1)
		}
	}
	if rep, err := a.Verify(ctx); err != nil || !rep.Intact || rep.Entries != 6 {
		t.Fatalf("Verify = %+v, %v; want 6 intact entries", rep, err)
	}
}

// TestConcurrentAppend has 16 goroutines on 4 logs (as 4 servers) append 25
// entries each.
func TestConcurrentAppend(t *testing.T) {
	ctx := context.Background()
	st, first := newLog(t)
	logs := []*Log{first}
	for range 3 {
		l, err := Open(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		logs = append(logs, l)
	}
	const writers, each = 16, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := logs[w%len(logs)]
			for i := range each {
				e := sample(w*each + i)
				e.RequestID = fmt.Sprintf("w%d-%d", w, i)
				if _, err := l.Append(ctx, e); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("Append: %v", err)
	}
	rep, err := first.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Intact || rep.Entries != writers*each {
		t.Fatalf("Verify = %+v, want %d intact entries", rep, writers*each)
	}
	var conflicts int64
	for _, l := range logs {
		conflicts += l.conflicts.Load()
	}
	t.Logf("%d inserts lost the race and were retried", conflicts)
	if conflicts == 0 {
		t.Errorf("no insert lost the race: the retry path was not exercised")
	}
	seen := allRequestIDs(t, first)
	for w := range writers {
		for i := range each {
			if id := fmt.Sprintf("w%d-%d", w, i); seen[id] != 1 {
				t.Errorf("request %s is in the log %d times, want once", id, seen[id])
			}
		}
	}
}

// allRequestIDs counts the request ids of every entry, read in seq order.
func allRequestIDs(t testing.TB, l *Log) map[string]int {
	t.Helper()
	seen := map[string]int{}
	after := ""
	want := int64(1)
	for {
		page, err := l.coll.Find(context.Background(), store.Query{Limit: 200, After: after})
		if err != nil {
			t.Fatal(err)
		}
		recs, err := store.DecodeAll[record](page.Docs)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if r.Seq != want {
				t.Fatalf("seq %d follows %d", r.Seq, want-1)
			}
			want++
			seen[r.RequestID]++
		}
		if page.Next == "" {
			return seen
		}
		after = page.Next
	}
}

func cursorAt(t testing.TB, id string) string {
	t.Helper()
	c, err := store.EncodeCursor(nil, id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
