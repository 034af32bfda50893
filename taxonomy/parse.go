package taxonomy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"kedaitong"
)

// slug is the shape of an industry, route-suffix or speciality code.
var slug = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// file is the shape of taxonomy.json.
type file struct {
	Version      string       `json:"version"`
	Notes        string       `json:"notes"`
	Industries   []Industry   `json:"industries"`
	Specialities []Speciality `json:"finance_specialities"`
}

// Parse decodes and validates a taxonomy file. It rejects unknown JSON
// fields, a missing version, duplicate or malformed codes, a route whose
// code does not start with its industry's code and a dot, empty names or
// descriptions, neighbours that do not exist, name the route itself, repeat,
// or are not symmetric, and keyword groups without terms or with bad
// weights. Errors are *kedaitong.Error with code EInvalid naming the field.
func Parse(data []byte) (*Taxonomy, error) {
	var f file
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, kedaitong.Wrap(kedaitong.EInvalid, err, "taxonomy: bad JSON: %v", err)
	}
	if dec.More() {
		return nil, kedaitong.Invalid("", "taxonomy: trailing data after the JSON object")
	}
	t := &Taxonomy{Version: strings.TrimSpace(f.Version), Industries: f.Industries, Specialities: f.Specialities,
		industries: map[string]int{}, routes: map[string][2]int{}, neighbours: map[string]map[string]bool{}}
	if t.Version == "" {
		return nil, kedaitong.Invalid("version", "is empty")
	}
	if len(t.Industries) == 0 {
		return nil, kedaitong.Invalid("industries", "none defined")
	}
	for i, ind := range t.Industries {
		field := fmt.Sprintf("industries[%d]", i)
		if !slug.MatchString(ind.Code) {
			return nil, kedaitong.Invalid(field+".code", "%q is not a lowercase code like high-end-equipment", ind.Code)
		}
		if _, dup := t.industries[ind.Code]; dup {
			return nil, kedaitong.Invalid(field+".code", "duplicate industry %q", ind.Code)
		}
		t.industries[ind.Code] = i
		if err := checkTexts(field, ind.Name, ind.Description); err != nil {
			return nil, err
		}
		if err := checkGroups(field+".keywords", ind.Keywords, false); err != nil {
			return nil, err
		}
		if err := checkGroups(field+".negative", ind.Negative, true); err != nil {
			return nil, err
		}
		if len(ind.Routes) == 0 {
			return nil, kedaitong.Invalid(field+".routes", "industry %q has no routes", ind.Code)
		}
		for j, r := range ind.Routes {
			rf := fmt.Sprintf("%s.routes[%d]", field, j)
			suffix, ok := strings.CutPrefix(r.Code, ind.Code+".")
			if !ok || !slug.MatchString(suffix) {
				return nil, kedaitong.Invalid(rf+".code", "%q must be %s.<lowercase-code>", r.Code, ind.Code)
			}
			if _, dup := t.routes[r.Code]; dup {
				return nil, kedaitong.Invalid(rf+".code", "duplicate route %q", r.Code)
			}
			t.routes[r.Code] = [2]int{i, j}
			if err := checkTexts(rf, r.Name, r.Description); err != nil {
				return nil, err
			}
			if err := checkGroups(rf+".keywords", r.Keywords, false); err != nil {
				return nil, err
			}
			if err := checkGroups(rf+".negative", r.Negative, true); err != nil {
				return nil, err
			}
		}
	}
	// Neighbours, once every route is known.
	for _, ind := range t.Industries {
		for _, r := range ind.Routes {
			ix := t.routes[r.Code]
			field := fmt.Sprintf("industries[%d].routes[%d].neighbours", ix[0], ix[1])
			set := map[string]bool{}
			for _, n := range r.Neighbours {
				switch {
				case n == r.Code:
					return nil, kedaitong.Invalid(field, "route %q names itself", r.Code)
				case set[n]:
					return nil, kedaitong.Invalid(field, "route %q names %q twice", r.Code, n)
				case !t.IsRoute(n):
					return nil, kedaitong.Invalid(field, "route %q names unknown route %q", r.Code, n)
				}
				set[n] = true
			}
			t.neighbours[r.Code] = set
		}
	}
	for a, set := range t.neighbours {
		for b := range set {
			if !t.neighbours[b][a] {
				ix := t.routes[b]
				return nil, kedaitong.Invalid(fmt.Sprintf("industries[%d].routes[%d].neighbours", ix[0], ix[1]),
					"not symmetric: %q neighbours %q but not the other way round", a, b)
			}
		}
	}
	seen := map[string]bool{}
	for i, s := range t.Specialities {
		field := fmt.Sprintf("finance_specialities[%d]", i)
		if !slug.MatchString(s.Code) {
			return nil, kedaitong.Invalid(field+".code", "%q is not a lowercase code", s.Code)
		}
		if seen[s.Code] || t.IsField(s.Code) {
			return nil, kedaitong.Invalid(field+".code", "duplicate code %q", s.Code)
		}
		seen[s.Code] = true
		if err := checkTexts(field, s.Name, s.Description); err != nil {
			return nil, err
		}
	}
	if err := t.render(); err != nil {
		return nil, kedaitong.Wrap(kedaitong.EInternal, err, "taxonomy: rendering JSON")
	}
	return t, nil
}

func checkTexts(field string, name, desc Text) error {
	for _, c := range []struct {
		f, v string
	}{{".name.zh-CN", name.ZH}, {".name.en", name.EN}, {".description.zh-CN", desc.ZH}, {".description.en", desc.EN}} {
		if strings.TrimSpace(c.v) == "" {
			return kedaitong.Invalid(field+c.f, "is empty")
		}
	}
	return nil
}

func checkGroups(field string, groups []KeywordGroup, negative bool) error {
	for i, g := range groups {
		gf := fmt.Sprintf("%s[%d]", field, i)
		if g.Weight < 0 || (!negative && g.Weight == 0) || g.Weight > 100 {
			return kedaitong.Invalid(gf+".weight", "weight %v out of range", g.Weight)
		}
		terms := g.Terms()
		if len(terms) == 0 {
			return kedaitong.Invalid(gf, "has no terms")
		}
		for _, term := range terms {
			if strings.TrimSpace(strings.TrimSuffix(term, "*")) == "" || strings.TrimSpace(term) != term {
				return kedaitong.Invalid(gf, "term %q is empty or has surrounding spaces", term)
			}
		}
	}
	return nil
}
