package alerts

import (
	"context"
	"testing"
	"time"

	"kedaitong/identity"
	"kedaitong/internal/store/storetest"
	"kedaitong/riskmap"
)

// An event stored pending whose fan-out a crash cut short is fanned out by
// Recover once it is RecoverAfter old, exactly once per recipient.
func TestEventCutShortIsRecovered(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	clock := time.Date(2026, 3, 10, 12, 0, 0, 0, riskmap.Zone)
	now := func() time.Time { return clock }
	rm, err := riskmap.Open(ctx, st, nil, riskmap.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, st, rm, Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	ev := &event{key: "item:c-1", title: Text{ZH: "出口管制", EN: "Export control"}, routes: []string{}, enterprise: []string{},
		items: []ItemRef{{ID: "it-1"}}, link: "/items?cluster=c-1"}
	ev.toUser("u-1", reason{kind: "rule", text: Text{ZH: "规则命中", EN: "rule matched"}, rule: "r-1"})
	ev.toUser("u-2", reason{kind: "field", text: Text{ZH: "关注领域", EN: "your field"}})
	// The crash: the event is held, one recipient got it, then nothing.
	id, err := s.hold(ctx, ev)
	if err != nil {
		t.Fatal(err)
	}
	partial := *ev
	partial.users = map[string][]reason{"u-1": ev.users["u-1"]}
	if _, err := s.deliver(ctx, &partial); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Recover(ctx); err != nil || n != 0 {
		t.Fatalf("a fresh event was recovered: %d %v", n, err)
	}
	clock = clock.Add(RecoverAfter + time.Second)
	if n, err := s.Recover(ctx); err != nil || n != 1 {
		t.Fatalf("recover put %d alerts in inboxes (%v), want the missing one", n, err)
	}
	if n, err := s.Recover(ctx); err != nil || n != 0 {
		t.Fatalf("second recover: %d %v", n, err)
	}
	for _, u := range []string{"u-1", "u-2"} {
		user := identity.User{ID: u, Role: identity.RoleAnalyst}
		if c, err := s.Unread(ctx, user); err != nil || c != 1 {
			t.Errorf("%s unread = %d %v, want 1", u, c, err)
		}
	}
	if _, err := s.events.Get(ctx, id, nil); err == nil {
		t.Error("the recovered event is still held")
	}
}
