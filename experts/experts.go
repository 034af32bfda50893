// Package experts is the think tank's expert library: tiered expert
// profiles, their fields and affiliations, capacity and track record, and
// the technical review committees.
package experts

// Service manages the expert library.
type Service struct{}
