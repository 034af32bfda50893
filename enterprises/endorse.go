package enterprises

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
	"unicode/utf8"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/review"
)

// EndorsementInput is the body of POST /api/v1/applications/{id}/endorsements.
type EndorsementInput struct {
	Invested     int64  `json:"invested"` // yuan
	Date         string `json:"date"`     // of the investment, YYYY-MM-DD
	Statement    string `json:"statement"`
	RiskSharePct *int   `json:"risk_share_pct,omitempty"` // share of the loan's loss the investor bears, 0–100
}

// Endorsement is an investor's endorsement of a loan application.
type Endorsement struct {
	ID             string    `json:"id"`
	ApplicationID  string    `json:"application_id"`
	CreditCode     string    `json:"credit_code"`
	EnterpriseName string    `json:"enterprise_name"`
	Org            string    `json:"org"`
	OrgKey         string    `json:"org_key"`
	By             string    `json:"by"`
	ByName         string    `json:"by_name"`
	Invested       int64     `json:"invested"`
	Date           string    `json:"date"`
	Statement      string    `json:"statement"`
	RiskSharePct   int       `json:"risk_share_pct"`
	CreatedAt      time.Time `json:"created_at"`
	CreatedMS      int64     `json:"created_ms"`
}

// orgKey is the key of an institution's name (folded, hashed short).
func orgKey(org string) string {
	sum := sha256.Sum256([]byte(foldName(org)))
	return hex.EncodeToString(sum[:8])
}

// invested reports whether the investments register holds a stake of the
// institution in the enterprise.
func (s *Service) invested(ctx context.Context, org, code string) (bool, error) {
	p, exists, err := s.readPortrait(ctx, code)
	if err != nil || !exists {
		return false, err
	}
	_, ok := p.Investments[foldName(org)]
	return ok, nil
}

// Endorse records an investor's endorsement of an application of an
// enterprise its institution invested in (per the investments register).
func (s *Service) Endorse(ctx context.Context, actor identity.User, applicationID string, in EndorsementInput) (Endorsement, error) {
	if !isInvestor(actor) || strings.TrimSpace(actor.Org) == "" {
		return Endorsement{}, kedaitong.Errorf(kedaitong.EForbidden, "only investment institutions endorse applications").ZHf("只有投资机构可以为贷款申请背书")
	}
	if s.apps == nil {
		return Endorsement{}, kedaitong.Errorf(kedaitong.ENotFound, "no application %q", applicationID).ZHf("没有贷款申请 %q", applicationID)
	}
	a, err := s.apps.Load(ctx, applicationID)
	if err != nil {
		return Endorsement{}, err
	}
	if in.Invested <= 0 {
		return Endorsement{}, kedaitong.Invalid("invested", "the amount invested is a positive number of yuan").ZHf("投资金额应为正数（元）")
	}
	d, ok := parseDate(in.Date)
	if !ok || d != strings.TrimSpace(in.Date) {
		return Endorsement{}, kedaitong.Invalid("date", "write the investment's date as YYYY-MM-DD").ZHf("投资日期格式应为 YYYY-MM-DD")
	}
	if d > s.today() {
		return Endorsement{}, kedaitong.Invalid("date", "the investment's date is in the future").ZHf("投资日期不能晚于今天")
	}
	in.Statement = strings.TrimSpace(in.Statement)
	if in.Statement == "" || utf8.RuneCountInString(in.Statement) > 2000 {
		return Endorsement{}, kedaitong.Invalid("statement", "state the technical value in 1 to 2,000 characters").ZHf("技术价值说明应为 1 到 2000 个字")
	}
	share := 0
	if in.RiskSharePct != nil {
		share = *in.RiskSharePct
		if share < 0 || share > 100 {
			return Endorsement{}, kedaitong.Invalid("risk_share_pct", "a percentage from 0 to 100").ZHf("风险分担比例应为 0 到 100 的整数")
		}
	}
	code := a.Enterprise.CreditCode
	ok, err = s.invested(ctx, actor.Org, code)
	if err != nil {
		return Endorsement{}, err
	}
	if !ok {
		return Endorsement{}, kedaitong.Errorf(kedaitong.EForbidden, "the investments register holds no investment of %s in this enterprise", actor.Org).ZHf("投资登记中没有 %s 对该企业的投资记录，不能背书", actor.Org)
	}
	now := s.now()
	key := orgKey(actor.Org)
	e := Endorsement{ID: a.ID + "|" + key, ApplicationID: a.ID, CreditCode: code, EnterpriseName: a.Enterprise.Name, Org: actor.Org, OrgKey: key,
		By: actor.ID, ByName: actor.Username, Invested: in.Invested, Date: d, Statement: in.Statement, RiskSharePct: share,
		CreatedAt: now, CreatedMS: now.UnixMilli()}
	if err := s.endorsements.Insert(ctx, e.ID, e); err != nil {
		if kedaitong.Is(err, kedaitong.EConflict) {
			return Endorsement{}, kedaitong.Errorf(kedaitong.EConflict, "%s has endorsed this application already", actor.Org).ZHf("%s 已为该申请背书", actor.Org)
		}
		return Endorsement{}, err
	}
	if err := s.markEndorsed(ctx, a); err != nil {
		return e, err
	}
	s.record(ctx, &actor, "endorsement.create", "application", a.ID, a.Region, map[string]any{"credit_code": code, "org": actor.Org,
		"invested": in.Invested, "risk_share_pct": share})
	return e, nil
}

