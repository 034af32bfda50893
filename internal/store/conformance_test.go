package store

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"

	"kedaitong"
)

// conformanceBackends lists the backends the conformance suite runs on.
// Other backends' test files append to it from an init function.
var conformanceBackends = []struct {
	name string
	open func(t *testing.T) Store
}{
	{"sqlite", func(t *testing.T) Store {
		s, err := OpenSQLite(context.Background(), t.TempDir())
		if err != nil {
			t.Fatalf("OpenSQLite: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}},
}

func TestConformance(t *testing.T) {
	for _, b := range conformanceBackends {
		t.Run(b.name, func(t *testing.T) { runConformance(t, b.open) })
	}
}

// confItem is the document the suite stores.
type confItem struct {
	Name  string  `json:"name"`
	Owner string  `json:"owner"`
	Rank  int64   `json:"rank"`
	Score float64 `json:"score"`
	Tag   string  `json:"tag"`
	Code  string  `json:"code"`
	Flag  bool    `json:"flag"`
	Big   int64   `json:"big"`
}

// confDef is the suite's collection.
var confDef = CollectionDef{Name: "items", Indexes: []Index{
	{Fields: []string{"owner", "rank"}},
	{Fields: []string{"rank"}},
	{Fields: []string{"code"}, Unique: true},
	{Fields: []string{"tag", "score"}},
	{Fields: []string{"flag", "name"}},
	{Fields: []string{"big"}},
}}

// confCode fails the test unless err carries the code.
func confCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := kedaitong.ErrorCode(err); got != code {
		t.Errorf("%s: got error %v (code %q), want code %q", what, err, got, code)
	}
}

func runConformance(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	setup := func(t *testing.T) Collection {
		t.Helper()
		st := open(t)
		c, err := st.Collection(ctx, confDef)
		if err != nil {
			t.Fatalf("Collection: %v", err)
		}
		return c
	}

	t.Run("CRUD", func(t *testing.T) {
		c := setup(t)
		in := confItem{Name: "first", Owner: "a", Rank: 3, Score: 1.5, Code: "c1"}
		if err := c.Insert(ctx, "x1", in); err != nil {
			t.Fatalf("Insert: %v", err)
		}
		var got confItem
		v, err := c.Get(ctx, "x1", &got)
		if err != nil || v != 1 || got != in {
			t.Fatalf("Get after Insert: got %+v v%d err %v, want %+v v1", got, v, err, in)
		}
		in.Name, in.Rank = "second", 4
		v, err = c.Replace(ctx, "x1", 1, in)
		if err != nil || v != 2 {
			t.Fatalf("Replace: got v%d err %v, want v2", v, err)
		}
		got = confItem{}
		v, err = c.Get(ctx, "x1", &got)
		if err != nil || v != 2 || got != in {
			t.Fatalf("Get after Replace: got %+v v%d err %v, want %+v v2", got, v, err, in)
		}
		if v, err = c.Replace(ctx, "x1", 2, in); err != nil || v != 3 {
			t.Fatalf("second Replace: got v%d err %v, want v3", v, err)
		}
		if err := c.Delete(ctx, "x1"); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		_, err = c.Get(ctx, "x1", &got)
		confCode(t, "Get after Delete", err, kedaitong.ENotFound)
		confCode(t, "Delete twice", c.Delete(ctx, "x1"), kedaitong.ENotFound)
		_, err = c.Replace(ctx, "nope", 1, in)
		confCode(t, "Replace missing", err, kedaitong.ENotFound)
		_, err = c.Get(ctx, "nope", &got)
		confCode(t, "Get missing", err, kedaitong.ENotFound)
		// The id is free again after a delete.
		if err := c.Insert(ctx, "x1", in); err != nil {
			t.Fatalf("Insert after Delete: %v", err)
		}
		if v, err := c.Get(ctx, "x1", nil); err != nil || v != 1 {
			t.Errorf("Get after re-Insert: got v%d err %v, want v1", v, err)
		}
	})

	t.Run("Conflicts", func(t *testing.T) {
		c := setup(t)
		if err := c.Insert(ctx, "a", confItem{Code: "k1"}); err != nil {
			t.Fatalf("Insert a: %v", err)
		}
		if err := c.Insert(ctx, "b", confItem{Code: "k2"}); err != nil {
			t.Fatalf("Insert b: %v", err)
		}
		confCode(t, "duplicate id", c.Insert(ctx, "a", confItem{Code: "k3"}), kedaitong.EConflict)
		confCode(t, "duplicate unique key on Insert", c.Insert(ctx, "c", confItem{Code: "k1"}), kedaitong.EConflict)
		_, err := c.Replace(ctx, "b", 1, confItem{Code: "k1"})
		confCode(t, "duplicate unique key on Replace", err, kedaitong.EConflict)
		if _, err := c.Replace(ctx, "b", 1, confItem{Code: "k2", Name: "ok"}); err != nil {
			t.Fatalf("Replace keeping own key: %v", err)
		}
		_, err = c.Replace(ctx, "b", 1, confItem{Code: "k2"})
		confCode(t, "stale version", err, kedaitong.EConflict)
		_, err = c.Replace(ctx, "b", 7, confItem{Code: "k2"})
		confCode(t, "future version", err, kedaitong.EConflict)
		if _, err := c.Get(ctx, "c", nil); kedaitong.ErrorCode(err) != kedaitong.ENotFound {
			t.Errorf("refused Insert left a document: Get c: %v", err)
		}
		var got confItem
		if v, err := c.Get(ctx, "b", &got); err != nil || v != 2 || got.Name != "ok" {
			t.Errorf("after refused writes: got %+v v%d err %v, want name ok v2", got, v, err)
		}
	})

	t.Run("ReplaceRace", func(t *testing.T) {
		c := setup(t)
		if err := c.Insert(ctx, "r", confItem{Code: "r"}); err != nil {
			t.Fatalf("Insert: %v", err)
		}
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = c.Replace(ctx, "r", 1, confItem{Code: "r", Rank: int64(i)})
			}()
		}
		wg.Wait()
		wins := 0
		for i, err := range errs {
			switch kedaitong.ErrorCode(err) {
			case "":
				wins++
			case kedaitong.EConflict:
			default:
				t.Errorf("racer %d: got %v, want success or EConflict", i, err)
			}
		}
		if wins != 1 {
			t.Errorf("got %d winners of the race, want exactly 1", wins)
		}
		if v, err := c.Get(ctx, "r", nil); err != nil || v != 2 {
			t.Errorf("after race: got v%d err %v, want v2", v, err)
		}
	})

	t.Run("Find", func(t *testing.T) { confFind(t, setup(t)) })

	t.Run("Incr", func(t *testing.T) {
		c := setup(t)
		const workers, each = 16, 20
		var wg sync.WaitGroup
		seen := make(chan int64, workers*each)
		errs := make(chan error, workers*each)
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range each {
					d, err := c.Incr(ctx, "ctr", map[string]any{"name": "计数器", "n": 100, "code": "ctr"}, map[string]int64{"n": 1, "m": 2})
					if err != nil {
						errs <- err
						return
					}
					var got struct{ N, M int64 }
					if err := d.Decode(&got); err != nil {
						errs <- err
						return
					}
					if d.ID != "ctr" || got.M != 2*(got.N-100) || d.Version != got.N-100 {
						errs <- fmt.Errorf("Incr returned id %q v%d n=%d m=%d: n, m and version disagree", d.ID, d.Version, got.N, got.M)
						return
					}
					seen <- got.N
				}
			}()
		}
		wg.Wait()
		close(seen)
		close(errs)
		for err := range errs {
			t.Fatalf("Incr: %v", err)
		}
		var ns []int64
		for n := range seen {
			ns = append(ns, n)
		}
		slices.Sort(ns)
		for i, n := range ns {
			if want := int64(101 + i); n != want {
				t.Fatalf("the %dth value Incr returned is n=%d, want %d: an increment was lost or repeated", i, n, want)
			}
		}
		var got struct {
			Name string
			N, M int64
		}
		v, err := c.Get(ctx, "ctr", &got)
		if want := int64(workers * each); err != nil || got.N != 100+want || got.M != 2*want || got.Name != "计数器" || v != want {
			t.Errorf("after %d increments: got %+v v%d err %v, want n=%d m=%d v%d", want, got, v, err, 100+want, 2*want, want)
		}
		// init applies only on creation; other fields stay.
		d, err := c.Incr(ctx, "ctr", map[string]any{"name": "other", "n": 0}, map[string]int64{"n": -5})
		if err != nil {
			t.Fatalf("Incr existing: %v", err)
		}
		if err := d.Decode(&got); err != nil || got.Name != "计数器" || got.N != 95+workers*each {
			t.Errorf("Incr existing: got %+v err %v, want name kept and n=%d", got, err, 95+workers*each)
		}
		// A field that is not an integer is refused and left alone.
		if err := c.Insert(ctx, "s", map[string]any{"n": "text", "code": "s"}); err != nil {
			t.Fatalf("Insert: %v", err)
		}
		_, err = c.Incr(ctx, "s", nil, map[string]int64{"n": 1})
		confCode(t, "Incr on a string field", err, kedaitong.EInvalid)
		if v, _ := c.Get(ctx, "s", nil); v != 1 {
			t.Errorf("refused Incr changed the version to %d, want 1", v)
		}
		_, err = c.Incr(ctx, "t", map[string]any{"n": "text"}, map[string]int64{"n": 1})
		confCode(t, "Incr with a string init", err, kedaitong.EInvalid)
		// Large values stay exact; overflow is refused.
		_, err = c.Incr(ctx, "big", map[string]any{"code": "big", "n": int64(math.MaxInt64 - 2)}, map[string]int64{"n": 1})
		if err != nil {
			t.Fatalf("Incr big: %v", err)
		}
		d, err = c.Incr(ctx, "big", nil, map[string]int64{"n": 1})
		if err != nil {
			t.Fatalf("Incr big again: %v", err)
		}
		var big struct{ N int64 }
		if err := d.Decode(&big); err != nil || big.N != math.MaxInt64 {
			t.Errorf("Incr near MaxInt64: got %d err %v, want %d", big.N, err, int64(math.MaxInt64))
		}
		_, err = c.Incr(ctx, "big", nil, map[string]int64{"n": 1})
		confCode(t, "Incr overflowing int64", err, kedaitong.EInvalid)
	})

	t.Run("BadInput", func(t *testing.T) {
		st := open(t)
		for _, name := range []string{"", "Bad", "bad-name", "1abc", "a b", "名字"} {
			_, err := st.Collection(ctx, CollectionDef{Name: name})
			confCode(t, fmt.Sprintf("collection name %q", name), err, kedaitong.EInvalid)
		}
		_, err := st.Collection(ctx, CollectionDef{Name: "ok", Indexes: []Index{{Fields: []string{"a.b"}}}})
		confCode(t, "index on a dotted field", err, kedaitong.EInvalid)
		c, err := st.Collection(ctx, confDef)
		if err != nil {
			t.Fatalf("Collection: %v", err)
		}
		if err := c.Insert(ctx, "a", confItem{Owner: "a", Code: "a"}); err != nil {
			t.Fatalf("Insert: %v", err)
		}
		for _, tc := range []struct {
			name string
			q    Query
		}{
			{"unindexed Eq", Query{Eq: map[string]any{"name": "x"}}},
			{"unindexed Sort", Query{Sort: "score"}},
			{"Eq not a prefix", Query{Eq: map[string]any{"score": 1.0}}},
			{"range and sort differ", Query{Range: &Range{Field: "rank", Gte: 1}, Sort: "owner"}},
			{"bad cursor", Query{After: "!!not a cursor"}},
			{"bad cursor base64", Query{After: "eyJ4IjoxfQ"}},
			{"NaN", Query{Eq: map[string]any{"rank": math.NaN()}}},
			{"infinity in range", Query{Range: &Range{Field: "rank", Lt: math.Inf(1)}}},
			{"not a scalar", Query{Eq: map[string]any{"rank": []int{1}}}},
			{"negative limit", Query{Limit: -1}},
		} {
			_, err := c.Find(ctx, tc.q)
			confCode(t, "Find "+tc.name, err, kedaitong.EInvalid)
			if tc.q.After == "" && tc.q.Limit == 0 && tc.q.Sort == "" {
				_, err := c.Count(ctx, tc.q)
				confCode(t, "Count "+tc.name, err, kedaitong.EInvalid)
			}
		}
		confCode(t, "Insert NaN", c.Insert(ctx, "n", map[string]any{"score": math.NaN()}), kedaitong.EInvalid)
		confCode(t, "Insert a string", c.Insert(ctx, "s", "just text"), kedaitong.EInvalid)
		confCode(t, "Insert an array", c.Insert(ctx, "s", []int{1}), kedaitong.EInvalid)
		confCode(t, "Insert empty id", c.Insert(ctx, "", confItem{Code: "e"}), kedaitong.EInvalid)
		_, err = c.Replace(ctx, "a", 1, map[string]any{"score": math.Inf(-1)})
		confCode(t, "Replace with infinity", err, kedaitong.EInvalid)
		var got confItem
		if v, err := c.Get(ctx, "a", &got); err != nil || v != 1 || got.Owner != "a" {
			t.Errorf("after refused writes: got %+v v%d err %v, want the original v1", got, v, err)
		}
	})

	t.Run("Unicode", func(t *testing.T) {
		c := setup(t)
		docs := map[string]confItem{
			"甲": {Name: "江西省科技型中小企业 — 风险预警 🚨", Owner: "南昌", Tag: "新能源", Code: "一", Rank: 1},
			"乙": {Name: "\"quoted\" <b>&amp;</b> \\ \u2028", Owner: "南昌", Tag: "新能源", Code: "二", Rank: 2},
			"丙": {Name: "赣州 稀土", Owner: "赣州", Tag: "稀土", Code: "三", Rank: 3},
		}
		for id, d := range docs {
			if err := c.Insert(ctx, id, d); err != nil {
				t.Fatalf("Insert %s: %v", id, err)
			}
		}
		for id, want := range docs {
			var got confItem
			if _, err := c.Get(ctx, id, &got); err != nil || got != want {
				t.Errorf("Get %s: got %+v err %v, want %+v", id, got, err, want)
			}
		}
		p, err := c.Find(ctx, Query{Eq: map[string]any{"owner": "南昌"}, Sort: "rank"})
		if err != nil {
			t.Fatalf("Find: %v", err)
		}
		if got := confIDs(p.Docs); !slices.Equal(got, []string{"甲", "乙"}) {
			t.Errorf("Find owner 南昌: got %v, want [甲 乙]", got)
		}
		got, err := DecodeAll[confItem](p.Docs)
		if err != nil || len(got) != 2 || got[0] != docs["甲"] || got[1] != docs["乙"] {
			t.Errorf("Find decoded %+v err %v", got, err)
		}
		// Ids sort by their UTF-8 bytes.
		p, err = c.Find(ctx, Query{Limit: 2})
		if err != nil {
			t.Fatalf("Find all: %v", err)
		}
		p2, err := c.Find(ctx, Query{Limit: 2, After: p.Next})
		if err != nil {
			t.Fatalf("Find page 2: %v", err)
		}
		if got := append(confIDs(p.Docs), confIDs(p2.Docs)...); !slices.Equal(got, []string{"丙", "乙", "甲"}) {
			t.Errorf("Find by id: got %v, want [丙 乙 甲] (byte order)", got)
		}
	})

	t.Run("LargeIntegers", func(t *testing.T) {
		c := setup(t)
		bigs := []int64{math.MaxInt64, math.MinInt64, 1<<53 + 1, -(1<<53 + 1), 1 << 62}
		for i, b := range bigs {
			if err := c.Insert(ctx, fmt.Sprintf("b%d", i), confItem{Big: b, Code: fmt.Sprint(i)}); err != nil {
				t.Fatalf("Insert %d: %v", b, err)
			}
		}
		for i, b := range bigs {
			var got confItem
			if _, err := c.Get(ctx, fmt.Sprintf("b%d", i), &got); err != nil || got.Big != b {
				t.Errorf("Get: got %d err %v, want %d", got.Big, err, b)
			}
			p, err := c.Find(ctx, Query{Eq: map[string]any{"big": b}})
			if err != nil || len(p.Docs) != 1 {
				t.Fatalf("Find big == %d: got %d docs err %v, want 1", b, len(p.Docs), err)
			}
			var fromFind confItem
			if err := p.Docs[0].Decode(&fromFind); err != nil || fromFind.Big != b {
				t.Errorf("Find decoded big %d err %v, want %d", fromFind.Big, err, b)
			}
		}
		// 2^53+1 and 2^53 differ: a float comparison would confuse them.
		n, err := c.Count(ctx, Query{Range: &Range{Field: "big", Gt: int64(1 << 53)}})
		if err != nil || n != 3 {
			t.Errorf("Count big > 2^53: got %d err %v, want 3", n, err)
		}
		// Paging through the big values keeps their order exactly.
		var ids []string
		q := Query{Sort: "big", Limit: 2}
		for {
			p, err := c.Find(ctx, q)
			if err != nil {
				t.Fatalf("Find sorted by big: %v", err)
			}
			ids = append(ids, confIDs(p.Docs)...)
			if p.Next == "" {
				break
			}
			q.After = p.Next
		}
		if want := []string{"b1", "b3", "b2", "b4", "b0"}; !slices.Equal(ids, want) {
			t.Errorf("sorted by big: got %v, want %v", ids, want)
		}
	})

	t.Run("Redeclare", func(t *testing.T) {
		st := open(t)
		c1, err := st.Collection(ctx, CollectionDef{Name: "re", Indexes: []Index{{Fields: []string{"owner"}}}})
		if err != nil {
			t.Fatalf("Collection: %v", err)
		}
		if err := c1.Insert(ctx, "a", confItem{Owner: "x", Rank: 1}); err != nil {
			t.Fatalf("Insert: %v", err)
		}
		q := Query{Eq: map[string]any{"rank": 1}}
		_, err = c1.Find(ctx, q)
		confCode(t, "Find before the index is declared", err, kedaitong.EInvalid)
		c2, err := st.Collection(ctx, CollectionDef{Name: "re", Indexes: []Index{{Fields: []string{"owner"}}, {Fields: []string{"rank"}}}})
		if err != nil {
			t.Fatalf("Collection again: %v", err)
		}
		for i, c := range []Collection{c1, c2} {
			p, err := c.Find(ctx, q)
			if err != nil || len(p.Docs) != 1 {
				t.Errorf("handle %d: Find on the added index: got %d docs err %v, want 1", i+1, len(p.Docs), err)
			}
		}
		_, err = st.Collection(ctx, CollectionDef{Name: "re", Indexes: []Index{{Fields: []string{"owner"}, Unique: true}}})
		if err != nil {
			t.Fatalf("Collection with a unique index: %v", err)
		}
		confCode(t, "unique index declared later", c1.Insert(ctx, "b", confItem{Owner: "x"}), kedaitong.EConflict)
		if err := st.Ping(ctx); err != nil {
			t.Errorf("Ping: %v", err)
		}
	})
}

