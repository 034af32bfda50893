package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"kedaitong"
	"kedaitong/internal/store"
)

// Collections of the package.
var (
	UsersDef = store.CollectionDef{Name: "users", Indexes: []store.Index{
		{Fields: []string{"username_key"}, Unique: true},
		{Fields: []string{"scope", "username_key"}},
		{Fields: []string{"expert_id"}},
	}}
	SessionsDef = store.CollectionDef{Name: "sessions", Indexes: []store.Index{
		{Fields: []string{"user_id"}},
		{Fields: []string{"expires_ms"}},
	}}
	TokensDef = store.CollectionDef{Name: "api_tokens", Indexes: []store.Index{
		{Fields: []string{"user_id", "created_ms"}},
	}}
	FailuresDef = store.CollectionDef{Name: "login_failures", Indexes: []store.Index{
		{Fields: []string{"bucket"}},
		{Fields: []string{"key", "bucket"}},
	}}
)

// Session and throttling limits.
const (
	SessionIdle     = 30 * time.Minute
	SessionAbsolute = 12 * time.Hour
	touchEvery      = time.Minute // how stale last_seen may get before a request refreshes it
)

// Recorder receives the audit events of the package. The server wires it to
// the audit log; a nil Recorder records nothing.
type Recorder interface {
	Record(ctx context.Context, ev Event)
}

// Event is one auditable happening.
type Event struct {
	Actor      *User
	Action     string // e.g. "user.create", "login.fail"
	ObjectKind string
	ObjectID   string
	BankID     string
	Region     string
	Outcome    string // "ok", "denied", "failed"
	Detail     map[string]any
}

// RoleBinder keeps the access-control model's user→role bindings in step
// with the accounts (package rbac's enforcer).
type RoleBinder interface {
	SetUserRole(ctx context.Context, user, role, domain string) error
	RemoveUser(ctx context.Context, user string) error
}

// Service manages accounts, sessions and tokens.
type Service struct {
	users, sessions, tokens, failures, devices store.Collection
	rec                                        Recorder
	roles                                      RoleBinder
	now                                        func() time.Time
	sessionCache                               sessionCache // recently authenticated sessions (sessioncache.go)
}

// BindRoles makes the service keep rb's user→role bindings: set when an
// account is created or enabled, removed when it is disabled.
func (s *Service) BindRoles(rb RoleBinder) { s.roles = rb }

// Open declares the package's collections and returns the service.
func Open(ctx context.Context, st store.Store, rec Recorder) (*Service, error) {
	s := &Service{rec: rec, now: func() time.Time { return time.Now().UTC() }}
	var err error
	for _, x := range []struct {
		c   *store.Collection
		def store.CollectionDef
	}{{&s.users, UsersDef}, {&s.sessions, SessionsDef}, {&s.tokens, TokensDef}, {&s.failures, FailuresDef}, {&s.devices, DevicesDef}} {
		if *x.c, err = st.Collection(ctx, x.def); err != nil {
			return nil, fmt.Errorf("identity: %w", err)
		}
	}
	return s, nil
}

// SetClock replaces the clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

func (s *Service) record(ctx context.Context, ev Event) {
	if s.rec != nil {
		if ev.Outcome == "" {
			ev.Outcome = "ok"
		}
		s.rec.Record(ctx, ev)
	}
}

func newID(prefix string) string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// secret returns a random 256-bit secret and the hex SHA-256 it is stored under.
func secret(prefix string) (plain, hashed string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	plain = prefix + hex.EncodeToString(b)
	return plain, hashSecret(plain)
}

func hashSecret(plain string) string {
	h := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(h[:])
}

// CanManage reports whether actor may create, see or change target (or a
// user with target's role and bank): admins manage everyone, a bank manager
// manages its own bank's officers, nobody else manages anyone.
func CanManage(actor User, role, bankID string) bool {
	switch actor.Role {
	case RoleAdmin:
		return true
	case RoleBankManager:
		return role == RoleBankOfficer && bankID == actor.BankID
	}
	return false
}

