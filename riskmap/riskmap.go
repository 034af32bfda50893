// Package riskmap is the industry risk map: counters of classified news kept
// on ingest, and the risk index computed from them per industry × risk
// dimension for any time range.
//
// # Counters
//
// One counter document per day (Asia/Shanghai calendar days) in
// "riskmap_days", id "rm:<yyyymmdd>", with the indexed field day
// (yyyymmdd as an integer) and one integer field per cell and polarity:
//
//	c__<industry>__<dimension>__<polarity>   stories (hyphens as underscores)
//	w__<industry>__<dimension>               risk weight of the risk stories, in thousandths
//
// A story is counted once: only the first item of a near-duplicate cluster
// (cluster_first) counts. An item counts in every cell of its industries ×
// dimensions. The counters change by one version-guarded write per day
// touched by a group of crawled batches (ingest.go), which also records the
// ids of the batches counted, so concurrent crawlers lose nothing, a batch
// repaired after a crash is not counted twice, and reading a range is one
// index scan of its days (about 180 documents for a 90-day map),
// independent of how many items there are. Marks are integer fields
// j__<batch id> = 1, dropped once their batch is settled.
//
// # The risk index
//
// For a cell and a window [from, to] of n days:
//
//   - Each risk story weighs 1 (3 when its severity is high: export control,
//     a route overtaken, insolvency or default). w_d is a day's summed weight.
//   - The window's time-decayed weight is S = Σ w_d · 2^(−(to−d)/h), with the
//     half-life h (default 7 days): recent stories count most.
//   - The baseline is the cell's own trailing 90 days before from: the mean
//     μ and standard deviation σ of its daily weights. Under the baseline S
//     would be about μ·K1 with standard deviation σ·√K2, where
//     K1 = Σ 2^(−(to−d)/h) and K2 = Σ 2^(−2(to−d)/h).
//   - score = (S − μ·K1) / (σ'·√K2): how many standard deviations the window
//     stands above the cell's normal, so that a quiet industry's spike shows
//     as clearly as a noisy one's. σ' = max(σ, √μ, 0.25) keeps a cell with a
//     flat or empty history from dividing by nothing (√μ is the spread of a
//     Poisson count; 0.25 is a quarter story).
//   - trend = (risk stories in the window − those in the previous window of
//     equal length) / max(those in the previous window, 1).
//   - low_confidence: fewer than MinStories risk stories in the window; such
//     a cell is drawn hatched, never red, and raises no alert.
//   - baseline_days: how many of the 90 baseline days lie on or after the
//     first day with any counter (a young store has a short baseline; the
//     alert trigger needs at least MinBaselineDays).
package riskmap

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"kedaitong"
	"kedaitong/identity"
	"kedaitong/intel"
	"kedaitong/intel/classify"
	"kedaitong/internal/store"
	"kedaitong/review"
	"kedaitong/taxonomy"
)

// DaysDef is the collection of day counters.
var DaysDef = store.CollectionDef{Name: "riskmap_days", Indexes: []store.Index{
	{Fields: []string{"day"}},
}}

// Defaults and limits.
const (
	DefaultHalfLife = 7 * 24 * time.Hour
	DefaultWindow   = 90   // days of the map when no range is given
	BaselineDays    = 90   // days of the trailing baseline
	MaxRangeDays    = 731  // two years
	MinStories      = 3    // risk stories a cell needs in a window to be confident
	MinBaselineDays = 28   // baseline days with data the spike trigger needs
	weightUnit      = 1000 // weights are stored in thousandths
	highWeight      = 3    // a high-severity story weighs this many normal ones
	sdFloor         = 0.25 // stories: the least standard deviation assumed
)

// Dimensions are the risk dimensions, in the map's order.
var Dimensions = classify.Dimensions

// Zone is the calendar the map's days follow.
var Zone = func() *time.Location {
	z, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return z
}()

// Options configure a Service.
type Options struct {
	HalfLife time.Duration // 0: DefaultHalfLife
	Now      func() time.Time
}

// Service keeps the counters and computes maps.
type Service struct {
	days  store.Collection
	apps  store.Collection
	intel *intel.Service
	tax   *taxonomy.Taxonomy
	half  float64 // half-life in days
	now   func() time.Time

	firstMu  sync.Mutex
	firstDay int // the first day with a counter; 0 when unknown

	bk    book
	cache spikeCache
	group group
	views viewCache // computed maps for readers (cache.go)
}

