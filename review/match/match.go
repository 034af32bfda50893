// Package match assigns experts to the review panels of loan applications.
// It owns the instance format of `kedaitong match` (a streaming decoder
// that reads it straight into index form), the exact optimiser and the
// repair of declined invitations.
//
// An application's panel has a number of seats per tier (academician,
// industry, finance). An expert may sit on a panel only in a seat of its own
// tier, at most once per panel, never where one of its affiliations is among
// the application's parties, and on at most Capacity panels. Among the
// assignments that fill the most seats, Solve returns one with the largest
// total affinity: the exact optimum, certified before it is returned.
//
// The problem is solved as a minimum-cost maximum flow:
//
//	source → seat node (application, tier), capacity = seats
//	seat node → expert, capacity 1 per eligible pair, cost = −affinity
//	expert → sink, capacity = expert capacity
//
// Affinities are turned into integers, w = round(score × 1e6) (ScoreScale),
// so that optimality is exact: the optimum is exact for these integer
// weights (scores that differ by less than 1e-6 count as equal). The
// maximum flow is found first (Dinic), then the cheapest among maximum flows
// by cost-scaling push-relabel on costs multiplied by one more than the
// longest simple cycle can have arcs (2·min(seat nodes, experts) + 5), then
// exact node potentials by label correction. Every score the contract
// allows, [0, MaxScore], is solved exactly at every allowed size: weights
// fit 32 bits, prices that would leave the range of exact 64-bit arithmetic
// make cost scaling start again with a smaller factor, and label correction
// cancels any negative cycle a small factor leaves. Every result is
// checked against the instance before it is returned: the panel rules, flow
// conservation, no augmenting path left (maximum) and no residual arc of
// negative reduced cost under the potentials (minimum cost among maximum
// flows). A failed check is an error, never a silent result.
//
// A Solver keeps the solved flow and potentials so that a declined
// invitation is repaired by one shortest-path augmentation (Decline).
package match

import (
	"math"
	"strings"
)

// Tiers, in the fixed order used for seats and output.
const (
	TierAcademician = "academician"
	TierIndustry    = "industry"
	TierFinance     = "finance"
)

// Tiers lists the tiers in output order.
var Tiers = [3]string{TierAcademician, TierIndustry, TierFinance}

// Limits on an instance. Larger inputs are rejected as invalid.
const (
	MaxExperts      = 100_000    // experts per instance
	MaxApplications = 100_000    // applications per instance
	MaxPairs        = 10_000_000 // affinity pairs (given or computed)
	MaxSeats        = 50         // seats per tier of one panel
	MaxCapacity     = 1_000      // panels per expert
	MaxScore        = 1_000.0    // largest affinity score
	MaxIDLen        = 256        // bytes in an id, field, affiliation or party
	// MaxFieldEvaluations bounds experts × applications when the affinity
	// list is absent and the AffinityFunc must be asked about every pair.
	MaxFieldEvaluations = 400_000_000
	// ScoreScale turns a score into the integer weight the solver uses.
	ScoreScale = 1e6
)

// Instance is one assignment problem, as read by Decode.
type Instance struct {
	Experts      []Expert      `json:"experts"`
	Applications []Application `json:"applications"`
	// Affinity, when non-nil (even empty), lists the only eligible pairs and
	// their scores. When nil, an AffinityFunc decides.
	Affinity []Pair `json:"affinity,omitempty"`
}

// Expert is a member of the think tank.
type Expert struct {
	ID           string   `json:"id"`
	Tier         string   `json:"tier"`
	Fields       []string `json:"fields,omitempty"`       // routes "industry.route" or whole industries "industry"
	Affiliations []string `json:"affiliations,omitempty"` // organisations the expert belongs to
	Capacity     int      `json:"capacity"`               // panels the expert may sit on
}