func confIDs(docs []Doc) []string {
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	return ids
}

// confSeed inserts n items whose fields repeat, so sorts have ties.
func confSeed(t *testing.T, c Collection, n int) map[string]confItem {
	t.Helper()
	owners := []string{"a", "b", "c"}
	tags := []string{"x", "y"}
	all := map[string]confItem{}
	for i := range n {
		id := fmt.Sprintf("d%03d", (i*37)%n) // inserted out of id order
		it := confItem{
			Name:  fmt.Sprintf("n%d", i%5),
			Owner: owners[i%3],
			Rank:  int64(i % 7),
			Score: float64(i%4) / 2,
			Tag:   tags[i%2],
			Code:  "code-" + id,
			Flag:  i%3 == 0,
			Big:   int64(i) - 20,
		}
		if err := c.Insert(context.Background(), id, it); err != nil {
			t.Fatalf("Insert %s: %v", id, err)
		}
		all[id] = it
	}
	return all
}

// field returns an confItem's value of an indexed field as a comparable key.
func confField(it confItem, f string) any {
	switch f {
	case "owner":
		return it.Owner
	case "rank":
		return it.Rank
	case "score":
		return it.Score
	case "tag":
		return it.Tag
	case "name":
		return it.Name
	case "code":
		return it.Code
	case "flag":
		return it.Flag
	case "big":
		return it.Big
	}
	panic("no field " + f)
}

