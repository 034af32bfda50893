package consult

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"kedaitong"
	"kedaitong/experts"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/notify"
	"kedaitong/review"
)

// Input is the body of POST /api/v1/consultations.
type Input struct {
	Route         string `json:"route"`
	Question      string `json:"question"`
	Urgency       string `json:"urgency"`
	ApplicationID string `json:"application_id"`
	CreditCode    string `json:"credit_code"` // an enterprise not tied through an application (conflict checks)
}

// cleanText normalises a text (NFC, trimmed, no control characters but
// newlines and tabs).
func cleanText(s string) string {
	s = norm.NFC.String(strings.TrimSpace(s))
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\n' && r != '\t' || r == 0x7f {
			return -1
		}
		return r
	}, strings.ReplaceAll(s, "\r\n", "\n"))
}

// fieldZH names checkText's fields in the Chinese messages.
var fieldZH = map[string]string{"question": "问题", "text": "答复内容"}

func checkText(field, s string, maxLen int) (string, error) {
	if !utf8.ValidString(s) {
		return "", kedaitong.Invalid(field, "is not valid UTF-8 text").ZHf("%s不是有效的 UTF-8 文本", fieldZH[field])
	}
	s = cleanText(s)
	if s == "" {
		return "", kedaitong.Invalid(field, "is required").ZHf("请填写%s", fieldZH[field])
	}
	if n := utf8.RuneCountInString(s); n > maxLen {
		return "", kedaitong.Invalid(field, "is %d characters long; at most %d", n, maxLen).ZHf("%s长 %d 个字符，最多 %d 个", fieldZH[field], n, maxLen)
	}
	return s, nil
}

// Validate checks the input and normalises it.
func (in *Input) Validate(s *Service) error {
	in.Route = strings.TrimSpace(in.Route)
	if in.Route == "" {
		return kedaitong.Invalid("route", "is required: a technical route of GET /api/v1/fields, e.g. lithium-battery.solid-state").ZHf("请选择技术路线（见 GET /api/v1/fields，如 lithium-battery.solid-state）")
	}
	if !s.tax.IsRoute(in.Route) {
		if s.tax.IsIndustry(in.Route) {
			return kedaitong.Invalid("route", "%q is an industry; choose one of its technical routes", in.Route).ZHf("%q 是行业，请选择其下的一条技术路线", in.Route)
		}
		return kedaitong.Invalid("route", "unknown technical route %q", in.Route).ZHf("未知的技术路线 %q", in.Route)
	}
	q, err := checkText("question", in.Question, MaxQuestion)
	if err != nil {
		return err
	}
	in.Question = q
	in.Urgency = strings.TrimSpace(in.Urgency)
	if in.Urgency == "" {
		in.Urgency = UrgencyNormal
	}
	if in.Urgency != UrgencyNormal && in.Urgency != UrgencyUrgent {
		return kedaitong.Invalid("urgency", "is normal or urgent, not %q", in.Urgency).ZHf("紧急程度只能是 normal（普通）或 urgent（紧急），不能是 %q", in.Urgency)
	}
	in.ApplicationID = strings.TrimSpace(in.ApplicationID)
	in.CreditCode = strings.ToUpper(strings.TrimSpace(in.CreditCode))
	if in.CreditCode != "" && !experts.ValidCreditCode(in.CreditCode) {
		return kedaitong.Invalid("credit_code", "%q is not a unified social credit code (18 characters with a valid check character)", in.CreditCode).ZHf("%q 不是统一社会信用代码（应为 18 位且校验位正确）", in.CreditCode)
	}
	return nil
}

// Ask records a bank user's question and routes it.
func (s *Service) Ask(ctx context.Context, u identity.User, in Input) (View, error) {
	if !identity.IsBankRole(u.Role) || u.BankID == "" {
		return View{}, kedaitong.Errorf(kedaitong.EForbidden, "only bank users with a bank ask consultations").ZHf("只有隶属于银行的银行用户可以发起咨询")
	}
	c, err := s.ask(ctx, u, in, s.now())
	if err != nil {
		return View{}, err
	}
	return s.view(u, c, 1), nil
}

