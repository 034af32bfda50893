package classify

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"kedaitong/taxonomy"
)

func newClassifier(t testing.TB) *Classifier {
	t.Helper()
	c, err := New(taxonomy.Default())
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// TestAutomatonMatchesNaive compares the automaton with a naive search on
// random texts over a small alphabet, where overlaps abound.
func TestAutomatonMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "b", "c", "锂", "电"}
	word := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	for round := range 50 {
		var keys []string
		for range 1 + rng.IntN(20) {
			keys = append(keys, word(1+rng.IntN(4)))
		}
		text := []byte(word(200))
		a := buildAutomaton(keys)
		got := a.find(text, nil)
		var want []match
		for end := 1; end <= len(text); end++ {
			for id, k := range keys {
				if end >= len(k) && string(text[end-len(k):end]) == k {
					want = append(want, match{key: int32(id), start: int32(end - len(k)), end: int32(end)})
				}
			}
		}
		cmp := func(a, b match) int {
			if a.end != b.end {
				return int(a.end - b.end)
			}
			return int(a.key - b.key)
		}
		slices.SortFunc(got, cmp)
		slices.SortFunc(want, cmp)
		if !slices.Equal(got, want) {
			t.Fatalf("round %d keys %q: got %d matches, want %d", round, keys, len(got), len(want))
		}
	}
}

func TestIndustries(t *testing.T) {
	c := newClassifier(t)
	tests := []struct {
		title, summary string
		want           []string // industries, any order
		wantRoute      string   // a route that must be among the routes, or ""
	}{
		{"赣州稀土永磁企业扩产", "新增高性能钕铁硼产能2万吨。", []string{"nonferrous-rare-earth"}, "nonferrous-rare-earth.permanent-magnets"},
		{"宜春锂云母提锂成本下降", "", []string{"lithium-battery"}, "lithium-battery.lithium-extraction"},
		{"Perovskite tandem module sets efficiency record", "", []string{"photovoltaics"}, "photovoltaics.perovskite"},
		{"Blue chip stocks rally", "Investors bought blue-chip shares.", []string{}, ""},                               // negative keyword hides "chip"
		{"Lithium carbonate tablets recalled", "The bipolar disorder drug was recalled.", []string{"biomedicine"}, ""}, // not batteries
		{"Gan River flood season arrives", "Water levels on the Gan rose.", []string{}, ""},                            // GaN needs its capitals
		{"New GaN power chips for chargers", "", []string{"semiconductors"}, "semiconductors.compound-semiconductors"},
		{"The team led the market", "", []string{}, ""}, // LED needs its capitals; "led" is a verb
		{"AI芯片需求旺盛", "", []string{"semiconductors"}, "semiconductors.ic-design"},
		{"Rain forecast for the weekend", "Light showers are expected.", []string{}, ""},
		{"光伏与锂电池出口双双下滑", "", []string{"photovoltaics", "lithium-battery"}, ""},
		{"ＴＯＰＣｏｎ电池效率创新高", "", []string{"photovoltaics"}, "photovoltaics.topcon"}, // full-width letters
	}
	for _, tt := range tests {
		l := c.Classify(tt.title, tt.summary)
		if !sameSet(l.Industries, tt.want) {
			t.Errorf("Classify(%q).Industries = %v, want %v", tt.title, l.Industries, tt.want)
		}
		if tt.wantRoute != "" && !slices.Contains(l.Routes, tt.wantRoute) {
			t.Errorf("Classify(%q).Routes = %v, want it to contain %s", tt.title, l.Routes, tt.wantRoute)
		}
		for _, r := range l.Routes {
			if !slices.Contains(l.Industries, taxonomy.Default().IndustryOf(r)) {
				t.Errorf("Classify(%q): route %s outside industries %v", tt.title, r, l.Industries)
			}
		}
	}
}

