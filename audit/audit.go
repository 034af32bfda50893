// Package audit is the platform's tamper-evident audit log: an append-only
// list of every state change and every denied request, chained by SHA-256.
//
// Each entry has a sequence number (1, 2, 3, ... without gaps) and a hash
// over its canonical content (see Entry.Canonical) and the previous entry's
// hash; entry 1's previous hash is 64 zeros. Changing, removing, reordering
// or re-linking an entry in the store therefore breaks the chain at that
// entry, and Verify names it. Removing the newest entries (truncating the
// tail) leaves a valid shorter chain; only a copy of the last hash kept
// elsewhere (Report.Head) can show that.
//
// Several servers may append to one store at once without transactions:
// the document id of an entry is its zero-padded sequence number, so the
// Insert of entry n is the atomic claim of n. A writer that loses the race
// gets EConflict, re-reads the newest entry and tries again (bounded, with
// jitter). The package offers no update and no delete.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"kedaitong"
	"kedaitong/internal/store"
)

// Outcomes of an audited action.
const (
	OK     = "ok"     // the change was made
	Denied = "denied" // the caller was not allowed
	Failed = "failed" // the change was attempted and failed
)

// Limits on an entry.
const (
	MaxDetailBytes = 4096 // the canonical JSON of Entry.Detail
	MaxFieldBytes  = 512  // each text field
)

// CollectionName is the store collection that holds the log.
const CollectionName = "audit_log"

// ZeroHash is the previous hash of entry 1.
const ZeroHash = "0000000000000000000000000000000000000000000000000000000000000000"

// maxAttempts bounds how often Append re-reads and retries after losing the
// race for a sequence number to another writer.
const maxAttempts = 60

// Entry is one record of the log.
type Entry struct {
	Seq        int64          `json:"seq"`               // 1, 2, 3, ... filled by Append
	Time       time.Time      `json:"time"`              // UTC, microseconds; Append fills it when zero
	UserID     string         `json:"user_id"`           // who; "" for an anonymous request
	Username   string         `json:"username"`          //
	Role       string         `json:"role"`              // the caller's role
	Action     string         `json:"action"`            // e.g. "application.submit"; required
	ObjectKind string         `json:"object_kind"`       // e.g. "application"
	ObjectID   string         `json:"object_id"`         //
	Outcome    string         `json:"outcome"`           // OK, Denied or Failed; required
	RequestID  string         `json:"request_id"`        //
	Region     string         `json:"region,omitempty"`  // GB/T 2260 code of the object: 2, 4 or 6 digits
	BankID     string         `json:"bank_id,omitempty"` // the bank the object belongs to
	Detail     map[string]any `json:"detail,omitempty"`  // small free detail, at most MaxDetailBytes as JSON
	PrevHash   string         `json:"prev_hash"`         // the previous entry's Hash; filled by Append
	Hash       string         `json:"hash"`              // hex SHA-256 of Canonical; filled by Append
}

// record is an entry as stored. Region is split into its province, city and
// county prefixes so that an equality on one of them serves a region scope.
// Every field is present in every document, as indexed fields must be.
type record struct {
	Seq        int64  `json:"seq"`
	Time       string `json:"time"` // timeLayout: fixed width, so it orders as text
	UserID     string `json:"user_id"`
	Username   string `json:"username"`
	Role       string `json:"role"`
	Action     string `json:"action"`
	ObjectKind string `json:"object_kind"`
	ObjectID   string `json:"object_id"`
	Outcome    string `json:"outcome"`
	RequestID  string `json:"request_id"`
	Region     string `json:"region"`
	RegionP    string `json:"region_p"` // "36" or ""
	RegionC    string `json:"region_c"` // "3607" or ""
	RegionK    string `json:"region_k"` // "360702" or ""
	BankID     string `json:"bank_id"`
	DetailJSON string `json:"detail_json"` // canonical JSON of the detail, "" when none
	PrevHash   string `json:"prev_hash"`
	Hash       string `json:"hash"`
}

// docID is the document id of entry seq: zero-padded so that id order is seq order.
func docID(seq int64) string { return fmt.Sprintf("%020d", seq) }

