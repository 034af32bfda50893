package experts

import (
	"context"
	"fmt"
	"hash/fnv"
	"sort"
	"strings"

	"kedaitong"
)

// The free-text postings are by single characters, so a query can have
// many candidates of which few match ("学大" shares its characters with
// every "大学"). To re-check candidates without reading each profile, the
// searchable text of every expert — its folded name and organisation names
// — is also kept in textShards documents of "expert_postings" ("x|<n>"),
// each a map from expert id to text. A search reads at most textShards of
// them. They are written before the profile, like the postings.

const textShards = 64

// textDoc is one shard: expert id → searchable text (segments joined by \x1f).
type textDoc struct {
	Texts map[string]string `json:"texts"`
}

func shardOf(id string) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % textShards)
}

func shardID(n int) string { return fmt.Sprintf("x|%02d", n) }

// rewriteTexts replaces every shard with the texts of all (Reindex).
func (s *Service) rewriteTexts(ctx context.Context, all map[string]string) error {
	shards := make([]map[string]string, textShards)
	for i := range shards {
		shards[i] = map[string]string{}
	}
	for id, t := range all {
		shards[shardOf(id)][id] = t
	}
	for n, texts := range shards {
		for attempt := 0; ; attempt++ {
			ver, err := s.postings.Get(ctx, shardID(n), nil)
			switch {
			case kedaitong.Is(err, kedaitong.ENotFound):
				err = s.postings.Insert(ctx, shardID(n), textDoc{Texts: texts})
			case err == nil:
				_, err = s.postings.Replace(ctx, shardID(n), ver, textDoc{Texts: texts})
			}
			if err == nil {
				break
			}
			if !kedaitong.Is(err, kedaitong.EConflict) || attempt > 50 {
				return err
			}
		}
	}
	return nil
}

// searchText is the folded name and organisation names of a profile.
func searchText(e Expert) string {
	parts := []string{fold(e.Name)}
	for _, o := range e.Organisations {
		parts = append(parts, fold(o.Name))
	}
	return strings.Join(parts, "\x1f")
}

// textMatches reports whether every word is within one segment of text.
func textMatches(text string, words []string) bool {
	segs := strings.Split(text, "\x1f")
	for _, w := range words {
		ok := false
		for _, s := range segs {
			if strings.Contains(s, w) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// setTexts writes texts (id → text; "" removes) into their shards, one
// version-guarded write per shard, retried on a lost race.
func (s *Service) setTexts(ctx context.Context, texts map[string]string) error {
	byShard := map[int][]string{}
	for id := range texts {
		byShard[shardOf(id)] = append(byShard[shardOf(id)], id)
	}
	shards := make([]int, 0, len(byShard))
	for n := range byShard {
		shards = append(shards, n)
	}
	sort.Ints(shards)
	for _, n := range shards {
		for attempt := 0; ; attempt++ {
			var d textDoc
			ver, err := s.postings.Get(ctx, shardID(n), &d)
			if err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
				return err
			}
			if d.Texts == nil {
				d.Texts = map[string]string{}
			}
			changed := false
			for _, id := range byShard[n] {
				t := texts[id]
				if old, ok := d.Texts[id]; t == "" && ok || t != "" && old != t {
					changed = true
				}
				if t == "" {
					delete(d.Texts, id)
				} else {
					d.Texts[id] = t
				}
			}
			if !changed {
				break
			}
			if ver == 0 {
				err = s.postings.Insert(ctx, shardID(n), d)
			} else {
				_, err = s.postings.Replace(ctx, shardID(n), ver, d)
			}
			if err == nil {
				break
			}
			if !kedaitong.Is(err, kedaitong.EConflict) || attempt > 50 {
				return err
			}
		}
	}
	return nil
}

// filterByText keeps the ids (sorted) whose stored text matches every
// word, reading only the shards it needs. An id without a stored text is
// kept (the profile re-check decides).
func (s *Service) filterByText(ctx context.Context, ids []string, words []string) ([]string, error) {
	if len(words) == 0 || len(ids) == 0 {
		return ids, nil
	}
	shards := map[int]map[string]string{}
	out := ids[:0:0]
	for _, id := range ids {
		n := shardOf(id)
		texts, ok := shards[n]
		if !ok {
			var d textDoc
			if _, err := s.postings.Get(ctx, shardID(n), &d); err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
				return nil, err
			}
			texts = d.Texts
			shards[n] = texts
		}
		t, ok := texts[id]
		if !ok || textMatches(t, words) {
			out = append(out, id)
		}
	}
	return out, nil
}
