package intel

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/width"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/intel/classify"
	"kedaitong/intel/feed"
	"kedaitong/internal/store"
)

// Item is a stored, classified story as the API shows it.
type Item struct {
	ID           string         `json:"id"`
	SourceID     string         `json:"source_id"`
	Title        string         `json:"title"`
	Link         string         `json:"link"`
	Published    time.Time      `json:"published"`
	Industries   []string       `json:"industries"`
	Dimensions   []string       `json:"dimensions"`
	Polarity     string         `json:"polarity"`
	ClusterID    string         `json:"cluster_id"`
	ClusterFirst bool           `json:"cluster_first"` // the cluster's representative: counted once downstream
	Enterprises  []string       `json:"enterprises"`
	Routes       []string       `json:"routes"`
	Severity     string         `json:"severity"`
	Cues         []classify.Cue `json:"cues"`
	Summary      string         `json:"summary"`
	SafeHTML     string         `json:"safe_html"` // sanitised HTML of the entry
	Language     string         `json:"language"`
	Fetched      time.Time      `json:"fetched"`
}

// itemDoc is the stored document.
type itemDoc struct {
	Item
	Key         string `json:"key"`
	PublishedMS int64  `json:"published_ms"`
	Ingest      string `json:"ingest,omitempty"` // the ingest journal of the batch that stored it (ingest.go)
}

type termDoc struct {
	Term string `json:"term"`
	TS   int64  `json:"ts"`
	Item string `json:"item"`
}

type bucketDoc struct {
	ClusterID string `json:"cluster_id"`
	Sig       string `json:"sig"`
	TS        int64  `json:"ts"`
}

// itemID is the id of an item of a source: a hash of the source and the
// item's key, so the same story from the same source is stored once.
func itemID(sourceID, key string) string {
	h := sha256.Sum256([]byte(sourceID + "\x00" + key))
	return "it_" + hex.EncodeToString(h[:12])
}

// groupedIDs is the way new sources make their items' ids: 4 bytes of a
// hash of the source, then 8 of a hash of the source and the item's key.
// The items of one source (and their term links, keyed by term and item)
// sit together in the store's ordered tables, so storing a new feed's
// items changes a few adjacent pages rather than a page per item and link.
// Sources created before keep the first way (their stored items and their
// lists of items seen are by those ids).
const groupedIDs = 2

// itemID is the id of the item with the key in this source.
func (d *sourceDoc) itemID(key string) string {
	if d.ItemIDs != groupedIDs {
		return itemID(d.ID, key)
	}
	a := sha256.Sum256([]byte(d.ID))
	h := sha256.Sum256([]byte(d.ID + "\x00" + key))
	return "it_" + hex.EncodeToString(a[:4]) + hex.EncodeToString(h[:8])
}

// clusterWindow is how far apart in time two items may be and still be one story.
const clusterWindow = 30 * 24 * time.Hour

// batchItems is how many items of a feed are stored with one batch of
// inserts per collection (their terms stay under store.MaxBatch).
const batchItems = 100

// pending is an item being stored by ingestBatch.
type pending struct {
	doc    itemDoc
	sig    [sigLen]uint32
	hasSig bool
	keys   []string
	terms  []string
}

// ingestBatch classifies, clusters and stores the parsed items of a feed
// that are not stored yet, and returns the items it stored. The writes go
// per collection in batches (the ingest journal, dedupe buckets and term
// links at once, then the items themselves), keyed by the item, so a crawl
// interrupted half-way is completed by the next one: an item counts as
// stored only when its own document is, and the journal has its effects
// downstream completed exactly once (ingest.go).
func (s *Service) ingestBatch(ctx context.Context, src *sourceDoc, fis []feed.Item, cls *classify.Classifier, now time.Time) ([]Item, error) {
	var stored []Item
	for len(fis) > 0 {
		n := min(batchItems, len(fis))
		got, err := s.ingestChunk(ctx, src, fis[:n], cls, now)
		stored = append(stored, got...)
		if err != nil {
			return stored, err
		}
		fis = fis[n:]
	}
	return stored, nil
}

