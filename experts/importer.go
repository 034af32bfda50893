package experts

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/sheet"
)

// MaxImportRows is the most data rows (besides the header) an import takes.
const MaxImportRows = 99_999

// Columns of an import, by canonical (English) name.
const (
	ColID            = "id"
	ColName          = "name"
	ColTier          = "tier"
	ColFields        = "fields"
	ColOrganisations = "organisations"
	ColRegion        = "region"
	ColCapacity      = "capacity"
	ColEmail         = "email"
	ColTitle         = "title"
	ColPhone         = "phone"
	ColStatus        = "status"
)

// importColumns are the columns in export order.
var importColumns = []string{ColID, ColName, ColTier, ColFields, ColOrganisations, ColRegion, ColCapacity, ColEmail, ColTitle, ColPhone, ColStatus}

// requiredColumns must be in every import's header.
var requiredColumns = []string{ColID, ColName, ColTier, ColFields}

// ImportResult is the contract's answer to an import.
type ImportResult = sheet.Report

// Rejection names a row that was not imported.
type Rejection = sheet.Rejection

// importSpec is the expert import's columns for the shared spreadsheet
// reader (internal/sheet), filled by init with the accepted headers.
var importSpec = sheet.Spec{Columns: map[string][]string{}, Required: requiredColumns, MaxRows: MaxImportRows, RowEN: "expert", RowZH: "评审专家",
	HeaderEN: "id, name, tier, fields, organisations, region, capacity, email (or 编号, 姓名, 层级, 领域, 单位, 地区, 承担能力, 邮箱)",
	HeaderZH: "编号、姓名、层级、领域、单位、地区、承担能力、邮箱（或 id, name, tier, fields, organisations, region, capacity, email）"}

// zhHeaders are the Chinese headers of an export.
var zhHeaders = map[string]string{ColID: "编号", ColName: "姓名", ColTier: "层级", ColFields: "领域", ColOrganisations: "单位",
	ColRegion: "地区", ColCapacity: "承担能力", ColEmail: "邮箱", ColTitle: "职称", ColPhone: "电话", ColStatus: "状态"}

func init() {
	for col, names := range map[string][]string{
		ColID:            {"id", "expert_id", "expertid", "code", "编号", "专家编号", "专家代码", "工号", "专家id"},
		ColName:          {"name", "fullname", "full_name", "姓名", "专家姓名", "名字", "名称"},
		ColTier:          {"tier", "level", "category", "层级", "类别", "专家类别", "专家层级", "层次", "类型", "专家类型"},
		ColFields:        {"fields", "field", "domains", "routes", "领域", "专业领域", "技术领域", "研究领域", "擅长领域", "专业方向", "技术方向"},
		ColOrganisations: {"organisations", "organizations", "organisation", "organization", "orgs", "affiliations", "employer", "单位", "工作单位", "所在单位", "任职单位", "机构", "所在机构", "单位名称"},
		ColRegion:        {"region", "region_code", "area", "地区", "所在地区", "区域", "行政区划", "地区代码", "行政区划代码", "所在地"},
		ColCapacity:      {"capacity", "max_assignments", "容量", "承担能力", "评审容量", "最大任务数", "最多任务数", "可承担任务数"},
		ColEmail:         {"email", "e-mail", "mail", "邮箱", "电子邮箱", "电子邮件", "邮件"},
		ColTitle:         {"title", "职称", "职务", "头衔"},
		ColPhone:         {"phone", "telephone", "mobile", "tel", "电话", "手机", "联系电话", "手机号"},
		ColStatus:        {"status", "state", "状态"},
	} {
		importSpec.Columns[col] = names
	}
}

