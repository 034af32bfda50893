package rbac

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"

	"kedaitong"
	"kedaitong/internal/store"
)

// Collections the package declares.
const (
	// RulesCollection holds one document per Casbin rule.
	RulesCollection = "casbin_rules"
	// MetaCollection holds the policy version counter and the seeding marker.
	MetaCollection = "rbac_meta"
)

const (
	versionID = "policy_version" // the counter document in MetaCollection
	seededID  = "seeded"         // present once the default policy was seeded
	maxFields = 6                // v0..v5
	pageSize  = 1000             // documents per Find page when loading
	// callTimeout bounds the store calls of Casbin's context-free methods.
	callTimeout = 30 * time.Second
)

var rulesDef = store.CollectionDef{
	Name: RulesCollection,
	// The store plans a query on the first index that serves it; each
	// index orders by id after its fields, so pages of a type or of a
	// user's rules come in index order without a sort.
	Indexes: []store.Index{
		{Fields: []string{"ptype"}},
		{Fields: []string{"ptype", "v0"}},
		{Fields: []string{"ptype", "v0", "v1", "v2", "v3", "v4", "v5"}, Unique: true},
	},
}

var metaDef = store.CollectionDef{Name: MetaCollection}

// ruleDoc is a stored rule. Every field is present; fields beyond the rule's
// arity are "" (never one within it).
type ruleDoc struct {
	PType string `json:"ptype"`
	V0    string `json:"v0"`
	V1    string `json:"v1"`
	V2    string `json:"v2"`
	V3    string `json:"v3"`
	V4    string `json:"v4"`
	V5    string `json:"v5"`
}

func newRuleDoc(ptype string, rule []string) ruleDoc {
	var v [maxFields]string
	copy(v[:], rule)
	return ruleDoc{PType: ptype, V0: v[0], V1: v[1], V2: v[2], V3: v[3], V4: v[4], V5: v[5]}
}

// rule returns the fields up to the last non-empty one.
func (d ruleDoc) rule() []string {
	v := []string{d.V0, d.V1, d.V2, d.V3, d.V4, d.V5}
	n := len(v)
	for n > 0 && v[n-1] == "" {
		n--
	}
	return v[:n]
}

// ruleID is the document id of a rule: a hash of its type and fields, so the
// same rule stored twice is a duplicate id.
func ruleID(ptype string, rule []string) string {
	h := sha256.New()
	h.Write([]byte(ptype))
	for _, f := range rule {
		h.Write([]byte{0})
		h.Write([]byte(f))
	}
	return "r" + hex.EncodeToString(h.Sum(nil))[:40]
}

// Adapter stores Casbin rules in the document store. It implements Casbin's
// persist.Adapter, persist.BatchAdapter, persist.UpdatableAdapter and
// persist.ContextAdapter. Every change bumps the policy version so that other
// servers sharing the store reload (see Enforcer.Watch). A rule with an empty
// field within its arity is refused before anything changes: Casbin would
// read an empty field as a wildcard.
//
// Without transactions, a batch that fails half-way is undone as far as the
// store allows (best effort); batches are checked first so that this is rare.
type Adapter struct {
	rules store.Collection
	meta  store.Collection
}

var (
	_ persist.Adapter          = (*Adapter)(nil)
	_ persist.BatchAdapter     = (*Adapter)(nil)
	_ persist.UpdatableAdapter = (*Adapter)(nil)
	_ persist.ContextAdapter   = (*Adapter)(nil)
)

// NewAdapter declares the adapter's collections on st and returns it.
func NewAdapter(ctx context.Context, st store.Store) (*Adapter, error) {
	rules, err := st.Collection(ctx, rulesDef)
	if err != nil {
		return nil, fmt.Errorf("rbac: declare %s: %w", RulesCollection, err)
	}
	meta, err := st.Collection(ctx, metaDef)
	if err != nil {
		return nil, fmt.Errorf("rbac: declare %s: %w", MetaCollection, err)
	}
	return &Adapter{rules: rules, meta: meta}, nil
}

