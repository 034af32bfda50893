package store

import (
	"testing"
	"time"
)

// The pause between background checkpoints shrinks when a checkpoint found
// a long log, grows when it found a short one, and stays within bounds.
func TestCheckpointPauseAdapts(t *testing.T) {
	p := 250 * time.Millisecond
	if got := nextPause(p, 5*checkpointFrames); got != p/2 {
		t.Errorf("long log: %v, want %v", got, p/2)
	}
	if got := nextPause(p, 10); got != 2*p {
		t.Errorf("short log: %v, want %v", got, 2*p)
	}
	if got := nextPause(p, checkpointFrames); got != p {
		t.Errorf("about right: %v, want %v", got, p)
	}
	if got := nextPause(checkpointMinPause, 100*checkpointFrames); got != checkpointMinPause {
		t.Errorf("floor: %v", got)
	}
	if got := nextPause(checkpointMaxPause, 0); got != checkpointMaxPause {
		t.Errorf("ceiling: %v", got)
	}
}
