package alerts

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/riskmap"
)

// Webhooks. A bank's manager registers an HTTPS (or, allow-listed, HTTP)
// URL; every alert addressed to the bank is POSTed to it as JSON:
//
//	POST <url>
//	Content-Type: application/json
//	X-Kedai-Event: alert
//	X-Kedai-Delivery: <delivery id, the same on every retry>
//	X-Kedai-Timestamp: <Unix seconds of this attempt>
//	X-Kedai-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>
//
// To verify, a receiver recomputes the HMAC over the timestamp header, a
// dot and the raw body with the secret shown once when the webhook was
// created, compares it in constant time, and rejects a timestamp more
// than 5 minutes from its clock (ReplayWindow) and a delivery id it has
// seen already: a captured request cannot be replayed later, and a retry
// is recognised. A 2xx answer is success; anything else (or no answer in
// 10 s) is retried with backoff (Backoff) up to MaxAttempts, each attempt
// persisted on the delivery, the failures visible on the webhook.

// Webhook limits.
const (
	ReplayWindow  = 5 * time.Minute
	MaxAttempts   = 8
	maxWebhooks   = 5
	leaseDelivery = 60 * time.Second
)

// Backoff is the wait before each retry: 10 s, 30 s, 1 min, 5 min, 15 min,
// 1 h, 3 h.
var Backoff = []time.Duration{10 * time.Second, 30 * time.Second, time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 3 * time.Hour}

// Webhook is a bank's receiver.
type Webhook struct {
	ID                  string     `json:"id"`
	BankID              string     `json:"bank_id"`
	CreatedBy           string     `json:"created_by"`
	URL                 string     `json:"url"`
	Secret              string     `json:"secret,omitempty"` // only in the answer that creates it
	CreatedAt           time.Time  `json:"created_at"`
	CreatedMS           int64      `json:"created_ms"`
	Delivered           int64      `json:"delivered"`
	Failed              int64      `json:"failed"` // deliveries given up
	ConsecutiveFailures int        `json:"consecutive_failures"`
	LastAttempt         *time.Time `json:"last_attempt,omitempty"`
	LastStatus          string     `json:"last_status,omitempty"` // delivered, retrying, failed
	LastError           string     `json:"last_error,omitempty"`
}

type webhookDoc struct {
	Webhook
	Key string `json:"key"` // the signing secret
}

// Delivery is one alert to one webhook, with its attempts.
type Delivery struct {
	ID        string    `json:"id"`
	WebhookID string    `json:"webhook_id"`
	BankID    string    `json:"bank_id"`
	EventID   string    `json:"event_id"`
	Title     string    `json:"title"`
	State     string    `json:"state"` // pending, delivered, failed
	Attempts  []Attempt `json:"attempts"`
	NextMS    int64     `json:"next_ms"`
	CreatedMS int64     `json:"created_ms"`
}

type deliveryDoc struct {
	Delivery
	Payload string `json:"payload"`
}

// Attempt is one try of a delivery.
type Attempt struct {
	At     time.Time `json:"at"`
	Status int       `json:"status,omitempty"` // HTTP status; 0 when there was no answer
	Error  string    `json:"error,omitempty"`
}

// Delivery states.
const (
	StatePending   = "pending"
	StateDelivered = "delivered"
	StateFailed    = "failed"
)

// NewWebhook is the body of POST /api/v1/alerts/webhooks.
type NewWebhook struct {
	URL string `json:"url"`
}

// MayManageWebhooks: a bank's managers.
func MayManageWebhooks(u identity.User) error {
	if u.Role == identity.RoleBankManager && u.BankID != "" {
		return nil
	}
	return kedaitong.Errorf(kedaitong.EForbidden, "webhooks are registered by a bank's managers").ZHf("Webhook 只能由银行的管理人员登记")
}

func mayReadWebhooks(u identity.User) error {
	if (u.Role == identity.RoleBankManager || u.Role == identity.RoleBankOfficer) && u.BankID != "" {
		return nil
	}
	return kedaitong.Errorf(kedaitong.EForbidden, "webhooks belong to banks").ZHf("Webhook 属于银行")
}

