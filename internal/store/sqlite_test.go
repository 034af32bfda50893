package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"kedaitong"
	"kedaitong/internal/store"
	"kedaitong/internal/store/storetest"
)

// planDef is a collection shaped like the domain's: a status, an owner, a
// time and a unique code.
var planDef = store.CollectionDef{Name: "apps", Indexes: []store.Index{
	{Fields: []string{"bank", "status", "created"}},
	{Fields: []string{"bank", "created"}},
	{Fields: []string{"status", "created"}},
	{Fields: []string{"created"}},
	{Fields: []string{"code"}, Unique: true},
}}

func TestSQLiteQueryPlans(t *testing.T) {
	ctx := context.Background()
	s := storetest.NewSQLite(t)
	c, err := s.Collection(ctx, planDef)
	if err != nil {
		t.Fatalf("Collection: %v", err)
	}
	for i := range 200 {
		doc := map[string]any{"bank": fmt.Sprint("b", i%5), "status": []string{"new", "review", "done"}[i%3], "created": int64(1700000000000 + i), "code": fmt.Sprint("c", i)}
		if err := c.Insert(ctx, fmt.Sprintf("a%03d", i), doc); err != nil {
			t.Fatalf("Insert: %v", err)
		}
	}
	if _, err := s.Collection(ctx, planDef); err != nil { // analyse nothing new, stays idempotent
		t.Fatalf("Collection again: %v", err)
	}
	p, err := c.Find(ctx, store.Query{Eq: map[string]any{"bank": "b1"}, Sort: "created", Limit: 3})
	if err != nil || p.Next == "" {
		t.Fatalf("Find: %d docs next %q err %v", len(p.Docs), p.Next, err)
	}
	cursor := p.Next
	idCursor, err := store.EncodeCursor(nil, "a050")
	if err != nil {
		t.Fatal(err)
	}
	queries := []struct {
		name string
		q    store.Query
	}{
		{"by id", store.Query{Limit: 20}},
		{"by id after", store.Query{Limit: 20, After: idCursor}},
		{"by id desc after", store.Query{Limit: 20, After: idCursor, Desc: true}},
		{"eq code by id", store.Query{Eq: map[string]any{"code": "c1"}}},
		{"eq bank sort created", store.Query{Eq: map[string]any{"bank": "b1"}, Sort: "created", Limit: 20}},
		{"eq bank sort created desc", store.Query{Eq: map[string]any{"bank": "b1"}, Sort: "created", Desc: true, Limit: 20}},
		{"eq bank sort created after", store.Query{Eq: map[string]any{"bank": "b1"}, Sort: "created", Limit: 20, After: cursor}},
		{"eq bank sort created desc after", store.Query{Eq: map[string]any{"bank": "b1"}, Sort: "created", Desc: true, Limit: 20, After: cursor}},
		{"eq bank status sort created", store.Query{Eq: map[string]any{"bank": "b1", "status": "new"}, Sort: "created", Limit: 20}},
		{"eq bank status range created", store.Query{Eq: map[string]any{"bank": "b1", "status": "new"}, Range: &store.Range{Field: "created", Gte: 1700000000050, Lt: 1700000000150}, Sort: "created", Limit: 20}},
		{"eq status range created after", store.Query{Eq: map[string]any{"status": "new"}, Range: &store.Range{Field: "created", Gt: 1700000000050}, Limit: 20, Sort: "created", After: cursor}},
		{"range created sort created", store.Query{Range: &store.Range{Field: "created", Lte: 1700000000050}, Sort: "created", Desc: true}},
		{"sort created", store.Query{Sort: "created", Limit: 20}},
		{"sort created desc after", store.Query{Sort: "created", Desc: true, Limit: 20, After: cursor}},
		{"eq code", store.Query{Eq: map[string]any{"code": "c7"}}},
		{"in status sort created by id desc", store.Query{In: map[string][]any{"status": {"new", "review"}}, Sort: "created", Desc: true, Limit: 20, After: cursor}},
		{"in status sort created", store.Query{In: map[string][]any{"status": {"new", "review"}}, Sort: "created", Limit: 20}},
		{"eq bank in status sort created after", store.Query{Eq: map[string]any{"bank": "b2"}, In: map[string][]any{"status": {"new", "done"}}, Sort: "created", Desc: true, Limit: 20, After: cursor}},
	}
	for _, tc := range queries {
		t.Run(tc.name, func(t *testing.T) {
			for _, ex := range []struct {
				name string
				fn   func(context.Context, string, store.Query) (string, error)
			}{{"Find", s.ExplainFind}, {"Count", s.ExplainCount}} {
				plan, err := ex.fn(ctx, "apps", tc.q)
				if err != nil {
					t.Fatalf("%s: %v", ex.name, err)
				}
				t.Logf("%s plan:\n%s", ex.name, plan)
				filtered := storetest.Filters(tc.q)
				if ex.name == "Count" {
					filtered = storetest.Filters(store.Query{Eq: tc.q.Eq, In: tc.q.In, Range: tc.q.Range})
				}
				if err := storetest.CheckPlan(plan, filtered); err != nil {
					t.Errorf("%s: %v", ex.name, err)
				}
			}
			// The query also runs.
			if _, err := c.Find(ctx, tc.q); err != nil {
				t.Errorf("Find: %v", err)
			}
		})
	}
	// Queries PlanQuery accepts but no index orders: a range sorted by id
	// and an equality on a prefix of a longer index sorted by id. SQLite
	// sorts their matches; the checker must say so.
	for _, q := range []store.Query{
		{Range: &store.Range{Field: "created", Lte: 1700000000050}},
		{Eq: map[string]any{"bank": "b1"}},
	} {
		plan, err := s.ExplainFind(ctx, "apps", q)
		if err != nil {
			t.Fatalf("ExplainFind: %v", err)
		}
		if storetest.CheckPlan(plan, true) == nil {
			t.Errorf("CheckPlan accepted the plan of %+v, which sorts:\n%s", q, plan)
		}
	}
	// The checker itself refuses bad plans.
	for _, bad := range []string{"SCAN apps", "SEARCH apps USING INDEX x (a=?)\nUSE TEMP B-TREE FOR ORDER BY", "SCAN apps USING INDEX ix_apps__created"} {
		if storetest.CheckPlan(bad, true) == nil {
			t.Errorf("CheckPlan(%q) accepted a bad plan", bad)
		}
	}
}