// Open declares the counters (and reads the applications, for banks'
// exposure) on st.
func Open(ctx context.Context, st store.Store, in *intel.Service, opts Options) (*Service, error) {
	s := &Service{intel: in, tax: taxonomy.Default(), now: opts.Now}
	var err error
	if s.days, err = st.Collection(ctx, DaysDef); err != nil {
		return nil, fmt.Errorf("riskmap: %w", err)
	}
	if s.apps, err = st.Collection(ctx, review.ApplicationsDef); err != nil {
		return nil, fmt.Errorf("riskmap: %w", err)
	}
	h := opts.HalfLife
	if h <= 0 {
		h = DefaultHalfLife
	}
	s.half = h.Hours() / 24
	if s.now == nil {
		s.now = time.Now
	}
	if in != nil {
		in.SetEnterpriseScope(s) // items show only the enterprise links of the caller's book
	}
	return s, nil
}

// HalfLifeDays is the decay's half-life in days.
func (s *Service) HalfLifeDays() float64 { return s.half }

// Industries are the taxonomy's industry codes in the map's order.
func (s *Service) Industries() []string {
	out := make([]string, len(s.tax.Industries))
	for i, ind := range s.tax.Industries {
		out[i] = ind.Code
	}
	return out
}

// Taxonomy is the taxonomy the map is drawn over.
func (s *Service) Taxonomy() *taxonomy.Taxonomy { return s.tax }

// Day is a calendar day as yyyymmdd.
type Day int

// DayOf returns the day of t in Zone.
func DayOf(t time.Time) Day {
	t = t.In(Zone)
	return Day(t.Year()*10000 + int(t.Month())*100 + t.Day())
}

// Time is the day's start in Zone.
func (d Day) Time() time.Time {
	return time.Date(int(d)/10000, time.Month(int(d)/100%100), int(d)%100, 0, 0, 0, 0, Zone)
}

// Add returns the day n days later.
func (d Day) Add(n int) Day { return DayOf(d.Time().AddDate(0, 0, n).Add(12 * time.Hour)) }

// String is YYYY-MM-DD.
func (d Day) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", int(d)/10000, int(d)/100%100, int(d)%100)
}

// Sub is the number of days from e to d.
func (d Day) Sub(e Day) int {
	return int(math.Round(d.Time().Sub(e.Time()).Hours() / 24))
}

func dayID(d Day) string { return fmt.Sprintf("rm:%08d", int(d)) }

func fieldCode(code string) string { return strings.ReplaceAll(code, "-", "_") }

// CountField is the counter field of a cell and polarity.
func CountField(industry, dimension, polarity string) string {
	return "c__" + fieldCode(industry) + "__" + fieldCode(dimension) + "__" + polarity
}

// WeightField is the risk-weight field of a cell.
func WeightField(industry, dimension string) string {
	return "w__" + fieldCode(industry) + "__" + fieldCode(dimension)
}

// Weight is a risk story's weight in thousandths.
func Weight(it intel.Item) int64 {
	if it.Severity == classify.SeverityHigh {
		return highWeight * weightUnit
	}
	return weightUnit
}

// Deltas are the counter changes a batch of items makes, per day.
func Deltas(items []intel.Item) map[Day]map[string]int64 {
	out := map[Day]map[string]int64{}
	for _, it := range items {
		if !it.ClusterFirst || len(it.Industries) == 0 || len(it.Dimensions) == 0 {
			continue
		}
		pol := it.Polarity
		if pol == "" {
			pol = classify.Neutral
		}
		d := DayOf(it.Published)
		m := out[d]
		if m == nil {
			m = map[string]int64{}
			out[d] = m
		}
		for _, ind := range it.Industries {
			for _, dim := range it.Dimensions {
				m[CountField(ind, dim, pol)]++
				if pol == classify.Risk {
					m[WeightField(ind, dim)] += Weight(it)
				}
			}
		}
	}
	return out
}

// Count adds newly stored items to the day counters (CountBatch without a
// batch id: nothing guards against counting them twice).
func (s *Service) Count(ctx context.Context, items []intel.Item) error {
	return s.CountBatch(ctx, "", items)
}

