package match

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"

	"kedaitong"
)

// MaxInputBytes bounds the JSON instance Decode reads.
const MaxInputBytes = 1 << 30

// rawExpert mirrors Expert with the capacity required.
type rawExpert struct {
	ID           string   `json:"id"`
	Tier         string   `json:"tier"`
	Fields       []string `json:"fields"`
	Affiliations []string `json:"affiliations"`
	Capacity     *int     `json:"capacity"`
}

type rawInstance struct {
	Experts      []rawExpert   `json:"experts"`
	Applications []Application `json:"applications"`
	Affinity     []Pair        `json:"affinity"`
}

// Decode reads a JSON instance and validates it. Unknown fields, trailing
// data and every rule of Validate give an invalid-input error naming the
// entry at fault.
func Decode(r io.Reader) (*Instance, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxInputBytes+1))
	if err != nil {
		return nil, kedaitong.Wrap(kedaitong.EInvalid, err, "cannot read the instance").ZHf("无法读取实例")
	}
	if len(data) > MaxInputBytes {
		return nil, kedaitong.Invalid("instance", "larger than %d bytes", MaxInputBytes).ZHf("实例超过 %d 字节", MaxInputBytes)
	}
	var raw rawInstance
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, diagnose(data, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, kedaitong.Invalid("instance", "trailing data after the JSON object").ZHf("JSON 对象之后还有多余的数据")
	}
	in := &Instance{Applications: raw.Applications, Affinity: raw.Affinity}
	in.Experts = make([]Expert, len(raw.Experts))
	for i, e := range raw.Experts {
		if e.Capacity == nil {
			return nil, kedaitong.Invalid(fmt.Sprintf("experts[%d].capacity", i), "is required (expert %q)", e.ID).ZHf("缺少承担能力（评审专家 %q）", e.ID)
		}
		in.Experts[i] = Expert{ID: e.ID, Tier: e.Tier, Fields: e.Fields, Affiliations: e.Affiliations, Capacity: *e.Capacity}
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	return in, nil
}

// diagnose re-reads a document that failed to decode, entry by entry, to
// name the entry at fault. It is only run on the error path.
func diagnose(data []byte, cause error) error {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return kedaitong.Wrap(kedaitong.EInvalid, err, "malformed JSON instance: %v", err).ZHf("JSON 实例格式有误：%v", err)
	}
	if top == nil {
		return kedaitong.Invalid("instance", "must be a JSON object").ZHf("实例必须是 JSON 对象")
	}
	for k := range top {
		if k != "experts" && k != "applications" && k != "affinity" {
			return kedaitong.Invalid(k, "unknown top-level field (want experts, applications, affinity)").ZHf("未知的顶层字段（应为 experts、applications、affinity）")
		}
	}
	lists := []struct {
		key string
		new func() any
	}{
		{"experts", func() any { return new(rawExpert) }},
		{"applications", func() any { return new(Application) }},
		{"affinity", func() any { return new(Pair) }},
	}
	for _, l := range lists {
		msg, ok := top[l.key]
		if !ok {
			continue
		}
		var items []json.RawMessage
		if err := json.Unmarshal(msg, &items); err != nil {
			return kedaitong.Invalid(l.key, "must be a list: %v", err).ZHf("%s 必须是列表：%v", l.key, err)
		}
		for i, item := range items {
			d := json.NewDecoder(bytes.NewReader(item))
			d.DisallowUnknownFields()
			if err := d.Decode(l.new()); err != nil {
				return kedaitong.Invalid(fmt.Sprintf("%s[%d]", l.key, i), "%v", err).ZHf("%s[%d] 无法解析：%v", l.key, i, err)
			}
		}
	}
	return kedaitong.Wrap(kedaitong.EInvalid, cause, "malformed JSON instance: %v", cause).ZHf("JSON 实例格式有误：%v", cause)
}

