package fund

import "context"

// PutIntent records an intent in a pool as a crash would have left it (tests).
func (s *Service) PutIntent(ctx context.Context, fundID string, in Intent) error {
	_, _, err := s.updatePool(ctx, fundID, func(p *Pool) error {
		p.Intents = append(p.Intents, in)
		return nil
	})
	return err
}

// WaitBackground waits for the background bookkeeping without clearing intents (tests).
func (s *Service) WaitBackground() { s.bg.Wait() }

// MakeLegacy turns a filed claim into one filed before the pools' open
// list existed: not listed, its compensation only in the pool's total (tests).
func (s *Service) MakeLegacy(ctx context.Context, claimID string) error {
	c, err := s.updateClaim(ctx, claimID, func(c *Claim) error { c.Listed = false; return nil })
	if err != nil {
		return err
	}
	_, _, err = s.updatePool(ctx, c.FundID, func(p *Pool) error {
		delete(p.OpenList, claimID)
		return nil
	})
	return err
}
