package intel

// Analysts' label corrections. An analyst (or an administrator) who reads an
// item and finds its industries, dimensions or polarity wrong sets the right
// ones. The correction changes the stored item at once (one version-guarded
// write: the item's labels are what the filters, the alerts and the risk map
// read), adds the filter links of the new codes, is kept in
// intel_corrections (one document per item: the classifier's label, the
// current correction, who, when, why), is audited, and is told to the
// OnCorrected hooks (the risk map moves the item's counts from the old cells
// to the new ones). Corrections export as JSON lines in the labelled
// corpus's format, as training data for the classifier.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/intel/classify"
	"kedaitong/internal/store"
)

// CorrectionsDef is the corrections' collection: one document per corrected
// item, its id the item's.
var CorrectionsDef = store.CollectionDef{Name: "intel_corrections", Indexes: []store.Index{
	{Fields: []string{"at_ms"}},
}}

// MaxCorrectionNote bounds a correction's note, in characters.
const MaxCorrectionNote = 500

// Labels are an item's industries, dimensions and polarity.
type Labels struct {
	Industries []string `json:"industries"`
	Dimensions []string `json:"dimensions"`
	Polarity   string   `json:"polarity"`
}

func (l Labels) same(o Labels) bool {
	return sameSet(l.Industries, o.Industries) && sameSet(l.Dimensions, o.Dimensions) && l.Polarity == o.Polarity
}

// detail is l as an audit detail: maps only, so that it encodes the same
// after a round trip through JSON.
func (l Labels) detail() map[string]any {
	return map[string]any{"industries": l.Industries, "dimensions": l.Dimensions, "polarity": l.Polarity}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// CorrectionInput is an analyst's correction of one item.
type CorrectionInput struct {
	Industries []string `json:"industries"`
	Dimensions []string `json:"dimensions"`
	Polarity   string   `json:"polarity"`
	Note       string   `json:"note"`
}

// Correction is the kept record of an item's correction.
type Correction struct {
	ItemID     string    `json:"item_id"`
	Title      string    `json:"title"`
	Summary    string    `json:"summary"`
	Language   string    `json:"language"`
	Classifier Labels    `json:"classifier"` // what the classifier said, before any correction
	Before     Labels    `json:"before"`     // the labels this correction replaced
	Labels     Labels    `json:"labels"`     // the corrected labels
	Note       string    `json:"note"`
	By         string    `json:"by"`      // the user's id
	ByName     string    `json:"by_name"` // the user's name
	At         time.Time `json:"at"`
	AtMS       int64     `json:"at_ms"`
	Revisions  int       `json:"revisions"` // how many times the item was corrected
}

// CorrectedHook is told of a correction: the item before and after. It runs
// on the caller's goroutine once both writes are done.
type CorrectedHook func(ctx context.Context, before, after Item)

// Corrections keeps the analysts' corrections.
type Corrections struct {
	in  *Service
	c   store.Collection
	rec identity.Recorder
	now func() time.Time

	mu    sync.Mutex
	hooks []CorrectedHook
}

// OpenCorrections declares the corrections' collection over the items of in.
func OpenCorrections(ctx context.Context, st store.Store, in *Service, rec identity.Recorder) (*Corrections, error) {
	c, err := st.Collection(ctx, CorrectionsDef)
	if err != nil {
		return nil, fmt.Errorf("intel: %w", err)
	}
	return &Corrections{in: in, c: c, rec: rec, now: time.Now}, nil
}

// OnCorrected subscribes h to corrections.
func (cs *Corrections) OnCorrected(h CorrectedHook) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.hooks = append(cs.hooks, h)
}

// MayCorrect reports whether u may correct labels: analysts and
// administrators.
func MayCorrect(u identity.User) error {
	switch u.Role {
	case identity.RoleAnalyst, identity.RoleAdmin:
		return nil
	}
	return kedaitong.Errorf(kedaitong.EForbidden, "only analysts and administrators may correct labels").ZHf("只有情报分析员和管理员可以更正标注")
}

