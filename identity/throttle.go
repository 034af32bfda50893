package identity

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"kedaitong"
	"kedaitong/internal/store"
)

// Log-in throttling (OWASP ASVS 4.0 V2.2.1, and OWASP's "device cookies"):
// wrong passwords are counted by who guesses, not only by whom they guess
// at, so that nobody can lock another person out by guessing wrong.
//
//   - the pair (source, account): PairLimit failures within ThrottleWindow
//     stop that source guessing at that account;
//   - the source: SourceLimit failures within ThrottleWindow, over any
//     accounts, stop that source (password spraying);
//   - the account: AccountLimit failures within AccountWindow from all
//     sources together (a guessing botnet) stop attempts on the account
//     from new browsers only.
//
// A browser that has logged in to the account before holds a device token
// (Device in LoginRequest and LoginResult): its attempts are counted for
// that device alone (PairLimit within ThrottleWindow) and never blocked by
// the others' guessing. So the legitimate user keeps a way in — from the
// browser they use, or from any source that has not been guessing while
// the account is not under a distributed attack — and the attacker gets at
// most PairLimit guesses per source and window and AccountLimit an hour.
// The counters live in the store: every replica sees the same.
const (
	PairLimit      = 5
	SourceLimit    = 30
	ThrottleWindow = 15 * time.Minute
	AccountLimit   = 100
	AccountWindow  = time.Hour
	// DeviceLifetime is how long a device token is honoured after the last
	// log-in with it.
	DeviceLifetime = 180 * 24 * time.Hour

	failureBucket = 5 * time.Minute // windows are kept as buckets of this size

	// Kept for the callers of the earlier, account-only throttle: the
	// pair limit and its window.
	FailureLimit  = PairLimit
	FailureWindow = ThrottleWindow
)

// DevicePrefix starts every device token.
const DevicePrefix = "kdd_"

// Device is a browser that logged in to an account, stored under the
// SHA-256 of its secret.
type Device struct {
	UserID    string `json:"user_id"`
	CreatedMS int64  `json:"created_ms"`
	ExpiresMS int64  `json:"expires_ms"`
}

// DevicesDef is the collection of device tokens.
var DevicesDef = store.CollectionDef{Name: "login_devices", Indexes: []store.Index{
	{Fields: []string{"user_id"}},
	{Fields: []string{"expires_ms"}},
}}

// LoginRequest is one log-in attempt.
type LoginRequest struct {
	Username string
	Password string
	// Source is the client address (behind trusted proxies, the one they
	// name). IPv6 addresses are counted by their /64 network.
	Source string
	// Device is the device token the browser presented, if any.
	Device string
}

// LoginResult is a successful log-in.
type LoginResult struct {
	User    User
	Session string // the session secret
	// Device is the device token for the browser to keep (a new one, or
	// the one it presented).
	Device string
}

// throttleKey is one counter of failures.
type throttleKey struct {
	id     string // store key prefix
	limit  int64
	window time.Duration
}

func hashedKey(kind string, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return kind + ":" + hex.EncodeToString(h.Sum(nil))[:32]
}

