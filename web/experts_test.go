package web_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"kedaitong/experts"
)

func init() {
	for k, v := range map[string][]string{
		"GET /api/v1/experts":          {"official", "admin", "expert"},
		"POST /api/v1/experts":         {"official", "admin"},
		"GET /api/v1/experts/export":   {"official", "admin"},
		"POST /api/v1/experts/import":  {"official", "admin"},
		"GET /api/v1/experts/:id":      {"official", "admin", "expert"},
		"PATCH /api/v1/experts/:id":    {"official", "admin", "expert"},
		"GET /api/v1/committees":       {"official", "admin", "expert"},
		"POST /api/v1/committees":      {"official", "admin"},
		"GET /api/v1/committees/:id":   {"official", "admin", "expert"},
		"PATCH /api/v1/committees/:id": {"official", "admin"},
	} {
		allowedRoles[k] = v
	}
}

const expertJSONType = "application/json"

// expertEnv is a server with the test users logged in.
type expertEnv struct {
	*env
	official, admin, expert, officer, analyst string
}

func newExpertEnv(t *testing.T) *expertEnv {
	e := newEnv(t)
	e.seedUsers()
	return &expertEnv{env: e, official: e.login("official"), admin: e.login("admin"), expert: e.login("expert"),
		officer: e.login("officer"), analyst: e.login("analyst")}
}

func (x *expertEnv) post(who, path, body string) resp {
	x.t.Helper()
	return x.do("POST", path, body, as(who, "Content-Type", expertJSONType)...)
}

func (x *expertEnv) patch(who, path, body string) resp {
	x.t.Helper()
	return x.do("PATCH", path, body, as(who, "Content-Type", expertJSONType)...)
}

func (x *expertEnv) get(who, path string) resp {
	x.t.Helper()
	return x.do("GET", path, "", as(who)...)
}

func (x *expertEnv) upload(who string, data []byte, ct string) resp {
	x.t.Helper()
	return x.do("POST", "/api/v1/experts/import", string(data), as(who, "Content-Type", ct)...)
}

