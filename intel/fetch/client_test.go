package fetch

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// newLoopbackClient returns a Client whose guard allows 127.0.0.1 only.
func newLoopbackClient(t *testing.T, opts Options) *Client {
	t.Helper()
	return New(newTestGuard(t, "127.0.0.1"), opts)
}

func TestFetchConditional(t *testing.T) {
	const etag, lastMod = `"v1"`, "Mon, 03 Apr 2023 01:02:03 GMT"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/lm" {
			if r.Header.Get("If-Modified-Since") == lastMod {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("Last-Modified", lastMod)
		} else {
			if r.Header.Get("If-None-Match") == etag {
				w.WriteHeader(http.StatusNotModified)
				return
			}
			w.Header().Set("ETag", etag)
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, "<rss/>")
	}))
	defer srv.Close()
	c := newLoopbackClient(t, Options{})
	ctx := context.Background()

	tests := []struct {
		path string
		cond Conditional
		want bool // NotModified
	}{
		{"/etag", Conditional{}, false},
		{"/etag", Conditional{ETag: etag}, true},
		{"/etag", Conditional{ETag: `"old"`}, false},
		{"/lm", Conditional{}, false},
		{"/lm", Conditional{LastModified: lastMod}, true},
	}
	for _, tt := range tests {
		resp, err := c.Fetch(ctx, srv.URL+tt.path, tt.cond)
		if err != nil {
			t.Fatalf("Fetch(%s, %+v): %v", tt.path, tt.cond, err)
		}
		if resp.NotModified != tt.want {
			t.Errorf("Fetch(%s, %+v).NotModified = %v, want %v", tt.path, tt.cond, resp.NotModified, tt.want)
		}
		if !tt.want {
			if string(resp.Body) != "<rss/>" {
				t.Errorf("body = %q, want <rss/>", resp.Body)
			}
			if tt.path == "/etag" && resp.ETag != etag {
				t.Errorf("ETag = %q, want %q", resp.ETag, etag)
			}
			if tt.path == "/lm" && resp.LastModified != lastMod {
				t.Errorf("LastModified = %q, want %q", resp.LastModified, lastMod)
			}
		} else if resp.ETag != tt.cond.ETag || resp.LastModified != tt.cond.LastModified {
			t.Errorf("304 validators = %q/%q, want the ones sent %q/%q", resp.ETag, resp.LastModified, tt.cond.ETag, tt.cond.LastModified)
		}
	}
}

func gzipBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestFetchGzipAndUserAgent(t *testing.T) {
	feed := []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>江西</title></channel></rss>`)
	gz := gzipBytes(t, feed)
	var gotUA, gotAE string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotUA, gotAE = r.Header.Get("User-Agent"), r.Header.Get("Accept-Encoding")
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		w.Write(gz)
	}))
	defer srv.Close()
	resp, err := newLoopbackClient(t, Options{}).Fetch(context.Background(), srv.URL, Conditional{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(resp.Body, feed) {
		t.Errorf("body = %q, want %q", resp.Body, feed)
	}
	if !strings.Contains(gotAE, "gzip") {
		t.Errorf("Accept-Encoding = %q, want gzip", gotAE)
	}
	if !strings.Contains(gotUA, "KedaiTong") {
		t.Errorf("User-Agent = %q, want it to name KedaiTong", gotUA)
	}
}

func TestFetchBodyCap(t *testing.T) {
	exact := bytes.Repeat([]byte("a"), DefaultMaxBody)
	over := bytes.Repeat([]byte("a"), DefaultMaxBody+1)
	bomb := gzipBytes(t, make([]byte, 64<<20)) // 64 MiB of zeros, ~64 KiB compressed
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/exact":
			w.Write(exact)
		case "/over":
			w.Write(over)
		case "/over-chunked":
			w.Header().Set("Transfer-Encoding", "chunked")
			for i := 0; i < len(over); i += 1 << 20 {
				w.Write(over[i:min(i+1<<20, len(over))])
				w.(http.Flusher).Flush()
			}
		case "/bomb":
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(bomb)
		}
	}))
	defer srv.Close()
	c := newLoopbackClient(t, Options{})
	tests := []struct {
		path     string
		wantKind string
	}{
		{"/exact", ""},
		{"/over", KindTooLarge},
		{"/over-chunked", KindTooLarge},
		{"/bomb", KindTooLarge},
	}
	for _, tt := range tests {
		resp, err := c.Fetch(context.Background(), srv.URL+tt.path, Conditional{})
		if got := KindOf(err); got != tt.wantKind {
			t.Errorf("Fetch(%s) kind = %q (%v), want %q", tt.path, got, err, tt.wantKind)
			continue
		}
		if tt.wantKind == "" && len(resp.Body) != DefaultMaxBody {
			t.Errorf("Fetch(%s) body length = %d, want %d", tt.path, len(resp.Body), DefaultMaxBody)
		}
	}
	if len(bomb) > 1<<20 {
		t.Fatalf("the gzip bomb is %d bytes compressed; the test means it to be small", len(bomb))
	}
}

func TestFetchRedirects(t *testing.T) {
	// A server on 127.0.0.2 that must never be reached.
	var reached atomic.Int32
	ln, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Skipf("cannot listen on 127.0.0.2: %v", err)
	}
	forbidden := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		fmt.Fprint(w, "<rss/>")
	}))
	forbidden.Listener.Close()
	forbidden.Listener = ln
	forbidden.Start()
	defer forbidden.Close()

	//lint:ignore S1021 the handler refers to srv itself
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n int
		switch {
		case r.URL.Path == "/to-forbidden":
			http.Redirect(w, r, forbidden.URL+"/", http.StatusFound)
		case r.URL.Path == "/to-private":
			http.Redirect(w, r, "http://10.0.0.5/feed", http.StatusMovedPermanently)
		case r.URL.Path == "/to-metadata":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		case r.URL.Path == "/to-name":
			http.Redirect(w, r, "http://internal.example/feed", http.StatusFound)
		case r.URL.Path == "/to-file":
			http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
		case r.URL.Path == "/final":
			fmt.Fprint(w, "<rss/>")
		default:
			if _, err := fmt.Sscanf(r.URL.Path, "/chain/%d", &n); err == nil && n > 0 {
				http.Redirect(w, r, fmt.Sprintf("/chain/%d", n-1), http.StatusFound)
				return
			}
			fmt.Fprint(w, "<rss/>")
		}
	}))
	defer srv.Close()
	c := newLoopbackClient(t, Options{})
	tests := []struct {
		path     string
		wantKind string
		wantMsg  string
	}{
		{"/chain/5", "", ""},
		{"/chain/6", KindTooManyRedirects, "more than 5 redirects"},
		{"/to-forbidden", KindRefused, "not allowed"},
		{"/to-private", KindRefused, "not allowed"},
		{"/to-metadata", KindRefused, "not allowed"},
		{"/to-name", KindRefused, "host internal.example resolves to an address that is not allowed"},
		{"/to-file", KindRefused, ""},
	}
	for _, tt := range tests {
		resp, err := c.Fetch(context.Background(), srv.URL+tt.path, Conditional{})
		if got := KindOf(err); got != tt.wantKind {
			t.Errorf("Fetch(%s) kind = %q (%v), want %q", tt.path, got, err, tt.wantKind)
			continue
		}
		if err != nil && !strings.Contains(err.Error(), tt.wantMsg) {
			t.Errorf("Fetch(%s) = %q, want it to contain %q", tt.path, err, tt.wantMsg)
		}
		if err == nil && resp.FinalURL != srv.URL+"/chain/0" {
			t.Errorf("FinalURL = %q, want %q", resp.FinalURL, srv.URL+"/chain/0")
		}
	}
	if n := reached.Load(); n != 0 {
		t.Errorf("the refused server on 127.0.0.2 got %d requests, want 0", n)
	}
}

func TestFetchRefusedAtDial(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<rss/>")
	}))
	defer srv.Close()
	port := srv.Listener.Addr().(*net.TCPAddr).Port
	g, _ := NewGuard("")
	g = g.WithResolver(fakeResolver{"rebind.example": {"127.0.0.1"}})
	c := New(g, Options{})
	for _, u := range []string{
		srv.URL, // loopback not allow-listed
		fmt.Sprintf("http://rebind.example:%d/", port),
		"http://rebind.example/",
		fmt.Sprintf("http://[::ffff:127.0.0.1]:%d/", port),
		fmt.Sprintf("http://2130706433:%d/", port),
	} {
		_, err := c.Fetch(context.Background(), u, Conditional{})
		if KindOf(err) != KindRefused {
			t.Errorf("Fetch(%s) = %v, want kind %q", u, err, KindRefused)
		}
	}
	// The same server allowed by name: reachable.
	g2, _ := NewGuard("rebind.example")
	c2 := New(g2.WithResolver(fakeResolver{"rebind.example": {"127.0.0.1"}}), Options{})
	if _, err := c2.Fetch(context.Background(), fmt.Sprintf("http://rebind.example:%d/", port), Conditional{}); err != nil {
		t.Errorf("Fetch of an allow-listed host name: %v", err)
	}
}

func TestFetchRetryAfter(t *testing.T) {
	date := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/429":
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusTooManyRequests)
		case "/503":
			w.Header().Set("Retry-After", date)
			w.WriteHeader(http.StatusServiceUnavailable)
		case "/404":
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	c := newLoopbackClient(t, Options{})
	tests := []struct {
		path       string
		status     int
		minR, maxR time.Duration
	}{
		{"/429", 429, 120 * time.Second, 120 * time.Second},
		{"/503", 503, 85 * time.Second, 91 * time.Second},
		{"/404", 404, 0, 0},
	}
	for _, tt := range tests {
		resp, err := c.Fetch(context.Background(), srv.URL+tt.path, Conditional{})
		var fe *Error
		if !errors.As(err, &fe) || fe.Kind != KindHTTPStatus {
			t.Fatalf("Fetch(%s) = %v, want a %s error", tt.path, err, KindHTTPStatus)
		}
		if fe.Status != tt.status || resp.Status != tt.status {
			t.Errorf("status = %d/%d, want %d", fe.Status, resp.Status, tt.status)
		}
		if fe.RetryAfter < tt.minR || fe.RetryAfter > tt.maxR || resp.RetryAfter != fe.RetryAfter {
			t.Errorf("Fetch(%s) RetryAfter = %v (response %v), want in [%v, %v]", tt.path, fe.RetryAfter, resp.RetryAfter, tt.minR, tt.maxR)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"-5", 0},
		{"30", 30 * time.Second},
		{" 3600 ", time.Hour},
		{"Tue, 02 Jan 2024 03:05:05 GMT", time.Minute},
		{"Tue, 02 Jan 2024 03:00:00 GMT", 0}, // past
		{"soon", 0},
	}
	for _, tt := range tests {
		if got := ParseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestFetchTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow-body" {
			w.Write([]byte("<rss>"))
			w.(http.Flusher).Flush()
		}
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer srv.Close()
	c := newLoopbackClient(t, Options{Timeout: 200 * time.Millisecond})
	for _, p := range []string{"/slow-headers", "/slow-body"} {
		start := time.Now()
		_, err := c.Fetch(context.Background(), srv.URL+p, Conditional{})
		if KindOf(err) != KindTimeout {
			t.Errorf("Fetch(%s) = %v, want kind %q", p, err, KindTimeout)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Fetch(%s) took %v, want about 200ms", p, d)
		}
	}
}

func TestFetchNetworkError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	_, err = newLoopbackClient(t, Options{}).Fetch(context.Background(), "http://"+addr+"/", Conditional{})
	if KindOf(err) != KindNetwork {
		t.Errorf("Fetch of a closed port = %v, want kind %q", err, KindNetwork)
	}
}

func TestFetchPerHostLimit(t *testing.T) {
	var inFlight, peak atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(50 * time.Millisecond)
		inFlight.Add(-1)
		fmt.Fprint(w, "<rss/>")
	}))
	defer srv.Close()
	c := newLoopbackClient(t, Options{PerHost: 2})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Fetch(context.Background(), srv.URL, Conditional{}); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := peak.Load(); got != 2 {
		t.Errorf("peak concurrent requests to one host = %d, want 2", got)
	}
}

func TestFetchCharsets(t *testing.T) {
	const zh = "江西省科技型中小企业"
	const zhTW = "江西省科技新聞"
	gb, _ := simplifiedchinese.GB18030.NewEncoder().String(zh)
	gbk, _ := simplifiedchinese.GBK.NewEncoder().String(zh)
	big5, _ := traditionalchinese.Big5.NewEncoder().String(zhTW)
	doc := func(decl, title string) []byte {
		s := "<rss version=\"2.0\"><channel><title>" + title + "</title></channel></rss>"
		if decl != "" {
			s = `<?xml version="1.0" encoding="` + decl + `"?>` + "\n" + s
		}
		return []byte(s)
	}
	utf16le := []byte{0xff, 0xfe}
	for _, r := range `<?xml version="1.0" encoding="utf-16"?><rss><channel><title>` + zh + `</title></channel></rss>` {
		utf16le = append(utf16le, byte(r), byte(r>>8))
	}
	tests := []struct {
		name        string
		contentType string
		body        []byte
		wantTitle   string
		wantCharset string
	}{
		{"gb2312 header", "application/rss+xml; charset=gb2312", doc("", gb), zh, "gb18030"},
		{"gb2312 header quoted", "application/rss+xml;charset='GB2312'", doc("", gb), zh, "gb18030"},
		{"gb2312 declaration only", "application/xml", doc("gb2312", gb), zh, "gb18030"},
		{"gbk header", "text/xml; charset=GBK", doc("", gbk), zh, "gb18030"},
		{"gbk declaration only", "text/xml", doc("GBK", gbk), zh, "gb18030"},
		{"big5 header", "text/xml; charset=big5", doc("", big5), zhTW, "big5"},
		{"big5 declaration", "", doc("big5", big5), zhTW, "big5"},
		{"header wins over declaration", "text/xml; charset=gbk", doc("iso-8859-1", gbk), zh, "gb18030"},
		{"utf-8 bom wins over header", "text/xml; charset=gbk", append([]byte("\xef\xbb\xbf"), doc("gbk", zh)...), zh, "utf-8"},
		{"utf-16le bom", "text/xml", utf16le, zh, "utf-16le"},
		{"default utf-8", "text/xml", doc("", zh), zh, "utf-8"},
		{"bogus charset falls back to declaration", "text/xml; charset=x-bogus", doc("gb2312", gb), zh, "gb18030"},
		{"latin1 header", "text/xml; charset=iso-8859-1", doc("", "caf\xe9"), "café", "windows-1252"},
		{"shift_jis declaration", "", doc("shift_jis", "\x93\xfa\x96\x7b"), "日本", "shift_jis"},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, tt := range tests {
			if r.URL.Query().Get("case") == tt.name {
				if tt.contentType != "" {
					w.Header().Set("Content-Type", tt.contentType)
				} else {
					w.Header()["Content-Type"] = nil
				}
				w.Write(tt.body)
				return
			}
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	c := newLoopbackClient(t, Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := c.Fetch(context.Background(), srv.URL+"/?case="+strings.ReplaceAll(tt.name, " ", "+"), Conditional{})
			if err != nil {
				t.Fatal(err)
			}
			if resp.Charset != tt.wantCharset {
				t.Errorf("Charset = %q, want %q", resp.Charset, tt.wantCharset)
			}
			if !bytes.Contains(resp.Body, []byte("<title>"+tt.wantTitle+"</title>")) {
				t.Errorf("body = %q, want title %q", resp.Body, tt.wantTitle)
			}
			if bytes.Contains(resp.Body, []byte("encoding=")) && !bytes.Contains(resp.Body, []byte(`encoding="utf-8"`)) {
				t.Errorf("declaration not rewritten to utf-8: %q", resp.Body[:min(len(resp.Body), 60)])
			}
		})
	}
}
