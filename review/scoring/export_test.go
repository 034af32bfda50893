package scoring

// SetAfterLock installs a hook run between a submission's two writes (the
// locked score, the assignment marked submitted); nil removes it.
func SetAfterLock(f func()) { testHookAfterLock = f }

// SetAfterReport installs a hook run just after a new report is stored,
// before the rest of closing; nil removes it.
func SetAfterReport(f func()) { testHookAfterReport = f }
