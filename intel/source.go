package intel

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store"
)

// Limits and defaults of a source.
const (
	DefaultInterval = 30   // minutes
	MinInterval     = 5    // minutes
	MaxInterval     = 1440 // minutes (a day)
	maxURL          = 2048
	maxTitle        = 200
	maxTags         = 10
	maxTag          = 40
	seenKeep        = 600 // item ids remembered on the source to skip known items without a read
)

// never is the due time of a disabled source: it is not scheduled.
const never = int64(1) << 53

// Source is a feed as the API shows it.
type Source struct {
	ID              string    `json:"id"`
	URL             string    `json:"url"`
	Title           string    `json:"title"`
	Language        string    `json:"language"` // zh, en, or "" until the first fetch tells
	IntervalMinutes int       `json:"interval_minutes"`
	Tags            []string  `json:"tags"`
	TimeZone        string    `json:"time_zone"` // the zone of dates that name none
	Enabled         bool      `json:"enabled"`
	Demo            bool      `json:"demo,omitempty"` // a bundled sample feed, read from the binary
	CreatedAt       time.Time `json:"created_at"`
	Health          Health    `json:"health"`
}

// Health is what the crawler learnt of a source.
type Health struct {
	LastFetch           *time.Time `json:"last_fetch"`              // the last attempt
	LastSuccess         *time.Time `json:"last_success"`            // the last attempt that reached the feed
	LastStatus          string     `json:"last_status"`             // "", "ok", "not_modified", "failed"
	LastHTTPStatus      int        `json:"last_http_status"`        // the server's answer, 0 when none
	LastError           string     `json:"last_error"`              // in words, "" after a success
	ErrorKind           string     `json:"error_kind,omitempty"`    // refused, timeout, http_status, too_large, parse, ...
	ConsecutiveFailures int        `json:"consecutive_failures"`    // failures in a row
	NextDue             *time.Time `json:"next_due"`                // nil for a disabled source
	LastNewItems        int        `json:"last_new_items"`          // items the last fetch stored
	Items               int64      `json:"items"`                   // items stored from this source
	ETag                string     `json:"etag,omitempty"`          // validator for the next conditional GET
	LastModified        string     `json:"last_modified,omitempty"` // validator for the next conditional GET
}

// sourceDoc is the stored document.
type sourceDoc struct {
	Source
	URLKey      string     `json:"url_key"`
	NextDueMS   int64      `json:"next_due_ms"` // the scheduler's key: the due time, or the lease's expiry while leased
	DueMS       int64      `json:"due_ms"`      // the real next due time (health)
	LeaseOwner  string     `json:"lease_owner"`
	LeaseUntil  int64      `json:"lease_until_ms"`
	LeaseSoft   bool       `json:"lease_soft,omitempty"`   // an optimistic claim: it recorded "fetched, not modified" already (see claim)
	PrevSuccess *time.Time `json:"prev_success,omitempty"` // the last success before an optimistic claim
	BodyHash    string     `json:"body_hash"`
	Seen        []string   `json:"seen"` // ids of the items of the last fetch
	TitleAuto   bool       `json:"title_auto"`
	LangAuto    bool       `json:"lang_auto"`
	DemoFeed    string     `json:"demo_feed,omitempty"`
	ItemIDs     int        `json:"item_ids,omitempty"` // how its items' ids are made: 0 the first way, 2 grouped by source (item.go)
}

func (d *sourceDoc) public() Source {
	s := d.Source
	if s.Tags == nil {
		s.Tags = []string{}
	}
	s.Health.NextDue = nil
	if s.Enabled && d.DueMS > 0 && d.DueMS < never {
		t := time.UnixMilli(d.DueMS).UTC()
		s.Health.NextDue = &t
	}
	return s
}

// NewSource is the input of CreateSource.
type NewSource struct {
	URL             string   `json:"url"`
	Title           string   `json:"title"`
	Language        string   `json:"language"`
	IntervalMinutes *int     `json:"interval_minutes"`
	Tags            []string `json:"tags"`
	TimeZone        string   `json:"time_zone"`
	Enabled         *bool    `json:"enabled"`
}

// SourcePatch is the input of UpdateSource; nil fields are unchanged.
type SourcePatch struct {
	Title           *string   `json:"title"`
	Language        *string   `json:"language"`
	IntervalMinutes *int      `json:"interval_minutes"`
	Tags            *[]string `json:"tags"`
	TimeZone        *string   `json:"time_zone"`
	Enabled         *bool     `json:"enabled"`
}