// CountBatch adds a batch of newly stored items to the day counters. It is
// the crawler's batch hook (intel.OnBatch), called by many crawl workers at
// once: their deltas are merged and written as a group (one version-guarded
// write per day touched, for every caller waiting), and each caller returns
// once its own deltas are stored. A non-empty batch id is recorded in each
// day's document together with the batch's deltas, so a batch told twice
// (repaired after a crash) is counted once (ingest.go).
func (s *Service) CountBatch(ctx context.Context, batch string, items []intel.Item) error {
	ds := Deltas(items)
	if len(ds) == 0 {
		return nil
	}
	g := &s.group
	g.mu.Lock()
	if g.cond == nil {
		g.cond = sync.NewCond(&g.mu)
	}
	if g.pending == nil {
		g.pending = map[Day]*dayPending{}
	}
	for d, deltas := range ds {
		p := g.pending[d]
		if p == nil {
			p = &dayPending{}
			g.pending[d] = p
		}
		p.add(batch, deltas)
	}
	mine := g.gen + 1 // the flush that will carry these deltas
	for g.flushing && g.done < mine {
		g.cond.Wait()
	}
	if g.done >= mine {
		err := g.errs[mine]
		g.mu.Unlock()
		return err
	}
	// Lead: write what is pending, repeatedly, while others add more.
	g.flushing = true
	var myErr error
	for len(g.pending) > 0 {
		batch := g.pending
		g.pending = nil
		g.gen++
		gen := g.gen
		g.mu.Unlock()
		err := s.flush(context.WithoutCancel(ctx), batch)
		g.mu.Lock()
		if g.errs == nil {
			g.errs = map[int64]error{}
		}
		if err != nil {
			g.errs[gen] = err
		}
		if gen == mine {
			myErr = err
		}
		delete(g.errs, gen-64)
		g.done = gen
		g.cond.Broadcast()
	}
	g.flushing = false
	g.cond.Broadcast()
	g.mu.Unlock()
	return myErr
}

// group merges concurrent Count calls into one write per day.
type group struct {
	mu       sync.Mutex
	cond     *sync.Cond
	pending  map[Day]*dayPending
	gen      int64 // flushes started
	done     int64 // flushes finished
	flushing bool
	errs     map[int64]error
}

func (s *Service) flush(ctx context.Context, batch map[Day]*dayPending) error {
	today := DayOf(s.now())
	var first error
	for d, p := range batch {
		if err := s.applyDay(ctx, d, p); err != nil && first == nil {
			first = err
		}
		if d != today {
			s.Invalidate() // the spike trigger's cached history changed
		}
	}
	if err := s.bumpGen(ctx); err != nil && first == nil {
		first = err
	}
	return first
}

func isNotFound(err error) bool { return kedaitong.Is(err, kedaitong.ENotFound) }

// Add applies counter deltas to a day (benchmarks and backfills build data
// sets with it exactly as ingest does).
func (s *Service) Add(ctx context.Context, d Day, deltas map[string]int64) error {
	if _, err := s.days.Incr(ctx, dayID(d), map[string]any{"day": int64(d)}, deltas); err != nil {
		return err
	}
	s.counted(d)
	return nil
}

// first returns the first day with counters (0 when none).
func (s *Service) first(ctx context.Context) (Day, error) {
	s.firstMu.Lock()
	f := s.firstDay
	s.firstMu.Unlock()
	if f != 0 {
		return Day(f), nil
	}
	p, err := s.days.Find(ctx, store.Query{Range: &store.Range{Field: "day", Gt: int64(0)}, Sort: "day", Limit: 1})
	if err != nil || len(p.Docs) == 0 {
		return 0, err
	}
	var doc struct {
		Day int `json:"day"`
	}
	if err := p.Docs[0].Decode(&doc); err != nil {
		return 0, err
	}
	s.firstMu.Lock()
	s.firstDay = doc.Day
	s.firstMu.Unlock()
	return Day(doc.Day), nil
}

// dayDoc is a day's counters.
type dayDoc map[string]int64

