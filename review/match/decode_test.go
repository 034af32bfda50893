package match

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// referenceDecode is the decoder the streaming one replaced: encoding/json
// with unknown fields refused, then Validate.
func referenceDecode(data []byte) (*Instance, error) {
	type rawExpert struct {
		ID           string   `json:"id"`
		Tier         string   `json:"tier"`
		Fields       []string `json:"fields"`
		Affiliations []string `json:"affiliations"`
		Capacity     *int     `json:"capacity"`
	}
	var raw struct {
		Experts      []rawExpert   `json:"experts"`
		Applications []Application `json:"applications"`
		Affinity     []Pair        `json:"affinity"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("trailing data")
	}
	in := &Instance{Applications: raw.Applications, Affinity: raw.Affinity}
	if raw.Experts != nil {
		in.Experts = make([]Expert, len(raw.Experts))
	}
	for i, e := range raw.Experts {
		if e.Capacity == nil {
			return nil, errors.New("capacity missing")
		}
		in.Experts[i] = Expert{ID: e.ID, Tier: e.Tier, Fields: e.Fields, Affiliations: e.Affiliations, Capacity: *e.Capacity}
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return in, nil
}

// spell rewrites a marshalled instance the ways JSON allows: white space,
// member names in other cases, escaped characters, members in another
// order, explicit nulls.
func spell(rng *rand.Rand, data []byte) []byte {
	s := string(data)
	if rng.IntN(2) == 0 {
		var b bytes.Buffer
		json.Indent(&b, data, " \r", "\t ")
		s = b.String()
	}
	if rng.IntN(3) == 0 {
		s = strings.ReplaceAll(s, `"capacity"`, `"Capacity"`)
		s = strings.ReplaceAll(s, `"score"`, `"SCORE"`)
	}
	if rng.IntN(3) == 0 {
		s = strings.ReplaceAll(s, `"id"`, `"\u0069d"`)
		s = strings.ReplaceAll(s, `org:`, `org\u003a`)
		s = strings.ReplaceAll(s, `"e1"`, `"\u00e91"`)
	}
	if rng.IntN(3) == 0 {
		s = strings.ReplaceAll(s, `{"id"`, `{"field":null,"fields":null,"id"`)
	}
	return []byte(s)
}

// TestDecodeMatchesEncodingJSON decodes random instances spelt in many ways,
// read whole and one byte at a time, and compares with encoding/json.
func TestDecodeMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for iter := range 300 {
		in := randomInstance(rng, rng.IntN(8), rng.IntN(8), iter%3 != 0)
		data, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		data = spell(rng, data)
		want, werr := referenceDecode(data)
		for _, r := range []io.Reader{bytes.NewReader(data), iotest.OneByteReader(bytes.NewReader(data)), iotest.HalfReader(bytes.NewReader(data))} {
			got, err := Decode(r)
			if (err == nil) != (werr == nil) {
				t.Fatalf("instance %d: Decode error %v, encoding/json %v\n%s", iter, err, werr, data)
			}
			if err == nil && !reflect.DeepEqual(got, want) {
				t.Fatalf("instance %d: Decode gave\n%+v\nencoding/json\n%+v\n%s", iter, got, want, data)
			}
		}
	}
}

// TestDecodeEdgeCases: what encoding/json makes of nulls, empty lists and
// odd spellings is what the streaming decoder makes of them.
func TestDecodeEdgeCases(t *testing.T) {
	const e1 = `{"id":"e1","tier":"industry","capacity":1}`
	const a1 = `{"id":"a1","field":"x.y","panel":{"industry":1}}`
	docs := []string{
		`null`,
		`{}`,
		` {"experts":null,"applications":null,"affinity":null} `,
		`{"experts":[],"applications":[],"affinity":[]}`,
		`{"affinity":[{"expert":"e1","application":"a1","score":0.5}],"applications":[` + a1 + `],"experts":[` + e1 + `]}`,
		`{"applications":[` + a1 + `],"affinity":[{"application":"a1","expert":"e1","score":5e-1}],"experts":[` + e1 + `]}`,
		`{"experts":[` + e1 + `],"applications":[{"id":"a1","panel":{"industry":1},"panel":{"finance":2,"industry":null}}]}`,
		`{"experts":[{"id":"e1","tier":"industry","capacity":1,"capacity":null}],"applications":[]}`,
		`{"experts":[{"id":"e1","tier":"industry","capacity":null,"capacity":2}],"applications":[]}`,
		`{"experts":[{"id":"e1","tier":"industry","capacity":1,"fields":["a"],"fields":null}],"applications":[]}`,
		`{"experts":[null],"applications":[]}`,
		`{"experts":[` + e1 + `],"applications":[` + a1 + `],"affinity":[null]}`,
		`{"experts":[` + e1 + `],"applications":[` + a1 + `],"affinity":[{"expert":"e1","application":"a1","score":null}]}`,
		`{"experts":[` + e1 + `],"applications":[` + a1 + `],"affinity":[{"expert":"e1","application":"a1","score":-0}]}`,
		`{"experts":[` + e1 + `],"applications":[` + a1 + `],"affinity":[{"expert":"e1","application":"a1","score":1000}]}`,
		`{"experts":[` + e1 + `],"applications":[` + a1 + `],"affinity":[{"expert":"e1","application":"a1","score":1000.0000001}]}`,
		`{"experts":[` + e1 + `],"applications":[` + a1 + `],"affinity":[{"expert":"e1","application":"a1","score":1e-400}]}`,
		`{"experts":[{"id":"e\u0031","tier":"industry","capacity":1}],"applications":[` + a1 + `],"affinity":[{"expert":"e1","application":"a1","score":1}]}`,
		"{\"experts\":[{\"id\":\"e\xff\",\"tier\":\"industry\",\"capacity\":1}],\"applications\":[]}",
		`{"experts":[{"id":"é","tier":"industry","capacity":1}],"applications":[]}`,
		`{"experts":[{"ID":"e1","TIER":"industry","Capacity":1}],"applications":[]}`,
		`{"experts":[{"id":"e1","tier":"industry","capacity":1.5}],"applications":[]}`,
		`{"experts":[{"id":"e1","tier":"industry","capacity":01}],"applications":[]}`,
		`{"experts":[{"id":"e1","tier":"industry","capacity":1e0}],"applications":[]}`,
		`{"experts":[{"id":"e1","tier":"industry","capacity":99999999999999999999}],"applications":[]}`,
		`{"experts":[{"id":"e1","tier":"industry","capacity":1,}],"applications":[]}`,
		`{"experts":[` + e1 + `,],"applications":[]}`,
		`{"experts":[` + e1 + `] "applications":[]}`,
		`{"experts":[` + e1 + `],"applications":[]}]`,
		`{"experts":[` + e1 + `],"applications":[]}` + "\n\t ",
		`{"experts":[{"id":"e1\n","tier":"industry","capacity":1}],"applications":[]}`,
		`{"experts":[{"id":"e1","tier":"industry","capacity":true}],"applications":[]}`,
		`{"experts":[{"id":"e1","tier":"industry","capacity":nul}],"applications":[]}`,
		`{"experts":{"id":"e1"},"applications":[]}`,
		`{"experts":[` + e1 + `],"applications":[{"id":"a1","panel":[1]}]}`,
		`{"experts":[` + e1 + `],"applications":[{"id":"a1","panel":{"industry":"1"}}]}`,
		`{"experts":[` + e1 + `],"applications":[` + a1 + `],"affinity":[{"expert":"e1","application":"a1","score":"1"}]}`,
		`{"experts":[` + e1 + `],"applications":[` + a1 + `],"affinity":[{"expert":1,"application":"a1","score":1}]}`,
		`"experts"`,
		``,
		`{"experts":[` + e1 + `],"applications":[` + a1,
	}
	for i, doc := range docs {
		want, werr := referenceDecode([]byte(doc))
		got, err := Decode(iotest.OneByteReader(strings.NewReader(doc)))
		if (err == nil) != (werr == nil) {
			t.Errorf("doc %d %s: Decode error %v, encoding/json %v", i, doc, err, werr)
			continue
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Errorf("doc %d %s: Decode gave\n%+v\nencoding/json\n%+v", i, doc, got, want)
		}
	}
}

// TestDecodeTopLevelTwice: a list given twice is refused with its name.
func TestDecodeTopLevelTwice(t *testing.T) {
	_, err := Decode(strings.NewReader(`{"experts":[],"applications":[],"Experts":[]}`))
	if err == nil || !strings.Contains(err.Error(), "experts: given twice") {
		t.Errorf("Decode = %v, want experts given twice", err)
	}
}

// TestDecodeFirstViolation: among rule violations the one Validate would
// report first is reported, whatever the order of the lists.
func TestDecodeFirstViolation(t *testing.T) {
	exps := `"experts":[{"id":"e1","tier":"industry","capacity":1},{"id":"e1","tier":"industry","capacity":1}]`
	apps := `"applications":[{"id":"a1","panel":{"judge":1}}]`
	pairs := `"affinity":[{"expert":"e9","application":"a1","score":1}]`
	for _, doc := range []string{"{" + exps + "," + apps + "," + pairs + "}", "{" + pairs + "," + apps + "," + exps + "}", "{" + apps + "," + exps + "," + pairs + "}"} {
		_, err := Decode(strings.NewReader(doc))
		if err == nil || !strings.Contains(err.Error(), `experts[1].id: duplicate expert id "e1"`) {
			t.Errorf("%s: Decode = %v, want the duplicate expert", doc, err)
		}
	}
	doc := `{"affinity":[{"expert":"e1","application":"a1","score":1},{"expert":"e1","application":"a2","score":1}],"experts":[{"id":"e1","tier":"industry","capacity":1}],"applications":[{"id":"a1","panel":{}}]}`
	if _, err := Decode(strings.NewReader(doc)); err == nil || !strings.Contains(err.Error(), `affinity[1].application: unknown application "a2"`) {
		t.Errorf("pairs before their lists: Decode = %v, want affinity[1]'s unknown application", err)
	}
}

// FuzzDecode: the streaming decoder accepts what encoding/json accepts and
// reads the same instance.
func FuzzDecode(f *testing.F) {
	rng := rand.New(rand.NewPCG(13, 14))
	for i := range 8 {
		data, _ := json.Marshal(randomInstance(rng, 1+rng.IntN(3), 1+rng.IntN(3), i%2 == 0))
		f.Add(data)
	}
	f.Add([]byte(`{"experts":[{"id":"e1","tier":"industry","capacity":1}],"applications":[{"id":"a1","panel":{"industry":1}}],"affinity":[{"expert":"e1","application":"a1","score":1}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		want, werr := referenceDecode(data)
		got, err := Decode(iotest.HalfReader(bytes.NewReader(data)))
		if err != nil && strings.Contains(err.Error(), "given twice") {
			return // encoding/json takes the last of a repeated member
		}
		if (err == nil) != (werr == nil) {
			t.Fatalf("Decode error %v, encoding/json %v", err, werr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("Decode gave\n%+v\nencoding/json\n%+v", got, want)
		}
		if err != nil && !strings.Contains(fmt.Sprint(err), "invalid_input") {
			t.Fatalf("Decode error %v is not invalid input", err)
		}
	})
}

// TestDecodeFromFile: from a regular file the affinity arrays are sized
// from the file's length; the instance read is the same.
func TestDecodeFromFile(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for iter := range 5 {
		data, err := json.Marshal(randomInstance(rng, 5+iter, 5, true))
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "instance.json")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(f)
		f.Close()
		want, werr := referenceDecode(data)
		if err != nil || werr != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("instance %d: from a file %+v, %v; encoding/json %+v, %v", iter, got, err, want, werr)
		}
	}
}