func ids(t *testing.T, r resp) []string {
	t.Helper()
	if r.status != 200 {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	var body struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, it := range body.Items {
		out = append(out, it.ID)
	}
	return out
}

const expertCSV = "id,name,tier,fields,organisations,region,capacity,email\n" +
	"exp-1,李建国,industry,lithium-battery.solid-state;lithium-battery.cathode-materials,江西赣锋锂业集团股份有限公司;南昌大学,360702,4,li@example.cn\n" +
	"exp-2,王海燕,academician,semiconductors.ic-design,中国科学院赣江创新研究院,3607,2,wang@example.cn\n" +
	"exp-3,张志强,finance,sci-tech-credit；photovoltaics,江西财经大学,3601,3,zhang@example.cn\n" +
	"exp-4,Chen Wei,industry,photovoltaics.perovskite,Jiangxi Copper Co. Ltd,360102,5,chen@example.cn\n"

func TestExpertImportAndSearch(t *testing.T) {
	x := newExpertEnv(t)
	r := x.upload(x.official, []byte(expertCSV), "text/csv")
	if r.status != 200 {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	m := r.json(t)
	if m["imported"].(float64) != 4 || m["updated"].(float64) != 0 || len(m["rejected"].([]any)) != 0 {
		t.Fatalf("import answer = %s", r.body)
	}
	// Re-importing the same file changes nothing.
	r = x.upload(x.official, []byte(expertCSV), "text/csv")
	if m := r.json(t); m["unchanged"].(float64) != 4 || m["imported"].(float64) != 0 || m["updated"].(float64) != 0 {
		t.Fatalf("re-import answer = %s", r.body)
	}
	for _, tc := range []struct {
		query string
		want  string
	}{
		{"", "exp-1,exp-2,exp-3,exp-4"},
		{"field=lithium-battery", "exp-1"},
		{"field=lithium-battery.solid-state", "exp-1"},
		{"field=lithium-battery.sodium-ion", ""},
		{"field=photovoltaics", "exp-3,exp-4"},
		{"tier=academician", "exp-2"},
		{"tier=finance&field=photovoltaics", "exp-3"},
		{"region=3607", "exp-1,exp-2"},
		{"region=360702", "exp-1"},
		{"region=36", "exp-1,exp-2,exp-3,exp-4"},
		{"q=" + urlq("李"), "exp-1"},
		{"q=" + urlq("南昌大学"), "exp-1"},
		{"q=" + urlq("赣江"), "exp-2"},
		{"q=" + urlq("大学"), "exp-1,exp-3"},
		{"q=" + urlq("学大"), ""},
		{"q=copper", "exp-4"},
		{"q=CHEN", "exp-4"},
		{"q=" + urlq("jiangxi cop"), "exp-4"},
		{"available_on=2026-07-01", "exp-1,exp-2,exp-3,exp-4"},
		{"status=suspended", ""},
	} {
		got := strings.Join(ids(t, x.get(x.official, "/api/v1/experts?"+tc.query)), ",")
		if got != tc.want {
			t.Errorf("GET /experts?%s = %q, want %q", tc.query, got, tc.want)
		}
	}
	// Paging.
	r = x.get(x.official, "/api/v1/experts?limit=3")
	first := ids(t, r)
	next, _ := r.json(t)["next_cursor"].(string)
	if len(first) != 3 || next == "" {
		t.Fatalf("page 1 = %v next %q", first, next)
	}
	if got := ids(t, x.get(x.official, "/api/v1/experts?limit=3&cursor="+next)); strings.Join(got, ",") != "exp-4" {
		t.Errorf("page 2 = %v", got)
	}
	r = x.get(x.official, "/api/v1/experts?region=36&limit=2")
	next, _ = r.json(t)["next_cursor"].(string)
	if got := ids(t, x.get(x.official, "/api/v1/experts?region=36&limit=2&cursor="+next)); strings.Join(got, ",") != "exp-3,exp-4" {
		t.Errorf("filtered page 2 = %v", got)
	}
	// Unavailability: an expert marks a period on its own profile.
	r = x.patch(x.expert, "/api/v1/experts/exp-1", `{"unavailable":[{"from":"2026-07-01","to":"2026-07-10","reason":"出差"}]}`)
	if r.status != 200 {
		t.Fatalf("expert sets availability: %d %s", r.status, r.body)
	}
	if got := strings.Join(ids(t, x.get(x.official, "/api/v1/experts?available_on=2026-07-05&field=lithium-battery")), ","); got != "" {
		t.Errorf("unavailable expert found: %q", got)
	}
	if got := strings.Join(ids(t, x.get(x.official, "/api/v1/experts?available_on=2026-07-11")), ","); got != "exp-1,exp-2,exp-3,exp-4" {
		t.Errorf("available on 07-11 = %q", got)
	}
	// The expert sees only itself, without contact details.
	if got := strings.Join(ids(t, x.get(x.expert, "/api/v1/experts")), ","); got != "exp-1" {
		t.Errorf("expert's directory = %q", got)
	}
	if got := strings.Join(ids(t, x.get(x.expert, "/api/v1/experts?tier=academician")), ","); got != "" {
		t.Errorf("expert's filter widened: %q", got)
	}
	r = x.get(x.expert, "/api/v1/experts/exp-1")
	if r.status != 200 || bytes.Contains(r.body, []byte("li@example.cn")) {
		t.Errorf("expert's own profile: %d %s", r.status, r.body)
	}
	r = x.get(x.official, "/api/v1/experts/exp-1")
	if r.status != 200 || !bytes.Contains(r.body, []byte("li@example.cn")) || !bytes.Contains(r.body, []byte(`"record"`)) {
		t.Errorf("official's view: %d %s", r.status, r.body)
	}
	if r := x.get(x.expert, "/api/v1/experts/exp-2"); r.status != 404 || r.errorCode(t) != "not_found" {
		t.Errorf("expert reads another profile: %d %s", r.status, r.body)
	}
	// Banks and analysts never see the directory.
	for _, who := range []string{x.officer, x.analyst} {
		if r := x.get(who, "/api/v1/experts"); r.status != 403 || r.errorCode(t) != "forbidden" {
			t.Errorf("bank/analyst directory: %d %s", r.status, r.body)
		}
		if r := x.get(who, "/api/v1/experts/exp-1"); r.status != 403 {
			t.Errorf("bank/analyst profile: %d %s", r.status, r.body)
		}
	}
}

func urlq(s string) string { return url.QueryEscape(s) }

func TestExpertCreatePatchBadInput(t *testing.T) {
	x := newExpertEnv(t)
	good := `{"id":"exp-9","name":"赵文博","tier":"industry","fields":["semiconductors.power-devices"],"organisations":["江西兆驰半导体有限公司"],"region":"3601","capacity":3,"email":"zhao@example.cn"}`
	if r := x.post(x.official, "/api/v1/experts", good); r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	if r := x.post(x.official, "/api/v1/experts", good); r.status != 409 {
		t.Errorf("duplicate create: %d %s", r.status, r.body)
	}
	for _, tc := range []struct{ name, body, field string }{
		{"unknown tier", `{"id":"exp-10","name":"a","tier":"guru","fields":["semiconductors"],"region":"36"}`, "tier"},
		{"unknown route", `{"id":"exp-10","name":"a","tier":"industry","fields":["semiconductors.quantum-foam"],"region":"36"}`, "fields"},
		{"negative capacity", `{"id":"exp-10","name":"a","tier":"industry","fields":["semiconductors"],"region":"36","capacity":-1}`, "capacity"},
		{"absurd capacity", `{"id":"exp-10","name":"a","tier":"industry","fields":["semiconductors"],"region":"36","capacity":10000}`, "capacity"},
		{"period backwards", `{"id":"exp-10","name":"a","tier":"industry","fields":["semiconductors"],"region":"36","unavailable":[{"from":"2026-05-10","to":"2026-05-01"}]}`, "unavailable[0]"},
		{"bad region", `{"id":"exp-10","name":"a","tier":"industry","fields":["semiconductors"],"region":"3699"}`, "region"},
		{"bad email", `{"id":"exp-10","name":"a","tier":"industry","fields":["semiconductors"],"region":"36","email":"nope"}`, "email"},
	} {
		r := x.post(x.official, "/api/v1/experts", tc.body)
		if r.status != 400 || r.errorCode(t) != "invalid_input" {
			t.Errorf("%s: %d %s", tc.name, r.status, r.body)
			continue
		}
		if f, _ := r.json(t)["error"].(map[string]any)["field"].(string); f != tc.field {
			t.Errorf("%s: field %q, want %q", tc.name, f, tc.field)
		}
	}
	if r := x.get(x.official, "/api/v1/experts/exp-10"); r.status != 404 {
		t.Errorf("a refused expert exists: %d", r.status)
	}
	// Patches: bad ones change nothing.
	before := x.get(x.official, "/api/v1/experts/exp-9").body
	for _, body := range []string{`{"tier":"wizard"}`, `{"capacity":51}`, `{"fields":["nope"]}`, `{"unavailable":[{"from":"2026-02-02","to":"2026-02-01"}]}`, `{"surprise":1}`} {
		if r := x.patch(x.official, "/api/v1/experts/exp-9", body); r.status != 400 {
			t.Errorf("patch %s: %d %s", body, r.status, r.body)
		}
	}
	if after := x.get(x.official, "/api/v1/experts/exp-9").body; !bytes.Equal(before, after) {
		t.Errorf("a refused patch changed the profile:\n%s\n%s", before, after)
	}
	r := x.patch(x.official, "/api/v1/experts/exp-9", `{"tier":"academician","capacity":2,"title":"研究员"}`)
	if r.status != 200 || r.json(t)["tier"] != "academician" {
		t.Fatalf("official patch: %d %s", r.status, r.body)
	}
	// The expert (exp-1) may not edit exp-9, nor its own tier.
	if r := x.patch(x.expert, "/api/v1/experts/exp-9", `{"unavailable":[]}`); r.status != 404 {
		t.Errorf("expert edits another: %d %s", r.status, r.body)
	}
	x.post(x.official, "/api/v1/experts", `{"id":"exp-1","name":"李建国","tier":"industry","fields":["lithium-battery"],"region":"3607"}`)
	if r := x.patch(x.expert, "/api/v1/experts/exp-1", `{"tier":"academician"}`); r.status != 403 || r.errorCode(t) != "forbidden" {
		t.Errorf("expert edits own tier: %d %s", r.status, r.body)
	}
	r = x.patch(x.expert, "/api/v1/experts/exp-1", `{"conflicts":[{"name":"江西铜业股份有限公司","reason":"配偶任职"}]}`)
	if r.status != 200 || !bytes.Contains(r.body, []byte("org:江西铜业")) {
		t.Errorf("expert declares a conflict: %d %s", r.status, r.body)
	}
	if r := x.patch(x.expert, "/api/v1/experts/exp-1", `{"conflicts":[{"name":"某公司"}]}`); r.status != 400 {
		t.Errorf("conflict without reason: %d %s", r.status, r.body)
	}
	if r := x.post(x.officer, "/api/v1/experts", good); r.status != 403 {
		t.Errorf("bank creates an expert: %d", r.status)
	}
	if r := x.get(x.official, "/api/v1/experts?tier=guru"); r.status != 400 {
		t.Errorf("bad tier filter: %d", r.status)
	}
	if r := x.get(x.official, "/api/v1/experts?available_on=2026-13-01"); r.status != 400 {
		t.Errorf("bad date filter: %d", r.status)
	}
	if r := x.get(x.official, "/api/v1/experts?cursor=zzz"); r.status != 400 {
		t.Errorf("bad cursor: %d", r.status)
	}
	// Audit entries.
	r = x.get(x.admin, "/api/v1/audit?limit=100")
	for _, a := range []string{"expert.create", "expert.update"} {
		if !bytes.Contains(r.body, []byte(a)) {
			t.Errorf("audit lacks %s", a)
		}
	}
}

func xlsxFile(t *testing.T, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestExpertImportXLSXChineseAndRejects(t *testing.T) {
	x := newExpertEnv(t)
	data := xlsxFile(t, [][]any{
		{"编号", "姓名", "类别", "领域", "工作单位", "地区", "承担能力", "邮箱"},
		{"exp-1", "李建国", "产业", "固态电池;lithium-battery.cathode-materials", "赣锋锂业", 360702, 4, "li@example.cn"},
		{"exp-2", "王海燕", "大师", "semiconductors", "南昌大学", "3601", 2, ""},
		{"exp-3", "张三", "院士", "semiconductors.nope", "南昌大学", "3601", 2, ""},
		{"exp-4", "李四", "金融", "sci-tech-credit", "江西财经大学", "3601", -2, ""},
		{"exp-1", "李建国二", "产业", "semiconductors", "南昌大学", "3601", 2, ""},
		{"exp-5", "赵六", "院士", "aviation", "南昌航空大学", "3601", 60, ""},
		{"exp-6", "", "院士", "aviation", "南昌航空大学", "3601", 1, ""},
		{"exp-7", "周七", "academician", "aviation.uav", "南昌航空大学", "360111", "", "zhou@example.cn"},
	})
	r := x.upload(x.official, data, "application/octet-stream")
	if r.status != 200 {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	var res struct {
		Imported, Updated, Unchanged int
		Rejected                     []struct {
			Row    int
			Column string
			Reason string
		}
	}
	json.Unmarshal(r.body, &res)
	want := map[int]string{3: "tier", 4: "fields", 5: "capacity", 6: "id", 7: "capacity", 8: "name"}
	got := map[int]string{}
	for _, rj := range res.Rejected {
		got[rj.Row] = rj.Column
		if rj.Reason == "" {
			t.Errorf("row %d: no reason", rj.Row)
		}
	}
	if len(got) != len(want) {
		t.Errorf("rejected rows %v, want %v", got, want)
	}
	for row, col := range want {
		if got[row] != col {
			t.Errorf("row %d rejected on %q, want %q (%s)", row, got[row], col, r.body)
		}
	}
	if res.Imported != 2 {
		t.Errorf("answer %s", r.body)
	}
	if r := x.get(x.official, "/api/v1/experts/exp-1"); !bytes.Contains(r.body, []byte(`"primary_field":"lithium-battery.solid-state"`)) {
		t.Errorf("a route's Chinese name was not mapped: %s", r.body)
	}
	if r := x.get(x.official, "/api/v1/experts/exp-7"); r.status != 200 || r.json(t)["tier"] != "academician" || r.json(t)["capacity"].(float64) != 3 {
		t.Errorf("exp-7: %d %s", r.status, r.body)
	}
	// Multipart upload of the same file: nothing changes.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "experts.xlsx")
	fw.Write(data)
	mw.Close()
	r = x.do("POST", "/api/v1/experts/import", buf.String(), as(x.official, "Content-Type", mw.FormDataContentType())...)
	if r.status != 200 {
		t.Fatalf("multipart: %d %s", r.status, r.body)
	}
	json.Unmarshal(r.body, &res)
	if res.Imported != 0 || res.Updated != 0 || res.Unchanged < 1 {
		t.Errorf("multipart re-import: %s", r.body)
	}
}

func TestExpertImportRefusedFiles(t *testing.T) {
	x := newExpertEnv(t)
	big := strings.Builder{}
	big.WriteString("id,name,tier,fields\n")
	for i := 0; i < 100_000; i++ {
		fmt.Fprintf(&big, "e%d,n,industry,aviation\n", i)
	}
	for _, tc := range []struct {
		name   string
		data   []byte
		status int
	}{
		{"empty", nil, 400},
		{"blank", []byte("  \n\n"), 400},
		{"no header", []byte("exp-1,李建国,industry,aviation\n"), 400},
		{"header only", []byte("id,name,tier,fields\n"), 200},
		{"png", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00"), 400},
		{"pdf", []byte("%PDF-1.7 ..."), 400},
		{"zip not xlsx", zipOf(t), 400},
		{"xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0}, 400},
		{"100,000 rows", []byte(big.String()), 400},
		{"over the limit", bytes.Repeat([]byte("a"), 21<<20), 413},
	} {
		r := x.upload(x.official, tc.data, "text/csv")
		if r.status != tc.status {
			t.Errorf("%s: %d %.300s", tc.name, r.status, r.body)
			continue
		}
		if tc.status != 200 {
			r.errorCode(t)
		}
	}
	if got := ids(t, x.get(x.official, "/api/v1/experts")); len(got) != 0 {
		t.Errorf("a refused file imported %v", got)
	}
	if r := x.upload(x.officer, []byte(expertCSV), "text/csv"); r.status != 403 {
		t.Errorf("bank imports: %d", r.status)
	}
	if r := x.upload(x.expert, []byte(expertCSV), "text/csv"); r.status != 403 {
		t.Errorf("expert imports: %d", r.status)
	}
}

func zipOf(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("notes.txt")
	w.Write([]byte("not a workbook"))
	zw.Close()
	return buf.Bytes()
}

func TestExpertExportAndCommittees(t *testing.T) {
	x := newExpertEnv(t)
	x.upload(x.official, []byte(expertCSV), "text/csv")
	r := x.get(x.official, "/api/v1/experts/export?region=3607")
	if r.status != 200 || r.header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Fatalf("export: %d %s", r.status, r.header)
	}
	f, err := excelize.OpenReader(bytes.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows(f.GetSheetList()[0])
	if len(rows) != 3 || rows[0][0] != "id" || rows[1][0] != "exp-1" || rows[2][0] != "exp-2" {
		t.Errorf("export rows = %v", rows)
	}
	// The export imports back unchanged.
	ir := x.upload(x.official, r.body, "application/octet-stream")
	if m := ir.json(t); m["unchanged"].(float64) != 2 {
		t.Errorf("re-import of the export: %s", ir.body)
	}
	if r := x.get(x.expert, "/api/v1/experts/export"); r.status != 403 {
		t.Errorf("expert exports: %d", r.status)
	}
	// Committees.
	r = x.post(x.official, "/api/v1/committees", `{"field":"lithium-battery","members":["exp-1","exp-2"],"chair":"exp-2"}`)
	if r.status != 201 {
		t.Fatalf("create committee: %d %s", r.status, r.body)
	}
	if r := x.post(x.official, "/api/v1/committees", `{"field":"lithium-battery","members":[],"chair":""}`); r.status != 409 {
		t.Errorf("second committee for a field: %d", r.status)
	}
	for _, body := range []string{`{"field":"nope"}`, `{"field":"aviation","members":["exp-1"],"chair":"exp-3"}`, `{"field":"aviation","members":["exp-404"],"chair":"exp-404"}`, `{"field":"aviation","members":["exp-1"]}`} {
		if r := x.post(x.official, "/api/v1/committees", body); r.status != 400 {
			t.Errorf("bad committee %s: %d %s", body, r.status, r.body)
		}
	}
	if got := strings.Join(ids(t, x.get(x.official, "/api/v1/experts?committee=cmt-lithium-battery")), ","); got != "exp-1,exp-2" {
		t.Errorf("committee filter = %q", got)
	}
	r = x.patch(x.official, "/api/v1/committees/cmt-lithium-battery", `{"members":["exp-1","exp-3"],"chair":"exp-3"}`)
	if r.status != 200 || r.json(t)["chair"] != "exp-3" {
		t.Errorf("patch committee: %d %s", r.status, r.body)
	}
	if r := x.patch(x.official, "/api/v1/committees/cmt-lithium-battery", `{"chair":"exp-2"}`); r.status != 400 {
		t.Errorf("chair outside members: %d", r.status)
	}
	if r := x.get(x.official, "/api/v1/experts/exp-3"); !bytes.Contains(r.body, []byte("cmt-lithium-battery")) {
		t.Errorf("profile lacks committee: %s", r.body)
	}
	if r := x.get(x.expert, "/api/v1/committees"); r.status != 200 {
		t.Errorf("expert reads committees: %d", r.status)
	}
	if r := x.post(x.expert, "/api/v1/committees", `{"field":"aviation"}`); r.status != 403 {
		t.Errorf("expert creates committee: %d", r.status)
	}
	if r := x.get(x.officer, "/api/v1/committees"); r.status != http.StatusForbidden {
		t.Errorf("bank reads committees: %d", r.status)
	}
}

// csrfRE finds a page's form token.
var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// form posts a page form as who (with the session's form token, read from
// page) and returns the answer after redirects.
func (x *expertEnv) form(who, page, path string, v url.Values) resp {
	x.t.Helper()
	r := x.get(who, page)
	m := csrfRE.FindSubmatch(r.body)
	if m == nil {
		x.t.Fatalf("no form token on %s (%d)", page, r.status)
	}
	v.Set("csrf", string(m[1]))
	return x.do("POST", path, v.Encode(), as(who, "Content-Type", "application/x-www-form-urlencoded")...)
}

// profile reads an expert through the API.
func (x *expertEnv) profile(id string) map[string]any {
	x.t.Helper()
	r := x.get(x.official, "/api/v1/experts/"+id)
	if r.status != 200 {
		x.t.Fatalf("profile %s: %d %s", id, r.status, r.body)
	}
	return r.json(x.t)
}

// goodCode is a valid unified social credit code.
var goodCode = "91360100MA35F0000" + string(experts.CreditCodeCheck("91360100MA35F0000"))

func newExpertForm() url.Values {
	return url.Values{"id": {"exp-77"}, "name": {"周明远"}, "tier": {"industry"}, "title": {"研究员"},
		"primary_field": {"photovoltaics.perovskite"}, "fields": {"photovoltaics", "lithium-battery.solid-state"},
		"org_name": {"南昌大学", "江西晶科光伏有限公司", ""}, "org_code": {"", goodCode, ""}, "org_from": {"2015-09-01", "2019-01-01", ""},
		"org_to": {"", "2024-06-30", ""}, "region": {"3601"}, "capacity": {"4"}, "email": {"zhou@example.cn"}, "phone": {"0791-8888 1234"},
		"status": {"active"}}
}

func TestExpertNewFormPage(t *testing.T) {
	x := newExpertEnv(t)
	if r := x.get(x.official, "/experts/new"); r.status != 200 || !bytes.Contains(r.body, []byte(`id="e-primary"`)) ||
		!bytes.Contains(r.body, []byte(`value="lithium-battery.solid-state"`)) {
		t.Fatalf("new form: %d", r.status)
	}
	if r := x.get(x.official, "/experts/new?lang=en"); !bytes.Contains(r.body, []byte("Primary field")) {
		t.Error("the English form lacks its labels")
	}
	for _, who := range []string{x.officer, x.expert, x.analyst} {
		if r := x.get(who, "/experts/new"); r.status != 403 {
			t.Errorf("new form for a non-official: %d", r.status)
		}
	}
	// Bad input: the error beside the input at fault, nothing stored.
	bad := []struct {
		set  map[string][]string
		want string
	}{
		{map[string][]string{"tier": {"guru"}}, `id="err-tier"`},
		{map[string][]string{"capacity": {"99"}}, `id="err-capacity"`},
		{map[string][]string{"capacity": {"-1"}}, `id="err-capacity"`},
		{map[string][]string{"capacity": {"many"}}, `id="err-capacity"`},
		{map[string][]string{"name": {" "}}, `id="err-name"`},
		{map[string][]string{"primary_field": {""}, "fields": {}}, `id="err-fields"`},
		{map[string][]string{"primary_field": {"warp-drive.flux"}}, `id="err-fields"`},
		{map[string][]string{"fields": {"sci-tech-credit"}}, `id="err-fields"`}, // a speciality for an industry expert
		{map[string][]string{"org_code": {"", "913601000000000000", ""}}, `id="err-org-1"`},
		{map[string][]string{"org_from": {"2015-09-01", "2024-07-01", ""}}, `id="err-org-1"`}, // ends before it starts
		{map[string][]string{"org_name": {"南昌大学", "", "x"}}, `id="err-org-1"`},                // a row with a code but no name
		{map[string][]string{"region": {"9999"}}, `id="err-region"`},
		{map[string][]string{"email": {"not-mail"}}, `id="err-email"`},
		{map[string][]string{"id": {"bad id!"}}, `id="err-id"`},
	}
	for _, b := range bad {
		v := newExpertForm()
		for k, val := range b.set {
			v[k] = val
		}
		r := x.form(x.official, "/experts/new", "/experts/new", v)
		if r.status != 400 || !bytes.Contains(r.body, []byte(b.want)) || !bytes.Contains(r.body, []byte(`id="edit-error"`)) {
			t.Errorf("%v: %d, want 400 with %s", b.set, r.status, b.want)
		}
		if !bytes.Contains(r.body, []byte(`value="周明远"`)) && b.set["name"] == nil {
			t.Errorf("%v: the form lost what was typed", b.set)
		}
	}
	if got := ids(t, x.get(x.official, "/api/v1/experts")); len(got) != 0 {
		t.Fatalf("bad forms stored experts: %v", got)
	}
	// A good one.
	r := x.form(x.official, "/experts/new", "/experts/new", newExpertForm())
	if r.status != 200 || !bytes.Contains(r.body, []byte(`id="expert-saved"`)) {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	p := x.profile("exp-77")
	if p["primary_field"] != "photovoltaics.perovskite" || len(p["fields"].([]any)) != 3 || p["capacity"].(float64) != 4 || p["phone"] != "0791-8888 1234" {
		t.Errorf("created = %v", p)
	}
	orgs := p["organisations"].([]any)
	if len(orgs) != 2 || orgs[1].(map[string]any)["credit_code"] != goodCode || orgs[1].(map[string]any)["to"] != "2024-06-30" {
		t.Errorf("organisations = %v", orgs)
	}
	// The same id again is a conflict shown on the form.
	if r := x.form(x.official, "/experts/new", "/experts/new", newExpertForm()); r.status != 409 || !bytes.Contains(r.body, []byte(`id="edit-error"`)) {
		t.Errorf("duplicate id: %d", r.status)
	}
	// A generated id when the id is left blank; a finance scholar with specialities only.
	v := newExpertForm()
	v.Set("id", "")
	v.Set("tier", "finance")
	v.Set("primary_field", "")
	v["fields"] = []string{"sci-tech-credit"}
	if r := x.form(x.official, "/experts/new", "/experts/new", v); r.status != 200 {
		t.Fatalf("finance scholar: %d %s", r.status, r.body)
	}
	if got := ids(t, x.get(x.official, "/api/v1/experts?tier=finance")); len(got) != 1 || !strings.HasPrefix(got[0], "exp-") {
		t.Errorf("generated id: %v", got)
	}
	// A bank officer cannot post the form.
	if r := x.do("POST", "/experts/new", newExpertForm().Encode(), as(x.officer, "Content-Type", "application/x-www-form-urlencoded")...); r.status != 403 {
		t.Errorf("officer posts: %d", r.status)
	}
}

func TestExpertEditFormOrganisations(t *testing.T) {
	x := newExpertEnv(t)
	x.upload(x.official, []byte(expertCSV), "text/csv")
	r := x.get(x.official, "/experts/exp-1/edit")
	if r.status != 200 || !bytes.Contains(r.body, []byte(`value="江西赣锋锂业集团股份有限公司"`)) ||
		!bytes.Contains(r.body, []byte(`<option value="lithium-battery.solid-state" selected>`)) {
		t.Fatalf("edit form: %d", r.status)
	}
	// The form as shown, with a past organisation added and 南昌大学 removed.
	v := url.Values{"version": {"0"}, "name": {"李建国"}, "tier": {"industry"}, "title": {"教授"},
		"primary_field": {"lithium-battery.solid-state"}, "fields": {"lithium-battery.cathode-materials"},
		"org_name": {"江西赣锋锂业集团股份有限公司", "南昌大学", "宁德时代新能源科技股份有限公司", ""},
		"org_code": {"", "", goodCode, ""}, "org_from": {"", "", "2020-03-01", ""}, "org_to": {"", "", "2023-12-31", ""},
		"org_remove": {"1"}, "region": {"360702"}, "capacity": {"4"}, "email": {"li@example.cn"}, "status": {"active"}}
	r = x.form(x.official, "/experts/exp-1/edit", "/experts/exp-1/edit", v)
	if r.status != 200 || !bytes.Contains(r.body, []byte(`id="expert-saved"`)) {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
	p := x.profile("exp-1")
	var names []string
	for _, o := range p["organisations"].([]any) {
		m := o.(map[string]any)
		names = append(names, fmt.Sprint(m["name"], "|", m["credit_code"], "|", m["from"], "|", m["to"]))
	}
	want := "江西赣锋锂业集团股份有限公司|<nil>|<nil>|<nil>,宁德时代新能源科技股份有限公司|" + goodCode + "|2020-03-01|2023-12-31"
	if strings.Join(names, ",") != want {
		t.Errorf("organisations = %v", names)
	}
	if p["title"] != "教授" || p["email"] != "li@example.cn" {
		t.Errorf("profile = %v", p)
	}
	// A bad credit code on the third row: shown on that row, nothing changed.
	before := x.get(x.official, "/api/v1/experts/exp-1").body
	v["org_remove"] = nil
	v["org_code"] = []string{"", "", "91360100MA35F00001", ""}
	r = x.form(x.official, "/experts/exp-1/edit", "/experts/exp-1/edit", v)
	if r.status != 400 || !bytes.Contains(r.body, []byte(`id="err-org-2"`)) {
		t.Errorf("bad code: %d", r.status)
	}
	if after := x.get(x.official, "/api/v1/experts/exp-1").body; !bytes.Equal(before, after) {
		t.Error("a refused form changed the profile")
	}
	// A stale version is refused.
	v["org_code"] = []string{"", "", goodCode, ""}
	v.Set("version", "1")
	if r := x.form(x.official, "/experts/exp-1/edit", "/experts/exp-1/edit", v); r.status != 409 {
		t.Errorf("stale version: %d", r.status)
	}
	// An expert may not post the edit form, even for its own profile.
	v.Set("version", "0")
	v.Set("tier", "academician")
	if r := x.form(x.expert, "/experts/me", "/experts/exp-1/edit", v); r.status != 404 {
		t.Errorf("expert posts the edit form: %d", r.status)
	}
	if p := x.profile("exp-1"); p["tier"] != "industry" {
		t.Errorf("tier after the expert's post = %v", p["tier"])
	}
	if r := x.get(x.officer, "/experts/exp-1/edit"); r.status != 403 {
		t.Errorf("officer opens the edit form: %d", r.status)
	}
	if r := x.get(x.official, "/experts/exp-404/edit"); r.status != 404 {
		t.Errorf("missing expert's form: %d", r.status)
	}
}

func TestExpertCommitteePage(t *testing.T) {
	x := newExpertEnv(t)
	x.upload(x.official, []byte(expertCSV), "text/csv")
	r := x.form(x.official, "/committees", "/committees", url.Values{"field": {"lithium-battery"}, "members": {"exp-1, exp-2"}, "chair": {"exp-2"}})
	if r.status != 200 || !bytes.Contains(r.body, []byte(`id="committee-saved"`)) || !bytes.Contains(r.body, []byte("王海燕")) {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	// A refused creation keeps the form.
	r = x.form(x.official, "/committees", "/committees", url.Values{"field": {"aviation"}, "members": {"exp-1"}, "chair": {"exp-3"}})
	if r.status != 400 || !bytes.Contains(r.body, []byte(`id="committee-error"`)) || !bytes.Contains(r.body, []byte(`value="exp-1"`)) {
		t.Errorf("bad create: %d", r.status)
	}
	cm := func() map[string]any {
		return x.get(x.official, "/api/v1/committees/cmt-lithium-battery").json(t)
	}
	// Add exp-3 and exp-4, remove exp-1, make exp-3 chair.
	r = x.form(x.official, "/committees", "/committees/cmt-lithium-battery", url.Values{"add": {"exp-3, exp-4"}, "remove": {"exp-1"}, "chair": {"exp-3"}})
	if r.status != 200 || !bytes.Contains(r.body, []byte(`id="committee-saved"`)) {
		t.Fatalf("update: %d %s", r.status, r.body)
	}
	if c := cm(); fmt.Sprint(c["members"]) != "[exp-2 exp-3 exp-4]" || c["chair"] != "exp-3" {
		t.Errorf("committee = %v", c)
	}
	// Removing the chair without naming another is refused; so is an unknown expert.
	for _, v := range []url.Values{{"remove": {"exp-3"}, "chair": {"exp-3"}}, {"add": {"exp-404"}, "chair": {"exp-3"}}, {"chair": {"exp-1"}}} {
		r := x.form(x.official, "/committees", "/committees/cmt-lithium-battery", v)
		if r.status != 400 || !bytes.Contains(r.body, []byte(`id="committee-error"`)) {
			t.Errorf("%v: %d", v, r.status)
		}
	}
	if c := cm(); fmt.Sprint(c["members"]) != "[exp-2 exp-3 exp-4]" || c["chair"] != "exp-3" {
		t.Errorf("committee after refusals = %v", c)
	}
	if r := x.form(x.official, "/committees", "/committees/cmt-nope", url.Values{"chair": {"exp-1"}}); r.status != 404 {
		t.Errorf("missing committee: %d", r.status)
	}
	// Experts read the committees by id only; banks not at all.
	r = x.get(x.expert, "/committees")
	if r.status != 200 || bytes.Contains(r.body, []byte("王海燕")) || bytes.Contains(r.body, []byte("committee-edit")) {
		t.Errorf("expert's committee page: %d", r.status)
	}
	if r := x.form(x.expert, "/committees", "/committees/cmt-lithium-battery", url.Values{"chair": {"exp-2"}}); r.status != 403 {
		t.Errorf("expert updates a committee: %d", r.status)
	}
	if r := x.get(x.officer, "/committees"); r.status != 403 {
		t.Errorf("bank reads committees: %d", r.status)
	}
}

func TestExpertMyPageRemoveByKey(t *testing.T) {
	x := newExpertEnv(t)
	x.upload(x.official, []byte(expertCSV), "text/csv")
	add := func(path string, v url.Values) {
		t.Helper()
		if r := x.form(x.expert, "/experts/me", path, v); r.status != 200 {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
	}
	add("/experts/me/unavailable", url.Values{"from": {"2026-08-01"}, "to": {"2026-08-10"}, "reason": {"leave"}})
	add("/experts/me/unavailable", url.Values{"from": {"2026-03-01"}, "to": {"2026-03-02"}})
	add("/experts/me/conflicts", url.Values{"name": {"江西铜业股份有限公司"}, "reason": {"former employer"}})
	add("/experts/me/conflicts", url.Values{"credit_code": {goodCode}, "reason": {"shareholder"}})
	// Remove the August period and the credit-code conflict by their keys.
	add("/experts/me/remove", url.Values{"what": {"period"}, "key": {"2026-08-01|2026-08-10"}})
	add("/experts/me/remove", url.Values{"what": {"conflict"}, "key": {"org:" + goodCode}})
	// An unknown key removes nothing.
	add("/experts/me/remove", url.Values{"what": {"period"}, "key": {"2020-01-01|2020-01-02"}})
	p := x.profile("exp-1")
	if fmt.Sprint(p["unavailable"]) != "[map[from:2026-03-01 to:2026-03-02]]" {
		t.Errorf("periods = %v", p["unavailable"])
	}
	if cs := p["conflicts"].([]any); len(cs) != 1 || cs[0].(map[string]any)["name"] != "江西铜业股份有限公司" {
		t.Errorf("conflicts = %v", cs)
	}
	// Bad input: nothing changed.
	r := x.form(x.expert, "/experts/me", "/experts/me/conflicts", url.Values{"name": {"某公司"}})
	if r.status != 400 || !bytes.Contains(r.body, []byte(`id="me-error"`)) {
		t.Errorf("conflict without reason: %d", r.status)
	}
	if r := x.form(x.official, "/experts", "/experts/me/remove", url.Values{"what": {"period"}, "key": {"2026-03-01|2026-03-02"}}); r.status != 404 {
		t.Errorf("an official posts to the expert's own page: %d", r.status)
	}
	if r := x.form(x.officer, "/account", "/experts/me/unavailable", url.Values{"from": {"2026-01-01"}, "to": {"2026-01-02"}}); r.status != 403 {
		t.Errorf("a bank officer posts to the expert's page: %d", r.status)
	}
	if p := x.profile("exp-1"); len(p["unavailable"].([]any)) != 1 || len(p["conflicts"].([]any)) != 1 {
		t.Errorf("refused posts changed the profile: %v %v", p["unavailable"], p["conflicts"])
	}
}