// seqOfID parses a document id made by docID.
func seqOfID(id string) (int64, bool) {
	if len(id) != 20 {
		return 0, false
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n < 1 {
		return 0, false
	}
	return n, true
}

// Log is the audit log on a store. It is safe for concurrent use; appends of
// one Log queue on a mutex, appends of several Logs (servers) on one store
// race for sequence numbers and retry.
type Log struct {
	coll store.Collection
	now  func() time.Time

	mu        sync.Mutex   // held by the caller storing a batch
	head      *record      // the newest entry this Log knows of; nil when it must re-read
	conflicts atomic.Int64 // inserts that lost the race for a sequence number

	qmu   sync.Mutex
	queue []*pending // entries waiting for the next batch
}

// Open declares the log's collection and indexes on st and returns the log.
func Open(ctx context.Context, st store.Store) (*Log, error) {
	c, err := st.Collection(ctx, CollectionDef())
	if err != nil {
		return nil, fmt.Errorf("audit: open: %w", err)
	}
	return &Log{coll: c, now: time.Now}, nil
}

// SetClock replaces the clock that fills Entry.Time (tests).
func (l *Log) SetClock(now func() time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.now = now
}

// attrFields are the fields List filters by equality, one at a time.
var attrFields = []string{"user_id", "action", "object_kind", "outcome"}

// scopeFields are the region prefixes a region scope compares with.
var scopeFields = []string{"region_p", "region_c", "region_k"}

// CollectionDef is the log's collection and its indexes: every filter List
// offers — at most one of user, action, object kind and outcome, optionally
// with one region scope — followed by time, which List sorts and ranges by.
func CollectionDef() store.CollectionDef {
	ix := []store.Index{{Fields: []string{"time"}}}
	for _, a := range attrFields {
		ix = append(ix, store.Index{Fields: []string{a, "time"}})
	}
	for _, s := range scopeFields {
		ix = append(ix, store.Index{Fields: []string{s, "time"}})
		for _, a := range attrFields {
			ix = append(ix, store.Index{Fields: []string{s, a, "time"}})
		}
	}
	return store.CollectionDef{Name: CollectionName, Indexes: ix}
}

// Append validates e, gives it the next sequence number, the time (now,
// when e.Time is zero), the previous hash and its hash, stores it and
// returns it as stored. Fields the caller sets for Seq, PrevHash and Hash are
// ignored. An entry the log refuses is EInvalid.
//
// An automatic time is never earlier than the previous entry's, so entries
// of one chain that Append timed sort by time in sequence order.
//
// Concurrent appends share store writes: while one caller stores the
// entries queued so far as one chain (store.InsertChain, one commit), the
// next ones queue, and the first of them stores them all when it is done.
// Each caller returns once its own entry is stored. Entries of actions
// that happened (outcome OK) are written with store.Essential: they may use
// the space the store keeps for them when the disk is nearly full, so an
// action stored just before the disk filled still gets its entry. Denied
// and failed requests do not use the reserve.
func (l *Log) Append(ctx context.Context, e Entry) (Entry, error) {
	rec, err := newRecord(e)
	if err != nil {
		return Entry{}, err
	}
	p := &pending{rec: rec, autoTime: e.Time.IsZero(), done: make(chan struct{})}
	l.qmu.Lock()
	l.queue = append(l.queue, p)
	l.qmu.Unlock()

	l.mu.Lock()
	select {
	case <-p.done: // an earlier caller stored it
	default:
		l.qmu.Lock()
		batch := l.queue
		l.queue = nil
		l.qmu.Unlock()
		bctx := context.WithoutCancel(ctx)
		for _, q := range batch {
			if q.rec.Outcome == OK {
				bctx = store.Essential(bctx)
				break
			}
		}
		l.store(bctx, batch)
	}
	l.mu.Unlock()
	<-p.done
	if p.err != nil {
		return Entry{}, p.err
	}
	return p.rec.entry()
}

// pending is an entry waiting to be stored.
type pending struct {
	rec      record
	autoTime bool
	err      error
	done     chan struct{} // closed when rec (or err) is final
}

// store appends the batch as one chain, in chunks of at most store.MaxBatch,
// re-reading the newest entry and retrying the rest when another writer took
// a sequence number. It is called with l.mu held.
func (l *Log) store(ctx context.Context, todo []*pending) {
	finish := func(ps []*pending, err error) {
		for _, p := range ps {
			p.err = err
			close(p.done)
		}
	}
	fresh := false // whether l.head was just read from the store
	for attempt := 0; len(todo) > 0; {
		if l.head == nil {
			head, err := l.newest(ctx)
			if err != nil {
				finish(todo, err)
				return
			}
			l.head, fresh = head, true
		}
		chunk := todo[:min(len(todo), store.MaxBatch)]
		docs := make([]store.NewDoc, len(chunk))
		prev := l.head
		for i, p := range chunk {
			p.rec.Seq = prev.Seq + 1
			p.rec.PrevHash = prev.Hash
			if p.autoTime {
				t := l.now().UTC().Truncate(time.Microsecond).Format(timeLayout)
				if t < prev.Time {
					t = prev.Time
				}
				p.rec.Time = t
			}
			p.rec.Hash = hashHex(p.rec.canonical())
			docs[i] = store.NewDoc{ID: docID(p.rec.Seq), Doc: p.rec}
			prev = &p.rec
		}
		n, err := l.coll.InsertChain(ctx, docs)
		if n > 0 {
			stored := chunk[n-1].rec
			l.head = &stored
			finish(chunk[:n], nil)
			todo = todo[n:]
			attempt, fresh = 0, false
		}
		if err == nil {
			continue
		}
		l.head = nil
		if !kedaitong.Is(err, kedaitong.EConflict) {
			finish(todo, fmt.Errorf("audit: append: %w", err))
			return
		}
		l.conflicts.Add(1)
		if attempt+1 >= maxAttempts {
			finish(todo, kedaitong.Wrap(kedaitong.EUnavailable, err, "audit: append: lost the race for a sequence number %d times", maxAttempts).ZHf("审计日志写入失败：争用序号已重试 %d 次", maxAttempts))
			return
		}
		if fresh {
			// A live race with another writer, not a stale cache: back off.
			if err := sleep(ctx, jitter(attempt)); err != nil {
				finish(todo, kedaitong.Wrap(kedaitong.EUnavailable, err, "audit: append").ZHf("审计日志写入失败"))
				return
			}
		}
		attempt++
		fresh = false
	}
}

// jitter is a random wait that grows with the attempt, up to 16 ms.
func jitter(attempt int) time.Duration {
	ceil := 250 * time.Microsecond << min(attempt, 6)
	return ceil/4 + rand.N(ceil)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// newest reads the newest entry, or a zero entry 0 with ZeroHash when the
// log is empty. Its sequence number is the one its id claims.
func (l *Log) newest(ctx context.Context) (*record, error) {
	page, err := l.coll.Find(ctx, store.Query{Desc: true, Limit: 1})
	if err != nil {
		return nil, fmt.Errorf("audit: read the newest entry: %w", err)
	}
	if len(page.Docs) == 0 {
		return &record{Hash: ZeroHash}, nil
	}
	d := page.Docs[0]
	var r record
	if err := d.Decode(&r); err != nil {
		return nil, kedaitong.Wrap(kedaitong.EInternal, err, "audit: the newest entry %s cannot be read; run `kedaitong audit verify`", d.ID)
	}
	seq, ok := seqOfID(d.ID)
	if !ok {
		return nil, kedaitong.Errorf(kedaitong.EInternal, "audit: the newest entry has the id %q, not a sequence number; run `kedaitong audit verify`", d.ID)
	}
	r.Seq = seq
	return &r, nil
}

// newRecord validates e and turns it into a record without seq, prev hash,
// hash and (when e.Time is zero) time.
func newRecord(e Entry) (record, error) {
	r := record{
		UserID:     e.UserID,
		Username:   e.Username,
		Role:       e.Role,
		Action:     e.Action,
		ObjectKind: e.ObjectKind,
		ObjectID:   e.ObjectID,
		Outcome:    e.Outcome,
		RequestID:  e.RequestID,
		BankID:     e.BankID,
	}
	for _, f := range []struct {
		name string
		v    *string
	}{{"user_id", &r.UserID}, {"username", &r.Username}, {"role", &r.Role}, {"action", &r.Action},
		{"object_kind", &r.ObjectKind}, {"object_id", &r.ObjectID}, {"outcome", &r.Outcome},
		{"request_id", &r.RequestID}, {"bank_id", &r.BankID}} {
		if len(*f.v) > MaxFieldBytes {
			return record{}, kedaitong.Invalid(f.name, "is %d bytes long; at most %d are allowed", len(*f.v), MaxFieldBytes).ZHf("%s 长 %d 字节，最多允许 %d 字节", f.name, len(*f.v), MaxFieldBytes)
		}
		// Stored JSON would turn invalid UTF-8 into U+FFFD; do it before hashing.
		if !utf8.ValidString(*f.v) {
			*f.v = strings.ToValidUTF8(*f.v, "\uFFFD")
		}
	}
	if strings.TrimSpace(r.Action) == "" {
		return record{}, kedaitong.Invalid("action", "is required").ZHf("请填写操作（action）")
	}
	switch r.Outcome {
	case OK, Denied, Failed:
	default:
		return record{}, kedaitong.Invalid("outcome", "must be %q, %q or %q, not %q", OK, Denied, Failed, r.Outcome).ZHf("结果只能是 %q、%q 或 %q，不能是 %q", OK, Denied, Failed, r.Outcome)
	}
	var err error
	if r.Region, err = NormalizeRegion(e.Region); err != nil {
		return record{}, err
	}
	r.RegionP, r.RegionC, r.RegionK = regionPrefixes(r.Region)
	if !e.Time.IsZero() {
		t := e.Time.UTC().Truncate(time.Microsecond)
		if y := t.Year(); y < 1 || y > 9999 {
			return record{}, kedaitong.Invalid("time", "year %d is outside 1–9999", y).ZHf("年份 %d 超出 1–9999 的范围", y)
		}
		r.Time = t.Format(timeLayout)
	}
	if len(e.Detail) > 0 {
		b, err := json.Marshal(e.Detail)
		if err != nil {
			return record{}, &kedaitong.Error{Code: kedaitong.EInvalid, Field: "detail", Message: "cannot be encoded as JSON", ZH: "详情无法编码为 JSON", Err: err}
		}
		if len(b) > MaxDetailBytes {
			return record{}, kedaitong.Invalid("detail", "is %d bytes as JSON; at most %d are allowed", len(b), MaxDetailBytes).ZHf("详情转成 JSON 后为 %d 字节，最多允许 %d 字节", len(b), MaxDetailBytes)
		}
		// The stored form is the canonical one (maps with sorted keys,
		// numbers as written): what List decodes must encode to the same
		// bytes again, or the entry could not be hashed again. A detail that
		// holds structs is brought to that form here instead of refused.
		d, err := decodeDetail(string(b))
		if err != nil {
			return record{}, &kedaitong.Error{Code: kedaitong.EInvalid, Field: "detail", Message: "cannot be decoded again", ZH: "详情无法再次解码", Err: err}
		}
		canon, err := json.Marshal(d)
		if err != nil {
			return record{}, &kedaitong.Error{Code: kedaitong.EInvalid, Field: "detail", Message: "cannot be encoded as JSON", ZH: "详情无法编码为 JSON", Err: err}
		}
		if d2, err := decodeDetail(string(canon)); err != nil {
			return record{}, kedaitong.Invalid("detail", "does not encode to stable JSON").ZHf("详情无法编码为稳定的 JSON")
		} else if again, err := json.Marshal(d2); err != nil || string(again) != string(canon) {
			return record{}, kedaitong.Invalid("detail", "does not encode to stable JSON").ZHf("详情无法编码为稳定的 JSON")
		}
		r.DetailJSON = string(canon)
	}
	return r, nil
}

// decodeDetail decodes canonical detail JSON, keeping numbers as written.
func decodeDetail(s string) (map[string]any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

// entry converts a stored record to an Entry.
func (r record) entry() (Entry, error) {
	t, err := time.Parse(timeLayout, r.Time)
	if err != nil {
		return Entry{}, fmt.Errorf("audit: entry %d: time %q: %w", r.Seq, r.Time, err)
	}
	e := Entry{
		Seq: r.Seq, Time: t, UserID: r.UserID, Username: r.Username, Role: r.Role,
		Action: r.Action, ObjectKind: r.ObjectKind, ObjectID: r.ObjectID, Outcome: r.Outcome,
		RequestID: r.RequestID, Region: r.Region, BankID: r.BankID,
		PrevHash: r.PrevHash, Hash: r.Hash,
	}
	if r.DetailJSON != "" {
		if e.Detail, err = decodeDetail(r.DetailJSON); err != nil {
			return Entry{}, fmt.Errorf("audit: entry %d: detail: %w", r.Seq, err)
		}
	}
	return e, nil
}

// NormalizeRegion checks a GB/T 2260 code and returns its short form: "36"
// for a province, "3607" for a city, "360702" for a county. The six-digit
// forms of a province ("360000") and a city ("360700") are shortened. ""
// stays "" (no region). Anything else is EInvalid.
func NormalizeRegion(code string) (string, error) {
	if code == "" {
		return "", nil
	}
	bad := kedaitong.Invalid("region", "%q is not a GB/T 2260 code of 2, 4 or 6 digits", code).ZHf("%q 不是 2、4 或 6 位的 GB/T 2260 行政区划代码", code)
	if n := len(code); n != 2 && n != 4 && n != 6 {
		return "", bad
	}
	for i := 0; i < len(code); i++ {
		if code[i] < '0' || code[i] > '9' {
			return "", bad
		}
	}
	if code[:2] == "00" {
		return "", bad
	}
	for len(code) > 2 && code[len(code)-2:] == "00" {
		code = code[:len(code)-2]
	}
	return code, nil
}

// regionPrefixes splits a normalized region into its province, city and
// county codes; the parts it does not reach are "".
func regionPrefixes(region string) (p, c, k string) {
	if len(region) >= 2 {
		p = region[:2]
	}
	if len(region) >= 4 {
		c = region[:4]
	}
	if len(region) == 6 {
		k = region
	}
	return p, c, k
}
