// Package fetch is the crawler's HTTP client: an SSRF guard checked at dial
// time and on every redirect, conditional GET, transparent gzip, a per-host
// concurrency limit, timeouts, a body cap, classified errors, and decoding of
// the body to UTF-8 from whatever charset the server or document declares.
package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"kedaitong"
)

// Defaults for Options fields left zero.
const (
	DefaultUserAgent      = "KedaiTong/1.0 (Jiangxi science and technology platform; feed crawler)"
	DefaultConnectTimeout = 5 * time.Second
	DefaultTimeout        = 30 * time.Second
	DefaultMaxBody        = 10 << 20 // 10 MiB, after decompression
	DefaultMaxRedirects   = 5
	DefaultPerHost        = 2
)

// Options tunes a Client. Zero fields take the defaults above.
type Options struct {
	UserAgent      string
	ConnectTimeout time.Duration // TCP connect (each address)
	Timeout        time.Duration // the whole fetch: connect, redirects, headers and body
	MaxBody        int64         // largest body accepted, counted after decompression
	MaxRedirects   int           // most redirects followed; one more is an error
	PerHost        int           // most concurrent fetches to one host
}

func (o Options) withDefaults() Options {
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = DefaultConnectTimeout
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.MaxRedirects <= 0 {
		o.MaxRedirects = DefaultMaxRedirects
	}
	if o.PerHost <= 0 {
		o.PerHost = DefaultPerHost
	}
	return o
}

// Client fetches feeds. It is safe for concurrent use and keeps connections
// alive between fetches.
type Client struct {
	guard *Guard
	opts  Options
	hc    *http.Client

	mu    sync.Mutex
	hosts map[string]chan struct{} // per-host semaphores
}

// Conditional holds the validators of the previous successful fetch.
type Conditional struct {
	ETag         string
	LastModified string
}

// Response is the outcome of a fetch that reached the server.
type Response struct {
	Status       int
	NotModified  bool          // 304: Body is empty, keep the previous items
	Body         []byte        // transcoded to UTF-8, XML declaration rewritten to utf-8
	ContentType  string        // as sent by the server
	ETag         string        // validator for the next Conditional
	LastModified string        // validator for the next Conditional
	FinalURL     string        // after redirects; the base for relative links
	RetryAfter   time.Duration // from Retry-After on 429/503
	Charset      string        // the charset the body was read as (e.g. "gb18030")
}

// New returns a Client that checks every destination with g.
func New(g *Guard, opts Options) *Client {
	opts = opts.withDefaults()
	c := &Client{guard: g, opts: opts, hosts: map[string]chan struct{}{}}
	d := &net.Dialer{Timeout: opts.ConnectTimeout, KeepAlive: 30 * time.Second, ControlContext: g.control}
	tr := &http.Transport{
		Proxy:                 nil, // a proxy would bypass the dial-time guard
		DialContext:           g.dialContext(d),
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   opts.PerHost,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: opts.Timeout,
		ExpectContinueTimeout: time.Second,
	}
	c.hc = &http.Client{
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > opts.MaxRedirects {
				return newError(KindTooManyRedirects, via[0].URL.String(), "more than %d redirects", opts.MaxRedirects)
			}
			if err := g.checkRedirect(req.Context(), req.URL); err != nil {
				e := newError(KindRefused, via[0].URL.String(), "redirect to %s refused: %s", req.URL.Redacted(), err)
				return e
			}
			return nil
		},
	}
	return c
}

