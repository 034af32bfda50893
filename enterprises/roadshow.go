package enterprises

import (
	"context"
	"math"
	"net/url"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/internal/store"
)

// RoadshowInput is the body of POST /api/v1/roadshows.
type RoadshowInput struct {
	Title    string `json:"title"`
	Chain    string `json:"chain"` // an industry (chain) code
	Date     string `json:"date"`
	Region   string `json:"region"`
	Capacity int    `json:"capacity"` // attendee seats
	Venue    string `json:"venue,omitempty"`
}

// Roadshow is a scheduled roadshow with its projects and attendees.
type Roadshow struct {
	ID            string         `json:"id"`
	Title         string         `json:"title"`
	Chain         string         `json:"chain"`
	Date          string         `json:"date"`
	Region        string         `json:"region"`
	Capacity      int            `json:"capacity"`
	Venue         string         `json:"venue,omitempty"`
	Projects      []ProjectEntry `json:"projects"`
	Attendees     []Attendee     `json:"attendees"`
	CreatedBy     string         `json:"created_by"`
	CreatedByName string         `json:"created_by_name"`
	CreatedAt     time.Time      `json:"created_at"`
}

// ProjectEntry is a project registered for a roadshow.
type ProjectEntry struct {
	CreditCode       string    `json:"credit_code"`
	Name             string    `json:"name"`
	Pitch            string    `json:"pitch"`
	Media            []string  `json:"media"`
	RegisteredBy     string    `json:"registered_by"`
	RegisteredByName string    `json:"registered_by_name"`
	At               time.Time `json:"at"`
}

// Attendee is a registered attendee.
type Attendee struct {
	UserID   string    `json:"user_id"`
	Username string    `json:"username"`
	Role     string    `json:"role"`
	Org      string    `json:"org,omitempty"` // bank id or investment institution
	At       time.Time `json:"at"`
}

// RatingInput is the body of POST /api/v1/roadshows/{id}/ratings.
type RatingInput struct {
	CreditCode  string `json:"credit_code"`
	Feasibility int    `json:"feasibility"`
	Commercial  int    `json:"commercial"`
	Team        int    `json:"team"`
	Comment     string `json:"comment,omitempty"`
}

// Rating is one rater's rating of one project.
type Rating struct {
	ID          string    `json:"id"`
	RoadshowID  string    `json:"roadshow_id"`
	CreditCode  string    `json:"credit_code"`
	UserID      string    `json:"user_id"`
	Username    string    `json:"username"`
	Role        string    `json:"role"`
	Feasibility int       `json:"feasibility"`
	Commercial  int       `json:"commercial"`
	Team        int       `json:"team"`
	Comment     string    `json:"comment,omitempty"`
	At          time.Time `json:"at"`
}

// Score is a project's standing in the ranking.
type Score struct {
	CreditCode  string  `json:"credit_code"`
	Name        string  `json:"name"`
	Ratings     int     `json:"ratings"`
	Feasibility float64 `json:"feasibility"`
	Commercial  float64 `json:"commercial"`
	Team        float64 `json:"team"`
	Overall     float64 `json:"overall"`
	Rank        int     `json:"rank"`
	Shortlisted bool    `json:"shortlisted"`
}

// RoadshowView is a roadshow with its ranking.
type RoadshowView struct {
	Roadshow
	Ranking   []Score  `json:"ranking"`
	Attending bool     `json:"attending"` // the caller
	Rated     []string `json:"rated"`     // credit codes the caller rated
	Seats     int      `json:"seats_left"`
}

func managesRoadshow(actor identity.User, region string) bool {
	return isAdmin(actor) || isOfficial(actor) && identity.RegionCovers(actor.Region, region)
}

