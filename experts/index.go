package experts

import (
	"context"
	"slices"
	"sort"
	"strings"
	"unicode"

	"kedaitong"
)

// posting is one key of the inverted index with the sorted ids of the
// experts that have it.
type posting struct {
	Key string   `json:"key"`
	IDs []string `json:"ids"`
}

func postingID(key string) string { return "p|" + key }

// keys returns the index keys of a profile (see the package comment).
func keys(e Expert, industryOf func(string) string) []string {
	set := map[string]bool{}
	set["tier:"+e.Tier] = true
	set["st:"+e.Status] = true
	for _, n := range []int{2, 4, 6} {
		if len(e.Region) >= n {
			set["r:"+e.Region[:n]] = true
		}
	}
	for _, f := range e.Fields {
		if strings.Contains(f, ".") {
			set["f:"+f] = true
		}
		if ind := industryOf(f); ind != "" {
			set["i:"+ind] = true
		}
	}
	for _, f := range e.Specialities {
		set["s:"+f] = true
	}
	for _, t := range textTerms(e.Name) {
		set["t:"+t] = true
	}
	for _, o := range e.Organisations {
		for _, t := range textTerms(o.Name) {
			set["t:"+t] = true
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// isCJK reports whether r is written without spaces between words (Han,
// kana, hangul): such text is indexed by single characters.
func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r)
}

const maxPrefix = 8

// textTerms returns the index terms of a text: each CJK character, and the
// prefixes of one to eight letters of each Latin word or number
// (lower-cased, NFKC-folded).
func textTerms(s string) []string {
	set := map[string]bool{}
	var word []rune
	flush := func() {
		if len(word) == 0 {
			return
		}
		for n := 1; n <= min(len(word), maxPrefix); n++ {
			set[string(word[:n])] = true
		}
		word = word[:0]
	}
	for _, r := range fold(spaced(s)) {
		switch {
		case isCJK(r):
			flush()
			set[string(r)] = true
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			word = append(word, r)
		default:
			flush()
		}
	}
	flush()
	out := make([]string, 0, len(set))
	for t := range set {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// spaced turns spaces into a separator fold keeps ("|"), so words stay apart.
func spaced(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return '|'
		}
		return r
	}, s)
}

// queryTerms returns the index terms a query word needs: each CJK
// character and each Latin run (cut to the longest indexed prefix).
func queryTerms(word string) []string {
	var out []string
	var latin []rune
	flush := func() {
		if len(latin) > 0 {
			out = append(out, string(latin[:min(len(latin), maxPrefix)]))
			latin = latin[:0]
		}
	}
	for _, r := range word {
		switch {
		case isCJK(r):
			flush()
			out = append(out, string(r))
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			latin = append(latin, r)
		default:
			flush()
		}
	}
	flush()
	return out
}

// readPosting returns the ids of a key (nil when no expert has it).
func (s *Service) readPosting(ctx context.Context, key string) ([]string, error) {
	var p posting
	if _, err := s.postings.Get(ctx, postingID(key), &p); err != nil {
		if kedaitong.Is(err, kedaitong.ENotFound) {
			return nil, nil
		}
		return nil, err
	}
	return p.IDs, nil
}

// changePostings adds ids to (add) or removes them from (!add) the
// postings of each key, one version-guarded write per key, retried on a
// lost race.
func (s *Service) changePostings(ctx context.Context, byKey map[string][]string, add bool) error {
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		ids := byKey[k]
		if len(ids) == 0 {
			continue
		}
		if err := s.changePosting(ctx, k, ids, add); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) changePosting(ctx context.Context, key string, ids []string, add bool) error {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for attempt := 0; ; attempt++ {
		var p posting
		ver, err := s.postings.Get(ctx, postingID(key), &p)
		switch {
		case kedaitong.Is(err, kedaitong.ENotFound):
			if !add {
				return nil
			}
			err = s.postings.Insert(ctx, postingID(key), posting{Key: key, IDs: ids})
		case err != nil:
			return err
		default:
			var next []string
			if add {
				next = mergeSorted(p.IDs, ids)
			} else {
				next = subtractSorted(p.IDs, ids)
			}
			if len(next) == len(p.IDs) {
				return nil // nothing to change
			}
			if len(next) == 0 {
				err = s.postings.Delete(ctx, postingID(key))
				if kedaitong.Is(err, kedaitong.ENotFound) {
					err = nil
				}
			} else {
				p.IDs = next
				_, err = s.postings.Replace(ctx, postingID(key), ver, p)
			}
		}
		if err == nil {
			return nil
		}
		if !kedaitong.Is(err, kedaitong.EConflict) || attempt > 50 {
			return err
		}
	}
}

// mergeSorted returns the sorted union of two sorted, duplicate-free lists.
func mergeSorted(a, b []string) []string {
	out := make([]string, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			out = append(out, a[i])
			i++
		case a[i] > b[j]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i, j = i+1, j+1
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

// subtractSorted returns a without the ids of b (both sorted).
func subtractSorted(a, b []string) []string {
	out := make([]string, 0, len(a))
	j := 0
	for _, x := range a {
		for j < len(b) && b[j] < x {
			j++
		}
		if j < len(b) && b[j] == x {
			continue
		}
		out = append(out, x)
	}
	return out
}

// intersectSorted returns the ids in both sorted lists.
func intersectSorted(a, b []string) []string {
	out := make([]string, 0, min(len(a), len(b)))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			out = append(out, a[i])
			i, j = i+1, j+1
		}
	}
	return out
}

// diffKeys returns the keys in a that are not in b.
func diffKeys(a, b []string) []string {
	var out []string
	for _, k := range a {
		if !slices.Contains(b, k) {
			out = append(out, k)
		}
	}
	return out
}
