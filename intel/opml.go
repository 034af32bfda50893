package intel

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/intel/fetch"
)

// OPML limits.
const (
	MaxOPMLBytes    = 2 << 20 // 2 MiB
	MaxOPMLOutlines = 2000
	maxOPMLDepth    = 16
)

// ImportResult is the answer of ImportOPML: one line per feed outline.
type ImportResult struct {
	Imported int            `json:"imported"`
	Refused  int            `json:"refused"`
	Results  []ImportOutome `json:"results"`
}

// ImportOutome is what became of one outline.
type ImportOutome struct {
	Outline int    `json:"outline"` // 1-based position among the feed outlines
	URL     string `json:"url"`
	Title   string `json:"title"`
	Status  string `json:"status"` // "accepted" or "refused"
	Reason  string `json:"reason,omitempty"`
	ID      string `json:"id,omitempty"` // the new source's id when accepted
}

// opmlOutline is one feed outline read from the document.
type opmlOutline struct {
	url, title, lang, tz string
	interval             *int
	tags                 []string
	badInterval          string
}

// ParseOPML reads the feed outlines of an OPML document (nested outlines
// lend their text to their children as tags). It refuses documents over
// MaxOPMLBytes, nested deeper than 16 outlines, with more than
// MaxOPMLOutlines feeds, or that are not OPML.
func ParseOPML(body []byte) ([]opmlOutline, error) {
	if len(body) > MaxOPMLBytes {
		return nil, kedaitong.Errorf(kedaitong.ETooLarge, "the OPML file is over %d bytes", MaxOPMLBytes).ZHf("OPML 文件超过 %d 字节", MaxOPMLBytes)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, kedaitong.Errorf(kedaitong.EInvalid, "the OPML file is empty").ZHf("OPML 文件为空")
	}
	body = fetch.Decode(body, "application/xml").Body
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = true
	var (
		out     []opmlOutline
		stack   []string // texts of the open outlines
		depth   int
		sawOPML bool
		inBody  bool
	)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, kedaitong.Wrap(kedaitong.EInvalid, err, "the OPML file is not well-formed XML: %s", strings.TrimPrefix(err.Error(), "XML syntax error on ")).ZHf("OPML 文件不是格式正确的 XML：%s", strings.TrimPrefix(err.Error(), "XML syntax error on "))
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > maxOPMLDepth+3 {
				return nil, kedaitong.Errorf(kedaitong.EInvalid, "the OPML file nests outlines deeper than %d", maxOPMLDepth).ZHf("OPML 文件的大纲嵌套超过 %d 层", maxOPMLDepth)
			}
			name := strings.ToLower(t.Name.Local)
			if depth == 1 {
				if name != "opml" {
					return nil, kedaitong.Errorf(kedaitong.EInvalid, "the file is not OPML: its root element is <%s>", t.Name.Local).ZHf("该文件不是 OPML：根元素是 <%s>", t.Name.Local)
				}
				sawOPML = true
				continue
			}
			if name == "body" && depth == 2 {
				inBody = true
				stack = append(stack, "\x00")
				continue
			}
			if name != "outline" || !inBody {
				stack = append(stack, "\x00") // not an outline; keeps the stack in step
				continue
			}
			o := opmlOutline{}
			var text, title, typ string
			for _, a := range t.Attr {
				v := strings.TrimSpace(a.Value)
				switch strings.ToLower(a.Name.Local) {
				case "xmlurl", "url":
					o.url = v
				case "text":
					text = v
				case "title":
					title = v
				case "type":
					typ = strings.ToLower(v)
				case "language":
					o.lang = v
				case "category":
					for _, c := range strings.Split(v, ",") {
						c = strings.Trim(strings.TrimSpace(c), "/")
						if c != "" {
							o.tags = append(o.tags, c)
						}
					}
				case "interval", "kedaiinterval":
					n, err := strconv.Atoi(v)
					if err != nil {
						o.badInterval = v
					} else {
						o.interval = &n
					}
				case "timezone", "kedaitimezone":
					o.tz = v
				}
			}
			o.title = title
			if o.title == "" {
				o.title = text
			}
			if o.url != "" || typ == "rss" || typ == "atom" {
				for _, p := range stack {
					if p != "\x00" && p != "" {
						o.tags = append(o.tags, p)
					}
				}
				out = append(out, o)
				if len(out) > MaxOPMLOutlines {
					return nil, kedaitong.Errorf(kedaitong.ETooLarge, "the OPML file lists more than %d feeds", MaxOPMLOutlines).ZHf("OPML 文件列出的资讯源超过 %d 个", MaxOPMLOutlines)
				}
			}
			name = text
			if name == "" {
				name = title
			}
			if o.url != "" {
				name = "\x00" // a feed's children (rare) are not tagged with the feed
			}
			stack = append(stack, name)
		case xml.EndElement:
			if depth >= 2 && len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			depth--
			if depth == 1 {
				inBody = false
			}
		}
	}
	if !sawOPML {
		return nil, kedaitong.Errorf(kedaitong.EInvalid, "the file is not OPML").ZHf("该文件不是 OPML")
	}
	return out, nil
}