// CreateRoadshow schedules a roadshow (officials within their region, admins).
func (s *Service) CreateRoadshow(ctx context.Context, actor identity.User, in RoadshowInput) (Roadshow, error) {
	if !isOfficial(actor) && !isAdmin(actor) {
		return Roadshow{}, kedaitong.Errorf(kedaitong.EForbidden, "only officials schedule roadshows").ZHf("只有政府用户可以安排路演")
	}
	in.Title = strings.Join(strings.Fields(in.Title), " ")
	if in.Title == "" || utf8.RuneCountInString(in.Title) > 200 {
		return Roadshow{}, kedaitong.Invalid("title", "write a title of 1 to 200 characters").ZHf("标题应为 1 到 200 个字")
	}
	if !s.tax.IsField(in.Chain) {
		return Roadshow{}, kedaitong.Invalid("chain", "%q is not an industry chain: use an industry code such as semiconductors", in.Chain).ZHf("%q 不是产业链代码：请使用行业代码，如 semiconductors", in.Chain)
	}
	d, ok := parseDate(in.Date)
	if !ok || d != strings.TrimSpace(in.Date) {
		return Roadshow{}, kedaitong.Invalid("date", "write the date as YYYY-MM-DD").ZHf("日期格式应为 YYYY-MM-DD")
	}
	if in.Region == "" && isOfficial(actor) {
		in.Region = actor.Region
	}
	if !identity.ValidRegion(in.Region) {
		return Roadshow{}, kedaitong.Invalid("region", "%q is not a Jiangxi GB/T 2260 region code", in.Region).ZHf("%q 不是江西省的 GB/T 2260 行政区划代码", in.Region)
	}
	if !managesRoadshow(actor, in.Region) {
		return Roadshow{}, kedaitong.Errorf(kedaitong.EForbidden, "region %s is outside yours", in.Region).ZHf("地区 %s 不在您的管辖范围内", in.Region)
	}
	if in.Capacity == 0 {
		in.Capacity = 100
	}
	if in.Capacity < 1 || in.Capacity > 10000 {
		return Roadshow{}, kedaitong.Invalid("capacity", "seats from 1 to 10,000").ZHf("席位数应为 1 到 10000")
	}
	in.Venue = clip(strings.TrimSpace(in.Venue), 200)
	now := s.now()
	r := Roadshow{ID: newID("rs-"), Title: in.Title, Chain: in.Chain, Date: d, Region: in.Region, Capacity: in.Capacity, Venue: in.Venue,
		Projects: []ProjectEntry{}, Attendees: []Attendee{}, CreatedBy: actor.ID, CreatedByName: actor.Username, CreatedAt: now}
	if err := s.roadshows.Insert(ctx, r.ID, r); err != nil {
		return Roadshow{}, err
	}
	s.record(ctx, &actor, "roadshow.create", "roadshow", r.ID, r.Region, map[string]any{"title": r.Title, "chain": r.Chain, "date": r.Date})
	return r, nil
}

func roadshowNotFound(id string) error {
	return kedaitong.Errorf(kedaitong.ENotFound, "no roadshow %q", id).ZHf("没有路演 %q", id)
}

func (s *Service) loadRoadshow(ctx context.Context, id string) (Roadshow, int64, error) {
	var r Roadshow
	ver, err := s.roadshows.Get(ctx, id, &r)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		return r, 0, roadshowNotFound(id)
	}
	return r, ver, err
}

// RoadshowFilter narrows the roadshow list.
type RoadshowFilter struct {
	Chain  string
	Limit  int
	Cursor string
}

// Roadshows lists roadshows, latest date first (everyone logged in reads them).
func (s *Service) Roadshows(ctx context.Context, actor identity.User, f RoadshowFilter) ([]Roadshow, string, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	if f.Limit > 500 {
		return nil, "", kedaitong.Invalid("limit", "at most 500").ZHf("每页最多 500 条")
	}
	if f.Chain != "" && !s.tax.IsField(f.Chain) {
		return nil, "", kedaitong.Invalid("chain", "%q is not an industry chain", f.Chain).ZHf("%q 不是产业链代码", f.Chain)
	}
	if f.Cursor != "" {
		if _, _, err := store.DecodeCursor(f.Cursor); err != nil {
			return nil, "", err
		}
	}
	docs, next, err := store.FindMatching(ctx, s.roadshows, store.Query{Sort: "date", Desc: true, After: f.Cursor}, f.Limit, maxScan, func(d store.Doc) (bool, error) {
		if f.Chain == "" {
			return true, nil
		}
		var r Roadshow
		if err := d.Decode(&r); err != nil {
			return false, err
		}
		return r.Chain == f.Chain, nil
	})
	if err != nil {
		return nil, "", err
	}
	out, err := store.DecodeAll[Roadshow](docs)
	return out, next, err
}

