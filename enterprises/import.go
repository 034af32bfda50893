package enterprises

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/sheet"
	"kedaitong/internal/store"
	"kedaitong/review"
)

// Sources of the data hub.
const (
	SourceRegistration = "registration"
	SourceIP           = "ip"
	SourceProjects     = "projects"
	SourceTax          = "tax"
	SourceContracts    = "contracts"
	SourceDishonesty   = "dishonesty"
	SourceInvestments  = "investments" // the investment register investors' endorsements are checked against
)

// AllSources lists the sources in display order.
var AllSources = []string{SourceRegistration, SourceIP, SourceProjects, SourceTax, SourceContracts, SourceDishonesty, SourceInvestments}

// MaxImportRows bounds one file's data rows.
const MaxImportRows = 1_000_000

// MaxImportBytes bounds one file (the web layer answers 413 above it).
const MaxImportBytes = 48 << 20

// specs are the columns of each source: canonical English names with the
// Chinese (and other) headers accepted for them.
var specs = map[string]sheet.Spec{
	SourceRegistration: {Columns: map[string][]string{
		"credit_code":        {"统一社会信用代码", "信用代码", "社会信用代码", "creditcode", "uscc"},
		"name":               {"企业名称", "名称", "企业", "company", "enterprise"},
		"region":             {"行政区划代码", "地区", "所在地区", "区域", "地区代码", "region_code"},
		"founded":            {"成立日期", "成立时间", "注册日期", "founded_on", "established"},
		"registered_capital": {"注册资本", "注册资本（元）", "注册资本(元)", "capital"},
		"status":             {"登记状态", "经营状态", "状态", "state"},
		"route":              {"技术路线", "技术领域", "行业", "field"},
		"specialised":        {"专精特新", "专精特新企业", "specialized", "sme_list", "srdi"},
	}, Required: []string{"credit_code", "name", "region"}, RowEN: "enterprise", RowZH: "企业"},
	SourceIP: {Columns: map[string][]string{
		"credit_code": {"统一社会信用代码", "信用代码", "creditcode"},
		"patent_no":   {"专利号", "申请号", "专利申请号", "patent", "patent_number"},
		"kind":        {"专利类型", "类型", "种类", "type"},
		"granted":     {"授权日", "授权日期", "授权公告日", "grant_date"},
		"claims":      {"权利要求数", "权利要求项数", "权利要求"},
		"citations":   {"被引次数", "被引用次数", "引用次数", "cited"},
		"status":      {"法律状态", "状态", "state"},
	}, Required: []string{"credit_code", "patent_no", "kind"}, RowEN: "patent", RowZH: "专利"},
	SourceProjects: {Columns: map[string][]string{
		"credit_code": {"统一社会信用代码", "信用代码", "creditcode"},
		"project_id":  {"项目编号", "项目代码", "编号", "project_no"},
		"level":       {"项目级别", "级别", "层级"},
		"title":       {"项目名称", "名称", "name"},
		"amount":      {"资助金额", "金额", "经费", "项目经费"},
		"start":       {"开始日期", "起始日期", "立项日期", "start_date"},
		"end":         {"结束日期", "截止日期", "end_date"},
	}, Required: []string{"credit_code", "project_id", "level"}, RowEN: "project", RowZH: "项目"},
	SourceTax: {Columns: map[string][]string{
		"credit_code": {"统一社会信用代码", "信用代码", "纳税人识别号", "creditcode"},
		"year":        {"年度", "纳税年度", "年份"},
		"revenue":     {"营业收入", "收入", "销售收入", "营业总收入"},
		"rd_spend":    {"研发费用", "研发投入", "研发支出", "rd", "r&d"},
		"tax_paid":    {"纳税额", "实缴税额", "缴税", "已缴税额", "tax"},
	}, Required: []string{"credit_code", "year", "revenue"}, RowEN: "tax declaration", RowZH: "纳税申报"},
	SourceContracts: {Columns: map[string][]string{
		"credit_code": {"统一社会信用代码", "信用代码", "creditcode"},
		"contract_id": {"合同编号", "合同登记号", "登记号", "编号", "contract_no"},
		"amount":      {"合同金额", "成交金额", "金额"},
		"signed":      {"签订日期", "签订时间", "signed_on"},
		"due":         {"履行期限", "到期日", "截止日期", "due_date"},
		"fulfilled":   {"履行日期", "履行完成日期", "完成日期", "fulfilled_on"},
	}, Required: []string{"credit_code", "contract_id", "amount"}, RowEN: "contract", RowZH: "技术合同"},
	SourceDishonesty: {Columns: map[string][]string{
		"credit_code": {"统一社会信用代码", "信用代码", "creditcode"},
		"list":        {"名单", "名单名称", "名单类型", "list_name"},
		"listed_on":   {"列入日期", "列入时间", "认定日期", "listed"},
		"lifted_on":   {"移出日期", "移出时间", "解除日期", "lifted"},
	}, Required: []string{"credit_code", "list", "listed_on"}, RowEN: "listing", RowZH: "失信记录"},
	SourceInvestments: {Columns: map[string][]string{
		"credit_code": {"统一社会信用代码", "信用代码", "creditcode"},
		"investor":    {"投资机构", "投资方", "机构", "org", "institution"},
		"amount":      {"投资金额", "金额", "invested"},
		"date":        {"投资日期", "日期", "invested_on"},
	}, Required: []string{"credit_code", "investor", "amount"}, RowEN: "investment", RowZH: "投资记录"},
}