// Version returns the policy version: a counter that grows on every change
// made through any Adapter on the store (0 before the first change).
func (a *Adapter) Version(ctx context.Context) (int64, error) {
	var v struct {
		Version int64 `json:"version"`
	}
	if _, err := a.meta.Get(ctx, versionID, &v); err != nil {
		if kedaitong.ErrorCode(err) == kedaitong.ENotFound {
			return 0, nil
		}
		return 0, fmt.Errorf("rbac: read policy version: %w", err)
	}
	return v.Version, nil
}

// bump increments the policy version.
func (a *Adapter) bump(ctx context.Context) error {
	if _, err := a.meta.Incr(ctx, versionID, nil, map[string]int64{"version": 1}); err != nil {
		return fmt.Errorf("rbac: bump policy version: %w", err)
	}
	return nil
}

// finish bumps the version when anything changed and joins its error to err.
func (a *Adapter) finish(ctx context.Context, changed bool, err error) error {
	if !changed {
		return err
	}
	// The bump must happen even when ctx was cancelled half-way.
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), callTimeout)
	defer cancel()
	if berr := a.bump(bctx); berr != nil {
		return errors.Join(err, berr)
	}
	return err
}

// checkRule refuses a rule that Casbin would misread: an empty ptype, no
// fields, more than six, or an empty (or blank) field.
func checkRule(ptype string, rule []string) error {
	if strings.TrimSpace(ptype) == "" {
		return kedaitong.Invalid("ptype", "a rule needs a policy type").ZHf("规则需要策略类型")
	}
	if len(rule) == 0 || len(rule) > maxFields {
		return kedaitong.Invalid("rule", "a rule has 1 to %d fields, not %d", maxFields, len(rule)).ZHf("一条规则有 1 到 %d 个字段，而不是 %d 个", maxFields, len(rule))
	}
	for i, f := range rule {
		if strings.TrimSpace(f) == "" {
			return kedaitong.Invalid("rule", "field %d of %s rule %q is empty; use an explicit \"*\" for a wildcard", i, ptype, rule).ZHf("%[2]s 规则 %[3]q 的第 %[1]d 个字段为空；通配请明确写 \"*\"", i, ptype, rule)
		}
	}
	return nil
}

func checkRules(ptype string, rules [][]string) error {
	seen := make(map[string]bool, len(rules))
	for _, r := range rules {
		if err := checkRule(ptype, r); err != nil {
			return err
		}
		id := ruleID(ptype, r)
		if seen[id] {
			return kedaitong.Errorf(kedaitong.EConflict, "%s rule %q appears twice in the batch", ptype, r).ZHf("%s 规则 %q 在本批中出现了两次", ptype, r)
		}
		seen[id] = true
	}
	return nil
}

func bg() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), callTimeout)
}

// LoadPolicy loads every stored rule into m.
func (a *Adapter) LoadPolicy(m model.Model) error {
	ctx, cancel := bg()
	defer cancel()
	return a.LoadPolicyCtx(ctx, m)
}

// LoadPolicyCtx loads every stored rule into m, page by page. A stored rule
// whose type m lacks or whose length is not its arity is an error: loading
// it could widen access.
func (a *Adapter) LoadPolicyCtx(ctx context.Context, m model.Model) error {
	return a.each(ctx, store.Query{}, func(d ruleDoc) error {
		rule := d.rule()
		sec := d.PType[:1]
		ast, ok := m[sec][d.PType]
		if !ok {
			return kedaitong.Errorf(kedaitong.EInvalid, "stored rule %s %q: the model has no such policy type", d.PType, rule).ZHf("已存储的规则 %s %q：模型中没有这种策略类型", d.PType, rule)
		}
		if len(rule) != len(ast.Tokens) {
			return kedaitong.Errorf(kedaitong.EInvalid, "stored rule %s %q has %d fields, want %d", d.PType, rule, len(rule), len(ast.Tokens)).ZHf("已存储的规则 %s %q 有 %d 个字段，应为 %d 个", d.PType, rule, len(rule), len(ast.Tokens))
		}
		if err := checkRule(d.PType, rule); err != nil {
			return fmt.Errorf("stored rule: %w", err)
		}
		return persist.LoadPolicyArray(append([]string{d.PType}, rule...), m)
	})
}