// ImportOPML adds the feeds of an OPML document. Each feed outline is
// checked like a new source; the answer says, per outline, whether it was
// accepted and why not. A document that is not OPML is refused whole.
func (s *Service) ImportOPML(ctx context.Context, u identity.User, body []byte) (ImportResult, error) {
	if err := mayManage(u); err != nil {
		return ImportResult{}, err
	}
	outlines, err := ParseOPML(body)
	if err != nil {
		return ImportResult{}, err
	}
	res := ImportResult{Results: []ImportOutome{}}
	for i, o := range outlines {
		r := ImportOutome{Outline: i + 1, URL: o.url, Title: o.title, Status: "refused"}
		var d sourceDoc
		var err error
		switch {
		case o.url == "":
			err = kedaitong.Invalid("url", "the outline has no xmlUrl").ZHf("该条目没有 xmlUrl")
		case o.badInterval != "":
			err = kedaitong.Invalid("interval_minutes", "%q is not a whole number of minutes", o.badInterval).ZHf("%q 不是整数分钟数", o.badInterval)
		default:
			d, err = s.buildSource(ctx, NewSource{URL: o.url, Title: o.title, Language: o.lang, IntervalMinutes: o.interval,
				Tags: o.tags, TimeZone: o.tz}, true)
			if err == nil {
				err = s.insertSource(ctx, &d)
			}
		}
		if err != nil {
			if c := kedaitong.ErrorCode(err); c != kedaitong.EInvalid && c != kedaitong.EConflict {
				return ImportResult{}, err
			}
			r.Reason = kedaitong.ErrorMessage(err)
			res.Refused++
		} else {
			r.Status, r.ID, r.Title = "accepted", d.ID, d.Title
			res.Imported++
		}
		res.Results = append(res.Results, r)
	}
	s.record(ctx, &u, "source.import", "source", "", map[string]any{"imported": res.Imported, "refused": res.Refused})
	return res, nil
}

type opmlDoc struct {
	XMLName xml.Name `xml:"opml"`
	Version string   `xml:"version,attr"`
	Head    struct {
		Title       string `xml:"title"`
		DateCreated string `xml:"dateCreated"`
	} `xml:"head"`
	Body struct {
		Outlines []opmlOut `xml:"outline"`
	} `xml:"body"`
}

type opmlOut struct {
	Text     string `xml:"text,attr"`
	Title    string `xml:"title,attr"`
	Type     string `xml:"type,attr"`
	XMLURL   string `xml:"xmlUrl,attr"`
	Language string `xml:"language,attr,omitempty"`
	Category string `xml:"category,attr,omitempty"`
	Interval int    `xml:"kedaiInterval,attr,omitempty"`
	TimeZone string `xml:"kedaiTimezone,attr,omitempty"`
}

// ExportOPML writes every source (but the bundled demo feeds) as OPML 2.0,
// with the interval, language and time zone as attributes ImportOPML reads.
func (s *Service) ExportOPML(ctx context.Context, u identity.User) ([]byte, error) {
	if err := mayManage(u); err != nil {
		return nil, err
	}
	var doc opmlDoc
	doc.Version = "2.0"
	doc.Head.Title = "Kedai Tong sources"
	doc.Head.DateCreated = s.now().UTC().Format(time.RFC1123Z)
	err := s.allSources(ctx, func(d sourceDoc, _ int64) error {
		if d.Demo {
			return nil
		}
		doc.Body.Outlines = append(doc.Body.Outlines, opmlOut{Text: d.Title, Title: d.Title, Type: "rss", XMLURL: d.URL,
			Language: d.Language, Category: strings.Join(d.Tags, ","), Interval: d.IntervalMinutes, TimeZone: d.TimeZone})
		return nil
	})
	if err != nil {
		return nil, err
	}
	b, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), append(b, '\n')...), nil
}
