package audit

import "kedaitong/identity"

// Scope narrows an audit filter to what u may read: an administrator
// everything, an official the entries about objects in its region and
// never denials (which are for administrators only), anyone else nothing —
// even if the access policy were changed to let another role read the log. It reports false when
// the filter asks for something outside the caller's scope: the answer is
// then an empty list (a filter narrows, never widens).
func Scope(u identity.User, f Filter) (Filter, bool) {
	if u.Role == identity.RoleAdmin {
		return f, true
	}
	if u.Role != identity.RoleOfficial || u.Region == "" || f.Outcome == Denied {
		return f, false // only officials read beside admins, and only their region
	}
	switch {
	case f.Region == "":
		f.Region = u.Region
	case !identity.RegionCovers(u.Region, f.Region):
		return f, false
	}
	return f, true
}

// Visible drops from es what u may not read (denials, for anyone but
// an administrator).
func Visible(u identity.User, es []Entry) []Entry {
	if u.Role == identity.RoleAdmin {
		return es
	}
	kept := es[:0]
	for _, e := range es {
		if e.Outcome != Denied {
			kept = append(kept, e)
		}
	}
	return kept
}
