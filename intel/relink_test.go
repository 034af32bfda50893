package intel

import (
	"context"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"kedaitong/intel/classify"
)

func ids(items []Item) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		out = append(out, it.ID)
	}
	sort.Strings(out)
	return out
}

// TestRelinkStoredItems: an enterprise that becomes known after its news
// was stored is linked to that news by the re-linking pass, exactly as if
// it had been known at ingest; the pass is remembered (a second pass and a
// restarted service do nothing), a renamed enterprise is matched again,
// and the hook hears of the items that gained links.
func TestRelinkStoredItems(t *testing.T) {
	ctx := context.Background()
	ent := classify.Enterprise{ID: "ent-xy", Name: "南昌芯研微电子有限公司", ShortNames: []string{"南昌芯研微电子", "Nanchang Xinyan Microelectronics"}}

	// The reference: the enterprise known before the news is stored.
	ref, _ := newService(t, Options{})
	ref.SetEnterprises([]classify.Enterprise{ent})
	if _, err := ref.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	since := time.Now().Add(-RelinkWindow + time.Hour)
	want := ids(allItems(t, ref, ItemFilter{Enterprise: ent.ID, Since: &since}))
	if len(want) < 4 {
		t.Fatalf("reference: %d linked items in the window, want at least 4", len(want))
	}

	s, st := newService(t, Options{})
	if _, err := s.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var heard []Item
	s.OnLinked(func(_ context.Context, items []Item) {
		mu.Lock()
		heard = append(heard, items...)
		mu.Unlock()
	})
	s.SetEnterprises([]classify.Enterprise{{ID: "ent-other", Name: "萍乡无关陶瓷有限公司"}, ent})
	if got := allItems(t, s, ItemFilter{Enterprise: ent.ID}); len(got) != 0 {
		t.Fatalf("linked before the pass: %d", len(got))
	}
	res, err := s.Relink(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Enterprises != 2 || res.Scanned == 0 || res.Linked < len(want) {
		t.Errorf("pass: %+v (want 2 enterprises, at least %d linked)", res, len(want))
	}
	got := allItems(t, s, ItemFilter{Enterprise: ent.ID})
	if g := ids(got); !slices.Equal(g, want) {
		t.Errorf("re-linked %d items %v, want the %d the reference linked %v", len(g), g, len(want), want)
	}
	for _, it := range got {
		if !slices.Contains(it.Enterprises, ent.ID) {
			t.Errorf("item %s found by the filter but its enterprises are %v", it.ID, it.Enterprises)
		}
		if !strings.Contains(it.Title+it.Summary, "芯研") && !strings.Contains(it.Title+it.Summary, "Xinyan") {
			t.Errorf("item %q linked without naming the enterprise", it.Title)
		}
		// Its other labels are untouched.
		r, err := ref.Item(ctx, analyst, it.ID)
		if err == nil && (!slices.Equal(r.Industries, it.Industries) || r.Polarity != it.Polarity) {
			t.Errorf("item %s changed labels: %v %s, reference %v %s", it.ID, it.Industries, it.Polarity, r.Industries, r.Polarity)
		}
	}
	mu.Lock()
	if h := ids(heard); !slices.Equal(h, want) {
		t.Errorf("the hook heard of %v, want %v", h, want)
	}
	mu.Unlock()

	// Nothing new: nothing to do, in this process or after a restart.
	s.SetEnterprises([]classify.Enterprise{ent, {ID: "ent-other", Name: "萍乡无关陶瓷有限公司"}})
	if res, err := s.Relink(ctx); err != nil || res.Enterprises != 0 || res.Scanned != 0 {
		t.Errorf("second pass: %+v %v", res, err)
	}
	s2, err := Open(ctx, st, Options{FetchAllow: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	s2.SetEnterprises([]classify.Enterprise{ent})
	if res, err := s2.Relink(ctx); err != nil || res.Enterprises != 0 {
		t.Errorf("after a restart: %+v %v", res, err)
	}

	// A renamed enterprise (a new short name) is matched again; links
	// are never duplicated.
	ent.ShortNames = append(ent.ShortNames, "芯研")
	s2.SetEnterprises([]classify.Enterprise{ent})
	if res, err := s2.Relink(ctx); err != nil || res.Enterprises != 1 {
		t.Errorf("renamed: %+v %v", res, err)
	}
	for _, it := range allItems(t, s2, ItemFilter{Enterprise: ent.ID}) {
		n := 0
		for _, e := range it.Enterprises {
			if e == ent.ID {
				n++
			}
		}
		if n != 1 {
			t.Errorf("item %s links the enterprise %d times", it.ID, n)
		}
	}
}

// TestRelinkIsBounded: items older than the window are not read.
func TestRelinkIsBounded(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t, Options{})
	if _, err := s.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	s.now = func() time.Time { return time.Now().Add(200 * 24 * time.Hour) }
	s.SetEnterprises([]classify.Enterprise{{ID: "ent-xy", Name: "南昌芯研微电子有限公司", ShortNames: []string{"南昌芯研微电子"}}})
	res, err := s.Relink(ctx)
	if err != nil || res.Enterprises != 1 || res.Scanned != 0 || res.Linked != 0 {
		t.Errorf("a pass 200 days later: %+v %v", res, err)
	}
}

// TestRunRelink: the background loop links as soon as the list changes.
func TestRunRelink(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, _ := newService(t, Options{})
	if _, err := s.SeedDemo(ctx); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); s.RunRelink(ctx) }()
	s.SetEnterprises([]classify.Enterprise{{ID: "ent-xy", Name: "南昌芯研微电子有限公司", ShortNames: []string{"南昌芯研微电子", "Nanchang Xinyan Microelectronics"}}})
	deadline := time.Now().Add(10 * time.Second)
	for len(allItems(t, s, ItemFilter{Enterprise: "ent-xy"})) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no item linked within 10 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	<-done
}
