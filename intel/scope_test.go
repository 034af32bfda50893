package intel

import (
	"context"
	"slices"
	"testing"

	"kedaitong/identity"
	"kedaitong/intel/classify"
	"kedaitong/intel/feed"
)

// bookScope is a book of two banks' applicants: gzb holds ent-gz, ncb
// holds ent-nc (in Nanchang, 3601).
type bookScope struct{}

func (bookScope) VisibleEnterprises(_ context.Context, u identity.User) (func(string) bool, error) {
	holders := map[string]struct{ bank, region string }{"ent-gz": {"gzb", "360702"}, "ent-nc": {"ncb", "360102"}}
	return func(code string) bool {
		h, ok := holders[code]
		return ok && identity.MaySee(u, h.bank, h.region)
	}, nil
}

// TestEnterpriseLinksScopedToTheCallersBook: items link every bank's
// applicants, but a bank sees (and filters by) only its own, an official
// its region's, an analyst none, an admin all; an enterprise outside the
// caller's book filters to nothing (issue 15.1).
func TestEnterpriseLinksScopedToTheCallersBook(t *testing.T) {
	s, _ := newService(t, Options{})
	s.SetEnterprises([]classify.Enterprise{
		{ID: "ent-gz", Name: "赣州芯研微电子有限公司", ShortNames: []string{"芯研微电子", "芯研"}},
		{ID: "ent-nc", Name: "南昌光谷新能源科技有限公司", ShortNames: []string{"光谷新能源"}},
	})
	ctx := context.Background()
	src := sourceDoc{Source: Source{ID: "src-1", Language: "zh"}}
	if _, err := s.ingestBatch(ctx, &src, []feed.Item{
		{GUID: "a", Title: "芯研微电子与光谷新能源同日遭遇融资困难", Summary: "两家企业资金链紧张"},
	}, s.classifier(), s.now()); err != nil {
		t.Fatal(err)
	}
	all := allItems(t, s, ItemFilter{})
	if len(all) != 1 || len(all[0].Enterprises) != 2 {
		t.Fatalf("stored %+v, want one item linked to both enterprises", all)
	}
	id := all[0].ID
	ncOfficial := identity.User{ID: "u-nco", Role: "official", Region: "3601"}
	prov := identity.User{ID: "u-prov", Role: "official", Region: "36"}
	ncb := identity.User{ID: "u-ncb", Role: "bank_manager", BankID: "ncb"}
	for _, sc := range []EnterpriseScope{nil, bookScope{}} {
		s.SetEnterpriseScope(sc)
		cases := []struct {
			u    identity.User
			want []string
		}{
			{admin, []string{"ent-gz", "ent-nc"}},
			{analyst, []string{}},
			{officer, []string{"ent-gz"}},
			{ncb, []string{"ent-nc"}},
			{ncOfficial, []string{"ent-nc"}},
			{prov, []string{"ent-gz", "ent-nc"}},
		}
		for _, c := range cases {
			want := c.want
			if sc == nil && c.u.Role != "admin" {
				want = []string{} // no scope installed: fail closed
			}
			items, _, err := s.Items(ctx, c.u, ItemFilter{})
			if err != nil || len(items) != 1 {
				t.Fatalf("Items(%s) = %d, %v", c.u.ID, len(items), err)
			}
			if got := items[0].Enterprises; !slices.Equal(got, want) {
				t.Errorf("scope %v: Items(%s) enterprises = %v, want %v", sc != nil, c.u.ID, got, want)
			}
			it, err := s.Item(ctx, c.u, id)
			if err != nil || !slices.Equal(it.Enterprises, want) {
				t.Errorf("scope %v: Item(%s) enterprises = %v (%v), want %v", sc != nil, c.u.ID, it.Enterprises, err, want)
			}
			for _, e := range []string{"ent-gz", "ent-nc"} {
				got, next, err := s.Items(ctx, c.u, ItemFilter{Enterprise: e})
				if err != nil {
					t.Fatal(err)
				}
				if visible := slices.Contains(want, e); visible != (len(got) == 1) || next != "" {
					t.Errorf("scope %v: Items(%s, enterprise=%s) = %d items, want visible=%v", sc != nil, c.u.ID, e, len(got), visible)
				}
			}
		}
	}
}
