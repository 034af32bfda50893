package intel

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/intel/classify"
)

// events records audit events.
type events struct {
	mu  sync.Mutex
	evs []identity.Event
}

func (e *events) Record(_ context.Context, ev identity.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.evs = append(e.evs, ev)
}

// storeItem puts a classified item straight into the store, with its links.
func storeItem(t *testing.T, s *Service, it Item) {
	t.Helper()
	ctx := context.Background()
	d := itemDoc{Item: it, Key: it.ID, PublishedMS: it.Published.UnixMilli()}
	if err := s.items.Insert(ctx, it.ID, &d); err != nil {
		t.Fatal(err)
	}
	for _, x := range it.Industries {
		s.terms.Insert(ctx, "i:"+x+"|"+it.ID, termDoc{Term: "i:" + x, TS: d.PublishedMS, Item: it.ID})
	}
	for _, x := range it.Dimensions {
		s.terms.Insert(ctx, "d:"+x+"|"+it.ID, termDoc{Term: "d:" + x, TS: d.PublishedMS, Item: it.ID})
	}
}

func chipItem() Item {
	return Item{ID: "it-1", SourceID: "src-1", Title: "多晶硅出厂价再度下调", Summary: "厂商下调报价以应对低价竞争。", Language: "zh",
		Published: time.Date(2026, 11, 3, 4, 0, 0, 0, time.UTC), Industries: []string{"semiconductors"}, Dimensions: []string{"market"},
		Polarity: classify.Opportunity, Routes: []string{"semiconductors.ic-design"}, Severity: classify.SeverityNormal, ClusterFirst: true}
}

func TestCorrect(t *testing.T) {
	ctx := context.Background()
	s, st := newService(t, Options{})
	rec := &events{}
	cs, err := OpenCorrections(ctx, st, s, rec)
	if err != nil {
		t.Fatal(err)
	}
	var hooked [][2]Item
	cs.OnCorrected(func(_ context.Context, before, after Item) { hooked = append(hooked, [2]Item{before, after}) })
	storeItem(t, s, chipItem())

	it, err := cs.Correct(ctx, analyst, "it-1", CorrectionInput{Industries: []string{"photovoltaics"},
		Dimensions: []string{"market"}, Polarity: classify.Risk, Note: "  多晶硅是光伏上游，降价对卖方是风险  "})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(it.Industries, []string{"photovoltaics"}) || it.Polarity != classify.Risk || len(it.Routes) != 0 {
		t.Errorf("corrected item = %v %v %s routes %v", it.Industries, it.Dimensions, it.Polarity, it.Routes)
	}
	// The filters see the new labels at once, and no longer the old.
	if got := allItems(t, s, ItemFilter{Industry: "photovoltaics"}); len(got) != 1 {
		t.Errorf("industry=photovoltaics finds %d items, want 1", len(got))
	}
	if got := allItems(t, s, ItemFilter{Industry: "semiconductors"}); len(got) != 0 {
		t.Errorf("industry=semiconductors finds %d items, want 0", len(got))
	}
	if got := allItems(t, s, ItemFilter{Polarity: classify.Risk}); len(got) != 1 {
		t.Errorf("polarity=risk finds %d items, want 1", len(got))
	}
	if len(hooked) != 1 || hooked[0][0].Polarity != classify.Opportunity || hooked[0][1].Polarity != classify.Risk {
		t.Fatalf("hook calls = %+v", hooked)
	}
	if len(rec.evs) != 1 || rec.evs[0].Action != "item.correct" || rec.evs[0].Actor.ID != analyst.ID || rec.evs[0].ObjectID != "it-1" {
		t.Fatalf("audit = %+v", rec.evs)
	}
	c, err := cs.Get(ctx, analyst, "it-1")
	if err != nil {
		t.Fatal(err)
	}
	if c.Revisions != 1 || c.Classifier.Polarity != classify.Opportunity || c.Labels.Polarity != classify.Risk ||
		c.Note != "多晶硅是光伏上游，降价对卖方是风险" || c.ByName != "analyst" {
		t.Errorf("record = %+v", c)
	}

	// The same labels again change and record nothing.
	if _, err := cs.Correct(ctx, admin, "it-1", CorrectionInput{Industries: []string{"photovoltaics"},
		Dimensions: []string{"market"}, Polarity: classify.Risk}); err != nil {
		t.Fatal(err)
	}
	if len(rec.evs) != 1 || len(hooked) != 1 {
		t.Errorf("a no-op correction recorded %d events, %d hook calls", len(rec.evs), len(hooked))
	}

	// A second correction keeps the classifier's labels and counts.
	if _, err := cs.Correct(ctx, admin, "it-1", CorrectionInput{Industries: []string{"photovoltaics", "semiconductors"},
		Dimensions: []string{"market", "supply-chain"}, Polarity: classify.Risk}); err != nil {
		t.Fatal(err)
	}
	c, _ = cs.Get(ctx, admin, "it-1")
	if c.Revisions != 2 || c.Classifier.Industries[0] != "semiconductors" || !slices.Equal(c.Before.Industries, []string{"photovoltaics"}) || c.ByName != "admin" {
		t.Errorf("second record = %+v", c)
	}
	if got := allItems(t, s, ItemFilter{Dimension: "supply-chain"}); len(got) != 1 {
		t.Errorf("dimension=supply-chain finds %d items, want 1", len(got))
	}

	list, next, err := cs.List(ctx, analyst, 10, "")
	if err != nil || len(list) != 1 || next != "" {
		t.Fatalf("List = %v %q %v", list, next, err)
	}
	var buf bytes.Buffer
	n, err := cs.Export(ctx, analyst, &buf)
	if err != nil || n != 1 {
		t.Fatalf("Export = %d %v", n, err)
	}
	var line TrainingLine
	if err := json.Unmarshal(bytes.TrimSpace(buf.Bytes()), &line); err != nil {
		t.Fatal(err)
	}
	if line.Title != "多晶硅出厂价再度下调" || line.Lang != "zh" || line.Polarity != classify.Risk || len(line.Dimensions) != 2 || line.Split != "train" {
		t.Errorf("exported line = %+v", line)
	}
}

