package banks_test

import (
	"context"
	"slices"
	"testing"

	"kedaitong"
	"kedaitong/banks"
	"kedaitong/experts"
	"kedaitong/identity"
	"kedaitong/internal/store/storetest"
)

var admin = identity.User{ID: "u1", Username: "admin", Role: identity.RoleAdmin}

func TestRegistry(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	s, err := banks.Open(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.OrgIDs("gzb"); !slices.Equal(got, []string{"org:gzb"}) {
		t.Errorf("unregistered bank = %v, want only org:gzb", got)
	}
	code := "91360700MA0000000" + string(experts.CreditCodeCheck("91360700MA0000000")) // a valid code
	b, created, err := s.Save(ctx, &admin, banks.Input{ID: "gzb", Name: "赣州银行股份有限公司", CreditCode: code, Aliases: []string{"赣州银行", " "}, Region: "3607"})
	if err != nil || !created {
		t.Fatalf("save: %v %v", created, err)
	}
	if len(b.Aliases) != 1 {
		t.Errorf("blank alias kept: %v", b.Aliases)
	}
	got := s.OrgIDs("gzb")
	for _, want := range []string{"org:gzb", experts.OrgID("", code), experts.OrgID("赣州银行", ""), experts.OrgID("赣州银行股份有限公司", "")} {
		if !slices.Contains(got, want) {
			t.Errorf("OrgIDs lacks %q: %v", want, got)
		}
	}
	// An expert who worked at 赣州银行 is recognised as tied to the bank.
	if !slices.Contains(got, experts.OrgID("赣州银行有限公司", "")) && !slices.Contains(got, experts.OrgID("赣州银行", "")) {
		t.Errorf("name forms do not meet: %v", got)
	}
	// Another server sees it after a reload.
	s2, _ := banks.Open(ctx, st, nil)
	if len(s2.OrgIDs("gzb")) < 3 {
		t.Errorf("a second handle does not know the bank: %v", s2.OrgIDs("gzb"))
	}
	// Updates replace; bad input changes nothing.
	if _, created, err := s.Save(ctx, &admin, banks.Input{ID: "gzb", Name: "赣州银行", Region: "3607"}); err != nil || created {
		t.Fatalf("update: %v %v", created, err)
	}
	for _, in := range []banks.Input{
		{ID: "", Name: "x"},
		{ID: "a b", Name: "x"},
		{ID: "x1", Name: ""},
		{ID: "x2", Name: "x", CreditCode: "91360700MA00000000"},
		{ID: "x3", Name: "x", Region: "44"},
	} {
		if _, _, err := s.Save(ctx, &admin, in); !kedaitong.Is(err, kedaitong.EInvalid) {
			t.Errorf("%+v: %v, want invalid", in, err)
		}
	}
	officer := identity.User{ID: "u2", Role: identity.RoleBankOfficer, BankID: "ncb"}
	if _, _, err := s.Save(ctx, &officer, banks.Input{ID: "ncb", Name: "江西银行"}); !kedaitong.Is(err, kedaitong.EForbidden) {
		t.Errorf("a bank officer registering: %v", err)
	}
	s.Save(ctx, &admin, banks.Input{ID: "ncb", Name: "江西银行"})
	if bs, _ := s.List(ctx, officer); len(bs) != 1 || bs[0].ID != "ncb" {
		t.Errorf("officer sees %v, want its own bank", bs)
	}
	if _, err := s.Get(ctx, officer, "gzb"); !kedaitong.Is(err, kedaitong.ENotFound) {
		t.Errorf("officer reads another bank: %v", err)
	}
	if bs, _ := s.List(ctx, admin); len(bs) != 2 {
		t.Errorf("admin sees %d banks", len(bs))
	}
}
