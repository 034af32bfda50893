// Package alerts is the rapid response to the risk map: triggers evaluated
// on ingest (the crawler's hook, so an item is in the inbox seconds after it
// is stored), users' rules, an in-app inbox with unread counts, and signed
// webhooks for banks' systems.
//
// Built-in triggers:
//
//   - cell_spike: a cell's index over the last 7 days stands at or above the
//     threshold (default 3 standard deviations above its own 90-day
//     baseline; confident cells only, on a store with at least 28 days of
//     history). At most one alert per cell per day: the alert is claimed by
//     inserting an event document keyed by the cell and the day. It goes to
//     the banks exposed in the industry (open applications or loans) and to
//     the owners of matching rules.
//   - high_severity: a high-severity risk story (export control, a route
//     overtaken, insolvency or default) on a route where a bank is exposed:
//     to that bank.
//   - enterprise: a risk story naming an enterprise with an open application
//     or a loan: to that application's bank.
//   - rule: a risk story matching a user's rule: to its owner.
//   - field: experts are subscribed to their fields by default (the
//     industries and routes of their expert profiles): a high-severity risk
//     story in one of them, and a cell spike in one of their industries.
//   - a stored story linked later to an enterprise that became known after
//     it was stored (the crawler's re-linker): the enterprise trigger, for
//     stories of the last 7 days (OnLinked).
//
// A story is alerted once (its cluster's first item); one recipient gets
// one alert per story, listing every reason it fired for them.
//
// Collections: alert_rules (user_id, created_ms); alert_events (one per
// fired alert, id = its dedupe key); alert_inbox (one per recipient,
// (user_id, created_ms) and (user_id, unread, created_ms)); alert_counters
// (unread per user, changed by Incr only); alert_webhooks (bank_id,
// created_ms); alert_deliveries ((state, next_ms) for the worker,
// (webhook_id, created_ms) for the status page).
package alerts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/intel"
	"kedaitong/intel/classify"
	"kedaitong/intel/fetch"
	"kedaitong/internal/store"
	"kedaitong/notify"
	"kedaitong/riskmap"
	"kedaitong/taxonomy"
)

// Collections of the package.
var (
	RulesDef  = store.CollectionDef{Name: "alert_rules", Indexes: []store.Index{{Fields: []string{"user_id", "created_ms"}}}}
	EventsDef = store.CollectionDef{Name: "alert_events", Indexes: []store.Index{{Fields: []string{"created_ms"}}, {Fields: []string{"pending", "created_ms"}}}}
	InboxDef  = store.CollectionDef{Name: "alert_inbox", Indexes: []store.Index{
		{Fields: []string{"user_id", "created_ms"}},
		{Fields: []string{"user_id", "unread", "created_ms"}},
	}}
	CountersDef   = store.CollectionDef{Name: "alert_counters"}
	WebhooksDef   = store.CollectionDef{Name: "alert_webhooks", Indexes: []store.Index{{Fields: []string{"bank_id", "created_ms"}}}}
	DeliveriesDef = store.CollectionDef{Name: "alert_deliveries", Indexes: []store.Index{
		{Fields: []string{"state", "next_ms"}},
		{Fields: []string{"webhook_id", "created_ms"}},
	}}
)

// Kinds of alerts.
const (
	KindSpike      = "cell_spike"
	KindHigh       = "high_severity"
	KindEnterprise = "enterprise"
	KindRule       = "rule"
	KindField      = "field" // an expert's default subscription: the fields of the expert's profile
)

// Options configure a Service.
type Options struct {
	Threshold float64      // spike threshold in standard deviations; 0: riskmap.DefaultThreshold
	Guard     *fetch.Guard // checks webhook URLs and their connections
	Notify    *notify.Service
	Recorder  identity.Recorder
	Logger    *slog.Logger
	Now       func() time.Time
	// ExpertFields lists the expert accounts with the fields (industry or
	// route codes) of their expert profiles: experts are subscribed to
	// their fields by default. Nil: no expert is.
	ExpertFields func(ctx context.Context) (map[string][]string, error)
}

