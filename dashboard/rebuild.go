package dashboard

import (
	"context"
	"time"

	"kedaitong"
	"kedaitong/consult"
	"kedaitong/fund"
	"kedaitong/internal/store"
	"kedaitong/review"
	"kedaitong/review/panel"
	"kedaitong/review/rereview"
	"kedaitong/review/scoring"
)

// Contributor adds counts that other packages own (re-reviews, panels'
// disagreement) during Rebuild: add(region, deltas) for each object.
type Contributor func(ctx context.Context, add func(region string, d map[string]int64)) error

type builtMarker struct {
	BuiltAt time.Time `json:"built_at"`
	Apps    int       `json:"apps"`
	Schema  int       `json:"schema"`
}

// Schema is the version of the counters' meaning: counters built by an
// older version (before the monthly trends and the fund's loans and
// claims; before panels with disagreement were counted from the reports)
// are rebuilt once at start.
const Schema = 3

// Built reports whether the counters were built on this store by this
// version of their meaning.
func (s *Service) Built(ctx context.Context) (bool, error) {
	var m builtMarker
	_, err := s.meta.Get(ctx, "built", &m)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		return false, nil
	}
	return err == nil && m.Schema >= Schema, err
}

// MarkBuilt records that counting on write started on an empty store, so
// no Rebuild is needed.
func (s *Service) MarkBuilt(ctx context.Context) error {
	err := s.meta.Insert(ctx, "built", builtMarker{BuiltAt: s.now(), Schema: Schema})
	if kedaitong.Is(err, kedaitong.EConflict) {
		return nil
	}
	return err
}

func scanAll(ctx context.Context, c store.Collection, q store.Query, each func(store.Doc) error) error {
	q.Limit = 500
	for {
		p, err := c.Find(ctx, q)
		if err != nil {
			return err
		}
		for _, d := range p.Docs {
			if err := each(d); err != nil {
				return err
			}
		}
		if p.Next == "" {
			return nil
		}
		q.After = p.Next
	}
}

