package intel

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/intel/demo"
	"kedaitong/intel/feed"
	"kedaitong/intel/fetch"
	"kedaitong/internal/store"
)

// Outcome is what one fetch of a source did.
type Outcome struct {
	SourceID    string        `json:"source_id"`
	URL         string        `json:"url"`
	Status      string        `json:"status"` // "ok", "not_modified" or "failed"
	HTTPStatus  int           `json:"http_status"`
	Items       int           `json:"items"`     // items in the feed
	NewItems    int           `json:"new_items"` // items stored now
	Error       string        `json:"error,omitempty"`
	ErrorKind   string        `json:"error_kind,omitempty"`
	NextDue     time.Time     `json:"next_due"`
	Duration    time.Duration `json:"-"`
	DurationSec float64       `json:"seconds"`
}

// Outcome statuses.
const (
	StatusOK          = "ok"
	StatusNotModified = "not_modified"
	StatusFailed      = "failed"
)

// storeFactor is how many sources a crawl works on per fetch slot
// (Options.Workers): at most Workers fetch and parse at once, and up to
// storeFactor times as many classify, store and settle their items
// meanwhile. Storing waits for the store's group commit, so more of them
// in flight means larger transactions (fewer pages written per item) while
// the number of feed bodies in memory stays bounded by Workers (the parsed
// items of up to storeFactor × Workers feeds are). 8 rather than 4 halved
// the transactions of a first crawl of 500 feeds (76 → 37) and the bytes
// written per item (32 → 20 KB; issue 19, BENCHMARKS.md "Crawler (session
// 23)").
const storeFactor = 8

// claim takes the lease on a source whose document is at version v: one
// version-guarded write sets the owner, the lease's expiry and the
// scheduler's due time. It fails when another crawler holds a live lease
// or won the race.
//
// For a source that is new or failing, the due time is the lease's expiry,
// so a crashed crawler's source becomes due again when its lease runs out,
// and the fetch's outcome is written when it ends (finish). A healthy
// source (its last fetch succeeded, and it can be asked conditionally) is
// claimed optimistically: the claim also records the outcome a healthy
// feed usually has — fetched now, not modified, due again after its
// interval — so that when the feed is indeed unchanged the claim is the
// fetch's only write. Any other outcome is written over it by finish. The
// price: a crawler that dies in the middle of such a fetch leaves the
// source until its next interval instead of the lease's expiry.
func (s *Service) claim(ctx context.Context, d sourceDoc, v int64, force bool) (sourceDoc, int64, bool, error) {
	return s.claimAs(ctx, d, v, force, healthy(&d))
}

// claimAs is claim, optimistic when soft.
func (s *Service) claimAs(ctx context.Context, d sourceDoc, v int64, force, soft bool) (sourceDoc, int64, bool, error) {
	now := s.now()
	nowMS := now.UnixMilli()
	if d.LeaseOwner != "" && d.LeaseOwner != s.worker && d.LeaseUntil > nowMS && !(force && d.LeaseSoft) {
		return d, v, false, nil
	}
	if !force && (!d.Enabled || d.NextDueMS > nowMS) {
		return d, v, false, nil
	}
	d.LeaseOwner = s.worker
	d.LeaseUntil = nowMS + s.lease.Milliseconds()
	d.NextDueMS = d.LeaseUntil
	d.LeaseSoft = false
	if soft {
		t := now.UTC()
		h := &d.Health
		d.PrevSuccess = h.LastSuccess // restored by finish if the fetch fails
		h.LastFetch, h.LastSuccess = &t, &t
		h.LastStatus, h.LastNewItems = StatusNotModified, 0
		d.DueMS = now.Add(time.Duration(d.IntervalMinutes) * time.Minute).UnixMilli()
		d.NextDueMS = d.DueMS
		if !d.Enabled {
			d.NextDueMS = never
		}
		d.LeaseSoft = true
	}
	nv, err := s.sources.Replace(ctx, d.ID, v, &d)
	if err != nil {
		if kedaitong.Is(err, kedaitong.EConflict) || kedaitong.Is(err, kedaitong.ENotFound) {
			return d, v, false, nil
		}
		return d, v, false, err
	}
	return d, nv, true, nil
}

// healthy reports whether a source's last fetch succeeded and the next one
// can tell "unchanged" cheaply (validators, or the last body's hash).
func healthy(d *sourceDoc) bool {
	h := &d.Health
	return !d.Demo && (h.LastStatus == StatusOK || h.LastStatus == StatusNotModified) &&
		(h.ETag != "" || h.LastModified != "" || d.BodyHash != "")
}

