package enterprises_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"kedaitong"
	"kedaitong/enterprises"
	"kedaitong/internal/store"
	"kedaitong/internal/store/storetest"
)

// TestEntriesFollowPortraits: lists read entries kept apart from the
// portraits; an import changing no listed field (tax) leaves them as they
// are, one that does (dishonesty) changes them, a missing entry is rebuilt
// by the next import, and a portrait stored by an earlier version in the
// entries' collection is still read and moved on the next import.
func TestEntriesFollowPortraits(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	s, err := enterprises.Open(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.SetClock(func() time.Time { return fixedToday })
	entries, _ := st.Collection(ctx, enterprises.EntriesDef)
	portraits, _ := st.Collection(ctx, enterprises.PortraitsDef)
	c1, c2 := code(1), code(2)
	reg := "credit_code,name,region\n" + c1 + ",赣州芯研微电子有限公司,360702\n" + c2 + ",南昌光谷材料有限公司,360102\n"
	mustImport(t, s, "registration", reg)
	ver := func(c store.Collection, id string) int64 {
		t.Helper()
		v, err := c.Get(ctx, id, nil)
		if err != nil {
			t.Fatalf("get %s: %v", id, err)
		}
		return v
	}
	e1, p1 := ver(entries, c1), ver(portraits, c1)
	mustImport(t, s, "tax", "credit_code,year,revenue,rd_spend\n"+c1+",2025,1000000,100000\n")
	if got := ver(entries, c1); got != e1 {
		t.Errorf("a tax import rewrote the entry: v%d → v%d", e1, got)
	}
	if got := ver(portraits, c1); got != p1+1 {
		t.Errorf("portrait v%d → v%d, want one write", p1, got)
	}
	mustImport(t, s, "dishonesty", "credit_code,list,listed_on\n"+c1+",失信被执行人,2025-01-01\n")
	var e enterprises.Entry
	if _, err := entries.Get(ctx, c1, &e); err != nil || !e.Dishonest || e.PV != p1+2 {
		t.Errorf("entry after listing = %+v %v", e, err)
	}
	list, _, err := s.List(ctx, admin, enterprises.Filter{Flag: enterprises.FlagDishonest})
	if err != nil || len(list) != 1 || list[0].CreditCode != c1 {
		t.Errorf("dishonest list = %+v %v", list, err)
	}
	// A lost entry comes back with the next import of the enterprise.
	if err := entries.Delete(ctx, c2); err != nil {
		t.Fatal(err)
	}
	if rep := mustImport(t, s, "registration", reg); rep.Unchanged != 2 {
		t.Errorf("re-import = %+v", rep)
	}
	if _, err := entries.Get(ctx, c2, &e); err != nil || e.Name != "南昌光谷材料有限公司" || e.City != "3601" {
		t.Errorf("rebuilt entry = %+v %v", e, err)
	}
	// A portrait of an earlier version (one document in "enterprises").
	old := code(50)
	legacy := map[string]any{"credit_code": old, "registration": map[string]any{"name": "赣州老数据科技有限公司", "region": "360702", "registered_capital": 0},
		"sources": map[string]any{"registration": "2025-01-01T00:00:00Z"}, "tax": map[string]any{"2024": map[string]any{"revenue": 5000000, "rd_spend": 500000, "tax_paid": 0}},
		"name": "赣州老数据科技有限公司", "name_key": "赣州老数据科技有限公司", "region": "360702", "city": "3607", "dishonest": false, "key_list": false}
	if err := entries.Insert(ctx, old, legacy); err != nil {
		t.Fatal(err)
	}
	v, err := s.Get(ctx, admin, old)
	if err != nil || v.Name != "赣州老数据科技有限公司" || len(v.Indicators.Revenue) != 1 {
		t.Fatalf("legacy portrait = %+v %v", v, err)
	}
	if rep := mustImport(t, s, "tax", "credit_code,year,revenue\n"+old+",2025,6000000\n"); rep.Imported != 1 {
		t.Errorf("import onto a legacy portrait = %+v", rep)
	}
	if v, err = s.Get(ctx, admin, old); err != nil || len(v.Indicators.Revenue) != 2 || v.Name != "赣州老数据科技有限公司" {
		t.Errorf("moved legacy portrait = %+v %v", v, err)
	}
	if _, err := portraits.Get(ctx, old, nil); err != nil {
		t.Errorf("the legacy portrait was not moved: %v", err)
	}
}

// TestConcurrentImportsKeepEverything: two imports of different sources
// on the same enterprises at once lose no row and leave every entry right.
func TestConcurrentImportsKeepEverything(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	var reg, tax, dis strings.Builder
	reg.WriteString("credit_code,name,region\n")
	tax.WriteString("credit_code,year,revenue\n")
	dis.WriteString("credit_code,list,listed_on\n")
	const n = 1500 // more than one chunk
	for i := 0; i < n; i++ {
		fmt.Fprintf(&reg, "%s,企业%d,360702\n", code(1000+i), i)
		fmt.Fprintf(&tax, "%s,2025,%d\n", code(1000+i), 1000000+i)
		fmt.Fprintf(&dis, "%s,失信被执行人,2025-01-01\n", code(1000+i))
	}
	mustImport(t, s, "registration", reg.String())
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, f := range []struct{ source, data string }{{"tax", tax.String()}, {"dishonesty", dis.String()}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rep, err := s.Import(ctx, admin, f.source, []byte(f.data), enterprises.ImportOptions{})
			if err == nil && rep.Imported != n {
				err = kedaitong.Errorf(kedaitong.EInternal, "%s imported %d of %d", f.source, rep.Imported, n)
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < n; i += 97 {
		v, err := s.Get(ctx, admin, code(1000+i))
		if err != nil || len(v.Indicators.Revenue) != 1 || len(v.Listings) != 1 {
			t.Fatalf("enterprise %d: %+v %v", i, v.Indicators.Revenue, err)
		}
	}
	count := 0
	cursor := ""
	for {
		list, next, err := s.List(ctx, admin, enterprises.Filter{Flag: enterprises.FlagDishonest, Limit: 500, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		count += len(list)
		if next == "" {
			break
		}
		cursor = next
	}
	if count != n {
		t.Errorf("dishonest entries = %d, want %d", count, n)
	}
}