func (s *Service) ask(ctx context.Context, u identity.User, in Input, now time.Time) (Consultation, error) {
	if err := in.Validate(s); err != nil {
		return Consultation{}, err
	}
	c := Consultation{ID: newID("con-"), BankID: u.BankID, AskedBy: u.ID, Route: in.Route, Industry: s.tax.IndustryOf(in.Route),
		Question: in.Question, Urgency: in.Urgency, CreditCode: in.CreditCode, State: StateOpen, Region: "36",
		Offered: []string{}, Tried: []string{}, CreatedAt: now, CreatedMS: now.UnixMilli()}
	if in.ApplicationID != "" {
		a, err := s.apps.Load(ctx, in.ApplicationID)
		if err != nil || !review.Owns(u, &a) {
			if err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
				return Consultation{}, err
			}
			return Consultation{}, &kedaitong.Error{Code: kedaitong.ENotFound, Field: "application_id", Message: fmt.Sprintf("no application %q of your bank", in.ApplicationID), ZH: fmt.Sprintf("本行没有贷款申请 %q", in.ApplicationID)}
		}
		if c.CreditCode != "" && c.CreditCode != a.CreditCode {
			return Consultation{}, kedaitong.Invalid("credit_code", "differs from the tied application's enterprise (%s)", a.CreditCode).ZHf("与所关联贷款申请的企业（%s）的统一社会信用代码不一致", a.CreditCode)
		}
		c.ApplicationID, c.CreditCode, c.Enterprise, c.Region = a.ID, a.CreditCode, a.Enterprise.Name, a.Region
	}
	if len(c.Region) >= 4 {
		c.City = c.Region[:4]
	}
	c.Due = AddWorkingTime(now, deadline(c.Urgency))
	c.History = []Step{{Event: "asked", At: now}}
	cands, err := s.candidates(ctx, &c, nil, MaxCandidates)
	if err != nil {
		return Consultation{}, err
	}
	s.offer(&c, cands, now)
	if err := s.writeLinks(ctx, &c, c.Offered); err != nil {
		return Consultation{}, err
	}
	if err := s.cons.Insert(ctx, c.ID, c); err != nil {
		return Consultation{}, err
	}
	s.record(ctx, &u, "consultation.ask", &c, map[string]any{"route": c.Route, "urgency": c.Urgency, "application_id": c.ApplicationID, "offered": c.Offered})
	s.notifyRouted(ctx, &c, c.Offered)
	if len(c.Offered) == 0 {
		s.notifyOfficials(ctx, &c, "consultation.unrouted")
	}
	return c, nil
}

// offer makes cands the consultation's candidates (a new round).
func (s *Service) offer(c *Consultation, cands []candidate, now time.Time) {
	ids := make([]string, 0, len(cands))
	for _, x := range cands {
		ids = append(ids, x.e.ID)
	}
	c.Round++
	c.Offered = ids
	c.Tried = append(c.Tried, ids...)
	c.NoExpert = len(ids) == 0
	at := AddWorkingTime(now, deadline(c.Urgency)/4)
	c.RerouteAt, c.RerouteMS = &at, at.UnixMilli()
	ev := "routed"
	if c.Round > 1 {
		ev = "rerouted"
	}
	c.History = append(c.History, Step{Event: ev, At: now, Experts: ids})
}

func (s *Service) writeLinks(ctx context.Context, c *Consultation, ids []string) error {
	for _, x := range ids {
		id := x + "|" + c.ID
		err := s.links.Insert(ctx, id, link{ExpertID: x, ConsultationID: c.ID, CreatedMS: c.CreatedMS})
		if err != nil && !kedaitong.Is(err, kedaitong.EConflict) {
			return err
		}
	}
	return nil
}

// dropLinks removes the links of experts who no longer see c (best effort:
// lists re-check every consultation).
func (s *Service) dropLinks(ctx context.Context, c *Consultation, ids []string) {
	for _, x := range ids {
		if x == c.ExpertID {
			continue
		}
		_ = s.links.Delete(context.WithoutCancel(ctx), x+"|"+c.ID)
	}
}

