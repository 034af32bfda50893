package app

import (
	"context"
	"fmt"
	"time"

	"kedaitong/identity"
	"kedaitong/notify"
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
	a.Recorder.Observers.Add(a.notifyInvitation)
	a.parts = append(a.parts, part{
		name: "panel",
		run: func(ctx context.Context) {
			a.every(ctx, time.Minute, "expired unanswered invitations", svc.Sweep)
		},
		web: func(d *web.Deps) { d.Panel = svc },
	})
	return nil
}

// notifyInvitation tells an invited expert, in the inbox, that a panel seat
// waits for an answer: the enterprise, the route and the deadline, with a
// link to the invitations (where the brief helps check for a conflict).
func (a *App) notifyInvitation(ctx context.Context, ev identity.Event) {
	if ev.Action != "assignment.invite" || a.Notify == nil {
		return
	}
	expertID, _ := ev.Detail["expert_id"].(string)
	appID, _ := ev.Detail["application_id"].(string)
	if expertID == "" {
		return
	}
	name := ""
	if app, err := a.Review.Load(ctx, appID); err == nil {
		name = app.Enterprise.Name
	}
	due := ""
	if t, err := time.Parse(time.RFC3339, fmt.Sprint(ev.Detail["due"])); err == nil {
		due = t.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04")
	}
	m := notify.Message{Kind: "assignment.invited", Link: "/assignments", ObjectKind: "assignment", ObjectID: ev.ObjectID,
		Title: notify.Text{ZH: "新的评审邀请：" + name, EN: "A new review invitation: " + name},
		Body:  notify.Text{ZH: "请在 " + due + "（北京时间）前接受或拒绝。", EN: "Accept or decline by " + due + " (Beijing time)."}}
	if _, err := a.Notify.Send(ctx, notify.Audience{ExpertIDs: []string{expertID}}, m); err != nil {
		a.Logger.Warn("notify an invitation", "assignment", ev.ObjectID, "err", err)
	}
}
