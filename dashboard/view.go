package dashboard

import (
	"context"
	"strconv"
	"strings"

	"kedaitong"
	"kedaitong/consult"
	"kedaitong/fund"
	"kedaitong/identity"
	"kedaitong/review"
	"kedaitong/review/panel"
	"kedaitong/review/rereview"
	"kedaitong/taxonomy"
)

// Text is a name in both languages.
type Text = taxonomy.Text

// cityNames are Jiangxi's eleven prefecture-level cities (GB/T 2260).
var cityNames = map[string]Text{
	"3601": {ZH: "南昌市", EN: "Nanchang"}, "3602": {ZH: "景德镇市", EN: "Jingdezhen"},
	"3603": {ZH: "萍乡市", EN: "Pingxiang"}, "3604": {ZH: "九江市", EN: "Jiujiang"},
	"3605": {ZH: "新余市", EN: "Xinyu"}, "3606": {ZH: "鹰潭市", EN: "Yingtan"},
	"3607": {ZH: "赣州市", EN: "Ganzhou"}, "3608": {ZH: "吉安市", EN: "Ji'an"},
	"3609": {ZH: "宜春市", EN: "Yichun"}, "3610": {ZH: "抚州市", EN: "Fuzhou"},
	"3611": {ZH: "上饶市", EN: "Shangrao"},
}

// RegionName names a region code (the province, a city, or a county under
// its city) with the taxonomy's names: taxonomy.RegionNameOf in both languages.
func RegionName(code string) Text {
	return Text{ZH: taxonomy.RegionNameOf(code, "zh-CN"), EN: taxonomy.RegionNameOf(code, "en")}
}

// Level names a region's level: province, city or county.
func Level(code string) string {
	switch len(code) {
	case 2:
		return "province"
	case 4:
		return "city"
	}
	return "county"
}

// Count is one bar of a breakdown.
type Count struct {
	Code  string `json:"code"`
	Name  Text   `json:"name"`
	Count int64  `json:"count"`
}

// Share is a part of a whole.
type Share struct {
	Part  int64    `json:"part"`
	Whole int64    `json:"whole"`
	Share *float64 `json:"share"` // null when the whole is 0
}

func share(part, whole int64) Share {
	s := Share{Part: part, Whole: whole}
	if whole > 0 {
		v := float64(int64(float64(part)/float64(whole)*10000+0.5)) / 10000
		s.Share = &v
	}
	return s
}

// Child is one row of the drill-down.
type Child struct {
	Region            string `json:"region"`
	Name              Text   `json:"name"`
	Applications      int64  `json:"applications"`
	Reviewed          int64  `json:"reviewed"`
	StartupsReviewed  Share  `json:"startups_among_reviewed"`
	StartupsSupported Share  `json:"startups_among_supported"`
	Granted           int64  `json:"granted"`
	Whitelisted       int64  `json:"whitelisted"`
	ExitRecommended   int64  `json:"exit_recommended"`
}

