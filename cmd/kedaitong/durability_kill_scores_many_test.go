package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"kedaitong/experts"
	"kedaitong/identity"
	"kedaitong/internal/store"
	"kedaitong/review"
	"kedaitong/review/panel"
)

// Many experts saving drafts at once share group commits (issue 19: many
// saves per transaction, each acknowledged only after its batch is
// durable). Killed with -9 mid-stream, the binary loses nothing it
// acknowledged: after the restart every seat's score is at least at its
// last acknowledged revision, its history holds every acknowledged
// revision with its content (1..n, no gap), the audit log holds a
// score.save entry for every acknowledged revision, and its chain is
// intact. Run twice: the second kill lands on a store that was itself
// recovered from a kill.
func TestDurabilityKill9DuringManyDraftSaves(t *testing.T) {
	const experts = 32
	dir := t.TempDir()
	seats := seedKillSeats(t, dir, experts)

	acked := map[string]map[int]string{} // assignment → revision → comment
	for _, s := range seats {
		acked[s.id] = map[int]string{}
	}
	total := 0
	for round := range 2 {
		p := launch(t, "--data", dir)
		if why := p.wait(60 * time.Second); why != "" {
			t.Fatal(why)
		}
		k := newKClient(p)
		if round > 0 {
			checkKillSeats(t, k, seats, acked, fmt.Sprintf("before round %d", round+1))
		}
		var (
			mu sync.Mutex
			n  int
			wg sync.WaitGroup
		)
		toks := make([]string, len(seats))
		for i, s := range seats {
			toks[i] = k.tok(t, s.user)
		}
		for i, s := range seats {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := 1; ; j++ {
					c := fmt.Sprintf("%s 第%d轮第%d稿", s.id, round+1, j)
					rev, ok := trySave(p.url, s.id, toks[i], strings.Replace(killScore, "工艺成熟度有待验证", c, 1))
					if !ok {
						return // the server is gone
					}
					if rev > 0 {
						mu.Lock()
						acked[s.id][rev] = c
						n++
						mu.Unlock()
					}
				}
			}()
		}
		// Kill at a moment that depends on the round, once saves flow.
		want := (6 + 5*round) * len(seats)
		for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			mu.Lock()
			got := n
			mu.Unlock()
			if got >= want {
				break
			}
		}
		kill9(t, p)
		wg.Wait()
		if n < 2*len(seats) {
			t.Fatalf("round %d: only %d saves acknowledged before the kill", round+1, n)
		}
		total += n
		if out, err := exec.Command(binary, "audit", "verify", "--data", dir).CombinedOutput(); err != nil {
			t.Fatalf("round %d: audit verify after kill -9: %v\n%s", round+1, err, out)
		}
	}

	p := launch(t, "--data", dir)
	if why := p.wait(60 * time.Second); why != "" {
		t.Fatal(why)
	}
	k := newKClient(p)
	checkKillSeats(t, k, seats, acked, "after the last kill -9")

	// Every acknowledged save has its audit entry.
	logged := map[string]bool{} // assignment@revision
	cursor := ""
	for {
		path := "/api/v1/audit?action=score.save&limit=500"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		r := k.as(t, "x.kill.admin", "GET", path, "")
		if r.status != 200 {
			t.Fatalf("audit = %d %s", r.status, r.body)
		}
		var page struct {
			Items []struct {
				ObjectID string         `json:"object_id"`
				Detail   map[string]any `json:"detail"`
			} `json:"items"`
			Next string `json:"next_cursor"`
		}
		if err := json.Unmarshal(r.body, &page); err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Items {
			rev, _ := e.Detail["revision"].(float64)
			logged[fmt.Sprintf("%s@%d", e.ObjectID, int(rev))] = true
		}
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	missing := 0
	for id, revs := range acked {
		for rev := range revs {
			if !logged[fmt.Sprintf("%s@%d", id, rev)] {
				if missing++; missing <= 5 {
					t.Errorf("acknowledged save %s revision %d has no audit entry", id, rev)
				}
			}
		}
	}
	if missing > 0 {
		t.Errorf("%d acknowledged saves without an audit entry", missing)
	}
	t.Logf("%d acknowledged saves by %d experts over two kills, all kept", total, len(seats))
}