// Import reads a CSV or XLSX file (told apart by content, not name) and
// upserts its experts on their id: rows that do not change a profile are
// unchanged, bad rows are listed and skipped, good rows are written. A file
// that is not CSV or XLSX, is empty, has no header or over MaxImportRows
// rows is refused as a whole (EInvalid).
func (s *Service) Import(ctx context.Context, actor identity.User, data []byte) (ImportResult, error) {
	if !manages(actor) {
		return ImportResult{}, kedaitong.Errorf(kedaitong.EForbidden, "only officials and administrators import experts").ZHf("只有政府用户和管理员可以导入评审专家")
	}
	t, err := sheet.Parse(data, importSpec)
	if err != nil {
		return ImportResult{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	res, err := s.importTable(ctx, actor, t)
	if err != nil {
		return ImportResult{}, err
	}
	s.record(ctx, &actor, "expert.import", "expert", "", "", map[string]any{"imported": res.Imported, "updated": res.Updated,
		"unchanged": res.Unchanged, "rejected": len(res.Rejected), "rows": len(t.Rows)})
	return res, nil
}

// splitList splits a cell on ';' or '；' (and, for fields, also on ',',
// '，' and '、').
func splitList(cell string, loose bool) []string {
	seps := ";；"
	if loose {
		seps += ",，、"
	}
	parts := strings.FieldsFunc(cell, func(r rune) bool { return strings.ContainsRune(seps, r) })
	out := make([]string, 0, len(parts))
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// fieldCode maps a field cell item — a code, or a route's or industry's
// Chinese or English name — to its code.
func (s *Service) fieldCode(item string) string {
	if s.tax.IsField(item) || s.tax.IsSpeciality(item) {
		return item
	}
	k := fold(item)
	for _, ind := range s.tax.Industries {
		if fold(ind.Name.ZH) == k || fold(ind.Name.EN) == k {
			return ind.Code
		}
		for _, r := range ind.Routes {
			if fold(r.Name.ZH) == k || fold(r.Name.EN) == k {
				return r.Code
			}
		}
	}
	for _, sp := range s.tax.Specialities {
		if fold(sp.Name.ZH) == k || fold(sp.Name.EN) == k {
			return sp.Code
		}
	}
	return item
}

// change is one row's effect.
type change struct {
	row     sheet.Row
	old     *Expert
	ver     int64
	e       Expert
	created bool
}

func (s *Service) importTable(ctx context.Context, actor identity.User, t *sheet.Table) (ImportResult, error) {
	res := ImportResult{Rejected: []Rejection{}, IgnoredColumns: t.Ignored}
	reject := func(r sheet.Row, col, reason string) {
		res.Rejected = append(res.Rejected, Rejection{Row: r.N, Column: col, Reason: reason})
	}
	today := s.today()
	now := s.now()
	firstRow := map[string]int{}
	var changes []change
	for _, r := range t.Rows {
		id := r.Cells[ColID]
		if id == "" {
			reject(r, ColID, "the id is empty")
			continue
		}
		if !idRE.MatchString(id) {
			reject(r, ColID, fmt.Sprintf("%q is not an id: use 1 to 64 letters, digits, '.', '_' or '-'", id))
			continue
		}
		if n, dup := firstRow[id]; dup {
			reject(r, ColID, fmt.Sprintf("duplicate id %s: it is on row %d already", id, n))
			continue
		}
		firstRow[id] = r.N
		old, ver, err := s.load(ctx, id)
		exists := err == nil
		if err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
			return res, err
		}
		e, col, reason := s.rowProfile(t, r, old, exists, today)
		if reason != "" {
			reject(r, col, reason)
			continue
		}
		if exists && sameProfile(old, e) {
			res.Unchanged++
			continue
		}
		e.UpdatedAt, e.UpdatedBy = now, actor.Username
		if !exists {
			e.CreatedAt = now
		}
		c := change{row: r, ver: ver, e: e, created: !exists}
		if exists {
			o := old
			c.old = &o
		}
		changes = append(changes, c)
	}
	// New keys first (one write per key), then the profiles, then the
	// stale keys: the postings stay a superset of the truth throughout.
	add, remove := map[string][]string{}, map[string][]string{}
	for _, c := range changes {
		nk := keys(c.e, s.tax.IndustryOf)
		var ok []string
		if c.old != nil {
			ok = keys(*c.old, s.tax.IndustryOf)
		}
		for _, k := range diffKeys(nk, ok) {
			add[k] = append(add[k], c.e.ID)
		}
		for _, k := range diffKeys(ok, nk) {
			remove[k] = append(remove[k], c.e.ID)
		}
	}
	if err := s.changePostings(ctx, add, true); err != nil {
		return res, err
	}
	texts := map[string]string{}
	for _, c := range changes {
		if c.old == nil || searchText(*c.old) != searchText(c.e) {
			texts[c.e.ID] = searchText(c.e)
		}
	}
	if err := s.setTexts(ctx, texts); err != nil {
		return res, err
	}
	for _, c := range changes {
		var err error
		if c.created {
			err = s.experts.Insert(ctx, c.e.ID, c.e)
		} else {
			_, err = s.experts.Replace(ctx, c.e.ID, c.ver, c.e)
		}
		if kedaitong.Is(err, kedaitong.EConflict) {
			// Someone wrote the profile meanwhile: apply this row afresh.
			created, changed, col, reason, err := s.importOne(ctx, actor, t, c.row, today)
			switch {
			case err != nil:
				return res, err
			case reason != "":
				reject(c.row, col, reason)
			case created:
				res.Imported++
			case changed:
				res.Updated++
			default:
				res.Unchanged++
			}
			continue
		}
		if err != nil {
			return res, err
		}
		if c.created {
			res.Imported++
		} else {
			res.Updated++
		}
	}
	if err := s.changePostings(ctx, remove, false); err != nil {
		return res, err
	}
	slices.SortFunc(res.Rejected, func(a, b Rejection) int { return a.Row - b.Row })
	return res, nil
}

// importOne applies one row through the ordinary write path (after a lost race).
func (s *Service) importOne(ctx context.Context, actor identity.User, t *sheet.Table, r sheet.Row, today string) (created, changed bool, col, reason string, err error) {
	for attempt := 0; attempt < 10; attempt++ {
		old, ver, err := s.load(ctx, r.Cells[ColID])
		exists := err == nil
		if err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
			return false, false, "", "", err
		}
		e, col, reason := s.rowProfile(t, r, old, exists, today)
		if reason != "" {
			return false, false, col, reason, nil
		}
		if exists && sameProfile(old, e) {
			return false, false, "", "", nil
		}
		e.UpdatedAt, e.UpdatedBy = s.now(), actor.Username
		var op *Expert
		if exists {
			op = &old
		} else {
			e.CreatedAt = s.now()
		}
		err = s.write(ctx, op, ver, e)
		if kedaitong.Is(err, kedaitong.EConflict) {
			continue
		}
		return !exists, exists, "", "", err
	}
	return false, false, "", "", kedaitong.Errorf(kedaitong.EConflict, "expert %q keeps changing; import the row again", r.Cells[ColID]).ZHf("评审专家 %q 一直在变化，请重新导入该行", r.Cells[ColID])
}

// rowProfile builds the profile a row asks for on top of the existing one
// (exists) and validates it; a bad row returns the column and reason.
func (s *Service) rowProfile(t *sheet.Table, r sheet.Row, old Expert, exists bool, today string) (Expert, string, string) {
	var e Expert
	if exists {
		e = old
		e.Organisations = slices.Clone(old.Organisations)
		e.Fields = slices.Clone(old.Fields)
		e.Specialities = slices.Clone(old.Specialities)
	} else {
		e = Expert{ID: r.Cells[ColID], Capacity: DefaultCapacity, Status: StatusActive,
			Organisations: []Org{}, Unavailable: []Period{}, Conflicts: []Conflict{}}
	}
	e.Name = r.Cells[ColName]
	if e.Name == "" {
		return e, ColName, "the name is empty"
	}
	tier, ok := ParseTier(r.Cells[ColTier])
	if !ok {
		if r.Cells[ColTier] == "" {
			return e, ColTier, "the tier is empty: academician (院士), industry (产业) or finance (金融)"
		}
		return e, ColTier, fmt.Sprintf("unknown tier %q: use academician (院士), industry (产业) or finance (金融)", r.Cells[ColTier])
	}
	e.Tier = tier
	e.Fields, e.Specialities, e.PrimaryField = nil, nil, ""
	for _, f := range splitList(r.Cells[ColFields], true) {
		e.Fields = append(e.Fields, s.fieldCode(f))
	}
	if t.Has(ColOrganisations) {
		var listed []Org
		for _, o := range splitList(r.Cells[ColOrganisations], false) {
			listed = append(listed, parseOrgText(o))
		}
		e.Organisations = importOrgs(e.Organisations, listed, today)
	}
	if t.Has(ColRegion) {
		e.Region = r.Cells[ColRegion]
	}
	if t.Has(ColCapacity) && r.Cells[ColCapacity] != "" {
		c := strings.TrimSuffix(r.Cells[ColCapacity], ".0")
		n, err := strconv.Atoi(c)
		if err != nil {
			return e, ColCapacity, fmt.Sprintf("%q is not a whole number from 0 to %d", r.Cells[ColCapacity], MaxCapacity)
		}
		e.Capacity = n
	}
	if t.Has(ColEmail) {
		e.Email = r.Cells[ColEmail]
	}
	if t.Has(ColTitle) {
		e.Title = r.Cells[ColTitle]
	}
	if t.Has(ColPhone) {
		e.Phone = r.Cells[ColPhone]
	}
	if t.Has(ColStatus) && r.Cells[ColStatus] != "" {
		st, ok := ParseStatus(r.Cells[ColStatus])
		if !ok {
			return e, ColStatus, fmt.Sprintf("unknown status %q: use active, suspended or retired", r.Cells[ColStatus])
		}
		e.Status = st
	}
	if err := normalize(&e, s.tax, today); err != nil {
		var ke *kedaitong.Error
		col, reason := "", err.Error()
		if errors.As(err, &ke) {
			col, reason = columnOf(ke.Field), ke.Message
		}
		return e, col, reason
	}
	return e, "", ""
}

// columnOf maps a profile field at fault to its import column.
func columnOf(field string) string {
	switch {
	case strings.HasPrefix(field, "organisations"):
		return ColOrganisations
	case field == "specialities" || field == "primary_field":
		return ColFields
	}
	return field
}

// importOrgs makes the listed organisations the current ones: a listed
// organisation that is already current keeps its entry (and start date); a
// current one no longer listed becomes a past one ending today; past ones
// stay (normalize forgets those older than three years).
func importOrgs(old, listed []Org, today string) []Org {
	same := func(a, b Org) bool {
		return OrgID(a.Name, a.CreditCode) == OrgID(b.Name, b.CreditCode) || OrgID(a.Name, "") == OrgID(b.Name, "") ||
			a.CreditCode != "" && strings.EqualFold(a.CreditCode, b.CreditCode)
	}
	out := make([]Org, 0, len(old)+len(listed))
	used := make([]bool, len(old))
	for _, l := range listed {
		found := false
		for i, o := range old {
			if !used[i] && o.Current() && same(o, l) && (l.CreditCode == "" || strings.EqualFold(l.CreditCode, o.CreditCode)) {
				used[i], found = true, true
				out = append(out, o)
				break
			}
		}
		if !found {
			out = append(out, l)
		}
	}
	for i, o := range old {
		if used[i] {
			continue
		}
		if o.Current() {
			o.To = today
		}
		out = append(out, o)
	}
	return out
}
