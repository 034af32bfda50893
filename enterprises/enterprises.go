// Package enterprises owns the enterprise data hub and what is built on it:
// imports of other departments' data (business registration, intellectual
// property, science-and-technology projects, tax declarations, technology
// contracts, dishonesty lists, and investments) as CSV or XLSX; one portrait
// document per enterprise (by unified social credit code) kept up to date on
// import, with its derived indicators, maturity stage and flags; investors'
// endorsements of loan applications (investment-loan linkage); roadshows
// with their projects, attendees and ratings; and docking — a bank's or
// investor's interest in an enterprise, followed up by its region's official.
//
// Visibility: banks and investors see every portrait, officials those in
// their region, experts those of the applications assigned to them. Loan
// applications and assignments belong to package review; this package reads
// them through the small Applications interface the server wires.
package enterprises

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/review"
	"kedaitong/taxonomy"
)

// Beijing is the platform's time zone (dates in files and on pages).
var Beijing = time.FixedZone("CST", 8*3600)

// DateLayout is the layout of dates.
const DateLayout = "2006-01-02"

// Collections.
var (
	// EntriesDef holds one entry per enterprise (id = credit code): the
	// fields lists filter by and show, derived from the portrait (entry.go).
	// Indexed: region (county), city, industry, the dishonest flag and the
	// key list (key project or specialised SME).
	EntriesDef = store.CollectionDef{Name: "enterprises", Indexes: []store.Index{
		{Fields: []string{"region"}},
		{Fields: []string{"city"}},
		{Fields: []string{"industry"}},
		{Fields: []string{"dishonest"}},
		{Fields: []string{"key_list"}},
		{Fields: []string{"key_list", "city"}},
		{Fields: []string{"key_list", "region"}},
	}}
	// PortraitsDef holds one portrait per enterprise (id = credit code):
	// every imported record by its natural key and the derived fields, so
	// that opening a portrait is one read by id. No index: an import's
	// writes cost no index upkeep.
	PortraitsDef = store.CollectionDef{Name: "enterprise_portraits"}
	// InvestmentsDef indexes the investments register by institution: id =
	// credit code + "|" + folded institution name.
	InvestmentsDef = store.CollectionDef{Name: "enterprise_investments", Indexes: []store.Index{
		{Fields: []string{"org_key"}},
		{Fields: []string{"credit_code"}},
	}}
	// ImportsDef is the log of data-hub imports.
	ImportsDef = store.CollectionDef{Name: "datahub_imports", Indexes: []store.Index{{Fields: []string{"at_ms"}}}}
	// EndorsementsDef: one per investor institution and application.
	EndorsementsDef = store.CollectionDef{Name: "endorsements", Indexes: []store.Index{
		{Fields: []string{"application_id"}},
		{Fields: []string{"org_key", "created_ms"}},
		{Fields: []string{"credit_code"}},
	}}
	// RoadshowsDef holds roadshows with their projects and attendees.
	RoadshowsDef = store.CollectionDef{Name: "roadshows", Indexes: []store.Index{{Fields: []string{"date"}}}}
	// RatingsDef: one per roadshow, project and rater (id guards it).
	RatingsDef = store.CollectionDef{Name: "roadshow_ratings", Indexes: []store.Index{{Fields: []string{"roadshow_id"}}}}
	// DockingDef: expressions of interest with their follow-up.
	DockingDef = store.CollectionDef{Name: "docking", Indexes: []store.Index{
		{Fields: []string{"created_ms"}},
		{Fields: []string{"owner", "created_ms"}},
		{Fields: []string{"city", "created_ms"}},
		{Fields: []string{"region", "created_ms"}},
		{Fields: []string{"state"}},
		{Fields: []string{"city", "state"}},
		{Fields: []string{"region", "state"}},
	}}
)

// Applications is what the package needs of loan applications (package
// review and its panels, wired by the server).
type Applications interface {
	// Get returns the application as actor may see it: the owning bank,
	// officials of its region, admins, experts assigned to it; ENotFound
	// for anyone else.
	Get(ctx context.Context, actor identity.User, id string) (review.Application, error)
	// Load returns the application without access checks.
	Load(ctx context.Context, id string) (review.Application, error)
	// ByEnterprise returns the newest applications of an enterprise (at most limit).
	ByEnterprise(ctx context.Context, creditCode string, limit int) ([]review.Application, error)
	// AssignedCodes returns the credit codes of the applications assigned
	// to the expert user.
	AssignedCodes(ctx context.Context, expert identity.User) ([]string, error)
}