func (s *Service) ingestChunk(ctx context.Context, src *sourceDoc, fis []feed.Item, cls *classify.Classifier, now time.Time) ([]Item, error) {
	firstCrawl := src.Health.Items == 0 && len(src.Seen) == 0
	ids := make([]string, len(fis))
	for i, fi := range fis {
		ids[i] = src.itemID(feed.ItemKey(fi))
	}
	var have map[string]bool
	if !firstCrawl {
		// A source that stored items before: skip those stored already
		// (one read for the chunk; on a first crawl, an interrupted
		// earlier attempt is caught by the item's unique id).
		docs, err := s.items.GetMany(ctx, ids)
		if err != nil {
			return nil, err
		}
		have = make(map[string]bool, len(docs))
		for _, d := range docs {
			have[d.ID] = true
		}
	}
	ps := make([]*pending, 0, len(fis))
	for i, fi := range fis {
		if have[ids[i]] {
			continue
		}
		ps = append(ps, s.prepare(src, ids[i], fi, cls, now))
	}
	if len(ps) == 0 {
		return nil, nil
	}
	// The journal, the term links and the dedupe buckets do not depend on
	// each other: they are written at once (concurrent writes share the
	// store's commits), all before the items, so an item is stored only
	// with its journal, its links and its buckets.
	var terms []store.NewDoc
	want := make([]string, len(ps))
	for i, p := range ps {
		want[i] = p.doc.ID
		for _, t := range p.terms {
			terms = append(terms, store.NewDoc{ID: t + "|" + p.doc.ID, Doc: termDoc{Term: t, TS: p.doc.PublishedMS, Item: p.doc.ID}})
		}
	}
	type jres struct {
		id  string
		err error
	}
	termsDone := make(chan error, 1)
	journalDone := make(chan jres, 1)
	go func() { termsDone <- s.insertAll(ctx, s.terms, terms, nil) }()
	go func() { id, err := s.openJournal(ctx, want); journalDone <- jres{id, err} }()
	cerr := s.clusterBatch(ctx, ps)
	terr := <-termsDone
	j := <-journalDone
	for _, err := range []error{j.err, cerr, terr} {
		if err != nil {
			return nil, err
		}
	}
	docs := make([]store.NewDoc, len(ps))
	for i, p := range ps {
		p.doc.Ingest = j.id
		docs[i] = store.NewDoc{ID: p.doc.ID, Doc: p.doc.stored()}
	}
	var stored []Item
	err := s.insertAll(ctx, s.items, docs, func(i int, ok bool) {
		if ok {
			stored = append(stored, ps[i].doc.Item.normal())
		}
	})
	if err != nil {
		return stored, err // the journal stays: a repair settles what was stored
	}
	if err := s.settle(ctx, Batch{ID: j.id, Items: stored}); err != nil {
		s.log.Warn("intel: settle a batch", "batch", j.id, "err", err)
	}
	return stored, nil
}

// insertAll inserts docs in batches, treating a conflict (stored already)
// as done; each reports whether the document was stored now.
func (s *Service) insertAll(ctx context.Context, c store.Collection, docs []store.NewDoc, each func(i int, ok bool)) error {
	for off := 0; off < len(docs); off += store.MaxBatch {
		part := docs[off:min(off+store.MaxBatch, len(docs))]
		errs, err := store.InsertEach(ctx, c, part)
		if err != nil {
			return err
		}
		for i, e := range errs {
			if e != nil && !kedaitong.Is(e, kedaitong.EConflict) {
				return e
			}
			if each != nil {
				each(off+i, e == nil)
			}
		}
	}
	return nil
}

// prepare classifies a feed item into the document it will be stored as.
func (s *Service) prepare(src *sourceDoc, id string, fi feed.Item, cls *classify.Classifier, now time.Time) *pending {
	l := cls.Classify(fi.Title, fi.Summary)
	pub := fi.Published
	if pub.IsZero() || pub.After(now.Add(24*time.Hour)) {
		pub = now
	}
	pub = pub.UTC().Truncate(time.Millisecond)
	lang := src.Language
	if lang == "" {
		lang = guessLanguage(fi.Title + fi.Summary)
	}
	p := &pending{doc: itemDoc{Item: Item{ID: id, SourceID: src.ID, Title: fi.Title, Link: fi.Link, Published: pub,
		Industries: l.Industries, Dimensions: l.Dimensions, Polarity: l.Polarity, Enterprises: l.Enterprises,
		Routes: l.Routes, Severity: l.Severity, Cues: l.Cues, Summary: fi.Summary, SafeHTML: fi.SafeHTML,
		Language: lang, Fetched: now.UTC(), ClusterID: id, ClusterFirst: true}, Key: feed.ItemKey(fi), PublishedMS: pub.UnixMilli()}}
	if p.doc.Title == "" {
		p.doc.Title = firstRunes(fi.Summary, 80)
	}
	p.sig, p.hasSig = signature(fi.Title, fi.Summary)
	if p.hasSig {
		p.keys = bandKeys(p.sig)
	}
	for _, x := range l.Industries {
		p.terms = append(p.terms, "i:"+x)
	}
	for _, x := range l.Dimensions {
		p.terms = append(p.terms, "d:"+x)
	}
	for _, x := range l.Enterprises {
		p.terms = append(p.terms, "e:"+x)
	}
	return p
}

