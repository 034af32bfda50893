package experts

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store"
)

// maxMembers bounds a committee.
const maxMembers = 60

// Committee is a technical review committee for one industry or route. Its
// id is "cmt-" and the field code, so each field has at most one. The chair
// is always one of the members (one document holds both).
type Committee struct {
	ID        string    `json:"id"`
	Field     string    `json:"field"`
	Name      string    `json:"name"`
	Members   []string  `json:"members"`
	Chair     string    `json:"chair"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int64     `json:"version"`
}

// CommitteeInput creates a committee.
type CommitteeInput struct {
	Field   string   `json:"field"`
	Name    string   `json:"name"`
	Members []string `json:"members"`
	Chair   string   `json:"chair"`
}

// CommitteePatch changes a committee; nil fields stay.
type CommitteePatch struct {
	Name    *string   `json:"name"`
	Members *[]string `json:"members"`
	Chair   *string   `json:"chair"`
	Version int64     `json:"version"`
}

// CommitteeID returns the id of the committee of a field.
func CommitteeID(field string) string { return "cmt-" + field }

func (s *Service) loadCommittee(ctx context.Context, id string) (Committee, int64, error) {
	var c Committee
	if !strings.HasPrefix(id, "cmt-") || len(id) > 100 {
		return c, 0, kedaitong.Errorf(kedaitong.ENotFound, "committee %q not found", id).ZHf("未找到专业委员会 %q", id)
	}
	ver, err := s.committees.Get(ctx, id, &c)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		return c, 0, kedaitong.Errorf(kedaitong.ENotFound, "committee %q not found", id).ZHf("未找到专业委员会 %q", id)
	}
	c.Version = ver
	return c, ver, err
}

// checkCommittee validates members (existing experts, no repeats) and the
// chair (a member; required once there are members).
func (s *Service) checkCommittee(ctx context.Context, c *Committee) error {
	c.Name = cleanText(c.Name)
	if utf8.RuneCountInString(c.Name) > maxOrgName {
		return kedaitong.Invalid("name", "is longer than %d characters", maxOrgName).ZHf("名称不能超过 %d 个字符", maxOrgName)
	}
	var members []string
	for _, m := range c.Members {
		m = strings.TrimSpace(m)
		if m == "" || slices.Contains(members, m) {
			continue
		}
		if _, _, err := s.load(ctx, m); err != nil {
			if kedaitong.Is(err, kedaitong.ENotFound) {
				return kedaitong.Invalid("members", "no expert %q", m).ZHf("没有评审专家 %q", m)
			}
			return err
		}
		members = append(members, m)
	}
	if len(members) > maxMembers {
		return kedaitong.Invalid("members", "at most %d members", maxMembers).ZHf("成员最多 %d 人", maxMembers)
	}
	c.Members = members
	if c.Members == nil {
		c.Members = []string{}
	}
	c.Chair = strings.TrimSpace(c.Chair)
	switch {
	case c.Chair == "" && len(members) > 0:
		return kedaitong.Invalid("chair", "name the chair, one of the members").ZHf("请指定主任委员（须为成员之一）")
	case c.Chair != "" && !slices.Contains(members, c.Chair):
		return kedaitong.Invalid("chair", "the chair %q is not a member", c.Chair).ZHf("主任委员 %q 不是成员", c.Chair)
	}
	return nil
}

// CreateCommittee creates the committee of a field (officials and admins).
func (s *Service) CreateCommittee(ctx context.Context, actor identity.User, in CommitteeInput) (Committee, error) {
	if !manages(actor) {
		return Committee{}, kedaitong.Errorf(kedaitong.EForbidden, "only officials and administrators manage committees").ZHf("只有政府用户和管理员可以管理专业委员会")
	}
	in.Field = strings.TrimSpace(in.Field)
	if !s.tax.IsField(in.Field) {
		return Committee{}, kedaitong.Invalid("field", "unknown field %q: use an industry or a technical route", in.Field).ZHf("未知领域 %q：请使用行业或技术路线", in.Field)
	}
	c := Committee{ID: CommitteeID(in.Field), Field: in.Field, Name: in.Name, Members: in.Members, Chair: in.Chair}
	if strings.TrimSpace(c.Name) == "" {
		c.Name = s.fieldName(in.Field) + "技术评审委员会"
	}
	if err := s.checkCommittee(ctx, &c); err != nil {
		return Committee{}, err
	}
	c.CreatedAt, c.UpdatedAt = s.now(), s.now()
	if err := s.committees.Insert(ctx, c.ID, c); err != nil {
		if kedaitong.Is(err, kedaitong.EConflict) {
			return Committee{}, kedaitong.Errorf(kedaitong.EConflict, "the field %s has a committee already (%s)", in.Field, c.ID).ZHf("领域 %s 已有专业委员会（%s）", in.Field, c.ID)
		}
		return Committee{}, err
	}
	c.Version = 1
	s.record(ctx, &actor, "committee.create", "committee", c.ID, "", map[string]any{"field": c.Field, "members": len(c.Members), "chair": c.Chair})
	return c, nil
}

func (s *Service) fieldName(code string) string {
	if r, ok := s.tax.Route(code); ok {
		return r.Name.ZH
	}
	if i, ok := s.tax.Industry(code); ok {
		return i.Name.ZH
	}
	return code
}

// UpdateCommittee changes a committee's name, members or chair.
func (s *Service) UpdateCommittee(ctx context.Context, actor identity.User, id string, p CommitteePatch) (Committee, error) {
	if !manages(actor) {
		return Committee{}, kedaitong.Errorf(kedaitong.EForbidden, "only officials and administrators manage committees").ZHf("只有政府用户和管理员可以管理专业委员会")
	}
	for attempt := 0; ; attempt++ {
		c, ver, err := s.loadCommittee(ctx, id)
		if err != nil {
			return Committee{}, err
		}
		if p.Version != 0 && p.Version != ver {
			return Committee{}, kedaitong.Errorf(kedaitong.EConflict, "committee %q changed since version %d; reload and try again", id, p.Version).ZHf("专业委员会 %q 自版本 %d 以来已被修改，请刷新后重试", id, p.Version)
		}
		if p.Name != nil {
			c.Name = *p.Name
		}
		if p.Members != nil {
			c.Members = slices.Clone(*p.Members)
			if old := c.Chair; p.Chair == nil && !slices.Contains(c.Members, old) {
				c.Chair = ""
				if len(c.Members) > 0 && old != "" {
					return Committee{}, kedaitong.Invalid("chair", "the chair %q is no longer a member: name a new chair", old).ZHf("主任委员 %q 已不再是成员：请指定新的主任委员", old)
				}
			}
		}
		if p.Chair != nil {
			c.Chair = *p.Chair
		}
		if err := s.checkCommittee(ctx, &c); err != nil {
			return Committee{}, err
		}
		c.UpdatedAt = s.now()
		nv, err := s.committees.Replace(ctx, id, ver, c)
		if kedaitong.Is(err, kedaitong.EConflict) && p.Version == 0 && attempt < 10 {
			continue
		}
		if err != nil {
			return Committee{}, err
		}
		c.Version = nv
		s.record(ctx, &actor, "committee.update", "committee", id, "", map[string]any{"members": len(c.Members), "chair": c.Chair})
		return c, nil
	}
}

// Committee returns one committee. Experts read the committees (their
// members are expert ids, never names).
func (s *Service) Committee(ctx context.Context, actor identity.User, id string) (Committee, error) {
	if !manages(actor) && actor.Role != identity.RoleExpert {
		return Committee{}, kedaitong.Errorf(kedaitong.ENotFound, "committee %q not found", id).ZHf("未找到专业委员会 %q", id)
	}
	c, _, err := s.loadCommittee(ctx, id)
	return c, err
}

// Committees returns every committee, ordered by id (committees are one per
// field: a few dozen at most), optionally those of one industry.
func (s *Service) Committees(ctx context.Context, actor identity.User, industry string) ([]Committee, error) {
	if !manages(actor) && actor.Role != identity.RoleExpert {
		return []Committee{}, nil
	}
	all, err := s.allCommittees(ctx)
	if err != nil {
		return nil, err
	}
	if industry == "" {
		return all, nil
	}
	if !s.tax.IsField(industry) {
		return nil, kedaitong.Invalid("field", "unknown field %q", industry).ZHf("未知领域 %q", industry)
	}
	out := []Committee{}
	for _, c := range all {
		if c.Field == industry || s.tax.IndustryOf(c.Field) == industry && !strings.Contains(industry, ".") {
			out = append(out, c)
		}
	}
	return out, nil
}

func (s *Service) allCommittees(ctx context.Context) ([]Committee, error) {
	out := []Committee{}
	q := store.Query{Limit: 500}
	for {
		page, err := s.committees.Find(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, d := range page.Docs {
			var c Committee
			if err := d.Decode(&c); err != nil {
				return nil, err
			}
			c.Version = d.Version
			out = append(out, c)
		}
		if page.Next == "" {
			return out, nil
		}
		q.After = page.Next
	}
}

// committeesOf returns the ids of the committees the expert sits on.
func (s *Service) committeesOf(ctx context.Context, expertID string) ([]string, error) {
	all, err := s.allCommittees(ctx)
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, c := range all {
		if slices.Contains(c.Members, expertID) {
			out = append(out, c.ID)
		}
	}
	sort.Strings(out)
	return out, nil
}
