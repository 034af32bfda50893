package ui

import (
	"bytes"
	"compress/flate"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"kedaitong/dashboard"
	"kedaitong/identity"
	"kedaitong/web"
)

// The dashboard page is read by many officials at once (issue 19: 200
// concurrent readers). Its cost was the template: some 2 ms of CPU per
// request to walk the cards, tables and charts of a view that changes
// only on writes. The page is therefore assembled from two cached parts:
//
//   - the content (cards, charts, tables) with the view itself, per
//     language (dashboard.Snapshot.Memo): rendered once per view, and
//     after a write rendered again with the recomputed view before any
//     reader is served it, so readers never wait for a rendering of a view
//     they have read before (a cached part is also checked against the
//     view's region before use);
//   - the layout around it (the header with the user's name, role, unread
//     count, form token and menu; the footer) by everything it shows:
//     language, path, user id, name and role, the session's form token,
//     the unread count and the access policy's version, for at most
//     dashChromeTTL.
//
// Both are also kept compressed (dashboard_gzip.go). A request then costs
// the session check, the unread count and a few writes. The page has its
// own ETag from both parts (304 on If-None-Match), private to the session
// (Cache-Control private, no-cache; Vary Cookie).

// dashChromeMax bounds the layouts kept: one per session and language,
// each holding the latest rendering (cleared when full).
const (
	dashChromeMax = 2048
	dashChromeTTL = 10 * time.Second
)

// dashMarker stands for the content while the layout is rendered once.
const dashMarker = "<!--kd-dashboard-content-8f3c-->"

// dashNonce makes page ETags of an earlier process (other templates)
// differ from this one's.
var dashNonce = func() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}()

type dashContentEntry struct {
	region string
	html   []byte
	tag    string // a hash of html
	z      zPart  // html as DEFLATE blocks (the middle of a gzip member)
}

type dashChromeEntry struct {
	once             sync.Once
	key              string // everything the layout shows
	at               time.Time
	prefix, suffix   []byte
	zPrefix, zSuffix zPart // compressed, the suffix final
	tag              string
	err              error
	user, csrf, lang string
}

var dashCache = struct {
	sync.Mutex
	chrome map[string]*dashChromeEntry
}{chrome: map[string]*dashChromeEntry{}}

// dashContent is the rendered content block of the dashboard page of
// snapshot sn in lang, built once per (view, language) whoever asks
// first, and rebuilt with the view after a write before readers are
// served the new view (dashboard.Snapshot.Memo), so readers do not wait
// for it.
func (s *ui) dashContent(sn dashboard.Snapshot, lang string) (*dashContentEntry, error) {
	v, err := sn.Memo("page."+lang, func(sn dashboard.Snapshot) (any, error) {
		p := Page{T: web.NewTr(s.bundle, lang), Lang: lang, Data: buildDashPage(sn.View, lang)}
		t, ok := s.pages["dashboard"]
		if !ok {
			return nil, errNoPage("dashboard")
		}
		var buf bytes.Buffer
		if err := t.ExecuteTemplate(&buf, "content", p); err != nil {
			return nil, err
		}
		e := &dashContentEntry{region: sn.View.Region, html: buf.Bytes()}
		sum := sha256.Sum256(e.html)
		e.tag = hex.EncodeToString(sum[:10])
		var err error
		e.z, err = deflatePart(e.html, false, flate.DefaultCompression)
		return e, err
	})
	if err != nil {
		return nil, err
	}
	e, ok := v.(*dashContentEntry)
	if !ok || e.region != sn.View.Region { // never another region's page
		return nil, errNoPage("dashboard (region)")
	}
	return e, nil
}

type errNoPage string

func (e errNoPage) Error() string { return "ui: no page " + string(e) }

// policyVersion is the access policy's version when the authorizer has
// one (the menu shows what the role may do).
func (s *ui) policyVersion() int64 {
	if v, ok := s.Deps.RBAC.(interface{ Version() int64 }); ok {
		return v.Version()
	}
	return 0
}

