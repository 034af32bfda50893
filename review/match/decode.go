package match

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"unsafe"

	"kedaitong"
)

// MaxInputBytes bounds the JSON instance Decode reads.
const MaxInputBytes = 1 << 30

// Decode reads a JSON instance and validates it. Unknown fields, trailing
// data and every rule of Validate give an invalid-input error naming the
// entry at fault.
func Decode(r io.Reader) (*Instance, error) {
	ix, err := decode(r)
	if err != nil {
		return nil, err
	}
	in := ix.in
	if ix.list {
		in.Affinity = make([]Pair, len(ix.pApp))
		for j := range in.Affinity {
			in.Affinity[j] = Pair{Expert: in.Experts[ix.pExp[j]].ID, Application: in.Applications[ix.pApp[j]].ID, Score: ix.pScore[j]}
		}
	}
	return in, nil
}

// decode reads a JSON instance as a stream, straight into index form: the
// input is never held whole, the affinity list becomes three arrays
// (application, expert, score) with ids resolved as they are read, and
// every rule is checked once, on the way.
//
// It accepts what encoding/json with DisallowUnknownFields would decode
// into Instance (member names matched without regard to case, null for
// "not given"), except that a top-level list given twice is refused. The
// errors name the entry at fault; among rule violations the first in the
// order of Validate is reported (a missing capacity first, then the list
// limits, the experts, the applications, the affinity pairs). Malformed
// JSON and values of the wrong type stop the reading at once.
func decode(r io.Reader) (*indexed, error) {
	d := &decoder{s: newScanner(r)}
	d.ix = &indexed{in: &Instance{}, expIndex: map[string]int32{}, appIndex: map[string]int32{}}
	// From a regular file of known size, the affinity arrays are made once
	// at a bound on their length (an entry takes at least minPairBytes), so
	// they never grow by copying; pages never written cost no memory.
	if f, ok := r.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			n := int(min(st.Size()/minPairBytes+1, MaxPairs+1))
			d.ix.pApp, d.ix.pExp, d.ix.pScore = make([]int32, 0, n), make([]int32, 0, n), make([]float64, 0, n)
		}
	}
	if err := d.document(); err != nil {
		return nil, err
	}
	if err := d.s.end(); err != nil {
		return nil, err
	}
	return d.finish()
}

// minPairBytes is the length of the shortest affinity entry with its
// comma: {"expert":"","application":"","score":0},
const minPairBytes = 42

// decoder holds the state of one decode.
type decoder struct {
	s  *scanner
	ix *indexed
	// which top-level lists were read (experts, applications, affinity)
	seen [3]bool
	// the first rule violation of each kind, reported after the whole
	// document proved well-formed
	capErr, expErr, appErr, pairErr error
	// affinity entries read before both other lists were complete
	deferred []Pair
	// the affinity entry being read
	expB, appB []byte
	pScore     float64
	// the last application id of the affinity list and its position: pairs
	// usually come grouped by application
	lastApp    []byte
	lastAppIdx int32
	lastAppOK  bool
}

func (d *decoder) document() error {
	k, err := d.s.kind()
	if err != nil {
		return err
	}
	if k == kNull { // like encoding/json: null leaves the instance empty
		return d.s.literal()
	}
	if k != kObject {
		return kedaitong.Invalid("instance", "must be a JSON object").ZHf("实例必须是 JSON 对象")
	}
	more, err := d.s.open('{', '}')
	for ; more && err == nil; more, err = d.s.next('}') {
		var key []byte
		if key, err = d.s.key(); err != nil {
			return err
		}
		list := -1
		switch {
		case nameIs(key, "experts"):
			list = 0
		case nameIs(key, "applications"):
			list = 1
		case nameIs(key, "affinity"):
			list = 2
		default:
			k := string(key)
			return kedaitong.Invalid(k, "unknown top-level field (want experts, applications, affinity)").ZHf("未知的顶层字段 %q（应为 experts、applications、affinity）", k)
		}
		if d.seen[list] {
			name := [3]string{"experts", "applications", "affinity"}[list]
			return kedaitong.Invalid(name, "given twice").ZHf("%s 出现了两次", name)
		}
		d.seen[list] = true
		switch list {
		case 0:
			err = d.experts()
		case 1:
			err = d.applications()
		case 2:
			err = d.affinity()
		}
		if err != nil {
			return err
		}
	}
	return err
}

