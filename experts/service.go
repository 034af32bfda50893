package experts

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store"
)

func (s *Service) today() string { return kedaitong.Date(s.now()) }

// load reads a profile with its version.
func (s *Service) load(ctx context.Context, id string) (Expert, int64, error) {
	var e Expert
	if !idRE.MatchString(id) {
		return e, 0, notFound(id)
	}
	ver, err := s.experts.Get(ctx, id, &e)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		return e, 0, notFound(id)
	}
	return e, ver, err
}

// Get returns the profile id as actor may see it: officials and admins any
// profile with contact details, an expert only its own (another expert's is
// not found), with the track record and committees.
func (s *Service) Get(ctx context.Context, actor identity.User, id string) (View, error) {
	if !CanRead(actor, id) {
		return View{}, notFound(id)
	}
	e, ver, err := s.load(ctx, id)
	if err != nil {
		return View{}, err
	}
	v := View{Expert: e, Version: ver}
	if !SeesContact(actor) {
		v.Email, v.Phone = "", ""
	}
	rec, err := s.Record(ctx, id)
	if err != nil {
		return View{}, err
	}
	v.Record = &rec
	cs, err := s.committeesOf(ctx, id)
	if err != nil {
		return View{}, err
	}
	v.Committees = cs
	return v, nil
}

// Profile returns the stored profile without access checks, for other
// domain services (panel assignment, conflict checks). Contact details are
// included: callers must not pass them on.
func (s *Service) Profile(ctx context.Context, id string) (Expert, error) {
	e, _, err := s.load(ctx, id)
	return e, err
}

// Create adds an expert. Only officials and admins may; an id is generated
// ("exp-NNNN") when the input has none; an existing id is a conflict.
func (s *Service) Create(ctx context.Context, actor identity.User, in Input) (Expert, error) {
	if !manages(actor) {
		return Expert{}, kedaitong.Errorf(kedaitong.EForbidden, "only officials and administrators add experts").ZHf("只有政府用户和管理员可以添加评审专家")
	}
	e := fromInput(in)
	if e.ID == "" {
		id, err := s.nextID(ctx)
		if err != nil {
			return Expert{}, err
		}
		e.ID = id
	}
	if err := normalize(&e, s.tax, s.today()); err != nil {
		return Expert{}, err
	}
	now := s.now()
	e.CreatedAt, e.UpdatedAt, e.UpdatedBy = now, now, actor.Username
	if err := s.write(ctx, nil, 0, e); err != nil {
		if kedaitong.Is(err, kedaitong.EConflict) {
			return Expert{}, kedaitong.Errorf(kedaitong.EConflict, "expert %q exists already", e.ID).ZHf("评审专家 %q 已存在", e.ID)
		}
		return Expert{}, err
	}
	s.record(ctx, &actor, "expert.create", "expert", e.ID, e.Region, map[string]any{"tier": e.Tier, "fields": e.Fields})
	return e, nil
}

// nextID returns an unused generated id.
func (s *Service) nextID(ctx context.Context) (string, error) {
	for {
		d, err := s.seq.Incr(ctx, "expert", map[string]any{"n": 0}, map[string]int64{"n": 1})
		if err != nil {
			return "", err
		}
		var c struct {
			N int64 `json:"n"`
		}
		if err := d.Decode(&c); err != nil {
			return "", err
		}
		id := fmt.Sprintf("exp-%04d", c.N)
		if _, err := s.experts.Get(ctx, id, nil); kedaitong.Is(err, kedaitong.ENotFound) {
			return id, nil
		} else if err != nil {
			return "", err
		}
	}
}