// CreateUser creates an account on behalf of actor (nil for the system:
// bootstrap and the command line).
func (s *Service) CreateUser(ctx context.Context, actor *User, in NewUser) (User, error) {
	if err := in.Validate(); err != nil {
		return User{}, err
	}
	if actor != nil && !CanManage(*actor, in.Role, in.BankID) {
		if actor.Role == RoleBankManager {
			return User{}, kedaitong.Errorf(kedaitong.EForbidden, "a bank manager creates only bank officers of its own bank").ZHf("银行管理人员只能为本行创建信贷员账户")
		}
		return User{}, kedaitong.Errorf(kedaitong.EForbidden, "you may not create users").ZHf("您无权创建用户")
	}
	if err := CheckPassword(in.Password, in.Username); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return User{}, err
	}
	now := s.now()
	u := User{ID: newID("u_"), Username: in.Username, UsernameKey: usernameKey(in.Username), Role: in.Role,
		BankID: in.BankID, Region: in.Region, ExpertID: in.ExpertID, Org: in.Org, PasswordHash: hash,
		CreatedAt: now, UpdatedAt: now, Scope: "*"}
	if u.BankID != "" {
		u.Scope = u.BankID
	}
	if actor != nil {
		u.CreatedBy = actor.ID
	}
	if err := s.users.Insert(ctx, u.ID, u); err != nil {
		if kedaitong.Is(err, kedaitong.EConflict) {
			return User{}, &kedaitong.Error{Code: kedaitong.EConflict, Field: "username", Message: "this username is taken", ZH: "该用户名已被占用"}
		}
		return User{}, fmt.Errorf("identity: create user: %w", err)
	}
	if s.roles != nil {
		if err := s.roles.SetUserRole(ctx, u.ID, u.Role, u.Domain()); err != nil {
			_ = s.users.Delete(ctx, u.ID) // no account without its role binding
			return User{}, fmt.Errorf("identity: bind role: %w", err)
		}
	}
	s.record(ctx, Event{Actor: actor, Action: "user.create", ObjectKind: "user", ObjectID: u.ID, BankID: u.BankID, Region: u.Region,
		Detail: map[string]any{"username": u.Username, "role": u.Role}})
	return u, nil
}

// User returns the user with the id.
func (s *Service) User(ctx context.Context, id string) (User, int64, error) {
	var u User
	v, err := s.users.Get(ctx, id, &u)
	if err != nil {
		if kedaitong.Is(err, kedaitong.ENotFound) {
			return User{}, 0, kedaitong.Errorf(kedaitong.ENotFound, "no such user").ZHf("没有这个用户")
		}
		return User{}, 0, err
	}
	return u, v, nil
}

// UserByName returns the user with the username (case-insensitive).
func (s *Service) UserByName(ctx context.Context, username string) (User, error) {
	p, err := s.users.Find(ctx, store.Query{Eq: map[string]any{"username_key": usernameKey(username)}, Limit: 1})
	if err != nil {
		return User{}, err
	}
	if len(p.Docs) == 0 {
		return User{}, kedaitong.Errorf(kedaitong.ENotFound, "no such user").ZHf("没有这个用户")
	}
	var u User
	return u, p.Docs[0].Decode(&u)
}

// ListFilter narrows a user list.
type ListFilter struct {
	BankID string
	Limit  int
	Cursor string
}

// ListUsers lists the users actor may manage: all for an admin, the own
// bank's users for a bank manager.
func (s *Service) ListUsers(ctx context.Context, actor User, f ListFilter) ([]User, string, error) {
	q := store.Query{Sort: "username_key", Limit: f.Limit, After: f.Cursor}
	switch actor.Role {
	case RoleAdmin:
		if f.BankID != "" {
			q.Eq = map[string]any{"scope": f.BankID}
		}
	case RoleBankManager:
		if f.BankID != "" && f.BankID != actor.BankID {
			return []User{}, "", nil // a filter narrows, never widens
		}
		q.Eq = map[string]any{"scope": actor.BankID}
	default:
		return nil, "", kedaitong.Errorf(kedaitong.EForbidden, "you may not list users").ZHf("您无权查看用户列表")
	}
	p, err := s.users.Find(ctx, q)
	if err != nil {
		return nil, "", err
	}
	us, err := store.DecodeAll[User](p.Docs)
	return us, p.Next, err
}

// Patch changes an account: disable or enable it, or reset its password.
type Patch struct {
	Disabled *bool   `json:"disabled"`
	Password *string `json:"password"`
}