// load reads the counters of the days [from, to] (an index range scan).
func (s *Service) load(ctx context.Context, from, to Day) (map[Day]dayDoc, error) {
	out := map[Day]dayDoc{}
	q := store.Query{Range: &store.Range{Field: "day", Gte: int64(from), Lte: int64(to)}, Sort: "day", Limit: 500}
	for {
		p, err := s.days.Find(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, doc := range p.Docs {
			var m dayDoc
			if err := doc.Decode(&m); err != nil {
				return nil, err
			}
			out[Day(m["day"])] = m
		}
		if p.Next == "" {
			return out, nil
		}
		q.After = p.Next
	}
}

// Range is a validated time range of whole days.
type Range struct {
	From, To Day
}

// Days is the number of days in the range.
func (r Range) Days() int { return r.To.Sub(r.From) + 1 }

// ParseRange reads from and to (YYYY-MM-DD or RFC 3339; empty: the last 90
// days ending today). An inverted range or one longer than two years is
// invalid.
func (s *Service) ParseRange(from, to string) (Range, error) {
	today := DayOf(s.now())
	var r Range
	var err error
	if r.To, err = parseDay("to", to, today); err != nil {
		return r, err
	}
	if r.From, err = parseDay("from", from, r.To.Add(-(DefaultWindow - 1))); err != nil {
		return r, err
	}
	if r.From > r.To {
		return r, kedaitong.Invalid("from", "from %s is after to %s", r.From, r.To).ZHf("开始日期 %s 晚于结束日期 %s", r.From, r.To)
	}
	if r.Days() > MaxRangeDays {
		return r, kedaitong.Invalid("to", "the range %s to %s is %d days; at most two years (%d days)", r.From, r.To, r.Days(), MaxRangeDays).ZHf("%s 到 %s 共 %d 天；最长两年（%d 天）", r.From, r.To, r.Days(), MaxRangeDays)
	}
	if r.To > today.Add(1) {
		return r, kedaitong.Invalid("to", "to %s is in the future", r.To).ZHf("结束日期 %s 在将来", r.To)
	}
	return r, nil
}

func parseDay(field, v string, def Day) (Day, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return def, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", v, Zone); err == nil {
		return DayOf(t), nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return DayOf(t), nil
	}
	return 0, kedaitong.Invalid(field, "%q is not a date (YYYY-MM-DD)", v).ZHf("%q 不是日期（YYYY-MM-DD）", v)
}

// Cell is one industry × dimension of a map.
type Cell struct {
	Industry         string  `json:"industry"`
	Dimension        string  `json:"dimension"`
	Score            float64 `json:"score"` // standard deviations above the cell's own baseline
	Count            int64   `json:"count"` // stories in the window, every polarity
	Trend            float64 `json:"trend"` // relative change of risk stories against the previous window
	RiskCount        int64   `json:"risk_count"`
	OpportunityCount int64   `json:"opportunity_count"`
	PreviousRisk     int64   `json:"previous_risk_count"`
	Weight           float64 `json:"weight"`        // time-decayed risk weight of the window, in stories
	BaselineMean     float64 `json:"baseline_mean"` // stories a day
	BaselineSD       float64 `json:"baseline_sd"`
	BaselineDays     int     `json:"baseline_days"`
	LowConfidence    bool    `json:"low_confidence"`
	Level            string  `json:"level"` // calm, watch, elevated, high — or low_confidence
}

// Levels of a cell's score.
const (
	LevelLow      = "low_confidence"
	LevelCalm     = "calm"     // score < 1
	LevelWatch    = "watch"    // 1 ≤ score < 2
	LevelElevated = "elevated" // 2 ≤ score < 3
	LevelHigh     = "high"     // score ≥ 3
)

// LevelOf names a score's level.
func LevelOf(score float64, low bool) string {
	switch {
	case low:
		return LevelLow
	case score >= 3:
		return LevelHigh
	case score >= 2:
		return LevelElevated
	case score >= 1:
		return LevelWatch
	}
	return LevelCalm
}

// Map is the risk map of a range.
type Map struct {
	From         string             `json:"from"`
	To           string             `json:"to"`
	HalfLifeDays float64            `json:"half_life_days"`
	BaselineDays int                `json:"baseline_days"`
	Industries   []string           `json:"industries"`
	Dimensions   []string           `json:"dimensions"`
	Cells        []Cell             `json:"cells"`
	Series       map[string][]int64 `json:"series"` // risk stories a day per industry over the window (sparklines)
}

// Cell returns the map's cell.
func (m *Map) Cell(industry, dimension string) (Cell, bool) {
	for _, c := range m.Cells {
		if c.Industry == industry && c.Dimension == dimension {
			return c, true
		}
	}
	return Cell{}, false
}