// SourceColumns returns a source's canonical columns (for the import page).
func SourceColumns(source string) []string {
	spec, ok := specs[source]
	if !ok {
		return nil
	}
	var cols []string
	for c := range spec.Columns {
		cols = append(cols, c)
	}
	order := map[string]int{}
	for i, c := range []string{"credit_code", "name", "region", "founded", "registered_capital", "status", "route", "specialised",
		"patent_no", "kind", "granted", "claims", "citations", "project_id", "level", "title", "amount", "start", "end",
		"year", "revenue", "rd_spend", "tax_paid", "contract_id", "signed", "due", "fulfilled", "list", "listed_on", "lifted_on",
		"investor", "date"} {
		order[c] = i
	}
	sort.Slice(cols, func(i, j int) bool { return order[cols[i]] < order[cols[j]] })
	return cols
}

// ValidSource reports whether s names a data-hub source.
func ValidSource(s string) bool { _, ok := specs[s]; return ok }

// ImportOptions are the optional parts of an import.
type ImportOptions struct {
	FileName string
	// Progress, when set, is called as rows are applied (done of total).
	Progress func(done, total int)
}

// ImportRecord is an entry of the import log.
type ImportRecord struct {
	ID       string       `json:"id"`
	Source   string       `json:"source"`
	FileName string       `json:"file_name,omitempty"`
	SHA256   string       `json:"sha256"`
	Rows     int          `json:"rows"`
	Report   sheet.Report `json:"report"`
	By       string       `json:"by"`
	ByName   string       `json:"by_name"`
	At       time.Time    `json:"at"`
	AtMS     int64        `json:"at_ms"`
}

// CLIUser is the actor of an import from the command line.
var CLIUser = identity.User{ID: "cli", Username: "kedaitong datahub import", Role: identity.RoleAdmin}

// rowChange is a valid row: its enterprise and how it changes a portrait.
type rowChange struct {
	n     int
	code  string
	apply func(p *Portrait) (changed, created bool) // created: a new record key
}

