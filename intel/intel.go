// Package intel is the technology-news intelligence: the sources an analyst
// subscribes to, the crawler that polls them (fetch → parse → classify →
// dedupe → store), and the stored, classified items that the risk map and
// the item stream read.
//
// Collections:
//
//   - intel_sources: one document per feed, holding its settings, its health
//     and the crawler's lease. The lease is a version-guarded claim on the
//     document itself (lease owner, lease expiry and the scheduler's due time
//     change in one write), so several crawlers sharing a store never fetch
//     a feed twice in one interval, and a crashed crawler's leases expire.
//   - intel_items: one document per story per source. Its id is derived from
//     the source and the item's key (GUID, else link, else a hash of title
//     and date), so a re-crawl cannot store a story twice.
//   - intel_item_terms: small link documents {term, ts, item} for the
//     multi-valued filters (industries, dimensions, enterprises), so every
//     item query is served by an index.
//   - intel_buckets: the near-duplicate detector's LSH buckets (MinHash of
//     character shingles of the normalised title and summary), band key →
//     cluster. The first item of a cluster is its representative
//     (cluster_first); downstream counts only those. One more document,
//     "relink:known", remembers the enterprises stored items were re-linked
//     to (see relink.go).
//   - intel_ingest: ingest journals, one per batch of items being stored,
//     deleted once the batch's consumers (risk map, alerts) have counted
//     it; a crawler killed in between leaves it for a repair (ingest.go).
package intel

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // source time zones work on hosts without a zoneinfo database

	"kedaitong/identity"
	"kedaitong/intel/classify"
	"kedaitong/intel/fetch"
	"kedaitong/internal/store"
	"kedaitong/taxonomy"
)

// Collections of the package.
var (
	SourcesDef = store.CollectionDef{Name: "intel_sources", Indexes: []store.Index{
		{Fields: []string{"url_key"}, Unique: true},
		{Fields: []string{"next_due_ms"}},
	}}
	// Items are 2–3 KB each and only inserted (a re-link or a correction
	// replaces a few): stored in insertion order (store.CollectionDef.Large).
	// Most items are their story's first, so "first items only" reads the
	// published_ms index and skips the others: an index of its own
	// (cluster_first, published_ms) cost every stored item a b-tree insert
	// and picked out little (stores made before keep it; nothing reads it).
	ItemsDef = store.CollectionDef{Name: "intel_items", Large: true, Indexes: []store.Index{
		{Fields: []string{"published_ms"}},
		{Fields: []string{"source_id", "published_ms"}},
		{Fields: []string{"polarity", "published_ms"}},
	}}
	TermsDef = store.CollectionDef{Name: "intel_item_terms", Indexes: []store.Index{
		{Fields: []string{"term", "ts"}},
	}}
	BucketsDef = store.CollectionDef{Name: "intel_buckets"}
)

// Defaults of Options.
const (
	DefaultWorkers = 32
	DefaultLease   = 2 * time.Minute
)