// CreateWebhook registers a receiver for the caller's bank. The URL must
// pass the crawler's SSRF guard (public addresses only, unless the
// operator allow-listed it). The answer carries the signing secret, the
// only time it is shown.
func (s *Service) CreateWebhook(ctx context.Context, u identity.User, in NewWebhook) (Webhook, error) {
	if err := MayManageWebhooks(u); err != nil {
		return Webhook{}, err
	}
	in.URL = strings.TrimSpace(in.URL)
	if in.URL == "" {
		return Webhook{}, kedaitong.Invalid("url", "the receiver's URL is required").ZHf("请填写接收方的 URL")
	}
	if len(in.URL) > 2000 {
		return Webhook{}, kedaitong.Invalid("url", "at most 2000 characters").ZHf("URL 最多 2000 个字符")
	}
	if err := s.guard.CheckURL(ctx, in.URL); err != nil {
		return Webhook{}, kedaitong.Invalid("url", "%s", kedaitong.ErrorMessage(err)).ZHf("%s", kedaitong.MessageIn(err, "zh-CN"))
	}
	n, err := s.webhooks.Count(ctx, store.Query{Eq: map[string]any{"bank_id": u.BankID}})
	if err != nil {
		return Webhook{}, err
	}
	if n >= maxWebhooks {
		return Webhook{}, kedaitong.Errorf(kedaitong.EConflict, "at most %d webhooks per bank; delete one first", maxWebhooks).ZHf("每家银行最多 %d 个 Webhook，请先删除一个", maxWebhooks)
	}
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	secret := "whsec_" + hex.EncodeToString(b)
	now := s.now().UTC()
	d := webhookDoc{Webhook: Webhook{ID: newID("whk"), BankID: u.BankID, CreatedBy: u.ID, URL: in.URL, CreatedAt: now, CreatedMS: now.UnixMilli()}, Key: secret}
	if err := s.webhooks.Insert(ctx, d.ID, d); err != nil {
		return Webhook{}, err
	}
	s.record(ctx, u, "alert_webhook.create", "alert_webhook", d.ID, map[string]any{"url": in.URL})
	w := d.Webhook
	w.Secret = secret
	return w, nil
}

// Webhooks lists the caller's bank's webhooks (never their secrets).
func (s *Service) Webhooks(ctx context.Context, u identity.User) ([]Webhook, error) {
	if err := mayReadWebhooks(u); err != nil {
		return nil, err
	}
	ws, err := s.bankWebhooks(ctx, u.BankID)
	if err != nil {
		return nil, err
	}
	out := make([]Webhook, len(ws))
	for i, w := range ws {
		out[i] = w.Webhook
	}
	return out, nil
}

func (s *Service) bankWebhooks(ctx context.Context, bank string) ([]webhookDoc, error) {
	p, err := s.webhooks.Find(ctx, store.Query{Eq: map[string]any{"bank_id": bank}, Sort: "created_ms", Limit: 100})
	if err != nil {
		return nil, err
	}
	return store.DecodeAll[webhookDoc](p.Docs)
}

// WebhookStatus is a webhook with its latest deliveries.
type WebhookStatus struct {
	Webhook
	Deliveries []Delivery `json:"deliveries"`
}

func (s *Service) loadWebhook(ctx context.Context, u identity.User, id string) (webhookDoc, int64, error) {
	var d webhookDoc
	v, err := s.webhooks.Get(ctx, id, &d)
	if err != nil || d.BankID != u.BankID {
		if err == nil || kedaitong.Is(err, kedaitong.ENotFound) || kedaitong.Is(err, kedaitong.EInvalid) {
			return d, 0, kedaitong.Errorf(kedaitong.ENotFound, "no webhook %q", id).ZHf("没有 Webhook %q", id)
		}
		return d, 0, err
	}
	return d, v, nil
}

