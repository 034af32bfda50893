package rbac

import (
	"context"
	_ "embed"
	"encoding/csv"
	"fmt"
	"strings"

	"kedaitong"
)

//go:embed policy.csv
var policyCSV string

// DefaultPolicy returns the default policy as (role, domain, obj, act) rows,
// one per role, object kind and action (policy.csv).
func DefaultPolicy() ([][]string, error) {
	r := csv.NewReader(strings.NewReader(policyCSV))
	r.Comment = '#'
	r.TrimLeadingSpace = true
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("rbac: policy.csv: %w", err)
	}
	rows := make([][]string, 0, len(recs))
	for i, rec := range recs {
		if len(rec) != 5 || rec[0] != "p" {
			return nil, fmt.Errorf("rbac: policy.csv row %d: want p, role, domain, obj, act; got %q", i+1, rec)
		}
		rule, err := policyRule(rec[1], rec[2], rec[3], rec[4])
		if err != nil {
			return nil, fmt.Errorf("rbac: policy.csv row %d: %w", i+1, err)
		}
		rows = append(rows, rule)
	}
	return rows, nil
}

// seed stores the default policy unless the store was seeded before. Rules
// already there are kept, so two servers seeding at once, or a seed cut
// short and redone, end with one copy of each rule; the marker is written
// last. A store once seeded is never seeded again: an admin's removal of a
// default rule sticks.
func seed(ctx context.Context, ad *Adapter) error {
	var marker struct{}
	if _, err := ad.meta.Get(ctx, seededID, &marker); err == nil {
		return nil
	} else if kedaitong.ErrorCode(err) != kedaitong.ENotFound {
		return fmt.Errorf("rbac: read seed marker: %w", err)
	}
	rows, err := DefaultPolicy()
	if err != nil {
		return err
	}
	changed := false
	for _, r := range rows {
		err := ad.rules.Insert(ctx, ruleID("p", r), newRuleDoc("p", r))
		switch {
		case err == nil:
			changed = true
		case kedaitong.ErrorCode(err) == kedaitong.EConflict:
		default:
			return ad.finish(ctx, changed, fmt.Errorf("rbac: seed rule %q: %w", r, err))
		}
	}
	if err := ad.meta.Insert(ctx, seededID, map[string]any{"rules": len(rows)}); err != nil && kedaitong.ErrorCode(err) != kedaitong.EConflict {
		return ad.finish(ctx, changed, fmt.Errorf("rbac: write seed marker: %w", err))
	}
	return ad.finish(ctx, changed, nil)
}