func TestCues(t *testing.T) {
	c := newClassifier(t)
	tests := []struct {
		name, title, summary string
		wantDim              string // a dimension that must be present, or ""
		wantPol, wantSev     string
	}{
		{"export control", "商务部对镓锗实施出口管制", "", "policy", Risk, SeverityHigh},
		{"export control en", "US expands export controls on chip tools", "", "supply-chain", Risk, SeverityHigh},
		{"lifted export ban", "China lifts export ban on rare earth technology", "", "policy", Opportunity, SeverityNormal},
		{"lifted zh", "商务部宣布解除对部分稀土物项的出口管制", "", "policy", Opportunity, SeverityNormal},
		{"default", "某锂电企业债券违约", "公司未能按期兑付本息。", "capital", Risk, SeverityHigh},
		{"no default", "某光伏企业：公司未出现债务违约", "", "capital", Neutral, SeverityNormal},
		{"denied rumour", "Solar firm denies bankruptcy rumours", "", "capital", Neutral, SeverityNormal},
		{"rumour zh", "网传某光伏企业资金链断裂 公司辟谣", "公司称消息不实。", "capital", Neutral, SeverityNormal},
		{"price war", "动力电池价格战升级", "", "market", Risk, SeverityNormal},
		{"overcapacity", "Solar glut deepens as overcapacity bites", "", "market", Risk, SeverityNormal},
		{"breakthrough", "固态电池技术取得重大突破", "", "tech-route", Opportunity, SeverityNormal},
		{"obsoleted", "钙钛矿或将颠覆晶硅电池", "", "tech-route", Risk, SeverityHigh},
		{"financing", "芯片设计企业完成B轮融资", "", "capital", Opportunity, SeverityNormal},
		{"subsidy", "江西对首台套装备给予补贴", "", "policy", Opportunity, SeverityNormal},
		{"subsidy cut", "Government cuts subsidies for rooftop solar", "", "policy", Risk, SeverityNormal},
		{"sanctions", "美国制裁多家无人机企业 关键部件断供", "", "supply-chain", Risk, SeverityNormal},
		{"future is not negation", "未来三年锂电池产能将大幅增长", "", "market", Opportunity, SeverityNormal},
		{"no cue", "江西召开全省工作会议", "", "", Neutral, SeverityNormal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := c.Classify(tt.title, tt.summary)
			if tt.wantDim != "" && !slices.Contains(l.Dimensions, tt.wantDim) {
				t.Errorf("Dimensions = %v, want %s among them (cues %+v)", l.Dimensions, tt.wantDim, l.Cues)
			}
			if l.Polarity != tt.wantPol {
				t.Errorf("Polarity = %s, want %s (cues %+v)", l.Polarity, tt.wantPol, l.Cues)
			}
			if l.Severity != tt.wantSev {
				t.Errorf("Severity = %s, want %s (cues %+v)", l.Severity, tt.wantSev, l.Cues)
			}
			if tt.wantDim != "" && len(l.Cues) == 0 {
				t.Error("no cues reported")
			}
		})
	}
}

func TestEnterprises(t *testing.T) {
	c := newClassifier(t).WithEnterprises([]Enterprise{
		{ID: "e1", Name: "赣州芯研微电子有限公司", ShortNames: []string{"芯研微电子", "芯", "Xinyan"}},
		{ID: "e2", Name: "Jiangxi Copper Co.", ShortNames: []string{"JCC", "Cu"}},
	})
	tests := []struct {
		title string
		want  []string
	}{
		{"芯研微电子完成B轮融资", []string{"e1"}},
		{"赣州芯研微电子有限公司新品发布", []string{"e1"}},
		{"Xinyan raises funds", []string{"e1"}},
		{"XinyanTech raises funds", []string{}}, // inside another word
		{"芯片需求回暖", []string{}},                  // one-character short name ignored
		{"JCC and Xinyan sign deal", []string{"e2", "e1"}},
		{"Cu prices rise", []string{}}, // two-letter short name ignored
	}
	for _, tt := range tests {
		l := c.Classify(tt.title, "")
		if !sameSet(l.Enterprises, tt.want) {
			t.Errorf("Classify(%q).Enterprises = %v, want %v", tt.title, l.Enterprises, tt.want)
		}
	}
	// The original classifier links nothing.
	if l := newClassifier(t).Classify("芯研微电子完成B轮融资", ""); len(l.Enterprises) != 0 {
		t.Errorf("classifier without enterprises linked %v", l.Enterprises)
	}
}

