package scoring

import (
	"errors"
	"sync"
)

// # Draft saves without reading the score
//
// An expert saves the same draft again and again. This process remembers
// the score document it last wrote for each assignment, with the version
// the store gave it; the next draft save of that assignment takes it
// instead of reading the store (the panel's settle check included: a
// remembered document is a draft). Nothing stale can be written: the
// save's write is guarded by the remembered version, so it succeeds only
// when the stored document is still exactly the one remembered. When it is
// not (another server saved or submitted it, or a save of this process won
// a race), the entry is dropped and the save starts again from the store,
// as any save without a remembered document does: the assignment read
// again and settled, the score read, the retries.
//
// Only draft saves use it; the submission, the unlock of an ended seat and
// every read (dossier, GET of the score) read the store, and the writes
// other than a draft save drop the entry first.

// maxLastWritten bounds the assignments remembered (then it starts afresh).
const maxLastWritten = 10_000

// errStaleLast is a draft save's write refused because the remembered
// document was no longer the stored one: the save starts again.
var errStaleLast = errors.New("scoring: the remembered score is not the stored one")

type writtenScore struct {
	sc  Score
	ver int64
}

// lastWritten is the score document this process last wrote per
// assignment and its version.
type lastWritten struct {
	mu sync.Mutex
	m  map[string]writtenScore
}

func (l *lastWritten) get(id string) (Score, int64, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w, ok := l.m[id]
	return w.sc, w.ver, ok
}

func (l *lastWritten) put(id string, sc Score, ver int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil || len(l.m) >= maxLastWritten {
		l.m = map[string]writtenScore{}
	}
	sc.History = nil
	l.m[id] = writtenScore{sc: sc, ver: ver}
}

func (l *lastWritten) drop(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.m, id)
}
