package consult

import (
	"context"
	"slices"

	"kedaitong"
	"kedaitong/experts"
	"kedaitong/internal/store"
)

// An expert's open consultations (owned, not yet answered) count against
// its capacity. Changing a consultation and changing that count are two
// writes; the count is therefore kept as a set — the ids of the
// consultations the expert owns open, one document per expert in
// "consultation_owned" — that track brings into line with a consultation
// idempotently: after every write of one, and on every read, so a crash
// between the two writes is repaired by the next read. An expert that
// looks full has its set checked against the consultations themselves
// (verify), which drops what a racing reader may have added late.

// OwnedDef is the collection of the experts' open consultations.
var OwnedDef = store.CollectionDef{Name: "consultation_owned"}

type owned struct {
	ExpertID string   `json:"expert_id"`
	IDs      []string `json:"ids"`
}

func ownsOpen(c *Consultation) bool {
	return c.ExpertID != "" && (c.State == StateAccepted || c.State == StateFollowUp)
}

// track brings c's owner's set into line with c.
func (s *Service) track(ctx context.Context, c *Consultation) error {
	if c.ExpertID == "" {
		return nil
	}
	return s.setOwned(context.WithoutCancel(ctx), c.ExpertID, c.ID, ownsOpen(c))
}

// setOwned adds id to (or removes it from) the expert's set.
func (s *Service) setOwned(ctx context.Context, expertID, id string, open bool) error {
	for range 10 {
		var o owned
		ver, err := s.owned.Get(ctx, expertID, &o)
		if err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
			return err
		}
		if slices.Contains(o.IDs, id) == open {
			return nil
		}
		if open {
			o.IDs = append(o.IDs, id)
		} else {
			o.IDs = slices.DeleteFunc(o.IDs, func(x string) bool { return x == id })
		}
		o.ExpertID = expertID
		if ver == 0 {
			err = s.owned.Insert(ctx, expertID, o)
		} else {
			_, err = s.owned.Replace(ctx, expertID, ver, o)
		}
		if !kedaitong.Is(err, kedaitong.EConflict) {
			return err
		}
	}
	return kedaitong.Errorf(kedaitong.EConflict, "the expert's open consultations keep changing; try again").ZHf("专家的在办咨询一直在变化，请重试")
}

// ownedIDs returns the expert's set and whether it exists (stores from
// before the set count with the old counter until it does).
func (s *Service) ownedIDs(ctx context.Context, expertID string) ([]string, bool, error) {
	var o owned
	_, err := s.owned.Get(ctx, expertID, &o)
	if kedaitong.Is(err, kedaitong.ENotFound) {
		return nil, false, nil
	}
	return o.IDs, err == nil, err
}

// verify drops from the expert's set the consultations it does not own
// open, and returns how many remain.
func (s *Service) verify(ctx context.Context, e experts.Expert) (int64, error) {
	ids, ok, err := s.ownedIDs(ctx, e.ID)
	if err != nil || !ok {
		return 0, err
	}
	n := int64(0)
	for _, id := range ids {
		var c Consultation
		_, err := s.cons.Get(ctx, id, &c)
		if err != nil && !kedaitong.Is(err, kedaitong.ENotFound) {
			return 0, err
		}
		if err == nil && c.ExpertID == e.ID && ownsOpen(&c) {
			n++
			continue
		}
		if err := s.setOwned(ctx, e.ID, id, false); err != nil {
			return 0, err
		}
	}
	return n, nil
}
