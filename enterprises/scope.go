package enterprises

import (
	"context"
	"slices"

	"kedaitong/identity"
)

// Facts derived from banks' applications are scoped like the applications:
// that an investor endorsed an application of an enterprise tells whoever
// reads it that the enterprise is some bank's applicant. A bank learns it
// only of its own applicants, an investor only of enterprises it invested
// in; officials (within their region), admins and the experts assigned to
// the enterprise's application see it. A portrait that exists only because
// of an endorsement (no data-hub source yet) is not found for anyone else.

// knowsApplicant reports whether actor, already allowed to read p, may
// learn that the enterprise applied for a loan.
func (s *Service) knowsApplicant(ctx context.Context, actor identity.User, p *Portrait) (bool, error) {
	switch {
	case isAdmin(actor), isOfficial(actor), actor.Role == identity.RoleExpert:
		return true, nil
	case isInvestor(actor):
		_, ok := p.Investments[foldName(actor.Org)]
		return ok, nil
	case isBank(actor) && actor.BankID != "" && s.apps != nil:
		apps, err := s.apps.ByEnterprise(ctx, p.CreditCode, 200)
		if err != nil {
			return false, err
		}
		for _, a := range apps {
			if a.BankID == actor.BankID {
				return true, nil
			}
		}
	}
	return false, nil
}

// scopeEndorsed decides what actor sees of an endorsed portrait: visible
// false means not found; endorsed false means the flag and what the
// portrait took from the application (its route, when the registration
// has none) are hidden. The portrait's name, region and route come from
// the endorsed application until a registration is imported, so without a
// registration it is not found for those who may not know of the
// application.
func (s *Service) scopeEndorsed(ctx context.Context, actor identity.User, p *Portrait) (visible, endorsed bool, err error) {
	if !p.Endorsed {
		return true, false, nil
	}
	knows, err := s.knowsApplicant(ctx, actor, p)
	if err != nil || knows {
		return err == nil, knows, err
	}
	return p.Registration != nil, false, nil
}

// routeFromApplication reports whether p's route was taken from a loan
// application (the registration names none).
func routeFromApplication(p *Portrait) bool {
	return p.AppRoute != "" && (p.Registration == nil || p.Registration.Route == "")
}

// hideEndorsed removes the endorsed flag, and a route taken from the
// application, from a view of p.
func hideEndorsed(v *View, p *Portrait) {
	if routeFromApplication(p) {
		v.Route, v.Industry = "", ""
	}
	v.Endorsed = false
	v.Flags = slices.DeleteFunc(v.Flags, func(f string) bool { return f == FlagEndorsed })
}

// hideEndorsedSummary removes the endorsed flag, and a route taken from
// the application (appRoute), from a list entry.
func hideEndorsedSummary(sm *Summary, appRoute bool) {
	if appRoute {
		sm.Route = ""
	}
	sm.Endorsed = false
	sm.Flags = slices.DeleteFunc(sm.Flags, func(f string) bool { return f == FlagEndorsed })
}