// Import reads a CSV or XLSX file of one source and merges its rows into
// the portraits: a row whose record (by its natural key) is new counts as
// imported, a changed one as updated, an identical one as unchanged; bad
// rows are listed and skipped. A file that cannot be read, or whose header
// lacks the source's required columns, is refused as a whole (EInvalid).
func (s *Service) Import(ctx context.Context, actor identity.User, source string, data []byte, opt ImportOptions) (sheet.Report, error) {
	if !ImportsData(actor) {
		return sheet.Report{}, kedaitong.Errorf(kedaitong.EForbidden, "only administrators and provincial officials import into the data hub").ZHf("只有管理员和省级政府用户可以向数据中心导入数据")
	}
	spec, ok := specs[source]
	if !ok {
		return sheet.Report{}, kedaitong.Invalid("source", "unknown source %q: use one of %s", source, strings.Join(AllSources, ", ")).ZHf("未知的数据来源 %q：可选 %s", source, strings.Join(AllSources, "、"))
	}
	if len(data) > MaxImportBytes {
		return sheet.Report{}, kedaitong.Errorf(kedaitong.ETooLarge, "the file is larger than %d MB: split it", MaxImportBytes>>20).ZHf("文件超过 %d MB：请拆分后导入", MaxImportBytes>>20)
	}
	spec.MaxRows = MaxImportRows
	t, err := sheet.Parse(data, spec)
	if err != nil {
		return sheet.Report{}, err
	}
	rep := sheet.Report{Rejected: []sheet.Rejection{}, IgnoredColumns: t.Ignored}
	now := s.now()
	today := s.today()
	var changes []rowChange
	first := map[string]int{}
	for _, r := range t.Rows {
		code := review.NormalizeCreditCode(r.Cells["credit_code"])
		if code == "" {
			rep.Rejected = append(rep.Rejected, sheet.Rejection{Row: r.N, Column: "credit_code", Reason: "the credit code is empty"})
			continue
		}
		if err := review.CheckCreditCode(code); err != nil {
			rep.Rejected = append(rep.Rejected, sheet.Rejection{Row: r.N, Column: "credit_code", Reason: messageOf(err)})
			continue
		}
		key, apply, col, reason := s.parseRow(source, t, r, code, today)
		if reason != "" {
			rep.Rejected = append(rep.Rejected, sheet.Rejection{Row: r.N, Column: col, Reason: reason})
			continue
		}
		if n, dup := first[code+"|"+key]; dup {
			rep.Rejected = append(rep.Rejected, sheet.Rejection{Row: r.N, Column: keyColumn(source), Reason: fmt.Sprintf("duplicate row: the same record is on row %d already", n)})
			continue
		}
		first[code+"|"+key] = r.N
		changes = append(changes, rowChange{n: r.N, code: code, apply: apply})
	}
	if err := s.applyRows(ctx, source, changes, now, &rep, opt.Progress); err != nil {
		return rep, err
	}
	slices.SortFunc(rep.Rejected, func(a, b sheet.Rejection) int { return a.Row - b.Row })
	sum := sha256.Sum256(data)
	rec := ImportRecord{ID: newID("imp-"), Source: source, FileName: clip(opt.FileName, 200), SHA256: hex.EncodeToString(sum[:]), Rows: len(t.Rows),
		Report: rep, By: actor.ID, ByName: actor.Username, At: now, AtMS: now.UnixMilli()}
	if len(rec.Report.Rejected) > 200 {
		rec.Report.Rejected = rec.Report.Rejected[:200]
	}
	if err := s.imports.Insert(ctx, rec.ID, rec); err != nil {
		return rep, err
	}
	s.record(ctx, &actor, "datahub.import", "datahub_import", rec.ID, "", map[string]any{"source": source, "file": rec.FileName,
		"sha256": rec.SHA256, "at": now.Format(time.RFC3339), "rows": len(t.Rows), "imported": rep.Imported, "updated": rep.Updated,
		"unchanged": rep.Unchanged, "rejected": len(rep.Rejected)})
	return rep, nil
}

// messageOf is an error's English message without its field.
func messageOf(err error) string {
	var e *kedaitong.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return err.Error()
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}

func keyColumn(source string) string {
	switch source {
	case SourceIP:
		return "patent_no"
	case SourceProjects:
		return "project_id"
	case SourceTax:
		return "year"
	case SourceContracts:
		return "contract_id"
	case SourceDishonesty:
		return "listed_on"
	case SourceInvestments:
		return "investor"
	}
	return "credit_code"
}

// applyRows merges the rows into the portraits, enterprise by enterprise,
// in chunks of store.MaxBatch enterprises: a chunk's portraits are read with
// one GetMany, the rows applied, new portraits stored with one InsertMany
// and changed ones with one ReplaceMany (version-guarded, one transaction
// and one sync on SQLite). Two stages overlap: while a chunk is written,
// the next one is read and applied. A lost race re-applies that
// enterprise's rows (retryRows).
func (s *Service) applyRows(ctx context.Context, source string, changes []rowChange, now time.Time, rep *sheet.Report, progress func(int, int)) error {
	byCode := map[string][]rowChange{}
	var codes []string
	for _, c := range changes {
		if _, ok := byCode[c.code]; !ok {
			codes = append(codes, c.code)
		}
		byCode[c.code] = append(byCode[c.code], c)
	}
	total, done := len(changes), 0
	if progress != nil {
		progress(0, total)
	}
	count := func(imported, updated, unchanged int) {
		rep.Imported += imported
		rep.Updated += updated
		rep.Unchanged += unchanged
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan importChunk, 1)
	readErr := make(chan error, 1)
	go func() {
		defer close(chunks)
		for start := 0; start < len(codes); start += store.MaxBatch {
			ch, err := s.readChunk(ctx, source, codes[start:min(start+store.MaxBatch, len(codes))], byCode, now)
			if err != nil {
				readErr <- err
				return
			}
			select {
			case chunks <- ch:
			case <-ctx.Done():
				return
			}
		}
	}()
	for ch := range chunks {
		if err := s.writeChunk(ctx, source, ch, byCode, now, count); err != nil {
			return err
		}
		for _, w := range ch.ws {
			done += len(byCode[w.code])
		}
		if progress != nil {
			progress(done, total)
		}
	}
	select {
	case err := <-readErr:
		return err
	default:
	}
	return ctx.Err()
}

