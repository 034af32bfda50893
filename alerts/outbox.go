package alerts

import (
	"context"
	"time"

	"kedaitong"
	"kedaitong/internal/store"
)

// Fanning an event out is many writes (one inbox alert and one counter per
// recipient, one delivery per webhook). Before it starts, the event is
// stored whole and marked pending, in one write — for a cell spike that
// write is also the claim of the cell's day — and once every recipient has
// it the mark is cleared. Fanning out is idempotent (alert and delivery
// ids derive from the event and the recipient), so an event a crash left
// pending is simply fanned out again by the delivery worker (Recover).

// RecoverAfter is how old a pending event must be before Recover takes it
// as cut short rather than being fanned out.
const RecoverAfter = 30 * time.Second

// storedEvent is an event as the events collection keeps it.
type storedEvent struct {
	Key        string                    `json:"key"`
	Title      Text                      `json:"title"`
	Industry   string                    `json:"industry,omitempty"`
	Dimension  string                    `json:"dimension,omitempty"`
	Routes     []string                  `json:"routes,omitempty"`
	Enterprise []string                  `json:"enterprises,omitempty"`
	Score      float64                   `json:"score,omitempty"`
	Items      []ItemRef                 `json:"items,omitempty"`
	Link       string                    `json:"link,omitempty"`
	Banks      map[string][]storedReason `json:"banks,omitempty"`
	Users      map[string][]storedReason `json:"users,omitempty"`
	Pending    bool                      `json:"pending"`
	Claim      bool                      `json:"claim,omitempty"` // a cell spike's claim of its day: kept
	CreatedMS  int64                     `json:"created_ms"`
}

type storedReason struct {
	Kind string `json:"kind"`
	Text Text   `json:"text"`
	Rule string `json:"rule,omitempty"`
	Bank string `json:"bank,omitempty"`
}

func storeReasons(m map[string][]reason) map[string][]storedReason {
	out := make(map[string][]storedReason, len(m))
	for k, rs := range m {
		for _, r := range rs {
			out[k] = append(out[k], storedReason{Kind: r.kind, Text: r.text, Rule: r.rule, Bank: r.bank})
		}
	}
	return out
}

func loadReasons(m map[string][]storedReason) map[string][]reason {
	out := make(map[string][]reason, len(m))
	for k, rs := range m {
		for _, r := range rs {
			out[k] = append(out[k], reason{kind: r.Kind, text: r.Text, rule: r.Rule, bank: r.Bank})
		}
	}
	return out
}

func (ev *event) stored(now time.Time, claim bool) storedEvent {
	return storedEvent{Key: ev.key, Title: ev.title, Industry: ev.industry, Dimension: ev.dimension, Routes: ev.routes,
		Enterprise: ev.enterprise, Score: ev.score, Items: ev.items, Link: ev.link, Banks: storeReasons(ev.banks),
		Users: storeReasons(ev.users), Pending: true, Claim: claim, CreatedMS: now.UnixMilli()}
}

func (d storedEvent) event() *event {
	return &event{key: d.Key, title: d.Title, industry: d.Industry, dimension: d.Dimension, routes: d.Routes,
		enterprise: d.Enterprise, score: d.Score, items: d.Items, link: d.Link, banks: loadReasons(d.Banks), users: loadReasons(d.Users)}
}

// hold stores an item event pending under a fresh id and returns the id.
func (s *Service) hold(ctx context.Context, ev *event) (string, error) {
	id := keyID("out", ev.key, newID(""))
	return id, s.events.Insert(ctx, id, ev.stored(s.now().UTC(), false))
}

// done clears an event's pending mark: a claim is kept, an item event's
// record is removed.
func (s *Service) done(ctx context.Context, id string) error {
	ctx = context.WithoutCancel(ctx)
	var d storedEvent
	ver, err := s.events.Get(ctx, id, &d)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !d.Claim {
		err = s.events.Delete(ctx, id)
		if kedaitong.Is(err, kedaitong.ENotFound) {
			return nil
		}
		return err
	}
	d.Pending = false
	if _, err := s.events.Replace(ctx, id, ver, d); err != nil && !kedaitong.Is(err, kedaitong.EConflict) {
		return err
	}
	return nil
}

// fanOut delivers a held event and clears its mark.
func (s *Service) fanOut(ctx context.Context, id string, ev *event) (int, error) {
	n, err := s.deliver(ctx, ev)
	if err != nil {
		return n, err
	}
	return n, s.done(ctx, id)
}

// Recover fans out again the events a crash left pending (older than
// RecoverAfter) and returns how many alerts that put in inboxes.
func (s *Service) Recover(ctx context.Context) (int, error) {
	cut := s.now().UTC().Add(-RecoverAfter).UnixMilli()
	page, err := s.events.Find(ctx, store.Query{Eq: map[string]any{"pending": true}, Range: &store.Range{Field: "created_ms", Lte: cut}, Sort: "created_ms", Limit: 100})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range page.Docs {
		var e storedEvent
		if err := d.Decode(&e); err != nil {
			return n, err
		}
		k, err := s.fanOut(ctx, d.ID, e.event())
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
