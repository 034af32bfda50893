package dashboard

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"kedaitong"
	"kedaitong/consult"
	"kedaitong/fund"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/review"
	"kedaitong/review/panel"
	"kedaitong/review/rereview"
	"kedaitong/review/scoring"
)

// What a drill-down list lists.
const (
	OfApplications  = "applications"
	OfLoans         = "loans"
	OfClaims        = "claims"
	OfConsultations = "consultations"
	OfSeats         = "seats"
	OfWhitelist     = "whitelist"
	OfRereviews     = "rereviews"
)

// Ofs lists the kinds of drill-down lists.
var Ofs = []string{OfApplications, OfLoans, OfClaims, OfConsultations, OfSeats, OfWhitelist, OfRereviews, OfDisagreements}

// Flags a list may be narrowed to, per kind: the counter each stands for.
var listFlags = map[string]map[string]string{
	OfApplications:  {"submitted": "submitted", "reviewed": "rev", "decided": "decided", "granted": "sup"},
	OfLoans:         {"startup": "ln_su"},
	OfConsultations: {"answered": "con_ans", "on_time": "con_ontime"},
	OfRereviews:     {"due": "rr_due", "running": "rr_open", "concluded": "rr_done", "exit": "rr_exit"},
	OfSeats:         {"open": "seats_open", "accepted": "seats_acc", "declined": "seats_declined", "expired": "seats_expired", "submitted": "seats_done", "on_time": "seats_ontime"},
}

// ListFilter narrows a drill-down list exactly as the dashboard's number
// that links to it was counted.
type ListFilter struct {
	Of       string // applications (default), loans, claims, consultations, seats, whitelist, rereviews, disagreements
	Region   string // "" the caller's own
	Month    string // YYYY-MM (Beijing): submitted (applications), started (loans), filed (claims)
	State    string
	Industry string // applications
	Age      string // applications: startup, growth, mature, unknown
	Flag     string // see listFlags
	Limit    int
	Cursor   string
}

// ListItem is one row of a drill-down list.
type ListItem struct {
	ID         string `json:"id"`
	Name       string `json:"name"` // the enterprise
	Region     string `json:"region"`
	RegionName Text   `json:"region_name"`
	State      string `json:"state,omitempty"`
	StateName  Text   `json:"state_name"`
	Date       string `json:"date,omitempty"`   // YYYY-MM-DD, Beijing: submitted, started, filed, asked, invited
	Amount     int64  `json:"amount,omitempty"` // yuan: the loan asked or granted, the principal, the loss
	Days       *int   `json:"days,omitempty"`   // applications with a report: days from submission to report (as the median counts them)
	Link       string `json:"link"`             // the page of the object
}

// List is a drill-down list: every object behind one number of the
// dashboard, newest first, with their count (the number) and amount.
type List struct {
	Of         string `json:"of"`
	Region     string `json:"region"`
	RegionName Text   `json:"region_name"`
	Total      int64  `json:"total"`
	Amount     int64  `json:"amount"` // yuan, the sum of what the dashboard sums for this number
	// MedianDays is the median of the listed applications' days from
	// submission to report (the dashboard's median for the reviewed
	// ones); null when none has a report.
	MedianDays *float64   `json:"median_days"`
	Items      []ListItem `json:"items"`
	NextCursor string     `json:"next_cursor"`
}

// maxListScan bounds how many documents one drill-down list reads.
const maxListScan = 50000

