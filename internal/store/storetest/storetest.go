// Package storetest gives tests a real, fresh document store: an embedded
// SQLite database in the test's temporary folder, closed when the test ends.
// It is fast enough to use in every test; there is no mock of the store.
package storetest

import (
	"context"
	"strings"
	"testing"

	"kedaitong/internal/store"
)

// New returns a fresh SQLite store in t.TempDir(), closed on cleanup. It
// skips fsync (a test's database does not outlive the test), which makes it
// several times faster to create and to write. Every Find and Count on it
// has its query plan checked first: a query no index serves fails (with
// EInternal naming the plan), so every test proves the queries its code
// issues are indexed.
func New(t testing.TB) store.Store {
	t.Helper()
	return NewSQLite(t)
}

// NewSQLite is New with the concrete type, for tests that need its extras
// (ExplainFind, Backup).
func NewSQLite(t testing.TB) *store.SQLite {
	t.Helper()
	s, err := store.OpenSQLiteWith(context.Background(), t.TempDir(), store.SQLiteOptions{NoSync: true, CheckPlan: CheckPlan})
	if err != nil {
		t.Fatalf("open test store: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close test store: %v", err)
		}
	})
	return s
}

// AssertIndexed fails the test unless an index serves q on the declared
// collection coll of st (a store from New) for both Find and Count: no full
// scan of the table when q filters, and no temporary B-tree for the order.
// A store that is not SQLite is not checked.
func AssertIndexed(t testing.TB, st store.Store, coll string, q store.Query) {
	t.Helper()
	s, ok := st.(*store.SQLite)
	if !ok {
		return
	}
	for _, ex := range []struct {
		name string
		fn   func(context.Context, string, store.Query) (string, error)
	}{{"Find", s.ExplainFind}, {"Count", s.ExplainCount}} {
		plan, err := ex.fn(context.Background(), coll, q)
		if err != nil {
			t.Fatalf("%s on %s %+v: explain: %v", ex.name, coll, q, err)
		}
		filtered := Filters(q)
		if ex.name == "Count" {
			filtered = Filters(store.Query{Eq: q.Eq, In: q.In, Range: q.Range}) // Count ignores the cursor
		}
		if err := CheckPlan(plan, filtered); err != nil {
			t.Errorf("%s on %s %+v: %v", ex.name, coll, q, err)
		}
	}
}

// Filters reports whether q has any condition (Eq, In, Range or a cursor).
func Filters(q store.Query) bool {
	return len(q.Eq) > 0 || len(q.In) > 0 || q.Range != nil || q.After != ""
}

// CheckPlan checks an EXPLAIN QUERY PLAN text: it refuses a temporary B-tree
// (a sort or grouping the index does not serve) and, when filtered is true, a
// scan (reading every row of the table or of an index) where a search of an
// index should serve the conditions.
func CheckPlan(plan string, filtered bool) error {
	for _, line := range strings.Split(plan, "\n") {
		line = strings.TrimSpace(line)
		if strings.Contains(line, "TEMP B-TREE") {
			return &planError{plan: plan, why: "needs a temporary B-tree"}
		}
		if filtered && strings.HasPrefix(line, "SCAN ") && !strings.Contains(line, "CONSTANT ROW") {
			return &planError{plan: plan, why: "scans the whole table or index instead of searching it"}
		}
	}
	return nil
}

type planError struct{ plan, why string }

func (e *planError) Error() string { return "query plan " + e.why + ":\n" + e.plan }
