package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"kedaitong"
	"kedaitong/enterprises"
	"kedaitong/experts"
	"kedaitong/fund"
	"kedaitong/identity"
	"kedaitong/web"
)

// openFund opens the risk-compensation fund (after the applications) and
// adds it to a.parts: demo pools, loans, a default and a claim on a demo
// store, the re-review outcomes fed into its tech-success KPI (as an
// observer of rereview.conclude), and its API and pages.
func (a *App) openFund(ctx context.Context) error {
	svc, err := fund.Open(ctx, a.Store, a.Review, a.Notify, a.Recorder)
	if err != nil {
		return err
	}
	a.Fund = svc
	if a.Experts != nil { // evaluation panels: active experts of the loan's route, then of its industry, without conflicts
		svc.SetExpertFinder(func(ctx context.Context, route, bankID, creditCode string, n int) ([]string, []string, error) {
			sys := identity.User{ID: "system", Username: "system", Role: identity.RoleAdmin}
			today := time.Now().In(beijing).Format("2006-01-02")
			parties := map[string]bool{"org:" + creditCode: true}
			if a.Banks != nil {
				for _, o := range a.Banks.OrgIDs(bankID) {
					parties[o] = true
				}
			}
			var ids, tiers []string
			seen := map[string]bool{}
			fields := []string{route}
			if i := strings.IndexByte(route, '.'); i > 0 {
				fields = append(fields, route[:i])
			}
			for _, field := range fields {
				found, _, err := a.Experts.Search(ctx, sys, experts.Filter{Field: field, Status: experts.StatusActive, AvailableOn: today, Limit: 100})
				if err != nil {
					return nil, nil, err
				}
			next:
				for _, x := range found {
					if seen[x.ID] {
						continue
					}
					for _, o := range x.Affiliations() {
						if parties[o] {
							continue next
						}
					}
					seen[x.ID] = true
					ids, tiers = append(ids, x.ID), append(tiers, x.Tier)
					if len(ids) == n {
						return ids, tiers, nil
					}
				}
			}
			return ids, tiers, nil
		})
	}
	if a.Banks != nil { // banks by their registered names in the fund's notifications
		sys := identity.User{ID: "system", Username: "system", Role: identity.RoleAdmin}
		svc.SetBankNamer(func(ctx context.Context, id string) string {
			if b, err := a.Banks.Get(ctx, sys, id); err == nil {
				return b.Name
			}
			return ""
		})
	}
	if a.Enterprises != nil { // the data hub: dishonesty lists, key list, docking and investors' risk shares
		h := fundHub{a.Enterprises}
		svc.SetDishonesty(h)
		svc.SetHub(h)
		svc.SetRiskShare(riskShare{a.Enterprises})
	}
	if a.Recorder.Observers != nil {
		// The KPIs' key-list and docking figures are cached briefly: an
		// import or a docking change drops them at once.
		a.Recorder.Observers.Add(func(ctx context.Context, ev identity.Event) {
			if strings.HasPrefix(ev.Action, "datahub.") || strings.HasPrefix(ev.Action, "docking.") {
				svc.ForgetHubFigures()
			}
		})
		a.Recorder.Observers.Add(func(ctx context.Context, ev identity.Event) {
			if ev.Action != "rereview.conclude" || ev.ObjectID == "" {
				return
			}
			exit, _ := ev.Detail["exit"].(bool)
			if err := svc.RecordRereview(ctx, ev.ObjectID, exit); err != nil {
				a.Logger.Warn("fund: re-review outcome not counted", "application_id", ev.ObjectID, "err", err)
			}
		})
	}
	a.parts = append(a.parts, part{
		name: "fund",
		seed: func(ctx context.Context, env Env) error {
			if !env.Demo {
				return nil
			}
			users := map[string]identity.User{}
			for _, n := range fund.DemoUsers {
				n.Password = identity.DemoPassword
				if _, err := a.Identity.CreateUser(ctx, nil, n); err != nil && !kedaitong.Is(err, kedaitong.EConflict) {
					return fmt.Errorf("demo fund user %s: %w", n.Username, err)
				}
			}
			for _, name := range []string{"official.lianhua", "official.fuzhou", "gzbank.officer", "ncbank.officer"} {
				u, err := a.Identity.UserByName(ctx, name)
				if err != nil {
					return fmt.Errorf("demo fund: %w", err)
				}
				users[name] = u
			}
			n, err := svc.SeedDemo(ctx, users["official.lianhua"], users["official.fuzhou"], users["gzbank.officer"], users["ncbank.officer"])
			if err != nil {
				return fmt.Errorf("demo fund: %w", err)
			}
			fmt.Fprintf(env.Out, "Seeded the risk-compensation fund: Lianhua County and Fuzhou pools, %d loans (log in as official.lianhua or official.fuzhou, password %s).\n", n, identity.DemoPassword)
			return nil
		},
		run: func(ctx context.Context) { a.runFund(ctx, svc) },
		web: func(d *web.Deps) { d.Fund = svc },
	})
	return nil
}

