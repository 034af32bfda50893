// Package taxonomy is the one source of truth for the platform's fields: the
// eleven industries of the contract, their technical routes (coded
// "industry.route"), their names and descriptions in Chinese and English, the
// routes that neighbour each other (for expert affinity), the keyword
// dictionaries the news classifier matches, and the finance specialities of
// finance scholars.
//
// The data lives in one embedded file, taxonomy.json, that a domain
// specialist can edit without touching Go; Parse validates it.
package taxonomy

import (
	_ "embed"
	"encoding/json"
	"sync"
)

//go:embed taxonomy.json
var embedded []byte

// Text is a name or description in the platform's two languages.
type Text struct {
	ZH string `json:"zh-CN"` // simplified Chinese
	EN string `json:"en"`    // English
}

// KeywordGroup is a set of synonyms that count with the same weight. Chinese
// terms match anywhere in a text; a Latin letter or digit at either end of a
// term must meet a word boundary, and a trailing "*" lets the word continue.
// A term with a capital letter matches only with that capitalisation.
type KeywordGroup struct {
	Weight float64  `json:"weight"` // > 0 for keywords; >= 0 for negative groups
	ZH     []string `json:"zh"`     // Chinese terms
	EN     []string `json:"en"`     // English terms
}

// Terms returns the group's Chinese and English terms together.
func (g KeywordGroup) Terms() []string {
	out := make([]string, 0, len(g.ZH)+len(g.EN))
	out = append(out, g.ZH...)
	return append(out, g.EN...)
}

// Route is a technical route inside an industry.
type Route struct {
	Code        string         `json:"code"`        // "industry.route"
	Name        Text           `json:"name"`        // display name
	Description Text           `json:"description"` // one or two sentences
	Neighbours  []string       `json:"neighbours"`  // route codes, symmetric
	Keywords    []KeywordGroup `json:"keywords"`    // evidence for this route
	Negative    []KeywordGroup `json:"negative"`    // evidence against it
	// HardTech marks a "hard technology" route (chips, advanced materials,
	// biologics, ...): long-term loans on it may earn the risk-compensation
	// fund's higher step share (package fund).
	HardTech bool `json:"hard_tech,omitempty"`
}

// Industry is one of the contract's eleven industries.
type Industry struct {
	Code        string         `json:"code"`
	Name        Text           `json:"name"`
	Description Text           `json:"description"`
	Keywords    []KeywordGroup `json:"keywords"` // evidence for the industry
	Negative    []KeywordGroup `json:"negative"` // evidence against it
	Routes      []Route        `json:"routes"`
}

// Speciality is a finance speciality a finance scholar may declare.
type Speciality struct {
	Code        string `json:"code"`
	Name        Text   `json:"name"`
	Description Text   `json:"description"`
}

// Taxonomy is a parsed, validated taxonomy. It is read-only after Parse and
// safe for concurrent use.
type Taxonomy struct {
	Version      string       // the data file's version
	Industries   []Industry   // in the file's order
	Specialities []Speciality // finance specialities

	industries map[string]int    // code → index in Industries
	routes     map[string][2]int // code → industry index, route index
	neighbours map[string]map[string]bool
	public     []byte // the JSON served by GET /api/v1/fields
}

var defaultTaxonomy = sync.OnceValue(func() *Taxonomy {
	t, err := Parse(embedded)
	if err != nil {
		panic("taxonomy: embedded taxonomy.json is broken: " + err.Error())
	}
	return t
})

// Default returns the taxonomy of the embedded taxonomy.json, parsed once.
// It panics only when the embedded file is broken, which the package's tests
// rule out.
func Default() *Taxonomy { return defaultTaxonomy() }

// Industry returns the industry with the code.
func (t *Taxonomy) Industry(code string) (Industry, bool) {
	i, ok := t.industries[code]
	if !ok {
		return Industry{}, false
	}
	return t.Industries[i], true
}

// Route returns the technical route with the code ("industry.route").
func (t *Taxonomy) Route(code string) (Route, bool) {
	ix, ok := t.routes[code]
	if !ok {
		return Route{}, false
	}
	return t.Industries[ix[0]].Routes[ix[1]], true
}

// IsHardTech reports whether code is a route marked hard_tech.
func (t *Taxonomy) IsHardTech(code string) bool {
	r, ok := t.Route(code)
	return ok && r.HardTech
}

// IsIndustry reports whether code is an industry code.
func (t *Taxonomy) IsIndustry(code string) bool {
	_, ok := t.industries[code]
	return ok
}