// write stores c at version ver; a lost race is a conflict with a clear message.
func (s *Service) write(ctx context.Context, c *Consultation, ver int64) (int64, error) {
	nv, err := s.cons.Replace(ctx, c.ID, ver, *c)
	if kedaitong.Is(err, kedaitong.EConflict) {
		return 0, kedaitong.Wrap(kedaitong.EConflict, err, "the consultation changed at the same time; read it again").ZHf("咨询同时被修改了，请重新读取")
	}
	return nv, err
}

func (s *Service) incrLoad(ctx context.Context, expertID string, d map[string]int64) {
	_, _ = s.loads.Incr(ctx, expertID, map[string]any{"expert_id": expertID}, d)
}

// Accept makes the calling expert the owner of an open consultation
// offered to it. Of concurrent accepts one wins; the others are conflicts,
// as is accepting one another expert took already.
func (s *Service) Accept(ctx context.Context, u identity.User, id string) (View, error) {
	if u.Role != identity.RoleExpert || u.ExpertID == "" {
		return View{}, kedaitong.Errorf(kedaitong.EForbidden, "only experts accept consultations").ZHf("只有评审专家可以接受咨询")
	}
	c, ver, err := s.load(ctx, id)
	if err != nil {
		return View{}, err
	}
	if !slices.Contains(c.Tried, u.ExpertID) && c.ExpertID != u.ExpertID {
		return View{}, notFound(id)
	}
	switch {
	case c.ExpertID == u.ExpertID:
		return View{}, kedaitong.Errorf(kedaitong.EConflict, "you accepted this consultation already").ZHf("您已经接受了这条咨询")
	case c.State != StateOpen:
		return View{}, kedaitong.Errorf(kedaitong.EConflict, "another expert accepted this consultation first").ZHf("另一位评审专家已先接受了这条咨询")
	case !slices.Contains(c.Offered, u.ExpertID):
		return View{}, kedaitong.Errorf(kedaitong.EConflict, "the consultation was passed on to other experts").ZHf("这条咨询已转给其他评审专家")
	}
	e, err := s.experts.Profile(ctx, u.ExpertID)
	if err != nil {
		return View{}, err
	}
	if ok, _, err := s.spare(ctx, e); err != nil {
		return View{}, err
	} else if !ok {
		return View{}, kedaitong.Errorf(kedaitong.EConflict, "you are at your capacity of %d open pieces of work; answer one first", e.Capacity).ZHf("您手头的在办工作已达上限 %d 件，请先答复一件", e.Capacity)
	}
	now := s.now()
	others := slices.DeleteFunc(slices.Clone(c.Offered), func(x string) bool { return x == u.ExpertID })
	c.State, c.ExpertID, c.ExpertTier, c.ExpertField = StateAccepted, e.ID, e.Tier, s.fieldFor(e, &c)
	c.Offered, c.AcceptedAt, c.RerouteAt, c.RerouteMS = []string{}, &now, nil, 0
	c.History = append(c.History, Step{Event: "accepted", At: now, Experts: []string{e.ID}})
	nv, err := s.cons.Replace(ctx, c.ID, ver, c)
	if kedaitong.Is(err, kedaitong.EConflict) {
		return View{}, kedaitong.Wrap(kedaitong.EConflict, err, "another expert accepted this consultation first").ZHf("另一位评审专家已先接受了这条咨询")
	}
	if err != nil {
		return View{}, err
	}
	s.incrLoad(ctx, e.ID, map[string]int64{"open": 1})
	if err := s.track(ctx, &c); err != nil {
		return View{}, err
	}
	s.dropLinks(ctx, &c, others)
	s.record(ctx, &u, "consultation.accept", &c, nil)
	s.send(ctx, notify.Audience{UserIDs: []string{c.AskedBy}}, &c, "consultation.accepted",
		notify.Text{ZH: "您的咨询已由" + s.ExpertLabel(c.ExpertTier, c.ExpertField).Label.ZH + "受理", EN: "Your consultation was accepted by an " + s.ExpertLabel(c.ExpertTier, c.ExpertField).Label.EN})
	return s.view(u, c, nv), nil
}

// AnswerInput is the body of POST /api/v1/consultations/{id}/answer.
type AnswerInput struct {
	Text string `json:"text"`
}

