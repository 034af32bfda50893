package experts

import (
	"context"
	"encoding/base64"
	"slices"
	"sort"
	"strings"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store"
)

// Filter narrows a directory search. Empty fields do not filter.
type Filter struct {
	Field       string // an industry, a route (or a finance speciality)
	Tier        string
	Region      string // a GB/T 2260 prefix: 36, 3607, 360702
	AvailableOn string // YYYY-MM-DD: active and not in an unavailable period that day
	Q           string // free text on name and organisation names; every word must match
	Committee   string // a committee id
	Status      string
	Limit       int    // 1..500, default 50
	Cursor      string // from a previous page
}

// Validate checks the filter and normalises it.
func (f *Filter) Validate(s *Service) error {
	f.Field, f.Tier, f.Region = strings.TrimSpace(f.Field), strings.TrimSpace(f.Tier), strings.TrimSpace(f.Region)
	f.AvailableOn, f.Committee, f.Status = strings.TrimSpace(f.AvailableOn), strings.TrimSpace(f.Committee), strings.TrimSpace(f.Status)
	f.Q = strings.TrimSpace(f.Q)
	if f.Field != "" && !s.tax.IsField(f.Field) && !s.tax.IsSpeciality(f.Field) {
		return kedaitong.Invalid("field", "unknown field %q: use an industry or a technical route of GET /api/v1/fields", f.Field).ZHf("未知领域 %q：请使用 GET /api/v1/fields 中的行业或技术路线", f.Field)
	}
	if f.Tier != "" {
		t, ok := ParseTier(f.Tier)
		if !ok {
			return kedaitong.Invalid("tier", "unknown tier %q; tiers are academician, industry, finance", f.Tier).ZHf("未知层级 %q；层级为 academician（院士）、industry（产业专家）、finance（金融学者）", f.Tier)
		}
		f.Tier = t
	}
	if f.Region != "" && !ValidRegion(f.Region) {
		return kedaitong.Invalid("region", "%q is not a GB/T 2260 region code (36, 3607, 360702)", f.Region).ZHf("%q 不是 GB/T 2260 行政区划代码（36、3607、360702）", f.Region)
	}
	if f.AvailableOn != "" && !ValidDate(f.AvailableOn) {
		return kedaitong.Invalid("available_on", "%q is not a date YYYY-MM-DD", f.AvailableOn).ZHf("%q 不是 YYYY-MM-DD 格式的日期", f.AvailableOn)
	}
	if f.Status != "" && !slices.Contains(Statuses, f.Status) {
		return kedaitong.Invalid("status", "unknown status %q; statuses are active, suspended, retired", f.Status).ZHf("未知状态 %q；状态为 active（在库）、suspended（暂停）、retired（退出）", f.Status)
	}
	if len([]rune(f.Q)) > 100 {
		return kedaitong.Invalid("q", "at most 100 characters").ZHf("搜索词最多 100 个字符")
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	if f.Limit < 1 || f.Limit > 500 {
		return kedaitong.Invalid("limit", "must be a whole number from 1 to 500").ZHf("条数（limit）应为 1 到 500 的整数")
	}
	if f.Cursor != "" {
		if _, err := decodeCursor(f.Cursor); err != nil {
			return err
		}
	}
	return nil
}

func encodeCursor(id string) string { return base64.RawURLEncoding.EncodeToString([]byte("e|" + id)) }

func decodeCursor(c string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(b), "e|") || len(b) < 3 {
		return "", store.BadCursor()
	}
	return string(b[2:]), nil
}