// acquire takes one of host's slots, waiting while all are taken.
func (c *Client) acquire(ctx context.Context, host string) (func(), error) {
	c.mu.Lock()
	sem, ok := c.hosts[host]
	if !ok {
		sem = make(chan struct{}, c.opts.PerHost)
		c.hosts[host] = sem
	}
	c.mu.Unlock()
	select {
	case sem <- struct{}{}:
		return func() { <-sem }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Fetch GETs rawURL, conditionally when cond holds validators. It returns a
// Response for 2xx (body decoded to UTF-8) and 304 (NotModified). Every
// failure is an *Error; for KindHTTPStatus the Response (without body) is
// returned as well so the caller can read Status and RetryAfter.
func (c *Client) Fetch(ctx context.Context, rawURL string, cond Conditional) (*Response, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return nil, newError(KindRefused, rawURL, "not a valid URL")
	}
	if _, _, err := c.guard.checkStatic(u); err != nil {
		return nil, &Error{Kind: KindRefused, URL: rawURL, Msg: guardMessage(err), Err: err}
	}
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()

	release, err := c.acquire(ctx, strings.ToLower(u.Host))
	if err != nil {
		return nil, &Error{Kind: KindTimeout, URL: rawURL, Msg: "timed out waiting for a connection slot", Err: err}
	}
	defer release()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, &Error{Kind: KindRefused, URL: rawURL, Msg: "cannot build request", Err: err}
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	req.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5")
	if cond.ETag != "" {
		req.Header.Set("If-None-Match", cond.ETag)
	}
	if cond.LastModified != "" {
		req.Header.Set("If-Modified-Since", cond.LastModified)
	}

	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, classify(rawURL, err, ctx)
	}
	defer resp.Body.Close()

	out := &Response{
		Status:       resp.StatusCode,
		ContentType:  resp.Header.Get("Content-Type"),
		ETag:         resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"),
		FinalURL:     resp.Request.URL.String(),
	}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		out.NotModified = true
		if out.ETag == "" {
			out.ETag = cond.ETag
		}
		if out.LastModified == "" {
			out.LastModified = cond.LastModified
		}
		return out, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
			out.RetryAfter = ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		e := newError(KindHTTPStatus, rawURL, "the server answered %s", statusText(resp.StatusCode))
		e.Status, e.RetryAfter = resp.StatusCode, out.RetryAfter
		return out, e
	}

	if resp.ContentLength > c.opts.MaxBody {
		return nil, newError(KindTooLarge, rawURL, "the body is %d bytes, over the %d-byte limit", resp.ContentLength, c.opts.MaxBody)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxBody+1))
	if err != nil {
		if ctx.Err() != nil || isTimeout(err) {
			return nil, &Error{Kind: KindTimeout, URL: rawURL, Msg: fmt.Sprintf("timed out reading the body after %s", c.opts.Timeout), Err: err}
		}
		if strings.Contains(err.Error(), "gzip") || strings.Contains(err.Error(), "flate") {
			return nil, &Error{Kind: KindDecode, URL: rawURL, Msg: "the compressed body is corrupt", Err: err}
		}
		return nil, &Error{Kind: KindNetwork, URL: rawURL, Msg: "the connection failed while reading the body", Err: err}
	}
	if int64(len(body)) > c.opts.MaxBody {
		return nil, newError(KindTooLarge, rawURL, "the body is over the %d-byte limit (after decompression)", c.opts.MaxBody)
	}
	d := Decode(body, out.ContentType)
	out.Body, out.Charset = d.Body, d.Charset
	return out, nil
}

// classify turns an error from http.Client.Do into an *Error.
func classify(rawURL string, err error, ctx context.Context) *Error {
	var fe *Error
	if errors.As(err, &fe) {
		return fe
	}
	var re *refusedError
	if errors.As(err, &re) {
		return &Error{Kind: KindRefused, URL: rawURL, Msg: re.msg}
	}
	if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil || isTimeout(err) {
		return &Error{Kind: KindTimeout, URL: rawURL, Msg: "timed out", Err: err}
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return &Error{Kind: KindNetwork, URL: rawURL, Msg: fmt.Sprintf("cannot resolve %s", dnsErr.Name), Err: err}
	}
	return &Error{Kind: KindNetwork, URL: rawURL, Msg: "cannot connect", Err: err}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return strconv.Itoa(code) + " " + t
	}
	return strconv.Itoa(code)
}

// guardMessage returns the human part of a guard error.
func guardMessage(err error) string {
	var ke *kedaitong.Error
	if errors.As(err, &ke) {
		return ke.Message
	}
	return err.Error()
}

// ParseRetryAfter reads a Retry-After value, either delay-seconds or an
// HTTP-date, relative to now. It returns 0 when absent, malformed or past.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		if n > int64(365*24*3600) {
			n = 365 * 24 * 3600
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d.Round(time.Second)
		}
	}
	return 0
}
