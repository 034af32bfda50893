// The audit recorder connects the domain services' audit events to the
// audit log: it fills in the caller and the request id, retries an append
// the store refused for a passing reason, and when an entry still cannot
// be written it logs it (never drops silently) and marks the server not
// ready until an entry is written again (AuditHealth).

package app

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

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
	// Health, when set, records whether the last entry could be written;
	// the server's readiness reads it.
	Health *AuditHealth
}

// AuditHealth remembers a failure to write an audit entry until an entry
// is written again. Readiness (/readyz) fails meanwhile, so a load
// balancer sends writes elsewhere and the operator sees it.
type AuditHealth struct {
	failedAt atomic.Int64 // unix nanoseconds of the unresolved failure; 0 = healthy
}

// Check is nil while audit entries are being written, else EUnavailable.
func (h *AuditHealth) Check(context.Context) error {
	if h == nil {
		return nil
	}
	if at := h.failedAt.Load(); at != 0 {
		return kedaitong.Errorf(kedaitong.EUnavailable, "the audit log could not be written since %s; actions are not being recorded",
			time.Unix(0, at).UTC().Format(time.RFC3339)).ZHf("审计日志自 %s 起无法写入，操作未被记录", time.Unix(0, at).In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04:05"))
	}
	return nil
}

func (h *AuditHealth) set(err error) {
	if h == nil {
		return
	}
	if err == nil {
		h.failedAt.Store(0)
	} else {
		h.failedAt.CompareAndSwap(0, time.Now().UnixNano())
	}
}

// auditRetries are the waits before each further attempt at an append the
// store refused for a reason other than the entry itself.
var auditRetries = []time.Duration{20 * time.Millisecond, 100 * time.Millisecond, 500 * time.Millisecond}

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

// Record appends the event. A failure to append is retried, then logged
// with the whole entry and reported by Health: the action itself already
// happened and is not undone. On a full disk this
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
	actx := context.WithoutCancel(ctx)
	_, err := r.Log.Append(actx, e)
	for i := 0; err != nil && i < len(auditRetries) && kedaitong.ErrorCode(err) != kedaitong.EInvalid; i++ {
		time.Sleep(auditRetries[i])
		_, err = r.Log.Append(actx, e)
	}
	r.Health.set(err)
	if err != nil && r.Logger != nil {
		r.Logger.ErrorContext(ctx, "audit append failed", "err", err, "action", e.Action, "object", e.ObjectKind+"/"+e.ObjectID,
			"actor", e.Username, "outcome", e.Outcome, "detail", e.Detail)
	}
	r.Observers.notify(context.WithoutCancel(ctx), ev)
}
