package ui

import (
	"context"
	"time"

	"github.com/gin-gonic/gin"

	"kedaitong/identity"
	"kedaitong/review/panel"
	"kedaitong/taxonomy"
	"kedaitong/web"
)

// asgListMax bounds the assignments one list reads.
const asgListMax = 2000

// assignmentList reads the caller's assignments under f and hands them to
// the list component: named by enterprise, bank and expert (each looked up
// once per application and per expert), searched, sorted, paged or
// exported. done is true when the export was written.
func (s *ui) assignmentList(c *gin.Context, u identity.User, f panel.Filter, lang string) (rows []asgRow, list *List, done bool, err error) {
	ctx := c.Request.Context()
	f.Limit = 500
	as, truncated, err := readUpTo(asgListMax, func(cur string) ([]panel.Assignment, string, error) {
		f.Cursor = cur
		return s.Deps.Panel.List(ctx, u, f)
	})
	all := s.namedAsgRows(ctx, u, as, lang)
	tr := web.NewTr(s.bundle, lang)
	expert := u.Role == identity.RoleExpert
	spec := listSpec[asgRow]{ID: "asg", Sheet: "asg.title", Sort: "due", Max: asgListMax, Cols: []col[asgRow]{
		textCol("enterprise", "asg.application", func(r asgRow) string { return nameOr(r.Enterprise, tr.T("asg.unnamed")) }),
		textCol("bank", "lists.bank", func(r asgRow) string { return nameOr(r.Bank, "") }),
		textCol("route", "asg.route", func(r asgRow) string { return r.RouteName }),
	}, Search: func(r asgRow) string { return r.ApplicationID + " " + r.Summary }}
	if !expert {
		spec.Cols = append(spec.Cols, textCol("expert", "asg.expert", func(r asgRow) string { return nameOr(r.ExpertName, r.ExpertID) }))
	}
	spec.Cols = append(spec.Cols,
		textCol("tier", "asg.tier", func(r asgRow) string { return tr.T("asg.tier." + r.Tier) }),
		textCol("state", "asg.state", func(r asgRow) string { return tr.T("asg.state." + r.State) }),
		timeCol("due", "lists.deadline", func(r asgRow) time.Time { return r.Assignment.Due }))
	if expert {
		spec.Cols = append(spec.Cols, col[asgRow]{Label: "asg.answer", Fixed: true, Skip: true})
	}
	rows, list, done = listRows(s, c, spec, all, truncated)
	return rows, list, done, err
}

// namedAsgRows is asgRows with each application's enterprise, bank and
// summary (the brief, read once per application) and, for officials,
// each expert's name (read once per expert).
func (s *ui) namedAsgRows(ctx context.Context, u identity.User, as []panel.Assignment, lang string) []asgRow {
	rows := asgRows(as, lang)
	type brief struct {
		enterprise, bank, summary, region string
		amount                            int64
		term                              int
		ok                                bool
	}
	briefs := map[string]brief{}
	banks := map[string]string{}
	experts := map[string]string{}
	for i := range rows {
		r := &rows[i]
		b, seen := briefs[r.ApplicationID]
		if !seen {
			if x, err := s.Deps.Panel.Brief(ctx, u, r.ID); err == nil {
				// the bank by name only (never its id); the place by name
				b = brief{enterprise: x.Enterprise, summary: x.Summary, amount: x.Amount, term: x.TermMonths,
					region: taxonomy.RegionNameOf(x.Region, lang), ok: true}
				if name, ok := banks[x.BankID]; ok {
					b.bank = name
				} else if s.Deps.Banks != nil {
					if bk, err := s.Deps.Banks.Get(ctx, u, x.BankID); err == nil {
						b.bank = bk.Name
					}
					banks[x.BankID] = b.bank
				}
			}
			briefs[r.ApplicationID] = b
		}
		if b.ok {
			r.Enterprise, r.Summary, r.Amount, r.Bank = b.enterprise, b.summary, b.amount, b.bank
			r.Region, r.TermMonths = b.region, b.term
		}
		if u.Role != identity.RoleExpert && s.Deps.Experts != nil {
			name, ok := experts[r.ExpertID]
			if !ok {
				if x, err := s.Deps.Experts.Get(ctx, u, r.ExpertID); err == nil {
					name = x.Name
				}
				experts[r.ExpertID] = name
			}
			r.ExpertName = name
		}
	}
	return rows
}
