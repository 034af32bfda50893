package store

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// Checkpoints off the write path. In WAL mode SQLite copies the log back
// into the database file (a checkpoint) from the connection that commits
// once the log passes wal_autocheckpoint pages: every few dozen commits the
// group-commit writer stopped to write a thousand pages and sync the file
// twice, and every write queued behind it waited (issue 19: the tail of the
// score saves' latency). Here the writer's connection checkpoints only as a
// backstop (walBackstopPages) and a goroutine with a connection of its own
// runs a PASSIVE checkpoint — which never blocks the writer or readers and
// never waits for them — after commits, pausing between checkpoints so
// that each copies about as much as SQLite's own would. Durability does not depend on checkpoints: a commit is
// durable once its WAL frames are synced (synchronous=FULL); a checkpoint
// syncs the log before copying and the database file before the log is
// reused, on this connection as on the writer's.

// The pause after a background checkpoint adapts to the log: a checkpoint
// should copy about checkpointFrames frames, as SQLite's own
// wal_autocheckpoint would (fewer, and the same hot pages are copied over
// and over; more, and readers look pages up in a longer log).
const (
	checkpointFrames   = 1000
	checkpointMinPause = 50 * time.Millisecond
	checkpointMaxPause = 2 * time.Second
)

// walBackstopPages is the writer's own wal_autocheckpoint: it checkpoints
// only if the background checkpointer fell this far behind.
const walBackstopPages = 20000

type checkpointer struct {
	db   *sql.DB
	kick chan struct{} // a commit happened (buffered 1)

	stopOnce sync.Once
	stop     chan struct{}
	done     chan struct{}
}

func newCheckpointer(db *sql.DB) *checkpointer {
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	c := &checkpointer{db: db, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go c.loop()
	return c
}

// committed tells the checkpointer that the log grew; it never blocks.
func (c *checkpointer) committed() {
	if c == nil {
		return
	}
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) loop() {
	defer close(c.done)
	pause := 250 * time.Millisecond
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
		}
		// A failed checkpoint (a full disk, another process checkpointing)
		// is tried again after the next commit; the backstop and the last
		// close still checkpoint.
		var busy, frames, copied int64
		if err := c.db.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &frames, &copied); err == nil {
			pause = nextPause(pause, frames)
		}
		select {
		case <-c.stop:
			return
		case <-time.After(pause):
		}
	}
}

// nextPause adapts the pause after a checkpoint that found frames in the
// log, so that checkpoints copy about checkpointFrames frames each.
func nextPause(pause time.Duration, frames int64) time.Duration {
	switch {
	case frames > 2*checkpointFrames:
		pause /= 2
	case frames < checkpointFrames/2:
		pause *= 2
	}
	return min(max(pause, checkpointMinPause), checkpointMaxPause)
}

// close stops the checkpointer and closes its connection (before the
// writer's: the last connection to close checkpoints what is left and
// removes the log).
func (c *checkpointer) close() error {
	if c == nil {
		return nil
	}
	c.stopOnce.Do(func() { close(c.stop) })
	<-c.done
	return c.db.Close()
}
