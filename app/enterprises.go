package app

import (
	"context"
	"fmt"

	"kedaitong"
	"kedaitong/enterprises"
	"kedaitong/identity"
	"kedaitong/review"
	"kedaitong/review/panel"
	"kedaitong/web"
)

// openEnterprises opens the enterprise data hub (after the applications
// and the panels, which it reads) and adds it to a.parts: demo portraits,
// investments and a roadshow on a demo store, the API and pages.
func (a *App) openEnterprises(ctx context.Context) error {
	svc, err := enterprises.Open(ctx, a.Store, a.Recorder)
	if err != nil {
		return err
	}
	svc.SetApplications(hubApps{review: a.Review, panel: a.Panel})
	a.Review.SetHubFlags(svc) // applications show the data hub's flags (dishonest)
	a.Enterprises = svc
	a.parts = append(a.parts, part{
		name: "enterprises",
		seed: func(ctx context.Context, env Env) error {
			if !env.Demo {
				return nil
			}
			official, err := a.Identity.UserByName(ctx, "official.ganzhou")
			if err != nil {
				return fmt.Errorf("demo data hub: %w", err)
			}
			n, err := svc.SeedDemo(ctx, official)
			if err != nil {
				return fmt.Errorf("demo data hub: %w", err)
			}
			fmt.Fprintf(env.Out, "Seeded %d demo enterprise portraits, their investments and a roadshow.\n", n)
			return nil
		},
		web: func(d *web.Deps) { d.Enterprises = svc },
	})
	return nil
}

// hubApps is what the data hub reads of applications and assignments.
type hubApps struct {
	review *review.Service
	panel  *panel.Service
}

var system = identity.User{ID: "system", Username: "system", Role: identity.RoleAdmin}

func (h hubApps) Load(ctx context.Context, id string) (review.Application, error) {
	return h.review.Load(ctx, id)
}

// Get answers for the owning bank, officials of the region and admins, and
// for experts holding a live seat (invited, accepted, submitted) on its panel.
func (h hubApps) Get(ctx context.Context, actor identity.User, id string) (review.Application, error) {
	if actor.Role != identity.RoleExpert {
		v, err := h.review.Get(ctx, actor, id)
		return v.Application, err
	}
	if h.panel != nil {
		seats, _, err := h.panel.List(ctx, actor, panel.Filter{Application: id, Limit: 50})
		if err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
			return review.Application{}, err
		}
		for _, s := range seats {
			if s.State != "declined" && s.State != "expired" {
				return h.review.Load(ctx, id)
			}
		}
	}
	return review.Application{}, kedaitong.Errorf(kedaitong.ENotFound, "no application %q", id).ZHf("没有贷款申请 %q", id)
}

func (h hubApps) ByEnterprise(ctx context.Context, code string, limit int) ([]review.Application, error) {
	vs, _, err := h.review.List(ctx, system, review.Filter{CreditCode: code, Limit: limit})
	if err != nil {
		return nil, err
	}
	out := make([]review.Application, 0, len(vs))
	for _, v := range vs {
		out = append(out, v.Application)
	}
	return out, nil
}

func (h hubApps) AssignedCodes(ctx context.Context, expert identity.User) ([]string, error) {
	if h.panel == nil {
		return nil, nil
	}
	seats, _, err := h.panel.List(ctx, expert, panel.Filter{Limit: 500})
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, s := range seats {
		if s.State == "declined" || s.State == "expired" || seen[s.ApplicationID] {
			continue
		}
		seen[s.ApplicationID] = true
		app, err := h.review.Load(ctx, s.ApplicationID)
		if err != nil {
			continue
		}
		out = append(out, app.CreditCode)
	}
	return out, nil
}
