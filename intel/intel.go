// Package intel is the technology-news intelligence: sources, the crawler
// that polls them, the stored and classified items.
package intel

// Service manages sources and items and runs the crawler.
type Service struct{}
