package app

import (
	"context"
	"time"

	"kedaitong/review/panel"
	"kedaitong/web"
)

// openPanel opens panel assignment over the expert library and the loan
// applications and adds it to a.parts: the service for the web server, and
// a sweep every minute that expires unanswered invitations and invites
// their replacements.
func (a *App) openPanel(ctx context.Context) error {
	svc, err := panel.Open(ctx, a.Store, a.Review, a.Experts, a.Recorder, panel.Options{BankOrgIDs: a.Banks.OrgIDs})
	if err != nil {
		return err
	}
	a.Panel = svc
	a.parts = append(a.parts, part{
		name: "panel",
		run: func(ctx context.Context) {
			t := time.NewTicker(time.Minute)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					if n, err := svc.Sweep(ctx); err != nil {
						a.Logger.Warn("panel sweep", "err", err)
					} else if n > 0 {
						a.Logger.Info("expired unanswered invitations", "expired", n)
					}
				}
			}
		},
		web: func(d *web.Deps) { d.Panel = svc },
	})
	return nil
}
