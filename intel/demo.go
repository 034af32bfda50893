package intel

import (
	"context"

	"kedaitong"
	"kedaitong/intel/demo"
)

// SeedDemo adds the bundled sample feeds as demo sources and ingests them
// at once through the crawler's own path (render → decode → parse →
// classify → dedupe → store), without network. Demo sources are marked so
// the crawler reads them from the binary, never from the network; their
// addresses end in .invalid. Running it again adds nothing.
func (s *Service) SeedDemo(ctx context.Context) (Summary, error) {
	var sum Summary
	for _, f := range demo.Feeds {
		d, err := s.buildSource(ctx, NewSource{URL: f.URL, Title: f.Title, Language: f.Language, Tags: []string{"demo"}}, false)
		if err != nil {
			return sum, err
		}
		d.ID = "src_demo_" + f.Name
		d.Demo, d.DemoFeed = true, f.Name
		d.IntervalMinutes = 60
		if err := s.insertSource(ctx, &d); err != nil && !kedaitong.Is(err, kedaitong.EConflict) {
			return sum, err
		}
		d, v, err := s.getSource(ctx, d.ID)
		if err != nil {
			return sum, err
		}
		d, _, ok, err := s.claim(ctx, d, v, true)
		if err != nil {
			return sum, err
		}
		if ok {
			sum.add(s.process(ctx, d))
		}
	}
	return sum, nil
}
