package store

import (
	"context"
	"encoding/json"
	"fmt"
)

// FindMatching pages through q's results keeping the documents keep
// accepts — for a filter no index can serve (a scope check, a condition on
// a field that is not indexed) — until limit are kept or maxScan have been
// read. It returns the kept documents and a cursor to continue from the
// last document read ("" when the results are exhausted), so a caller can
// page on and see every match. q.Limit sets the size of each read (at
// least limit).
func FindMatching(ctx context.Context, c Collection, q Query, limit, maxScan int, keep func(Doc) (bool, error)) ([]Doc, string, error) {
	if limit < 1 {
		limit = 1
	}
	if q.Limit < limit {
		q.Limit = limit
	}
	var out []Doc
	scanned := 0
	for {
		p, err := c.Find(ctx, q)
		if err != nil {
			return nil, "", err
		}
		for i, d := range p.Docs {
			scanned++
			ok, err := keep(d)
			if err != nil {
				return nil, "", err
			}
			if ok {
				out = append(out, d)
			}
			last := p.Next == "" && i == len(p.Docs)-1
			if len(out) == limit || scanned >= maxScan {
				if last {
					return out, "", nil
				}
				next, err := CursorAt(d, q.Sort)
				return out, next, err
			}
		}
		if p.Next == "" {
			return out, "", nil
		}
		q.After = p.Next
	}
}

// CursorAt is the cursor that continues after d in results sorted by the
// field sortField ("" for id).
func CursorAt(d Doc, sortField string) (string, error) {
	if sortField == "" {
		return EncodeCursor(nil, d.ID)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(d.Data, &fields); err != nil {
		return "", fmt.Errorf("store: cursor at %s: %w", d.ID, err)
	}
	raw, ok := fields[sortField]
	if !ok {
		return "", fmt.Errorf("store: cursor at %s: no field %q", d.ID, sortField)
	}
	v, err := DecodeScalar(raw)
	if err != nil {
		return "", fmt.Errorf("store: cursor at %s: %w", d.ID, err)
	}
	return EncodeCursor(v, d.ID)
}
