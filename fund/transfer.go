package fund

import (
	"context"
	"strings"
	"time"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store"
)

// TransferInput is the body of POST /api/v1/funds/transfers. From and To
// name pools by id ("fund-3610") or by region ("3610").
type TransferInput struct {
	From   string `json:"from"`
	To     string `json:"to"`
	Amount int64  `json:"amount"`
	Reason string `json:"reason"`
}

// Transfer is a cross-regional adjustment as stored.
type Transfer struct {
	ID        string    `json:"id"`
	From      string    `json:"from"`
	To        string    `json:"to"`
	Amount    int64     `json:"amount"`
	Reason    string    `json:"reason"`
	By        string    `json:"by"`
	At        time.Time `json:"at"`
	State     string    `json:"state"` // "done"
	Paid      []Payment `json:"deferred_paid"`
	CreatedMS int64     `json:"created_ms"`
}

func normPoolRef(s string) string {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "fund-") {
		return poolID(s)
	}
	return s
}

// minCash is the least cash a pool must keep: outstanding ÷ leverage, rounded up.
func (p *Pool) minCash() int64 {
	if p.Leverage <= 0 {
		return p.Outstanding
	}
	return (p.Outstanding + p.Leverage - 1) / p.Leverage
}

// TransferMoney moves cash between two pools (provincial officials, admins).
// It is refused (409) when from would fall below outstanding ÷ leverage.
func (s *Service) TransferMoney(ctx context.Context, actor identity.User, in TransferInput) (Transfer, error) {
	from, to := normPoolRef(in.From), normPoolRef(in.To)
	if in.From == "" {
		return Transfer{}, kedaitong.Invalid("from", "name the fund the money leaves").ZHf("请填写调出资金池")
	}
	if in.To == "" {
		return Transfer{}, kedaitong.Invalid("to", "name the fund the money goes to").ZHf("请填写调入资金池")
	}
	if from == to {
		return Transfer{}, kedaitong.Invalid("to", "the funds must differ").ZHf("调出与调入资金池不能相同")
	}
	if err := checkMoney("amount", in.Amount, true); err != nil {
		return Transfer{}, err
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Reason == "" {
		return Transfer{}, kedaitong.Invalid("reason", "say why the money moves").ZHf("请说明调剂原因")
	}
	if err := checkReason(in.Reason); err != nil {
		return Transfer{}, err
	}
	if !(actor.Role == identity.RoleAdmin || actor.Role == identity.RoleOfficial && actor.Region == "36") {
		return Transfer{}, forbidden("only provincial officials and admins move money between regions", "只有省级政府用户和管理员可以跨地区调剂资金")
	}
	// Both must exist before anything moves.
	if _, _, err := s.loadPool(ctx, from); err != nil {
		return Transfer{}, kedaitong.Invalid("from", "no fund %q", in.From).ZHf("调出资金池 %q 不存在", in.From)
	}
	if _, _, err := s.loadPool(ctx, to); err != nil {
		return Transfer{}, kedaitong.Invalid("to", "no fund %q", in.To).ZHf("调入资金池 %q 不存在", in.To)
	}
	now := s.now()
	t := Transfer{ID: newID("trf-"), From: from, To: to, Amount: in.Amount, Reason: in.Reason, By: actor.ID, At: now,
		State: "done", Paid: []Payment{}, CreatedMS: now.UnixMilli()}
	out := Intent{ID: t.ID, Kind: KindTransferOut, At: now, Transfer: &t,
		Audit: &AuditNote{Action: "fund.transfer", Kind: "fund", ObjectID: from, ActorID: actor.ID, Username: actor.Username, Role: actor.Role,
			Detail: map[string]any{"transfer_id": t.ID, "to": to, "amount": in.Amount, "reason": in.Reason}}}
	fp, _, err := s.updatePool(ctx, from, func(p *Pool) error {
		if p.Cash-in.Amount < p.minCash() {
			return kedaitong.Errorf(kedaitong.EConflict, "fund %s would keep %d yuan, below the %d yuan its outstanding loans need (outstanding ÷ leverage)", p.Region, p.Cash-in.Amount, p.minCash()).ZHf("调出后资金池 %s 余额 %d 元，低于在贷余额所需的 %d 元（在贷余额 ÷ 放大倍数）", p.Region, p.Cash-in.Amount, p.minCash())
		}
		p.Cash -= in.Amount
		out.Audit.Region = p.Region
		out.Audit.Detail["from_cash_after"] = p.Cash
		p.Intents = append(p.Intents, out)
		return nil
	})
	if err != nil {
		return Transfer{}, err
	}
	if s.crashed("transfer_debit") {
		return Transfer{}, errCrashed
	}
	t, err = s.credit(ctx, out)
	if err != nil {
		// Give the money back to from so nothing is lost (only if the
		// receiving pool was not credited: its mark is not there).
		if tp, _, lerr := s.loadPool(ctx, to); lerr == nil && !tp.hasIntent(t.ID+"/in") {
			_, _, _ = s.updatePool(context.WithoutCancel(ctx), from, func(p *Pool) error {
				if !p.dropIntent(out.ID) {
					return errNothing
				}
				p.Cash += in.Amount
				return nil
			})
		}
		return Transfer{}, err
	}
	if s.crashed("transfer_credit") {
		return Transfer{}, errCrashed
	}
	if err := s.recordTransfer(ctx, t); err != nil {
		return Transfer{}, err
	}
	s.record(ctx, &actor, "fund.transfer", "fund", fp.ID, "", fp.Region, map[string]any{"transfer_id": t.ID, "to": to,
		"amount": in.Amount, "reason": in.Reason, "from_cash_after": fp.Cash, "deferred_paid": t.Paid})
	if err := s.settlePayments(ctx, &actor, t.ID+"/in", t.Paid); err != nil {
		return Transfer{}, err
	}
	// The sending pool's intent goes first: while it is there, the
	// receiving pool's mark says whether the money arrived.
	if s.dropIntents(ctx, from, t.ID) {
		s.dropIntents(ctx, to, t.ID+"/in")
	}
	return t, nil
}

// credit pays a transfer into the receiving pool once: the pool's write
// carries a mark (intent "<id>/in") that says so while the sending pool's
// intent is there. Money coming in pays deferred claims first. It answers
// the transfer with the payments made.
func (s *Service) credit(ctx context.Context, out Intent) (Transfer, error) {
	t := *out.Transfer
	_, _, err := s.updatePool(context.WithoutCancel(ctx), t.To, func(p *Pool) error {
		if x := p.intent(t.ID + "/in"); x != nil {
			t.Paid = x.Payments
			return errNothing
		}
		p.Cash += t.Amount
		p.PaidIn += t.Amount
		t.Paid = p.payQueue()
		p.Intents = append(p.Intents, Intent{ID: t.ID + "/in", Kind: KindTransferIn, At: s.now(), Payments: t.Paid, Transfer: &t})
		return nil
	})
	if err != nil && err != errNothing {
		return t, err
	}
	if t.Paid == nil {
		t.Paid = []Payment{}
	}
	return t, nil
}

// recordTransfer writes the transfer's record (once).
func (s *Service) recordTransfer(ctx context.Context, t Transfer) error {
	t.State = "done"
	if err := s.transfers.Insert(context.WithoutCancel(ctx), t.ID, t); err != nil && !kedaitong.Is(err, kedaitong.EConflict) {
		return err
	}
	return nil
}

// finishTransfer rolls a transfer forward from the sending pool's intent:
// the receiving pool credited (once), the record written, the deferred
// payments booked.
func (s *Service) finishTransfer(ctx context.Context, out Intent) error {
	if out.Transfer == nil {
		return nil
	}
	t, err := s.credit(ctx, out)
	if err != nil {
		return err
	}
	if err := s.recordTransfer(ctx, t); err != nil {
		return err
	}
	return s.settlePayments(ctx, nil, t.ID+"/in", t.Paid)
}

// ListTransfers lists transfers newest first (officials see those touching their region).
func (s *Service) ListTransfers(ctx context.Context, actor identity.User, limit int, cursor string) ([]Transfer, string, error) {
	if !isOfficialOrAdmin(actor) {
		return nil, "", forbidden("only officials and admins read transfers", "只有政府用户和管理员可以查看资金调剂")
	}
	limit = clampLimit(limit)
	docs, next, err := store.FindMatching(ctx, s.transfers, store.Query{Sort: "created_ms", Desc: true, After: cursor}, limit, 5000, func(d store.Doc) (bool, error) {
		var t Transfer
		if err := d.Decode(&t); err != nil {
			return false, err
		}
		return actor.Role == identity.RoleAdmin || identity.RegionCovers(actor.Region, strings.TrimPrefix(t.From, "fund-")) ||
			identity.RegionCovers(actor.Region, strings.TrimPrefix(t.To, "fund-")), nil
	})
	if err != nil {
		return nil, "", err
	}
	out, err := store.DecodeAll[Transfer](docs)
	return out, next, err
}
