package experts

import "context"

// OnChange registers f to run after every stored change of a profile
// (Update, import): packages that hold assignments of experts (panels)
// react to a newly declared conflict or a new organisation at once. It is
// called before the service is used (at Open of the registering package).
func (s *Service) OnChange(f func(ctx context.Context, e Expert)) {
	s.onChange = append(s.onChange, f)
}

// changed runs the OnChange functions for a stored profile.
func (s *Service) changed(ctx context.Context, e Expert) {
	for _, f := range s.onChange {
		f(ctx, e)
	}
}
