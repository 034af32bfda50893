package panel

import (
	"context"
	"strings"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/review"
)

// Filter narrows a list of assignments; it never widens what the caller
// may see.
type Filter struct {
	Application string
	State       string
	Limit       int
	Cursor      string
}

// List returns the assignments the actor may see, newest first: an expert
// its own, an official those of applications in its region, an admin all.
func (s *Service) List(ctx context.Context, actor identity.User, f Filter) ([]Assignment, string, error) {
	f.Application, f.State = strings.TrimSpace(f.Application), strings.TrimSpace(f.State)
	if f.State != "" && !ValidState(f.State) {
		return nil, "", kedaitong.Invalid("state", "one of invited, accepted, declined, expired, submitted").ZHf("状态只能是 invited、accepted、declined、expired、submitted 之一")
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	eq := map[string]any{}
	check := func(a *Assignment) bool { return true }
	switch {
	case actor.Role == identity.RoleExpert && actor.ExpertID != "":
		eq["expert_id"] = actor.ExpertID
		if f.Application != "" {
			app := f.Application
			check = func(a *Assignment) bool { return a.ApplicationID == app }
		}
	case manages(actor):
		if actor.Role == identity.RoleOfficial && !identity.ValidRegion(actor.Region) {
			return nil, "", kedaitong.Errorf(kedaitong.EForbidden, "your account has no region").ZHf("您的账户没有所属地区")
		}
		if f.Application != "" {
			a, err := s.review.Get(ctx, actor, f.Application)
			if kedaitong.Is(err, kedaitong.ENotFound) {
				return []Assignment{}, "", nil // an application the caller may not see has no assignments for it
			}
			if err != nil {
				return nil, "", err
			}
			eq["application_id"] = a.ID
		} else if actor.Role == identity.RoleOfficial {
			switch len(actor.Region) {
			case 4:
				eq["city"] = actor.Region
			case 6:
				eq["region"] = actor.Region
			}
		}
	default:
		return nil, "", kedaitong.Errorf(kedaitong.EForbidden, "your role does not see panel assignments").ZHf("您的角色无法查看评审任务")
	}
	if f.State != "" {
		if _, byApp := eq["application_id"]; byApp {
			st := f.State
			prev := check
			check = func(a *Assignment) bool { return prev(a) && a.State == st }
		} else {
			eq["state"] = f.State
		}
	}
	q := store.Query{Eq: eq, Sort: "created_ms", Desc: true, Limit: limit, After: f.Cursor}
	out := []Assignment{}
	for scanned := 0; ; {
		page, err := s.assignments.Find(ctx, q)
		if err != nil {
			return nil, "", err
		}
		for i, d := range page.Docs {
			scanned++
			var a Assignment
			if err := d.Decode(&a); err != nil {
				return nil, "", err
			}
			if a, _, err = s.settle(ctx, a, d.Version); err != nil {
				return nil, "", err
			}
			if !check(&a) {
				continue
			}
			out = append(out, a)
			if len(out) == limit {
				next := ""
				if page.Next != "" || i < len(page.Docs)-1 {
					if next, err = store.EncodeCursor(a.CreatedMS, a.ID); err != nil {
						return nil, "", err
					}
				}
				return out, next, nil
			}
		}
		if page.Next == "" || scanned >= 5000 {
			return out, page.Next, nil
		}
		q.After = page.Next
	}
}

// Get returns one assignment as the actor may see it.
func (s *Service) Get(ctx context.Context, actor identity.User, id string) (Assignment, error) {
	a, _, err := s.load(ctx, id)
	if err != nil {
		return a, err
	}
	switch {
	case actor.Role == identity.RoleExpert && actor.ExpertID != "" && actor.ExpertID == a.ExpertID:
		return a, nil
	case actor.Role == identity.RoleAdmin:
		return a, nil
	case actor.Role == identity.RoleOfficial && identity.RegionCovers(actor.Region, a.Region):
		return a, nil
	}
	return Assignment{}, notFound(id)
}

// View is an application's panel as officials see it: the seat holders and
// refusals with names, who the last solve considered and why each excluded
// expert was excluded, and the shortfalls.
type View struct {
	ApplicationID string         `json:"application_id"`
	State         string         `json:"application_state"`
	Seats         map[string]int `json:"seats"`
	Open          int            `json:"open"`
	Members       []MemberView   `json:"members"`
	Refused       []RefusalView  `json:"refused"`
	Considered    []Candidate    `json:"considered"`
	Shortfalls    []Shortfall    `json:"shortfalls"`
	LastRunID     string         `json:"last_run_id,omitempty"`
	Started       bool           `json:"started"`               // false until a run has looked at the application
	Adjudicator   string         `json:"adjudicator,omitempty"` // the adjudicating seat's assignment id
}

// MemberView is a seat holder with its assignment's state.
type MemberView struct {
	Member
	Name  string `json:"name"`
	State string `json:"state"`
	Due   string `json:"due"`
}

// RefusalView is a refusal with the expert's name.
type RefusalView struct {
	Refusal
	Name string `json:"name"`
}

// Panel returns the panel of an application for officials (of its region)
// and admins; anyone else, and an application the caller may not see, is
// not found.
func (s *Service) Panel(ctx context.Context, actor identity.User, applicationID string) (View, error) {
	if !manages(actor) {
		return View{}, kedaitong.Errorf(kedaitong.ENotFound, "no application %q", applicationID).ZHf("没有贷款申请 %q", applicationID)
	}
	app, err := s.review.Get(ctx, actor, applicationID)
	if err != nil {
		return View{}, err
	}
	v := View{ApplicationID: app.ID, State: app.State, Seats: s.opts.Seats, Members: []MemberView{}, Refused: []RefusalView{},
		Considered: []Candidate{}, Shortfalls: []Shortfall{}}
	var p Panel
	_, err = s.panels.Get(ctx, app.ID, &p)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		for _, n := range v.Seats {
			v.Open += n
		}
		return v, nil
	}
	if err != nil {
		return View{}, err
	}
	v.Started, v.Seats, v.Open, v.LastRunID = true, p.Seats, p.Open, p.LastRunID
	v.Adjudicator = p.Adjudicator
	names := map[string]string{}
	for _, c := range p.Considered {
		names[c.ExpertID] = c.Name
	}
	name := func(id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		e, err := s.experts.Profile(ctx, id)
		if err != nil {
			return id
		}
		names[id] = e.Name
		return e.Name
	}
	for _, m := range p.Members {
		mv := MemberView{Member: m, Name: name(m.ExpertID)}
		if a, _, err := s.load(ctx, m.AssignmentID); err == nil {
			mv.State, mv.Due = a.State, a.Due.Format("2006-01-02 15:04")
		}
		v.Members = append(v.Members, mv)
	}
	for _, r := range p.Refused {
		v.Refused = append(v.Refused, RefusalView{Refusal: r, Name: name(r.ExpertID)})
	}
	if p.Considered != nil {
		v.Considered = p.Considered
	}
	if p.Shortfalls != nil {
		v.Shortfalls = p.Shortfalls
	}
	return v, nil
}

// ApplicationOf is a small helper for pages: the application an official
// may see.
func (s *Service) ApplicationOf(ctx context.Context, actor identity.User, id string) (review.View, error) {
	return s.review.Get(ctx, actor, id)
}