// process fetches a claimed source, stores its new items and writes its
// health, releasing the lease.
func (s *Service) process(ctx context.Context, d sourceDoc) Outcome {
	o, _ := s.fetchSource(ctx, d, 0, true)
	return o
}

// probe fetches a source that is not due (a forced re-crawl) without
// claiming it first: when the feed is unchanged nothing at all is written
// (the source keeps its schedule). Anything else takes the lease before
// it is stored; when another crawler holds the source, the result is
// dropped and ok is false.
func (s *Service) probe(ctx context.Context, d sourceDoc, v int64) (Outcome, bool) {
	return s.fetchSource(ctx, d, v, false)
}

// fetchSource is process (claimed) or probe (not claimed, at version v).
func (s *Service) fetchSource(ctx context.Context, d sourceDoc, v int64, claimed bool) (Outcome, bool) {
	start := time.Now()
	now := s.now()
	out := Outcome{SourceID: d.ID, URL: d.URL}
	var resp *fetch.Response
	var err error
	// At most Workers fetches (and parses) at once; storing runs outside
	// this bound (see storeFactor).
	s.fetching <- struct{}{}
	release := sync.OnceFunc(func() { <-s.fetching })
	defer release()
	if d.Demo {
		body, derr := demo.Render(d.DemoFeed, now)
		resp, err = &fetch.Response{Status: 200, Body: body, FinalURL: d.URL}, derr
		if derr == nil {
			dec := fetch.Decode(body, "application/xml")
			resp.Body = dec.Body
		}
	} else {
		resp, err = s.client.Fetch(ctx, d.URL, fetch.Conditional{ETag: d.Health.ETag, LastModified: d.Health.LastModified})
	}
	var retryAfter time.Duration
	var seen []string
	var bodyHash string
	var f *feed.Feed
	if err == nil && !d.Demo && d.Health.LastStatus != StatusFailed && d.Health.LastStatus != "" {
		unchanged := resp.NotModified
		if !unchanged {
			h := sha256.Sum256(resp.Body)
			unchanged = hex.EncodeToString(h[:16]) == d.BodyHash
		}
		if unchanged && (!claimed || d.LeaseSoft) {
			// The claim (or nothing, for a probe) already says it all.
			out.Status, out.HTTPStatus = StatusNotModified, resp.Status
			out.Duration = time.Since(start)
			out.DurationSec = out.Duration.Seconds()
			out.NextDue = time.UnixMilli(d.DueMS).UTC()
			return out, true
		}
	}
	if !claimed {
		var ok bool
		if d, ok = s.claimForStore(ctx, d, v); !ok {
			return out, false
		}
	}
	switch {
	case err != nil:
		out.Status = StatusFailed
		out.Error, out.ErrorKind = fetchErrorText(err)
		if ctx.Err() != nil {
			out.Error, out.ErrorKind = "the crawl was stopped", "stopped"
		}
		if resp != nil {
			out.HTTPStatus = resp.Status
		}
		var fe *fetch.Error
		if errors.As(err, &fe) {
			retryAfter = fe.RetryAfter
			out.HTTPStatus = fe.Status
		}
	case resp.NotModified:
		out.Status, out.HTTPStatus = StatusNotModified, resp.Status
	default:
		out.HTTPStatus = resp.Status
		h := sha256.Sum256(resp.Body)
		bodyHash = hex.EncodeToString(h[:16])
		if bodyHash == d.BodyHash && d.Health.LastStatus != StatusFailed {
			out.Status = StatusNotModified // the same document as last time
			break
		}
		zone, lerr := time.LoadLocation(d.TimeZone)
		if lerr != nil {
			zone = time.UTC
		}
		f, err = feed.Parse(resp.Body, feed.Options{DefaultZone: zone, BaseURL: resp.FinalURL})
		resp.Body = nil // parsed: not kept while the items are stored
		release()
		if err != nil {
			out.Status, out.ErrorKind = StatusFailed, "parse"
			out.Error = kedaitong.ErrorMessage(err)
			bodyHash = ""
			break
		}
		out.Status = StatusOK
		out.Items = len(f.Items)
		cls, cerr := s.classifierErr()
		if cerr != nil {
			out.Status, out.ErrorKind = StatusFailed, "internal"
			out.Error = kedaitong.ErrorMessage(cerr)
			bodyHash = ""
			break
		}
		known := map[string]bool{}
		for _, id := range d.Seen {
			known[id] = true
		}
		var fresh []feed.Item
		inFeed := make(map[string]bool, len(f.Items))
		for _, it := range f.Items {
			id := d.itemID(feed.ItemKey(it))
			if inFeed[id] {
				continue
			}
			inFeed[id] = true
			seen = append(seen, id)
			if !known[id] {
				fresh = append(fresh, it)
			}
		}
		stored, serr := s.ingestBatch(ctx, &d, fresh, cls, now)
		out.NewItems = len(stored)
		if serr != nil {
			out.Status, out.ErrorKind = StatusFailed, "store"
			out.Error = "the items could not be stored: " + kedaitong.ErrorMessage(serr)
			s.log.Warn("intel: store item", "source", d.ID, "err", serr)
			bodyHash = ""
		}
		s.notify(ctx, stored)
	}
	out.Duration = time.Since(start)
	out.DurationSec = out.Duration.Seconds()
	out.NextDue = s.finish(ctx, d, out, retryAfter, resp, f, seen, bodyHash)
	return out, true
}

