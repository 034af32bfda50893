package ui

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"kedaitong/alerts"
	"kedaitong/audit"
	"kedaitong/consult"
	"kedaitong/fund"
	"kedaitong/identity"
	"kedaitong/intel"
	"kedaitong/review"
	"kedaitong/review/panel"
	"kedaitong/review/rereview"
	"kedaitong/web"
)

// todoLimit is how many items a to-do section lists before "more".
const todoLimit = 5

// todo is one section of a user's home page: what waits for them.
type todo struct {
	ID    string // the section's id, also its message key (home.todo.<ID>)
	Items []todoItem
	More  bool   // there are more than the section shows
	Link  string // the full list behind it
}

type todoItem struct {
	Label, Note, Link string
}

// pageHome is the landing page: for a visitor the platform's pitch, for a
// logged-in user the to-do list of their role (a bank: drafts, reports
// ready for a decision, answered consultations, re-reviews due; an expert:
// invitations and scores due; an official: applications waiting for a
// panel, claims to approve; an analyst: unread alerts).
func (s *ui) pageHome(c *gin.Context) {
	cl, ok := web.CallerOf(c)
	if !ok {
		s.render(c, http.StatusOK, "home", "app.name", nil)
		return
	}
	lang := web.PickLang(c)
	todos := s.todos(c.Request.Context(), cl.User, lang)
	empty := true
	for _, t := range todos {
		if len(t.Items) > 0 {
			empty = false
		}
	}
	s.render(c, http.StatusOK, "home", "home.todo.title", gin.H{"Todos": todos, "Empty": empty})
}

