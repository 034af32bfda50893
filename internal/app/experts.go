package app

import "context"

// openExperts opens the expert library and adds it to a.parts.
func (a *App) openExperts(ctx context.Context) error { return nil }
