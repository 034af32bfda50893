package rbac

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/casbin/casbin/v2"

	"kedaitong"
	"kedaitong/internal/store"
	"kedaitong/internal/store/storetest"
)

// newCasbin returns a plain Casbin enforcer with our model over ad.
func newCasbin(t *testing.T, ad *Adapter) *casbin.Enforcer {
	t.Helper()
	m, err := NewModel()
	if err != nil {
		t.Fatal(err)
	}
	e, err := casbin.NewEnforcer(m, ad)
	if err != nil {
		t.Fatalf("new casbin enforcer: %v", err)
	}
	return e
}

func newAdapter(t *testing.T, st store.Store) *Adapter {
	t.Helper()
	ad, err := NewAdapter(context.Background(), st)
	if err != nil {
		t.Fatalf("NewAdapter: %v", err)
	}
	return ad
}

// stored returns the rules in the store as sorted "ptype,v0,v1,..." lines,
// read back through a fresh Casbin enforcer (the round trip).
func stored(t *testing.T, ad *Adapter) []string {
	t.Helper()
	e := newCasbin(t, ad)
	var out []string
	p, err := e.GetPolicy()
	if err != nil {
		t.Fatal(err)
	}
	g, err := e.GetGroupingPolicy()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range p {
		out = append(out, "p,"+strings.Join(r, ","))
	}
	for _, r := range g {
		out = append(out, "g,"+strings.Join(r, ","))
	}
	slices.Sort(out)
	return out
}

func wantRules(t *testing.T, ad *Adapter, want ...string) {
	t.Helper()
	slices.Sort(want)
	if got := stored(t, ad); !slices.Equal(got, want) {
		t.Fatalf("stored rules:\n got %q\nwant %q", got, want)
	}
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := kedaitong.ErrorCode(err); got != code {
		t.Fatalf("%s: got error %v (code %q), want code %q", what, err, got, code)
	}
}