// Application is a loan application whose technology needs a panel.
type Application struct {
	ID      string         `json:"id"`
	Field   string         `json:"field,omitempty"`   // the technology's route "industry.route"
	Parties []string       `json:"parties,omitempty"` // organisations involved (bank, enterprise, ...)
	Panel   map[string]int `json:"panel"`             // seats per tier
}

// Pair is an eligible (expert, application) pair with its affinity score.
// Scores are finite and within [0, MaxScore]; negative scores are rejected
// (leave a pair out to make it ineligible).
type Pair struct {
	Expert      string  `json:"expert"`
	Application string  `json:"application"`
	Score       float64 `json:"score"`
}

// AffinityFunc scores an (expert, application) pair when the instance has
// no affinity list. ok=false makes the pair ineligible. It is called only
// for pairs whose tier has seats on the application; conflicts are checked
// separately. Scores must be finite and within [0, MaxScore].
type AffinityFunc func(e Expert, a Application) (score float64, ok bool)

// DefaultAffinity is the field-based affinity: for academician and industry
// experts 1.0 when one of the expert's fields is the application's route,
// 0.6 when one is in the same industry (a bare industry "semiconductors"
// covers all its routes), otherwise not eligible; finance experts are
// eligible for any application with 0.5, plus 0.3 when they list the
// application's industry.
func DefaultAffinity(e Expert, a Application) (float64, bool) {
	ind := industry(a.Field)
	if e.Tier == TierFinance {
		for _, f := range e.Fields {
			if ind != "" && industry(f) == ind {
				return 0.8, true
			}
		}
		return 0.5, true
	}
	best := 0.0
	for _, f := range e.Fields {
		switch {
		case f != "" && f == a.Field:
			return 1.0, true
		case ind != "" && industry(f) == ind:
			best = 0.6
		}
	}
	return best, best > 0
}

// industry returns the industry part of a route "industry.route".
func industry(route string) string {
	if i := strings.IndexByte(route, '.'); i >= 0 {
		return route[:i]
	}
	return route
}

// Options tune Solve.
type Options struct {
	// Affinity scores pairs when the instance has no affinity list;
	// nil means DefaultAffinity.
	Affinity AffinityFunc
}

// Result is an optimal assignment.
type Result struct {
	Assignments   []Assignment `json:"assignments"`    // one per application, in input order
	Unfilled      []Unfilled   `json:"unfilled"`       // seats left empty, by application and tier
	SeatsFilled   int          `json:"seats_filled"`   // seats filled in all panels
	TotalAffinity float64      `json:"total_affinity"` // sum of the scores of the chosen pairs
}

// Assignment is one application's panel: experts in tier order
// (academician, industry, finance), then in input order.
type Assignment struct {
	Application string   `json:"application"`
	Experts     []string `json:"experts"`
}

// Unfilled reports empty seats of one tier on one panel and why.
type Unfilled struct {
	Application string `json:"application"`
	Tier        string `json:"tier"`
	Seats       int    `json:"seats"`  // seats left empty
	Reason      string `json:"reason"` // one of the Reason* texts
	Eligible    int    `json:"eligible"`
	Conflicted  int    `json:"conflicted"`
	AtCapacity  int    `json:"at_capacity"`
	Declined    int    `json:"declined,omitempty"`
}

// Reasons for unfilled seats. Eligible counts the experts of the tier that
// the affinity accepts; Conflicted those of them with an affiliation among
// the parties; AtCapacity those usable but already on Capacity panels;
// Declined those who declined this application.
const (
	ReasonNoEligible = "no eligible expert of that tier for the field"
	ReasonConflicted = "all eligible experts conflicted"
	ReasonCapacity   = "all eligible experts at capacity"
	ReasonTooFew     = "too few eligible experts"
	ReasonDeclined   = "all eligible experts declined or conflicted"
)

// roundScore rounds a total to 1e-9 so that float noise of the summation
// does not show in the output.
func roundScore(x float64) float64 { return math.Round(x*1e9) / 1e9 }
