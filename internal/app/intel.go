package app

import "context"

// openIntel opens the technology-news intelligence (sources, items, crawler).
func (a *App) openIntel(ctx context.Context) error { return nil }
