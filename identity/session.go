package identity

import (
	"context"
	"fmt"
	"strings"
	"time"

	"kedaitong"
	"kedaitong/internal/store"
)

// Session is a log-in session, stored under the SHA-256 of its secret id.
type Session struct {
	UserID    string `json:"user_id"`
	Epoch     int64  `json:"epoch"`      // the user's SessionEpoch at log-in
	CreatedMS int64  `json:"created_ms"` // Unix milliseconds
	SeenMS    int64  `json:"seen_ms"`
	ExpiresMS int64  `json:"expires_ms"` // absolute expiry
	CSRF      string `json:"csrf"`       // token HTML forms of this session carry
	IP        string `json:"ip"`
}

// Token is a personal API token, stored under the SHA-256 of its secret.
type Token struct {
	ID        string `json:"id"` // public id for listing and revoking
	UserID    string `json:"user_id"`
	Name      string `json:"name"`
	Epoch     int64  `json:"epoch"`
	CreatedMS int64  `json:"created_ms"`
	ExpiresMS int64  `json:"expires_ms"` // 0: no expiry
	Revoked   bool   `json:"revoked"`
	LastMS    int64  `json:"last_ms"`
}

// PublicToken is a token as the API lists it (never the secret).
type PublicToken struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at"`
	Revoked   bool       `json:"revoked"`
}

// Caller is an authenticated request's identity.
type Caller struct {
	User      User
	SessionID string // hashed session id, "" for a token
	CSRF      string // the session's form token
	TokenID   string // the API token's public id, "" for a session
}

// ErrBadCredentials is the one answer for an unknown user and a wrong password.
var errBadCredentials = kedaitong.Errorf(kedaitong.EUnauthorized, "wrong username or password").ZHf("用户名或密码错误")

// RateLimitError says how long to wait.
type RateLimitError struct{ RetryAfter time.Duration }

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("too many failed log-ins; try again in %d seconds", int(e.RetryAfter.Seconds()+0.5))
}

func ms(t time.Time) int64 { return t.UnixMilli() }

// Login checks the credentials and opens a new session (LogIn without a
// device token).
func (s *Service) Login(ctx context.Context, username, password, clientIP string) (User, string, error) {
	r, err := s.LogIn(ctx, LoginRequest{Username: username, Password: password, Source: clientIP})
	return r.User, r.Session, err
}

// LogIn checks the credentials and opens a new session. Unknown users and
// wrong passwords get the same answer after the same work. Failures are
// throttled by source, by (source, account) and — for browsers without the
// account's device token — by account (see the limits above); a throttled
// attempt is ERateLimited (wrapping a *RateLimitError) whether or not its
// password was right, and costs no password check.
func (s *Service) LogIn(ctx context.Context, in LoginRequest) (LoginResult, error) {
	now := s.now()
	key := usernameKey(in.Username)
	password := in.Password
	if runeLen(password) > MaxPasswordLen || key == "" || len(key) > 256 {
		VerifyPassword(dummyHash(), password[:min(len(password), 1024)])
		keys := keysFor(truncate(key, 256), in.Source, "")
		if wait, _, err := s.throttleWait(ctx, now, keys); err != nil {
			return LoginResult{}, err
		} else if wait > 0 {
			return LoginResult{}, rateLimited(wait)
		}
		s.fail(ctx, now, keys, truncate(key, 256), in.Source, nil)
		return LoginResult{}, errBadCredentials
	}
	u, err := s.UserByName(ctx, key)
	if err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
		return LoginResult{}, err
	}
	found := err == nil
	deviceID := ""
	if found {
		deviceID = s.device(ctx, in.Device, u.ID, now)
	}
	keys := keysFor(key, in.Source, deviceID)
	wait, clear, err := s.throttleWait(ctx, now, keys)
	if err != nil {
		return LoginResult{}, err
	}
	if wait > 0 {
		return LoginResult{}, rateLimited(wait)
	}
	if !found {
		VerifyPassword(dummyHash(), password)
		s.fail(ctx, now, keys, key, in.Source, nil)
		return LoginResult{}, errBadCredentials
	}
	if !VerifyPassword(u.PasswordHash, password) || u.Disabled {
		s.fail(ctx, now, keys, key, in.Source, &u)
		return LoginResult{}, errBadCredentials
	}
	for _, id := range clear { // the pair's (or device's) earlier typos are forgiven
		_ = s.failures.Delete(ctx, id)
	}
	device, err := s.rememberDevice(ctx, now, u.ID, deviceID, in.Device)
	if err != nil {
		return LoginResult{}, err
	}
	plain, hashed := secret("")
	csrf, _ := secret("")
	sess := Session{UserID: u.ID, Epoch: u.SessionEpoch, CreatedMS: ms(now), SeenMS: ms(now),
		ExpiresMS: ms(now.Add(SessionAbsolute)), CSRF: csrf[:32], IP: in.Source}
	if err := s.sessions.Insert(ctx, hashed, sess); err != nil {
		return LoginResult{}, fmt.Errorf("identity: session: %w", err)
	}
	s.record(ctx, Event{Actor: &u, Action: "login", ObjectKind: "session", ObjectID: hashed[:16], BankID: u.BankID,
		Detail: map[string]any{"ip": in.Source, "known_device": deviceID != ""}})
	return LoginResult{User: u, Session: plain, Device: device}, nil
}

