// Package ferrettest runs FerretDB's embedded package as a MongoDB stand-in
// for tests in other packages (the store package has its own copy for its
// conformance suite). Only tests import it.
package ferrettest

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

// Server is a running FerretDB.
type Server struct {
	Addr   string // host:port it listens on
	dir    string
	cancel context.CancelFunc
	done   chan struct{}
}

// Start runs FerretDB with the SQLite handler keeping its files in dir,
// listening on addr ("127.0.0.1:0" for a free port). Starting again with
// the same dir and the returned Addr brings the same data back.
func Start(t testing.TB, dir, addr string) *Server {
	t.Helper()
	if addr == "" {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr = ln.Addr().String()
		ln.Close()
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: addr},
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/",
		Logger:    slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatalf("start FerretDB: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{Addr: addr, dir: dir, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		_ = f.Run(ctx)
	}()
	// Wait until it accepts connections.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			s.Stop()
			t.Fatalf("FerretDB did not listen on %s", addr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Cleanup(s.Stop)
	return s
}

// URI is the MongoDB URI of the server for database db, over one connection
// (the stand-in's updates are not atomic across connections).
func (s *Server) URI(db string) string {
	return fmt.Sprintf("mongodb://%s/%s?maxPoolSize=1&serverSelectionTimeoutMS=2000", s.Addr, db)
}

// Stop stops the server and waits until it has stopped.
func (s *Server) Stop() {
	s.cancel()
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
	}
}