func TestConcurrent(t *testing.T) {
	c := newClassifier(t)
	items := loadGold(t)
	want := make([]Label, len(items))
	for i, g := range items {
		want[i] = c.Classify(g.Title, g.Summary)
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(items); i += 2 {
				l := c.Classify(items[i].Title, items[i].Summary)
				if !slices.Equal(l.Industries, want[i].Industries) || l.Polarity != want[i].Polarity {
					t.Errorf("item %s: concurrent result differs", items[i].ID)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestParseCues(t *testing.T) {
	if _, err := parseCues(embeddedCues); err != nil {
		t.Fatalf("embedded cues.json: %v", err)
	}
	tests := []struct{ name, data string }{
		{"bad json", `{`},
		{"no version", `{"cues": []}`},
		{"unknown dimension", `{"version": "1", "cues": [{"dimensions": ["weather"], "polarity": "risk", "weight": 1, "zh": ["雨"]}]}`},
		{"bad polarity", `{"version": "1", "cues": [{"dimensions": ["market"], "polarity": "bad", "weight": 1, "zh": ["跌"]}]}`},
		{"zero weight", `{"version": "1", "cues": [{"dimensions": ["market"], "polarity": "risk", "weight": 0, "zh": ["跌"]}]}`},
		{"no terms", `{"version": "1", "cues": [{"dimensions": ["market"], "polarity": "risk", "weight": 1}]}`},
		{"neutral without dimension", `{"version": "1", "cues": [{"dimensions": [], "polarity": "neutral", "weight": 1, "zh": ["跌"]}]}`},
	}
	for _, tt := range tests {
		if _, err := parseCues([]byte(tt.data)); err == nil {
			t.Errorf("%s: parseCues = nil error, want one", tt.name)
		}
	}
}

func TestMain(t *testing.T) {
	long := `{"id":"big","title":"` + strings.Repeat("x", MaxLine) + `"}`
	tests := []struct {
		name       string
		in         string
		wantIDs    []string // ids of the output lines, in order
		wantCode   int
		wantStderr string // substring of stderr, or ""
	}{
		{"ok", `{"id":"a","title":"光伏组件价格战","summary":""}` + "\n\n" + `{"id":"b","title":"Chip export controls"}` + "\n",
			[]string{`"a"`, `"b"`}, 0, ""},
		{"no final newline, CRLF, number id", "{\"id\":\"a\",\"title\":\"x\"}\r\n{\"id\":7,\"summary\":\"y\"}", []string{`"a"`, `7`}, 0, ""},
		{"malformed line reported, rest labelled", `{"id":"a","title":"x"}` + "\n" + `{"id":` + "\n" + `{"id":"c","title":"z"}` + "\n",
			[]string{`"a"`, `"c"`}, 2, "line 2"},
		{"missing id", `{"title":"x"}` + "\n", nil, 2, `line 1: missing "id"`},
		{"title not a string", `{"id":"a","title":5}` + "\n", nil, 2, "line 1"},
		{"array", `[1,2]` + "\n" + `{"id":"b","title":"y"}`, []string{`"b"`}, 2, "line 1"},
		{"too long", `{"id":"a","title":"x"}` + "\n" + long + "\n" + `{"id":"c","title":"z"}` + "\n",
			[]string{`"a"`, `"c"`}, 2, "line 2: line longer than"},
		{"empty input", "", nil, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Main(strings.NewReader(tt.in), &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d (stderr %q)", code, tt.wantCode, stderr.String())
			}
			if tt.wantStderr != "" && !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr = %q, want it to contain %q", stderr.String(), tt.wantStderr)
			}
			var ids []string
			for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
				if line == "" {
					continue
				}
				var o struct {
					ID         jsonRaw  `json:"id"`
					Industries []string `json:"industries"`
					Dimensions []string `json:"dimensions"`
					Polarity   string   `json:"polarity"`
				}
				if err := jsonUnmarshal([]byte(line), &o); err != nil {
					t.Fatalf("output line %q: %v", line, err)
				}
				if o.Industries == nil || o.Dimensions == nil || o.Polarity == "" {
					t.Errorf("output line %q lacks industries, dimensions or polarity", line)
				}
				ids = append(ids, string(o.ID))
			}
			if !slices.Equal(ids, tt.wantIDs) {
				t.Errorf("output ids = %v, want %v", ids, tt.wantIDs)
			}
		})
	}
}

// TestAutomatonSparseStates repeats the naive comparison with a tiny dense
// table, so that deep states take the sparse path and its failure links.
func TestAutomatonSparseStates(t *testing.T) {
	old := denseBudget
	denseBudget = 1
	defer func() { denseBudget = old }()
	TestAutomatonMatchesNaive(t)
	c := newClassifier(t)
	if c.ac.nDense != 1 {
		t.Fatalf("nDense = %d, want 1", c.ac.nDense)
	}
	for _, g := range loadGold(t)[:40] {
		denseBudget = old
		want := newClassifierCached(t).Classify(g.Title, g.Summary)
		denseBudget = 1
		if got := c.Classify(g.Title, g.Summary); !slices.Equal(got.Industries, want.Industries) || got.Polarity != want.Polarity || len(got.Cues) != len(want.Cues) {
			t.Errorf("%s: sparse automaton differs from dense: %v %s vs %v %s", g.ID, got.Industries, got.Polarity, want.Industries, want.Polarity)
		}
	}
}

var cached struct {
	once sync.Once
	c    *Classifier
}

func newClassifierCached(t testing.TB) *Classifier {
	cached.once.Do(func() { cached.c = newClassifier(t) })
	return cached.c
}
