package main

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// Claims approved while the server is killed (kill -9 at random points
// during a burst of approvals and contributions) are never half done after
// a restart and its repair: a claim is paid exactly when its loan is
// compensated, the pool's paid-out and deferred money are its claims',
// its open claims are its submitted claims', its cash plus what it paid
// out is what was paid in (nothing paid twice, nothing lost), and every
// acknowledged approval is paid.
func TestDurabilityKill9DuringClaimApprovals(t *testing.T) {
	dir := t.TempDir()
	p := launch(t, "--data", dir, "--demo")
	if why := p.wait(120 * time.Second); why != "" {
		t.Fatal(why)
	}
	k := newKClient(p)
	const region, fundID, official, bank = "360702", "fund-360702", "official.jiangxi", "gzbank.officer"
	if r := k.as(t, official, "POST", "/api/v1/funds", `{"region":"360702","name":"章贡区科贷通风险补偿资金池"}`); r.status != 201 {
		t.Fatalf("fund = %d %s", r.status, r.body)
	}
	if r := k.as(t, official, "POST", "/api/v1/funds/"+fundID+"/contributions", `{"year":2025,"budgeted":2000000,"paid_in":2000000,"by":"county"}`); r.status != 201 {
		t.Fatalf("contribution = %d %s", r.status, r.body)
	}
	const n, amount = 16, 300000 // 16 claims of 240,000: 3,840,000, more than the cash
	var loans []string
	for i := range n {
		body := fmt.Sprintf(`{"enterprise":{"name":"章贡测试企业%d","credit_code":%q,"region":%q,"founded":"2018-04-01","route":"semiconductors.ic-design"},"amount":%d,"start":"2025-03-01","term_months":24}`,
			i, creditCode(region, 6600+i), region, amount)
		r := k.as(t, bank, "POST", "/api/v1/loans", body)
		if r.status != 201 {
			t.Fatalf("loan = %d %s", r.status, r.body)
		}
		loans = append(loans, r.obj(t)["id"].(string))
	}
	var claims []string
	for _, l := range loans {
		if r := k.as(t, bank, "POST", "/api/v1/loans/"+l+"/default", fmt.Sprintf(`{"date":"2025-09-01","outstanding":%d}`, amount)); r.status != 200 {
			t.Fatalf("default = %d %s", r.status, r.body)
		}
		r := k.as(t, bank, "POST", "/api/v1/loans/"+l+"/claims", fmt.Sprintf(`{"loss":%d,"cause":"ordinary"}`, amount))
		if r.status != 201 {
			t.Fatalf("claim = %d %s", r.status, r.body)
		}
		id := r.obj(t)["id"].(string)
		if r := k.as(t, bank, "POST", "/api/v1/claims/"+id+"/recovery-closed", ""); r.status != 200 {
			t.Fatalf("recovery closed = %d %s", r.status, r.body)
		}
		claims = append(claims, id)
	}
	acked := map[string]bool{}
	for round := range 4 {
		// Up to six of the claims still submitted, so that every round
		// approves some (a claim paid by a repair is not approved again).
		var todo []string
		for _, c := range claims {
			if r := k.as(t, official, "GET", "/api/v1/claims/"+c, ""); r.obj(t)["state"] == "submitted" && len(todo) < 6 {
				todo = append(todo, c)
			}
		}
		tok := k.tok(t, official)
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, c := range todo {
			wg.Go(func() {
				if st, err := tryPost(p.url, "/api/v1/claims/"+c+"/approve", tok, ""); err == nil && st == 200 {
					mu.Lock()
					acked[c] = true
					mu.Unlock()
				}
			})
		}
		// Money coming in meanwhile pays deferred claims first.
		wg.Go(func() {
			_, _ = tryPost(p.url, "/api/v1/funds/"+fundID+"/contributions", tok, `{"year":2026,"paid_in":150000,"by":"county"}`)
		})
		// The kill lands anywhere from the first request to after the
		// last answer: 2 ms to 1 s, spread evenly on a log scale (how long
		// a batch takes depends on the machine's load).
		time.Sleep(time.Duration(2<<rand.IntN(10)) * time.Millisecond)
		kill9(t, p)
		wg.Wait()
		p = launch(t, "--data", dir)
		if why := p.wait(60 * time.Second); why != "" {
			t.Fatal(why)
		}
		k = newKClient(p)
		// The repair runs at start and every ten seconds for changes older
		// than its grace (30 s): within a minute everything agrees.
		var problems []string
		first := -1
		start := time.Now()
		for deadline := start.Add(75 * time.Second); ; time.Sleep(2 * time.Second) {
			problems = k.fundProblems(t, fundID, acked)
			if first < 0 {
				first = len(problems)
			}
			if len(problems) == 0 || time.Now().After(deadline) {
				break
			}
		}
		t.Logf("round %d: %d approvals sent, %d acknowledged in all; %d disagreements found at restart, settled in %v", round, len(todo), len(acked), first, time.Since(start).Round(time.Second))
		for _, pr := range problems {
			t.Errorf("round %d after kill -9 and the repair: %s", round, pr)
		}
		if len(problems) > 0 {
			return
		}
	}
	// What was not approved is approved now; then everything is paid and agrees.
	for _, c := range claims {
		if r := k.as(t, official, "GET", "/api/v1/claims/"+c, ""); r.obj(t)["state"] == "submitted" {
			if r := k.as(t, official, "POST", "/api/v1/claims/"+c+"/approve", ""); r.status != 200 {
				t.Fatalf("approve after the rounds = %d %s", r.status, r.body)
			}
		}
		acked[c] = true
	}
	for _, pr := range k.fundProblems(t, fundID, acked) {
		t.Errorf("at the end: %s", pr)
	}
}

