package panel

import "context"

// EndIfConflictedLoaded is EndIfConflicted for an assignment the caller
// has just loaded (Load, LoadVersion) at version ver: it does not read the
// assignment again (a score save checks conflicts on every save).
func (s *Service) EndIfConflictedLoaded(ctx context.Context, a Assignment, ver int64) (Assignment, error) {
	return s.endIfConflicted(ctx, a, ver, true)
}