// mayManage is the domain rule for sources: analysts and administrators.
func mayManage(u identity.User) error {
	if u.Role == "analyst" || u.Role == "admin" {
		return nil
	}
	return kedaitong.Errorf(kedaitong.EForbidden, "only analysts and administrators manage sources").ZHf("只有分析员和管理员可以管理资讯源")
}

// mayRead is the domain rule for items: analysts, banks, officials and administrators.
func mayRead(u identity.User) error {
	switch u.Role {
	case "analyst", "admin", "bank_officer", "bank_manager", "official":
		return nil
	}
	return kedaitong.Errorf(kedaitong.EForbidden, "your role may not read the news items").ZHf("您的角色无权阅读资讯")
}

// URLKey normalises a feed URL for duplicate detection: lower-case scheme
// and host, no default port, no fragment, no trailing spaces.
func URLKey(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return "", kedaitong.Invalid("url", "not a valid absolute URL").ZHf("URL 不是有效的绝对地址")
	}
	u.Scheme = strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	u.Host = host
	u.Fragment, u.RawFragment = "", ""
	if u.Path == "" {
		u.Path = "/"
	}
	return u.String(), nil
}

func validLanguage(l string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(l)) {
	case "":
		return "", true
	case "zh", "zh-cn", "zh-hans", "chinese", "中文":
		return "zh", true
	case "en", "en-us", "en-gb", "english":
		return "en", true
	}
	return "", false
}

// defaultZone is Asia/Shanghai for Chinese sources and for sources whose
// language is not known yet (the platform's feeds are mostly Chinese), UTC
// for English ones.
func defaultZone(lang string) string {
	if lang == "en" {
		return "UTC"
	}
	return "Asia/Shanghai"
}

func checkInterval(n int) error {
	if n < MinInterval || n > MaxInterval {
		return kedaitong.Invalid("interval_minutes", "must be from %d to %d minutes, not %d", MinInterval, MaxInterval, n).ZHf("抓取间隔应为 %d 到 %d 分钟，而不是 %d", MinInterval, MaxInterval, n)
	}
	return nil
}

func cleanTags(tags []string) ([]string, error) {
	out := []string{}
	for _, t := range tags {
		t = strings.Join(strings.Fields(t), " ")
		if t == "" || slices.Contains(out, t) {
			continue
		}
		if utf8.RuneCountInString(t) > maxTag {
			return nil, kedaitong.Invalid("tags", "a tag may have at most %d characters", maxTag).ZHf("每个标签最多 %d 个字符", maxTag)
		}
		out = append(out, t)
	}
	if len(out) > maxTags {
		return nil, kedaitong.Invalid("tags", "at most %d tags", maxTags).ZHf("标签最多 %d 个", maxTags)
	}
	return out, nil
}

func checkZone(z string) error {
	if z == "" {
		return nil
	}
	if _, err := time.LoadLocation(z); err != nil || z == "Local" {
		return kedaitong.Invalid("time_zone", "%q is not a time zone such as Asia/Shanghai", z).ZHf("%q 不是时区（如 Asia/Shanghai）", z)
	}
	return nil
}

func checkTitle(t string) (string, error) {
	t = strings.Join(strings.Fields(t), " ")
	if utf8.RuneCountInString(t) > maxTitle {
		return "", kedaitong.Invalid("title", "at most %d characters", maxTitle).ZHf("标题最多 %d 个字符", maxTitle)
	}
	return t, nil
}