// SourceKey folds a client address to the unit it is counted by: an IPv4
// address, an IPv6 /64 network (one subscriber's allotment), or the text.
func SourceKey(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		if addr == "" {
			return "unknown"
		}
		return truncate(addr, 64)
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// keysFor returns the counters that decide an attempt: the device's alone
// when the browser presents a valid device token for the account, else the
// pair's, the source's and the account's.
func keysFor(userKey, source, deviceID string) []throttleKey {
	if deviceID != "" {
		return []throttleKey{{hashedKey("dev", deviceID), PairLimit, ThrottleWindow}}
	}
	src := SourceKey(source)
	return []throttleKey{
		{hashedKey("pair", src, userKey), PairLimit, ThrottleWindow},
		{hashedKey("src", src), SourceLimit, ThrottleWindow},
		{hashedKey("acct", userKey), AccountLimit, AccountWindow},
	}
}

type failureDoc struct {
	Key    string `json:"key"`
	Bucket int64  `json:"bucket"`
	N      int64  `json:"n"`
}

// throttleWait returns how long the first counter over its limit must still
// wait (0 when none is), and the ids of the first key's bucket documents
// (the pair's or the device's: cleared on success).
func (s *Service) throttleWait(ctx context.Context, now time.Time, keys []throttleKey) (time.Duration, []string, error) {
	var first []string
	for i, k := range keys {
		from := now.Add(-k.window).Truncate(failureBucket).Add(failureBucket)
		p, err := s.failures.Find(ctx, store.Query{Eq: map[string]any{"key": k.id},
			Range: &store.Range{Field: "bucket", Gte: from.UnixMilli()}, Sort: "bucket"})
		if err != nil {
			return 0, nil, err
		}
		total, oldest := int64(0), int64(0)
		for _, d := range p.Docs {
			var f failureDoc
			if err := d.Decode(&f); err != nil {
				return 0, nil, err
			}
			if i == 0 {
				first = append(first, d.ID)
			}
			if oldest == 0 {
				oldest = f.Bucket
			}
			total += f.N
		}
		if total >= k.limit {
			// Blocked until enough old buckets fall out of the window: wait
			// for the oldest one (conservative when one bucket is not enough).
			wait := time.UnixMilli(oldest).Add(k.window).Sub(now)
			if wait < time.Second {
				wait = time.Second
			}
			return wait, first, nil
		}
	}
	return 0, first, nil
}

func (s *Service) countFailure(ctx context.Context, now time.Time, keys []throttleKey) {
	b := now.Truncate(failureBucket).UnixMilli()
	for _, k := range keys {
		_, _ = s.failures.Incr(ctx, k.id+":"+strconv.FormatInt(b, 10), map[string]any{"key": k.id, "bucket": b}, map[string]int64{"n": 1})
	}
}

// device returns the id under which a presented device token of the user is
// stored, or "" when it is absent, unknown, expired or another user's.
func (s *Service) device(ctx context.Context, plain, userID string, now time.Time) string {
	if plain == "" || len(plain) > 128 || userID == "" {
		return ""
	}
	id := hashSecret(plain)
	var d Device
	if _, err := s.devices.Get(ctx, id, &d); err != nil {
		return ""
	}
	if d.UserID != userID || ms(now) >= d.ExpiresMS {
		return ""
	}
	return id
}

// rememberDevice keeps the presented device token alive or makes a new one.
func (s *Service) rememberDevice(ctx context.Context, now time.Time, userID, deviceID, presented string) (string, error) {
	if deviceID != "" {
		var d Device
		ver, err := s.devices.Get(ctx, deviceID, &d)
		if err == nil {
			d.ExpiresMS = ms(now.Add(DeviceLifetime))
			_, _ = s.devices.Replace(ctx, deviceID, ver, d)
			return presented, nil
		}
	}
	plain, hashed := secret(DevicePrefix)
	d := Device{UserID: userID, CreatedMS: ms(now), ExpiresMS: ms(now.Add(DeviceLifetime))}
	if err := s.devices.Insert(ctx, hashed, d); err != nil {
		return "", fmt.Errorf("identity: device: %w", err)
	}
	return plain, nil
}

func rateLimited(wait time.Duration) error {
	secs := int(wait.Seconds() + 0.5)
	return &kedaitong.Error{Code: kedaitong.ERateLimited,
		Message: (&RateLimitError{wait}).Error() + ", or log in from a browser you have used before",
		ZH:      fmt.Sprintf("登录失败次数过多，请 %d 秒后再试，或在您以前登录过的浏览器上登录", secs),
		Err:     &RateLimitError{wait}}
}

// clearAccountThrottle forgets the account-wide failures of a username (an
// administrator reset its password: the owner must be able to use it).
func (s *Service) clearAccountThrottle(ctx context.Context, username string) {
	k := hashedKey("acct", usernameKey(username))
	p, err := s.failures.Find(ctx, store.Query{Eq: map[string]any{"key": k}, Sort: "bucket"})
	if err != nil {
		return
	}
	for _, d := range p.Docs {
		_ = s.failures.Delete(ctx, d.ID)
	}
}
