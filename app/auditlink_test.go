package app

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"kedaitong"
	"kedaitong/audit"
	"kedaitong/identity"
	"kedaitong/internal/store/storetest"
)

// An entry the store cannot take is retried, logged with its content and
// reported as not ready until an entry is written again.
func TestRecorderReportsUnwrittenEntries(t *testing.T) {
	ctx := context.Background()
	saved := auditRetries
	auditRetries = auditRetries[:1]
	t.Cleanup(func() { auditRetries = saved })

	broken := storetest.New(t)
	blog, err := audit.Open(ctx, broken)
	if err != nil {
		t.Fatal(err)
	}
	broken.Close() // every append now fails
	var logged bytes.Buffer
	h := &AuditHealth{}
	r := Recorder{Log: blog, Logger: slog.New(slog.NewTextHandler(&logged, nil)), Health: h}
	if err := h.Check(ctx); err != nil {
		t.Fatalf("healthy before any failure: %v", err)
	}
	r.Record(ctx, identity.Event{Action: "loan.register", ObjectKind: "loan", ObjectID: "L1", Actor: &identity.User{ID: "u1", Username: "gzbank.officer", Role: "bank_officer"}})
	err = h.Check(ctx)
	if kedaitong.ErrorCode(err) != kedaitong.EUnavailable {
		t.Fatalf("after a failed append Check = %v, want unavailable", err)
	}
	if !strings.Contains(logged.String(), "audit append failed") || !strings.Contains(logged.String(), "gzbank.officer") || !strings.Contains(logged.String(), "L1") {
		t.Errorf("the failure was not logged with its entry:\n%s", logged.String())
	}

	good := storetest.New(t)
	glog, err := audit.Open(ctx, good)
	if err != nil {
		t.Fatal(err)
	}
	r.Log = glog
	r.Record(ctx, identity.Event{Action: "loan.repay", ObjectKind: "loan", ObjectID: "L1"})
	if err := h.Check(ctx); err != nil {
		t.Fatalf("after an entry was written again Check = %v", err)
	}
	if rep, err := glog.Verify(ctx); err != nil || !rep.Intact || rep.Entries != 1 {
		t.Fatalf("verify = %v, %v", rep, err)
	}
}