// buildSource validates a new source without storing it.
func (s *Service) buildSource(ctx context.Context, in NewSource, checkURL bool) (sourceDoc, error) {
	raw := strings.TrimSpace(in.URL)
	if raw == "" {
		return sourceDoc{}, kedaitong.Invalid("url", "is required").ZHf("请填写资讯源的 URL")
	}
	if len(raw) > maxURL {
		return sourceDoc{}, kedaitong.Invalid("url", "at most %d characters", maxURL).ZHf("URL 最多 %d 个字符", maxURL)
	}
	key, err := URLKey(raw)
	if err != nil {
		if u, perr := url.Parse(raw); perr == nil && u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" {
			return sourceDoc{}, kedaitong.Invalid("url", "scheme %q is not allowed; use http or https", u.Scheme).ZHf("不允许 %q 协议；请使用 http 或 https", u.Scheme)
		}
		return sourceDoc{}, err
	}
	title, err := checkTitle(in.Title)
	if err != nil {
		return sourceDoc{}, err
	}
	lang, ok := validLanguage(in.Language)
	if !ok {
		return sourceDoc{}, kedaitong.Invalid("language", "must be zh or en, not %q", in.Language).ZHf("语言只能是 zh 或 en，不能是 %q", in.Language)
	}
	interval := DefaultInterval
	if in.IntervalMinutes != nil {
		interval = *in.IntervalMinutes
	}
	if err := checkInterval(interval); err != nil {
		return sourceDoc{}, err
	}
	tags, err := cleanTags(in.Tags)
	if err != nil {
		return sourceDoc{}, err
	}
	zone := strings.TrimSpace(in.TimeZone)
	if err := checkZone(zone); err != nil {
		return sourceDoc{}, err
	}
	if zone == "" {
		zone = defaultZone(lang)
	}
	// The address last: it may need a DNS lookup.
	if checkURL {
		if err := s.guard.CheckURL(ctx, raw); err != nil {
			return sourceDoc{}, err
		}
	}
	enabled := in.Enabled == nil || *in.Enabled
	now := s.now().UTC()
	d := sourceDoc{
		Source: Source{ID: "src_" + randomHex(8), URL: raw, Title: title, Language: lang, IntervalMinutes: interval,
			Tags: tags, TimeZone: zone, Enabled: enabled, CreatedAt: now},
		URLKey: key, TitleAuto: title == "", LangAuto: lang == "", DueMS: now.UnixMilli(), NextDueMS: now.UnixMilli(),
		ItemIDs: groupedIDs,
	}
	if d.TitleAuto {
		d.Title = hostOf(raw)
	}
	if !enabled {
		d.NextDueMS = never
	}
	return d, nil
}

func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	return raw
}

// CreateSource adds a feed. Its URL must pass the SSRF guard (or be
// allow-listed by the operator) and must not be a source already.
func (s *Service) CreateSource(ctx context.Context, u identity.User, in NewSource) (Source, error) {
	if err := mayManage(u); err != nil {
		return Source{}, err
	}
	d, err := s.buildSource(ctx, in, true)
	if err != nil {
		return Source{}, err
	}
	if err := s.insertSource(ctx, &d); err != nil {
		return Source{}, err
	}
	s.record(ctx, &u, "source.create", "source", d.ID, map[string]any{"url": d.URL, "interval_minutes": d.IntervalMinutes})
	return d.public(), nil
}

func (s *Service) insertSource(ctx context.Context, d *sourceDoc) error {
	if err := s.sources.Insert(ctx, d.ID, d); err != nil {
		if kedaitong.Is(err, kedaitong.EConflict) {
			return &kedaitong.Error{Code: kedaitong.EConflict, Field: "url", Message: "this feed is a source already", ZH: "该资讯源已经存在", Err: err}
		}
		return err
	}
	return nil
}

// Source returns one source.
func (s *Service) Source(ctx context.Context, u identity.User, id string) (Source, error) {
	if err := mayManage(u); err != nil {
		return Source{}, err
	}
	d, _, err := s.getSource(ctx, id)
	if err != nil {
		return Source{}, err
	}
	return d.public(), nil
}

func (s *Service) getSource(ctx context.Context, id string) (sourceDoc, int64, error) {
	var d sourceDoc
	if id == "" || len(id) > 64 {
		return d, 0, kedaitong.Errorf(kedaitong.ENotFound, "no such source").ZHf("没有这个资讯源")
	}
	v, err := s.sources.Get(ctx, id, &d)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		return d, 0, kedaitong.Errorf(kedaitong.ENotFound, "no such source").ZHf("没有这个资讯源")
	}
	return d, v, err
}

// Sources lists the sources by id, a page at a time.
func (s *Service) Sources(ctx context.Context, u identity.User, limit int, cursor string) ([]Source, string, error) {
	if err := mayManage(u); err != nil {
		return nil, "", err
	}
	p, err := s.sources.Find(ctx, store.Query{Limit: limit, After: cursor})
	if err != nil {
		return nil, "", err
	}
	docs, err := store.DecodeAll[sourceDoc](p.Docs)
	if err != nil {
		return nil, "", err
	}
	out := make([]Source, len(docs))
	for i := range docs {
		out[i] = docs[i].public()
	}
	return out, p.Next, nil
}