// GetRoadshow returns a roadshow with its ranking.
func (s *Service) GetRoadshow(ctx context.Context, actor identity.User, id string) (RoadshowView, error) {
	r, _, err := s.loadRoadshow(ctx, id)
	if err != nil {
		return RoadshowView{}, err
	}
	page, err := s.ratings.Find(ctx, store.Query{Eq: map[string]any{"roadshow_id": id}, Limit: 10000})
	if err != nil {
		return RoadshowView{}, err
	}
	ratings, err := store.DecodeAll[Rating](page.Docs)
	if err != nil {
		return RoadshowView{}, err
	}
	v := RoadshowView{Roadshow: r, Rated: []string{}, Seats: r.Capacity - len(r.Attendees)}
	for _, a := range r.Attendees {
		if a.UserID == actor.ID {
			v.Attending = true
		}
	}
	for _, rt := range ratings {
		if rt.UserID == actor.ID {
			v.Rated = append(v.Rated, rt.CreditCode)
		}
	}
	v.Ranking = Rank(r.Projects, ratings)
	return v, nil
}

// Rank orders the projects by their overall score — the mean of the
// feasibility, commercial and team means — best first; unrated projects
// come last. The shortlist is the best third of the rated projects (at
// least one) whose overall score is 5 or more.
func Rank(projects []ProjectEntry, ratings []Rating) []Score {
	by := map[string]*Score{}
	out := make([]Score, 0, len(projects))
	for _, p := range projects {
		out = append(out, Score{CreditCode: p.CreditCode, Name: p.Name})
	}
	for i := range out {
		by[out[i].CreditCode] = &out[i]
	}
	for _, rt := range ratings {
		sc, ok := by[rt.CreditCode]
		if !ok {
			continue
		}
		sc.Ratings++
		sc.Feasibility += float64(rt.Feasibility)
		sc.Commercial += float64(rt.Commercial)
		sc.Team += float64(rt.Team)
	}
	round := func(x float64) float64 { return math.Round(x*100) / 100 }
	rated := 0
	for i := range out {
		sc := &out[i]
		if sc.Ratings == 0 {
			continue
		}
		rated++
		n := float64(sc.Ratings)
		f, c, t := sc.Feasibility/n, sc.Commercial/n, sc.Team/n
		sc.Feasibility, sc.Commercial, sc.Team, sc.Overall = round(f), round(c), round(t), round((f+c+t)/3)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a.Ratings > 0) != (b.Ratings > 0) {
			return a.Ratings > 0
		}
		if a.Overall != b.Overall {
			return a.Overall > b.Overall
		}
		return a.Ratings > b.Ratings
	})
	short := max(1, (rated+2)/3)
	for i := range out {
		out[i].Rank = i + 1
		out[i].Shortlisted = out[i].Ratings > 0 && i < short && out[i].Overall >= 5
	}
	return out
}

// ProjectInput is the body of POST /api/v1/roadshows/{id}/projects.
type ProjectInput struct {
	CreditCode string   `json:"credit_code"`
	Name       string   `json:"name,omitempty"` // when the data hub does not know the enterprise
	Pitch      string   `json:"pitch"`
	Media      []string `json:"media,omitempty"`
}

