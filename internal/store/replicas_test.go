package store

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"kedaitong"
)

// TestReplicasStartTogether: several stores opened at the same instant on
// one database (servers starting together) declare the same collections
// and indexes and race to create one singleton document: every
// declaration succeeds, exactly one insert wins, and the others get a
// clean EConflict without the driver's text.
func TestReplicasStartTogether(t *testing.T) {
	const replicas = 6
	openers := []struct {
		name string
		open func(t *testing.T) func() (Store, error)
	}{
		{"sqlite", func(t *testing.T) func() (Store, error) {
			dir := t.TempDir()
			return func() (Store, error) { return OpenSQLite(context.Background(), dir) }
		}},
		{"ferretdb", func(t *testing.T) func() (Store, error) {
			uri, _ := withDatabase(t, ferretBaseURI(t), url.Values{"maxPoolSize": {"1"}})
			t.Cleanup(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
				defer cancel()
				if m, err := OpenMongo(ctx, uri); err == nil {
					m.db.Drop(ctx)
					m.Close()
				}
			})
			return func() (Store, error) {
				ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
				defer cancel()
				return OpenMongo(ctx, uri)
			}
		}},
	}
	for _, o := range openers {
		t.Run(o.name, func(t *testing.T) {
			open := o.open(t)
			ctx := context.Background()
			var wg sync.WaitGroup
			start := make(chan struct{})
			errs := make([]error, replicas)
			setup := make([]error, replicas)
			for i := range replicas {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					st, err := open()
					if err != nil {
						setup[i] = err
						return
					}
					defer st.Close()
					c, err := st.Collection(ctx, confDef)
					if err != nil {
						setup[i] = err
						return
					}
					if _, err := st.Collection(ctx, CollectionDef{Name: "meta"}); err != nil {
						setup[i] = err
						return
					}
					errs[i] = c.Insert(ctx, "singleton", confItem{Name: "once", Code: "only"})
				}()
			}
			close(start)
			wg.Wait()
			won := 0
			for i := range replicas {
				if setup[i] != nil {
					t.Errorf("replica %d: start-up: %v", i, setup[i])
					continue
				}
				if errs[i] == nil {
					won++
					continue
				}
				if !kedaitong.Is(errs[i], kedaitong.EConflict) {
					t.Errorf("replica %d: insert: %v, want %s", i, errs[i], kedaitong.EConflict)
				}
				if s := errs[i].Error(); strings.Contains(s, "UNIQUE constraint") {
					t.Errorf("replica %d: the conflict carries the driver's text: %s", i, s)
				}
			}
			if won != 1 {
				t.Errorf("%d replicas created the singleton, want exactly 1", won)
			}
		})
	}
}