// View is the dashboard of one region.
type View struct {
	Region string `json:"region"`
	Name   Text   `json:"name"`
	Level  string `json:"level"`
	Parent string `json:"parent,omitempty"` // the region above, when the caller may see it

	Applications struct {
		Total      int64   `json:"total"`
		ByState    []Count `json:"by_state"`
		ByIndustry []Count `json:"by_industry"`
		ByAgeGroup []Count `json:"by_age_group"`
	} `json:"applications"`
	StartupsReviewed  Share `json:"startups_among_reviewed"`
	StartupsSupported Share `json:"startups_among_supported"`
	Reports           struct {
		Count      int64    `json:"count"`
		MedianDays *float64 `json:"median_days"` // from submission to report; null before the first
	} `json:"reports"`
	Loans struct {
		Decided       int64 `json:"decided"`
		Granted       int64 `json:"granted"`
		GrantedAmount int64 `json:"granted_amount"` // yuan
	} `json:"loans"`
	Consultations struct {
		Asked          int64 `json:"asked"`
		Answered       int64 `json:"answered"`
		AnsweredOnTime Share `json:"answered_on_time"`
	} `json:"consultations"`
	Experts struct {
		SeatsOffered   int64 `json:"seats_offered"`
		SeatsOpen      int64 `json:"seats_open"` // workload: invited or accepted, not yet submitted
		SeatsAccepted  int64 `json:"seats_accepted"`
		SeatsDeclined  int64 `json:"seats_declined"`
		SeatsExpired   int64 `json:"seats_expired"`
		ReviewsOnTime  Share `json:"reviews_on_time"` // submitted by the due date among submitted
		AcceptanceRate Share `json:"acceptance"`      // accepted among offered
	} `json:"experts"`
	PanelsWithDisagreement int64 `json:"panels_with_disagreement"`
	Whitelisted            int64 `json:"whitelisted"`
	Rereviews              struct {
		Due             int64 `json:"due"`
		Running         int64 `json:"running"`
		Concluded       int64 `json:"concluded"`
		ExitRecommended int64 `json:"exit_recommended"`
	} `json:"rereviews"`
	Children []Child `json:"children"` // drill-down: cities of the province, counties of a city

	// Fund is the risk-compensation fund's side: loans registered in the
	// region (by the enterprise's county) and compensation claims.
	Fund struct {
		Loans         int64   `json:"loans"`
		LoanAmount    int64   `json:"loan_amount"` // yuan
		StartupLoans  Share   `json:"startup_loans"`
		LoansByState  []Count `json:"loans_by_state"`
		Claims        int64   `json:"claims"`
		ClaimLoss     int64   `json:"claim_loss"`   // yuan
		Compensation  int64   `json:"compensation"` // yuan, as computed on the claims
		ClaimsByState []Count `json:"claims_by_state"`
	} `json:"fund"`
	// Trends are month by month (Beijing time) over ?from= and ?to=.
	Trends Trends `json:"trends"`
}

var loanStateNames = map[string]Text{
	fund.LoanActive:        {ZH: "正常", EN: "Active"},
	fund.LoanRepaid:        {ZH: "已结清", EN: "Repaid"},
	fund.LoanNonPerforming: {ZH: "不良", EN: "Non-performing"},
	fund.LoanCompensated:   {ZH: "已代偿", EN: "Compensated"},
}

var claimStateNames = map[string]Text{
	fund.ClaimSubmitted:  {ZH: "待审批", EN: "Waiting for approval"},
	fund.ClaimApproved:   {ZH: "已批准", EN: "Approved"},
	fund.ClaimPaid:       {ZH: "已支付", EN: "Paid"},
	fund.ClaimPartlyPaid: {ZH: "部分支付", EN: "Partly paid"},
	fund.ClaimRejected:   {ZH: "已驳回", EN: "Rejected"},
}

var consultStateNames = map[string]Text{
	consult.StateOpen: {ZH: "待接单", EN: "Open"}, consult.StateAccepted: {ZH: "答复中", EN: "Being answered"},
	consult.StateAnswered: {ZH: "已答复", EN: "Answered"}, consult.StateFollowUp: {ZH: "追问中", EN: "Follow-up asked"},
	consult.StateClosed: {ZH: "已评价", EN: "Rated"},
}

var seatStateNames = map[string]Text{
	panel.StateInvited: {ZH: "已邀请", EN: "Invited"}, panel.StateAccepted: {ZH: "已接受", EN: "Accepted"},
	panel.StateDeclined: {ZH: "已拒绝", EN: "Declined"}, panel.StateExpired: {ZH: "已过期", EN: "Expired"},
	panel.StateSubmitted: {ZH: "已提交评分", EN: "Score submitted"},
}

var rereviewStateNames = map[string]Text{
	rereview.StateDueLater: {ZH: "未到期", EN: "Not yet due"}, rereview.StateDue: {ZH: "待复评", EN: "Due"},
	rereview.StateInProgress: {ZH: "复评中", EN: "Running"}, rereview.StateConcluded: {ZH: "已完成", EN: "Concluded"},
}