// want turns a filter into the counter fields every listed object counts
// in (its facets must hold them all).
func (f *ListFilter) want() ([]string, error) {
	var keys []string
	if f.Month != "" {
		t, err := time.Parse("2006-01", f.Month)
		if err != nil || t.Format("2006-01") != f.Month {
			return nil, kedaitong.Invalid("month", "a month as YYYY-MM").ZHf("月份应为 YYYY-MM 格式")
		}
		m := t.Format("200601")
		switch f.Of {
		case OfApplications:
			keys = append(keys, "apm_"+m)
		case OfLoans:
			keys = append(keys, "lnm_"+m)
		case OfClaims:
			keys = append(keys, "clm_"+m)
		default:
			return nil, kedaitong.Invalid("month", "only applications, loans and claims have months").ZHf("只有贷款申请、贷款和代偿申请可按月份筛选")
		}
	}
	if f.State != "" {
		var states []string
		prefix := ""
		switch f.Of {
		case OfApplications:
			states, prefix = review.States, "st"
		case OfLoans:
			states, prefix = fund.LoanStates, "lnst"
		case OfClaims:
			states, prefix = fund.ClaimStates, "clst"
		}
		ok := false
		for _, s := range states {
			ok = ok || s == f.State
		}
		if !ok {
			return nil, kedaitong.Invalid("state", "not a state of %s", f.Of).ZHf("状态 %q 不适用于此列表", f.State)
		}
		keys = append(keys, key(prefix, f.State))
	}
	if f.Industry != "" || f.Age != "" {
		if f.Of != OfApplications {
			return nil, kedaitong.Invalid("industry", "only applications have industries and age groups").ZHf("只有贷款申请可按产业和企业年龄筛选")
		}
		if f.Industry != "" {
			keys = append(keys, key("ind", f.Industry))
		}
		if f.Age != "" {
			switch f.Age {
			case review.AgeStartup, review.AgeGrowth, review.AgeMature, "unknown":
			default:
				return nil, kedaitong.Invalid("age", "startup, growth, mature or unknown").ZHf("企业年龄应为 startup、growth、mature 或 unknown")
			}
			keys = append(keys, key("age", f.Age))
		}
	}
	if f.Flag != "" {
		k, ok := listFlags[f.Of][f.Flag]
		if !ok {
			return nil, kedaitong.Invalid("flag", "%q does not narrow %s", f.Flag, f.Of).ZHf("筛选条件 %q 不适用于此列表", f.Flag)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// List returns the objects behind one number of the dashboard of region,
// read from the documents themselves (not the counters), so that the
// number and its list can be checked against each other.
func (s *Service) List(ctx context.Context, actor identity.User, f ListFilter) (List, error) {
	if f.Of == "" {
		f.Of = OfApplications
	}
	ok := false
	for _, o := range Ofs {
		ok = ok || o == f.Of
	}
	if !ok {
		return List{}, kedaitong.Invalid("of", "one of %s", strings.Join(Ofs, ", ")).ZHf("列表类型应为 %s 之一", strings.Join(Ofs, "、"))
	}
	scope, err := Scope(actor, f.Region)
	if err != nil {
		return List{}, err
	}
	keys, err := f.want()
	if err != nil {
		return List{}, err
	}
	out := List{Of: f.Of, Region: scope, RegionName: RegionName(scope), Items: []ListItem{}}
	var all []ListItem
	match := func(region string, facets map[string]int64, amountKey string, it ListItem) {
		if !identity.RegionCovers(scope, region) || !identity.MaySee(actor, "", region) {
			return
		}
		for _, k := range keys {
			if facets[k] <= 0 {
				return
			}
		}
		it.Region, it.RegionName = region, RegionName(region)
		if amountKey != "" {
			out.Amount += facets[amountKey]
		}
		all = append(all, it)
	}
	if f.Of == OfDisagreements {
		keys = append(keys, "disagree") // only the reports whose panel disagreed
	}
	q := scopeQuery(scope, true)
	switch f.Of {
	case OfApplications:
		err = scanLimited(ctx, s.st, review.ApplicationsDef, q, func(d store.Doc) error {
			var a review.Application
			if err := d.Decode(&a); err != nil {
				return err
			}
			fc := Facets(&a)
			it := ListItem{ID: a.ID, Name: a.Enterprise.Name, State: a.State, StateName: StateName(OfApplications, a.State), Amount: a.Loan.Amount, Link: "/applications/" + a.ID}
			if a.SubmittedAt != nil {
				it.Date = a.SubmittedAt.In(beijing).Format("2006-01-02")
			}
			for k := range fc {
				if d, ok := strings.CutPrefix(k, "d_"); ok {
					n, _ := strconv.Atoi(d)
					it.Days = &n
				}
			}
			amt := ""
			if f.Flag == "granted" {
				amt, it.Amount = "granted_amount", fc["granted_amount"]
			}
			match(a.Region, fc, amt, it)
			return nil
		})
	case OfLoans:
		err = scanLimited(ctx, s.st, fund.LoansDef, q, func(d store.Doc) error {
			var l fund.Loan
			if err := d.Decode(&l); err != nil {
				return err
			}
			match(l.Region, LoanFacets(&l), "ln_amt", ListItem{ID: l.ID, Name: l.Enterprise.Name, State: l.State, StateName: StateName(OfLoans, l.State),
				Date: l.Start, Amount: l.Amount, Link: "/fund/loans/" + l.ID})
			return nil
		})
	case OfClaims:
		err = scanLimited(ctx, s.st, fund.ClaimsDef, q, func(d store.Doc) error {
			var c fund.Claim
			if err := d.Decode(&c); err != nil {
				return err
			}
			match(c.Region, ClaimFacets(&c), "cl_loss", ListItem{ID: c.ID, Name: c.Enterprise, State: c.State, StateName: StateName(OfClaims, c.State),
				Date: c.CreatedAt.In(beijing).Format("2006-01-02"), Amount: c.Loss, Link: "/fund/loans/" + c.LoanID})
			return nil
		})
	case OfConsultations:
		err = scanLimited(ctx, s.st, consult.ConsultationsDef, q, func(d store.Doc) error {
			var c consult.Consultation
			if err := d.Decode(&c); err != nil {
				return err
			}
			fc := map[string]int64{"con": 1}
			if c.Answer != nil {
				fc["con_ans"] = 1
				if c.AnsweredOnTime != nil && *c.AnsweredOnTime {
					fc["con_ontime"] = 1
				}
			}
			name := []rune(c.Question)
			if len(name) > 40 {
				name = append(name[:40], '…')
			}
			match(c.Region, fc, "", ListItem{ID: c.ID, Name: string(name), State: c.State, StateName: StateName(OfConsultations, c.State),
				Date: c.CreatedAt.In(beijing).Format("2006-01-02"), Link: "/consultations/" + c.ID})
			return nil
		})
	case OfSeats:
		err = scanLimited(ctx, s.st, panel.AssignmentsDef, scopeQuery(scope, false), func(d store.Doc) error {
			var a panel.Assignment
			if err := d.Decode(&a); err != nil {
				return err
			}
			fc := SeatFacets(&a)
			name := ""
			if app, err := s.apps.Load(ctx, a.ApplicationID); err == nil {
				name = app.Enterprise.Name
			}
			match(a.Region, fc, "", ListItem{ID: a.ID, Name: name, State: a.State, StateName: StateName(OfSeats, a.State),
				Date: a.Due.In(beijing).Format("2006-01-02"), Link: "/applications/" + a.ApplicationID + "/panel"})
			return nil
		})
	case OfRereviews:
		err = scanLimited(ctx, s.st, rereview.Def, store.Query{Sort: "created_ms", Desc: true}, func(d store.Doc) error {
			var r rereview.Rereview
			if err := d.Decode(&r); err != nil {
				return err
			}
			match(r.Region, RereviewFacets(&r), "", ListItem{ID: r.ID, Name: r.Enterprise, State: r.State, StateName: StateName(OfRereviews, r.State),
				Date: r.DueDate, Amount: r.Amount, Link: "/rereviews/" + r.ID})
			return nil
		})
	case OfDisagreements:
		err = scanLimited(ctx, s.st, scoring.ReportsDef, reportQuery(scope), func(d store.Doc) error {
			var r scoring.Report
			if err := d.Decode(&r); err != nil {
				return err
			}
			st := "disagreement"
			if r.Adjudicated {
				st = "adjudicated"
			}
			match(r.Region, ReportFacets(&r), "", ListItem{ID: d.ID, Name: r.Enterprise, State: st, StateName: StateName(OfDisagreements, st), Date: r.ClosedAt.In(beijing).Format("2006-01-02"),
				Amount: r.LoanAmount, Link: "/applications/" + d.ID + "/report"})
			return nil
		})
	case OfWhitelist:
		err = scanLimited(ctx, s.st, review.WhitelistDef, store.Query{Eq: map[string]any{"whitelisted": true}, Sort: "updated_ms", Desc: true}, func(d store.Doc) error {
			var w review.Whitelist
			if err := d.Decode(&w); err != nil {
				return err
			}
			it := ListItem{ID: w.CreditCode, Name: w.Name, Link: "/enterprises/" + w.CreditCode}
			if w.At != nil {
				it.Date = w.At.In(beijing).Format("2006-01-02")
			}
			match(w.Region, map[string]int64{"wl": 1}, "", it)
			return nil
		})
	}
	if err != nil {
		return List{}, err
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Date > all[j].Date })
	out.Total = int64(len(all))
	if f.Of == OfApplications {
		days := map[string]int64{}
		for _, it := range all {
			if it.Days != nil {
				days["d_"+strconv.Itoa(*it.Days)]++
			}
		}
		out.MedianDays = median(days)
	}
	off := 0
	if f.Cursor != "" {
		if off, err = strconv.Atoi(f.Cursor); err != nil || off < 0 {
			return List{}, kedaitong.Invalid("cursor", "not a cursor of this list").ZHf("分页游标无效")
		}
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	if off < len(all) {
		end := min(off+limit, len(all))
		out.Items = all[off:end]
		if end < len(all) {
			out.NextCursor = strconv.Itoa(end)
		}
	}
	return out, nil
}

// RereviewFacets are what one re-review counts in, by its state (as the
// rereview.* events count it).
func RereviewFacets(r *rereview.Rereview) map[string]int64 {
	switch r.State {
	case rereview.StateDue:
		return map[string]int64{"rr_due": 1}
	case rereview.StateInProgress:
		return map[string]int64{"rr_open": 1}
	case rereview.StateConcluded:
		x := map[string]int64{"rr_done": 1}
		if r.Exit {
			x["rr_exit"] = 1
		}
		return x
	}
	return map[string]int64{}
}

// SeatFacets are what one panel seat counts in, by its state (as Rebuild
// counts it).
func SeatFacets(a *panel.Assignment) map[string]int64 {
	x := map[string]int64{"seats": 1}
	switch a.State {
	case panel.StateInvited:
		x["seats_open"] = 1
	case panel.StateAccepted:
		x["seats_open"], x["seats_acc"] = 1, 1
	case panel.StateDeclined:
		x["seats_declined"] = 1
	case panel.StateExpired:
		x["seats_expired"] = 1
	case panel.StateSubmitted:
		x["seats_acc"], x["seats_done"] = 1, 1
		if !a.UpdatedAt.After(a.Due) { // submitted (its last change) by the due date
			x["seats_ontime"] = 1
		}
	}
	return x
}

// scopeQuery selects a region's documents by its declared index (region
// or city with created_ms); byRegion false: the collection has no region
// index (a county is read by its city and filtered).
func scopeQuery(scope string, byRegion bool) store.Query {
	q := store.Query{Sort: "created_ms", Desc: true}
	switch {
	case len(scope) == 6 && byRegion:
		q.Eq = map[string]any{"region": scope}
	case len(scope) >= 4:
		q.Eq = map[string]any{"city": scope[:4]}
	}
	return q
}

func scanLimited(ctx context.Context, st store.Store, def store.CollectionDef, q store.Query, each func(store.Doc) error) error {
	c, err := st.Collection(ctx, def)
	if err != nil {
		return err
	}
	n := 0
	q.Limit = 500
	for {
		p, err := c.Find(ctx, q)
		if err != nil {
			return err
		}
		for _, d := range p.Docs {
			if err := each(d); err != nil {
				return err
			}
		}
		n += len(p.Docs)
		if p.Next == "" || n >= maxListScan {
			return nil
		}
		q.After = p.Next
	}
}
