package classify

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"

	"kedaitong"
)

//go:embed cues.json
var embeddedCues []byte

// Polarities of a label or a cue.
const (
	Risk        = "risk"
	Opportunity = "opportunity"
	Neutral     = "neutral"
)

// Dimensions are the contract's risk dimensions, in display order.
var Dimensions = []string{"tech-route", "policy", "market", "supply-chain", "capital"}

// Severities of a label.
const (
	SeverityHigh   = "high"
	SeverityNormal = "normal"
)

// cueGroup is one group of cues.json.
type cueGroup struct {
	Dimensions []string `json:"dimensions"`
	Polarity   string   `json:"polarity"`
	Weight     float64  `json:"weight"`
	Severity   string   `json:"severity"`
	ZH         []string `json:"zh"`
	EN         []string `json:"en"`
}

// termList is a list of Chinese and English terms.
type termList struct {
	ZH []string `json:"zh"`
	EN []string `json:"en"`
}

func (l termList) all() []string { return append(append([]string{}, l.ZH...), l.EN...) }

// cueFile is the shape of cues.json.
type cueFile struct {
	Version       string     `json:"version"`
	Notes         string     `json:"notes"`
	Cues          []cueGroup `json:"cues"`
	Negators      termList   `json:"negators"`
	NegatorsAfter termList   `json:"negators_after"`
	Hedges        termList   `json:"hedges"`
	Reversers     termList   `json:"reversers"`
	Masks         termList   `json:"masks"`
	// Events are the frames of news that reports an occasion rather than
	// a change: a meeting, a fair, an appointment, a draft out for comment.
	// In a title they damp the plain cues' polarity (composites keep
	// theirs): "drug innovation conference" is not an opportunity.
	Events termList `json:"events"`
}

// parseCues decodes and validates a cue file.
func parseCues(data []byte) (*cueFile, error) {
	var f cueFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, kedaitong.Wrap(kedaitong.EInvalid, err, "cues: bad JSON: %v", err)
	}
	if strings.TrimSpace(f.Version) == "" {
		return nil, kedaitong.Invalid("version", "is empty")
	}
	known := map[string]bool{}
	for _, d := range Dimensions {
		known[d] = true
	}
	for i, g := range f.Cues {
		field := fmt.Sprintf("cues[%d]", i)
		for _, d := range g.Dimensions {
			if !known[d] {
				return nil, kedaitong.Invalid(field+".dimensions", "unknown dimension %q", d)
			}
		}
		switch g.Polarity {
		case Risk, Opportunity, Neutral:
		default:
			return nil, kedaitong.Invalid(field+".polarity", "%q is not risk, opportunity or neutral", g.Polarity)
		}
		if g.Polarity == Neutral && len(g.Dimensions) == 0 {
			return nil, kedaitong.Invalid(field, "a neutral cue must support a dimension")
		}
		if g.Weight <= 0 || g.Weight > 100 {
			return nil, kedaitong.Invalid(field+".weight", "weight %v out of range", g.Weight)
		}
		if g.Severity != "" && g.Severity != SeverityHigh && g.Severity != SeverityNormal {
			return nil, kedaitong.Invalid(field+".severity", "%q is not high or normal", g.Severity)
		}
		if len(g.ZH)+len(g.EN) == 0 {
			return nil, kedaitong.Invalid(field, "has no terms")
		}
	}
	return &f, nil
}

// entry kinds: what a matched term means.
const (
	kindKeyword    = iota // industry or route evidence (weight may be negative)
	kindCue               // a cue group
	kindNegator           // negates a cue after it
	kindNegAfter          // negates a cue before it
	kindHedge             // weakens cues in its sentence
	kindReverser          // flips the polarity of a cue next to it
	kindMask              // hides modifiers and cues inside it
	kindEnterprise        // names an enterprise
	kindSubject           // what changes (compose.go; target: subject group)
	kindDirection         // how it changes (target: direction group)
	kindInputMark         // makes a price after it an input price
	kindEvent             // an event frame (a meeting, an appointment)
	kindLexicon           // a word of a lexicon (lexicon.go; target: class, nLex+i industry i)
)

// domain of a kind: a match hides shorter matches of its own domain inside it.
func domainOf(kind int) int {
	switch kind {
	case kindKeyword:
		return 0
	case kindEnterprise:
		return 2
	case kindSubject, kindDirection, kindInputMark, kindEvent:
		return 3
	case kindLexicon:
		return 4
	}
	return 1
}

// entry is one meaning of a term.
type entry struct {
	kind     int
	target   int     // industry index, route index, cue group or enterprise index
	route    bool    // keyword for a route (target is a route index)
	negative bool    // keyword from a negative group
	weight   float64 // keyword weight
}

// pattern is one dictionary term.
type pattern struct {
	term     string // as written in the dictionary
	key      string // normalised, without a trailing *
	prefix   bool   // trailing *: the word may go on
	leftWB   bool   // the key starts with a Latin letter or digit
	rightWB  bool   // the key ends with one and is not a prefix
	caseSens bool   // capitals in term must match
	domain   int
	entries  []entry
}

// patternSet collects terms and their meanings before the automaton is built.
type patternSet struct {
	patterns []pattern
	index    map[string]int // term → pattern
}

func newPatternSet() *patternSet { return &patternSet{index: map[string]int{}} }

// add records that term carries e; terms are merged by their spelling.
func (ps *patternSet) add(term string, e entry) {
	term = strings.TrimSpace(term)
	if term == "" || term == "*" {
		return
	}
	if i, ok := ps.index[term+"\x00"+fmt.Sprint(domainOf(e.kind))]; ok {
		ps.patterns[i].entries = append(ps.patterns[i].entries, e)
		return
	}
	raw, prefix := strings.CutSuffix(term, "*")
	key := normaliseKey(raw)
	p := pattern{term: term, key: key, prefix: prefix, domain: domainOf(e.kind), entries: []entry{e}}
	p.leftWB = isWordByte(key[0])
	p.rightWB = !prefix && isWordByte(key[len(key)-1])
	p.caseSens = strings.ToLower(raw) != raw && strings.IndexFunc(raw, func(r rune) bool { return r >= 'A' && r <= 'Z' }) >= 0
	ps.index[term+"\x00"+fmt.Sprint(p.domain)] = len(ps.patterns)
	ps.patterns = append(ps.patterns, p)
}

// keys returns the normalised keys, pattern i's key at index i.
func (ps *patternSet) keys() []string {
	out := make([]string, len(ps.patterns))
	for i, p := range ps.patterns {
		out[i] = p.key
	}
	return out
}

// accept reports whether a match of pattern p at text[start:end] stands at
// the word boundaries and in the capitalisation the term asks for.
func (p *pattern) accept(n *normalised, start, end int) bool {
	if p.leftWB && start > 0 && isWordByte(n.text[start-1]) {
		return false
	}
	if p.rightWB && end < len(n.text) && isWordByte(n.text[end]) {
		return false
	}
	if p.caseSens {
		raw := strings.TrimSuffix(p.term, "*")
		// The key and the raw term have the same bytes when the term is
		// ASCII; compare capitals only then.
		if len(raw) == end-start {
			for i := 0; i < len(raw); i++ {
				c := raw[i]
				if c >= 'a' && c <= 'z' && n.upper[start+i] || c >= 'A' && c <= 'Z' && !n.upper[start+i] {
					return false
				}
			}
		}
	}
	return true
}