// StateName names a state of an application, a loan or a claim.
func StateName(of, state string) Text {
	var t Text
	switch of {
	case OfLoans:
		t = loanStateNames[state]
	case OfClaims:
		t = claimStateNames[state]
	case OfConsultations:
		t = consultStateNames[state]
	case OfSeats:
		t = seatStateNames[state]
	case OfRereviews:
		t = rereviewStateNames[state]
	case OfDisagreements:
		t = map[string]Text{"disagreement": {ZH: "意见分歧，未裁定", EN: "Disagreement, not adjudicated"}, "adjudicated": {ZH: "已裁定", EN: "Adjudicated"}}[state]
	default:
		t = stateNames[state]
	}
	if t.ZH == "" {
		return Text{ZH: state, EN: state}
	}
	return t
}

// Scope checks that actor may see the dashboard of region and returns the
// region to show: "" is the caller's own region (the province for
// administrators). A region outside the caller's is not found.
func Scope(actor identity.User, region string) (string, error) {
	region = strings.TrimSpace(region)
	own := ""
	switch actor.Role {
	case identity.RoleAdmin:
		own = Province
	case identity.RoleOfficial:
		if !identity.ValidRegion(actor.Region) {
			return "", kedaitong.Errorf(kedaitong.EForbidden, "your account has no region").ZHf("您的账户没有所属地区")
		}
		own = actor.Region
	default:
		return "", kedaitong.Errorf(kedaitong.EForbidden, "only officials and administrators see the dashboard").ZHf("只有政府用户和管理员可以查看看板")
	}
	if region == "" {
		return own, nil
	}
	if !identity.ValidRegion(region) {
		return "", kedaitong.Invalid("region", "a Jiangxi region code: 36, a city (3607) or a county (360702)").ZHf("地区应为江西省的行政区划代码：36（全省）、地市（如 3607）或区县（如 360702）")
	}
	if !identity.RegionCovers(own, region) {
		return "", kedaitong.Errorf(kedaitong.ENotFound, "no dashboard for region %s in your region", region).ZHf("您的辖区内没有地区 %s 的看板", region)
	}
	return region, nil
}

// States in the order of the flow, with names.
var stateNames = map[string]Text{
	review.StateDraft:     {ZH: "草稿", EN: "Draft"},
	review.StateSubmitted: {ZH: "已提交", EN: "Submitted"},
	review.StateInReview:  {ZH: "评审中", EN: "In review"},
	review.StateClosed:    {ZH: "已出报告", EN: "Report issued"},
	review.StateWithdrawn: {ZH: "已撤回", EN: "Withdrawn"},
}

var ageNames = []Count{
	{Code: review.AgeStartup, Name: Text{ZH: "初创（不满3年）", EN: "Start-up (under 3 years)"}},
	{Code: review.AgeGrowth, Name: Text{ZH: "成长（3–5年）", EN: "Growth (3–5 years)"}},
	{Code: review.AgeMature, Name: Text{ZH: "成熟（5年以上）", EN: "Mature (over 5 years)"}},
}

// Get returns the dashboard of region for actor ("" for the caller's own)
// with the trends of the last twelve months.
func (s *Service) Get(ctx context.Context, actor identity.User, region string) (View, error) {
	sn, err := s.Snapshot(ctx, actor, region, "", "")
	if err != nil {
		return View{}, err
	}
	return sn.View, nil
}

// compute reads the counters and builds the view (no cache).
func (s *Service) compute(ctx context.Context, scope, parent string, r Range) (View, error) {
	c, err := s.counts(ctx, scope)
	if err != nil {
		return View{}, err
	}
	kids, err := s.children(ctx, scope)
	if err != nil {
		return View{}, err
	}
	v := s.build(scope, c, kids)
	v.Parent = parent
	v.Trends = buildTrends(r, c)
	return v, nil
}