// checkKillSeats checks every seat's score and history against the saves
// acknowledged so far.
func checkKillSeats(t *testing.T, k *kclient, seats []seat, acked map[string]map[int]string, when string) {
	t.Helper()
	for _, s := range seats {
		r := k.as(t, s.user, "GET", "/api/v1/assignments/"+s.id+"/score", "")
		if r.status != 200 {
			t.Fatalf("%s: score = %d %s", when, r.status, r.body)
		}
		var sc struct {
			Revision int `json:"revision"`
			History  []struct {
				Revision int `json:"revision"`
				Content  struct {
					Comment string `json:"comment"`
				} `json:"content"`
			} `json:"history"`
		}
		if err := json.Unmarshal(r.body, &sc); err != nil {
			t.Fatal(err)
		}
		last := 0
		for rev := range acked[s.id] {
			last = max(last, rev)
		}
		if sc.Revision < last {
			t.Errorf("%s %s: revision %d, %d was acknowledged", when, s.id, sc.Revision, last)
		}
		if len(sc.History) != sc.Revision {
			t.Errorf("%s %s: %d revisions in the history of revision %d", when, s.id, len(sc.History), sc.Revision)
		}
		for i, h := range sc.History {
			if h.Revision != i+1 {
				t.Errorf("%s %s: history[%d] is revision %d", when, s.id, i, h.Revision)
				break
			}
			if c, ok := acked[s.id][h.Revision]; ok && h.Content.Comment != c {
				t.Errorf("%s %s: revision %d says %q, %q was acknowledged", when, s.id, h.Revision, h.Content.Comment, c)
			}
		}
	}
}

// seedKillSeats writes n experts with accounts (x.kill.*), an admin
// (x.kill.admin), n/4 submitted applications and their panels, every seat
// accepted, straight into the data folder through the domain services, and
// returns the seats.
func seedKillSeats(t *testing.T, dir string, n int) []seat {
	t.Helper()
	ctx := context.Background()
	st, err := store.OpenSQLite(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ids, err := identity.Open(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := review.Open(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	es, err := experts.Open(ctx, st, nil)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := panel.Open(ctx, st, rs, es, nil, panel.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const pw = "Contract pass 2026 ok"
	admin := identity.User{ID: "u-kill-admin", Username: "x.kill.admin", Role: identity.RoleAdmin}
	if _, err := ids.CreateUser(ctx, nil, identity.NewUser{Username: admin.Username, Password: pw, Role: identity.RoleAdmin}); err != nil {
		t.Fatal(err)
	}
	users := map[string]identity.User{}
	one := 1
	for i := range n {
		id := fmt.Sprintf("kx%03d", i)
		tier := []string{"academician", "industry", "industry", "finance"}[i%4]
		if _, err := es.Create(ctx, admin, experts.Input{ID: id, Name: fmt.Sprintf("断电专家%03d", i), Tier: tier,
			Fields: []string{"semiconductors.ic-design"}, Capacity: &one}); err != nil {
			t.Fatalf("expert %s: %v", id, err)
		}
		u, err := ids.CreateUser(ctx, nil, identity.NewUser{Username: "x.kill." + id, Password: pw, Role: identity.RoleExpert, ExpertID: id})
		if err != nil {
			t.Fatal(err)
		}
		users[id] = u
	}
	bank := identity.User{ID: "u-kill-officer", Username: "x.kill.officer", Role: identity.RoleBankOfficer, BankID: "ganzhou-bank"}
	var apps []string
	for i := range n / 4 {
		in := review.Input{
			Enterprise: review.Enterprise{Name: fmt.Sprintf("赣州断电%d科技有限公司", i+1), CreditCode: review.DemoCreditCode("360702", 8800+i), Region: "360702",
				Founded: "2021-03-15", Route: "semiconductors.ic-design", Staff: 60, RDStaff: 25,
				Revenue: []int64{12000000, 9000000}, NetProfit: []int64{-3000000, -4500000}, RDSpend: 6000000,
				InventionPatents: 5, PendingPatents: 3, Maturity: "pilot"},
			Loan:    review.Loan{Amount: 3000000, TermMonths: 24, Purpose: "流片与量产验证"},
			Summary: "28nm 低功耗电源管理芯片设计。",
		}
		v, err := rs.Create(ctx, bank, in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rs.Submit(ctx, bank, v.ID); err != nil {
			t.Fatal(err)
		}
		apps = append(apps, v.ID)
	}
	if _, err := ps.Run(ctx, admin); err != nil {
		t.Fatal(err)
	}
	var seats []seat
	for _, app := range apps {
		_, as, err := ps.Seats(ctx, app)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range as {
			u, ok := users[a.ExpertID]
			if !ok {
				continue
			}
			if _, err := ps.Accept(ctx, u, a.ID); err != nil {
				t.Fatalf("accept %s: %v", a.ID, err)
			}
			seats = append(seats, seat{a.ID, app, u.Username})
		}
	}
	if len(seats) != n {
		t.Fatalf("%d accepted seats, want %d", len(seats), n)
	}
	return seats
}
