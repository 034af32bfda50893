package experts_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"kedaitong"
	"kedaitong/experts"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/internal/store/storetest"
)

var (
	official = identity.User{ID: "u1", Username: "official", Role: identity.RoleOfficial, Region: "36"}
	bank     = identity.User{ID: "u2", Username: "officer", Role: identity.RoleBankOfficer, BankID: "gzb"}
)

func open(t testing.TB) (*experts.Service, store.Store) {
	t.Helper()
	st := storetest.New(t)
	s, err := experts.Open(context.Background(), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.SetClock(func() time.Time { return time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC) })
	return s, st
}

// TestQueriesIndexed checks the plan of every query shape the package issues.
func TestQueriesIndexed(t *testing.T) {
	_, st := open(t)
	cur, _ := store.EncodeCursor(nil, "exp-0001")
	for _, c := range []string{experts.ExpertsDef.Name, experts.PostingsDef.Name, experts.CommitteesDef.Name} {
		storetest.AssertIndexed(t, st, c, store.Query{Limit: 51})
		storetest.AssertIndexed(t, st, c, store.Query{Limit: 51, After: cur})
	}
}

func TestTrackRecordConcurrent(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	const n = 40
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, err := range []error{
				s.RecordAssignment(ctx, "exp-1", experts.AssignInvited),
				s.RecordAssignment(ctx, "exp-1", experts.AssignAccepted),
				s.RecordSubmission(ctx, "exp-1", 2.5, i%2 == 0),
				s.RecordConsultation(ctx, "exp-1"),
				s.RecordRating(ctx, "exp-1", 4+i%2),
				s.RecordDeviation(ctx, "exp-1", -0.25),
			} {
				if err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	r, err := s.Record(ctx, "exp-1")
	if err != nil {
		t.Fatal(err)
	}
	if r.Assigned != n || r.Accepted != n || r.Completed != n || r.CompletedOnTime != n/2 || r.ConsultationsAnswered != n || r.Ratings != n || r.OpenAssignments != 0 {
		t.Errorf("record = %+v", r)
	}
	if *r.MeanDaysToSubmit != 2.5 || *r.MeanRating != 4.5 || *r.MeanDeviation != 0.25 {
		t.Errorf("means = %v %v %v", *r.MeanDaysToSubmit, *r.MeanRating, *r.MeanDeviation)
	}
	if err := s.RecordRating(ctx, "exp-1", 6); !kedaitong.Is(err, kedaitong.EInvalid) {
		t.Errorf("6 stars: %v", err)
	}
	if err := s.RecordAssignment(ctx, "exp-1", "bogus"); !kedaitong.Is(err, kedaitong.EInvalid) {
		t.Errorf("bogus event: %v", err)
	}
	if r, _ := s.Record(ctx, "exp-2"); r.Assigned != 0 || r.MeanRating != nil {
		t.Errorf("empty record = %+v", r)
	}
}

// TestConcurrentUpdatesKeepPostings: parallel edits of different experts
// and the same posting keys lose no id.
func TestConcurrentUpdatesKeepPostings(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := 3
			_, err := s.Create(ctx, official, experts.Input{ID: fmt.Sprintf("e-%02d", i), Name: "专家" + fmt.Sprint(i), Tier: experts.TierIndustry,
				Fields: []string{"aviation.uav"}, Region: "3601", Capacity: &c})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got, _, err := s.Search(ctx, official, experts.Filter{Field: "aviation", Region: "3601", Limit: 100})
	if err != nil || len(got) != 20 {
		t.Fatalf("search = %d experts, %v", len(got), err)
	}
	// Moving all of them to another field leaves none behind.
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := []string{"biomedicine.tcm"}
			if _, err := s.Update(ctx, official, fmt.Sprintf("e-%02d", i), experts.Patch{Fields: &f}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got, _, _ := s.Search(ctx, official, experts.Filter{Field: "aviation", Limit: 100}); len(got) != 0 {
		t.Errorf("aviation after the move: %d", len(got))
	}
	if got, _, _ := s.Search(ctx, official, experts.Filter{Field: "biomedicine.tcm", Limit: 100}); len(got) != 20 {
		t.Errorf("tcm after the move: %d", len(got))
	}
	if n, err := s.Reindex(ctx); err != nil || n != 20 {
		t.Errorf("reindex: %d %v", n, err)
	}
	if got, _, _ := s.Search(ctx, official, experts.Filter{Field: "biomedicine", Q: "专家1", Limit: 100}); len(got) != 11 {
		t.Errorf("q 专家1 after reindex: %d", len(got))
	}
}

func TestDemoData(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	n, err := s.SeedDemo(ctx)
	if err != nil || n != 150 {
		t.Fatalf("seed: %d %v", n, err)
	}
	if n, _ := s.SeedDemo(ctx); n != 0 {
		t.Errorf("second seed wrote %d", n)
	}
	e, err := s.Profile(ctx, "exp-0001")
	if err != nil || e.Name != "李建国" {
		t.Fatalf("exp-0001 = %+v %v", e, err)
	}
	tiers := map[string]int{}
	inds := map[string]int{}
	all, _, _ := s.Search(ctx, official, experts.Filter{Limit: 500})
	for _, e := range all {
		tiers[e.Tier]++
		inds[s.Taxonomy().IndustryOf(e.PrimaryField)]++
	}
	if len(all) != 150 || len(tiers) != 3 || len(inds) != 11 {
		t.Errorf("demo: %d experts, tiers %v, industries %v", len(all), tiers, inds)
	}
	cs, err := s.Committees(ctx, official, "")
	if err != nil || len(cs) != 11 {
		t.Fatalf("committees: %d %v", len(cs), err)
	}
	for _, c := range cs {
		if c.Chair == "" || len(c.Members) < 2 {
			t.Errorf("committee %s: %+v", c.ID, c)
		}
	}
}

func TestBankSeesNothing(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	s.SeedDemo(ctx)
	if got, _, err := s.Search(ctx, bank, experts.Filter{}); err != nil || len(got) != 0 {
		t.Errorf("bank search: %d %v", len(got), err)
	}
	if _, err := s.Get(ctx, bank, "exp-0001"); !kedaitong.Is(err, kedaitong.ENotFound) {
		t.Errorf("bank get: %v", err)
	}
	if _, err := s.Import(ctx, bank, []byte("id,name,tier,fields\n")); !kedaitong.Is(err, kedaitong.EForbidden) {
		t.Errorf("bank import: %v", err)
	}
}

func TestImportKeepsPastOrganisations(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	file := "id,name,tier,fields,organisations\nexp-1,李建国,industry,aviation,南昌大学;江西铜业股份有限公司\n"
	if res, err := s.Import(ctx, official, []byte(file)); err != nil || res.Imported != 1 {
		t.Fatalf("import: %+v %v", res, err)
	}
	file2 := strings.Replace(file, ";江西铜业股份有限公司", "", 1)
	if res, err := s.Import(ctx, official, []byte(file2)); err != nil || res.Updated != 1 {
		t.Fatalf("re-import: %+v %v", res, err)
	}
	if res, _ := s.Import(ctx, official, []byte(file2)); res.Unchanged != 1 {
		t.Errorf("third import: %+v", res)
	}
	e, _ := s.Profile(ctx, "exp-1")
	if len(e.Organisations) != 2 || e.Organisations[1].To != "2026-03-01" {
		t.Errorf("organisations = %+v", e.Organisations)
	}
	aff := strings.Join(e.Affiliations(), ",")
	if !strings.Contains(aff, "org:江西铜业") {
		t.Errorf("affiliations = %s", aff)
	}
	// GB18030 CSV as Excel on Chinese Windows saves it.
	gbk := []byte("id,name,tier,fields\r\nexp-2,\xcd\xf5\xba\xa3\xd1\xe0,industry,aviation\r\n") // 王海燕
	if res, err := s.Import(ctx, official, gbk); err != nil || res.Imported != 1 {
		t.Fatalf("gbk import: %+v %v", res, err)
	}
	if e, _ := s.Profile(ctx, "exp-2"); e.Name != "王海燕" {
		t.Errorf("gbk name = %q", e.Name)
	}
}

func ExampleValidCreditCode() {
	fmt.Println(experts.ValidCreditCode("91360000705513W4X" + string(experts.CreditCodeCheck("91360000705513W4X"))))
	fmt.Println(experts.ValidCreditCode("913600007055130000"))
	// Output:
	// true
	// false
}

func ExampleOrgID() {
	fmt.Println(experts.OrgID("江西铜业股份有限公司", ""))
	fmt.Println(experts.OrgID("江西铜业", ""))
	fmt.Println(experts.OrgID("Jiangxi Copper Co., Ltd.", ""))
	// Output:
	// org:江西铜业
	// org:江西铜业
	// org:jiangxicopper
}

// TestRareTextAmongCommonCharacters: a query whose characters are common
// but whose text is rare goes through the stored texts and still answers
// exactly.
func TestRareTextAmongCommonCharacters(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	var b strings.Builder
	b.WriteString("id,name,tier,fields,organisations\n")
	for i := 0; i < 60; i++ {
		fmt.Fprintf(&b, "e-%02d,专家%d,industry,aviation,南昌大学\n", i, i)
	}
	b.WriteString("e-99,学大明,industry,aviation,南昌航空\n")
	if res, err := s.Import(ctx, official, []byte(b.String())); err != nil || res.Imported != 61 {
		t.Fatalf("import: %+v %v", res, err)
	}
	got, next, err := s.Search(ctx, official, experts.Filter{Q: "学大", Limit: 1})
	if err != nil || len(got) != 1 || got[0].ID != "e-99" || next != "" {
		t.Errorf("学大 = %v %q %v", got, next, err)
	}
	got, _, _ = s.Search(ctx, official, experts.Filter{Q: "南昌 大学", Limit: 100})
	if len(got) != 60 {
		t.Errorf("南昌 大学 = %d", len(got))
	}
}