func (s *Service) build(scope string, c map[string]int64, kids map[string]map[string]int64) View {
	v := View{Region: scope, Name: RegionName(scope), Level: Level(scope), Children: []Child{}}
	f := &v.Fund
	f.Loans, f.LoanAmount, f.StartupLoans = c["ln"], c["ln_amt"], share(c["ln_su"], c["ln"])
	f.Claims, f.ClaimLoss, f.Compensation = c["cl"], c["cl_loss"], c["cl_comp"]
	for _, st := range fund.LoanStates {
		f.LoansByState = append(f.LoansByState, Count{Code: st, Name: loanStateNames[st], Count: c[key("lnst", st)]})
	}
	for _, st := range fund.ClaimStates {
		f.ClaimsByState = append(f.ClaimsByState, Count{Code: st, Name: claimStateNames[st], Count: c[key("clst", st)]})
	}
	v.Applications.Total = c["apps"]
	for _, st := range review.States {
		v.Applications.ByState = append(v.Applications.ByState, Count{Code: st, Name: stateNames[st], Count: c[key("st", st)]})
	}
	v.Applications.ByIndustry = []Count{}
	for _, ind := range s.tax.Fields().Industries {
		v.Applications.ByIndustry = append(v.Applications.ByIndustry, Count{Code: ind.Code, Name: ind.Name, Count: c[key("ind", ind.Code)]})
	}
	for _, a := range ageNames {
		a.Count = c[key("age", a.Code)]
		v.Applications.ByAgeGroup = append(v.Applications.ByAgeGroup, a)
	}
	v.StartupsReviewed = share(c["rev_startup"], c["rev"])
	v.StartupsSupported = share(c["sup_startup"], c["sup"])
	v.Reports.Count = c["rev"]
	v.Reports.MedianDays = median(c)
	v.Loans.Decided, v.Loans.Granted, v.Loans.GrantedAmount = c["decided"], c["sup"], c["granted_amount"]
	v.Consultations.Asked, v.Consultations.Answered = c["con"], c["con_ans"]
	v.Consultations.AnsweredOnTime = share(c["con_ontime"], c["con_ans"])
	e := &v.Experts
	e.SeatsOffered, e.SeatsOpen, e.SeatsAccepted = c["seats"], c["seats_open"], c["seats_acc"]
	e.SeatsDeclined, e.SeatsExpired = c["seats_declined"], c["seats_expired"]
	e.ReviewsOnTime = share(c["seats_ontime"], c["seats_done"])
	e.AcceptanceRate = share(c["seats_acc"], c["seats"])
	v.PanelsWithDisagreement = c["disagree"]
	v.Whitelisted = c["wl"]
	v.Rereviews.Due, v.Rereviews.Running = c["rr_due"], c["rr_open"]
	v.Rereviews.Concluded, v.Rereviews.ExitRecommended = c["rr_done"], c["rr_exit"]
	for _, code := range sortedKeys(kids) {
		k := kids[code]
		v.Children = append(v.Children, Child{Region: code, Name: RegionName(code), Applications: k["apps"], Reviewed: k["rev"],
			StartupsReviewed: share(k["rev_startup"], k["rev"]), StartupsSupported: share(k["sup_startup"], k["sup"]),
			Granted: k["sup"], Whitelisted: k["wl"], ExitRecommended: k["rr_exit"]})
	}
	return v
}

// median reads the median of the days histogram d_0 … d_MaxDays.
func median(c map[string]int64) *float64 {
	var n int64
	for d := 0; d <= MaxDays; d++ {
		n += c["d_"+strconv.Itoa(d)]
	}
	if n == 0 {
		return nil
	}
	// the values at positions lo and hi (0-based) of the sorted days
	lo, hi := (n-1)/2, n/2
	var seen int64
	loV, hiV := -1, -1
	for d := 0; d <= MaxDays; d++ {
		seen += c["d_"+strconv.Itoa(d)]
		if loV < 0 && seen > lo {
			loV = d
		}
		if hiV < 0 && seen > hi {
			hiV = d
			break
		}
	}
	m := float64(loV+hiV) / 2
	return &m
}