// dashChrome is the layout around the dashboard's content for this
// caller: rendered once per (language, path, user, session, unread count,
// policy version) and kept for dashChromeTTL.
func (s *ui) dashChrome(c *gin.Context, cl identity.Caller, lang string, unread int64) (*dashChromeEntry, error) {
	u := cl.User
	path := c.Request.URL.Path
	var kb strings.Builder
	for _, part := range []string{lang, path, u.ID, cl.CSRF, u.Username, u.Role, strconv.FormatInt(unread, 10), strconv.FormatInt(s.policyVersion(), 10)} {
		kb.WriteString(part)
		kb.WriteByte(0)
	}
	k := kb.String()
	slot := strings.Join([]string{lang, path, u.ID, cl.CSRF}, "\x00") // one per session and language
	now := time.Now()
	dashCache.Lock()
	e := dashCache.chrome[slot]
	if e == nil || e.key != k || now.Sub(e.at) >= dashChromeTTL {
		if e == nil && len(dashCache.chrome) >= dashChromeMax {
			clear(dashCache.chrome)
		}
		e = &dashChromeEntry{key: k, at: now, user: u.ID, csrf: cl.CSRF, lang: lang}
		dashCache.chrome[slot] = e
	}
	dashCache.Unlock()
	e.once.Do(func() {
		tr := web.NewTr(s.bundle, lang)
		other := "en"
		if lang == "en" {
			other = "zh-CN"
		}
		user := u
		p := Page{T: tr, Lang: lang, OtherLang: other, Path: path, Title: tr.T("dashboard.title"), Data: template.HTML(dashMarker),
			User: &user, CSRF: cl.CSRF, Unread: unread, authz: s.Deps.RBAC, hub: func(string) *hubPanel { return nil }}
		t, ok := s.pages["dashboard_shell"]
		if !ok {
			e.err = errNoPage("dashboard_shell")
			return
		}
		var buf bytes.Buffer
		if e.err = t.ExecuteTemplate(&buf, "layout.html", p); e.err != nil {
			return
		}
		before, after, found := bytes.Cut(buf.Bytes(), []byte(dashMarker))
		if !found {
			e.err = errNoPage("dashboard_shell (marker)")
			return
		}
		e.prefix, e.suffix = before, after
		if e.zPrefix, e.err = deflatePart(before, false, flate.BestSpeed); e.err != nil {
			return
		}
		if e.zSuffix, e.err = deflatePart(after, true, flate.BestSpeed); e.err != nil {
			return
		}
		sum := sha256.Sum256([]byte(k))
		e.tag = hex.EncodeToString(sum[:8])
	})
	if e.err != nil {
		dashCache.Lock()
		if dashCache.chrome[slot] == e {
			delete(dashCache.chrome, slot)
		}
		dashCache.Unlock()
		return nil, e.err
	}
	if e.key != k || e.user != u.ID || e.csrf != cl.CSRF || e.lang != lang { // never another session's header
		return nil, errNoPage("dashboard_shell (session)")
	}
	return e, nil
}

// renderDashPage writes the dashboard page: the caller's layout around
// the cached content, with an ETag of both (304 on If-None-Match).
func (s *ui) renderDashPage(c *gin.Context, cl identity.Caller, lang string, content *dashContentEntry) {
	unread := s.dashUnread(c.Request.Context(), cl.User.ID)
	ch, err := s.dashChrome(c, cl, lang, unread)
	if err != nil {
		s.Deps.Logger.Error("render", "page", "dashboard", "err", err)
		s.renderError(c, http.StatusInternalServerError, "error.internal")
		return
	}
	gz := web.AcceptsGzip(c.GetHeader("Accept-Encoding"))
	etag := `"dp` + dashNonce + content.tag + ch.tag + `"`
	if gz {
		etag = `"dp` + dashNonce + content.tag + ch.tag + `-gz"` // a representation of its own
	}
	c.Header("Content-Language", lang)
	c.Header("Vary", "Accept-Language, Cookie, Accept-Encoding")
	if web.NotModified(c, etag) {
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	parts := [][]byte{ch.prefix, content.html, ch.suffix}
	if gz {
		h.Set("Content-Encoding", "gzip")
		parts = [][]byte{gzipHeader, ch.zPrefix.z, content.z.z, ch.zSuffix.z,
			gzipTrailer(ch.zPrefix.crc, ch.zPrefix.n, content.html, ch.suffix)}
	}
	n := 0
	for _, b := range parts {
		n += len(b)
	}
	h.Set("Content-Length", strconv.Itoa(n))
	c.Status(http.StatusOK)
	// one write of the whole page (a copy of a few KB is cheaper than a system call per part)
	buf := dashBufs.Get().(*bytes.Buffer)
	buf.Reset()
	for _, b := range parts {
		buf.Write(b)
	}
	_, _ = c.Writer.Write(buf.Bytes())
	if buf.Cap() <= 256<<10 {
		dashBufs.Put(buf)
	}
}

var dashBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// dashUnreads are the header's unread counts, by user: the last one read
// and the read in flight.
var dashUnreads = struct {
	sync.Mutex
	m map[string]*unreadSlot
}{m: map[string]*unreadSlot{}}

type unreadSlot struct {
	n        int64     // the last count read
	at       time.Time // when that read started
	inflight bool
}

// dashUnreadMaxAge bounds how old a count may be when it is shown because
// another read of it is in flight.
const dashUnreadMaxAge = time.Second

// dashUnread is the user's unread count for the header. A page finding no
// read of it in flight reads the store (so a notification shows on the
// next page); pages of the same user arriving while one is in flight show
// the last count read, when that read started under dashUnreadMaxAge ago,
// instead of waiting or adding reads: under 200 readers in a few sessions
// the store's connections were the queue (a quarter of all waiting).
func (s *ui) dashUnread(ctx context.Context, user string) int64 {
	if s.Deps.Notify == nil {
		return 0
	}
	key := fmt.Sprintf("%p\x00%s", s.Deps.Notify, user) // never another server's (tests run several)
	now := time.Now()
	dashUnreads.Lock()
	sl := dashUnreads.m[key]
	if sl == nil {
		if len(dashUnreads.m) >= dashChromeMax {
			clear(dashUnreads.m)
		}
		sl = &unreadSlot{}
		dashUnreads.m[key] = sl
	}
	if sl.inflight && !sl.at.IsZero() && now.Sub(sl.at) < dashUnreadMaxAge {
		n := sl.n
		dashUnreads.Unlock()
		return n
	}
	sl.inflight = true
	dashUnreads.Unlock()
	n, err := s.Deps.Notify.Unread(ctx, user)
	dashUnreads.Lock()
	sl.inflight = false
	if err == nil && (sl.at.IsZero() || now.After(sl.at)) {
		sl.n, sl.at = n, now
	}
	dashUnreads.Unlock()
	return n
}