// RegisterProject adds an enterprise's project to a roadshow (officials,
// banks, admins); one per enterprise and roadshow.
func (s *Service) RegisterProject(ctx context.Context, actor identity.User, id string, in ProjectInput) (ProjectEntry, error) {
	if !isOfficial(actor) && !isBank(actor) && !isAdmin(actor) {
		return ProjectEntry{}, kedaitong.Errorf(kedaitong.EForbidden, "only officials and banks register roadshow projects").ZHf("只有政府用户和银行可以登记路演项目")
	}
	code, err := CheckCode("credit_code", in.CreditCode)
	if err != nil {
		return ProjectEntry{}, err
	}
	in.Pitch = strings.TrimSpace(in.Pitch)
	if in.Pitch == "" || utf8.RuneCountInString(in.Pitch) > 2000 {
		return ProjectEntry{}, kedaitong.Invalid("pitch", "write a pitch of 1 to 2,000 characters").ZHf("项目简介应为 1 到 2000 个字")
	}
	if len(in.Media) > 10 {
		return ProjectEntry{}, kedaitong.Invalid("media", "at most 10 links").ZHf("媒体链接最多 10 个")
	}
	media := []string{}
	for _, m := range in.Media {
		m = strings.TrimSpace(m)
		u, err := url.Parse(m)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(m) > 1000 {
			return ProjectEntry{}, kedaitong.Invalid("media", "%q is not an http(s) link", clip(m, 80)).ZHf("%q 不是 http(s) 链接", clip(m, 80))
		}
		media = append(media, m)
	}
	name := strings.TrimSpace(in.Name)
	if p, exists, err := s.readPortrait(ctx, code); err != nil {
		return ProjectEntry{}, err
	} else if exists && p.Name != "" {
		name = p.Name
	}
	if name == "" {
		return ProjectEntry{}, kedaitong.Invalid("name", "the data hub does not know the enterprise: give its name").ZHf("数据中心中没有该企业：请填写企业名称")
	}
	now := s.now()
	e := ProjectEntry{CreditCode: code, Name: clip(name, 200), Pitch: in.Pitch, Media: media, RegisteredBy: actor.ID, RegisteredByName: actor.Username, At: now}
	for attempt := 0; attempt < 20; attempt++ {
		r, ver, err := s.loadRoadshow(ctx, id)
		if err != nil {
			return ProjectEntry{}, err
		}
		if isOfficial(actor) && !identity.RegionCovers(actor.Region, r.Region) && !identity.RegionCovers(r.Region, actor.Region) {
			return ProjectEntry{}, kedaitong.Errorf(kedaitong.EForbidden, "the roadshow is in another region").ZHf("该路演属于其他地区")
		}
		for _, p := range r.Projects {
			if p.CreditCode == code {
				return ProjectEntry{}, kedaitong.Errorf(kedaitong.EConflict, "the enterprise is registered for this roadshow already").ZHf("该企业已登记参加本次路演")
			}
		}
		if len(r.Projects) >= 200 {
			return ProjectEntry{}, kedaitong.Errorf(kedaitong.EConflict, "the roadshow has 200 projects, its most").ZHf("本次路演已有 200 个项目，已达上限")
		}
		r.Projects = append(r.Projects, e)
		if _, err := s.roadshows.Replace(ctx, id, ver, r); kedaitong.Is(err, kedaitong.EConflict) {
			continue
		} else if err != nil {
			return ProjectEntry{}, err
		}
		s.record(ctx, &actor, "roadshow.project", "roadshow", id, r.Region, map[string]any{"credit_code": code})
		return e, nil
	}
	return ProjectEntry{}, kedaitong.Errorf(kedaitong.EConflict, "the roadshow keeps changing; try again").ZHf("路演信息一直在变化，请重试")
}

func rates(actor identity.User) bool {
	return isBank(actor) || isInvestor(actor) || actor.Role == identity.RoleExpert
}