// Webhook returns one of the bank's webhooks with its 20 latest deliveries
// and their attempts.
func (s *Service) Webhook(ctx context.Context, u identity.User, id string) (WebhookStatus, error) {
	if err := mayReadWebhooks(u); err != nil {
		return WebhookStatus{}, err
	}
	d, _, err := s.loadWebhook(ctx, u, id)
	if err != nil {
		return WebhookStatus{}, err
	}
	p, err := s.deliveries.Find(ctx, store.Query{Eq: map[string]any{"webhook_id": id}, Sort: "created_ms", Desc: true, Limit: 20})
	if err != nil {
		return WebhookStatus{}, err
	}
	ds, err := store.DecodeAll[deliveryDoc](p.Docs)
	if err != nil {
		return WebhookStatus{}, err
	}
	st := WebhookStatus{Webhook: d.Webhook, Deliveries: []Delivery{}}
	for _, x := range ds {
		st.Deliveries = append(st.Deliveries, x.Delivery)
	}
	return st, nil
}

// DeleteWebhook removes one of the bank's webhooks (pending deliveries are
// dropped by the worker).
func (s *Service) DeleteWebhook(ctx context.Context, u identity.User, id string) error {
	if err := MayManageWebhooks(u); err != nil {
		return err
	}
	if _, _, err := s.loadWebhook(ctx, u, id); err != nil {
		return err
	}
	if err := s.webhooks.Delete(ctx, id); err != nil {
		return err
	}
	s.record(ctx, u, "alert_webhook.delete", "alert_webhook", id, nil)
	return nil
}

// Payload is the JSON body a webhook receives.
type Payload struct {
	Type    string `json:"type"` // "alert"
	EventID string `json:"event_id"`
	BankID  string `json:"bank_id"`
	Alert   Alert  `json:"alert"`
}

// enqueue persists a delivery of the event to each of the bank's webhooks
// (keyed by event and webhook: written once) and wakes the worker.
func (s *Service) enqueue(ctx context.Context, bank string, ev *event, now time.Time) error {
	ws, err := s.bankWebhooks(ctx, bank)
	if err != nil || len(ws) == 0 {
		return err
	}
	var book *riskmap.Book
	if len(ev.enterprise) > 0 {
		if book, err = s.rm.Book(ctx); err != nil {
			return err
		}
	}
	a := Alert{ID: keyID("evt", ev.key), EventID: keyID("evt", ev.key), Title: ev.title, Industry: ev.industry, Dimension: ev.dimension,
		Routes: nonNil(ev.routes), Enterprise: scopeEnterprises(ev.enterprise, book, bank), Score: ev.score, Items: ev.items, Link: ev.link, RuleIDs: []string{}, CreatedAt: now, CreatedMS: now.UnixMilli()}
	for _, r := range ev.banks[bank] {
		a.Reasons = append(a.Reasons, r.text)
		a.Kinds = append(a.Kinds, r.kind)
	}
	if len(a.Kinds) > 0 {
		a.Kind = a.Kinds[0]
	}
	body, err := json.Marshal(Payload{Type: "alert", EventID: a.EventID, BankID: bank, Alert: a})
	if err != nil {
		return err
	}
	for _, w := range ws {
		d := deliveryDoc{Delivery: Delivery{ID: keyID("dlv", ev.key, w.ID), WebhookID: w.ID, BankID: bank, EventID: a.EventID,
			Title: a.Title.EN, State: StatePending, Attempts: []Attempt{}, NextMS: now.UnixMilli(), CreatedMS: now.UnixMilli()}, Payload: string(body)}
		if err := s.deliveries.Insert(ctx, d.ID, d); err != nil && !kedaitong.Is(err, kedaitong.EConflict) {
			return err
		}
	}
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return nil
}

// Sign returns the X-Kedai-Signature value for a body sent at ts.
func Sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	m.Write([]byte("."))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Run is the delivery worker: until ctx ends it sends due deliveries,
// waking at once when one is queued and at least every second.
func (s *Service) Run(ctx context.Context) {
	client := s.guard.HTTPClient(10 * time.Second)
	recovered := time.Time{}
	for {
		if time.Since(recovered) >= RecoverAfter {
			recovered = time.Now()
			if n, err := s.Recover(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("alerts: recovering events cut short", "err", err)
			} else if n > 0 {
				s.log.Info("alerts: recovered events cut short", "alerts", n)
			}
		}
		for s.DeliverDue(ctx, client) > 0 && ctx.Err() == nil {
		}
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-time.After(time.Second):
		}
	}
}