// UpdateUser applies a patch on behalf of actor.
func (s *Service) UpdateUser(ctx context.Context, actor User, id string, p Patch) (User, error) {
	if p.Disabled == nil && p.Password == nil {
		return User{}, kedaitong.Errorf(kedaitong.EInvalid, "nothing to change: send disabled or password").ZHf("没有需要修改的内容：请提供 disabled 或 password")
	}
	u, ver, err := s.User(ctx, id)
	if err != nil {
		return User{}, err
	}
	if !CanManage(actor, u.Role, u.BankID) {
		return User{}, kedaitong.Errorf(kedaitong.ENotFound, "no such user").ZHf("没有这个用户")
	}
	if p.Disabled != nil && *p.Disabled && u.ID == actor.ID {
		return User{}, kedaitong.Invalid("disabled", "you cannot disable your own account").ZHf("不能停用自己的账户")
	}
	detail := map[string]any{}
	if p.Password != nil {
		if err := CheckPassword(*p.Password, u.Username); err != nil {
			return User{}, err
		}
		if u.PasswordHash, err = HashPassword(*p.Password); err != nil {
			return User{}, err
		}
		u.SessionEpoch++
		detail["password_reset"] = true
		s.clearAccountThrottle(ctx, u.Username)
	}
	if p.Disabled != nil && *p.Disabled != u.Disabled {
		u.Disabled = *p.Disabled
		if u.Disabled {
			u.SessionEpoch++
		}
		detail["disabled"] = u.Disabled
	}
	u.UpdatedAt = s.now()
	s.sessionCache.dropUser(u.ID)
	if _, err := s.users.Replace(ctx, u.ID, ver, u); err != nil {
		return User{}, err
	}
	s.sessionCache.dropUser(u.ID)
	if s.roles != nil && p.Disabled != nil {
		var err error
		if u.Disabled {
			err = s.roles.RemoveUser(ctx, u.ID)
		} else {
			err = s.roles.SetUserRole(ctx, u.ID, u.Role, u.Domain())
		}
		if err != nil {
			return User{}, fmt.Errorf("identity: role binding: %w", err)
		}
	}
	s.record(ctx, Event{Actor: &actor, Action: "user.update", ObjectKind: "user", ObjectID: u.ID, BankID: u.BankID, Region: u.Region, Detail: detail})
	return u, nil
}

// ChangePassword changes the actor's own password; it needs the current one.
// Every other session and token of the account stops working.
func (s *Service) ChangePassword(ctx context.Context, actor User, current, next string) error {
	u, ver, err := s.User(ctx, actor.ID)
	if err != nil {
		return err
	}
	if !VerifyPassword(u.PasswordHash, current) {
		return kedaitong.Invalid("current_password", "the current password is wrong").ZHf("当前密码不正确")
	}
	if current == next {
		return kedaitong.Invalid("new_password", "the new password must differ from the current one").ZHf("新密码不能与当前密码相同")
	}
	if err := CheckPassword(next, u.Username); err != nil {
		return err
	}
	if u.PasswordHash, err = HashPassword(next); err != nil {
		return err
	}
	u.SessionEpoch++
	u.UpdatedAt = s.now()
	s.sessionCache.dropUser(u.ID)
	if _, err := s.users.Replace(ctx, u.ID, ver, u); err != nil {
		return err
	}
	s.sessionCache.dropUser(u.ID)
	s.record(ctx, Event{Actor: &u, Action: "user.password", ObjectKind: "user", ObjectID: u.ID, BankID: u.BankID})
	return nil
}

// EnsureAdmin creates the user "admin" with a random password when no
// account of that name exists, and returns the password ("" when it existed).
func (s *Service) EnsureAdmin(ctx context.Context) (string, error) {
	if _, err := s.UserByName(ctx, "admin"); err == nil {
		return "", nil
	} else if !kedaitong.Is(err, kedaitong.ENotFound) {
		return "", err
	}
	pw := RandomPassword()
	if _, err := s.CreateUser(ctx, nil, NewUser{Username: "admin", Password: pw, Role: RoleAdmin}); err != nil {
		if kedaitong.Is(err, kedaitong.EConflict) {
			return "", nil
		}
		return "", err
	}
	return pw, nil
}

func trimmed(s string) string { return strings.TrimSpace(s) }
