// Package feed parses RSS, Atom, RDF and JSON feeds (through gofeed) into
// clean items: plain-text titles and summaries for classification, a
// sanitised HTML summary for display, absolute links, UTC dates with the
// zone faults of Chinese feeds corrected, and a per-source dedupe key. It
// refuses documents nested too deeply and never panics.
package feed

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/microcosm-cc/bluemonday"
	"github.com/mmcdole/gofeed"

	"kedaitong"
)

// Options tunes Parse.
type Options struct {
	// DefaultZone is the zone of dates that name none; with a zone that
	// calls itself CST at UTC+8 (Asia/Shanghai) "CST" in dates means China
	// Standard Time. Nil means UTC.
	DefaultZone *time.Location
	// BaseURL is the URL the feed was fetched from (after redirects); with
	// the feed's own link it resolves relative item links.
	BaseURL string
	// MaxDepth is the deepest nesting accepted; 0 means DefaultMaxDepth.
	MaxDepth int
}

// Feed is a parsed feed.
type Feed struct {
	Type        string // "rss", "atom" or "json"
	Title       string // plain text
	Link        string // the site's address, absolute
	Description string // plain text
	Language    string
	Updated     time.Time // UTC, zero when unknown
	Items       []Item
}

// Item is one cleaned feed entry.
type Item struct {
	GUID       string
	Link       string    // absolute http(s) URL, or "" when the entry has none usable
	Title      string    // plain text, at most MaxTitleRunes runes
	Summary    string    // plain text, at most MaxSummaryRunes runes
	SafeHTML   string    // the entry's HTML sanitised with bluemonday's UGC policy
	Published  time.Time // UTC; the updated date when no published date; zero when unknown
	Authors    []string
	Categories []string
	Language   string
}

var ugc = bluemonday.UGCPolicy()

// Parse parses a feed document (already UTF-8, as fetch.Client returns it).
// Every error is a *kedaitong.Error with code EInvalid whose message says
// what is wrong with the document.
func Parse(body []byte, opts Options) (f *Feed, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, kedaitong.Wrap(kedaitong.EInvalid, fmt.Errorf("panic: %v", r), "the feed parser failed on this document").ZHf("资讯源解析器无法处理该文档")
		}
	}()
	maxDepth := opts.MaxDepth
	if maxDepth <= 0 {
		maxDepth = DefaultMaxDepth
	}
	body = bytes.TrimLeft(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(body) == 0 {
		return nil, kedaitong.Errorf(kedaitong.EInvalid, "the document is empty").ZHf("文档为空")
	}
	if body[0] == '{' || body[0] == '[' {
		if err := checkJSONDepth(body, maxDepth); err != nil {
			return nil, kedaitong.Wrap(kedaitong.EInvalid, err, "%s", err).ZHf("文档嵌套超过 %d 层", maxDepth)
		}
		body, err = cleanJSON(body)
		if err != nil {
			return nil, kedaitong.Wrap(kedaitong.EInvalid, err, "the document is not valid JSON").ZHf("文档不是有效的 JSON")
		}
	}
	var closing string
	if body[0] != '{' && body[0] != '[' {
		closing, err = checkXMLDepth(body, maxDepth)
		if err != nil {
			return nil, kedaitong.Wrap(kedaitong.EInvalid, err, "%s", err).ZHf("文档嵌套超过 %d 层", maxDepth)
		}
		body = cleanXML(body)
	}
	gf, err := newGofeed().Parse(bytes.NewReader(body))
	if err != nil && closing != "" {
		// A truncated document: close what is open and try once more.
		fixed := append(body[:len(body):len(body)], closing...)
		if gf2, err2 := newGofeed().Parse(bytes.NewReader(fixed)); err2 == nil {
			gf, err = gf2, nil
		}
	}
	if err != nil {
		if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			return nil, kedaitong.Wrap(kedaitong.EInvalid, err, "the document is not an RSS, Atom or JSON feed").ZHf("文档不是 RSS、Atom 或 JSON Feed 资讯源")
		}
		return nil, kedaitong.Wrap(kedaitong.EInvalid, err, "the feed cannot be parsed").ZHf("无法解析该资讯源")
	}
	return convert(gf, opts), nil
}

// newGofeed is gofeed's parser without the scan of every RSS item's HTML
// for a first image (a full HTML parse per item, 2 % of a first crawl's
// CPU): images are not kept.
func newGofeed() *gofeed.Parser {
	p := gofeed.NewParser()
	p.RSSTranslator = &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}
	return p
}