// DeliverDue sends the deliveries due now (at most 50) and returns how
// many it tried.
func (s *Service) DeliverDue(ctx context.Context, client *http.Client) int {
	now := s.now().UnixMilli()
	p, err := s.deliveries.Find(ctx, store.Query{Eq: map[string]any{"state": StatePending}, Range: &store.Range{Field: "next_ms", Lte: now}, Sort: "next_ms", Limit: 50})
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("alerts: find due deliveries", "err", err)
		}
		return 0
	}
	n := 0
	for _, doc := range p.Docs {
		var d deliveryDoc
		if err := doc.Decode(&d); err != nil {
			continue
		}
		// Claim it: a version-guarded write pushes next_ms past the attempt.
		d.NextMS = now + leaseDelivery.Milliseconds()
		v, err := s.deliveries.Replace(ctx, d.ID, doc.Version, d)
		if err != nil {
			continue // another worker has it
		}
		n++
		s.attempt(ctx, client, d, v)
	}
	return n
}

func (s *Service) attempt(ctx context.Context, client *http.Client, d deliveryDoc, v int64) {
	var w webhookDoc
	wv, err := s.webhooks.Get(ctx, d.WebhookID, &w)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		d.State = StateFailed
		d.Attempts = append(d.Attempts, Attempt{At: s.now().UTC(), Error: "the webhook was deleted"})
		_, _ = s.deliveries.Replace(ctx, d.ID, v, d)
		return
	}
	if err != nil {
		return // retried when the lease runs out
	}
	now := s.now().UTC()
	ts := time.Now().Unix() // the wall clock: receivers compare it with theirs
	body := []byte(d.Payload)
	att := Attempt{At: now}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err == nil {
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "KedaiTong-Webhook/1")
		req.Header.Set("X-Kedai-Event", "alert")
		req.Header.Set("X-Kedai-Delivery", d.ID)
		req.Header.Set("X-Kedai-Timestamp", strconv.FormatInt(ts, 10))
		req.Header.Set("X-Kedai-Signature", Sign(w.Key, ts, body))
		var resp *http.Response
		resp, err = client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			att.Status = resp.StatusCode
			if resp.StatusCode < 200 || resp.StatusCode > 299 {
				err = fmt.Errorf("the receiver answered %d", resp.StatusCode)
			}
		}
	}
	if err != nil {
		att.Error = clip(err.Error(), 300)
	}
	d.Attempts = append(d.Attempts, att)
	switch {
	case err == nil:
		d.State = StateDelivered
	case len(d.Attempts) >= MaxAttempts:
		d.State = StateFailed
	default:
		d.NextMS = now.Add(Backoff[min(len(d.Attempts)-1, len(Backoff)-1)]).UnixMilli()
	}
	if _, err := s.deliveries.Replace(context.WithoutCancel(ctx), d.ID, v, d); err != nil {
		s.log.Warn("alerts: write delivery", "id", d.ID, "err", err)
	}
	for i := 0; i < 5; i++ {
		t := now
		w.LastAttempt = &t
		switch d.State {
		case StateDelivered:
			w.Delivered++
			w.ConsecutiveFailures, w.LastStatus, w.LastError = 0, StateDelivered, ""
		case StateFailed:
			w.Failed++
			w.ConsecutiveFailures++
			w.LastStatus, w.LastError = StateFailed, att.Error
		default:
			w.ConsecutiveFailures++
			w.LastStatus, w.LastError = "retrying", att.Error
		}
		if _, err := s.webhooks.Replace(context.WithoutCancel(ctx), w.ID, wv, w); err == nil || !kedaitong.Is(err, kedaitong.EConflict) {
			return
		}
		if wv, err = s.webhooks.Get(ctx, w.ID, &w); err != nil {
			return
		}
	}
}

func clip(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