// importWork is one enterprise of a chunk: its portrait with the rows applied.
type importWork struct {
	code                         string
	p                            Portrait
	ver                          int64
	exists                       bool
	legacy                       bool // read from an entry of an earlier version: to be stored as a portrait
	imported, updated, unchanged int
}

// importChunk is a chunk's enterprises and their stored entries.
type importChunk struct {
	ws      []importWork
	entries map[string]store.Doc
}

// readChunk reads a chunk's portraits and entries (one query each) and
// applies the rows.
func (s *Service) readChunk(ctx context.Context, source string, part []string, byCode map[string][]rowChange, now time.Time) (importChunk, error) {
	docs, err := s.portraits.GetMany(ctx, part)
	if err != nil {
		return importChunk{}, err
	}
	ents, err := s.entries.GetMany(ctx, part)
	if err != nil {
		return importChunk{}, err
	}
	found := make(map[string]store.Doc, len(docs))
	for _, d := range docs {
		found[d.ID] = d
	}
	ch := importChunk{ws: make([]importWork, len(part)), entries: make(map[string]store.Doc, len(ents))}
	for _, d := range ents {
		ch.entries[d.ID] = d
	}
	for i, code := range part {
		w := &ch.ws[i]
		w.code = code
		if d, ok := found[code]; ok {
			if err := d.Decode(&w.p); err != nil {
				return importChunk{}, err
			}
			w.p.fill()
			w.ver, w.exists = d.Version, true
		} else if d, ok := ch.entries[code]; ok {
			p, legacy, err := legacyPortrait(d)
			if err != nil {
				return importChunk{}, err
			}
			if w.p, w.legacy = p, legacy; !legacy {
				w.p = newPortrait(code)
			}
		} else {
			w.p = newPortrait(code)
		}
		w.imported, w.updated, w.unchanged = applyAll(&w.p, byCode[code])
		if w.imported+w.updated > 0 {
			w.p.Sources[source] = now
			w.p.UpdatedAt = now
		}
		s.derive(&w.p)
	}
	return ch, nil
}

// writeChunk stores a chunk: one InsertMany for new portraits, one
// ReplaceMany for changed ones, then the entries that differ from those
// stored; refused ones are retried one by one.
func (s *Service) writeChunk(ctx context.Context, source string, ch importChunk, byCode map[string][]rowChange, now time.Time, count func(imported, updated, unchanged int)) error {
	ws := ch.ws
	var inserts []store.NewDoc
	var replaces []store.Replacement
	var insertIdx, replaceIdx []int
	var entries []Entry
	for i := range ws {
		switch w := &ws[i]; {
		case !w.exists && (w.legacy || w.imported+w.updated > 0):
			inserts = append(inserts, store.NewDoc{ID: w.code, Doc: w.p})
			insertIdx = append(insertIdx, i)
		case w.imported+w.updated == 0:
			count(0, 0, w.unchanged)
			if w.exists {
				entries = append(entries, entryOf(&w.p, w.ver)) // written only when it differs
			}
		default:
			replaces = append(replaces, store.Replacement{ID: w.code, Version: w.ver, Doc: w.p})
			replaceIdx = append(replaceIdx, i)
		}
	}
	settle := func(errs []error, idx []int, pv func(w *importWork) int64) error {
		for j, e := range errs {
			w := &ws[idx[j]]
			switch {
			case e == nil:
				count(w.imported, w.updated, w.unchanged)
				entries = append(entries, entryOf(&w.p, pv(w)))
				if source == SourceInvestments {
					if err := s.indexInvestments(ctx, w.p); err != nil {
						return err
					}
				}
			case kedaitong.Is(e, kedaitong.EConflict), kedaitong.Is(e, kedaitong.ENotFound):
				if err := s.retryRows(ctx, source, w.code, byCode[w.code], now, count); err != nil {
					return err
				}
			default:
				return e
			}
		}
		return nil
	}
	if len(inserts) > 0 {
		errs, err := s.portraits.InsertMany(ctx, inserts)
		if err != nil {
			return err
		}
		if err := settle(errs, insertIdx, func(*importWork) int64 { return 1 }); err != nil {
			return err
		}
	}
	if len(replaces) > 0 {
		errs, err := s.portraits.ReplaceMany(ctx, replaces)
		if err != nil {
			return err
		}
		if err := settle(errs, replaceIdx, func(w *importWork) int64 { return w.ver + 1 }); err != nil {
			return err
		}
	}
	return s.putEntries(ctx, entries, ch.entries)
}