// Update changes a profile. Officials and admins may change anything; an
// expert only the availability and declared conflicts of its own profile
// (another expert's profile is not found; other attributes are forbidden).
// The write is retried on a lost race unless p.Version pins a version.
func (s *Service) Update(ctx context.Context, actor identity.User, id string, p Patch) (Expert, error) {
	if !CanRead(actor, id) {
		return Expert{}, notFound(id)
	}
	if !manages(actor) && !p.selfOnly() {
		return Expert{}, kedaitong.Errorf(kedaitong.EForbidden, "experts may change only their own unavailable periods and declared conflicts").ZHf("评审专家只能修改自己的不可评审时段和申报的利益冲突")
	}
	for attempt := 0; ; attempt++ {
		old, ver, err := s.load(ctx, id)
		if err != nil {
			return Expert{}, err
		}
		if p.Version != 0 && p.Version != ver {
			return Expert{}, kedaitong.Errorf(kedaitong.EConflict, "expert %q changed since version %d (now %d); reload and try again", id, p.Version, ver).ZHf("评审专家 %q 自版本 %d 以来已被修改（当前为 %d），请刷新后重试", id, p.Version, ver)
		}
		e := applyPatch(old, p)
		if err := normalize(&e, s.tax, s.today()); err != nil {
			return Expert{}, err
		}
		if sameProfile(old, e) {
			return old, nil
		}
		e.UpdatedAt, e.UpdatedBy = s.now(), actor.Username
		err = s.write(ctx, &old, ver, e)
		if kedaitong.Is(err, kedaitong.EConflict) && p.Version == 0 && attempt < 10 {
			continue
		}
		if err != nil {
			return Expert{}, err
		}
		s.record(ctx, &actor, "expert.update", "expert", id, e.Region, map[string]any{"changed": changedAttrs(old, e)})
		return e, nil
	}
}

func applyPatch(e Expert, p Patch) Expert {
	e.Organisations = slices.Clone(e.Organisations)
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&e.Name, p.Name)
	set(&e.Tier, p.Tier)
	set(&e.Title, p.Title)
	set(&e.Region, p.Region)
	set(&e.Email, p.Email)
	set(&e.Phone, p.Phone)
	set(&e.Status, p.Status)
	if p.Tier != nil {
		e.Tier = strings.TrimSpace(*p.Tier)
	}
	if p.Organisations != nil {
		e.Organisations = mergeOrgs(e.Organisations, *p.Organisations, "")
	}
	if p.Fields != nil {
		e.Fields = slices.Clone(*p.Fields)
		e.PrimaryField = ""
	}
	if p.PrimaryField != nil {
		e.PrimaryField = *p.PrimaryField
	}
	if p.Specialities != nil {
		e.Specialities = slices.Clone(*p.Specialities)
	}
	if p.Capacity != nil {
		e.Capacity = *p.Capacity
	}
	if p.Unavailable != nil {
		e.Unavailable = slices.Clone(*p.Unavailable)
	}
	if p.Conflicts != nil {
		e.Conflicts = slices.Clone(*p.Conflicts)
	}
	return e
}

// mergeOrgs replaces the organisations with next. A current organisation
// of old that next no longer lists is kept as a past one (ending today, or
// with its own end) so that conflict checks remember it for three years;
// when today is "" the caller's list is taken as is.
func mergeOrgs(old, next []Org, today string) []Org {
	out := slices.Clone(next)
	if today == "" {
		return out
	}
	listed := map[string]bool{}
	for _, o := range next {
		listed[OrgID(o.Name, strings.ToUpper(strings.TrimSpace(o.CreditCode)))] = true
	}
	for _, o := range old {
		if listed[o.ID] {
			continue
		}
		if o.Current() {
			o.To = today
		}
		out = append(out, o)
	}
	return out
}

