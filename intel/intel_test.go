package intel

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/intel/classify"
	"kedaitong/intel/demo"
	"kedaitong/internal/store"
	"kedaitong/internal/store/storetest"
	"kedaitong/taxonomy"
)

var (
	analyst = identity.User{ID: "u-analyst", Username: "analyst", Role: "analyst"}
	admin   = identity.User{ID: "u-admin", Username: "admin", Role: "admin"}
	officer = identity.User{ID: "u-officer", Username: "officer", Role: "bank_officer", BankID: "gzb"}
	expert  = identity.User{ID: "u-expert", Username: "expert", Role: "expert", ExpertID: "exp-1"}
)

// newService opens the service on a fresh store with loopback allowed.
func newService(t testing.TB, opts Options) (*Service, store.Store) {
	t.Helper()
	st := storetest.New(t)
	if opts.FetchAllow == "" && opts.Guard == nil {
		opts.FetchAllow = "127.0.0.1"
	}
	s, err := Open(context.Background(), st, opts)
	if err != nil {
		t.Fatal(err)
	}
	return s, st
}

func allItems(t testing.TB, s *Service, f ItemFilter) []Item {
	t.Helper()
	var out []Item
	f.Limit = 500
	for {
		page, next, err := s.Items(context.Background(), admin, f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page...)
		if next == "" {
			return out
		}
		f.Cursor = next
	}
}

func TestDemoSeed(t *testing.T) {
	s, st := newService(t, Options{})
	ctx := context.Background()
	sum, err := s.SeedDemo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	all, _ := demo.Stories()
	if sum.NewItems != len(all) || sum.Failed != 0 || sum.Sources != len(demo.Feeds) {
		t.Fatalf("seed summary %+v, want %d new items from %d sources", sum, len(all), len(demo.Feeds))
	}
	items := allItems(t, s, ItemFilter{})
	if len(items) != len(all) {
		t.Fatalf("%d items listed, want %d", len(items), len(all))
	}
	for i := 1; i < len(items); i++ {
		if items[i].Published.After(items[i-1].Published) {
			t.Fatalf("items not newest first at %d", i)
		}
	}
	oldest := items[len(items)-1].Published
	if d := time.Since(oldest); d < 80*24*time.Hour || d > 92*24*time.Hour {
		t.Errorf("oldest item is %s old, want about 90 days", d)
	}
	// Every industry and dimension is represented, and the labels mostly
	// agree with what each story was written about.
	tax := taxonomy.Default()
	byTitle := map[string]demo.Story{}
	for _, st := range all {
		byTitle[st.Title] = st
	}
	agreeInd, agreeDim, agreePol := 0, 0, 0
	dims := 0
	for _, it := range items {
		st, ok := byTitle[it.Title]
		if !ok {
			t.Fatalf("item %q is not a demo story", it.Title)
		}
		if slices.Contains(it.Industries, st.Industry) {
			agreeInd++
		}
		if st.Dimension != "" {
			dims++
			if slices.Contains(it.Dimensions, st.Dimension) {
				agreeDim++
			}
		}
		if it.Polarity == st.Polarity {
			agreePol++
		}
	}
	t.Logf("demo labels: industry %d/%d, dimension %d/%d, polarity %d/%d", agreeInd, len(items), agreeDim, dims, agreePol, len(items))
	if agreeInd < len(items)*85/100 || agreeDim < dims*75/100 || agreePol < len(items)*75/100 {
		t.Errorf("demo stories are labelled too differently from how they were written")
	}
	for _, ind := range tax.Industries {
		if got := allItems(t, s, ItemFilter{Industry: ind.Code}); len(got) < 10 {
			t.Errorf("industry %s: %d items, want at least 10", ind.Code, len(got))
		}
	}
	for _, d := range classify.Dimensions {
		if got := allItems(t, s, ItemFilter{Dimension: d}); len(got) < 20 {
			t.Errorf("dimension %s: %d items, want at least 20", d, len(got))
		}
	}
	// The re-posts joined the clusters of their originals.
	reposts := 0
	for _, it := range items {
		if strings.HasPrefix(it.Title, "转载：") {
			reposts++
			if it.ClusterFirst || it.ClusterID == it.ID {
				t.Errorf("re-post %q was not clustered with its original", it.Title)
			}
			var orig Item
			for _, o := range items {
				if o.ID == it.ClusterID {
					orig = o
				}
			}
			if orig.ID == "" || !orig.ClusterFirst || orig.SourceID == it.SourceID {
				t.Errorf("re-post %q: cluster %s is not a first item of another source", it.Title, it.ClusterID)
			}
		} else if !it.ClusterFirst {
			t.Errorf("story %q was clustered with %s", it.Title, it.ClusterID)
		}
	}
	if reposts == 0 {
		t.Fatal("no re-posts among the demo stories")
	}
	firsts := allItems(t, s, ItemFilter{FirstOnly: true})
	if len(firsts) != len(items)-reposts {
		t.Errorf("first-only lists %d items, want %d", len(firsts), len(items)-reposts)
	}
	// Seeding again and crawling every source again store nothing new.
	if sum, err := s.SeedDemo(ctx); err != nil || sum.NewItems != 0 {
		t.Errorf("second seed: %+v %v, want no new items", sum, err)
	}
	if sum, err := s.CrawlOnce(ctx, true, nil); err != nil || sum.NewItems != 0 || sum.Sources != len(demo.Feeds) {
		t.Errorf("crawl --all: %+v %v, want every source and no new items", sum, err)
	}
	n, err := s.items.Count(ctx, store.Query{})
	if err != nil || int(n) != len(all) {
		t.Errorf("%d items stored, want %d", n, len(all))
	}
	checkQueriesIndexed(t, st)
}