// retryRows applies one enterprise's rows afresh after a lost race.
func (s *Service) retryRows(ctx context.Context, source, code string, rows []rowChange, now time.Time, count func(imported, updated, unchanged int)) error {
	for attempt := 0; attempt < 20; attempt++ {
		p, ver, exists, err := s.loadPortrait(ctx, code)
		if err != nil {
			return err
		}
		imported, updated, unchanged := applyAll(&p, rows)
		if imported+updated == 0 {
			count(0, 0, unchanged)
			return nil
		}
		p.Sources[source] = now
		p.UpdatedAt = now
		s.derive(&p)
		err = s.savePortrait(ctx, &p, ver, exists)
		if kedaitong.Is(err, kedaitong.EConflict) {
			continue
		}
		if err != nil {
			return err
		}
		if source == SourceInvestments {
			if err := s.indexInvestments(ctx, p); err != nil {
				return err
			}
		}
		count(imported, updated, unchanged)
		return nil
	}
	return kedaitong.Errorf(kedaitong.EConflict, "enterprise %s keeps changing; import the file again", code).ZHf("企业 %s 的画像一直在变化，请重新导入该文件", code)
}

func applyAll(p *Portrait, rows []rowChange) (imported, updated, unchanged int) {
	for _, r := range rows {
		changed, created := r.apply(p)
		switch {
		case created:
			imported++
		case changed:
			updated++
		default:
			unchanged++
		}
	}
	return
}

// loadPortrait reads a portrait, or a new empty one (exists false).
func (s *Service) loadPortrait(ctx context.Context, code string) (Portrait, int64, bool, error) {
	var p Portrait
	ver, err := s.portraits.Get(ctx, code, &p)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		// A portrait of an earlier version lives in its entry.
		if docs, err := s.entries.GetMany(ctx, []string{code}); err != nil {
			return Portrait{}, 0, false, err
		} else if len(docs) == 1 {
			if lp, ok, err := legacyPortrait(docs[0]); err != nil || ok {
				lp.legacy = ok
				return lp, 0, false, err
			}
		}
		return newPortrait(code), 0, false, nil
	}
	if err != nil {
		return Portrait{}, 0, false, err
	}
	p.fill()
	return p, ver, true, nil
}

// indexInvestments keeps the investments register's index documents.
func (s *Service) indexInvestments(ctx context.Context, p Portrait) error {
	for key, in := range p.Investments {
		doc := investmentDoc{CreditCode: p.CreditCode, OrgKey: key, Investor: in.Investor, Amount: in.Amount, Date: in.Date}
		id := p.CreditCode + "|" + key
		var old investmentDoc
		ver, err := s.investments.Get(ctx, id, &old)
		switch {
		case kedaitong.Is(err, kedaitong.ENotFound):
			if err := s.investments.Insert(ctx, id, doc); err != nil && !kedaitong.Is(err, kedaitong.EConflict) {
				return err
			}
		case err != nil:
			return err
		case old != doc:
			if _, err := s.investments.Replace(ctx, id, ver, doc); err != nil && !kedaitong.Is(err, kedaitong.EConflict) {
				return err
			}
		}
	}
	return nil
}

type investmentDoc struct {
	CreditCode string `json:"credit_code"`
	OrgKey     string `json:"org_key"`
	Investor   string `json:"investor"`
	Amount     int64  `json:"amount"`
	Date       string `json:"date"`
}

// Cell parsing.

var dateLayouts = []string{"2006-01-02", "2006/1/2", "2006-1-2", "2006.1.2", "2006年1月2日", "20060102", "1/2/06", "01-02-06", "1/2/2006"}

// parseDate reads a date cell; ok false when it is not one.
func parseDate(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, " T"); i > 0 {
		s = s[:i] // a time of day after the date
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil && t.Year() >= 1900 {
			return t.Format(DateLayout), true
		}
	}
	return "", false
}

