package intel

import (
	"context"
	"time"

	"kedaitong"
	"kedaitong/internal/store"
)

// Ingest journals: what happens downstream of stored items (the risk map's
// day counters, the alerts) is kept exactly, through crashes, without
// multi-document transactions.
//
// Before the items of a batch are stored, a journal document naming them
// is written ("intel_ingest", id "ij_<random>"), and every item stored by
// the batch carries the journal's id (itemDoc.Ingest). Once the items are
// durable the batch hooks run with the journal's id — a consumer marks its
// effect with it, in the same document as the effect (the risk map's day
// counters carry the ids applied to them), so running a batch's hooks
// twice changes nothing — and when every hook succeeded the journal is
// deleted. A crawler killed anywhere in between leaves the journal: the
// next crawler to start (and the scheduler, every minute) finds journals
// whose owner's lease ran out and runs their hooks again with exactly the
// items the batch stored (those carrying its id), then deletes them. So the
// counters neither lose an item nor count one twice.
//
// The lease is the crawler's (Options.Lease): a batch must be stored within
// it, as a fetch must be, or another crawler may repair it while it is
// still being written.

// JournalDef is the collection of ingest journals.
var JournalDef = store.CollectionDef{Name: "intel_ingest", Indexes: []store.Index{
	{Fields: []string{"until_ms"}},
}}

type journalDoc struct {
	Owner   string   `json:"owner"`
	UntilMS int64    `json:"until_ms"` // another crawler may repair it after this
	Items   []string `json:"items"`    // the ids the batch stores (those carrying Ingest == the journal's id)
}

// Batch is the items one ingest journal stored.
type Batch struct {
	ID    string // the journal's id: consumers mark their effects with it
	Items []Item // the items the batch stored (not those stored before)
}

// BatchHook is told of each batch of stored items, with the batch's
// journal id. It must be idempotent per batch id (a batch may be told
// twice after a crash); an error leaves the batch's journal for a repair.
type BatchHook func(ctx context.Context, b Batch) error

// OnBatch subscribes h to batches of newly stored items. Hooks run in the
// order they were added, the first error stopping the rest (all of them run
// again when the batch is repaired).
func (s *Service) OnBatch(h BatchHook) {
	s.hooksMu.Lock()
	defer s.hooksMu.Unlock()
	var hs []BatchHook
	if old := s.batchHooks.Load(); old != nil {
		hs = append(hs, *old...)
	}
	hs = append(hs, h)
	s.batchHooks.Store(&hs)
}

// openJournal writes the journal of a batch about to store ids.
func (s *Service) openJournal(ctx context.Context, ids []string) (string, error) {
	id := "ij_" + randomHex(10)
	j := journalDoc{Owner: s.worker, UntilMS: s.now().Add(s.lease).UnixMilli(), Items: ids}
	if err := s.journal.Insert(ctx, id, &j); err != nil {
		return "", err
	}
	return id, nil
}

// settle runs the batch hooks on the items a journal's batch stored and
// deletes the journal when they all succeeded. A failure leaves the
// journal for RepairIngest.
func (s *Service) settle(ctx context.Context, b Batch) error {
	ctx = context.WithoutCancel(ctx)
	if hs := s.batchHooks.Load(); hs != nil && len(b.Items) > 0 {
		for _, h := range *hs {
			if err := h(ctx, b); err != nil {
				s.log.Warn("intel: ingest hook; the batch is repaired later", "batch", b.ID, "err", err)
				return err
			}
		}
	}
	if err := s.journal.Delete(ctx, b.ID); err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
		return err
	}
	return nil
}

// RepairIngest completes the batches whose crawler stopped (or failed)
// between storing items and settling them: every journal whose lease ran
// out is taken over, its hooks run with the items it stored, and it is
// deleted. It returns how many batches it completed. Crawlers call it when
// they start and the scheduler every minute.
func (s *Service) RepairIngest(ctx context.Context) (int, error) {
	n := 0
	for {
		now := s.now()
		p, err := s.journal.Find(ctx, store.Query{Range: &store.Range{Field: "until_ms", Lte: now.UnixMilli()}, Sort: "until_ms", Limit: 50})
		if err != nil {
			return n, err
		}
		if len(p.Docs) == 0 {
			return n, nil
		}
		progress := false
		for _, doc := range p.Docs {
			var j journalDoc
			if err := doc.Decode(&j); err != nil {
				return n, err
			}
			// Take it over, so that two crawlers starting at once do not
			// both repair it (the hooks are idempotent; this saves work).
			j.Owner, j.UntilMS = s.worker, now.Add(s.lease).UnixMilli()
			if _, err := s.journal.Replace(ctx, doc.ID, doc.Version, &j); err != nil {
				if kedaitong.Is(err, kedaitong.EConflict) || kedaitong.Is(err, kedaitong.ENotFound) {
					continue
				}
				return n, err
			}
			items, err := s.batchItems(ctx, doc.ID, j.Items)
			if err != nil {
				return n, err
			}
			if err := s.settle(ctx, Batch{ID: doc.ID, Items: items}); err != nil {
				return n, err
			}
			n++
			progress = true
		}
		if !progress {
			return n, nil
		}
	}
}

// batchItems reads the items a journal's batch stored: those of ids that
// carry its id.
func (s *Service) batchItems(ctx context.Context, journal string, ids []string) ([]Item, error) {
	var out []Item
	for off := 0; off < len(ids); off += store.MaxBatch {
		docs, err := s.items.GetMany(ctx, ids[off:min(off+store.MaxBatch, len(ids))])
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			var it itemDoc
			if err := d.Decode(&it); err != nil {
				return nil, err
			}
			if it.Ingest == journal {
				out = append(out, it.Item.normal())
			}
		}
	}
	return out, nil
}

// LiveJournals reports which of the ids are journals not settled yet: a
// consumer may forget the marks of the others (they are never repaired).
func (s *Service) LiveJournals(ctx context.Context, ids []string) (map[string]bool, error) {
	live := map[string]bool{}
	for off := 0; off < len(ids); off += store.MaxBatch {
		docs, err := s.journal.GetMany(ctx, ids[off:min(off+store.MaxBatch, len(ids))])
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			live[d.ID] = true
		}
	}
	return live, nil
}

// repairEvery is how often the scheduler looks for batches to repair.
const repairEvery = time.Minute

// repair runs RepairIngest, logging what it did.
func (s *Service) repair(ctx context.Context) {
	n, err := s.RepairIngest(ctx)
	if err != nil && ctx.Err() == nil {
		s.log.Warn("intel: repair interrupted ingest", "err", err)
	}
	if n > 0 {
		s.log.Info("intel: completed interrupted ingest batches", "batches", n)
	}
}
