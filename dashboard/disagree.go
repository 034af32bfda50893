package dashboard

import (
	"context"

	"kedaitong/internal/store"
	"kedaitong/review/scoring"
)

// OfDisagreements lists the panels with disagreement: the reports whose
// panel disagreed (scores spanning DisagreementSpread or more, or split
// recommendations), one per application.
const OfDisagreements = "disagreements"

// reportSnapID is the snapshot of what an application's report was
// counted for (the application's own snapshot has its id).
func reportSnapID(appID string) string { return "report:" + appID }

// ReportFacets are what one panel's report counts in: "disagree" when the
// panel disagreed (as it stands now: a revised report that no longer
// disagrees leaves the count).
func ReportFacets(r *scoring.Report) map[string]int64 {
	if r.Disagreement {
		return map[string]int64{"disagree": 1}
	}
	return map[string]int64{}
}

// countReport brings the counters of one application's report up to
// date (report.issue, report.revise, report.finish).
func (s *Service) countReport(ctx context.Context, appID string) error {
	return s.countDoc(ctx, reportSnapID(appID), func(ctx context.Context, _ string) (string, map[string]int64, error) {
		var r scoring.Report
		if _, err := s.reports.Get(ctx, appID, &r); err != nil {
			return "", nil, err
		}
		return r.Region, ReportFacets(&r), nil
	})
}

// reportQuery selects a region's reports by their declared indexes
// (region, city or all, by closing time, newest first).
func reportQuery(scope string) store.Query {
	q := store.Query{Sort: "closed_ms", Desc: true}
	switch {
	case len(scope) >= 6:
		q.Eq = map[string]any{"region": scope}
	case len(scope) >= 4:
		q.Eq = map[string]any{"city": scope[:4]}
	}
	return q
}