// changedAttrs names the attributes that differ (for the audit entry).
func changedAttrs(a, b Expert) []string {
	var out []string
	cmp := func(name string, x, y any) {
		if fmt.Sprint(x) != fmt.Sprint(y) {
			out = append(out, name)
		}
	}
	cmp("name", a.Name, b.Name)
	cmp("tier", a.Tier, b.Tier)
	cmp("title", a.Title, b.Title)
	cmp("organisations", a.Organisations, b.Organisations)
	cmp("fields", a.Fields, b.Fields)
	cmp("specialities", a.Specialities, b.Specialities)
	cmp("region", a.Region, b.Region)
	cmp("capacity", a.Capacity, b.Capacity)
	cmp("unavailable", a.Unavailable, b.Unavailable)
	cmp("conflicts", a.Conflicts, b.Conflicts)
	cmp("contact", a.Email+a.Phone, b.Email+b.Phone)
	cmp("status", a.Status, b.Status)
	return out
}

// write stores e (inserting when old is nil, else replacing version ver)
// and keeps the postings a superset of the truth: new keys before, stale
// keys after.
func (s *Service) write(ctx context.Context, old *Expert, ver int64, e Expert) error {
	newKeys := keys(e, s.tax.IndustryOf)
	var oldKeys []string
	if old != nil {
		oldKeys = keys(*old, s.tax.IndustryOf)
	}
	add := map[string][]string{}
	for _, k := range diffKeys(newKeys, oldKeys) {
		add[k] = []string{e.ID}
	}
	if err := s.changePostings(ctx, add, true); err != nil {
		return err
	}
	if old == nil || searchText(*old) != searchText(e) {
		if err := s.setTexts(ctx, map[string]string{e.ID: searchText(e)}); err != nil {
			return err
		}
	}
	var err error
	if old == nil {
		err = s.experts.Insert(ctx, e.ID, e)
	} else {
		_, err = s.experts.Replace(ctx, e.ID, ver, e)
	}
	if err != nil {
		return err
	}
	remove := map[string][]string{}
	for _, k := range diffKeys(oldKeys, newKeys) {
		remove[k] = []string{e.ID}
	}
	err = s.changePostings(ctx, remove, false)
	if old != nil {
		s.changed(ctx, e)
	}
	return err
}

// Reindex rebuilds every posting from the profiles (after a restore, or to
// drop the extra ids interrupted writes may leave). It returns how many
// profiles it read.
func (s *Service) Reindex(ctx context.Context) (int, error) {
	want := map[string][]string{}
	texts := map[string]string{}
	n := 0
	after := ""
	for {
		page, err := s.experts.Find(ctx, store.Query{Limit: 500, After: after})
		if err != nil {
			return n, err
		}
		for _, d := range page.Docs {
			var e Expert
			if err := d.Decode(&e); err != nil {
				return n, err
			}
			n++
			texts[e.ID] = searchText(e)
			for _, k := range keys(e, s.tax.IndustryOf) {
				want[k] = append(want[k], e.ID)
			}
		}
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	after = ""
	for {
		page, err := s.postings.Find(ctx, store.Query{Limit: 500, After: after})
		if err != nil {
			return n, err
		}
		for _, d := range page.Docs {
			if strings.HasPrefix(d.ID, "x|") {
				continue // a text shard, rewritten below
			}
			var p posting
			if err := d.Decode(&p); err != nil {
				return n, err
			}
			if _, ok := want[p.Key]; !ok {
				if err := s.postings.Delete(ctx, d.ID); err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
					return n, err
				}
			}
		}
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	if err := s.rewriteTexts(ctx, texts); err != nil {
		return n, err
	}
	for k, ids := range want {
		slices.Sort(ids)
		for {
			var p posting
			ver, err := s.postings.Get(ctx, postingID(k), &p)
			if kedaitong.Is(err, kedaitong.ENotFound) {
				err = s.postings.Insert(ctx, postingID(k), posting{Key: k, IDs: ids})
			} else if err == nil {
				if slices.Equal(p.IDs, ids) {
					break
				}
				_, err = s.postings.Replace(ctx, postingID(k), ver, posting{Key: k, IDs: ids})
			}
			if err == nil {
				break
			}
			if !kedaitong.Is(err, kedaitong.EConflict) {
				return n, err
			}
		}
	}
	return n, nil
}