// Answer records the owning expert's answer, or its answer to the
// follow-up when one is pending. Answering a consultation the expert does
// not own is not found (or a conflict while it is only offered to it).
func (s *Service) Answer(ctx context.Context, u identity.User, id string, in AnswerInput) (View, error) {
	if u.Role != identity.RoleExpert || u.ExpertID == "" {
		return View{}, kedaitong.Errorf(kedaitong.EForbidden, "only the expert who accepted a consultation answers it").ZHf("只有接受咨询的评审专家可以答复")
	}
	c, ver, err := s.loadFor(ctx, u, id)
	if err != nil {
		return View{}, err
	}
	if !owns(u, &c) {
		return View{}, kedaitong.Errorf(kedaitong.EConflict, "accept the consultation before answering it").ZHf("请先接受这条咨询，再作答复")
	}
	text, err := checkText("text", in.Text, MaxAnswer)
	if err != nil {
		return View{}, err
	}
	now := s.now()
	var kind string
	switch c.State {
	case StateAccepted:
		pending := []Attachment{}
		if c.Answer != nil { // attachments uploaded before the answer
			pending = c.Answer.Attachments
		}
		c.Answer = &Reply{Text: text, At: now, Attachments: pending}
		onTime := !now.After(c.Due)
		c.AnsweredOnTime = &onTime
		c.History = append(c.History, Step{Event: "answered", At: now})
		kind = "consultation.answered"
	case StateFollowUp:
		pending := []Attachment{}
		if c.FollowUp.Answer != nil {
			pending = c.FollowUp.Answer.Attachments
		}
		c.FollowUp.Answer = &Reply{Text: text, At: now, Attachments: pending}
		c.History = append(c.History, Step{Event: "followup_answered", At: now})
		kind = "consultation.followup_answered"
	default:
		return View{}, kedaitong.Errorf(kedaitong.EConflict, "the consultation is %s: there is nothing to answer", c.State).ZHf("咨询当前状态为 %s：没有需要答复的内容", c.State)
	}
	c.State = StateAnswered
	nv, err := s.write(ctx, &c, ver)
	if err != nil {
		return View{}, err
	}
	if err := s.track(ctx, &c); err != nil {
		return View{}, err
	}
	if kind == "consultation.answered" {
		d := map[string]int64{"open": -1, "answered": 1}
		if *c.AnsweredOnTime {
			d["on_time"] = 1
		}
		s.incrLoad(ctx, c.ExpertID, d)
		_ = s.experts.RecordConsultation(ctx, c.ExpertID)
	} else {
		s.incrLoad(ctx, c.ExpertID, map[string]int64{"open": -1})
	}
	action := "consultation.answer"
	if kind != "consultation.answered" {
		action = "consultation.followup_answer"
	}
	s.record(ctx, &u, action, &c, map[string]any{"chars": utf8.RuneCountInString(text)})
	title := notify.Text{ZH: "专家已答复您的咨询", EN: "An expert answered your consultation"}
	if kind != "consultation.answered" {
		title = notify.Text{ZH: "专家已答复您的追问", EN: "The expert answered your follow-up question"}
	}
	s.send(ctx, notify.Audience{UserIDs: []string{c.AskedBy}}, &c, kind, title)
	return s.view(u, c, nv), nil
}

// FollowUpInput is the body of POST /api/v1/consultations/{id}/followup.
type FollowUpInput struct {
	Question string `json:"question"`
}