// clusterBatch finds the story each item belongs to, among the batch's
// earlier items and the items stored before (from any source), and sets
// its cluster id and whether it starts a new cluster. Each LSH bucket is
// claimed with an insert (one batch, no read for a new story, the common
// case); a bucket taken already is read, and when its story is similar
// enough and close in time the item joins it, and the buckets the item
// claimed are pointed at that story too.
func (s *Service) clusterBatch(ctx context.Context, ps []*pending) error {
	owner := map[string]*pending{} // band key → the batch's first item with it
	var claims []store.NewDoc
	var claimOf []*pending
	for _, p := range ps {
		if !p.hasSig {
			continue
		}
		for _, k := range p.keys {
			o, taken := owner[k]
			if !taken {
				owner[k] = p
				claims = append(claims, store.NewDoc{ID: k})
				claimOf = append(claimOf, p)
				continue
			}
			if p.doc.ClusterFirst && o != p && similarity(p.sig, o.sig) >= dupThreshold && absMS(p.doc.PublishedMS-o.doc.PublishedMS) <= clusterWindow.Milliseconds() {
				p.doc.ClusterID, p.doc.ClusterFirst = o.doc.ClusterID, false
			}
		}
	}
	for i, p := range claimOf {
		// Buckets point at the story (an item that joined an earlier one
		// of the batch points its buckets at that story).
		claims[i].Doc = bucketDoc{ClusterID: p.doc.ClusterID, Sig: sigString(p.sig), TS: p.doc.PublishedMS}
	}
	mine := map[*pending][]string{}
	conflicts := map[*pending][]string{}
	// A bucket taken before this batch comes back with what holds it
	// (read in the claim's own transaction: a read of each on the readers'
	// pool was an eighth of a first crawl's CPU).
	taken := map[string]*store.Doc{}
	for off := 0; off < len(claims); off += store.MaxBatch {
		part := claims[off:min(off+store.MaxBatch, len(claims))]
		holders, errs, err := store.InsertEachOrGet(ctx, s.buckets, part)
		if err != nil {
			return err
		}
		for i, e := range errs {
			p := claimOf[off+i]
			switch {
			case e == nil:
				mine[p] = append(mine[p], part[i].ID)
			case kedaitong.Is(e, kedaitong.EConflict):
				conflicts[p] = append(conflicts[p], part[i].ID)
				if h := holders[i]; h != nil {
					taken[h.ID] = h
				}
			default:
				return e
			}
		}
	}
	// Items whose buckets were taken before this batch: join the stored
	// story when it is the same one.
	joined := map[string]string{} // an item's own id → the stored cluster it joined
	for _, p := range ps {
		ks := conflicts[p]
		if len(ks) == 0 || !p.doc.ClusterFirst {
			continue
		}
		for _, k := range ks {
			h, ok := taken[k]
			if !ok {
				continue // removed meanwhile
			}
			var b bucketDoc
			if err := h.Decode(&b); err != nil {
				return err
			}
			if b.ClusterID == p.doc.ID {
				break // a re-run of this item's own interrupted ingest
			}
			other, bits, ok := parseSig(b.Sig)
			if ok && similarityBits(p.sig, other, bits) >= dupThreshold && absMS(p.doc.PublishedMS-b.TS) <= clusterWindow.Milliseconds() {
				joined[p.doc.ID] = b.ClusterID
				p.doc.ClusterID, p.doc.ClusterFirst = b.ClusterID, false
				break
			}
		}
	}
	if len(joined) == 0 {
		return nil
	}
	for _, p := range ps {
		if c, ok := joined[p.doc.ClusterID]; ok && !p.doc.ClusterFirst {
			p.doc.ClusterID = c // joined a batch item that joined a stored story
		}
	}
	for _, p := range ps {
		c, ok := joined[p.doc.ID]
		if !ok {
			continue
		}
		for _, k := range mine[p] {
			var b bucketDoc
			v, err := s.buckets.Get(ctx, k, &b)
			if err == nil && b.ClusterID == p.doc.ID {
				b.ClusterID = c
				_, _ = s.buckets.Replace(ctx, k, v, &b) // a lost race leaves the bucket on this item: harmless
			}
		}
	}
	return nil
}

