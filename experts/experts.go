// Package experts is the think tank's expert library: tiered expert
// profiles, their fields and affiliations, availability, declared
// conflicts, capacity and track record, and the technical review
// committees.
//
// # Documents
//
// An expert is one document in collection "experts" whose id is the
// natural key (e.g. "exp-0001"): every attribute of the profile lives in it,
// so a profile changes through one version-guarded write. The track record
// lives beside it in "expert_stats", one document per expert changed only by
// the store's atomic Incr (counters on write, never scans; real numbers as
// integer milli-units), so concurrent reviews and consultations lose
// nothing. Committees are documents of "committees", one per industry or
// route, holding members and chair together (the chair is always a member).
//
// # Search
//
// Multi-valued attributes (several fields, several organisations, words of
// a name) cannot be indexed as arrays, so the library keeps an inverted
// index: one posting document per key in "expert_postings" — "f:<route>",
// "i:<industry>", "s:<speciality>", "tier:<tier>", "st:<status>",
// "r:<region prefix>", "t:<term>" — holding the sorted ids of the experts
// with that key. A search reads the postings of its filters by id (a
// primary-key lookup), intersects them in memory, and reads the page's
// profiles, re-checking every filter against the profile. Postings are kept a
// superset of the truth: a write adds the expert to its new keys before the
// profile changes and removes it from its old keys after, so an interrupted
// write can leave only extra ids, which the re-check drops.
//
// Postings rather than one link document per expert and key keep an import
// cheap: 10,000 rows cost about 10,000 profile writes plus one write per
// distinct key, where link documents would cost some fifteen writes per
// expert — each a commit, and with fsync on every commit that is the
// difference between seconds and a minute.
//
// Free text covers the name and organisation names. Chinese is indexed by
// single characters (a query's characters are intersected, then the whole
// query is matched as a substring of the name or an organisation), Latin
// words and numbers by their lower-cased prefixes of up to eight characters.
package experts

import (
	"context"
	"fmt"
	"sync"
	"time"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/taxonomy"
)

// Collections of the package.
var (
	ExpertsDef    = store.CollectionDef{Name: "experts"}
	PostingsDef   = store.CollectionDef{Name: "expert_postings"}
	StatsDef      = store.CollectionDef{Name: "expert_stats"}
	CommitteesDef = store.CollectionDef{Name: "committees"}
	SeqDef        = store.CollectionDef{Name: "expert_seq"}
)

// Service manages the expert library.
type Service struct {
	experts, postings, stats, committees, seq store.Collection
	rec                                       identity.Recorder
	tax                                       *taxonomy.Taxonomy
	now                                       func() time.Time

	mu sync.Mutex // serialises imports (one at a time per server)

	onChange []func(ctx context.Context, e Expert) // OnChange
}

// Open declares the package's collections and returns the service. rec may
// be nil (nothing is audited).
func Open(ctx context.Context, st store.Store, rec identity.Recorder) (*Service, error) {
	s := &Service{rec: rec, tax: taxonomy.Default(), now: func() time.Time { return time.Now().UTC() }}
	for _, x := range []struct {
		c   *store.Collection
		def store.CollectionDef
	}{{&s.experts, ExpertsDef}, {&s.postings, PostingsDef}, {&s.stats, StatsDef}, {&s.committees, CommitteesDef}, {&s.seq, SeqDef}} {
		var err error
		if *x.c, err = st.Collection(ctx, x.def); err != nil {
			return nil, fmt.Errorf("experts: %w", err)
		}
	}
	return s, nil
}

// SetClock replaces the service's clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// Taxonomy returns the taxonomy the service validates fields against.
func (s *Service) Taxonomy() *taxonomy.Taxonomy { return s.tax }

func (s *Service) record(ctx context.Context, actor *identity.User, action, kind, id, region string, detail map[string]any) {
	if s.rec == nil {
		return
	}
	s.rec.Record(ctx, identity.Event{Actor: actor, Action: action, ObjectKind: kind, ObjectID: id, Region: region, Detail: detail})
}

// Who may do what. Officials and admins manage the whole directory (the
// think tank is provincial: a city official sees every expert); an expert
// reads only its own profile and changes only its availability and declared
// conflicts; every other role is refused by the route's access rule and, if
// it got here another way, sees nothing.

func manages(u identity.User) bool {
	return u.Role == identity.RoleOfficial || u.Role == identity.RoleAdmin
}

func isSelf(u identity.User, id string) bool {
	return u.Role == identity.RoleExpert && u.ExpertID != "" && u.ExpertID == id
}

// CanRead reports whether u may read the profile id.
func CanRead(u identity.User, id string) bool { return manages(u) || isSelf(u, id) }

// SeesContact reports whether u sees experts' contact details.
func SeesContact(u identity.User) bool { return manages(u) }

func notFound(id string) error {
	return kedaitong.Errorf(kedaitong.ENotFound, "expert %q not found", id).ZHf("未找到评审专家 %q", id)
}
