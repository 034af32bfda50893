// The audit recorder connects the domain services' audit events to the
// audit log: it fills in the caller and the request id, and logs (never
// drops silently) an entry the log refused.

package app

import (
	"context"
	"log/slog"
	"sync"

	"kedaitong"
	"kedaitong/audit"
	"kedaitong/identity"
)

// Recorder writes identity.Events to an audit.Log.
type Recorder struct {
	Log    *audit.Log
	Logger *slog.Logger
	// Observers, when set, are told of every event after it was appended
	// (counters kept on write, such as the officials' dashboard).
	Observers *Observers
}

// Observer is told of an event after the action happened.
type Observer func(ctx context.Context, ev identity.Event)

// Observers is a list of observers that can grow after the Recorder (a
// value) was handed to the services.
type Observers struct {
	mu   sync.RWMutex
	list []Observer
}

// Add appends an observer.
func (o *Observers) Add(f Observer) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.list = append(o.list, f)
}

func (o *Observers) notify(ctx context.Context, ev identity.Event) {
	if o == nil {
		return
	}
	o.mu.RLock()
	list := o.list
	o.mu.RUnlock()
	for _, f := range list {
		f(ctx, ev)
	}
}

// Record appends the event. A failure to append is logged as an error: the
// action itself already happened and is not undone. On a full disk this
// does not happen for actions: the store refuses ordinary writes ("storage
// is full") while it still has a reserve of space, which the audit log's
// entries of done actions (outcome ok) may use — see store.Essential.
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
	r.Observers.notify(context.WithoutCancel(ctx), ev)
}
