package experts

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"

	"kedaitong"
	"kedaitong/identity"
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

// headerNames maps the accepted headers (folded: NFKC, lower case, no
// spaces) to canonical column names.
var headerNames = map[string]string{}

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
		for _, n := range names {
			headerNames[fold(n)] = col
		}
	}
}

// ImportResult is the contract's answer to an import.
type ImportResult struct {
	Imported       int         `json:"imported"`
	Updated        int         `json:"updated"`
	Unchanged      int         `json:"unchanged"`
	Rejected       []Rejection `json:"rejected"`
	IgnoredColumns []string    `json:"ignored_columns,omitempty"` // headers the import does not know
}

// Rejection names a row that was not imported: its row number (the header
// is row 1), the column at fault and why.
type Rejection struct {
	Row    int    `json:"row"`
	Column string `json:"column"`
	Reason string `json:"reason"`
}

// importRow is one data row with its number.
type importRow struct {
	n     int
	cells map[string]string
}

// table is a parsed file: columns by index and the data rows.
type table struct {
	cols    []string // canonical column of each index, "" for ignored ones
	ignored []string
	rows    []importRow
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
	t, err := parseTable(data)
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
		"unchanged": res.Unchanged, "rejected": len(res.Rejected), "rows": len(t.rows)})
	return res, nil
}

// parseTable sniffs and parses the file.
func parseTable(data []byte) (*table, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, kedaitong.Errorf(kedaitong.EInvalid, "the file is empty: send a CSV or XLSX file with a header row and one row per expert").ZHf("文件为空：请上传 CSV 或 XLSX 文件，首行为表头，每位评审专家一行")
	}
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return parseXLSX(data)
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nil, kedaitong.Errorf(kedaitong.EInvalid, "this is an old Excel (.xls) or other OLE file: save it as .xlsx or CSV").ZHf("这是旧版 Excel（.xls）或其他 OLE 文件：请另存为 .xlsx 或 CSV")
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		dec := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()
		text, err := dec.Bytes(data)
		if err != nil {
			return nil, kedaitong.Errorf(kedaitong.EInvalid, "the file is not readable UTF-16 text").ZHf("该文件不是可读的 UTF-16 文本")
		}
		return parseCSV(text)
	}
	for _, magic := range []string{"%PDF", "\x89PNG", "GIF8", "\xFF\xD8\xFF", "\x1F\x8B", "Rar!", "7z\xBC\xAF", "BZh", "<?xml", "<html", "<!DOCTYPE", "{", "["} {
		if bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte(magic)) {
			return nil, kedaitong.Errorf(kedaitong.EInvalid, "the file is not CSV or XLSX: send a spreadsheet (.xlsx) or comma-separated text (.csv)").ZHf("该文件不是 CSV 或 XLSX：请上传电子表格（.xlsx）或逗号分隔文本（.csv）")
		}
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, kedaitong.Errorf(kedaitong.EInvalid, "the file is not CSV or XLSX (it holds binary data): send a spreadsheet (.xlsx) or comma-separated text (.csv)").ZHf("该文件不是 CSV 或 XLSX（含二进制数据）：请上传电子表格（.xlsx）或逗号分隔文本（.csv）")
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if !utf8.Valid(data) {
		// Excel on Chinese Windows saves CSV in GB18030 (GBK).
		text, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		if err != nil {
			return nil, kedaitong.Errorf(kedaitong.EInvalid, "the CSV file is neither UTF-8 nor GB18030 text").ZHf("该 CSV 文件既不是 UTF-8 也不是 GB18030 编码的文本")
		}
		data = text
	}
	return parseCSV(data)
}

func parseCSV(data []byte) (*table, error) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.Count(first, []byte("\t")) > 0 && bytes.Count(first, []byte(",")) == 0 {
		r.Comma = '\t'
	}
	t := &table{}
	header := true
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, kedaitong.Errorf(kedaitong.EInvalid, "the CSV file is malformed at line %d: %v", pe.Line, pe.Err).ZHf("CSV 文件第 %d 行格式有误：%v", pe.Line, pe.Err)
			}
			return nil, kedaitong.Errorf(kedaitong.EInvalid, "the CSV file cannot be read: %v", err).ZHf("无法读取 CSV 文件：%v", err)
		}
		line, _ := r.FieldPos(0)
		if header {
			if err := t.setHeader(rec); err != nil {
				return nil, err
			}
			header = false
			continue
		}
		if err := t.add(line, rec); err != nil {
			return nil, err
		}
	}
	if header {
		return nil, kedaitong.Errorf(kedaitong.EInvalid, "the file is empty: send a header row and one row per expert").ZHf("文件为空：首行为表头，每位评审专家一行")
	}
	return t, nil
}

