package store

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"

	"kedaitong"
)

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// validName reports whether s may name a collection or an indexed field.
func validName(s string) bool { return nameRE.MatchString(s) }

// ValidateDef checks a collection definition.
func ValidateDef(def CollectionDef) error {
	if !validName(def.Name) {
		return kedaitong.Errorf(kedaitong.EInvalid, "collection name %q: want lowercase letters, digits and underscores", def.Name)
	}
	for i, ix := range def.Indexes {
		if len(ix.Fields) == 0 {
			return kedaitong.Errorf(kedaitong.EInvalid, "collection %s: index %d has no fields", def.Name, i)
		}
		seen := map[string]bool{}
		for _, f := range ix.Fields {
			if !validName(f) || f == "id" {
				return kedaitong.Errorf(kedaitong.EInvalid, "collection %s: index field %q is not allowed", def.Name, f)
			}
			if seen[f] {
				return kedaitong.Errorf(kedaitong.EInvalid, "collection %s: index repeats field %q", def.Name, f)
			}
			seen[f] = true
		}
	}
	return nil
}

// IndexName is the name both backends give an index: the collection, the
// fields and "u" for unique ones, so re-declaring it is idempotent.
func IndexName(coll string, ix Index) string {
	n := "ix_" + coll + "__" + strings.Join(ix.Fields, "__")
	if ix.Unique {
		n += "__u"
	}
	return n
}

// Plan is a checked query: the index that serves it and its parts in order.
type Plan struct {
	Index   *Index   // nil when the id alone serves the query
	EqOrder []string // the Eq and In fields in the index's order
	Sort    string   // the sort field, "" for id
}

// PlanQuery checks q against the declared indexes and returns the index that
// serves it, or EInvalid when none does or the query is malformed.
func PlanQuery(def CollectionDef, q Query) (Plan, error) {
	if q.Limit < 0 {
		return Plan{}, kedaitong.Errorf(kedaitong.EInvalid, "limit must not be negative").ZHf("条数（limit）不能为负数")
	}
	filter := map[string]bool{}
	for f, v := range q.Eq {
		if !validName(f) {
			return Plan{}, kedaitong.Errorf(kedaitong.EInvalid, "field %q is not allowed", f)
		}
		if err := checkScalar(f, v); err != nil {
			return Plan{}, err
		}
		filter[f] = true
	}
	for f, vs := range q.In {
		if !validName(f) {
			return Plan{}, kedaitong.Errorf(kedaitong.EInvalid, "field %q is not allowed", f)
		}
		if filter[f] {
			return Plan{}, kedaitong.Errorf(kedaitong.EInvalid, "field %q has both an equality and a membership condition", f)
		}
		for _, v := range vs {
			if err := checkScalar(f, v); err != nil {
				return Plan{}, err
			}
		}
		filter[f] = true
	}
	next := "" // the field that must follow the equality prefix
	if q.Range != nil {
		r := q.Range
		if !validName(r.Field) {
			return Plan{}, kedaitong.Errorf(kedaitong.EInvalid, "range field %q is not allowed", r.Field)
		}
		if filter[r.Field] {
			return Plan{}, kedaitong.Errorf(kedaitong.EInvalid, "field %q has both an equality and a range condition", r.Field)
		}
		if r.Gte != nil && r.Gt != nil || r.Lte != nil && r.Lt != nil {
			return Plan{}, kedaitong.Errorf(kedaitong.EInvalid, "range on %q has two lower or two upper bounds", r.Field)
		}
		for _, v := range []any{r.Gte, r.Gt, r.Lte, r.Lt} {
			if v != nil {
				if err := checkScalar(r.Field, v); err != nil {
					return Plan{}, err
				}
			}
		}
		next = r.Field
	}
	if q.Sort != "" {
		if !validName(q.Sort) {
			return Plan{}, kedaitong.Errorf(kedaitong.EInvalid, "sort field %q is not allowed", q.Sort)
		}
		if next != "" && next != q.Sort {
			return Plan{}, kedaitong.Errorf(kedaitong.EInvalid, "range on %q must sort by %q, not %q", next, next, q.Sort)
		}
		if filter[q.Sort] {
			// Sorting by a field fixed by equality is sorting by id.
			if _, isEq := q.Eq[q.Sort]; isEq {
				q.Sort = ""
			}
		} else {
			next = q.Sort
		}
	}
	if len(filter) == 0 && next == "" {
		return Plan{Sort: ""}, nil
	}
	for i := range def.Indexes {
		ix := &def.Indexes[i]
		n := len(filter)
		if len(ix.Fields) < n || (next != "" && len(ix.Fields) < n+1) {
			continue
		}
		ok := true
		for _, f := range ix.Fields[:n] {
			if !filter[f] {
				ok = false
				break
			}
		}
		if !ok || (next != "" && ix.Fields[n] != next) {
			continue
		}
		// A sort on a membership field needs the index to order by it; keep
		// it simple: membership fields cannot also be the sort.
		if q.Sort != "" && filter[q.Sort] {
			continue
		}
		return Plan{Index: ix, EqOrder: append([]string(nil), ix.Fields[:n]...), Sort: sortField(q)}, nil
	}
	fields := make([]string, 0, len(filter))
	for f := range filter {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	return Plan{}, kedaitong.Errorf(kedaitong.EInvalid, "collection %s has no index serving a query on %v then %q", def.Name, fields, next)
}

func sortField(q Query) string {
	if _, isEq := q.Eq[q.Sort]; isEq {
		return ""
	}
	return q.Sort
}

// checkScalar accepts the scalar kinds an indexed field may hold.
func checkScalar(field string, v any) error {
	switch x := v.(type) {
	case string, bool, int, int8, int16, int32, int64, uint8, uint16, uint32:
		return nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return kedaitong.Errorf(kedaitong.EInvalid, "field %q: NaN and infinities cannot be compared", field)
		}
		return nil
	case float32:
		return checkScalar(field, float64(x))
	default:
		return kedaitong.Errorf(kedaitong.EInvalid, "field %q: %T is not a scalar a query can compare", field, v)
	}
}