// Rebuild recomputes every counter from the stored documents: one scan of
// the applications, consultations, assignments and whitelist, plus what
// the contributors add. Run it when nothing writes (at start, before
// serving); writes during a rebuild may be counted twice or not at all.
func (s *Service) Rebuild(ctx context.Context, extra ...Contributor) (int, error) {
	totals := map[string]map[string]int64{}
	add := func(region string, d map[string]int64) {
		for _, sc := range Scopes(region) {
			t := totals[sc]
			if t == nil {
				t = map[string]int64{}
				totals[sc] = t
			}
			for k, v := range d {
				t[k] += v
			}
		}
	}
	apps, err := s.st.Collection(ctx, review.ApplicationsDef)
	if err != nil {
		return 0, err
	}
	n := 0
	var batch []store.NewDoc
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		errs, err := s.snaps.InsertMany(ctx, batch)
		if err != nil {
			return err
		}
		for i, e := range errs {
			if e == nil {
				continue
			}
			if !kedaitong.Is(e, kedaitong.EConflict) {
				return e
			}
			var old snapshot
			ver, err := s.snaps.Get(ctx, batch[i].ID, &old)
			if err != nil {
				return err
			}
			if _, err := s.snaps.Replace(ctx, batch[i].ID, ver, batch[i].Doc); err != nil {
				return err
			}
		}
		batch = batch[:0]
		return nil
	}
	err = scanAll(ctx, apps, store.Query{Sort: "created_ms"}, func(d store.Doc) error {
		var a review.Application
		if err := d.Decode(&a); err != nil {
			return err
		}
		f := Facets(&a)
		add(a.Region, f)
		batch = append(batch, store.NewDoc{ID: a.ID, Doc: snapshot{Region: a.Region, Facets: f}})
		n++
		if len(batch) == store.MaxBatch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return 0, err
	}
	if err := scanAll(ctx, s.loans, store.Query{Sort: "created_ms"}, func(d store.Doc) error {
		var l fund.Loan
		if err := d.Decode(&l); err != nil {
			return err
		}
		f := LoanFacets(&l)
		add(l.Region, f)
		batch = append(batch, store.NewDoc{ID: l.ID, Doc: snapshot{Region: l.Region, Facets: f}})
		if len(batch) == store.MaxBatch {
			return flush()
		}
		return nil
	}); err != nil {
		return 0, err
	}
	if err := scanAll(ctx, s.claims, store.Query{Sort: "created_ms"}, func(d store.Doc) error {
		var c fund.Claim
		if err := d.Decode(&c); err != nil {
			return err
		}
		f := ClaimFacets(&c)
		add(c.Region, f)
		batch = append(batch, store.NewDoc{ID: c.ID, Doc: snapshot{Region: c.Region, Facets: f}})
		if len(batch) == store.MaxBatch {
			return flush()
		}
		return nil
	}); err != nil {
		return 0, err
	}
	if err := scanAll(ctx, s.reports, store.Query{Sort: "closed_ms"}, func(d store.Doc) error {
		var r scoring.Report
		if err := d.Decode(&r); err != nil {
			return err
		}
		f := ReportFacets(&r)
		add(r.Region, f)
		batch = append(batch, store.NewDoc{ID: reportSnapID(d.ID), Doc: snapshot{Region: r.Region, Facets: f}})
		if len(batch) == store.MaxBatch {
			return flush()
		}
		return nil
	}); err != nil {
		return 0, err
	}
	if err := flush(); err != nil {
		return 0, err
	}
	if err := scanAll(ctx, s.cons, store.Query{Sort: "created_ms"}, func(d store.Doc) error {
		var c consult.Consultation
		if err := d.Decode(&c); err != nil {
			return err
		}
		x := map[string]int64{"con": 1}
		if c.Answer != nil {
			x["con_ans"] = 1
			if c.AnsweredOnTime != nil && *c.AnsweredOnTime {
				x["con_ontime"] = 1
			}
		}
		add(c.Region, x)
		return nil
	}); err != nil {
		return 0, err
	}
	asg, err := s.st.Collection(ctx, panel.AssignmentsDef)
	if err != nil {
		return 0, err
	}
	if err := scanAll(ctx, asg, store.Query{Sort: "created_ms"}, func(d store.Doc) error {
		var a panel.Assignment
		if err := d.Decode(&a); err != nil {
			return err
		}
		add(a.Region, SeatFacets(&a))
		return nil
	}); err != nil {
		return 0, err
	}
	wl, err := s.st.Collection(ctx, review.WhitelistDef)
	if err != nil {
		return 0, err
	}
	if err := scanAll(ctx, wl, store.Query{Eq: map[string]any{"whitelisted": true}, Sort: "updated_ms"}, func(d store.Doc) error {
		var w review.Whitelist
		if err := d.Decode(&w); err != nil {
			return err
		}
		add(w.Region, map[string]int64{"wl": 1})
		return nil
	}); err != nil {
		return 0, err
	}
	rr, err := s.st.Collection(ctx, rereview.Def)
	if err != nil {
		return 0, err
	}
	if err := scanAll(ctx, rr, store.Query{Sort: "created_ms"}, func(d store.Doc) error {
		var r rereview.Rereview
		if err := d.Decode(&r); err != nil {
			return err
		}
		add(r.Region, RereviewFacets(&r))
		return nil
	}); err != nil {
		return 0, err
	}
	for _, c := range extra {
		if err := c(ctx, add); err != nil {
			return 0, err
		}
	}
	// replace the counter documents: every existing one goes, then the totals
	for _, parent := range append([]string{"-", Province}, sortedKeys(cityNames)...) {
		var ids []string
		if err := scanAll(ctx, s.counters, store.Query{Eq: map[string]any{"parent": parent}, Sort: "scope"}, func(d store.Doc) error {
			ids = append(ids, d.ID)
			return nil
		}); err != nil {
			return 0, err
		}
		for _, id := range ids {
			if err := s.counters.Delete(ctx, id); err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
				return 0, err
			}
		}
	}
	for _, sc := range sortedKeys(totals) {
		d := totals[sc]
		for k, v := range d {
			if v == 0 {
				delete(d, k)
			}
		}
		if _, err := s.counters.Incr(ctx, sc, map[string]any{"scope": sc, "parent": parentOf(sc)}, d); err != nil {
			return 0, err
		}
	}
	var m builtMarker
	ver, err := s.meta.Get(ctx, "built", &m)
	m = builtMarker{BuiltAt: s.now(), Apps: n, Schema: Schema}
	s.invalidate()
	switch {
	case kedaitong.Is(err, kedaitong.ENotFound):
		err = s.meta.Insert(ctx, "built", m)
	case err == nil:
		_, err = s.meta.Replace(ctx, "built", ver, m)
	}
	return n, err
}