// dateCell checks a date column; future dates are refused unless allowed.
func dateCell(r sheet.Row, col string, required, future bool, today string) (string, string) {
	v := r.Cells[col]
	if v == "" {
		if required {
			return "", fmt.Sprintf("the %s date is empty", col)
		}
		return "", ""
	}
	d, ok := parseDate(v)
	if !ok {
		return "", fmt.Sprintf("%q is not a date: write YYYY-MM-DD", v)
	}
	if !future && d > today {
		return "", fmt.Sprintf("%s is in the future", d)
	}
	return d, ""
}

var moneyCleaner = strings.NewReplacer(",", "", "，", "", " ", "", "¥", "", "￥", "")

var moneyRE = regexp.MustCompile(`^-?\d+(\.\d+)?$`)

// moneyCell reads a whole number of yuan (commas, "元" and a ".0" Excel
// adds are accepted); negative amounts are refused.
func moneyCell(r sheet.Row, col string, required bool) (int64, string) {
	v := strings.TrimSpace(r.Cells[col])
	v = strings.TrimSuffix(strings.TrimSuffix(v, "元"), "yuan")
	v = moneyCleaner.Replace(v)
	if v == "" {
		if required {
			return 0, fmt.Sprintf("the %s is empty", col)
		}
		return 0, ""
	}
	if !moneyRE.MatchString(v) {
		return 0, fmt.Sprintf("%q is not an amount in yuan", r.Cells[col])
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f > 1e15 {
		return 0, fmt.Sprintf("%q is not an amount in yuan", r.Cells[col])
	}
	if f < 0 {
		return 0, fmt.Sprintf("the %s must not be negative", col)
	}
	return int64(f + 0.5), ""
}

// countCell reads a whole non-negative number.
func countCell(r sheet.Row, col string) (int64, string) {
	v := strings.TrimSuffix(strings.TrimSpace(r.Cells[col]), ".0")
	if v == "" {
		return 0, ""
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, fmt.Sprintf("%q is not a whole number", r.Cells[col])
	}
	if n < 0 {
		return 0, fmt.Sprintf("the %s must not be negative", col)
	}
	return n, ""
}

// enumCell maps a cell through a table of accepted (folded) words.
func enumCell(v string, words map[string]string) (string, bool) {
	x, ok := words[sheet.Fold(v)]
	return x, ok
}

var (
	kindWords = map[string]string{"invention": "invention", "发明": "invention", "发明专利": "invention", "utility": "utility", "utilitymodel": "utility",
		"实用新型": "utility", "实用新型专利": "utility", "design": "design", "外观设计": "design", "外观设计专利": "design", "外观": "design"}
	patentStatusWords = map[string]string{"valid": "valid", "有效": "valid", "授权": "valid", "在保护期": "valid", "lapsed": "lapsed", "失效": "lapsed",
		"无效": "lapsed", "invalid": "lapsed", "expired": "lapsed", "终止": "lapsed", "届满": "lapsed"}
	levelWords = map[string]string{"national": "national", "国家级": "national", "国家": "national", "provincial": "provincial", "省级": "provincial",
		"省": "provincial", "city": "city", "市级": "city", "市": "city", "municipal": "city"}
	specialisedWords = map[string]string{"": "", "no": "", "否": "", "无": "", "n": "", "false": "", "0": "",
		"yes": "provincial", "是": "provincial", "y": "provincial", "true": "provincial", "1": "provincial", "provincial": "provincial", "省级": "provincial",
		"省级专精特新": "provincial", "national": "national", "国家级": "national", "小巨人": "national", "专精特新小巨人": "national", "国家级专精特新小巨人": "national"}
)

func foldName(s string) string { return sheet.Fold(s) }

// parseRow validates a row of the source and returns its natural key and
// how it changes a portrait; a bad row returns the column and reason.
func (s *Service) parseRow(source string, t *sheet.Table, r sheet.Row, code, today string) (string, func(*Portrait) (bool, bool), string, string) {
	c := r.Cells
	switch source {
	case SourceRegistration:
		reg := Registration{Name: strings.Join(strings.Fields(c["name"]), " ")}
		if reg.Name == "" {
			return "", nil, "name", "the name is empty"
		}
		reg.Region = strings.TrimSpace(c["region"])
		if !identity.ValidRegion(reg.Region) {
			return "", nil, "region", fmt.Sprintf("%q is not a Jiangxi GB/T 2260 region code", reg.Region)
		}
		var why string
		if reg.Founded, why = dateCell(r, "founded", false, false, today); why != "" {
			return "", nil, "founded", why
		}
		if reg.RegisteredCapital, why = moneyCell(r, "registered_capital", false); why != "" {
			return "", nil, "registered_capital", why
		}
		reg.Status = clip(c["status"], 40)
		if v := c["route"]; v != "" {
			if !s.tax.IsField(v) {
				return "", nil, "route", fmt.Sprintf("%q is not an industry or technical route code", v)
			}
			reg.Route = v
		}
		sp, ok := enumCell(c["specialised"], specialisedWords)
		if !ok {
			return "", nil, "specialised", fmt.Sprintf("%q: write provincial, national or leave it empty", c["specialised"])
		}
		reg.Specialised = sp
		has := map[string]bool{}
		for _, col := range []string{"founded", "registered_capital", "status", "route", "specialised"} {
			has[col] = t.Has(col)
		}
		return code, func(p *Portrait) (bool, bool) {
			next := reg
			if old := p.Registration; old != nil {
				// Columns the file does not have keep their values.
				if !has["founded"] {
					next.Founded = old.Founded
				}
				if !has["registered_capital"] {
					next.RegisteredCapital = old.RegisteredCapital
				}
				if !has["status"] {
					next.Status = old.Status
				}
				if !has["route"] {
					next.Route = old.Route
				}
				if !has["specialised"] {
					next.Specialised = old.Specialised
				}
				if *old == next {
					return false, false
				}
				p.Registration = &next
				return true, false
			}
			p.Registration = &next
			return true, true
		}, "", ""
	case SourceIP:
		no := strings.ToUpper(strings.Join(strings.Fields(c["patent_no"]), ""))
		if no == "" || len(no) > 40 {
			return "", nil, "patent_no", "the patent number is empty or longer than 40 characters"
		}
		var pt Patent
		var ok bool
		if pt.Kind, ok = enumCell(c["kind"], kindWords); !ok {
			return "", nil, "kind", fmt.Sprintf("unknown kind %q: use invention (发明), utility (实用新型) or design (外观设计)", c["kind"])
		}
		var why string
		if pt.Granted, why = dateCell(r, "granted", false, false, today); why != "" {
			return "", nil, "granted", why
		}
		if pt.Claims, why = countCell(r, "claims"); why != "" {
			return "", nil, "claims", why
		}
		if pt.Citations, why = countCell(r, "citations"); why != "" {
			return "", nil, "citations", why
		}
		pt.Status = "valid"
		if v := c["status"]; v != "" {
			if pt.Status, ok = enumCell(v, patentStatusWords); !ok {
				return "", nil, "status", fmt.Sprintf("unknown status %q: use valid (有效) or lapsed (失效)", v)
			}
		}
		return no, func(p *Portrait) (bool, bool) { return put(p.Patents, no, pt) }, "", ""
	case SourceProjects:
		id := strings.TrimSpace(c["project_id"])
		if id == "" || len(id) > 64 {
			return "", nil, "project_id", "the project id is empty or longer than 64 characters"
		}
		var pr Project
		var ok bool
		if pr.Level, ok = enumCell(c["level"], levelWords); !ok {
			return "", nil, "level", fmt.Sprintf("unknown level %q: use national (国家级), provincial (省级) or city (市级)", c["level"])
		}
		pr.Title = clip(strings.TrimSpace(c["title"]), 200)
		var why string
		if pr.Amount, why = moneyCell(r, "amount", false); why != "" {
			return "", nil, "amount", why
		}
		if pr.Start, why = dateCell(r, "start", false, false, today); why != "" {
			return "", nil, "start", why
		}
		if pr.End, why = dateCell(r, "end", false, true, today); why != "" {
			return "", nil, "end", why
		}
		if pr.Start != "" && pr.End != "" && pr.End < pr.Start {
			return "", nil, "end", "the end is before the start"
		}
		return id, func(p *Portrait) (bool, bool) { return put(p.Projects, id, pr) }, "", ""
	case SourceTax:
		ys := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(c["year"]), "年"), ".0")
		y, err := strconv.Atoi(ys)
		thisYear, _ := strconv.Atoi(today[:4])
		if err != nil || y < 1980 {
			return "", nil, "year", fmt.Sprintf("%q is not a year", c["year"])
		}
		if y > thisYear {
			return "", nil, "year", fmt.Sprintf("%d is in the future", y)
		}
		var ty TaxYear
		var why string
		if ty.Revenue, why = moneyCell(r, "revenue", true); why != "" {
			return "", nil, "revenue", why
		}
		if ty.RDSpend, why = moneyCell(r, "rd_spend", false); why != "" {
			return "", nil, "rd_spend", why
		}
		if ty.TaxPaid, why = moneyCell(r, "tax_paid", false); why != "" {
			return "", nil, "tax_paid", why
		}
		key := strconv.Itoa(y)
		return key, func(p *Portrait) (bool, bool) { return put(p.Tax, key, ty) }, "", ""
	case SourceContracts:
		id := strings.TrimSpace(c["contract_id"])
		if id == "" || len(id) > 64 {
			return "", nil, "contract_id", "the contract id is empty or longer than 64 characters"
		}
		var ct Contract
		var why string
		if ct.Amount, why = moneyCell(r, "amount", true); why != "" {
			return "", nil, "amount", why
		}
		if ct.Signed, why = dateCell(r, "signed", false, false, today); why != "" {
			return "", nil, "signed", why
		}
		if ct.Due, why = dateCell(r, "due", false, true, today); why != "" {
			return "", nil, "due", why
		}
		if ct.Fulfilled, why = dateCell(r, "fulfilled", false, false, today); why != "" {
			return "", nil, "fulfilled", why
		}
		if ct.Signed != "" && ct.Due != "" && ct.Due < ct.Signed {
			return "", nil, "due", "the due date is before the signing"
		}
		if ct.Signed != "" && ct.Fulfilled != "" && ct.Fulfilled < ct.Signed {
			return "", nil, "fulfilled", "the fulfilment is before the signing"
		}
		return id, func(p *Portrait) (bool, bool) { return put(p.Contracts, id, ct) }, "", ""
	case SourceDishonesty:
		l := Listing{List: clip(strings.Join(strings.Fields(c["list"]), " "), 100)}
		if l.List == "" {
			return "", nil, "list", "the list is empty"
		}
		var why string
		if l.ListedOn, why = dateCell(r, "listed_on", true, false, today); why != "" {
			return "", nil, "listed_on", why
		}
		if l.LiftedOn, why = dateCell(r, "lifted_on", false, false, today); why != "" {
			return "", nil, "lifted_on", why
		}
		if l.LiftedOn != "" && l.LiftedOn < l.ListedOn {
			return "", nil, "lifted_on", "the lifting is before the listing"
		}
		key := l.List + "|" + l.ListedOn
		return key, func(p *Portrait) (bool, bool) { return put(p.Listings, key, l) }, "", ""
	case SourceInvestments:
		in := Investment{Investor: clip(strings.Join(strings.Fields(c["investor"]), " "), 100)}
		if in.Investor == "" {
			return "", nil, "investor", "the investor is empty"
		}
		var why string
		if in.Amount, why = moneyCell(r, "amount", true); why != "" {
			return "", nil, "amount", why
		}
		if in.Date, why = dateCell(r, "date", false, false, today); why != "" {
			return "", nil, "date", why
		}
		key := foldName(in.Investor)
		return key, func(p *Portrait) (bool, bool) { return put(p.Investments, key, in) }, "", ""
	}
	return "", nil, "", "unknown source"
}

