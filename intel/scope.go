package intel

import (
	"context"

	"kedaitong/identity"
)

// EnterpriseScope decides which of the enterprises linked to items a user
// may learn of. The links come from the banks' books (every bank's
// applicants, by name and credit code), so they are bank data: a bank must
// never learn that an enterprise is another bank's applicant.
//
// The rule the platform uses (riskmap's book implements it):
//
//   - an administrator sees every link;
//   - a bank's users see the enterprises their own bank has applications
//     on (whatever the applications' states);
//   - an official sees the enterprises of applications in a region its own
//     covers;
//   - analysts (and every other role) see none: an analyst's work is public
//     news, not the banks' books.
//
// Every field and filter derived from the links goes through it: an item's
// "enterprises", the ?enterprise= filter (an enterprise outside the
// caller's scope matches nothing), the item page.
type EnterpriseScope interface {
	// VisibleEnterprises returns the test of one credit code for u.
	VisibleEnterprises(ctx context.Context, u identity.User) (func(code string) bool, error)
}

// SetEnterpriseScope installs the scope of enterprise links. Until one is
// installed, only administrators see links (fail closed).
func (s *Service) SetEnterpriseScope(sc EnterpriseScope) {
	s.scopeMu.Lock()
	s.scope = sc
	s.scopeMu.Unlock()
}

// visible returns the test of enterprise links for u.
func (s *Service) visible(ctx context.Context, u identity.User) (func(string) bool, error) {
	if u.Role == identity.RoleAdmin {
		return func(string) bool { return true }, nil
	}
	s.scopeMu.Lock()
	sc := s.scope
	s.scopeMu.Unlock()
	if sc == nil || (u.Role != identity.RoleBankOfficer && u.Role != identity.RoleBankManager && u.Role != identity.RoleOfficial) {
		return func(string) bool { return false }, nil
	}
	return sc.VisibleEnterprises(ctx, u)
}

// scoped returns it with only the enterprise links vis allows.
func scoped(it Item, vis func(string) bool) Item {
	if len(it.Enterprises) == 0 {
		return it
	}
	out := make([]string, 0, len(it.Enterprises))
	for _, e := range it.Enterprises {
		if vis(e) {
			out = append(out, e)
		}
	}
	it.Enterprises = out
	return it
}