// convert builds our Feed from gofeed's.
func convert(gf *gofeed.Feed, opts Options) *Feed {
	base, _ := url.Parse(strings.TrimSpace(opts.BaseURL))
	f := &Feed{
		Type:        gf.FeedType,
		Title:       PlainText(gf.Title, MaxTitleRunes),
		Description: PlainText(gf.Description, MaxSummaryRunes),
		Language:    strings.ToLower(strings.TrimSpace(gf.Language)),
		Updated:     resolveDate(gf.Updated, gf.UpdatedParsed, opts.DefaultZone),
	}
	if f.Updated.IsZero() {
		f.Updated = resolveDate(gf.Published, gf.PublishedParsed, opts.DefaultZone)
	}
	f.Link = absURL(base, gf.Link)
	itemBase := base
	if f.Link != "" {
		itemBase, _ = url.Parse(f.Link)
	}
	for _, gi := range gf.Items {
		if gi == nil {
			continue
		}
		it := convertItem(gi, itemBase, base, opts.DefaultZone)
		if it.Title == "" && it.Link == "" && it.Summary == "" {
			continue
		}
		it.Language = f.Language
		f.Items = append(f.Items, it)
	}
	return f
}

func convertItem(gi *gofeed.Item, base, feedURL *url.URL, zone *time.Location) Item {
	it := Item{
		GUID:  strings.TrimSpace(gi.GUID),
		Title: PlainText(gi.Title, MaxTitleRunes),
	}
	link := strings.TrimSpace(gi.Link)
	if link == "" {
		for _, l := range gi.Links {
			if l = strings.TrimSpace(l); l != "" {
				link = l
				break
			}
		}
	}
	if it.Link = absURL(base, link); it.Link == "" && feedURL != base {
		it.Link = absURL(feedURL, link)
	}
	body := gi.Description
	if len(strings.TrimSpace(gi.Content)) > len(strings.TrimSpace(body)) {
		body = gi.Content
	}
	it.Summary = PlainText(body, MaxSummaryRunes)
	if it.Summary != "" {
		h := body
		if len(h) > maxHTMLBytes {
			h = truncateRunes(h, maxHTMLBytes/4)
		}
		it.SafeHTML = strings.TrimSpace(demoronize(ugc.Sanitize(h)))
	}
	it.Published = resolveDate(gi.Published, gi.PublishedParsed, zone)
	if it.Published.IsZero() {
		it.Published = resolveDate(gi.Updated, gi.UpdatedParsed, zone)
	}
	seen := map[string]bool{}
	for _, p := range gi.Authors {
		if p == nil {
			continue
		}
		name := PlainText(p.Name, 200)
		if name == "" {
			name = PlainText(p.Email, 200)
		}
		if name != "" && !seen[name] {
			seen[name] = true
			it.Authors = append(it.Authors, name)
		}
	}
	clear(seen)
	for _, c := range gi.Categories {
		c = PlainText(c, 200)
		if c != "" && !seen[c] {
			seen[c] = true
			it.Categories = append(it.Categories, c)
		}
	}
	return it
}

// absURL resolves ref against base and returns it when it is an absolute
// http or https URL, else "".
func absURL(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if base != nil && !u.IsAbs() {
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

// ItemKey returns the key that identifies an item within its source: its
// GUID, else its link, else "sha256:" and the hash of its normalised title,
// publication date and (when there is no title) summary.
func ItemKey(it Item) string {
	if it.GUID != "" {
		return it.GUID
	}
	if it.Link != "" {
		return it.Link
	}
	h := sha256.New()
	h.Write([]byte(strings.ToLower(strings.Join(strings.Fields(it.Title), " "))))
	h.Write([]byte{0})
	if !it.Published.IsZero() {
		h.Write([]byte(it.Published.UTC().Format(time.RFC3339)))
	}
	if it.Title == "" {
		h.Write([]byte{0})
		h.Write([]byte(strings.ToLower(strings.Join(strings.Fields(it.Summary), " "))))
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// cleanXML drops characters that XML 1.0 forbids (C0 controls other than
// tab, newline and carriage return; U+FFFE and U+FFFF), which would stop the
// XML decoder.
func cleanXML(b []byte) []byte {
	bad := false
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			bad = true
			break
		}
	}
	if !bad && !bytes.Contains(b, []byte("\xef\xbf\xbe")) && !bytes.Contains(b, []byte("\xef\xbf\xbf")) {
		return b
	}
	return []byte(strings.Map(func(r rune) rune {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0xfffe || r == 0xffff {
			return -1
		}
		return r
	}, string(b)))
}

// cleanJSON removes nulls from arrays (gofeed panics on "items": [null]).
func cleanJSON(b []byte) ([]byte, error) {
	if !bytes.Contains(b, []byte("null")) {
		return b, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return json.Marshal(dropNulls(v))
}

func dropNulls(v any) any {
	switch t := v.(type) {
	case []any:
		out := t[:0]
		for _, e := range t {
			if e != nil {
				out = append(out, dropNulls(e))
			}
		}
		return out
	case map[string]any:
		for k, e := range t {
			t[k] = dropNulls(e)
		}
	}
	return v
}
