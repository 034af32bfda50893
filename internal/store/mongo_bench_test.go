package store

import (
	"context"
	"fmt"
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
			fields, err := docToBSON(benchDocAt(i, mongoBenchOwner))
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
	benchOps(b, coll, mongoBenchDocs, mongoBenchOwner, "Find50of10k")
}
