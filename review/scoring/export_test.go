package scoring

import "time"

// SetAfterLock installs a hook run between a submission's two writes (the
// locked score, the assignment marked submitted); nil removes it.
func SetAfterLock(f func()) { testHookAfterLock = f }

// SetAfterReport installs a hook run just after a new report is stored,
// before the rest of closing; nil removes it.
func SetAfterReport(f func()) { testHookAfterReport = f }

// SetConflictRecheck sets how long draft saves rely on a conflict check
// (ConflictRecheck); 0 checks on every save.
func (s *Service) SetConflictRecheck(d time.Duration) {
	s.clear.mu.Lock()
	defer s.clear.mu.Unlock()
	s.clear.ttl = d
}