func (s *ui) todos(ctx context.Context, u identity.User, lang string) []todo {
	var out []todo
	add := func(t todo) { out = append(out, t) }
	can := func(obj, act string) bool { return s.Deps.RBAC.RoleAllowed(u.Role, obj, act) }
	d := s.Deps
	isBank := u.Role == identity.RoleBankOfficer || u.Role == identity.RoleBankManager
	if d.Review != nil && isBank {
		t := todo{ID: "drafts", Link: "/applications?state=draft"}
		vs, next, err := d.Review.List(ctx, u, review.Filter{State: review.StateDraft, Limit: todoLimit})
		if err == nil {
			for _, v := range vs {
				t.Items = append(t.Items, todoItem{Label: v.Enterprise.Name, Note: moneyText(lang, v.Loan.Amount), Link: "/applications/" + v.ID})
			}
			t.More = next != ""
		}
		add(t)
		t = todo{ID: "reports", Link: "/applications?state=closed"}
		vs, next, err = d.Review.List(ctx, u, review.Filter{State: review.StateClosed, Limit: 50})
		if err == nil {
			for _, v := range vs {
				if v.Decision == nil && len(t.Items) < todoLimit {
					t.Items = append(t.Items, todoItem{Label: v.Enterprise.Name, Link: "/applications/" + v.ID + "/report"})
				}
			}
			t.More = next != ""
		}
		add(t)
	}
	if d.Consult != nil && isBank {
		t := todo{ID: "answered", Link: "/consultations?state=answered"}
		vs, next, err := d.Consult.List(ctx, u, consult.Filter{State: consult.StateAnswered, Limit: todoLimit})
		if err == nil {
			for _, v := range vs {
				t.Items = append(t.Items, todoItem{Label: v.RouteName.In(lang), Note: clip(v.Question, 40), Link: "/consultations/" + v.ID})
			}
			t.More = next != ""
		}
		add(t)
	}
	if d.Rereview != nil && isBank {
		t := todo{ID: "rereviews", Link: "/rereviews"}
		rs, next, err := d.Rereview.List(ctx, u, rereview.Filter{State: rereview.StateDue, Limit: todoLimit})
		if err == nil {
			for _, r := range rs {
				t.Items = append(t.Items, todoItem{Label: r.Enterprise, Note: r.DueDate, Link: "/rereviews/" + r.ID})
			}
			t.More = next != ""
		}
		add(t)
	}
	if d.Fund != nil && isBank {
		add(s.todoLoanWarnings(ctx, u, lang))
	}
	if d.Panel != nil && u.Role == identity.RoleExpert {
		for _, st := range []struct{ id, state string }{{"invitations", panel.StateInvited}, {"scores", panel.StateAccepted}} {
			t := todo{ID: st.id, Link: "/assignments"}
			as, next, err := d.Panel.List(ctx, u, panel.Filter{State: st.state, Limit: todoLimit})
			if err == nil {
				for _, a := range as {
					label := s.applicationName(ctx, u, a.ApplicationID, lang)
					if b, err := d.Panel.Brief(ctx, u, a.ID); err == nil {
						label = b.Enterprise
					}
					link := "/assignments"
					if st.state == panel.StateAccepted {
						link = "/assignments/" + a.ID + "/score"
					}
					t.Items = append(t.Items, todoItem{Label: label, Note: fmtBeijing(a.Due, "2006-01-02 15:04"), Link: link})
				}
				t.More = next != ""
			}
			add(t)
		}
	}
	if d.Fund != nil && u.Role == identity.RoleExpert {
		add(s.evaluationTodo(ctx, u))
	}
	if d.Fund != nil && u.Role == identity.RoleExpert {
		t := todo{ID: "eval_seats", Link: "/fund/seats"}
		for _, st := range []string{"invited", "accepted"} {
			seats, _, err := d.Fund.SeatsPage(ctx, u, st, todoLimit, "")
			if err != nil {
				continue
			}
			for _, x := range seats {
				if len(t.Items) == todoLimit {
					t.More = true
					break
				}
				t.Items = append(t.Items, todoItem{Label: x.Enterprise, Note: pageField(lang, x.Route) + " · " + fmtBeijing(x.Due, "2006-01-02 15:04") + beijingNote(lang), Link: "/fund/seats"})
			}
		}
		add(t)
	}
	if d.Consult != nil && u.Role == identity.RoleExpert {
		t := todo{ID: "consult_open", Link: "/consultations"}
		vs, next, err := d.Consult.List(ctx, u, consult.Filter{State: consult.StateOpen, Limit: todoLimit})
		if err == nil {
			for _, v := range vs {
				t.Items = append(t.Items, todoItem{Label: v.RouteName.In(lang), Note: fmtBeijing(v.Due, "2006-01-02 15:04"), Link: "/consultations/" + v.ID})
			}
			t.More = next != ""
		}
		add(t)
	}
	if d.Review != nil && u.Role == identity.RoleOfficial {
		t := todo{ID: "waiting_panel", Link: "/applications?state=submitted"}
		vs, next, err := d.Review.List(ctx, u, review.Filter{State: review.StateSubmitted, Limit: todoLimit})
		if err == nil {
			for _, v := range vs {
				t.Items = append(t.Items, todoItem{Label: v.Enterprise.Name, Note: pageField(lang, v.Enterprise.Route), Link: "/applications/" + v.ID})
			}
			t.More = next != ""
		}
		add(t)
	}
	if d.Review != nil && d.Panel != nil && u.Role == identity.RoleOfficial {
		add(s.todoStalledPanels(ctx, u, lang))
	}
	if d.Fund != nil && u.Role == identity.RoleOfficial {
		add(s.todoNPLWarnings(ctx, u, lang))
	}
	if d.Fund != nil && can("claim", "decide") {
		t := todo{ID: "claims", Link: "/fund/claims?state=submitted"}
		cs, next, err := d.Fund.ListClaims(ctx, u, fund.ClaimFilter{State: fund.ClaimSubmitted, Limit: todoLimit})
		if err == nil {
			for _, c := range cs {
				t.Items = append(t.Items, todoItem{Label: c.Enterprise, Note: moneyText(lang, c.Loss), Link: "/fund/claims"})
			}
			t.More = next != ""
		}
		add(t)
	}
	if d.Alerts != nil && alerts.MayRead(u) == nil {
		t := todo{ID: "alerts", Link: "/alerts?unread=true"}
		as, next, err := d.Alerts.List(ctx, u, alerts.Filter{UnreadOnly: true, Limit: todoLimit})
		if err == nil {
			for _, a := range as {
				t.Items = append(t.Items, todoItem{Label: a.Title.In(lang), Link: "/alerts"})
			}
			t.More = next != ""
		}
		add(t)
	}
	if d.Intel != nil && u.Role == identity.RoleAnalyst {
		// the week's risk news, first of each story: what an analyst checks
		// (and corrects when misclassified)
		since := time.Now().AddDate(0, 0, -7)
		t := todo{ID: "risk_items", Link: "/intel/items?polarity=risk"}
		items, next, err := d.Intel.Items(ctx, u, intel.ItemFilter{Polarity: "risk", Since: &since, FirstOnly: true, Limit: todoLimit})
		if err == nil {
			for _, it := range items {
				t.Items = append(t.Items, todoItem{Label: it.Title, Note: fmtBeijing(it.Published, "2006-01-02"), Link: "/intel/items/" + it.ID})
			}
			t.More = next != ""
		}
		add(t)
	}
	if u.Role == identity.RoleAdmin {
		if d.Panel != nil {
			t := todo{ID: "pending_invitations", Link: "/assignments?state=invited"}
			as, next, err := d.Panel.List(ctx, u, panel.Filter{State: panel.StateInvited, Limit: todoLimit})
			if err == nil {
				for _, a := range as {
					t.Items = append(t.Items, todoItem{Label: s.applicationName(ctx, u, a.ApplicationID, lang), Note: fmtBeijing(a.Due, "2006-01-02 15:04") + beijingNote(lang), Link: "/applications/" + a.ApplicationID + "/panel"})
				}
				t.More = next != ""
			}
			add(t)
		}
		if d.AuditLog != nil {
			add(s.todoIntegrity(d.AuditLog, lang))
		}
	}
	return out
}

