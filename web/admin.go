package web

import (
	"context"

	"kedaitong/identity"
)

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
