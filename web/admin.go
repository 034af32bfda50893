package web

import (
	"context"

	"kedaitong/audit"
	"kedaitong/identity"
)

// AuditScope narrows an audit filter to what u may read: an administrator
// everything, an official the entries about objects in its region and
// never denials (which are for administrators only). It reports false when
// the filter asks for something outside the caller's scope: the answer is
// then an empty list (a filter narrows, never widens).
func AuditScope(u identity.User, f audit.Filter) (audit.Filter, bool) {
	if u.Role == identity.RoleAdmin {
		return f, true
	}
	if f.Outcome == audit.Denied {
		return f, false
	}
	switch {
	case f.Region == "":
		f.Region = u.Region
	case !identity.RegionCovers(u.Region, f.Region):
		return f, false
	}
	return f, true
}

// AuditVisible drops from es what u may not read (denials, for anyone but
// an administrator).
func AuditVisible(u identity.User, es []audit.Entry) []audit.Entry {
	if u.Role == identity.RoleAdmin {
		return es
	}
	kept := es[:0]
	for _, e := range es {
		if e.Outcome != audit.Denied {
			kept = append(kept, e)
		}
	}
	return kept
}

// ChangePolicy allows (add) or withdraws a role's action on a kind of
// object and records the change in the audit log: the one path for the API
// and the policy page.
func (s *Server) ChangePolicy(ctx context.Context, u identity.User, role, domain, obj, act string, add bool) error {
	if domain == "" {
		domain = "*"
	}
	action := "policy.remove"
	var err error
	if add {
		action = "policy.add"
		err = s.Deps.Policy.AddPolicy(ctx, role, domain, obj, act)
	} else {
		err = s.Deps.Policy.RemovePolicy(ctx, role, domain, obj, act)
	}
	if err != nil {
		return err
	}
	if s.Deps.Audit != nil {
		s.Deps.Audit.Record(ctx, identity.Event{Actor: &u, Action: action, ObjectKind: "policy", ObjectID: role + ":" + obj + ":" + act,
			Detail: map[string]any{"role": role, "domain": domain, "obj": obj, "act": act}})
	}
	return nil
}
