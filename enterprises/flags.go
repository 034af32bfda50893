package enterprises

import (
	"context"
	"fmt"
	"sort"

	"kedaitong/review"
	"kedaitong/taxonomy"
)

// EnterpriseFlags returns the data hub's flags on an enterprise as loan
// applications show them (review.HubFlags): "dishonest" while it is on a
// dishonesty list not lifted, with each list and its date as reasons. None
// when the hub does not know the enterprise.
func (s *Service) EnterpriseFlags(ctx context.Context, creditCode string) ([]review.Flag, error) {
	p, exists, err := s.readPortrait(ctx, review.NormalizeCreditCode(creditCode))
	if err != nil || !exists {
		return nil, err
	}
	var active []Listing
	for _, l := range p.Listings {
		if l.LiftedOn == "" {
			active = append(active, l)
		}
	}
	if len(active) == 0 {
		return nil, nil
	}
	sort.Slice(active, func(i, j int) bool { return active[i].ListedOn > active[j].ListedOn })
	f := review.Flag{Code: review.FlagDishonest, Title: taxonomy.Text{ZH: "失信企业：不得登记风险补偿贷款", EN: "Dishonest enterprise: no loan can be registered for it"},
		Signals: []string{"dishonesty_list"}}
	for _, l := range active {
		f.Reasons = append(f.Reasons, taxonomy.Text{
			ZH: fmt.Sprintf("%s 被列入“%s”，尚未移出", l.ListedOn, l.List),
			EN: fmt.Sprintf("listed on \"%s\" on %s, not lifted", l.List, l.ListedOn)})
	}
	return []review.Flag{f}, nil
}
