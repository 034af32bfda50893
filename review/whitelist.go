package review

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store"
)

// WhitelistDef is the collection of the whitelist: one document per
// enterprise (its credit code is the id), with the history of its changes.
var WhitelistDef = store.CollectionDef{Name: "enterprise_whitelist", Indexes: []store.Index{
	{Fields: []string{"whitelisted", "updated_ms"}},
	{Fields: []string{"whitelisted", "city", "updated_ms"}},
	{Fields: []string{"whitelisted", "region", "updated_ms"}},
}}

// Whitelist is an enterprise's whitelist status: an official's statement
// that a technology enterprise must not be rejected for its losses alone.
type Whitelist struct {
	CreditCode  string           `json:"credit_code"`
	Name        string           `json:"name"`   // the enterprise's name on its latest application
	Region      string           `json:"region"` // the enterprise's county
	City        string           `json:"city"`
	Whitelisted bool             `json:"whitelisted"`
	Reason      string           `json:"reason,omitempty"`
	By          string           `json:"by,omitempty"` // user id of the official
	At          *time.Time       `json:"at,omitempty"`
	History     []WhitelistEvent `json:"history"`
	UpdatedMS   int64            `json:"updated_ms"`
}

// WhitelistEvent is one change of the status.
type WhitelistEvent struct {
	Action   string    `json:"action"` // "add", "update" or "lift"
	Reason   string    `json:"reason,omitempty"`
	By       string    `json:"by"`
	Username string    `json:"username"`
	At       time.Time `json:"at"`
}

// whitelistOf returns the status of an enterprise (not whitelisted when
// there is no document).
func (s *Service) whitelistOf(ctx context.Context, code string) (Whitelist, error) {
	var w Whitelist
	if code == "" {
		return w, nil
	}
	_, err := s.wl.Get(ctx, code, &w)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		return Whitelist{CreditCode: code}, nil
	}
	return w, err
}

// WhitelistStatus returns whether the enterprise is whitelisted and why
// (for reports; no access check).
func (s *Service) WhitelistStatus(ctx context.Context, creditCode string) (bool, string, error) {
	w, err := s.whitelistOf(ctx, NormalizeCreditCode(creditCode))
	return w.Whitelisted, w.Reason, err
}

// enterprise finds the enterprise with the code from its latest application
// and checks that the official's region covers it; unknown or outside the
// region is not found.
func (s *Service) enterprise(ctx context.Context, actor identity.User, code string) (Application, error) {
	nf := kedaitong.Errorf(kedaitong.ENotFound, "no enterprise %q among the applications of your region", code).ZHf("您所在辖区的贷款申请中没有企业 %q", code)
	if actor.Role != identity.RoleOfficial || !identity.ValidRegion(actor.Region) {
		return Application{}, kedaitong.Errorf(kedaitong.EForbidden, "only officials whitelist enterprises").ZHf("只有政府用户可以将企业列入白名单")
	}
	if CheckCreditCode(code) != nil {
		return Application{}, nf
	}
	p, err := s.apps.Find(ctx, store.Query{Eq: map[string]any{"credit_code": code}, Sort: "created_ms", Desc: true, Limit: 1})
	if err != nil {
		return Application{}, err
	}
	if len(p.Docs) == 0 {
		return Application{}, nf
	}
	var a Application
	if err := p.Docs[0].Decode(&a); err != nil {
		return Application{}, err
	}
	if !identity.RegionCovers(actor.Region, a.Region) {
		return Application{}, nf
	}
	return a, nil
}

// SetWhitelist whitelists an enterprise (or changes the reason of one
// already whitelisted): an official whose region covers it, with a reason.
func (s *Service) SetWhitelist(ctx context.Context, actor identity.User, creditCode, reason string) (Whitelist, error) {
	code := NormalizeCreditCode(creditCode)
	reason = strings.TrimSpace(reason)
	a, err := s.enterprise(ctx, actor, code)
	if err != nil {
		return Whitelist{}, err
	}
	switch n := utf8.RuneCountInString(reason); {
	case n == 0:
		return Whitelist{}, kedaitong.Invalid("reason", "a reason is required to whitelist an enterprise").ZHf("将企业列入白名单需要说明理由")
	case n > MaxReasonLen:
		return Whitelist{}, kedaitong.Invalid("reason", "at most %d characters", MaxReasonLen).ZHf("理由最多 %d 个字符", MaxReasonLen)
	}
	return s.changeWhitelist(ctx, actor, a, true, reason)
}

