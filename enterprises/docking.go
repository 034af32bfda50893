package enterprises

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store"
)

// Docking states.
const (
	DockOpen      = "open"
	DockContacted = "contacted"
	DockConverted = "converted" // a loan or an investment came of it
	DockClosed    = "closed"
)

// DockingInput is the body of POST /api/v1/docking.
type DockingInput struct {
	CreditCode string `json:"credit_code"`
	Kind       string `json:"kind"` // loan, investment
	Note       string `json:"note"`
}

// Docking is a bank's or investor's interest in an enterprise.
type Docking struct {
	ID             string     `json:"id"`
	CreditCode     string     `json:"credit_code"`
	EnterpriseName string     `json:"enterprise_name"`
	Region         string     `json:"region"`
	City           string     `json:"city"`
	Kind           string     `json:"kind"`
	Note           string     `json:"note"`
	Owner          string     `json:"owner"` // "bank:<id>" or "org:<key>"
	OwnerName      string     `json:"owner_name"`
	By             string     `json:"by"`
	ByName         string     `json:"by_name"`
	State          string     `json:"state"`
	FollowUps      []FollowUp `json:"follow_ups"`
	CreatedAt      time.Time  `json:"created_at"`
	CreatedMS      int64      `json:"created_ms"`
}

// FollowUp is an official's step on a docking.
type FollowUp struct {
	State  string    `json:"state"`
	Note   string    `json:"note"`
	By     string    `json:"by"`
	ByName string    `json:"by_name"`
	At     time.Time `json:"at"`
}

func owner(actor identity.User) (string, string) {
	if isBank(actor) {
		return "bank:" + actor.BankID, actor.BankID
	}
	return "org:" + orgKey(actor.Org), actor.Org
}

// Dock records interest in an enterprise of the data hub (banks, investors).
func (s *Service) Dock(ctx context.Context, actor identity.User, in DockingInput) (Docking, error) {
	if !isBank(actor) && !isInvestor(actor) {
		return Docking{}, kedaitong.Errorf(kedaitong.EForbidden, "only banks and investors express interest in enterprises").ZHf("只有银行和投资机构可以提出对接意向")
	}
	code, err := CheckCode("credit_code", in.CreditCode)
	if err != nil {
		return Docking{}, err
	}
	if in.Kind != "loan" && in.Kind != "investment" {
		return Docking{}, kedaitong.Invalid("kind", "use loan or investment").ZHf("对接类型只能是 loan（贷款）或 investment（投资）")
	}
	in.Note = strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(in.Note) > 2000 {
		return Docking{}, kedaitong.Invalid("note", "at most 2,000 characters").ZHf("说明最多 2000 个字")
	}
	p, exists, err := s.readPortrait(ctx, code)
	if err != nil {
		return Docking{}, err
	}
	if !exists || p.Region == "" {
		return Docking{}, notFound(code)
	}
	now := s.now()
	own, ownName := owner(actor)
	d := Docking{ID: newID("dock-"), CreditCode: code, EnterpriseName: p.Name, Region: p.Region, City: p.City, Kind: in.Kind, Note: in.Note,
		Owner: own, OwnerName: ownName, By: actor.ID, ByName: actor.Username, State: DockOpen, FollowUps: []FollowUp{},
		CreatedAt: now, CreatedMS: now.UnixMilli()}
	if err := s.docking.Insert(ctx, d.ID, d); err != nil {
		return Docking{}, err
	}
	s.record(ctx, &actor, "docking.create", "docking", d.ID, d.Region, map[string]any{"credit_code": code, "kind": in.Kind})
	return d, nil
}

// DockingFilter narrows the docking list.
type DockingFilter struct {
	State  string
	Limit  int
	Cursor string
}

func validDockState(s string) bool {
	return s == DockOpen || s == DockContacted || s == DockConverted || s == DockClosed
}

// DockingList lists dockings, newest first: a bank's or investor's own
// institution's, an official's region's, all for admins.
func (s *Service) DockingList(ctx context.Context, actor identity.User, f DockingFilter) ([]Docking, string, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	if f.Limit > 500 {
		return nil, "", kedaitong.Invalid("limit", "at most 500").ZHf("每页最多 500 条")
	}
	if f.State != "" && !validDockState(f.State) {
		return nil, "", kedaitong.Invalid("state", "use open, contacted, converted or closed").ZHf("状态只能是 open、contacted、converted、closed 之一")
	}
	if f.Cursor != "" {
		if _, _, err := store.DecodeCursor(f.Cursor); err != nil {
			return nil, "", err
		}
	}
	q := store.Query{Sort: "created_ms", Desc: true, After: f.Cursor}
	switch {
	case isBank(actor), isInvestor(actor):
		own, _ := owner(actor)
		q.Eq = map[string]any{"owner": own}
	case isOfficial(actor):
		switch len(actor.Region) {
		case 4:
			q.Eq = map[string]any{"city": actor.Region}
		case 6:
			q.Eq = map[string]any{"region": actor.Region}
		}
	case isAdmin(actor):
	default:
		return nil, "", kedaitong.Errorf(kedaitong.EForbidden, "you may not read docking").ZHf("您无权查看对接信息")
	}
	docs, next, err := store.FindMatching(ctx, s.docking, q, f.Limit, maxScan, func(d store.Doc) (bool, error) {
		if f.State == "" {
			return true, nil
		}
		var x Docking
		if err := d.Decode(&x); err != nil {
			return false, err
		}
		return x.State == f.State, nil
	})
	if err != nil {
		return nil, "", err
	}
	out, err := store.DecodeAll[Docking](docs)
	return out, next, err
}

