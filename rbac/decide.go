package rbac

import "slices"

// maxHops is how far Casbin's default role manager follows role links (its
// maximum hierarchy level).
const maxHops = 10

// table answers the model's matcher from hash lookups instead of evaluating
// the matcher against every policy (Casbin's Enforce costs tens of µs per
// call with the default policy). It is built from the rules Casbin has just
// loaded, and replaced as a whole on every reload, so it can never answer
// from an older policy than the one loaded. TestTableMatchesCasbin checks it
// against Casbin's own Enforce.
type table struct {
	allow map[[4]string]struct{} // policies: (sub, dom, obj, act) as stored
	links map[[2]string][]string // grouping: (domain, name) -> the roles name holds there
}

// newTable builds a table from policy rows (sub, dom, obj, act) and grouping
// rows (name, role, domain).
func newTable(policy, grouping [][]string) *table {
	t := &table{
		allow: make(map[[4]string]struct{}, len(policy)),
		links: make(map[[2]string][]string, len(grouping)),
	}
	for _, p := range policy {
		if len(p) == 4 {
			t.allow[[4]string{p[0], p[1], p[2], p[3]}] = struct{}{}
		}
	}
	for _, g := range grouping {
		if len(g) == 3 {
			k := [2]string{g[2], g[0]}
			t.links[k] = append(t.links[k], g[1])
		}
	}
	return t
}

// allowed is the matcher:
//
//	(p.obj == "*" || r.obj == p.obj) && (p.act == "*" || r.act == p.act) &&
//	(p.dom == "*" || p.dom == r.dom) && (g(r.sub, p.sub, r.dom) || g(r.sub, p.sub, "*"))
//
// where g(a, b, d) holds when a is b or reaches b within maxHops links in d.
func (t *table) allowed(sub, dom, obj, act string) bool {
	if t.reach(sub, dom, dom, obj, act) {
		return true
	}
	return dom != PlatformDomain && t.reach(sub, PlatformDomain, dom, obj, act)
}

// reach reports whether sub, or a role it reaches in linkDom, has a policy
// that grants act on obj in dom.
func (t *table) reach(sub, linkDom, dom, obj, act string) bool {
	var bufA, bufB, seenBuf [8]string
	level, spare := append(bufA[:0], sub), bufB[:0]
	seen := append(seenBuf[:0], sub) // few names: a slice beats a map
	for hop := 0; hop <= maxHops && len(level) > 0; hop++ {
		next := spare[:0]
		for _, s := range level {
			if t.grants(s, dom, obj, act) {
				return true
			}
			for _, p := range t.links[[2]string{linkDom, s}] {
				if !slices.Contains(seen, p) {
					seen = append(seen, p)
					next = append(next, p)
				}
			}
		}
		level, spare = next, level
	}
	return false
}

// grants reports whether a policy of sub itself grants act on obj in dom.
func (t *table) grants(sub, dom, obj, act string) bool {
	doms := [2]string{dom, PlatformDomain}
	objs := [2]string{obj, "*"}
	acts := [2]string{act, "*"}
	for _, d := range doms {
		for _, o := range objs {
			for _, a := range acts {
				if _, ok := t.allow[[4]string{sub, d, o, a}]; ok {
					return true
				}
			}
		}
	}
	return false
}
