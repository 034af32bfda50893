package scoring

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"kedaitong"
	"kedaitong/internal/store"
)

// # Revisions
//
// A score document holds only its current revision; every revision is also
// kept, append-only, in "score_revisions" (id = assignment@revision), so a
// draft save reads and rewrites a small document however often the expert
// saved before. The rule that makes this lose nothing: before a score
// document moves past revision n, revision n is in score_revisions
// (keepRevision, a read by id when it already is). The new revision is
// logged just after its write (alongside the audit entry); should that be
// cut short, the current revision is still the document itself, and the
// next write logs it first. Two writers logging the same revision log the
// same content (read from the same document version): the second insert
// is a conflict and is ignored.
//
// Documents written before revisions had their own collection carry their
// whole history in the score document ("history"); the next write moves it
// to score_revisions.

// RevisionsDef declares the revisions of every score. They are only ever
// inserted, by many experts at once: as a Large collection each one is
// appended to its table instead of landing at its id's place (one leaf
// page per save for 64 experts saving; 74–77 → 62–65 KB written per save
// in BENCHMARKS.md's score saves, session 23).
var RevisionsDef = store.CollectionDef{Name: "score_revisions", Large: true, Indexes: []store.Index{
	{Fields: []string{"assignment_id", "revision"}},
}}

// revisionDoc is a stored revision.
type revisionDoc struct {
	AssignmentID string `json:"assignment_id"`
	Revision
}

func revisionID(assignmentID string, rev int) string {
	return fmt.Sprintf("%s@%06d", assignmentID, rev)
}

// current is the score's current revision as a history entry.
func (sc Score) current() Revision {
	return Revision{Revision: sc.Revision, Content: sc.Content, GuidelineVersion: sc.GuidelineVersion, State: sc.State, At: sc.UpdatedAt}
}

// loggedRevisions remembers, per assignment, the newest revision this
// process logged or found logged, so that keepRevision reads the store
// only after another process wrote the score (or after a restart). Stored
// revisions are never removed, so what it says stays true.
type loggedRevisions struct {
	mu sync.Mutex
	m  map[string]int
}

// maxLoggedMemo bounds the assignments remembered (then it starts afresh).
const maxLoggedMemo = 100_000

func (l *loggedRevisions) has(id string, rev int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.m[id] >= rev
}

func (l *loggedRevisions) add(id string, rev int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil || len(l.m) >= maxLoggedMemo {
		l.m = map[string]int{}
	}
	l.m[id] = max(l.m[id], rev)
}

// logRevision stores the score's current revision in score_revisions; one
// already stored (by a racing writer, from the same document) is kept.
func (s *Service) logRevision(ctx context.Context, sc Score) error {
	if sc.Revision == 0 {
		return nil
	}
	err := s.revisions.Insert(ctx, revisionID(sc.AssignmentID, sc.Revision), revisionDoc{AssignmentID: sc.AssignmentID, Revision: sc.current()})
	if err == nil || kedaitong.Is(err, kedaitong.EConflict) {
		s.logged.add(sc.AssignmentID, sc.Revision)
		return nil
	}
	return err
}

// keepRevision makes sure that every revision of sc read from the store is
// in score_revisions before sc is overwritten: the legacy history carried
// in the document, and the current revision (normally logged already, just
// after its write: then this is one read by id). It clears sc.History.
func (s *Service) keepRevision(ctx context.Context, sc *Score) error {
	if len(sc.History) > 0 {
		for chunk := range slices.Chunk(sc.History, store.MaxBatch) {
			docs := make([]store.NewDoc, len(chunk))
			for i, r := range chunk {
				docs[i] = store.NewDoc{ID: revisionID(sc.AssignmentID, r.Revision), Doc: revisionDoc{AssignmentID: sc.AssignmentID, Revision: r}}
			}
			errs, err := s.revisions.InsertMany(ctx, docs)
			if err != nil {
				return err
			}
			for _, e := range errs {
				if e != nil && !kedaitong.Is(e, kedaitong.EConflict) {
					return e
				}
			}
		}
		sc.History = nil
	}
	if sc.Revision == 0 || s.logged.has(sc.AssignmentID, sc.Revision) {
		return nil
	}
	var r revisionDoc
	_, err := s.revisions.Get(ctx, revisionID(sc.AssignmentID, sc.Revision), &r)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		return s.logRevision(ctx, *sc)
	}
	if err == nil {
		s.logged.add(sc.AssignmentID, sc.Revision)
	}
	return err
}

// logAsync logs sc's revision while the caller goes on (with the audit
// entry, so that both share a commit); wait returns its error.
func (s *Service) logAsync(ctx context.Context, sc Score) (wait func() error) {
	done := make(chan error, 1)
	go func() { done <- s.logRevision(context.WithoutCancel(ctx), sc) }()
	return func() error { return <-done }
}

// revisionsOf returns every revision of a score, oldest first, the current one
// last.
func (s *Service) revisionsOf(ctx context.Context, sc Score) ([]Revision, error) {
	out := slices.Clone(sc.History) // a document written before score_revisions
	q := store.Query{Eq: map[string]any{"assignment_id": sc.AssignmentID}, Sort: "revision", Limit: 500}
	for {
		page, err := s.revisions.Find(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, d := range page.Docs {
			var r revisionDoc
			if err := d.Decode(&r); err != nil {
				return nil, err
			}
			if r.Revision.Revision <= sc.Revision {
				out = append(out, r.Revision)
			}
		}
		if page.Next == "" {
			break
		}
		q.After = page.Next
	}
	if sc.Revision > 0 {
		out = append(out, sc.current())
	}
	// Sorted by revision, each once (the legacy history, the collection and
	// the document overlap).
	slices.SortStableFunc(out, func(a, b Revision) int { return a.Revision - b.Revision })
	out = slices.CompactFunc(out, func(a, b Revision) bool { return a.Revision == b.Revision })
	if out == nil {
		out = []Revision{}
	}
	return out, nil
}
