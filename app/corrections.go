package app

import (
	"context"

	"kedaitong/intel"
	"kedaitong/web"
)

// openCorrections opens the analysts' label corrections over the
// intelligence: a correction changes the item, is audited, and moves the
// item's counts in the risk map at once.
func (a *App) openCorrections(ctx context.Context) error {
	var d web.Deps
	for _, p := range a.parts {
		if p.web != nil && (p.name == "intel" || p.name == "riskmap") {
			p.web(&d)
		}
	}
	if d.Intel == nil {
		return nil
	}
	cs, err := intel.OpenCorrections(ctx, a.Store, d.Intel, a.Recorder)
	if err != nil {
		return err
	}
	if rm := d.Riskmap; rm != nil {
		cs.OnCorrected(func(ctx context.Context, before, after intel.Item) {
			if err := rm.Recount(ctx, before, after); err != nil {
				a.Logger.Warn("riskmap: recount a corrected item", "item", after.ID, "err", err)
			}
		})
	}
	a.parts = append(a.parts, part{name: "corrections", web: func(d *web.Deps) { d.Corrections = cs }})
	return nil
}
