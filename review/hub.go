package review

import "context"

// FlagDishonest is the data hub's flag on an application whose enterprise is
// on a dishonesty list and not lifted.
const FlagDishonest = "dishonest"

// HubFlags is what applications read of the enterprise data hub (package
// enterprises, wired by the server): flags on the enterprise, explained as
// pre-screen flags are. Nil without a data hub.
type HubFlags interface {
	// EnterpriseFlags returns the data hub's flags on the enterprise with
	// the credit code (none when the hub does not know it).
	EnterpriseFlags(ctx context.Context, creditCode string) ([]Flag, error)
}

// SetHubFlags wires the data hub (once, before the service is used).
func (s *Service) SetHubFlags(h HubFlags) { s.hub = h }

// hubFlags adds the data hub's flags to a view: Dishonest, and the flags
// after the pre-screen ones (they are not stored: a lifted listing stops
// flagging at once).
func (s *Service) hubFlags(ctx context.Context, v *View) error {
	if s.hub == nil || v.CreditCode == "" {
		return nil
	}
	flags, err := s.hub.EnterpriseFlags(ctx, v.CreditCode)
	if err != nil {
		return err
	}
	for _, f := range flags {
		if f.Code == FlagDishonest {
			v.Dishonest = true
		}
	}
	if len(flags) > 0 {
		v.Flags = append(append([]Flag{}, v.Flags...), flags...)
	}
	return nil
}
