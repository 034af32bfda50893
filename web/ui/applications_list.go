package ui

import (
	"cmp"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"kedaitong/review"
	"kedaitong/web"
)

// pageApplicationsList is the applications list: the caller's
// applications (a state filter, then the list component's search, sort,
// pages and export), each named by its enterprise, route, region and bank.
func (s *ui) pageApplicationsList(c *gin.Context) {
	cl := web.MustCaller(c)
	lang := web.PickLang(c)
	ctx := c.Request.Context()
	f := review.Filter{State: c.Query("state"), Limit: 500}
	vs, truncated, err := readAll(func(cur string) ([]review.View, string, error) {
		f.Cursor = cur
		return s.Deps.Review.List(ctx, cl.User, f)
	})
	errMsg := ""
	if err != nil {
		errMsg = web.ErrText(c, err)
	}
	all := make([]appRow, 0, len(vs))
	for _, v := range vs {
		all = append(all, toRow(v, lang, cl.User))
	}
	tr := web.NewTr(s.bundle, lang)
	banks := s.bankNames(c, cl.User)
	rd := func(r appRow) float64 {
		if r.Indicators.RDIntensity == nil {
			return -1
		}
		return *r.Indicators.RDIntensity
	}
	spec := listSpec[appRow]{ID: "apps", Sheet: "app.list.title", Sort: "updated", Desc: true, Cols: []col[appRow]{
		textCol("enterprise", "app.enterprise", func(r appRow) string { return r.Enterprise.Name }),
		textCol("route", "app.route", func(r appRow) string { return r.RouteName }),
		textCol("region", "app.region", func(r appRow) string { return regionText(lang, r.Region) }),
		textCol("bank", "lists.bank", func(r appRow) string { return nameOr(banks[r.BankID], r.BankID) }),
		moneyCol("amount", "app.amount.wan", func(r appRow) int64 { return r.Loan.Amount }),
		textCol("state", "app.state", func(r appRow) string { return tr.T("app.state." + r.State) }),
		{Key: "rd", Label: "app.rd_intensity", Num: true, Text: func(r appRow) string { return r.RDIntensity },
			Cmp: func(a, b appRow) int { return cmp.Compare(rd(a), rd(b)) }},
		textCol("age", "app.age_group", func(r appRow) string { return tr.T("app.age." + r.Indicators.AgeGroup) }),
		intCol("loss", "app.loss_years", func(r appRow) int64 { return int64(r.Indicators.LossYears) }),
		{Label: "app.flags", Fixed: true, Text: func(r appRow) string {
			out := make([]string, len(r.Flags))
			for i, fl := range r.Flags {
				out[i] = fl.Title
			}
			return strings.Join(out, "、")
		}},
		timeCol("updated", "lists.updated", func(r appRow) time.Time { return r.UpdatedAt }),
	}, Search: func(r appRow) string { return r.CreditCode + " " + r.ID + " " + r.IndustryName }}
	rows, list, done := listRows(s, c, spec, all, truncated)
	if done {
		return
	}
	s.render(c, web.StatusOf(err), "applications", "app.list.title", gin.H{"Rows": rows, "List": list, "Error": errMsg,
		"States": review.States, "State": f.State, "Banks": banks})
}