func TestAdapterRoundTrip(t *testing.T) {
	st := storetest.New(t)
	ad := newAdapter(t, st)
	e := newCasbin(t, ad)

	mustOK := func(what string, ok bool, err error) {
		t.Helper()
		if err != nil || !ok {
			t.Fatalf("%s: got (%v, %v), want (true, nil)", what, ok, err)
		}
	}
	ok, err := e.AddPolicy("analyst", "*", "source", "read")
	mustOK("AddPolicy", ok, err)
	ok, err = e.AddGroupingPolicy("u1", "analyst", "*")
	mustOK("AddGroupingPolicy", ok, err)
	wantRules(t, ad, "p,analyst,*,source,read", "g,u1,analyst,*")
	if ok, err := newCasbin(t, ad).Enforce("u1", "*", "source", "read"); err != nil || !ok {
		t.Fatalf("reloaded enforcer: u1 source read = (%v, %v), want true", ok, err)
	}

	ok, err = e.AddPolicies([][]string{{"analyst", "*", "source", "create"}, {"analyst", "*", "source", "delete"}, {"official", "*", "audit", "read"}})
	mustOK("AddPolicies", ok, err)
	ok, err = e.RemovePolicy("analyst", "*", "source", "read")
	mustOK("RemovePolicy", ok, err)
	ok, err = e.RemovePolicies([][]string{{"analyst", "*", "source", "delete"}})
	mustOK("RemovePolicies", ok, err)
	wantRules(t, ad, "p,analyst,*,source,create", "p,official,*,audit,read", "g,u1,analyst,*")

	ok, err = e.UpdatePolicy([]string{"analyst", "*", "source", "create"}, []string{"analyst", "*", "source", "export"})
	mustOK("UpdatePolicy", ok, err)
	ok, err = e.UpdatePolicies([][]string{{"official", "*", "audit", "read"}}, [][]string{{"admin", "*", "audit", "read"}})
	mustOK("UpdatePolicies", ok, err)
	wantRules(t, ad, "p,analyst,*,source,export", "p,admin,*,audit,read", "g,u1,analyst,*")

	ok, err = e.AddGroupingPolicies([][]string{{"u2", "bank_officer", "bank:1"}, {"u3", "bank_officer", "bank:2"}})
	mustOK("AddGroupingPolicies", ok, err)
	ok, err = e.RemoveFilteredGroupingPolicy(1, "bank_officer")
	mustOK("RemoveFilteredGroupingPolicy", ok, err)
	wantRules(t, ad, "p,analyst,*,source,export", "p,admin,*,audit,read", "g,u1,analyst,*")

	ok, err = e.UpdateFilteredPolicies([][]string{{"analyst", "*", "item", "read"}, {"analyst", "*", "source", "export"}}, 0, "analyst")
	mustOK("UpdateFilteredPolicies", ok, err)
	wantRules(t, ad, "p,analyst,*,item,read", "p,analyst,*,source,export", "p,admin,*,audit,read", "g,u1,analyst,*")

	// SavePolicy replaces everything by the in-memory model.
	e.ClearPolicy()
	if _, err := e.AddGroupingPolicy("u9", "official", "*"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.AddPolicy("official", "*", "dashboard", "read"); err != nil {
		t.Fatal(err)
	}
	if err := e.SavePolicy(); err != nil {
		t.Fatalf("SavePolicy: %v", err)
	}
	wantRules(t, ad, "p,official,*,dashboard,read", "g,u9,official,*")
	if n, err := ad.rules.Count(context.Background(), store.Query{}); err != nil || n != 2 {
		t.Fatalf("documents after SavePolicy: got (%d, %v), want 2", n, err)
	}
}

func TestAdapterUpdatePolicyMissingAndTaken(t *testing.T) {
	ad := newAdapter(t, storetest.New(t))
	a := []string{"analyst", "*", "item", "read"}
	b := []string{"analyst", "*", "riskmap", "read"}
	if err := ad.AddPolicies("p", "p", [][]string{a, b}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "update a missing rule", ad.UpdatePolicy("p", "p", []string{"x", "*", "y", "z"}, []string{"x", "*", "y", "w"}), kedaitong.ENotFound)
	wantCode(t, "update onto an existing rule", ad.UpdatePolicy("p", "p", a, b), kedaitong.EConflict)
	wantCode(t, "remove a missing rule", ad.RemovePolicy("p", "p", []string{"x", "*", "y", "z"}), kedaitong.ENotFound)
	wantCode(t, "remove a batch with a missing rule", ad.RemovePolicies("p", "p", [][]string{a, {"x", "*", "y", "z"}}), kedaitong.ENotFound)
	wantCode(t, "filter without values", ad.RemoveFilteredPolicy("p", "p", 0, "", ""), kedaitong.EInvalid)
	wantRules(t, ad, "p,analyst,*,item,read", "p,analyst,*,riskmap,read")
}

func TestAdapterDuplicateIsConflict(t *testing.T) {
	ad := newAdapter(t, storetest.New(t))
	r := []string{"analyst", "*", "item", "read"}
	if err := ad.AddPolicy("p", "p", r); err != nil {
		t.Fatalf("first add: %v", err)
	}
	wantCode(t, "same rule again", ad.AddPolicy("p", "p", r), kedaitong.EConflict)
	wantCode(t, "batch with a stored rule", ad.AddPolicies("p", "p", [][]string{{"analyst", "*", "alert", "read"}, r}), kedaitong.EConflict)
	wantCode(t, "batch repeating a rule", ad.AddPolicies("p", "p", [][]string{{"a", "*", "b", "c"}, {"a", "*", "b", "c"}}), kedaitong.EConflict)
	wantRules(t, ad, "p,analyst,*,item,read")

	// The unique index, not only the id, refuses a second copy.
	err := ad.rules.Insert(context.Background(), "other-id", newRuleDoc("p", r))
	wantCode(t, "same rule under another id", err, kedaitong.EConflict)
}

func TestAdapterRefusesEmptyFields(t *testing.T) {
	good := []string{"analyst", "*", "item", "read"}
	tests := []struct {
		name string
		do   func(ad *Adapter) error
	}{
		{"add", func(ad *Adapter) error { return ad.AddPolicy("p", "p", []string{"analyst", "", "item", "read"}) }},
		{"add blank", func(ad *Adapter) error { return ad.AddPolicy("p", "p", []string{"analyst", "*", " ", "read"}) }},
		{"add grouping", func(ad *Adapter) error { return ad.AddPolicy("g", "g", []string{"u1", "admin", ""}) }},
		{"batch with one bad rule last", func(ad *Adapter) error {
			return ad.AddPolicies("p", "p", [][]string{{"analyst", "*", "alert", "read"}, {"analyst", "*", "source", "read"}, {"analyst", "*", "", "read"}})
		}},
		{"batch with one bad rule first", func(ad *Adapter) error {
			return ad.AddPolicies("p", "p", [][]string{{"", "*", "alert", "read"}, {"analyst", "*", "source", "read"}})
		}},
		{"update to empty", func(ad *Adapter) error { return ad.UpdatePolicy("p", "p", good, []string{"analyst", "*", "item", ""}) }},
		{"update batch with one bad", func(ad *Adapter) error {
			return ad.UpdatePolicies("p", "p", [][]string{good, {"analyst", "*", "other", "read"}}, [][]string{{"a", "*", "b", "c"}, {"a", "", "b", "c"}})
		}},
		{"filtered update to empty", func(ad *Adapter) error {
			_, err := ad.UpdateFilteredPolicies("p", "p", [][]string{{"analyst", "*", "", "read"}}, 0, "analyst")
			return err
		}},
		{"remove with empty", func(ad *Adapter) error { return ad.RemovePolicy("p", "p", []string{"analyst", "*", "item", ""}) }},
		{"save a model with an empty field", func(ad *Adapter) error {
			e := newCasbin(t, ad)
			e.EnableAutoSave(false)
			if _, err := e.AddPolicy("analyst", "*", "riskmap", ""); err != nil {
				t.Fatal(err)
			}
			return e.SavePolicy()
		}},
		{"casbin enforcer add", func(ad *Adapter) error {
			_, err := newCasbin(t, ad).AddPolicy("analyst", "", "alert", "read")
			return err
		}},
		{"casbin enforcer batch", func(ad *Adapter) error {
			_, err := newCasbin(t, ad).AddPolicies([][]string{{"analyst", "*", "alert", "read"}, {"analyst", "*", "alert", ""}})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ad := newAdapter(t, storetest.New(t))
			if err := ad.AddPolicy("p", "p", good); err != nil {
				t.Fatal(err)
			}
			v0, _ := ad.Version(context.Background())
			err := tt.do(ad)
			if err == nil {
				t.Fatal("got no error, want the empty field refused")
			}
			if c := kedaitong.ErrorCode(err); c != kedaitong.EInvalid && !strings.Contains(err.Error(), kedaitong.EInvalid) {
				t.Fatalf("got %v (code %q), want %q", err, c, kedaitong.EInvalid)
			}
			wantRules(t, ad, "p,analyst,*,item,read")
			if v1, _ := ad.Version(context.Background()); v1 != v0 {
				t.Errorf("policy version moved from %d to %d on a refused change", v0, v1)
			}
		})
	}
}

func TestAdapterLoadRefusesMalformedStoredRule(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		doc  ruleDoc
	}{
		{"empty field inside the arity", ruleDoc{PType: "p", V0: "analyst", V1: "", V2: "exposure", V3: "read"}},
		{"too short", ruleDoc{PType: "p", V0: "analyst", V1: "*", V2: "exposure"}},
		{"too long", ruleDoc{PType: "g", V0: "u1", V1: "admin", V2: "*", V3: "x"}},
		{"unknown type", ruleDoc{PType: "p9", V0: "a", V1: "b", V2: "c", V3: "d"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ad := newAdapter(t, storetest.New(t))
			if err := ad.rules.Insert(ctx, "raw", tt.doc); err != nil {
				t.Fatal(err)
			}
			m, err := NewModel()
			if err != nil {
				t.Fatal(err)
			}
			if err := ad.LoadPolicy(m); err == nil {
				t.Fatalf("LoadPolicy of %+v: got no error, want it refused", tt.doc)
			}
		})
	}
}

