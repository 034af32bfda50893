// Package sheet reads the spreadsheets officials upload — CSV (UTF-8,
// UTF-16 or GB18030/GBK, comma or tab separated) or XLSX, told apart by
// content, not name — into rows keyed by canonical column names, with the
// row numbers a spreadsheet shows (the header is row 1). It owns the row
// report every import answers with. It is the parser the expert import
// started with, generalised so that each import (experts, the data hub)
// names only its columns.
package sheet

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/unicode/norm"

	"kedaitong"
)

// Report is the contract's answer to an import.
type Report struct {
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

// Spec describes the columns of one kind of import.
type Spec struct {
	// Columns maps each canonical column to the headers accepted for it
	// (English and Chinese; compared folded: NFKC, lower case, no spaces).
	// The canonical name itself is always accepted.
	Columns map[string][]string
	// Required columns must be in the header; a header naming none of them
	// is no header.
	Required []string
	// MaxRows bounds the data rows (0: no bound).
	MaxRows int
	// What is one row, for messages: e.g. "expert" / "评审专家".
	RowEN, RowZH string
	// HeaderEN and HeaderZH say how to name the columns when the first row
	// is no header (default: the required columns).
	HeaderEN, HeaderZH string
}

// Row is one data row: its number and its cells by canonical column.
type Row struct {
	N     int
	Cells map[string]string
}

// Table is a parsed file.
type Table struct {
	Cols    []string // canonical column of each index, "" for ignored ones
	Ignored []string // headers the spec does not know
	Rows    []Row
}

// Has reports whether the header named the column.
func (t *Table) Has(col string) bool {
	for _, c := range t.Cols {
		if c == col {
			return true
		}
	}
	return false
}

// Fold normalises a header or name for comparison: NFKC, lower case, no spaces.
func Fold(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	for _, r := range s {
		if unicode.IsSpace(r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// Parse sniffs and parses the file.
func Parse(data []byte, spec Spec) (*Table, error) {
	p := &parser{spec: spec, names: map[string]string{}}
	for col, names := range spec.Columns {
		p.names[Fold(col)] = col
		for _, n := range names {
			p.names[Fold(n)] = col
		}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, kedaitong.Errorf(kedaitong.EInvalid, "the file is empty: send a CSV or XLSX file with a header row and one row per %s", spec.RowEN).ZHf("文件为空：请上传 CSV 或 XLSX 文件，首行为表头，每个%s一行", spec.RowZH)
	}
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return p.xlsx(data)
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nil, kedaitong.Errorf(kedaitong.EInvalid, "this is an old Excel (.xls) or other OLE file: save it as .xlsx or CSV").ZHf("这是旧版 Excel（.xls）或其他 OLE 文件：请另存为 .xlsx 或 CSV")
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		text, err := xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM).NewDecoder().Bytes(data)
		if err != nil {
			return nil, kedaitong.Errorf(kedaitong.EInvalid, "the file is not readable UTF-16 text").ZHf("该文件不是可读的 UTF-16 文本")
		}
		return p.csv(text)
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
	return p.csv(data)
}

type parser struct {
	spec  Spec
	names map[string]string
}

func (p *parser) csv(data []byte) (*Table, error) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.Count(first, []byte("\t")) > 0 && bytes.Count(first, []byte(",")) == 0 {
		r.Comma = '\t'
	}
	t := &Table{}
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
			if blank(rec) {
				continue
			}
			if err := p.setHeader(t, rec); err != nil {
				return nil, err
			}
			header = false
			continue
		}
		if err := p.add(t, line, rec); err != nil {
			return nil, err
		}
	}
	if header {
		return nil, kedaitong.Errorf(kedaitong.EInvalid, "the file is empty: send a header row and one row per %s", p.spec.RowEN).ZHf("文件为空：首行为表头，每个%s一行", p.spec.RowZH)
	}
	return t, nil
}

func (p *parser) xlsx(data []byte) (*Table, error) {
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
		t := &Table{}
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
				if err := p.setHeader(t, cols); err != nil {
					rows.Close()
					return nil, err
				}
				header = false
				continue
			}
			if err := p.add(t, n, cols); err != nil {
				rows.Close()
				return nil, err
			}
		}
		err = rows.Error()
		rows.Close()
		if err != nil {
			return nil, kedaitong.Errorf(kedaitong.EInvalid, "sheet %q cannot be read", sheet).ZHf("无法读取工作表 %q", sheet)
		}
		if !header {
			return t, nil
		}
	}
	return nil, kedaitong.Errorf(kedaitong.EInvalid, "the workbook is empty: put a header row and one row per %s on its first sheet", p.spec.RowEN).ZHf("工作簿为空：请在第一个工作表中放表头，每个%s一行", p.spec.RowZH)
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
func (p *parser) setHeader(t *Table, cells []string) error {
	seen := map[string]bool{}
	t.Cols = make([]string, len(cells))
	for i, c := range cells {
		c = strings.TrimSpace(strings.TrimPrefix(c, "\uFEFF"))
		col, ok := p.names[Fold(c)]
		if !ok {
			if c != "" {
				t.Ignored = append(t.Ignored, c)
			}
			continue
		}
		if seen[col] {
			return kedaitong.Errorf(kedaitong.EInvalid, "the header names the column %s twice", col).ZHf("表头中 %s 列出现了两次", col)
		}
		seen[col] = true
		t.Cols[i] = col
	}
	var missing []string
	for _, c := range p.spec.Required {
		if !seen[c] {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 && len(missing) == len(p.spec.Required) && p.spec.HeaderEN != "" {
		return kedaitong.Errorf(kedaitong.EInvalid, "the first row is not a header: name the columns %s", p.spec.HeaderEN).ZHf("第一行不是表头：请将各列命名为 %s", p.spec.HeaderZH)
	}
	if len(missing) > 0 && len(missing) == len(p.spec.Required) {
		return kedaitong.Errorf(kedaitong.EInvalid, "the first row is not a header: name the columns %s", strings.Join(p.spec.Required, ", ")).ZHf("第一行不是表头：请将各列命名为 %s", strings.Join(p.spec.Required, "、"))
	}
	if len(missing) > 0 {
		return kedaitong.Errorf(kedaitong.EInvalid, "the header lacks the column(s) %s", strings.Join(missing, ", ")).ZHf("表头缺少以下列：%s", strings.Join(missing, ", "))
	}
	return nil
}

func (p *parser) add(t *Table, n int, cells []string) error {
	if blank(cells) {
		return nil
	}
	if p.spec.MaxRows > 0 && len(t.Rows) >= p.spec.MaxRows {
		return kedaitong.Errorf(kedaitong.EInvalid, "the file has more than %d rows: split it into several imports", p.spec.MaxRows).ZHf("文件超过 %d 行：请拆分为多次导入", p.spec.MaxRows)
	}
	row := Row{N: n, Cells: make(map[string]string, len(t.Cols))}
	for i, col := range t.Cols {
		if col != "" && i < len(cells) {
			row.Cells[col] = strings.TrimSpace(cells[i])
		}
	}
	t.Rows = append(t.Rows, row)
	return nil
}
