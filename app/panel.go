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
			a.every(ctx, time.Minute, "expired unanswered invitations", svc.Sweep)
		},
		web: func(d *web.Deps) { d.Panel = svc },
	})
	return nil
}