// each calls fn for every rule matching q, page by page.
func (a *Adapter) each(ctx context.Context, q store.Query, fn func(ruleDoc) error) error {
	q.Limit = pageSize
	for {
		page, err := a.rules.Find(ctx, q)
		if err != nil {
			return fmt.Errorf("rbac: load rules: %w", err)
		}
		for _, doc := range page.Docs {
			var d ruleDoc
			if err := doc.Decode(&d); err != nil {
				return fmt.Errorf("rbac: decode rule %s: %w", doc.ID, err)
			}
			if d.PType == "" {
				return kedaitong.Errorf(kedaitong.EInvalid, "stored rule %s has no policy type", doc.ID).ZHf("已存储的规则 %s 没有策略类型", doc.ID)
			}
			if err := fn(d); err != nil {
				return err
			}
		}
		if page.Next == "" {
			return nil
		}
		q.After = page.Next
	}
}

// SavePolicy replaces the stored rules with those of m.
func (a *Adapter) SavePolicy(m model.Model) error {
	ctx, cancel := bg()
	defer cancel()
	return a.SavePolicyCtx(ctx, m)
}

// SavePolicyCtx replaces the stored rules with those of m: it checks them
// all, inserts those not stored and deletes stored ones not in m.
func (a *Adapter) SavePolicyCtx(ctx context.Context, m model.Model) error {
	want := map[string]ruleDoc{}
	for _, sec := range []string{"p", "g"} {
		for ptype, ast := range m[sec] {
			for _, r := range ast.Policy {
				if err := checkRule(ptype, r); err != nil {
					return err
				}
				want[ruleID(ptype, r)] = newRuleDoc(ptype, r)
			}
		}
	}
	have := map[string]bool{}
	if err := a.each(ctx, store.Query{}, func(d ruleDoc) error {
		have[ruleID(d.PType, d.rule())] = true
		return nil
	}); err != nil {
		return err
	}
	changed := false
	var err error
	for id, d := range want {
		if have[id] {
			continue
		}
		if e := a.rules.Insert(ctx, id, d); e != nil && kedaitong.ErrorCode(e) != kedaitong.EConflict {
			err = fmt.Errorf("rbac: save rule %s %q: %w", d.PType, d.rule(), e)
			break
		}
		changed = true
	}
	if err == nil {
		for id := range have {
			if _, keep := want[id]; keep {
				continue
			}
			if e := a.rules.Delete(ctx, id); e != nil && kedaitong.ErrorCode(e) != kedaitong.ENotFound {
				err = fmt.Errorf("rbac: save: delete rule %s: %w", id, e)
				break
			}
			changed = true
		}
	}
	return a.finish(ctx, changed, err)
}

// AddPolicy stores a rule. A rule already stored is EConflict.
func (a *Adapter) AddPolicy(sec, ptype string, rule []string) error {
	ctx, cancel := bg()
	defer cancel()
	return a.AddPolicyCtx(ctx, sec, ptype, rule)
}

// AddPolicyCtx stores a rule. A rule already stored is EConflict.
func (a *Adapter) AddPolicyCtx(ctx context.Context, sec, ptype string, rule []string) error {
	return a.addRules(ctx, ptype, [][]string{rule})
}

