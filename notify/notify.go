// Package notify is the platform's in-app notifications: an inbox per user,
// an unread count, and marking read. Domain packages (consultations, later
// the intelligence alerts) send a message to an audience — one user, the
// accounts of an expert profile, a bank's users, the officials whose region
// covers a region — and notify fans it out to one document per recipient.
//
// # Documents
//
// A notification is one document of "notifications" per recipient, listed
// through the index (user_id, created_ms) and, for the unread filter,
// (user_id, unread, created_ms). The unread count is a counter document per
// user in "notification_counters", changed only by the store's atomic Incr
// when a notification is written (+1) or first marked read (−1): reading the
// count is one lookup by id, never a scan. Marking read is a version-guarded
// write of the notification, so two concurrent marks decrement once.
//
// Audiences are resolved against the accounts (package identity's "users"
// collection, read only, through its declared indexes) at the time of
// sending: an official appointed later does not see earlier messages.
package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store"
)

// Collections of the package.
var (
	NotificationsDef = store.CollectionDef{Name: "notifications", Indexes: []store.Index{
		{Fields: []string{"user_id", "created_ms"}},
		{Fields: []string{"user_id", "unread", "created_ms"}},
	}}
	CountersDef = store.CollectionDef{Name: "notification_counters"}
)

// Text is a message in the platform's two languages.
type Text struct {
	ZH string `json:"zh-CN"`
	EN string `json:"en"`
}

// In returns the text in lang ("en" or zh-CN for anything else), falling
// back to the other language when one is empty.
func (t Text) In(lang string) string {
	if lang == "en" && t.EN != "" || t.ZH == "" {
		return t.EN
	}
	return t.ZH
}

// Message is what a domain sends.
type Message struct {
	Kind       string // dotted event name, e.g. "consultation.routed"
	Title      Text   // one line, shown in the inbox
	Body       Text   // optional details
	Link       string // a page of this site ("/consultations/con-…"); empty for none
	ObjectKind string // e.g. "consultation"
	ObjectID   string
}

// Notification is one recipient's copy of a message.
type Notification struct {
	ID         string     `json:"id"`
	UserID     string     `json:"user_id"`
	Kind       string     `json:"kind"`
	Title      Text       `json:"title"`
	Body       Text       `json:"body"`
	Link       string     `json:"link,omitempty"`
	ObjectKind string     `json:"object_kind,omitempty"`
	ObjectID   string     `json:"object_id,omitempty"`
	Unread     bool       `json:"unread"`
	CreatedAt  time.Time  `json:"created_at"`
	ReadAt     *time.Time `json:"read_at,omitempty"`
	CreatedMS  int64      `json:"created_ms"`
}

// Audience names who receives a message.
type Audience struct {
	UserIDs   []string // these accounts
	ExpertIDs []string // the expert accounts linked to these expert profiles
	Officials []string // officials whose region covers each of these regions (36 covers only province officials)
	Banks     []string // every user of these banks
}

type counter struct {
	UserID string `json:"user_id"`
	Unread int64  `json:"unread"`
	Total  int64  `json:"total"`
}

// Limits.
const (
	maxTitle = 300
	maxBody  = 2000
	maxFan   = 2000 // recipients of one message at most
)

// Service is the notifications domain.
type Service struct {
	notes, counters, users store.Collection
	now                    func() time.Time
}

// Open declares the package's collections (and identity's users, to
// resolve audiences) on st.
func Open(ctx context.Context, st store.Store) (*Service, error) {
	s := &Service{now: func() time.Time { return time.Now().UTC() }}
	for _, x := range []struct {
		c   *store.Collection
		def store.CollectionDef
	}{{&s.notes, NotificationsDef}, {&s.counters, CountersDef}, {&s.users, identity.UsersDef}} {
		var err error
		if *x.c, err = st.Collection(ctx, x.def); err != nil {
			return nil, fmt.Errorf("notify: %w", err)
		}
	}
	return s, nil
}

// SetClock replaces the service's clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