func absMS(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

func firstRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// guessLanguage says zh when a fifth of the letters are Chinese.
func guessLanguage(s string) string {
	han, letters := 0, 0
	for _, r := range s {
		switch {
		case r >= 0x4E00 && r <= 0x9FFF:
			han++
			letters++
		case r < 0x80 && (r|0x20 >= 'a' && r|0x20 <= 'z'):
			letters++
		}
	}
	if letters > 0 && han*5 >= letters {
		return "zh"
	}
	return "en"
}

// ItemFilter narrows the item stream. Empty fields do not filter.
type ItemFilter struct {
	Industry   string // an industry code (or a route code, matching items on that route)
	Dimension  string
	Polarity   string
	Source     string
	Enterprise string
	Q          string     // words that must all occur in the title or summary
	Since      *time.Time // published at or after
	Until      *time.Time // published before
	FirstOnly  bool       // only the first item of each story cluster
	Limit      int
	Cursor     string
}

// Polarities of items.
var Polarities = []string{"risk", "opportunity", "neutral"}

// Validate checks the filter's codes.
func (s *Service) validateFilter(f *ItemFilter) error {
	f.Industry = strings.TrimSpace(f.Industry)
	if f.Industry != "" && !s.tax.IsField(f.Industry) {
		return kedaitong.Invalid("industry", "%q is not an industry or technical route code", f.Industry).ZHf("%q 不是行业或技术路线代码", f.Industry)
	}
	if f.Dimension != "" && !slices.Contains(classify.Dimensions, f.Dimension) {
		return kedaitong.Invalid("dimension", "%q is not one of %s", f.Dimension, strings.Join(classify.Dimensions, ", ")).ZHf("%q 不是可选的风险维度，可选：%s", f.Dimension, strings.Join(classify.Dimensions, ", "))
	}
	if f.Polarity != "" && !slices.Contains(Polarities, f.Polarity) {
		return kedaitong.Invalid("polarity", "%q is not one of risk, opportunity, neutral", f.Polarity).ZHf("%q 无效，倾向只能是 risk（风险）、opportunity（机会）、neutral（中性）之一", f.Polarity)
	}
	if len(f.Source) > 64 {
		return kedaitong.Invalid("source", "is not a source id").ZHf("资讯源编号无效")
	}
	if len(f.Enterprise) > 128 {
		return kedaitong.Invalid("enterprise", "is not an enterprise id").ZHf("企业编号无效")
	}
	if utf8.RuneCountInString(f.Q) > 200 {
		return kedaitong.Invalid("q", "at most 200 characters").ZHf("搜索词最多 200 个字符")
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	return nil
}

// scanBudget is how many index entries one page of the item stream reads
// at most; a page that finds fewer matches than asked still ends with a
// cursor, so a client paging on sees every match.
const scanBudget = 4000

// Items lists items newest first. Analysts, banks, officials and
// administrators read them all (public news is not scoped); the enterprise
// links an item carries, and the enterprise filter, are scoped to the
// caller's book (EnterpriseScope). One declared
// index drives the scan (the most selective filter); the other filters are
// checked on the items themselves.
func (s *Service) Items(ctx context.Context, u identity.User, f ItemFilter) ([]Item, string, error) {
	if err := mayRead(u); err != nil {
		return nil, "", err
	}
	if err := s.validateFilter(&f); err != nil {
		return nil, "", err
	}
	vis, err := s.visible(ctx, u)
	if err != nil {
		return nil, "", err
	}
	if f.Enterprise != "" && !vis(f.Enterprise) {
		// An enterprise outside the caller's book matches nothing, exactly
		// like one no news names: the answer must not tell them apart.
		return []Item{}, "", nil
	}
	coll, q, viaTerms := s.driver(f)
	words := queryWords(f.Q)
	out := []Item{}
	scanned := 0
	after := f.Cursor
	for {
		q.After = after
		q.Limit = min(500, max(f.Limit*2, 100))
		p, err := coll.Find(ctx, q)
		if err != nil {
			return nil, "", err
		}
		for _, doc := range p.Docs {
			scanned++
			var it itemDoc
			var sortVal int64
			if viaTerms {
				var t termDoc
				if err := doc.Decode(&t); err != nil {
					return nil, "", err
				}
				sortVal = t.TS
				if _, err := s.items.Get(ctx, t.Item, &it); err != nil {
					if kedaitong.Is(err, kedaitong.ENotFound) {
						continue // the term outlived an interrupted ingest
					}
					return nil, "", err
				}
			} else {
				if err := doc.Decode(&it); err != nil {
					return nil, "", err
				}
				sortVal = it.PublishedMS
			}
			if matches(&it, f, words) {
				out = append(out, scoped(it.Item.normal(), vis))
			}
			if len(out) == f.Limit || scanned >= scanBudget {
				next, err := store.EncodeCursor(sortVal, doc.ID)
				if err != nil {
					return nil, "", err
				}
				return out, next, nil
			}
		}
		if p.Next == "" {
			return out, "", nil
		}
		after = p.Next
	}
}

// Item returns one item.
func (s *Service) Item(ctx context.Context, u identity.User, id string) (Item, error) {
	if err := mayRead(u); err != nil {
		return Item{}, err
	}
	var d itemDoc
	if id == "" || len(id) > 64 {
		return Item{}, kedaitong.Errorf(kedaitong.ENotFound, "no such item").ZHf("没有这条资讯")
	}
	if _, err := s.items.Get(ctx, id, &d); err != nil {
		if kedaitong.Is(err, kedaitong.ENotFound) {
			return Item{}, kedaitong.Errorf(kedaitong.ENotFound, "no such item").ZHf("没有这条资讯")
		}
		return Item{}, err
	}
	vis, err := s.visible(ctx, u)
	if err != nil {
		return Item{}, err
	}
	return scoped(d.Item.normal(), vis), nil
}

func (it Item) normal() Item {
	for _, p := range []*[]string{&it.Industries, &it.Dimensions, &it.Enterprises, &it.Routes} {
		if *p == nil {
			*p = []string{}
		}
	}
	if it.Cues == nil {
		it.Cues = []classify.Cue{}
	}
	return it
}

// driver picks the collection and query that drive an item scan.
func (s *Service) driver(f ItemFilter) (store.Collection, store.Query, bool) {
	var rng *store.Range
	if f.Since != nil || f.Until != nil {
		rng = &store.Range{}
		if f.Since != nil {
			rng.Gte = f.Since.UnixMilli()
		}
		if f.Until != nil {
			rng.Lt = f.Until.UnixMilli()
		}
	}
	term := func(t string) (store.Collection, store.Query, bool) {
		q := store.Query{Eq: map[string]any{"term": t}, Sort: "ts", Desc: true}
		if rng != nil {
			r := *rng
			r.Field = "ts"
			q.Range = &r
		}
		return s.terms, q, true
	}
	items := func(eq map[string]any) (store.Collection, store.Query, bool) {
		q := store.Query{Eq: eq, Sort: "published_ms", Desc: true}
		if rng != nil {
			r := *rng
			r.Field = "published_ms"
			q.Range = &r
		}
		return s.items, q, false
	}
	industry := f.Industry
	if s.tax.IsRoute(industry) {
		industry = s.tax.IndustryOf(industry)
	}
	switch {
	case f.Enterprise != "":
		return term("e:" + f.Enterprise)
	case f.Source != "":
		return items(map[string]any{"source_id": f.Source})
	case industry != "":
		return term("i:" + industry)
	case f.Dimension != "":
		return term("d:" + f.Dimension)
	case f.Polarity != "":
		return items(map[string]any{"polarity": f.Polarity})
	}
	// FirstOnly: most items are first items; matches skips the others.
	return items(nil)
}

// matches checks every filter on an item.
func matches(it *itemDoc, f ItemFilter, words []string) bool {
	switch {
	case f.Source != "" && it.SourceID != f.Source,
		f.Polarity != "" && it.Polarity != f.Polarity,
		f.Dimension != "" && !slices.Contains(it.Dimensions, f.Dimension),
		f.Enterprise != "" && !slices.Contains(it.Enterprises, f.Enterprise),
		f.FirstOnly && !it.ClusterFirst,
		f.Since != nil && it.PublishedMS < f.Since.UnixMilli(),
		f.Until != nil && it.PublishedMS >= f.Until.UnixMilli():
		return false
	}
	if f.Industry != "" {
		if strings.Contains(f.Industry, ".") {
			if !slices.Contains(it.Routes, f.Industry) {
				return false
			}
		} else if !slices.Contains(it.Industries, f.Industry) {
			return false
		}
	}
	if len(words) > 0 {
		text := foldText(it.Title + "\n" + it.Summary)
		for _, w := range words {
			if !strings.Contains(text, w) {
				return false
			}
		}
	}
	return true
}

// foldText folds width and case for text search.
func foldText(s string) string { return strings.ToLower(width.Fold.String(s)) }

// queryWords splits a text query into the words that must all occur.
func queryWords(q string) []string {
	var out []string
	for _, w := range strings.Fields(foldText(q)) {
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}