// Search returns one page of the directory, in id order, as actor may see
// it (an expert: at most itself; no contact details unless actor is an
// official or admin), and the cursor of the next page ("" at the end).
func (s *Service) Search(ctx context.Context, actor identity.User, f Filter) ([]Expert, string, error) {
	if err := f.Validate(s); err != nil {
		return nil, "", err
	}
	after := ""
	if f.Cursor != "" {
		after, _ = decodeCursor(f.Cursor)
	}
	words := strings.Fields(f.Q)
	for i, w := range words {
		words[i] = fold(w)
	}
	match := func(e Expert) bool { return matches(e, f, words, s.tax.IndustryOf) }

	var out []Expert
	var ids []string
	restricted := false
	if !manages(actor) {
		if actor.Role != identity.RoleExpert || actor.ExpertID == "" {
			return nil, "", nil
		}
		ids, restricted = []string{actor.ExpertID}, true
	}
	cands, filtered, err := s.candidates(ctx, f, words)
	if err != nil {
		return nil, "", err
	}
	switch {
	case filtered && restricted:
		ids = intersectSorted(ids, cands)
	case filtered:
		ids = cands
	}
	if filtered || restricted {
		i := sort.SearchStrings(ids, after)
		if i < len(ids) && ids[i] == after {
			i++
		}
		ids = ids[i:]
		misses, textFiltered := 0, false
		for i := 0; i < len(ids); i++ {
			// Many candidates rejected by the re-check: the query's
			// characters are common but its text is rare; re-check the
			// rest against the stored texts, which is cheaper in bulk.
			if misses > 2*f.Limit+20 && len(words) > 0 && !textFiltered {
				rest, err := s.filterByText(ctx, ids[i:], words)
				if err != nil {
					return nil, "", err
				}
				ids, i, textFiltered = rest, 0, true
				if len(ids) == 0 {
					break
				}
			}
			e, _, err := s.load(ctx, ids[i])
			if kedaitong.Is(err, kedaitong.ENotFound) {
				continue // a posting's extra id
			}
			if err != nil {
				return nil, "", err
			}
			if !match(e) {
				misses++
				continue
			}
			if len(out) == f.Limit {
				return s.present(actor, out), encodeCursor(out[len(out)-1].ID), nil
			}
			out = append(out, e)
		}
		return s.present(actor, out), "", nil
	}
	// No indexed filter: walk the profiles in id order.
	q := store.Query{Limit: f.Limit + 1}
	if after != "" {
		c, err := store.EncodeCursor(nil, after)
		if err != nil {
			return nil, "", err
		}
		q.After = c
	}
	for {
		page, err := s.experts.Find(ctx, q)
		if err != nil {
			return nil, "", err
		}
		for _, d := range page.Docs {
			var e Expert
			if err := d.Decode(&e); err != nil {
				return nil, "", err
			}
			if !match(e) {
				continue
			}
			if len(out) == f.Limit {
				return s.present(actor, out), encodeCursor(out[len(out)-1].ID), nil
			}
			out = append(out, e)
		}
		if page.Next == "" {
			return s.present(actor, out), "", nil
		}
		q.After = page.Next
	}
}

// candidates intersects the postings of the filters that have them; filtered
// is false when none has (every expert is a candidate).
func (s *Service) candidates(ctx context.Context, f Filter, words []string) ([]string, bool, error) {
	var lists [][]string
	get := func(key string) error {
		ids, err := s.readPosting(ctx, key)
		lists = append(lists, ids)
		return err
	}
	var err error
	switch {
	case f.Field == "":
	case s.tax.IsIndustry(f.Field):
		err = get("i:" + f.Field)
	case s.tax.IsRoute(f.Field):
		err = get("f:" + f.Field)
	default:
		err = get("s:" + f.Field)
	}
	if err != nil {
		return nil, false, err
	}
	for _, x := range []struct{ v, prefix string }{{f.Tier, "tier:"}, {f.Region, "r:"}, {f.Status, "st:"}} {
		if x.v != "" {
			if err := get(x.prefix + x.v); err != nil {
				return nil, false, err
			}
		}
	}
	if f.Committee != "" {
		c, _, err := s.loadCommittee(ctx, f.Committee)
		if kedaitong.Is(err, kedaitong.ENotFound) {
			lists = append(lists, nil)
		} else if err != nil {
			return nil, false, err
		} else {
			m := slices.Clone(c.Members)
			slices.Sort(m)
			lists = append(lists, m)
		}
	}
	terms := map[string]bool{}
	for _, w := range words {
		for _, t := range queryTerms(w) {
			terms[t] = true
		}
	}
	for t := range terms {
		if err := get("t:" + t); err != nil {
			return nil, false, err
		}
	}
	if len(lists) == 0 {
		return nil, false, nil
	}
	// Intersect the shortest lists first.
	sort.Slice(lists, func(i, j int) bool { return len(lists[i]) < len(lists[j]) })
	ids := lists[0]
	for _, l := range lists[1:] {
		if len(ids) == 0 {
			break
		}
		ids = intersectSorted(ids, l)
	}
	return ids, true, nil
}

// matches re-checks every filter (but the committee, which the candidates
// alone decide) against a profile.
func matches(e Expert, f Filter, words []string, industryOf func(string) string) bool {
	if f.Tier != "" && e.Tier != f.Tier || f.Status != "" && e.Status != f.Status {
		return false
	}
	if f.Region != "" && !strings.HasPrefix(e.Region, f.Region) {
		return false
	}
	if f.Field != "" {
		ok := false
		for _, x := range e.Fields {
			if x == f.Field || industryOf(x) == f.Field && !strings.Contains(f.Field, ".") {
				ok = true
			}
		}
		if slices.Contains(e.Specialities, f.Field) {
			ok = true
		}
		if !ok {
			return false
		}
	}
	if f.AvailableOn != "" && !e.AvailableOn(f.AvailableOn) {
		return false
	}
	for _, w := range words {
		if !strings.Contains(fold(e.Name), w) && !orgsContain(e.Organisations, w) {
			return false
		}
	}
	return true
}

func orgsContain(orgs []Org, w string) bool {
	for _, o := range orgs {
		if strings.Contains(fold(o.Name), w) {
			return true
		}
	}
	return false
}

// present strips what actor may not see.
func (s *Service) present(actor identity.User, es []Expert) []Expert {
	if !SeesContact(actor) {
		for i := range es {
			es[i].Email, es[i].Phone = "", ""
		}
	}
	if es == nil {
		es = []Expert{}
	}
	return es
}