// claimForStore takes the lease on a probed source before its news is
// stored: at version v, or at the current one when the document changed
// meanwhile; false when another crawler holds it.
func (s *Service) claimForStore(ctx context.Context, d sourceDoc, v int64) (sourceDoc, bool) {
	for attempt := 0; attempt < 3; attempt++ {
		if attempt > 0 {
			var err error
			if d, v, err = s.getSource(ctx, d.ID); err != nil {
				return d, false
			}
		}
		// A hard lease: this fetch is known to bring news.
		c, _, ok, err := s.claimAs(ctx, d, v, true, false)
		if err != nil {
			return d, false
		}
		if ok {
			return c, true
		}
		if d.LeaseOwner != "" && d.LeaseOwner != s.worker && d.LeaseUntil > s.now().UnixMilli() {
			return d, false
		}
	}
	return d, false
}

// fetchErrorText turns a fetch failure into the words of the health column.
func fetchErrorText(err error) (string, string) {
	var fe *fetch.Error
	if errors.As(err, &fe) {
		return fe.Msg, fe.Kind
	}
	if errors.Is(err, context.Canceled) {
		return "the crawl was stopped", "stopped"
	}
	return kedaitong.ErrorMessage(err), "internal"
}

// finish writes the outcome into the source's health and releases the
// lease; it returns the next due time. A source whose lease another
// crawler took over meanwhile is left to that crawler.
func (s *Service) finish(ctx context.Context, d0 sourceDoc, out Outcome, retryAfter time.Duration, resp *fetch.Response, f *feed.Feed, seen []string, bodyHash string) time.Time {
	ctx = context.WithoutCancel(ctx)
	now := s.now().UTC()
	for attempt := 0; attempt < 6; attempt++ {
		d, v, err := s.getSource(ctx, d0.ID)
		if err != nil {
			return time.Time{}
		}
		if d.LeaseOwner != s.worker {
			return time.UnixMilli(d.DueMS).UTC()
		}
		if out.ErrorKind == "stopped" {
			// This crawler is shutting down: hand the source back as it was.
			d.LeaseOwner, d.LeaseUntil, d.NextDueMS = "", 0, d.DueMS
			if !d.Enabled {
				d.NextDueMS = never
			}
			if _, err := s.sources.Replace(ctx, d.ID, v, &d); kedaitong.Is(err, kedaitong.EConflict) {
				continue
			}
			return time.UnixMilli(d.DueMS).UTC()
		}
		h := &d.Health
		t := now
		h.LastFetch = &t
		h.LastStatus = out.Status
		h.LastHTTPStatus = out.HTTPStatus
		interval := time.Duration(d.IntervalMinutes) * time.Minute
		var wait time.Duration
		if out.Status == StatusFailed {
			if d.LeaseSoft {
				h.LastSuccess = d.PrevSuccess // the optimistic claim said it succeeded
			}
			h.ConsecutiveFailures++
			wait = fetch.BackoffFrom(interval, h.ConsecutiveFailures, retryAfter)
			h.LastError = fmt.Sprintf("%s (failure %d in a row; next attempt after %s)", out.Error, h.ConsecutiveFailures, wait.Round(time.Minute))
			h.ErrorKind = out.ErrorKind
		} else {
			h.ConsecutiveFailures, h.LastError, h.ErrorKind = 0, "", ""
			h.LastSuccess = &t
			wait = max(interval, retryAfter)
			h.LastNewItems = out.NewItems
			h.Items += int64(out.NewItems)
			if resp != nil && !d.Demo {
				if resp.ETag != "" || resp.LastModified != "" || !resp.NotModified {
					h.ETag, h.LastModified = resp.ETag, resp.LastModified
				}
			}
			if bodyHash != "" {
				d.BodyHash = bodyHash
			}
			if seen != nil {
				if len(seen) > seenKeep {
					seen = seen[:seenKeep]
				}
				d.Seen = seen
			}
			if f != nil {
				if d.TitleAuto && f.Title != "" {
					d.Title = firstRunes(f.Title, maxTitle)
				}
				if d.LangAuto {
					if l, ok := validLanguage(f.Language); ok && l != "" {
						d.Language = l
					} else if len(f.Items) > 0 {
						d.Language = guessLanguage(f.Title + f.Items[0].Title)
					}
				}
			}
		}
		d.DueMS = now.Add(wait).UnixMilli()
		d.NextDueMS = d.DueMS
		if !d.Enabled {
			d.NextDueMS = never
		}
		d.LeaseOwner, d.LeaseUntil, d.LeaseSoft, d.PrevSuccess = "", 0, false, nil
		if _, err := s.sources.Replace(ctx, d.ID, v, &d); err != nil {
			if kedaitong.Is(err, kedaitong.EConflict) {
				continue
			}
			s.log.Warn("intel: write source health", "source", d.ID, "err", err)
			return time.Time{}
		}
		return time.UnixMilli(d.DueMS).UTC()
	}
	return time.Time{}
}