// MayRead reports whether u may read the map.
func MayRead(u identity.User) error {
	switch u.Role {
	case identity.RoleAnalyst, identity.RoleBankOfficer, identity.RoleBankManager, identity.RoleOfficial, identity.RoleAdmin:
		return nil
	}
	return kedaitong.Errorf(kedaitong.EForbidden, "the risk map is for analysts, banks, officials and administrators").ZHf("风险地图面向分析员、银行、政府用户和管理员")
}

// Map returns the map of a range, computed from the day counters (served
// from the readers' cache: see View; the map must not be changed).
func (s *Service) Map(ctx context.Context, u identity.User, r Range) (*Map, error) {
	v, err := s.View(ctx, u, r)
	if err != nil {
		return nil, err
	}
	return v.Map, nil
}

// Compute computes the map of a range afresh from the counters, bypassing
// the readers' cache (what a cache miss costs: benchmarks, checks).
func (s *Service) Compute(ctx context.Context, u identity.User, r Range) (*Map, error) {
	if err := MayRead(u); err != nil {
		return nil, err
	}
	return s.compute(ctx, r, nil)
}

// compute builds the map; days, when given, serve the counters instead of
// the store (the alert trigger's cache).
func (s *Service) compute(ctx context.Context, r Range, days map[Day]dayDoc) (*Map, error) {
	n := r.Days()
	loadFrom := r.From.Add(-max(BaselineDays, n))
	var err error
	if days == nil {
		if days, err = s.load(ctx, loadFrom, r.To); err != nil {
			return nil, err
		}
	}
	first, err := s.first(ctx)
	if err != nil {
		return nil, err
	}
	bStart := r.From.Add(-BaselineDays)
	baseDays := BaselineDays
	if first == 0 || first >= r.From {
		baseDays = 0
	} else if first > bStart {
		baseDays = r.From.Sub(first)
	}
	m := &Map{From: r.From.String(), To: r.To.String(), HalfLifeDays: s.half, BaselineDays: BaselineDays,
		Industries: s.Industries(), Dimensions: append([]string(nil), Dimensions...), Series: map[string][]int64{}}
	// Decay factors by distance from the window's end.
	dec := make([]float64, n)
	var k1, k2 float64
	for i := range n {
		dec[i] = math.Pow(2, -float64(i)/s.half)
		k1 += dec[i]
		k2 += dec[i] * dec[i]
	}
	for _, ind := range m.Industries {
		series := make([]int64, n)
		for _, dim := range m.Dimensions {
			c := Cell{Industry: ind, Dimension: dim, BaselineDays: baseDays}
			cr, co, cn := CountField(ind, dim, classify.Risk), CountField(ind, dim, classify.Opportunity), CountField(ind, dim, classify.Neutral)
			wf := WeightField(ind, dim)
			var sw float64
			for i := range n {
				d := r.To.Add(-i)
				doc := days[d]
				if doc == nil {
					continue
				}
				c.RiskCount += doc[cr]
				c.OpportunityCount += doc[co]
				c.Count += doc[cr] + doc[co] + doc[cn]
				series[n-1-i] += doc[cr]
				sw += float64(doc[wf]) / weightUnit * dec[i]
			}
			var sum, sq float64
			for i := 1; i <= BaselineDays; i++ {
				if doc := days[r.From.Add(-i)]; doc != nil {
					w := float64(doc[wf]) / weightUnit
					sum += w
					sq += w * w
				}
			}
			mean := sum / BaselineDays
			sd := math.Sqrt(max(sq/BaselineDays-mean*mean, 0))
			for i := 1; i <= n; i++ {
				if doc := days[r.From.Add(-i)]; doc != nil {
					c.PreviousRisk += doc[cr]
				}
			}
			eff := max(sd, math.Sqrt(mean), sdFloor)
			c.Weight = round2(sw)
			c.BaselineMean, c.BaselineSD = round3(mean), round3(sd)
			c.Score = round2((sw - mean*k1) / (eff * math.Sqrt(k2)))
			c.Trend = round2(float64(c.RiskCount-c.PreviousRisk) / float64(max(c.PreviousRisk, 1)))
			c.LowConfidence = c.RiskCount < MinStories
			c.Level = LevelOf(c.Score, c.LowConfidence)
			m.Cells = append(m.Cells, c)
		}
		m.Series[ind] = series
	}
	return m, nil
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }
func round3(f float64) float64 { return math.Round(f*1000) / 1000 }
