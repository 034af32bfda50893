// Package rbac answers "may this role do this action on this kind of object"
// with Casbin (RBAC with domains) over the platform's document store.
//
// A user holds one role in one domain: "bank:<bank_id>" for bank staff, "*"
// for everyone else (platform-wide: it holds in every domain). Policies are
// per role, usually in domain "*". The rules live in the store (collection
// casbin_rules, see Adapter); every change bumps a version counter there, and
// an Enforcer reloads the whole policy when it sees a new version — at once
// after its own changes, and within the Watch interval after another
// server's. There is no decision cache to go stale.
//
// Whether this expert may see this application is the services' business;
// rbac only knows roles, object kinds and actions.
package rbac

import (
	"context"
	_ "embed"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"

	"kedaitong"
	"kedaitong/internal/store"
)

// Roles of the public contract.
const (
	RoleAdmin       = "admin"
	RoleBankOfficer = "bank_officer"
	RoleBankManager = "bank_manager"
	RoleExpert      = "expert"
	RoleOfficial    = "official"
	RoleAnalyst     = "analyst"
	RoleInvestor    = "investor" // an investment institution
)

// PlatformDomain is the domain of users outside banks; in a policy it means
// every domain.
const PlatformDomain = "*"

// Roles returns every role.
func Roles() []string {
	return []string{RoleAdmin, RoleBankOfficer, RoleBankManager, RoleExpert, RoleOfficial, RoleAnalyst, RoleInvestor}
}

// ValidRole reports whether role is one of Roles.
func ValidRole(role string) bool { return slices.Contains(Roles(), role) }

// IsBankRole reports whether the role belongs to a bank (domain "bank:<id>").
func IsBankRole(role string) bool { return role == RoleBankOfficer || role == RoleBankManager }

// BankDomain returns the domain of a bank's staff.
func BankDomain(bankID string) string { return "bank:" + bankID }

//go:embed model.conf
var modelConf string

// NewModel returns the Casbin model (RBAC with domains, "*" wildcards in
// policy dom, obj and act).
func NewModel() (model.Model, error) {
	m, err := model.NewModelFromString(modelConf)
	if err != nil {
		return nil, fmt.Errorf("rbac: model: %w", err)
	}
	return m, nil
}

// Enforcer decides access with a Casbin SyncedEnforcer whose policy lives in
// the store. Decisions are answered from a lookup table built from the
// policy Casbin loaded and swapped in with every reload (Casbin's Enforce
// evaluates the matcher against every policy: tens of µs per call); there is
// no cache of decisions to go stale. It is safe for concurrent use.
type Enforcer struct {
	ce *casbin.SyncedEnforcer
	ad *Adapter

	reloadMu sync.Mutex            // one reload at a time
	loaded   atomic.Int64          // the policy version last loaded
	tab      atomic.Pointer[table] // decisions for the loaded policy
}