// nameIs matches a member name like encoding/json: exactly, or else
// without regard to case.
func nameIs(key []byte, name string) bool {
	return string(key) == name || len(key) == len(name) && bytes.EqualFold(key, []byte(name))
}

// list reads a list whose elements elem reads; null is an absent list.
// It reports whether the list was given (not null).
func (d *decoder) list(field string, elem func(i int) error) (bool, error) {
	k, err := d.s.kind()
	if err != nil {
		return false, err
	}
	if k == kNull {
		return false, d.s.literal()
	}
	if k != kArray {
		return false, wrongType(field, "a list", "列表", k)
	}
	more, err := d.s.open('[', ']')
	for i := 0; more && err == nil; more, err = d.s.next(']') {
		if err = elem(i); err != nil {
			return true, err
		}
		i++
	}
	return true, err
}

func wrongType(field, want, wantZH string, got int) error {
	return kedaitong.Invalid(field, "must be %s, not %s", want, kindNames[got]).ZHf("%s 应为%s，而不是%s", field, wantZH, kindNamesZH[got])
}

// object reads an object, calling member for each member; null leaves the
// value as it is. The key is valid until member reads its value.
func (d *decoder) object(field func() string, member func(key []byte) error) error {
	k, err := d.s.kind()
	if err != nil {
		return err
	}
	if k == kNull {
		return d.s.literal()
	}
	if k != kObject {
		return wrongType(field(), "an object", "对象", k)
	}
	more, err := d.s.open('{', '}')
	for ; more && err == nil; more, err = d.s.next('}') {
		var key []byte
		if key, err = d.s.key(); err != nil {
			return err
		}
		if err = member(key); err != nil {
			return err
		}
	}
	return err
}

func unknownField(field string, key []byte) error {
	return kedaitong.Invalid(field, "json: unknown field %q", key).ZHf("%s 中有未知字段 %q", field, key)
}

// stringValue reads a string into *v; null leaves *v as it is.
func (d *decoder) stringValue(field func() string, v *string) error {
	k, err := d.s.kind()
	if err != nil {
		return err
	}
	switch k {
	case kNull:
		return d.s.literal()
	case kString:
		b, err := d.s.str()
		if err != nil {
			return err
		}
		*v = string(b)
		return nil
	}
	return wrongType(field(), "a string", "字符串", k)
}

