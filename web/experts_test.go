package web_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
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