// counter is the document the persistence tests write.
type counter struct {
	Name string `json:"name"`
	N    int64  `json:"n"`
}

var countersDef = store.CollectionDef{Name: "counters", Indexes: []store.Index{{Fields: []string{"name"}}}}

func openAt(t *testing.T, dir string) (*store.SQLite, store.Collection) {
	t.Helper()
	s, err := store.OpenSQLite(context.Background(), dir)
	if err != nil {
		t.Fatalf("OpenSQLite: %v", err)
	}
	c, err := s.Collection(context.Background(), countersDef)
	if err != nil {
		s.Close()
		t.Fatalf("Collection: %v", err)
	}
	return s, c
}

func TestSQLiteReopen(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "nested", "data")
	st, err := store.Open(ctx, dir, "")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if got := st.Backend(); got != "sqlite" {
		t.Errorf("Backend: got %q, want sqlite", got)
	}
	c, err := st.Collection(ctx, countersDef)
	if err != nil {
		t.Fatalf("Collection: %v", err)
	}
	if err := c.Insert(ctx, "k1", counter{Name: "南昌", N: 1}); err != nil {
		t.Fatalf("Insert: %v", err)
	}
	if _, err := c.Replace(ctx, "k1", 1, counter{Name: "南昌", N: 2}); err != nil {
		t.Fatalf("Replace: %v", err)
	}
	if _, err := c.Incr(ctx, "k2", map[string]any{"name": "赣州"}, map[string]int64{"n": 5}); err != nil {
		t.Fatalf("Incr: %v", err)
	}
	if err := st.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	_, err = c.Get(ctx, "k1", nil)
	if got := kedaitong.ErrorCode(err); got != kedaitong.EUnavailable {
		t.Errorf("Get after Close: got %v (code %q), want %q", err, got, kedaitong.EUnavailable)
	}
	if got := kedaitong.ErrorCode(st.Ping(ctx)); got != kedaitong.EUnavailable {
		t.Errorf("Ping after Close: got code %q, want %q", got, kedaitong.EUnavailable)
	}

	s2, c2 := openAt(t, dir)
	defer s2.Close()
	for _, want := range []struct {
		id string
		v  int64
		c  counter
	}{{"k1", 2, counter{"南昌", 2}}, {"k2", 1, counter{"赣州", 5}}} {
		var got counter
		v, err := c2.Get(ctx, want.id, &got)
		if err != nil || v != want.v || got != want.c {
			t.Errorf("after reopen, Get %s: got %+v v%d err %v, want %+v v%d", want.id, got, v, err, want.c, want.v)
		}
	}
	if n, err := c2.Count(ctx, store.Query{Eq: map[string]any{"name": "赣州"}}); err != nil || n != 1 {
		t.Errorf("after reopen, Count: got %d err %v, want 1", n, err)
	}
}

const childEnv = "KEDAI_STORE_TEST_CHILD_DIR"

