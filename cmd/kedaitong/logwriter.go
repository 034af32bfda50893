package main

import (
	"bytes"
	"io"
	"sync"
	"time"
)

// asyncLog is the server's log output: INFO and DEBUG lines (the access
// log: one a request) are appended to a buffer and written by a background
// goroutine every few milliseconds, so a busy server's requests do not queue
// on the logger's lock while one of them waits on a write to stderr (a slow
// pipe reader, a terminal). WARN and ERROR lines flush what is buffered and
// are written at once, in order. The buffer is bounded: past maxBuffered a
// writer flushes it itself rather than grow it. Close flushes and stops.
// A kill -9 loses at most the last flushEvery of INFO lines.
type asyncLog struct {
	out  io.Writer
	mu   sync.Mutex // guards buf
	buf  []byte
	wmu  sync.Mutex // one write to out at a time, in order
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

const (
	flushEvery  = 10 * time.Millisecond
	maxBuffered = 1 << 20
)

func newAsyncLog(out io.Writer) *asyncLog {
	a := &asyncLog{out: out, stop: make(chan struct{}), done: make(chan struct{})}
	go a.loop()
	return a
}

var infoLevels = [][]byte{[]byte(`"level":"INFO"`), []byte(`"level":"DEBUG"`), []byte("level=INFO"), []byte("level=DEBUG")}

// quiet reports whether a line is INFO or DEBUG (its level is near its start).
func quiet(p []byte) bool {
	head := p[:min(len(p), 96)]
	for _, l := range infoLevels {
		if bytes.Contains(head, l) {
			return true
		}
	}
	return false
}

func (a *asyncLog) Write(p []byte) (int, error) {
	if !quiet(p) {
		a.flush()
		a.wmu.Lock()
		defer a.wmu.Unlock()
		return a.out.Write(p)
	}
	a.mu.Lock()
	a.buf = append(a.buf, p...)
	full := len(a.buf) >= maxBuffered
	a.mu.Unlock()
	if full {
		a.flush()
	}
	return len(p), nil
}

// flush writes what is buffered.
func (a *asyncLog) flush() {
	a.wmu.Lock()
	defer a.wmu.Unlock()
	a.mu.Lock()
	b := a.buf
	a.buf = nil
	a.mu.Unlock()
	if len(b) > 0 {
		_, _ = a.out.Write(b)
	}
}

func (a *asyncLog) loop() {
	defer close(a.done)
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			a.flush()
		case <-a.stop:
			a.flush()
			return
		}
	}
}

// Close flushes what is buffered and stops the background writer.
func (a *asyncLog) Close() error {
	a.once.Do(func() { close(a.stop) })
	<-a.done
	return nil
}
