package audit

import (
	"context"
	"fmt"
	"time"

	"kedaitong"
	"kedaitong/internal/store"
)

// Page sizes of List.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Filter selects entries for List. At most one of UserID, Action,
// ObjectKind and Outcome may be set; Region, From and To combine with any of
// them. Every combination is served by an index of CollectionDef.
type Filter struct {
	UserID     string // the acting user's id
	Action     string
	ObjectKind string
	Outcome    string // OK, Denied or Failed

	// Region is the caller's scope: "36" sees the entries of every region
	// starting with 36, "3607" those of Ganzhou and its counties, "360702"
	// those of that county alone. Entries without a region are only seen
	// without a scope. The six-digit forms "360000" and "360700" are
	// accepted too.
	Region string

	From time.Time // entries at or after From; zero for no bound
	To   time.Time // entries before To; zero for no bound

	Limit  int    // entries per page: 0 means DefaultLimit, more than MaxLimit means MaxLimit
	Cursor string // the next cursor of the previous page, "" for the first
}

// query turns f into a store query sorted by time, newest first.
func (f Filter) query() (store.Query, error) {
	q := store.Query{Eq: map[string]any{}, Sort: "time", Desc: true, After: f.Cursor}
	set := ""
	for _, a := range []struct{ field, v string }{
		{"user_id", f.UserID}, {"action", f.Action}, {"object_kind", f.ObjectKind}, {"outcome", f.Outcome},
	} {
		if a.v == "" {
			continue
		}
		if set != "" {
			return store.Query{}, kedaitong.Invalid(a.field, "filter by at most one of user, action, object kind and outcome (%s is set too)", set).ZHf("用户、操作、对象类型和结果只能按其中一项筛选（%s 也已设置）", set)
		}
		set = a.field
		q.Eq[a.field] = a.v
	}
	switch f.Outcome {
	case "", OK, Denied, Failed:
	default:
		return store.Query{}, kedaitong.Invalid("outcome", "must be %q, %q or %q, not %q", OK, Denied, Failed, f.Outcome).ZHf("结果只能是 %q、%q 或 %q，不能是 %q", OK, Denied, Failed, f.Outcome)
	}
	region, err := NormalizeRegion(f.Region)
	if err != nil {
		return store.Query{}, err
	}
	switch len(region) {
	case 2:
		q.Eq["region_p"] = region
	case 4:
		q.Eq["region_c"] = region
	case 6:
		q.Eq["region_k"] = region
	}
	if !f.From.IsZero() || !f.To.IsZero() {
		r := &store.Range{Field: "time"}
		if !f.From.IsZero() {
			r.Gte = f.From.UTC().Truncate(time.Microsecond).Format(timeLayout)
		}
		if !f.To.IsZero() {
			r.Lt = f.To.UTC().Truncate(time.Microsecond).Format(timeLayout)
		}
		if r.Gte != nil && r.Lt != nil && r.Gte.(string) >= r.Lt.(string) {
			return store.Query{}, kedaitong.Invalid("to", "must be after from").ZHf("结束时间必须晚于开始时间")
		}
		q.Range = r
	}
	switch {
	case f.Limit < 0:
		return store.Query{}, kedaitong.Invalid("limit", "must not be negative").ZHf("条数（limit）不能为负数")
	case f.Limit == 0:
		q.Limit = DefaultLimit
	case f.Limit > MaxLimit:
		q.Limit = MaxLimit
	default:
		q.Limit = f.Limit
	}
	return q, nil
}

// List returns a page of the entries f selects, newest first (by time, then
// by sequence number), and the cursor of the next page ("" on the last).
func (l *Log) List(ctx context.Context, f Filter) ([]Entry, string, error) {
	q, err := f.query()
	if err != nil {
		return nil, "", err
	}
	page, err := l.coll.Find(ctx, q)
	if err != nil {
		return nil, "", fmt.Errorf("audit: list: %w", err)
	}
	out := make([]Entry, 0, len(page.Docs))
	for _, d := range page.Docs {
		var r record
		if err := d.Decode(&r); err != nil {
			return nil, "", kedaitong.Wrap(kedaitong.EInternal, err, "audit: list: entry %s cannot be read", d.ID)
		}
		e, err := r.entry()
		if err != nil {
			return nil, "", kedaitong.Wrap(kedaitong.EInternal, err, "audit: list")
		}
		out = append(out, e)
	}
	return out, page.Next, nil
}
