package app

import (
	"context"
	"fmt"

	"kedaitong"
	"kedaitong/enterprises"
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
	if a.Enterprises != nil { // the data hub: dishonesty lists and investors' risk shares
		svc.SetDishonesty(a.Enterprises)
		svc.SetRiskShare(riskShare{a.Enterprises})
	}
	if a.Recorder.Observers != nil {
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
		web: func(d *web.Deps) { d.Fund = svc },
	})
	return nil
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
