package notify_test

import (
	"context"
	"testing"

	"kedaitong/internal/store/storetest"
	"kedaitong/notify"
)

// TestMarkObjectRead: opening an object reads only that object's
// notifications, only the user's own, and keeps the unread counter right.
func TestMarkObjectRead(t *testing.T) {
	ctx := context.Background()
	s, err := notify.Open(ctx, storetest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	send := func(user, obj string) {
		t.Helper()
		if _, err := s.Send(ctx, notify.Audience{UserIDs: []string{user}}, notify.Message{Kind: "consultation.answered",
			Title: notify.Text{ZH: "已答复", EN: "Answered"}, ObjectKind: "consultation", ObjectID: obj, Link: "/consultations/" + obj}); err != nil {
			t.Fatal(err)
		}
	}
	send("u1", "con-1")
	send("u1", "con-1")
	send("u1", "con-2")
	send("u2", "con-1")
	n, err := s.MarkObjectRead(ctx, "u1", "consultation", "con-1")
	if err != nil || n != 2 {
		t.Fatalf("marked %d, %v; want 2", n, err)
	}
	if got, _ := s.Unread(ctx, "u1"); got != 1 {
		t.Errorf("u1 unread = %d, want 1 (con-2)", got)
	}
	if got, _ := s.Unread(ctx, "u2"); got != 1 {
		t.Errorf("u2 unread = %d, want 1: another user's notification was touched", got)
	}
	if n, _ := s.MarkObjectRead(ctx, "u1", "consultation", "con-1"); n != 0 {
		t.Errorf("second open marked %d, want 0", n)
	}
}