// New loads the model and the stored policy, seeding the default policy
// first when the store has never been seeded.
func New(ctx context.Context, st store.Store) (*Enforcer, error) {
	ad, err := NewAdapter(ctx, st)
	if err != nil {
		return nil, err
	}
	if err := seed(ctx, ad); err != nil {
		return nil, err
	}
	m, err := NewModel()
	if err != nil {
		return nil, err
	}
	ce, err := casbin.NewSyncedEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("rbac: enforcer: %w", err)
	}
	ce.SetAdapter(ad)
	ce.EnableAutoSave(false) // changes go through the adapter, then a reload
	e := &Enforcer{ce: ce, ad: ad}
	e.loaded.Store(-1)
	if err := e.Reload(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

// Allowed reports whether the user may do act on obj in domain (the user's
// domain: "bank:<id>" or "*"). A user holding a role in "*" holds it in
// every domain; a bank's staff hold theirs in their bank's domain only.
func (e *Enforcer) Allowed(user, domain, obj, act string) (bool, error) {
	if err := checkUser(user); err != nil {
		return false, err
	}
	if domain == "" || obj == "" || act == "" {
		return false, kedaitong.Errorf(kedaitong.EInvalid, "domain, object and action must not be empty").ZHf("域、对象和操作都不能为空")
	}
	return e.tab.Load().allowed(user, domain, obj, act), nil
}

// RoleAllowed reports whether the role may do act on obj in general, by the
// policies that apply in every domain (dom "*"). It is what the web layer
// asks per route; an error denies.
func (e *Enforcer) RoleAllowed(role, obj, act string) bool {
	if role == "" || obj == "" || act == "" {
		return false
	}
	return e.tab.Load().allowed(role, PlatformDomain, obj, act)
}

// SetUserRole makes role, in domain, the user's only role. Bank roles need
// a bank domain "bank:<id>", the others "*". An unknown role is EInvalid.
func (e *Enforcer) SetUserRole(ctx context.Context, user, role, domain string) error {
	if err := checkUser(user); err != nil {
		return err
	}
	if !ValidRole(role) {
		return kedaitong.Invalid("role", "unknown role %q; roles are %s", role, strings.Join(Roles(), ", ")).ZHf("未知角色 %q；可选角色：%s", role, strings.Join(Roles(), ", "))
	}
	if IsBankRole(role) {
		if id, ok := strings.CutPrefix(domain, "bank:"); !ok || strings.TrimSpace(id) == "" {
			return kedaitong.Invalid("domain", "a %s belongs to a bank: want bank:<bank_id>, not %q", role, domain).ZHf("%s 属于银行：域应为 bank:<bank_id>，而不是 %q", role, domain)
		}
	} else if domain != PlatformDomain {
		return kedaitong.Invalid("domain", "a %s is platform-wide: want %q, not %q", role, PlatformDomain, domain).ZHf("%s 是全平台角色：域应为 %q，而不是 %q", role, PlatformDomain, domain)
	}
	want := []string{user, role, domain}
	have, err := e.ad.filtered(ctx, "g", 0, []string{user})
	if err != nil {
		return err
	}
	del := map[string]bool{}
	keep := false
	for _, r := range have {
		if slices.Equal(r, want) {
			keep = true
			continue
		}
		del[ruleID("g", r)] = true
	}
	var add [][]string
	if !keep {
		add = [][]string{want}
	}
	if len(add) == 0 && len(del) == 0 {
		return nil
	}
	// Remove the old roles first: for a moment the user has none rather
	// than two.
	ids := make([]string, 0, len(del))
	for id := range del {
		ids = append(ids, id)
	}
	n, err := e.ad.deleteIDs(ctx, ids)
	if err = e.ad.finish(ctx, n > 0, err); err != nil {
		return e.after(ctx, err)
	}
	if len(add) > 0 {
		if err := e.ad.addRules(ctx, "g", add); err != nil && kedaitong.ErrorCode(err) != kedaitong.EConflict {
			return e.after(ctx, err)
		}
	}
	return e.after(ctx, nil)
}

// RemoveUser removes every role of the user; the user loses access on this
// server at once and on the others within the Watch interval. Removing a
// user without roles is no error.
func (e *Enforcer) RemoveUser(ctx context.Context, user string) error {
	if err := checkUser(user); err != nil {
		return err
	}
	if err := e.ad.RemoveFilteredPolicyCtx(ctx, "g", "g", 0, user); err != nil {
		return e.after(ctx, err)
	}
	return e.after(ctx, nil)
}

// UserRoles returns the user's roles as (role, domain) pairs, as loaded.
func (e *Enforcer) UserRoles(user string) ([][2]string, error) {
	rules, err := e.ce.GetFilteredGroupingPolicy(0, user)
	if err != nil {
		return nil, fmt.Errorf("rbac: roles of %q: %w", user, err)
	}
	out := make([][2]string, 0, len(rules))
	for _, r := range rules {
		if len(r) == 3 {
			out = append(out, [2]string{r[1], r[2]})
		}
	}
	return out, nil
}

// AddPolicy lets role do act on obj in domain ("*" for every domain; obj
// and act may be "*" for any). A policy already there is EConflict.
func (e *Enforcer) AddPolicy(ctx context.Context, role, domain, obj, act string) error {
	rule, err := policyRule(role, domain, obj, act)
	if err != nil {
		return err
	}
	return e.after(ctx, e.ad.AddPolicyCtx(ctx, "p", "p", rule))
}

// RemovePolicy removes a policy added by AddPolicy (or seeded). A policy
// that is not there is ENotFound.
func (e *Enforcer) RemovePolicy(ctx context.Context, role, domain, obj, act string) error {
	rule, err := policyRule(role, domain, obj, act)
	if err != nil {
		return err
	}
	return e.after(ctx, e.ad.RemovePolicyCtx(ctx, "p", "p", rule))
}

// Policy returns the loaded policies as (role, domain, obj, act) rows.
func (e *Enforcer) Policy() ([][]string, error) {
	p, err := e.ce.GetPolicy()
	if err != nil {
		return nil, fmt.Errorf("rbac: policy: %w", err)
	}
	return p, nil
}

// Version returns the policy version this enforcer last loaded.
func (e *Enforcer) Version() int64 { return e.loaded.Load() }

// Reload reloads the policy from the store when its version changed since
// the last load.
func (e *Enforcer) Reload(ctx context.Context) error {
	e.reloadMu.Lock()
	defer e.reloadMu.Unlock()
	// Read the version before the rules: a change after this read bumps
	// the version again, so the next poll reloads.
	v, err := e.ad.Version(ctx)
	if err != nil {
		return err
	}
	if v == e.loaded.Load() {
		return nil
	}
	if err := e.ce.LoadPolicy(); err != nil {
		return fmt.Errorf("rbac: load policy: %w", err)
	}
	p, err := e.ce.GetPolicy()
	if err != nil {
		return fmt.Errorf("rbac: load policy: %w", err)
	}
	g, err := e.ce.GetGroupingPolicy()
	if err != nil {
		return fmt.Errorf("rbac: load policy: %w", err)
	}
	e.tab.Store(newTable(p, g))
	e.loaded.Store(v)
	return nil
}

// Watch polls the store's policy version every interval (1 s when every is
// not positive) and reloads the policy when it changed, until ctx is done.
// Run it in its own goroutine. A failed poll is logged and retried.
func (e *Enforcer) Watch(ctx context.Context, every time.Duration) {
	if every <= 0 {
		every = time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := e.Reload(ctx); err != nil && ctx.Err() == nil {
				slog.WarnContext(ctx, "rbac: policy reload failed; keeping the loaded policy", "err", err)
			}
		}
	}
}