// validate checks a correction against the taxonomy and the codes.
func (cs *Corrections) validate(in *CorrectionInput) error {
	seen := map[string]bool{}
	for _, x := range in.Industries {
		if !cs.in.tax.IsIndustry(x) {
			return kedaitong.Invalid("industries", "%q is not an industry code", x).ZHf("%q 不是行业代码", x)
		}
		if seen[x] {
			return kedaitong.Invalid("industries", "%q is given twice", x).ZHf("行业 %q 重复", x)
		}
		seen[x] = true
	}
	for _, x := range in.Dimensions {
		if !slices.Contains(classify.Dimensions, x) {
			return kedaitong.Invalid("dimensions", "%q is not a risk dimension", x).ZHf("%q 不是风险维度", x)
		}
		if seen[x] {
			return kedaitong.Invalid("dimensions", "%q is given twice", x).ZHf("维度 %q 重复", x)
		}
		seen[x] = true
	}
	switch in.Polarity {
	case classify.Risk, classify.Opportunity, classify.Neutral:
	default:
		return kedaitong.Invalid("polarity", "must be risk, opportunity or neutral").ZHf("倾向须为风险、机遇或中性")
	}
	in.Note = strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(in.Note) > MaxCorrectionNote {
		return kedaitong.Invalid("note", "is longer than %d characters", MaxCorrectionNote).ZHf("说明不能超过 %d 个字", MaxCorrectionNote)
	}
	if in.Industries == nil {
		in.Industries = []string{}
	}
	if in.Dimensions == nil {
		in.Dimensions = []string{}
	}
	return nil
}

// Correct sets item id's labels. Setting the labels it has already changes
// nothing and records nothing.
func (cs *Corrections) Correct(ctx context.Context, u identity.User, id string, in CorrectionInput) (Item, error) {
	if err := MayCorrect(u); err != nil {
		return Item{}, err
	}
	if _, err := cs.in.Item(ctx, u, id); err != nil {
		return Item{}, err
	}
	if err := cs.validate(&in); err != nil {
		return Item{}, err
	}
	want := Labels{Industries: in.Industries, Dimensions: in.Dimensions, Polarity: in.Polarity}
	// The item's labels: one version-guarded write, retried when another
	// correction came first (the old labels are then that one's).
	var before, after itemDoc
	for attempt := 0; ; attempt++ {
		var d itemDoc
		v, err := cs.in.items.Get(ctx, id, &d)
		if err != nil {
			return Item{}, err
		}
		before = d
		old := Labels{Industries: d.Industries, Dimensions: d.Dimensions, Polarity: d.Polarity}
		if old.same(want) {
			return cs.in.Item(ctx, u, id)
		}
		d.Industries, d.Dimensions, d.Polarity = slices.Clone(want.Industries), slices.Clone(want.Dimensions), want.Polarity
		routes := []string{}
		for _, r := range d.Routes {
			if slices.Contains(d.Industries, cs.in.tax.IndustryOf(r)) {
				routes = append(routes, r)
			}
		}
		d.Routes = routes
		if d.Polarity != classify.Risk {
			d.Severity = classify.SeverityNormal
		}
		_, err = cs.in.items.Replace(ctx, id, v, &d)
		if err == nil {
			after = d
			break
		}
		if !kedaitong.Is(err, kedaitong.EConflict) || attempt >= 8 {
			return Item{}, err
		}
	}
	// Filter links of the new codes (links of removed codes stay; the item
	// filters check the item itself).
	var links []store.NewDoc
	for _, x := range after.Industries {
		if !slices.Contains(before.Industries, x) {
			links = append(links, store.NewDoc{ID: "i:" + x + "|" + id, Doc: termDoc{Term: "i:" + x, TS: after.PublishedMS, Item: id}})
		}
	}
	for _, x := range after.Dimensions {
		if !slices.Contains(before.Dimensions, x) {
			links = append(links, store.NewDoc{ID: "d:" + x + "|" + id, Doc: termDoc{Term: "d:" + x, TS: after.PublishedMS, Item: id}})
		}
	}
	if err := cs.in.insertAll(ctx, cs.in.terms, links, nil); err != nil {
		return Item{}, err
	}
	now := cs.now().UTC()
	prev := Labels{Industries: before.Industries, Dimensions: before.Dimensions, Polarity: before.Polarity}
	if err := cs.keep(ctx, u, after.Item, prev, want, in.Note, now); err != nil {
		return Item{}, err
	}
	if cs.rec != nil {
		cs.rec.Record(ctx, identity.Event{Actor: &u, Action: "item.correct", ObjectKind: "item", ObjectID: id, Outcome: "ok",
			Detail: map[string]any{"before": prev.detail(), "after": want.detail(), "note": in.Note}})
	}
	cs.mu.Lock()
	hooks := slices.Clone(cs.hooks)
	cs.mu.Unlock()
	for _, h := range hooks {
		h(ctx, before.Item.normal(), after.Item.normal())
	}
	return cs.in.Item(ctx, u, id)
}

