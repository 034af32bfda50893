package consult_test

import (
	"context"
	"testing"

	"kedaitong"
	"kedaitong/consult"
	"kedaitong/experts"
)

// An accept cut short after the consultation was written, before the
// expert's open consultations were: the next read of the consultation
// counts it, so the expert at its capacity is not given another.
func TestAcceptCutShortStillCountsAgainstCapacity(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	const route = "lithium-battery.solid-state"
	e1 := f.addExpert(t, "e1", experts.TierIndustry, []string{route}, nil, 1, nil)
	v1, err := f.svc.Ask(ctx, f.users["officer"], consult.Input{Route: route, Question: "固态电池量产成熟度？", Urgency: "normal"})
	if err != nil {
		t.Fatal(err)
	}
	// The accept's first write alone.
	coll, err := f.st.Collection(ctx, consult.ConsultationsDef)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	ver, err := coll.Get(ctx, v1.ID, &raw)
	if err != nil {
		t.Fatal(err)
	}
	raw["state"], raw["expert_id"], raw["offered"] = consult.StateAccepted, "e1", []string{}
	if _, err := coll.Replace(ctx, v1.ID, ver, raw); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Get(ctx, f.users["officer"], v1.ID); err != nil { // a read repairs the count
		t.Fatal(err)
	}
	v2, err := f.svc.Ask(ctx, f.users["officer"], consult.Input{Route: route, Question: "硫化物电解质的量产风险？", Urgency: "normal"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Accept(ctx, e1, v2.ID); err == nil {
		t.Fatal("an expert at its capacity accepted a second consultation")
	} else if code(t, err) != kedaitong.EConflict && code(t, err) != kedaitong.ENotFound {
		t.Fatalf("accept at capacity: %v", err)
	}
	// Once it answers, it has room again (its count follows the answer).
	if _, err := f.svc.Answer(ctx, e1, v1.ID, consult.AnswerInput{Text: "中试线良率已过 90%，量产风险可控。"}); err != nil {
		t.Fatal(err)
	}
	v3, err := f.svc.Ask(ctx, f.users["officer"], consult.Input{Route: route, Question: "正极材料的供应风险？", Urgency: "normal"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Accept(ctx, e1, v3.ID); err != nil {
		t.Fatalf("accept after answering: %v", err)
	}
}