func parseXLSX(data []byte) (*table, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 512 << 20, UnzipXMLSizeLimit: 64 << 20})
	if err != nil {
		return nil, kedaitong.Errorf(kedaitong.EInvalid, "the file is a ZIP archive but not an XLSX workbook: send a spreadsheet (.xlsx) or CSV").ZHf("该文件是 ZIP 压缩包而不是 XLSX 工作簿：请上传电子表格（.xlsx）或 CSV")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, kedaitong.Errorf(kedaitong.EInvalid, "the workbook has no sheet").ZHf("工作簿中没有工作表")
	}
	for _, sheet := range sheets {
		rows, err := f.Rows(sheet)
		if err != nil {
			return nil, kedaitong.Errorf(kedaitong.EInvalid, "sheet %q cannot be read", sheet).ZHf("无法读取工作表 %q", sheet)
		}
		t := &table{}
		header := true
		n := 0
		for rows.Next() {
			n++
			cols, err := rows.Columns()
			if err != nil {
				rows.Close()
				return nil, kedaitong.Errorf(kedaitong.EInvalid, "sheet %q row %d cannot be read", sheet, n).ZHf("无法读取工作表 %q 的第 %d 行", sheet, n)
			}
			if header {
				if blank(cols) {
					continue // leading empty rows
				}
				if err := t.setHeader(cols); err != nil {
					rows.Close()
					return nil, err
				}
				header = false
				continue
			}
			if err := t.add(n, cols); err != nil {
				rows.Close()
				return nil, err
			}
		}
		err = rows.Error()
		rows.Close()
		if errors.Is(err, excelize.ErrMaxRows) {
			return nil, kedaitong.Errorf(kedaitong.EInvalid, "the file has more than %d rows: split it into several imports", MaxImportRows).ZHf("文件超过 %d 行：请拆分为多次导入", MaxImportRows)
		}
		if err != nil {
			return nil, kedaitong.Errorf(kedaitong.EInvalid, "sheet %q cannot be read", sheet).ZHf("无法读取工作表 %q", sheet)
		}
		if !header {
			return t, nil
		}
	}
	return nil, kedaitong.Errorf(kedaitong.EInvalid, "the workbook is empty: put a header row and one row per expert on its first sheet").ZHf("工作簿为空：请在第一个工作表中放表头，每位评审专家一行")
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// setHeader maps the header row; a header that names none of the required
// columns is no header.
func (t *table) setHeader(cells []string) error {
	seen := map[string]bool{}
	t.cols = make([]string, len(cells))
	for i, c := range cells {
		c = strings.TrimSpace(strings.TrimPrefix(c, "\uFEFF"))
		col, ok := headerNames[fold(c)]
		if !ok {
			if c != "" {
				t.ignored = append(t.ignored, c)
			}
			continue
		}
		if seen[col] {
			return kedaitong.Errorf(kedaitong.EInvalid, "the header names the column %s twice", col).ZHf("表头中 %s 列出现了两次", col)
		}
		seen[col] = true
		t.cols[i] = col
	}
	var missing []string
	for _, c := range requiredColumns {
		if !seen[c] {
			missing = append(missing, c)
		}
	}
	if len(missing) == len(requiredColumns) {
		return kedaitong.Errorf(kedaitong.EInvalid, "the first row is not a header: name the columns id, name, tier, fields, organisations, region, capacity, email (or 编号, 姓名, 层级, 领域, 单位, 地区, 承担能力, 邮箱)").ZHf("第一行不是表头：请将各列命名为 编号、姓名、层级、领域、单位、地区、承担能力、邮箱（或 id, name, tier, fields, organisations, region, capacity, email）")
	}
	if len(missing) > 0 {
		return kedaitong.Errorf(kedaitong.EInvalid, "the header lacks the column(s) %s", strings.Join(missing, ", ")).ZHf("表头缺少以下列：%s", strings.Join(missing, ", "))
	}
	return nil
}