// fundProblems lists where the fund's pool, claims and loans disagree.
func (k *kclient) fundProblems(t *testing.T, fundID string, acked map[string]bool) []string {
	t.Helper()
	const official = "official.jiangxi"
	var out []string
	pool := k.as(t, official, "GET", "/api/v1/funds/"+fundID, "").obj(t)
	num := func(m map[string]any, f string) int64 { v, _ := m[f].(float64); return int64(v) }
	var paidIn int64
	for _, v := range pool["paid_in_by"].(map[string]any) {
		paidIn += int64(v.(float64))
	}
	claims, _ := k.as(t, official, "GET", "/api/v1/claims?limit=500&fund="+fundID, "").items(t)
	loans, _ := k.as(t, official, "GET", "/api/v1/loans?limit=500&fund="+fundID, "").items(t)
	var paid, deferred, open, outstanding int64
	paidLoan := map[string]bool{}
	for _, c := range claims {
		id, state := c["id"].(string), c["state"].(string)
		paid += num(c, "paid")
		deferred += num(c, "deferred")
		switch state {
		case "submitted":
			open += num(c, "compensation")
			if acked[id] {
				out = append(out, fmt.Sprintf("acknowledged approval of %s is %s", id, state))
			}
		case "paid", "partly_paid":
			paidLoan[c["loan_id"].(string)] = true
			if num(c, "paid")+num(c, "deferred") != num(c, "compensation") {
				out = append(out, fmt.Sprintf("claim %s: paid %d + deferred %d ≠ compensation %d", id, num(c, "paid"), num(c, "deferred"), num(c, "compensation")))
			}
		default:
			out = append(out, fmt.Sprintf("claim %s left %s", id, state))
		}
	}
	for _, l := range loans {
		state := l["state"].(string)
		if state == "active" || state == "non_performing" {
			outstanding += num(l, "outstanding")
		}
		if (state == "compensated") != paidLoan[l["id"].(string)] {
			out = append(out, fmt.Sprintf("loan %s is %s, its claim paid: %v", l["id"], state, paidLoan[l["id"].(string)]))
		}
	}
	if num(pool, "paid_out") != paid {
		out = append(out, fmt.Sprintf("pool paid out %d, its claims were paid %d", num(pool, "paid_out"), paid))
	}
	if num(pool, "deferred") != deferred {
		out = append(out, fmt.Sprintf("pool deferred %d, its claims %d", num(pool, "deferred"), deferred))
	}
	if num(pool, "open_claims") != open {
		out = append(out, fmt.Sprintf("pool open claims %d, its submitted claims %d", num(pool, "open_claims"), open))
	}
	if num(pool, "outstanding") != outstanding {
		out = append(out, fmt.Sprintf("pool outstanding %d, its loans %d", num(pool, "outstanding"), outstanding))
	}
	if num(pool, "cash")+num(pool, "paid_out") != paidIn {
		out = append(out, fmt.Sprintf("cash %d + paid out %d ≠ paid in %d (money lost or paid twice)", num(pool, "cash"), num(pool, "paid_out"), paidIn))
	}
	return out
}

// tryPost sends a POST with a session and a JSON body; err when the server is gone.
func tryPost(base, path, token, body string) (int, error) {
	req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
	req.Header.Set("Cookie", "kedai_session="+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	res.Body.Close()
	return res.StatusCode, nil
}