// AskFollowUp records the asking bank's one follow-up question on an
// answered consultation it has not rated yet.
func (s *Service) AskFollowUp(ctx context.Context, u identity.User, id string, in FollowUpInput) (View, error) {
	c, ver, err := s.loadFor(ctx, u, id)
	if err != nil {
		return View{}, err
	}
	if !asksFor(u, &c) {
		return View{}, kedaitong.Errorf(kedaitong.EForbidden, "only the asking bank asks a follow-up").ZHf("只有发起咨询的银行可以追问")
	}
	q, err := checkText("question", in.Question, MaxQuestion)
	if err != nil {
		return View{}, err
	}
	switch {
	case c.FollowUp != nil:
		return View{}, kedaitong.Errorf(kedaitong.EConflict, "the one follow-up question was asked already").ZHf("唯一一次追问已经提出过了")
	case c.State != StateAnswered:
		return View{}, kedaitong.Errorf(kedaitong.EConflict, "the consultation is %s: a follow-up comes after the answer and before the rating", c.State).ZHf("咨询当前状态为 %s：追问须在答复之后、评价之前提出", c.State)
	}
	now := s.now()
	c.FollowUp = &FollowUp{Question: q, AskedAt: now}
	c.State = StateFollowUp
	c.History = append(c.History, Step{Event: "followup", At: now})
	nv, err := s.write(ctx, &c, ver)
	if err != nil {
		return View{}, err
	}
	s.incrLoad(ctx, c.ExpertID, map[string]int64{"open": 1})
	if err := s.track(ctx, &c); err != nil {
		return View{}, err
	}
	s.record(ctx, &u, "consultation.followup", &c, nil)
	s.send(ctx, notify.Audience{ExpertIDs: []string{c.ExpertID}}, &c, "consultation.followup",
		notify.Text{ZH: "银行对您答复的咨询提出了追问", EN: "The bank asked a follow-up question on your answer"})
	return s.view(u, c, nv), nil
}

// RateInput is the body of POST /api/v1/consultations/{id}/rate.
type RateInput struct {
	Stars int `json:"stars"`
}

// Rate records the asking bank's rating (1–5) of the answer, once; it
// closes the consultation and counts in the expert's track record.
func (s *Service) Rate(ctx context.Context, u identity.User, id string, in RateInput) (View, error) {
	c, ver, err := s.loadFor(ctx, u, id)
	if err != nil {
		return View{}, err
	}
	if !asksFor(u, &c) {
		return View{}, kedaitong.Errorf(kedaitong.EForbidden, "only the asking bank rates the answer").ZHf("只有发起咨询的银行可以评价答复")
	}
	if in.Stars < 1 || in.Stars > 5 {
		return View{}, kedaitong.Invalid("stars", "a whole number from 1 to 5").ZHf("评分应为 1 到 5 的整数")
	}
	switch {
	case c.Stars > 0:
		return View{}, kedaitong.Errorf(kedaitong.EConflict, "the answer was rated already (%d stars)", c.Stars).ZHf("答复已经评价过了（%d 星）", c.Stars)
	case c.State == StateFollowUp:
		return View{}, kedaitong.Errorf(kedaitong.EConflict, "the follow-up question is not answered yet").ZHf("追问尚未得到答复")
	case c.State != StateAnswered:
		return View{}, kedaitong.Errorf(kedaitong.EConflict, "the consultation is %s: rate it once it is answered", c.State).ZHf("咨询当前状态为 %s：请在答复后再评价", c.State)
	}
	now := s.now()
	c.Stars, c.RatedAt, c.State = in.Stars, &now, StateClosed
	c.History = append(c.History, Step{Event: "rated", At: now})
	nv, err := s.write(ctx, &c, ver)
	if err != nil {
		return View{}, err
	}
	if err := s.experts.RecordRating(ctx, c.ExpertID, in.Stars); err != nil {
		return View{}, err
	}
	s.record(ctx, &u, "consultation.rate", &c, map[string]any{"stars": in.Stars})
	s.send(ctx, notify.Audience{ExpertIDs: []string{c.ExpertID}}, &c, "consultation.rated",
		notify.Text{ZH: fmt.Sprintf("银行为您的答复评分：%d 星", in.Stars), EN: fmt.Sprintf("The bank rated your answer %d of 5 stars", in.Stars)})
	return s.view(u, c, nv), nil
}

// Reroute passes every open consultation nobody accepted within a quarter
// of its deadline to the next candidates (never an expert offered it
// before), flags it rerouted and tells the officials who oversee it. It
// returns how many it re-routed. The server runs it every minute.
func (s *Service) Reroute(ctx context.Context) (int, error) {
	now := s.now()
	n := 0
	for page := 0; page < 50; page++ {
		p, err := s.cons.Find(ctx, store.Query{Eq: map[string]any{"state": StateOpen},
			Range: &store.Range{Field: "reroute_ms", Gt: int64(0), Lte: now.UnixMilli()}, Sort: "reroute_ms", Limit: 100})
		if err != nil {
			return n, err
		}
		moved := 0
		for _, d := range p.Docs {
			var c Consultation
			if err := d.Decode(&c); err != nil {
				return n, err
			}
			ok, err := s.reroute(ctx, c, d.Version, now)
			if err != nil {
				return n, err
			}
			if ok {
				n++
			}
			moved++
		}
		if len(p.Docs) < 100 || moved == 0 {
			return n, nil
		}
	}
	return n, nil
}

