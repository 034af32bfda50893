package classify

import (
	"slices"
	"unicode"
	"unicode/utf8"
)

// automaton is an Aho–Corasick automaton over the bytes of normalised text
// (see normalise). It reports every occurrence of every key, overlapping
// ones included. The states nearest the root (numbered in breadth-first
// order) have a dense transition table over byte classes, so that the scan
// of most text never follows a failure link; deeper states keep sparse edges
// and failure links. It is immutable after build and safe for concurrent use.
type automaton struct {
	class   [256]uint8 // byte → class; 0 for bytes in no key
	nClass  int32
	nDense  int32   // states below this use delta
	delta   []int32 // delta[s*nClass+class], complete transitions
	edgeOff []int32 // state i's edges are labels/targets[edgeOff[i]:edgeOff[i+1]]
	labels  []byte
	targets []int32
	fail    []int32
	outOff  []int32 // state i's outputs are outs[outOff[i]:outOff[i+1]]
	outs    []int32 // key ids
	keyLen  []int32 // length in bytes of each key
}

// denseBudget caps the dense table, in cells.
var denseBudget = 1 << 20

// buildAutomaton builds an automaton for the keys; key i is reported as id i.
// Empty keys are never reported.
func buildAutomaton(keys []string) *automaton {
	// The trie keeps each node's edges sorted by byte in a small slice
	// (no maps: start-up builds this for tens of thousands of nodes).
	type edge struct {
		b  byte
		to int32
	}
	type node struct {
		next []edge
		out  []int32
	}
	get := func(n *node, b byte) (int32, bool) {
		i, ok := slices.BinarySearchFunc(n.next, b, func(e edge, b byte) int { return int(e.b) - int(b) })
		if ok {
			return n.next[i].to, true
		}
		return 0, false
	}
	nodes := make([]node, 1, 1<<14)
	a := &automaton{keyLen: make([]int32, len(keys))}
	for id, k := range keys {
		a.keyLen[id] = int32(len(k))
		if k == "" {
			continue
		}
		cur := int32(0)
		for i := 0; i < len(k); i++ {
			n := &nodes[cur]
			i0, ok := slices.BinarySearchFunc(n.next, k[i], func(e edge, b byte) int { return int(e.b) - int(b) })
			var nx int32
			if ok {
				nx = n.next[i0].to
			} else {
				nx = int32(len(nodes))
				n.next = slices.Insert(n.next, i0, edge{k[i], nx})
				nodes = append(nodes, node{})
			}
			cur = nx
		}
		nodes[cur].out = append(nodes[cur].out, int32(id))
	}
	// Breadth-first: the new numbering, failure links, and each node's
	// outputs merged with its failure node's (shallower, so complete).
	fail := make([]int32, len(nodes))
	order := []int32{0}
	for qi := 0; qi < len(order); qi++ {
		cur := order[qi]
		for _, e := range nodes[cur].next {
			b, nx := e.b, e.to
			if cur != 0 {
				f := fail[cur]
				for {
					if t, ok := get(&nodes[f], b); ok {
						fail[nx] = t
						break
					}
					if f == 0 {
						break
					}
					f = fail[f]
				}
			}
			nodes[nx].out = append(nodes[nx].out, nodes[fail[nx]].out...)
			order = append(order, nx)
		}
	}
	newID := make([]int32, len(nodes))
	for i, old := range order {
		newID[old] = int32(i)
	}
	// Byte classes.
	for _, k := range keys {
		for i := 0; i < len(k); i++ {
			if a.class[k[i]] == 0 {
				a.nClass++
				a.class[k[i]] = uint8(a.nClass)
			}
		}
	}
	a.nClass++ // class 0
	// Flatten in the new numbering.
	a.fail = make([]int32, len(nodes))
	a.edgeOff = make([]int32, len(nodes)+1)
	a.outOff = make([]int32, len(nodes)+1)
	for i, old := range order {
		n := nodes[old]
		a.fail[i] = newID[fail[old]]
		for _, e := range n.next {
			a.labels = append(a.labels, e.b)
			a.targets = append(a.targets, newID[e.to])
		}
		a.edgeOff[i+1] = int32(len(a.labels))
		a.outs = append(a.outs, n.out...)
		a.outOff[i+1] = int32(len(a.outs))
	}
	// Dense transitions for the first states; a state's failure state is
	// shallower, hence numbered lower and already complete.
	a.nDense = int32(max(1, min(len(nodes), denseBudget/int(a.nClass)))) // the root at least
	a.delta = make([]int32, int(a.nDense)*int(a.nClass))
	for s := int32(0); s < a.nDense; s++ {
		row := a.delta[s*a.nClass : (s+1)*a.nClass]
		if s != 0 {
			copy(row, a.delta[a.fail[s]*a.nClass:(a.fail[s]+1)*a.nClass])
		}
		for e := a.edgeOff[s]; e < a.edgeOff[s+1]; e++ {
			row[a.class[a.labels[e]]] = a.targets[e]
		}
	}
	return a
}

