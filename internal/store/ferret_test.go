package store

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// The FerretDB stand-in for MongoDB: one embedded server (SQLite handler)
// per test binary, started on first use; each test gets a fresh database.

var sharedFerret struct {
	once sync.Once
	uri  string // mongodb://127.0.0.1:port/
	dir  string
	stop func()
	err  error
}

// stopSharedFerret stops the shared FerretDB, if it was started, and removes
// its directory. A TestMain of the package may call it after m.Run.
func stopSharedFerret() {
	if sharedFerret.stop != nil {
		sharedFerret.stop()
		os.RemoveAll(sharedFerret.dir)
	}
}

// startFerret starts an embedded FerretDB with the SQLite handler keeping its
// files in dir, listening on a free loopback port, its logs discarded. It
// returns the server's URI and a function that stops it and waits until it
// has stopped.
func startFerret(dir string) (uri string, stop func(), err error) {
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: "127.0.0.1:0"},
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
		Logger:    slog.New(slog.DiscardHandler),
	})
	if err != nil {
		return "", nil, fmt.Errorf("start FerretDB: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = f.Run(ctx)
	}()
	stop = func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
		}
	}
	return f.MongoDBURI(), stop, nil
}

// ferretBaseURI returns the URI of the shared FerretDB, starting it on first use.
func ferretBaseURI(t testing.TB) string {
	t.Helper()
	sharedFerret.once.Do(func() {
		// The server lives as long as the test binary, so its files go to a
		// directory of its own rather than one test's TempDir. Every test
		// drops its database, which removes its file: only the empty
		// directory remains. (SQLite's mode=memory deadlocks FerretDB.)
		dir, err := os.MkdirTemp("", "kedai-ferret-")
		if err != nil {
			sharedFerret.err = err
			return
		}
		sharedFerret.dir = dir
		sharedFerret.uri, sharedFerret.stop, sharedFerret.err = startFerret(dir)
	})
	if sharedFerret.err != nil {
		t.Fatalf("FerretDB stand-in: %v", sharedFerret.err)
	}
	return sharedFerret.uri
}

var testDBSeq atomic.Int64

// withDatabase returns base with its path set to a fresh database name and
// its query extended by extra.
func withDatabase(t testing.TB, base string, extra url.Values) (uri, db string) {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %q: %v", base, err)
	}
	db = fmt.Sprintf("kt_%d_%d", os.Getpid(), testDBSeq.Add(1))
	u.Path = "/" + db
	q := u.Query()
	for k, vs := range extra {
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	return u.String(), db
}

// openMongoAt opens a fresh database on the server at base; cleanup drops
// it and closes the store.
func openMongoAt(t testing.TB, base string, extra url.Values) *Mongo {
	t.Helper()
	uri, _ := withDatabase(t, base, extra)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	m, err := OpenMongo(ctx, uri)
	if err != nil {
		t.Fatalf("OpenMongo(%s): %v", uri, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := m.db.Drop(ctx); err != nil {
			t.Errorf("drop test database: %v", err)
		}
		if err := m.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return m
}

// openFerret opens a fresh database on the shared FerretDB through one
// connection (its updates are read-modify-write, atomic only when serialised).
func openFerret(t testing.TB) *Mongo {
	t.Helper()
	return openMongoAt(t, ferretBaseURI(t), url.Values{"maxPoolSize": {"1"}})
}

// realMongoURI is a real MongoDB server for the tests, when one is given.
var realMongoURI = os.Getenv("KEDAI_TEST_MONGODB_URI")

// openRealMongo opens a fresh database on the KEDAI_TEST_MONGODB_URI server.
func openRealMongo(t testing.TB) *Mongo {
	t.Helper()
	if realMongoURI == "" {
		t.Skip("KEDAI_TEST_MONGODB_URI is not set")
	}
	return openMongoAt(t, realMongoURI, nil)
}