func confCompare(a, b any) int {
	switch x := a.(type) {
	case string:
		return cmp.Compare(x, b.(string))
	case int64:
		return cmp.Compare(x, b.(int64))
	case float64:
		return cmp.Compare(x, b.(float64))
	case bool:
		y := b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	}
	panic(fmt.Sprintf("cannot compare %T", a))
}

// confFloat turns a query's numeric value into float64 for the reference filter.
func confFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

func confEqual(have, want any) bool {
	if hf, ok := confFloat(have); ok {
		wf, ok := confFloat(want)
		return ok && hf == wf
	}
	return have == want
}

// expect is the reference implementation of a query over the seeded items.
func confExpect(all map[string]confItem, q Query) []string {
	var ids []string
	for id, it := range all {
		ok := true
		for f, v := range q.Eq {
			ok = ok && confEqual(confField(it, f), v)
		}
		for f, vs := range q.In {
			ok = ok && slices.ContainsFunc(vs, func(v any) bool { return confEqual(confField(it, f), v) })
		}
		if r := q.Range; r != nil {
			hf, _ := confFloat(confField(it, r.Field))
			bound := func(v any, keep func(float64) bool) {
				if v != nil {
					f, _ := confFloat(v)
					ok = ok && keep(f)
				}
			}
			bound(r.Gte, func(f float64) bool { return hf >= f })
			bound(r.Gt, func(f float64) bool { return hf > f })
			bound(r.Lte, func(f float64) bool { return hf <= f })
			bound(r.Lt, func(f float64) bool { return hf < f })
		}
		if ok {
			ids = append(ids, id)
		}
	}
	sortBy := q.Sort
	if _, isEq := q.Eq[sortBy]; isEq {
		sortBy = ""
	}
	slices.SortFunc(ids, func(a, b string) int {
		c := 0
		if sortBy != "" {
			c = confCompare(confField(all[a], sortBy), confField(all[b], sortBy))
		}
		if c == 0 {
			c = cmp.Compare(a, b)
		}
		if q.Desc {
			c = -c
		}
		return c
	})
	return ids
}