// AddPolicies stores rules, all or (as far as the store allows) none: any
// empty field or rule already stored refuses the whole batch.
func (a *Adapter) AddPolicies(sec, ptype string, rules [][]string) error {
	ctx, cancel := bg()
	defer cancel()
	return a.addRules(ctx, ptype, rules)
}

func (a *Adapter) addRules(ctx context.Context, ptype string, rules [][]string) error {
	if err := checkRules(ptype, rules); err != nil {
		return err
	}
	if len(rules) > 1 {
		for _, r := range rules {
			if ok, err := a.has(ctx, ptype, r); err != nil {
				return err
			} else if ok {
				return kedaitong.Errorf(kedaitong.EConflict, "%s rule %q already exists", ptype, r).ZHf("%s 规则 %q 已存在", ptype, r)
			}
		}
	}
	done, err := a.insertAll(ctx, ptype, rules)
	return a.finish(ctx, len(done) > 0, err)
}

// insertAll inserts the rules in order; when one fails it deletes those it
// inserted and returns the error. It returns the ids it inserted and kept.
func (a *Adapter) insertAll(ctx context.Context, ptype string, rules [][]string) ([]string, error) {
	done := make([]string, 0, len(rules))
	for _, r := range rules {
		id := ruleID(ptype, r)
		if err := a.rules.Insert(ctx, id, newRuleDoc(ptype, r)); err != nil {
			if kedaitong.ErrorCode(err) == kedaitong.EConflict {
				err = kedaitong.Wrap(kedaitong.EConflict, err, "%s rule %q already exists", ptype, r).ZHf("%s 规则 %q 已存在", ptype, r)
			} else {
				err = fmt.Errorf("rbac: add rule %s %q: %w", ptype, r, err)
			}
			left := a.undoInserts(ctx, done)
			return left, err
		}
		done = append(done, id)
	}
	return done, nil
}

// undoInserts deletes inserted rules after a failed batch and returns those
// it could not delete.
func (a *Adapter) undoInserts(ctx context.Context, ids []string) []string {
	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), callTimeout)
	defer cancel()
	var left []string
	for _, id := range ids {
		if err := a.rules.Delete(uctx, id); err != nil && kedaitong.ErrorCode(err) != kedaitong.ENotFound {
			left = append(left, id)
		}
	}
	return left
}

func (a *Adapter) has(ctx context.Context, ptype string, rule []string) (bool, error) {
	var d ruleDoc
	_, err := a.rules.Get(ctx, ruleID(ptype, rule), &d)
	switch {
	case err == nil:
		return true, nil
	case kedaitong.ErrorCode(err) == kedaitong.ENotFound:
		return false, nil
	default:
		return false, fmt.Errorf("rbac: read rule %s %q: %w", ptype, rule, err)
	}
}

// RemovePolicy deletes a rule. A rule not stored is ENotFound.
func (a *Adapter) RemovePolicy(sec, ptype string, rule []string) error {
	ctx, cancel := bg()
	defer cancel()
	return a.RemovePolicyCtx(ctx, sec, ptype, rule)
}

// RemovePolicyCtx deletes a rule. A rule not stored is ENotFound.
func (a *Adapter) RemovePolicyCtx(ctx context.Context, sec, ptype string, rule []string) error {
	if err := checkRule(ptype, rule); err != nil {
		return err
	}
	if err := a.rules.Delete(ctx, ruleID(ptype, rule)); err != nil {
		if kedaitong.ErrorCode(err) == kedaitong.ENotFound {
			return kedaitong.Wrap(kedaitong.ENotFound, err, "%s rule %q does not exist", ptype, rule).ZHf("%s 规则 %q 不存在", ptype, rule)
		}
		return fmt.Errorf("rbac: remove rule %s %q: %w", ptype, rule, err)
	}
	return a.finish(ctx, true, nil)
}