// allSources pages through every source document.
func (s *Service) allSources(ctx context.Context, fn func(d sourceDoc, version int64) error) error {
	cur := ""
	for {
		p, err := s.sources.Find(ctx, store.Query{Limit: 200, After: cur})
		if err != nil {
			return err
		}
		for _, doc := range p.Docs {
			var d sourceDoc
			if err := doc.Decode(&d); err != nil {
				return err
			}
			if err := fn(d, doc.Version); err != nil {
				return err
			}
		}
		if p.Next == "" {
			return nil
		}
		cur = p.Next
	}
}

// UpdateSource changes a source's settings. Enabling a source makes it due
// now; a changed interval takes effect from the next fetch.
func (s *Service) UpdateSource(ctx context.Context, u identity.User, id string, p SourcePatch) (Source, error) {
	if err := mayManage(u); err != nil {
		return Source{}, err
	}
	for attempt := 0; ; attempt++ {
		d, v, err := s.getSource(ctx, id)
		if err != nil {
			return Source{}, err
		}
		changed := map[string]any{}
		if p.Title != nil {
			t, err := checkTitle(*p.Title)
			if err != nil {
				return Source{}, err
			}
			d.Title, d.TitleAuto = t, t == ""
			if d.TitleAuto {
				d.Title = hostOf(d.URL)
			}
			changed["title"] = t
		}
		if p.Language != nil {
			l, ok := validLanguage(*p.Language)
			if !ok {
				return Source{}, kedaitong.Invalid("language", "must be zh or en, not %q", *p.Language).ZHf("语言只能是 zh 或 en，不能是 %q", *p.Language)
			}
			d.Language, d.LangAuto = l, l == ""
			changed["language"] = l
		}
		if p.IntervalMinutes != nil {
			if err := checkInterval(*p.IntervalMinutes); err != nil {
				return Source{}, err
			}
			d.IntervalMinutes = *p.IntervalMinutes
			changed["interval_minutes"] = d.IntervalMinutes
		}
		if p.Tags != nil {
			tags, err := cleanTags(*p.Tags)
			if err != nil {
				return Source{}, err
			}
			d.Tags = tags
			changed["tags"] = tags
		}
		if p.TimeZone != nil {
			z := strings.TrimSpace(*p.TimeZone)
			if err := checkZone(z); err != nil {
				return Source{}, err
			}
			if z == "" {
				z = defaultZone(d.Language)
			}
			d.TimeZone = z
			changed["time_zone"] = z
		}
		if p.Enabled != nil && *p.Enabled != d.Enabled {
			d.Enabled = *p.Enabled
			now := s.now().UnixMilli()
			if d.Enabled {
				d.DueMS, d.NextDueMS = now, now
				if d.LeaseOwner != "" && d.LeaseUntil > now {
					d.NextDueMS = d.LeaseUntil
				}
			} else {
				d.NextDueMS = never
			}
			changed["enabled"] = d.Enabled
		}
		if len(changed) == 0 {
			return d.public(), nil
		}
		if _, err := s.sources.Replace(ctx, id, v, &d); err != nil {
			if kedaitong.Is(err, kedaitong.EConflict) && attempt < 5 {
				continue // the crawler wrote its health meanwhile
			}
			return Source{}, err
		}
		s.record(ctx, &u, "source.update", "source", id, changed)
		return d.public(), nil
	}
}

// DeleteSource removes a source. Its items stay (they may be counted in the
// risk map already).
func (s *Service) DeleteSource(ctx context.Context, u identity.User, id string) error {
	if err := mayManage(u); err != nil {
		return err
	}
	d, _, err := s.getSource(ctx, id)
	if err != nil {
		return err
	}
	if err := s.sources.Delete(ctx, id); err != nil {
		if kedaitong.Is(err, kedaitong.ENotFound) {
			return kedaitong.Errorf(kedaitong.ENotFound, "no such source").ZHf("没有这个资讯源")
		}
		return err
	}
	s.record(ctx, &u, "source.delete", "source", id, map[string]any{"url": d.URL})
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
