package fetch

import (
	"context"
	"net"
	"net/http"
	"time"
)

// HTTPClient returns a plain HTTP client whose every connection passes the
// guard (resolution-time and dial-time checks, no proxy, redirects
// re-checked), for other outbound requests than feeds: webhooks.
func (g *Guard) HTTPClient(timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, ControlContext: g.control}
	tr := &http.Transport{
		Proxy:                 nil, // a proxy would bypass the dial-time guard
		DialContext:           g.dialContext(d),
		MaxIdleConns:          20,
		IdleConnTimeout:       60 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: timeout,
	}
	return &http.Client{Transport: tr, Timeout: timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 3 {
				return http.ErrUseLastResponse
			}
			return g.checkRedirect(context.WithoutCancel(req.Context()), req.URL)
		}}
}