// sparse returns the state reached from state s on byte b by an edge, or -1.
func (a *automaton) sparse(s int32, b byte) int32 {
	lo, hi := a.edgeOff[s], a.edgeOff[s+1]
	for lo < hi {
		m := int32(uint32(lo+hi) >> 1)
		switch {
		case a.labels[m] == b:
			return a.targets[m]
		case a.labels[m] < b:
			lo = m + 1
		default:
			hi = m
		}
	}
	return -1
}

// match is one occurrence of a key: text[start:end].
type match struct {
	key        int32
	start, end int32
}

// find appends every occurrence of every key in text to dst.
func (a *automaton) find(text []byte, dst []match) []match {
	s := int32(0)
	for i := 0; i < len(text); i++ {
		b := text[i]
		c := int32(a.class[b])
		if s < a.nDense {
			s = a.delta[s*a.nClass+c]
		} else {
			for {
				if nx := a.sparse(s, b); nx >= 0 {
					s = nx
					break
				}
				s = a.fail[s]
				if s < a.nDense {
					s = a.delta[s*a.nClass+c]
					break
				}
			}
		}
		if lo, hi := a.outOff[s], a.outOff[s+1]; lo < hi {
			end := int32(i + 1)
			for _, id := range a.outs[lo:hi] {
				dst = append(dst, match{key: id, start: end - a.keyLen[id], end: end})
			}
		}
	}
	return dst
}

// normalised is a text prepared for matching: case-folded, full-width ASCII
// made half-width, dashes and quotes unified; upper[i] records whether byte
// i of text came from an upper-case letter.
type normalised struct {
	text  []byte
	upper []bool
}

// normalise appends s to n.text (and n.upper) in normal form.
func (n *normalised) add(s string) {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			n.addASCII(c)
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r >= 0xFF01 && r <= 0xFF5E: // full-width ASCII
			n.addASCII(byte(r - 0xFEE0))
		case r == 0x3000 || r == 0xA0 || r == utf8.RuneError:
			n.addASCII(' ')
		case (r >= 0x2010 && r <= 0x2015) || r == 0x2212:
			n.addASCII('-')
		case r == 0x2018 || r == 0x2019:
			n.addASCII('\'')
		case r == 0x201C || r == 0x201D:
			n.addASCII('"')
		default:
			up := r < 0x2E80 && unicode.IsUpper(r) // no case in CJK
			if up {
				r = unicode.ToLower(r)
			}
			start := len(n.text)
			n.text = utf8.AppendRune(n.text, r)
			for j := start; j < len(n.text); j++ {
				n.upper = append(n.upper, up)
			}
		}
	}
}

func (n *normalised) addASCII(c byte) {
	up := c >= 'A' && c <= 'Z'
	switch {
	case up:
		c += 'a' - 'A'
	case c == '\n' || c == '\r' || c == '\t':
		c = ' '
	}
	n.text = append(n.text, c)
	n.upper = append(n.upper, up)
}

func (n *normalised) reset() {
	n.text = n.text[:0]
	n.upper = n.upper[:0]
}

// normaliseKey returns a dictionary term in the form matched against
// normalised text.
func normaliseKey(term string) string {
	var n normalised
	n.add(term)
	return string(n.text)
}

// isWordByte reports whether b is an ASCII letter or digit: Latin words need
// boundaries, Chinese text does not.
func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b >= 'A' && b <= 'Z'
}