func (t *table) add(n int, cells []string) error {
	if blank(cells) {
		return nil
	}
	if len(t.rows) >= MaxImportRows {
		return kedaitong.Errorf(kedaitong.EInvalid, "the file has more than %d rows: split it into several imports", MaxImportRows).ZHf("文件超过 %d 行：请拆分为多次导入", MaxImportRows)
	}
	row := importRow{n: n, cells: make(map[string]string, len(t.cols))}
	for i, col := range t.cols {
		if col != "" && i < len(cells) {
			row.cells[col] = strings.TrimSpace(cells[i])
		}
	}
	t.rows = append(t.rows, row)
	return nil
}

func (t *table) has(col string) bool { return slices.Contains(t.cols, col) }

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
	row     importRow
	old     *Expert
	ver     int64
	e       Expert
	created bool
}

func (s *Service) importTable(ctx context.Context, actor identity.User, t *table) (ImportResult, error) {
	res := ImportResult{Rejected: []Rejection{}, IgnoredColumns: t.ignored}
	reject := func(r importRow, col, reason string) {
		res.Rejected = append(res.Rejected, Rejection{Row: r.n, Column: col, Reason: reason})
	}
	today := s.today()
	now := s.now()
	firstRow := map[string]int{}
	var changes []change
	for _, r := range t.rows {
		id := r.cells[ColID]
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
		firstRow[id] = r.n
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
func (s *Service) importOne(ctx context.Context, actor identity.User, t *table, r importRow, today string) (created, changed bool, col, reason string, err error) {
	for attempt := 0; attempt < 10; attempt++ {
		old, ver, err := s.load(ctx, r.cells[ColID])
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
	return false, false, "", "", kedaitong.Errorf(kedaitong.EConflict, "expert %q keeps changing; import the row again", r.cells[ColID]).ZHf("评审专家 %q 一直在变化，请重新导入该行", r.cells[ColID])
}

// rowProfile builds the profile a row asks for on top of the existing one
// (exists) and validates it; a bad row returns the column and reason.
func (s *Service) rowProfile(t *table, r importRow, old Expert, exists bool, today string) (Expert, string, string) {
	var e Expert
	if exists {
		e = old
		e.Organisations = slices.Clone(old.Organisations)
		e.Fields = slices.Clone(old.Fields)
		e.Specialities = slices.Clone(old.Specialities)
	} else {
		e = Expert{ID: r.cells[ColID], Capacity: DefaultCapacity, Status: StatusActive,
			Organisations: []Org{}, Unavailable: []Period{}, Conflicts: []Conflict{}}
	}
	e.Name = r.cells[ColName]
	if e.Name == "" {
		return e, ColName, "the name is empty"
	}
	tier, ok := ParseTier(r.cells[ColTier])
	if !ok {
		if r.cells[ColTier] == "" {
			return e, ColTier, "the tier is empty: academician (院士), industry (产业) or finance (金融)"
		}
		return e, ColTier, fmt.Sprintf("unknown tier %q: use academician (院士), industry (产业) or finance (金融)", r.cells[ColTier])
	}
	e.Tier = tier
	e.Fields, e.Specialities, e.PrimaryField = nil, nil, ""
	for _, f := range splitList(r.cells[ColFields], true) {
		e.Fields = append(e.Fields, s.fieldCode(f))
	}
	if t.has(ColOrganisations) {
		var listed []Org
		for _, o := range splitList(r.cells[ColOrganisations], false) {
			listed = append(listed, parseOrgText(o))
		}
		e.Organisations = importOrgs(e.Organisations, listed, today)
	}
	if t.has(ColRegion) {
		e.Region = r.cells[ColRegion]
	}
	if t.has(ColCapacity) && r.cells[ColCapacity] != "" {
		c := strings.TrimSuffix(r.cells[ColCapacity], ".0")
		n, err := strconv.Atoi(c)
		if err != nil {
			return e, ColCapacity, fmt.Sprintf("%q is not a whole number from 0 to %d", r.cells[ColCapacity], MaxCapacity)
		}
		e.Capacity = n
	}
	if t.has(ColEmail) {
		e.Email = r.cells[ColEmail]
	}
	if t.has(ColTitle) {
		e.Title = r.cells[ColTitle]
	}
	if t.has(ColPhone) {
		e.Phone = r.cells[ColPhone]
	}
	if t.has(ColStatus) && r.cells[ColStatus] != "" {
		st, ok := ParseStatus(r.cells[ColStatus])
		if !ok {
			return e, ColStatus, fmt.Sprintf("unknown status %q: use active, suspended or retired", r.cells[ColStatus])
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