// strings reads a list of strings; null gives nil.
func (d *decoder) strings(field func() string) ([]string, error) {
	var out []string
	given, err := d.list(field(), func(i int) error {
		var v string
		if err := d.stringValue(func() string { return fmt.Sprintf("%s[%d]", field(), i) }, &v); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	if given && out == nil {
		out = []string{}
	}
	return out, err
}

// intValue reads an integer; ok is false for null.
func (d *decoder) intValue(field func() string) (v int, ok bool, err error) {
	k, err := d.s.kind()
	if err != nil {
		return 0, false, err
	}
	switch k {
	case kNull:
		return 0, false, d.s.literal()
	case kNumber:
		lit, err := d.s.number()
		if err != nil {
			return 0, false, err
		}
		n, perr := strconv.ParseInt(unsafe.String(unsafe.SliceData(lit), len(lit)), 10, 0)
		if perr != nil {
			f := field()
			return 0, false, kedaitong.Invalid(f, "must be an integer, not %s", lit).ZHf("%s 应为整数，而不是 %s", f, lit)
		}
		return int(n), true, nil
	}
	return 0, false, wrongType(field(), "an integer", "整数", k)
}

func (d *decoder) experts() error {
	ix := d.ix
	given, err := d.list("experts", func(i int) error {
		if i >= MaxExperts {
			return checkCounts(i+1, 0, 0)
		}
		entry := func() string { return fmt.Sprintf("experts[%d]", i) }
		var e Expert
		hasCap := false
		err := d.object(entry, func(key []byte) error {
			var err error
			switch {
			case nameIs(key, "id"):
				err = d.stringValue(func() string { return entry() + ".id" }, &e.ID)
			case nameIs(key, "tier"):
				err = d.tier(func() string { return entry() + ".tier" }, &e.Tier)
			case nameIs(key, "fields"):
				e.Fields, err = d.strings(func() string { return entry() + ".fields" })
			case nameIs(key, "affiliations"):
				e.Affiliations, err = d.strings(func() string { return entry() + ".affiliations" })
			case nameIs(key, "capacity"):
				e.Capacity, hasCap, err = d.intValue(func() string { return entry() + ".capacity" })
			default:
				err = unknownField(entry(), key)
			}
			return err
		})
		if err != nil {
			return err
		}
		ix.in.Experts = append(ix.in.Experts, e)
		if !hasCap && d.capErr == nil {
			d.capErr = kedaitong.Invalid(entry()+".capacity", "is required (expert %q)", e.ID).ZHf("缺少承担能力（评审专家 %q）", e.ID)
		}
		if d.expErr == nil {
			d.expErr = ix.addExpert(i, &ix.in.Experts[i])
		}
		return nil
	})
	if given && ix.in.Experts == nil {
		ix.in.Experts = []Expert{}
	}
	return err
}

// tier reads a tier name, sharing the constant strings.
func (d *decoder) tier(field func() string, v *string) error {
	k, err := d.s.kind()
	if err != nil || k != kString {
		return d.stringValue(field, v)
	}
	b, err := d.s.str()
	if err != nil {
		return err
	}
	for _, t := range Tiers {
		if string(b) == t {
			*v = t
			return nil
		}
	}
	*v = string(b)
	return nil
}

func (d *decoder) applications() error {
	ix := d.ix
	given, err := d.list("applications", func(i int) error {
		if i >= MaxApplications {
			return checkCounts(0, i+1, 0)
		}
		entry := func() string { return fmt.Sprintf("applications[%d]", i) }
		var a Application
		err := d.object(entry, func(key []byte) error {
			var err error
			switch {
			case nameIs(key, "id"):
				err = d.stringValue(func() string { return entry() + ".id" }, &a.ID)
			case nameIs(key, "field"):
				err = d.stringValue(func() string { return entry() + ".field" }, &a.Field)
			case nameIs(key, "parties"):
				a.Parties, err = d.strings(func() string { return entry() + ".parties" })
			case nameIs(key, "panel"):
				err = d.panel(func() string { return entry() + ".panel" }, &a.Panel)
			default:
				err = unknownField(entry(), key)
			}
			return err
		})
		if err != nil {
			return err
		}
		ix.in.Applications = append(ix.in.Applications, a)
		if d.appErr == nil {
			d.appErr = ix.addApplication(i, &ix.in.Applications[i])
		}
		return nil
	})
	if given && ix.in.Applications == nil {
		ix.in.Applications = []Application{}
	}
	return err
}

// panel reads seats per tier into *m: null makes it nil, an object adds its
// members (as encoding/json does with a map).
func (d *decoder) panel(field func() string, m *map[string]int) error {
	k, err := d.s.kind()
	if err != nil {
		return err
	}
	if k == kNull {
		*m = nil
		return d.s.literal()
	}
	if k == kObject && *m == nil {
		*m = make(map[string]int, 3)
	}
	return d.object(field, func(key []byte) error {
		t := ""
		for _, name := range Tiers {
			if string(key) == name {
				t = name
			}
		}
		if t == "" {
			t = string(key)
		}
		n, _, err := d.intValue(func() string { return field() + "." + t })
		if err != nil {
			return err
		}
		(*m)[t] = n // null gives 0, as with encoding/json
		return nil
	})
}

func (d *decoder) affinity() error {
	ix := d.ix
	// ids are resolved as they come when both other lists are complete:
	// on the other core, in batches, while this one reads on
	resolve := d.seen[0] && d.seen[1]
	var r *resolver
	if resolve {
		r = d.startResolver()
	}
	given, err := d.list("affinity", func(j int) error {
		if j >= MaxPairs {
			return checkCounts(0, 0, j+1)
		}
		if err := d.pair(j); err != nil {
			return err
		}
		if !resolve {
			d.deferred = append(d.deferred, Pair{Expert: string(d.expB), Application: string(d.appB), Score: d.pScore})
			return nil
		}
		r.add(j, d.expB, d.appB, d.pScore)
		return nil
	})
	if r != nil {
		r.close()
	}
	if given {
		ix.list = true
	}
	return err
}

// pairBatch is a run of affinity entries read but not yet resolved.
type pairBatch struct {
	first int       // the index j of the first entry
	ids   []byte    // the ids, expert then application, entry after entry
	ends  []int32   // per entry: where its expert id and its application id end in ids
	score []float64 // per entry
}

const pairBatchLen = 4096

// resolver hands batches of entries to a goroutine that resolves their
// ids (addPair) in input order, so that the first violation is still the
// first in the list. Only that goroutine touches the index while it runs.
type resolver struct {
	cur        *pairBatch
	full, free chan *pairBatch
	done       chan struct{}
}

func (d *decoder) startResolver() *resolver {
	r := &resolver{full: make(chan *pairBatch, 4), free: make(chan *pairBatch, 6), done: make(chan struct{})}
	for range 6 {
		r.free <- &pairBatch{ids: make([]byte, 0, pairBatchLen*16), ends: make([]int32, 0, 2*pairBatchLen), score: make([]float64, 0, pairBatchLen)}
	}
	go func() {
		defer close(r.done)
		for b := range r.full {
			var at int32
			for i, x := range b.score {
				e, a := b.ends[2*i], b.ends[2*i+1]
				d.addPair(b.first+i, b.ids[at:e], b.ids[e:a], x)
				at = a
			}
			r.free <- b
		}
	}()
	return r
}

// add queues affinity[j].
func (r *resolver) add(j int, exp, app []byte, score float64) {
	b := r.cur
	if b == nil {
		b = <-r.free
		b.first, b.ids, b.ends, b.score = j, b.ids[:0], b.ends[:0], b.score[:0]
		r.cur = b
	}
	b.ids = append(b.ids, exp...)
	b.ends = append(b.ends, int32(len(b.ids)))
	b.ids = append(b.ids, app...)
	b.ends = append(b.ends, int32(len(b.ids)))
	b.score = append(b.score, score)
	if len(b.score) == pairBatchLen {
		r.full <- b
		r.cur = nil
	}
}

// close hands over the last batch and waits until every entry is resolved.
func (r *resolver) close() {
	if r.cur != nil {
		r.full <- r.cur
		r.cur = nil
	}
	close(r.full)
	<-r.done
}

// pairField names a member of affinity[j] ("" for the entry itself).
func pairField(j int, member string) string {
	return fmt.Sprintf("affinity[%d]", j) + member
}

// pair reads affinity[j] into d.expB, d.appB (copies: the scanner's buffer
// moves) and d.pScore. It is the decoder's hot path: no closures, no
// formatting unless on error.
func (d *decoder) pair(j int) error {
	d.expB, d.appB, d.pScore = d.expB[:0], d.appB[:0], 0
	k, err := d.s.kind()
	if err != nil {
		return err
	}
	if k == kNull {
		return d.s.literal()
	}
	if k != kObject {
		return wrongType(pairField(j, ""), "an object", "对象", k)
	}
	more, err := d.s.open('{', '}')
	for ; more && err == nil; more, err = d.s.next('}') {
		key, kerr := d.s.key()
		if kerr != nil {
			return kerr
		}
		var verr error
		switch {
		case nameIs(key, "expert"):
			verr = d.pairID(j, ".expert", &d.expB)
		case nameIs(key, "application"):
			verr = d.pairID(j, ".application", &d.appB)
		case nameIs(key, "score"):
			verr = d.pairScore(j)
		default:
			verr = unknownField(pairField(j, ""), key)
		}
		if verr != nil {
			return verr
		}
	}
	return err
}

// pairID reads a string id into *b (a copy); null leaves it as it is.
func (d *decoder) pairID(j int, member string, b *[]byte) error {
	k, err := d.s.kind()
	if err != nil {
		return err
	}
	switch k {
	case kNull:
		return d.s.literal()
	case kString:
		v, err := d.s.str()
		if err != nil {
			return err
		}
		*b = append((*b)[:0], v...)
		return nil
	}
	return wrongType(pairField(j, member), "a string", "字符串", k)
}

// pairScore reads a score into d.pScore; null leaves it as it is.
func (d *decoder) pairScore(j int) error {
	k, err := d.s.kind()
	if err != nil {
		return err
	}
	switch k {
	case kNull:
		return d.s.literal()
	case kNumber:
		lit, err := d.s.number()
		if err != nil {
			return err
		}
		x, perr := strconv.ParseFloat(unsafe.String(unsafe.SliceData(lit), len(lit)), 64)
		if perr != nil {
			if !math.IsInf(x, 0) {
				f := pairField(j, ".score")
				return kedaitong.Invalid(f, "must be a number, not %s", lit).ZHf("%s 应为数值，而不是 %s", f, lit)
			}
			x = math.Inf(1) // beyond float64: refused by checkScore
		}
		d.pScore = x
		return nil
	}
	return wrongType(pairField(j, ".score"), "a number", "数值", k)
}

// addPair records affinity[j] once the experts and applications are known.
func (d *decoder) addPair(j int, exp, app []byte, score float64) {
	ix := d.ix
	var a int32
	if d.lastAppOK && bytes.Equal(app, d.lastApp) {
		a = d.lastAppIdx
	} else {
		var ok bool
		a, ok = ix.appIndex[string(app)]
		if !ok {
			if d.pairErr == nil {
				if _, ok := ix.expIndex[string(exp)]; !ok {
					d.pairErr = unknownExpert(j, string(exp))
				} else {
					d.pairErr = unknownApplication(j, string(app))
				}
			}
			ix.pApp, ix.pExp, ix.pScore = append(ix.pApp, -1), append(ix.pExp, -1), append(ix.pScore, score)
			return
		}
		d.lastApp, d.lastAppIdx, d.lastAppOK = append(d.lastApp[:0], app...), a, true
	}
	e, ok := ix.expIndex[string(exp)]
	if !ok && d.pairErr == nil {
		d.pairErr = unknownExpert(j, string(exp))
	}
	if d.pairErr == nil {
		d.pairErr = checkScore(j, score)
	}
	ix.pApp, ix.pExp, ix.pScore = append(ix.pApp, a), append(ix.pExp, e), append(ix.pScore, score)
}

// finish resolves deferred pairs and reports the first rule violation.
func (d *decoder) finish() (*indexed, error) {
	ix := d.ix
	if d.capErr != nil {
		return nil, d.capErr
	}
	if err := checkCounts(len(ix.in.Experts), len(ix.in.Applications), len(ix.pApp)+len(d.deferred)); err != nil {
		return nil, err
	}
	if d.expErr != nil {
		return nil, d.expErr
	}
	if d.appErr != nil {
		return nil, d.appErr
	}
	if d.deferred != nil {
		ix.pApp = make([]int32, 0, len(d.deferred))
		ix.pExp = make([]int32, 0, len(d.deferred))
		ix.pScore = make([]float64, 0, len(d.deferred))
		for j, q := range d.deferred {
			d.addPair(j, []byte(q.Expert), []byte(q.Application), q.Score)
		}
		d.deferred = nil
	}
	if d.pairErr != nil {
		return nil, d.pairErr
	}
	if ix.list && len(ix.pApp) == 0 {
		ix.pApp, ix.pExp, ix.pScore = []int32{}, []int32{}, []float64{}
	}
	return ix, nil
}