// TestSQLiteTwoProcesses increments one counter from this process and from a
// child process (this test binary again) on the same folder at once.
func TestSQLiteTwoProcesses(t *testing.T) {
	const perProcess = 300
	if dir := os.Getenv(childEnv); dir != "" {
		_, c := openAt(t, dir)
		bump(t, c, perProcess)
		return
	}
	dir := t.TempDir()
	s, c := openAt(t, dir)
	defer s.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSQLiteTwoProcesses$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+dir)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start child: %v", err)
	}
	bump(t, c, perProcess)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v\n%s", err, out.String())
	}
	var got counter
	v, err := c.Get(context.Background(), "shared", &got)
	if want := int64(2 * perProcess); err != nil || got.N != want || v != want {
		t.Errorf("after %d increments from two processes: got n=%d v%d err %v, want n=%d v%d", want, got.N, v, err, want, want)
	}
	n, err := c.Count(context.Background(), store.Query{})
	if want := int64(1 + 2*perProcess); err != nil || n != want {
		t.Errorf("documents inserted from two processes: got %d err %v, want %d", n, err, want)
	}
}

// bump increments the shared counter n times from 4 goroutines and inserts
// one document per increment, named after the process.
func bump(t *testing.T, c store.Collection, n int) {
	t.Helper()
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	pid := strconv.Itoa(os.Getpid())
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 4 {
				if _, err := c.Incr(ctx, "shared", map[string]any{"name": "shared"}, map[string]int64{"n": 1}); err != nil {
					errs <- err
					return
				}
				if err := c.Insert(ctx, pid+"-"+strconv.Itoa(i), counter{Name: pid}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("pid %s: %v", pid, err)
	}
}

func TestSQLiteBackup(t *testing.T) {
	ctx := context.Background()
	s, c := openAt(t, t.TempDir())
	defer s.Close()
	for i := range 100 {
		if err := c.Insert(ctx, fmt.Sprint("k", i), counter{Name: "江西", N: int64(i)}); err != nil {
			t.Fatalf("Insert: %v", err)
		}
	}
	// Writers keep going while the backup runs.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := c.Incr(ctx, "busy", nil, map[string]int64{"n": 1}); err != nil {
				t.Errorf("Incr during backup: %v", err)
				return
			}
		}
	}()
	outDir := t.TempDir()
	out := filepath.Join(outDir, store.SQLiteFile)
	err := s.Backup(ctx, out)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("Backup: %v", err)
	}
	err = s.Backup(ctx, out)
	if got := kedaitong.ErrorCode(err); got != kedaitong.EConflict {
		t.Errorf("Backup over an existing file: got %v (code %q), want %q", err, got, kedaitong.EConflict)
	}

	b, bc := openAt(t, outDir)
	defer b.Close()
	n, err := bc.Count(ctx, store.Query{Eq: map[string]any{"name": "江西"}})
	if err != nil || n != 100 {
		t.Errorf("backup holds %d documents named 江西 (err %v), want 100", n, err)
	}
	var got counter
	if v, err := bc.Get(ctx, "k42", &got); err != nil || v != 1 || got != (counter{"江西", 42}) {
		t.Errorf("backup Get k42: got %+v v%d err %v", got, v, err)
	}
	var busy counter
	if v, err := bc.Get(ctx, "busy", &busy); err == nil && busy.N != v {
		t.Errorf("backup caught a torn counter: n=%d at version %d", busy.N, v)
	}
}

func TestSQLiteUnusableFolder(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "plain-file")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, dir, want string
	}{
		{"below a file", filepath.Join(file, "data"), "cannot be created"},
		{"empty", "", "not set"},
	}
	if st, err := os.Stat("/proc/self"); err == nil && st.IsDir() {
		cases = append(cases, struct{ name, dir, want string }{"read-only file system", "/proc/self", "not writable"})
	}
	if os.Geteuid() != 0 {
		ro := filepath.Join(t.TempDir(), "ro")
		if err := os.Mkdir(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, struct{ name, dir, want string }{"no write permission", ro, "not writable"})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := store.OpenSQLite(ctx, tc.dir)
			if err == nil {
				s.Close()
				t.Fatalf("OpenSQLite(%q) succeeded, want an error", tc.dir)
			}
			var ke *kedaitong.Error
			if !errors.As(err, &ke) || ke.Code != kedaitong.EUnavailable || !strings.Contains(ke.Message, tc.want) || !strings.Contains(ke.Message, tc.dir) {
				t.Errorf("OpenSQLite(%q): got %v, want %s naming the folder and saying %q", tc.dir, err, kedaitong.EUnavailable, tc.want)
			}
		})
	}
}
