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
	State     string    `json:"state"` // "done", or "debited" if crediting failed
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
	fp, _, err := s.updatePool(ctx, from, func(p *Pool) error {
		if p.Cash-in.Amount < p.minCash() {
			return kedaitong.Errorf(kedaitong.EConflict, "fund %s would keep %d yuan, below the %d yuan its outstanding loans need (outstanding ÷ leverage)", p.Region, p.Cash-in.Amount, p.minCash()).ZHf("调出后资金池 %s 余额 %d 元，低于在贷余额所需的 %d 元（在贷余额 ÷ 放大倍数）", p.Region, p.Cash-in.Amount, p.minCash())
		}
		p.Cash -= in.Amount
		return nil
	})
	if err != nil {
		return Transfer{}, err
	}
	now := s.now()
	t := Transfer{ID: newID("trf-"), From: from, To: to, Amount: in.Amount, Reason: in.Reason, By: actor.ID, At: now, State: "debited", CreatedMS: now.UnixMilli()}
	var paid []Payment
	tp, _, err := s.updatePool(ctx, to, func(p *Pool) error {
		p.Cash += in.Amount
		p.PaidIn += in.Amount
		paid = p.payQueue()
		return nil
	})
	if err != nil {
		// Give the money back to from so nothing is lost.
		_, _, _ = s.updatePool(ctx, from, func(p *Pool) error { p.Cash += in.Amount; return nil })
		return Transfer{}, err
	}
	t.State, t.Paid = "done", paid
	if t.Paid == nil {
		t.Paid = []Payment{}
	}
	if err := s.transfers.Insert(ctx, t.ID, t); err != nil {
		return Transfer{}, err
	}
	s.record(ctx, &actor, "fund.transfer", "fund", fp.ID, "", fp.Region, map[string]any{"transfer_id": t.ID, "to": tp.ID,
		"amount": in.Amount, "reason": in.Reason, "from_cash_after": fp.Cash, "to_cash_after": tp.Cash, "deferred_paid": paid})
	s.settlePayments(ctx, &actor, paid)
	return t, nil
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