var idRE = regexp.MustCompile(`^ntf-[0-9a-f]{16}$`)

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "ntf-" + hex.EncodeToString(b)
}

func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// Recipients resolves an audience to user ids (enabled accounts only,
// each once).
func (s *Service) Recipients(ctx context.Context, a Audience) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	add := func(u identity.User) {
		if !u.Disabled && !seen[u.ID] && len(out) < maxFan {
			seen[u.ID] = true
			out = append(out, u.ID)
		}
	}
	for _, id := range a.UserIDs {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	each := func(q store.Query, fn func(identity.User)) error {
		q.Limit = 500
		for {
			p, err := s.users.Find(ctx, q)
			if err != nil {
				return err
			}
			for _, d := range p.Docs {
				var u identity.User
				if err := d.Decode(&u); err != nil {
					return err
				}
				fn(u)
			}
			if p.Next == "" {
				return nil
			}
			q.After = p.Next
		}
	}
	for _, x := range a.ExpertIDs {
		if x == "" {
			continue
		}
		if err := each(store.Query{Eq: map[string]any{"expert_id": x}}, func(u identity.User) {
			if u.Role == identity.RoleExpert {
				add(u)
			}
		}); err != nil {
			return nil, err
		}
	}
	for _, b := range a.Banks {
		if b == "" {
			continue
		}
		if err := each(store.Query{Eq: map[string]any{"scope": b}, Sort: "username_key"}, add); err != nil {
			return nil, err
		}
	}
	if len(a.Officials) > 0 {
		// Officials are accounts outside banks (scope "*"); they are few.
		if err := each(store.Query{Eq: map[string]any{"scope": "*"}, Sort: "username_key"}, func(u identity.User) {
			if u.Role != identity.RoleOfficial {
				return
			}
			for _, r := range a.Officials {
				if identity.RegionCovers(u.Region, r) {
					add(u)
					return
				}
			}
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Send delivers m to everyone in the audience and returns how many
// notifications it wrote. A recipient's failure does not stop the others;
// the first error is returned after all were tried.
func (s *Service) Send(ctx context.Context, a Audience, m Message) (int, error) {
	if m.Kind == "" || strings.TrimSpace(m.Title.ZH+m.Title.EN) == "" {
		return 0, kedaitong.Invalid("title", "a notification needs a kind and a title").ZHf("通知需要类型和标题")
	}
	if m.Link != "" && (!strings.HasPrefix(m.Link, "/") || strings.HasPrefix(m.Link, "//")) {
		return 0, kedaitong.Invalid("link", "a notification links to a page of this site").ZHf("通知只能链接到本站的页面")
	}
	ids, err := s.Recipients(ctx, a)
	if err != nil {
		return 0, err
	}
	now := s.now()
	n, first := 0, error(nil)
	for _, uid := range ids {
		doc := Notification{ID: newID(), UserID: uid, Kind: m.Kind,
			Title: Text{ZH: clip(m.Title.ZH, maxTitle), EN: clip(m.Title.EN, maxTitle)},
			Body:  Text{ZH: clip(m.Body.ZH, maxBody), EN: clip(m.Body.EN, maxBody)},
			Link:  m.Link, ObjectKind: m.ObjectKind, ObjectID: m.ObjectID, Unread: true, CreatedAt: now, CreatedMS: now.UnixMilli()}
		if err := s.notes.Insert(ctx, doc.ID, doc); err != nil {
			if first == nil {
				first = err
			}
			continue
		}
		if _, err := s.counters.Incr(ctx, uid, map[string]any{"user_id": uid}, map[string]int64{"unread": 1, "total": 1}); err != nil && first == nil {
			first = err
		}
		n++
	}
	return n, first
}

// Filter narrows an inbox.
type Filter struct {
	UnreadOnly bool
	Limit      int // 1..500, default 50
	Cursor     string
}

// List returns the user's notifications, newest first.
func (s *Service) List(ctx context.Context, userID string, f Filter) ([]Notification, string, error) {
	if f.Limit == 0 {
		f.Limit = 50
	}
	if f.Limit < 1 || f.Limit > 500 {
		return nil, "", kedaitong.Invalid("limit", "must be a whole number from 1 to 500").ZHf("条数（limit）应为 1 到 500 的整数")
	}
	q := store.Query{Eq: map[string]any{"user_id": userID}, Sort: "created_ms", Desc: true, Limit: f.Limit, After: f.Cursor}
	if f.UnreadOnly {
		q.Eq["unread"] = true
	}
	p, err := s.notes.Find(ctx, q)
	if err != nil {
		return nil, "", err
	}
	out, err := store.DecodeAll[Notification](p.Docs)
	return out, p.Next, err
}

// Unread returns the user's unread count (one lookup).
func (s *Service) Unread(ctx context.Context, userID string) (int64, error) {
	var c counter
	if _, err := s.counters.Get(ctx, userID, &c); err != nil {
		if kedaitong.Is(err, kedaitong.ENotFound) {
			return 0, nil
		}
		return 0, err
	}
	return max(c.Unread, 0), nil
}

func notFound(id string) error {
	return kedaitong.Errorf(kedaitong.ENotFound, "no notification %q", id).ZHf("没有通知 %q", id)
}

// MarkRead marks one of the user's notifications read; marking it again
// changes nothing. Another user's notification is not found.
func (s *Service) MarkRead(ctx context.Context, userID, id string) (Notification, error) {
	if !idRE.MatchString(id) {
		return Notification{}, notFound(id)
	}
	for attempt := 0; ; attempt++ {
		var n Notification
		ver, err := s.notes.Get(ctx, id, &n)
		if kedaitong.Is(err, kedaitong.ENotFound) || err == nil && n.UserID != userID {
			return Notification{}, notFound(id)
		}
		if err != nil {
			return Notification{}, err
		}
		if !n.Unread {
			return n, nil
		}
		now := s.now()
		n.Unread, n.ReadAt = false, &now
		if _, err := s.notes.Replace(ctx, id, ver, n); err != nil {
			if kedaitong.Is(err, kedaitong.EConflict) && attempt < 5 {
				continue
			}
			return Notification{}, err
		}
		if _, err := s.counters.Incr(ctx, userID, map[string]any{"user_id": userID}, map[string]int64{"unread": -1}); err != nil {
			return Notification{}, err
		}
		return n, nil
	}
}

// MarkAllRead marks every unread notification of the user read and returns
// how many it marked.
func (s *Service) MarkAllRead(ctx context.Context, userID string) (int, error) {
	n := 0
	for {
		p, err := s.notes.Find(ctx, store.Query{Eq: map[string]any{"user_id": userID, "unread": true}, Sort: "created_ms", Desc: true, Limit: 200})
		if err != nil {
			return n, err
		}
		if len(p.Docs) == 0 {
			break
		}
		for _, d := range p.Docs {
			if _, err := s.MarkRead(ctx, userID, d.ID); err != nil {
				return n, err
			}
			n++
		}
	}
	// Repair the counter should it have drifted (an interrupted write):
	// nothing is unread now.
	var c counter
	if _, err := s.counters.Get(ctx, userID, &c); err == nil && c.Unread != 0 {
		_, _ = s.counters.Incr(ctx, userID, map[string]any{"user_id": userID}, map[string]int64{"unread": -c.Unread})
	}
	return n, nil
}

// MarkObjectRead marks the user's unread notifications about one object
// (kind and id, e.g. a consultation the user just opened) read, looking at
// the most recent 200 unread ones, and returns how many it marked.
func (s *Service) MarkObjectRead(ctx context.Context, userID, kind, objectID string) (int, error) {
	p, err := s.notes.Find(ctx, store.Query{Eq: map[string]any{"user_id": userID, "unread": true}, Sort: "created_ms", Desc: true, Limit: 200})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range p.Docs {
		var note Notification
		if err := d.Decode(&note); err != nil {
			return n, err
		}
		if note.ObjectKind != kind || note.ObjectID != objectID {
			continue
		}
		if _, err := s.MarkRead(ctx, userID, note.ID); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