// Refresh fetches a source now (whether due or not) and answers the
// outcome. A source another crawler is fetching right now is a conflict.
func (s *Service) Refresh(ctx context.Context, u identity.User, id string) (Outcome, error) {
	if err := mayManage(u); err != nil {
		return Outcome{}, err
	}
	d, v, err := s.getSource(ctx, id)
	if err != nil {
		return Outcome{}, err
	}
	d, _, ok, err := s.claim(ctx, d, v, true)
	if err != nil {
		return Outcome{}, err
	}
	if !ok {
		return Outcome{}, kedaitong.Errorf(kedaitong.EConflict, "another crawler is fetching this source right now; try again in a minute").ZHf("另一个抓取程序正在抓取这个资讯源，请一分钟后再试")
	}
	out := s.process(ctx, d)
	s.record(ctx, &u, "source.refresh", "source", id, map[string]any{"status": out.Status, "new_items": out.NewItems})
	return out, nil
}

// Summary is the outcome of CrawlOnce, the JSON line `kedaitong crawl --once` prints.
type Summary struct {
	Sources     int     `json:"sources"`
	Fetched     int     `json:"fetched"`
	NotModified int     `json:"not_modified"`
	Failed      int     `json:"failed"`
	NewItems    int     `json:"new_items"`
	Seconds     float64 `json:"seconds"`
}

func (sm *Summary) add(o Outcome) {
	sm.Sources++
	switch o.Status {
	case StatusOK:
		sm.Fetched++
	case StatusNotModified:
		sm.NotModified++
	default:
		sm.Failed++
	}
	sm.NewItems += o.NewItems
}

// Progress reports one finished source of CrawlOnce: done of total.
type Progress func(done, total int, o Outcome)