// Attend registers the caller (a bank, investor or expert) for a roadshow;
// 409 when its seats are taken. Attending twice is attending.
func (s *Service) Attend(ctx context.Context, actor identity.User, id string) (Roadshow, error) {
	if !rates(actor) {
		return Roadshow{}, kedaitong.Errorf(kedaitong.EForbidden, "banks, investors and experts attend roadshows").ZHf("银行、投资机构和专家可以参加路演")
	}
	for attempt := 0; attempt < 20; attempt++ {
		r, ver, err := s.loadRoadshow(ctx, id)
		if err != nil {
			return Roadshow{}, err
		}
		for _, a := range r.Attendees {
			if a.UserID == actor.ID {
				return r, nil
			}
		}
		if len(r.Attendees) >= r.Capacity {
			return Roadshow{}, kedaitong.Errorf(kedaitong.EConflict, "the roadshow's %d seats are taken", r.Capacity).ZHf("本次路演的 %d 个席位已满", r.Capacity)
		}
		org := actor.BankID
		if isInvestor(actor) {
			org = actor.Org
		}
		r.Attendees = append(r.Attendees, Attendee{UserID: actor.ID, Username: actor.Username, Role: actor.Role, Org: org, At: s.now()})
		if _, err := s.roadshows.Replace(ctx, id, ver, r); kedaitong.Is(err, kedaitong.EConflict) {
			continue
		} else if err != nil {
			return Roadshow{}, err
		}
		s.record(ctx, &actor, "roadshow.attend", "roadshow", id, r.Region, nil)
		return r, nil
	}
	return Roadshow{}, kedaitong.Errorf(kedaitong.EConflict, "the roadshow keeps changing; try again").ZHf("路演信息一直在变化，请重试")
}

// Rate records the caller's rating of a project (1–9 on each criterion);
// the rater attends the roadshow by rating; a second rating of the same
// project is a conflict.
func (s *Service) Rate(ctx context.Context, actor identity.User, id string, in RatingInput) (Rating, error) {
	if !rates(actor) {
		return Rating{}, kedaitong.Errorf(kedaitong.EForbidden, "banks, investors and experts attending rate roadshow projects").ZHf("只有参加路演的银行、投资机构和专家可以为项目打分")
	}
	code, err := CheckCode("credit_code", in.CreditCode)
	if err != nil {
		return Rating{}, err
	}
	for _, x := range []struct {
		field string
		v     int
	}{{"feasibility", in.Feasibility}, {"commercial", in.Commercial}, {"team", in.Team}} {
		if x.v < 1 || x.v > 9 {
			return Rating{}, kedaitong.Invalid(x.field, "rate from 1 to 9, not %d", x.v).ZHf("评分应为 1 到 9，而不是 %d", x.v)
		}
	}
	in.Comment = strings.TrimSpace(in.Comment)
	if utf8.RuneCountInString(in.Comment) > 1000 {
		return Rating{}, kedaitong.Invalid("comment", "at most 1,000 characters").ZHf("评语最多 1000 个字")
	}
	r, _, err := s.loadRoadshow(ctx, id)
	if err != nil {
		return Rating{}, err
	}
	found := false
	for _, p := range r.Projects {
		found = found || p.CreditCode == code
	}
	if !found {
		return Rating{}, kedaitong.Errorf(kedaitong.ENotFound, "the enterprise %s has no project in this roadshow", code).ZHf("企业 %s 未在本次路演登记项目", code)
	}
	rt := Rating{ID: id + "|" + code + "|" + actor.ID, RoadshowID: id, CreditCode: code, UserID: actor.ID, Username: actor.Username, Role: actor.Role,
		Feasibility: in.Feasibility, Commercial: in.Commercial, Team: in.Team, Comment: in.Comment, At: s.now()}
	var old Rating
	if _, err := s.ratings.Get(ctx, rt.ID, &old); err == nil {
		return Rating{}, alreadyRated()
	} else if !kedaitong.Is(err, kedaitong.ENotFound) {
		return Rating{}, err
	}
	if _, err := s.Attend(ctx, actor, id); err != nil {
		return Rating{}, err
	}
	if err := s.ratings.Insert(ctx, rt.ID, rt); err != nil {
		if kedaitong.Is(err, kedaitong.EConflict) {
			return Rating{}, alreadyRated()
		}
		return Rating{}, err
	}
	s.record(ctx, &actor, "roadshow.rate", "roadshow", id, r.Region, map[string]any{"credit_code": code,
		"feasibility": in.Feasibility, "commercial": in.Commercial, "team": in.Team})
	return rt, nil
}

func alreadyRated() error {
	return kedaitong.Errorf(kedaitong.EConflict, "you have rated this project already").ZHf("您已为该项目打过分")
}
