package scoring

import (
	"context"

	"kedaitong"
)

// # One read of the score per save
//
// Reading an accepted assignment, the panel asks whether its score is
// locked (submittedAt, for settling); the save then reads the same score
// document to change it. A save passes a memo in its context: submittedAt
// decodes the whole document into it, and the save's first loadScore takes
// it instead of reading the store again. Nothing is lost by this: the memo
// is the document as read a moment earlier in the same request, the write
// is guarded by the version read with it (a save in between is a conflict,
// and the retry reads the store), and the memo serves one load only.

type scoreMemoKey struct{}

// scoreMemo is a score document read for the request, waiting for its load.
type scoreMemo struct {
	id       string
	sc       Score
	ver      int64 // 0 with missing
	missing  bool  // no score stored yet
	full     bool  // holds a read
	useLast  bool  // the document this process last wrote may stand for a read (lastwritten.go)
	fromLast bool  // it holds that document, not a read
}

// withScoreMemo returns ctx carrying an empty memo; with useLast, the
// score this process last wrote stands for the read.
func withScoreMemo(ctx context.Context, useLast bool) context.Context {
	return context.WithValue(ctx, scoreMemoKey{}, &scoreMemo{useLast: useLast})
}

// memoFromLast reports whether the memo waiting for the assignment's load
// holds the document this process last wrote rather than a read.
func memoFromLast(ctx context.Context, id string) bool {
	m := memoOf(ctx)
	return m != nil && m.full && m.fromLast && m.id == id
}

func memoOf(ctx context.Context) *scoreMemo {
	m, _ := ctx.Value(scoreMemoKey{}).(*scoreMemo)
	return m
}

// readScoreInto reads the score of an assignment into the request's memo
// (when it has one): ok is false when there is no memo; err is the read's
// error other than a missing score.
func (s *Service) readScoreInto(ctx context.Context, id string) (m *scoreMemo, ok bool, err error) {
	if m = memoOf(ctx); m == nil {
		return nil, false, nil
	}
	if m.useLast {
		if sc, ver, ok := s.last.get(id); ok {
			*m = scoreMemo{id: id, sc: sc, ver: ver, full: true, fromLast: true}
			return m, true, nil
		}
	}
	*m = scoreMemo{id: id}
	ver, err := s.scores.Get(ctx, id, &m.sc)
	switch {
	case kedaitong.Is(err, kedaitong.ENotFound):
		m.sc, m.missing, m.full = Score{}, true, true
	case err != nil:
		*m = scoreMemo{}
		return nil, true, err
	default:
		m.ver, m.full = ver, true
	}
	return m, true, nil
}

// takeMemo returns the score read for the assignment earlier in this
// request, once.
func takeMemo(ctx context.Context, id string) (sc Score, ver int64, missing, ok bool) {
	m := memoOf(ctx)
	if m == nil || !m.full || m.id != id {
		return Score{}, 0, false, false
	}
	sc, ver, missing = m.sc, m.ver, m.missing
	*m = scoreMemo{}
	return sc, ver, missing, true
}
