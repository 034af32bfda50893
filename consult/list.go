package consult

import (
	"context"
	"slices"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store"
)

// Filter narrows a list; it never widens what the caller may see.
type Filter struct {
	State   string
	Route   string // a route or an industry
	Urgency string
	// Rerouted keeps only consultations re-routed because nobody accepted
	// them in time (what officials watch).
	Rerouted bool
	Limit    int // 1..500, default 50
	Cursor   string
}

// maxScan bounds the documents one list call examines; a page may be short
// (with a cursor to go on) when the filters match few of them.
const maxScan = 2000

func (f *Filter) validate(s *Service) error {
	if f.State != "" && !slices.Contains(States, f.State) {
		return kedaitong.Invalid("state", "one of open, accepted, answered, followup, closed").ZHf("状态只能是 open、accepted、answered、followup、closed 之一")
	}
	if f.Route != "" && !s.tax.IsField(f.Route) {
		return kedaitong.Invalid("route", "%q is neither a technical route nor an industry", f.Route).ZHf("%q 既不是技术路线也不是行业", f.Route)
	}
	if f.Urgency != "" && f.Urgency != UrgencyNormal && f.Urgency != UrgencyUrgent {
		return kedaitong.Invalid("urgency", "normal or urgent").ZHf("紧急程度只能是 normal（普通）或 urgent（紧急）")
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	if f.Limit < 1 || f.Limit > 500 {
		return kedaitong.Invalid("limit", "must be a whole number from 1 to 500").ZHf("条数（limit）应为 1 到 500 的整数")
	}
	return nil
}

func (f *Filter) matches(c *Consultation) bool {
	return (f.State == "" || c.State == f.State) && (f.Urgency == "" || c.Urgency == f.Urgency) &&
		(f.Route == "" || c.Route == f.Route || c.Industry == f.Route) && (!f.Rerouted || c.Rerouted)
}

// List returns the consultations u may see, newest first.
func (s *Service) List(ctx context.Context, u identity.User, f Filter) ([]View, string, error) {
	if err := f.validate(s); err != nil {
		return nil, "", err
	}
	if u.Role == identity.RoleExpert {
		return s.listExpert(ctx, u, f)
	}
	q := store.Query{Sort: "created_ms", Desc: true, After: f.Cursor}
	switch {
	case u.Role == identity.RoleAdmin:
	case identity.IsBankRole(u.Role) && u.BankID != "":
		q.Eq = map[string]any{"bank_id": u.BankID}
	case u.Role == identity.RoleOfficial && identity.ValidRegion(u.Region):
		switch len(u.Region) {
		case 4:
			q.Eq = map[string]any{"city": u.Region}
		case 6:
			q.Eq = map[string]any{"region": u.Region}
		}
	default:
		return nil, "", kedaitong.Errorf(kedaitong.EForbidden, "your role does not see consultations").ZHf("您的角色无法查看咨询")
	}
	filtered := f.State != "" || f.Route != "" || f.Urgency != "" || f.Rerouted
	q.Limit = f.Limit
	if filtered {
		q.Limit = min(maxScan, max(f.Limit*4, 200))
	}
	docs, next, err := store.FindMatching(ctx, s.cons, q, f.Limit, maxScan, func(d store.Doc) (bool, error) {
		var c Consultation
		if err := d.Decode(&c); err != nil {
			return false, err
		}
		return f.matches(&c) && CanRead(u, &c), nil
	})
	if err != nil {
		return nil, "", err
	}
	out := make([]View, 0, len(docs))
	for _, d := range docs {
		var c Consultation
		if err := d.Decode(&c); err != nil {
			return nil, "", err
		}
		out = append(out, s.view(u, c, d.Version))
	}
	return out, next, nil
}

// listExpert lists through the expert's links, re-checking each.
func (s *Service) listExpert(ctx context.Context, u identity.User, f Filter) ([]View, string, error) {
	out := []View{}
	if u.ExpertID == "" {
		return out, "", nil
	}
	q := store.Query{Eq: map[string]any{"expert_id": u.ExpertID}, Sort: "created_ms", Desc: true, Limit: f.Limit + 20, After: f.Cursor}
	type loaded struct {
		c   Consultation
		ver int64
	}
	byLink := map[string]loaded{}
	docs, next, err := store.FindMatching(ctx, s.links, q, f.Limit, maxScan, func(d store.Doc) (bool, error) {
		var l link
		if err := d.Decode(&l); err != nil {
			return false, err
		}
		c, ver, err := s.load(ctx, l.ConsultationID)
		if kedaitong.Is(err, kedaitong.ENotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if !f.matches(&c) || !CanRead(u, &c) {
			return false, nil
		}
		byLink[d.ID] = loaded{c, ver}
		return true, nil
	})
	if err != nil {
		return nil, "", err
	}
	for _, d := range docs {
		l := byLink[d.ID]
		out = append(out, s.view(u, l.c, l.ver))
	}
	return out, next, nil
}

func storeFirst() store.Query { return store.Query{Sort: "created_ms", Limit: 1} }