// put sets m[k] = v and says whether that changed m and whether k is new.
func put[T comparable](m map[string]T, k string, v T) (changed, created bool) {
	k = docKey(k)
	old, ok := m[k]
	if ok && old == v {
		return false, false
	}
	m[k] = v
	return true, !ok
}

// Imports lists the import log, newest first.
func (s *Service) Imports(ctx context.Context, actor identity.User, limit int, cursor string) ([]ImportRecord, string, error) {
	if !ImportsData(actor) {
		return nil, "", kedaitong.Errorf(kedaitong.EForbidden, "only administrators and provincial officials see the data-hub imports").ZHf("只有管理员和省级政府用户可以查看数据中心的导入记录")
	}
	if limit <= 0 {
		limit = 50
	}
	page, err := s.imports.Find(ctx, store.Query{Sort: "at_ms", Desc: true, Limit: min(limit, 500), After: cursor})
	if err != nil {
		return nil, "", err
	}
	out, err := store.DecodeAll[ImportRecord](page.Docs)
	return out, page.Next, err
}

// docKey makes a natural key (a patent number such as ZL202210123456.7) safe
// as a field name in every backend: MongoDB refuses '.' and a leading '$'
// in field names, so they (and '%', the escape) are percent-encoded.
func docKey(k string) string {
	if !strings.ContainsAny(k, ".$%") {
		return k
	}
	return strings.NewReplacer("%", "%25", ".", "%2E", "$", "%24").Replace(k)
}