// Service is the data hub.
type Service struct {
	portraits, entries, investments store.Collection
	imports                         store.Collection
	endorsements, roadshows         store.Collection
	ratings, docking                store.Collection
	rec                             identity.Recorder
	tax                             *taxonomy.Taxonomy
	apps                            Applications
	now                             func() time.Time
}

// Open declares the package's collections on st.
func Open(ctx context.Context, st store.Store, rec identity.Recorder) (*Service, error) {
	s := &Service{rec: rec, tax: taxonomy.Default(), now: func() time.Time { return time.Now().UTC() }}
	var err error
	for _, x := range []struct {
		c   *store.Collection
		def store.CollectionDef
	}{{&s.portraits, PortraitsDef}, {&s.entries, EntriesDef}, {&s.investments, InvestmentsDef}, {&s.imports, ImportsDef}, {&s.endorsements, EndorsementsDef},
		{&s.roadshows, RoadshowsDef}, {&s.ratings, RatingsDef}, {&s.docking, DockingDef}} {
		if *x.c, err = st.Collection(ctx, x.def); err != nil {
			return nil, fmt.Errorf("enterprises: %w", err)
		}
	}
	return s, nil
}

// SetApplications wires the loan applications (the server does).
func (s *Service) SetApplications(a Applications) { s.apps = a }

// SetClock replaces the service's clock (tests).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// today is the date in Beijing.
func (s *Service) today() string { return s.now().In(Beijing).Format(DateLayout) }

func (s *Service) record(ctx context.Context, actor *identity.User, action, kind, id, region string, detail map[string]any) {
	if s.rec == nil {
		return
	}
	s.rec.Record(ctx, identity.Event{Actor: actor, Action: action, ObjectKind: kind, ObjectID: id, Region: region, Outcome: "ok", Detail: detail})
}

func newID(prefix string) string {
	b := make([]byte, 8)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// Who may do what.

// ImportsData reports whether the user may import into the data hub:
// admins and provincial officials.
func ImportsData(u identity.User) bool {
	return u.Role == identity.RoleAdmin || u.Role == identity.RoleOfficial && u.Region == "36"
}

// ReadsPortraits reports whether the role reads portraits at all (experts
// only those of their assignments, officials their region's).
func ReadsPortraits(u identity.User) bool {
	switch u.Role {
	case identity.RoleAdmin, identity.RoleOfficial, identity.RoleBankOfficer, identity.RoleBankManager, identity.RoleInvestor, identity.RoleExpert:
		return true
	}
	return false
}

func isBank(u identity.User) bool     { return identity.IsBankRole(u.Role) }
func isInvestor(u identity.User) bool { return u.Role == identity.RoleInvestor }
func isOfficial(u identity.User) bool { return u.Role == identity.RoleOfficial }
func isAdmin(u identity.User) bool    { return u.Role == identity.RoleAdmin }

func notFound(code string) error {
	return kedaitong.Errorf(kedaitong.ENotFound, "no enterprise %q in the data hub", code).ZHf("数据中心中没有企业 %q", code)
}

// mayRead reports whether actor may see the portrait p (experts are
// checked by the caller against their assignments).
func mayRead(actor identity.User, region string) bool {
	switch {
	case isAdmin(actor), isBank(actor), isInvestor(actor):
		return true
	case isOfficial(actor):
		return identity.RegionCovers(actor.Region, region)
	}
	return false
}

// expertSees reports whether an expert is assigned an application of the enterprise.
func (s *Service) expertSees(ctx context.Context, actor identity.User, code string) (bool, error) {
	if s.apps == nil || actor.Role != identity.RoleExpert {
		return false, nil
	}
	codes, err := s.apps.AssignedCodes(ctx, actor)
	if err != nil {
		return false, err
	}
	for _, c := range codes {
		if c == code {
			return true, nil
		}
	}
	return false, nil
}

func errorsAs(err error, target **kedaitong.Error) bool { return errors.As(err, target) }

// Today is the date in Beijing (for forms' defaults and limits).
func (s *Service) Today() string { return s.today() }
