package ui

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
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
//   - the content (cards, charts, tables) by the view's entity tag and the
//     language: the view's ETag is a hash of its JSON, which names the
//     region, the region above and the month range, so one region's
//     content is never another's (a cached part is also checked against
//     the view's region before use);
//   - the layout around it (the header with the user's name, role, unread
//     count, form token and menu; the footer) by everything it shows:
//     language, path, user id, name and role, the session's form token,
//     the unread count and the access policy's version, for at most
//     dashChromeTTL.
//
// A request then costs the session check, the unread count and three
// writes. The page has its own ETag from both parts (304 on
// If-None-Match), private to the session (Cache-Control private,
// no-cache; Vary Cookie).

// dashContentMax and dashChromeMax bound the caches: one slot per view and
// language, one per session and language, each holding the latest
// rendering (cleared when full).
const (
	dashContentMax = 512
	dashChromeMax  = 2048
	dashChromeTTL  = 10 * time.Second
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
	once   sync.Once
	etag   string // the view's
	region string
	html   []byte
	tag    string // a hash of html
	err    error
}

type dashChromeEntry struct {
	once             sync.Once
	key              string // everything the layout shows
	at               time.Time
	prefix, suffix   []byte
	tag              string
	err              error
	user, csrf, lang string
}

var dashCache = struct {
	sync.Mutex
	content map[string]*dashContentEntry
	chrome  map[string]*dashChromeEntry
}{content: map[string]*dashContentEntry{}, chrome: map[string]*dashChromeEntry{}}

// dashContent is the rendered content block of the dashboard page of
// snapshot sn in lang, built once per (view, language) whoever asks
// first; concurrent readers of the same view wait for that one build.
func (s *ui) dashContent(sn dashboard.Snapshot, lang string) (*dashContentEntry, error) {
	// one slot per view and language, holding the latest rendering
	v := sn.View
	k := strings.Join([]string{v.Region, v.Parent, v.Trends.From, v.Trends.To, lang}, "\x00")
	dashCache.Lock()
	e := dashCache.content[k]
	if e == nil || e.etag != sn.ETag {
		if e == nil && len(dashCache.content) >= dashContentMax {
			clear(dashCache.content)
		}
		e = &dashContentEntry{etag: sn.ETag, region: v.Region}
		dashCache.content[k] = e
	}
	dashCache.Unlock()
	e.once.Do(func() {
		p := Page{T: web.NewTr(s.bundle, lang), Lang: lang, Data: buildDashPage(sn.View, lang)}
		t, ok := s.pages["dashboard"]
		if !ok {
			e.err = errNoPage("dashboard")
			return
		}
		var buf bytes.Buffer
		if e.err = t.ExecuteTemplate(&buf, "content", p); e.err == nil {
			e.html = buf.Bytes()
			sum := sha256.Sum256(e.html)
			e.tag = hex.EncodeToString(sum[:10])
		}
	})
	if e.err != nil {
		dashCache.Lock()
		if dashCache.content[k] == e {
			delete(dashCache.content, k)
		}
		dashCache.Unlock()
		return nil, e.err
	}
	if e.region != sn.View.Region || e.etag != sn.ETag { // never another region's page, nor an older one
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
	var unread int64
	if s.Deps.Notify != nil {
		unread, _ = s.Deps.Notify.Unread(c.Request.Context(), cl.User.ID)
	}
	ch, err := s.dashChrome(c, cl, lang, unread)
	if err != nil {
		s.Deps.Logger.Error("render", "page", "dashboard", "err", err)
		s.renderError(c, http.StatusInternalServerError, "error.internal")
		return
	}
	etag := `"dp` + dashNonce + content.tag + ch.tag + `"`
	c.Header("Content-Language", lang)
	c.Header("Vary", "Accept-Language, Cookie")
	if web.NotModified(c, etag) {
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(ch.prefix)+len(content.html)+len(ch.suffix)))
	c.Status(http.StatusOK)
	for _, b := range [][]byte{ch.prefix, content.html, ch.suffix} {
		if _, err := c.Writer.Write(b); err != nil {
			return
		}
	}
}
