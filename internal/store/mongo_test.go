package store

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"kedaitong"
)

// mongoOpeners are the MongoDB-protocol servers the focused tests run on:
// the FerretDB stand-in always, a real MongoDB when KEDAI_TEST_MONGODB_URI is set.
var mongoOpeners = []struct {
	name string
	open func(t testing.TB) *Mongo
}{
	{"ferretdb", openFerret},
	{"mongodb", openRealMongo},
}

func init() {
	conformanceBackends = append(conformanceBackends,
		struct {
			name string
			open func(t *testing.T) Store
		}{"ferretdb", func(t *testing.T) Store { return openFerret(t) }})
	if realMongoURI != "" {
		conformanceBackends = append(conformanceBackends,
			struct {
				name string
				open func(t *testing.T) Store
			}{"mongodb", func(t *testing.T) Store { return openRealMongo(t) }})
	}
}

// forEachMongo runs test on each server of mongoOpeners.
func forEachMongo(t *testing.T, test func(t *testing.T, m *Mongo)) {
	for _, o := range mongoOpeners {
		t.Run(o.name, func(t *testing.T) { test(t, o.open(t)) })
	}
}

// mongoWantCode fails the test unless err carries the code.
func mongoWantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := kedaitong.ErrorCode(err); got != code {
		t.Errorf("%s: error code = %q (%v), want %q", what, got, err, code)
	}
}

func TestMongoJSONRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // "" means the same as in
	}{
		{"scalars", `{"s":"x","i":42,"f":1.5,"t":true,"n":null}`, ""},
		{"big int stays exact", `{"i":9007199254740993,"neg":-9223372036854775808}`, ""},
		{"chinese and escapes", `{"标题":"江西省科技型中小企业 <a&b> \"q\"\n\t\\","e":"\u0001"}`, ""},
		{"nested and order", `{"z":1,"a":{"y":[1,"二",{"k":[]}],"b":{}},"m":[]}`, ""},
		{"whole float", `{"f":2.0,"g":1e3,"h":1.25e-7}`, `{"f":2,"g":1000,"h":1.25e-7}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields, err := docToBSON(json.RawMessage(tt.in))
			if err != nil {
				t.Fatalf("docToBSON: %v", err)
			}
			full := append(bson.D{{Key: "_id", Value: "id1"}, {Key: "_v", Value: int64(3)}}, fields...)
			raw, err := bson.Marshal(full)
			if err != nil {
				t.Fatalf("bson.Marshal: %v", err)
			}
			d, err := bsonToDoc(raw)
			if err != nil {
				t.Fatalf("bsonToDoc: %v", err)
			}
			want := tt.want
			if want == "" {
				want = tt.in
			}
			if d.ID != "id1" || d.Version != 3 {
				t.Errorf("id, version = %q, %d, want id1, 3", d.ID, d.Version)
			}
			var compact bytes.Buffer
			if err := json.Compact(&compact, []byte(want)); err != nil {
				t.Fatal(err)
			}
			var gotV, wantV any
			if err := json.Unmarshal(d.Data, &gotV); err != nil {
				t.Fatalf("output %s is not JSON: %v", d.Data, err)
			}
			_ = json.Unmarshal(compact.Bytes(), &wantV)
			if !reflect.DeepEqual(gotV, wantV) {
				t.Errorf("got %s, want %s", d.Data, compact.Bytes())
			}
			if tt.name == "nested and order" && string(d.Data) != compact.String() {
				t.Errorf("field order: got %s, want %s", d.Data, compact.Bytes())
			}
		})
	}
	// Whole numbers are int64 in BSON, fractions float64.
	fields, err := docToBSON(map[string]any{"i": 7, "f": 0.5})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range fields {
		switch e.Key {
		case "i":
			if _, ok := e.Value.(int64); !ok {
				t.Errorf("i is %T, want int64", e.Value)
			}
		case "f":
			if _, ok := e.Value.(float64); !ok {
				t.Errorf("f is %T, want float64", e.Value)
			}
		}
	}
	for _, bad := range []any{json.RawMessage(`[1]`), json.RawMessage(`"s"`), map[string]any{"_id": 1}, map[string]any{"_v": 1}, json.RawMessage(`{"a":1} {}`)} {
		_, err := docToBSON(bad)
		mongoWantCode(t, fmt.Sprintf("docToBSON(%v)", bad), err, kedaitong.EInvalid)
	}
}

type mongoDoc struct {
	Name   string         `json:"name"`
	Region string         `json:"region"`
	Score  int64          `json:"score"`
	Rate   float64        `json:"rate"`
	Tags   []string       `json:"tags"`
	Extra  map[string]any `json:"extra,omitempty"`
}

var mongoDef = CollectionDef{Name: "things", Indexes: []Index{
	{Fields: []string{"region", "score"}},
	{Fields: []string{"name"}, Unique: true},
}}

func TestMongoCRUD(t *testing.T) {
	forEachMongo(t, func(t *testing.T, m *Mongo) {
		ctx := context.Background()
		if got := m.Backend(); got != "mongodb" {
			t.Errorf("Backend() = %q, want mongodb", got)
		}
		c, err := m.Collection(ctx, mongoDef)
		if err != nil {
			t.Fatalf("Collection: %v", err)
		}
		in := mongoDoc{Name: "赣江新区", Region: "3601", Score: 1 << 60, Rate: 0.25, Tags: []string{"芯片", "AI"}, Extra: map[string]any{"k": []any{1.5, "x"}}}
		if err := c.Insert(ctx, "a", in); err != nil {
			t.Fatalf("Insert: %v", err)
		}
		mongoWantCode(t, "Insert same id", c.Insert(ctx, "a", mongoDoc{Name: "other"}), kedaitong.EConflict)
		mongoWantCode(t, "Insert same unique name", c.Insert(ctx, "b", mongoDoc{Name: "赣江新区"}), kedaitong.EConflict)
		mongoWantCode(t, "Insert empty id", c.Insert(ctx, "", in), kedaitong.EInvalid)
		mongoWantCode(t, "Insert non-object", c.Insert(ctx, "z", []int{1}), kedaitong.EInvalid)

		var got mongoDoc
		v, err := c.Get(ctx, "a", &got)
		if err != nil || v != 1 {
			t.Fatalf("Get = %d, %v; want 1, nil", v, err)
		}
		if !reflect.DeepEqual(got, in) {
			t.Errorf("Get: got %+v, want %+v", got, in)
		}
		_, err = c.Get(ctx, "missing", &got)
		mongoWantCode(t, "Get missing", err, kedaitong.ENotFound)

		in.Score = 5
		v2, err := c.Replace(ctx, "a", 1, in)
		if err != nil || v2 != 2 {
			t.Fatalf("Replace = %d, %v; want 2, nil", v2, err)
		}
		_, err = c.Replace(ctx, "a", 1, in)
		mongoWantCode(t, "Replace stale", err, kedaitong.EConflict)
		_, err = c.Replace(ctx, "missing", 1, in)
		mongoWantCode(t, "Replace missing", err, kedaitong.ENotFound)
		if err := c.Insert(ctx, "b", mongoDoc{Name: "b"}); err != nil {
			t.Fatalf("Insert b: %v", err)
		}
		_, err = c.Replace(ctx, "b", 1, mongoDoc{Name: "赣江新区"})
		mongoWantCode(t, "Replace onto a unique key", err, kedaitong.EConflict)
		if v, err := c.Get(ctx, "a", &got); err != nil || v != 2 || got.Score != 5 {
			t.Errorf("after Replace: Get = %d, %+v, %v; want 2, score 5", v, got, err)
		}

		if err := c.Delete(ctx, "a"); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		mongoWantCode(t, "Delete again", c.Delete(ctx, "a"), kedaitong.ENotFound)
		_, err = c.Get(ctx, "a", &got)
		mongoWantCode(t, "Get deleted", err, kedaitong.ENotFound)
	})
}

func TestMongoIndexes(t *testing.T) {
	forEachMongo(t, func(t *testing.T, m *Mongo) {
		ctx := context.Background()
		for i := 0; i < 2; i++ { // declaring twice is idempotent
			if _, err := m.Collection(ctx, mongoDef); err != nil {
				t.Fatalf("Collection #%d: %v", i+1, err)
			}
		}
		// Concurrent first declarations of the same indexes all succeed.
		conc := CollectionDef{Name: "conc", Indexes: mongoDef.Indexes}
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := m.Collection(ctx, conc); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("concurrent Collection: %v", err)
		}
		more := CollectionDef{Name: mongoDef.Name, Indexes: []Index{{Fields: []string{"rate"}}}}
		c, err := m.Collection(ctx, more)
		if err != nil {
			t.Fatalf("Collection with a new index: %v", err)
		}
		specs, err := m.db.Collection(mongoDef.Name).Indexes().ListSpecifications(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, s := range specs {
			got[s.Name] = s.Unique != nil && *s.Unique
		}
		for _, ix := range append(append([]Index(nil), mongoDef.Indexes...), more.Indexes...) {
			unique, ok := got[IndexName(mongoDef.Name, ix)]
			if !ok || unique != ix.Unique {
				t.Errorf("index %s: present %v unique %v, want present, unique %v (have %v)", IndexName(mongoDef.Name, ix), ok, unique, ix.Unique, got)
			}
		}
		// The handle knows the indexes declared earlier and later.
		if _, err := c.Find(ctx, Query{Eq: map[string]any{"region": "36"}}); err != nil {
			t.Errorf("Find on an index declared earlier: %v", err)
		}
		_, err = c.Find(ctx, Query{Eq: map[string]any{"tags": "x"}})
		mongoWantCode(t, "Find on an unindexed field", err, kedaitong.EInvalid)
		mongoWantCode(t, "bad name", func() error { _, err := m.Collection(ctx, CollectionDef{Name: "Bad-Name"}); return err }(), kedaitong.EInvalid)
	})
}

func TestMongoFind(t *testing.T) {
	forEachMongo(t, func(t *testing.T, m *Mongo) {
		ctx := context.Background()
		c, err := m.Collection(ctx, mongoDef)
		if err != nil {
			t.Fatal(err)
		}
		// 30 documents: regions 3601/3602 alternate, scores repeat (ties
		// broken by id), rates are fractions.
		type row struct {
			id     string
			region string
			score  int64
		}
		var rows []row
		for i := 0; i < 30; i++ {
			r := row{fmt.Sprintf("d%02d", i), []string{"3601", "3602"}[i%2], int64(i % 7)}
			rows = append(rows, r)
			if err := c.Insert(ctx, r.id, mongoDoc{Name: r.id, Region: r.region, Score: r.score, Rate: float64(i) / 4}); err != nil {
				t.Fatal(err)
			}
		}
		expect := func(keep func(row) bool, desc bool) []string {
			var rs []row
			for _, r := range rows {
				if keep(r) {
					rs = append(rs, r)
				}
			}
			sort.Slice(rs, func(i, j int) bool {
				a, b := rs[i], rs[j]
				if desc {
					a, b = b, a
				}
				if a.score != b.score {
					return a.score < b.score
				}
				return a.id < b.id
			})
			ids := make([]string, len(rs))
			for i, r := range rs {
				ids[i] = r.id
			}
			return ids
		}
		tests := []struct {
			name string
			q    Query
			want []string
		}{
			{"eq sorted by score", Query{Eq: map[string]any{"region": "3601"}, Sort: "score"},
				expect(func(r row) bool { return r.region == "3601" }, false)},
			{"eq desc", Query{Eq: map[string]any{"region": "3602"}, Sort: "score", Desc: true},
				expect(func(r row) bool { return r.region == "3602" }, true)},
			{"range gte lt", Query{Eq: map[string]any{"region": "3601"}, Range: &Range{Field: "score", Gte: 2, Lt: int64(5)}, Sort: "score"},
				expect(func(r row) bool { return r.region == "3601" && r.score >= 2 && r.score < 5 }, false)},
			{"in", Query{In: map[string][]any{"region": {"3601", "3602", "9999"}}},
				expect(func(row) bool { return true }, false)},
			{"empty in", Query{In: map[string][]any{"region": {}}}, nil},
			{"all by id desc", Query{Desc: true}, nil},
		}
		// "all by id desc": ids in reverse.
		for i := len(rows) - 1; i >= 0; i-- {
			tests[len(tests)-1].want = append(tests[len(tests)-1].want, rows[i].id)
		}
		// "in" with no sort orders by id alone.
		sort.Strings(tests[3].want)
		for _, tt := range tests {
			for _, limit := range []int{0, 1, 4, 100} {
				t.Run(fmt.Sprintf("%s/limit%d", tt.name, limit), func(t *testing.T) {
					q := tt.q
					q.Limit = limit
					var got []string
					for pages := 0; ; pages++ {
						if pages > 40 {
							t.Fatal("too many pages")
						}
						p, err := c.Find(ctx, q)
						if err != nil {
							t.Fatalf("Find: %v", err)
						}
						if limit > 0 && len(p.Docs) > limit {
							t.Fatalf("page of %d, limit %d", len(p.Docs), limit)
						}
						for _, d := range p.Docs {
							got = append(got, d.ID)
							var v mongoDoc
							if err := d.Decode(&v); err != nil || v.Name != d.ID || d.Version != 1 {
								t.Errorf("doc %s: %+v version %d err %v", d.ID, v, d.Version, err)
							}
						}
						if p.Next == "" {
							break
						}
						q.After = p.Next
					}
					if !reflect.DeepEqual(got, tt.want) {
						t.Errorf("got %v, want %v", got, tt.want)
					}
					n, err := c.Count(ctx, tt.q)
					if err != nil || n != int64(len(tt.want)) {
						t.Errorf("Count = %d, %v; want %d", n, err, len(tt.want))
					}
				})
			}
		}
		refused := []Query{
			{Eq: map[string]any{"score": 1}},                          // score is not an index prefix
			{Eq: map[string]any{"region": "3601"}, Sort: "rate"},      // wrong sort
			{Range: &Range{Field: "score", Gt: 1}},                    // range not after the prefix
			{Eq: map[string]any{"region": []string{"x"}}},             // not a scalar
			{Eq: map[string]any{"region": "3601"}, After: "not-ours"}, // bad cursor
		}
		for _, q := range refused {
			_, err := c.Find(ctx, q)
			mongoWantCode(t, fmt.Sprintf("Find(%+v)", q), err, kedaitong.EInvalid)
		}
	})
}

func TestMongoIncr(t *testing.T) {
	forEachMongo(t, func(t *testing.T, m *Mongo) {
		ctx := context.Background()
		c, err := m.Collection(ctx, CollectionDef{Name: "counters"})
		if err != nil {
			t.Fatal(err)
		}
		type counter struct {
			Kind  string `json:"kind"`
			Hits  int64  `json:"hits"`
			Risks int64  `json:"risks"`
		}
		d, err := c.Incr(ctx, "k1", map[string]any{"kind": "新闻"}, map[string]int64{"hits": 2})
		if err != nil {
			t.Fatalf("Incr new: %v", err)
		}
		var got counter
		if err := d.Decode(&got); err != nil || d.ID != "k1" || d.Version != 1 || got != (counter{Kind: "新闻", Hits: 2}) {
			t.Errorf("Incr new = %s v%d %+v %v; want k1 v1 {新闻 2 0}", d.ID, d.Version, got, err)
		}
		d, err = c.Incr(ctx, "k1", map[string]any{"kind": "ignored"}, map[string]int64{"hits": -1, "risks": 3})
		if err != nil {
			t.Fatalf("Incr existing: %v", err)
		}
		got = counter{}
		if err := d.Decode(&got); err != nil || d.Version != 2 || got != (counter{Kind: "新闻", Hits: 1, Risks: 3}) {
			t.Errorf("Incr existing = v%d %+v %v; want v2 {新闻 1 3}", d.Version, got, err)
		}
		// init values of counted fields are starting points.
		d, err = c.Incr(ctx, "k2", map[string]any{"kind": "x", "hits": 10}, map[string]int64{"hits": 5})
		got = counter{}
		if err != nil || d.Decode(&got) != nil || d.Version != 1 || got != (counter{Kind: "x", Hits: 15}) {
			t.Errorf("Incr with counted init = v%d %+v %v; want v1 {x 15 0}", d.Version, got, err)
		}
		d, err = c.Incr(ctx, "k2", map[string]any{"kind": "x", "hits": 10}, map[string]int64{"hits": 5})
		got = counter{}
		if err != nil || d.Decode(&got) != nil || d.Version != 2 || got.Hits != 20 {
			t.Errorf("Incr again with counted init = v%d %+v %v; want v2 hits 20", d.Version, got, err)
		}
		_, err = c.Incr(ctx, "k1", nil, map[string]int64{"kind": 1})
		mongoWantCode(t, "Incr of a string field", err, kedaitong.EInvalid)
		_, err = c.Incr(ctx, "k1", nil, map[string]int64{"a.b": 1})
		mongoWantCode(t, "Incr of a dotted field", err, kedaitong.EInvalid)

		// Concurrent increments, including the creating ones, lose nothing.
		const workers, each = 8, 15
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					if _, err := c.Incr(ctx, "race", map[string]any{"kind": "r"}, map[string]int64{"hits": 1, "risks": 2}); err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("concurrent Incr: %v", err)
		}
		got = counter{}
		v, err := c.Get(ctx, "race", &got)
		if err != nil || v != workers*each || got != (counter{Kind: "r", Hits: workers * each, Risks: 2 * workers * each}) {
			t.Errorf("after concurrent Incr: v%d %+v %v; want v%d hits %d risks %d", v, got, err, workers*each, workers*each, 2*workers*each)
		}
	})
}

func TestOpenMongoUnreachable(t *testing.T) {
	// A port that nothing listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	uri := "mongodb://" + addr + "/x"

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	m, err := OpenMongo(ctx, uri)
	if err == nil {
		m.Close()
		t.Fatal("OpenMongo on a closed port succeeded")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("OpenMongo with a 2 s context took %v", took)
	}
	mongoWantCode(t, "OpenMongo on a closed port", err, kedaitong.EUnavailable)
	if msg := kedaitong.ErrorMessage(err); !bytes.Contains([]byte(msg), []byte(addr)) {
		t.Errorf("message %q does not name %s", msg, addr)
	}

	// Without a deadline, OpenMongo gives up after its own timeout.
	old := mongoTimeout
	mongoTimeout = time.Second
	defer func() { mongoTimeout = old }()
	start = time.Now()
	_, err = OpenMongo(context.Background(), uri)
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("OpenMongo with a 1 s timeout took %v", took)
	}
	mongoWantCode(t, "OpenMongo on a closed port, own timeout", err, kedaitong.EUnavailable)

	_, err = OpenMongo(context.Background(), "http://nope")
	mongoWantCode(t, "OpenMongo with a bad URI", err, kedaitong.EInvalid)
}

func TestOpenMongoDatabaseName(t *testing.T) {
	base := ferretBaseURI(t) // mongodb://host:port/
	tests := []struct{ uri, want string }{
		{base + "?maxPoolSize=1", MongoDefaultDatabase},
		{base + "kedai_other?maxPoolSize=1", "kedai_other"},
	}
	for _, tt := range tests {
		m, err := OpenMongo(context.Background(), tt.uri)
		if err != nil {
			t.Fatalf("OpenMongo(%s): %v", tt.uri, err)
		}
		if got := m.db.Name(); got != tt.want {
			t.Errorf("OpenMongo(%s): database %q, want %q", tt.uri, got, tt.want)
		}
		if err := m.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		mongoWantCode(t, "Ping after Close", m.Ping(context.Background()), kedaitong.EUnavailable)
	}
}

func TestFerretPingAfterStop(t *testing.T) {
	uri, stop, err := startFerret(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			stop()
		}
	}()
	u, _ := withDatabase(t, uri, url.Values{"maxPoolSize": {"1"}})
	ctx := context.Background()
	m, err := OpenMongo(ctx, u)
	if err != nil {
		t.Fatalf("OpenMongo: %v", err)
	}
	defer m.Close()
	if err := m.Ping(ctx); err != nil {
		t.Fatalf("Ping while running: %v", err)
	}
	c, err := m.Collection(ctx, CollectionDef{Name: "p"})
	if err != nil {
		t.Fatal(err)
	}
	stop()
	stopped = true
	short, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	mongoWantCode(t, "Ping after stop", m.Ping(short), kedaitong.EUnavailable)
	short2, cancel2 := context.WithTimeout(ctx, 2*time.Second)
	defer cancel2()
	mongoWantCode(t, "Insert after stop", c.Insert(short2, "x", map[string]any{"a": 1}), kedaitong.EUnavailable)
}

func TestMongoErr(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"duplicate key", mongo.WriteException{WriteErrors: []mongo.WriteError{{Code: 11000, Message: "E11000 duplicate key"}}}, kedaitong.EConflict},
		{"FerretDB unique on update", mongo.CommandError{Code: 1, Message: "constraint failed: UNIQUE constraint failed: index 'x' (2067)"}, kedaitong.EConflict},
		{"no documents", fmt.Errorf("find: %w", mongo.ErrNoDocuments), kedaitong.ENotFound},
		{"deadline", context.DeadlineExceeded, kedaitong.EUnavailable},
		{"disconnected", mongo.ErrClientDisconnected, kedaitong.EUnavailable},
		{"type mismatch", mongo.WriteException{WriteErrors: []mongo.WriteError{{Code: 14, Message: "Cannot apply $inc"}}}, kedaitong.EInvalid},
		{"bad value", mongo.CommandError{Code: 2, Message: "bad"}, kedaitong.EInvalid},
		{"other internal error", mongo.CommandError{Code: 1, Message: "something else"}, kedaitong.EInternal},
		{"unknown", fmt.Errorf("boom"), kedaitong.EInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := mongoErr(tt.err, "op %d", 1)
			if got := kedaitong.ErrorCode(err); got != tt.want {
				t.Errorf("mongoErr(%v) code = %q, want %q", tt.err, got, tt.want)
			}
			// (Driver errors hold slices, so errors.Is cannot compare them.)
			if !strings.Contains(err.Error(), tt.err.Error()) {
				t.Errorf("mongoErr(%v) = %v does not keep the cause", tt.err, err)
			}
		})
	}
}
