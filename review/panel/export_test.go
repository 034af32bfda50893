package panel

// SetAfterSeats installs a hook run just after seats are given, before
// their assignments are stored; nil removes it.
func SetAfterSeats(f func()) { testHookAfterSeats = f }