func (s *Service) reroute(ctx context.Context, c Consultation, ver int64, now time.Time) (bool, error) {
	old := slices.Clone(c.Offered)
	cands, err := s.candidates(ctx, &c, c.Tried, MaxCandidates)
	if err != nil {
		return false, err
	}
	wasNoExpert := c.NoExpert
	if len(cands) == 0 {
		// Nobody new: those offered it may still accept; try again later.
		c.NoExpert = true
		at := AddWorkingTime(now, deadline(c.Urgency)/4)
		c.RerouteAt, c.RerouteMS = &at, at.UnixMilli()
		c.Rerouted = true
		if !wasNoExpert {
			c.History = append(c.History, Step{Event: "no_expert", At: now})
		}
		if _, err := s.cons.Replace(ctx, c.ID, ver, c); err != nil {
			if kedaitong.Is(err, kedaitong.EConflict) {
				return false, nil // accepted meanwhile
			}
			return false, err
		}
		if !wasNoExpert {
			s.record(ctx, nil, "consultation.no_expert", &c, nil)
			s.notifyOfficials(ctx, &c, "consultation.unrouted")
		}
		return false, nil
	}
	s.offer(&c, cands, now)
	c.Rerouted = true
	if err := s.writeLinks(ctx, &c, c.Offered); err != nil {
		return false, err
	}
	if _, err := s.cons.Replace(ctx, c.ID, ver, c); err != nil {
		if kedaitong.Is(err, kedaitong.EConflict) {
			return false, nil // accepted meanwhile; the extra links are re-checked away
		}
		return false, err
	}
	s.dropLinks(ctx, &c, old)
	s.record(ctx, nil, "consultation.reroute", &c, map[string]any{"round": c.Round, "withdrawn": old, "offered": c.Offered})
	s.notifyRouted(ctx, &c, c.Offered)
	s.notifyOfficials(ctx, &c, "consultation.rerouted")
	return true, nil
}

// send delivers a notification about c; a failure is logged in the audit
// trail's absence only (notifications never fail the step they report).
func (s *Service) send(ctx context.Context, a notify.Audience, c *Consultation, kind string, title notify.Text) {
	if s.notes == nil {
		return
	}
	rn := s.FieldName(c.Route)
	body := notify.Text{ZH: rn.ZH + "：" + clip(c.Question, 80), EN: rn.EN + ": " + clip(c.Question, 80)}
	_, _ = s.notes.Send(context.WithoutCancel(ctx), a, notify.Message{Kind: kind, Title: title, Body: body,
		Link: "/consultations/" + c.ID, ObjectKind: "consultation", ObjectID: c.ID})
}

func (s *Service) notifyRouted(ctx context.Context, c *Consultation, ids []string) {
	if len(ids) == 0 {
		return
	}
	days := WorkingDays(c.Urgency)
	s.send(ctx, notify.Audience{ExpertIDs: ids}, c, "consultation.routed",
		notify.Text{ZH: fmt.Sprintf("新的咨询请求（%d 个工作日内答复），请受理", days), EN: fmt.Sprintf("A new consultation for you to accept (answer within %d working day(s))", days)})
}

func (s *Service) notifyOfficials(ctx context.Context, c *Consultation, kind string) {
	title := notify.Text{ZH: "咨询无人受理，已转派其他专家", EN: "A consultation nobody accepted was re-routed"}
	if kind == "consultation.unrouted" {
		title = notify.Text{ZH: "咨询找不到可用专家，需要关注", EN: "No available expert was found for a consultation"}
	}
	s.send(ctx, notify.Audience{Officials: []string{c.Region}}, c, kind, title)
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