// after reloads once a local change is stored, so that it takes effect at
// once; the change's error, if any, comes first.
func (e *Enforcer) after(ctx context.Context, err error) error {
	// The change is stored: reload even when the caller has given up.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), callTimeout)
	defer cancel()
	if rerr := e.Reload(rctx); rerr != nil {
		if err != nil {
			return fmt.Errorf("%w (and reload failed: %v)", err, rerr)
		}
		return rerr
	}
	return err
}

// checkUser refuses a user id that Casbin would confuse with a role or a
// wildcard.
func checkUser(user string) error {
	switch {
	case strings.TrimSpace(user) == "":
		return kedaitong.Invalid("user", "must not be empty").ZHf("用户不能为空")
	case user == "*" || ValidRole(user):
		return kedaitong.Invalid("user", "%q is reserved", user).ZHf("%q 是保留名称", user)
	}
	return nil
}

func policyRule(role, domain, obj, act string) ([]string, error) {
	if !ValidRole(role) {
		return nil, kedaitong.Invalid("role", "unknown role %q; roles are %s", role, strings.Join(Roles(), ", ")).ZHf("未知角色 %q；可选角色：%s", role, strings.Join(Roles(), ", "))
	}
	if domain != PlatformDomain {
		if id, ok := strings.CutPrefix(domain, "bank:"); !ok || strings.TrimSpace(id) == "" {
			return nil, kedaitong.Invalid("domain", "want %q or bank:<bank_id>, not %q", PlatformDomain, domain).ZHf("域应为 %q 或 bank:<bank_id>，而不是 %q", PlatformDomain, domain)
		}
	}
	rule := []string{role, domain, obj, act}
	if err := checkRule("p", rule); err != nil {
		return nil, err
	}
	return rule, nil
}
