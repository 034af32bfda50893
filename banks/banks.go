// Package banks is the registry of the banks lending under the programme:
// their names, unified social credit codes and other names, which the
// conflict checks of panels and consultations need to recognise an expert
// tied to the asking bank. A bank user's bank_id names a bank here; a bank
// that is not registered is known only as "org:<bank id>".
package banks

import (
	"context"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"kedaitong"
	"kedaitong/experts"
	"kedaitong/identity"
	"kedaitong/internal/store"
)

// Bank is one lending bank.
type Bank struct {
	ID         string    `json:"id"`          // the bank_id of its users
	Name       string    `json:"name"`        // full legal name, e.g. 赣州银行股份有限公司
	CreditCode string    `json:"credit_code"` // unified social credit code, "" when unknown
	Aliases    []string  `json:"aliases"`     // other names it is known by (former names, short names)
	Region     string    `json:"region"`      // GB/T 2260 code of its seat, "" when outside Jiangxi
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Input creates or changes a bank.
type Input struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	CreditCode string   `json:"credit_code"`
	Aliases    []string `json:"aliases"`
	Region     string   `json:"region"`
}

// Def is the collection of banks (few: the whole list is read at once).
var Def = store.CollectionDef{Name: "banks"}

var idRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// Validate checks the input and tidies it.
func (in *Input) Validate() error {
	in.ID, in.Name, in.CreditCode = strings.TrimSpace(in.ID), strings.TrimSpace(in.Name), strings.ToUpper(strings.TrimSpace(in.CreditCode))
	if !idRE.MatchString(in.ID) {
		return kedaitong.Invalid("id", "use letters, digits, '.', '_' or '-' (at most 64), as in the bank users' bank_id").ZHf("银行代码只能使用字母、数字、“.”、“_”或“-”（最多 64 个），与银行用户的 bank_id 一致")
	}
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 100 {
		return kedaitong.Invalid("name", "give the bank's name (1 to 100 characters)").ZHf("请填写银行名称（1 到 100 个字符）")
	}
	if in.CreditCode != "" && !experts.ValidCreditCode(in.CreditCode) {
		return kedaitong.Invalid("credit_code", "%q is not a valid unified social credit code", in.CreditCode).ZHf("%q 不是有效的统一社会信用代码", in.CreditCode)
	}
	if len(in.Aliases) > 20 {
		return kedaitong.Invalid("aliases", "at most 20 other names").ZHf("其他名称最多 20 个")
	}
	var al []string
	for _, a := range in.Aliases {
		a = strings.TrimSpace(a)
		if a == "" {
			continue
		}
		if utf8.RuneCountInString(a) > 100 {
			return kedaitong.Invalid("aliases", "each name at most 100 characters").ZHf("每个其他名称最多 100 个字符")
		}
		al = append(al, a)
	}
	in.Aliases = al
	if in.Region != "" && !identity.ValidRegion(in.Region) {
		return kedaitong.Invalid("region", "%q is not a Jiangxi GB/T 2260 code", in.Region).ZHf("%q 不是江西省的 GB/T 2260 行政区划代码", in.Region)
	}
	return nil
}

// Service keeps the registry and a snapshot of it for the conflict checks,
// refreshed on every write here and by Watch for writes on other servers.
type Service struct {
	coll store.Collection
	rec  identity.Recorder
	now  func() time.Time

	mu   sync.RWMutex
	byID map[string]Bank
}

// Open declares the collection and loads the snapshot.
func Open(ctx context.Context, st store.Store, rec identity.Recorder) (*Service, error) {
	c, err := st.Collection(ctx, Def)
	if err != nil {
		return nil, err
	}
	s := &Service{coll: c, rec: rec, now: func() time.Time { return time.Now().UTC() }, byID: map[string]Bank{}}
	return s, s.Reload(ctx)
}

// Reload reads the whole registry into the snapshot.
func (s *Service) Reload(ctx context.Context) error {
	byID := map[string]Bank{}
	q := store.Query{Limit: 500}
	for {
		p, err := s.coll.Find(ctx, q)
		if err != nil {
			return err
		}
		bs, err := store.DecodeAll[Bank](p.Docs)
		if err != nil {
			return err
		}
		for _, b := range bs {
			byID[b.ID] = b
		}
		if p.Next == "" {
			break
		}
		q.After = p.Next
	}
	s.mu.Lock()
	s.byID = byID
	s.mu.Unlock()
	return nil
}

// Watch reloads the snapshot every interval until ctx ends.
func (s *Service) Watch(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_ = s.Reload(ctx)
		}
	}
}

