package review

import (
	"context"
	"time"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/taxonomy"
)

// ExitMarksDef is the collection of "exit recommended" marks, one document
// per enterprise (its credit code), written when a re-review of a loan
// holder concludes (package review/rereview).
var ExitMarksDef = store.CollectionDef{Name: "exit_marks"}

// ExitMark is the latest re-review's verdict on an enterprise, shown on its
// applications to the bank and officials.
type ExitMark struct {
	CreditCode    string          `json:"credit_code"`
	Recommended   bool            `json:"recommended"`
	Reasons       []taxonomy.Text `json:"reasons"`
	RereviewID    string          `json:"rereview_id"`
	ApplicationID string          `json:"application_id"` // the re-review round's application
	At            time.Time       `json:"at"`
}

// SetExitMark stores the verdict of a concluded re-review on the enterprise
// (no access check: the re-review service calls it).
func (s *Service) SetExitMark(ctx context.Context, m ExitMark) error {
	m.CreditCode = NormalizeCreditCode(m.CreditCode)
	if m.Reasons == nil {
		m.Reasons = []taxonomy.Text{}
	}
	for range 3 {
		var old ExitMark
		ver, err := s.exits.Get(ctx, m.CreditCode, &old)
		switch {
		case kedaitong.Is(err, kedaitong.ENotFound):
			err = s.exits.Insert(ctx, m.CreditCode, m)
		case err == nil:
			_, err = s.exits.Replace(ctx, m.CreditCode, ver, m)
		}
		if !kedaitong.Is(err, kedaitong.EConflict) {
			return err
		}
	}
	return kedaitong.Errorf(kedaitong.EConflict, "the enterprise's exit mark changed at the same time").ZHf("企业的退出标记同时被修改了")
}

// exitOf returns the enterprise's exit mark when a re-review recommended
// exit, nil otherwise.
func (s *Service) exitOf(ctx context.Context, code string) (*ExitMark, error) {
	if code == "" {
		return nil, nil
	}
	var m ExitMark
	_, err := s.exits.Get(ctx, code, &m)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		return nil, nil
	}
	if err != nil || !m.Recommended {
		return nil, err
	}
	return &m, nil
}

// CreateRereview starts the re-review round of a granted loan on the owning
// bank's behalf: a new application copying the previous one's enterprise,
// loan and summary, linked to it by previous_application_id and submitted
// at once, so that the next assignment run gives it a panel.
func (s *Service) CreateRereview(ctx context.Context, actor identity.User, previousID string) (View, error) {
	prev, _, err := s.loadFor(ctx, actor, previousID)
	if err != nil {
		return View{}, err
	}
	if !Owns(actor, &prev) {
		return View{}, kedaitong.Errorf(kedaitong.EForbidden, "only the owning bank starts a re-review").ZHf("只有申请所属的银行可以发起复评")
	}
	if prev.State != StateClosed || prev.Decision == nil || !prev.Decision.Granted {
		return View{}, kedaitong.Errorf(kedaitong.EConflict, "only a closed application with a granted loan is re-reviewed").ZHf("只有已放款且已结束的贷款申请才能复评")
	}
	now := s.now()
	in := prev.Input()
	if err := in.Validate(s.tax, kedaitong.Date(now)); err != nil {
		return View{}, err
	}
	a := Application{ID: newID("app-"), BankID: prev.BankID, CreatedBy: actor.ID, State: StateDraft, PreviousApplicationID: prev.ID,
		Attachments: []Attachment{}, History: []Transition{}, CreatedAt: now, UpdatedAt: now, CreatedMS: now.UnixMilli()}
	s.derive(&a, in, now)
	if err := s.apps.Insert(ctx, a.ID, a); err != nil {
		return View{}, err
	}
	s.record(ctx, &actor, "application.create", &a, map[string]any{"credit_code": a.CreditCode, "amount": a.Loan.Amount, "previous_application_id": prev.ID})
	a, ver, err := s.submit(ctx, a, 1, actor.ID)
	if err != nil {
		return View{}, err
	}
	s.record(ctx, &actor, "application.submit", &a, map[string]any{"rereview": true})
	return s.view(ctx, actor, a, ver)
}