// markEndorsed sets the portrait's endorsed flag (making a portrait from
// the application when the data hub has none yet).
func (s *Service) markEndorsed(ctx context.Context, a review.Application) error {
	for attempt := 0; attempt < 20; attempt++ {
		p, ver, exists, err := s.loadPortrait(ctx, a.Enterprise.CreditCode)
		if err != nil {
			return err
		}
		if p.Endorsed {
			return nil
		}
		p.Endorsed = true
		p.AppName, p.AppRegion, p.AppRoute = a.Enterprise.Name, a.Enterprise.Region, a.Enterprise.Route
		p.UpdatedAt = s.now()
		s.derive(&p)
		if err := s.savePortrait(ctx, &p, ver, exists); !kedaitong.Is(err, kedaitong.EConflict) {
			return err
		}
	}
	return kedaitong.Errorf(kedaitong.EConflict, "the portrait keeps changing; try again").ZHf("企业画像一直在变化，请重试")
}

func (s *Service) endorsementsOf(ctx context.Context, applicationID string) ([]Endorsement, error) {
	page, err := s.endorsements.Find(ctx, store.Query{Eq: map[string]any{"application_id": applicationID}, Limit: 200})
	if err != nil {
		return nil, err
	}
	return store.DecodeAll[Endorsement](page.Docs)
}

// Endorsements lists an application's endorsements: for its bank, officials
// of its region and admins all of them, for an investor its institution's.
func (s *Service) Endorsements(ctx context.Context, actor identity.User, applicationID string) ([]Endorsement, error) {
	if s.apps == nil {
		return nil, kedaitong.Errorf(kedaitong.ENotFound, "no application %q", applicationID).ZHf("没有贷款申请 %q", applicationID)
	}
	if isInvestor(actor) {
		a, err := s.apps.Load(ctx, applicationID)
		if err != nil {
			return nil, err
		}
		ok, err := s.invested(ctx, actor.Org, a.Enterprise.CreditCode)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, kedaitong.Errorf(kedaitong.ENotFound, "no application %q", applicationID).ZHf("没有贷款申请 %q", applicationID)
		}
		all, err := s.endorsementsOf(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		out := []Endorsement{}
		for _, e := range all {
			if e.OrgKey == orgKey(actor.Org) {
				out = append(out, e)
			}
		}
		return out, nil
	}
	a, err := s.apps.Get(ctx, actor, applicationID)
	if err != nil {
		return nil, err
	}
	return s.endorsementsOf(ctx, a.ID)
}

// RiskSharePct is the share of a loan's loss the endorsing investors bear
// for the application: the sum of their shares, at most 100 (for the fund:
// the fund compensates only the rest).
func (s *Service) RiskSharePct(ctx context.Context, applicationID string) (int, error) {
	ends, err := s.endorsementsOf(ctx, applicationID)
	if err != nil {
		return 0, err
	}
	sum := 0
	for _, e := range ends {
		sum += e.RiskSharePct
	}
	return min(sum, 100), nil
}

// Endorsed reports whether an application has an endorsement.
func (s *Service) Endorsed(ctx context.Context, applicationID string) (bool, error) {
	ends, err := s.endorsementsOf(ctx, applicationID)
	return len(ends) > 0, err
}

// Candidate is an application an investor may endorse.
type Candidate struct {
	ApplicationID  string `json:"application_id"`
	CreditCode     string `json:"credit_code"`
	EnterpriseName string `json:"enterprise_name"`
	State          string `json:"state"`
	Amount         int64  `json:"amount"`
	Invested       int64  `json:"invested"`
	Endorsed       bool   `json:"endorsed"` // by the caller's institution
}

// Candidates lists the applications of the enterprises the investor's
// institution invested in (per the register), newest first per enterprise.
func (s *Service) Candidates(ctx context.Context, actor identity.User) ([]Candidate, error) {
	if !isInvestor(actor) {
		return nil, kedaitong.Errorf(kedaitong.EForbidden, "only investment institutions endorse applications").ZHf("只有投资机构可以为贷款申请背书")
	}
	out := []Candidate{}
	if s.apps == nil {
		return out, nil
	}
	page, err := s.investments.Find(ctx, store.Query{Eq: map[string]any{"org_key": foldName(actor.Org)}, Limit: 500})
	if err != nil {
		return nil, err
	}
	invs, err := store.DecodeAll[investmentDoc](page.Docs)
	if err != nil {
		return nil, err
	}
	key := orgKey(actor.Org)
	for _, inv := range invs {
		apps, err := s.apps.ByEnterprise(ctx, inv.CreditCode, 20)
		if err != nil {
			return nil, err
		}
		for _, a := range apps {
			c := Candidate{ApplicationID: a.ID, CreditCode: inv.CreditCode, EnterpriseName: a.Enterprise.Name, State: a.State,
				Amount: a.Loan.Amount, Invested: inv.Amount}
			var e Endorsement
			if _, err := s.endorsements.Get(ctx, a.ID+"|"+key, &e); err == nil {
				c.Endorsed = true
			} else if !kedaitong.Is(err, kedaitong.ENotFound) {
				return nil, err
			}
			out = append(out, c)
		}
	}
	return out, nil
}