// runFund is the fund's background work: at start and every ten seconds
// it repairs multi-step changes a crash left half-done (fund.Repair: each
// is finished or rolled back, so a pool's money, its loans and its claims
// agree again; see the fund package's documentation); every minute it
// expires evaluation seats past their due date (replacing them where
// another expert of the route is left); every five seconds it clears
// the intents of changes committed here (fund.ClearCommitted).
func (a *App) runFund(ctx context.Context, svc *fund.Service) {
	repair := func() {
		if n, err := svc.Repair(ctx, fund.RepairGrace); err != nil {
			if ctx.Err() == nil {
				a.Logger.Warn("fund: repairing half-done changes", "err", err)
			}
		} else if n > 0 {
			a.Logger.Info("fund: repaired half-done changes", "count", n)
		}
	}
	step := func() {
		if n, err := svc.SweepSeats(ctx); err != nil {
			if ctx.Err() == nil {
				a.Logger.Warn("fund: expiring evaluation seats", "err", err)
			}
		} else if n > 0 {
			a.Logger.Info("fund: expired evaluation seats", "count", n)
		}
	}
	repair()
	step()
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	rep := time.NewTicker(10 * time.Second) // repairs: a crash's half-done change waits at most the grace and this
	defer rep.Stop()
	clear := time.NewTicker(5 * time.Second) // committed changes' intents, in one write per pool
	defer clear.Stop()
	for {
		select {
		case <-ctx.Done():
			svc.Flush()
			return
		case <-t.C:
			step()
		case <-rep.C:
			repair()
		case <-clear.C:
			if _, err := svc.ClearCommitted(ctx); err != nil && ctx.Err() == nil {
				a.Logger.Warn("fund: clearing committed intents", "err", err)
			}
		}
	}
}

// fundHub adapts the data hub to the fund: an enterprise's standing
// (dishonest, on the key list) in one read, the key-list count and the
// docking conversion of a region.
type fundHub struct{ ent *enterprises.Service }

func (h fundHub) Standing(ctx context.Context, code string) (dishonest, keyListed bool, err error) {
	v, ok, err := h.ent.Portrait(ctx, code)
	if err != nil || !ok {
		return false, false, err
	}
	for _, f := range v.Flags {
		switch f {
		case enterprises.FlagDishonest:
			dishonest = true
		case enterprises.FlagKeyProject, enterprises.FlagSpecialised:
			keyListed = true
		}
	}
	return dishonest, keyListed, nil
}

func (h fundHub) Dishonest(ctx context.Context, code string) (bool, error) {
	return h.ent.Dishonest(ctx, code)
}

func (h fundHub) KeyListed(ctx context.Context, code string) (bool, error) {
	_, kl, err := h.Standing(ctx, code)
	return kl, err
}

func (h fundHub) KeyListCount(ctx context.Context, region string) (int, error) {
	return h.ent.KeyListCount(ctx, region)
}

func (h fundHub) DockingStats(ctx context.Context, region string) (int, int, error) {
	return h.ent.DockingStats(ctx, region)
}

// riskShare adapts the data hub's endorsements to the fund's RiskShare.
type riskShare struct{ ent *enterprises.Service }

func (r riskShare) RiskSharePct(ctx context.Context, applicationID, _ string) (int64, error) {
	if applicationID == "" {
		return 0, nil
	}
	n, err := r.ent.RiskSharePct(ctx, applicationID)
	return int64(n), err
}

var beijing = time.FixedZone("CST", 8*3600)
