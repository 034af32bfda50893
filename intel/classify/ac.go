package classify

import (
	"slices"
	"unicode"
	"unicode/utf8"
)

// automaton is an Aho–Corasick automaton over the bytes of normalised text
// (see normalise). It reports every occurrence of every key, overlapping
// ones included. It is immutable after build and safe for concurrent use.
type automaton struct {
	root    [256]int32 // dense goto of the root; 0 means stay at the root
	edgeOff []int32    // node i's edges are labels/targets[edgeOff[i]:edgeOff[i+1]]
	labels  []byte
	targets []int32
	fail    []int32
	outOff  []int32 // node i's outputs are outs[outOff[i]:outOff[i+1]]
	outs    []int32 // key ids
	keyLen  []int32 // length in bytes of each key
}

// buildAutomaton builds an automaton for the keys; key i is reported as id i.
// Empty keys are never reported.
func buildAutomaton(keys []string) *automaton {
	type node struct {
		next map[byte]int32
		out  []int32
	}
	nodes := []node{{next: map[byte]int32{}}}
	a := &automaton{keyLen: make([]int32, len(keys))}
	for id, k := range keys {
		a.keyLen[id] = int32(len(k))
		if k == "" {
			continue
		}
		cur := int32(0)
		for i := 0; i < len(k); i++ {
			nx, ok := nodes[cur].next[k[i]]
			if !ok {
				nx = int32(len(nodes))
				nodes = append(nodes, node{next: map[byte]int32{}})
				nodes[cur].next[k[i]] = nx
			}
			cur = nx
		}
		nodes[cur].out = append(nodes[cur].out, int32(id))
	}
	// Breadth-first: failure links, and each node's outputs merged with its
	// failure node's (which is shallower, so already complete).
	a.fail = make([]int32, len(nodes))
	queue := make([]int32, 0, len(nodes))
	for b, nx := range nodes[0].next {
		a.root[b] = nx
		queue = append(queue, nx)
	}
	slices.Sort(queue)
	for qi := 0; qi < len(queue); qi++ {
		cur := queue[qi]
		labels := make([]byte, 0, len(nodes[cur].next))
		for b := range nodes[cur].next {
			labels = append(labels, b)
		}
		slices.Sort(labels)
		for _, b := range labels {
			nx := nodes[cur].next[b]
			f := a.fail[cur]
			for {
				if t, ok := nodes[f].next[b]; ok && !(f == 0 && t == nx) {
					a.fail[nx] = t
					break
				}
				if f == 0 {
					a.fail[nx] = 0
					break
				}
				f = a.fail[f]
			}
			nodes[nx].out = append(nodes[nx].out, nodes[a.fail[nx]].out...)
			queue = append(queue, nx)
		}
	}
	// Flatten.
	a.edgeOff = make([]int32, len(nodes)+1)
	a.outOff = make([]int32, len(nodes)+1)
	for i, n := range nodes {
		labels := make([]byte, 0, len(n.next))
		for b := range n.next {
			labels = append(labels, b)
		}
		slices.Sort(labels)
		for _, b := range labels {
			a.labels = append(a.labels, b)
			a.targets = append(a.targets, n.next[b])
		}
		a.edgeOff[i+1] = int32(len(a.labels))
		a.outs = append(a.outs, n.out...)
		a.outOff[i+1] = int32(len(a.outs))
	}
	return a
}

// step returns the node reached from node s on byte b, or -1.
func (a *automaton) step(s int32, b byte) int32 {
	if s == 0 {
		return a.root[b] // 0 (stay) when there is no edge
	}
	lo, hi := a.edgeOff[s], a.edgeOff[s+1]
	if hi-lo <= 8 {
		for i := lo; i < hi; i++ {
			if a.labels[i] == b {
				return a.targets[i]
			}
			if a.labels[i] > b {
				return -1
			}
		}
		return -1
	}
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
		for {
			nx := a.step(s, b)
			if nx >= 0 {
				s = nx
				break
			}
			s = a.fail[s]
		}
		for _, id := range a.outs[a.outOff[s]:a.outOff[s+1]] {
			end := int32(i + 1)
			dst = append(dst, match{key: id, start: end - a.keyLen[id], end: end})
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
			up := unicode.IsUpper(r)
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