// beijingNote states the zone after a time.
func beijingNote(lang string) string {
	if lang == "en" {
		return " (Beijing time)"
	}
	return "（北京时间）"
}

// todoLoanWarnings: a bank's non-performing loans, and the pools where the
// bank is warned or suspended for its non-performing ratio.
func (s *ui) todoLoanWarnings(ctx context.Context, u identity.User, lang string) todo {
	t := todo{ID: "loan_warnings", Link: "/fund/loans?state=non_performing"}
	if pools, _, err := s.Deps.Fund.ListPools(ctx, u, fund.PoolFilter{Limit: 100}); err == nil {
		for _, p := range pools {
			for _, b := range p.Banks {
				if b.BankID == u.BankID && (b.State == "warned" || b.State == "suspended") && len(t.Items) < todoLimit {
					t.Items = append(t.Items, todoItem{Label: p.Name, Note: nplText(lang, b.NPLPct), Link: "/fund/pools/" + p.ID})
				}
			}
		}
	}
	ls, next, err := s.Deps.Fund.ListLoans(ctx, u, fund.LoanFilter{State: fund.LoanNonPerforming, Limit: todoLimit})
	if err == nil {
		for _, l := range ls {
			if len(t.Items) < todoLimit {
				t.Items = append(t.Items, todoItem{Label: l.Enterprise.Name, Note: moneyText(lang, l.Outstanding), Link: "/fund/loans/" + l.ID})
			} else {
				t.More = true
			}
		}
		t.More = t.More || next != ""
	}
	return t
}

// todoNPLWarnings: the official's pools with a bank warned or suspended,
// or a payment warning (deferred compensation, claims above cash).
func (s *ui) todoNPLWarnings(ctx context.Context, u identity.User, lang string) todo {
	t := todo{ID: "npl_warnings", Link: "/fund"}
	pools, _, err := s.Deps.Fund.ListPools(ctx, u, fund.PoolFilter{Limit: 500})
	if err != nil {
		return t
	}
	for _, p := range pools {
		for _, b := range p.Banks {
			if b.State != "warned" && b.State != "suspended" {
				continue
			}
			name := b.BankID
			if s.Deps.Banks != nil {
				if bk, err := s.Deps.Banks.Get(ctx, u, b.BankID); err == nil && bk.Name != "" {
					name = bk.Name
				}
			}
			state := map[string][2]string{"warned": {"预警", "warned"}, "suspended": {"暂停新增", "suspended"}}[b.State]
			note := fmt.Sprintf("%s · NPL %d%% · %s", p.Name, b.NPLPct, state[0])
			if lang == "en" {
				note = fmt.Sprintf("%s · NPL %d%% · %s", p.Name, b.NPLPct, state[1])
			}
			t.Items = append(t.Items, todoItem{Label: name, Note: note, Link: "/fund/pools/" + p.ID})
		}
		if p.PaymentWarning {
			note := "代偿资金不足（存在缓付或待批代偿超过现金）"
			if lang == "en" {
				note = "payment warning: compensation deferred or open claims above cash"
			}
			t.Items = append(t.Items, todoItem{Label: p.Name, Note: note, Link: "/fund/pools/" + p.ID})
		}
	}
	if len(t.Items) > todoLimit {
		t.Items, t.More = t.Items[:todoLimit], true
	}
	return t
}

