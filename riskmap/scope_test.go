package riskmap_test

import (
	"context"
	"testing"

	"kedaitong/identity"
	"kedaitong/internal/store/storetest"
	"kedaitong/review"
	"kedaitong/riskmap"
)

// TestBookVisibility: the book tells who may learn that an enterprise is
// an applicant: its own bank (whatever the application's state), officials
// of its region, admin; never another bank nor an analyst (issue 15.1).
func TestBookVisibility(t *testing.T) {
	ctx := context.Background()
	st := storetest.New(t)
	rm, err := riskmap.Open(ctx, st, nil, riskmap.Options{})
	if err != nil {
		t.Fatal(err)
	}
	apps, err := st.Collection(ctx, review.ApplicationsDef)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []review.Application{
		{ID: "a1", BankID: "gzb", State: review.StateSubmitted, CreditCode: "GZ1", Enterprise: review.Enterprise{Name: "赣州芯研微电子有限公司", Region: "360702"}, CreatedMS: 1},
		{ID: "a2", BankID: "ncb", State: review.StateClosed, CreditCode: "NC1", Enterprise: review.Enterprise{Name: "南昌光谷新能源科技有限公司", Region: "360102"},
			Decision: &review.Decision{Granted: false}, CreatedMS: 2},
	} {
		if err := apps.Insert(ctx, a.ID, a); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		u        identity.User
		gz, nc   bool
		describe string
	}{
		{identity.User{Role: "admin"}, true, true, "admin"},
		{identity.User{Role: "analyst"}, false, false, "analyst"},
		{identity.User{Role: "bank_officer", BankID: "gzb"}, true, false, "gzb officer"},
		{identity.User{Role: "bank_manager", BankID: "ncb"}, false, true, "ncb manager (declined application)"},
		{identity.User{Role: "bank_manager"}, false, false, "bank user without a bank"},
		{identity.User{Role: "official", Region: "3607"}, true, false, "Ganzhou official"},
		{identity.User{Role: "official", Region: "36"}, true, true, "provincial official"},
		{identity.User{Role: "expert"}, false, false, "expert"},
	}
	for _, c := range cases {
		vis, err := rm.VisibleEnterprises(ctx, c.u)
		if err != nil {
			t.Fatal(err)
		}
		if vis("GZ1") != c.gz || vis("NC1") != c.nc || vis("UNKNOWN") != (c.u.Role == "admin") {
			t.Errorf("%s: sees GZ1=%v NC1=%v UNKNOWN=%v, want %v %v", c.describe, vis("GZ1"), vis("NC1"), vis("UNKNOWN"), c.gz, c.nc)
		}
	}
}