// CrawlOnce fetches every source due now (all: every enabled source) once,
// with the worker pool, skipping those another crawler holds. It first
// completes the ingest batches of crawlers that stopped (RepairIngest). It reports
// each outcome to progress (which may be nil) and returns the summary.
func (s *Service) CrawlOnce(ctx context.Context, all bool, progress Progress) (Summary, error) {
	start := time.Now()
	s.repair(ctx) // batches a crawler stopped in the middle of
	type cand struct {
		d sourceDoc
		v int64
	}
	var cands []cand
	now := s.now().UnixMilli()
	if all {
		if err := s.allSources(ctx, func(d sourceDoc, v int64) error {
			if d.Enabled {
				cands = append(cands, cand{d, v})
			}
			return nil
		}); err != nil {
			return Summary{}, err
		}
	} else {
		cur := ""
		for {
			p, err := s.sources.Find(ctx, store.Query{Range: &store.Range{Field: "next_due_ms", Lte: now}, Sort: "next_due_ms", Limit: 200, After: cur})
			if err != nil {
				return Summary{}, err
			}
			for _, doc := range p.Docs {
				var d sourceDoc
				if err := doc.Decode(&d); err != nil {
					return Summary{}, err
				}
				cands = append(cands, cand{d, doc.Version})
			}
			if p.Next == "" {
				break
			}
			cur = p.Next
		}
	}
	cands = interleaveHosts(cands, func(c cand) string { return hostOf(c.d.URL) })
	var (
		mu   sync.Mutex
		sum  Summary
		done int
		wg   sync.WaitGroup
	)
	jobs := make(chan cand)
	for range min(storeFactor*s.pool, max(1, len(cands))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range jobs {
				var o Outcome
				ok := false
				nowMS := s.now().UnixMilli()
				leased := c.d.LeaseOwner != "" && c.d.LeaseOwner != s.worker && c.d.LeaseUntil > nowMS
				if all && !leased && c.d.NextDueMS > nowMS && !c.d.Demo {
					// Not due: fetch first, claim only when there is news.
					o, ok = s.probe(ctx, c.d, c.v)
				} else if d, _, claimed, err := s.claim(ctx, c.d, c.v, all); err == nil && claimed {
					o, ok = s.process(ctx, d), true
				}
				if !ok {
					mu.Lock()
					done++
					mu.Unlock()
					continue
				}
				mu.Lock()
				sum.add(o)
				done++
				n := done
				mu.Unlock()
				if progress != nil {
					progress(n, len(cands), o)
				}
			}
		}()
	}
	for _, c := range cands {
		select {
		case jobs <- c:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(jobs)
	wg.Wait()
	sum.Seconds = time.Since(start).Seconds()
	return sum, ctx.Err()
}

// Run is the scheduler: until ctx ends it claims due sources and fetches
// them with the worker pool. Several crawlers (servers or `kedaitong
// crawl` workers) on one store share the work through the leases.
func (s *Service) Run(ctx context.Context) {
	s.RunWith(ctx, 2*time.Second, nil)
}

// RunWith is Run with the poll interval and a hook called after each fetch.
func (s *Service) RunWith(ctx context.Context, poll time.Duration, after func(Outcome)) {
	slots := make(chan struct{}, storeFactor*s.pool)
	var wg sync.WaitGroup
	defer wg.Wait()
	var repaired time.Time
	for {
		if time.Since(repaired) >= repairEvery {
			s.repair(ctx) // batches a crawler stopped in the middle of
			repaired = time.Now()
		}
		claimed := 0
		free := cap(slots) - len(slots)
		if free > 0 {
			now := s.now().UnixMilli()
			p, err := s.sources.Find(ctx, store.Query{Range: &store.Range{Field: "next_due_ms", Lte: now}, Sort: "next_due_ms", Limit: free})
			if err != nil && ctx.Err() == nil {
				s.log.Warn("intel: find due sources", "err", err)
			}
			for _, doc := range p.Docs {
				var d sourceDoc
				if err := doc.Decode(&d); err != nil {
					continue
				}
				d, _, ok, err := s.claim(ctx, d, doc.Version, false)
				if err != nil || !ok {
					continue
				}
				claimed++
				slots <- struct{}{}
				wg.Add(1)
				go func() {
					defer wg.Done()
					defer func() { <-slots }()
					o := s.process(ctx, d)
					if o.Status == StatusFailed {
						s.log.Info("intel: fetch failed", "source", d.ID, "url", d.URL, "err", o.Error)
					}
					if after != nil {
						after(o)
					}
				}()
			}
		}
		wait := poll
		if claimed > 0 && claimed == free {
			wait = 50 * time.Millisecond // more may be due
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// interleaveHosts orders items round-robin over their hosts (in the order
// each host first appears), so that the fetch pool works on many hosts at
// once and the per-host politeness limit holds back one host's feeds, not
// the whole pool.
func interleaveHosts[T any](xs []T, host func(T) string) []T {
	var hosts []string
	by := map[string][]T{}
	for _, x := range xs {
		h := host(x)
		if _, ok := by[h]; !ok {
			hosts = append(hosts, h)
		}
		by[h] = append(by[h], x)
	}
	if len(hosts) <= 1 {
		return xs
	}
	out := make([]T, 0, len(xs))
	for len(out) < len(xs) {
		for _, h := range hosts {
			if q := by[h]; len(q) > 0 {
				out = append(out, q[0])
				by[h] = q[1:]
			}
		}
	}
	return out
}
