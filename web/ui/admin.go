package ui

import (
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"kedaitong"
	"kedaitong/audit"
	"kedaitong/identity"
	"kedaitong/web"
)

// The administrator's screens beside the users: the access policy and the
// audit log (search by actor, action, object and dates; verify the chain).
func (s *ui) registerAdminPages(e *gin.Engine) {
	if s.Deps.AuditLog != nil {
		s.page(e, web.UIRoute{Method: "GET", Path: "/audit", Obj: "audit", Act: "read"}, s.pageAudit)
		s.page(e, web.UIRoute{Method: "POST", Path: "/audit/verify", Obj: "audit", Act: "verify"}, s.pageAuditVerify)
	}
	if s.Deps.Policy != nil {
		s.page(e, web.UIRoute{Method: "GET", Path: "/admin/policy", Obj: "policy", Act: "read"}, s.pagePolicy)
		s.page(e, web.UIRoute{Method: "POST", Path: "/admin/policy", Obj: "policy", Act: "create"}, s.pagePolicyChange(true))
		s.page(e, web.UIRoute{Method: "POST", Path: "/admin/policy/remove", Obj: "policy", Act: "delete"}, s.pagePolicyChange(false))
	}
}

// auditRow is one audit entry as the page shows it.
type auditRow struct {
	audit.Entry
	When, Kind, RegionName, ActionName string
}

func (s *ui) pageAudit(c *gin.Context) { s.renderAudit(c, http.StatusOK, nil) }

// renderAudit lists the audit log the caller may read, filtered by the
// query: actor (a user name), one of action / object kind / outcome, a
// date range in Beijing time, a region.
func (s *ui) renderAudit(c *gin.Context, status int, report *audit.Report) {
	cl := web.MustCaller(c)
	ctx := c.Request.Context()
	q := func(k string) string { return strings.TrimSpace(c.Query(k)) }
	lang := web.PickLang(c)
	tr := web.NewTr(s.bundle, lang)
	f := audit.Filter{Action: q("action"), ObjectKind: q("object_kind"), Outcome: q("outcome"), Region: q("region"), Limit: audit.MaxLimit}
	var errMsg string
	fail := func(err error) {
		if errMsg == "" {
			errMsg = web.ErrText(c, err)
			status = web.StatusOf(err)
		}
	}
	if name := q("actor"); name != "" {
		u, err := s.Deps.Identity.UserByName(ctx, name)
		if err != nil {
			fail(kedaitong.Invalid("actor", "no user is called %q", name).ZHf("没有名为 %q 的用户", name))
		} else {
			f.UserID = u.ID
		}
	}
	for _, d := range []struct {
		name string
		dst  *time.Time
		next bool
	}{{"from", &f.From, false}, {"to", &f.To, true}} {
		if v := q(d.name); v != "" {
			t, err := time.ParseInLocation("2006-01-02", v, web.BeijingTime())
			if err != nil {
				fail(kedaitong.Invalid(d.name, "%q is not a date such as 2026-12-01", v).ZHf("%q 不是日期，应如 2026-12-01", v))
				continue
			}
			if d.next {
				t = t.AddDate(0, 0, 1) // the whole last day
			}
			*d.dst = t
		}
	}
	var es []audit.Entry
	truncated := false
	if errMsg == "" {
		if scoped, ok := audit.Scope(cl.User, f); ok {
			all, more, err := readAll(func(cur string) ([]audit.Entry, string, error) {
				scoped.Cursor = cur
				return s.Deps.AuditLog.List(ctx, scoped)
			})
			if err != nil {
				fail(err)
			}
			es, truncated = audit.Visible(cl.User, all), more
		}
	}
	// Entries the demo seeding wrote as an expert carry the expert's id as
	// the actor's name: officials read the expert's name instead.
	var ids []string
	for _, e := range es {
		if strings.HasPrefix(e.Username, "exp-") {
			ids = append(ids, e.Username)
		}
	}
	if len(ids) > 0 {
		names := s.expertNames(c, ids)
		for i := range es {
			if n, ok := names[es[i].Username]; ok && n.Name != "" {
				es[i].Username = n.Name
			}
		}
	}
	spec := listSpec[audit.Entry]{ID: "audit", Sheet: "audit.title", Sort: "seq", Desc: true, Cols: []col[audit.Entry]{
		intCol("seq", "audit.seq", func(e audit.Entry) int64 { return e.Seq }),
		{Key: "time", Label: "audit.time", Text: func(e audit.Entry) string { return fmtBeijing(e.Time, "2006-01-02 15:04:05") },
			Cmp: func(a, b audit.Entry) int { return a.Time.Compare(b.Time) }},
		textCol("actor", "audit.actor", func(e audit.Entry) string { return nameOr(e.Username, "") }),
		textCol("action", "audit.action", func(e audit.Entry) string { return actionText(tr, e.Action) }),
		textCol("object", "audit.object", func(e audit.Entry) string { return strings.TrimSpace(objText(tr, e.ObjectKind) + " " + e.ObjectID) }),
		textCol("outcome", "audit.outcome", func(e audit.Entry) string { return tr.T("audit.outcome." + e.Outcome) }),
		textCol("region", "audit.region", func(e audit.Entry) string { return regionText(lang, e.Region) }),
	}, Search: func(e audit.Entry) string { return e.Action + " " + e.ObjectKind + " " + e.Role + " " + e.RequestID }}
	page, list, done := listRows(s, c, spec, es, truncated)
	if done {
		return
	}
	rows := make([]auditRow, len(page))
	for i, e := range page {
		rows[i] = auditRow{Entry: e, When: fmtBeijing(e.Time, "2006-01-02 15:04:05"), Kind: objText(tr, e.ObjectKind), RegionName: regionText(lang, e.Region), ActionName: actionText(tr, e.Action)}
	}
	s.render(c, status, "audit", "audit.title", gin.H{"Rows": rows, "List": list, "Error": errMsg, "Report": report,
		"Q": map[string]string{"actor": q("actor"), "action": f.Action, "object_kind": f.ObjectKind, "outcome": f.Outcome,
			"region": f.Region, "from": q("from"), "to": q("to")},
		"Outcomes":  []string{audit.OK, audit.Denied, audit.Failed},
		"CanVerify": s.Deps.RBAC.RoleAllowed(cl.User.Role, "audit", "verify")})
}

