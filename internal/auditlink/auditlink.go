// Package auditlink connects the domain services' audit events to the
// audit log: it fills in the caller and the request id, and logs (never
// drops silently) an entry the log refused.
package auditlink

import (
	"context"
	"log/slog"

	"kedaitong"
	"kedaitong/audit"
	"kedaitong/identity"
)

// Recorder writes identity.Events to an audit.Log.
type Recorder struct {
	Log    *audit.Log
	Logger *slog.Logger
}

// Record appends the event. A failure to append is logged as an error: the
// action itself already happened and is not undone.
func (r Recorder) Record(ctx context.Context, ev identity.Event) {
	e := audit.Entry{Action: ev.Action, ObjectKind: ev.ObjectKind, ObjectID: ev.ObjectID, Outcome: ev.Outcome,
		RequestID: kedaitong.RequestID(ctx), Region: ev.Region, BankID: ev.BankID, Detail: ev.Detail}
	if e.Outcome == "" {
		e.Outcome = audit.OK
	}
	if ev.Actor != nil {
		e.UserID, e.Username, e.Role = ev.Actor.ID, ev.Actor.Username, ev.Actor.Role
	}
	if _, err := r.Log.Append(context.WithoutCancel(ctx), e); err != nil && r.Logger != nil {
		r.Logger.ErrorContext(ctx, "audit append failed", "err", err, "action", e.Action, "object", e.ObjectKind+"/"+e.ObjectID)
	}
}