func TestAdapterPagesThroughManyRules(t *testing.T) {
	ad := newAdapter(t, storetest.New(t))
	const n = pageSize*2 + 7
	rules := make([][]string, n)
	for i := range rules {
		rules[i] = []string{"u" + strconv.Itoa(i), "analyst", "*"}
	}
	if err := ad.AddPolicies("g", "g", rules); err != nil {
		t.Fatal(err)
	}
	e := newCasbin(t, ad)
	g, err := e.GetGroupingPolicy()
	if err != nil {
		t.Fatal(err)
	}
	if len(g) != n {
		t.Fatalf("loaded %d grouping rules, want %d", len(g), n)
	}
}

func TestAdapterBumpsVersion(t *testing.T) {
	ctx := context.Background()
	ad := newAdapter(t, storetest.New(t))
	version := func() int64 {
		v, err := ad.Version(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v := version(); v != 0 {
		t.Fatalf("fresh store version = %d, want 0", v)
	}
	r := []string{"analyst", "*", "item", "read"}
	steps := []struct {
		name string
		do   func() error
	}{
		{"add", func() error { return ad.AddPolicy("p", "p", r) }},
		{"update", func() error { return ad.UpdatePolicy("p", "p", r, []string{"analyst", "*", "alert", "read"}) }},
		{"remove", func() error { return ad.RemovePolicy("p", "p", []string{"analyst", "*", "alert", "read"}) }},
	}
	for i, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got, want := version(), int64(i+1); got != want {
			t.Fatalf("after %s: version = %d, want %d", s.name, got, want)
		}
	}
}

func TestAdapterQueriesAreIndexed(t *testing.T) {
	st := storetest.New(t)
	newAdapter(t, st)
	for _, q := range []store.Query{
		{Limit: pageSize},
		{Eq: map[string]any{"ptype": "g"}, Limit: pageSize},
		{Eq: map[string]any{"ptype": "g", "v0": "u1"}, Limit: pageSize},
	} {
		storetest.AssertIndexed(t, st, RulesCollection, q)
	}
}