// confFindCases are queries every backend must answer alike.
var confFindCases = []struct {
	name string
	q    Query
}{
	{"all by id", Query{}},
	{"all by rank", Query{Sort: "rank"}},
	{"eq owner", Query{Eq: map[string]any{"owner": "a"}}},
	{"eq owner sort rank", Query{Eq: map[string]any{"owner": "b"}, Sort: "rank"}},
	{"eq owner and rank", Query{Eq: map[string]any{"owner": "a", "rank": 3}}},
	{"eq owner sort by the eq field", Query{Eq: map[string]any{"owner": "c"}, Sort: "owner"}},
	{"in owner", Query{In: map[string][]any{"owner": {"a", "c"}}}},
	{"in owner empty", Query{In: map[string][]any{"owner": {}}}},
	{"in rank", Query{In: map[string][]any{"rank": {1, 4, 6, 99}}}},
	{"in rank with repeats", Query{In: map[string][]any{"rank": {1, 1, int64(4), 4.0, "4"}}}},
	{"in owner sort rank", Query{In: map[string][]any{"owner": {"c", "a"}}, Sort: "rank"}},
	{"in owner range rank", Query{In: map[string][]any{"owner": {"a", "b"}}, Range: &Range{Field: "rank", Gt: 1, Lte: 5}, Sort: "rank"}},
	{"in many ranks", Query{In: map[string][]any{"rank": manyRanks()}}},
	{"eq owner in rank", Query{Eq: map[string]any{"owner": "a"}, In: map[string][]any{"rank": {0, 2, 3}}}},
	{"range gte", Query{Range: &Range{Field: "rank", Gte: 4}, Sort: "rank"}},
	{"range gt", Query{Range: &Range{Field: "rank", Gt: 4}}},
	{"range lte", Query{Range: &Range{Field: "rank", Lte: 2}, Sort: "rank"}},
	{"range lt", Query{Range: &Range{Field: "rank", Lt: 2}}},
	{"range gte lt", Query{Range: &Range{Field: "rank", Gte: 2, Lt: 5}, Sort: "rank"}},
	{"range gt lte float", Query{Range: &Range{Field: "rank", Gt: 1.5, Lte: 4.0}}},
	{"eq owner range rank", Query{Eq: map[string]any{"owner": "b"}, Range: &Range{Field: "rank", Gte: 1, Lte: 5}, Sort: "rank"}},
	{"eq tag sort score", Query{Eq: map[string]any{"tag": "y"}, Sort: "score"}},
	{"eq tag range score", Query{Eq: map[string]any{"tag": "x"}, Range: &Range{Field: "score", Gt: 0.5}}},
	{"eq flag sort name", Query{Eq: map[string]any{"flag": true}, Sort: "name"}},
	{"eq flag false", Query{Eq: map[string]any{"flag": false}}},
	{"range negative big", Query{Range: &Range{Field: "big", Lt: -5}, Sort: "big"}},
	{"no match", Query{Eq: map[string]any{"owner": "zzz"}, Sort: "rank"}},
	{"eq string is not a number", Query{Eq: map[string]any{"rank": "3"}}},
}

