package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// mongoBenchDocs is the size of the MongoDB benchmarks' collection: the
// FerretDB stand-in scans every document for every query, so it is far
// smaller than the SQLite benchmark's.
const mongoBenchDocs = 10_000

func mongoBenchOwner(i int) string {
	return fmt.Sprintf("bank-%05d", i%(mongoBenchDocs/benchPerOwner))
}

// BenchmarkFerret loads 10,000 documents into a fresh database of the
// FerretDB stand-in (one connection) and measures the operations of
// BenchmarkSQLite on it. Run it with
//
//	go test ./internal/store/ -run '^$' -bench BenchmarkFerret -benchtime 200x
//
// With KEDAI_TEST_MONGODB_URI set, BenchmarkMongo does the same on that server.
func BenchmarkFerret(b *testing.B) { benchMongo(b, openFerret(b)) }

// BenchmarkMongo is BenchmarkFerret on the KEDAI_TEST_MONGODB_URI server.
func BenchmarkMongo(b *testing.B) { benchMongo(b, openRealMongo(b)) }

func benchMongo(b *testing.B, m *Mongo) {
	ctx := context.Background()
	// Load in batches without indexes, then declare them.
	start := time.Now()
	raw := m.db.Collection(benchDef.Name)
	const batch = 1000
	for lo := 0; lo < mongoBenchDocs; lo += batch {
		docs := make([]any, 0, batch)
		for i := lo; i < lo+batch && i < mongoBenchDocs; i++ {
			fields, err := docToBSON(benchDoc{
				Owner:  mongoBenchOwner(i),
				TS:     1700000000000 + int64(i)*1000,
				Status: []string{"submitted", "in_review", "approved", "rejected"}[i%4],
				Title:  fmt.Sprintf("江西科技型中小企业贷款申请 %d", i),
				Amount: int64(i%500) * 10000,
			})
			if err != nil {
				b.Fatal(err)
			}
			docs = append(docs, append(bson.D{{Key: mongoIDKey, Value: benchID(i)}, {Key: mongoVersionKey, Value: int64(1)}}, fields...))
		}
		if _, err := raw.InsertMany(ctx, docs); err != nil {
			b.Fatal(err)
		}
	}
	loaded := time.Since(start)
	coll, err := m.Collection(ctx, benchDef)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d documents in %v, indexed in %v", mongoBenchDocs, loaded.Round(time.Millisecond), (time.Since(start) - loaded).Round(time.Millisecond))
	rng := rand.New(rand.NewPCG(1, 2))

	b.Run("GetByID", func(b *testing.B) {
		var lat latencies
		var d benchDoc
		for b.Loop() {
			id := benchID(rng.IntN(mongoBenchDocs))
			t0 := time.Now()
			_, err := coll.Get(ctx, id, &d)
			lat = append(lat, time.Since(t0))
			if err != nil {
				b.Fatal(err)
			}
		}
		lat.report(b)
	})

	versions := map[int]int64{}
	b.Run("Replace", func(b *testing.B) {
		var lat latencies
		for b.Loop() {
			i := rng.IntN(mongoBenchDocs)
			v := versions[i]
			if v == 0 {
				v = 1
			}
			doc := benchDoc{Owner: mongoBenchOwner(i), TS: 1700000000000 + int64(i)*1000, Status: "in_review", Title: "更新", Amount: v}
			t0 := time.Now()
			next, err := coll.Replace(ctx, benchID(i), v, doc)
			lat = append(lat, time.Since(t0))
			if err != nil {
				b.Fatal(err)
			}
			versions[i] = next
		}
		lat.report(b)
	})

	b.Run("Find50of10k", func(b *testing.B) {
		var lat latencies
		for b.Loop() {
			owner := mongoBenchOwner(rng.IntN(mongoBenchDocs))
			t0 := time.Now()
			p, err := coll.Find(ctx, Query{Eq: map[string]any{"owner": owner}, Sort: "ts", Desc: true, Limit: 50})
			lat = append(lat, time.Since(t0))
			if err != nil {
				b.Fatal(err)
			}
			if len(p.Docs) != benchPerOwner {
				b.Fatalf("Find owner %s: got %d docs, want %d", owner, len(p.Docs), benchPerOwner)
			}
		}
		lat.report(b)
	})

	b.Run("Incr", func(b *testing.B) {
		var lat latencies
		for b.Loop() {
			id := fmt.Sprintf("counter-%d", rng.IntN(100))
			t0 := time.Now()
			_, err := coll.Incr(ctx, id, map[string]any{"owner": "counters", "ts": 0}, map[string]int64{"count": 1, "amount": 5})
			lat = append(lat, time.Since(t0))
			if err != nil {
				b.Fatal(err)
			}
		}
		lat.report(b)
	})
}