// pageAuditVerify walks the chain and shows the outcome above the log.
func (s *ui) pageAuditVerify(c *gin.Context) {
	rep, err := s.Deps.AuditLog.Verify(c.Request.Context())
	if err != nil {
		s.renderError(c, web.StatusOf(err), "error.internal")
		return
	}
	s.renderAudit(c, http.StatusOK, &rep)
}

// policyRow is one rule of the access policy.
type policyRow struct{ Role, Domain, Obj, Act string }

func (s *ui) pagePolicy(c *gin.Context) { s.renderPolicy(c, http.StatusOK, "", "") }

// renderPolicy shows the policy grouped by role, with forms to allow an
// action and to withdraw one.
func (s *ui) renderPolicy(c *gin.Context, status int, notice, errMsg string) {
	rules, err := s.Deps.Policy.Policy()
	if err != nil {
		s.renderError(c, web.StatusOf(err), "error.internal")
		return
	}
	byRole := map[string][]policyRow{}
	for _, r := range rules {
		if len(r) >= 4 {
			byRole[r[0]] = append(byRole[r[0]], policyRow{Role: r[0], Domain: r[1], Obj: r[2], Act: r[3]})
		}
	}
	type group struct {
		Role  string
		Rules []policyRow
	}
	var groups []group
	for _, role := range identity.Roles {
		rs := byRole[role]
		sort.Slice(rs, func(i, j int) bool {
			if rs[i].Obj != rs[j].Obj {
				return rs[i].Obj < rs[j].Obj
			}
			return rs[i].Act < rs[j].Act
		})
		groups = append(groups, group{Role: role, Rules: rs})
	}
	s.render(c, status, "policy", "policy.title", gin.H{"Groups": groups, "Roles": identity.Roles, "Notice": notice, "Error": errMsg})
}

func (s *ui) pagePolicyChange(add bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		role, obj, act := strings.TrimSpace(c.PostForm("role")), strings.TrimSpace(c.PostForm("obj")), strings.TrimSpace(c.PostForm("act"))
		if role == "" || obj == "" || act == "" {
			err := kedaitong.Invalid("obj", "give the role, the kind of object and the action").ZHf("请填写角色、对象类型和操作")
			s.renderPolicy(c, web.StatusOf(err), "", web.ErrText(c, err))
			return
		}
		if err := s.ChangePolicy(c.Request.Context(), web.MustCaller(c).User, role, c.PostForm("domain"), obj, act, add); err != nil {
			s.renderPolicy(c, web.StatusOf(err), "", web.ErrText(c, err))
			return
		}
		notice := "policy.removed"
		if add {
			notice = "policy.added"
		}
		s.renderPolicy(c, http.StatusOK, notice, "")
	}
}
