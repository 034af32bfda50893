package fetch

import "time"

// DefaultInterval is the fetch interval Backoff starts from.
const DefaultInterval = 15 * time.Minute

// MaxBackoff is the longest delay Backoff returns.
const MaxBackoff = 24 * time.Hour

// Backoff returns how long to wait before the next fetch of a source with the
// default interval after consecutiveFailures failures in a row, honouring the
// server's Retry-After. See BackoffFrom.
func Backoff(consecutiveFailures int, retryAfter time.Duration) time.Duration {
	return BackoffFrom(DefaultInterval, consecutiveFailures, retryAfter)
}

// BackoffFrom returns the delay before the next fetch of a source fetched
// every interval: interval × 2^failures, at most MaxBackoff (or interval
// when that is longer), and never less
// than retryAfter (itself capped at MaxBackoff). With no failures it returns
// interval (or retryAfter when longer).
func BackoffFrom(interval time.Duration, consecutiveFailures int, retryAfter time.Duration) time.Duration {
	if interval <= 0 {
		interval = DefaultInterval
	}
	limit := max(MaxBackoff, interval)
	d := interval
	for i := 0; i < consecutiveFailures && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	if retryAfter > d {
		d = min(retryAfter, limit)
	}
	return d
}