// cursor is the position after the last document of a page.
type cursor struct {
	Sort json.RawMessage `json:"s,omitempty"` // the last sort value, as JSON
	ID   string          `json:"i"`
}

// EncodeCursor makes an opaque cursor from the last document's sort value and id.
func EncodeCursor(sortValue any, id string) (string, error) {
	c := cursor{ID: id}
	if sortValue != nil {
		b, err := json.Marshal(sortValue)
		if err != nil {
			return "", fmt.Errorf("store: encode cursor: %w", err)
		}
		c.Sort = b
	}
	b, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("store: encode cursor: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// BadCursor is the error for a paging cursor this server did not issue
// (field "cursor"): the one text every list answers with.
func BadCursor() *kedaitong.Error {
	return kedaitong.Invalid("cursor", "is not one this server issued").ZHf("分页游标无效（不是本服务器签发的）")
}

// DecodeCursor reads a cursor made by EncodeCursor. The sort value comes
// back as a JSON scalar decoded with numbers as int64 where they are whole.
// A cursor that is not one is EInvalid.
func DecodeCursor(s string) (sortValue any, id string, err error) {
	bad := BadCursor()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) > 4096 {
		return nil, "", bad
	}
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil || c.ID == "" {
		return nil, "", bad
	}
	if len(c.Sort) > 0 {
		sortValue, err = DecodeScalar(c.Sort)
		if err != nil {
			return nil, "", bad
		}
	}
	return sortValue, c.ID, nil
}

// DecodeScalar decodes a JSON scalar, keeping whole numbers as int64.
func DecodeScalar(b []byte) (any, error) {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if n, ok := v.(json.Number); ok {
		if i, err := n.Int64(); err == nil {
			return i, nil
		}
		return n.Float64()
	}
	switch v.(type) {
	case string, bool, nil:
		return v, nil
	}
	return nil, fmt.Errorf("store: %s is not a scalar", b)
}