// Service evaluates triggers and delivers alerts.
type Service struct {
	rules, events, inbox, counters, webhooks, deliveries store.Collection

	rm        *riskmap.Service
	tax       *taxonomy.Taxonomy
	threshold float64
	guard     *fetch.Guard
	notify    *notify.Service
	rec       identity.Recorder
	log       *slog.Logger
	now       func() time.Time
	wake      chan struct{}

	ruleMu    sync.Mutex
	ruleCache []Rule
	ruleAt    time.Time

	expertFields func(ctx context.Context) (map[string][]string, error)
	fieldMu      sync.Mutex
	fieldCache   []fieldSub
	fieldAt      time.Time
}

// Open declares the package's collections.
func Open(ctx context.Context, st store.Store, rm *riskmap.Service, opts Options) (*Service, error) {
	s := &Service{rm: rm, tax: taxonomy.Default(), threshold: opts.Threshold, guard: opts.Guard, notify: opts.Notify,
		rec: opts.Recorder, log: opts.Logger, now: opts.Now, wake: make(chan struct{}, 1), expertFields: opts.ExpertFields}
	for _, x := range []struct {
		c   *store.Collection
		def store.CollectionDef
	}{{&s.rules, RulesDef}, {&s.events, EventsDef}, {&s.inbox, InboxDef}, {&s.counters, CountersDef}, {&s.webhooks, WebhooksDef}, {&s.deliveries, DeliveriesDef}} {
		var err error
		if *x.c, err = st.Collection(ctx, x.def); err != nil {
			return nil, fmt.Errorf("alerts: %w", err)
		}
	}
	if s.threshold <= 0 {
		s.threshold = riskmap.DefaultThreshold
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.guard == nil {
		g, err := fetch.NewGuard("")
		if err != nil {
			return nil, err
		}
		s.guard = g
	}
	return s, nil
}

func newID(prefix string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

func keyID(prefix string, parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return prefix + "-" + hex.EncodeToString(h[:8])
}

func (s *Service) record(ctx context.Context, u identity.User, action, kind, id string, detail map[string]any) {
	if s.rec == nil {
		return
	}
	s.rec.Record(ctx, identity.Event{Actor: &u, Action: action, ObjectKind: kind, ObjectID: id, BankID: u.BankID, Detail: detail})
}

// Text is a message in both languages.
type Text = notify.Text

// ItemRef is a story an alert links, with the cues that classified it.
type ItemRef struct {
	ID        string         `json:"id"`
	Title     string         `json:"title"`
	Link      string         `json:"link"`
	Published time.Time      `json:"published"`
	Severity  string         `json:"severity"`
	Cues      []classify.Cue `json:"cues"`
}

// Alert is one recipient's alert.
type Alert struct {
	ID         string    `json:"id"`
	UserID     string    `json:"user_id"`
	EventID    string    `json:"event_id"`
	Kind       string    `json:"kind"`  // the first reason's kind
	Kinds      []string  `json:"kinds"` // every trigger that fired for this recipient
	Title      Text      `json:"title"`
	Reasons    []Text    `json:"reasons"` // why it fired, one line per trigger
	Industry   string    `json:"industry,omitempty"`
	Dimension  string    `json:"dimension,omitempty"`
	Routes     []string  `json:"routes"`
	Enterprise []string  `json:"enterprises"`
	Score      float64   `json:"score,omitempty"`
	Items      []ItemRef `json:"items"`
	Link       string    `json:"link"` // the items on this site
	RuleIDs    []string  `json:"rule_ids"`
	Unread     bool      `json:"unread"`
	CreatedAt  time.Time `json:"created_at"`
	CreatedMS  int64     `json:"created_ms"`
}

// event is a fired alert before it is fanned out.
type event struct {
	key        string
	title      Text
	industry   string
	dimension  string
	routes     []string
	enterprise []string
	score      float64
	items      []ItemRef
	link       string
	// recipients: banks and users, each with its reasons
	banks map[string][]reason
	users map[string][]reason
	// claimed: a cell spike's claim stored the event (see outbox.go)
	claimed bool
}

type reason struct {
	kind string
	text Text
	rule string
	bank string // the bank the recipient was addressed through ("" for none)
}

func (e *event) toBank(bank string, r reason) {
	if bank == "" {
		return
	}
	if e.banks == nil {
		e.banks = map[string][]reason{}
	}
	r.bank = bank
	e.banks[bank] = append(e.banks[bank], r)
}

func (e *event) toUser(user string, r reason) {
	if e.users == nil {
		e.users = map[string][]reason{}
	}
	e.users[user] = append(e.users[user], r)
}

// OnItems is the crawler's hook: it evaluates every trigger on newly
// stored items. Failures are logged, never passed to the crawl.
func (s *Service) OnItems(ctx context.Context, items []intel.Item) {
	if _, err := s.Evaluate(ctx, items); err != nil {
		s.log.Warn("alerts: evaluate", "err", err)
	}
}

// LinkedWindow is how recent a stored story must be for a link added
// later (an enterprise that became known after the story was stored) to
// raise the enterprise alert: news is rapid response, older stories show in
// the bank's exposure instead.
const LinkedWindow = 7 * 24 * time.Hour

// OnLinked is the re-linker's hook: stored items that were linked to
// enterprises after they were stored. Only the enterprise trigger runs (the
// other triggers ran when the items were stored); an alert already given
// for the story is not repeated.
func (s *Service) OnLinked(ctx context.Context, items []intel.Item) {
	book, err := s.rm.Book(ctx)
	if err != nil {
		s.log.Warn("alerts: linked items", "err", err)
		return
	}
	since := s.now().Add(-LinkedWindow)
	for i := range items {
		it := &items[i]
		if it.Polarity != classify.Risk || it.Published.Before(since) {
			continue
		}
		ev := s.newItemEvent(it)
		s.enterpriseTrigger(ev, it, book)
		if len(ev.banks) == 0 {
			continue
		}
		id, err := s.hold(ctx, ev)
		if err != nil {
			s.log.Warn("alerts: linked items", "err", err)
			return
		}
		if _, err := s.fanOut(ctx, id, ev); err != nil {
			s.log.Warn("alerts: linked items", "err", err)
			return
		}
	}
}

// Evaluate runs the triggers on items and returns how many alerts it put
// in inboxes.
func (s *Service) Evaluate(ctx context.Context, items []intel.Item) (int, error) {
	book, err := s.rm.Book(ctx)
	if err != nil {
		return 0, err
	}
	rules, err := s.allRules(ctx)
	if err != nil {
		return 0, err
	}
	subs, err := s.fieldSubs(ctx)
	if err != nil {
		return 0, err
	}
	var evs []*event
	today := riskmap.DayOf(s.now())
	touched := map[riskmap.Day]map[string][]string{}
	for i := range items {
		it := &items[i]
		if !it.ClusterFirst || it.Polarity != classify.Risk {
			continue
		}
		if d := riskmap.DayOf(it.Published); d >= today.Add(-1) && d <= today {
			if touched[d] == nil {
				touched[d] = map[string][]string{}
			}
			for _, ind := range it.Industries {
				for _, dim := range it.Dimensions {
					if !slices.Contains(touched[d][ind], dim) {
						touched[d][ind] = append(touched[d][ind], dim)
					}
				}
			}
		}
		if ev := s.itemEvent(it, book, rules, subs); ev != nil {
			evs = append(evs, ev)
		}
	}
	days := make([]riskmap.Day, 0, len(touched))
	for d := range touched {
		days = append(days, d)
	}
	sort.Slice(days, func(i, j int) bool { return days[i] < days[j] })
	for _, d := range days {
		cells, err := s.rm.Spikes(ctx, d, s.threshold, touched[d])
		if err != nil {
			return 0, err
		}
		for _, c := range cells {
			ev, err := s.spikeEvent(ctx, d, c, book, rules, subs, items)
			if err != nil {
				return 0, err
			}
			if ev != nil {
				evs = append(evs, ev)
			}
		}
	}
	n := 0
	for _, ev := range evs {
		id := keyID("evt", ev.key)
		if !ev.claimed {
			var err error
			if id, err = s.hold(ctx, ev); err != nil {
				return n, err
			}
		}
		k, err := s.fanOut(ctx, id, ev)
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func ref(it *intel.Item) ItemRef {
	cues := it.Cues
	if cues == nil {
		cues = []classify.Cue{}
	}
	return ItemRef{ID: it.ID, Title: it.Title, Link: it.Link, Published: it.Published, Severity: it.Severity, Cues: cues}
}

// itemEvent applies the per-story triggers to a risk story.
func (s *Service) itemEvent(it *intel.Item, book *riskmap.Book, rules []Rule, subs []fieldSub) *event {
	ev := s.newItemEvent(it)
	s.enterpriseTrigger(ev, it, book)
	if it.Severity == classify.SeverityHigh {
		for _, route := range it.Routes {
			for _, bank := range book.ByRoute[route] {
				ev.toBank(bank, reason{kind: KindHigh, text: Text{
					ZH: fmt.Sprintf("高严重度风险（出口管制、路线被超越、破产或违约）出现在贵行有敞口的技术路线 %s", s.rm.IndustryName(route, "zh-CN")),
					EN: fmt.Sprintf("A high-severity risk (export control, route overtaken, insolvency or default) on %s, a route your bank is exposed to", s.rm.IndustryName(route, "en"))}})
			}
		}
	}
	for i := range rules {
		r := &rules[i]
		if r.matchItem(it) {
			ev.toUser(r.UserID, reason{kind: KindRule, rule: r.ID, bank: r.BankID, text: Text{
				ZH: fmt.Sprintf("符合您的订阅规则「%s」", r.Name), EN: fmt.Sprintf("Matches your rule “%s”", r.Name)}})
		}
	}
	if it.Severity == classify.SeverityHigh {
		for _, sub := range subs {
			if f := sub.matchItem(it); f != "" {
				ev.toUser(sub.userID, reason{kind: KindField, text: Text{
					ZH: fmt.Sprintf("高严重度风险（出口管制、路线被超越、破产或违约）出现在您的专业领域 %s", s.rm.IndustryName(f, "zh-CN")),
					EN: fmt.Sprintf("A high-severity risk (export control, route overtaken, insolvency or default) in your field %s", s.rm.IndustryName(f, "en"))}})
			}
		}
	}
	if len(ev.banks) == 0 && len(ev.users) == 0 {
		return nil
	}
	return ev
}

// fieldSub is an expert's default subscription: the industries and
// routes of the expert's profile.
type fieldSub struct {
	userID string
	fields []string // industry or route codes
}

// matchItem returns the field of the expert the item is in ("" when none):
// a route field matches items on that route, an industry field items of
// that industry.
func (f fieldSub) matchItem(it *intel.Item) string {
	for _, x := range f.fields {
		if strings.Contains(x, ".") {
			if slices.Contains(it.Routes, x) {
				return x
			}
		} else if slices.Contains(it.Industries, x) {
			return x
		}
	}
	return ""
}

// matchIndustry returns the field of the expert in the industry ("" when none).
func (f fieldSub) matchIndustry(industry string, industryOf func(string) string) string {
	for _, x := range f.fields {
		if x == industry || industryOf(x) == industry {
			return x
		}
	}
	return ""
}

// fieldSubs returns the experts' default subscriptions (cached for a minute).
func (s *Service) fieldSubs(ctx context.Context) ([]fieldSub, error) {
	if s.expertFields == nil {
		return nil, nil
	}
	s.fieldMu.Lock()
	defer s.fieldMu.Unlock()
	if s.fieldCache != nil && time.Since(s.fieldAt) < time.Minute {
		return s.fieldCache, nil
	}
	m, err := s.expertFields(ctx)
	if err != nil {
		return nil, err
	}
	out := []fieldSub{}
	for uid, fs := range m {
		var ok []string
		for _, f := range fs {
			if s.tax.IsField(f) {
				ok = append(ok, f)
			}
		}
		if len(ok) > 0 {
			out = append(out, fieldSub{userID: uid, fields: ok})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].userID < out[j].userID })
	s.fieldCache, s.fieldAt = out, time.Now()
	return out, nil
}

// FieldsChanged drops the cached expert subscriptions (an expert's profile
// or account changed).
func (s *Service) FieldsChanged() {
	s.fieldMu.Lock()
	s.fieldCache = nil
	s.fieldMu.Unlock()
}

// newItemEvent is the event of a risk story, not yet addressed.
func (s *Service) newItemEvent(it *intel.Item) *event {
	ev := &event{key: "item:" + it.ClusterID, routes: it.Routes, enterprise: it.Enterprises, items: []ItemRef{ref(it)},
		link: "/intel/items/" + it.ID}
	if ev.key == "item:" {
		ev.key = "item:" + it.ID
	}
	if len(it.Industries) > 0 {
		ev.industry = it.Industries[0]
	}
	if len(it.Dimensions) > 0 {
		ev.dimension = it.Dimensions[0]
	}
	ev.title = Text{ZH: "风险报道：" + it.Title, EN: "Risk story: " + it.Title}
	return ev
}

// enterpriseTrigger addresses the story to the banks with an open
// application or a loan on an enterprise it names.
func (s *Service) enterpriseTrigger(ev *event, it *intel.Item, book *riskmap.Book) {
	for _, code := range it.Enterprises {
		for _, r := range book.ByEnterprise[code] {
			what := Text{ZH: "申请在办", EN: "an open application"}
			if r.Granted {
				what = Text{ZH: "已获贷款", EN: "a loan"}
			}
			ev.toBank(r.BankID, reason{kind: KindEnterprise, text: Text{
				ZH: fmt.Sprintf("报道点名贵行有%s的企业 %s（%s）", what.ZH, r.Name, r.CreditCode),
				EN: fmt.Sprintf("The story names %s (%s), an enterprise with %s at your bank", r.Name, r.CreditCode, what.EN)}})
		}
	}
}

// spikeEvent claims the cell's alert of the day and addresses it.
func (s *Service) spikeEvent(ctx context.Context, d riskmap.Day, c riskmap.Cell, book *riskmap.Book, rules []Rule, subs []fieldSub, items []intel.Item) (*event, error) {
	key := "spike:" + c.Industry + ":" + c.Dimension + ":" + d.String()
	ev := &event{key: key, industry: c.Industry, dimension: c.Dimension, score: c.Score, routes: []string{}, enterprise: []string{},
		link: fmt.Sprintf("/riskmap?cell=%s:%s&from=%s&to=%s", c.Industry, c.Dimension, d.Add(-(riskmap.SpikeWindow - 1)), d)}
	indZH, indEN := s.rm.IndustryName(c.Industry, "zh-CN"), s.rm.IndustryName(c.Industry, "en")
	dimZH, dimEN := riskmap.DimensionName(c.Dimension, "zh-CN"), riskmap.DimensionName(c.Dimension, "en")
	ev.title = Text{ZH: fmt.Sprintf("风险骤升：%s · %s", indZH, dimZH), EN: fmt.Sprintf("Risk spike: %s · %s", indEN, dimEN)}
	why := reason{kind: KindSpike, text: Text{
		ZH: fmt.Sprintf("%s的%s风险指数高于其 90 日基线 %.1f 个标准差（阈值 %.1f；近 %d 天风险报道 %d 篇）", indZH, dimZH, c.Score, s.threshold, riskmap.SpikeWindow, c.RiskCount),
		EN: fmt.Sprintf("The %s risk index of %s is %.1f standard deviations above its 90-day baseline (threshold %.1f; %d risk stories in the last %d days)", strings.ToLower(dimEN), indEN, c.Score, s.threshold, c.RiskCount, riskmap.SpikeWindow)}}
	for _, bank := range book.ByIndustry[c.Industry] {
		ev.toBank(bank, reason{kind: KindSpike, text: Text{ZH: why.text.ZH + "；贵行在该产业有敞口", EN: why.text.EN + "; your bank is exposed to this industry"}})
	}
	for i := range rules {
		r := &rules[i]
		if r.matchCell(c.Industry, c.Dimension, s.tax.IndustryOf) {
			ev.toUser(r.UserID, reason{kind: KindSpike, rule: r.ID, bank: r.BankID, text: Text{ZH: why.text.ZH + fmt.Sprintf("；符合规则「%s」", r.Name), EN: why.text.EN + fmt.Sprintf("; matches your rule “%s”", r.Name)}})
		}
	}
	for _, sub := range subs {
		if f := sub.matchIndustry(c.Industry, s.tax.IndustryOf); f != "" {
			ev.toUser(sub.userID, reason{kind: KindSpike, text: Text{
				ZH: why.text.ZH + fmt.Sprintf("；属于您的专业领域 %s", s.rm.IndustryName(f, "zh-CN")),
				EN: why.text.EN + fmt.Sprintf("; in your field %s", s.rm.IndustryName(f, "en"))}})
		}
	}
	for i := range items {
		it := &items[i]
		if it.ClusterFirst && it.Polarity == classify.Risk && slices.Contains(it.Industries, c.Industry) && slices.Contains(it.Dimensions, c.Dimension) && len(ev.items) < 10 {
			ev.items = append(ev.items, ref(it))
		}
	}
	if len(ev.banks) == 0 && len(ev.users) == 0 {
		return nil, nil
	}
	// At most one alert per cell per day: claim it.
	now := s.now().UTC()
	// The claim holds the whole event, pending until it is fanned out.
	err := s.events.Insert(ctx, keyID("evt", key), ev.stored(now, true))
	if kedaitong.Is(err, kedaitong.EConflict) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ev.claimed = true
	return ev, nil
}

// deliver fans an event out: one inbox alert per recipient user (banks
// resolved to their users), merged reasons, written once (the alert id is
// derived from the event and the user); and webhook deliveries for the
// banks addressed.
func (s *Service) deliver(ctx context.Context, ev *event) (int, error) {
	per := map[string][]reason{}
	var order []string
	add := func(uid string, rs []reason) {
		if _, ok := per[uid]; !ok {
			order = append(order, uid)
		}
		per[uid] = append(per[uid], rs...)
	}
	banks := make([]string, 0, len(ev.banks))
	for b := range ev.banks {
		banks = append(banks, b)
	}
	sort.Strings(banks)
	for _, b := range banks {
		if s.notify == nil {
			break
		}
		ids, err := s.notify.Recipients(ctx, notify.Audience{Banks: []string{b}})
		if err != nil {
			return 0, err
		}
		for _, uid := range ids {
			add(uid, ev.banks[b])
		}
	}
	users := make([]string, 0, len(ev.users))
	for u := range ev.users {
		users = append(users, u)
	}
	sort.Strings(users)
	for _, u := range users {
		add(u, ev.users[u])
	}
	now := s.now().UTC()
	n := 0
	var book *riskmap.Book
	if len(ev.enterprise) > 0 {
		var err error
		if book, err = s.rm.Book(ctx); err != nil {
			return 0, err
		}
	}
	for _, uid := range order {
		rs := per[uid]
		var via []string
		for _, r := range rs {
			if r.bank != "" && !slices.Contains(via, r.bank) {
				via = append(via, r.bank)
			}
		}
		a := Alert{ID: keyID("alr", ev.key, uid), UserID: uid, EventID: keyID("evt", ev.key), Title: ev.title,
			Industry: ev.industry, Dimension: ev.dimension, Routes: nonNil(ev.routes), Enterprise: scopeEnterprises(ev.enterprise, book, via...),
			Score: ev.score, Items: ev.items, Link: ev.link, RuleIDs: []string{}, Unread: true, CreatedAt: now, CreatedMS: now.UnixMilli()}
		for _, r := range rs {
			if !slices.Contains(a.Kinds, r.kind) {
				a.Kinds = append(a.Kinds, r.kind)
			}
			if !slices.ContainsFunc(a.Reasons, func(t Text) bool { return t == r.text }) {
				a.Reasons = append(a.Reasons, r.text)
			}
			if r.rule != "" && !slices.Contains(a.RuleIDs, r.rule) {
				a.RuleIDs = append(a.RuleIDs, r.rule)
			}
		}
		a.Kind = a.Kinds[0]
		if err := s.inbox.Insert(ctx, a.ID, a); err != nil {
			if kedaitong.Is(err, kedaitong.EConflict) {
				continue // delivered before
			}
			return n, err
		}
		if _, err := s.counters.Incr(ctx, uid, map[string]any{"user_id": uid}, map[string]int64{"unread": 1, "total": 1}); err != nil {
			return n, err
		}
		n++
		if s.notify != nil {
			_, _ = s.notify.Send(ctx, notify.Audience{UserIDs: []string{uid}}, notify.Message{Kind: "alert." + a.Kind, Title: a.Title,
				Body: a.Reasons[0], Link: "/alerts", ObjectKind: "alert", ObjectID: a.ID})
		}
	}
	for _, b := range banks {
		if err := s.enqueue(ctx, b, ev, now); err != nil {
			return n, err
		}
	}
	return n, nil
}

// scopeEnterprises keeps the enterprises (credit codes) one of the banks
// has an application on: an alert names only enterprises of the
// recipient's own bank's book (a user addressed through no bank, such as
// an analyst's rule or an expert's field, sees none), never another
// bank's applicants.
func scopeEnterprises(codes []string, book *riskmap.Book, banks ...string) []string {
	out := []string{}
	if book == nil {
		return out
	}
	for _, c := range codes {
		for _, b := range banks {
			if book.BankHolds(b, c) {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// allRules returns every rule (cached for a few seconds; a change of rules
// drops the cache).
func (s *Service) allRules(ctx context.Context) ([]Rule, error) {
	s.ruleMu.Lock()
	defer s.ruleMu.Unlock()
	if s.ruleCache != nil && time.Since(s.ruleAt) < 10*time.Second {
		return s.ruleCache, nil
	}
	out := []Rule{}
	q := store.Query{Limit: 500}
	for {
		p, err := s.rules.Find(ctx, q)
		if err != nil {
			return nil, err
		}
		rs, err := store.DecodeAll[Rule](p.Docs)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
		if p.Next == "" {
			break
		}
		q.After = p.Next
	}
	s.ruleCache, s.ruleAt = out, time.Now()
	return out, nil
}

func (s *Service) rulesStale() {
	s.ruleMu.Lock()
	s.ruleCache = nil
	s.ruleMu.Unlock()
}

// Filter narrows an inbox.
type Filter struct {
	UnreadOnly bool
	Limit      int
	Cursor     string
}

// MayRead: alerts are for analysts, banks' users, officials and experts.
func MayRead(u identity.User) error { return MaySubscribe(u) }

// List returns the caller's alerts, newest first.
func (s *Service) List(ctx context.Context, u identity.User, f Filter) ([]Alert, string, error) {
	if err := MayRead(u); err != nil {
		return nil, "", err
	}
	q := store.Query{Eq: map[string]any{"user_id": u.ID}, Sort: "created_ms", Desc: true, Limit: f.Limit, After: f.Cursor}
	if f.UnreadOnly {
		q.Eq["unread"] = true
	}
	p, err := s.inbox.Find(ctx, q)
	if err != nil {
		return nil, "", err
	}
	out, err := store.DecodeAll[Alert](p.Docs)
	if err != nil {
		return nil, "", err
	}
	for i := range out {
		if out[i].Enterprise, err = s.readScope(ctx, u, out[i].Enterprise); err != nil {
			return nil, "", err
		}
	}
	return out, p.Next, nil
}

// readScope keeps, of an alert's enterprises, those of the reader's own
// bank's book (alerts stored before enterprises were scoped per recipient
// are scoped when read).
func (s *Service) readScope(ctx context.Context, u identity.User, codes []string) ([]string, error) {
	if len(codes) == 0 {
		return nonNil(codes), nil
	}
	book, err := s.rm.Book(ctx)
	if err != nil {
		return nil, err
	}
	bank := ""
	if identity.IsBankRole(u.Role) {
		bank = u.BankID
	}
	return scopeEnterprises(codes, book, bank), nil
}

// Unread is the caller's unread count (one lookup).
func (s *Service) Unread(ctx context.Context, u identity.User) (int64, error) {
	var c struct {
		Unread int64 `json:"unread"`
	}
	if _, err := s.counters.Get(ctx, u.ID, &c); err != nil {
		if kedaitong.Is(err, kedaitong.ENotFound) {
			return 0, nil
		}
		return 0, err
	}
	return max(c.Unread, 0), nil
}

// Get returns one of the caller's alerts; another's is not found.
func (s *Service) Get(ctx context.Context, u identity.User, id string) (Alert, int64, error) {
	var a Alert
	v, err := s.inbox.Get(ctx, id, &a)
	if err != nil || a.UserID != u.ID {
		if err == nil || kedaitong.Is(err, kedaitong.ENotFound) || kedaitong.Is(err, kedaitong.EInvalid) {
			return Alert{}, 0, kedaitong.Errorf(kedaitong.ENotFound, "no alert %q", id).ZHf("没有预警 %q", id)
		}
		return Alert{}, 0, err
	}
	if a.Enterprise, err = s.readScope(ctx, u, a.Enterprise); err != nil {
		return Alert{}, 0, err
	}
	return a, v, nil
}

// MarkRead marks one of the caller's alerts read (again: no change).
func (s *Service) MarkRead(ctx context.Context, u identity.User, id string) (Alert, error) {
	if err := MayRead(u); err != nil {
		return Alert{}, err
	}
	for attempt := 0; ; attempt++ {
		a, v, err := s.Get(ctx, u, id)
		if err != nil {
			return Alert{}, err
		}
		if !a.Unread {
			return a, nil
		}
		a.Unread = false
		if _, err := s.inbox.Replace(ctx, id, v, a); err != nil {
			if kedaitong.Is(err, kedaitong.EConflict) && attempt < 5 {
				continue
			}
			return Alert{}, err
		}
		if _, err := s.counters.Incr(ctx, u.ID, map[string]any{"user_id": u.ID}, map[string]int64{"unread": -1}); err != nil {
			return Alert{}, err
		}
		return a, nil
	}
}

// MarkAllRead marks every unread alert of the caller read.
func (s *Service) MarkAllRead(ctx context.Context, u identity.User) (int, error) {
	if err := MayRead(u); err != nil {
		return 0, err
	}
	n := 0
	for {
		p, err := s.inbox.Find(ctx, store.Query{Eq: map[string]any{"user_id": u.ID, "unread": true}, Sort: "created_ms", Desc: true, Limit: 200})
		if err != nil {
			return n, err
		}
		if len(p.Docs) == 0 {
			break
		}
		for _, d := range p.Docs {
			if _, err := s.MarkRead(ctx, u, d.ID); err != nil {
				return n, err
			}
			n++
		}
	}
	var c struct {
		Unread int64 `json:"unread"`
	}
	if _, err := s.counters.Get(ctx, u.ID, &c); err == nil && c.Unread != 0 {
		_, _ = s.counters.Incr(ctx, u.ID, map[string]any{"user_id": u.ID}, map[string]int64{"unread": -c.Unread})
	}
	return n, nil
}