// manyRanks is a membership list longer than a backend may want to expand.
func manyRanks() []any {
	var vs []any
	for i := range 50 {
		vs = append(vs, i*2)
	}
	return vs
}

func confFind(t *testing.T, c Collection) {
	ctx := context.Background()
	all := confSeed(t, c, 60)
	for _, tc := range confFindCases {
		for _, desc := range []bool{false, true} {
			q := tc.q
			q.Desc = desc
			want := confExpect(all, q)
			name := tc.name
			if desc {
				name += " desc"
			}
			t.Run(name, func(t *testing.T) {
				p, err := c.Find(ctx, q)
				if err != nil {
					t.Fatalf("Find: %v", err)
				}
				if got := confIDs(p.Docs); !slices.Equal(got, want) || p.Next != "" {
					t.Fatalf("Find: got %v next %q, want %v and no next", got, p.Next, want)
				}
				for _, d := range p.Docs {
					var got confItem
					if err := d.Decode(&got); err != nil || got != all[d.ID] || d.Version != 1 {
						t.Fatalf("doc %s: got %+v v%d err %v, want %+v v1", d.ID, got, d.Version, err, all[d.ID])
					}
				}
				n, err := c.Count(ctx, q)
				if err != nil || n != int64(len(want)) {
					t.Errorf("Count: got %d err %v, want %d", n, err, len(want))
				}
				for _, limit := range []int{1, 4, 7} {
					q := q
					q.Limit = limit
					var got []string
					for pages := 0; ; pages++ {
						if pages > len(want)+1 {
							t.Fatalf("limit %d: paging does not end: %v", limit, got)
						}
						p, err := c.Find(ctx, q)
						if err != nil {
							t.Fatalf("limit %d page %d: %v", limit, pages, err)
						}
						if len(p.Docs) > limit {
							t.Fatalf("limit %d: page of %d docs", limit, len(p.Docs))
						}
						got = append(got, confIDs(p.Docs)...)
						if p.Next == "" {
							break
						}
						if len(p.Docs) == 0 {
							t.Fatalf("limit %d: empty page with a next cursor", limit)
						}
						q.After = p.Next
					}
					if !slices.Equal(got, want) {
						t.Errorf("limit %d: pages gave %v, want %v", limit, got, want)
					}
				}
			})
		}
	}
	// A cursor stays valid when the page's last document goes away.
	q := Query{Eq: map[string]any{"owner": "a"}, Sort: "rank", Limit: 5}
	p, err := c.Find(ctx, q)
	if err != nil || p.Next == "" {
		t.Fatalf("Find first page: %d docs next %q err %v", len(p.Docs), p.Next, err)
	}
	if err := c.Delete(ctx, p.Docs[len(p.Docs)-1].ID); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	delete(all, p.Docs[len(p.Docs)-1].ID)
	q.After, q.Limit = p.Next, 0
	rest, err := c.Find(ctx, q)
	if err != nil {
		t.Fatalf("Find after delete: %v", err)
	}
	q.After = ""
	if got, want := append(confIDs(p.Docs[:4]), confIDs(rest.Docs)...), confExpect(all, q); !slices.Equal(got, want) {
		t.Errorf("paging across a delete: got %v, want %v", got, want)
	}
}