// LiftWhitelist takes an enterprise off the whitelist; reason is optional.
// An enterprise not whitelisted is a conflict.
func (s *Service) LiftWhitelist(ctx context.Context, actor identity.User, creditCode, reason string) (Whitelist, error) {
	code := NormalizeCreditCode(creditCode)
	reason = strings.TrimSpace(reason)
	a, err := s.enterprise(ctx, actor, code)
	if err != nil {
		return Whitelist{}, err
	}
	if utf8.RuneCountInString(reason) > MaxReasonLen {
		return Whitelist{}, kedaitong.Invalid("reason", "at most %d characters", MaxReasonLen).ZHf("理由最多 %d 个字符", MaxReasonLen)
	}
	return s.changeWhitelist(ctx, actor, a, false, reason)
}

func (s *Service) changeWhitelist(ctx context.Context, actor identity.User, a Application, on bool, reason string) (Whitelist, error) {
	var w Whitelist
	ver, err := s.wl.Get(ctx, a.CreditCode, &w)
	exists := err == nil
	if err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
		return Whitelist{}, err
	}
	if !on && !w.Whitelisted {
		return Whitelist{}, kedaitong.Errorf(kedaitong.EConflict, "enterprise %s is not whitelisted", a.CreditCode).ZHf("企业 %s 不在白名单中", a.CreditCode)
	}
	now := s.now()
	action := "add"
	switch {
	case !on:
		action = "lift"
	case w.Whitelisted:
		action = "update"
	}
	w.CreditCode, w.Name, w.Region, w.City = a.CreditCode, a.Enterprise.Name, a.Region, a.City
	w.Whitelisted, w.UpdatedMS = on, now.UnixMilli()
	if on {
		w.Reason, w.By, w.At = reason, actor.ID, &now
	} else {
		w.Reason, w.By, w.At = "", "", nil
	}
	w.History = append(w.History, WhitelistEvent{Action: action, Reason: reason, By: actor.ID, Username: actor.Username, At: now})
	if exists {
		_, err = s.wl.Replace(ctx, a.CreditCode, ver, w)
	} else {
		err = s.wl.Insert(ctx, a.CreditCode, w)
	}
	if kedaitong.Is(err, kedaitong.EConflict) {
		return Whitelist{}, kedaitong.Wrap(kedaitong.EConflict, err, "the whitelist entry changed at the same time; try again").ZHf("白名单条目同时被修改了，请重试")
	}
	if err != nil {
		return Whitelist{}, err
	}
	if s.rec != nil {
		s.rec.Record(ctx, identity.Event{Actor: &actor, Action: "whitelist." + action, ObjectKind: "enterprise", ObjectID: a.CreditCode,
			Region: a.Region, Detail: map[string]any{"reason": clip(reason, 300), "name": clip(a.Enterprise.Name, 100)}})
	}
	return w, nil
}

// ListWhitelisted returns the whitelisted enterprises in the official's
// region (admins: all), most recently changed first.
func (s *Service) ListWhitelisted(ctx context.Context, actor identity.User, limit int, cursor string) ([]Whitelist, string, error) {
	q := store.Query{Eq: map[string]any{"whitelisted": true}, Sort: "updated_ms", Desc: true, Limit: limit, After: cursor}
	switch {
	case actor.Role == identity.RoleAdmin:
	case actor.Role == identity.RoleOfficial && identity.ValidRegion(actor.Region):
		switch len(actor.Region) {
		case 4:
			q.Eq["city"] = actor.Region
		case 6:
			q.Eq["region"] = actor.Region
		}
	default:
		return nil, "", kedaitong.Errorf(kedaitong.EForbidden, "only officials see the whitelist").ZHf("只有政府用户可以查看白名单")
	}
	p, err := s.wl.Find(ctx, q)
	if err != nil {
		return nil, "", err
	}
	ws, err := store.DecodeAll[Whitelist](p.Docs)
	return ws, p.Next, err
}