func (s *Service) fail(ctx context.Context, now time.Time, keys []throttleKey, key, ip string, u *User) {
	s.countFailure(ctx, now, keys)
	ev := Event{Action: "login.fail", ObjectKind: "user", Outcome: "failed", Detail: map[string]any{"username": truncate(key, 64), "ip": ip}}
	if u != nil {
		ev.ObjectID, ev.BankID = u.ID, u.BankID
	}
	s.record(ctx, ev)
}

// Authenticate returns the caller of a session secret, refreshing its idle
// time. An unknown, expired or superseded session is EUnauthorized.
func (s *Service) Authenticate(ctx context.Context, sessionSecret string) (Caller, error) {
	none := kedaitong.Errorf(kedaitong.EUnauthorized, "log in first: the session is missing or has expired").ZHf("请先登录：会话不存在或已过期")
	if sessionSecret == "" || len(sessionSecret) > 128 {
		return Caller{}, none
	}
	id := hashSecret(sessionSecret)
	if cl, ok := s.sessionCache.get(id, s.now()); ok {
		return cl, nil
	}
	gen := s.sessionCache.generation()
	var sess Session
	ver, err := s.sessions.Get(ctx, id, &sess)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		return Caller{}, none
	}
	if err != nil {
		return Caller{}, err
	}
	now := s.now()
	if ms(now) >= sess.ExpiresMS || ms(now)-sess.SeenMS >= SessionIdle.Milliseconds() {
		_ = s.sessions.Delete(ctx, id)
		return Caller{}, none
	}
	u, _, err := s.User(ctx, sess.UserID)
	if err != nil || u.Disabled || u.SessionEpoch != sess.Epoch {
		if err == nil || kedaitong.Is(err, kedaitong.ENotFound) {
			_ = s.sessions.Delete(ctx, id)
			return Caller{}, none
		}
		return Caller{}, err
	}
	if ms(now)-sess.SeenMS >= touchEvery.Milliseconds() {
		sess.SeenMS = ms(now)
		_, _ = s.sessions.Replace(ctx, id, ver, sess) // a concurrent touch winning is as good
	}
	s.sessionCache.put(id, sess, u, gen)
	return Caller{User: u, SessionID: id, CSRF: sess.CSRF}, nil
}

// Logout ends the session on every server (it is deleted from the store).
func (s *Service) Logout(ctx context.Context, c Caller) error {
	if c.SessionID == "" {
		return nil
	}
	s.sessionCache.drop(c.SessionID)
	if err := s.sessions.Delete(ctx, c.SessionID); err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
		return err
	}
	s.record(ctx, Event{Actor: &c.User, Action: "logout", ObjectKind: "session", ObjectID: c.SessionID[:16], BankID: c.User.BankID})
	return nil
}

// TokenPrefix starts every API token, so leaked ones are easy to find.
const TokenPrefix = "kdt_"

// CreateToken makes a personal API token for the actor; the secret is
// returned once and stored only as a hash.
func (s *Service) CreateToken(ctx context.Context, actor User, name string, expires *time.Time) (string, PublicToken, error) {
	name = trimmed(name)
	if name == "" || runeLen(name) > 100 {
		return "", PublicToken{}, kedaitong.Invalid("name", "give the token a name of 1 to 100 characters").ZHf("请为令牌取一个 1 到 100 个字符的名称")
	}
	now := s.now()
	t := Token{ID: newID("tok_"), UserID: actor.ID, Name: name, Epoch: actor.SessionEpoch, CreatedMS: ms(now)}
	if expires != nil {
		if !expires.After(now) {
			return "", PublicToken{}, kedaitong.Invalid("expires_at", "must be in the future").ZHf("过期时间必须在将来")
		}
		if expires.Sub(now) > 2*366*24*time.Hour {
			return "", PublicToken{}, kedaitong.Invalid("expires_at", "must be within two years").ZHf("过期时间不能超过两年")
		}
		t.ExpiresMS = ms(*expires)
	}
	n, err := s.tokens.Count(ctx, store.Query{Eq: map[string]any{"user_id": actor.ID}})
	if err != nil {
		return "", PublicToken{}, err
	}
	if n >= 50 {
		return "", PublicToken{}, kedaitong.Errorf(kedaitong.EConflict, "an account may hold at most 50 tokens; revoke some first").ZHf("每个账户最多持有 50 个令牌，请先吊销一些")
	}
	plain, hashed := secret(TokenPrefix)
	if err := s.tokens.Insert(ctx, hashed, t); err != nil {
		return "", PublicToken{}, err
	}
	s.record(ctx, Event{Actor: &actor, Action: "token.create", ObjectKind: "token", ObjectID: t.ID, BankID: actor.BankID})
	return plain, t.public(), nil
}