// stalledAfter is how long a panel may review before it counts as stalled.
const stalledAfter = 14 * 24 * time.Hour

// todoStalledPanels: applications in the official's region whose panel has
// seats nobody could be found for, or has been reviewing for more than two
// weeks.
func (s *ui) todoStalledPanels(ctx context.Context, u identity.User, lang string) todo {
	t := todo{ID: "stalled_panels", Link: "/applications?state=in_review"}
	vs, _, err := s.Deps.Review.List(ctx, u, review.Filter{State: review.StateInReview, Limit: 100})
	if err != nil {
		return t
	}
	now := time.Now()
	for _, v := range vs {
		p, err := s.Deps.Panel.Panel(ctx, u, v.ID)
		if err != nil {
			continue
		}
		note := ""
		switch {
		case p.Open > 0 || len(p.Shortfalls) > 0:
			note = fmt.Sprintf("%d 个席位无人", max(p.Open, len(p.Shortfalls)))
			if lang == "en" {
				note = fmt.Sprintf("%d seats without an expert", max(p.Open, len(p.Shortfalls)))
			}
		case v.SubmittedAt != nil && now.Sub(*v.SubmittedAt) > stalledAfter:
			days := int(now.Sub(*v.SubmittedAt).Hours() / 24)
			note = fmt.Sprintf("已评审 %d 天", days)
			if lang == "en" {
				note = fmt.Sprintf("in review for %d days", days)
			}
		default:
			continue
		}
		if len(t.Items) == todoLimit {
			t.More = true
			break
		}
		t.Items = append(t.Items, todoItem{Label: v.Enterprise.Name, Note: note, Link: "/applications/" + v.ID + "/panel"})
	}
	return t
}

// integrity is the latest check of the audit chain, refreshed in the
// background at most every ten minutes (the administrator's home shows it).
var integrity struct {
	sync.Mutex
	at      time.Time
	running bool
	report  *audit.Report
	err     error
}

func (s *ui) todoIntegrity(log *audit.Log, lang string) todo {
	t := todo{ID: "integrity", Link: "/audit"}
	integrity.Lock()
	defer integrity.Unlock()
	if !integrity.running && time.Since(integrity.at) > 10*time.Minute {
		integrity.running = true
		go func() {
			r, err := log.Verify(context.Background())
			integrity.Lock()
			integrity.report, integrity.err, integrity.at, integrity.running = &r, err, time.Now(), false
			integrity.Unlock()
		}()
	}
	zh := lang != "en"
	switch {
	case integrity.report == nil && integrity.err == nil:
		t.Items = append(t.Items, todoItem{Label: map[bool]string{true: "审计链校验中，请稍后刷新", false: "Checking the audit chain; reload shortly"}[zh], Link: "/audit"})
	case integrity.err != nil:
		t.Items = append(t.Items, todoItem{Label: map[bool]string{true: "审计链无法校验，请在审计日志页重试", false: "The audit chain could not be checked: retry on the audit page"}[zh], Link: "/audit"})
	case !integrity.report.Intact:
		t.Items = append(t.Items, todoItem{Label: map[bool]string{true: "审计链已损坏：", false: "The audit chain is broken: "}[zh] + integrity.report.Message,
			Note: fmtBeijing(integrity.at, "2006-01-02 15:04") + beijingNote(lang), Link: "/audit"})
	}
	// an intact chain waits for nothing: the section says so in its hint
	return t
}

// applicationName names an application for the caller (its enterprise),
// or a neutral label when the caller may not read it.
func (s *ui) applicationName(ctx context.Context, u identity.User, id, lang string) string {
	if s.Deps.Review != nil {
		if v, err := s.Deps.Review.Get(ctx, u, id); err == nil {
			return v.Enterprise.Name
		}
	}
	if lang == "en" {
		return "An application for review"
	}
	return "待评审的贷款申请"
}

// clip shortens s to n runes with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// pageField names a route in the language (as Page.Field does).
func pageField(lang, code string) string { return Page{Lang: lang}.Field(code) }

// nplText is a bank's non-performing ratio in the page's language.
func nplText(lang string, pct int64) string {
	if lang == "en" {
		return fmt.Sprintf("NPL ratio %d%%", pct)
	}
	return fmt.Sprintf("不良率 %d%%", pct)
}
