package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestAsyncLog: INFO lines reach the output within a few flush intervals,
// a WARN line flushes the INFO lines before it and keeps their order, and
// Close leaves nothing buffered.
func TestAsyncLog(t *testing.T) {
	out := &lockedBuf{}
	a := newAsyncLog(out)
	log := newLogger(a, "info")
	log.Info("request", "n", 1)
	log.Info("request", "n", 2)
	deadline := time.Now().Add(2 * time.Second)
	for !strings.Contains(out.String(), `"n":2`) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if !strings.Contains(out.String(), `"n":2`) {
		t.Fatalf("INFO lines not written within 2 s: %q", out.String())
	}
	log.Info("request", "n", 3)
	log.Warn("disk nearly full", "n", 4)
	s := out.String()
	if i, j := strings.Index(s, `"n":3`), strings.Index(s, `"n":4`); i < 0 || j < 0 || i > j {
		t.Fatalf("the warning did not flush the line before it in order: %q", s)
	}
	log.Info("request", "n", 5)
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"n":5`) {
		t.Fatalf("Close left a line buffered: %q", out.String())
	}
	for i, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		if !strings.HasPrefix(line, "{") || !strings.HasSuffix(line, "}") {
			t.Errorf("line %d is not one whole record: %q", i, line)
		}
	}
}
