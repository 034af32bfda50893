package match

import (
	"fmt"
	"math"

	"kedaitong"
)

// indexed is a validated instance in index form: the maps from ids to
// positions and, when the instance has an affinity list, its entries in
// input order as (application, expert, score) positions. Validate and the
// streaming decoder both produce it, so an instance is validated once.
type indexed struct {
	in                 *Instance
	expIndex, appIndex map[string]int32
	list               bool    // the instance has an affinity list (maybe empty)
	pApp, pExp         []int32 // affinity entries in input order
	pScore             []float64
}

// Validate checks the instance against the rules and limits of the package
// and returns an invalid-input error naming the first entry at fault.
func (in *Instance) Validate() error {
	_, err := validate(in)
	return err
}

// validate checks in (see Validate) and returns it in index form.
func validate(in *Instance) (*indexed, error) {
	if in == nil {
		return nil, kedaitong.Invalid("instance", "is missing").ZHf("缺少实例")
	}
	if err := checkCounts(len(in.Experts), len(in.Applications), len(in.Affinity)); err != nil {
		return nil, err
	}
	ix := &indexed{in: in, expIndex: make(map[string]int32, len(in.Experts)), appIndex: make(map[string]int32, len(in.Applications))}
	for i := range in.Experts {
		if err := ix.addExpert(i, &in.Experts[i]); err != nil {
			return nil, err
		}
	}
	for i := range in.Applications {
		if err := ix.addApplication(i, &in.Applications[i]); err != nil {
			return nil, err
		}
	}
	if in.Affinity != nil {
		ix.list = true
		ix.pApp = make([]int32, len(in.Affinity))
		ix.pExp = make([]int32, len(in.Affinity))
		ix.pScore = make([]float64, len(in.Affinity))
		for j, q := range in.Affinity {
			e, ok := ix.expIndex[q.Expert]
			if !ok {
				return nil, unknownExpert(j, q.Expert)
			}
			a, ok := ix.appIndex[q.Application]
			if !ok {
				return nil, unknownApplication(j, q.Application)
			}
			if err := checkScore(j, q.Score); err != nil {
				return nil, err
			}
			ix.pApp[j], ix.pExp[j], ix.pScore[j] = a, e, q.Score
		}
	}
	// Duplicate pairs are found when the pairs are sorted (see buildPairs).
	return ix, nil
}

// checkCounts applies the limits on the sizes of the three lists.
func checkCounts(nE, nA, nP int) error {
	if nE > MaxExperts {
		return kedaitong.Invalid("experts", "%d experts, at most %d allowed", nE, MaxExperts).ZHf("评审专家 %d 位，最多允许 %d 位", nE, MaxExperts)
	}
	if nA > MaxApplications {
		return kedaitong.Invalid("applications", "%d applications, at most %d allowed", nA, MaxApplications).ZHf("贷款申请 %d 件，最多允许 %d 件", nA, MaxApplications)
	}
	if nP > MaxPairs {
		return kedaitong.Invalid("affinity", "%d pairs, at most %d allowed", nP, MaxPairs).ZHf("匹配分 %d 对，最多允许 %d 对", nP, MaxPairs)
	}
	return nil
}

// addExpert checks experts[i] and records its id. Field names are only
// formatted on the error path.
func (ix *indexed) addExpert(i int, e *Expert) error {
	f := func() string { return fmt.Sprintf("experts[%d]", i) }
	if err := checkID(f, ".id", e.ID); err != nil {
		return err
	}
	if j, dup := ix.expIndex[e.ID]; dup {
		return kedaitong.Invalid(f()+".id", "duplicate expert id %q (also experts[%d])", e.ID, j).ZHf("评审专家编号 %q 重复（与 experts[%d] 相同）", e.ID, j)
	}
	ix.expIndex[e.ID] = int32(i)
	if tierIndex(e.Tier) < 0 {
		return kedaitong.Invalid(f()+".tier", "unknown tier %q for expert %q (want academician, industry or finance)", e.Tier, e.ID).ZHf("评审专家 %[2]q 的层级 %[1]q 未知（应为 academician、industry 或 finance）", e.Tier, e.ID)
	}
	if e.Capacity < 0 || e.Capacity > MaxCapacity {
		return kedaitong.Invalid(f()+".capacity", "capacity %d of expert %q out of range [0, %d]", e.Capacity, e.ID, MaxCapacity).ZHf("评审专家 %[2]q 的承担能力 %[1]d 超出范围 [0, %[3]d]", e.Capacity, e.ID, MaxCapacity)
	}
	for k, s := range e.Fields {
		if err := checkText(func() string { return fmt.Sprintf("%s.fields[%d]", f(), k) }, s); err != nil {
			return err
		}
	}
	for k, s := range e.Affiliations {
		if err := checkText(func() string { return fmt.Sprintf("%s.affiliations[%d]", f(), k) }, s); err != nil {
			return err
		}
	}
	return nil
}