// IsRoute reports whether code is a technical-route code.
func (t *Taxonomy) IsRoute(code string) bool {
	_, ok := t.routes[code]
	return ok
}

// IsField reports whether code is an industry or a route code, the two kinds
// of "field" experts and filters name.
func (t *Taxonomy) IsField(code string) bool { return t.IsIndustry(code) || t.IsRoute(code) }

// IndustryOf returns the industry code of a route code, the code itself for
// an industry code, and "" for anything else.
func (t *Taxonomy) IndustryOf(code string) string {
	if t.IsIndustry(code) {
		return code
	}
	ix, ok := t.routes[code]
	if !ok {
		return ""
	}
	return t.Industries[ix[0]].Code
}

// Neighbours returns the codes of the routes that neighbour route, or nil
// when route is unknown. The caller may modify the returned slice.
func (t *Taxonomy) Neighbours(route string) []string {
	r, ok := t.Route(route)
	if !ok {
		return nil
	}
	return append([]string(nil), r.Neighbours...)
}

// IsSpeciality reports whether code is a finance speciality code.
func (t *Taxonomy) IsSpeciality(code string) bool {
	for _, s := range t.Specialities {
		if s.Code == code {
			return true
		}
	}
	return false
}

// Affinity scores how close two fields (industry or route codes) are, from 0
// to 1: 1 for the same field or a route inside the other's industry, 0.7 for
// neighbouring routes, 0.5 for an industry and a route of another industry
// that neighbours one of its routes, 0.4 for different routes of one
// industry, 0 otherwise (and for unknown codes).
func (t *Taxonomy) Affinity(a, b string) float64 {
	ia, ib := t.IndustryOf(a), t.IndustryOf(b)
	switch {
	case ia == "" || ib == "":
		return 0
	case a == b:
		return 1
	case ia == ib && (t.IsIndustry(a) || t.IsIndustry(b)):
		return 1
	case t.neighbours[a][b]:
		return 0.7
	case ia == ib:
		return 0.4
	}
	// An industry and a route, or two routes, linked across industries by
	// a neighbour relation of one of the industry's routes.
	if t.IsIndustry(a) || t.IsIndustry(b) {
		ind, r := a, b
		if t.IsRoute(a) {
			ind, r = b, a
		}
		for n := range t.neighbours[r] {
			if t.IndustryOf(n) == ind {
				return 0.5
			}
		}
	}
	return 0
}

// Fields is the public shape of the taxonomy served by GET /api/v1/fields:
// industries with their routes, names, descriptions and neighbours, and the
// finance specialities. The keyword dictionaries are left out.
type Fields struct {
	Version      string          `json:"version"`
	Industries   []FieldIndustry `json:"industries"`
	Specialities []Speciality    `json:"finance_specialities"`
}

// FieldIndustry is an industry in Fields.
type FieldIndustry struct {
	Code        string       `json:"code"`
	Name        Text         `json:"name"`
	Description Text         `json:"description"`
	Routes      []FieldRoute `json:"routes"`
}

// FieldRoute is a technical route in Fields.
type FieldRoute struct {
	Code        string   `json:"code"`
	Industry    string   `json:"industry"`
	Name        Text     `json:"name"`
	Description Text     `json:"description"`
	Neighbours  []string `json:"neighbours"`
	HardTech    bool     `json:"hard_tech"` // a hard-technology route (the fund's step compensation)
}

// Fields returns the public shape of the taxonomy, a fresh copy each call.
func (t *Taxonomy) Fields() Fields {
	f := Fields{Version: t.Version, Industries: make([]FieldIndustry, 0, len(t.Industries)),
		Specialities: append([]Speciality{}, t.Specialities...)}
	for _, ind := range t.Industries {
		fi := FieldIndustry{Code: ind.Code, Name: ind.Name, Description: ind.Description,
			Routes: make([]FieldRoute, 0, len(ind.Routes))}
		for _, r := range ind.Routes {
			fi.Routes = append(fi.Routes, FieldRoute{Code: r.Code, Industry: ind.Code, Name: r.Name,
				Description: r.Description, Neighbours: append([]string{}, r.Neighbours...), HardTech: r.HardTech})
		}
		f.Industries = append(f.Industries, fi)
	}
	return f
}

// JSON returns Fields encoded as JSON, rendered once at Parse; the web layer
// serves it as the body of GET /api/v1/fields. The caller must not modify it.
func (t *Taxonomy) JSON() []byte { return t.public }

func (t *Taxonomy) render() error {
	b, err := json.Marshal(t.Fields())
	if err != nil {
		return err
	}
	t.public = b
	return nil
}
