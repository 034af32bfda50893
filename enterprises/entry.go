package enterprises

import (
	"context"

	"kedaitong"
	"kedaitong/internal/store"
)

// Entry is an enterprise as lists see it: the fields they filter by and
// show, derived from its portrait. Entries live apart from the portraits
// (EntriesDef, indexed) so that an import changing only records no list
// filters by (a year of tax, a patent) rewrites the portrait alone, whose
// collection has no index to maintain.
type Entry struct {
	CreditCode  string `json:"credit_code"`
	Name        string `json:"name"`
	NameKey     string `json:"name_key"`
	Region      string `json:"region"`
	City        string `json:"city"`
	Route       string `json:"route"`
	Industry    string `json:"industry"`
	Dishonest   bool   `json:"dishonest"`
	KeyProject  bool   `json:"key_project"`
	Specialised bool   `json:"specialised"`
	KeyList     bool   `json:"key_list"`
	Endorsed    bool   `json:"endorsed"`
	// PV is the version of the portrait the entry was derived from: an
	// entry is only ever replaced by one of a newer portrait.
	PV int64 `json:"pv"`
}

// entryOf derives the entry of a portrait (derive must have run) at
// portrait version pv.
func entryOf(p *Portrait, pv int64) Entry {
	return Entry{CreditCode: p.CreditCode, Name: p.Name, NameKey: p.NameKey, Region: p.Region, City: p.City, Route: p.Route,
		Industry: p.Industry, Dishonest: p.Dishonest, KeyProject: p.KeyProject, Specialised: p.Specialised, KeyList: p.KeyList,
		Endorsed: p.Endorsed, PV: pv}
}

// same reports whether two entries say the same (whatever portrait version).
func (e Entry) same(o Entry) bool { e.PV = o.PV; return e == o }

// savePortrait writes a portrait (derive must have run) with a
// version-guarded write, then its entry. EConflict when the portrait
// changed since it was read at ver.
func (s *Service) savePortrait(ctx context.Context, p *Portrait, ver int64, exists bool) error {
	if exists {
		if _, err := s.portraits.Replace(ctx, p.CreditCode, ver, p); err != nil {
			return err
		}
		ver++
	} else {
		if err := s.portraits.Insert(ctx, p.CreditCode, p); err != nil {
			return err
		}
		ver = 1
	}
	return s.putEntry(ctx, entryOf(p, ver))
}

// putEntry stores an entry unless the stored one is as new or newer; a
// lost race re-derives the entry from the portrait as it now is.
func (s *Service) putEntry(ctx context.Context, e Entry) error {
	for attempt := 0; attempt < 20; attempt++ {
		var old Entry
		ever, err := s.entries.Get(ctx, e.CreditCode, &old)
		switch {
		case kedaitong.Is(err, kedaitong.ENotFound):
			err = s.entries.Insert(ctx, e.CreditCode, e)
		case err != nil:
			return err
		case old.PV > e.PV || old.same(e):
			return nil
		default:
			_, err = s.entries.Replace(ctx, e.CreditCode, ever, e)
		}
		if !kedaitong.Is(err, kedaitong.EConflict) {
			return err
		}
		// Someone else wrote the entry (or the portrait): start from the portrait.
		p, pv, exists, err := s.loadPortrait(ctx, e.CreditCode)
		if err != nil || !exists {
			return err
		}
		s.derive(&p)
		e = entryOf(&p, pv)
	}
	return kedaitong.Errorf(kedaitong.EConflict, "enterprise %s keeps changing; try again", e.CreditCode).ZHf("企业 %s 的画像一直在变化，请重试", e.CreditCode)
}

// putEntries stores the entries of a chunk of written portraits: new ones
// with one InsertMany, changed ones with one ReplaceMany; old holds the
// stored entries (with their versions) by credit code. Refused ones go
// through putEntry.
func (s *Service) putEntries(ctx context.Context, es []Entry, old map[string]store.Doc) error {
	var inserts []store.NewDoc
	var replaces []store.Replacement
	var insertE, replaceE []Entry
	for _, e := range es {
		d, ok := old[e.CreditCode]
		if !ok {
			inserts = append(inserts, store.NewDoc{ID: e.CreditCode, Doc: e})
			insertE = append(insertE, e)
			continue
		}
		var o Entry
		if err := d.Decode(&o); err != nil {
			return err
		}
		if o.PV > e.PV || o.same(e) {
			continue
		}
		replaces = append(replaces, store.Replacement{ID: e.CreditCode, Version: d.Version, Doc: e})
		replaceE = append(replaceE, e)
	}
	retry := func(errs []error, es []Entry) error {
		for i, err := range errs {
			switch {
			case err == nil:
			case kedaitong.Is(err, kedaitong.EConflict), kedaitong.Is(err, kedaitong.ENotFound):
				if err := s.putEntry(ctx, es[i]); err != nil {
					return err
				}
			default:
				return err
			}
		}
		return nil
	}
	if len(inserts) > 0 {
		errs, err := s.entries.InsertMany(ctx, inserts)
		if err != nil {
			return err
		}
		if err := retry(errs, insertE); err != nil {
			return err
		}
	}
	if len(replaces) > 0 {
		errs, err := s.entries.ReplaceMany(ctx, replaces)
		if err != nil {
			return err
		}
		if err := retry(errs, replaceE); err != nil {
			return err
		}
	}
	return nil
}

// legacyPortrait reads a portrait stored by an earlier version in the
// entries' collection (portraits and entries were one document): ok false
// when the entry is not one.
func legacyPortrait(d store.Doc) (Portrait, bool, error) {
	var p Portrait
	if err := d.Decode(&p); err != nil {
		return Portrait{}, false, err
	}
	if p.Registration == nil && len(p.Sources) == 0 && p.AppName == "" {
		return Portrait{}, false, nil
	}
	p.CreditCode = d.ID
	p.fill()
	return p, true, nil
}

// readPortrait reads a portrait for display or checks: known is false when
// the data hub has nothing on the enterprise.
func (s *Service) readPortrait(ctx context.Context, code string) (p Portrait, known bool, err error) {
	p, _, exists, err := s.loadPortrait(ctx, code)
	return p, exists || p.legacy, err
}
