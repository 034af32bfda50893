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

// seed stores the rules of the default policy that this store has never
// been given: on a fresh store all of them, after an upgrade whose
// policy.csv adds rules only the new ones. The ids of every default rule
// ever seeded are kept in one marker document, so an admin's removal of a
// default rule sticks across restarts and upgrades. Rules already there are
// kept, so two servers seeding at once end with one copy of each rule; the
// marker is written last (version-guarded, retried on a race).
func seed(ctx context.Context, ad *Adapter) error {
	rows, err := DefaultPolicy()
	if err != nil {
		return err
	}
	for attempt := 0; attempt < 5; attempt++ {
		var marker struct {
			Rules int      `json:"rules"`
			IDs   []string `json:"ids"`
		}
		ver, err := ad.meta.Get(ctx, seededID, &marker)
		fresh := kedaitong.ErrorCode(err) == kedaitong.ENotFound
		if err != nil && !fresh {
			return fmt.Errorf("rbac: read seed marker: %w", err)
		}
		if !fresh && marker.IDs == nil && marker.Rules > 0 {
			// A store seeded before ids were recorded: count every current
			// default rule as seeded rather than re-adding removed ones.
			for _, r := range rows {
				marker.IDs = append(marker.IDs, ruleID("p", r))
			}
		}
		seen := make(map[string]bool, len(marker.IDs))
		for _, id := range marker.IDs {
			seen[id] = true
		}
		changed := false
		added := 0
		for _, r := range rows {
			id := ruleID("p", r)
			if seen[id] {
				continue
			}
			err := ad.rules.Insert(ctx, id, newRuleDoc("p", r))
			switch {
			case err == nil:
				changed = true
			case kedaitong.ErrorCode(err) == kedaitong.EConflict:
			default:
				return ad.finish(ctx, changed, fmt.Errorf("rbac: seed rule %q: %w", r, err))
			}
			marker.IDs = append(marker.IDs, id)
			seen[id] = true
			added++
		}
		if added == 0 && !fresh {
			return ad.finish(ctx, changed, nil)
		}
		marker.Rules = len(marker.IDs)
		if fresh {
			err = ad.meta.Insert(ctx, seededID, marker)
		} else {
			_, err = ad.meta.Replace(ctx, seededID, ver, marker)
		}
		if err == nil {
			return ad.finish(ctx, changed, nil)
		}
		if kedaitong.ErrorCode(err) != kedaitong.EConflict {
			return ad.finish(ctx, changed, fmt.Errorf("rbac: write seed marker: %w", err))
		}
		if ferr := ad.finish(ctx, changed, nil); ferr != nil {
			return ferr
		}
	}
	return fmt.Errorf("rbac: seed marker kept changing; try again")
}