// GetDocking returns one docking the actor may see.
func (s *Service) GetDocking(ctx context.Context, actor identity.User, id string) (Docking, error) {
	var d Docking
	_, err := s.docking.Get(ctx, id, &d)
	if kedaitong.Is(err, kedaitong.ENotFound) || err == nil && !maySeeDocking(actor, d) {
		return Docking{}, kedaitong.Errorf(kedaitong.ENotFound, "no docking %q", id).ZHf("没有对接记录 %q", id)
	}
	return d, err
}

func maySeeDocking(actor identity.User, d Docking) bool {
	switch {
	case isAdmin(actor):
		return true
	case isOfficial(actor):
		return identity.RegionCovers(actor.Region, d.Region)
	case isBank(actor), isInvestor(actor):
		own, _ := owner(actor)
		return own == d.Owner
	}
	return false
}

// FollowUpInput is the body of POST /api/v1/docking/{id}/follow-up.
type FollowUpInput struct {
	State string `json:"state"` // contacted, converted, closed
	Note  string `json:"note"`
}

// FollowUp records an official's step on a docking of the official's region.
func (s *Service) FollowUp(ctx context.Context, actor identity.User, id string, in FollowUpInput) (Docking, error) {
	if !isOfficial(actor) && !isAdmin(actor) {
		return Docking{}, kedaitong.Errorf(kedaitong.EForbidden, "only officials follow up docking").ZHf("只有政府用户可以跟进对接")
	}
	if in.State != DockContacted && in.State != DockConverted && in.State != DockClosed {
		return Docking{}, kedaitong.Invalid("state", "use contacted, converted or closed").ZHf("状态只能是 contacted（已联系）、converted（已转化）或 closed（已关闭）")
	}
	in.Note = strings.TrimSpace(in.Note)
	if utf8.RuneCountInString(in.Note) > 2000 {
		return Docking{}, kedaitong.Invalid("note", "at most 2,000 characters").ZHf("说明最多 2000 个字")
	}
	for attempt := 0; attempt < 20; attempt++ {
		var d Docking
		ver, err := s.docking.Get(ctx, id, &d)
		if kedaitong.Is(err, kedaitong.ENotFound) || err == nil && !maySeeDocking(actor, d) {
			return Docking{}, kedaitong.Errorf(kedaitong.ENotFound, "no docking %q", id).ZHf("没有对接记录 %q", id)
		}
		if err != nil {
			return Docking{}, err
		}
		if d.State == DockConverted || d.State == DockClosed {
			return Docking{}, kedaitong.Errorf(kedaitong.EConflict, "the docking is %s already", d.State).ZHf("该对接已结束（%s）", d.State)
		}
		d.State = in.State
		d.FollowUps = append(d.FollowUps, FollowUp{State: in.State, Note: in.Note, By: actor.ID, ByName: actor.Username, At: s.now()})
		if _, err := s.docking.Replace(ctx, id, ver, d); kedaitong.Is(err, kedaitong.EConflict) {
			continue
		} else if err != nil {
			return Docking{}, err
		}
		s.record(ctx, &actor, "docking.follow_up", "docking", id, d.Region, map[string]any{"state": in.State})
		return d, nil
	}
	return Docking{}, kedaitong.Errorf(kedaitong.EConflict, "the docking keeps changing; try again").ZHf("对接记录一直在变化，请重试")
}

// DockingStats counts the dockings within a region and those converted,
// for officials' KPIs (docking conversion = converted ÷ total).
func (s *Service) DockingStats(ctx context.Context, region string) (total, converted int, err error) {
	q := store.Query{Eq: map[string]any{}}
	switch len(region) {
	case 4:
		q.Eq["city"] = region
	case 6:
		q.Eq["region"] = region
	}
	n, err := s.docking.Count(ctx, q)
	if err != nil {
		return 0, 0, err
	}
	q.Eq["state"] = DockConverted
	c, err := s.docking.Count(ctx, q)
	return int(n), int(c), err
}
