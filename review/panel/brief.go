package panel

import (
	"context"

	"kedaitong/identity"
)

// Brief is what an invited expert sees of an application before answering
// an invitation: enough to recognise a conflict of interest (the
// enterprise, its credit code and region, the asking bank) and to judge
// fit (the route, the amount, the summary). The dossier stays closed until
// the expert accepts.
type Brief struct {
	ApplicationID string `json:"application_id"`
	Enterprise    string `json:"enterprise"`
	CreditCode    string `json:"credit_code"`
	Region        string `json:"region"`
	BankID        string `json:"bank_id"`
	Route         string `json:"route"`
	Amount        int64  `json:"amount"`
	TermMonths    int    `json:"term_months"`
	Summary       string `json:"summary"`
}

// Brief returns the brief of the application behind an assignment the
// actor may see (its own seat, for an expert).
func (s *Service) Brief(ctx context.Context, actor identity.User, assignmentID string) (Brief, error) {
	a, err := s.Get(ctx, actor, assignmentID)
	if err != nil {
		return Brief{}, err
	}
	app, err := s.review.Load(ctx, a.ApplicationID)
	if err != nil {
		return Brief{}, err
	}
	return Brief{ApplicationID: app.ID, Enterprise: app.Enterprise.Name, CreditCode: app.CreditCode, Region: app.Region,
		BankID: app.BankID, Route: app.Route, Amount: app.Loan.Amount, TermMonths: app.Loan.TermMonths, Summary: app.Summary}, nil
}