// OrgIDs returns the organisation ids (experts.OrgID form) the bank is
// known by: "org:<bank id>" always, and for a registered bank its credit
// code, name and other names.
func (s *Service) OrgIDs(bankID string) []string {
	bankID = strings.TrimSpace(bankID)
	if bankID == "" {
		return nil
	}
	out := []string{"org:" + strings.ToLower(bankID)}
	if experts.ValidCreditCode(strings.ToUpper(bankID)) {
		out = append(out, experts.OrgID("", strings.ToUpper(bankID)))
	}
	s.mu.RLock()
	b, ok := s.byID[bankID]
	s.mu.RUnlock()
	if !ok {
		return out
	}
	if b.CreditCode != "" {
		out = append(out, experts.OrgID("", b.CreditCode))
	}
	for _, n := range append([]string{b.Name}, b.Aliases...) {
		if id := experts.OrgID(n, ""); id != "" {
			out = append(out, id)
		}
	}
	return dedupe(out)
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	out := xs[:0]
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// List returns the banks the actor may see: all for admins and officials,
// its own for a bank user.
func (s *Service) List(ctx context.Context, actor identity.User) ([]Bank, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Bank
	for _, b := range s.byID {
		if identity.IsBankRole(actor.Role) && b.ID != actor.BankID {
			continue
		}
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// Get returns one bank the actor may see (another bank's is not found).
func (s *Service) Get(ctx context.Context, actor identity.User, id string) (Bank, error) {
	var b Bank
	_, err := s.coll.Get(ctx, id, &b)
	if err != nil || (identity.IsBankRole(actor.Role) && b.ID != actor.BankID) {
		if err == nil || kedaitong.Is(err, kedaitong.ENotFound) {
			return Bank{}, kedaitong.Errorf(kedaitong.ENotFound, "no such bank").ZHf("没有这家银行")
		}
		return Bank{}, err
	}
	return b, nil
}

// Save creates the bank or replaces its details (admins; nil actor for the
// system). It reports whether it created it.
func (s *Service) Save(ctx context.Context, actor *identity.User, in Input) (Bank, bool, error) {
	if actor != nil && actor.Role != identity.RoleAdmin {
		return Bank{}, false, kedaitong.Errorf(kedaitong.EForbidden, "only administrators register banks").ZHf("只有管理员可以登记银行")
	}
	if err := in.Validate(); err != nil {
		return Bank{}, false, err
	}
	now := s.now()
	for range 5 {
		var old Bank
		ver, err := s.coll.Get(ctx, in.ID, &old)
		created := kedaitong.Is(err, kedaitong.ENotFound)
		if err != nil && !created {
			return Bank{}, false, err
		}
		b := Bank{ID: in.ID, Name: in.Name, CreditCode: in.CreditCode, Aliases: in.Aliases, Region: in.Region, CreatedAt: now, UpdatedAt: now}
		if b.Aliases == nil {
			b.Aliases = []string{}
		}
		if created {
			err = s.coll.Insert(ctx, b.ID, b)
		} else {
			b.CreatedAt = old.CreatedAt
			_, err = s.coll.Replace(ctx, b.ID, ver, b)
		}
		if kedaitong.Is(err, kedaitong.EConflict) {
			continue // changed meanwhile: read again
		}
		if err != nil {
			return Bank{}, false, err
		}
		s.mu.Lock()
		s.byID[b.ID] = b
		s.mu.Unlock()
		if s.rec != nil {
			action := "bank.update"
			if created {
				action = "bank.create"
			}
			s.rec.Record(ctx, identity.Event{Actor: actor, Action: action, ObjectKind: "bank", ObjectID: b.ID, BankID: b.ID, Region: b.Region,
				Detail: map[string]any{"name": b.Name, "credit_code": b.CreditCode}})
		}
		return b, created, nil
	}
	return Bank{}, false, kedaitong.Errorf(kedaitong.EConflict, "the bank kept changing; try again").ZHf("这家银行的信息一直在变化，请重试")
}

// Demo are the demo banks (their users are the demo bank log-ins).
var Demo = []Input{
	{ID: "ganzhou-bank", Name: "赣州银行股份有限公司", Aliases: []string{"赣州银行", "Bank of Ganzhou"}, Region: "3607"},
	{ID: "nanchang-bank", Name: "江西银行股份有限公司", Aliases: []string{"江西银行", "南昌银行", "Jiangxi Bank"}, Region: "3601"},
}

// SeedDemo registers the demo banks.
func (s *Service) SeedDemo(ctx context.Context) error {
	for _, in := range Demo {
		if _, _, err := s.Save(ctx, nil, in); err != nil {
			return err
		}
	}
	return nil
}
