package web_test

import (
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// rubricFormValues reads the guideline editor's fields (inputs, textareas,
// checked boxes) from the page, as a browser would post them.
func rubricFormValues(t *testing.T, body []byte) url.Values {
	t.Helper()
	page := string(body)
	i := strings.Index(page, `id="rubric-table-form"`)
	j := strings.Index(page, `id="rubric-json-edit"`)
	if i < 0 || j < i {
		t.Fatalf("no guideline editor form on the page")
	}
	form := page[i:j]
	v := url.Values{}
	for _, m := range regexp.MustCompile(`<input name="([^"]+)" value="([^"]*)"`).FindAllStringSubmatch(form, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	for _, m := range regexp.MustCompile(`(?s)<textarea name="([^"]+)"[^>]*>(.*?)</textarea>`).FindAllStringSubmatch(form, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	v.Set("mode", "form")
	return v
}

// TestRubricFormEditor: an official edits a guideline in the form editor
// (a weight changed, a criterion added in a blank row, one removed, a risk
// point added) and a new version holds exactly that; a weight that is not a
// number or a bad code is refused beside its row, keeps what was typed and
// saves nothing; banks and experts cannot save.
func TestRubricFormEditor(t *testing.T) {
	p := newPanelEnv(t)
	s := &scoringEnv{panelEnv: p, seat: map[string]string{}}
	page := "/rubrics/semiconductors"
	r := s.do("GET", page, "", as(s.sec["official"])...)
	if r.status != 200 {
		t.Fatalf("rubric page = %d", r.status)
	}
	v := rubricFormValues(t, r.body)
	before := s.do("GET", "/api/v1/rubrics/semiconductors", "", as(s.sec["official"])...).json(t)
	crits := before["criteria"].([]any)
	n := len(crits)
	if v.Get("c0.id") != crits[0].(map[string]any)["id"] || v.Get("c0.weight") == "" || v.Get("c0.a5.zh") == "" {
		t.Fatalf("the editor does not show the guideline: c0 = %q %q %q", v.Get("c0.id"), v.Get("c0.weight"), v.Get("c0.a5.zh"))
	}
	if _, ok := v["c"+strconv.Itoa(n)+".id"]; !ok {
		t.Fatalf("no blank row to add a criterion after %d", n)
	}

	// Refused: a weight that is not a number, then a bad code in the new row.
	bad := cloneValues(v)
	bad.Set("c1.weight", "二十")
	r = s.pageForm(t, "official", page, page, bad)
	if r.status != 400 || !strings.Contains(string(r.body), `id="crit-err-1"`) || !strings.Contains(string(r.body), `value="二十"`) {
		t.Errorf("a weight in words: %d, error beside row 2 and the text kept? %s", r.status, r.body)
	}
	bad = cloneValues(v)
	nr := "c" + strconv.Itoa(n) + "."
	bad.Set(nr+"id", "Bad Code")
	bad.Set(nr+"zh", "量产良率")
	bad.Set(nr+"en", "Yield")
	bad.Set(nr+"weight", "10")
	r = s.pageForm(t, "official", page, page, bad)
	if r.status != 400 || !strings.Contains(string(r.body), `id="crit-err-`+strconv.Itoa(n)+`"`) || !strings.Contains(string(r.body), `value="量产良率"`) {
		t.Errorf("a bad code in the new row: %d, error beside it and the text kept? %s", r.status, r.body)
	}
	if g := s.do("GET", "/api/v1/rubrics/semiconductors", "", as(s.sec["official"])...).json(t); g["version"].(float64) != 1 {
		t.Fatalf("refused edits made version %v", g["version"])
	}

	// Saved: weight of the first changed, the last removed, one added, a risk point added.
	ok := cloneValues(v)
	ok.Set("c0.weight", "40")
	last := crits[n-1].(map[string]any)["id"].(string)
	ok.Set("c"+strconv.Itoa(n-1)+".remove", "1")
	ok.Set(nr+"id", "yield_rate")
	ok.Set(nr+"zh", "量产良率")
	ok.Set(nr+"en", "Production yield")
	ok.Set(nr+"weight", "10")
	for _, pt := range []string{"2", "5", "8"} {
		ok.Set(nr+"a"+pt+".zh", "良率说明 "+pt)
		ok.Set(nr+"a"+pt+".en", "Yield note "+pt)
	}
	risks := len(before["risk_points"].([]any))
	ok.Set("r"+strconv.Itoa(risks)+".zh", "晶圆厂产能紧张")
	ok.Set("r"+strconv.Itoa(risks)+".en", "Foundry capacity is tight")
	ok.Set("note", "表单编辑：新增良率")
	r = s.pageForm(t, "official", page, page, ok)
	if r.status != 200 || !strings.Contains(string(r.body), `id="rubric-done"`) {
		t.Fatalf("save = %d %s", r.status, r.body)
	}
	g := s.do("GET", "/api/v1/rubrics/semiconductors", "", as(s.sec["official"])...).json(t)
	if g["version"].(float64) != 2 || g["note"] != "表单编辑：新增良率" {
		t.Fatalf("after saving: version %v note %v", g["version"], g["note"])
	}
	got := map[string]map[string]any{}
	for _, c := range g["criteria"].([]any) {
		got[c.(map[string]any)["id"].(string)] = c.(map[string]any)
	}
	if len(got) != n || got[last] != nil || got["yield_rate"] == nil {
		t.Fatalf("criteria after saving: %v (want %d, %s removed, yield_rate added)", keys(got), n, last)
	}
	if a := got["yield_rate"]["anchors"].(map[string]any)["8"].(map[string]any); a["zh"] != "良率说明 8" || a["en"] != "Yield note 8" {
		t.Errorf("the new criterion's anchor 8 = %v", a)
	}
	sum := 0.0
	for _, c := range got {
		sum += c["weight"].(float64)
	}
	if sum < 0.999 || sum > 1.001 || got[crits[0].(map[string]any)["id"].(string)]["weight"].(float64) <= crits[0].(map[string]any)["weight"].(float64) {
		t.Errorf("weights after saving add to %v; the first rose? %v", sum, got[crits[0].(map[string]any)["id"].(string)]["weight"])
	}
	rp := g["risk_points"].([]any)
	if len(rp) != risks+1 || rp[risks].(map[string]any)["zh"] != "晶圆厂产能紧张" {
		t.Errorf("risk points after saving: %v", rp)
	}

	// Forbidden callers: the bank cannot open the page, the expert cannot save.
	if r := s.do("GET", page, "", as(s.sec["officer"])...); r.status != 403 {
		t.Errorf("bank on the rubric page = %d", r.status)
	}
	if r := s.do("POST", page, ok.Encode(), as(s.sec["expert"], "Content-Type", "application/x-www-form-urlencoded")...); r.status != 403 {
		t.Errorf("expert saving with the form = %d", r.status)
	}
	if g := s.do("GET", "/api/v1/rubrics/semiconductors", "", as(s.sec["official"])...).json(t); g["version"].(float64) != 2 {
		t.Errorf("a forbidden save changed the version to %v", g["version"])
	}
}

func cloneValues(v url.Values) url.Values {
	c := url.Values{}
	for k, x := range v {
		c[k] = append([]string(nil), x...)
	}
	return c
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
