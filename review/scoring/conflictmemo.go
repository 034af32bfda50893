package scoring

import (
	"context"
	"sync"
	"time"

	"kedaitong/experts"
)

// # Conflict checks of draft saves
//
// Every scoring access of an assignment checks the expert's current profile
// against the application (panel.EndIfConflictedLoaded): two reads (the
// application and the expert, each decoded whole) that were a third of a
// draft save's reads. A draft save may rely on a check made a moment
// earlier: an accepted assignment found clear is remembered for
// ConflictRecheck, and draft saves of it within that time skip the two
// reads. Nothing else skips them: the dossier, its attachments, reading
// the score and the submission check on every access, so a conflicted
// expert's review never counts and the dossier closes at once.
//
// A draft save still reads the assignment itself every time, so a seat
// ended by a conflict (declined), released or expired is refused at once,
// wherever that happened. A profile change ends the conflicted seats where
// it is made (the panel's experts.OnChange hook), and in this process it
// also forgets the expert's remembered checks (this package's hook). Only a
// change whose hook never ran — its server crashed between storing the
// profile and ending the seats — waits up to ConflictRecheck for a draft
// save here to end the seat; any other access ends it at once.

// ConflictRecheck is how long a draft save relies on a conflict check
// already made for its assignment.
const ConflictRecheck = time.Second

// maxClearMemo bounds the assignments remembered (then it starts afresh).
const maxClearMemo = 100_000

// clearChecks remembers, per assignment, when it was last found free of
// conflicts (monotonic time of this process).
type clearChecks struct {
	mu  sync.Mutex
	ttl time.Duration
	gen uint64 // profile changes seen (forget): a check begun before one is not kept
	m   map[string]clearCheck
}

type clearCheck struct {
	expert string
	at     time.Time
}

// recent reports whether the assignment of this expert was found clear
// less than the TTL ago.
func (c *clearChecks) recent(id, expert string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[id]
	return ok && e.expert == expert && time.Since(e.at) < c.ttl
}

// begin is called before a check reads the profile: note keeps the
// check's outcome only when no profile changed in between.
func (c *clearChecks) begin() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// note records that the assignment was just found clear by a check begun
// at gen.
func (c *clearChecks) note(id, expert string, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ttl <= 0 || gen != c.gen {
		return
	}
	if c.m == nil || len(c.m) >= maxClearMemo {
		c.m = map[string]clearCheck{}
	}
	c.m[id] = clearCheck{expert: expert, at: time.Now()}
}

// forget drops the expert's remembered checks (its profile changed).
func (c *clearChecks) forget(expert string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for id, e := range c.m {
		if e.expert == expert {
			delete(c.m, id)
		}
	}
}

// expertChanged is this package's experts.OnChange hook.
func (s *Service) expertChanged(_ context.Context, e experts.Expert) { s.clear.forget(e.ID) }