func TestCorrectRefused(t *testing.T) {
	ctx := context.Background()
	s, st := newService(t, Options{})
	rec := &events{}
	cs, err := OpenCorrections(ctx, st, s, rec)
	if err != nil {
		t.Fatal(err)
	}
	storeItem(t, s, chipItem())
	good := CorrectionInput{Industries: []string{"photovoltaics"}, Dimensions: []string{"market"}, Polarity: classify.Risk}
	cases := []struct {
		name string
		u    identity.User
		id   string
		in   func(CorrectionInput) CorrectionInput
		code string
	}{
		{"bank officer", officer, "it-1", nil, kedaitong.EForbidden},
		{"expert", expert, "it-1", nil, kedaitong.EForbidden},
		{"official", identity.User{ID: "o", Role: "official", Region: "36"}, "it-1", nil, kedaitong.EForbidden},
		{"no such item", analyst, "it-404", nil, kedaitong.ENotFound},
		{"unknown industry", analyst, "it-1", func(c CorrectionInput) CorrectionInput { c.Industries = []string{"steel"}; return c }, kedaitong.EInvalid},
		{"route as industry", analyst, "it-1", func(c CorrectionInput) CorrectionInput { c.Industries = []string{"photovoltaics.topcon"}; return c }, kedaitong.EInvalid},
		{"twice", analyst, "it-1", func(c CorrectionInput) CorrectionInput { c.Dimensions = []string{"market", "market"}; return c }, kedaitong.EInvalid},
		{"unknown dimension", analyst, "it-1", func(c CorrectionInput) CorrectionInput { c.Dimensions = []string{"weather"}; return c }, kedaitong.EInvalid},
		{"no polarity", analyst, "it-1", func(c CorrectionInput) CorrectionInput { c.Polarity = ""; return c }, kedaitong.EInvalid},
		{"bad polarity", analyst, "it-1", func(c CorrectionInput) CorrectionInput { c.Polarity = "bad"; return c }, kedaitong.EInvalid},
		{"long note", analyst, "it-1", func(c CorrectionInput) CorrectionInput { c.Note = strings.Repeat("说", 501); return c }, kedaitong.EInvalid},
	}
	for _, c := range cases {
		in := good
		if c.in != nil {
			in = c.in(in)
		}
		if _, err := cs.Correct(ctx, c.u, c.id, in); !kedaitong.Is(err, c.code) {
			t.Errorf("%s: err = %v, want %s", c.name, err, c.code)
		}
	}
	if len(rec.evs) != 0 {
		t.Errorf("refused corrections recorded %+v", rec.evs)
	}
	it, _ := s.Item(ctx, admin, "it-1")
	if it.Polarity != classify.Opportunity {
		t.Errorf("a refused correction changed the item: %+v", it)
	}
	if _, _, err := cs.List(ctx, officer, 10, ""); !kedaitong.Is(err, kedaitong.EForbidden) {
		t.Errorf("officer List: %v", err)
	}
	if _, err := cs.Export(ctx, officer, &bytes.Buffer{}); !kedaitong.Is(err, kedaitong.EForbidden) {
		t.Errorf("officer Export: %v", err)
	}
	if _, err := cs.Get(ctx, analyst, "it-1"); !kedaitong.Is(err, kedaitong.ENotFound) {
		t.Errorf("Get without a correction: %v", err)
	}
}

// TestCorrectConcurrent: corrections racing on one item each replace the
// labels the other left, so the hooks see a chain of changes (before of one
// is after of another) and the risk map's counts stay whole.
func TestCorrectConcurrent(t *testing.T) {
	ctx := context.Background()
	s, st := newService(t, Options{})
	cs, err := OpenCorrections(ctx, st, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	storeItem(t, s, chipItem())
	var mu sync.Mutex
	net := map[string]int{}
	cs.OnCorrected(func(_ context.Context, before, after Item) {
		mu.Lock()
		defer mu.Unlock()
		net[before.Polarity]--
		net[after.Polarity]++
	})
	var wg sync.WaitGroup
	for i, pol := range []string{classify.Risk, classify.Neutral, classify.Risk, classify.Neutral, classify.Opportunity, classify.Risk} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := cs.Correct(ctx, analyst, "it-1", CorrectionInput{Industries: []string{"photovoltaics"}, Polarity: pol, Note: string(rune('a' + i))}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	it, _ := s.Item(ctx, admin, "it-1")
	want := map[string]int{classify.Opportunity: -1}
	want[it.Polarity]++
	for _, p := range []string{classify.Risk, classify.Opportunity, classify.Neutral} {
		if net[p] != want[p] {
			t.Errorf("net hook change of %s = %d, want %d (final %s)", p, net[p], want[p], it.Polarity)
		}
	}
}
