package main

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"syscall"
	"testing"
	"time"
)

const killScore = `{"criteria":{"originality":6,"barriers":7,"industrialisation":5,"team":6,"maturity":6,"rd_ip":7,"market":5},"recommendation":"support","confidence":2,"comment":"工艺成熟度有待验证","risk_points":["量产良率"],"maturity_stage":"pilot"}`

type seat struct{ id, app, user string }

// kill9 kills the server and waits for it to be gone.
func kill9(t *testing.T, p *proc) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done
	p.done <- nil
}

// Scores submitted while the server is killed (kill -9 at random points
// during a burst of submissions) are never half done after a restart: an
// assignment is submitted exactly when its score is locked, every
// acknowledged submission is both, and every panel closes with all its
// scores.
func TestDurabilityKill9DuringSubmissions(t *testing.T) {
	dir := t.TempDir()
	p := launch(t, "--data", dir, "--demo")
	if why := p.wait(120 * time.Second); why != "" {
		t.Fatal(why)
	}
	k := newKClient(p)
	var apps []string
	for i := range 3 {
		r := k.as(t, "gzbank.officer", "POST", "/api/v1/applications", applicationBody("360702", 7100+i))
		if r.status != 201 {
			t.Fatalf("application = %d %s", r.status, r.body)
		}
		id := r.obj(t)["id"].(string)
		if r := k.as(t, "gzbank.officer", "POST", "/api/v1/applications/"+id+"/submit", ""); r.status != 200 {
			t.Fatalf("submit application = %d %s", r.status, r.body)
		}
		apps = append(apps, id)
	}
	if r := k.as(t, "official.jiangxi", "POST", "/api/v1/assignments/run", ""); r.status != 200 {
		t.Fatalf("run = %d %s", r.status, r.body)
	}
	made := map[string]bool{}
	var seats []seat
	for _, app := range apps {
		items, _ := k.as(t, "official.jiangxi", "GET", "/api/v1/assignments?limit=500&application="+app, "").items(t)
		for _, a := range items {
			id, exp := a["id"].(string), a["expert_id"].(string)
			user := "x.expert." + exp
			if !made[user] {
				made[user] = true
				r := k.as(t, "admin", "POST", "/api/v1/users", fmt.Sprintf(`{"username":%q,"password":"Contract pass 2026 ok","role":"expert","expert_id":%q}`, user, exp))
				if r.status != 201 {
					t.Fatalf("expert user = %d %s", r.status, r.body)
				}
			}
			if r := k.as(t, user, "POST", "/api/v1/assignments/"+id+"/accept", ""); r.status != 200 {
				t.Fatalf("accept = %d %s", r.status, r.body)
			}
			if r := k.as(t, user, "PUT", "/api/v1/assignments/"+id+"/score", killScore); r.status != 200 {
				t.Fatalf("score = %d %s", r.status, r.body)
			}
			seats = append(seats, seat{id, app, user})
		}
	}
	if len(seats) < 6 {
		t.Fatalf("only %d seats", len(seats))
	}
	acked := map[string]bool{}
	for round := 0; round < 3; round++ {
		var todo []seat
		for _, s := range seats {
			if !acked[s.id] {
				todo = append(todo, s)
			}
		}
		if len(todo) == 0 {
			break
		}
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, s := range todo {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, ok := k.try("POST", "/api/v1/assignments/"+s.id+"/submit", k.tokOf(s.user))
				if ok && r == 200 {
					mu.Lock()
					acked[s.id] = true
					mu.Unlock()
				}
			}()
		}
		time.Sleep(time.Duration(rand.IntN(30)) * time.Millisecond)
		kill9(t, p)
		wg.Wait()
		p = launch(t, "--data", dir)
		if why := p.wait(60 * time.Second); why != "" {
			t.Fatal(why)
		}
		k = newKClient(p)
		k.check(t, seats, acked)
	}
	// Whatever is left is submitted now; every panel closes with all its
	// submitted scores.
	for _, s := range seats {
		if r := k.as(t, s.user, "GET", "/api/v1/assignments/"+s.id, ""); r.obj(t)["state"] == "accepted" {
			if r := k.as(t, s.user, "POST", "/api/v1/assignments/"+s.id+"/submit", ""); r.status != 200 {
				t.Fatalf("submit after the rounds = %d %s", r.status, r.body)
			}
		}
	}
	closed := 0
	for _, app := range apps {
		n := 0
		for _, s := range seats {
			if s.app == app {
				n++
			}
		}
		var rep kreply
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if rep = k.as(t, "gzbank.officer", "GET", "/api/v1/applications/"+app+"/report", ""); rep.status == 200 {
				break
			}
		}
		if rep.status != 200 {
			continue // a panel with open seats (too few demo experts) cannot close
		}
		closed++
		if got := int(rep.obj(t)["submitted"].(float64)); got != n {
			t.Errorf("report of %s counts %d scores, its panel submitted %d", app, got, n)
		}
	}
	if closed == 0 {
		t.Error("no panel closed")
	}
}

// check asserts the invariants after a restart.
func (k *kclient) check(t *testing.T, seats []seat, acked map[string]bool) {
	t.Helper()
	for _, s := range seats {
		a := k.as(t, "official.jiangxi", "GET", "/api/v1/assignments/"+s.id, "")
		if a.status != 200 {
			t.Fatalf("assignment = %d %s", a.status, a.body)
		}
		state := a.obj(t)["state"]
		sc := k.as(t, s.user, "GET", "/api/v1/assignments/"+s.id+"/score", "")
		if sc.status != 200 {
			t.Fatalf("score = %d %s", sc.status, sc.body)
		}
		scoreState := sc.obj(t)["state"]
		if score, _ := sc.obj(t)["score"].(map[string]any); score != nil {
			scoreState = score["state"]
		}
		if acked[s.id] && (state != "submitted" || scoreState != "submitted") {
			t.Errorf("acknowledged submission %s: assignment %v, score %v", s.id, state, scoreState)
		}
		if (state == "submitted") != (scoreState == "submitted") {
			t.Errorf("half-done submission %s after kill -9: assignment %v, score %v", s.id, state, scoreState)
		}
	}
}

// tokOf is tok without a test to fail (from goroutines).
func (k *kclient) tokOf(user string) string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.toks[user]
}

// try sends a request with a session; ok is false when the server is gone.
func (k *kclient) try(method, path, token string) (int, bool) {
	r, err := tryDo(k.p.url, method, path, token)
	return r, err == nil
}
