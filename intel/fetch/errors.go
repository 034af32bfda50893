package fetch

import (
	"errors"
	"fmt"
	"time"
)

// Kinds of fetch failure. The scheduler shows them to operators and backs off
// on all of them; KindRefused and KindTooLarge will not go away by retrying
// soon, KindHTTPStatus depends on Status (429/503 carry RetryAfter).
const (
	KindRefused          = "refused"            // the SSRF guard refused the URL, a redirect target or a resolved address
	KindTimeout          = "timeout"            // connect or whole-fetch deadline passed
	KindHTTPStatus       = "http_status"        // the server answered with a status other than 2xx or 304
	KindTooLarge         = "too_large"          // the body exceeded the cap after decompression
	KindTooManyRedirects = "too_many_redirects" // more redirects than allowed
	KindDecode           = "decode"             // the body could not be decompressed or read
	KindNetwork          = "network"            // DNS, connection, TLS or other transport failure
)

// Error is a classified fetch failure. Msg is a short sentence fit for an
// operator's "last error" column; Err is the underlying cause, if any.
type Error struct {
	Kind       string        // one of the Kind* constants
	Status     int           // the HTTP status for KindHTTPStatus, else 0
	RetryAfter time.Duration // the server's Retry-After on 429/503, else 0
	URL        string        // the URL being fetched
	Msg        string        // human text
	Err        error         // the cause, when there is one
}

// Error implements the error interface.
func (e *Error) Error() string {
	s := "fetch " + e.URL + ": " + e.Msg
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the Kind of the first *Error in err's chain, or "" when
// there is none.
func KindOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}

func newError(kind, url, format string, args ...any) *Error {
	return &Error{Kind: kind, URL: url, Msg: fmt.Sprintf(format, args...)}
}