// Validate checks the instance against the rules and limits of the package
// and returns an invalid-input error naming the first entry at fault.
func (in *Instance) Validate() error {
	if in == nil {
		return kedaitong.Invalid("instance", "is missing").ZHf("缺少实例")
	}
	if len(in.Experts) > MaxExperts {
		return kedaitong.Invalid("experts", "%d experts, at most %d allowed", len(in.Experts), MaxExperts).ZHf("评审专家 %d 位，最多允许 %d 位", len(in.Experts), MaxExperts)
	}
	if len(in.Applications) > MaxApplications {
		return kedaitong.Invalid("applications", "%d applications, at most %d allowed", len(in.Applications), MaxApplications).ZHf("贷款申请 %d 件，最多允许 %d 件", len(in.Applications), MaxApplications)
	}
	if len(in.Affinity) > MaxPairs {
		return kedaitong.Invalid("affinity", "%d pairs, at most %d allowed", len(in.Affinity), MaxPairs).ZHf("匹配分 %d 对，最多允许 %d 对", len(in.Affinity), MaxPairs)
	}
	experts := make(map[string]int, len(in.Experts))
	for i, e := range in.Experts {
		f := fmt.Sprintf("experts[%d]", i)
		if err := checkID(f+".id", e.ID); err != nil {
			return err
		}
		if j, dup := experts[e.ID]; dup {
			return kedaitong.Invalid(f+".id", "duplicate expert id %q (also experts[%d])", e.ID, j).ZHf("评审专家编号 %q 重复（与 experts[%d] 相同）", e.ID, j)
		}
		experts[e.ID] = i
		if tierIndex(e.Tier) < 0 {
			return kedaitong.Invalid(f+".tier", "unknown tier %q for expert %q (want academician, industry or finance)", e.Tier, e.ID).ZHf("评审专家 %[2]q 的层级 %[1]q 未知（应为 academician、industry 或 finance）", e.Tier, e.ID)
		}
		if e.Capacity < 0 || e.Capacity > MaxCapacity {
			return kedaitong.Invalid(f+".capacity", "capacity %d of expert %q out of range [0, %d]", e.Capacity, e.ID, MaxCapacity).ZHf("评审专家 %[2]q 的承担能力 %[1]d 超出范围 [0, %[3]d]", e.Capacity, e.ID, MaxCapacity)
		}
		for k, s := range e.Fields {
			if err := checkText(fmt.Sprintf("%s.fields[%d]", f, k), s); err != nil {
				return err
			}
		}
		for k, s := range e.Affiliations {
			if err := checkText(fmt.Sprintf("%s.affiliations[%d]", f, k), s); err != nil {
				return err
			}
		}
	}
	apps := make(map[string]int, len(in.Applications))
	for i, a := range in.Applications {
		f := fmt.Sprintf("applications[%d]", i)
		if err := checkID(f+".id", a.ID); err != nil {
			return err
		}
		if j, dup := apps[a.ID]; dup {
			return kedaitong.Invalid(f+".id", "duplicate application id %q (also applications[%d])", a.ID, j).ZHf("贷款申请编号 %q 重复（与 applications[%d] 相同）", a.ID, j)
		}
		apps[a.ID] = i
		if err := checkText(f+".field", a.Field); err != nil {
			return err
		}
		for k, s := range a.Parties {
			if err := checkText(fmt.Sprintf("%s.parties[%d]", f, k), s); err != nil {
				return err
			}
		}
		for _, t := range sortedKeys(a.Panel) {
			n := a.Panel[t]
			if tierIndex(t) < 0 {
				return kedaitong.Invalid(f+".panel."+t, "unknown tier %q in the panel of application %q (want academician, industry or finance)", t, a.ID).ZHf("贷款申请 %[2]q 的评审组中有未知层级 %[1]q（应为 academician、industry 或 finance）", t, a.ID)
			}
			if n < 0 || n > MaxSeats {
				return kedaitong.Invalid(f+".panel."+t, "%d seats for application %q out of range [0, %d]", n, a.ID, MaxSeats).ZHf("贷款申请 %[2]q 的席位数 %[1]d 超出范围 [0, %[3]d]", n, a.ID, MaxSeats)
			}
		}
	}
	for i, p := range in.Affinity {
		f := fmt.Sprintf("affinity[%d]", i)
		if _, ok := experts[p.Expert]; !ok {
			return kedaitong.Invalid(f+".expert", "unknown expert %q", p.Expert).ZHf("未知的评审专家 %q", p.Expert)
		}
		if _, ok := apps[p.Application]; !ok {
			return kedaitong.Invalid(f+".application", "unknown application %q", p.Application).ZHf("未知的贷款申请 %q", p.Application)
		}
		if err := checkScore(f+".score", p.Score); err != nil {
			return err
		}
	}
	// Duplicate pairs are found when the pairs are sorted (see buildPairs).
	return nil
}

func checkID(field, id string) error {
	if id == "" {
		return kedaitong.Invalid(field, "is missing").ZHf("缺少 %s", field)
	}
	return checkText(field, id)
}

func checkText(field, s string) error {
	if len(s) > MaxIDLen {
		return kedaitong.Invalid(field, "longer than %d bytes", MaxIDLen).ZHf("%s 超过 %d 字节", field, MaxIDLen)
	}
	return nil
}

func checkScore(field string, s float64) error {
	if math.IsNaN(s) || math.IsInf(s, 0) {
		return kedaitong.Invalid(field, "score is not a finite number").ZHf("匹配分不是有限数值")
	}
	if s < 0 || s > MaxScore {
		return kedaitong.Invalid(field, "score %v out of range [0, %v]", s, MaxScore).ZHf("匹配分 %v 超出范围 [0, %v]", s, MaxScore)
	}
	return nil
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