// checkQueriesIndexed asserts that every query shape the package issues is
// served by an index.
func checkQueriesIndexed(t *testing.T, st store.Store) {
	since := int64(1700000000000)
	for _, c := range []struct {
		coll string
		q    store.Query
	}{
		{"intel_sources", store.Query{Limit: 10}},
		{"intel_sources", store.Query{Range: &store.Range{Field: "next_due_ms", Lte: since}, Sort: "next_due_ms", Limit: 10}},
		{"intel_items", store.Query{Sort: "published_ms", Desc: true, Limit: 10}},
		{"intel_items", store.Query{Sort: "published_ms", Desc: true, Range: &store.Range{Field: "published_ms", Gte: since}, Limit: 10}},
		{"intel_items", store.Query{Eq: map[string]any{"source_id": "x"}, Sort: "published_ms", Desc: true, Limit: 10}},
		{"intel_items", store.Query{Eq: map[string]any{"source_id": "x"}, Sort: "published_ms", Desc: true, Range: &store.Range{Field: "published_ms", Gte: since, Lt: since + 1}, Limit: 10}},
		{"intel_items", store.Query{Eq: map[string]any{"polarity": "risk"}, Sort: "published_ms", Desc: true, Limit: 10}},
		{"intel_item_terms", store.Query{Eq: map[string]any{"term": "i:semiconductors"}, Sort: "ts", Desc: true, Limit: 10}},
		{"intel_item_terms", store.Query{Eq: map[string]any{"term": "d:market"}, Sort: "ts", Desc: true, Range: &store.Range{Field: "ts", Gte: since}, Limit: 10}},
	} {
		storetest.AssertIndexed(t, st, c.coll, c.q)
	}
}

func TestItemFilters(t *testing.T) {
	s, _ := newService(t, Options{})
	ctx := context.Background()
	if _, err := s.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	check := func(name string, f ItemFilter, ok func(Item) bool) {
		t.Helper()
		got := allItems(t, s, f)
		if len(got) == 0 {
			t.Errorf("%s: no items", name)
		}
		for _, it := range got {
			if !ok(it) {
				t.Errorf("%s: item %q %v %v %s does not match", name, it.Title, it.Industries, it.Dimensions, it.Polarity)
				return
			}
		}
	}
	since := time.Now().Add(-30 * 24 * time.Hour)
	check("industry+dimension", ItemFilter{Industry: "photovoltaics", Dimension: "market"}, func(it Item) bool {
		return slices.Contains(it.Industries, "photovoltaics") && slices.Contains(it.Dimensions, "market")
	})
	check("polarity+since", ItemFilter{Polarity: "risk", Since: &since}, func(it Item) bool {
		return it.Polarity == "risk" && !it.Published.Before(since)
	})
	check("source", ItemFilter{Source: "src_demo_global-tech-en"}, func(it Item) bool { return it.SourceID == "src_demo_global-tech-en" })
	check("q Chinese", ItemFilter{Q: "稀土"}, func(it Item) bool { return strings.Contains(it.Title+it.Summary, "稀土") })
	check("q English words", ItemFilter{Q: "PRICE war"}, func(it Item) bool {
		l := strings.ToLower(it.Title + it.Summary)
		return strings.Contains(l, "price") && strings.Contains(l, "war")
	})
	check("route", ItemFilter{Industry: "photovoltaics.topcon"}, func(it Item) bool { return slices.Contains(it.Routes, "photovoltaics.topcon") })
	// Paging with a small limit sees every item exactly once.
	seen := map[string]bool{}
	f := ItemFilter{Dimension: "capital", Limit: 7}
	for {
		page, next, err := s.Items(ctx, officer, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page {
			if seen[it.ID] {
				t.Fatalf("item %s twice", it.ID)
			}
			seen[it.ID] = true
		}
		if next == "" {
			break
		}
		f.Cursor = next
	}
	if want := len(allItems(t, s, ItemFilter{Dimension: "capital"})); len(seen) != want {
		t.Errorf("paged %d items, want %d", len(seen), want)
	}
	for _, bad := range []ItemFilter{{Industry: "bananas"}, {Dimension: "weather"}, {Polarity: "good"}, {Q: strings.Repeat("x", 201)}} {
		if _, _, err := s.Items(ctx, analyst, bad); !kedaitong.Is(err, kedaitong.EInvalid) {
			t.Errorf("filter %+v: err %v, want invalid", bad, err)
		}
	}
	if _, _, err := s.Items(ctx, expert, ItemFilter{}); !kedaitong.Is(err, kedaitong.EForbidden) {
		t.Errorf("expert reading items: %v, want forbidden", err)
	}
}

func TestEnterpriseLinking(t *testing.T) {
	s, _ := newService(t, Options{})
	s.SetEnterprises([]classify.Enterprise{{ID: "ent-xy", Name: "南昌芯研微电子有限公司", ShortNames: []string{"南昌芯研微电子", "Nanchang Xinyan Microelectronics"}}})
	if _, err := s.SeedDemo(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := allItems(t, s, ItemFilter{Enterprise: "ent-xy"})
	if len(got) < 4 {
		t.Fatalf("%d items linked to the enterprise, want at least 4", len(got))
	}
	for _, it := range got {
		if !strings.Contains(it.Title+it.Summary, "芯研") && !strings.Contains(it.Title+it.Summary, "Xinyan") {
			t.Errorf("item %q linked without naming the enterprise", it.Title)
		}
	}
}