// RemovePolicies deletes rules. Any rule not stored (or with an empty
// field) refuses the whole batch before anything changes.
func (a *Adapter) RemovePolicies(sec, ptype string, rules [][]string) error {
	ctx, cancel := bg()
	defer cancel()
	if err := checkRules(ptype, rules); err != nil {
		return err
	}
	for _, r := range rules {
		if ok, err := a.has(ctx, ptype, r); err != nil {
			return err
		} else if !ok {
			return kedaitong.Errorf(kedaitong.ENotFound, "%s rule %q does not exist", ptype, r).ZHf("%s 规则 %q 不存在", ptype, r)
		}
	}
	ids := make([]string, len(rules))
	for i, r := range rules {
		ids[i] = ruleID(ptype, r)
	}
	n, err := a.deleteIDs(ctx, ids)
	return a.finish(ctx, n > 0, err)
}

// deleteIDs deletes rules by id; one already gone is no error.
func (a *Adapter) deleteIDs(ctx context.Context, ids []string) (int, error) {
	n := 0
	for _, id := range ids {
		if err := a.rules.Delete(ctx, id); err != nil {
			if kedaitong.ErrorCode(err) == kedaitong.ENotFound {
				continue
			}
			return n, fmt.Errorf("rbac: remove rule %s: %w", id, err)
		}
		n++
	}
	return n, nil
}

// RemoveFilteredPolicy deletes the rules of ptype whose fields from
// fieldIndex on equal fieldValues ("" matches any value, as in Casbin).
func (a *Adapter) RemoveFilteredPolicy(sec, ptype string, fieldIndex int, fieldValues ...string) error {
	ctx, cancel := bg()
	defer cancel()
	return a.RemoveFilteredPolicyCtx(ctx, sec, ptype, fieldIndex, fieldValues...)
}

// RemoveFilteredPolicyCtx is RemoveFilteredPolicy with a context. A filter
// with no non-empty value (which would delete every rule of ptype) is
// refused.
func (a *Adapter) RemoveFilteredPolicyCtx(ctx context.Context, sec, ptype string, fieldIndex int, fieldValues ...string) error {
	matched, err := a.filtered(ctx, ptype, fieldIndex, fieldValues)
	if err != nil {
		return err
	}
	ids := make([]string, len(matched))
	for i, r := range matched {
		ids[i] = ruleID(ptype, r)
	}
	n, err := a.deleteIDs(ctx, ids)
	return a.finish(ctx, n > 0, err)
}

// filtered returns the stored rules of ptype that match a Casbin field filter.
func (a *Adapter) filtered(ctx context.Context, ptype string, fieldIndex int, fieldValues []string) ([][]string, error) {
	if ptype == "" {
		return nil, kedaitong.Invalid("ptype", "a filter needs a policy type").ZHf("筛选条件需要策略类型")
	}
	if fieldIndex < 0 || fieldIndex+len(fieldValues) > maxFields {
		return nil, kedaitong.Invalid("filter", "fields %d to %d are out of range", fieldIndex, fieldIndex+len(fieldValues)-1).ZHf("字段 %d 到 %d 超出范围", fieldIndex, fieldIndex+len(fieldValues)-1)
	}
	some := false
	for _, v := range fieldValues {
		some = some || v != ""
	}
	if !some {
		return nil, kedaitong.Invalid("filter", "a filter needs at least one value").ZHf("筛选条件至少需要一个值")
	}
	// Select by type and, when the filter starts there, by v0; the rest
	// of the filter is checked here.
	q := store.Query{Eq: map[string]any{"ptype": ptype}}
	if fieldIndex == 0 && fieldValues[0] != "" {
		q.Eq["v0"] = fieldValues[0]
	}
	var out [][]string
	err := a.each(ctx, q, func(d ruleDoc) error {
		r := d.rule()
		full := []string{d.V0, d.V1, d.V2, d.V3, d.V4, d.V5}
		for i, v := range fieldValues {
			if v != "" && full[fieldIndex+i] != v {
				return nil
			}
		}
		out = append(out, r)
		return nil
	})
	return out, err
}

