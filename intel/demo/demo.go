// Package demo holds the bundled sample feeds that `kedaitong serve --demo`
// loads without network: about 300 technology-news stories of our own
// writing (stories.json), Chinese and English, on every industry and risk
// dimension, spread over the 90 days before today. Render turns one feed's
// stories into a feed document dated relative to now — RSS 2.0, an RSS
// 2.0 encoded in GB18030 with "CST" dates, Atom 1.0 and JSON Feed 1.1 — so
// the demo goes through the crawler's own decode → parse → classify →
// dedupe → store path.
package demo

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"slices"
	"sync"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"kedaitong"
)

//go:embed stories.json
var storiesJSON []byte

// Story is one sample story.
type Story struct {
	Feed      string `json:"feed"`
	Lang      string `json:"lang"`
	Industry  string `json:"industry"`  // the industry it was written about
	Dimension string `json:"dimension"` // the risk dimension it was written about, "" for none
	Polarity  string `json:"polarity"`  // the polarity it was written with
	DaysAgo   int    `json:"days_ago"`
	Minute    int    `json:"minute"` // minute of the day, China time
	Title     string `json:"title"`
	Summary   string `json:"summary"`
	Slug      string `json:"slug"`
}

// Feed is one bundled feed.
type Feed struct {
	Name     string // its key, e.g. "jx-tech-zh"
	Title    string
	Language string // zh or en
	Format   string // rss, rss-gb18030, atom, json
	URL      string // the address the demo source shows; never fetched
}

// Feeds are the bundled feeds.
var Feeds = []Feed{
	{Name: "jx-tech-zh", Title: "江西科技产业快讯（演示）", Language: "zh", Format: "rss"},
	{Name: "cn-industry-zh", Title: "中国产业观察（演示）", Language: "zh", Format: "rss-gb18030"},
	{Name: "global-tech-en", Title: "Global Tech Industry Wire (demo)", Language: "en", Format: "atom"},
	{Name: "asia-supply-en", Title: "Asia Supply Chain Monitor (demo)", Language: "en", Format: "json"},
}

func init() {
	for i := range Feeds {
		Feeds[i].URL = "https://demo.kedaitong.invalid/feeds/" + Feeds[i].Name + ".xml"
	}
}

var stories = sync.OnceValues(func() ([]Story, error) {
	var f struct {
		Stories []Story `json:"stories"`
	}
	if err := json.Unmarshal(storiesJSON, &f); err != nil {
		return nil, fmt.Errorf("demo: stories.json: %w", err)
	}
	return f.Stories, nil
})

// Stories returns every bundled story.
func Stories() ([]Story, error) { return stories() }

var china = time.FixedZone("CST", 8*3600)

// Date is a story's publication time relative to now.
func (s Story) Date(now time.Time) time.Time {
	n := now.In(china)
	day := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, china).AddDate(0, 0, -s.DaysAgo)
	t := day.Add(time.Duration(s.Minute) * time.Minute)
	if t.After(now) {
		t = now.Add(-time.Duration(s.Minute%60+1) * time.Minute)
	}
	return t
}

// Link is the story's (fictional) address.
func (s Story) Link(feed string) string {
	return "https://demo.kedaitong.invalid/" + feed + "/" + s.Slug + ".html"
}

// Render returns the named feed's document with dates relative to now.
func Render(name string, now time.Time) ([]byte, error) {
	i := slices.IndexFunc(Feeds, func(f Feed) bool { return f.Name == name })
	if i < 0 {
		return nil, kedaitong.Errorf(kedaitong.ENotFound, "no bundled feed %q", name).ZHf("没有内置的资讯源 %q", name)
	}
	f := Feeds[i]
	all, err := stories()
	if err != nil {
		return nil, err
	}
	var list []Story
	for _, s := range all {
		if s.Feed == name {
			list = append(list, s)
		}
	}
	slices.SortStableFunc(list, func(a, b Story) int { return b.Date(now).Compare(a.Date(now)) })
	switch f.Format {
	case "rss":
		return rss(f, list, now, "utf-8", time.RFC1123Z)
	case "rss-gb18030":
		b, err := rss(f, list, now, "GB18030", "Mon, 02 Jan 2006 15:04:05 CST")
		if err != nil {
			return nil, err
		}
		return simplifiedchinese.GB18030.NewEncoder().Bytes(b)
	case "atom":
		return atom(f, list, now)
	default:
		return jsonFeed(f, list, now)
	}
}

func esc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func rss(f Feed, list []Story, now time.Time, charset, layout string) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"%s\"?>\n<rss version=\"2.0\"><channel>\n<title>%s</title>\n<link>https://demo.kedaitong.invalid/%s/</link>\n<description>%s</description>\n<language>zh-cn</language>\n",
		charset, esc(f.Title), f.Name, esc(f.Title))
	for _, s := range list {
		fmt.Fprintf(&b, "<item><title>%s</title><link>%s</link><guid isPermaLink=\"false\">%s/%s</guid><pubDate>%s</pubDate><description>%s</description></item>\n",
			esc(s.Title), s.Link(f.Name), f.Name, s.Slug, s.Date(now).In(china).Format(layout), esc("<p>"+esc(s.Summary)+"</p>"))
	}
	b.WriteString("</channel></rss>\n")
	return b.Bytes(), nil
}

func atom(f Feed, list []Story, now time.Time) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\">\n<title>%s</title>\n<id>urn:kedaitong:demo:%s</id>\n<link href=\"https://demo.kedaitong.invalid/%s/\"/>\n<updated>%s</updated>\n",
		esc(f.Title), f.Name, f.Name, now.UTC().Format(time.RFC3339))
	for _, s := range list {
		d := s.Date(now).UTC().Format(time.RFC3339)
		fmt.Fprintf(&b, "<entry><title>%s</title><id>urn:kedaitong:demo:%s:%s</id><link href=\"%s\"/><published>%s</published><updated>%s</updated><summary type=\"html\">%s</summary></entry>\n",
			esc(s.Title), f.Name, s.Slug, s.Link(f.Name), d, d, esc("<p>"+esc(s.Summary)+"</p>"))
	}
	b.WriteString("</feed>\n")
	return b.Bytes(), nil
}

func jsonFeed(f Feed, list []Story, now time.Time) ([]byte, error) {
	type item struct {
		ID            string `json:"id"`
		URL           string `json:"url"`
		Title         string `json:"title"`
		ContentText   string `json:"content_text"`
		DatePublished string `json:"date_published"`
	}
	doc := struct {
		Version  string `json:"version"`
		Title    string `json:"title"`
		HomePage string `json:"home_page_url"`
		Language string `json:"language"`
		Items    []item `json:"items"`
	}{Version: "https://jsonfeed.org/version/1.1", Title: f.Title, HomePage: "https://demo.kedaitong.invalid/" + f.Name + "/", Language: f.Language}
	for _, s := range list {
		doc.Items = append(doc.Items, item{ID: f.Name + "/" + s.Slug, URL: s.Link(f.Name), Title: s.Title, ContentText: s.Summary,
			DatePublished: s.Date(now).Format(time.RFC3339)})
	}
	return json.Marshal(doc)
}