func (t Token) public() PublicToken {
	p := PublicToken{ID: t.ID, Name: t.Name, CreatedAt: time.UnixMilli(t.CreatedMS).UTC(), Revoked: t.Revoked}
	if t.ExpiresMS > 0 {
		e := time.UnixMilli(t.ExpiresMS).UTC()
		p.ExpiresAt = &e
	}
	return p
}

// Tokens lists the actor's tokens, newest first.
func (s *Service) Tokens(ctx context.Context, actor User) ([]PublicToken, error) {
	p, err := s.tokens.Find(ctx, store.Query{Eq: map[string]any{"user_id": actor.ID}, Sort: "created_ms", Desc: true})
	if err != nil {
		return nil, err
	}
	ts, err := store.DecodeAll[Token](p.Docs)
	if err != nil {
		return nil, err
	}
	out := make([]PublicToken, len(ts))
	for i, t := range ts {
		out[i] = t.public()
	}
	return out, nil
}

// RevokeToken revokes one of the actor's tokens by its public id.
func (s *Service) RevokeToken(ctx context.Context, actor User, id string) error {
	p, err := s.tokens.Find(ctx, store.Query{Eq: map[string]any{"user_id": actor.ID}, Sort: "created_ms"})
	if err != nil {
		return err
	}
	for _, d := range p.Docs {
		var t Token
		if err := d.Decode(&t); err != nil {
			return err
		}
		if t.ID != id {
			continue
		}
		if t.Revoked {
			return nil
		}
		t.Revoked = true
		if _, err := s.tokens.Replace(ctx, d.ID, d.Version, t); err != nil {
			return err
		}
		s.record(ctx, Event{Actor: &actor, Action: "token.revoke", ObjectKind: "token", ObjectID: t.ID, BankID: actor.BankID})
		return nil
	}
	return kedaitong.Errorf(kedaitong.ENotFound, "no such token").ZHf("没有这个令牌")
}

// AuthenticateToken returns the caller of a bearer token.
func (s *Service) AuthenticateToken(ctx context.Context, bearer string) (Caller, error) {
	bad := kedaitong.Errorf(kedaitong.EUnauthorized, "the API token is unknown, expired or revoked").ZHf("API 令牌不存在、已过期或已被吊销")
	if !strings.HasPrefix(bearer, TokenPrefix) || len(bearer) > 128 {
		return Caller{}, bad
	}
	id := hashSecret(bearer)
	var t Token
	if _, err := s.tokens.Get(ctx, id, &t); err != nil {
		if kedaitong.Is(err, kedaitong.ENotFound) {
			return Caller{}, bad
		}
		return Caller{}, err
	}
	now := s.now()
	if t.Revoked || (t.ExpiresMS > 0 && ms(now) >= t.ExpiresMS) {
		return Caller{}, bad
	}
	u, _, err := s.User(ctx, t.UserID)
	if err != nil || u.Disabled || u.SessionEpoch != t.Epoch {
		if err == nil || kedaitong.Is(err, kedaitong.ENotFound) {
			return Caller{}, bad
		}
		return Caller{}, err
	}
	return Caller{User: u, TokenID: t.ID}, nil
}

// Sweep deletes expired sessions and old failure counters; the server runs
// it now and then.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	now := s.now()
	n := 0
	for _, x := range []struct {
		c      store.Collection
		field  string
		before int64
	}{
		{s.sessions, "expires_ms", ms(now)},
		{s.failures, "bucket", ms(now.Add(-AccountWindow - failureBucket))},
		{s.devices, "expires_ms", ms(now)},
	} {
		p, err := x.c.Find(ctx, store.Query{Range: &store.Range{Field: x.field, Lt: x.before}, Sort: x.field, Limit: 1000})
		if err != nil {
			return n, err
		}
		for _, d := range p.Docs {
			if err := x.c.Delete(ctx, d.ID); err == nil {
				n++
			}
		}
	}
	return n, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
