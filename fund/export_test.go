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