// UpdatePolicy replaces a stored rule by another. The old rule must exist
// (ENotFound) and the new one must not (EConflict); nothing changes then.
func (a *Adapter) UpdatePolicy(sec, ptype string, oldRule, newRule []string) error {
	return a.UpdatePolicies(sec, ptype, [][]string{oldRule}, [][]string{newRule})
}

// UpdatePolicies replaces stored rules by others, pairwise. Every old rule
// must exist and no new one may, else nothing changes.
func (a *Adapter) UpdatePolicies(sec, ptype string, oldRules, newRules [][]string) error {
	ctx, cancel := bg()
	defer cancel()
	if len(oldRules) != len(newRules) {
		return kedaitong.Invalid("rules", "%d old rules but %d new ones", len(oldRules), len(newRules)).ZHf("旧规则 %d 条，新规则却有 %d 条", len(oldRules), len(newRules))
	}
	if err := checkRules(ptype, oldRules); err != nil {
		return err
	}
	if err := checkRules(ptype, newRules); err != nil {
		return err
	}
	olds := map[string]bool{}
	for _, r := range oldRules {
		olds[ruleID(ptype, r)] = true
		if ok, err := a.has(ctx, ptype, r); err != nil {
			return err
		} else if !ok {
			return kedaitong.Errorf(kedaitong.ENotFound, "%s rule %q does not exist", ptype, r).ZHf("%s 规则 %q 不存在", ptype, r)
		}
	}
	// A new rule that is also an old one stays where it is.
	var add [][]string
	for _, r := range newRules {
		if olds[ruleID(ptype, r)] {
			delete(olds, ruleID(ptype, r))
			continue
		}
		if ok, err := a.has(ctx, ptype, r); err != nil {
			return err
		} else if ok {
			return kedaitong.Errorf(kedaitong.EConflict, "%s rule %q already exists", ptype, r).ZHf("%s 规则 %q 已存在", ptype, r)
		}
		add = append(add, r)
	}
	return a.replace(ctx, ptype, add, olds)
}

// replace inserts add (undoing on failure) and then deletes the rules del.
func (a *Adapter) replace(ctx context.Context, ptype string, add [][]string, del map[string]bool) error {
	done, err := a.insertAll(ctx, ptype, add)
	if err != nil {
		return a.finish(ctx, len(done) > 0, err)
	}
	ids := make([]string, 0, len(del))
	for id := range del {
		ids = append(ids, id)
	}
	n, err := a.deleteIDs(ctx, ids)
	return a.finish(ctx, len(done)+n > 0, err)
}

// UpdateFilteredPolicies replaces the rules matching the filter by
// newRules and returns the rules it replaced.
func (a *Adapter) UpdateFilteredPolicies(sec, ptype string, newRules [][]string, fieldIndex int, fieldValues ...string) ([][]string, error) {
	ctx, cancel := bg()
	defer cancel()
	if err := checkRules(ptype, newRules); err != nil {
		return nil, err
	}
	old, err := a.filtered(ctx, ptype, fieldIndex, fieldValues)
	if err != nil {
		return nil, err
	}
	del := map[string]bool{}
	for _, r := range old {
		del[ruleID(ptype, r)] = true
	}
	var add [][]string
	for _, r := range newRules {
		id := ruleID(ptype, r)
		if del[id] {
			delete(del, id)
			continue
		}
		if ok, err := a.has(ctx, ptype, r); err != nil {
			return nil, err
		} else if ok {
			return nil, kedaitong.Errorf(kedaitong.EConflict, "%s rule %q already exists", ptype, r).ZHf("%s 规则 %q 已存在", ptype, r)
		}
		add = append(add, r)
	}
	if err := a.replace(ctx, ptype, add, del); err != nil {
		return nil, err
	}
	return old, nil
}