// addApplication checks applications[i] and records its id.
func (ix *indexed) addApplication(i int, a *Application) error {
	f := func() string { return fmt.Sprintf("applications[%d]", i) }
	if err := checkID(f, ".id", a.ID); err != nil {
		return err
	}
	if j, dup := ix.appIndex[a.ID]; dup {
		return kedaitong.Invalid(f()+".id", "duplicate application id %q (also applications[%d])", a.ID, j).ZHf("贷款申请编号 %q 重复（与 applications[%d] 相同）", a.ID, j)
	}
	ix.appIndex[a.ID] = int32(i)
	if err := checkText(func() string { return f() + ".field" }, a.Field); err != nil {
		return err
	}
	for k, s := range a.Parties {
		if err := checkText(func() string { return fmt.Sprintf("%s.parties[%d]", f(), k) }, s); err != nil {
			return err
		}
	}
	if len(a.Panel) == 0 {
		return nil
	}
	for _, t := range sortedKeys(a.Panel) {
		n := a.Panel[t]
		if tierIndex(t) < 0 {
			return kedaitong.Invalid(f()+".panel."+t, "unknown tier %q in the panel of application %q (want academician, industry or finance)", t, a.ID).ZHf("贷款申请 %[2]q 的评审组中有未知层级 %[1]q（应为 academician、industry 或 finance）", t, a.ID)
		}
		if n < 0 || n > MaxSeats {
			return kedaitong.Invalid(f()+".panel."+t, "%d seats for application %q out of range [0, %d]", n, a.ID, MaxSeats).ZHf("贷款申请 %[2]q 的席位数 %[1]d 超出范围 [0, %[3]d]", n, a.ID, MaxSeats)
		}
	}
	return nil
}

func unknownExpert(j int, id string) error {
	return kedaitong.Invalid(fmt.Sprintf("affinity[%d].expert", j), "unknown expert %q", id).ZHf("未知的评审专家 %q", id)
}

func unknownApplication(j int, id string) error {
	return kedaitong.Invalid(fmt.Sprintf("affinity[%d].application", j), "unknown application %q", id).ZHf("未知的贷款申请 %q", id)
}

func checkID(entry func() string, suffix, id string) error {
	if id == "" {
		field := entry() + suffix
		return kedaitong.Invalid(field, "is missing").ZHf("缺少 %s", field)
	}
	return checkText(func() string { return entry() + suffix }, id)
}

func checkText(field func() string, s string) error {
	if len(s) > MaxIDLen {
		f := field()
		return kedaitong.Invalid(f, "longer than %d bytes", MaxIDLen).ZHf("%s 超过 %d 字节", f, MaxIDLen)
	}
	return nil
}

// checkScore checks the score of affinity[j].
func checkScore(j int, s float64) error {
	if s >= 0 && s <= MaxScore {
		return nil
	}
	field := fmt.Sprintf("affinity[%d].score", j)
	if math.IsNaN(s) || math.IsInf(s, 0) {
		return kedaitong.Invalid(field, "score is not a finite number").ZHf("匹配分不是有限数值")
	}
	return kedaitong.Invalid(field, "score %v out of range [0, %v]", s, MaxScore).ZHf("匹配分 %v 超出范围 [0, %v]", s, MaxScore)
}

// tierIndex returns the position of tier in Tiers, or -1.
func tierIndex(tier string) int {
	for i, t := range Tiers {
		if t == tier {
			return i
		}
	}
	return -1
}

// sortedKeys returns the keys of a panel in a fixed order, so that the
// first error reported does not depend on map iteration.
func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
