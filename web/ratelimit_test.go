package web

import (
	"testing"
	"time"
)

func TestRateLimiter(t *testing.T) {
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	l := newRateLimiter(2, 4)
	l.now = func() time.Time { return now }
	for i := 0; i < 4; i++ {
		if ok, _ := l.allow("1.2.3.4"); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, wait := l.allow("1.2.3.4")
	if ok || wait <= 0 || wait > time.Second {
		t.Fatalf("5th request: ok %v wait %v, want refused with a wait under 1 s", ok, wait)
	}
	if ok, _ := l.allow("5.6.7.8"); !ok {
		t.Error("another client was limited")
	}
	now = now.Add(500 * time.Millisecond) // one token back at 2/s
	if ok, _ := l.allow("1.2.3.4"); !ok {
		t.Error("no token after half a second")
	}
	if ok, _ := l.allow("1.2.3.4"); ok {
		t.Error("two tokens after half a second")
	}
	now = now.Add(10 * time.Minute)
	l.allow("9.9.9.9") // sweeps
	if _, kept := l.buckets["1.2.3.4"]; kept {
		t.Error("an idle client's bucket was kept")
	}
}