// keep writes the correction's record (version-guarded, retried).
func (cs *Corrections) keep(ctx context.Context, u identity.User, it Item, prev, now Labels, note string, at time.Time) error {
	for attempt := 0; ; attempt++ {
		var rec Correction
		v, err := cs.c.Get(ctx, it.ID, &rec)
		switch {
		case err == nil:
		case kedaitong.Is(err, kedaitong.ENotFound):
			v, rec = 0, Correction{Classifier: prev}
		default:
			return err
		}
		rec.ItemID, rec.Title, rec.Summary, rec.Language = it.ID, it.Title, it.Summary, it.Language
		rec.Before, rec.Labels, rec.Note = prev, now, note
		rec.By, rec.ByName, rec.At, rec.AtMS = u.ID, u.Username, at, at.UnixMilli()
		rec.Revisions++
		if v == 0 {
			err = cs.c.Insert(ctx, it.ID, &rec)
		} else {
			_, err = cs.c.Replace(ctx, it.ID, v, &rec)
		}
		if err == nil || !kedaitong.Is(err, kedaitong.EConflict) || attempt >= 8 {
			return err
		}
	}
}

// Get returns item id's correction (ENotFound when it has none).
func (cs *Corrections) Get(ctx context.Context, u identity.User, id string) (Correction, error) {
	if _, err := cs.in.Item(ctx, u, id); err != nil {
		return Correction{}, err
	}
	var rec Correction
	if _, err := cs.c.Get(ctx, id, &rec); err != nil {
		if kedaitong.Is(err, kedaitong.ENotFound) {
			return Correction{}, kedaitong.Errorf(kedaitong.ENotFound, "the item has no correction").ZHf("这条资讯没有更正记录")
		}
		return Correction{}, err
	}
	return rec, nil
}

// List returns corrections, the latest first.
func (cs *Corrections) List(ctx context.Context, u identity.User, limit int, cursor string) ([]Correction, string, error) {
	if err := MayCorrect(u); err != nil {
		return nil, "", err
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	p, err := cs.c.Find(ctx, store.Query{Sort: "at_ms", Desc: true, Limit: limit, After: cursor})
	if err != nil {
		return nil, "", err
	}
	out := make([]Correction, 0, len(p.Docs))
	for _, d := range p.Docs {
		var rec Correction
		if err := d.Decode(&rec); err != nil {
			return nil, "", err
		}
		out = append(out, rec)
	}
	return out, p.Next, nil
}

// TrainingLine is one exported correction, in the format of the
// classifier's labelled corpus (intel/classify/testdata/*.jsonl).
type TrainingLine struct {
	ID         string   `json:"id"`
	Lang       string   `json:"lang"`
	Split      string   `json:"split"`
	Source     string   `json:"source"`
	Title      string   `json:"title"`
	Summary    string   `json:"summary"`
	Industries []string `json:"industries"`
	Dimensions []string `json:"dimensions"`
	Polarity   string   `json:"polarity"`
}

// Export writes every correction as one JSON line of training data, the
// latest first, and returns how many it wrote.
func (cs *Corrections) Export(ctx context.Context, u identity.User, w io.Writer) (int, error) {
	if err := MayCorrect(u); err != nil {
		return 0, err
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	n, cursor := 0, ""
	for {
		list, next, err := cs.List(ctx, u, 500, cursor)
		if err != nil {
			return n, err
		}
		for _, rec := range list {
			lang := rec.Language
			if lang != "zh" && lang != "en" {
				lang = guessLanguage(rec.Title + rec.Summary)
			}
			line := TrainingLine{ID: "corr-" + rec.ItemID, Lang: lang, Split: "train", Source: "correction:" + rec.ByName,
				Title: rec.Title, Summary: rec.Summary, Industries: rec.Labels.Industries, Dimensions: rec.Labels.Dimensions,
				Polarity: rec.Labels.Polarity}
			if err := enc.Encode(line); err != nil {
				return n, err
			}
			n++
		}
		if next == "" {
			return n, nil
		}
		cursor = next
	}
}