// Options configure a Service.
type Options struct {
	// Guard checks source URLs when they are added; Client fetches them.
	// Nil builds both from FetchAllow.
	Guard  *fetch.Guard
	Client *fetch.Client
	// FetchAllow is the operator's allow list (KEDAI_FETCH_ALLOW) used
	// when Guard is nil.
	FetchAllow string
	Recorder   identity.Recorder
	Logger     *slog.Logger
	// Worker names this crawler in leases; empty picks host-pid-random.
	Worker string
	// Workers is the size of the fetch pool (feeds fetched and parsed at
	// once; up to four times as many store their items meanwhile); 0
	// means DefaultWorkers.
	Workers int
	// Lease is how long a claim on a source lasts before another crawler
	// may take it over; 0 means DefaultLease. It must exceed the longest
	// fetch (30 s) plus the time to store a feed.
	Lease time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Service manages sources and items and runs the crawler.
type Service struct {
	sources store.Collection
	items   store.Collection
	terms   store.Collection
	buckets store.Collection
	journal store.Collection // ingest journals (ingest.go)

	tax    *taxonomy.Taxonomy
	guard  *fetch.Guard
	client *fetch.Client
	rec    identity.Recorder
	log    *slog.Logger
	worker string
	pool   int
	lease  time.Duration

	fetching chan struct{} // a slot per fetch in flight (pool of them)
	now      func() time.Time

	// The classifier is built on first use (lazy.go): a crawl that finds
	// every feed unchanged, or a command that never classifies, does not
	// pay for building it.
	base func() (*classify.Classifier, error)
	cls  atomic.Pointer[lazyClassifier] // base plus the enterprises

	entMu       sync.Mutex
	enterprises map[string]classify.Enterprise

	hooksMu sync.Mutex
	hooks   atomic.Pointer[[]ItemsHook]

	batchHooks atomic.Pointer[[]BatchHook] // ingest.go

	rl relinker // stored items re-linked to enterprises learnt later

	scopeMu sync.Mutex
	scope   EnterpriseScope // who may see which enterprise links (scope.go)
}

// ItemsHook is told of the items a crawl stored, right after they are
// stored (one call per fetched feed, with only the items stored now). It
// runs on the crawler's goroutine: it should be quick, and it must not
// fail the crawl (the items are stored whatever it does).
type ItemsHook func(ctx context.Context, items []Item)

// OnItems subscribes h to newly stored items (the risk map's counters, the
// alerts). Hooks run in the order they were added.
func (s *Service) OnItems(h ItemsHook) {
	s.hooksMu.Lock()
	defer s.hooksMu.Unlock()
	var hs []ItemsHook
	if old := s.hooks.Load(); old != nil {
		hs = append(hs, *old...)
	}
	hs = append(hs, h)
	s.hooks.Store(&hs)
}

// notify tells the hooks of stored items.
func (s *Service) notify(ctx context.Context, items []Item) {
	if len(items) == 0 {
		return
	}
	hs := s.hooks.Load()
	if hs == nil {
		return
	}
	for _, h := range *hs {
		h(ctx, items)
	}
}

// Open declares the package's collections and returns the service.
func Open(ctx context.Context, st store.Store, opts Options) (*Service, error) {
	s := &Service{tax: taxonomy.Default(), rec: opts.Recorder, log: opts.Logger, worker: opts.Worker,
		pool: opts.Workers, lease: opts.Lease, now: opts.Now, guard: opts.Guard, client: opts.Client}
	for _, x := range []struct {
		c   *store.Collection
		def store.CollectionDef
	}{{&s.sources, SourcesDef}, {&s.items, ItemsDef}, {&s.terms, TermsDef}, {&s.buckets, BucketsDef}, {&s.journal, JournalDef}} {
		var err error
		if *x.c, err = st.Collection(ctx, x.def); err != nil {
			return nil, fmt.Errorf("intel: %w", err)
		}
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.pool <= 0 {
		s.pool = DefaultWorkers
	}
	if s.lease <= 0 {
		s.lease = DefaultLease
	}
	s.fetching = make(chan struct{}, s.pool)
	if s.worker == "" {
		host, _ := os.Hostname()
		s.worker = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), randomHex(3))
	}
	if s.guard == nil {
		g, err := fetch.NewGuard(opts.FetchAllow)
		if err != nil {
			return nil, err
		}
		s.guard = g
	}
	if s.client == nil {
		s.client = fetch.New(s.guard, fetch.Options{UserAgent: fetch.DefaultUserAgent + " worker/" + s.worker})
	}
	tax := s.tax
	s.base = sync.OnceValues(func() (*classify.Classifier, error) { return classify.New(tax) })
	s.cls.Store(&lazyClassifier{})
	s.enterprises = map[string]classify.Enterprise{}
	s.rl.wake = make(chan struct{}, 1)
	return s, nil
}

// Worker returns the name this crawler claims sources under.
func (s *Service) Worker() string { return s.worker }

// SetEnterprises replaces the enterprises that new items are linked to (by
// full name and short names). Applications call it when the list of
// enterprises under review changes. Items already stored keep their links
// and are linked to the enterprises new in list by the re-linker (RunRelink
// in the background, or Relink): those published in the last RelinkWindow.
func (s *Service) SetEnterprises(list []classify.Enterprise) {
	s.entMu.Lock()
	defer s.entMu.Unlock()
	s.enterprises = map[string]classify.Enterprise{}
	for _, e := range list {
		if e.ID != "" {
			s.enterprises[e.ID] = e
		}
	}
	s.cls.Store(&lazyClassifier{list: slices.Clone(list)})
	s.queueRelink(list)
}

func (s *Service) record(ctx context.Context, u *identity.User, action, kind, id string, detail map[string]any) {
	if s.rec == nil {
		return
	}
	s.rec.Record(ctx, identity.Event{Actor: u, Action: action, ObjectKind: kind, ObjectID: id, Detail: detail})
}
